/**
 * Coordination inside one process: what the embedded and in-memory metadata stores give for the
 * lock, digest hold and change parts of the contract. One process owns an embedded data
 * directory (the blob store holds a file lock), so a mutex, a counter and a local signal are
 * coherent. The PostgreSQL store builds the same guarantees across processes on top of this
 * (its in-process queue comes first, so one process uses one connection per lock).
 */
import type { Digest } from "../lib/names/mod.ts";
import type { DigestHold, StoreChange } from "./_types.ts";

/** Per-key mutual exclusion, digest holds and change listeners of one process. */
export class LocalCoordinator {
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #holds = new Map<string, number>();
  /** Deletions running, by digest: new holds wait for them. */
  readonly #deleting = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(change: StoreChange) => void>();

  /** Runs `body` while holding the lock of `key`; callers of one key run one at a time. */
  async withLock<T>(key: string, body: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = previous.then(() => mine);
    this.#locks.set(key, chained);
    await previous.catch(() => {});
    try {
      return await body();
    } finally {
      release();
      if (this.#locks.get(key) === chained) this.#locks.delete(key);
    }
  }

  /** Holds a digest until released (waits while a deletion of it runs). */
  async holdDigest(digest: Digest): Promise<DigestHold> {
    while (this.#deleting.has(digest)) await this.#deleting.get(digest);
    this.#holds.set(digest, (this.#holds.get(digest) ?? 0) + 1);
    let released = false;
    return {
      intact: true,
      release: () => {
        if (!released) {
          released = true;
          const n = (this.#holds.get(digest) ?? 1) - 1;
          if (n <= 0) this.#holds.delete(digest);
          else this.#holds.set(digest, n);
        }
        return Promise.resolve();
      },
    };
  }

  /** Whether any hold of the digest is in force. */
  isHeld(digest: Digest): boolean {
    return this.#holds.has(digest);
  }

  /** Runs `body` when the digest is not held; holds wait until it settles. */
  async ifDigestUnheld<T>(
    digest: Digest,
    body: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    while (this.#deleting.has(digest)) await this.#deleting.get(digest);
    if (this.#holds.has(digest)) return { ran: false };
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#deleting.set(digest, promise);
    try {
      return { ran: true, value: await body() };
    } finally {
      this.#deleting.delete(digest);
      resolve();
    }
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener (a throwing listener does not stop the others). */
  emit(change: StoreChange): void {
    for (const l of [...this.#listeners]) {
      try {
        l(change);
      } catch { /* a listener's failure is its own */ }
    }
  }
}
