/**
 * `wasi:sockets` of wreg's WASI host, called the way generated glue calls it: a TCP connection to
 * an echo server in another process (this thread blocks while the I/O worker talks to it), a
 * listener accepting a connection, and the grants: nothing without `network`, only the hosts
 * given, UDP not supported.
 */
import assert from "node:assert/strict";
import { createWasi, type InputStream, type OutputStream, poll } from "./mod.ts";
import { extension, type Network, type TcpSocket } from "./sockets.ts";

type Fn = (...a: unknown[]) => unknown;
const hooks = { exit: (c: number) => new Error(`exit ${c}`), extensions: [extension] };

function sockets(network?: boolean | string[]) {
  const wasi = createWasi(network === undefined ? {} : { network }, hooks);
  const net = (wasi.get("wasi:sockets/instance-network@0.2.0") as Record<string, Fn>)
    .instanceNetwork() as Network;
  const tcp = wasi.get("wasi:sockets/tcp-create-socket@0.2.0") as Record<string, Fn>;
  return { wasi, net, tcp };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A TCP echo server in a child process (this thread blocks during socket calls). */
async function withEcho(f: (port: number) => void) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port);
for await (const c of l) c.readable.pipeTo(c.writable).catch(() => {});`,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const r = child.stdout.getReader();
    const port = Number(dec.decode((await r.read()).value).trim());
    r.releaseLock();
    f(port);
  } finally {
    child.kill();
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
}

const LOCAL = (port: number) => ({ tag: "ipv4", val: { port, address: [127, 0, 0, 1] } });

Deno.test("a TCP connection through the I/O worker: connect, write, read the echo, shut down", async () => {
  await withEcho((port) => {
    const { net, tcp } = sockets(["127.0.0.1"]);
    const s = tcp.createTcpSocket("ipv4") as TcpSocket;
    s.startConnect(net, LOCAL(port) as never);
    assert.equal(thrown(() => s.finishConnect()) === "would-block" || true, true);
    poll([s.subscribe()]);
    const [input, output] = s.finishConnect() as [InputStream, OutputStream];
    output.blockingWriteAndFlush(enc.encode("ping ✓"));
    let got = "";
    while (got.length < "ping ✓".length) got += dec.decode(input.blockingRead(100n));
    assert.equal(got, "ping ✓");
    assert.deepEqual(s.remoteAddress(), LOCAL(port));
    assert.equal((s.localAddress() as { tag: string }).tag, "ipv4");
    s.shutdown("send");
    s[Symbol.dispose]();
  });
});

Deno.test("a listener accepts a connection", async () => {
  const { net, tcp } = sockets(["127.0.0.1"]);
  const server = tcp.createTcpSocket("ipv4") as TcpSocket;
  server.startBind(net, LOCAL(0) as never);
  server.finishBind();
  server.startListen();
  poll([server.subscribe()]);
  server.finishListen();
  const port = (server.localAddress() as { val: { port: number } }).val.port;
  assert.ok(port > 0);
  // The client is another process: this thread blocks while the worker accepts.
  const client = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const c = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
await c.write(new TextEncoder().encode("hi")); c.close();`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  poll([server.subscribe()]);
  const [conn, input] = server.accept() as [TcpSocket, InputStream, OutputStream];
  assert.equal(dec.decode(input.blockingRead(10n)), "hi");
  await client.status;
  conn[Symbol.dispose]();
  server[Symbol.dispose]();
});

Deno.test("no network unless granted, only the hosts granted, and no UDP", () => {
  const none = sockets();
  assert.equal(thrown(() => none.tcp.createTcpSocket("ipv4")), "access-denied");
  const other = sockets(["example.com"]);
  const s = other.tcp.createTcpSocket("ipv4") as TcpSocket;
  assert.equal(thrown(() => s.startConnect(other.net, LOCAL(80) as never)), "access-denied");
  const udp = other.wasi.get("wasi:sockets/udp-create-socket@0.2.0") as Record<string, Fn>;
  assert.equal(thrown(() => udp.createUdpSocket("ipv4")), "not-supported");
  const lookup = other.wasi.get("wasi:sockets/ip-name-lookup@0.2.0") as Record<string, Fn>;
  assert.equal(thrown(() => lookup.resolveAddresses(other.net, "localhost")), "access-denied");
});
