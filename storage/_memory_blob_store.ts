import type { Digest } from "../lib/names/mod.ts";
import { settle, StorageError } from "./_errors.ts";
import { DEFAULT_MAX_BLOB_SIZE, digestMismatch, ingest, resolveRange } from "./_ingest.ts";
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

/**
 * Blobs in a `Map`, for tests of the server: the same behaviour as the file store, nothing durable.
 */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<Digest, { bytes: Uint8Array; storedAt: string }>();
  readonly #parts = new Map<string, Map<string, { bytes: Uint8Array; storedAt: string }>>();
  readonly #maxSize: number;
  readonly #now: () => Date;
  #closed = false;

  /** A store with a default size limit (1 GiB unless given) and a clock for `storedAt`. */
  constructor(options: { maxSize?: number; now?: () => Date } = {}) {
    this.#maxSize = options.maxSize ?? DEFAULT_MAX_BLOB_SIZE;
    this.#now = options.now ?? (() => new Date());
  }

  async put(source: BlobSource, options: PutOptions = {}): Promise<PutResult> {
    this.#open();
    const chunks: Uint8Array[] = [];
    const got = await ingest(source, options.maxSize ?? this.#maxSize, (c) => {
      chunks.push(c.slice());
    });
    if (options.digest !== undefined && got.digest !== options.digest) {
      throw digestMismatch(options.digest, got.digest);
    }
    const storedAt = this.#now().toISOString();
    const existing = this.#blobs.get(got.digest);
    if (existing) {
      existing.storedAt = storedAt;
      return { ...got, created: false };
    }
    const bytes = new Uint8Array(got.size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    this.#blobs.set(got.digest, { bytes, storedAt });
    return { ...got, created: true };
  }

  has(digest: Digest): Promise<boolean> {
    return settle(() => {
      this.#open();
      return this.#blobs.has(digest);
    });
  }

  stat(digest: Digest): Promise<BlobStat | undefined> {
    return settle(() => {
      this.#open();
      const b = this.#blobs.get(digest);
      return b && { digest, size: b.bytes.length, storedAt: b.storedAt };
    });
  }

  get(digest: Digest, range?: ByteRange): Promise<BlobBody> {
    return settle(() => {
      this.#open();
      const b = this.#blobs.get(digest);
      if (!b) throw new StorageError("not-found", `Cannot find blob "${digest}"`, { digest });
      const size = b.bytes.length;
      const r = resolveRange(digest, size, range);
      const part = b.bytes.slice(r.offset, r.offset + r.length);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (part.length > 0) controller.enqueue(part);
          controller.close();
        },
      });
      return { stream, size, ...r };
    });
  }

  delete(digest: Digest): Promise<boolean> {
    return settle(() => {
      this.#open();
      return this.#blobs.delete(digest);
    });
  }

  async *list(): AsyncIterable<BlobStat> {
    this.#open();
    for (const [digest, b] of [...this.#blobs]) {
      yield { digest, size: b.bytes.length, storedAt: b.storedAt };
    }
  }

  ping(): Promise<void> {
    return settle(() => this.#open());
  }

  async putUploadPart(
    upload: string,
    part: string,
    source: BlobSource,
    options: { maxSize?: number } = {},
  ): Promise<{ size: number }> {
    this.#open();
    checkPartIds(upload, part);
    const chunks: Uint8Array[] = [];
    const got = await ingest(source, options.maxSize ?? this.#maxSize, (c) => {
      chunks.push(c.slice());
    });
    const bytes = new Uint8Array(got.size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    const parts = this.#parts.get(upload) ?? new Map();
    parts.set(part, { bytes, storedAt: this.#now().toISOString() });
    this.#parts.set(upload, parts);
    return { size: got.size };
  }

  readUploadParts(upload: string, parts: readonly string[]): ReadableStream<Uint8Array> {
    this.#open();
    checkPartIds(upload);
    return concatParts(parts, (part) => {
      const p = this.#parts.get(upload)?.get(part);
      if (p === undefined) return Promise.reject(partNotFound(upload, part));
      const bytes = p.bytes;
      return Promise.resolve(
        new ReadableStream<Uint8Array>({
          start(controller) {
            if (bytes.length > 0) controller.enqueue(bytes.slice());
            controller.close();
          },
        }),
      );
    });
  }

  deleteUploadParts(upload: string): Promise<void> {
    return settle(() => {
      this.#open();
      checkPartIds(upload);
      this.#parts.delete(upload);
    });
  }

  async *listUploadParts(): AsyncIterable<{ upload: string; storedAt: string }> {
    this.#open();
    for (const [upload, parts] of [...this.#parts]) {
      const times = [...parts.values()].map((p) => p.storedAt).sort();
      if (times.length > 0) yield { upload, storedAt: times.at(-1)! };
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #open(): void {
    if (this.#closed) {
      throw new StorageError("closed", "Cannot use the memory blob store: it was closed");
    }
  }
}
