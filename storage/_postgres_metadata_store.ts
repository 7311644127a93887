/**
 * Metadata in PostgreSQL (through `npm:postgres`), for several registry processes serving one
 * registry. The same tables and answers as the embedded SQLite store (both apply the rules of
 * storage/_rules.ts to what their queries narrow down); what one process alone gave with a mutex
 * and a local signal, PostgreSQL gives across processes:
 *
 * - `withLock`: a transaction-scoped advisory lock (`pg_advisory_xact_lock`) on a connection of a
 *   pool of its own, so lock holders never starve the queries they run; an in-process queue in
 *   front, so one process waits on one connection per key. A process that dies releases its
 *   locks with its connection.
 * - digest holds: shared session-level advisory locks on one dedicated connection; a deletion
 *   takes the exclusive lock with `pg_try_advisory_xact_lock` (so it never waits). A hold taken
 *   before that connection was lost is reported not `intact`.
 * - changes: every write sends `pg_notify` inside its transaction (delivered only if it commits);
 *   each store listens on a dedicated connection and tells its listeners, ignoring its own
 *   notifications (those are told synchronously). When the listening connection comes back after
 *   a loss, listeners are told `reset`: notifications may have been missed meanwhile.
 * - `basedOn`: the commit locks the package row (`FOR UPDATE`) and compares the package's versions
 *   with what the caller checked, so a gate that ran while another process committed is refused
 *   as `stale` even if a lock was lost with a connection.
 *
 * Connection failures, a server shutting down or starting up, and pool or lock timeouts become
 * `unavailable` errors (503 with Retry-After at the API); the pools reconnect by themselves on the
 * next query, so the registry recovers without a restart. No message carries the connection URL.
 */
import { Buffer } from "node:buffer";
import postgres from "postgres";
import {
  type Digest,
  formatPackageName,
  type PackageName,
  type Version,
  versionKey,
} from "../lib/names/mod.ts";
import { LocalCoordinator } from "./_coordination.ts";
import { StorageError } from "./_errors.ts";
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
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from "./_postgres_schema.ts";
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
  publisherKeyRecord,
  releaseEntry,
  yankEntry,
} from "./_log_rules.ts";
import {
  appendPgOciUploadPart,
  checkPgOciManifest,
  createPgOciUpload,
  deletePgOciManifest,
  expiredPgOciLinks,
  expiredPgOciUploads,
  getPgOciUpload,
  hasPgOciBlob,
  linkPgOciBlob,
  pgOciManifestOfVersion,
  pgOciRecord,
  pgOciReferences,
  pgOciReferrers,
  putPgOciManifest,
} from "./_postgres_oci.ts";
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
  matchOf,
  newTokenId,
  normalizeSearchRows,
  pickLatest,
  searchableText,
  seriesKey,
  sortMembers,
  sortVersions,
  textTerms,
  versionMatches,
} from "./_rules.ts";
import type {
  DependentRecord,
  DerivedInput,
  DigestHold,
  JsonObject,
  LatestOptions,
  LogCheckpoint,
  LogNode,
  MetadataStore,
  NamespaceKeys,
  NamespaceRecord,
  NamespaceRole,
  OciBlobLinkInput,
  OciManifestInput,
  OciManifestRecord,
  OciUploadInput,
  OciUploadPart,
  OciUploadRecord,
  PackageDetail,
  PackageKind,
  PackageSummary,
  PublisherKeyRecord,
  PublishInput,
  SearchRelation,
  SearchRow,
  SearchRowInput,
  StoreChange,
  TargetQuery,
  TextQuery,
  TokenInput,
  TokenRecord,
  TokenScope,
  Totals,
  VersionCursor,
  VersionRecord,
  VersionSummary,
} from "./_types.ts";

/** Options of {@link PostgresMetadataStore.open}. */
export interface PostgresMetadataStoreOptions {
  /**
   * `postgres://user[:password]@host[:port]/database[?schema=NAME]`. The password may come from
   * `PGPASSWORD` instead. `schema` (default `public`) lets several registries share a database.
   */
  url: string;
  /** The schema, overriding the URL's `schema` parameter. */
  schema?: string;
  /** The clock that stamps rows (tests pass a fake one). */
  now?: () => Date;
  /** Connections for queries (default 10). */
  max?: number;
  /** Connections for package locks held at once (default 8). */
  lockMax?: number;
  /** How long to wait for a connection to the server, in seconds (default 5). */
  connectTimeoutSeconds?: number;
  /** How long a lock or hold waits before failing with `unavailable`, in ms (default 30 s). */
  lockTimeoutMs?: number;
}

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;
type Row = postgres.Row;

const SUMMARY_COLUMNS = "package, version, kind, digest, size, published_at, publisher, yanked_at";
const ROW_COLUMNS = "package, version, relation, t_namespace, t_package, t_name, t_version";

/** SQLSTATE classes and client codes that mean "the server is not there right now". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "QUEUE_TIMEOUT",
  "CANCEL_UNANSWERED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up)
  "53300", // too_many_connections
  "55P03", // lock_not_available (lock_timeout)
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

function codeOf(e: unknown): string {
  return String((e as { code?: unknown })?.code ?? "");
}

/** Whether a failure means the database is away (or busy) rather than a fault. */
export function isUnavailable(e: unknown): boolean {
  const code = codeOf(e);
  return UNAVAILABLE_CODES.has(code) || code.startsWith("08");
}

/** Maps what the driver threw to a {@link StorageError} (never with the connection URL in it). */
function pgError(what: string, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const why = e instanceof Error ? e.message : String(e);
  if (isUnavailable(e)) {
    return new StorageError(
      "unavailable",
      `Cannot ${what}: the database does not answer (${codeOf(e)}: ${why})`,
      {},
      { cause: e },
    );
  }
  return new StorageError("io", `Cannot ${what}: ${why}`, {}, { cause: e });
}

/** Splits our `schema` parameter off a PostgreSQL URL (the driver would send it to the server). */
export function parsePostgresUrl(url: string): { url: string; schema: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StorageError(
      "invalid-input",
      "Invalid database URL: expected postgres://user@host:port/database",
    );
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new StorageError(
      "invalid-input",
      `Invalid database URL: expected the postgres: scheme, not ${JSON.stringify(u.protocol)}`,
    );
  }
  const schema = u.searchParams.get("schema") ?? "public";
  u.searchParams.delete("schema");
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StorageError(
      "invalid-input",
      `Invalid database schema ${
        JSON.stringify(schema)
      }: expected lowercase letters, digits and "_"`,
    );
  }
  return { url: u.href, schema };
}

/** The URL without its password, for messages. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.href;
  } catch {
    return "(an unparsable URL)";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** See the module documentation. */
export class PostgresMetadataStore implements MetadataStore {
  readonly #sql: Sql;
  readonly #lockSql: Sql;
  readonly #holdSql: Sql;
  readonly #schema: string;
  readonly #channel: string;
  readonly #origin = crypto.randomUUID();
  readonly #now: () => Date;
  readonly #lockTimeoutMs: number;
  readonly #coord = new LocalCoordinator();
  #holdEpoch = 0;
  #listening: { unlisten(): Promise<void> } | undefined;
  #closed = false;
  /** How many migrations this store applied when it opened (0 when another process had). */
  appliedMigrations = 0;

  private constructor(
    sql: Sql,
    lockSql: Sql,
    holdSql: Sql,
    schema: string,
    options: PostgresMetadataStoreOptions,
  ) {
    this.#sql = sql;
    this.#lockSql = lockSql;
    this.#holdSql = holdSql;
    this.#schema = schema;
    this.#channel = `wreg_changes:${schema}`;
    this.#now = options.now ?? (() => new Date());
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  }

  /**
   * Connects, applies pending migrations under a lock (one process migrates, the others wait and
   * find nothing to do), and starts listening for other processes' changes. A database written by
   * a newer schema fails with `schema-too-new`; a server that does not answer, `unavailable`.
   */
  static async open(options: PostgresMetadataStoreOptions): Promise<PostgresMetadataStore> {
    const parsed = parsePostgresUrl(options.url);
    const schema = options.schema ?? parsed.schema;
    const common = {
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      backoff: (n: number) => Math.min(0.05 * 2 ** n, 1),
      onnotice: () => {},
      connection: { search_path: schema, application_name: "wreg" },
      fetch_types: false,
    };
    const sql = postgres(parsed.url, { ...common, max: options.max ?? 10 });
    const lockSql = postgres(parsed.url, { ...common, max: options.lockMax ?? 8 });
    const ref: { store?: PostgresMetadataStore } = {};
    const holdSql = postgres(parsed.url, {
      ...common,
      max: 1,
      max_lifetime: null,
      idle_timeout: null,
      onclose: () => {
        if (ref.store) ref.store.#holdEpoch++;
      },
    });
    const store = ref.store = new PostgresMetadataStore(sql, lockSql, holdSql, schema, options);
    try {
      store.appliedMigrations = await store.#migrate();
      await store.#listen();
    } catch (e) {
      await store.close();
      throw pgError("open the metadata database", e);
    }
    return store;
  }

  /** The schema this store uses. */
  get schema(): string {
    return this.#schema;
  }

  /** The schema version of the database. */
  async schemaVersion(): Promise<number> {
    return await this.#op("read the schema version", async () => {
      const [r] = await this.#sql`SELECT coalesce(max(version), 0)::int AS v FROM wreg_migrations`;
      return r.v as number;
    });
  }

  async #migrate(): Promise<number> {
    const schema = this.#schema;
    return await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`wreg:migrate:${schema}`}, 0))`;
      await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
      await tx.unsafe(`CREATE TABLE IF NOT EXISTS wreg_migrations (
        version    integer PRIMARY KEY,
        why        text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const [r] = await tx`SELECT coalesce(max(version), 0)::int AS v FROM wreg_migrations`;
      const current = r.v as number;
      if (current > PG_SCHEMA_VERSION) {
        throw new StorageError(
          "schema-too-new",
          `Cannot open the metadata database: its schema version ${current} is newer than ` +
            `this wreg's ${PG_SCHEMA_VERSION}; upgrade wreg`,
          { found: current, supported: PG_SCHEMA_VERSION },
        );
      }
      let applied = 0;
      for (const m of PG_MIGRATIONS) {
        if (m.version <= current) continue;
        await tx.unsafe(m.sql);
        await tx`INSERT INTO wreg_migrations (version, why) VALUES (${m.version}, ${m.why})`;
        applied++;
      }
      return applied;
    });
  }

  async #listen(): Promise<void> {
    let first = true;
    this.#listening = await this.#sql.listen(this.#channel, (payload) => {
      let change: StoreChange & { origin?: string };
      try {
        change = JSON.parse(payload);
      } catch {
        change = { kind: "reset" };
      }
      if (change.origin === this.#origin) return;
      delete change.origin;
      this.#coord.emit(change);
    }, () => {
      // Called on the first LISTEN and again after every reconnection: what was sent while the
      // connection was away is lost, so caches start over.
      if (!first) this.#coord.emit({ kind: "reset" });
      first = false;
    });
  }

  // --- the commit point

  commitVersion(input: PublishInput): Promise<VersionRecord> {
    return this.#op("publish a version", async () => {
      checkPublish(input);
      if (input.oci !== undefined) checkPgOciManifest(input.oci);
      checkSignature(input.signature);
      const rows = normalizeSearchRows(input.searchRows);
      const name = formatPackageName(input.name);
      const entry = releaseEntry(
        input.name,
        input.version,
        input.digest,
        input.signature?.keyId ?? null,
      );
      let logIndex = -1;
      const document = JSON.stringify(input.document); // may throw: before anything is sent
      const now = this.#stamp();
      const change: StoreChange = { kind: "package", name };
      await this.#sql.begin(async (tx) => {
        // The package row, locked, then its versions: two statements sent together (one round
        // trip). The versions must be a statement of their own: a statement that waited for the
        // row lock reads everything else as of its start, so a subquery beside `FOR UPDATE`
        // would miss the version of the commit it waited for (READ COMMITTED), and basedOn
        // would pass a gate that ran against stale versions.
        const lockPackage = async () => {
          const locked = tx`SELECT kind, description FROM packages WHERE name = ${name} FOR UPDATE`
            .execute();
          const versions = tx`SELECT coalesce(json_agg(version), '[]'::json) AS versions
              FROM versions WHERE package = ${name}`.execute();
          const [[row], [v]] = await Promise.all([locked, versions]);
          const found = row as { kind: string; description: string } | undefined;
          return [found === undefined ? undefined : { ...found, versions: v.versions as unknown }];
        };
        let [pkg] = await lockPackage();
        let created = false;
        if (!pkg) {
          const description = input.description ?? "";
          const inserted = await tx`
            INSERT INTO packages (name, namespace, kind, description, search_text, created_at, updated_at)
            VALUES (${name}, ${input.name.namespace}, ${input.kind}, ${description},
                    ${searchableText(name, description)}, ${now}, ${now})
            ON CONFLICT (name) DO NOTHING RETURNING kind`;
          created = inserted.length === 1;
          // Another process created it meanwhile: wait for its row, then check against it.
          if (!created) [pkg] = await lockPackage();
        }
        if (pkg && pkg.kind !== input.kind) {
          throw kindMismatch(name, pkg.kind as PackageKind, input.kind);
        }
        const current = (pkg?.versions ?? []) as Version[];
        const key = versionKey(input.version);
        const same = current.find((v) => versionKey(v) === key);
        if (same !== undefined) throw conflict(name, input.version, same);
        checkBasedOn(name, input.version, current, input.basedOn);
        // The signing policy, read with share locks so that a concurrent revocation or policy
        // change (which updates these rows) waits for this commit or is seen by it.
        const signer = input.signature?.keyId;
        const nsQuery = tx`SELECT require_signatures FROM namespaces
          WHERE name = ${input.name.namespace} FOR SHARE`.execute();
        const keyQuery = signer === undefined ? undefined : tx`SELECT revoked_at FROM publisher_keys
          WHERE namespace = ${input.name.namespace} AND key_id = ${signer} FOR SHARE`.execute();
        const [nsRow] = await nsQuery;
        const keyRow = keyQuery === undefined ? undefined : (await keyQuery)[0];
        checkSigningPolicy(
          name,
          input.version,
          signer,
          nsRow?.require_signatures === true,
          keyRow && { revoked: keyRow.revoked_at !== null },
        );
        // The writes go out together, pipelined on the transaction's connection: `execute()`
        // sends each at once, in this order (a query is otherwise sent when first awaited).
        const description = input.description ?? (pkg?.description as string);
        const writes: Promise<unknown>[] = [];
        if (pkg) {
          writes.push(
            tx`UPDATE packages SET updated_at = ${now}, description = ${description},
                 search_text = ${searchableText(name, description)} WHERE name = ${name}`
              .execute(),
          );
        }
        // The log entry: under the log's append lock (held to the commit), the next index.
        const appended = this.#appendLog(tx, entry);
        writes.push(appended.lock, appended.insert);
        const signerColumn = input.signature?.keyId ?? null;
        const bundle = input.signature === undefined ? null : Buffer.from(
          input.signature.bundle.buffer,
          input.signature.bundle.byteOffset,
          input.signature.bundle.byteLength,
        );
        writes.push(
          tx`
            INSERT INTO versions (package, version, kind, digest, size, published_at, publisher, yanked_at, document, log_index, signer, bundle)
            VALUES (${name}, ${input.version}, ${input.kind}, ${input.digest}, ${input.size}, ${now},
                    ${input.publisher}, NULL, ${document},
                    (SELECT max(idx) FROM log_entries), ${signerColumn}, ${bundle})`.execute(),
        );
        for (const q of rowInserts(tx, name, input.version, rows)) writes.push(q.execute());
        // Without an OCI manifest to store, the notification goes out with the writes.
        if (input.oci === undefined) writes.push(this.#notification(tx, change).execute());
        const settled = await Promise.allSettled(writes);
        const failed = settled.find((r) => r.status === "rejected") as
          | PromiseRejectedResult
          | undefined;
        if (failed) {
          if (codeOf(failed.reason) === "23505") throw conflict(name, input.version);
          throw failed.reason;
        }
        logIndex = Number((await appended.insert)[0].idx);
        if (input.oci !== undefined) {
          await putPgOciManifest(tx, name, { ...input.oci, version: input.version }, now);
          await this.#notify(tx, change);
        }
      });
      this.#coord.emit(change);
      return {
        package: name,
        version: input.version,
        kind: input.kind,
        digest: input.digest,
        size: input.size,
        publishedAt: now,
        publisher: input.publisher,
        yanked: false,
        yankedAt: null,
        document: JSON.parse(document) as JsonObject,
        log: { index: logIndex, entry },
        signature: input.signature === undefined
          ? null
          : { keyId: input.signature.keyId, bundle: input.signature.bundle.slice() },
      };
    });
  }

  /**
   * Appends a log entry inside `tx`: the transaction-scoped append lock, then the insert at the
   * next index (a statement of its own, so its snapshot sees the last holder's commit).
   */
  #appendLog(tx: Tx, entry: string) {
    const lock = tx`SELECT pg_advisory_xact_lock(hashtextextended(${this.#key("log-append")}, 0))`
      .execute();
    const insert = tx`INSERT INTO log_entries (idx, entry)
      SELECT coalesce(max(idx) + 1, 0), ${entry} FROM log_entries RETURNING idx`.execute();
    return { lock, insert };
  }

  async #appendLogNow(tx: Tx, entry: string): Promise<number> {
    const { lock, insert } = this.#appendLog(tx, entry);
    await lock;
    return Number((await insert)[0].idx);
  }

  // --- the transparency log

  logSize(): Promise<number> {
    return this.#op("read the log", async () => {
      const [r] = await this.#sql`SELECT coalesce(max(idx) + 1, 0)::bigint AS n FROM log_entries`;
      return Number(r.n);
    });
  }

  readLogEntries(start: number, end: number): Promise<Uint8Array[]> {
    return this.#op("read the log", async () => {
      const [r] = await this.#sql`SELECT coalesce(max(idx) + 1, 0)::bigint AS n FROM log_entries`;
      checkLogRange(start, end, Number(r.n));
      const rows = await this.#sql`SELECT entry FROM log_entries
        WHERE idx >= ${start} AND idx < ${end} ORDER BY idx`;
      const enc = new TextEncoder();
      return rows.map((row) => enc.encode(row.entry as string));
    });
  }

  readLogNodes(
    nodes: readonly { level: number; index: number }[],
  ): Promise<(Uint8Array | undefined)[]> {
    return this.#op("read the log", async () => {
      if (nodes.length === 0) return [];
      const levels = nodes.map((n) => n.level);
      const idxs = nodes.map((n) => n.index);
      const rows = await this.#sql`SELECT level, idx, hash FROM log_nodes
        WHERE (level, idx) IN (SELECT * FROM unnest(${levels}::int[], ${idxs}::bigint[]))`;
      const byKey = new Map(
        rows.map((r) => [`${r.level}/${r.idx}`, new Uint8Array(r.hash as Uint8Array)]),
      );
      return nodes.map((n) => byKey.get(`${n.level}/${n.index}`));
    });
  }

  putLogNodes(nodes: readonly LogNode[]): Promise<void> {
    return this.#op("write the log", async () => {
      checkNodes(nodes);
      await insertPgNodes(this.#sql, nodes);
    });
  }

  latestCheckpoint(): Promise<LogCheckpoint | undefined> {
    return this.#op("read the log", async () => {
      const [r] = await this
        .#sql`SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1`;
      return r && { size: Number(r.size), note: r.note as string };
    });
  }

  putCheckpoint(checkpoint: LogCheckpoint, nodes: readonly LogNode[] = []): Promise<void> {
    return this.#op("write the log", async () => {
      checkCheckpoint(checkpoint);
      checkNodes(nodes);
      await this.#sql.begin(async (tx) => {
        // Made again from the entries if lost: no need to wait for this commit's flush.
        await tx`SET LOCAL synchronous_commit = off`;
        await tx`LOCK TABLE log_checkpoints IN EXCLUSIVE MODE`;
        const [r] = await tx`SELECT max(size) AS s FROM log_checkpoints`;
        const latest = r.s === null ? -1 : Number(r.s);
        if (checkpoint.size < latest) throw checkpointShrinks(checkpoint.size, latest);
        await insertPgNodes(tx, nodes);
        if (checkpoint.size === latest) return;
        await tx`INSERT INTO log_checkpoints (size, note, created_at)
          VALUES (${checkpoint.size}, ${checkpoint.note}, ${this.#stamp()})`;
        // Only the latest is served; older ones would grow by a row per write.
        await tx`DELETE FROM log_checkpoints WHERE size < ${checkpoint.size}`;
      });
    });
  }

  // --- publisher keys

  addPublisherKey(
    namespace: string,
    input: { keyId: string; publicKey: Uint8Array; addedBy: string },
  ): Promise<{ key: PublisherKeyRecord; created: boolean }> {
    return this.#write(
      "register a publisher key",
      { kind: "namespace", name: namespace },
      async (tx) => {
        checkKeyInput(input);
        checkUser(input.addedBy, "user");
        const [ns] = await tx`SELECT name FROM namespaces WHERE name = ${namespace} FOR UPDATE`;
        if (!ns) throw namespaceNotFound(namespace);
        const existing = await pgKey(tx, namespace, input.keyId);
        if (existing?.revokedAt) throw keyRevoked(namespace, input.keyId);
        if (existing) return { key: existing, created: false };
        // The namespace row is locked above: the count cannot change until the commit.
        const [active] = await tx`SELECT count(*)::int AS n FROM publisher_keys
          WHERE namespace = ${namespace} AND revoked_at IS NULL`;
        checkKeyCount(namespace, Number(active.n));
        const logIndex = await this.#appendLogNow(
          tx,
          keyAddEntry(namespace, input.keyId, input.publicKey),
        );
        await tx`INSERT INTO publisher_keys
          (namespace, key_id, public_key, added_by, added_at, log_index)
          VALUES (${namespace}, ${input.keyId}, ${Buffer.from(input.publicKey)}, ${input.addedBy},
                  ${this.#stamp()}, ${logIndex})`;
        return { key: (await pgKey(tx, namespace, input.keyId))!, created: true };
      },
    );
  }

  revokePublisherKey(namespace: string, keyId: string): Promise<PublisherKeyRecord> {
    return this.#write(
      "revoke a publisher key",
      { kind: "namespace", name: namespace },
      async (tx) => {
        checkKeyId(keyId);
        const [row] = await tx`SELECT revoked_at FROM publisher_keys
          WHERE namespace = ${namespace} AND key_id = ${keyId} FOR UPDATE`;
        if (!row) throw keyNotFound(namespace, keyId);
        if (row.revoked_at === null) {
          const logIndex = await this.#appendLogNow(tx, keyRevokeEntry(namespace, keyId));
          await tx`UPDATE publisher_keys SET revoked_at = ${this.#stamp()},
            revoke_log_index = ${logIndex} WHERE namespace = ${namespace} AND key_id = ${keyId}`;
        }
        return (await pgKey(tx, namespace, keyId))!;
      },
    );
  }

  namespaceKeys(namespace: string): Promise<NamespaceKeys> {
    return this.#op("read a namespace's keys", async () => {
      // Two statements, as before, but sent at once (neither depends on the other).
      const [[ns], rows] = await Promise.all([
        this.#sql`SELECT require_signatures FROM namespaces WHERE name = ${namespace}`.execute(),
        this.#sql`SELECT * FROM publisher_keys WHERE namespace = ${namespace}
          ORDER BY log_index`.execute(),
      ]);
      return {
        requireSignatures: ns?.require_signatures === true,
        keys: rows.map(publisherKeyRecord),
      };
    });
  }

  setRequireSignatures(namespace: string, require: boolean): Promise<void> {
    return this.#write(
      "set a namespace's signing policy",
      { kind: "namespace", name: namespace },
      async (tx) => {
        const r = await tx`UPDATE namespaces SET require_signatures = ${require}
          WHERE name = ${namespace}`;
        if (r.count === 0) throw namespaceNotFound(namespace);
      },
    );
  }

  replaceDerived(name: PackageName, version: Version, input: DerivedInput): Promise<void> {
    const pkg = formatPackageName(name);
    return this.#write(
      "rebuild a version's documents",
      { kind: "package", name: pkg },
      async (tx) => {
        checkDocument(input.document);
        const rows = normalizeSearchRows(input.searchRows);
        const changed = await tx`UPDATE versions SET document = ${JSON.stringify(input.document)}
        WHERE package = ${pkg} AND version = ${version}`;
        if (changed.count === 0) throw versionNotFound(pkg, version);
        await tx`DELETE FROM search_rows WHERE package = ${pkg} AND version = ${version}`;
        await insertRows(tx, pkg, version, rows);
      },
    );
  }

  setYanked(name: PackageName, version: Version, yanked: boolean): Promise<VersionSummary> {
    const pkg = formatPackageName(name);
    return this.#write("yank a version", { kind: "package", name: pkg }, async (tx) => {
      const [row] = await tx`SELECT yanked_at, digest FROM versions
        WHERE package = ${pkg} AND version = ${version} FOR UPDATE`;
      if (!row) throw versionNotFound(pkg, version);
      if (yanked !== (row.yanked_at !== null)) {
        await this.#appendLogNow(tx, yankEntry(pkg, version, row.digest as Digest, yanked));
      }
      if (yanked && row.yanked_at === null) {
        await tx`UPDATE versions SET yanked_at = ${this.#stamp()}
          WHERE package = ${pkg} AND version = ${version}`;
      } else if (!yanked && row.yanked_at !== null) {
        await tx`UPDATE versions SET yanked_at = NULL WHERE package = ${pkg} AND version = ${version}`;
      }
      const [r] = await tx.unsafe(
        `SELECT ${SUMMARY_COLUMNS} FROM versions WHERE package = $1 AND version = $2`,
        [pkg, version],
      );
      return versionSummary(r);
    });
  }

  setDescription(name: PackageName, description: string): Promise<PackageSummary> {
    const pkg = formatPackageName(name);
    return this.#write("describe a package", { kind: "package", name: pkg }, async (tx) => {
      checkDescription(description);
      const changed = await tx`UPDATE packages SET description = ${description},
        search_text = ${searchableText(pkg, description)} WHERE name = ${pkg}`;
      if (changed.count === 0) throw packageNotFound(pkg);
      const [row] = await tx`SELECT * FROM packages WHERE name = ${pkg}`;
      return packageSummary(row, await summaries(tx, pkg));
    });
  }

  // --- reads

  getPackage(name: PackageName): Promise<PackageDetail | undefined> {
    return this.#op("read a package", async () => {
      const pkg = formatPackageName(name);
      // One round trip: the package row with its versions as JSON.
      const [row] = await this.#sql`SELECT p.*, (SELECT coalesce(json_agg(json_build_object(
          'package', v.package, 'version', v.version, 'kind', v.kind, 'digest', v.digest,
          'size', v.size, 'published_at', v.published_at, 'publisher', v.publisher,
          'yanked_at', v.yanked_at)), '[]'::json) FROM versions v WHERE v.package = p.name) AS vs
        FROM packages p WHERE p.name = ${pkg}`;
      if (!row) return undefined;
      const versions = sortVersions((row.vs as Row[]).map(versionSummary));
      return { package: packageSummary(row, versions), versions };
    });
  }

  getVersion(name: PackageName, version: Version): Promise<VersionRecord | undefined> {
    return this.#op("read a version", async () => {
      const [row] = await this.#sql.unsafe(
        `SELECT ${SUMMARY_COLUMNS}, document, log_index, signer, bundle,
           (SELECT entry FROM log_entries WHERE idx = log_index) AS log_entry
         FROM versions WHERE package = $1 AND version = $2`,
        [formatPackageName(name), version],
        { prepare: true },
      );
      return row && {
        ...versionSummary(row),
        document: JSON.parse(row.document as string) as JsonObject,
        log: { index: Number(row.log_index), entry: row.log_entry as string },
        signature: row.signer === null ? null : {
          keyId: row.signer as string,
          bundle: new Uint8Array(row.bundle as Uint8Array),
        },
      };
    });
  }

  latestVersion(
    name: PackageName,
    options: LatestOptions = {},
  ): Promise<VersionSummary | undefined> {
    return this.#op(
      "read a package's latest version",
      async () =>
        pickLatest(await summaries(this.#sql, formatPackageName(name)), options.includePrerelease),
    );
  }

  searchRowsOf(name: PackageName, version: Version): Promise<SearchRow[]> {
    return this.#op("read a version's search rows", async () =>
      (await this.#sql.unsafe(
        `SELECT ${ROW_COLUMNS} FROM search_rows WHERE package = $1 AND version = $2 ORDER BY id`,
        [formatPackageName(name), version],
        { prepare: true },
      )).map(searchRow));
  }

  searchText(query: TextQuery): Promise<PackageSummary[]> {
    return this.#op("search packages", async () => {
      const limit = clampLimit(query.limit);
      const terms = textTerms(query.text);
      const args: string[] = [];
      let text = "SELECT * FROM packages WHERE true";
      for (const t of terms) {
        args.push(t);
        text += ` AND strpos(search_text, $${args.length}) > 0`;
      }
      if (query.kind !== undefined) {
        args.push(query.kind);
        text += ` AND kind = $${args.length}`;
      }
      if (!query.includeYanked) {
        text +=
          " AND EXISTS (SELECT 1 FROM versions v WHERE v.package = packages.name AND v.yanked_at IS NULL)";
      }
      const rows = await this.#sql.unsafe(text, args);
      const ranked = [...rows].sort(byTextRank(terms) as (a: Row, b: Row) => number).slice(
        0,
        limit,
      );
      return await Promise.all(
        ranked.map(async (r) => packageSummary(r, await summaries(this.#sql, r.name as string))),
      );
    });
  }

  searchTarget(query: TargetQuery): Promise<SearchRow[]> {
    return this.#op("search by target", async () => {
      const limit = clampLimit(query.limit);
      const args: string[] = [query.namespace, query.package, query.relation];
      let text = `SELECT ${ROW_COLUMNS.split(", ").map((c) => `s.${c}`).join(", ")}
        FROM search_rows s JOIN versions v ON v.package = s.package AND v.version = s.version
        WHERE s.t_namespace = $1 AND s.t_package = $2 AND s.relation = $3`;
      if (query.name !== undefined) {
        args.push(query.name);
        text += ` AND s.t_name = $${args.length}`;
      }
      if (query.version !== undefined) {
        args.push(seriesKey(query.version));
        text += ` AND s.t_series = $${args.length}`;
      }
      if (query.afterPackage !== undefined) {
        // Byte order, as the rows are sorted (not the database's locale).
        args.push(query.afterPackage);
        text += ` AND s.package > $${args.length} COLLATE "C"`;
      }
      if (!query.includeYanked) text += " AND v.yanked_at IS NULL";
      const rows = (await this.#sql.unsafe(text, args)).map(searchRow)
        .filter((r) => versionMatches(r.relation, r.version, query.version, matchOf(query)))
        .sort(byPackageThenVersion);
      return (query.latestPerPackage ? firstPerPackage(rows) : rows).slice(0, limit);
    });
  }

  dependentsOf(
    name: PackageName,
    options: { version?: Version; includeYanked?: boolean } = {},
  ): Promise<DependentRecord[]> {
    return this.#op("read a package's dependents", async () => {
      let text = `SELECT ${ROW_COLUMNS.split(", ").map((c) => `s.${c}`).join(", ")}
        FROM search_rows s JOIN versions v ON v.package = s.package AND v.version = s.version
        WHERE s.t_namespace = $1 AND s.t_package = $2 AND s.relation IN ('imports', 'depends-on')
          AND s.package <> $3`;
      if (!options.includeYanked) text += " AND v.yanked_at IS NULL";
      const rows = (await this.#sql.unsafe(text, [
        name.namespace,
        name.name,
        formatPackageName(name),
      ])).map(searchRow)
        .filter((r) => versionMatches(r.relation, r.version, options.version))
        .sort(byPackageThenVersion);
      return firstPerPackage(rows).map((r) => ({ package: r.fromPackage, version: r.fromVersion }));
    });
  }

  recentPackages(limit: number): Promise<PackageSummary[]> {
    return this.#op("list recent packages", async () => {
      const rows = await this.#sql`SELECT * FROM packages ORDER BY updated_at DESC, name
        LIMIT ${clampLimit(limit)}`;
      return await Promise.all(
        rows.map(async (r) => packageSummary(r, await summaries(this.#sql, r.name as string))),
      );
    });
  }

  totals(): Promise<Totals> {
    return this.#op("count packages", async () => {
      const [r] = await this.#sql`SELECT
        (SELECT count(*) FROM packages)::bigint AS packages,
        (SELECT count(*) FROM versions)::bigint AS versions,
        (SELECT count(*) FROM namespaces)::bigint AS namespaces,
        (SELECT coalesce(sum(size), 0) FROM versions)::bigint AS bytes`;
      return {
        packages: Number(r.packages),
        versions: Number(r.versions),
        namespaces: Number(r.namespaces),
        bytes: Number(r.bytes),
      };
    });
  }

  listVersions(options: { after?: VersionCursor; limit: number }): Promise<VersionSummary[]> {
    return this.#op("list versions", async () => {
      const limit = clampLimit(options.limit);
      const rows = options.after
        ? await this.#sql.unsafe(
          `SELECT ${SUMMARY_COLUMNS} FROM versions WHERE (package, version) > ($1, $2)
           ORDER BY package, version LIMIT $3`,
          [options.after.package, options.after.version, limit],
        )
        : await this.#sql.unsafe(
          `SELECT ${SUMMARY_COLUMNS} FROM versions ORDER BY package, version LIMIT $1`,
          [limit],
        );
      return rows.map(versionSummary);
    });
  }

  isDigestReferenced(digest: Digest): Promise<boolean> {
    return this.#op(
      "look up a digest",
      async () =>
        (await this.#sql`SELECT 1 FROM versions WHERE digest = ${digest} LIMIT 1`).length > 0 ||
        await pgOciReferences(this.#sql, digest),
    );
  }

  // --- OCI (rows in storage/_postgres_oci.ts)

  putOciManifest(
    name: PackageName,
    input: OciManifestInput & { version?: Version },
  ): Promise<{ record: OciManifestRecord; created: boolean }> {
    const pkg = formatPackageName(name);
    return this.#op("store an OCI manifest", () =>
      this.#sql.begin(async (tx) => {
        if (input.version !== undefined) {
          const [v] = await tx`SELECT 1 FROM versions
            WHERE package = ${pkg} AND version = ${input.version}`;
          if (!v) throw versionNotFound(pkg, input.version);
        }
        return await putPgOciManifest(tx, pkg, input, this.#stamp());
      }) as Promise<{ record: OciManifestRecord; created: boolean }>);
  }

  getOciManifest(name: PackageName, digest: Digest): Promise<OciManifestRecord | undefined> {
    return this.#op(
      "read an OCI manifest",
      () => pgOciRecord(this.#sql, formatPackageName(name), digest),
    );
  }

  getOciManifestOfVersion(
    name: PackageName,
    version: Version,
  ): Promise<OciManifestRecord | undefined> {
    return this.#op(
      "read a version's OCI manifest",
      () => pgOciManifestOfVersion(this.#sql, formatPackageName(name), version),
    );
  }

  listOciReferrers(name: PackageName, subject: Digest): Promise<OciManifestRecord[]> {
    return this.#op(
      "list OCI referrers",
      () => pgOciReferrers(this.#sql, formatPackageName(name), subject),
    );
  }

  deleteOciManifest(name: PackageName, digest: Digest): Promise<boolean> {
    return this.#op(
      "delete an OCI manifest",
      () =>
        this.#sql.begin((tx) =>
          deletePgOciManifest(tx, formatPackageName(name), digest)
        ) as Promise<boolean>,
    );
  }

  linkOciBlob(name: PackageName, link: OciBlobLinkInput): Promise<void> {
    return this.#op("link a blob", () => linkPgOciBlob(this.#sql, formatPackageName(name), link));
  }

  unlinkOciBlob(name: PackageName, digest: Digest): Promise<boolean> {
    return this.#op("unlink a blob", async () =>
      (await this.#sql`DELETE FROM oci_blob_links
        WHERE package = ${formatPackageName(name)} AND digest = ${digest}`).count > 0);
  }

  hasOciBlob(name: PackageName, digest: Digest, now: string): Promise<boolean> {
    return this.#op(
      "look up a blob",
      () => hasPgOciBlob(this.#sql, formatPackageName(name), digest, now),
    );
  }

  expiredOciBlobLinks(now: string, limit: number): Promise<{ package: string; digest: Digest }[]> {
    return this.#op(
      "list lapsed links",
      () => expiredPgOciLinks(this.#sql, now, clampLimit(limit)),
    );
  }

  createOciUpload(
    name: PackageName,
    input: OciUploadInput,
    limits: { maxPerOwner: number; now: string },
  ): Promise<OciUploadRecord> {
    return this.#op("open an upload", () =>
      this.#sql.begin((tx) =>
        createPgOciUpload(
          tx,
          formatPackageName(name),
          input,
          limits,
          this.#key(`oci-uploads:${input.owner}`),
          this.#stamp(),
        )
      ) as Promise<OciUploadRecord>);
  }

  getOciUpload(id: string): Promise<OciUploadRecord | undefined> {
    return this.#op("read an upload", () => getPgOciUpload(this.#sql, id));
  }

  appendOciUploadPart(id: string, part: OciUploadPart): Promise<OciUploadRecord> {
    return this.#op(
      "append to an upload",
      () =>
        this.#sql.begin((tx) => appendPgOciUploadPart(tx, id, part)) as Promise<OciUploadRecord>,
    );
  }

  deleteOciUpload(id: string): Promise<boolean> {
    return this.#op(
      "end an upload",
      async () => (await this.#sql`DELETE FROM oci_uploads WHERE id = ${id}`).count > 0,
    );
  }

  expiredOciUploads(now: string, limit: number): Promise<OciUploadRecord[]> {
    return this.#op(
      "list lapsed uploads",
      () => expiredPgOciUploads(this.#sql, now, clampLimit(limit)),
    );
  }

  // --- secrets of the server

  serverSecret(name: string, candidate: Uint8Array): Promise<Uint8Array> {
    return this.#op("read a server secret", async () => {
      checkServerSecret(name, candidate);
      // The first process to store one wins; the others read it.
      await this.#sql`INSERT INTO server_secrets (name, secret, created_at)
        VALUES (${name}, ${candidate}, ${this.#stamp()}) ON CONFLICT (name) DO NOTHING`;
      const [row] = await this.#sql`SELECT secret FROM server_secrets WHERE name = ${name}`;
      return new Uint8Array(row.secret as Uint8Array);
    });
  }

  // --- namespaces

  claimNamespace(
    name: string,
    owner: string,
  ): Promise<{ namespace: NamespaceRecord; claimed: boolean }> {
    return this.#op("claim a namespace", async () => {
      checkNamespace(name);
      checkUser(owner, "owner");
      const change: StoreChange = { kind: "namespace", name };
      const result = await this.#sql.begin(async (tx) => {
        const now = this.#stamp();
        const inserted = await tx`INSERT INTO namespaces (name, created_at) VALUES (${name}, ${now})
          ON CONFLICT (name) DO NOTHING RETURNING name`;
        if (inserted.length === 0) {
          return { namespace: (await namespaceRecord(tx, name))!, claimed: false };
        }
        await tx`INSERT INTO namespace_members (namespace, member, role, added_at)
          VALUES (${name}, ${owner}, 'owner', ${now})`;
        await this.#notify(tx, change);
        return { namespace: (await namespaceRecord(tx, name))!, claimed: true };
      });
      if (result.claimed) this.#coord.emit(change);
      return result;
    });
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    return this.#op("read a namespace", () => namespaceRecord(this.#sql, name));
  }

  setNamespaceMember(name: string, user: string, role: NamespaceRole): Promise<NamespaceRecord> {
    return this.#write("change a namespace's members", { kind: "namespace", name }, async (tx) => {
      checkUser(user);
      checkRole(role);
      if ((await tx`SELECT 1 FROM namespaces WHERE name = ${name} FOR UPDATE`).length === 0) {
        throw namespaceNotFound(name);
      }
      const [current] = await tx`SELECT role FROM namespace_members
        WHERE namespace = ${name} AND member = ${user}`;
      if (current?.role === "owner" && role !== "owner" && await ownerCount(tx, name) === 1) {
        throw lastOwner(name, user);
      }
      if (current) {
        await tx`UPDATE namespace_members SET role = ${role}
          WHERE namespace = ${name} AND member = ${user}`;
      } else {
        await tx`INSERT INTO namespace_members (namespace, member, role, added_at)
          VALUES (${name}, ${user}, ${role}, ${this.#stamp()})`;
      }
      return (await namespaceRecord(tx, name))!;
    });
  }

  removeNamespaceMember(name: string, user: string): Promise<NamespaceRecord> {
    return this.#write("change a namespace's members", { kind: "namespace", name }, async (tx) => {
      if ((await tx`SELECT 1 FROM namespaces WHERE name = ${name} FOR UPDATE`).length === 0) {
        throw namespaceNotFound(name);
      }
      const [current] = await tx`SELECT role FROM namespace_members
        WHERE namespace = ${name} AND member = ${user}`;
      if (!current) throw memberNotFound(name, user);
      if (current.role === "owner" && await ownerCount(tx, name) === 1) {
        throw lastOwner(name, user);
      }
      await tx`DELETE FROM namespace_members WHERE namespace = ${name} AND member = ${user}`;
      return (await namespaceRecord(tx, name))!;
    });
  }

  namespacesOf(user: string): Promise<NamespaceRecord[]> {
    return this.#op("list a user's namespaces", async () => {
      const rows = await this.#sql`SELECT namespace FROM namespace_members
        WHERE member = ${user} ORDER BY namespace`;
      const out: NamespaceRecord[] = [];
      for (const r of rows) out.push((await namespaceRecord(this.#sql, r.namespace as string))!);
      return out;
    });
  }

  // --- tokens

  createToken(secret: string, input: TokenInput): Promise<TokenRecord> {
    return this.#op("create a token", async () => {
      const hash = hashTokenSecret(secret);
      const { scopes, namespaces } = checkToken(input);
      const id = newTokenId();
      try {
        const [row] = await this.#sql`
          INSERT INTO tokens (id, secret_hash, owner, scopes, namespaces, description, created_at)
          VALUES (${id}, ${hash}, ${input.owner}, ${JSON.stringify(scopes)},
                  ${namespaces === null ? null : JSON.stringify(namespaces)},
                  ${input.description ?? ""}, ${this.#stamp()})
          RETURNING *`;
        return tokenRecord(row);
      } catch (e) {
        if (codeOf(e) === "23505") {
          throw new StorageError("conflict", "Cannot create token: that secret is already in use");
        }
        throw e;
      }
    });
  }

  findTokenBySecret(
    secret: string,
    options: { includeRevoked?: boolean } = {},
  ): Promise<TokenRecord | undefined> {
    return this.#op("look up a token", async () => {
      const [row] = await this.#sql`SELECT * FROM tokens
        WHERE secret_hash = ${hashTokenSecret(secret)}`;
      if (!row || (row.revoked_at !== null && !options.includeRevoked)) return undefined;
      return tokenRecord(row);
    });
  }

  touchToken(id: string): Promise<void> {
    return this.#op("record a token's use", async () => {
      const r = await this.#sql`UPDATE tokens SET last_used_at = ${this.#stamp()} WHERE id = ${id}`;
      if (r.count === 0) throw tokenNotFound(id);
    });
  }

  revokeToken(id: string): Promise<TokenRecord> {
    return this.#op("revoke a token", async () => {
      await this.#sql`UPDATE tokens SET revoked_at = ${this.#stamp()}
        WHERE id = ${id} AND revoked_at IS NULL`;
      const [row] = await this.#sql`SELECT * FROM tokens WHERE id = ${id}`;
      if (!row) throw tokenNotFound(id);
      return tokenRecord(row);
    });
  }

  listTokens(owner: string): Promise<TokenRecord[]> {
    return this.#op(
      "list tokens",
      async () =>
        (await this.#sql`SELECT * FROM tokens WHERE owner = ${owner} ORDER BY created_at, id`).map(
          tokenRecord,
        ),
    );
  }

  // --- moving an embedded registry in (`wreg admin migrate`, storage/_migrate.ts)

  /**
   * Inserts rows of one of the durable tables as they are (timestamps, hashes and documents
   * included), skipping rows whose key exists; returns how many were inserted. Meant for moving
   * a registry in, never for serving: it bypasses the checks of the commit point.
   */
  importRows(table: ImportTable, rows: readonly Record<string, unknown>[]): Promise<number> {
    return this.#op(`import ${table}`, async () => {
      if (rows.length === 0) return 0;
      const { columns, key } = IMPORT_TABLES[table];
      let inserted = 0;
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500).map((r) => pick(r, columns));
        const res = await this.#sql`INSERT INTO ${this.#sql(table)} ${
          this.#sql(chunk as Record<string, postgres.SerializableParameter>[], columns)
        } ON CONFLICT (${this.#sql(key)}) DO NOTHING RETURNING 1`;
        inserted += res.length;
      }
      return inserted;
    });
  }

  /**
   * Inserts a version row with its search rows in one transaction, unless the version exists;
   * returns whether it was inserted.
   */
  importVersion(
    version: Record<string, unknown>,
    rows: readonly Record<string, unknown>[],
  ): Promise<boolean> {
    return this.#op("import a version", async () =>
      await this.#sql.begin(async (tx) => {
        const { columns, key } = IMPORT_TABLES.versions;
        const res = await tx`INSERT INTO versions ${
          tx(pick(version, columns) as Record<string, postgres.SerializableParameter>, columns)
        } ON CONFLICT (${tx(key)}) DO NOTHING RETURNING 1`;
        if (res.length === 0) return false;
        const cols = IMPORT_TABLES.search_rows.columns;
        for (let i = 0; i < rows.length; i += 1000) {
          const chunk = rows.slice(i, i + 1000).map((r) => pick(r, cols));
          await tx`INSERT INTO search_rows ${
            tx(chunk as Record<string, postgres.SerializableParameter>[], cols)
          }`;
        }
        return true;
      }));
  }

  /** Every row of a durable table, in key order (to compare a move with its source). */
  tableRows(table: ImportTable | "search_rows"): Promise<Record<string, unknown>[]> {
    return this.#op(`read ${table}`, async () => {
      const { columns } = IMPORT_TABLES[table];
      const order = table === "search_rows"
        ? ["package", "version", "id"]
        : IMPORT_TABLES[table].key;
      const rows = await this.#sql`SELECT ${this.#sql(columns)} FROM ${this.#sql(table)}
        ORDER BY ${this.#sql(order)}`;
      return rows.map((r) => ({ ...r }));
    });
  }

  // --- coordination

  withLock<T>(key: string, body: () => Promise<T>): Promise<T> {
    this.#checkOpen();
    // The body's own failures pass through as they are; only taking the lock is mapped.
    return this.#coord.withLock(key, async () => {
      const { promise: held, resolve: onHeld, reject: onFail } = Promise.withResolvers<void>();
      const { promise: done, resolve: finish } = Promise.withResolvers<void>();
      const tx = this.#lockSql.begin(async (t) => {
        // One round trip: the timeout is set (for this transaction) before the lock is waited for.
        await t`SELECT pg_advisory_xact_lock(hashtextextended(${this.#key(key)}, 0))
          FROM (SELECT set_config('lock_timeout', ${`${this.#lockTimeoutMs}ms`}, true)) AS s`;
        onHeld();
        await done;
      });
      tx.catch((e) => onFail(e));
      try {
        await held;
      } catch (e) {
        throw pgError(`take the lock of ${key}`, e);
      }
      try {
        return await body();
      } finally {
        // The lock is released by the commit that follows; the caller need not wait for it (the
        // next holder, here or elsewhere, waits for it in PostgreSQL).
        finish();
        tx.catch(() => {});
      }
    });
  }

  holdDigest(digest: Digest): Promise<DigestHold> {
    const epochNow = () => this.#holdEpoch;
    return this.#op("hold a digest", async () => {
      const key = this.#key(`blob:${digest}`);
      const until = Date.now() + this.#lockTimeoutMs;
      let epoch: number;
      while (true) {
        epoch = this.#holdEpoch;
        const [r] = await this
          .#holdSql`SELECT pg_try_advisory_lock_shared(hashtextextended(${key}, 0)) AS ok`;
        if (r.ok) break;
        if (Date.now() > until) {
          throw new StorageError(
            "unavailable",
            `Cannot hold blob "${digest}": a deletion of it did not finish in time`,
          );
        }
        await sleep(10);
      }
      let released = false;
      return {
        get intact() {
          return !released && epoch === epochNow();
        },
        release: async () => {
          if (released) return;
          released = true;
          if (epoch !== this.#holdEpoch || this.#closed) return; // lost with its session
          try {
            await this.#holdSql`SELECT pg_advisory_unlock_shared(hashtextextended(${key}, 0))`;
          } catch { /* the session is gone, and the lock with it */ }
        },
      };
    });
  }

  async ifDigestUnheld<T>(
    digest: Digest,
    body: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    this.#checkOpen();
    const failed: { error?: unknown } = {};
    try {
      return await this.#lockSql.begin(async (t) => {
        const [r] = await t`SELECT pg_try_advisory_xact_lock(hashtextextended(${
          this.#key(`blob:${digest}`)
        }, 0)) AS ok`;
        if (!r.ok) return { ran: false as const };
        try {
          return { ran: true as const, value: await body() };
        } catch (e) {
          failed.error = e;
          throw e;
        }
      }) as { ran: true; value: T } | { ran: false };
    } catch (e) {
      if ("error" in failed && e === failed.error) throw e;
      throw pgError(`check the holds of blob "${digest}"`, e);
    }
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    return this.#coord.onChange(listener);
  }

  ping(): Promise<void> {
    return this.#op("reach the database", async () => {
      await this.#sql`SELECT 1`;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listening?.unlisten().catch(() => {});
    await Promise.all([
      this.#sql.end({ timeout: 1 }),
      this.#lockSql.end({ timeout: 1 }),
      this.#holdSql.end({ timeout: 1 }),
    ]).catch(() => {});
  }

  // --- helpers

  #checkOpen(): void {
    if (this.#closed) {
      throw new StorageError("closed", "Cannot use the metadata database: it was closed");
    }
  }

  async #op<T>(what: string, body: () => Promise<T>): Promise<T> {
    this.#checkOpen();
    try {
      return await body();
    } catch (e) {
      throw pgError(what, e);
    }
  }

  /** One transaction that changes something: notifies other processes, then this one's listeners. */
  #write<T>(what: string, change: StoreChange, body: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#op(what, async () => {
      const result = await this.#sql.begin(async (tx) => {
        const r = await body(tx);
        await this.#notify(tx, change);
        return r;
      }) as T;
      this.#coord.emit(change);
      return result;
    });
  }

  #notification(tx: Tx, change: StoreChange): postgres.PendingQuery<postgres.Row[]> {
    return tx`SELECT pg_notify(${this.#channel}, ${
      JSON.stringify({ ...change, origin: this.#origin })
    })`;
  }

  async #notify(tx: Tx, change: StoreChange): Promise<void> {
    await tx`SELECT pg_notify(${this.#channel}, ${
      JSON.stringify({ ...change, origin: this.#origin })
    })`;
  }

  #key(key: string): string {
    return `wreg:${this.#schema}:${key}`;
  }

  #stamp(): string {
    return this.#now().toISOString();
  }
}

async function insertPgNodes(sql: postgres.Sql | Tx, nodes: readonly LogNode[]): Promise<void> {
  if (nodes.length === 0) return;
  const levels = nodes.map((n) => n.level);
  const idxs = nodes.map((n) => n.index);
  const hashes = nodes.map((n) => Buffer.from(n.hash).toString("hex"));
  await sql`INSERT INTO log_nodes (level, idx, hash)
    SELECT l, i, decode(h, 'hex') FROM unnest(${levels}::int[], ${idxs}::bigint[], ${hashes}::text[])
      AS t(l, i, h)
    ON CONFLICT DO NOTHING`;
}

async function pgKey(
  tx: Tx,
  namespace: string,
  keyId: string,
): Promise<PublisherKeyRecord | undefined> {
  const [r] = await tx`SELECT * FROM publisher_keys
    WHERE namespace = ${namespace} AND key_id = ${keyId}`;
  return r && publisherKeyRecord(r);
}

/** The durable tables `wreg admin migrate` moves, with their columns and keys. */
export const IMPORT_TABLES = {
  namespaces: { columns: ["name", "created_at", "require_signatures"], key: ["name"] },
  namespace_members: {
    columns: ["namespace", "member", "role", "added_at"],
    key: ["namespace", "member"],
  },
  tokens: {
    columns: [
      "id",
      "secret_hash",
      "owner",
      "scopes",
      "namespaces",
      "description",
      "created_at",
      "last_used_at",
      "revoked_at",
    ],
    key: ["id"],
  },
  packages: {
    columns: [
      "name",
      "namespace",
      "kind",
      "description",
      "search_text",
      "created_at",
      "updated_at",
    ],
    key: ["name"],
  },
  versions: {
    columns: [
      "package",
      "version",
      "kind",
      "digest",
      "size",
      "published_at",
      "publisher",
      "yanked_at",
      "document",
      "log_index",
      "signer",
      "bundle",
    ],
    key: ["package", "version"],
  },
  search_rows: {
    columns: [
      "package",
      "version",
      "relation",
      "t_namespace",
      "t_package",
      "t_name",
      "t_version",
      "t_series",
    ],
    key: [],
  },
  oci_manifests: {
    columns: ["package", "digest", "media_type", "bytes", "subject", "artifact_type", "created_at"],
    key: ["package", "digest"],
  },
  oci_manifest_blobs: {
    columns: ["package", "manifest", "blob", "position"],
    key: ["package", "manifest", "blob"],
  },
  oci_tags: { columns: ["package", "version", "digest"], key: ["package", "version"] },
  log_entries: { columns: ["idx", "entry"], key: ["idx"] },
  log_nodes: { columns: ["level", "idx", "hash"], key: ["level", "idx"] },
  log_checkpoints: { columns: ["size", "note", "created_at"], key: ["size"] },
  publisher_keys: {
    columns: [
      "namespace",
      "key_id",
      "public_key",
      "added_by",
      "added_at",
      "revoked_at",
      "log_index",
      "revoke_log_index",
    ],
    key: ["namespace", "key_id"],
  },
} as const satisfies Record<string, { columns: readonly string[]; key: readonly string[] }>;

/** A table {@link PostgresMetadataStore.importRows} takes. */
export type ImportTable = Exclude<keyof typeof IMPORT_TABLES, "search_rows">;

function pick(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c];
    out[c] = v instanceof Uint8Array
      ? Buffer.from(v)
      : typeof v === "bigint"
      ? Number(v)
      : v ?? null;
  }
  return out;
}

/** The inserts of a version's search rows (not yet sent), in chunks. */
function rowInserts(
  tx: Tx,
  pkg: string,
  version: Version,
  rows: readonly SearchRowInput[],
): postgres.PendingQuery<postgres.Row[]>[] {
  const values = rows.map((r) => ({
    package: pkg,
    version,
    relation: r.relation,
    t_namespace: r.namespace,
    t_package: r.package,
    t_name: r.name ?? "",
    t_version: r.version ?? "",
    t_series: seriesKey(r.version),
  }));
  const out: postgres.PendingQuery<postgres.Row[]>[] = [];
  for (let i = 0; i < values.length; i += 1000) {
    out.push(tx`INSERT INTO search_rows ${
      tx(
        values.slice(i, i + 1000),
        "package",
        "version",
        "relation",
        "t_namespace",
        "t_package",
        "t_name",
        "t_version",
        "t_series",
      )
    }`);
  }
  return out;
}

async function insertRows(
  tx: Tx,
  pkg: string,
  version: Version,
  rows: readonly SearchRowInput[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({
    package: pkg,
    version,
    relation: r.relation,
    t_namespace: r.namespace,
    t_package: r.package,
    t_name: r.name ?? "",
    t_version: r.version ?? "",
    t_series: seriesKey(r.version),
  }));
  // In chunks: a statement carries at most 65535 parameters.
  for (let i = 0; i < values.length; i += 1000) {
    await tx`INSERT INTO search_rows ${
      tx(
        values.slice(i, i + 1000),
        "package",
        "version",
        "relation",
        "t_namespace",
        "t_package",
        "t_name",
        "t_version",
        "t_series",
      )
    }`;
  }
}

async function summaries(sql: Sql | Tx, pkg: string): Promise<VersionSummary[]> {
  return sortVersions(
    (await sql.unsafe(`SELECT ${SUMMARY_COLUMNS} FROM versions WHERE package = $1`, [pkg], {
      prepare: true,
    })).map(versionSummary),
  );
}

async function namespaceRecord(sql: Sql | Tx, name: string): Promise<NamespaceRecord | undefined> {
  // One round trip: the namespace with its members as JSON.
  const [ns] = await sql`SELECT n.created_at, (SELECT coalesce(json_agg(json_build_object(
      'member', m.member, 'role', m.role, 'added_at', m.added_at)), '[]'::json)
      FROM namespace_members m WHERE m.namespace = n.name) AS members
    FROM namespaces n WHERE n.name = ${name}`;
  if (!ns) return undefined;
  const members = (ns.members as Row[]).map((m) => ({
    user: m.member as string,
    role: m.role as NamespaceRole,
    addedAt: m.added_at as string,
  }));
  return { name, createdAt: ns.created_at as string, members: sortMembers(members) };
}

async function ownerCount(tx: Tx, name: string): Promise<number> {
  const [r] = await tx`SELECT count(*)::int AS n FROM namespace_members
    WHERE namespace = ${name} AND role = 'owner'`;
  return r.n as number;
}

function packageSummary(row: Row, versions: VersionSummary[]): PackageSummary {
  return {
    name: row.name as string,
    namespace: row.namespace as string,
    kind: row.kind as PackageKind,
    description: row.description as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    latestVersion: pickLatest(versions)?.version ?? null,
    versionCount: versions.length,
  };
}

function versionSummary(r: Row): VersionSummary {
  return {
    package: r.package as string,
    version: r.version as Version,
    kind: r.kind as PackageKind,
    digest: r.digest as Digest,
    size: Number(r.size),
    publishedAt: r.published_at as string,
    publisher: r.publisher as string,
    yanked: r.yanked_at !== null,
    yankedAt: r.yanked_at as string | null,
  };
}

function searchRow(r: Row): SearchRow {
  return {
    fromPackage: r.package as string,
    fromVersion: r.version as Version,
    relation: r.relation as SearchRelation,
    namespace: r.t_namespace as string,
    package: r.t_package as string,
    name: r.t_name === "" ? null : r.t_name as string,
    version: r.t_version === "" ? null : r.t_version as Version,
  };
}

function tokenRecord(r: Row): TokenRecord {
  return {
    id: r.id as string,
    owner: r.owner as string,
    scopes: JSON.parse(r.scopes as string) as TokenScope[],
    namespaces: r.namespaces === null ? null : JSON.parse(r.namespaces as string) as string[],
    description: r.description as string,
    createdAt: r.created_at as string,
    lastUsedAt: r.last_used_at as string | null,
    revokedAt: r.revoked_at as string | null,
  };
}
