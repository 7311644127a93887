/**
 * Series rules: which published versions a new release must be compatible with, and what bump two
 * declared versions make.
 */
import { compareVersions, isPrerelease, sameSeries, type Version } from "../names/mod.ts";
import type { Bump, CompatReport } from "./_types.ts";

/**
 * The published versions a new release must be compatible with: the earlier releases of its
 * series (`X.*` for X ≥ 1, `0.Y.*`, or exactly `0.0.Z`), oldest first. Pre-releases promise
 * nothing: a pre-release is checked against nothing and is never a target.
 *
 * @example
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { seriesCheckTargets } from "./mod.ts";
 * import { parseVersion } from "../names/mod.ts";
 * const published = ["0.1.0", "0.2.0", "0.2.1", "0.2.2-rc.1", "0.3.0"].map(parseVersion);
 * assert(seriesCheckTargets(parseVersion("0.2.3"), published).join() === "0.2.0,0.2.1");
 * assert(seriesCheckTargets(parseVersion("0.3.0"), published).length === 0);
 * ```
 */
export function seriesCheckTargets(newVersion: Version, published: readonly Version[]): Version[] {
  if (isPrerelease(newVersion)) return [];
  return published
    .filter((v) =>
      !isPrerelease(v) && sameSeries(v, newVersion) && compareVersions(v, newVersion) < 0
    )
    .sort(compareVersions);
}

/**
 * Every (old, new) pair a new release takes part in within its series: the earlier releases
 * against it, and it against the later ones (a release published after a later one of the same
 * series, a backport, must not offer more than that later one).
 *
 * @example
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { seriesCheckPairs } from "./mod.ts";
 * import { parseVersion } from "../names/mod.ts";
 * const pairs = seriesCheckPairs(parseVersion("1.1.5"), ["1.0.0", "1.2.0", "2.0.0"].map(parseVersion));
 * assert(JSON.stringify(pairs) === '[{"old":"1.0.0","new":"1.1.5"},{"old":"1.1.5","new":"1.2.0"}]');
 * ```
 */
export function seriesCheckPairs(
  newVersion: Version,
  published: readonly Version[],
): { old: Version; new: Version }[] {
  if (isPrerelease(newVersion)) return [];
  const before = seriesCheckTargets(newVersion, published).map((v) => ({
    old: v,
    new: newVersion,
  }));
  const after = published
    .filter((v) =>
      !isPrerelease(v) && sameSeries(v, newVersion) && compareVersions(v, newVersion) > 0
    )
    .sort(compareVersions)
    .map((v) => ({ old: newVersion, new: v }));
  return [...before, ...after];
}

function parts(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v)!;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * The bump two declared versions make, in terms of what it lets change: `major` for a new series
 * (a new major, a new `0.Y`, any new `0.0.Z`, or any step to or from a pre-release), `minor` for a
 * minor step of a `X.*` series (X ≥ 1), `patch` for a patch step (`0.Y.Z` has no minor step: its
 * patch step is its only compatible one). `same` when equal (build metadata ignored),
 * `downgrade` when the new version is lower.
 *
 * @example
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { bumpBetween } from "./mod.ts";
 * import { parseVersion as v } from "../names/mod.ts";
 * assert(bumpBetween(v("1.2.3"), v("1.3.0")) === "minor");
 * assert(bumpBetween(v("0.2.0"), v("0.2.3")) === "patch");
 * assert(bumpBetween(v("0.2.3"), v("0.3.0")) === "major");
 * assert(bumpBetween(v("2.0.0"), v("1.9.0")) === "downgrade");
 * ```
 */
export function bumpBetween(oldV: Version, newV: Version): Bump | "same" | "downgrade" {
  const c = compareVersions(oldV, newV);
  if (c === 0) return "same";
  if (c > 0) return "downgrade";
  if (isPrerelease(oldV) || isPrerelease(newV)) return "major";
  const [a1, a2, a3] = parts(oldV), [b1, b2, b3] = parts(newV);
  if (a1 !== b1) return "major";
  if (a1 === 0) {
    if (a2 !== b2 || a2 === 0) return "major";
    return a3 !== b3 ? "patch" : "same";
  }
  if (a2 !== b2) return "minor";
  return a3 !== b3 ? "patch" : "same";
}

/** What two declared versions say about a report. */
export interface VersionVerdict {
  /** The bump the declared versions make. */
  declared: Bump | "same" | "downgrade";
  /** The bump the changes need. */
  needed: Bump;
  /**
   * Whether the declared versions allow the changes: a breaking change needs a new series; a
   * compatible one needs at least the bump it asks for; equal versions allow no change at all.
   */
  allowed: boolean;
  /** Equal versions whose content differs: a version's content must never change. */
  sameVersionChanged: boolean;
  /** One sentence saying so: "0.2.0 → 0.2.3 is a patch bump but the changes need minor". */
  message: string;
}

const RANK = { patch: 0, minor: 1, major: 2 } as const;

/**
 * Judges a report against the versions its two sides declare.
 *
 * @example
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { checkVersions } from "./mod.ts";
 * import { parseVersion as v } from "../names/mod.ts";
 * const verdict = checkVersions(v("0.2.0"), v("0.2.3"), { compatible: true, bump: "minor", changes: [] });
 * assert(verdict.message === "0.2.0 → 0.2.3 is a patch bump but the changes need minor");
 * ```
 */
export function checkVersions(oldV: Version, newV: Version, report: CompatReport): VersionVerdict {
  const declared = bumpBetween(oldV, newV);
  const needed = report.bump;
  const changed = report.changes.length > 0;
  const arrow = `${oldV} → ${newV}`;
  if (declared === "same") {
    return {
      declared,
      needed,
      allowed: !changed,
      sameVersionChanged: changed,
      message: changed
        ? `both sides are version ${newV} but their content differs (${report.changes.length} change${
          report.changes.length === 1 ? "" : "s"
        }); a published version must never change`
        : `both sides are version ${newV} and identical`,
    };
  }
  if (declared === "downgrade") {
    return {
      declared,
      needed,
      allowed: false,
      sameVersionChanged: false,
      message: `${arrow} is a downgrade`,
    };
  }
  const allowed = RANK[declared] >= RANK[needed];
  const article = declared === "patch" ? "a patch" : declared === "minor" ? "a minor" : "a major";
  return {
    declared,
    needed,
    allowed,
    sameVersionChanged: false,
    message: allowed
      ? `${arrow} is ${article} bump, enough for changes that need ${needed}`
      : `${arrow} is ${article} bump but the changes need ${needed}`,
  };
}
