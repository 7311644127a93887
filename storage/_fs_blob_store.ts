import type { Digest } from "../lib/names/mod.ts";
import { ioError, StorageError } from "./_errors.ts";
import { DEFAULT_MAX_BLOB_SIZE, digestMismatch, ingest, resolveRange } from "./_ingest.ts";
import {
  blobAlgoDir,
  blobFanoutDir,
  blobFanoutDirs,
  blobLockPath,
  blobPath,
  blobTempDir,
  blobTempPath,
  digestOfBlobName,
  uploadDir,
  uploadPartPath,
  uploadsDir,
} from "./_paths.ts";
import { checkPartIds, concatParts, partNotFound } from "./_upload_parts.ts";
import type {
  BlobBody,
  BlobSource,
  BlobStat,
  BlobStore,
  ByteRange,
  PutOptions,
  PutResult,
} from "./_types.ts";

/** Options of {@link FsBlobStore.open}. */
export interface FsBlobStoreOptions {
  /** The default size limit of a put, in bytes (1 GiB unless given). */
  maxSize?: number;
  /**
   * Create all 256 fan-out directories at open (default false: each is created, with an fsync of
   * its parent, by the first put that needs it). Worth it for a long-lived data directory, where
   * it keeps that cost off the first publishes; it costs 256 `mkdir`s the first time.
   */
  createFanoutDirs?: boolean;
}

/** Uploads are copied into a buffer of this size and written in whole pieces. */
const WRITE_BUFFER = 1 << 20;
/**
 * Reads go through buffers of this size (or the bytes left, when fewer): a 16 MiB blob is 16
 * reads, not the 256 of `FsFile.readable`'s 64 KiB, each a trip through the runtime when the
 * HTTP server writes them out. Only {@link LARGE_READERS} streams of a store read this way at
 * once (a server streams the next chunk while writing one, so ~2 MiB each); the others read
 * {@link SMALL_READ_CHUNK} at a time, so many slow downloads cannot hold more memory than before.
 */
const READ_CHUNK = 1 << 20;
const SMALL_READ_CHUNK = 1 << 16;
const LARGE_READERS = 32;

/**
 * Blobs as files named by digest under one directory (see storage/_paths.ts for the layout).
 *
 * A put writes to a fresh temporary file in `tmp/` while hashing, fsyncs it, renames it to its
 * digest name and fsyncs the directory, so a blob is either whole under its name or absent, even
 * after a power loss. The store holds an exclusive lock on the directory; opening it removes the
 * temporary files a crashed process left.
 */
export class FsBlobStore implements BlobStore {
  readonly #dir: string;
  readonly #maxSize: number;
  #lock: Deno.FsFile | undefined;
  readonly #fanouts = new Set<string>();
  /** How many stray temporary files {@link FsBlobStore.open} removed. */
  readonly removedTempFiles: number;

  private constructor(dir: string, maxSize: number, lock: Deno.FsFile, removed: number) {
    this.#dir = dir;
    this.#maxSize = maxSize;
    this.#lock = lock;
    this.removedTempFiles = removed;
  }

  /**
   * Opens (creating when missing) a blob directory, takes its lock (`locked` when another store
   * holds it) and removes stray temporary files.
   */
  static async open(dir: string, options: FsBlobStoreOptions = {}): Promise<FsBlobStore> {
    let lock: Deno.FsFile | undefined;
    try {
      const fresh = !(await exists(dir));
      await Deno.mkdir(blobTempDir(dir), { recursive: true });
      await Deno.mkdir(blobAlgoDir(dir), { recursive: true });
      if (fresh) {
        await syncDir(dir);
        await syncDir(parentOf(dir));
      }
      lock = await Deno.open(blobLockPath(dir), { read: true, write: true, create: true });
      if (!(await lock.tryLock(true))) {
        lock.close();
        lock = undefined;
        throw new StorageError(
          "locked",
          `Cannot open blob directory "${dir}": another wreg process is using it`,
          { dir },
        );
      }
      let removed = 0;
      for await (const entry of Deno.readDir(blobTempDir(dir))) {
        await Deno.remove(`${blobTempDir(dir)}/${entry.name}`, { recursive: true });
        removed++;
      }
      const store = new FsBlobStore(dir, options.maxSize ?? DEFAULT_MAX_BLOB_SIZE, lock, removed);
      if (options.createFanoutDirs) await store.#createFanouts();
      return store;
    } catch (e) {
      lock?.close();
      throw ioError(`open blob directory "${dir}"`, e);
    }
  }

  async put(source: BlobSource, options: PutOptions = {}): Promise<PutResult> {
    this.#open();
    const maxSize = options.maxSize ?? this.#maxSize;
    const declared = options.digest;
    if (declared !== undefined && await exists(blobPath(this.#dir, declared))) {
      // Stored already: verify the bytes without writing them.
      const got = await ingest(source, maxSize, () => {});
      if (got.digest !== declared) throw digestMismatch(declared, got.digest);
      return await this.#touch(got.digest, got.size);
    }
    const tmp = blobTempPath(this.#dir);
    let file: Deno.FsFile | undefined;
    try {
      file = await Deno.open(tmp, { write: true, createNew: true });
      const out = file;
      // Two buffers: one fills from the source while the other is being written, so reading the
      // upload and writing the file overlap (the file is still fsynced before it is renamed).
      const bufs = [new Uint8Array(WRITE_BUFFER), new Uint8Array(WRITE_BUFFER)];
      let buf = bufs[0];
      let used = 0;
      let writing: Promise<void> = Promise.resolve();
      const flush = async (bytes: Uint8Array) => {
        await writing;
        writing = writeAll(out, bytes);
        writing.catch(() => {}); // awaited by the next flush or at the end
      };
      let got;
      try {
        got = await ingest(source, maxSize, async (chunk) => {
          let at = 0;
          while (at < chunk.length) {
            const n = Math.min(chunk.length - at, buf.length - used);
            buf.set(chunk.subarray(at, at + n), used);
            used += n;
            at += n;
            if (used === buf.length) {
              await flush(buf);
              buf = buf === bufs[0] ? bufs[1] : bufs[0];
              used = 0;
            }
          }
        });
      } finally {
        await writing.catch(() => {});
      }
      await writing;
      if (used > 0) await writeAll(out, buf.subarray(0, used));
      if (declared !== undefined && got.digest !== declared) {
        throw digestMismatch(declared, got.digest);
      }
      const final = blobPath(this.#dir, got.digest);
      if (declared === undefined && await exists(final)) {
        out.close();
        file = undefined;
        await Deno.remove(tmp);
        return await this.#touch(got.digest, got.size);
      }
      await out.sync();
      out.close();
      file = undefined;
      const fanout = blobFanoutDir(this.#dir, got.digest);
      await this.#ensureFanout(fanout);
      await Deno.rename(tmp, final);
      await syncDir(fanout);
      return { digest: got.digest, size: got.size, created: true };
    } catch (e) {
      try {
        file?.close();
      } catch { /* already closed */ }
      await Deno.remove(tmp).catch(() => {});
      throw ioError("store blob", e);
    }
  }

  async has(digest: Digest): Promise<boolean> {
    this.#open();
    return await exists(blobPath(this.#dir, digest));
  }

  async stat(digest: Digest): Promise<BlobStat | undefined> {
    this.#open();
    try {
      const info = await Deno.stat(blobPath(this.#dir, digest));
      return { digest, size: info.size, storedAt: (info.mtime ?? new Date(0)).toISOString() };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw ioError(`stat blob "${digest}"`, e);
    }
  }

  async get(digest: Digest, range?: ByteRange): Promise<BlobBody> {
    this.#open();
    let file: Deno.FsFile;
    try {
      file = await Deno.open(blobPath(this.#dir, digest), { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw notFound(digest);
      throw ioError(`read blob "${digest}"`, e);
    }
    try {
      const size = (await file.stat()).size;
      const { offset, length } = resolveRange(digest, size, range);
      if (offset !== 0) await file.seek(offset, Deno.SeekMode.Start);
      return { stream: this.#readStream(file, length), size, offset, length };
    } catch (e) {
      file.close();
      throw ioError(`read blob "${digest}"`, e);
    }
  }

  async delete(digest: Digest): Promise<boolean> {
    this.#open();
    try {
      await Deno.remove(blobPath(this.#dir, digest));
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw ioError(`delete blob "${digest}"`, e);
    }
  }

  async *list(): AsyncIterable<BlobStat> {
    this.#open();
    const root = blobAlgoDir(this.#dir);
    for await (const fan of Deno.readDir(root)) {
      if (!fan.isDirectory) continue;
      for await (const entry of Deno.readDir(`${root}/${fan.name}`)) {
        const digest = digestOfBlobName(fan.name, entry.name);
        if (digest === undefined || !entry.isFile) continue;
        const stat = await this.stat(digest);
        if (stat) yield stat;
      }
    }
  }

  async ping(): Promise<void> {
    this.#open();
    try {
      await Deno.stat(blobAlgoDir(this.#dir));
    } catch (e) {
      throw new StorageError(
        "unavailable",
        `Cannot reach blob directory "${this.#dir}": ${(e as Error).message}`,
        {},
        { cause: e },
      );
    }
  }

  async putUploadPart(
    upload: string,
    part: string,
    source: BlobSource,
    options: { maxSize?: number } = {},
  ): Promise<{ size: number }> {
    this.#open();
    checkPartIds(upload, part);
    const tmp = blobTempPath(this.#dir);
    let file: Deno.FsFile | undefined;
    try {
      file = await Deno.open(tmp, { write: true, createNew: true });
      const out = file;
      const got = await ingest(source, options.maxSize ?? this.#maxSize, (c) => writeAll(out, c));
      await out.sync();
      out.close();
      file = undefined;
      const dir = uploadDir(this.#dir, upload);
      await Deno.mkdir(dir, { recursive: true });
      await Deno.rename(tmp, uploadPartPath(this.#dir, upload, part));
      await syncDir(dir);
      return { size: got.size };
    } catch (e) {
      try {
        file?.close();
      } catch { /* already closed */ }
      await Deno.remove(tmp).catch(() => {});
      throw ioError(`store part "${part}" of upload "${upload}"`, e);
    }
  }

  readUploadParts(upload: string, parts: readonly string[]): ReadableStream<Uint8Array> {
    this.#open();
    checkPartIds(upload);
    return concatParts(parts, async (part) => {
      checkPartIds(upload, part);
      try {
        return (await Deno.open(uploadPartPath(this.#dir, upload, part), { read: true })).readable;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) throw partNotFound(upload, part);
        throw ioError(`read part "${part}" of upload "${upload}"`, e);
      }
    });
  }

  async deleteUploadParts(upload: string): Promise<void> {
    this.#open();
    checkPartIds(upload);
    try {
      await Deno.remove(uploadDir(this.#dir, upload), { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw ioError(`delete the parts of upload "${upload}"`, e);
      }
    }
  }

  async *listUploadParts(): AsyncIterable<{ upload: string; storedAt: string }> {
    this.#open();
    let entries: AsyncIterable<Deno.DirEntry>;
    try {
      entries = Deno.readDir(uploadsDir(this.#dir));
      for await (const entry of entries) {
        if (!entry.isDirectory) continue;
        let newest = 0;
        try {
          for await (const p of Deno.readDir(uploadDir(this.#dir, entry.name))) {
            const info = await Deno.stat(`${uploadDir(this.#dir, entry.name)}/${p.name}`);
            newest = Math.max(newest, info.mtime?.getTime() ?? 0);
          }
          if (newest === 0) {
            newest = (await Deno.stat(uploadDir(this.#dir, entry.name))).mtime?.getTime() ?? 0;
          }
        } catch (e) {
          if (e instanceof Deno.errors.NotFound) continue; // removed meanwhile
          throw e;
        }
        yield { upload: entry.name, storedAt: new Date(newest).toISOString() };
      }
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw ioError("list upload parts", e);
    }
  }

  close(): Promise<void> {
    if (this.#lock) {
      this.#lock.close(); // closing the file releases the lock
      this.#lock = undefined;
    }
    return Promise.resolve();
  }

  /** Streams of this store reading {@link READ_CHUNK} at a time now. */
  #largeReaders = 0;

  /** Streams of this store reading {@link READ_CHUNK} at a time now (for tests). */
  get largeReaders(): number {
    return this.#largeReaders;
  }

  #readStream(file: Deno.FsFile, length: number): ReadableStream<Uint8Array> {
    const large = length > SMALL_READ_CHUNK && this.#largeReaders < LARGE_READERS;
    if (!large) return boundedStream(file, length, SMALL_READ_CHUNK);
    this.#largeReaders++;
    let released = false;
    return boundedStream(file, length, READ_CHUNK, () => {
      if (!released) this.#largeReaders--;
      released = true;
    });
  }

  #open(): void {
    if (!this.#lock) {
      throw new StorageError("closed", `Cannot use blob directory "${this.#dir}": it was closed`);
    }
  }

  async #touch(digest: Digest, size: number): Promise<PutResult> {
    // A put of stored bytes refreshes the time, so garbage collection spares a blob about to be
    // referenced by the commit that follows this put.
    const now = new Date();
    await Deno.utime(blobPath(this.#dir, digest), now, now).catch(() => {});
    return { digest, size, created: false };
  }

  /**
   * Creates the 256 fan-out directories up front (once per data directory), so that a put never
   * pays for a new directory and its parent's fsync.
   */
  async #createFanouts(): Promise<void> {
    let created = false;
    for (const fan of blobFanoutDirs(this.#dir)) {
      try {
        await Deno.mkdir(fan);
        created = true;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      this.#fanouts.add(fan);
    }
    if (created) await syncDir(blobAlgoDir(this.#dir));
  }

  async #ensureFanout(dir: string): Promise<void> {
    if (this.#fanouts.has(dir)) return;
    try {
      await Deno.mkdir(dir);
      await syncDir(parentOf(dir)); // a new directory entry must be durable too
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    this.#fanouts.add(dir);
  }
}

function notFound(digest: Digest): StorageError {
  return new StorageError("not-found", `Cannot find blob "${digest}"`, { digest });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}

/** Fsyncs a directory so that the entries created or renamed in it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const d = await Deno.open(dir, { read: true });
  try {
    await d.sync();
  } finally {
    d.close();
  }
}

function parentOf(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * `length` bytes of `file` from its current position, `chunk` bytes a read, closing the file (and
 * calling `onClose`) at the end, on an error or on cancel.
 */
function boundedStream(
  file: Deno.FsFile,
  length: number,
  chunk: number,
  onClose?: () => void,
): ReadableStream<Uint8Array> {
  let left = length;
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      file.close();
      onClose?.();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (left === 0) {
        close();
        controller.close();
        return;
      }
      try {
        const buf = new Uint8Array(Math.min(chunk, left));
        const n = await file.read(buf);
        if (n === null) {
          close();
          controller.error(new StorageError("io", "Cannot read blob: the file ended early"));
          return;
        }
        left -= n;
        controller.enqueue(n === buf.length ? buf : buf.subarray(0, n));
        if (left === 0) {
          close();
          controller.close();
        }
      } catch (e) {
        close();
        controller.error(e);
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
}
