/**
 * The rules both metadata stores apply to OCI rows (manifests, repository blob links, upload
 * sessions), and their errors, written once.
 */
import { type Digest, tryParseDigest } from "../lib/names/mod.ts";
import { StorageError } from "./_errors.ts";
import type { OciManifestInput, OciUploadInput, OciUploadPart } from "./_types.ts";

/** Largest manifest stored (what the distribution spec asks registries to accept). */
export const MAX_OCI_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Most blobs one manifest may reference. */
export const MAX_OCI_MANIFEST_BLOBS = 1024;

const ID = /^[a-z0-9-]{1,64}$/;

function invalid(message: string, details: Record<string, unknown> = {}): StorageError {
  return new StorageError("invalid-input", message, details);
}

function checkDigest(d: unknown, what: string): Digest {
  const digest = typeof d === "string" ? tryParseDigest(d) : undefined;
  if (digest === undefined) throw invalid(`Invalid ${what}: expected sha256:<64 hex digits>`);
  return digest;
}

/** Checks an upload or part id. */
export function checkOciId(id: string, what = "upload id"): void {
  if (typeof id !== "string" || !ID.test(id)) {
    throw invalid(
      `Invalid ${what} ${
        JSON.stringify(String(id).slice(0, 80))
      }: expected 1 to 64 of a-z, 0-9, "-"`,
    );
  }
}

/** Checks a manifest before it is stored. */
export function checkOciManifest(input: OciManifestInput): void {
  checkDigest(input.digest, "manifest digest");
  if (!(input.bytes instanceof Uint8Array) || input.bytes.length > MAX_OCI_MANIFEST_BYTES) {
    throw invalid(`Invalid manifest: at most ${MAX_OCI_MANIFEST_BYTES} bytes`);
  }
  if (
    typeof input.mediaType !== "string" || input.mediaType === "" || input.mediaType.length > 255
  ) {
    throw invalid("Invalid manifest media type");
  }
  if (input.subject !== undefined) checkDigest(input.subject, "manifest subject");
  if (
    input.artifactType !== undefined &&
    (typeof input.artifactType !== "string" || input.artifactType.length > 255)
  ) {
    throw invalid("Invalid manifest artifact type");
  }
  if (!Array.isArray(input.blobs) || input.blobs.length > MAX_OCI_MANIFEST_BLOBS) {
    throw invalid(`Invalid manifest blobs: a list of at most ${MAX_OCI_MANIFEST_BLOBS} digests`);
  }
  for (const b of input.blobs) checkDigest(b, "manifest blob");
}

/** Checks a session before it is opened. */
export function checkOciUpload(input: OciUploadInput): void {
  checkOciId(input.id);
  if (typeof input.owner !== "string" || input.owner === "" || input.owner.length > 255) {
    throw invalid("Invalid upload owner");
  }
  if (typeof input.expiresAt !== "string" || Number.isNaN(Date.parse(input.expiresAt))) {
    throw invalid("Invalid upload expiry: expected an ISO-8601 time");
  }
}

/** Checks a part before it is appended. */
export function checkOciPart(part: OciUploadPart): void {
  checkOciId(part.part, "part id");
  if (!Number.isSafeInteger(part.offset) || part.offset < 0) throw invalid("Invalid part offset");
  if (!Number.isSafeInteger(part.size) || part.size < 0) throw invalid("Invalid part size");
}

/** `conflict`: a part does not start where the session ends. */
export function partConflict(id: string, offset: number, size: number): StorageError {
  return new StorageError(
    "conflict",
    `Cannot append to upload "${id}": the part starts at byte ${offset}, but the upload has ${size} bytes`,
    { upload: id, offset, size },
  );
}

/** `not-found` for a session. */
export function uploadNotFound(id: string): StorageError {
  return new StorageError("not-found", `Cannot find upload "${id}"`, { upload: id });
}

/** `conflict`: a used session id. */
export function uploadExists(id: string): StorageError {
  return new StorageError("conflict", `Cannot open upload "${id}": the id is in use`, {
    upload: id,
  });
}

/** `limit`: too many open sessions. */
export function tooManyUploads(owner: string, max: number): StorageError {
  return new StorageError(
    "limit",
    `Cannot open another upload for ${
      JSON.stringify(owner)
    }: ${max} are open; finish or cancel one, or wait for them to lapse`,
    { owner, limit: max },
  );
}

/** `conflict`: a version's own manifest cannot be removed. */
export function manifestImmutable(pkg: string, digest: string): StorageError {
  return new StorageError(
    "conflict",
    `Cannot delete manifest "${digest}" of "${pkg}": it is a version's manifest, and versions are immutable`,
    { package: pkg, digest },
  );
}
