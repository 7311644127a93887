import { type Comparator, compareSemVer, passes, Range, SemVer } from "./_semver.ts";
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
  const r = new Range(range, { includePrerelease: options.includePrerelease === true });
  return (version) => r.test(version);
}

/** A version as {@link VersionTable} keeps it: plain `X.Y.Z` as numbers, others parsed by semver. */
interface Entry {
  readonly version: Version;
  /** Position in the input. */
  readonly origin: number;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Set for versions with a pre-release or build part, which take semver's slower path. */
  readonly full?: SemVer;
}

const PLAIN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function entryOf(v: Version, origin: number): Entry {
  const m = PLAIN.exec(v);
  if (m !== null && m[1].length < 16 && m[2].length < 16 && m[3].length < 16) {
    return { version: v, origin, major: +m[1], minor: +m[2], patch: +m[3] };
  }
  const full = new SemVer(v);
  return { version: v, origin, major: full.major, minor: full.minor, patch: full.patch, full };
}

/** Semver order; versions equal but for build metadata are ordered by their text. */
function compareEntries(a: Entry, b: Entry): number {
  const order = a.full === undefined && b.full === undefined
    ? a.major - b.major || a.minor - b.minor || a.patch - b.patch
    : compareSemVer(a.full ?? new SemVer(a.version), b.full ?? new SemVer(b.version));
  return order || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0);
}

// Parsed ranges, shared by every table: a registry's packages use few distinct range texts.
const RANGE_CACHE_SIZE = 4096;
const rangeCache = new Map<string, Range>();

function compiled(range: VersionRange, includePrerelease: boolean): Range {
  const key = includePrerelease ? `p${range}` : `r${range}`;
  let r = rangeCache.get(key);
  if (r === undefined) {
    if (rangeCache.size >= RANGE_CACHE_SIZE) rangeCache.clear();
    r = new Range(range, { includePrerelease });
    rangeCache.set(key, r);
  }
  return r;
}

/** A plain release `X.Y.Z` against one comparator of a range, as semver's `cmp` decides it. */
function testPlain(e: Entry, c: Comparator): boolean {
  if (c.semver === undefined) return true; // the comparator that allows anything
  const s = c.semver;
  let order = e.major - s.major || e.minor - s.minor || e.patch - s.patch;
  // A release ranks above every pre-release of the same tuple.
  if (order === 0 && s.prerelease.length > 0) order = 1;
  return passes(c.operator, order);
}

/**
 * A set of versions parsed once and sorted ascending (duplicates dropped), to test many ranges
 * against: what a resolver does for every package it reads.
 *
 * @example
 * ```ts
 * import { parseRange, parseVersion, VersionTable } from "./mod.ts";
 * const t = new VersionTable(["2.0.0", "1.0.0", "1.5.0", "1.5.0"].map(parseVersion));
 * console.assert(t.versions.join(" ") === "1.0.0 1.5.0 2.0.0");
 * console.assert(t.matches(parseRange("^1")).join(" ") === "true true false");
 * ```
 */
export class VersionTable {
  /** The versions, ascending, without duplicates. */
  readonly versions: readonly Version[];
  /** For each version, its position in the input (the first, for a duplicate). */
  readonly origins: readonly number[];
  readonly #entries: Entry[];

  constructor(versions: Iterable<Version>) {
    const all: Entry[] = [];
    for (const v of versions) all.push(entryOf(v, all.length));
    // A stable sort keeps the first of equal versions first; the others are dropped.
    all.sort(compareEntries);
    this.#entries = all.filter((e, i) => i === 0 || e.version !== all[i - 1].version);
    this.versions = this.#entries.map((e) => e.version);
    this.origins = this.#entries.map((e) => e.origin);
  }

  /**
   * For each version (by index), whether it is in `range`: exactly what {@link rangeMatcher}
   * says, with plain releases compared as numbers instead of parsed again for each range.
   */
  matches(range: VersionRange, options: RangeMatcherOptions = {}): boolean[] {
    const r = compiled(range, options.includePrerelease === true);
    // For a release, semver's Range.test is: some comparator set whose every comparator holds.
    return this.#entries.map((e) =>
      e.full !== undefined ? r.test(e.full) : r.set.some((cs) => cs.every((c) => testPlain(e, c)))
    );
  }
}
