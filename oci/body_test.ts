import assert from "node:assert/strict";
import { BodyError, type BodyErrorKind, readBody, Slots } from "./_body.ts";

/** A response whose body is `chunks`, each after `pauseMs`; `pulled` counts chunks handed out. */
function streamed(
  chunks: Iterable<Uint8Array>,
  o: { pauseMs?: number; headers?: Record<string, string> } = {},
) {
  const it = chunks[Symbol.iterator]();
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
      const next = it.next();
      if (next.done) return c.close();
      state.pulled++;
      c.enqueue(next.value);
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { res: new Response(body, { headers: o.headers }), state };
}

function* endless(size: number) {
  while (true) yield new Uint8Array(size);
}

function kind(k: BodyErrorKind) {
  return (e: unknown) => {
    assert.ok(e instanceof BodyError, String(e));
    assert.equal(e.kind, k, e.message);
    return true;
  };
}

const opts = (o: Partial<Parameters<typeof readBody>[1]> = {}) => ({
  limit: 1 << 20,
  timeoutMs: 5_000,
  abort: new AbortController(),
  ...o,
});

Deno.test("a body is read whole, with progress against its length", async () => {
  const parts = [new Uint8Array([1, 2]), new Uint8Array([3])];
  const { res } = streamed(parts, { headers: { "content-length": "3" } });
  const seen: [number, number | undefined][] = [];
  const bytes = await readBody(res, opts({ onProgress: (n, t) => seen.push([n, t]) }));
  assert.deepEqual([...bytes], [1, 2, 3]);
  assert.deepEqual(seen, [[0, 3], [2, 3], [3, 3]]);
});

Deno.test("a body without end stops at the limit, having pulled no more than one chunk past it", async () => {
  const { res, state } = streamed(endless(1000));
  const abort = new AbortController();
  await assert.rejects(readBody(res, opts({ limit: 10_000, abort })), kind("too-large"));
  assert.ok(state.pulled <= 11, `pulled ${state.pulled} chunks`);
  assert.ok(abort.signal.aborted, "the request is aborted");
});

Deno.test("the expected size is a limit, and a Content-Length over it or other than it is refused unread", async () => {
  const a = streamed(endless(100));
  await assert.rejects(readBody(a.res, opts({ expected: 331 })), kind("too-large"));
  assert.ok(a.state.pulled <= 4);

  const b = streamed(endless(100), { headers: { "content-length": "1073741824" } });
  await assert.rejects(readBody(b.res, opts({ expected: 331 })), kind("wrong-length"));
  assert.equal(b.state.pulled, 0);

  const c = streamed(endless(100), { headers: { "content-length": "1073741824" } });
  await assert.rejects(readBody(c.res, opts({ limit: 1000 })), kind("too-large"));
  assert.equal(c.state.pulled, 0);

  // A compressed answer's Content-Length counts other bytes: only the decoded bytes count.
  const d = streamed([new Uint8Array(331)], {
    headers: { "content-length": "20", "content-encoding": "gzip" },
  });
  assert.equal((await readBody(d.res, opts({ expected: 331 }))).length, 331);
});

Deno.test("a body that trickles under the minimum rate stops after one period", async () => {
  // One byte every 20 ms is 50 B/s: under 1 KiB/s, so the first 200 ms period ends it.
  const { res, state } = streamed(endless(1), { pauseMs: 20 });
  const abort = new AbortController();
  const e = await readBody(res, opts({ timeoutMs: 200, abort })).catch((e) => e);
  kind("slow")(e);
  assert.match(e.message, /^slowed to \d+ bytes in 0\.2 s \(under 1 KiB\/s/);
  assert.ok(abort.signal.aborted);
  assert.ok(state.pulled < 50, `pulled ${state.pulled}`);
});

Deno.test("a body that stops short of its Content-Length, or breaks, is broken", async () => {
  const { res } = streamed([new Uint8Array(10)], { headers: { "content-length": "20" } });
  await assert.rejects(readBody(res, opts()), kind("broken"));
  let sent = false;
  const failing = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent) return c.error(new TypeError("connection reset"));
      sent = true;
      c.enqueue(new Uint8Array(5));
    },
  }, { highWaterMark: 0 });
  const e = await readBody(new Response(failing), opts()).catch((e) => e);
  kind("broken")(e);
  assert.equal(e.received, 5);
  assert.equal((e.cause as Error).message, "connection reset");
});

Deno.test("slots let `limit` holders in at once and pass each freed slot on in order", async () => {
  const slots = new Slots(2);
  const order: string[] = [];
  const a = await slots.acquire(), b = await slots.acquire();
  const c = slots.acquire().then((r) => (order.push("c"), r));
  const d = slots.acquire().then((r) => (order.push("d"), r));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [], "both wait while two are held");
  a();
  a(); // a second release of the same slot changes nothing
  const releaseC = await c;
  assert.deepEqual(order, ["c"]);
  b();
  (await d)();
  releaseC();
  // All free again: two at once without waiting.
  const e = await slots.acquire(), f = await slots.acquire();
  e();
  f();
});
