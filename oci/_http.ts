/**
 * The OCI client's requests under the limits of {@link readBody}: the head of an answer must come
 * within the timeout ({@link fetchHead}), and its body is read by the one bounded reader, whose
 * failures become {@link OciClientError}s.
 */
import { BodyError, readBody, seconds } from "./_body.ts";
import { OciClientError } from "./_errors.ts";

/** Why a fetch failed, in a few words (`connection refused`, `cannot resolve the host name`). */
export function networkReason(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string } };
  const text = err?.cause?.message ?? err?.message ?? String(e);
  const os = /([A-Za-z][^:()]*?) \(os error \d+\)/.exec(text);
  if (os) return os[1].toLowerCase();
  if (/dns error/i.test(text)) return "cannot resolve the host name";
  const i = text.lastIndexOf(": ");
  return i >= 0 ? text.slice(i + 2) : text;
}

/**
 * `fetch` whose head must come within `timeoutMs`; `abort` stops it (body included) and stays
 * the caller's to pass to {@link readLimited}.
 *
 * @throws {OciClientError} `timeout` or `unreachable`.
 */
export async function fetchHead(
  url: string | URL,
  init: RequestInit,
  abort: AbortController,
  timeoutMs: number,
  what: string,
  shownUrl: string,
): Promise<Response> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new DOMException("no answer in time", "TimeoutError"));
  }, timeoutMs);
  try {
    return await fetch(url, { ...init, signal: abort.signal });
  } catch (e) {
    if (timedOut) {
      throw new OciClientError(
        "timeout",
        `Cannot ${what}: ${shownUrl} gave no answer within ${seconds(timeoutMs)} s`,
        shownUrl,
      );
    }
    throw new OciClientError(
      "unreachable",
      `Cannot ${what}: ${shownUrl} (${networkReason(e)})`,
      shownUrl,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** What {@link readLimited} accepts. */
export interface Limits {
  /** The most bytes. */
  limit: number;
  /** The exact size (from a descriptor), when known. */
  expected?: number;
  onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * Reads a body with {@link readBody}'s limits.
 *
 * @throws {OciClientError} `too-large` past the limit, `integrity` when the length announced or
 *   received is not the descriptor's, `timeout` for a body slower than the minimum rate,
 *   `unreachable` when the connection breaks.
 */
export async function readLimited(
  res: Response,
  abort: AbortController,
  timeoutMs: number,
  limits: Limits,
  what: string,
  url: string,
): Promise<Uint8Array> {
  try {
    const bytes = await readBody(res, {
      limit: limits.limit,
      expected: limits.expected,
      timeoutMs,
      abort,
      onProgress: limits.onProgress,
    });
    if (limits.expected !== undefined && bytes.length !== limits.expected) {
      throw new OciClientError(
        "integrity",
        `Cannot ${what}: ${url} sent ${bytes.length} bytes, and its descriptor says ${limits.expected}`,
        url,
        res.status,
      );
    }
    return bytes;
  } catch (e) {
    if (!(e instanceof BodyError)) throw e;
    const by = limits.expected !== undefined ? "its descriptor's" : "the allowed";
    const max = Math.min(limits.limit, limits.expected ?? Infinity);
    switch (e.kind) {
      case "too-large":
        throw new OciClientError(
          "too-large",
          e.announced !== undefined && e.received === 0
            ? `Cannot ${what}: ${url} announces ${e.announced} bytes, more than ${by} ${max}`
            : `Cannot ${what}: ${url} sent more than ${by} ${max} bytes`,
          url,
          res.status,
        );
      case "wrong-length":
        throw new OciClientError(
          "integrity",
          `Cannot ${what}: ${url} announces ${e.announced} bytes, and its descriptor says ${limits.expected}`,
          url,
          res.status,
        );
      case "slow":
        throw new OciClientError(
          "timeout",
          `Cannot ${what}: the transfer from ${url} ${e.message}`,
          url,
        );
      case "broken":
        throw new OciClientError(
          "unreachable",
          `Cannot ${what}: the transfer from ${url} ${e.message}${
            e.cause ? ` (${networkReason(e.cause)})` : ""
          }`,
          url,
        );
    }
  }
}
