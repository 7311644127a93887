/**
 * The limits every HTTP exchange of wreg as a client runs under, in one place: the CLI's registry
 * client and the OCI client (which the registry's mirror uses too) use these rather than `fetch`
 * alone:
 *
 * - **Connections**: at most {@link MAX_CONNECTIONS} requests to one registry at a time
 *   ({@link Slots}); the others wait their turn (the resolver prefetches indexes freely).
 * - **Time**: the answer's head must come within the timeout (`WREG_TIMEOUT`, default 30 s), and
 *   then every period of that length must bring at least {@link MIN_BYTES_PER_SECOND} of the
 *   body, so neither silence nor a trickle holds the command longer than one period past the
 *   point the rate fell ({@link readBody}).
 * - **Size**: a body stops at a limit the caller sets (a blob's size from the package index or
 *   its descriptor, the JSON limit), and a `Content-Length` over that limit is refused before the body is read.
 * - **Secrets**: a token goes only to an `https` URL or to a loopback address
 *   ({@link mayCarrySecrets}).
 *
 * Failures are {@link BodyError}s with a kind; the caller words them for the user.
 */

/** The slowest a body may arrive, averaged over each timeout period. */
export const MIN_BYTES_PER_SECOND = 1024;

/** At most this many requests to one registry are in flight at once. */
export const MAX_CONNECTIONS = 8;

/**
 * A counting semaphore: {@link acquire} resolves to a release function once a slot is free;
 * waiters are served in order.
 */
export class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    this.#free = limit;
  }

  /** Waits for a free slot; the function it resolves to gives the slot back (once). */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next !== undefined) next(); // the slot passes straight to the next waiter
      else this.#free++;
    };
  }
}

/** Why reading a body failed. */
export type BodyErrorKind =
  /** More bytes than the limit (or a `Content-Length` saying so). */
  | "too-large"
  /** A `Content-Length` other than the size the caller expects. */
  | "wrong-length"
  /** A timeout period brought less than the minimum rate. */
  | "slow"
  /** The connection failed or closed early. */
  | "broken";

/** A body that could not be read within its limits. */
export class BodyError extends Error {
  override name = "BodyError";
  constructor(
    readonly kind: BodyErrorKind,
    message: string,
    /** Bytes received before it stopped. */
    readonly received: number,
    /** The `Content-Length` announced, when there was one. */
    readonly announced?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** How {@link readBody} reads. */
export interface ReadBodyOptions {
  /** The most bytes accepted. */
  limit: number;
  /** The exact size expected (a blob's size from its index), when known. */
  expected?: number;
  /** The timeout period, in milliseconds. */
  timeoutMs: number;
  /** Aborting it stops the request (the caller's controller of the fetch). */
  abort: AbortController;
  /** Told of progress as bytes arrive. */
  onProgress?: (received: number, total: number | undefined) => void;
}

/** The `Content-Length` of an uncompressed answer, when it has a valid one. */
function announcedLength(res: Response): number | undefined {
  if (res.headers.has("content-encoding")) return undefined; // the length of other bytes
  const text = res.headers.get("content-length");
  if (text === null || !/^\d{1,16}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** Seconds for a message: `0.5`, `30`. */
export function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/**
 * Reads a whole body within the limits (see the module's comment). The timeout period starts when
 * this is called; the caller bounds the wait for the head itself.
 *
 * @throws {BodyError} `too-large`, `wrong-length`, `slow` or `broken`.
 */
export async function readBody(res: Response, o: ReadBodyOptions): Promise<Uint8Array> {
  const announced = announcedLength(res);
  const fail = (kind: BodyErrorKind, message: string, received: number, cause?: unknown) => {
    o.abort.abort();
    return new BodyError(kind, message, received, announced, { cause });
  };
  if (o.expected !== undefined && announced !== undefined && announced !== o.expected) {
    await res.body?.cancel().catch(() => {});
    throw fail("wrong-length", `announced ${announced} bytes, expected ${o.expected}`, 0);
  }
  const limit = Math.min(o.limit, o.expected ?? Infinity);
  if (announced !== undefined && announced > limit) {
    await res.body?.cancel().catch(() => {});
    throw fail("too-large", `announced ${announced} bytes, more than ${limit}`, 0);
  }
  const total = announced ?? o.expected;
  let buf = new Uint8Array(Math.min(total ?? 64 * 1024, limit));
  let received = 0;
  o.onProgress?.(0, total);
  if (res.body === null) return buf.subarray(0, 0);
  const reader = res.body.getReader();
  // The rate check: every period must bring its share, or the request is aborted.
  const floor = Math.max(1, Math.floor(MIN_BYTES_PER_SECOND * o.timeoutMs / 1000));
  let inPeriod = 0;
  let slow: number | undefined;
  const timer = setInterval(() => {
    if (inPeriod < floor) {
      slow = inPeriod;
      o.abort.abort();
      reader.cancel().catch(() => {});
    }
    inPeriod = 0;
  }, o.timeoutMs);
  try {
    while (true) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        if (slow !== undefined) break;
        throw fail("broken", `broke off after ${received} bytes`, received, e);
      }
      if (slow !== undefined) break;
      if (step.done) break;
      const chunk = step.value;
      if (received + chunk.length > limit) {
        reader.cancel().catch(() => {});
        throw fail("too-large", `more than ${limit} bytes`, received + chunk.length);
      }
      if (received + chunk.length > buf.length) {
        const grown = new Uint8Array(
          Math.min(limit, Math.max(buf.length * 2, received + chunk.length)),
        );
        grown.set(buf.subarray(0, received));
        buf = grown;
      }
      buf.set(chunk, received);
      received += chunk.length;
      inPeriod += chunk.length;
      o.onProgress?.(received, total);
    }
  } finally {
    clearInterval(timer);
  }
  if (slow !== undefined) {
    throw fail(
      "slow",
      `slowed to ${slow} bytes in ${seconds(o.timeoutMs)} s (under ${
        MIN_BYTES_PER_SECOND / 1024
      } KiB/s over a WREG_TIMEOUT period)`,
      received,
    );
  }
  if (announced !== undefined && received !== announced) {
    throw fail("broken", `broke off after ${received} of ${announced} bytes`, received);
  }
  return buf.subarray(0, received);
}

/** Whether a host name is a loopback address (`localhost`, `127.x.x.x`, `[::1]`). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Whether a secret (a token) may be sent to `url`: over `https`, or over plain `http` only to a
 * loopback address (a registry on the same machine). Anything else would send it in clear text
 * across a network.
 */
export function mayCarrySecrets(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === "https:") return true;
  return u.protocol === "http:" && isLoopbackHost(u.hostname);
}
