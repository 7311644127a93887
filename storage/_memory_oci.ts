/**
 * The OCI rows of the in-memory metadata store (manifests, repository blob links, upload
 * sessions). {@link MemoryMetadataStore} owns one and calls it inside its atomic methods; copies
 * go in and out, so readers never share objects with writers.
 */
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

/** The OCI tables of one memory store. */
export class MemoryOciTables {
  readonly #manifests = new Map<string, Map<string, OciManifestRecord>>();
  readonly #versionManifests = new Map<string, string>();
  readonly #links = new Map<string, Map<string, { size: number; expiresAt: string }>>();
  readonly #uploads = new Map<string, OciUploadRecord>();

  constructor(readonly stamp: () => string) {}

  /** Checks a version's manifest before the version's commit changes anything. */
  check(input: OciManifestInput): void {
    checkOciManifest(input);
  }

  /** Stores a manifest (checked); the caller made sure the version exists when given. */
  put(
    pkg: string,
    input: OciManifestInput & { version?: Version },
  ): { record: OciManifestRecord; created: boolean } {
    checkOciManifest(input);
    const byDigest = this.#manifests.get(pkg) ?? new Map<string, OciManifestRecord>();
    if (input.version !== undefined) {
      const existing = this.#versionManifests.get(`${pkg}@${input.version}`);
      if (existing !== undefined) {
        return { record: this.#out(pkg, byDigest.get(existing)!, input.version), created: false };
      }
    }
    let created = false;
    let record = byDigest.get(input.digest);
    if (record === undefined) {
      record = {
        package: pkg,
        digest: input.digest,
        mediaType: input.mediaType,
        bytes: input.bytes.slice(),
        version: null,
        subject: input.version === undefined ? input.subject ?? null : null,
        artifactType: input.artifactType ?? null,
        blobs: [...new Set(input.blobs)],
        createdAt: this.stamp(),
      };
      byDigest.set(input.digest, record);
      this.#manifests.set(pkg, byDigest);
      created = true;
    }
    if (input.version !== undefined) {
      this.#versionManifests.set(`${pkg}@${input.version}`, input.digest);
    }
    return { record: this.#out(pkg, record, input.version), created };
  }

  get(pkg: string, digest: Digest): OciManifestRecord | undefined {
    const r = this.#manifests.get(pkg)?.get(digest);
    return r && this.#out(pkg, r);
  }

  ofVersion(pkg: string, version: Version): OciManifestRecord | undefined {
    const d = this.#versionManifests.get(`${pkg}@${version}`);
    const r = d === undefined ? undefined : this.#manifests.get(pkg)?.get(d);
    return r && this.#out(pkg, r, version);
  }

  referrers(pkg: string, subject: Digest): OciManifestRecord[] {
    return [...(this.#manifests.get(pkg)?.values() ?? [])]
      .filter((r) => r.subject === subject)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.digest.localeCompare(b.digest))
      .slice(0, 1000)
      .map((r) => this.#out(pkg, r));
  }

  delete(pkg: string, digest: Digest): boolean {
    const r = this.#manifests.get(pkg)?.get(digest);
    if (r === undefined) return false;
    if (this.#versionOf(pkg, digest) !== null) throw manifestImmutable(pkg, digest);
    this.#manifests.get(pkg)!.delete(digest);
    return true;
  }

  /** The lowest version whose manifest the digest is, or `null`. */
  #versionOf(pkg: string, digest: string): Version | null {
    let found: string | null = null;
    for (const [key, d] of this.#versionManifests) {
      if (d !== digest || !key.startsWith(`${pkg}@`)) continue;
      const v = key.slice(pkg.length + 1);
      if (found === null || v < found) found = v;
    }
    return found as Version | null;
  }

  #out(pkg: string, r: OciManifestRecord, version?: Version): OciManifestRecord {
    return {
      ...r,
      bytes: r.bytes.slice(),
      blobs: [...r.blobs],
      version: version ?? this.#versionOf(pkg, r.digest),
    };
  }

  link(pkg: string, link: OciBlobLinkInput): void {
    const links = this.#links.get(pkg) ?? new Map();
    const old = links.get(link.digest);
    const expiresAt = old !== undefined && old.expiresAt > link.expiresAt
      ? old.expiresAt
      : link.expiresAt;
    links.set(link.digest, { size: link.size, expiresAt });
    this.#links.set(pkg, links);
  }

  unlink(pkg: string, digest: Digest): boolean {
    return this.#links.get(pkg)?.delete(digest) ?? false;
  }

  /** Whether a manifest of the package references the blob, or a live link holds it. */
  has(pkg: string, digest: Digest, now: string): boolean {
    const link = this.#links.get(pkg)?.get(digest);
    if (link !== undefined && link.expiresAt > now) return true;
    for (const r of this.#manifests.get(pkg)?.values() ?? []) {
      if (r.blobs.includes(digest)) return true;
    }
    return false;
  }

  /** Whether anything here references the digest. */
  references(digest: Digest): boolean {
    for (const links of this.#links.values()) if (links.has(digest)) return true;
    for (const byDigest of this.#manifests.values()) {
      for (const r of byDigest.values()) if (r.blobs.includes(digest)) return true;
    }
    return false;
  }

  expiredLinks(now: string, limit: number): { package: string; digest: Digest }[] {
    const out: { package: string; digest: Digest }[] = [];
    for (const [pkg, links] of this.#links) {
      for (const [digest, l] of links) {
        if (l.expiresAt <= now) out.push({ package: pkg, digest: digest as Digest });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  createUpload(
    pkg: string,
    input: OciUploadInput,
    limits: { maxPerOwner: number; now: string },
  ): OciUploadRecord {
    checkOciUpload(input);
    if (this.#uploads.has(input.id)) throw uploadExists(input.id);
    let open = 0;
    for (const u of this.#uploads.values()) {
      if (u.owner === input.owner && u.expiresAt > limits.now) open++;
    }
    if (open >= limits.maxPerOwner) throw tooManyUploads(input.owner, limits.maxPerOwner);
    const record: OciUploadRecord = {
      id: input.id,
      package: pkg,
      owner: input.owner,
      size: 0,
      parts: [],
      createdAt: this.stamp(),
      expiresAt: input.expiresAt,
    };
    this.#uploads.set(input.id, record);
    return copyUpload(record);
  }

  getUpload(id: string): OciUploadRecord | undefined {
    const u = this.#uploads.get(id);
    return u && copyUpload(u);
  }

  append(id: string, part: OciUploadPart): OciUploadRecord {
    checkOciPart(part);
    const u = this.#uploads.get(id);
    if (u === undefined) throw uploadNotFound(id);
    if (part.offset !== u.size) throw partConflict(id, part.offset, u.size);
    u.parts.push({ part: part.part, offset: part.offset, size: part.size });
    u.size += part.size;
    return copyUpload(u);
  }

  deleteUpload(id: string): boolean {
    return this.#uploads.delete(id);
  }

  expiredUploads(now: string, limit: number): OciUploadRecord[] {
    return [...this.#uploads.values()].filter((u) => u.expiresAt <= now).slice(0, limit).map(
      copyUpload,
    );
  }
}

function copyUpload(u: OciUploadRecord): OciUploadRecord {
  return { ...u, parts: u.parts.map((p) => ({ ...p })) };
}
