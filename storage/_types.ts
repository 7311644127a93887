import type { Digest, PackageName, Version } from "../lib/names/mod.ts";

/** An instant as an ISO-8601 UTC string (`2025-01-31T12:00:00.000Z`); sorts as text. */
export type Timestamp = string;

/** A JSON value, as stored in version documents. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Blobs

/** What {@link BlobStore.put} accepts: a byte stream (an HTTP request body) or bytes in memory. */
export type BlobSource = ReadableStream<Uint8Array> | Uint8Array;

/** Options of {@link BlobStore.put}. */
export interface PutOptions {
  /** The digest the client declared; the put fails with `digest-mismatch` when the bytes differ. */
  digest?: Digest;
  /** The most bytes accepted; a longer stream fails with `too-large`. Defaults to the store's limit. */
  maxSize?: number;
}

/** The outcome of a successful {@link BlobStore.put}. */
export interface PutResult {
  /** The digest of the bytes, computed while storing them. */
  digest: Digest;
  /** How many bytes were read. */
  size: number;
  /** False when the blob was already stored (the put was verified, nothing was written). */
  created: boolean;
}

/** A stored blob, as {@link BlobStore.stat} and {@link BlobStore.list} report it. */
export interface BlobStat {
  /** The blob's digest. */
  digest: Digest;
  /** Its size in bytes. */
  size: number;
  /** When the blob was last written or put again; garbage collection spares recent blobs. */
  storedAt: Timestamp;
}

/** A byte range: `length` bytes from `offset` (to the end when `length` is absent). */
export interface ByteRange {
  /** The first byte, from 0. */
  offset: number;
  /** How many bytes; to the end of the blob when absent. */
  length?: number;
}

/** The bytes of a blob, or of a range of it, as {@link BlobStore.get} returns them. */
export interface BlobBody {
  /** The requested bytes; cancel it when they are not read to the end. */
  stream: ReadableStream<Uint8Array>;
  /** The size of the whole blob. */
  size: number;
  /** The first byte in `stream`. */
  offset: number;
  /** How many bytes `stream` yields. */
  length: number;
}

/**
 * A content-addressed store of immutable blobs, keyed by their `sha256:` digest.
 *
 * Every implementation passes `blobStoreContract` in storage/_contract.ts.
 */
export interface BlobStore {
  /**
   * Stores the bytes of `source`, hashing while writing. Refuses with `digest-mismatch` when
   * `options.digest` is given and differs, with `too-large` past the size limit, with `aborted`
   * when the stream fails; a refused put leaves nothing behind. Putting stored bytes again is a
   * verified no-op (`created: false`).
   */
  put(source: BlobSource, options?: PutOptions): Promise<PutResult>;
  /** Whether the blob is stored. */
  has(digest: Digest): Promise<boolean>;
  /** Size and time of a stored blob, or `undefined`. */
  stat(digest: Digest): Promise<BlobStat | undefined>;
  /**
   * Streams a blob, or a range of it (for HTTP `Range`). A range reaching past the end is cut at
   * the end; one starting at or after the end fails with `invalid-range`. A missing blob fails
   * with `not-found`.
   */
  get(digest: Digest, range?: ByteRange): Promise<BlobBody>;
  /** Removes a blob (garbage collection); returns whether it existed. */
  delete(digest: Digest): Promise<boolean>;
  /** Every stored blob, in no particular order (for garbage collection). */
  list(): AsyncIterable<BlobStat>;
  /** Resolves when the store answers; fails with `unavailable` (or `closed`) otherwise. */
  ping(): Promise<void>;
  /**
   * A URL that serves the blob's bytes directly (a presigned S3 `GET`) for `expiresInSeconds`,
   * so that a server can redirect downloads instead of streaming them. Stores that cannot do
   * this do not have the method.
   */
  presignedUrl?(digest: Digest, expiresInSeconds: number): Promise<string>;

  // --- parts of uploads in progress (the OCI protocol's chunked uploads)
  /**
   * Stores one part of an upload in progress, a temporary object that is not a blob: named by the
   * upload's id and a part id (each `[a-z0-9-]`, 1 to 64 characters). Refused like
   * {@link BlobStore.put} (`too-large` past `maxSize`, `aborted`), leaving nothing. Returns its
   * size.
   */
  putUploadPart(
    upload: string,
    part: string,
    source: BlobSource,
    options?: { maxSize?: number },
  ): Promise<{ size: number }>;
  /** The parts of an upload concatenated in the order given; a missing one fails with `not-found`. */
  readUploadParts(upload: string, parts: readonly string[]): ReadableStream<Uint8Array>;
  /** Removes every part of an upload; idempotent. */
  deleteUploadParts(upload: string): Promise<void>;
  /** The uploads that have parts, with when the newest part was written (to sweep orphans). */
  listUploadParts(): AsyncIterable<{ upload: string; storedAt: Timestamp }>;

  /**
   * When set (with {@link BlobStore.presignedUrl}), servers redirect downloads to presigned URLs
   * that live this many seconds instead of streaming the bytes themselves.
   */
  readonly redirectSeconds?: number;
  /** Releases files and locks; later calls fail with `closed`. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Metadata

/** What a package holds: a component, or a WIT package (interfaces and worlds only). */
export type PackageKind = "component" | "wit-package";

/** A package, with what the index shows about it. */
export interface PackageSummary {
  /** `namespace:name`. */
  name: string;
  /** The namespace part of the name. */
  namespace: string;
  /** What every version of the package holds. */
  kind: PackageKind;
  /** Plain text, given at publish; empty when none was. */
  description: string;
  /** When the first version was published. */
  createdAt: Timestamp;
  /** When a version was last published. */
  updatedAt: Timestamp;
  /** The highest version that is neither yanked nor a pre-release, or `null`. */
  latestVersion: Version | null;
  /** How many versions exist, yanked ones included. */
  versionCount: number;
}

/** A published version without its document. */
export interface VersionSummary {
  /** `namespace:name`. */
  package: string;
  /** The version. */
  version: Version;
  /** The package's kind. */
  kind: PackageKind;
  /** The digest of the version's bytes (the blob). */
  digest: Digest;
  /** The size of the bytes. */
  size: number;
  /** When it was committed. */
  publishedAt: Timestamp;
  /** Who published it (a token's owner). */
  publisher: string;
  /** Whether it is yanked: hidden from latest and search, still readable and downloadable. */
  yanked: boolean;
  /** When it was yanked, or `null`. */
  yankedAt: Timestamp | null;
}

/** A published version with the JSON document the server derived from its bytes. */
export interface VersionRecord extends VersionSummary {
  /** Worlds, imports, exports, WIT text, metadata, compatibility report… as the server wrote them. */
  document: JsonObject;
  /**
   * The version's release entry in the transparency log, appended by the same commit: its index
   * and its exact text (lib/tlog `wreg-release/v1`, with the final newline).
   */
  log: LogPosition;
  /** The publisher's signature (a Sigstore bundle) when the release was signed, else `null`. */
  signature: ReleaseSignature | null;
}

/** Where an entry is in the transparency log, and its exact text. */
export interface LogPosition {
  /** The entry's index (from 0). */
  index: number;
  /** The entry's text, with its final newline. */
  entry: string;
}

/** A release's signature as the publisher sent it. */
export interface ReleaseSignature {
  /** The publisher key ID (64 lowercase hex): the log entry's signer. */
  keyId: string;
  /** The Sigstore bundle's bytes, served byte for byte (at most 16 KiB). */
  bundle: Uint8Array;
}

/** A node of the log's Merkle tree with its hash (lib/tlog `StoredNode`). */
export interface LogNode {
  /** 0 for a leaf hash; a node at level k covers 2^k leaves. */
  level: number;
  /** The node's position at its level. */
  index: number;
  /** The 32-byte hash. */
  hash: Uint8Array;
}

/** A signed checkpoint of the log. */
export interface LogCheckpoint {
  /** The tree size it signs. */
  size: number;
  /** The signed note, verbatim. */
  note: string;
}

/** A publisher key registered for a namespace. */
export interface PublisherKeyRecord {
  /** The namespace. */
  namespace: string;
  /** Lowercase hex SHA-256 of `publicKey`. */
  keyId: string;
  /** The DER SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
  /** Who registered it. */
  addedBy: string;
  /** When. */
  addedAt: Timestamp;
  /** When it was revoked, or `null`. */
  revokedAt: Timestamp | null;
  /** The index of its `wreg-key/v1 … add` entry in the log. */
  logIndex: number;
  /** The index of its `revoke` entry, or `null`. */
  revokeLogIndex: number | null;
}

/** A namespace's signing policy and keys. */
export interface NamespaceKeys {
  /** Whether every new release of the namespace must be signed by one of its keys. */
  requireSignatures: boolean;
  /** Its keys, revoked ones included, oldest first. */
  keys: PublisherKeyRecord[];
}

/** A package with all its versions, highest first. */
export interface PackageDetail {
  /** The package. */
  package: PackageSummary;
  /** Every version, yanked ones included, highest first. */
  versions: VersionSummary[];
}

/**
 * How a version relates to a name in the search index:
 * - `exports`: the component exports the interface;
 * - `imports`: the component imports the interface;
 * - `targets-world`: the component implements the world;
 * - `defines`: the WIT package defines the interface or world;
 * - `depends-on`: the version depends on the package (no interface name).
 */
export type SearchRelation = "exports" | "imports" | "targets-world" | "defines" | "depends-on";

/** The relations that say "this version needs the target" (the others say "it provides it"). */
export const REQUIRING_RELATIONS: readonly SearchRelation[] = ["imports", "depends-on"];

/**
 * The name a search row points at, split so that semver-compatible lookups are possible:
 * `wasi:http/incoming-handler@0.2.0` is `{namespace: "wasi", package: "http",
 * name: "incoming-handler", version: "0.2.0"}`; a package-level target has `name: null`.
 */
export interface SearchTarget {
  /** `wasi` in `wasi:http/incoming-handler@0.2.0`. */
  namespace: string;
  /** `http` in `wasi:http/incoming-handler@0.2.0`. */
  package: string;
  /** The interface or world (`incoming-handler`); `null` for the package itself. */
  name: string | null;
  /** The version (`0.2.0`); `null` when the name carries none. */
  version: Version | null;
}

/** One row of the search index, given at publish time. */
export interface SearchRowInput extends SearchTarget {
  /** How the version relates to the target. */
  relation: SearchRelation;
}

/** One row of the search index, as queries return it. */
export interface SearchRow extends SearchRowInput {
  /** The package this row belongs to (`namespace:name`). */
  fromPackage: string;
  /** The version of `fromPackage` this row belongs to. */
  fromVersion: Version;
}

/** What {@link MetadataStore.commitVersion} inserts in one transaction. */
export interface PublishInput {
  /** The package. */
  name: PackageName;
  /** The new version. */
  version: Version;
  /** Must match the package's kind when the package exists. */
  kind: PackageKind;
  /** The digest of the stored blob (put it first). */
  digest: Digest;
  /** The size of the stored blob. */
  size: number;
  /** Who publishes (a token's owner). */
  publisher: string;
  /** Replaces the package's description when given. */
  description?: string;
  /** The version document, derived from the bytes. */
  document: JsonObject;
  /** The version's rows in the search index (deduplicated on the way in). */
  searchRows: readonly SearchRowInput[];
  /**
   * The versions of the package the caller's checks saw (the compatibility gate). When given and
   * the package holds other versions at commit time (another process committed meanwhile), the
   * commit fails with `stale` and writes nothing: the caller reads again and re-checks.
   */
  basedOn?: readonly Version[];
  /**
   * The version's OCI manifest when a client pushed one (the registry's /v2), stored in the same
   * transaction; without it the registry generates one from the release.
   */
  oci?: OciManifestInput;
  /**
   * The publisher's signature, checked by the caller against the namespace's keys; its key ID
   * becomes the signer of the version's log entry, and the bundle is stored with the version.
   */
  signature?: ReleaseSignature;
}

/** What {@link MetadataStore.replaceDerived} rewrites for a version. */
export interface DerivedInput {
  /** The new version document. */
  document: JsonObject;
  /** The new search rows; they replace the old ones. */
  searchRows: readonly SearchRowInput[];
}

/** Options of {@link MetadataStore.latestVersion}. */
export interface LatestOptions {
  /** Consider pre-releases too (default false). */
  includePrerelease?: boolean;
}

/** A query of the search index by target. */
export interface TargetQuery {
  /** The relation rows must have. */
  relation: SearchRelation;
  /** The target's namespace. */
  namespace: string;
  /** The target's package. */
  package: string;
  /** The interface or world; omitted: any name in the package (and package-level rows). */
  name?: string;
  /**
   * With a version, only semver-compatible rows match: for providing relations (`exports`,
   * `defines`, `targets-world`) a row at T matches wanted V when T can fill an import of V (same
   * series, T ≥ V); for requiring relations (`imports`, `depends-on`) a row wanting T matches when
   * V can fill it. Rows without a version match only queries without one. Pre-releases match
   * exactly. Without a version, every row matches.
   */
  version?: Version;
  /** Match only this exact version, no semver range (default false). */
  exact?: boolean;
  /**
   * With a version: match every row of its semver series, lower versions too (pre-releases
   * still exactly), for callers that decide by the types whether a row answers (default false).
   */
  series?: boolean;
  /**
   * Only rows of packages whose name sorts after this one: the next page of a query with more
   * rows than `limit` (rows come in package order).
   */
  afterPackage?: string;
  /** Include rows of yanked versions (default false). */
  includeYanked?: boolean;
  /** Keep only the highest matching version of each package (default false). */
  latestPerPackage?: boolean;
  /** Most rows returned: 1 to 1000, 100 by default. */
  limit?: number;
}

/** A query of packages by text. */
export interface TextQuery {
  /** Words that must all appear (case-insensitively) in the name or the description. */
  text: string;
  /** Only packages of this kind. */
  kind?: PackageKind;
  /** Include packages whose every version is yanked (default false). */
  includeYanked?: boolean;
  /** Most packages returned: 1 to 1000, 100 by default. */
  limit?: number;
}

/** A package that depends on another, with its highest version that does. */
export interface DependentRecord {
  /** The dependent package (`namespace:name`). */
  package: string;
  /** Its highest version (not yanked, unless asked) that depends on the package. */
  version: Version;
}

/** Counts for the front page. */
export interface Totals {
  /** How many packages. */
  packages: number;
  /** How many versions, yanked ones included. */
  versions: number;
  /** How many claimed namespaces. */
  namespaces: number;
  /** Sum of the sizes of all versions' bytes. */
  bytes: number;
}

/** A member's role in a namespace. */
export type NamespaceRole = "owner" | "member";

/** A namespace with everyone who may publish to it. */
export interface NamespaceRecord {
  /** The namespace. */
  name: string;
  /** When it was claimed. */
  createdAt: Timestamp;
  /** Everyone in it: owners first, then by user. */
  members: { user: string; role: NamespaceRole; addedAt: Timestamp }[];
}

/**
 * What a token allows: `publish` new versions, `yank` and unyank them, change a namespace's
 * members (`owners`, of a namespace its owner owns), or everything an admin may (`admin`).
 */
export type TokenScope = "publish" | "yank" | "owners" | "admin";

/** Every token scope. */
export const TOKEN_SCOPES: readonly TokenScope[] = ["publish", "yank", "owners", "admin"];

/** What {@link MetadataStore.createToken} stores beside the secret's hash. */
export interface TokenInput {
  /** Who the token acts for. */
  owner: string;
  /** What it may do. */
  scopes: readonly TokenScope[];
  /** The namespaces the token may act on; `null` means any the owner may act on. */
  namespaces: readonly string[] | null;
  /** A note for the owner ("CI of project X"). */
  description?: string;
}

/** A stored token. The secret itself is never stored, only its hash. */
export interface TokenRecord {
  /** A public identifier (`tok_…`), for listing and revoking; not a secret. */
  id: string;
  /** Who the token acts for. */
  owner: string;
  /** What it may do, sorted. */
  scopes: TokenScope[];
  /** The namespaces it may act on, sorted; `null` means any the owner may act on. */
  namespaces: string[] | null;
  /** The owner's note. */
  description: string;
  /** When it was created. */
  createdAt: Timestamp;
  /** When it was last used, or `null`. */
  lastUsedAt: Timestamp | null;
  /** When it was revoked, or `null`. */
  revokedAt: Timestamp | null;
}

/** A position in {@link MetadataStore.listVersions}: the last row seen. */
export interface VersionCursor {
  /** The package of the last row seen. */
  package: string;
  /** The version of the last row seen. */
  version: Version;
}

/**
 * A change to the metadata that caches derived from it must hear about, from any process sharing
 * the store:
 * - `package`: a version was published, yanked, unyanked or rebuilt, or the description changed;
 * - `namespace`: a namespace was claimed or its members changed;
 * - `reset`: changes may have been missed (the notification channel was lost): drop everything.
 */
export type StoreChange =
  | { kind: "package"; name: string }
  | { kind: "namespace"; name: string }
  | { kind: "reset" };

/** A digest marked as about to be referenced (see {@link MetadataStore.holdDigest}). */
export interface DigestHold {
  /**
   * False once the hold may have lapsed (a networked store lost the session that held it): the
   * blob may have been deleted meanwhile, so the holder checks it again.
   */
  readonly intact: boolean;
  /** Ends the hold; idempotent. */
  release(): Promise<void>;
}

/**
 * Packages, versions, yanks, namespaces, tokens and the search index.
 *
 * Methods are async so that a networked backend fits the same interface. Every implementation
 * passes `metadataStoreContract` in storage/_contract.ts.
 */
export interface MetadataStore {
  // --- the commit point
  /**
   * Publishes a version: inserts the version row, its search rows and the package row if new, in
   * one transaction. A version that exists already fails with `conflict` and writes nothing; a
   * package of another kind fails with `kind-mismatch`.
   */
  commitVersion(input: PublishInput): Promise<VersionRecord>;
  /** Rewrites a version's document and search rows (rebuilding derived data) in one transaction. */
  replaceDerived(name: PackageName, version: Version, input: DerivedInput): Promise<void>;
  /** Sets or clears the yanked flag; idempotent. Fails with `not-found`. */
  setYanked(name: PackageName, version: Version, yanked: boolean): Promise<VersionSummary>;
  /** Replaces a package's description. Fails with `not-found`. */
  setDescription(name: PackageName, description: string): Promise<PackageSummary>;

  // --- the transparency log (lib/tlog). commitVersion appends the version's release entry,
  // setYanked a yank or unyank entry when the flag changes, and the key methods their key
  // entries, each in the same transaction as the change itself: the log and the rows never
  // disagree. Entries get consecutive indexes in commit order, in every process.
  /** How many entries the log holds. */
  logSize(): Promise<number>;
  /** The entries [start, end) as bytes (at most 1024 at a time; `out-of-range` past the end). */
  readLogEntries(start: number, end: number): Promise<Uint8Array[]>;
  /** The stored hashes of these nodes, in order (`undefined` for a node not stored yet). */
  readLogNodes(
    nodes: readonly { level: number; index: number }[],
  ): Promise<(Uint8Array | undefined)[]>;
  /** Stores node hashes; a node stored already keeps its hash (they never change). */
  putLogNodes(nodes: readonly LogNode[]): Promise<void>;
  /** The latest signed checkpoint, or `undefined`. */
  latestCheckpoint(): Promise<LogCheckpoint | undefined>;
  /**
   * Stores a checkpoint, with the node hashes its tree adds (as {@link putLogNodes}) in the same
   * transaction, so a checkpoint is never visible before its tiles can be served. A size larger
   * than the latest's becomes the latest (older ones are dropped: only the latest is kept); the
   * latest size again is ignored; a smaller one fails with `conflict` and stores nothing
   * (checkpoints only grow). Everything here can be made again
   * from the entries (Ed25519 signatures are deterministic), so a store may write it without its
   * own disk flush.
   */
  putCheckpoint(checkpoint: LogCheckpoint, nodes?: readonly LogNode[]): Promise<void>;

  // --- publisher keys and the signing policy of namespaces
  /**
   * Registers a publisher key for a claimed namespace (`not-found` otherwise) and logs it. The
   * same key again is returned with `created: false`; a revoked key cannot come back (`conflict`).
   */
  addPublisherKey(
    namespace: string,
    input: { keyId: string; publicKey: Uint8Array; addedBy: string },
  ): Promise<{ key: PublisherKeyRecord; created: boolean }>;
  /** Revokes a key and logs it; idempotent. Fails with `not-found`. */
  revokePublisherKey(namespace: string, keyId: string): Promise<PublisherKeyRecord>;
  /** A namespace's policy and keys (an unclaimed namespace: no keys, not required). */
  namespaceKeys(namespace: string): Promise<NamespaceKeys>;
  /** Sets whether a claimed namespace requires signed releases (`not-found` otherwise). */
  setRequireSignatures(namespace: string, require: boolean): Promise<void>;

  // --- reads
  /** A package with its versions (yanked ones included), or `undefined`. */
  getPackage(name: PackageName): Promise<PackageDetail | undefined>;
  /** A version with its document (yanked or not), or `undefined`. */
  getVersion(name: PackageName, version: Version): Promise<VersionRecord | undefined>;
  /** The highest non-yanked version (semver order), pre-releases only when asked. */
  latestVersion(name: PackageName, options?: LatestOptions): Promise<VersionSummary | undefined>;
  /** The search rows of one version (its imports, exports, dependencies…). */
  searchRowsOf(name: PackageName, version: Version): Promise<SearchRow[]>;
  /** Packages matching words of their name or description, best first. */
  searchText(query: TextQuery): Promise<PackageSummary[]>;
  /** Rows pointing at an interface, world or package; by package, then version high to low. */
  searchTarget(query: TargetQuery): Promise<SearchRow[]>;
  /** Packages that import from or depend on `name` (optionally a compatible `version` of it). */
  dependentsOf(
    name: PackageName,
    options?: { version?: Version; includeYanked?: boolean },
  ): Promise<DependentRecord[]>;
  /** Packages by the time of their last publish, most recent first. */
  recentPackages(limit: number): Promise<PackageSummary[]>;
  /** Counts of packages, versions, namespaces and bytes. */
  totals(): Promise<Totals>;
  /** All versions in (package, version-text) order after `after`, for rebuilds and checks. */
  listVersions(options: { after?: VersionCursor; limit: number }): Promise<VersionSummary[]>;
  /**
   * Whether anything references the digest: a version, an OCI manifest (its config, layers) or
   * a repository link (garbage collection keeps such blobs).
   */
  isDigestReferenced(digest: Digest): Promise<boolean>;

  // --- namespaces
  /**
   * Claims an unclaimed namespace for `owner` atomically; `claimed` says whether this call did.
   * When it was claimed before, the existing record is returned untouched.
   */
  claimNamespace(
    name: string,
    owner: string,
  ): Promise<{ namespace: NamespaceRecord; claimed: boolean }>;
  /** A claimed namespace with its members, or `undefined`. */
  getNamespace(name: string): Promise<NamespaceRecord | undefined>;
  /** Adds a member or changes their role. Fails with `not-found` for an unclaimed namespace. */
  setNamespaceMember(name: string, user: string, role: NamespaceRole): Promise<NamespaceRecord>;
  /** Removes a member; removing the last owner fails with `last-owner`. */
  removeNamespaceMember(name: string, user: string): Promise<NamespaceRecord>;
  /** The namespaces where `user` is an owner or a member. */
  namespacesOf(user: string): Promise<NamespaceRecord[]>;

  // --- tokens
  /** Stores a token for `secret` (only its hash is kept). */
  createToken(secret: string, input: TokenInput): Promise<TokenRecord>;
  /** The token whose secret this is; revoked tokens only with `includeRevoked`. */
  findTokenBySecret(
    secret: string,
    options?: { includeRevoked?: boolean },
  ): Promise<TokenRecord | undefined>;
  /** Records that a token was just used. */
  touchToken(id: string): Promise<void>;
  /** Revokes a token; idempotent. Fails with `not-found`. */
  revokeToken(id: string): Promise<TokenRecord>;
  /** The tokens of an owner (revoked ones included), oldest first. */
  listTokens(owner: string): Promise<TokenRecord[]>;

  // --- secrets of the server
  /**
   * The server's secret called `name` (`[a-z0-9-]`, 1 to 64 characters), for signing what the
   * server hands out and checks later (the OCI token endpoint's short-lived tokens): the stored
   * one, or `candidate` (16 to 1024 random bytes), stored now when there is none. Every process
   * sharing the store gets the same secret: the first to store one wins. Never logged, never
   * served.
   */
  serverSecret(name: string, candidate: Uint8Array): Promise<Uint8Array>;

  // --- coordination of the processes that share the store
  /**
   * Runs `body` while holding the lock named `key`; callers of one key run one at a time, in this
   * process and in every other process using the same store (a mutex in the embedded store, an
   * advisory lock in PostgreSQL). A publish holds `package:<name>` around its compatibility gate
   * and commit. The lock is released when `body` settles.
   */
  withLock<T>(key: string, body: () => Promise<T>): Promise<T>;
  /**
   * Marks a digest as about to be referenced by a commit (a publish in flight): until released,
   * {@link MetadataStore.ifDigestUnheld} never runs for it, in any process. A hold waits while a
   * deletion of that digest is running.
   */
  holdDigest(digest: Digest): Promise<DigestHold>;
  /**
   * Runs `body` (which deletes an unreferenced blob) only when no process holds the digest, and
   * keeps new holds waiting until it settles. `ran` is false when the digest was held.
   */
  ifDigestUnheld<T>(
    digest: Digest,
    body: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }>;
  /**
   * Calls `listener` after every change committed by any process sharing the store (this one's
   * synchronously, before the write's promise resolves; others' within moments). Returns the
   * function that unsubscribes.
   */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Resolves when the database answers; fails with `unavailable` (or `closed`) otherwise. */
  ping(): Promise<void>;

  // --- OCI (the registry's /v2)
  /**
   * Stores an OCI manifest of a package. With `version`, the version's own manifest: stored only
   * when the version has none yet (the first one stays and is returned with `created: false`), and
   * the version must exist (`not-found`). Without, an artifact about `subject`. Storing a digest
   * the package has already is a no-op returning the stored record.
   */
  putOciManifest(
    name: PackageName,
    input: OciManifestInput & { version?: Version },
  ): Promise<{ record: OciManifestRecord; created: boolean }>;
  /** A manifest of a package by digest (a version's or a referrer), or `undefined`. */
  getOciManifest(name: PackageName, digest: Digest): Promise<OciManifestRecord | undefined>;
  /** A version's own manifest, or `undefined` when none is stored yet. */
  getOciManifestOfVersion(
    name: PackageName,
    version: Version,
  ): Promise<OciManifestRecord | undefined>;
  /** The package's artifacts about `subject`, oldest first (at most 1000). */
  listOciReferrers(name: PackageName, subject: Digest): Promise<OciManifestRecord[]>;
  /** Removes a referrer; a version's own manifest is immutable (`conflict`). Whether it existed. */
  deleteOciManifest(name: PackageName, digest: Digest): Promise<boolean>;
  /** Links an uploaded blob to a package's repository until `expiresAt` (a later expiry wins). */
  linkOciBlob(name: PackageName, link: OciBlobLinkInput): Promise<void>;
  /** Removes a link; whether it existed. */
  unlinkOciBlob(name: PackageName, digest: Digest): Promise<boolean>;
  /**
   * Whether the package's repository holds a blob: a version's bytes, a blob one of its manifests
   * references, or a link that has not lapsed at `now`.
   */
  hasOciBlob(name: PackageName, digest: Digest, now: Timestamp): Promise<boolean>;
  /** Links that lapsed at `now` (at most `limit`), for sweeping. */
  expiredOciBlobLinks(
    now: Timestamp,
    limit: number,
  ): Promise<{ package: string; digest: Digest }[]>;
  /**
   * Opens an upload session to a package's repository. Fails with `limit` when the owner has
   * `maxPerOwner` sessions that have not lapsed at `now`, with `conflict` for a used id.
   */
  createOciUpload(
    name: PackageName,
    input: OciUploadInput,
    limits: { maxPerOwner: number; now: Timestamp },
  ): Promise<OciUploadRecord>;
  /** A session, or `undefined` (never opened, finished, cancelled or swept). */
  getOciUpload(id: string): Promise<OciUploadRecord | undefined>;
  /**
   * Appends a part that starts where the session ends (`offset` = its size), atomically: a part
   * at another offset fails with `conflict` (two writers raced, or the client skipped bytes); a
   * missing session with `not-found`.
   */
  appendOciUploadPart(id: string, part: OciUploadPart): Promise<OciUploadRecord>;
  /** Forgets a session (its parts are the blob store's to remove); whether it existed. */
  deleteOciUpload(id: string): Promise<boolean>;
  /** Sessions that lapsed at `now` (at most `limit`), for sweeping. */
  expiredOciUploads(now: Timestamp, limit: number): Promise<OciUploadRecord[]>;

  /** Releases the database; later calls fail with `closed`. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// OCI (the registry's /v2): manifests, blobs linked to repositories, upload sessions

/** An OCI manifest to store: a version's own, or an artifact about one (`subject`). */
export interface OciManifestInput {
  /** The sha256 of `bytes`. */
  digest: Digest;
  /** Its media type, served as its Content-Type. */
  mediaType: string;
  /** The manifest, served byte for byte (at most 4 MiB). */
  bytes: Uint8Array;
  /** The manifest it is about (a referrer: a signature, an SBOM); absent for a version's own. */
  subject?: Digest;
  /** A referrer's artifact type (`artifactType`, else its config's media type). */
  artifactType?: string;
  /** The blobs it references (config, layers), which garbage collection then keeps. */
  blobs: readonly Digest[];
}

/** A stored OCI manifest. */
export interface OciManifestRecord {
  /** `namespace:name`. */
  package: string;
  digest: Digest;
  mediaType: string;
  bytes: Uint8Array;
  /** The version whose manifest it is, or `null` for a referrer. */
  version: Version | null;
  /** The manifest it is about, or `null`. */
  subject: Digest | null;
  /** A referrer's artifact type, or `null`. */
  artifactType: string | null;
  /** The blobs it references. */
  blobs: Digest[];
  /** When it was stored. */
  createdAt: Timestamp;
}

/** A blob uploaded to a repository and not yet referenced by a manifest. */
export interface OciBlobLinkInput {
  digest: Digest;
  size: number;
  /** When the link lapses (and the blob goes, unless something references it). */
  expiresAt: Timestamp;
}

/** One part of an upload session, in order. */
export interface OciUploadPart {
  /** The part's id in the blob store ({@link BlobStore.putUploadPart}). */
  part: string;
  /** Its first byte in the upload. */
  offset: number;
  /** Its length. */
  size: number;
}

/** What {@link MetadataStore.createOciUpload} stores. */
export interface OciUploadInput {
  /** A random id (`[a-z0-9-]`, 1 to 64 characters), the session's name in URLs. */
  id: string;
  /** Who opened it (a token id); sessions are counted per owner. */
  owner: string;
  /** When it lapses (and its parts are removed). */
  expiresAt: Timestamp;
}

/** An upload session: what has been received so far, as parts. */
export interface OciUploadRecord {
  id: string;
  /** The package whose repository it uploads to (`namespace:name`). */
  package: string;
  owner: string;
  /** Bytes received (the sum of the parts' sizes). */
  size: number;
  parts: OciUploadPart[];
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

/** A blob store and a metadata store that live together (one data directory). */
export interface Storage {
  /** The bytes. */
  blobs: BlobStore;
  /** Everything else. */
  metadata: MetadataStore;
  /** Closes both stores. */
  close(): Promise<void>;
}
