/**
 * Every file name and storage key the storage layer uses, in one place. A scale-out backend keys
 * its objects with the same functions ({@link blobKey}), so a data directory and a bucket have the
 * same shape.
 *
 * ```
 * <dataDir>/
 *   metadata.sqlite (+ -wal, -shm)   packages, versions, search rows, namespaces, tokens
 *   blobs/
 *     .lock                           held by the one process that owns the blob directory
 *     tmp/<random>.part               uploads in progress; removed at startup
 *     sha256/<hex[0..2]>/<hex>        blob bytes, named by digest
 *     uploads/<upload>/<part>         parts of the OCI protocol's chunked uploads (sessions are
 *                                     in the metadata store; the registry sweeps lapsed ones)
 * ```
 */
import type { Digest } from "../lib/names/mod.ts";

/** The data directory used when none is configured. */
export const DEFAULT_DATA_DIR = "./wreg-data";

/** The SQLite database of the embedded metadata store, inside the data directory. */
export function metadataDbPath(dataDir: string): string {
  return join(dataDir, "metadata.sqlite");
}

/** The blob directory inside the data directory. */
export function blobsDir(dataDir: string): string {
  return join(dataDir, "blobs");
}

/** The lock file of a blob directory. */
export function blobLockPath(blobDir: string): string {
  return join(blobDir, ".lock");
}

/** Where uploads in progress are written (same file system as the blobs, so rename is atomic). */
export function blobTempDir(blobDir: string): string {
  return join(blobDir, "tmp");
}

/** The suffix of files in {@link blobTempDir}. */
export const TEMP_SUFFIX = ".part";

/** A fresh, unique temporary file name for an upload. */
export function blobTempPath(blobDir: string): string {
  const rand = crypto.getRandomValues(new Uint8Array(12)).toHex();
  return join(blobTempDir(blobDir), `${rand}${TEMP_SUFFIX}`);
}

/**
 * The key of a blob relative to a blob root: `sha256/ab/abcdef…`. Two hex digits of fan-out keep
 * directories small; the algorithm comes first so another one could be added beside it.
 */
export function blobKey(digest: Digest): string {
  const hex = digest.slice("sha256:".length);
  return `sha256/${hex.slice(0, 2)}/${hex}`;
}

/** The directory holding every fan-out directory. */
export function blobAlgoDir(blobDir: string): string {
  return join(blobDir, "sha256");
}

/** Every fan-out directory of a blob directory (`sha256/00` … `sha256/ff`). */
export function blobFanoutDirs(blobDir: string): string[] {
  return Array.from(
    { length: 256 },
    (_, i) => join(blobDir, `sha256/${i.toString(16).padStart(2, "0")}`),
  );
}

/** The fan-out directory a blob's file is in. */
export function blobFanoutDir(blobDir: string, digest: Digest): string {
  return join(blobDir, blobKey(digest).slice(0, "sha256/00".length));
}

/** The file of a blob in a blob directory. */
export function blobPath(blobDir: string, digest: Digest): string {
  return join(blobDir, blobKey(digest));
}

/** The key of an upload part relative to a blob root: `uploads/<upload>/<part>`. */
export function uploadPartKey(upload: string, part: string): string {
  return `uploads/${upload}/${part}`;
}

/** The directory of every upload's parts. */
export function uploadsDir(blobDir: string): string {
  return join(blobDir, "uploads");
}

/** The directory of one upload's parts. */
export function uploadDir(blobDir: string, upload: string): string {
  return join(uploadsDir(blobDir), upload);
}

/** The file of an upload part. */
export function uploadPartPath(blobDir: string, upload: string, part: string): string {
  return join(blobDir, uploadPartKey(upload, part));
}

/** The digest a blob file name stands for, or `undefined` for a stray file. */
export function digestOfBlobName(fanout: string, name: string): Digest | undefined {
  return /^[0-9a-f]{64}$/.test(name) && name.startsWith(fanout)
    ? `sha256:${name}` as Digest
    : undefined;
}

function join(dir: string, rest: string): string {
  return dir.endsWith("/") ? `${dir}${rest}` : `${dir}/${rest}`;
}
