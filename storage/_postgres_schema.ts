/**
 * The schema of the PostgreSQL metadata store, as numbered migrations (the same tables as the
 * embedded SQLite schema, storage/_migrations.ts, in PostgreSQL's dialect). The table
 * `wreg_migrations` records each applied migration; a store applies the missing ones at open,
 * all in one transaction under a database-wide advisory lock, so that several registry processes
 * starting together migrate once. Migrations are only ever appended.
 *
 * Text keys use the "C" collation so that ordering (pagination of `listVersions`) is by bytes,
 * as in SQLite, whatever the database's default collation. Timestamps are ISO-8601 text, as the
 * other stores return them; documents are JSON text, served as stored (key order kept).
 */
import type { Migration } from "./_migrations.ts";

/** Every PostgreSQL migration, oldest first. */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: "packages, versions, search rows, namespaces and tokens",
    sql: `
      CREATE TABLE packages (
        name        text COLLATE "C" PRIMARY KEY,
        namespace   text COLLATE "C" NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('component', 'wit-package')),
        description text NOT NULL DEFAULT '',
        search_text text NOT NULL,
        created_at  text NOT NULL,
        updated_at  text NOT NULL
      );
      CREATE INDEX packages_by_update ON packages (updated_at DESC, name);

      CREATE TABLE versions (
        package      text COLLATE "C" NOT NULL REFERENCES packages (name),
        version      text COLLATE "C" NOT NULL,
        kind         text NOT NULL,
        digest       text COLLATE "C" NOT NULL,
        size         bigint NOT NULL CHECK (size >= 0),
        published_at text NOT NULL,
        publisher    text NOT NULL,
        yanked_at    text,
        document     text NOT NULL,
        PRIMARY KEY (package, version)
      );
      CREATE INDEX versions_by_digest ON versions (digest);

      CREATE TABLE search_rows (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        package     text COLLATE "C" NOT NULL,
        version     text COLLATE "C" NOT NULL,
        relation    text NOT NULL,
        t_namespace text COLLATE "C" NOT NULL,
        t_package   text COLLATE "C" NOT NULL,
        t_name      text COLLATE "C" NOT NULL,
        t_version   text COLLATE "C" NOT NULL,
        t_series    text COLLATE "C" NOT NULL,
        FOREIGN KEY (package, version) REFERENCES versions (package, version) ON DELETE CASCADE
      );
      CREATE INDEX search_by_target ON search_rows (t_namespace, t_package, relation, t_name, t_series);
      CREATE INDEX search_by_version ON search_rows (package, version, id);

      CREATE TABLE namespaces (
        name       text COLLATE "C" PRIMARY KEY,
        created_at text NOT NULL
      );

      CREATE TABLE namespace_members (
        namespace text COLLATE "C" NOT NULL REFERENCES namespaces (name),
        member    text COLLATE "C" NOT NULL,
        role      text NOT NULL CHECK (role IN ('owner', 'member')),
        added_at  text NOT NULL,
        PRIMARY KEY (namespace, member)
      );
      CREATE INDEX members_by_member ON namespace_members (member);

      CREATE TABLE tokens (
        id           text COLLATE "C" PRIMARY KEY,
        secret_hash  text NOT NULL UNIQUE,
        owner        text COLLATE "C" NOT NULL,
        scopes       text NOT NULL,
        namespaces   text,
        description  text NOT NULL DEFAULT '',
        created_at   text NOT NULL,
        last_used_at text,
        revoked_at   text
      );
      CREATE INDEX tokens_by_owner ON tokens (owner, created_at, id);
    `,
  },
  {
    version: 2,
    why:
      "OCI: manifests (pushed, or generated from a release), blobs linked to repositories, upload sessions",
    sql: `
      CREATE TABLE oci_manifests (
        package       text COLLATE "C" NOT NULL,
        digest        text COLLATE "C" NOT NULL,
        media_type    text NOT NULL,
        bytes         bytea NOT NULL,
        subject       text COLLATE "C",
        artifact_type text,
        created_at    text NOT NULL,
        PRIMARY KEY (package, digest)
      );
      CREATE INDEX oci_manifests_by_subject ON oci_manifests (package, subject, created_at, digest);

      CREATE TABLE oci_tags (
        package text COLLATE "C" NOT NULL,
        version text COLLATE "C" NOT NULL,
        digest  text COLLATE "C" NOT NULL,
        PRIMARY KEY (package, version),
        FOREIGN KEY (package, version) REFERENCES versions (package, version),
        FOREIGN KEY (package, digest) REFERENCES oci_manifests (package, digest)
      );
      CREATE INDEX oci_tags_by_digest ON oci_tags (package, digest);

      CREATE TABLE oci_manifest_blobs (
        package  text COLLATE "C" NOT NULL,
        manifest text COLLATE "C" NOT NULL,
        blob     text COLLATE "C" NOT NULL,
        position integer NOT NULL,
        PRIMARY KEY (package, manifest, blob),
        FOREIGN KEY (package, manifest) REFERENCES oci_manifests (package, digest) ON DELETE CASCADE
      );
      CREATE INDEX oci_manifest_blobs_by_blob ON oci_manifest_blobs (blob, package);

      CREATE TABLE oci_blob_links (
        package    text COLLATE "C" NOT NULL,
        digest     text COLLATE "C" NOT NULL,
        size       bigint NOT NULL CHECK (size >= 0),
        expires_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (package, digest)
      );
      CREATE INDEX oci_blob_links_by_digest ON oci_blob_links (digest);
      CREATE INDEX oci_blob_links_by_expiry ON oci_blob_links (expires_at);

      CREATE TABLE oci_uploads (
        id         text COLLATE "C" PRIMARY KEY,
        package    text COLLATE "C" NOT NULL,
        owner      text COLLATE "C" NOT NULL,
        size       bigint NOT NULL CHECK (size >= 0),
        parts      text NOT NULL,
        created_at text NOT NULL,
        expires_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX oci_uploads_by_owner ON oci_uploads (owner, expires_at);
      CREATE INDEX oci_uploads_by_expiry ON oci_uploads (expires_at);
    `,
  },
  {
    version: 3,
    why: "secrets of the server (the key that signs the OCI token endpoint's short-lived tokens)",
    sql: `
      CREATE TABLE server_secrets (
        name       text COLLATE "C" PRIMARY KEY,
        secret     bytea NOT NULL,
        created_at text NOT NULL
      );
    `,
  },
  {
    version: 4,
    why: "the transparency log (entries, node hashes, checkpoints), publisher keys, signatures",
    sql: `
      CREATE TABLE log_entries (
        idx   bigint PRIMARY KEY CHECK (idx >= 0),
        entry text NOT NULL
      );
      CREATE TABLE log_nodes (
        level integer NOT NULL,
        idx   bigint NOT NULL,
        hash  bytea NOT NULL,
        PRIMARY KEY (level, idx)
      );
      CREATE TABLE log_checkpoints (
        size       bigint PRIMARY KEY,
        note       text NOT NULL,
        created_at text NOT NULL
      );
      ALTER TABLE versions ADD COLUMN log_index bigint;
      ALTER TABLE versions ADD COLUMN signer text COLLATE "C";
      ALTER TABLE versions ADD COLUMN bundle bytea;
      ALTER TABLE namespaces ADD COLUMN require_signatures boolean NOT NULL DEFAULT false;
      CREATE TABLE publisher_keys (
        namespace        text COLLATE "C" NOT NULL REFERENCES namespaces (name),
        key_id           text COLLATE "C" NOT NULL,
        public_key       bytea NOT NULL,
        added_by         text NOT NULL,
        added_at         text NOT NULL,
        revoked_at       text,
        log_index        bigint NOT NULL,
        revoke_log_index bigint,
        PRIMARY KEY (namespace, key_id)
      );
      UPDATE versions SET log_index = m.i FROM (
        SELECT package, version,
               row_number() OVER (ORDER BY published_at, package, version) - 1 AS i
        FROM versions
      ) AS m WHERE m.package = versions.package AND m.version = versions.version;
      INSERT INTO log_entries (idx, entry)
        SELECT log_index, 'wreg-release/v1 ' || package || ' ' || version || ' ' || digest || ' -' || chr(10)
        FROM versions ORDER BY log_index;
    `,
  },
];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS[PG_MIGRATIONS.length - 1].version;
