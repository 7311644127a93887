/**
 * `wasi:io`: errors, pollables and streams, the resources every other WASI interface hands out.
 *
 * Values follow the JavaScript conventions generated glue uses (jco's): `u64` as `bigint`, lists of
 * bytes as `Uint8Array`, a `result`'s error thrown as its payload (`{ tag: "closed" }`), resources
 * as objects of the classes here.
 *
 * Everything is synchronous, as WASI 0.2 is for the component: a blocking call blocks the thread
 * (a timer sleeps with `Atomics.wait`, a network read waits for the I/O worker, see `_worker.ts`).
 */

/** `wasi:io/error.error`: what went wrong in a stream operation, for humans (and filesystem). */
export class IoError {
  constructor(
    readonly message: string,
    /** The `wasi:filesystem` error code, for an error of a file's stream. */
    readonly filesystemCode?: string,
  ) {}
  toDebugString(): string {
    return this.message;
  }
}

/** Something that blocks until it may be worth checking the pollables again. */
export interface Waiter {
  /** Called before the pollables are checked: what happens after it wakes `wait`. */
  arm?(): void;
  /** Waits at most `ms` milliseconds (`Infinity`: until woken). */
  wait(ms: number): void;
}

/** `wasi:io/poll.pollable`. */
export class Pollable {
  constructor(
    readonly check: () => boolean,
    /** For a timer: the monotonic clock's instant (ns) it becomes ready at. */
    readonly deadline?: bigint,
    /** For an operation finished by the I/O worker: how to wait for it. */
    readonly waiter?: Waiter,
  ) {}
  ready(): boolean {
    return this.check();
  }
  block(): void {
    poll([this]);
  }
  [Symbol.dispose](): void {}
}

/** A pollable that is always ready (files, standard streams: their operations block instead). */
export function readyPollable(): Pollable {
  return new Pollable(() => true);
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds. */
export function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(SLEEPER, 0, 0, ms);
}

/** Nanoseconds on the monotonic clock. */
export function monotonicNow(): bigint {
  return BigInt(Math.round(performance.now() * 1e6));
}

/** `wasi:io/poll.poll`: the indices of the ready pollables, blocking until one is. */
export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new Error("wasi:io/poll.poll: the list of pollables is empty");
  for (;;) {
    for (const p of list) p.waiter?.arm?.();
    const ready: number[] = [];
    list.forEach((p, i) => {
      if (p.ready()) ready.push(i);
    });
    if (ready.length > 0) return Uint32Array.from(ready);
    let deadline: bigint | undefined;
    let waiter: Waiter | undefined;
    for (const p of list) {
      if (p.deadline !== undefined && (deadline === undefined || p.deadline < deadline)) {
        deadline = p.deadline;
      }
      waiter ??= p.waiter;
    }
    const ms = deadline === undefined
      ? Infinity
      : Math.max(0, Math.ceil(Number(deadline - monotonicNow()) / 1e6));
    if (waiter !== undefined) waiter.wait(ms);
    else if (ms !== Infinity) sleep(ms);
    else throw new Error("wasi:io/poll.poll: none of the pollables can ever become ready");
  }
}

/** The error a stream operation throws (`stream-error`). */
export type StreamError = { tag: "closed" } | { tag: "last-operation-failed"; val: IoError };

export const CLOSED: StreamError = Object.freeze({ tag: "closed" });

export function failed(message: string, filesystemCode?: string): StreamError {
  return { tag: "last-operation-failed", val: new IoError(message, filesystemCode) };
}

/** Where an input stream's bytes come from. */
export interface ByteSource {
  /**
   * Up to `n` bytes. An empty array: none now (only when not `blocking`); `undefined`: the end.
   * Throws a {@link StreamError} when reading fails.
   */
  read(n: number, blocking: boolean): Uint8Array | undefined;
  /** When a read would return something. */
  subscribe(): Pollable;
  /** The stream was dropped. */
  close?(): void;
}

/** Where an output stream's bytes go. */
export interface ByteSink {
  /** Writes all of `bytes` (blocking); throws a {@link StreamError} when it fails. */
  write(bytes: Uint8Array): void;
  /** How many bytes a write may take now (default: a megabyte). */
  capacity?(): number;
  /** Waits until the written bytes are out (blocking). */
  flush?(): void;
  /** When a write would be accepted. */
  subscribe?(): Pollable;
  close?(): void;
}

const MAX_READ = 1 << 20;

function toCount(len: bigint | number): number {
  const n = typeof len === "bigint" ? len : BigInt(len);
  return n > BigInt(MAX_READ) ? MAX_READ : Number(n);
}

/** `wasi:io/streams.input-stream`. */
export class InputStream {
  #closed = false;
  constructor(readonly source: ByteSource) {}
  read(len: bigint): Uint8Array {
    return this.#read(len, false);
  }
  blockingRead(len: bigint): Uint8Array {
    return this.#read(len, true);
  }
  skip(len: bigint): bigint {
    return BigInt(this.#read(len, false).length);
  }
  blockingSkip(len: bigint): bigint {
    return BigInt(this.#read(len, true).length);
  }
  subscribe(): Pollable {
    return this.#closed ? readyPollable() : this.source.subscribe();
  }
  #read(len: bigint, blocking: boolean): Uint8Array {
    if (this.#closed) throw CLOSED;
    const n = toCount(len);
    if (n === 0) return new Uint8Array(0);
    const bytes = this.source.read(n, blocking);
    if (bytes === undefined) {
      this.#closed = true;
      throw CLOSED;
    }
    return bytes;
  }
  [Symbol.dispose](): void {
    this.source.close?.();
  }
}

const DEFAULT_CAPACITY = 1 << 20;

/** `wasi:io/streams.output-stream`. */
export class OutputStream {
  #closed = false;
  #error: StreamError | undefined;
  constructor(readonly sink: ByteSink) {}
  checkWrite(): bigint {
    this.#check();
    return BigInt(this.sink.capacity?.() ?? DEFAULT_CAPACITY);
  }
  write(contents: Uint8Array): void {
    this.#check();
    if (contents.length === 0) return;
    const cap = this.sink.capacity?.() ?? DEFAULT_CAPACITY;
    if (contents.length > cap) {
      throw failed(`write of ${contents.length} bytes, more than check-write allowed (${cap})`);
    }
    this.#do(() => this.sink.write(contents));
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.#check();
    if (contents.length > 4096) {
      throw failed(`blocking-write-and-flush of ${contents.length} bytes (at most 4096)`);
    }
    this.#do(() => {
      if (contents.length > 0) this.sink.write(contents);
      this.sink.flush?.();
    });
  }
  flush(): void {
    this.#check();
    this.#do(() => this.sink.flush?.());
  }
  blockingFlush(): void {
    this.flush();
  }
  subscribe(): Pollable {
    return this.sink.subscribe?.() ?? readyPollable();
  }
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(toCount(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.blockingWriteAndFlush(new Uint8Array(toCount(len)));
  }
  splice(src: InputStream, len: bigint): bigint {
    this.#check();
    const bytes = src.read(len);
    if (bytes.length > 0) this.#do(() => this.sink.write(bytes));
    return BigInt(bytes.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    this.#check();
    const bytes = src.blockingRead(len);
    if (bytes.length > 0) this.#do(() => this.sink.write(bytes));
    return BigInt(bytes.length);
  }
  #check(): void {
    if (this.#error !== undefined) {
      // After a failure the stream is closed (WASI: later operations return `closed`).
      this.#error = undefined;
      this.#closed = true;
    }
    if (this.#closed) throw CLOSED;
  }
  #do(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (isStreamError(e)) {
        if (e.tag === "closed") this.#closed = true;
        else this.#error = e;
        throw e;
      }
      throw e;
    }
  }
  [Symbol.dispose](): void {
    this.#closed = true;
    this.sink.close?.();
  }
}

export function isStreamError(e: unknown): e is StreamError {
  return e !== null && typeof e === "object" &&
    ((e as { tag?: unknown }).tag === "closed" ||
      (e as { tag?: unknown }).tag === "last-operation-failed");
}

/** A source reading from bytes in memory. */
export function bytesSource(data: Uint8Array): ByteSource {
  let at = 0;
  return {
    read(n) {
      if (at >= data.length) return undefined;
      const out = data.slice(at, at + n);
      at += out.length;
      return out;
    },
    subscribe: readyPollable,
  };
}

/** A source with nothing in it. */
export function emptySource(): ByteSource {
  return { read: () => undefined, subscribe: readyPollable };
}

/** Writes all of `bytes` to a synchronous writer (`Deno.stdout`, a file). */
export function writeAll(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}

/** The `wasi:io` interfaces. */
export function ioInterfaces(): Record<string, object> {
  return {
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": { Pollable, poll },
    "wasi:io/streams": { InputStream, OutputStream },
  };
}
