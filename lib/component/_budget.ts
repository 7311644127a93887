/** A counter of type-checking work, so that inputs with explosive types stop with an error. */
import { ComponentDecodeError } from "./_error.ts";

/** Counts units of work against a limit; `offset` is where to report the failure. */
export class Budget {
  /** Units spent so far. */
  used = 0;
  /** Where to report the failure (the definition being checked). */
  offset = 0;
  /** A budget of `limit` units. */
  constructor(readonly limit: number) {}

  /** Spends `n` units; throws `limit-exceeded` past the limit. */
  spend(n = 1): void {
    this.used += n;
    if (this.used > this.limit) {
      throw new ComponentDecodeError(
        "limit-exceeded",
        `type checking needs more than the limit of ${this.limit} steps`,
        this.offset,
      );
    }
  }
}
