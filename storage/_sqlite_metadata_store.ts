import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  type Digest,
  formatPackageName,
  type PackageName,
  type Version,
  versionKey,
} from "../lib/names/mod.ts";
import { ioError, settle, StorageError } from "./_errors.ts";
import { LocalCoordinator } from "./_coordination.ts";
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
import { MIGRATIONS, SCHEMA_VERSION } from "./_migrations.ts";
import { SqliteOciTables } from "./_sqlite_oci.ts";
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

/** Options of {@link SqliteMetadataStore.open}. */
export interface SqliteMetadataStoreOptions {
  /** The clock that stamps rows (tests pass a fake one). */
  now?: () => Date;
  /**
   * `"full"` (the default): a commit is in the write-ahead log on disk (fsynced) before it is
   * acknowledged, so it survives a power loss. `"normal"`: the log is fsynced only at checkpoints;
   * an acknowledged commit survives the process being killed but may be lost with the machine.
   */
  synchronous?: "full" | "normal";
  /** How long a write waits for another process's transaction, in ms (default 5000). */
  busyTimeoutMs?: number;
}

type Row = Record<string, SQLInputValue>;

const SUMMARY_COLUMNS = "package, version, kind, digest, size, published_at, publisher, yanked_at";
const ROW_COLUMNS = "package, version, relation, t_namespace, t_package, t_name, t_version";

/**
 * Metadata in one SQLite database (through `node:sqlite`), in WAL mode with foreign keys on.
 * Writes run in `BEGIN IMMEDIATE` transactions; the publish of a version is one of them.
 */
export class SqliteMetadataStore implements MetadataStore {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #now: () => Date;
  readonly #sync: string;
  readonly #statements = new Map<string, StatementSync>();
  readonly #coord = new LocalCoordinator();
  readonly #oci = new SqliteOciTables({
    get: (sql, ...args) => this.#get(sql, ...args),
    all: (sql, ...args) => this.#all(sql, ...args),
    exec: (sql, ...args) => this.#exec(sql, ...args),
    stamp: () => this.#stamp(),
  });
  #closed = false;

  private constructor(db: DatabaseSync, path: string, options: SqliteMetadataStoreOptions) {
    this.#db = db;
    this.#path = path;
    this.#now = options.now ?? (() => new Date());
    this.#sync = options.synchronous === "normal" ? "NORMAL" : "FULL";
  }

  /**
   * Opens (creating when missing) the database at `path` and applies pending migrations. A
   * database written by a newer schema fails with `schema-too-new`.
   */
  static open(
    path: string,
    options: SqliteMetadataStoreOptions = {},
  ): Promise<SqliteMetadataStore> {
    return settle(() => {
      let db: DatabaseSync | undefined;
      try {
        db = new DatabaseSync(path);
        db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec(`PRAGMA synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
        db.exec("PRAGMA foreign_keys = ON");
        migrate(db, path);
        return new SqliteMetadataStore(db, path, options);
      } catch (e) {
        db?.close();
        throw ioError(`open metadata database "${path}"`, e);
      }
    });
  }

  /** The schema version of the open database. */
  schemaVersion(): number {
    return Number((this.#db.prepare("PRAGMA user_version").get() as Row).user_version);
  }

  commitVersion(input: PublishInput): Promise<VersionRecord> {
    return this.#changed(
      { kind: "package", name: formatPackageName(input.name) },
      this.#write(() => {
        checkPublish(input);
        if (input.oci !== undefined) this.#oci.check(input.oci);
        checkSignature(input.signature);
        const rows = normalizeSearchRows(input.searchRows);
        const name = formatPackageName(input.name);
        const entry = releaseEntry(
          input.name,
          input.version,
          input.digest,
          input.signature?.keyId ?? null,
        );
        const pkg = this.#get("SELECT kind, description FROM packages WHERE name = ?", name);
        if (pkg && pkg.kind !== input.kind) {
          throw kindMismatch(name, pkg.kind as PackageKind, input.kind);
        }
        // One version per identity: `1.0.0` and `1.0.0+build` are the same version. Versions with
        // build metadata of `key` sort between `key+` and `key,` (`,` follows `+`).
        const key = versionKey(input.version);
        const same = this.#get(
          `SELECT version FROM versions WHERE package = ?
           AND (version = ? OR (version >= ? AND version < ?)) LIMIT 1`,
          name,
          key,
          `${key}+`,
          `${key},`,
        );
        if (same) throw conflict(name, input.version, same.version as string);
        if (input.basedOn !== undefined) {
          const current = this.#all("SELECT version FROM versions WHERE package = ?", name)
            .map((r) => r.version as Version);
          checkBasedOn(name, input.version, current, input.basedOn);
        }
        const signer = input.signature?.keyId;
        const ns = this.#get(
          "SELECT require_signatures FROM namespaces WHERE name = ?",
          input.name.namespace,
        );
        const signingKey = signer === undefined ? undefined : this.#get(
          "SELECT revoked_at FROM publisher_keys WHERE namespace = ? AND key_id = ?",
          input.name.namespace,
          signer,
        );
        checkSigningPolicy(
          name,
          input.version,
          signer,
          Number(ns?.require_signatures ?? 0) === 1,
          signingKey && { revoked: signingKey.revoked_at !== null },
        );
        const now = this.#stamp();
        const description = input.description ?? (pkg?.description as string | undefined) ?? "";
        if (pkg) {
          this.#exec(
            "UPDATE packages SET updated_at = ?, description = ?, search_text = ? WHERE name = ?",
            now,
            description,
            searchableText(name, description),
            name,
          );
        } else {
          this.#exec(
            `INSERT INTO packages (name, namespace, kind, description, search_text, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
            name,
            input.name.namespace,
            input.kind,
            description,
            searchableText(name, description),
            now,
            now,
          );
        }
        const document = JSON.stringify(input.document);
        const logIndex = this.#appendLog(entry);
        try {
          this.#exec(
            `INSERT INTO versions (package, version, kind, digest, size, published_at, publisher, yanked_at, document, log_index, signer, bundle)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
            name,
            input.version,
            input.kind,
            input.digest,
            input.size,
            now,
            input.publisher,
            document,
            logIndex,
            input.signature?.keyId ?? null,
            input.signature?.bundle ?? null,
          );
        } catch (e) {
          if (isUniqueViolation(e)) throw conflict(name, input.version);
          throw e;
        }
        this.#insertRows(name, input.version, rows);
        if (input.oci !== undefined) this.#oci.put(name, { ...input.oci, version: input.version });
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
      }),
    );
  }

  replaceDerived(name: PackageName, version: Version, input: DerivedInput): Promise<void> {
    return this.#changed(
      { kind: "package", name: formatPackageName(name) },
      this.#write(() => {
        checkDocument(input.document);
        const rows = normalizeSearchRows(input.searchRows);
        const pkg = formatPackageName(name);
        const changed = this.#exec(
          "UPDATE versions SET document = ? WHERE package = ? AND version = ?",
          JSON.stringify(input.document),
          pkg,
          version,
        );
        if (changed === 0) throw versionNotFound(pkg, version);
        this.#exec("DELETE FROM search_rows WHERE package = ? AND version = ?", pkg, version);
        this.#insertRows(pkg, version, rows);
      }),
    );
  }

  setYanked(name: PackageName, version: Version, yanked: boolean): Promise<VersionSummary> {
    return this.#changed(
      { kind: "package", name: formatPackageName(name) },
      this.#write(() => {
        const pkg = formatPackageName(name);
        const row = this.#get(
          "SELECT yanked_at, digest FROM versions WHERE package = ? AND version = ?",
          pkg,
          version,
        );
        if (!row) throw versionNotFound(pkg, version);
        if (yanked !== (row.yanked_at !== null)) {
          this.#appendLog(yankEntry(pkg, version, row.digest as Digest, yanked));
        }
        if (yanked && row.yanked_at === null) {
          this.#exec(
            "UPDATE versions SET yanked_at = ? WHERE package = ? AND version = ?",
            this.#stamp(),
            pkg,
            version,
          );
        } else if (!yanked && row.yanked_at !== null) {
          this.#exec(
            "UPDATE versions SET yanked_at = NULL WHERE package = ? AND version = ?",
            pkg,
            version,
          );
        }
        return versionSummary(
          this.#get(
            `SELECT ${SUMMARY_COLUMNS} FROM versions WHERE package = ? AND version = ?`,
            pkg,
            version,
          )!,
        );
      }),
    );
  }

  setDescription(name: PackageName, description: string): Promise<PackageSummary> {
    return this.#changed(
      { kind: "package", name: formatPackageName(name) },
      this.#write(() => {
        checkDescription(description);
        const pkg = formatPackageName(name);
        const changed = this.#exec(
          "UPDATE packages SET description = ?, search_text = ? WHERE name = ?",
          description,
          searchableText(pkg, description),
          pkg,
        );
        if (changed === 0) throw packageNotFound(pkg);
        return this.#packageSummary(this.#get("SELECT * FROM packages WHERE name = ?", pkg)!);
      }),
    );
  }

  getPackage(name: PackageName): Promise<PackageDetail | undefined> {
    return this.#read(() => {
      const pkg = formatPackageName(name);
      const row = this.#get("SELECT * FROM packages WHERE name = ?", pkg);
      if (!row) return undefined;
      const versions = this.#summaries(pkg);
      return { package: this.#packageSummary(row, versions), versions };
    });
  }

  getVersion(name: PackageName, version: Version): Promise<VersionRecord | undefined> {
    return this.#read(() => {
      const row = this.#get(
        `SELECT ${SUMMARY_COLUMNS}, document, log_index, signer, bundle,
           (SELECT entry FROM log_entries WHERE idx = log_index) AS log_entry
         FROM versions WHERE package = ? AND version = ?`,
        formatPackageName(name),
        version,
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
    return this.#read(() =>
      pickLatest(this.#summaries(formatPackageName(name)), options.includePrerelease)
    );
  }

  searchRowsOf(name: PackageName, version: Version): Promise<SearchRow[]> {
    return this.#read(() =>
      this.#all(
        `SELECT ${ROW_COLUMNS} FROM search_rows WHERE package = ? AND version = ? ORDER BY rowid`,
        formatPackageName(name),
        version,
      ).map(searchRow)
    );
  }

  searchText(query: TextQuery): Promise<PackageSummary[]> {
    return this.#read(() => {
      const limit = clampLimit(query.limit);
      const terms = textTerms(query.text);
      let sql = "SELECT * FROM packages WHERE 1 = 1";
      const args: SQLInputValue[] = [];
      for (const t of terms) {
        sql += " AND instr(search_text, ?) > 0";
        args.push(t);
      }
      if (query.kind !== undefined) {
        sql += " AND kind = ?";
        args.push(query.kind);
      }
      if (!query.includeYanked) {
        sql +=
          " AND EXISTS (SELECT 1 FROM versions v WHERE v.package = packages.name AND v.yanked_at IS NULL)";
      }
      const rows = this.#all(sql, ...args) as (Row & { name: string })[];
      return rows.sort(byTextRank(terms)).slice(0, limit).map((r) => this.#packageSummary(r));
    });
  }

  searchTarget(query: TargetQuery): Promise<SearchRow[]> {
    return this.#read(() => {
      const limit = clampLimit(query.limit);
      let sql = `SELECT ${ROW_COLUMNS.split(", ").map((c) => `s.${c}`).join(", ")}
        FROM search_rows s JOIN versions v ON v.package = s.package AND v.version = s.version
        WHERE s.t_namespace = ? AND s.t_package = ? AND s.relation = ?`;
      const args: SQLInputValue[] = [query.namespace, query.package, query.relation];
      if (query.name !== undefined) {
        sql += " AND s.t_name = ?";
        args.push(query.name);
      }
      if (query.version !== undefined) {
        sql += " AND s.t_series = ?";
        args.push(seriesKey(query.version));
      }
      if (query.afterPackage !== undefined) {
        sql += " AND s.package > ?";
        args.push(query.afterPackage);
      }
      if (!query.includeYanked) sql += " AND v.yanked_at IS NULL";
      const rows = this.#all(sql, ...args).map(searchRow)
        .filter((r) => versionMatches(r.relation, r.version, query.version, matchOf(query)))
        .sort(byPackageThenVersion);
      return (query.latestPerPackage ? firstPerPackage(rows) : rows).slice(0, limit);
    });
  }

  dependentsOf(
    name: PackageName,
    options: { version?: Version; includeYanked?: boolean } = {},
  ): Promise<DependentRecord[]> {
    return this.#read(() => {
      let sql = `SELECT ${ROW_COLUMNS.split(", ").map((c) => `s.${c}`).join(", ")}
        FROM search_rows s JOIN versions v ON v.package = s.package AND v.version = s.version
        WHERE s.t_namespace = ? AND s.t_package = ? AND s.relation IN ('imports', 'depends-on')
          AND s.package <> ?`;
      if (!options.includeYanked) sql += " AND v.yanked_at IS NULL";
      const rows = this.#all(sql, name.namespace, name.name, formatPackageName(name)).map(searchRow)
        .filter((r) => versionMatches(r.relation, r.version, options.version))
        .sort(byPackageThenVersion);
      return firstPerPackage(rows).map((r) => ({ package: r.fromPackage, version: r.fromVersion }));
    });
  }

  recentPackages(limit: number): Promise<PackageSummary[]> {
    return this.#read(() =>
      this.#all("SELECT * FROM packages ORDER BY updated_at DESC, name LIMIT ?", clampLimit(limit))
        .map((r) => this.#packageSummary(r))
    );
  }

  totals(): Promise<Totals> {
    return this.#read(() => {
      const r = this.#get(`SELECT
        (SELECT count(*) FROM packages) AS packages,
        (SELECT count(*) FROM versions) AS versions,
        (SELECT count(*) FROM namespaces) AS namespaces,
        (SELECT coalesce(sum(size), 0) FROM versions) AS bytes`)!;
      return {
        packages: Number(r.packages),
        versions: Number(r.versions),
        namespaces: Number(r.namespaces),
        bytes: Number(r.bytes),
      };
    });
  }

  listVersions(options: { after?: VersionCursor; limit: number }): Promise<VersionSummary[]> {
    return this.#read(() => {
      const limit = clampLimit(options.limit);
      const rows = options.after
        ? this.#all(
          `SELECT ${SUMMARY_COLUMNS} FROM versions WHERE (package, version) > (?, ?)
           ORDER BY package, version LIMIT ?`,
          options.after.package,
          options.after.version,
          limit,
        )
        : this.#all(
          `SELECT ${SUMMARY_COLUMNS} FROM versions ORDER BY package, version LIMIT ?`,
          limit,
        );
      return rows.map(versionSummary);
    });
  }

  isDigestReferenced(digest: Digest): Promise<boolean> {
    return this.#read(() =>
      this.#get("SELECT 1 FROM versions WHERE digest = ? LIMIT 1", digest) !== undefined ||
      this.#oci.references(digest)
    );
  }

  // --- OCI (rows in storage/_sqlite_oci.ts)

  putOciManifest(
    name: PackageName,
    input: OciManifestInput & { version?: Version },
  ): Promise<{ record: OciManifestRecord; created: boolean }> {
    return this.#write(() => {
      const pkg = formatPackageName(name);
      if (
        input.version !== undefined &&
        !this.#get("SELECT 1 FROM versions WHERE package = ? AND version = ?", pkg, input.version)
      ) throw versionNotFound(pkg, input.version);
      return this.#oci.put(pkg, input);
    });
  }

  getOciManifest(name: PackageName, digest: Digest): Promise<OciManifestRecord | undefined> {
    return this.#read(() => this.#oci.get(formatPackageName(name), digest));
  }

  getOciManifestOfVersion(
    name: PackageName,
    version: Version,
  ): Promise<OciManifestRecord | undefined> {
    return this.#read(() => this.#oci.ofVersion(formatPackageName(name), version));
  }

  listOciReferrers(name: PackageName, subject: Digest): Promise<OciManifestRecord[]> {
    return this.#read(() => this.#oci.referrers(formatPackageName(name), subject));
  }

  deleteOciManifest(name: PackageName, digest: Digest): Promise<boolean> {
    return this.#write(() => this.#oci.delete(formatPackageName(name), digest));
  }

  linkOciBlob(name: PackageName, link: OciBlobLinkInput): Promise<void> {
    return this.#write(() => this.#oci.link(formatPackageName(name), link));
  }

  unlinkOciBlob(name: PackageName, digest: Digest): Promise<boolean> {
    return this.#write(() => this.#oci.unlink(formatPackageName(name), digest));
  }

  hasOciBlob(name: PackageName, digest: Digest, now: string): Promise<boolean> {
    return this.#read(() => this.#oci.has(formatPackageName(name), digest, now));
  }

  expiredOciBlobLinks(now: string, limit: number): Promise<{ package: string; digest: Digest }[]> {
    return this.#read(() => this.#oci.expiredLinks(now, clampLimit(limit)));
  }

  createOciUpload(
    name: PackageName,
    input: OciUploadInput,
    limits: { maxPerOwner: number; now: string },
  ): Promise<OciUploadRecord> {
    return this.#write(() => this.#oci.createUpload(formatPackageName(name), input, limits));
  }

  getOciUpload(id: string): Promise<OciUploadRecord | undefined> {
    return this.#read(() => this.#oci.getUpload(id));
  }

  appendOciUploadPart(id: string, part: OciUploadPart): Promise<OciUploadRecord> {
    return this.#write(() => this.#oci.append(id, part));
  }

  deleteOciUpload(id: string): Promise<boolean> {
    return this.#write(() => this.#oci.deleteUpload(id));
  }

  expiredOciUploads(now: string, limit: number): Promise<OciUploadRecord[]> {
    return this.#read(() => this.#oci.expiredUploads(now, clampLimit(limit)));
  }

  serverSecret(name: string, candidate: Uint8Array): Promise<Uint8Array> {
    return this.#write(() => {
      checkServerSecret(name, candidate);
      this.#exec(
        "INSERT OR IGNORE INTO server_secrets (name, secret, created_at) VALUES (?, ?, ?)",
        name,
        candidate,
        this.#stamp(),
      );
      const row = this.#get("SELECT secret FROM server_secrets WHERE name = ?", name)!;
      return new Uint8Array(row.secret as Uint8Array);
    });
  }

  claimNamespace(
    name: string,
    owner: string,
  ): Promise<{ namespace: NamespaceRecord; claimed: boolean }> {
    return this.#changed(
      { kind: "namespace", name: name },
      this.#write(() => {
        checkNamespace(name);
        checkUser(owner, "owner");
        const existing = this.#namespaceRecord(name);
        if (existing) return { namespace: existing, claimed: false };
        const now = this.#stamp();
        this.#exec("INSERT INTO namespaces (name, created_at) VALUES (?, ?)", name, now);
        this.#exec(
          "INSERT INTO namespace_members (namespace, member, role, added_at) VALUES (?, ?, 'owner', ?)",
          name,
          owner,
          now,
        );
        return { namespace: this.#namespaceRecord(name)!, claimed: true };
      }),
    );
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    return this.#read(() => this.#namespaceRecord(name));
  }

  setNamespaceMember(name: string, user: string, role: NamespaceRole): Promise<NamespaceRecord> {
    return this.#changed(
      { kind: "namespace", name: name },
      this.#write(() => {
        checkUser(user);
        checkRole(role);
        if (!this.#get("SELECT 1 FROM namespaces WHERE name = ?", name)) {
          throw namespaceNotFound(name);
        }
        const current = this.#get(
          "SELECT role FROM namespace_members WHERE namespace = ? AND member = ?",
          name,
          user,
        );
        if (current?.role === "owner" && role !== "owner" && this.#ownerCount(name) === 1) {
          throw lastOwner(name, user);
        }
        if (current) {
          this.#exec(
            "UPDATE namespace_members SET role = ? WHERE namespace = ? AND member = ?",
            role,
            name,
            user,
          );
        } else {
          this.#exec(
            "INSERT INTO namespace_members (namespace, member, role, added_at) VALUES (?, ?, ?, ?)",
            name,
            user,
            role,
            this.#stamp(),
          );
        }
        return this.#namespaceRecord(name)!;
      }),
    );
  }

  removeNamespaceMember(name: string, user: string): Promise<NamespaceRecord> {
    return this.#changed(
      { kind: "namespace", name: name },
      this.#write(() => {
        if (!this.#get("SELECT 1 FROM namespaces WHERE name = ?", name)) {
          throw namespaceNotFound(name);
        }
        const current = this.#get(
          "SELECT role FROM namespace_members WHERE namespace = ? AND member = ?",
          name,
          user,
        );
        if (!current) throw memberNotFound(name, user);
        if (current.role === "owner" && this.#ownerCount(name) === 1) throw lastOwner(name, user);
        this.#exec("DELETE FROM namespace_members WHERE namespace = ? AND member = ?", name, user);
        return this.#namespaceRecord(name)!;
      }),
    );
  }

  namespacesOf(user: string): Promise<NamespaceRecord[]> {
    return this.#read(() =>
      this.#all("SELECT namespace FROM namespace_members WHERE member = ? ORDER BY namespace", user)
        .map((r) => this.#namespaceRecord(r.namespace as string)!)
    );
  }

  createToken(secret: string, input: TokenInput): Promise<TokenRecord> {
    return this.#write(() => {
      const hash = hashTokenSecret(secret);
      const { scopes, namespaces } = checkToken(input);
      const id = newTokenId();
      try {
        this.#exec(
          `INSERT INTO tokens (id, secret_hash, owner, scopes, namespaces, description, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          id,
          hash,
          input.owner,
          JSON.stringify(scopes),
          namespaces === null ? null : JSON.stringify(namespaces),
          input.description ?? "",
          this.#stamp(),
        );
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new StorageError("conflict", "Cannot create token: that secret is already in use");
        }
        throw e;
      }
      return tokenRecord(this.#get("SELECT * FROM tokens WHERE id = ?", id)!);
    });
  }

  findTokenBySecret(
    secret: string,
    options: { includeRevoked?: boolean } = {},
  ): Promise<TokenRecord | undefined> {
    return this.#read(() => {
      const row = this.#get("SELECT * FROM tokens WHERE secret_hash = ?", hashTokenSecret(secret));
      if (!row || (row.revoked_at !== null && !options.includeRevoked)) return undefined;
      return tokenRecord(row);
    });
  }

  touchToken(id: string): Promise<void> {
    // The time of last use is advisory: it is written without its own fsync (the next durable
    // commit carries it), so authenticating a request does not cost a disk flush.
    return this.#run(() => {
      this.#db.exec("PRAGMA synchronous = NORMAL");
      try {
        const changed = this.#exec(
          "UPDATE tokens SET last_used_at = ? WHERE id = ?",
          this.#stamp(),
          id,
        );
        if (changed === 0) throw tokenNotFound(id);
      } finally {
        this.#db.exec(`PRAGMA synchronous = ${this.#sync}`);
      }
    });
  }

  revokeToken(id: string): Promise<TokenRecord> {
    return this.#write(() => {
      const row = this.#get("SELECT * FROM tokens WHERE id = ?", id);
      if (!row) throw tokenNotFound(id);
      if (row.revoked_at === null) {
        this.#exec("UPDATE tokens SET revoked_at = ? WHERE id = ?", this.#stamp(), id);
      }
      return tokenRecord(this.#get("SELECT * FROM tokens WHERE id = ?", id)!);
    });
  }

  listTokens(owner: string): Promise<TokenRecord[]> {
    return this.#read(() =>
      this.#all("SELECT * FROM tokens WHERE owner = ? ORDER BY created_at, id", owner).map(
        tokenRecord,
      )
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
    return this.#read(() => {
      this.#get("SELECT 1");
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    }
    return Promise.resolve();
  }

  // --- helpers

  /** Tells the listeners about a write once it committed (a claim only when it claimed). */
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
        throw new StorageError(
          "closed",
          `Cannot use metadata database "${this.#path}": it was closed`,
        );
      }
      try {
        return body();
      } catch (e) {
        throw ioError("query the metadata database", e);
      }
    });
  }

  #read<T>(body: () => T): Promise<T> {
    return this.#run(body);
  }

  #write<T>(body: () => T): Promise<T> {
    return this.#run(() => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = body();
        this.#db.exec("COMMIT");
        return result;
      } catch (e) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw e;
      }
    });
  }

  #stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  #get(sql: string, ...args: SQLInputValue[]): Row | undefined {
    return this.#stmt(sql).get(...args) as Row | undefined;
  }

  #all(sql: string, ...args: SQLInputValue[]): Row[] {
    return this.#stmt(sql).all(...args) as Row[];
  }

  #exec(sql: string, ...args: SQLInputValue[]): number {
    return Number(this.#stmt(sql).run(...args).changes);
  }

  #stamp(): string {
    return this.#now().toISOString();
  }

  /** Appends an entry to the log (inside the caller's transaction); returns its index. */
  #appendLog(entry: string): number {
    const next = this.#logSize();
    this.#exec("INSERT INTO log_entries (idx, entry) VALUES (?, ?)", next, entry);
    return next;
  }

  /** How many entries the log holds (inside the caller's read or write). */
  #logSize(): number {
    return Number(this.#get("SELECT coalesce(max(idx) + 1, 0) AS n FROM log_entries")!.n);
  }

  // --- the transparency log

  logSize(): Promise<number> {
    return this.#read(() => this.#logSize());
  }

  readLogEntries(start: number, end: number): Promise<Uint8Array[]> {
    return this.#read(() => {
      checkLogRange(start, end, this.#logSize());
      const enc = new TextEncoder();
      return this.#all(
        "SELECT entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
        start,
        end,
      ).map((r) => enc.encode(r.entry as string));
    });
  }

  readLogNodes(
    nodes: readonly { level: number; index: number }[],
  ): Promise<(Uint8Array | undefined)[]> {
    return this.#read(() =>
      nodes.map((n) => {
        const r = this.#get(
          "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?",
          n.level,
          n.index,
        );
        return r === undefined ? undefined : new Uint8Array(r.hash as Uint8Array);
      })
    );
  }

  putLogNodes(nodes: readonly LogNode[]): Promise<void> {
    return this.#write(() => {
      checkNodes(nodes);
      this.#insertNodes(nodes);
    });
  }

  #insertNodes(nodes: readonly LogNode[]): void {
    for (const n of nodes) {
      this.#exec(
        "INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        n.level,
        n.index,
        n.hash,
      );
    }
  }

  latestCheckpoint(): Promise<LogCheckpoint | undefined> {
    return this.#read(() => {
      const r = this.#get("SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1");
      return r && { size: Number(r.size), note: r.note as string };
    });
  }

  putCheckpoint(checkpoint: LogCheckpoint, nodes: readonly LogNode[] = []): Promise<void> {
    // Made again from the entries if lost (they were flushed by their own commits): this write
    // goes without its own flush, like touchToken's (the next durable commit carries it).
    return this.#run(() => {
      checkCheckpoint(checkpoint);
      checkNodes(nodes);
      this.#db.exec("PRAGMA synchronous = NORMAL");
      try {
        this.#db.exec("BEGIN IMMEDIATE");
        try {
          const r = this.#get("SELECT max(size) AS s FROM log_checkpoints");
          const latest = r?.s === null || r === undefined ? -1 : Number(r.s);
          if (checkpoint.size < latest) throw checkpointShrinks(checkpoint.size, latest);
          this.#insertNodes(nodes);
          if (checkpoint.size > latest) {
            this.#exec(
              "INSERT INTO log_checkpoints (size, note, created_at) VALUES (?, ?, ?)",
              checkpoint.size,
              checkpoint.note,
              this.#stamp(),
            );
            // Only the latest is served; older ones would grow by a row per write.
            this.#exec("DELETE FROM log_checkpoints WHERE size < ?", checkpoint.size);
          }
          this.#db.exec("COMMIT");
        } catch (e) {
          if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
          throw e;
        }
      } finally {
        this.#db.exec(`PRAGMA synchronous = ${this.#sync}`);
      }
    });
  }

  // --- publisher keys

  addPublisherKey(
    namespace: string,
    input: { keyId: string; publicKey: Uint8Array; addedBy: string },
  ): Promise<{ key: PublisherKeyRecord; created: boolean }> {
    return this.#changed(
      { kind: "namespace", name: namespace },
      this.#write(() => {
        checkKeyInput(input);
        checkUser(input.addedBy, "user");
        if (!this.#get("SELECT 1 FROM namespaces WHERE name = ?", namespace)) {
          throw namespaceNotFound(namespace);
        }
        const existing = this.#key(namespace, input.keyId);
        if (existing?.revokedAt) throw keyRevoked(namespace, input.keyId);
        if (existing) return { key: existing, created: false };
        const active = this.#get(
          "SELECT count(*) AS n FROM publisher_keys WHERE namespace = ? AND revoked_at IS NULL",
          namespace,
        ) as { n: number };
        checkKeyCount(namespace, Number(active.n));
        const logIndex = this.#appendLog(keyAddEntry(namespace, input.keyId, input.publicKey));
        this.#exec(
          `INSERT INTO publisher_keys (namespace, key_id, public_key, added_by, added_at, log_index)
           VALUES (?, ?, ?, ?, ?, ?)`,
          namespace,
          input.keyId,
          input.publicKey,
          input.addedBy,
          this.#stamp(),
          logIndex,
        );
        return { key: this.#key(namespace, input.keyId)!, created: true };
      }),
    );
  }

  revokePublisherKey(namespace: string, keyId: string): Promise<PublisherKeyRecord> {
    return this.#changed(
      { kind: "namespace", name: namespace },
      this.#write(() => {
        checkKeyId(keyId);
        const key = this.#key(namespace, keyId);
        if (!key) throw keyNotFound(namespace, keyId);
        if (key.revokedAt !== null) return key;
        const logIndex = this.#appendLog(keyRevokeEntry(namespace, keyId));
        this.#exec(
          `UPDATE publisher_keys SET revoked_at = ?, revoke_log_index = ?
           WHERE namespace = ? AND key_id = ?`,
          this.#stamp(),
          logIndex,
          namespace,
          keyId,
        );
        return this.#key(namespace, keyId)!;
      }),
    );
  }

  namespaceKeys(namespace: string): Promise<NamespaceKeys> {
    return this.#read(() => {
      const ns = this.#get("SELECT require_signatures FROM namespaces WHERE name = ?", namespace);
      return {
        requireSignatures: Number(ns?.require_signatures ?? 0) === 1,
        keys: this.#all(
          "SELECT * FROM publisher_keys WHERE namespace = ? ORDER BY log_index",
          namespace,
        ).map(publisherKeyRecord),
      };
    });
  }

  setRequireSignatures(namespace: string, require: boolean): Promise<void> {
    return this.#changed(
      { kind: "namespace", name: namespace },
      this.#write(() => {
        const changed = this.#exec(
          "UPDATE namespaces SET require_signatures = ? WHERE name = ?",
          require ? 1 : 0,
          namespace,
        );
        if (changed === 0) throw namespaceNotFound(namespace);
      }),
    );
  }

  #key(namespace: string, keyId: string): PublisherKeyRecord | undefined {
    const r = this.#get(
      "SELECT * FROM publisher_keys WHERE namespace = ? AND key_id = ?",
      namespace,
      keyId,
    );
    return r && publisherKeyRecord(r);
  }

  #insertRows(pkg: string, version: Version, rows: readonly SearchRowInput[]): void {
    for (const r of rows) {
      this.#exec(
        `INSERT INTO search_rows (package, version, relation, t_namespace, t_package, t_name, t_version, t_series)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        pkg,
        version,
        r.relation,
        r.namespace,
        r.package,
        r.name ?? "",
        r.version ?? "",
        seriesKey(r.version),
      );
    }
  }

  #summaries(pkg: string): VersionSummary[] {
    return sortVersions(
      this.#all(`SELECT ${SUMMARY_COLUMNS} FROM versions WHERE package = ?`, pkg).map(
        versionSummary,
      ),
    );
  }

  #packageSummary(row: Row, versions = this.#summaries(row.name as string)): PackageSummary {
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

  #namespaceRecord(name: string): NamespaceRecord | undefined {
    const ns = this.#get("SELECT * FROM namespaces WHERE name = ?", name);
    if (!ns) return undefined;
    const members = this.#all(
      "SELECT member, role, added_at FROM namespace_members WHERE namespace = ?",
      name,
    )
      .map((m) => ({
        user: m.member as string,
        role: m.role as NamespaceRole,
        addedAt: m.added_at as string,
      }));
    return { name, createdAt: ns.created_at as string, members: sortMembers(members) };
  }

  #ownerCount(name: string): number {
    return Number(
      this.#get(
        "SELECT count(*) AS n FROM namespace_members WHERE namespace = ? AND role = 'owner'",
        name,
      )!.n,
    );
  }
}

function migrate(db: DatabaseSync, path: string): void {
  const version = () => Number((db.prepare("PRAGMA user_version").get() as Row).user_version);
  if (version() > SCHEMA_VERSION) {
    throw new StorageError(
      "schema-too-new",
      `Cannot open metadata database "${path}": its schema version ${version()} is newer than ` +
        `this wreg's ${SCHEMA_VERSION}; upgrade wreg`,
      { path, found: version(), supported: SCHEMA_VERSION },
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= version()) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      if (m.version > version()) { // another process may have migrated meanwhile
        db.exec(m.sql);
        db.exec(`PRAGMA user_version = ${m.version}`);
      }
      db.exec("COMMIT");
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    }
  }
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { errcode?: number })?.errcode;
  return code === 1555 || code === 2067; // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
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
