/**
 * The OCI rows of the PostgreSQL metadata store (migration 2, the same tables as the SQLite
 * store's). {@link PostgresMetadataStore} runs these inside its transactions. What several
 * processes may race on is decided by the database: a version's manifest and a manifest row are
 * inserted `ON CONFLICT DO NOTHING` (the first one stays), a part is appended by a conditional
 * `UPDATE … WHERE size = offset`, and opening a session counts the owner's open sessions under
 * a transaction-scoped advisory lock on the owner.
 */
import type postgres from "postgres";
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

type Sql = postgres.Sql | postgres.TransactionSql;
type Row = postgres.Row;

/** Checks a manifest before a transaction sends anything. */
export function checkPgOciManifest(input: OciManifestInput): void {
  checkOciManifest(input);
}

/** Stores a manifest (the caller made sure the version exists when given). */
export async function putPgOciManifest(
  tx: Sql,
  pkg: string,
  input: OciManifestInput & { version?: Version },
  now: string,
): Promise<{ record: OciManifestRecord; created: boolean }> {
  checkOciManifest(input);
  if (input.version !== undefined) {
    const [tag] =
      await tx`SELECT digest FROM oci_tags WHERE package = ${pkg} AND version = ${input.version}`;
    if (tag) {
      return {
        record: (await pgOciRecord(tx, pkg, tag.digest as string, input.version))!,
        created: false,
      };
    }
  }
  const inserted = await tx`
    INSERT INTO oci_manifests (package, digest, media_type, bytes, subject, artifact_type, created_at)
    VALUES (${pkg}, ${input.digest}, ${input.mediaType}, ${input.bytes},
            ${input.version === undefined ? input.subject ?? null : null},
            ${input.artifactType ?? null}, ${now})
    ON CONFLICT (package, digest) DO NOTHING RETURNING digest`;
  const created = inserted.length === 1;
  if (created) {
    const blobs = [...new Set(input.blobs)];
    for (const [position, blob] of blobs.entries()) {
      await tx`INSERT INTO oci_manifest_blobs (package, manifest, blob, position)
        VALUES (${pkg}, ${input.digest}, ${blob}, ${position})`;
    }
  }
  let version = input.version;
  if (input.version !== undefined) {
    const tagged = await tx`INSERT INTO oci_tags (package, version, digest)
      VALUES (${pkg}, ${input.version}, ${input.digest})
      ON CONFLICT (package, version) DO NOTHING RETURNING digest`;
    if (tagged.length === 0) {
      // Another process tagged the version first: its manifest stays.
      const [tag] =
        await tx`SELECT digest FROM oci_tags WHERE package = ${pkg} AND version = ${input.version}`;
      return {
        record: (await pgOciRecord(tx, pkg, tag.digest as string, version))!,
        created: false,
      };
    }
  } else version = undefined;
  return { record: (await pgOciRecord(tx, pkg, input.digest, version))!, created };
}

/** A manifest of a package, with a version whose manifest it is (or the one given). */
export async function pgOciRecord(
  sql: Sql,
  pkg: string,
  digest: string,
  version?: Version,
): Promise<OciManifestRecord | undefined> {
  const [r] = await sql`SELECT digest, media_type, bytes, subject, artifact_type, created_at
    FROM oci_manifests WHERE package = ${pkg} AND digest = ${digest}`;
  if (!r) return undefined;
  let tag = version;
  if (tag === undefined) {
    const [t] = await sql`SELECT version FROM oci_tags WHERE package = ${pkg} AND digest = ${digest}
      ORDER BY version LIMIT 1`;
    tag = t?.version as Version | undefined;
  }
  const blobs = await sql`SELECT blob FROM oci_manifest_blobs
    WHERE package = ${pkg} AND manifest = ${digest} ORDER BY position`;
  return {
    package: pkg,
    digest: r.digest as Digest,
    mediaType: r.media_type as string,
    bytes: new Uint8Array(r.bytes as Uint8Array),
    version: tag ?? null,
    subject: r.subject as Digest | null,
    artifactType: r.artifact_type as string | null,
    blobs: blobs.map((b) => b.blob as Digest),
    createdAt: r.created_at as string,
  };
}

/** A version's own manifest. */
export async function pgOciManifestOfVersion(
  sql: Sql,
  pkg: string,
  version: Version,
): Promise<OciManifestRecord | undefined> {
  const [tag] =
    await sql`SELECT digest FROM oci_tags WHERE package = ${pkg} AND version = ${version}`;
  return tag ? await pgOciRecord(sql, pkg, tag.digest as string, version) : undefined;
}

/** The artifacts about a subject, oldest first. */
export async function pgOciReferrers(
  sql: Sql,
  pkg: string,
  subject: Digest,
): Promise<OciManifestRecord[]> {
  const rows = await sql`SELECT digest FROM oci_manifests WHERE package = ${pkg}
    AND subject = ${subject} ORDER BY created_at, digest LIMIT 1000`;
  const out: OciManifestRecord[] = [];
  for (const r of rows) out.push((await pgOciRecord(sql, pkg, r.digest as string))!);
  return out;
}

/** Removes a referrer; a version's manifest is immutable. */
export async function deletePgOciManifest(
  tx: Sql,
  pkg: string,
  digest: Digest,
): Promise<boolean> {
  const [m] =
    await tx`SELECT 1 FROM oci_manifests WHERE package = ${pkg} AND digest = ${digest} FOR UPDATE`;
  if (!m) return false;
  const [tag] = await tx`SELECT 1 FROM oci_tags WHERE package = ${pkg} AND digest = ${digest}`;
  if (tag) throw manifestImmutable(pkg, digest);
  await tx`DELETE FROM oci_manifests WHERE package = ${pkg} AND digest = ${digest}`;
  return true;
}

/** Links a blob (a later expiry wins). */
export async function linkPgOciBlob(sql: Sql, pkg: string, link: OciBlobLinkInput): Promise<void> {
  await sql`INSERT INTO oci_blob_links (package, digest, size, expires_at)
    VALUES (${pkg}, ${link.digest}, ${link.size}, ${link.expiresAt})
    ON CONFLICT (package, digest) DO UPDATE SET size = excluded.size,
      expires_at = greatest(oci_blob_links.expires_at, excluded.expires_at)`;
}

/** Whether a version, a manifest or a live link of the package holds the blob. */
export async function hasPgOciBlob(
  sql: Sql,
  pkg: string,
  digest: Digest,
  now: string,
): Promise<boolean> {
  const [r] = await sql`SELECT
    EXISTS (SELECT 1 FROM versions WHERE package = ${pkg} AND digest = ${digest}) OR
    EXISTS (SELECT 1 FROM oci_manifest_blobs WHERE blob = ${digest} AND package = ${pkg}) OR
    EXISTS (SELECT 1 FROM oci_blob_links WHERE package = ${pkg} AND digest = ${digest}
            AND expires_at > ${now}) AS held`;
  return r.held as boolean;
}

/** Whether a manifest or a link references the digest. */
export async function pgOciReferences(sql: Sql, digest: Digest): Promise<boolean> {
  const [r] = await sql`SELECT
    EXISTS (SELECT 1 FROM oci_manifest_blobs WHERE blob = ${digest}) OR
    EXISTS (SELECT 1 FROM oci_blob_links WHERE digest = ${digest}) AS held`;
  return r.held as boolean;
}

/** Links that lapsed. */
export async function expiredPgOciLinks(
  sql: Sql,
  now: string,
  limit: number,
): Promise<{ package: string; digest: Digest }[]> {
  return (await sql`SELECT package, digest FROM oci_blob_links WHERE expires_at <= ${now}
    ORDER BY expires_at LIMIT ${limit}`).map((r) => ({
    package: r.package as string,
    digest: r.digest as Digest,
  }));
}

/** Opens a session, counting the owner's open ones under a lock on the owner. */
export async function createPgOciUpload(
  tx: Sql,
  pkg: string,
  input: OciUploadInput,
  limits: { maxPerOwner: number; now: string },
  lockKey: string,
  stamp: string,
): Promise<OciUploadRecord> {
  checkOciUpload(input);
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
  const [{ n }] = await tx`SELECT count(*)::int AS n FROM oci_uploads
    WHERE owner = ${input.owner} AND expires_at > ${limits.now}`;
  if ((n as number) >= limits.maxPerOwner) throw tooManyUploads(input.owner, limits.maxPerOwner);
  const inserted =
    await tx`INSERT INTO oci_uploads (id, package, owner, size, parts, created_at, expires_at)
    VALUES (${input.id}, ${pkg}, ${input.owner}, 0, '[]', ${stamp}, ${input.expiresAt})
    ON CONFLICT (id) DO NOTHING RETURNING *`;
  if (inserted.length === 0) throw uploadExists(input.id);
  return uploadRecord(inserted[0]);
}

/** A session. */
export async function getPgOciUpload(sql: Sql, id: string): Promise<OciUploadRecord | undefined> {
  const [r] = await sql`SELECT * FROM oci_uploads WHERE id = ${id}`;
  return r && uploadRecord(r);
}

/** Appends a part where the session ends, atomically. */
export async function appendPgOciUploadPart(
  tx: Sql,
  id: string,
  part: OciUploadPart,
): Promise<OciUploadRecord> {
  checkOciPart(part);
  const [u] = await tx`SELECT * FROM oci_uploads WHERE id = ${id} FOR UPDATE`;
  if (!u) throw uploadNotFound(id);
  if (Number(u.size) !== part.offset) throw partConflict(id, part.offset, Number(u.size));
  const parts = [...JSON.parse(u.parts as string), {
    part: part.part,
    offset: part.offset,
    size: part.size,
  }];
  const [r] = await tx`UPDATE oci_uploads SET size = size + ${part.size},
    parts = ${JSON.stringify(parts)} WHERE id = ${id} RETURNING *`;
  return uploadRecord(r);
}

/** Sessions that lapsed. */
export async function expiredPgOciUploads(
  sql: Sql,
  now: string,
  limit: number,
): Promise<OciUploadRecord[]> {
  return (await sql`SELECT * FROM oci_uploads WHERE expires_at <= ${now}
    ORDER BY expires_at LIMIT ${limit}`).map(uploadRecord);
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
