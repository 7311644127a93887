import { compareSemVer, parseSemVer, SemVer, tryRange } from "./_semver.ts";
import { NameError } from "./_error.ts";
import { clip } from "./_label.ts";

declare const versionBrand: unique symbol;
declare const rangeBrand: unique symbol;

/** A semver version in canonical form (`1.2.3`, `0.2.0-rc-2023-10-18`), only made by {@link parseVersion}. */
export type Version = string & { readonly [versionBrand]: true };
/** A semver range in npm syntax (`^1.2`, `>=0.2.0 <0.3.0`), only made by {@link parseRange}. */
export type VersionRange = string & { readonly [rangeBrand]: true };

/**
 * Parses a semver version. Leading `v` and surrounding spaces are refused: a version is written
 * exactly as in WIT (`@1.2.3`).
 *
 * @example
 * ```ts
 * import { parseVersion } from "./mod.ts";
 * console.assert(parseVersion("0.2.3") === "0.2.3");
 * ```
 */
export function parseVersion(text: string): Version {
  const v = canonical(text);
  if (v === undefined) {
    throw new NameError(
      "invalid-version",
      `Invalid version ${JSON.stringify(clip(text, 140))}: expected semver MAJOR.MINOR.PATCH ` +
        `with optional -prerelease and +build (for example "1.2.3")`,
      clip(text, 150),
      clip(text, 100),
    );
  }
  return v as Version;
}

/** Like {@link parseVersion}, but returns `undefined` for invalid input. */
export function tryParseVersion(text: string): Version | undefined {
  return canonical(text);
}

const PLAIN = /^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;

/**
 * `text` when it is a version written canonically (npm's `semver.valid` drops `+build`, so the
 * build part is compared separately), else `undefined`.
 */
function canonical(text: string): Version | undefined {
  // The usual case, a plain MAJOR.MINOR.PATCH without leading zeros (and small enough for npm's
  // integer limit), is canonical as written: no need for npm's parser.
  if (PLAIN.test(text)) return text as Version;
  const p = parseSemVer(text);
  if (p === undefined) return undefined;
  const written = p.build.length ? `${p.version}+${p.build.join(".")}` : p.version;
  return written === text ? text as Version : undefined;
}

/**
 * A version's identity: the version without its build metadata (`1.0.0+build` → `1.0.0`).
 * Semver gives versions that differ only in build metadata the same precedence, so a registry
 * holds at most one of them (as the Rust crate registry does): anything that asks "is this the
 * same version?" compares keys, never the written strings.
 *
 * @example
 * ```ts
 * import { parseVersion, versionKey } from "./mod.ts";
 * console.assert(versionKey(parseVersion("1.0.0-rc.1+build.5")) === "1.0.0-rc.1");
 * ```
 */
export function versionKey(v: Version): string {
  const plus = v.indexOf("+");
  return plus < 0 ? v : v.slice(0, plus);
}

/** Whether two versions are the same version: equal once build metadata is dropped. */
export function sameVersion(a: Version, b: Version): boolean {
  return versionKey(a) === versionKey(b);
}

/**
 * Parses a semver range in npm syntax. A bare version (`1.2.3`) means exactly that version, as in
 * npm; `^1.2.3`, `~1.2`, `1.x`, `*`, `>=1 <2` and `||` unions are accepted.
 *
 * @example
 * ```ts
 * import { parseRange, satisfies, parseVersion } from "./mod.ts";
 * console.assert(satisfies(parseVersion("1.4.0"), parseRange("^1.2")));
 * ```
 */
export function parseRange(text: string): VersionRange {
  const trimmed = text.trim();
  if (trimmed === "" || rangeOf(trimmed) === undefined) {
    throw new NameError(
      "invalid-range",
      `Invalid version range ${
        JSON.stringify(clip(text, 140))
      }: expected a semver range such as "^1.2", ` +
        `"~0.2.3", "1.2.3" or ">=1.0.0 <2.0.0"`,
      clip(text, 150),
      clip(text, 100),
    );
  }
  return trimmed as VersionRange;
}

// Parsed ranges: a run tests few distinct range texts many times.
const RANGE_CACHE_SIZE = 1024;
const ranges = new Map<string, ReturnType<typeof tryRange>>();

function rangeOf(text: string) {
  let r = ranges.get(text);
  if (r === undefined && !ranges.has(text)) {
    if (ranges.size >= RANGE_CACHE_SIZE) ranges.clear();
    r = tryRange(text);
    ranges.set(text, r);
  }
  return r;
}

/** Whether `version` is in `range`. Pre-releases match only when the range names the same tuple. */
export function satisfies(version: Version, range: VersionRange): boolean {
  return rangeOf(range)?.test(version) ?? false;
}

/** Semver ordering: negative when `a` < `b`, 0 when equal, positive when `a` > `b`. */
export function compareVersions(a: Version, b: Version): number {
  return compareSemVer(new SemVer(a), new SemVer(b));
}

/** Whether the version has a pre-release part (`1.0.0-rc.1`). */
export function isPrerelease(v: Version): boolean {
  return (parseSemVer(v)?.prerelease.length ?? 0) > 0;
}

/** The highest of `versions` in `range`, or `undefined`. */
export function maxSatisfying(
  versions: readonly Version[],
  range: VersionRange,
): Version | undefined {
  const r = rangeOf(range);
  if (r === undefined) return undefined;
  let max: SemVer | undefined;
  let best: Version | undefined;
  for (const v of versions) {
    if (!r.test(v)) continue;
    const sv = new SemVer(v);
    if (max === undefined || compareSemVer(max, sv) < 0) {
      max = sv;
      best = v;
    }
  }
  return best;
}

/**
 * The semver series of a version, the unit within which releases must stay compatible:
 * `X` for X ≥ 1, `0.Y` for 0.Y with Y ≥ 1, and `0.0.Z` for 0.0.Z (each its own series).
 * Pre-release and build parts are ignored.
 *
 * @example
 * ```ts
 * import { seriesOf, parseVersion } from "./mod.ts";
 * console.assert(seriesOf(parseVersion("1.4.2")) === "1");
 * console.assert(seriesOf(parseVersion("0.2.3")) === "0.2");
 * console.assert(seriesOf(parseVersion("0.0.7")) === "0.0.7");
 * ```
 */
export function seriesOf(v: Version): string {
  const p = new SemVer(v);
  if (p.major > 0) return `${p.major}`;
  if (p.minor > 0) return `0.${p.minor}`;
  return `0.0.${p.patch}`;
}

/** Whether two versions are in the same semver series (see {@link seriesOf}). */
export function sameSeries(a: Version, b: Version): boolean {
  return seriesOf(a) === seriesOf(b);
}

/**
 * Whether an export at version `provided` can satisfy an import of version `wanted` under the
 * component model's semver rule: same series and `provided` ≥ `wanted` (`1.2.0` fills `1.0.0`,
 * `0.2.5` fills `0.2.1`, `2.0.0` does not fill `1.0.0`). Pre-releases match only exactly.
 */
export function isSemverCompatible(wanted: Version, provided: Version): boolean {
  if (isPrerelease(wanted) || isPrerelease(provided)) return wanted === provided;
  return sameSeries(wanted, provided) && compareVersions(provided, wanted) >= 0;
}
