import {
  type Digest,
  formatPackageName,
  type PackageName,
  type Version,
  versionKey,
} from "../lib/names/mod.ts";
import { settle, StorageError } from "./_errors.ts";
import { LocalCoordinator } from "./_coordination.ts";
import { MemoryOciTables } from "./_memory_oci.ts";
import {
  checkCheckpoint,
  checkKeyCount,
  checkKeyId,
  checkKeyInput,
  checkLogRange,
  checkNodes,
  checkpointShrinks,
  checkSignature,
  checkSigningPolicy,
  keyAddEntry,
  keyNotFound,
  keyRevoked,
  keyRevokeEntry,
  releaseEntry,
  yankEntry,
} from "./_log_rules.ts";
import {
  checkBasedOn,
  conflict,
  kindMismatch,
  lastOwner,
  memberNotFound,
  namespaceNotFound,
  packageNotFound,
  tokenNotFound,
  versionNotFound,
} from "./_metadata_errors.ts";
import {
  byPackageThenVersion,
  byTextRank,
  checkDescription,
  checkDocument,
  checkNamespace,
  checkPublish,
  checkRole,
  checkServerSecret,
  checkToken,
  checkUser,
  clampLimit,
  firstPerPackage,
  hashTokenSecret,
  matchesTerms,
  matchOf,
  newTokenId,
  normalizeSearchRows,
  pickLatest,
  searchableText,
  sortMembers,
  sortVersions,
  textTerms,
  versionMatches,
} from "./_rules.ts";
import {
  type DependentRecord,
  type DerivedInput,
  type DigestHold,
  type JsonObject,
  type LatestOptions,
  type LogCheckpoint,
  type LogNode,
  type MetadataStore,
  type NamespaceKeys,
  type NamespaceRecord,
  type NamespaceRole,
  type OciBlobLinkInput,
  type OciManifestInput,
  type OciManifestRecord,
  type OciUploadInput,
  type OciUploadPart,
  type OciUploadRecord,
  type PackageDetail,
  type PackageKind,
  type PackageSummary,
  type PublisherKeyRecord,
  type PublishInput,
  type ReleaseSignature,
  REQUIRING_RELATIONS,
  type SearchRow,
  type SearchRowInput,
  type StoreChange,
  type TargetQuery,
  type TextQuery,
  type TokenInput,
  type TokenRecord,
  type Totals,
  type VersionCursor,
  type VersionRecord,
  type VersionSummary,
} from "./_types.ts";

interface PackageRow {
  name: string;
  namespace: string;
  kind: PackageKind;
  description: string;
  createdAt: string;
  updatedAt: string;
}

interface VersionRow {
  summary: VersionSummary;
  /** Serialized, as a database would keep it: reads never share objects with writers. */
  document: string;
  rows: SearchRowInput[];
  logIndex: number;
  signature: ReleaseSignature | null;
}

interface NamespaceRow {
  name: string;
  createdAt: string;
  members: Map<string, { role: NamespaceRole; addedAt: string }>;
  requireSignatures: boolean;
  keys: Map<string, PublisherKeyRecord>;
}

/**
 * Metadata in maps, for tests of the server: the same behaviour as the SQLite store, nothing
 * durable. Every method runs without awaiting inside, so each is atomic like a transaction.
 */
export class MemoryMetadataStore implements MetadataStore {
  readonly #packages = new Map<string, PackageRow>();
  readonly #versions = new Map<string, Map<Version, VersionRow>>();
  readonly #namespaces = new Map<string, NamespaceRow>();
  readonly #tokens = new Map<string, TokenRecord & { hash: string }>();
  readonly #tokenByHash = new Map<string, string>();
  readonly #secrets = new Map<string, Uint8Array>();
  readonly #now: () => Date;
  readonly #coord = new LocalCoordinator();
  readonly #oci = new MemoryOciTables(() => this.#stamp());
  readonly #log: string[] = [];
  readonly #nodes = new Map<string, Uint8Array>();
  #checkpoint: LogCheckpoint | undefined;
  #closed = false;

  /** An empty store; `now` is its clock (tests pass a fake one). */
  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  commitVersion(input: PublishInput): Promise<VersionRecord> {
    return this.#changed(
      { kind: "package", name: formatPackageName(input.name) },
      this.#run(() => {
        checkPublish(input);
        const rows = normalizeSearchRows(input.searchRows);
        const name = formatPackageName(input.name);
        const pkg = this.#packages.get(name);
        if (pkg && pkg.kind !== input.kind) throw kindMismatch(name, pkg.kind, input.kind);
        const key = versionKey(input.version);
        for (const v of this.#versions.get(name)?.keys() ?? []) {
          if (versionKey(v) === key) throw conflict(name, input.version, v);
        }
        checkBasedOn(
          name,
          input.version,
          [...(this.#versions.get(name)?.keys() ?? [])],
          input.basedOn,
        );
        const document = JSON.stringify(input.document); // may throw: before anything changes
        if (input.oci !== undefined) this.#oci.check(input.oci);
        checkSignature(input.signature);
        const ns = this.#namespaces.get(input.name.namespace);
        const signer = input.signature?.keyId;
        const signingKey = signer === undefined ? undefined : ns?.keys.get(signer);
        checkSigningPolicy(
          name,
          input.version,
          signer,
          ns?.requireSignatures ?? false,
          signingKey && { revoked: signingKey.revokedAt !== null },
        );
        const entry = releaseEntry(
          input.name,
          input.version,
          input.digest,
          input.signature?.keyId ?? null,
        );
        const now = this.#stamp();
        if (pkg) {
          pkg.updatedAt = now;
          if (input.description !== undefined) pkg.description = input.description;
        } else {
          this.#packages.set(name, {
            name,
            namespace: input.name.namespace,
            kind: input.kind,
            description: input.description ?? "",
            createdAt: now,
            updatedAt: now,
          });
          this.#versions.set(name, new Map());
        }
        const summary: VersionSummary = {
          package: name,
          version: input.version,
          kind: input.kind,
          digest: input.digest,
          size: input.size,
          publishedAt: now,
          publisher: input.publisher,
          yanked: false,
          yankedAt: null,
        };
        const signature = input.signature === undefined
          ? null
          : { keyId: input.signature.keyId, bundle: input.signature.bundle.slice() };
        const logIndex = this.#log.push(entry) - 1;
        this.#versions.get(name)!.set(input.version, {
          summary,
          document,
          rows,
          logIndex,
          signature,
        });
        if (input.oci !== undefined) this.#oci.put(name, { ...input.oci, version: input.version });
        return this.#record({ summary, document, rows, logIndex, signature });
      }),
    );
  }

  replaceDerived(name: PackageName, version: Version, input: DerivedInput): Promise<void> {
    return this.#changed(
      { kind: "package", name: formatPackageName(name) },
      this.#run(() => {
        checkDocument(input.document);
        const rows = normalizeSearchRows(input.searchRows);
        const row = this.#version(name, version);
        row.document = JSON.stringify(input.document);
        row.rows = rows;
      }),
    );
  }

  setYanked(name: PackageName, version: Version, yanked: boolean): Promise<VersionSummary> {
    return this.#changed(
      { kind: "package", name: formatPackageName(name) },
      this.#run(() => {
        const s = this.#version(name, version).summary;
        if (yanked !== s.yanked) this.#log.push(yankEntry(s.package, version, s.digest, yanked));
        if (yanked && !s.yanked) s.yankedAt = this.#stamp();
        if (!yanked) s.yankedAt = null;
        s.yanked = yanked;
        return { ...s };
      }),
    );
  }

  setDescription(name: PackageName, description: string): Promise<PackageSummary> {
    return this.#changed(
      { kind: "package", name: formatPackageName(name) },
      this.#run(() => {
        checkDescription(description);
        const pkg = this.#packages.get(formatPackageName(name));
        if (!pkg) throw packageNotFound(formatPackageName(name));
        pkg.description = description;
        return this.#summary(pkg);
      }),
    );
  }

  getPackage(name: PackageName): Promise<PackageDetail | undefined> {
    return this.#run(() => {
      const pkg = this.#packages.get(formatPackageName(name));
      if (!pkg) return undefined;
      return { package: this.#summary(pkg), versions: this.#summaries(pkg.name) };
    });
  }

  getVersion(name: PackageName, version: Version): Promise<VersionRecord | undefined> {
    return this.#run(() => {
      const row = this.#versions.get(formatPackageName(name))?.get(version);
      return row && this.#record(row);
    });
  }

  latestVersion(
    name: PackageName,
    options: LatestOptions = {},
  ): Promise<VersionSummary | undefined> {
    return this.#run(() =>
      pickLatest(this.#summaries(formatPackageName(name)), options.includePrerelease)
    );
  }

  searchRowsOf(name: PackageName, version: Version): Promise<SearchRow[]> {
    return this.#run(() => {
      const pkg = formatPackageName(name);
      const row = this.#versions.get(pkg)?.get(version);
      return (row?.rows ?? []).map((r) => ({ ...r, fromPackage: pkg, fromVersion: version }));
    });
  }

  searchText(query: TextQuery): Promise<PackageSummary[]> {
    return this.#run(() => {
      const limit = clampLimit(query.limit);
      const terms = textTerms(query.text);
      const hits = [...this.#packages.values()].filter((p) =>
        (query.kind === undefined || p.kind === query.kind) &&
        matchesTerms(searchableText(p.name, p.description), terms) &&
        (query.includeYanked || this.#summaries(p.name).some((v) => !v.yanked))
      );
      return hits.sort(byTextRank(terms)).slice(0, limit).map((p) => this.#summary(p));
    });
  }

  searchTarget(query: TargetQuery): Promise<SearchRow[]> {
    return this.#run(() => {
      const limit = clampLimit(query.limit);
      const out: SearchRow[] = [];
      for (const [pkg, versions] of this.#versions) {
        if (query.afterPackage !== undefined && !(pkg > query.afterPackage)) continue;
        for (const row of versions.values()) {
          if (row.summary.yanked && !query.includeYanked) continue;
          for (const r of row.rows) {
            if (
              r.relation === query.relation && r.namespace === query.namespace &&
              r.package === query.package && (query.name === undefined || r.name === query.name) &&
              versionMatches(r.relation, r.version, query.version, matchOf(query))
            ) {
              out.push({ ...r, fromPackage: pkg, fromVersion: row.summary.version });
            }
          }
        }
      }
      out.sort(byPackageThenVersion);
      return (query.latestPerPackage ? firstPerPackage(out) : out).slice(0, limit);
    });
  }

  dependentsOf(
    name: PackageName,
    options: { version?: Version; includeYanked?: boolean } = {},
  ): Promise<DependentRecord[]> {
    return this.#run(() => {
      const target = formatPackageName(name);
      const rows: SearchRow[] = [];
      for (const [pkg, versions] of this.#versions) {
        if (pkg === target) continue;
        for (const row of versions.values()) {
          if (row.summary.yanked && !options.includeYanked) continue;
          for (const r of row.rows) {
            if (
              REQUIRING_RELATIONS.includes(r.relation) && r.namespace === name.namespace &&
              r.package === name.name && versionMatches(r.relation, r.version, options.version)
            ) rows.push({ ...r, fromPackage: pkg, fromVersion: row.summary.version });
          }
        }
      }
      return firstPerPackage(rows.sort(byPackageThenVersion))
        .map((r) => ({ package: r.fromPackage, version: r.fromVersion }));
    });
  }

  recentPackages(limit: number): Promise<PackageSummary[]> {
    return this.#run(() => {
      const n = clampLimit(limit);
      return [...this.#packages.values()]
        .sort((a, b) =>
          a.updatedAt !== b.updatedAt
            ? (a.updatedAt < b.updatedAt ? 1 : -1)
            : (a.name < b.name ? -1 : 1)
        )
        .slice(0, n)
        .map((p) => this.#summary(p));
    });
  }

  totals(): Promise<Totals> {
    return this.#run(() => {
      let versions = 0;
      let bytes = 0;
      for (const vs of this.#versions.values()) {
        for (const v of vs.values()) {
          versions++;
          bytes += v.summary.size;
        }
      }
      return { packages: this.#packages.size, versions, namespaces: this.#namespaces.size, bytes };
    });
  }

  listVersions(options: { after?: VersionCursor; limit: number }): Promise<VersionSummary[]> {
    return this.#run(() => {
      const limit = clampLimit(options.limit);
      const all: VersionSummary[] = [];
      for (const vs of this.#versions.values()) {
        for (const v of vs.values()) all.push({ ...v.summary });
      }
      const key = (v: { package: string; version: string }) => [v.package, v.version] as const;
      const cmp = (a: readonly [string, string], b: readonly [string, string]) =>
        a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1;
      all.sort((a, b) => cmp(key(a), key(b)));
      const after = options.after;
      return (after ? all.filter((v) => cmp(key(v), key(after)) > 0) : all).slice(0, limit);
    });
  }

  isDigestReferenced(digest: Digest): Promise<boolean> {
    return this.#run(() => {
      for (const vs of this.#versions.values()) {
        for (const v of vs.values()) if (v.summary.digest === digest) return true;
      }
      return this.#oci.references(digest);
    });
  }

  // --- OCI (rows in storage/_memory_oci.ts)

  putOciManifest(
    name: PackageName,
    input: OciManifestInput & { version?: Version },
  ): Promise<{ record: OciManifestRecord; created: boolean }> {
    return this.#run(() => {
      if (input.version !== undefined) this.#version(name, input.version);
      return this.#oci.put(formatPackageName(name), input);
    });
  }

  getOciManifest(name: PackageName, digest: Digest): Promise<OciManifestRecord | undefined> {
    return this.#run(() => this.#oci.get(formatPackageName(name), digest));
  }

  getOciManifestOfVersion(
    name: PackageName,
    version: Version,
  ): Promise<OciManifestRecord | undefined> {
    return this.#run(() => this.#oci.ofVersion(formatPackageName(name), version));
  }

  listOciReferrers(name: PackageName, subject: Digest): Promise<OciManifestRecord[]> {
    return this.#run(() => this.#oci.referrers(formatPackageName(name), subject));
  }

  deleteOciManifest(name: PackageName, digest: Digest): Promise<boolean> {
    return this.#run(() => this.#oci.delete(formatPackageName(name), digest));
  }

  linkOciBlob(name: PackageName, link: OciBlobLinkInput): Promise<void> {
    return this.#run(() => this.#oci.link(formatPackageName(name), link));
  }

  unlinkOciBlob(name: PackageName, digest: Digest): Promise<boolean> {
    return this.#run(() => this.#oci.unlink(formatPackageName(name), digest));
  }

  hasOciBlob(name: PackageName, digest: Digest, now: string): Promise<boolean> {
    return this.#run(() => {
      const pkg = formatPackageName(name);
      for (const v of this.#versions.get(pkg)?.values() ?? []) {
        if (v.summary.digest === digest) return true;
      }
      return this.#oci.has(pkg, digest, now);
    });
  }

  expiredOciBlobLinks(now: string, limit: number): Promise<{ package: string; digest: Digest }[]> {
    return this.#run(() => this.#oci.expiredLinks(now, clampLimit(limit)));
  }

  createOciUpload(
    name: PackageName,
    input: OciUploadInput,
    limits: { maxPerOwner: number; now: string },
  ): Promise<OciUploadRecord> {
    return this.#run(() => this.#oci.createUpload(formatPackageName(name), input, limits));
  }

  getOciUpload(id: string): Promise<OciUploadRecord | undefined> {
    return this.#run(() => this.#oci.getUpload(id));
  }

  appendOciUploadPart(id: string, part: OciUploadPart): Promise<OciUploadRecord> {
    return this.#run(() => this.#oci.append(id, part));
  }

  deleteOciUpload(id: string): Promise<boolean> {
    return this.#run(() => this.#oci.deleteUpload(id));
  }

  expiredOciUploads(now: string, limit: number): Promise<OciUploadRecord[]> {
    return this.#run(() => this.#oci.expiredUploads(now, clampLimit(limit)));
  }

  serverSecret(name: string, candidate: Uint8Array): Promise<Uint8Array> {
    return this.#run(() => {
      checkServerSecret(name, candidate);
      if (!this.#secrets.has(name)) this.#secrets.set(name, candidate.slice());
      return this.#secrets.get(name)!.slice();
    });
  }

  claimNamespace(
    name: string,
    owner: string,
  ): Promise<{ namespace: NamespaceRecord; claimed: boolean }> {
    return this.#changed(
      { kind: "namespace", name: name },
      this.#run(() => {
        checkNamespace(name);
        checkUser(owner, "owner");
        const existing = this.#namespaces.get(name);
        if (existing) return { namespace: namespaceRecord(existing), claimed: false };
        const now = this.#stamp();
        const row: NamespaceRow = {
          name,
          createdAt: now,
          members: new Map([[owner, { role: "owner", addedAt: now }]]),
          requireSignatures: false,
          keys: new Map(),
        };
        this.#namespaces.set(name, row);
        return { namespace: namespaceRecord(row), claimed: true };
      }),
    );
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    return this.#run(() => {
      const row = this.#namespaces.get(name);
      return row && namespaceRecord(row);
    });
  }

  setNamespaceMember(name: string, user: string, role: NamespaceRole): Promise<NamespaceRecord> {
    return this.#changed(
      { kind: "namespace", name: name },
      this.#run(() => {
        checkUser(user);
        checkRole(role);
        const row = this.#namespace(name);
        const current = row.members.get(user);
        if (current?.role === "owner" && role !== "owner" && ownerCount(row) === 1) {
          throw lastOwner(name, user);
        }
        if (current) current.role = role;
        else row.members.set(user, { role, addedAt: this.#stamp() });
        return namespaceRecord(row);
      }),
    );
  }

  removeNamespaceMember(name: string, user: string): Promise<NamespaceRecord> {
    return this.#changed(
      { kind: "namespace", name: name },
      this.#run(() => {
        const row = this.#namespace(name);
        const current = row.members.get(user);
        if (!current) throw memberNotFound(name, user);
        if (current.role === "owner" && ownerCount(row) === 1) throw lastOwner(name, user);
        row.members.delete(user);
        return namespaceRecord(row);
      }),
    );
  }

  namespacesOf(user: string): Promise<NamespaceRecord[]> {
    return this.#run(() =>
      [...this.#namespaces.values()]
        .filter((n) => n.members.has(user))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map(namespaceRecord)
    );
  }

  createToken(secret: string, input: TokenInput): Promise<TokenRecord> {
    return this.#run(() => {
      const hash = hashTokenSecret(secret);
      const { scopes, namespaces } = checkToken(input);
      if (this.#tokenByHash.has(hash)) {
        throw new StorageError("conflict", "Cannot create token: that secret is already in use");
      }
      const record: TokenRecord = {
        id: newTokenId(),
        owner: input.owner,
        scopes,
        namespaces,
        description: input.description ?? "",
        createdAt: this.#stamp(),
        lastUsedAt: null,
        revokedAt: null,
      };
      this.#tokens.set(record.id, { ...record, hash });
      this.#tokenByHash.set(hash, record.id);
      return cloneToken(record);
    });
  }

  findTokenBySecret(
    secret: string,
    options: { includeRevoked?: boolean } = {},
  ): Promise<TokenRecord | undefined> {
    return this.#run(() => {
      const id = this.#tokenByHash.get(hashTokenSecret(secret));
      const t = id === undefined ? undefined : this.#tokens.get(id);
      if (!t || (t.revokedAt !== null && !options.includeRevoked)) return undefined;
      return cloneToken(t);
    });
  }

  touchToken(id: string): Promise<void> {
    return this.#run(() => {
      this.#token(id).lastUsedAt = this.#stamp();
    });
  }

  revokeToken(id: string): Promise<TokenRecord> {
    return this.#run(() => {
      const t = this.#token(id);
      t.revokedAt ??= this.#stamp();
      return cloneToken(t);
    });
  }

  listTokens(owner: string): Promise<TokenRecord[]> {
    return this.#run(() =>
      [...this.#tokens.values()]
        .filter((t) => t.owner === owner)
        .sort((a, b) =>
          a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1
        )
        .map(cloneToken)
    );
  }

  withLock<T>(key: string, body: () => Promise<T>): Promise<T> {
    return this.#run(() => this.#coord.withLock(key, body)).then((p) => p);
  }

  holdDigest(digest: Digest): Promise<DigestHold> {
    return this.#run(() => this.#coord.holdDigest(digest)).then((p) => p);
  }

  ifDigestUnheld<T>(
    digest: Digest,
    body: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.#run(() => this.#coord.ifDigestUnheld(digest, body)).then((p) => p);
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    return this.#coord.onChange(listener);
  }

  ping(): Promise<void> {
    return this.#run(() => {});
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Tells the listeners about a write once it succeeded (a claim only when it claimed). */
  #changed<T>(change: StoreChange, write: Promise<T>): Promise<T> {
    return write.then((result) => {
      const claim = result as { claimed?: boolean };
      if (claim?.claimed !== false) this.#coord.emit(change);
      return result;
    });
  }

  #run<T>(body: () => T): Promise<T> {
    return settle(() => {
      if (this.#closed) {
        throw new StorageError("closed", "Cannot use the memory metadata store: it was closed");
      }
      return body();
    });
  }

  #stamp(): string {
    return this.#now().toISOString();
  }

  #record(row: VersionRow): VersionRecord {
    return {
      ...row.summary,
      document: JSON.parse(row.document) as JsonObject,
      log: { index: row.logIndex, entry: this.#log[row.logIndex] },
      signature: row.signature && {
        keyId: row.signature.keyId,
        bundle: row.signature.bundle.slice(),
      },
    };
  }

  // --- the transparency log

  logSize(): Promise<number> {
    return this.#run(() => this.#log.length);
  }

  readLogEntries(start: number, end: number): Promise<Uint8Array[]> {
    return this.#run(() => {
      checkLogRange(start, end, this.#log.length);
      return this.#log.slice(start, end).map((e) => new TextEncoder().encode(e));
    });
  }

  readLogNodes(
    nodes: readonly { level: number; index: number }[],
  ): Promise<(Uint8Array | undefined)[]> {
    return this.#run(() => nodes.map((n) => this.#nodes.get(`${n.level}/${n.index}`)?.slice()));
  }

  putLogNodes(nodes: readonly LogNode[]): Promise<void> {
    return this.#run(() => {
      checkNodes(nodes);
      this.#putNodes(nodes);
    });
  }

  /** Stores the hashes of nodes not stored yet (a node's hash never changes). */
  #putNodes(nodes: readonly LogNode[]): void {
    for (const n of nodes) {
      const key = `${n.level}/${n.index}`;
      if (!this.#nodes.has(key)) this.#nodes.set(key, n.hash.slice());
    }
  }

  latestCheckpoint(): Promise<LogCheckpoint | undefined> {
    return this.#run(() => this.#checkpoint && { ...this.#checkpoint });
  }

  putCheckpoint(checkpoint: LogCheckpoint, nodes: readonly LogNode[] = []): Promise<void> {
    return this.#run(() => {
      checkCheckpoint(checkpoint);
      checkNodes(nodes);
      const latest = this.#checkpoint?.size ?? -1;
      if (checkpoint.size < latest) throw checkpointShrinks(checkpoint.size, latest);
      this.#putNodes(nodes);
      if (checkpoint.size > latest) this.#checkpoint = { ...checkpoint };
    });
  }

  // --- publisher keys

  addPublisherKey(
    namespace: string,
    input: { keyId: string; publicKey: Uint8Array; addedBy: string },
  ): Promise<{ key: PublisherKeyRecord; created: boolean }> {
    return this.#changed(
      { kind: "namespace", name: namespace },
      this.#run(() => {
        checkKeyInput(input);
        checkUser(input.addedBy, "user");
        const ns = this.#namespace(namespace);
        const existing = ns.keys.get(input.keyId);
        if (existing?.revokedAt) throw keyRevoked(namespace, input.keyId);
        if (existing) return { key: cloneKey(existing), created: false };
        checkKeyCount(namespace, [...ns.keys.values()].filter((k) => !k.revokedAt).length);
        const entry = keyAddEntry(namespace, input.keyId, input.publicKey);
        const key: PublisherKeyRecord = {
          namespace,
          keyId: input.keyId,
          publicKey: input.publicKey.slice(),
          addedBy: input.addedBy,
          addedAt: this.#stamp(),
          revokedAt: null,
          logIndex: this.#log.push(entry) - 1,
          revokeLogIndex: null,
        };
        ns.keys.set(input.keyId, key);
        return { key: cloneKey(key), created: true };
      }),
    );
  }

  revokePublisherKey(namespace: string, keyId: string): Promise<PublisherKeyRecord> {
    return this.#changed(
      { kind: "namespace", name: namespace },
      this.#run(() => {
        checkKeyId(keyId);
        const key = this.#namespaces.get(namespace)?.keys.get(keyId);
        if (!key) throw keyNotFound(namespace, keyId);
        if (key.revokedAt === null) {
          key.revokedAt = this.#stamp();
          key.revokeLogIndex = this.#log.push(keyRevokeEntry(namespace, keyId)) - 1;
        }
        return cloneKey(key);
      }),
    );
  }

  namespaceKeys(namespace: string): Promise<NamespaceKeys> {
    return this.#run(() => {
      const ns = this.#namespaces.get(namespace);
      return {
        requireSignatures: ns?.requireSignatures ?? false,
        keys: [...ns?.keys.values() ?? []].map(cloneKey),
      };
    });
  }

  setRequireSignatures(namespace: string, require: boolean): Promise<void> {
    return this.#changed(
      { kind: "namespace", name: namespace },
      this.#run(() => {
        this.#namespace(namespace).requireSignatures = require;
      }),
    );
  }

  #summaries(pkg: string): VersionSummary[] {
    return sortVersions(
      [...(this.#versions.get(pkg)?.values() ?? [])].map((v) => ({ ...v.summary })),
    );
  }

  #summary(p: PackageRow): PackageSummary {
    const versions = this.#summaries(p.name);
    return {
      name: p.name,
      namespace: p.namespace,
      kind: p.kind,
      description: p.description,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      latestVersion: pickLatest(versions)?.version ?? null,
      versionCount: versions.length,
    };
  }

  #version(name: PackageName, version: Version): VersionRow {
    const pkg = formatPackageName(name);
    const row = this.#versions.get(pkg)?.get(version);
    if (!row) throw versionNotFound(pkg, version);
    return row;
  }

  #namespace(name: string): NamespaceRow {
    const row = this.#namespaces.get(name);
    if (!row) throw namespaceNotFound(name);
    return row;
  }

  #token(id: string): TokenRecord {
    const t = this.#tokens.get(id);
    if (!t) throw tokenNotFound(id);
    return t;
  }
}

function namespaceRecord(row: NamespaceRow): NamespaceRecord {
  return {
    name: row.name,
    createdAt: row.createdAt,
    members: sortMembers(
      [...row.members].map(([user, m]) => ({ user, role: m.role, addedAt: m.addedAt })),
    ),
  };
}

function cloneKey(k: PublisherKeyRecord): PublisherKeyRecord {
  return { ...k, publicKey: k.publicKey.slice() };
}

function ownerCount(row: NamespaceRow): number {
  return [...row.members.values()].filter((m) => m.role === "owner").length;
}

function cloneToken(t: TokenRecord): TokenRecord {
  return {
    id: t.id,
    owner: t.owner,
    scopes: [...t.scopes],
    namespaces: t.namespaces === null ? null : [...t.namespaces],
    description: t.description,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
  };
}
