/**
 * Issue 17 #1: the registry's connections are bounded. A process whose descriptors run out keeps
 * serving (a real `registry/main.ts` under `ulimit -n 256`), slow and idle connections are closed
 * by the header, idle, body and write timeouts, the connection cap makes room by closing idle
 * connections, and malformed framing (the request-smuggling cases) is refused.
 *
 * No assertion is on time: each waits (with a generous bound) for the server to close a
 * connection that a server without the limit would keep open forever.
 */
import assert from "node:assert/strict";
import { startServer } from "../registry/mod.ts";
import { Client, componentOfSize, startServerProcess } from "./registry_support.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Reads until the server closes the connection (or `bound` ms pass); the bytes it sent. */
async function readUntilClosed(
  conn: Deno.Conn,
  bound = 20_000,
): Promise<{ closed: boolean; text: string }> {
  const buf = new Uint8Array(64 * 1024);
  let text = "";
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, bound);
  let closed = false;
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      text += dec.decode(buf.subarray(0, n));
    }
  } catch (e) {
    // Closed by us at the bound (BadResource/Interrupted), or reset by the server.
    closed = e instanceof Deno.errors.ConnectionReset;
  } finally {
    clearTimeout(timer);
  }
  try {
    conn.close();
  } catch { /* closed */ }
  return { closed, text };
}

Deno.test("a registry out of file descriptors sheds connections and keeps serving (issue 17 #1)", async () => {
  // Reproduced before the fix: 330 idle connections ended the process with "Too many open files".
  const server = await startServerProcess({ maxOpenFiles: 256, args: ["--memory", "--quiet"] });
  const idle: Deno.Conn[] = [];
  try {
    const port = Number(new URL(server.url).port);
    for (let i = 0; i < 330; i++) {
      try {
        idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch {
        break; // the backlog is full: the server is not accepting more right now
      }
    }
    assert.doesNotMatch(server.output(), /Too many open files|Uncaught/);
    assert.ok(idle.length >= 300, `only ${idle.length} connections could be opened`);
    // New clients are still served, again and again (each one makes room for itself).
    const client = new Client(server.url);
    for (let i = 0; i < 20; i++) {
      const health = await client.call("GET", "/healthz");
      assert.equal(health.status, 200);
    }
    const stats = await client.call("GET", "/api/v1/stats");
    assert.equal(stats.status, 200);
    assert.doesNotMatch(server.output(), /Too many open files|Uncaught/);
    // The server is alive and stops cleanly.
    for (const c of idle) c.close();
    idle.length = 0;
    assert.equal(await server.stop(), 0);
  } finally {
    for (const c of idle) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await server.stop("SIGKILL").catch(() => {});
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("slow, idle and stalled connections are closed by the timeouts; the cap makes room (issue 17 #1)", async () => {
  const server = await startServer({
    memory: true,
    port: 0,
    adminToken: "admin-secret-for-tests",
    http: {
      headerTimeoutMs: 1_000,
      idleTimeoutMs: 1_000,
      bodyTimeoutMs: 1_000,
      writeTimeoutMs: 1_000,
      minBodyBytesPerSecond: 1_000_000,
      maxConnections: 64,
    },
  });
  const port = server.port;
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port });
  try {
    // A connection that never sends a byte.
    const silent = await connect();
    // A slowloris: a header line every 300 ms, never the end of the head.
    const loris = await connect();
    let lorisOpen = true;
    const trickle = (async () => {
      await loris.write(enc.encode("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
      for (let i = 0; lorisOpen && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await loris.write(enc.encode(`X-${i}: y\r\n`)).catch(() => (lorisOpen = false));
      }
    })();
    // A kept-alive connection after one request.
    const kept = await connect();
    await kept.write(enc.encode("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    // A publish whose body stalls after 10 bytes of the 1,000 it declares.
    const stalled = await connect();
    await stalled.write(enc.encode(
      "PUT /api/v1/packages/docs/x/1.0.0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/wasm\r\n" +
        "Content-Length: 1000\r\nAuthorization: Bearer wreg_unknown\r\n\r\n0123456789",
    ));

    const [a, b, c, d] = await Promise.all([
      readUntilClosed(silent),
      readUntilClosed(loris),
      readUntilClosed(kept),
      readUntilClosed(stalled),
    ]);
    lorisOpen = false;
    await trickle;
    assert.ok(a.closed, "a silent connection is closed by the header timeout");
    assert.ok(b.closed, "a slowloris connection is closed by the header timeout");
    assert.ok(
      c.closed && c.text.startsWith("HTTP/1.1 200"),
      "a kept-alive connection is answered, then closed when idle",
    );
    assert.ok(d.closed, "a stalled body is closed by the body timeout");
    assert.ok(server.httpStats().timedOut >= 3, JSON.stringify(server.httpStats()));

    // A client that does not read a large answer is closed by the write timeout.
    const bytes = await componentOfSize(24 * 1024 * 1024);
    const { digest } = await server.storage.blobs.put(bytes);
    const reader = await connect();
    await reader.write(enc.encode(`GET /api/v1/blobs/${digest} HTTP/1.1\r\nHost: x\r\n\r\n`));
    const before = server.httpStats().timedOut;
    for (let i = 0; i < 200 && server.httpStats().timedOut === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(server.httpStats().timedOut > before, "a client that stops reading is cut off");
    reader.close();

    // The cap: 64 connections that send nothing, then real requests still get answers.
    const held = await Promise.all(Array.from({ length: 64 }, connect));
    const client = new Client(server.url);
    for (let i = 0; i < 5; i++) assert.equal((await client.call("GET", "/healthz")).status, 200);
    assert.ok(server.httpStats().evicted >= 1, JSON.stringify(server.httpStats()));
    assert.ok(server.httpStats().open <= 64);
    for (const h of held) {
      try {
        h.close();
      } catch { /* closed by the server */ }
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("malformed framing is refused: both lengths, conflicting lengths, an oversized head (issue 17 #1)", async () => {
  const server = await startServer({ memory: true, port: 0, adminToken: "admin-secret-for-tests" });
  const send = async (raw: string) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(enc.encode(raw));
    return (await readUntilClosed(conn)).text;
  };
  try {
    const both = await send(
      "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert.match(both, /^HTTP\/1\.1 400 /);
    const conflicting = await send(
      "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    );
    assert.match(conflicting, /^HTTP\/1\.1 400 /);
    const huge = await send(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(40_000)}\r\n\r\n`,
    );
    assert.match(huge, /^HTTP\/1\.1 431 /);
    const te = await send(
      "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
    );
    assert.match(te, /^HTTP\/1\.1 501 /);
    // Chunked bodies and pipelined requests work.
    const chunked = await send(
      "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin-secret-for-tests\r\n" +
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
        '6\r\n{"owne\r\nc\r\nr": "alice"}\r\n0\r\n\r\n' +
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.match(
      chunked,
      /^HTTP\/1\.1 201 [^]*"owner":"alice"[^]*HTTP\/1\.1 200 [^]*\{"ok":true\}$/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("SIGTERM drains: an upload in flight finishes, a new publish gets 503 with Retry-After (issue 17 #11)", async () => {
  // Reproduced before the fix: the upload in flight answered 400 upload-incomplete and the
  // process exited at once; later, on the registry's own server, a new publish was still taken.
  const admin = "admin-secret-for-drain-test";
  let server = await startServerProcess({ adminToken: admin, args: ["--quiet"] });
  const dataDir = server.dataDir;
  try {
    const client = new Client(server.url);
    const token = await client.token(admin, "alice");
    const port = Number(new URL(server.url).port);
    const bytes = await componentOfSize(2 * 1024 * 1024, "docs:big@1.0.0");
    const digest = `sha256:${
      new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))
        .toHex()
    }`;
    const half = bytes.length >> 1;
    // A: an upload, half sent.
    const a = await Deno.connect({ hostname: "127.0.0.1", port });
    await a.write(enc.encode(
      `PUT /api/v1/packages/docs/big/1.0.0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/wasm\r\nX-Wreg-Digest: ${digest}\r\nContent-Length: ${bytes.length}\r\n\r\n`,
    ));
    for (let at = 0; at < half; at += 65536) {
      await a.write(bytes.subarray(at, Math.min(half, at + 65536)));
    }
    // B: a kept-alive connection, one request answered.
    const b = await Deno.connect({ hostname: "127.0.0.1", port });
    await b.write(enc.encode("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const buf = new Uint8Array(4096);
    const n = await b.read(buf);
    assert.match(dec.decode(buf.subarray(0, n!)), /^HTTP\/1\.1 200 /);

    server.child.kill("SIGTERM");
    for (let i = 0; i < 200 && !/stopping/.test(server.output()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(server.output(), /wreg registry stopping/);

    // B: a new publish while draining is refused with 503 and Retry-After.
    const small = await componentOfSize(1024, "docs:small@1.0.0");
    const smallDigest = `sha256:${
      new Uint8Array(await crypto.subtle.digest("SHA-256", small as Uint8Array<ArrayBuffer>))
        .toHex()
    }`;
    await b.write(enc.encode(
      `PUT /api/v1/packages/docs/small/1.0.0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/wasm\r\nX-Wreg-Digest: ${smallDigest}\r\nContent-Length: ${small.length}\r\n\r\n`,
    ));
    await b.write(small);
    const refused = (await readUntilClosed(b)).text;
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /\r\nretry-after: \d+\r\n/i);
    assert.match(refused, /"code":"unavailable"/);

    // A: the rest of the upload; it is published.
    for (let at = half; at < bytes.length; at += 65536) {
      await a.write(bytes.subarray(at, Math.min(bytes.length, at + 65536)));
    }
    const done = (await readUntilClosed(a)).text;
    assert.match(done, /^HTTP\/1\.1 201 /, done.slice(0, 300));
    assert.equal((await server.child.status).code, 0);
    await server.stop();

    // It is there after a restart; the refused one is not.
    server = await startServerProcess({ adminToken: admin, dataDir, args: ["--quiet"] });
    const again = new Client(server.url);
    assert.equal((await again.call("GET", "/api/v1/packages/docs/big/1.0.0")).status, 200);
    assert.equal((await again.call("GET", "/api/v1/packages/docs/small/1.0.0")).status, 404);
  } finally {
    await server.stop("SIGKILL").catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("at the cap, a connection that never sent a request is closed, not a client's kept-alive one (issue 17 #1)", async () => {
  const server = await startServer({
    memory: true,
    port: 0,
    adminToken: "admin-secret-for-tests",
    http: { maxConnections: 3 },
  });
  const port = server.port;
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port });
  const ask = async (conn: Deno.Conn) => {
    await conn.write(enc.encode("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const buf = new Uint8Array(4096);
    let text = "";
    while (!/\r\n\r\n[\s\S]*\}/.test(text)) {
      const n = await conn.read(buf);
      if (n === null) return `closed after ${JSON.stringify(text)}`;
      text += dec.decode(buf.subarray(0, n));
    }
    return text.split("\r\n")[0];
  };
  try {
    // A client's kept-alive connection, accepted first.
    const client = await connect();
    assert.equal(await ask(client), "HTTP/1.1 200 OK");
    // Two connections that send nothing fill the cap.
    const idle1 = await connect();
    const idle2 = await connect();
    await new Promise((r) => setTimeout(r, 50));
    // The client asks again: it has waited less than either idle connection now.
    assert.equal(await ask(client), "HTTP/1.1 200 OK");
    // A new connection at the cap closes the one idle longest (idle1), not the client.
    const late = await connect();
    assert.equal(await ask(late), "HTTP/1.1 200 OK");
    assert.equal(await ask(client), "HTTP/1.1 200 OK", "the kept-alive client was closed");
    const first = await readUntilClosed(idle1, 5_000);
    assert.ok(first.closed, "the connection idle longest is closed");
    // A silent connection takes idle2's place (idle2 has waited longest and never asked).
    await new Promise((r) => setTimeout(r, 50));
    const silent = await connect();
    assert.ok((await readUntilClosed(idle2, 5_000)).closed, "idle2 is closed for the silent one");
    // Now the two clients have waited longer than the silent connection, but a connection that
    // never sent a request goes first: the next new one closes the silent one.
    await new Promise((r) => setTimeout(r, 50));
    const next = await connect();
    assert.equal(await ask(next), "HTTP/1.1 200 OK");
    assert.ok((await readUntilClosed(silent, 5_000)).closed, "the silent connection is closed");
    assert.equal(await ask(client), "HTTP/1.1 200 OK", "the kept-alive client was closed");
    assert.equal(await ask(late), "HTTP/1.1 200 OK", "the other kept-alive client was closed");
    next.close();
    assert.ok(server.httpStats().evicted >= 1, JSON.stringify(server.httpStats()));
    for (const c of [client, late]) {
      try {
        c.close();
      } catch { /* closed */ }
    }
  } finally {
    await server.shutdown();
  }
});
