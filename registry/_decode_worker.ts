/**
 * The decoder in a worker thread: published bytes are untrusted and a large component takes tens
 * of milliseconds to decode, so decoding runs off the thread that answers requests (and, during a
 * publish, at the same time as the blob's fsync; with `derive`, the version document is derived
 * here as well; with `verifyDigest`, the bytes are hashed here first and refused unless they
 * match). Receives `{id, bytes, limits, derive?, verifyDigest?}`, answers
 * `{id, ok: true, value}` with the parts of the decode the registry keeps, or `{id, ok: false,
 * error}` with the decoder's code and offset.
 */
import { createHash } from "node:crypto";
import { ComponentDecodeError, decodeComponent } from "../lib/component/mod.ts";
import type { DecodedWithDocument, DecodeRequest, DecodeResponse } from "./_decoder.ts";
import { preDerive } from "./_document.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeResponse, transfer?: Transferable[]): void;
};

scope.onmessage = (e) => {
  const { id, bytes, limits, derive, verifyDigest, transfer } = e.data;
  // Moved here by a `transfer` request: moved back with the answer.
  const answer = (m: DecodeResponse) =>
    transfer
      ? scope.postMessage({ ...m, bytes }, [bytes.buffer as ArrayBuffer])
      : scope.postMessage(m);
  try {
    if (verifyDigest !== undefined) {
      const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
      if (actual !== verifyDigest) {
        answer({
          id,
          ok: false,
          error: { decode: false, digest: { expected: verifyDigest, actual } },
        });
        return;
      }
    }
    const d = decodeComponent(bytes, { limits });
    const value: DecodedWithDocument = {
      kind: d.kind,
      resolve: d.resolve,
      world: d.world,
      package: d.package,
      metadata: { ...d.metadata, itemNames: undefined },
    };
    // A publish: its document is derived here too (the composed-from JSON parsed, the WIT
    // printed, the size measured), so that a large one never occupies the main thread.
    if (derive !== undefined && d.kind !== "module") {
      value.derived = preDerive(value, bytes, derive);
    }
    answer({ id, ok: true, value });
  } catch (err) {
    answer({
      id,
      ok: false,
      error: err instanceof ComponentDecodeError
        ? { decode: true, code: err.code, reason: err.reason, offset: err.offset }
        : { decode: false, message: err instanceof Error ? err.message : String(err) },
    });
  }
};
