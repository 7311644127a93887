/**
 * The decoder in a worker thread: published bytes are untrusted and a large component takes tens
 * of milliseconds to decode, so decoding runs off the thread that answers requests (and, during a
 * publish, at the same time as the blob's fsync). Receives `{id, bytes, limits}`, answers
 * `{id, ok: true, value}` with the parts of the decode the registry keeps, or `{id, ok: false,
 * error}` with the decoder's code and offset.
 */
import { ComponentDecodeError, decodeComponent } from "../lib/component/mod.ts";
import type { DecodeRequest, DecodeResponse } from "./_decoder.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeResponse): void;
};

scope.onmessage = (e) => {
  const { id, bytes, limits } = e.data;
  try {
    const d = decodeComponent(bytes, { limits });
    scope.postMessage({
      id,
      ok: true,
      value: {
        kind: d.kind,
        resolve: d.resolve,
        world: d.world,
        package: d.package,
        metadata: { ...d.metadata, itemNames: undefined },
      },
    });
  } catch (err) {
    scope.postMessage({
      id,
      ok: false,
      error: err instanceof ComponentDecodeError
        ? { decode: true, code: err.code, reason: err.reason, offset: err.offset }
        : { decode: false, message: err instanceof Error ? err.message : String(err) },
    });
  }
};
