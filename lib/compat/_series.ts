/**
 * Series rules: which published versions a new release must be compatible with, and what bump two
 * declared versions make.
 */
import { compareVersions, isPrerelease, sameSeries, seriesOf, type Version } from "../names/mod.ts";
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

/**
 * The release a report needs after `oldV`, in the terms of `oldV`'s series (the series rules the
 * publish gate applies): in `X.*` (X ≥ 1) the report's bump; in `0.Y.*` compatible changes,
 * additions included, need a patch bump and breaking changes the next minor (`0.Y+1.0`, a new
 * series); in `0.0.Z`, where every version is a series of its own, any change needs the next
 * patch.
 */
export interface ReleaseStep {
  /** The part of the version to bump. */
  part: Bump;
  /** The lowest version that makes that step. */
  next: Version;
  /** The series of `oldV` (`1`, `0.2`, `0.0.7`). */
  series: string;
  /** Whether the step starts a new series (what a breaking change needs). */
  newSeries: boolean;
  /** What the changes need, without the subject: "need a patch bump in a 0.2 series". */
  need: string;
  /** One phrase: "additions need a patch bump in a 0.2 series". */
  advice: string;
}

/**
 * The release step a report needs after `oldV` (see {@link ReleaseStep}).
 *
 * @example
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { releaseStep } from "./mod.ts";
 * import { parseVersion as v } from "../names/mod.ts";
 * const additions = { compatible: true, bump: "minor" as const, changes: [] };
 * assert(releaseStep(v("0.2.0"), additions).part === "patch");
 * assert(releaseStep(v("0.2.0"), additions).next === "0.2.1");
 * assert(releaseStep(v("1.4.2"), additions).next === "1.5.0");
 * const breaking = { compatible: false, bump: "major" as const, changes: [] };
 * assert(releaseStep(v("0.2.3"), breaking).next === "0.3.0");
 * ```
 */
export function releaseStep(oldV: Version, report: CompatReport): ReleaseStep {
  const [a, b, c] = parts(oldV);
  const series = seriesOf(oldV);
  const breaking = !report.compatible || report.bump === "major";
  const what = breaking
    ? "breaking changes"
    : report.bump === "minor"
    ? "additions"
    : "documentation changes";
  const step = (part: Bump, next: string, newSeries: boolean, need: string): ReleaseStep => ({
    part,
    next: next as Version,
    series,
    newSeries,
    need,
    advice: report.changes.length === 0
      ? "nothing changed: any later version will do"
      : `${what} ${need}`,
  });
  if (isPrerelease(oldV)) {
    return {
      ...step("patch", `${a}.${b}.${c}`, true, "need any later version"),
      advice: "a pre-release promises nothing: any later version will do",
    };
  }
  if (a > 0) {
    const part: Bump = breaking ? "major" : report.bump;
    const next = part === "major"
      ? `${a + 1}.0.0`
      : part === "minor"
      ? `${a}.${b + 1}.0`
      : `${a}.${b}.${c + 1}`;
    return step(part, next, part === "major", `need a ${part} bump`);
  }
  if (b > 0) {
    return breaking
      ? step("minor", `0.${b + 1}.0`, true, `need the next minor in a ${series} series`)
      : step("patch", `0.${b}.${c + 1}`, false, `need a patch bump in a ${series} series`);
  }
  return step(
    "patch",
    `0.0.${c + 1}`,
    true,
    "need the next patch (each 0.0.Z is a series of its own)",
  );
}

/** The part of the version that differs first: what a user calls the bump. */
function partChanged(oldV: Version, newV: Version): Bump {
  const [a1, a2] = parts(oldV), [b1, b2] = parts(newV);
  return a1 !== b1 ? "major" : a2 !== b2 ? "minor" : "patch";
}

/** What two declared versions say about a report. */
export interface VersionVerdict {
  /**
   * The bump the declared versions make in the series' terms ({@link bumpBetween}): `major` for
   * a new series (`0.2.3` → `0.3.0` too).
   */
  declared: Bump | "same" | "downgrade";
  /** The bump the changes need, in the same terms. */
  needed: Bump;
  /**
   * Whether the declared versions allow the changes: a breaking change needs a new series; a
   * compatible one needs at least the bump its series asks for (in `0.Y.*` a patch bump for
   * additions); equal versions allow no change at all. The publish gate agrees.
   */
  allowed: boolean;
  /** Equal versions whose content differs: a version's content must never change. */
  sameVersionChanged: boolean;
  /** The step the changes need after the old version. */
  step: ReleaseStep;
  /**
   * One sentence: "0.2.0 → 0.2.3 is a patch bump, enough: additions need a patch bump in a 0.2
   * series".
   */
  message: string;
}

const RANK = { patch: 0, minor: 1, major: 2 } as const;

/**
 * Judges a report against the versions its two sides declare, by the series rules of
 * {@link releaseStep}.
 *
 * @example
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { checkVersions } from "./mod.ts";
 * import { parseVersion as v } from "../names/mod.ts";
 * const verdict = checkVersions(v("0.2.0"), v("0.2.3"), { compatible: true, bump: "minor", changes: [] });
 * assert(verdict.allowed);
 * assert(verdict.message === "0.2.0 → 0.2.3 is a patch bump, enough: additions need a patch bump in a 0.2 series");
 * ```
 */
export function checkVersions(oldV: Version, newV: Version, report: CompatReport): VersionVerdict {
  const declared = bumpBetween(oldV, newV);
  const step = releaseStep(oldV, report);
  // The bump needed in bumpBetween's terms: a new series is `major` there, whatever its part.
  const needed: Bump = step.newSeries && report.changes.length > 0
    ? "major"
    : step.part === "minor"
    ? "minor"
    : "patch";
  const changed = report.changes.length > 0;
  const arrow = `${oldV} → ${newV}`;
  if (declared === "same") {
    return {
      declared,
      needed,
      allowed: !changed,
      sameVersionChanged: changed,
      step,
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
      step,
      message: `${arrow} is a downgrade`,
    };
  }
  const allowed = isPrerelease(oldV) || isPrerelease(newV) || RANK[declared] >= RANK[needed];
  const part = partChanged(oldV, newV);
  const article = part === "patch" ? "a patch" : part === "minor" ? "a minor" : "a major";
  const what = `${arrow} is ${article} bump${
    declared === "major" && part !== "major" ? " (a new series)" : ""
  }`;
  return {
    declared,
    needed,
    allowed,
    sameVersionChanged: false,
    step,
    message: allowed
      ? `${what}, enough: ${step.advice}`
      : `${what} but ${step.advice} (${step.next})`,
  };
}
