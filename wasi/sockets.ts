/**
 * `wasi:sockets` 0.2 for wreg's WASI host, as far as Deno allows: TCP (connect, bind, listen,
 * accept, streams, shutdown) and name lookup run in the I/O worker on `Deno.connect`,
 * `Deno.listen` and `Deno.resolveDns`. UDP answers `not-supported` (Deno's datagram sockets
 * are unstable). A component reaches only the hosts its instance was granted (`wasi.network`) and
 * Deno's permissions allow (asked first, never prompting); otherwise `access-denied`.
 *
 * @module
 */
import type { WasiContext, WasiExtension } from "./_context.ts";
import {
  type ByteSink,
  failed,
  InputStream,
  IoError,
  OutputStream,
  Pollable,
  readyPollable,
} from "./_io.ts";
import { type Op, post, send, WORKER_WAITER, type WorkerError, WorkerSource } from "./_worker.ts";

/** `ip-address`. */
export type IpAddress =
  | { tag: "ipv4"; val: [number, number, number, number] }
  | { tag: "ipv6"; val: number[] };

/** `ip-socket-address`. */
export type IpSocketAddress =
  | { tag: "ipv4"; val: { port: number; address: [number, number, number, number] } }
  | {
    tag: "ipv6";
    val: { port: number; flowInfo: number; address: number[]; scopeId: number };
  };

/** `network`: the capability to use the network, given by `instance-network`. */
export class Network {
  constructor(readonly ctx: WasiContext) {}
  [Symbol.dispose](): void {}
}

function text(a: IpAddress): string {
  if (a.tag === "ipv4") return a.val.join(".");
  return a.val.map((x) => x.toString(16)).join(":");
}

function parseIp(s: string): IpAddress {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) return { tag: "ipv4", val: [+v4[1], +v4[2], +v4[3], +v4[4]] };
  const h = s.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const [head, tail] = h.includes("::") ? h.split("::") : [h, undefined];
  const a = head ? head.split(":") : [];
  const b = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = [...a, ...Array(tail === undefined ? 0 : 8 - a.length - b.length).fill("0"), ...b];
  return { tag: "ipv6", val: groups.map((g) => parseInt(g || "0", 16)) };
}

function socketAddress(addr: { hostname: string; port: number }): IpSocketAddress {
  const ip = parseIp(addr.hostname);
  return ip.tag === "ipv4"
    ? { tag: "ipv4", val: { port: addr.port, address: ip.val } }
    : { tag: "ipv6", val: { port: addr.port, flowInfo: 0, address: ip.val, scopeId: 0 } };
}

function hostPort(a: IpSocketAddress): { host: string; port: number } {
  return a.tag === "ipv4"
    ? { host: text({ tag: "ipv4", val: a.val.address }), port: a.val.port }
    : { host: text({ tag: "ipv6", val: a.val.address }), port: a.val.port };
}

/** The `error-code` of what the worker reported. */
function errorCode(e: unknown): string {
  const err = e as WorkerError;
  const m = String(err?.message ?? e);
  if (err?.name === "NotCapable" || err?.name === "PermissionDenied") return "access-denied";
  if (/refused/i.test(m)) return "connection-refused";
  if (/reset/i.test(m)) return "connection-reset";
  if (/in use/i.test(m)) return "address-in-use";
  if (/not available|cannot assign/i.test(m)) return "address-not-bindable";
  if (/unreachable/i.test(m)) return "remote-unreachable";
  if (/timed? ?out/i.test(m)) return "timeout";
  if (/not known|no address|lookup|resolve/i.test(m)) return "name-unresolvable";
  return "unknown";
}

function netAllowed(host: string, port?: number): boolean {
  try {
    const desc = { name: "net", host: port === undefined ? host : `${host}:${port}` } as const;
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

/** Writes to a connection through the worker, each write waited for. */
class ConnSink implements ByteSink {
  closed = false;
  constructor(readonly id: number) {}
  write(bytes: Uint8Array): void {
    if (this.closed) throw failed("the connection is shut down for writing");
    try {
      send("write", { id: this.id, bytes: [...bytes] }).result();
    } catch (e) {
      throw failed(String((e as Error).message));
    }
  }
  capacity(): number {
    return 65536;
  }
}

/** `tcp-socket`. */
export class TcpSocket {
  #state: "unbound" | "bound" | "connecting" | "connected" | "listening" | "closed" = "unbound";
  #local: IpSocketAddress | undefined;
  #remote: IpSocketAddress | undefined;
  #op: Op | undefined;
  #id: number | undefined;
  #accept: Op | undefined;
  #sink: ConnSink | undefined;
  #network: Network | undefined;
  constructor(readonly family: "ipv4" | "ipv6", readonly ctx?: WasiContext) {}

  /** A connected socket accepted by a listener. */
  static connected(
    family: "ipv4" | "ipv6",
    id: number,
    local: IpSocketAddress,
    remote: IpSocketAddress,
  ): TcpSocket {
    const s = new TcpSocket(family);
    s.#state = "connected";
    s.#id = id;
    s.#local = local;
    s.#remote = remote;
    return s;
  }

  startBind(network: Network, local: IpSocketAddress): void {
    if (this.#state !== "unbound") throw "invalid-state";
    if (local.tag !== this.family) throw "invalid-argument";
    this.#network = network;
    this.#local = local;
  }
  finishBind(): void {
    if (this.#local === undefined || this.#state !== "unbound") throw "not-in-progress";
    this.#state = "bound";
  }

  startConnect(network: Network, remote: IpSocketAddress): void {
    if (this.#state !== "unbound" && this.#state !== "bound") throw "invalid-state";
    if (remote.tag !== this.family) throw "invalid-argument";
    const { host, port } = hostPort(remote);
    if (port === 0) throw "invalid-argument";
    if (!network.ctx.mayReach(host, port) || !netAllowed(host, port)) throw "access-denied";
    this.#remote = remote;
    this.#op = send("connect", { host, port });
    this.#state = "connecting";
  }
  finishConnect(): [InputStream, OutputStream] {
    if (this.#state !== "connecting" || this.#op === undefined) throw "not-in-progress";
    if (!this.#op.done()) throw "would-block";
    const op = this.#op;
    this.#op = undefined;
    try {
      const { value } = op.result<{ id: number; local: { hostname: string; port: number } }>();
      this.#id = value.id;
      this.#local = socketAddress(value.local);
      this.#state = "connected";
    } catch (e) {
      this.#state = "closed";
      throw errorCode(e);
    }
    return this.#streams();
  }

  #streams(): [InputStream, OutputStream] {
    this.#sink = new ConnSink(this.#id!);
    return [new InputStream(new WorkerSource(this.#id!)), new OutputStream(this.#sink)];
  }

  startListen(): void {
    if (this.#state !== "bound" || this.#local === undefined) throw "invalid-state";
    const { host, port } = hostPort(this.#local);
    const ctx = this.#network?.ctx;
    if (ctx === undefined || !ctx.mayReach(host, port) || !netAllowed(host, port)) {
      throw "access-denied";
    }
    this.#op = send("listen", { host, port });
    this.#state = "listening";
  }
  finishListen(): void {
    if (this.#state !== "listening" || this.#op === undefined) throw "not-in-progress";
    if (!this.#op.done()) throw "would-block";
    const op = this.#op;
    this.#op = undefined;
    try {
      const { value } = op.result<{ id: number; local: { hostname: string; port: number } }>();
      this.#id = value.id;
      this.#local = socketAddress(value.local);
    } catch (e) {
      this.#state = "bound";
      throw errorCode(e);
    }
  }
  accept(): [TcpSocket, InputStream, OutputStream] {
    if (this.#state !== "listening" || this.#id === undefined) throw "invalid-state";
    this.#accept ??= send("accept", { id: this.#id });
    if (!this.#accept.done()) throw "would-block";
    const op = this.#accept;
    this.#accept = undefined;
    try {
      const { value } = op.result<
        {
          id: number;
          local: { hostname: string; port: number };
          remote: { hostname: string; port: number };
        }
      >();
      const s = TcpSocket.connected(
        this.family,
        value.id,
        socketAddress(value.local),
        socketAddress(value.remote),
      );
      const [i, o] = s.#streams();
      return [s, i, o];
    } catch (e) {
      throw errorCode(e);
    }
  }

  localAddress(): IpSocketAddress {
    if (this.#local === undefined) throw "invalid-state";
    return this.#local;
  }
  remoteAddress(): IpSocketAddress {
    if (this.#state !== "connected" || this.#remote === undefined) throw "invalid-state";
    return this.#remote;
  }
  isListening(): boolean {
    return this.#state === "listening" && this.#id !== undefined;
  }
  addressFamily(): string {
    return this.family;
  }
  setListenBacklogSize(_n: bigint): void {}
  keepAliveEnabled(): boolean {
    return false;
  }
  setKeepAliveEnabled(_v: boolean): void {}
  keepAliveIdleTime(): bigint {
    return 7_200_000_000_000n;
  }
  setKeepAliveIdleTime(_v: bigint): void {}
  keepAliveInterval(): bigint {
    return 75_000_000_000n;
  }
  setKeepAliveInterval(_v: bigint): void {}
  keepAliveCount(): number {
    return 9;
  }
  setKeepAliveCount(_v: number): void {}
  hopLimit(): number {
    return 64;
  }
  setHopLimit(_v: number): void {}
  receiveBufferSize(): bigint {
    return 65536n;
  }
  setReceiveBufferSize(_v: bigint): void {}
  sendBufferSize(): bigint {
    return 65536n;
  }
  setSendBufferSize(_v: bigint): void {}
  subscribe(): Pollable {
    const op = this.#state === "listening" && this.#id !== undefined
      ? (this.#accept ??= send("accept", { id: this.#id }))
      : this.#op;
    if (op === undefined) return readyPollable();
    return new Pollable(() => op.done(), undefined, WORKER_WAITER);
  }
  shutdown(how: string): void {
    if (this.#state !== "connected" || this.#id === undefined) throw "invalid-state";
    if (how !== "receive" && this.#sink) this.#sink.closed = true;
    send("shutdown", { id: this.#id, how }).result();
  }
  [Symbol.dispose](): void {
    if (this.#id !== undefined) post({ op: "close", id: this.#id });
    this.#state = "closed";
  }
}

/** `resolve-address-stream`. */
export class ResolveAddressStream {
  #list: IpAddress[] | undefined;
  constructor(readonly op: Op) {}
  resolveNextAddress(): IpAddress | undefined {
    if (this.#list === undefined) {
      if (!this.op.done()) throw "would-block";
      try {
        this.#list = this.op.result<{ addresses: string[] }>().value.addresses.map(parseIp);
      } catch (e) {
        this.#list = [];
        throw errorCode(e);
      }
    }
    return this.#list.shift();
  }
  subscribe(): Pollable {
    return new Pollable(() => this.op.done(), undefined, WORKER_WAITER);
  }
  [Symbol.dispose](): void {}
}

/** `udp-socket`: not supported on this host. */
export class UdpSocket {
  [Symbol.dispose](): void {}
}

function networks(ctx: WasiContext): Network {
  let n = ctx.state.get("sockets.network") as Network | undefined;
  if (n === undefined) ctx.state.set("sockets.network", n = new Network(ctx));
  return n;
}

/** The `wasi:sockets` interfaces, for `createWasi`'s `extensions`. */
export const extension: WasiExtension = {
  interfaces: {
    "wasi:sockets/network": () => ({
      Network,
      networkErrorCode: (err: IoError) =>
        err instanceof IoError && /refused/.test(err.message) ? "connection-refused" : undefined,
    }),
    "wasi:sockets/instance-network": (ctx) => ({ instanceNetwork: () => networks(ctx) }),
    "wasi:sockets/ip-name-lookup": () => ({
      ResolveAddressStream,
      resolveAddresses(network: Network, name: string) {
        if (!(network instanceof Network)) throw "invalid-argument";
        if (name === "" || /[\s/]/.test(name)) throw "invalid-argument";
        if (!network.ctx.mayReach(name) || !netAllowed(name)) throw "access-denied";
        const ip = /^[\d.]+$|:/.test(name);
        if (ip) {
          return new ResolveAddressStream({
            done: () => true,
            result: () => ({ value: { addresses: [name] }, bytes: new Uint8Array(0) }),
          } as unknown as Op);
        }
        return new ResolveAddressStream(send("resolve", { name }));
      },
    }),
    "wasi:sockets/tcp": () => ({ TcpSocket }),
    "wasi:sockets/tcp-create-socket": (ctx) => ({
      createTcpSocket(family: string) {
        if (family !== "ipv4" && family !== "ipv6") throw "invalid-argument";
        if (ctx.network instanceof Set && ctx.network.size === 0) throw "access-denied";
        return new TcpSocket(family, ctx);
      },
    }),
    "wasi:sockets/udp": () => ({ UdpSocket }),
    "wasi:sockets/udp-create-socket": () => ({
      createUdpSocket(_family: string) {
        throw "not-supported";
      },
    }),
  },
};
