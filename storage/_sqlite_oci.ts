/**
 * The OCI rows of the SQLite metadata store (migration 2: `oci_manifests`, `oci_tags`,
 * `oci_manifest_blobs`, `oci_blob_links`, `oci_uploads`). {@link SqliteMetadataStore} owns one
 * and calls it inside its transactions.
 */
import type { SQLInputValue } from "node:sqlite";
import type { Digest, Version } from "../lib/names/mod.ts";
import {
  checkOciManifest,
  checkOciPart,
  checkOciUpload,
  manifestImmutable,
  partConflict,
  tooManyUploads,
  uploadExists,
  uploadNotFound,
} from "./_oci_rules.ts";
import type {
  OciBlobLinkInput,
  OciManifestInput,
  OciManifestRecord,
  OciUploadInput,
  OciUploadPart,
  OciUploadRecord,
} from "./_types.ts";

type Row = Record<string, SQLInputValue>;

/** The store's statement helpers this module runs on (inside the store's transactions). */
export interface SqliteAccess {
  get(sql: string, ...args: SQLInputValue[]): Row | undefined;
  all(sql: string, ...args: SQLInputValue[]): Row[];
  exec(sql: string, ...args: SQLInputValue[]): number;
  stamp(): string;
}

const MANIFEST_COLUMNS = "package, digest, media_type, bytes, subject, artifact_type, created_at";

/** The OCI tables of one SQLite store. */
export class SqliteOciTables {
  constructor(readonly db: SqliteAccess) {}

  /** Checks a manifest before a transaction changes anything. */
  check(input: OciManifestInput): void {
    checkOciManifest(input);
  }

  /** Stores a manifest (the caller made sure the version exists when given). */
  put(
    pkg: string,
    input: OciManifestInput & { version?: Version },
  ): { record: OciManifestRecord; created: boolean } {
    checkOciManifest(input);
    const { db } = this;
    if (input.version !== undefined) {
      const tag = db.get(
        "SELECT digest FROM oci_tags WHERE package = ? AND version = ?",
        pkg,
        input.version,
      );
      if (tag) {
        return { record: this.#record(pkg, tag.digest as string, input.version)!, created: false };
      }
    }
    let created = false;
    if (
      !db.get("SELECT 1 FROM oci_manifests WHERE package = ? AND digest = ?", pkg, input.digest)
    ) {
      db.exec(
        `INSERT INTO oci_manifests (${MANIFEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        pkg,
        input.digest,
        input.mediaType,
        input.bytes,
        input.version === undefined ? input.subject ?? null : null,
        input.artifactType ?? null,
        db.stamp(),
      );
      for (const blob of new Set(input.blobs)) {
        db.exec(
          "INSERT INTO oci_manifest_blobs (package, manifest, blob) VALUES (?, ?, ?)",
          pkg,
          input.digest,
          blob,
        );
      }
      created = true;
    }
    if (input.version !== undefined) {
      db.exec(
        "INSERT INTO oci_tags (package, version, digest) VALUES (?, ?, ?)",
        pkg,
        input.version,
        input.digest,
      );
    }
    return { record: this.#record(pkg, input.digest, input.version)!, created };
  }

  get(pkg: string, digest: Digest): OciManifestRecord | undefined {
    return this.#record(pkg, digest);
  }

  ofVersion(pkg: string, version: Version): OciManifestRecord | undefined {
    const tag = this.db.get(
      "SELECT digest FROM oci_tags WHERE package = ? AND version = ?",
      pkg,
      version,
    );
    return tag && this.#record(pkg, tag.digest as string, version);
  }

  referrers(pkg: string, subject: Digest): OciManifestRecord[] {
    return this.db.all(
      `SELECT digest FROM oci_manifests WHERE package = ? AND subject = ?
       ORDER BY created_at, digest LIMIT 1000`,
      pkg,
      subject,
    ).map((r) => this.#record(pkg, r.digest as string)!);
  }

  delete(pkg: string, digest: Digest): boolean {
    const { db } = this;
    if (!db.get("SELECT 1 FROM oci_manifests WHERE package = ? AND digest = ?", pkg, digest)) {
      return false;
    }
    if (db.get("SELECT 1 FROM oci_tags WHERE package = ? AND digest = ?", pkg, digest)) {
      throw manifestImmutable(pkg, digest);
    }
    db.exec("DELETE FROM oci_manifest_blobs WHERE package = ? AND manifest = ?", pkg, digest);
    db.exec("DELETE FROM oci_manifests WHERE package = ? AND digest = ?", pkg, digest);
    return true;
  }

  link(pkg: string, link: OciBlobLinkInput): void {
    this.db.exec(
      `INSERT INTO oci_blob_links (package, digest, size, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (package, digest) DO UPDATE SET size = excluded.size,
         expires_at = max(expires_at, excluded.expires_at)`,
      pkg,
      link.digest,
      link.size,
      link.expiresAt,
    );
  }

  unlink(pkg: string, digest: Digest): boolean {
    return this.db.exec(
      "DELETE FROM oci_blob_links WHERE package = ? AND digest = ?",
      pkg,
      digest,
    ) >
      0;
  }

  /** Whether a version, a manifest or a live link of the package holds the blob. */
  has(pkg: string, digest: Digest, now: string): boolean {
    const { db } = this;
    return db.get(
          "SELECT 1 FROM versions WHERE package = ? AND digest = ? LIMIT 1",
          pkg,
          digest,
        ) !==
        undefined ||
      db.get(
          "SELECT 1 FROM oci_manifest_blobs WHERE blob = ? AND package = ? LIMIT 1",
          digest,
          pkg,
        ) !== undefined ||
      db.get(
          "SELECT 1 FROM oci_blob_links WHERE package = ? AND digest = ? AND expires_at > ?",
          pkg,
          digest,
          now,
        ) !== undefined;
  }

  /** Whether a manifest or a link references the digest. */
  references(digest: Digest): boolean {
    const { db } = this;
    return db.get("SELECT 1 FROM oci_manifest_blobs WHERE blob = ? LIMIT 1", digest) !==
        undefined ||
      db.get("SELECT 1 FROM oci_blob_links WHERE digest = ? LIMIT 1", digest) !== undefined;
  }

  expiredLinks(now: string, limit: number): { package: string; digest: Digest }[] {
    return this.db.all(
      "SELECT package, digest FROM oci_blob_links WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
      now,
      limit,
    ).map((r) => ({ package: r.package as string, digest: r.digest as Digest }));
  }

  createUpload(
    pkg: string,
    input: OciUploadInput,
    limits: { maxPerOwner: number; now: string },
  ): OciUploadRecord {
    checkOciUpload(input);
    const { db } = this;
    if (db.get("SELECT 1 FROM oci_uploads WHERE id = ?", input.id)) throw uploadExists(input.id);
    const open = Number(
      db.get(
        "SELECT count(*) AS n FROM oci_uploads WHERE owner = ? AND expires_at > ?",
        input.owner,
        limits.now,
      )!.n,
    );
    if (open >= limits.maxPerOwner) throw tooManyUploads(input.owner, limits.maxPerOwner);
    db.exec(
      `INSERT INTO oci_uploads (id, package, owner, size, parts, created_at, expires_at)
       VALUES (?, ?, ?, 0, '[]', ?, ?)`,
      input.id,
      pkg,
      input.owner,
      db.stamp(),
      input.expiresAt,
    );
    return this.getUpload(input.id)!;
  }

  getUpload(id: string): OciUploadRecord | undefined {
    const r = this.db.get("SELECT * FROM oci_uploads WHERE id = ?", id);
    return r && uploadRecord(r);
  }

  append(id: string, part: OciUploadPart): OciUploadRecord {
    checkOciPart(part);
    const u = this.getUpload(id);
    if (u === undefined) throw uploadNotFound(id);
    if (part.offset !== u.size) throw partConflict(id, part.offset, u.size);
    u.parts.push({ part: part.part, offset: part.offset, size: part.size });
    u.size += part.size;
    this.db.exec(
      "UPDATE oci_uploads SET size = ?, parts = ? WHERE id = ?",
      u.size,
      JSON.stringify(u.parts),
      id,
    );
    return u;
  }

  deleteUpload(id: string): boolean {
    return this.db.exec("DELETE FROM oci_uploads WHERE id = ?", id) > 0;
  }

  expiredUploads(now: string, limit: number): OciUploadRecord[] {
    return this.db.all(
      "SELECT * FROM oci_uploads WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
      now,
      limit,
    ).map(uploadRecord);
  }

  #record(pkg: string, digest: string, version?: Version): OciManifestRecord | undefined {
    const { db } = this;
    const r = db.get(
      `SELECT ${MANIFEST_COLUMNS} FROM oci_manifests WHERE package = ? AND digest = ?`,
      pkg,
      digest,
    );
    if (!r) return undefined;
    const tag = version ??
      db.get(
        "SELECT version FROM oci_tags WHERE package = ? AND digest = ? ORDER BY version LIMIT 1",
        pkg,
        digest,
      )?.version as Version | undefined;
    return {
      package: pkg,
      digest: r.digest as Digest,
      mediaType: r.media_type as string,
      bytes: new Uint8Array(r.bytes as Uint8Array),
      version: tag ?? null,
      subject: r.subject as Digest | null,
      artifactType: r.artifact_type as string | null,
      blobs: db.all(
        "SELECT blob FROM oci_manifest_blobs WHERE package = ? AND manifest = ? ORDER BY rowid",
        pkg,
        digest,
      ).map((b) => b.blob as Digest),
      createdAt: r.created_at as string,
    };
  }
}

function uploadRecord(r: Row): OciUploadRecord {
  return {
    id: r.id as string,
    package: r.package as string,
    owner: r.owner as string,
    size: Number(r.size),
    parts: JSON.parse(r.parts as string) as OciUploadPart[],
    createdAt: r.created_at as string,
    expiresAt: r.expires_at as string,
  };
}
