/**
 * Blobs in an S3-compatible object store, for several registry processes serving one registry.
 *
 * - A put hashes the bytes as they arrive (refusing a digest mismatch or an oversized stream
 *   before anything is sent), keeping them in memory up to `spoolAbove` bytes and in a temporary
 *   file past that, then sends one `PutObject` with its `Content-Length`, the SHA-256 as
 *   `x-amz-content-sha256` (so the store verifies the bytes it received and refuses others), and
 *   `If-None-Match: *`: a blob is written once under its digest, and a second writer of the same
 *   bytes gets `412` (reported as `created: false`).
 * - Downloads stream the object's body (`Range` for byte ranges) or, for redirects, a presigned
 *   `GET` URL that expires.
 * - Requests are signed with AWS Signature V4 by `aws4fetch` (a few kilobytes, no dependencies);
 *   bodies go out with Deno's `fetch` when in memory, and with `node:http` when spooled to a file,
 *   because `fetch` sends any stream as `Transfer-Encoding: chunked`, which S3 refuses.
 * - A store that does not answer (connection refused, timeouts, 5xx) fails with `unavailable`;
 *   nothing is cached, so the next request after it returns succeeds. No message carries the
 *   secret key.
 */
import { AwsClient } from "aws4fetch";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createReadStream } from "node:fs";
import type { Digest } from "../lib/names/mod.ts";
import { StorageError } from "./_errors.ts";
import { DEFAULT_MAX_BLOB_SIZE, digestMismatch, ingest, resolveRange } from "./_ingest.ts";
import { blobKey, uploadPartKey } from "./_paths.ts";
import { checkPartIds, concatParts, partNotFound } from "./_upload_parts.ts";
import type {
  BlobBody,
  BlobSource,
  BlobStat,
  BlobStore,
  ByteRange,
  PutOptions,
  PutResult,
} from "./_types.ts";

/** Where the blobs live, as a `s3://` URL says it. */
export interface S3Location {
  /** The bucket. */
  bucket: string;
  /** A key prefix (`""` or ending in `/`). */
  prefix: string;
  /** The endpoint (`http://127.0.0.1:7070`); absent: AWS's regional endpoint. */
  endpoint?: string;
  /** The signing region (default `us-east-1`). */
  region: string;
  /** Seconds a presigned download URL lives, when downloads are redirected (0: streamed). */
  presignSeconds: number;
}

/** Options of {@link S3BlobStore}. */
export interface S3BlobStoreOptions extends Partial<S3Location> {
  /** The bucket. */
  bucket: string;
  /** Access key ID (default `AWS_ACCESS_KEY_ID`). */
  accessKeyId: string;
  /** Secret access key (default `AWS_SECRET_ACCESS_KEY`). */
  secretAccessKey: string;
  /** Session token of temporary credentials (`AWS_SESSION_TOKEN`). */
  sessionToken?: string;
  /** The default size limit of a put, in bytes (1 GiB unless given). */
  maxSize?: number;
  /** Puts larger than this many bytes are spooled to a temporary file (default 8 MiB). */
  spoolAbove?: number;
  /** How long to wait for the store's answer (headers), in ms (default 30 s). */
  timeoutMs?: number;
  /** Sees every signed request before it is sent (tests check what goes over the wire). */
  observe?: (request: { method: string; url: string; headers: Headers }) => void;
}

/**
 * Reads `s3://bucket/prefix?endpoint=URL&region=R&presign=SECONDS`.
 *
 * @example
 * ```ts
 * import { parseS3Url } from "./_s3_blob_store.ts";
 * const l = parseS3Url("s3://wreg/prod?endpoint=http://127.0.0.1:7070&region=eu-west-1");
 * console.assert(l.bucket === "wreg" && l.prefix === "prod/" && l.region === "eu-west-1");
 * ```
 */
export function parseS3Url(text: string): S3Location {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw invalidUrl(text, "expected s3://bucket/prefix?endpoint=…&region=…");
  }
  if (u.protocol !== "s3:") throw invalidUrl(text, "expected the s3: scheme");
  if (u.username !== "" || u.password !== "") {
    throw new StorageError(
      "invalid-input",
      "Invalid blob store URL: put no credentials in it; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
  const bucket = u.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw invalidUrl(text, `${JSON.stringify(bucket)} is not a bucket name`);
  }
  const path = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, "");
  const rawPath = text.slice("s3://".length).split(/[?#]/)[0].split("/").slice(1);
  if (rawPath.some((s) => s === "." || s === ".." || /^%2e(%2e)?$/i.test(s))) {
    throw invalidUrl(text, "the prefix has a dot segment");
  }
  const endpoint = u.searchParams.get("endpoint") ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
    throw invalidUrl(text, "endpoint must be http(s)://host[:port]");
  }
  const presign = Number(u.searchParams.get("presign") ?? "0");
  if (!Number.isSafeInteger(presign) || presign < 0 || presign > 7 * 24 * 3600) {
    throw invalidUrl(text, "presign must be a number of seconds up to a week");
  }
  return {
    bucket,
    prefix: path === "" ? "" : `${path}/`,
    endpoint: endpoint?.replace(/\/$/, ""),
    region: u.searchParams.get("region") ?? "us-east-1",
    presignSeconds: presign,
  };
}

function invalidUrl(_text: string, why: string): StorageError {
  // The URL itself is not repeated: it is configuration and may be logged.
  return new StorageError("invalid-input", `Invalid blob store URL: ${why}`);
}

interface Answer {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

/** See the module documentation. */
export class S3BlobStore implements BlobStore {
  readonly #aws: AwsClient;
  readonly #base: string;
  readonly #prefix: string;
  readonly #maxSize: number;
  readonly #spoolAbove: number;
  readonly #timeoutMs: number;
  /** Seconds a presigned download URL lives when downloads are redirected (unset: streamed). */
  readonly redirectSeconds?: number;
  readonly #where: string;
  readonly #observe: S3BlobStoreOptions["observe"];
  #closed = false;

  constructor(options: S3BlobStoreOptions) {
    const region = options.region ?? "us-east-1";
    this.#aws = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
      service: "s3",
      region,
      retries: 0,
    });
    this.#base = options.endpoint
      ? `${options.endpoint.replace(/\/$/, "")}/${options.bucket}`
      : `https://${options.bucket}.s3.${region}.amazonaws.com`;
    this.#prefix = options.prefix ?? "";
    this.#maxSize = options.maxSize ?? DEFAULT_MAX_BLOB_SIZE;
    this.#spoolAbove = options.spoolAbove ?? 8 * 1024 * 1024;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (options.presignSeconds) this.redirectSeconds = options.presignSeconds;
    this.#where = `bucket "${options.bucket}"`;
    this.#observe = options.observe;
  }

  /** A store at a `s3://` URL, with credentials from the environment unless given. */
  static fromUrl(
    url: string,
    options: Partial<S3BlobStoreOptions> & { env?: (name: string) => string | undefined } = {},
  ): S3BlobStore {
    const location = parseS3Url(url);
    const env = options.env ?? ((n: string) => Deno.env.get(n));
    const accessKeyId = options.accessKeyId ?? env("AWS_ACCESS_KEY_ID");
    const secretAccessKey = options.secretAccessKey ?? env("AWS_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey) {
      throw new StorageError(
        "invalid-input",
        "Cannot open the blob store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      );
    }
    return new S3BlobStore({
      ...location,
      ...options,
      accessKeyId,
      secretAccessKey,
      sessionToken: options.sessionToken ?? env("AWS_SESSION_TOKEN"),
    });
  }

  async put(source: BlobSource, options: PutOptions = {}): Promise<PutResult> {
    this.#open();
    const maxSize = options.maxSize ?? this.#maxSize;
    const spool = new Spool(this.#spoolAbove);
    try {
      let got;
      try {
        got = await ingest(source, maxSize, (chunk) => spool.write(chunk));
      } catch (e) {
        if (e instanceof StorageError) throw e;
        throw new StorageError("io", `Cannot store blob: ${(e as Error).message}`, {}, {
          cause: e,
        });
      }
      if (options.digest !== undefined && got.digest !== options.digest) {
        throw digestMismatch(options.digest, got.digest);
      }
      await spool.finish();
      const hex = got.digest.slice("sha256:".length);
      for (let attempt = 0;; attempt++) {
        const res = await this.#send("PUT", this.#url(got.digest), {
          headers: {
            "if-none-match": "*",
            "x-amz-content-sha256": hex,
            "content-type": "application/octet-stream",
          },
          spool,
          size: got.size,
        });
        if (res.status === 200 || res.status === 412 || res.status === 409) {
          await res.body?.cancel();
        }
        if (res.status === 200) return { ...got, created: true };
        if (res.status === 412) return { ...got, created: false };
        // 409 ConditionalRequestConflict: another conditional write of the key is in progress.
        if (res.status === 409 && attempt < 20) {
          await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
          continue;
        }
        throw await this.#failure(`store blob "${got.digest}"`, res);
      }
    } finally {
      await spool.discard();
    }
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  async stat(digest: Digest): Promise<BlobStat | undefined> {
    this.#open();
    const res = await this.#send("HEAD", this.#url(digest));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.#failure(`stat blob "${digest}"`, res);
    const modified = Date.parse(res.headers.get("last-modified") ?? "");
    return {
      digest,
      size: Number(res.headers.get("content-length") ?? "0"),
      storedAt: new Date(Number.isNaN(modified) ? 0 : modified).toISOString(),
    };
  }

  async get(digest: Digest, range?: ByteRange): Promise<BlobBody> {
    this.#open();
    let r: { offset: number; length: number } | undefined;
    if (range !== undefined) {
      const stat = await this.stat(digest);
      if (stat === undefined) throw notFound(digest);
      r = resolveRange(digest, stat.size, range);
    }
    const headers: Record<string, string> = {};
    if (r !== undefined) headers.range = `bytes=${r.offset}-${r.offset + r.length - 1}`;
    const res = await this.#send("GET", this.#url(digest), { headers });
    if (res.status === 404) {
      await res.body?.cancel();
      throw notFound(digest);
    }
    if (res.status !== 200 && res.status !== 206) {
      throw await this.#failure(`read blob "${digest}"`, res);
    }
    const empty = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    const stream = res.body ?? empty;
    if (res.status === 206) {
      const m = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "");
      return { stream, size: Number(m?.[1] ?? 0), offset: r!.offset, length: r!.length };
    }
    const size = Number(res.headers.get("content-length") ?? "0");
    return { stream, size, offset: 0, length: size };
  }

  async delete(digest: Digest): Promise<boolean> {
    if ((await this.stat(digest)) === undefined) return false;
    const res = await this.#send("DELETE", this.#url(digest));
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) {
      throw await this.#failure(`delete blob "${digest}"`, res);
    }
    await res.body?.cancel();
    return res.status !== 404;
  }

  async *list(): AsyncIterable<BlobStat> {
    this.#open();
    let token: string | undefined;
    do {
      const q = new URLSearchParams({ "list-type": "2", prefix: `${this.#prefix}sha256/` });
      if (token !== undefined) q.set("continuation-token", token);
      const res = await this.#send("GET", `${this.#base}?${q}`);
      if (res.status !== 200) throw await this.#failure("list blobs", res);
      const xml = await new Response(res.body).text();
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = unescapeXml(tag(m[1], "Key") ?? "");
        const hex = /sha256\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key)?.[1];
        if (hex === undefined || key !== `${this.#prefix}sha256/${hex.slice(0, 2)}/${hex}`) {
          continue;
        }
        const modified = Date.parse(tag(m[1], "LastModified") ?? "");
        yield {
          digest: `sha256:${hex}` as Digest,
          size: Number(tag(m[1], "Size") ?? "0"),
          storedAt: new Date(Number.isNaN(modified) ? 0 : modified).toISOString(),
        };
      }
      token = tag(xml, "IsTruncated") === "true"
        ? unescapeXml(tag(xml, "NextContinuationToken") ?? "")
        : undefined;
    } while (token);
  }

  async ping(): Promise<void> {
    this.#open();
    const res = await this.#send("HEAD", this.#base);
    if (res.status !== 200) throw await this.#failure(`reach ${this.#where}`, res);
    await res.body?.cancel();
  }

  async presignedUrl(digest: Digest, expiresInSeconds: number): Promise<string> {
    this.#open();
    const url = new URL(this.#url(digest));
    url.searchParams.set("X-Amz-Expires", String(Math.max(1, Math.trunc(expiresInSeconds))));
    const signed = await this.#aws.sign(url.href, { method: "GET", aws: { signQuery: true } });
    return signed.url;
  }

  // --- parts of uploads in progress: objects under `uploads/<upload>/<part>`

  async putUploadPart(
    upload: string,
    part: string,
    source: BlobSource,
    options: { maxSize?: number } = {},
  ): Promise<{ size: number }> {
    this.#open();
    checkPartIds(upload, part);
    const spool = new Spool(this.#spoolAbove);
    try {
      let got;
      try {
        got = await ingest(source, options.maxSize ?? this.#maxSize, (c) => spool.write(c));
      } catch (e) {
        if (e instanceof StorageError) throw e;
        throw new StorageError("io", `Cannot store an upload part: ${(e as Error).message}`, {}, {
          cause: e,
        });
      }
      await spool.finish();
      const res = await this.#send("PUT", this.#keyUrl(uploadPartKey(upload, part)), {
        headers: {
          "x-amz-content-sha256": got.digest.slice("sha256:".length),
          "content-type": "application/octet-stream",
        },
        spool,
        size: got.size,
      });
      if (res.status !== 200) {
        throw await this.#failure(`store part "${part}" of upload "${upload}"`, res);
      }
      await res.body?.cancel();
      return { size: got.size };
    } finally {
      await spool.discard();
    }
  }

  readUploadParts(upload: string, parts: readonly string[]): ReadableStream<Uint8Array> {
    this.#open();
    checkPartIds(upload);
    return concatParts(parts, async (part) => {
      checkPartIds(upload, part);
      const res = await this.#send("GET", this.#keyUrl(uploadPartKey(upload, part)));
      if (res.status === 404) {
        await res.body?.cancel();
        throw partNotFound(upload, part);
      }
      if (res.status !== 200) {
        throw await this.#failure(`read part "${part}" of upload "${upload}"`, res);
      }
      return res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    });
  }

  async deleteUploadParts(upload: string): Promise<void> {
    this.#open();
    checkPartIds(upload);
    for await (const object of this.#listKeys(`${this.#prefix}uploads/${upload}/`)) {
      const res = await this.#send("DELETE", this.#keyUrl(object.key.slice(this.#prefix.length)));
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) {
        throw await this.#failure(`delete the parts of upload "${upload}"`, res);
      }
      await res.body?.cancel();
    }
  }

  async *listUploadParts(): AsyncIterable<{ upload: string; storedAt: string }> {
    this.#open();
    const newest = new Map<string, number>();
    const root = `${this.#prefix}uploads/`;
    for await (const object of this.#listKeys(root)) {
      const upload = object.key.slice(root.length).split("/")[0];
      if (!/^[a-z0-9-]{1,64}$/.test(upload)) continue;
      newest.set(upload, Math.max(newest.get(upload) ?? 0, object.modified));
    }
    for (const [upload, t] of newest) yield { upload, storedAt: new Date(t).toISOString() };
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  // --- helpers

  /** Every object under a key prefix, with its key and last modification (ms). */
  async *#listKeys(prefix: string): AsyncIterable<{ key: string; modified: number }> {
    let token: string | undefined;
    do {
      const q = new URLSearchParams({ "list-type": "2", prefix });
      if (token !== undefined) q.set("continuation-token", token);
      const res = await this.#send("GET", `${this.#base}?${q}`);
      if (res.status !== 200) throw await this.#failure("list upload parts", res);
      const xml = await new Response(res.body).text();
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const modified = Date.parse(tag(m[1], "LastModified") ?? "");
        yield {
          key: unescapeXml(tag(m[1], "Key") ?? ""),
          modified: Number.isNaN(modified) ? 0 : modified,
        };
      }
      token = tag(xml, "IsTruncated") === "true"
        ? unescapeXml(tag(xml, "NextContinuationToken") ?? "")
        : undefined;
    } while (token);
  }

  #keyUrl(key: string): string {
    const full = `${this.#prefix}${key}`;
    return `${this.#base}/${full.split("/").map(encodeURIComponent).join("/")}`;
  }

  #open(): void {
    if (this.#closed) {
      throw new StorageError("closed", `Cannot use the blob store (${this.#where}): it was closed`);
    }
  }

  #url(digest: Digest): string {
    const key = `${this.#prefix}${blobKey(digest)}`;
    return `${this.#base}/${key.split("/").map(encodeURIComponent).join("/")}`;
  }

  /** Sends one signed request; a store that does not answer in time is `unavailable`. */
  async #send(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; spool?: Spool; size?: number } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (!("x-amz-content-sha256" in headers)) headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    const signed = await this.#aws.sign(url, { method, headers });
    this.#observe?.({ method, url: signed.url, headers: signed.headers });
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    try {
      if (init.spool?.file !== undefined) {
        return await sendFile(signed, init.spool.file, init.size!, timeout.signal);
      }
      const res = await fetch(signed.url, {
        method,
        headers: signed.headers,
        body: init.spool ? init.spool.bytes() as Uint8Array<ArrayBuffer> : undefined,
        signal: timeout.signal,
      });
      return { status: res.status, headers: res.headers, body: res.body };
    } catch (e) {
      const why = timeout.signal.aborted
        ? `no answer within ${this.#timeoutMs} ms`
        : (e as Error).message;
      throw new StorageError(
        "unavailable",
        `Cannot reach the blob store (${this.#where}): ${why}`,
        {},
        { cause: e },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async #failure(what: string, res: Answer): Promise<StorageError> {
    let code = "";
    let message = "";
    try {
      const text = res.body ? await new Response(res.body).text() : "";
      code = tag(text, "Code") ?? "";
      message = tag(text, "Message") ?? "";
    } catch { /* the body is only for the message */ }
    if (code === "" && res.status === 403) {
      message = "access denied (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
    }
    const why = `${res.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`;
    if (res.status >= 500 || res.status === 429) {
      return new StorageError(
        "unavailable",
        `Cannot ${what}: the blob store (${this.#where}) is unavailable (${why})`,
        { status: res.status },
      );
    }
    return new StorageError(
      "io",
      `Cannot ${what}: the blob store (${this.#where}) answered ${why}`,
      {
        status: res.status,
        s3Code: code,
      },
    );
  }
}

function notFound(digest: Digest): StorageError {
  return new StorageError("not-found", `Cannot find blob "${digest}"`, { digest });
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g,
    (_, name, dec, hex) =>
      dec !== undefined
        ? String.fromCodePoint(Number(dec))
        : hex !== undefined
        ? String.fromCodePoint(parseInt(hex, 16))
        : { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" }[name as string]!,
  );
}

/** Bytes of an upload: in memory up to a limit, then in a temporary file. */
class Spool {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #handle: Deno.FsFile | undefined;
  file: string | undefined;

  constructor(readonly limit: number) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#handle === undefined && this.#size + chunk.length > this.limit) {
      this.file = await Deno.makeTempFile({ prefix: "wreg-s3-put-" });
      this.#handle = await Deno.open(this.file, { write: true });
      for (const c of this.#chunks) await writeAll(this.#handle, c);
      this.#chunks = [];
    }
    this.#size += chunk.length;
    if (this.#handle !== undefined) await writeAll(this.#handle, chunk);
    else this.#chunks.push(chunk.slice());
  }

  async finish(): Promise<void> {
    this.#handle?.close();
    this.#handle = undefined;
    await Promise.resolve();
  }

  bytes(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0];
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.#chunks = [out];
    return out;
  }

  async discard(): Promise<void> {
    try {
      this.#handle?.close();
    } catch { /* closed */ }
    this.#handle = undefined;
    if (this.file !== undefined) await Deno.remove(this.file).catch(() => {});
    this.file = undefined;
    this.#chunks = [];
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}

/** Sends a signed request whose body is a file, with its length (S3 refuses chunked bodies). */
function sendFile(
  signed: Request,
  path: string,
  size: number,
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(signed.url);
    const headers: Record<string, string> = {};
    signed.headers.forEach((v, k) => (headers[k] = v));
    headers["content-length"] = String(size);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, { method: signed.method, headers, signal }, (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (typeof v === "string") h.set(k, v);
      }
      const chunks: Uint8Array[] = [];
      res.on("data", (c: Uint8Array) => chunks.push(c));
      res.on("end", () => {
        const body = new Blob(chunks as BlobPart[]).stream();
        resolve({ status: res.statusCode ?? 0, headers: h, body });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    const file = createReadStream(path);
    file.on("error", (e) => req.destroy(e));
    file.pipe(req);
  });
}
