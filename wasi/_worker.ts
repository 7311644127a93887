/**
 * The I/O worker: WASI 0.2 is synchronous for the component, Deno's network APIs are not. Network
 * operations (`fetch`, TCP connections, name lookups) run in a worker thread; the component's
 * thread waits for their results with `Atomics.wait` on shared memory (it must not return to the
 * event loop in the middle of a call into Wasm). One worker per process, started on the first
 * network operation, `unref`ed so that it never keeps a program alive, and made from source text
 * (`eval`), so that it needs no read permission.
 *
 * Every operation gets its own shared buffer: a header (state, length of the JSON part, length of
 * the bytes part), then the JSON answer and the bytes; the worker grows it to fit. One more shared
 * word counts completions, for `poll` over several pending operations.
 */
import { Worker } from "node:worker_threads";
import { type ByteSource, failed, Pollable, readyPollable, type Waiter } from "./_io.ts";

/** The worker's side, as source text: everything it needs is inside. */
function workerMain(): void {
  // deno-lint-ignore no-explicit-any
  type Any = any;
  const enc = new TextEncoder();
  const conns = new Map<number, Any>();
  const readers = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
  const pending = new Map<number, Uint8Array[]>();
  const bodies = new Map<number, { push(b: Uint8Array): void; end(): void }>();
  const listeners = new Map<number, Any>();
  let nextId = 1;
  let notify: Int32Array;

  function reply(sab: SharedArrayBuffer, ok: boolean, value: unknown, bytes?: Uint8Array) {
    const json = enc.encode(JSON.stringify(value ?? null));
    const n = 12 + json.length + (bytes?.length ?? 0);
    const g = sab as unknown as { byteLength: number; grow(n: number): void };
    if (g.byteLength < n) g.grow(n);
    const h = new Int32Array(sab, 0, 3);
    new Uint8Array(sab, 12, json.length).set(json);
    if (bytes) new Uint8Array(sab, 12 + json.length, bytes.length).set(bytes);
    h[1] = json.length;
    h[2] = bytes?.length ?? 0;
    Atomics.store(h, 0, ok ? 1 : 2);
    Atomics.notify(h, 0);
    Atomics.add(notify, 0, 1);
    Atomics.notify(notify, 0);
  }

  function errorOf(e: Any) {
    const name = e?.name ?? "Error";
    // fetch says "fetch failed" and puts what happened (refused, reset…) in the cause.
    const cause = e?.cause === undefined ? "" : `: ${e.cause?.message ?? e.cause}`;
    return { name, code: e?.code ?? e?.cause?.code, message: `${e?.message ?? e}${cause}` };
  }

  async function readChunk(id: number, max: number): Promise<Uint8Array | null> {
    const queue = pending.get(id) ?? [];
    pending.set(id, queue);
    if (queue.length === 0) {
      const r = readers.get(id);
      if (r === undefined) return null;
      const { value, done } = await r.read();
      if (done || value === undefined) return null;
      queue.push(value);
    }
    const head = queue.shift()!;
    if (head.length > max) {
      queue.unshift(head.subarray(max));
      return head.subarray(0, max);
    }
    return head;
  }

  const ops: Record<string, (a: Any) => Promise<[unknown, Uint8Array?]>> = {
    async fetch(a) {
      let body: BodyInit | undefined;
      if (a.body === "stream") {
        body = new ReadableStream<Uint8Array>({
          start(c) {
            bodies.set(a.stream, { push: (b) => c.enqueue(b), end: () => c.close() });
          },
        });
      } else if (a.body !== null) body = new Uint8Array(a.body);
      const controller = new AbortController();
      const timer = a.timeout ? setTimeout(() => controller.abort(), a.timeout) : undefined;
      try {
        const res = await fetch(a.url, {
          method: a.method,
          headers: a.headers,
          body,
          redirect: "manual",
          signal: controller.signal,
          ...(a.body === "stream" ? { duplex: "half" } : {}),
        } as RequestInit);
        const id = nextId++;
        if (res.body) readers.set(id, res.body.getReader());
        return [{ status: res.status, headers: [...res.headers], body: id }];
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
    async connect(a) {
      const c = await Deno.connect({ hostname: a.host, port: a.port, transport: "tcp" });
      const id = nextId++;
      conns.set(id, c);
      readers.set(id, c.readable.getReader());
      return [{ id, local: c.localAddr, remote: c.remoteAddr }];
    },
    listen(a) {
      const l = Deno.listen({ hostname: a.host, port: a.port, transport: "tcp" });
      const id = nextId++;
      listeners.set(id, l);
      return Promise.resolve([{ id, local: l.addr }]);
    },
    async accept(a) {
      const c = await listeners.get(a.id).accept();
      const id = nextId++;
      conns.set(id, c);
      readers.set(id, c.readable.getReader());
      return [{ id, local: c.localAddr, remote: c.remoteAddr }];
    },
    async read(a) {
      const chunk = await readChunk(a.id, a.max);
      return chunk === null ? [{ eof: true }] : [{ eof: false }, chunk];
    },
    async write(a) {
      const c = conns.get(a.id);
      const bytes = new Uint8Array(a.bytes);
      let off = 0;
      while (off < bytes.length) off += await c.write(bytes.subarray(off));
      return [{}];
    },
    async shutdown(a) {
      const c = conns.get(a.id);
      if (a.how !== "receive") await c.closeWrite?.();
      return [{}];
    },
    async resolve(a) {
      const out: string[] = [];
      for (const t of ["A", "AAAA"] as const) {
        try {
          out.push(...await Deno.resolveDns(a.name, t));
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
      }
      return [{ addresses: out }];
    },
  };

  import("node:worker_threads").then(({ parentPort }) => {
    parentPort!.on("message", (m: Any) => {
      if (m.notify) {
        notify = new Int32Array(m.notify);
        return;
      }
      if (m.op === "push") return bodies.get(m.stream)?.push(new Uint8Array(m.bytes));
      if (m.op === "end") {
        bodies.get(m.stream)?.end();
        bodies.delete(m.stream);
        return;
      }
      if (m.op === "close") {
        readers.get(m.id)?.cancel().catch(() => {});
        readers.delete(m.id);
        pending.delete(m.id);
        try {
          conns.get(m.id)?.close();
        } catch { /* closed */ }
        conns.delete(m.id);
        try {
          listeners.get(m.id)?.close();
        } catch { /* closed */ }
        listeners.delete(m.id);
        return;
      }
      ops[m.op](m.args).then(
        ([v, b]) => reply(m.sab, true, v, b),
        (e) => reply(m.sab, false, errorOf(e)),
      );
    });
  });
}

/** An operation the worker runs; its answer arrives in shared memory. */
export class Op {
  readonly header: Int32Array;
  constructor(readonly sab: SharedArrayBuffer) {
    this.header = new Int32Array(sab, 0, 3);
  }
  /** Whether the answer is there. */
  done(): boolean {
    return Atomics.load(this.header, 0) !== 0;
  }
  /** Waits for the answer (at most `ms`). */
  wait(ms = Infinity): void {
    if (!this.done()) Atomics.wait(this.header, 0, 0, ms);
  }
  /** The answer: its JSON part and bytes; throws the worker's error as `{ name, code, message }`. */
  result<T>(): { value: T; bytes: Uint8Array } {
    this.wait();
    const h = this.header;
    const json = new TextDecoder().decode(new Uint8Array(this.sab, 12, h[1]).slice());
    const bytes = new Uint8Array(this.sab, 12 + h[1], h[2]).slice();
    const value = JSON.parse(json);
    if (h[0] === 2) throw new WorkerError(value.name, value.code, value.message);
    return { value, bytes };
  }
}

/** An error of a network operation, as the worker reported it. */
export class WorkerError extends Error {
  constructor(override readonly name: string, readonly code: string | undefined, message: string) {
    super(message);
  }
}

let worker: Worker | undefined;
const notify = new Int32Array(new SharedArrayBuffer(4));

/** Waits on the worker's completion counter: for `poll` over pending operations. */
class CompletionWaiter implements Waiter {
  #seen = 0;
  arm(): void {
    this.#seen = Atomics.load(notify, 0);
  }
  wait(ms: number): void {
    Atomics.wait(notify, 0, this.#seen, ms);
  }
}

export const WORKER_WAITER: CompletionWaiter = new CompletionWaiter();

function ready(): Worker {
  if (worker === undefined) {
    // The worker thread starts while this one waits: messages queue until it listens.
    worker = new Worker(`(${workerMain.toString()})()`, { eval: true });
    worker.unref();
    worker.postMessage({ notify: notify.buffer });
  }
  return worker;
}

/** Sends an operation to the worker. */
export function send(op: string, args: unknown): Op {
  const sab = new SharedArrayBuffer(4096, { maxByteLength: 1 << 30 } as never);
  ready().postMessage({ op, args, sab });
  return new Op(sab);
}

/** Sends a message that has no answer (a request body's chunk, closing a connection). */
export function post(message: Record<string, unknown>): void {
  ready().postMessage(message);
}

/** A source reading a response body or a connection from the worker, one chunk ahead. */
export class WorkerSource implements ByteSource {
  #op: Op | undefined;
  #buf: Uint8Array | undefined;
  #eof = false;
  constructor(readonly id: number) {}
  #ask(): Op {
    return this.#op ??= send("read", { id: this.id, max: 65536 });
  }
  read(n: number, blocking: boolean): Uint8Array | undefined {
    if (this.#buf === undefined && !this.#eof) {
      const op = this.#ask();
      if (!op.done() && !blocking) return new Uint8Array(0);
      this.#op = undefined;
      try {
        const { value, bytes } = op.result<{ eof: boolean }>();
        if (value.eof) this.#eof = true;
        else this.#buf = bytes;
      } catch (e) {
        throw failed(String((e as Error).message));
      }
    }
    if (this.#buf === undefined) return undefined;
    const out = this.#buf.subarray(0, n);
    this.#buf = n < this.#buf.length ? this.#buf.subarray(n) : undefined;
    return out;
  }
  subscribe(): Pollable {
    if (this.#buf !== undefined || this.#eof) return readyPollable();
    const op = this.#ask();
    return new Pollable(() => op.done(), undefined, WORKER_WAITER);
  }
  close(): void {
    post({ op: "close", id: this.id });
  }
}
