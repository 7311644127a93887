/**
 * Moving an embedded registry (SQLite + blob files in a data directory) into the scale-out
 * storage (PostgreSQL + an object store), for `wreg admin migrate`.
 *
 * - The source is opened as a registry would open it, so its lock keeps a registry off it while
 *   it is read; its schema is brought up to date first.
 * - Rows are copied as they are (timestamps, token hashes, documents, yanks), each table keyed as
 *   in the schema and inserted only when the key is new, so a second run inserts nothing and an
 *   interrupted run resumes where it stopped.
 * - A version's blob is copied before its row (put with the digest declared: the bytes are hashed
 *   on the way and the object store checks them again), so a version is never there without its
 *   bytes; a blob already there with the right size is not sent again.
 * - Then everything is verified: every table of the target equals the source's, and every
 *   referenced blob is there with its size and (unless `quick`) bytes that hash to its digest.
 */
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import type { Digest } from "../lib/names/mod.ts";
import { StorageError } from "./_errors.ts";
import { openStorage } from "./_open.ts";
import { openConfiguredStorage, type StorageConfig } from "./_open_configured.ts";
import { metadataDbPath } from "./_paths.ts";
import type { ImportTable, PostgresMetadataStore } from "./_postgres_metadata_store.ts";
import type { BlobStore } from "./_types.ts";

/** What {@link migrateEmbedded} did. */
export interface MigrateReport {
  /** Rows inserted, by table (all 0 when the target had everything). */
  rows: Record<string, number>;
  /** Blobs sent to the target, and their bytes. */
  blobsMoved: number;
  bytesMoved: number;
  /** Blobs the target had already. */
  blobsPresent: number;
  /** Blobs verified in the target (size, and bytes unless quick). */
  blobsVerified: number;
  /** What differs between source and target after the move; empty when identical. */
  problems: string[];
}

/** Options of {@link migrateEmbedded}. */
export interface MigrateOptions {
  /** The embedded data directory to move. */
  from: string;
  /** The target: `database` (PostgreSQL) and `blobs` (S3, or absent: files beside `dataDir`). */
  to: StorageConfig;
  /** Check sizes only, not the bytes of every blob. */
  quick?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

type Row = Record<string, unknown>;

const TABLES: ImportTable[] = ["namespaces", "namespace_members", "tokens", "packages"];
const OCI_TABLES: ImportTable[] = ["oci_manifests", "oci_manifest_blobs", "oci_tags"];
/** The transparency log and publisher keys (the log key file is not data: point --log-key at it). */
const LOG_TABLES: ImportTable[] = ["log_entries", "log_nodes", "log_checkpoints", "publisher_keys"];

/** See the module documentation. */
export async function migrateEmbedded(options: MigrateOptions): Promise<MigrateReport> {
  const log = options.log ?? (() => {});
  try {
    await Deno.stat(metadataDbPath(options.from));
  } catch {
    throw new StorageError(
      "not-found",
      `Cannot migrate "${options.from}": it holds no wreg registry (no metadata.sqlite)`,
      { dataDir: options.from },
    );
  }
  if (options.to.database === undefined) {
    throw new StorageError(
      "invalid-input",
      "Cannot migrate: the target needs a PostgreSQL database (--to postgres://…)",
    );
  }
  const source = await openStorage({ dataDir: options.from });
  const db = new DatabaseSync(metadataDbPath(options.from), { readOnly: true });
  let target;
  try {
    target = await openConfiguredStorage(options.to);
  } catch (e) {
    db.close();
    await source.close();
    throw e;
  }
  const metadata = target.metadata as PostgresMetadataStore;
  const report: MigrateReport = {
    rows: {},
    blobsMoved: 0,
    bytesMoved: 0,
    blobsPresent: 0,
    blobsVerified: 0,
    problems: [],
  };
  const all = (sql: string, ...args: string[]) => db.prepare(sql).all(...args) as Row[];
  try {
    for (const table of TABLES) {
      report.rows[table] = await metadata.importRows(table, sourceRows(all, table));
    }
    log(`namespaces, members, tokens and packages: ${sum(report.rows)} rows inserted`);

    // Versions, each after its blob, each with its search rows in one transaction.
    const sizes = new Map<Digest, number>();
    report.rows.versions = 0;
    report.rows.search_rows = 0;
    for (const v of all("SELECT * FROM versions ORDER BY package, version")) {
      const digest = v.digest as Digest;
      sizes.set(digest, Number(v.size));
      await copyBlob(source.blobs, target.blobs, digest, Number(v.size), report);
      const rows = all(
        "SELECT * FROM search_rows WHERE package = ? AND version = ? ORDER BY rowid",
        v.package as string,
        v.version as string,
      );
      if (await metadata.importVersion(v, rows)) {
        report.rows.versions++;
        report.rows.search_rows += rows.length;
      }
    }
    log(`versions: ${report.rows.versions} inserted, ${report.blobsMoved} blobs moved`);

    // OCI manifests (and the config blobs they name) and the tags that tie them to versions.
    const hasOci = all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'oci_tags'")
      .length > 0;
    if (hasOci) {
      for (const b of all("SELECT DISTINCT blob FROM oci_manifest_blobs ORDER BY blob")) {
        const digest = b.blob as Digest;
        if (sizes.has(digest)) continue;
        const stat = await source.blobs.stat(digest);
        if (stat === undefined) {
          report.problems.push(`blob ${digest} named by an OCI manifest is missing in the source`);
          continue;
        }
        sizes.set(digest, stat.size);
        await copyBlob(source.blobs, target.blobs, digest, stat.size, report);
      }
      for (const table of OCI_TABLES) {
        report.rows[table] = await metadata.importRows(table, sourceRows(all, table));
      }
    }

    // The log as it is (entries, node hashes, signed checkpoints) and the publisher keys.
    for (const table of LOG_TABLES) {
      report.rows[table] = await metadata.importRows(table, sourceRows(all, table));
    }

    // Verify: the same rows, and every blob whole.
    const compared: (ImportTable | "search_rows")[] = [
      ...TABLES,
      "versions",
      "search_rows",
      ...(hasOci ? OCI_TABLES : []),
      ...LOG_TABLES,
    ];
    for (const table of compared) {
      const order = table === "search_rows" ? "package, version, rowid" : keyOf(table);
      const want = (table === "oci_manifest_blobs"
        ? sourceRows(all, table)
        : all(`SELECT * FROM ${table} ORDER BY ${order}`)).map((r) =>
          normalize(r, table)
        );
      const got = (await metadata.tableRows(table)).map((r) => normalize(r, table));
      const wantText = want.map((r) => JSON.stringify(r));
      const gotText = new Set(got.map((r) => JSON.stringify(r)));
      const missing = wantText.filter((r) => !gotText.has(r));
      if (missing.length > 0 || want.length !== got.length) {
        report.problems.push(
          `${table}: the target has ${got.length} rows, the source ${want.length}; ${missing.length} differ (first: ${
            missing[0]?.slice(0, 200) ?? "none"
          })`,
        );
      }
    }
    for (const [digest, size] of sizes) {
      const stat = await target.blobs.stat(digest);
      if (stat === undefined) report.problems.push(`blob ${digest} is missing in the target`);
      else if (stat.size !== size) {
        report.problems.push(`blob ${digest} has ${stat.size} bytes in the target, not ${size}`);
      } else if (!options.quick) {
        const hash = createHash("sha256");
        for await (const chunk of (await target.blobs.get(digest)).stream) hash.update(chunk);
        if (`sha256:${hash.digest("hex")}` !== digest) {
          report.problems.push(`blob ${digest} in the target does not hash to its digest`);
        } else report.blobsVerified++;
      } else report.blobsVerified++;
    }
    log(`verified: ${compared.length} tables, ${report.blobsVerified} blobs`);
    return report;
  } finally {
    db.close();
    await target.close();
    await source.close();
  }
}

async function copyBlob(
  from: BlobStore,
  to: BlobStore,
  digest: Digest,
  size: number,
  report: MigrateReport,
): Promise<void> {
  const there = await to.stat(digest);
  if (there !== undefined && there.size === size) {
    report.blobsPresent++;
    return;
  }
  const body = await from.get(digest);
  await to.put(body.stream, { digest });
  report.blobsMoved++;
  report.bytesMoved += size;
}

/**
 * A table's rows as the target stores them: SQLite keeps a manifest's blobs in insertion order
 * (rowid), PostgreSQL numbers them (`position`).
 */
function sourceRows(all: (sql: string) => Row[], table: ImportTable): Row[] {
  if (table === "namespaces") {
    return all("SELECT * FROM namespaces").map((r) => ({
      ...r,
      require_signatures: Number(r.require_signatures) === 1,
    }));
  }
  if (table !== "oci_manifest_blobs") return all(`SELECT * FROM ${table}`);
  const rows = all("SELECT * FROM oci_manifest_blobs ORDER BY package, manifest, rowid");
  let group = "";
  let position = 0;
  return rows.map((r) => {
    const g = `${r.package} ${r.manifest}`;
    position = g === group ? position + 1 : 0;
    group = g;
    return { ...r, position };
  });
}

function keyOf(table: ImportTable): string {
  return {
    namespaces: "name",
    namespace_members: "namespace, member",
    tokens: "id",
    packages: "name",
    versions: "package, version",
    oci_manifests: "package, digest",
    oci_manifest_blobs: "package, manifest, blob",
    oci_tags: "package, version",
    log_entries: "idx",
    log_nodes: "level, idx",
    log_checkpoints: "size",
    publisher_keys: "namespace, key_id",
  }[table];
}

/** Columns PostgreSQL answers as text (bigint) that SQLite answers as numbers. */
const NUMERIC = new Set(["size", "idx", "log_index", "revoke_log_index"]);

/** A row as comparable JSON: bytes as hex, numbers as numbers, no generated ids. */
function normalize(row: Row, table: string): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (table === "search_rows" && (k === "id" || k === "rowid")) continue;
    out[k] = v instanceof Uint8Array
      ? Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")
      : typeof v === "bigint" || (NUMERIC.has(k) && typeof v === "string")
      ? Number(v)
      : typeof v === "boolean"
      ? Number(v)
      : v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function sum(rows: Record<string, number>): number {
  return Object.values(rows).reduce((a, b) => a + b, 0);
}
