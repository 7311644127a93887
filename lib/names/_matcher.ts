import semver from "semver";
import type { Version, VersionRange } from "./_version.ts";

/** Options of {@link rangeMatcher}. */
export interface RangeMatcherOptions {
  /**
   * Let pre-release versions match by their version tuple alone (`1.3.0-rc.1` is in `^1.2`).
   * Without it, a pre-release matches only when the range itself names a pre-release of the same
   * `MAJOR.MINOR.PATCH`, as {@link satisfies} does.
   */
  readonly includePrerelease?: boolean;
}

/**
 * A predicate that tests versions against one range, parsing the range once: the fast path for
 * testing many versions against the same range (dependency resolution does this all the time).
 *
 * @example
 * ```ts
 * import { parseRange, parseVersion, rangeMatcher } from "./mod.ts";
 * const inCaret = rangeMatcher(parseRange("^1.2"));
 * console.assert(inCaret(parseVersion("1.4.0")) && !inCaret(parseVersion("2.0.0")));
 * console.assert(!inCaret(parseVersion("1.3.0-rc.1")));
 * const withPre = rangeMatcher(parseRange("^1.2"), { includePrerelease: true });
 * console.assert(withPre(parseVersion("1.3.0-rc.1")));
 * ```
 */
export function rangeMatcher(
  range: VersionRange,
  options: RangeMatcherOptions = {},
): (version: Version) => boolean {
  const r = new semver.Range(range, { includePrerelease: options.includePrerelease === true });
  return (version) => r.test(version);
}
