/**
 * Throttling of failed authentication, per client: each client (an IPv4 address, or the /64 of an
 * IPv6 one) has a bucket of failures that refills at a steady rate. While it is empty, every
 * authenticated request from that client is refused with `429 rate-limited` and `Retry-After`,
 * whether or not its token is right (or guessing could go on and succeed). Successes neither
 * fill nor drain the bucket. Memory is bounded: full buckets are forgotten first, and at worst
 * everything is forgotten.
 */

/** How failed authentication is throttled. */
export interface ThrottleLimits {
  /** Failures a client may make in a burst (default 10). */
  burst: number;
  /** Milliseconds for one failure to be forgiven (default 6,000: 10 a minute). */
  refillMs: number;
  /** Most clients remembered (default 10,000). */
  maxClients: number;
}

/** The limits used when none are given. */
export const DEFAULT_THROTTLE_LIMITS: Readonly<ThrottleLimits> = Object.freeze({
  burst: 10,
  refillMs: 6_000,
  maxClients: 10_000,
});

interface Bucket {
  /** Failures still allowed at `at`. */
  tokens: number;
  at: number;
}

/** Failed-authentication buckets by client. */
export class FailureThrottle {
  readonly #buckets = new Map<string, Bucket>();
  constructor(readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {}

  #level(b: Bucket, now: number): number {
    return Math.min(this.limits.burst, b.tokens + (now - b.at) / this.limits.refillMs);
  }

  /**
   * Seconds the client must wait before its next authenticated request, or 0 when it may go on.
   */
  blockedFor(client: string, now: number): number {
    const b = this.#buckets.get(client);
    if (b === undefined) return 0;
    const level = this.#level(b, now);
    if (level >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - level) * this.limits.refillMs) / 1000));
  }

  /** Counts a failure of the client. */
  fail(client: string, now: number): void {
    const b = this.#buckets.get(client);
    if (b === undefined) {
      if (this.#buckets.size >= this.limits.maxClients) this.#forget(now);
      this.#buckets.set(client, { tokens: this.limits.burst - 1, at: now });
      return;
    }
    b.tokens = Math.max(0, this.#level(b, now) - 1);
    b.at = now;
  }

  /** Forgets the clients whose buckets are full again; everything if none is. */
  #forget(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (this.#level(b, now) >= this.limits.burst) this.#buckets.delete(k);
    }
    if (this.#buckets.size >= this.limits.maxClients) this.#buckets.clear();
  }
}

/**
 * The client a request comes from, for throttling: an IPv4 address as is, an IPv6 address by its
 * first 64 bits (one host usually holds a whole /64), an IPv4-mapped IPv6 address as IPv4.
 *
 * @example
 * ```ts
 * import { clientKey } from "./_throttle.ts";
 * console.assert(clientKey("2001:db8:1:2:3:4:5:6") === "2001:db8:1:2::/64");
 * console.assert(clientKey("::ffff:10.0.0.1") === "10.0.0.1");
 * ```
 */
export function clientKey(hostname: string): string {
  if (!hostname.includes(":")) return hostname;
  const lower = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return mapped[1];
  const [head, tail] = lower.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined
    ? left
    : [...left, ...new Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
