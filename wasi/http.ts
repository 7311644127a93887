/**
 * `wasi:http` 0.2 for wreg's WASI host: `types` and `outgoing-handler` over `fetch` (run by the
 * I/O worker, `_worker.ts`, so that the component's synchronous calls can wait for it), and the
 * incoming side for serving a component that exports `wasi:http/incoming-handler`
 * ({@link serveIncoming}: a `Request` in, a `Response` out).
 *
 * A request goes out only to a host the instance was granted (`wasi.network`) and Deno's
 * permissions allow (asked first, never prompting); otherwise the component gets
 * `HTTP-request-denied`.
 *
 * @module
 */
import type { WasiContext, WasiExtension } from "./_context.ts";
import {
  type ByteSink,
  type ByteSource,
  failed,
  InputStream,
  IoError,
  OutputStream,
  Pollable,
  readyPollable,
} from "./_io.ts";
import { type Op, post, send, WORKER_WAITER, type WorkerError, WorkerSource } from "./_worker.ts";

/** `method`. */
export type Method = { tag: string; val?: string };
/** `scheme`. */
export type Scheme = { tag: "HTTP" | "HTTPS" | "other"; val?: string };
/** `error-code` (the cases this host produces). */
export type ErrorCode = { tag: string; val?: unknown };

const enc = new TextEncoder();
const dec = new TextDecoder();

const FORBIDDEN = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "host"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerError(tag: "invalid-syntax" | "forbidden" | "immutable"): { tag: string } {
  return { tag };
}

/** `fields` (also `headers` and `trailers`). */
export class Fields {
  #entries: [string, Uint8Array][] = [];
  #immutable = false;
  constructor() {}

  static fromList(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    for (const [name, value] of entries) f.#add(name, value);
    return f;
  }

  /** Fields the component may not change (a request's or response's headers). */
  static frozen(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    f.#entries = entries.map(([n, v]) => [n.toLowerCase(), v]);
    f.#immutable = true;
    return f;
  }

  #check(name: string, value?: Uint8Array): string {
    if (this.#immutable) throw headerError("immutable");
    if (!TOKEN.test(name)) throw headerError("invalid-syntax");
    const lower = name.toLowerCase();
    if (FORBIDDEN.has(lower)) throw headerError("forbidden");
    if (value !== undefined && value.some((b) => b === 10 || b === 13 || b === 0)) {
      throw headerError("invalid-syntax");
    }
    return lower;
  }

  #add(name: string, value: Uint8Array): void {
    this.#entries.push([this.#check(name, value), value.slice()]);
  }

  get(name: string): Uint8Array[] {
    const lower = name.toLowerCase();
    return this.#entries.filter(([n]) => n === lower).map(([, v]) => v.slice());
  }
  has(name: string): boolean {
    const lower = name.toLowerCase();
    return this.#entries.some(([n]) => n === lower);
  }
  set(name: string, values: Uint8Array[]): void {
    const lower = this.#check(name);
    for (const v of values) this.#check(name, v);
    this.#entries = this.#entries.filter(([n]) => n !== lower);
    for (const v of values) this.#entries.push([lower, v.slice()]);
  }
  delete(name: string): void {
    const lower = this.#check(name);
    this.#entries = this.#entries.filter(([n]) => n !== lower);
  }
  append(name: string, value: Uint8Array): void {
    this.#add(name, value);
  }
  entries(): [string, Uint8Array][] {
    return this.#entries.map(([n, v]) => [n, v.slice()]);
  }
  clone(): Fields {
    const f = new Fields();
    f.#entries = this.entries();
    return f;
  }
  /** For `fetch`: name → value as text. */
  toHeaders(): [string, string][] {
    return this.#entries.map(([n, v]) => [n, dec.decode(v)]);
  }
  freeze(): this {
    this.#immutable = true;
    return this;
  }
  [Symbol.dispose](): void {}
}

function methodName(m: Method): string {
  return m.tag === "other" ? String(m.val) : m.tag.toUpperCase();
}

function methodOf(name: string): Method {
  const lower = name.toLowerCase();
  return ["get", "head", "post", "put", "delete", "connect", "options", "trace", "patch"]
      .includes(lower)
    ? { tag: lower }
    : { tag: "other", val: name };
}

/** A body being written: chunks in memory until it is finished, or streamed once sent. */
class BodySink implements ByteSink {
  chunks: Uint8Array[] = [];
  finished = false;
  /** Set once the request went out with a streaming body: later chunks go to the worker. */
  stream: number | undefined;
  write(bytes: Uint8Array): void {
    if (this.finished) throw failed("the body was finished");
    if (this.stream !== undefined) post({ op: "push", stream: this.stream, bytes: bytes.slice() });
    else this.chunks.push(bytes.slice());
  }
  bytes(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** `outgoing-body`. */
export class OutgoingBody {
  #written = false;
  constructor(readonly sink: BodySink) {}
  write(): OutputStream {
    if (this.#written) throw undefined;
    this.#written = true;
    return new OutputStream(this.sink);
  }
  static finish(body: OutgoingBody, _trailers?: Fields): void {
    body.sink.finished = true;
    if (body.sink.stream !== undefined) post({ op: "end", stream: body.sink.stream });
  }
  [Symbol.dispose](): void {}
}

let nextStream = 1;

/** `outgoing-request`. */
export class OutgoingRequest {
  #method: Method = { tag: "get" };
  pathWithQuery_: string | undefined;
  scheme_: Scheme | undefined;
  authority_: string | undefined;
  readonly headers_: Fields;
  readonly body_ = new BodySink();
  #bodyTaken = false;
  constructor(headers: Fields) {
    this.headers_ = headers.freeze();
  }
  body(): OutgoingBody {
    if (this.#bodyTaken) throw undefined;
    this.#bodyTaken = true;
    return new OutgoingBody(this.body_);
  }
  method(): Method {
    return this.#method;
  }
  setMethod(m: Method): void {
    if (m.tag === "other" && !TOKEN.test(String(m.val))) throw undefined;
    this.#method = m;
  }
  pathWithQuery(): string | undefined {
    return this.pathWithQuery_;
  }
  setPathWithQuery(p: string | undefined): void {
    if (p !== undefined && /[\s]/.test(p)) throw undefined;
    this.pathWithQuery_ = p;
  }
  scheme(): Scheme | undefined {
    return this.scheme_;
  }
  setScheme(s: Scheme | undefined): void {
    this.scheme_ = s;
  }
  authority(): string | undefined {
    return this.authority_;
  }
  setAuthority(a: string | undefined): void {
    if (a !== undefined && /[\s/?#@]/.test(a)) throw undefined;
    this.authority_ = a;
  }
  headers(): Fields {
    return this.headers_;
  }
  [Symbol.dispose](): void {}
}
/** `request-options`. */
export class RequestOptions {
  #connect: bigint | undefined;
  #firstByte: bigint | undefined;
  #between: bigint | undefined;
  connectTimeout(): bigint | undefined {
    return this.#connect;
  }
  setConnectTimeout(d: bigint | undefined): void {
    this.#connect = d;
  }
  firstByteTimeout(): bigint | undefined {
    return this.#firstByte;
  }
  setFirstByteTimeout(d: bigint | undefined): void {
    this.#firstByte = d;
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.#between;
  }
  setBetweenBytesTimeout(d: bigint | undefined): void {
    this.#between = d;
  }
  /** The longest wait for the response head, in milliseconds (none: 0). */
  timeoutMs(): number {
    const ns = [this.#connect, this.#firstByte].filter((x) => x !== undefined) as bigint[];
    return ns.length === 0 ? 0 : Number(ns.reduce((a, b) => a + b)) / 1e6;
  }
  [Symbol.dispose](): void {}
}

/** `future-trailers`: bodies here carry no trailers. */
export class FutureTrailers {
  #taken = false;
  subscribe(): Pollable {
    return readyPollable();
  }
  get(): unknown {
    if (this.#taken) return { tag: "err", val: undefined };
    this.#taken = true;
    return { tag: "ok", val: { tag: "ok", val: undefined } };
  }
  [Symbol.dispose](): void {}
}

/** `incoming-body`. */
export class IncomingBody {
  #streamed = false;
  constructor(readonly source: ByteSource) {}
  stream(): InputStream {
    if (this.#streamed) throw undefined;
    this.#streamed = true;
    return new InputStream(this.source);
  }
  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers();
  }
  [Symbol.dispose](): void {}
}

/** `incoming-response`. */
export class IncomingResponse {
  #consumed = false;
  constructor(readonly status_: number, readonly headers_: Fields, readonly body_: ByteSource) {}
  status(): number {
    return this.status_;
  }
  headers(): Fields {
    return this.headers_;
  }
  consume(): IncomingBody {
    if (this.#consumed) throw undefined;
    this.#consumed = true;
    return new IncomingBody(this.body_);
  }
  [Symbol.dispose](): void {}
}

/** What went wrong with a request, as the `error-code` of `wasi:http/types`. */
function fetchErrorCode(e: unknown): ErrorCode {
  const err = e as WorkerError;
  const m = String(err?.message ?? e);
  if (err?.name === "AbortError" || /timed? ?out/i.test(m)) return { tag: "connection-timeout" };
  if (/dns|lookup|resolve|not known|no address/i.test(m)) {
    return { tag: "DNS-error", val: { rcode: undefined, infoCode: undefined } };
  }
  if (/refused/i.test(m)) return { tag: "connection-refused" };
  if (/reset/i.test(m)) return { tag: "connection-terminated" };
  if (/tls|certificate|ssl/i.test(m)) return { tag: "TLS-protocol-error" };
  return { tag: "internal-error", val: m };
}

/** `future-incoming-response`. */
export class FutureIncomingResponse {
  #taken = false;
  constructor(readonly op: Op | ErrorCode) {}
  subscribe(): Pollable {
    const op = this.op;
    if (!("header" in op)) return readyPollable();
    return new Pollable(() => op.done(), undefined, WORKER_WAITER);
  }
  get(): unknown {
    const op = this.op;
    if ("header" in op && !op.done()) return undefined;
    if (this.#taken) return { tag: "err", val: undefined };
    this.#taken = true;
    if (!("header" in op)) return { tag: "ok", val: { tag: "err", val: op } };
    try {
      const { value } = (op as Op).result<
        { status: number; headers: [string, string][]; body: number }
      >();
      const headers = Fields.frozen(value.headers.map(([n, v]) => [n, enc.encode(v)]));
      const res = new IncomingResponse(value.status, headers, new WorkerSource(value.body));
      return { tag: "ok", val: { tag: "ok", val: res } };
    } catch (e) {
      return { tag: "ok", val: { tag: "err", val: fetchErrorCode(e) } };
    }
  }
  [Symbol.dispose](): void {}
}

/** Whether Deno lets the program reach `host:port` (asked without prompting). */
function netAllowed(host: string, port: number): boolean {
  try {
    return Deno.permissions.querySync({ name: "net", host: `${host}:${port}` }).state === "granted";
  } catch {
    return false;
  }
}

/** `outgoing-handler.handle`. */
function handle(ctx: WasiContext, req: OutgoingRequest, options?: RequestOptions) {
  if (!(req instanceof OutgoingRequest)) throw { tag: "internal-error", val: "not a request" };
  const scheme = req.scheme_?.tag === "other" ? req.scheme_.val : (req.scheme_?.tag ?? "HTTPS");
  if (scheme !== "HTTP" && scheme !== "HTTPS") throw { tag: "HTTP-protocol-error" };
  const authority = req.authority_;
  if (authority === undefined || authority === "") {
    throw { tag: "HTTP-request-URI-invalid" };
  }
  let url: URL;
  try {
    url = new URL(`${scheme.toLowerCase()}://${authority}${req.pathWithQuery_ ?? "/"}`);
  } catch {
    throw { tag: "HTTP-request-URI-invalid" };
  }
  const port = url.port !== "" ? Number(url.port) : scheme === "HTTPS" ? 443 : 80;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!ctx.mayReach(host, port) || !netAllowed(host, port)) throw { tag: "HTTP-request-denied" };
  const m = methodName(req.method());
  let body: number[] | "stream" | null = null;
  let stream: number | undefined;
  const sink = req.body_;
  if (sink.finished) {
    const b = sink.bytes();
    body = m === "GET" || m === "HEAD" ? null : [...b];
  } else if (m !== "GET" && m !== "HEAD") {
    // The component writes (the rest of) the body after handing the request over.
    stream = nextStream++;
    body = "stream";
  }
  const op = send("fetch", {
    url: url.href,
    method: m,
    headers: req.headers_.toHeaders(),
    body,
    stream,
    timeout: options?.timeoutMs() ?? 0,
  });
  if (stream !== undefined) {
    for (const c of sink.chunks) post({ op: "push", stream, bytes: c });
    sink.chunks = [];
    sink.stream = stream;
    if (sink.finished) post({ op: "end", stream });
  }
  return new FutureIncomingResponse(op);
}

// ---------------------------------------------------------------------------------------------
// The incoming side: serving a component's `incoming-handler`.

/** `incoming-request`. */
export class IncomingRequest {
  #consumed = false;
  constructor(
    readonly method_: Method,
    readonly path_: string | undefined,
    readonly scheme_: Scheme | undefined,
    readonly authority_: string | undefined,
    readonly headers_: Fields,
    readonly body_: ByteSource,
  ) {}
  method(): Method {
    return this.method_;
  }
  pathWithQuery(): string | undefined {
    return this.path_;
  }
  scheme(): Scheme | undefined {
    return this.scheme_;
  }
  authority(): string | undefined {
    return this.authority_;
  }
  headers(): Fields {
    return this.headers_;
  }
  consume(): IncomingBody {
    if (this.#consumed) throw undefined;
    this.#consumed = true;
    return new IncomingBody(this.body_);
  }
  [Symbol.dispose](): void {}
}
/** `outgoing-response`. */
export class OutgoingResponse {
  status = 200;
  readonly body_ = new BodySink();
  #bodyTaken = false;
  constructor(readonly headers_: Fields) {
    headers_.freeze();
  }
  statusCode(): number {
    return this.status;
  }
  setStatusCode(code: number): void {
    if (code < 100 || code > 999) throw undefined;
    this.status = code;
  }
  headers(): Fields {
    return this.headers_;
  }
  body(): OutgoingBody {
    if (this.#bodyTaken) throw undefined;
    this.#bodyTaken = true;
    return new OutgoingBody(this.body_);
  }
  [Symbol.dispose](): void {}
}

/** `response-outparam`: where a handler puts its response. */
export class ResponseOutparam {
  response: OutgoingResponse | undefined;
  error: ErrorCode | undefined;
  static set(param: ResponseOutparam, response: { tag: "ok" | "err"; val: unknown }): void {
    if (response.tag === "ok") param.response = response.val as OutgoingResponse;
    else param.error = response.val as ErrorCode;
  }
  [Symbol.dispose](): void {}
}

/** An exported `wasi:http/incoming-handler` as bindings give it. */
export interface IncomingHandler {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void;
}

/**
 * Serves one request with a component's `incoming-handler`: the request body is read first
 * (the component reads it synchronously), then the handler runs, and what it set on the
 * outparam becomes the `Response` (500 with the error code when it set an error or none).
 *
 * @example
 * ```ts ignore
 * import { instantiate } from "wasmcloud:hello";
 * import { serveIncoming } from "@wreg/wasi/http.ts";
 * const { incomingHandler } = instantiate();
 * Deno.serve((req) => serveIncoming(incomingHandler, req));
 * ```
 */
export async function serveIncoming(handler: IncomingHandler, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = new Uint8Array(await request.arrayBuffer());
  let at = 0;
  const source: ByteSource = {
    read(n) {
      if (at >= body.length) return undefined;
      const out = body.slice(at, at + n);
      at += out.length;
      return out;
    },
    subscribe: readyPollable,
  };
  const headers = Fields.frozen([...request.headers].map(([n, v]) => [n, enc.encode(v)]));
  const req = new IncomingRequest(
    methodOf(request.method),
    url.pathname + url.search,
    url.protocol === "https:" ? { tag: "HTTPS" } : { tag: "HTTP" },
    url.host,
    headers,
    source,
  );
  const out = new ResponseOutparam();
  handler.handle(req, out);
  const res = out.response;
  if (res === undefined) {
    return new Response(JSON.stringify(out.error ?? { tag: "internal-error" }), { status: 500 });
  }
  const noBody = [204, 304].includes(res.status) || request.method === "HEAD";
  return new Response(noBody ? null : res.body_.bytes(), {
    status: res.status,
    headers: res.headers_.toHeaders(),
  });
}

function httpErrorCode(err: IoError): ErrorCode | undefined {
  return err instanceof IoError ? { tag: "internal-error", val: err.message } : undefined;
}

/** The `wasi:http` interfaces, for `createWasi`'s `extensions`. */
export const extension: WasiExtension = {
  interfaces: {
    "wasi:http/types": () => ({
      Fields,
      IncomingRequest,
      OutgoingRequest,
      RequestOptions,
      ResponseOutparam,
      IncomingResponse,
      IncomingBody,
      FutureTrailers,
      OutgoingResponse,
      OutgoingBody,
      FutureIncomingResponse,
      httpErrorCode,
    }),
    "wasi:http/outgoing-handler": (ctx) => ({
      handle: (req: OutgoingRequest, options?: RequestOptions) => handle(ctx, req, options),
    }),
  },
};
