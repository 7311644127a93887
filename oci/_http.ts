/**
 * Bounded HTTP: every request has a watchdog (no answer, or no bytes, for `idleMs` aborts it; so
 * does passing its overall deadline), and every body is read with a byte limit that stops the
 * read as soon as it is exceeded (before, when `Content-Length` already says so). Nothing here
 * buffers more than it was allowed to.
 */
import { OciClientError } from "./_errors.ts";

/** Time limits of one request. */
export interface TimeLimits {
  /** Longest wait for the answer, and longest pause inside a body. */
  idleMs: number;
  /** Longest time for the whole request, body included. */
  totalMs: number;
}

/**
 * The overall time allowed for a transfer of `size` bytes: the idle allowance four times over,
 * plus the time the bytes take at 64 KiB/s (a trickle slower than that fails).
 */
export function totalTimeFor(idleMs: number, size: number | undefined): number {
  return idleMs * 4 + Math.ceil(((size ?? 0) / (64 * 1024)) * 1000);
}

/** The abort signal of one request and why it fired. */
export class Watchdog {
  readonly #controller = new AbortController();
  #idle: ReturnType<typeof setTimeout> | undefined;
  readonly #total: ReturnType<typeof setTimeout>;
  #why: "idle" | "total" | undefined;

  constructor(readonly limits: TimeLimits) {
    this.#total = setTimeout(() => this.#fire("total"), limits.totalMs);
    this.kick();
  }

  #fire(why: "idle" | "total"): void {
    this.#why ??= why;
    this.#controller.abort(new DOMException(why, "TimeoutError"));
  }

  /** The signal to give `fetch`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether (and why) the watchdog fired. */
  get fired(): "idle" | "total" | undefined {
    return this.#why;
  }

  /** Progress was made: the idle clock starts again. */
  kick(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#fire("idle"), this.limits.idleMs);
  }

  /** Stops both clocks. */
  dispose(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    clearTimeout(this.#total);
  }

  /** The few words saying why a request failed when the watchdog fired. */
  describe(): string {
    return this.#why === "total"
      ? `not finished within ${seconds(this.limits.totalMs)}`
      : `no answer within ${seconds(this.limits.idleMs)}`;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

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

/** The error for a request that threw (network failure or a fired watchdog). */
export function transportError(
  e: unknown,
  dog: Watchdog,
  what: string,
  url: string,
): OciClientError {
  if (e instanceof OciClientError) return e;
  if (dog.fired !== undefined) {
    return new OciClientError("timeout", `Cannot ${what}: ${url} ${dog.describe()}`, url);
  }
  return new OciClientError("unreachable", `Cannot ${what}: ${url} (${networkReason(e)})`, url);
}

/** Limits of one body read. */
export interface BodyLimits {
  /** Refuse more than this many bytes. */
  maxBytes: number;
  /** The exact size expected (from a descriptor): more is refused at once, less is an error. */
  expectedSize?: number;
  /** Called as bytes arrive. */
  onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * Reads a response body into memory within its limits; the watchdog is kicked on every chunk.
 *
 * @throws {OciClientError} `too-large` as soon as the limit is passed, `integrity` when fewer bytes
 *   than expected came, `timeout`/`unreachable` when the transfer stalls or breaks.
 */
export async function readBody(
  res: Response,
  dog: Watchdog,
  limits: BodyLimits,
  what: string,
  url: string,
): Promise<Uint8Array> {
  const max = Math.min(limits.maxBytes, limits.expectedSize ?? Infinity);
  const lengthHeader = res.headers.get("content-length");
  const declared = lengthHeader === null || !/^\d+$/.test(lengthHeader)
    ? undefined
    : Number(lengthHeader);
  if (declared !== undefined && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new OciClientError(
      "too-large",
      `Cannot ${what}: ${url} announces ${declared} bytes, more than the ${
        limits.expectedSize !== undefined ? "expected" : "allowed"
      } ${max}`,
      url,
      res.status,
    );
  }
  const total = limits.expectedSize ?? declared;
  const chunks: Uint8Array[] = [];
  let received = 0;
  limits.onProgress?.(0, total);
  const reader = res.body?.getReader();
  try {
    while (reader !== undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      dog.kick();
      received += value.length;
      if (received > max) {
        throw new OciClientError(
          "too-large",
          `Cannot ${what}: ${url} sent more than the ${
            limits.expectedSize !== undefined ? "expected" : "allowed"
          } ${max} bytes`,
          url,
          res.status,
        );
      }
      chunks.push(value);
      limits.onProgress?.(received, total);
    }
  } catch (e) {
    await reader?.cancel().catch(() => {});
    if (e instanceof OciClientError) throw e;
    const why = dog.fired !== undefined ? dog.describe() : networkReason(e);
    throw new OciClientError(
      dog.fired !== undefined ? "timeout" : "unreachable",
      `Cannot ${what}: the transfer from ${url} broke off after ${received} bytes (${why})`,
      url,
      res.status,
    );
  }
  if (limits.expectedSize !== undefined && received !== limits.expectedSize) {
    throw new OciClientError(
      "integrity",
      `Cannot ${what}: ${url} sent ${received} bytes, and its descriptor says ${limits.expectedSize}`,
      url,
      res.status,
    );
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
