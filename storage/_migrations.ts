/**
 * The schema of the embedded metadata database, as numbered migrations. The database's
 * `PRAGMA user_version` is the number of the last migration applied; opening a database applies
 * the missing ones in order, each in its own transaction, and refuses a database that is newer
 * than this list. Migrations are only ever appended.
 */
export interface Migration {
  /** 1, 2, 3, … without gaps. */
  version: number;
  /** Why the schema changed. */
  why: string;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: "packages, versions, search rows, namespaces and tokens",
    sql: `
      CREATE TABLE packages (
        name        TEXT PRIMARY KEY,               -- namespace:name
        namespace   TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('component', 'wit-package')),
        description TEXT NOT NULL DEFAULT '',
        search_text TEXT NOT NULL,                  -- lower-case name and description
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL                   -- last publish
      ) STRICT;
      CREATE INDEX packages_by_update ON packages (updated_at DESC, name);

      CREATE TABLE versions (
        package      TEXT NOT NULL REFERENCES packages (name),
        version      TEXT NOT NULL,
        kind         TEXT NOT NULL,
        digest       TEXT NOT NULL,
        size         INTEGER NOT NULL CHECK (size >= 0),
        published_at TEXT NOT NULL,
        publisher    TEXT NOT NULL,
        yanked_at    TEXT,                          -- NULL: not yanked
        document     TEXT NOT NULL,                 -- JSON, derived from the bytes
        PRIMARY KEY (package, version)
      ) STRICT;
      CREATE INDEX versions_by_digest ON versions (digest);

      CREATE TABLE search_rows (
        package     TEXT NOT NULL,
        version     TEXT NOT NULL,
        relation    TEXT NOT NULL,
        t_namespace TEXT NOT NULL,
        t_package   TEXT NOT NULL,
        t_name      TEXT NOT NULL,                  -- '' for a package-level row
        t_version   TEXT NOT NULL,                  -- '' when unversioned
        t_series    TEXT NOT NULL,                  -- semver series of t_version ('' when none)
        FOREIGN KEY (package, version) REFERENCES versions (package, version) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX search_by_target ON search_rows (t_namespace, t_package, relation, t_name, t_series);
      CREATE INDEX search_by_version ON search_rows (package, version);

      CREATE TABLE namespaces (
        name       TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE namespace_members (
        namespace TEXT NOT NULL REFERENCES namespaces (name),
        member    TEXT NOT NULL,
        role      TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        added_at  TEXT NOT NULL,
        PRIMARY KEY (namespace, member)
      ) STRICT;
      CREATE INDEX members_by_member ON namespace_members (member);

      CREATE TABLE tokens (
        id           TEXT PRIMARY KEY,
        secret_hash  TEXT NOT NULL UNIQUE,          -- sha256 of the secret; never the secret
        owner        TEXT NOT NULL,
        scopes       TEXT NOT NULL,                 -- JSON array
        namespaces   TEXT,                          -- JSON array; NULL: any
        description  TEXT NOT NULL DEFAULT '',
        created_at   TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at   TEXT
      ) STRICT;
      CREATE INDEX tokens_by_owner ON tokens (owner);
    `,
  },
  {
    version: 2,
    why:
      "OCI: manifests (pushed, or generated from a release), blobs linked to repositories, upload sessions",
    sql: `
      CREATE TABLE oci_manifests (
        package       TEXT NOT NULL,
        digest        TEXT NOT NULL,
        media_type    TEXT NOT NULL,
        bytes         BLOB NOT NULL,                -- served byte for byte
        subject       TEXT,                         -- a referrer's subject; NULL otherwise
        artifact_type TEXT,
        created_at    TEXT NOT NULL,
        PRIMARY KEY (package, digest)
      ) STRICT;
      CREATE INDEX oci_manifests_by_subject ON oci_manifests (package, subject);

      -- A version's manifest (its tag); at most one per version, never changed.
      CREATE TABLE oci_tags (
        package TEXT NOT NULL,
        version TEXT NOT NULL,
        digest  TEXT NOT NULL,
        PRIMARY KEY (package, version),
        FOREIGN KEY (package, version) REFERENCES versions (package, version),
        FOREIGN KEY (package, digest) REFERENCES oci_manifests (package, digest)
      ) STRICT;
      CREATE INDEX oci_tags_by_digest ON oci_tags (package, digest);

      -- The blobs a manifest references (kept from garbage collection).
      CREATE TABLE oci_manifest_blobs (
        package  TEXT NOT NULL,
        manifest TEXT NOT NULL,
        blob     TEXT NOT NULL,
        PRIMARY KEY (package, manifest, blob),
        FOREIGN KEY (package, manifest) REFERENCES oci_manifests (package, digest) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX oci_manifest_blobs_by_blob ON oci_manifest_blobs (blob, package);

      -- Blobs uploaded to a repository, until a manifest references them or they lapse.
      CREATE TABLE oci_blob_links (
        package    TEXT NOT NULL,
        digest     TEXT NOT NULL,
        size       INTEGER NOT NULL CHECK (size >= 0),
        expires_at TEXT NOT NULL,
        PRIMARY KEY (package, digest)
      ) STRICT;
      CREATE INDEX oci_blob_links_by_digest ON oci_blob_links (digest);
      CREATE INDEX oci_blob_links_by_expiry ON oci_blob_links (expires_at);

      CREATE TABLE oci_uploads (
        id         TEXT PRIMARY KEY,
        package    TEXT NOT NULL,
        owner      TEXT NOT NULL,
        size       INTEGER NOT NULL CHECK (size >= 0),
        parts      TEXT NOT NULL,                   -- JSON [{part, offset, size}]
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX oci_uploads_by_owner ON oci_uploads (owner, expires_at);
      CREATE INDEX oci_uploads_by_expiry ON oci_uploads (expires_at);
    `,
  },
  {
    version: 3,
    why: "secrets of the server (the key that signs the OCI token endpoint's short-lived tokens)",
    sql: `
      CREATE TABLE server_secrets (
        name       TEXT PRIMARY KEY,
        secret     BLOB NOT NULL,                  -- never logged, never served
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    why: "the transparency log (entries, node hashes, checkpoints), publisher keys, signatures",
    sql: `
      -- One row per log entry (lib/tlog's grammar), appended in the transaction of its change.
      CREATE TABLE log_entries (
        idx   INTEGER PRIMARY KEY CHECK (idx >= 0),
        entry TEXT NOT NULL
      ) STRICT;
      -- Hashes of the complete subtrees (RFC 6962), written before a checkpoint signs them.
      CREATE TABLE log_nodes (
        level INTEGER NOT NULL,
        idx   INTEGER NOT NULL,
        hash  BLOB NOT NULL,
        PRIMARY KEY (level, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE log_checkpoints (
        size       INTEGER PRIMARY KEY,
        note       TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      ALTER TABLE versions ADD COLUMN log_index INTEGER;
      ALTER TABLE versions ADD COLUMN signer TEXT;
      ALTER TABLE versions ADD COLUMN bundle BLOB;
      ALTER TABLE namespaces ADD COLUMN require_signatures INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE publisher_keys (
        namespace        TEXT NOT NULL REFERENCES namespaces (name),
        key_id           TEXT NOT NULL,
        public_key       BLOB NOT NULL,
        added_by         TEXT NOT NULL,
        added_at         TEXT NOT NULL,
        revoked_at       TEXT,
        log_index        INTEGER NOT NULL,
        revoke_log_index INTEGER,
        PRIMARY KEY (namespace, key_id)
      ) STRICT;
      -- Versions published before the log: logged now, unsigned, in the order they were published.
      UPDATE versions SET log_index = m.i FROM (
        SELECT package, version,
               row_number() OVER (ORDER BY published_at, package, version) - 1 AS i
        FROM versions
      ) AS m WHERE m.package = versions.package AND m.version = versions.version;
      INSERT INTO log_entries (idx, entry)
        SELECT log_index, 'wreg-release/v1 ' || package || ' ' || version || ' ' || digest || ' -' || char(10)
        FROM versions ORDER BY log_index;
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;
