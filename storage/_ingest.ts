import { createHash } from "node:crypto";
import type { Digest } from "../lib/names/mod.ts";
import { StorageError } from "./_errors.ts";
import type { BlobSource } from "./_types.ts";

/** What {@link ingest} learnt of the bytes it passed on. */
export interface Ingested {
  digest: Digest;
  size: number;
}

/**
 * Reads `source` to its end, hashing every chunk and handing it to `sink`, and stops with
 * `too-large` as soon as more than `maxSize` bytes arrived (the source is cancelled). A failing
 * source becomes `aborted`. The caller compares the digest and cleans up what `sink` wrote.
 */
export async function ingest(
  source: BlobSource,
  maxSize: number,
  sink: (chunk: Uint8Array) => void | Promise<void>,
): Promise<Ingested> {
  const hash = createHash("sha256");
  if (source instanceof Uint8Array) {
    if (source.length > maxSize) throw tooLarge(maxSize);
    hash.update(source);
    await sink(source);
    return { digest: `sha256:${hash.digest("hex")}` as Digest, size: source.length };
  }
  const reader = source.getReader();
  let size = 0;
  try {
    while (true) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (cause) {
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new StorageError(
          "aborted",
          `Cannot store blob: the upload failed after ${size} bytes: ${why}`,
          {
            received: size,
          },
          { cause },
        );
      }
      if (step.done) break;
      const chunk = step.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new StorageError(
          "invalid-input",
          "Cannot store blob: the stream yielded a chunk that is not a Uint8Array",
        );
      }
      size += chunk.length;
      if (size > maxSize) throw tooLarge(maxSize);
      hash.update(chunk);
      await sink(chunk);
    }
  } catch (e) {
    reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    reader.releaseLock();
  }
  return { digest: `sha256:${hash.digest("hex")}` as Digest, size };
}

function tooLarge(maxSize: number): StorageError {
  return new StorageError(
    "too-large",
    `Cannot store blob: it is larger than the limit of ${maxSize} bytes`,
    { limit: maxSize },
  );
}

/** The `digest-mismatch` error for a put whose bytes differ from the declared digest. */
export function digestMismatch(expected: Digest, actual: Digest): StorageError {
  return new StorageError(
    "digest-mismatch",
    `Cannot store blob: the bytes hash to "${actual}", not the declared "${expected}"`,
    { expected, actual },
  );
}

/** Checks a byte range against a blob's size and resolves its length. */
export function resolveRange(
  digest: Digest,
  size: number,
  range: { offset: number; length?: number } | undefined,
): { offset: number; length: number } {
  if (range === undefined) return { offset: 0, length: size };
  const { offset, length } = range;
  const valid = Number.isSafeInteger(offset) && offset >= 0 &&
    (length === undefined || (Number.isSafeInteger(length) && length > 0));
  if (!valid || offset >= size) {
    throw new StorageError(
      "invalid-range",
      `Cannot read blob "${digest}": range offset ${offset}` +
        (length === undefined ? "" : ` length ${length}`) + ` does not fit its ${size} bytes`,
      { digest, size, offset, length },
    );
  }
  return { offset, length: Math.min(length ?? size - offset, size - offset) };
}

/** The blob store's default size limit: 1 GiB. */
export const DEFAULT_MAX_BLOB_SIZE = 1 << 30;
