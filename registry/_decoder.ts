/**
 * A small pool of decoder workers (registry/_decode_worker.ts). Decoding off the main thread keeps
 * the server answering while a large or hostile component is decoded, lets a publish decode while
 * its blob is being fsynced, and bounds a decode by wall-clock time: a worker that overruns is
 * terminated and replaced.
 *
 * One pool serves every registry of the process ({@link acquireDecoder}); it grows to the largest
 * size asked for and its workers stop when the last registry releases it.
 */
import {
  ComponentDecodeError,
  type ComponentDecodeErrorCode,
  type DecodedWasm,
  type DecodeLimits,
} from "../lib/component/mod.ts";
import type { DeriveRequest, PreDerived } from "./_document.ts";

/** The parts of a decode the registry keeps. */
export type Decoded = Pick<DecodedWasm, "kind" | "resolve" | "world" | "package" | "metadata">;

/** A decode with, when asked, the version document derived in the worker too. */
export type DecodedWithDocument = Decoded & { derived?: PreDerived };

/** A message to a decoder worker. */
export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  limits: Partial<DecodeLimits>;
  /** Derive the version document too (a publish), off the main thread. */
  derive?: DeriveRequest;
  /**
   * Hash the bytes first and refuse them unless they hash to this digest (a publish of a blob
   * read back from the blob store: checked here, beside the decode, not on the main thread).
   */
  verifyDigest?: string;
  /**
   * The bytes' buffer is moved to the worker, not copied (the caller owns it whole), and moved
   * back with the answer: a 16 MiB layer is not serialized twice on the main thread.
   */
  transfer?: boolean;
}

/** A worker's answer. */
export type DecodeResponse =
  | { id: number; ok: true; value: DecodedWithDocument; bytes?: Uint8Array }
  | {
    id: number;
    ok: false;
    bytes?: Uint8Array;
    error:
      | { decode: true; code: ComponentDecodeErrorCode; reason: string; offset: number }
      | { decode: false; message: string }
      | { decode: false; digest: { expected: string; actual: string } };
  };

interface Task {
  request: DecodeRequest;
  /** Receives the bytes a `transfer` request moved to the worker, when they come back. */
  returned?: (bytes: Uint8Array) => void;
  timeoutMs: number;
  resolve(value: DecodedWithDocument): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  timer?: ReturnType<typeof setTimeout>;
}

/** Bytes handed to the decoder with a digest to verify hash to another one. */
export class DigestMismatchError extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`The bytes hash to ${actual}, not ${expected}`);
  }
}

/** Decodes bytes in worker threads, a few at a time. */
export class DecoderPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closed = false;

  /** A pool of at most `size` workers. */
  constructor(public size: number) {}

  /**
   * Decodes `bytes`; rejects with the worker's {@link ComponentDecodeError} for bad bytes, or with
   * a `limit-exceeded` one when the decode overran `timeoutMs`. With `returned`, the bytes' buffer
   * is moved to the worker (detached here) and handed back to `returned` with the answer (not
   * when the worker had to be stopped).
   */
  decode(
    bytes: Uint8Array,
    limits: Partial<DecodeLimits>,
    timeoutMs: number,
    derive?: DeriveRequest,
    verifyDigest?: string,
    returned?: (bytes: Uint8Array) => void,
  ): Promise<DecodedWithDocument> {
    if (this.#closed) return Promise.reject(new Error("The decoder pool is closed"));
    const { promise, resolve, reject } = Promise.withResolvers<DecodedWithDocument>();
    this.#queue.push({
      request: {
        id: this.#nextId++,
        bytes,
        limits,
        derive,
        verifyDigest,
        transfer: returned !== undefined,
      },
      returned,
      timeoutMs,
      resolve,
      reject,
    });
    this.#pump();
    return promise;
  }

  /** Terminates the workers; queued decodes are rejected. */
  close(): void {
    this.#closed = true;
    for (const s of this.#slots) {
      clearTimeout(s.timer);
      s.worker.terminate();
      s.task?.reject(new Error("The decoder pool was closed"));
    }
    this.#slots.length = 0;
    for (const t of this.#queue.splice(0)) t.reject(new Error("The decoder pool was closed"));
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.task === undefined);
      if (slot === undefined) {
        if (this.#slots.length >= this.size) return;
        slot = this.#spawn();
      }
      const task = this.#queue.shift()!;
      slot.task = task;
      slot.timer = setTimeout(() => this.#overrun(slot!, task.timeoutMs), task.timeoutMs);
      const r = task.request;
      slot.worker.postMessage(r, r.transfer ? [r.bytes.buffer as ArrayBuffer] : []);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(new URL("./_decode_worker.ts", import.meta.url), { type: "module" });
    const slot: Slot = { worker };
    worker.onmessage = (e: MessageEvent<DecodeResponse>) => {
      const task = slot.task;
      if (task === undefined || task.request.id !== e.data.id) return;
      clearTimeout(slot.timer);
      slot.task = undefined;
      const msg = e.data;
      if (msg.bytes !== undefined) task.returned?.(msg.bytes);
      if (msg.ok) task.resolve(msg.value);
      else if (msg.error.decode) {
        task.reject(new ComponentDecodeError(msg.error.code, msg.error.reason, msg.error.offset));
      } else if ("digest" in msg.error) {
        task.reject(new DigestMismatchError(msg.error.digest.expected, msg.error.digest.actual));
      } else task.reject(new Error(`Decoder worker failed: ${msg.error.message}`));
      this.#pump();
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.#replace(slot, new Error(`Decoder worker crashed: ${e.message}`));
    };
    this.#slots.push(slot);
    return slot;
  }

  #overrun(slot: Slot, timeoutMs: number): void {
    this.#replace(
      slot,
      new ComponentDecodeError(
        "limit-exceeded",
        `decoding took longer than the limit of ${timeoutMs} ms`,
        0,
      ),
    );
  }

  #replace(slot: Slot, error: unknown): void {
    clearTimeout(slot.timer);
    slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.task?.reject(error);
    slot.task = undefined;
    this.#pump();
  }
}

let shared: DecoderPool | undefined;
let users = 0;

/** The process's decoder pool, grown to at least `size` workers; pair with {@link releaseDecoder}. */
export function acquireDecoder(size: number): DecoderPool {
  if (shared === undefined) shared = new DecoderPool(size);
  else shared.size = Math.max(shared.size, size);
  users++;
  return shared;
}

/** Gives back {@link acquireDecoder}'s pool; the last release stops the workers. */
export function releaseDecoder(pool: DecoderPool): void {
  if (pool !== shared) return;
  users--;
  if (users <= 0) {
    shared.close();
    shared = undefined;
    users = 0;
  }
}
