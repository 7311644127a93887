/**
 * Small HTTP pieces the handlers share: JSON responses, the declared digest of an upload, byte
 * ranges, entity tags, bearer tokens. Pure functions over headers; no I/O.
 */
import { type Digest, tryParseDigest } from "../lib/names/mod.ts";
import { RegistryError } from "./_errors.ts";

/** The content type of every JSON response. */
export const JSON_TYPE = "application/json; charset=utf-8";

/** Browsers must take a response as the type it says (JSON, WIT text, blobs), never sniff it. */
export const NOSNIFF = { "x-content-type-options": "nosniff" } as const;

/** A JSON response; `body` is serialized unless it is already text. */
export function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, {
    status,
    headers: { "content-type": JSON_TYPE, ...NOSNIFF, ...headers },
  });
}

/**
 * The digest the client declared for an upload: `X-Wreg-Digest: sha256:<hex>`, or the `Digest`
 * header in the same form or RFC 3230's `sha-256=<base64>`. `undefined` when none is given; a
 * malformed one is refused.
 */
export function declaredDigest(headers: Headers): Digest | undefined {
  const own = headers.get("x-wreg-digest");
  if (own !== null) return digestOrFail(own.trim(), "X-Wreg-Digest");
  const std = headers.get("digest");
  if (std === null) return undefined;
  for (const part of std.split(",")) {
    const p = part.trim();
    if (p.startsWith("sha256:")) return digestOrFail(p, "Digest");
    const eq = p.indexOf("=");
    if (eq > 0 && p.slice(0, eq).toLowerCase() === "sha-256") {
      let bytes: Uint8Array;
      try {
        bytes = Uint8Array.fromBase64(p.slice(eq + 1));
      } catch {
        bytes = new Uint8Array();
      }
      if (bytes.length !== 32) {
        throw new RegistryError(
          "invalid-digest",
          `Invalid Digest header ${JSON.stringify(std)}: "sha-256=" must carry 32 bytes of base64`,
        );
      }
      return `sha256:${bytes.toHex()}` as Digest;
    }
  }
  throw new RegistryError(
    "invalid-digest",
    `Invalid Digest header ${JSON.stringify(std)}: it has no sha-256 digest`,
  );
}

function digestOrFail(text: string, header: string): Digest {
  const d = tryParseDigest(text);
  if (d === undefined) {
    throw new RegistryError(
      "invalid-digest",
      `Invalid ${header} header ${
        JSON.stringify(text)
      }: expected "sha256:" and 64 lowercase hex digits`,
    );
  }
  return d;
}

/** A satisfiable byte range of a blob of known size. */
export interface ResolvedRange {
  offset: number;
  length: number;
}

/**
 * Parses a `Range` header against a blob's size (RFC 9110 §14): one `bytes=` range, as
 * `a-b`, `a-` or `-n`. Returns `undefined` when the header should be ignored (absent, another
 * unit, several ranges: the whole blob is sent with 200), a range to send with 206, or throws
 * `range-not-satisfiable` (416) for a range outside the blob.
 */
export function parseRange(header: string | null, size: number): ResolvedRange | undefined {
  if (header === null) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined; // not one byte range: ignore
  const unsatisfiable = () =>
    new RegistryError(
      "range-not-satisfiable",
      `Cannot serve range ${JSON.stringify(header)}: the blob has ${size} bytes`,
      { size },
      { "content-range": `bytes */${size}` },
    );
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const first = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) throw unsatisfiable();
  if (first >= size) throw unsatisfiable();
  if (last < first) return undefined; // syntactically invalid: ignore, per RFC 9110
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}

/** A strong entity tag for a value (a digest, a content hash). */
export function etagOf(value: string): string {
  return `"${value}"`;
}

/** Whether `If-None-Match` names the entity tag (or `*`), so a 304 can be sent. */
export function notModified(headers: Headers, etag: string): boolean {
  const inm = headers.get("if-none-match");
  if (inm === null) return false;
  if (inm.trim() === "*") return true;
  return inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/**
 * Whether an `If-Range` header (an entity tag or a date) still matches, so the range applies;
 * with a date, only our strong tag counts: a date never validates (blobs carry no Last-Modified).
 */
export function ifRangeMatches(headers: Headers, etag: string): boolean {
  const v = headers.get("if-range");
  return v === null || v.trim() === etag;
}

/** The secret of `Authorization: Bearer <secret>`, or `undefined` when there is no such header. */
export function bearerToken(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth === null) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) {
    throw new RegistryError(
      "unauthenticated",
      'Cannot read the Authorization header: expected "Bearer <token>"',
      undefined,
      { "www-authenticate": 'Bearer realm="wreg"' },
    );
  }
  return m[1];
}

/** The media type of a Content-Type header, lowercase and without parameters. */
export function mediaType(headers: Headers): string | undefined {
  const ct = headers.get("content-type");
  if (ct === null) return undefined;
  return ct.split(";")[0].trim().toLowerCase();
}

/**
 * The declared Content-Length, `undefined` when absent (a chunked body). A malformed value is
 * refused: an upload whose length cannot be trusted is not read.
 */
export function contentLength(headers: Headers): number | undefined {
  const v = headers.get("content-length");
  if (v === null) return undefined;
  if (!/^\s*\d+\s*$/.test(v)) {
    throw new RegistryError("invalid-body", `Invalid Content-Length ${JSON.stringify(v)}`);
  }
  return Number(v);
}

/** Reads a small JSON object body with a size limit; refuses other types and malformed JSON. */
export async function readJsonObject(
  req: Request,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const type = mediaType(req.headers);
  if (type !== "application/json") {
    throw new RegistryError(
      "unsupported-media-type",
      `Cannot read the request body: its Content-Type is ${
        type === undefined ? "missing" : JSON.stringify(type)
      }, not "application/json"`,
    );
  }
  const declared = contentLength(req.headers);
  if (declared !== undefined && declared > maxBytes) {
    throw tooLargeJson(maxBytes);
  }
  const bytes = await readAtMost(req.body, maxBytes, () => tooLargeJson(maxBytes));
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new RegistryError(
      "invalid-json",
      `Cannot read the request body: it is not valid JSON (${(e as Error).message})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RegistryError("invalid-json", "Cannot read the request body: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

function tooLargeJson(maxBytes: number): RegistryError {
  return new RegistryError(
    "payload-too-large",
    `Cannot read the request body: it is larger than ${maxBytes} bytes`,
    { limit: maxBytes },
  );
}

/** Reads a stream to its end, refusing more than `max` bytes (the stream is cancelled). */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    while (true) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        throw new RegistryError(
          "upload-incomplete",
          `Cannot read the request body: it ended early after ${size} bytes (${
            (e as Error).message
          })`,
        );
      }
      if (step.done) break;
      size += step.value.length;
      if (size > max) {
        reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(step.value);
    }
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, size);
}

/** Joins chunks into one array. */
export function concat(chunks: readonly Uint8Array[], size?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size ?? chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
