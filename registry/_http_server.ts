/**
 * The registry's HTTP/1.1 server, written here because `Deno.serve` has none of the limits a
 * public server needs (denoland/deno#3515): no header, body, idle or write timeout, no cap on
 * connections, and when the process runs out of file descriptors its accept loop fails and the
 * server stops for good (issue 17 #1).
 *
 * It owns the listener and every connection:
 *
 * - a cap on open connections; at the cap, or when `accept` fails for want of descriptors, the
 *   oldest connection that has not sent a byte of a request is closed to make room, and when
 *   there is none the new connection is accepted and closed at once (shed): the server keeps
 *   serving whatever happens at the door;
 * - a new connection must deliver its request head within the header timeout; a kept-alive
 *   connection may idle for the idle timeout, and then has the header timeout for its next head;
 * - a request body must keep arriving (no stall longer than the body timeout) at a minimum
 *   average rate once the body timeout has passed; a response must keep being taken by the client
 *   (no write stalls longer than the write timeout);
 * - heads are limited in size; bodies are framed by `Content-Length` or `chunked` (both at once,
 *   or conflicting lengths, are refused: the request-smuggling cases);
 * - a graceful shutdown stops accepting and lets requests in flight finish; meanwhile requests on
 *   connections already open are answered (and their connections closed after the answer), and
 *   when nothing is in flight any more, or at the drain deadline, every connection is closed.
 *
 * One timer sweeps every connection's deadline once a second (no timer per request). Handlers get
 * a standard `Request` (its `url` is the target as sent, not normalized, as `Deno.serve` gives it)
 * and the client's address. An answer with a `Content-Length` is streamed; one without is read
 * whole and sent with its length (every such answer of the registry is in memory already).
 */

/** Limits of the HTTP server. */
export interface HttpLimits {
  /** Most open connections (default 4096; the registry derives it from the descriptor limit). */
  maxConnections: number;
  /** Longest a request head may take to arrive, from the connection or its first byte (ms). */
  headerTimeoutMs: number;
  /** Longest a kept-alive connection may wait for its next request (ms). */
  idleTimeoutMs: number;
  /** Longest a request body may stall, and the grace before its minimum rate applies (ms). */
  bodyTimeoutMs: number;
  /** Slowest average a body may arrive at once `bodyTimeoutMs` has passed (bytes per second). */
  minBodyBytesPerSecond: number;
  /** Longest a response write may stall (ms). */
  writeTimeoutMs: number;
  /** Largest request head (request line and headers), in bytes. */
  maxHeaderBytes: number;
  /** Longest a graceful shutdown waits for requests in flight before closing them (ms). */
  drainTimeoutMs: number;
}

/** The limits used when none are given. */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxConnections: 4096,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  minBodyBytesPerSecond: 4096,
  writeTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
  drainTimeoutMs: 30_000,
});

/** What a handler learns about the connection besides the request. */
export interface ServeInfo {
  remoteAddr: Deno.NetAddr;
}

/** A request handler. */
export type HttpHandler = (req: Request, info: ServeInfo) => Response | Promise<Response>;

/** Counters of a running server (for tests and the log). */
export interface HttpStats {
  /** Connections open now. */
  open: number;
  /** Connections accepted in all. */
  accepted: number;
  /** Connections closed at the door (no room, no descriptor). */
  shed: number;
  /** Idle connections closed to make room for a new one. */
  evicted: number;
  /** Connections closed for a timeout. */
  timedOut: number;
  /** `accept` failures for want of descriptors. */
  acceptErrors: number;
}

/** Options of {@link serveHttp}. */
export interface HttpServeOptions {
  hostname?: string;
  port?: number;
  limits?: Partial<HttpLimits>;
  /** Called with faults of the server itself (not of handlers, which must answer). */
  onError?: (error: unknown) => void;
}

/** A running server. */
export interface HttpServer {
  /** The bound address. */
  addr: Deno.NetAddr;
  /** Settles when the server has stopped and every connection is closed. */
  finished: Promise<void>;
  /** Stops accepting, lets requests in flight finish (up to the drain timeout). Idempotent. */
  shutdown(): Promise<void>;
  /** Whether {@link HttpServer.shutdown} was called. */
  readonly draining: boolean;
  /** Counters. */
  stats(): HttpStats;
}

const CR = 13;
const LF = 10;
const enc = new TextEncoder();
const latin1 = new TextDecoder("latin1");
/**
 * A body is read from the socket up to this many bytes at a time (fewer reads of a large upload).
 * A read that fills less than a quarter of its buffer is copied out, so that a trickled body does
 * not pin a large buffer per few bytes.
 */
const BODY_READ = 256 * 1024;

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  411: "Length Required",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** A refusal of the server itself (malformed or oversized request). */
class ProtocolError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A connection's phase, for the deadline sweep. */
type Phase = "idle" | "head" | "busy" | "write" | "closed";

/** The request's URL as sent; the `Request` underneath is built on a fixed base. */
class ServerRequest extends Request {
  readonly #url: string;
  constructor(url: string, init: RequestInit) {
    super("http://localhost/", init);
    this.#url = url;
  }
  override get url(): string {
    return this.#url;
  }
}

/**
 * Methods a `Request` cannot carry (the fetch standard forbids them). A well-formed request with
 * one is not malformed: the handler gets it as a bodiless request whose `method` is the one sent,
 * so it can answer `405` with `Allow` like any other method a resource does not take.
 */
const FETCH_FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

class ForbiddenMethodRequest extends ServerRequest {
  readonly #method: string;
  constructor(url: string, init: RequestInit, method: string) {
    super(url, { ...init, method: "GET", body: undefined });
    this.#method = method;
  }
  override get method(): string {
    return this.#method;
  }
}

let dateText = "";
let dateSecond = -1;
function httpDate(now: number): string {
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(s * 1000).toUTCString();
  }
  return dateText;
}

/** One accepted connection: its bytes, its phase and deadlines. */
class Connection {
  buf = new Uint8Array(4096);
  start = 0;
  end = 0;
  phase: Phase = "idle";
  /** When the current phase's clock started (ms). */
  since: number;
  /** Whether a request has been answered on it (then `idle` means kept alive). */
  served = false;
  /** A body read is waiting for the socket. */
  bodyWaiting = false;
  bodyStart = 0;
  bodyBytes = 0;
  lastProgress = 0;
  /** Why the connection was closed by the server, if it was. */
  closedFor: "timeout" | "evicted" | "shutdown" | undefined;
  #closed = false;

  constructor(readonly conn: Deno.TcpConn, now: number) {
    this.since = now;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(reason?: Connection["closedFor"]): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closedFor ??= reason;
    this.phase = "closed";
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  /**
   * Reads more bytes into the buffer, growing it up to `max` bytes (past that, `tooLarge` is
   * thrown); false at the end of input.
   */
  async fill(max: number, tooLarge: () => Error): Promise<boolean> {
    if (this.start > 0 && (this.end === this.buf.length || this.start === this.end)) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      if (this.buf.length >= max) throw tooLarge();
      const bigger = new Uint8Array(Math.min(max, this.buf.length * 4));
      bigger.set(this.buf.subarray(0, this.end));
      this.buf = bigger;
    }
    const n = await this.conn.read(this.buf.subarray(this.end));
    if (n === null) return false;
    this.end += n;
    return true;
  }

  /** Up to `limit` bytes of input: buffered ones first, else one read; null at the end. */
  async take(limit: number): Promise<Uint8Array | null> {
    if (this.start < this.end) {
      const n = Math.min(limit, this.end - this.start);
      const out = this.buf.slice(this.start, this.start + n);
      this.start += n;
      return out;
    }
    const size = Math.min(limit, BODY_READ);
    const into = new Uint8Array(size);
    const n = await this.conn.read(into);
    if (n === null) return null;
    // A small read is copied, so that a trickled body does not pin a large buffer per byte.
    return n < size / 4 ? into.slice(0, n) : into.subarray(0, n);
  }

  /** A line of a chunked body (without its CRLF), at most `max` bytes. */
  async line(max: number): Promise<string> {
    const tooLong = () => new ProtocolError(400, "a line of the chunked body is too long");
    while (true) {
      const at = this.buf.subarray(this.start, this.end).indexOf(LF);
      if (at >= 0) {
        const lf = this.start + at;
        const end = lf > this.start && this.buf[lf - 1] === CR ? lf - 1 : lf;
        const text = latin1.decode(this.buf.subarray(this.start, end));
        this.start = lf + 1;
        return text;
      }
      if (this.end - this.start > max) throw tooLong();
      if (!(await this.fill(Math.max(this.buf.length, max + 2), tooLong))) {
        throw new ProtocolError(400, "the body ended inside a chunk line");
      }
    }
  }

  async writeAll(bytes: Uint8Array, now: () => number): Promise<void> {
    if (bytes.length === 0) return;
    this.lastProgress = now();
    let at = await this.conn.write(bytes);
    while (at < bytes.length) {
      this.lastProgress = now();
      at += await this.conn.write(bytes.subarray(at));
    }
  }
}

/** The body of a request without one. */
const NO_BODY = Object.freeze({ stream: null, done: () => true });

/** How a request body is framed. */
type Framing = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" };

/** A parsed request head. */
interface Head {
  method: string;
  target: string;
  minor: number;
  headers: [string, string][];
  host: string | undefined;
  framing: Framing;
  close: boolean;
  keepAlive: boolean;
  expectContinue: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function parseHead(text: string): Head {
  const lines = text.split("\r\n");
  const first = lines[0];
  const sp1 = first.indexOf(" ");
  const sp2 = first.lastIndexOf(" ");
  if (sp1 <= 0 || sp2 === sp1) throw new ProtocolError(400, "malformed request line");
  const method = first.slice(0, sp1);
  const target = first.slice(sp1 + 1, sp2);
  const version = first.slice(sp2 + 1);
  if (!TOKEN.test(method)) throw new ProtocolError(400, "malformed method");
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new ProtocolError(
      /^HTTP\/\d\.\d$/.test(version) ? 505 : 400,
      "unsupported HTTP version",
    );
  }
  // deno-lint-ignore no-control-regex
  if (target === "" || /[\s\x00-\x1f\x7f]/.test(target)) {
    throw new ProtocolError(400, "malformed request target");
  }
  const minor = version === "HTTP/1.1" ? 1 : 0;
  const headers: [string, string][] = [];
  let host: string | undefined;
  let length: string | undefined;
  let chunked = false;
  let transferEncoding = false;
  let connection = "";
  let expectContinue = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ProtocolError(400, "malformed header line");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new ProtocolError(400, "malformed header name");
    const value = line.slice(colon + 1).trim();
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      throw new ProtocolError(400, "malformed header value");
    }
    headers.push([name, value]);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") {
          if (host !== undefined) throw new ProtocolError(400, "more than one Host header");
          host = value;
        }
        break;
      case 6:
        if (name.toLowerCase() === "expect") {
          if (value.toLowerCase() !== "100-continue") {
            throw new ProtocolError(417, "unsupported expectation");
          }
          expectContinue = true;
        }
        break;
      case 10:
        if (name.toLowerCase() === "connection") connection += `,${value.toLowerCase()}`;
        break;
      case 14:
        if (name.toLowerCase() === "content-length") {
          for (const part of value.split(",")) {
            const v = part.trim();
            if (!/^\d{1,15}$/.test(v)) throw new ProtocolError(400, "malformed Content-Length");
            if (length !== undefined && Number(length) !== Number(v)) {
              throw new ProtocolError(400, "conflicting Content-Length headers");
            }
            length = v;
          }
        }
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") {
          transferEncoding = true;
          const codings = value.toLowerCase().split(",").map((s) => s.trim()).filter((s) => s);
          if (codings.length !== 1 || codings[0] !== "chunked" || chunked) {
            throw new ProtocolError(501, "unsupported Transfer-Encoding");
          }
          chunked = true;
        }
        break;
    }
  }
  if (minor === 1 && host === undefined) throw new ProtocolError(400, "missing Host header");
  if (transferEncoding && length !== undefined) {
    throw new ProtocolError(400, "both Transfer-Encoding and Content-Length");
  }
  if (transferEncoding && minor === 0) {
    throw new ProtocolError(400, "Transfer-Encoding in an HTTP/1.0 request");
  }
  const framing: Framing = chunked
    ? { kind: "chunked" }
    : length !== undefined && Number(length) > 0
    ? { kind: "length", length: Number(length) }
    : { kind: "none" };
  const tokens = connection.split(",").map((s) => s.trim());
  return {
    method,
    target,
    minor,
    headers,
    host,
    framing,
    close: tokens.includes("close"),
    keepAlive: tokens.includes("keep-alive"),
    expectContinue,
  };
}

/** The descriptors-exhausted errors of `accept`. */
function isOutOfDescriptors(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /os error (23|24)\b|too many open files/i.test(m);
}

/**
 * Serves HTTP/1.1 on a TCP address with a handler, within {@link HttpLimits}.
 *
 * @example
 * ```ts ignore
 * const server = serveHttp({ hostname: "127.0.0.1", port: 0 }, () => new Response("ok"));
 * await server.shutdown();
 * ```
 */
export function serveHttp(options: HttpServeOptions, handler: HttpHandler): HttpServer {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const onError = options.onError ?? ((e) => console.error("wreg: http server:", e));
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8080,
    transport: "tcp",
  });
  const addr = listener.addr as Deno.NetAddr;
  const connections = new Set<Connection>();
  const stats: HttpStats = {
    open: 0,
    accepted: 0,
    shed: 0,
    evicted: 0,
    timedOut: 0,
    acceptErrors: 0,
  };
  let draining = false;
  let listenerClosed = false;
  // One descriptor held back, so that a connection can still be accepted and closed when the
  // process has no other descriptor left (otherwise it would wait in the backlog forever).
  let reserve: Deno.FsFile | undefined = openReserve();
  const { promise: finished, resolve: onFinished } = Promise.withResolvers<void>();
  let acceptLoopDone = false;

  const now = () => performance.now();

  function openReserve(): Deno.FsFile | undefined {
    try {
      return Deno.openSync("/dev/null");
    } catch {
      return undefined;
    }
  }

  function checkFinished() {
    if (acceptLoopDone && connections.size === 0) {
      clearInterval(sweeper);
      reserve?.close();
      reserve = undefined;
      onFinished();
    }
  }

  /**
   * While draining: once no request is in flight, the connections left (idle, or part-way
   * through a head) are closed. Until then they stay open, and what they ask is answered with
   * `Connection: close` (the registry refuses new writes with 503 and Retry-After meanwhile).
   */
  function settleDrain() {
    for (const c of connections) if (c.phase === "busy" || c.phase === "write") return;
    for (const c of connections) c.close("shutdown");
  }

  /**
   * Makes room by closing an idle connection: one that has not sent a request yet, the one
   * accepted longest ago; else the kept-alive connection idle longest. A client's kept-alive
   * connection goes last: under a flood of idle connections that are reopened as soon as they
   * are closed, the flood's are always the newest, and any rule by age alone ends up closing the
   * real clients' connections in the moment between two of their requests (the load test under
   * `ulimit -n 1024` saw tens of thousands of such resets a minute).
   */
  function evictIdle(): boolean {
    let fresh: Connection | undefined;
    let kept: Connection | undefined;
    for (const c of connections) {
      if (c.phase !== "idle") continue;
      if (!c.served) {
        if (fresh === undefined || c.since < fresh.since) fresh = c;
      } else if (kept === undefined || c.since < kept.since) kept = c;
    }
    const victim = fresh ?? kept;
    if (victim === undefined) return false;
    victim.close("evicted");
    stats.evicted++;
    return true;
  }

  function sweep() {
    const t = now();
    for (const c of connections) {
      switch (c.phase) {
        case "idle": {
          const limit = c.served ? limits.idleTimeoutMs : limits.headerTimeoutMs;
          if (t - c.since > limit) timeout(c);
          break;
        }
        case "head":
          if (t - c.since > limits.headerTimeoutMs) timeout(c);
          break;
        case "busy":
          if (c.bodyWaiting) {
            const elapsed = t - c.bodyStart;
            const stalled = t - c.lastProgress > limits.bodyTimeoutMs;
            const slow = elapsed > limits.bodyTimeoutMs &&
              c.bodyBytes <
                ((elapsed - limits.bodyTimeoutMs) / 1000) * limits.minBodyBytesPerSecond;
            if (stalled || slow) timeout(c);
          }
          break;
        case "write":
          if (t - c.lastProgress > limits.writeTimeoutMs) timeout(c);
          break;
      }
    }
  }

  function timeout(c: Connection) {
    stats.timedOut++;
    c.close("timeout");
  }

  const sweeper = setInterval(sweep, 1000);

  async function acceptLoop() {
    while (!listenerClosed) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept() as Deno.TcpConn;
      } catch (e) {
        if (listenerClosed || e instanceof Deno.errors.BadResource) break;
        if (isOutOfDescriptors(e)) {
          stats.acceptErrors++;
          if (evictIdle()) continue;
          await shedOne();
          continue;
        }
        onError(e);
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      stats.accepted++;
      if (draining) {
        try {
          conn.close();
        } catch { /* gone */ }
        continue;
      }
      if (connections.size >= limits.maxConnections && !evictIdle()) {
        stats.shed++;
        try {
          conn.close();
        } catch { /* gone */ }
        continue;
      }
      const c = new Connection(conn, now());
      connections.add(c);
      stats.open = connections.size;
      serveConnection(c).catch(onError).finally(() => {
        c.close();
        connections.delete(c);
        stats.open = connections.size;
        if (draining) {
          settleDrain();
          checkFinished();
        }
      });
    }
    acceptLoopDone = true;
    checkFinished();
  }

  /** With no descriptor to spare: accept one waiting connection with the reserve and close it. */
  async function shedOne() {
    if (reserve !== undefined) {
      reserve.close();
      reserve = undefined;
      try {
        const conn = await Promise.race([
          listener.accept(),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
        ]);
        if (conn !== undefined) {
          stats.shed++;
          conn.close();
        }
      } catch { /* still none: wait below */ }
      reserve = openReserve();
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  async function serveConnection(c: Connection) {
    const remoteAddr = c.conn.remoteAddr as Deno.NetAddr;
    const info: ServeInfo = { remoteAddr };
    while (!c.closed) {
      // --- the head
      let headEnd = -1;
      /** Bytes after `start` already searched for the end of the head. */
      let searched = 0;
      while (true) {
        // Empty lines before a request are ignored (RFC 9112 §2.2).
        while (c.end - c.start >= 2 && c.buf[c.start] === CR && c.buf[c.start + 1] === LF) {
          c.start += 2;
          searched = 0;
        }
        if (c.end > c.start && c.phase === "idle") {
          c.phase = "head";
          if (c.served) c.since = now();
        }
        headEnd = findHeadEnd(c.buf, c.start + Math.max(0, searched - 3), c.end);
        if (headEnd >= 0) break;
        searched = c.end - c.start;
        if (searched >= limits.maxHeaderBytes) {
          await refuse(c, new ProtocolError(431, "the request head is too large"));
          return;
        }
        let more: boolean;
        try {
          more = await c.fill(
            limits.maxHeaderBytes + 4,
            () => new ProtocolError(431, "the request head is too large"),
          );
        } catch (e) {
          if (e instanceof ProtocolError) await refuse(c, e);
          return;
        }
        if (!more) return;
      }
      let head: Head;
      try {
        head = parseHead(latin1.decode(c.buf.subarray(c.start, headEnd - 4)));
      } catch (e) {
        c.start = headEnd;
        if (e instanceof ProtocolError) await refuse(c, e);
        return;
      }
      c.start = headEnd;
      c.phase = "busy";
      c.since = now();

      // --- the request
      // Most requests have no body: no stream (nor its closures) is built for them.
      const body = head.framing.kind === "none" ? NO_BODY : bodyStream(c, head);
      const url = head.target.startsWith("/")
        ? `http://${head.host || `${addr.hostname}:${addr.port}`}${head.target}`
        : head.target;
      let req: Request;
      try {
        if (!/^https?:\/\/[^\s/?#]*(?:[/?#]|$)/.test(url) && head.target !== "*") {
          throw new ProtocolError(400, "malformed request target");
        }
        const init = {
          method: head.method,
          headers: head.headers,
          body: head.method === "GET" || head.method === "HEAD" ? undefined : body.stream,
          duplex: "half",
        } as RequestInit;
        req = FETCH_FORBIDDEN_METHODS.has(head.method)
          ? new ForbiddenMethodRequest(url, init, head.method)
          : new ServerRequest(url, init);
      } catch (e) {
        await refuse(
          c,
          e instanceof ProtocolError ? e : new ProtocolError(400, "malformed request"),
        );
        return;
      }
      let res: Response;
      try {
        res = await handler(req, info);
      } catch (e) {
        onError(e);
        res = new Response("internal error", { status: 500 });
      }
      if (c.closed) return;

      // --- the answer
      const bodyDone = body.done();
      const keepAlive = !draining && !head.close && bodyDone &&
        (head.minor === 1 || head.keepAlive);
      const ok = await writeResponse(c, req.method, head.minor, res, keepAlive);
      c.served = true;
      if (!ok || c.closed) return;
      if (!keepAlive) {
        await lingeringClose(c, bodyDone);
        return;
      }
      c.phase = "idle";
      c.since = now();
    }
  }

  /** The request body as a stream over the connection, and whether it was read to its end. */
  function bodyStream(c: Connection, head: Head) {
    const framing = head.framing;
    let finished = framing.kind === "none";
    let remaining = framing.kind === "length" ? framing.length : 0;
    let chunkLeft = 0;
    let continueSent = !head.expectContinue;
    const read = async (limit: number): Promise<Uint8Array | null> => {
      if (!continueSent) {
        continueSent = true;
        await c.writeAll(enc.encode(`HTTP/1.1 100 Continue\r\n\r\n`), now);
      }
      c.bodyWaiting = true;
      if (c.bodyStart === 0) {
        c.bodyStart = now();
        c.bodyBytes = 0;
      }
      c.lastProgress = now();
      try {
        const got = await c.take(limit);
        if (got !== null) {
          c.bodyBytes += got.length;
          c.lastProgress = now();
        }
        return got;
      } finally {
        c.bodyWaiting = false;
      }
    };
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          if (framing.kind === "length") {
            const got = await read(remaining);
            if (got === null) {
              throw new Error(`the connection closed with ${remaining} bytes of the body unsent`);
            }
            remaining -= got.length;
            controller.enqueue(got);
            if (remaining === 0) {
              finished = true;
              controller.close();
            }
            return;
          }
          if (framing.kind === "chunked") {
            while (chunkLeft === 0) {
              const line = await c.line(4096);
              const size = /^([0-9a-fA-F]{1,12})(?:\s*;.*)?$/.exec(line);
              if (!size) throw new ProtocolError(400, "malformed chunk size");
              chunkLeft = parseInt(size[1], 16);
              if (chunkLeft === 0) {
                // Trailers, up to an empty line (bounded like a head).
                let trailerBytes = 0;
                while (true) {
                  const t = await c.line(4096);
                  if (t === "") break;
                  trailerBytes += t.length;
                  if (trailerBytes > limits.maxHeaderBytes) {
                    throw new ProtocolError(431, "the trailers are too large");
                  }
                }
                finished = true;
                controller.close();
                return;
              }
            }
            const got = await read(chunkLeft);
            if (got === null) throw new Error("the connection closed inside a chunk");
            chunkLeft -= got.length;
            if (chunkLeft === 0) {
              const end = await c.line(2);
              if (end !== "") throw new ProtocolError(400, "malformed chunk end");
            }
            controller.enqueue(got);
            return;
          }
          controller.close();
        } catch (e) {
          controller.error(e);
          c.close();
        }
      },
    }, { highWaterMark: 0 });
    return {
      stream: framing.kind === "none" ? null : stream,
      done: () => finished,
    };
  }

  /** Writes a response; false when the connection failed or timed out meanwhile. */
  async function writeResponse(
    c: Connection,
    method: string,
    minor: number,
    res: Response,
    keepAlive: boolean,
  ): Promise<boolean> {
    c.phase = "write";
    c.lastProgress = now();
    const status = res.status;
    const noBody = method === "HEAD" || status === 204 || status === 304 || status < 200;
    let head = `HTTP/1.1 ${status} ${REASONS[status] ?? (res.statusText || "Unknown")}\r\n`;
    let declared: number | undefined;
    // forEach, not the iterator: the same sorted and combined list (set-cookie kept apart), but
    // Deno's iterator costs about three times as much per answer.
    res.headers.forEach((v, k) => {
      if (k === "connection" || k === "transfer-encoding" || k === "keep-alive" || k === "date") {
        return;
      }
      if (k === "content-length") {
        declared = Number(v);
        return;
      }
      head += `${k}: ${v}\r\n`;
    });
    head += `date: ${httpDate(Date.now())}\r\n`;
    if (!keepAlive) head += "connection: close\r\n";
    else if (minor === 0) head += "connection: keep-alive\r\n";
    try {
      if (!noBody && declared === undefined) {
        // No declared length: the body is in memory (every such answer of the registry is), so
        // it is sent whole with its length (a null body is 0 bytes). `res.body` is not touched:
        // asking for it makes Deno wrap an in-memory body in a stream, which `bytes()` then
        // reads back (about as costly as the rest of writing the answer).
        const bytes = await res.bytes();
        await writeJoined(c, `${head}content-length: ${bytes.length}\r\n\r\n`, bytes);
        return true;
      }
      if (noBody || declared === undefined || res.body === null) {
        if (res.body !== null) res.body.cancel().catch(() => {});
        if (!noBody) head += "content-length: 0\r\n";
        else if (declared !== undefined && method === "HEAD") {
          head += `content-length: ${declared}\r\n`;
        }
        await c.writeAll(enc.encode(`${head}\r\n`), now);
        return true;
      }
      // A declared length: streamed as it comes (blobs from storage).
      const reader = res.body.getReader();
      try {
        head += `content-length: ${declared}\r\n\r\n`;
        let sent = 0;
        let first = true;
        // The next chunk is read while this one is written (a file and a socket both busy).
        let next = reader.read();
        while (sent < declared) {
          const step = await next;
          if (step.done) break;
          sent += step.value.length;
          next = sent < declared
            ? reader.read()
            : Promise.resolve({ done: true, value: undefined });
          next.catch(() => {});
          if (first) await writeJoined(c, head, step.value);
          else await c.writeAll(step.value, now);
          first = false;
        }
        if (first) await c.writeAll(enc.encode(head), now);
        // A body that differs from its declared length leaves the connection unusable.
        return sent === declared;
      } finally {
        reader.cancel().catch(() => {});
      }
    } catch {
      c.close();
      return false;
    }
  }

  function writeJoined(c: Connection, head: string, body: Uint8Array): Promise<void> {
    if (body.length <= 64 * 1024) {
      // Head and body in one buffer and one write; the head is encoded straight into it (at
      // most 3 bytes a UTF-16 unit).
      const out = new Uint8Array(head.length * 3 + body.length);
      const { written } = enc.encodeInto(head, out);
      out.set(body, written);
      return c.writeAll(out.subarray(0, written + body.length), now);
    }
    return c.writeAll(enc.encode(head), now).then(() => c.writeAll(body, now));
  }

  /** Answers a malformed request with its status and closes the connection. */
  async function refuse(c: Connection, e: ProtocolError) {
    const body = enc.encode(`${e.message}\n`);
    const head = `HTTP/1.1 ${e.status} ${REASONS[e.status] ?? "Bad Request"}\r\n` +
      `content-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n` +
      `date: ${httpDate(Date.now())}\r\nconnection: close\r\n\r\n`;
    c.phase = "write";
    c.lastProgress = now();
    try {
      await writeJoined(c, head, body);
    } catch { /* gone */ }
    await lingeringClose(c, false);
  }

  /**
   * Closes after an answer. When the client may still be sending (a body the handler did not
   * read), the write side is shut first and what arrives is read and dropped for a moment, so
   * that the client reads the answer instead of a reset.
   */
  async function lingeringClose(c: Connection, bodyDone: boolean) {
    if (c.closed) return;
    if (bodyDone) {
      c.close();
      return;
    }
    try {
      await c.conn.closeWrite();
    } catch {
      c.close();
      return;
    }
    c.phase = "write"; // bounded by the write timeout's sweep as well
    c.lastProgress = now();
    const until = now() + 2000;
    const sink = new Uint8Array(64 * 1024);
    const timer = setTimeout(() => c.close(), 2000);
    try {
      while (now() < until && !c.closed) {
        const n = await c.conn.read(sink);
        if (n === null) break;
      }
    } catch {
      /* closed */
    } finally {
      clearTimeout(timer);
      c.close();
    }
  }

  acceptLoop().catch(onError);

  let stopping: Promise<void> | undefined;
  return {
    addr,
    finished,
    get draining() {
      return draining;
    },
    stats: () => ({ ...stats, open: connections.size }),
    shutdown() {
      return stopping ??= (async () => {
        draining = true;
        listenerClosed = true;
        try {
          listener.close();
        } catch { /* closed */ }
        settleDrain();
        const timer = setTimeout(() => {
          for (const c of connections) c.close("shutdown");
        }, limits.drainTimeoutMs);
        checkFinished();
        await finished;
        clearTimeout(timer);
      })();
    },
  };
}

/** The offset just after the CRLFCRLF ending a head in `buf[from, to)`, or -1. */
function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  const view = buf.subarray(0, to);
  for (let i = view.indexOf(CR, from); i >= 0 && i + 3 < to; i = view.indexOf(CR, i + 1)) {
    if (view[i + 1] === LF && view[i + 2] === CR && view[i + 3] === LF) return i + 4;
  }
  return -1;
}
