import {
  isPrerelease,
  rangeMatcher,
  type Version,
  type VersionRange,
  VersionTable,
} from "../names/mod.ts";
import type { Incompatibility } from "./_incompatibility.ts";
import { VersionSet } from "./_version_set.ts";

/** Dependencies of one version: package name → range. */
export type Dependencies = Readonly<Record<string, VersionRange>>;

/** One listed version of a package, as a {@link PackageSource} gives it. */
export interface ListedVersion {
  readonly version: Version;
  readonly yanked?: boolean;
  readonly dependencies?: Dependencies;
}

/** What the user allows for one package beyond the defaults. */
export interface PackagePolicy {
  /** The version the lock holds, preferred and allowed even when yanked or a pre-release. */
  readonly locked?: Version;
  /** Pre-releases match ranges by their version tuple (npm's `includePrerelease`). */
  readonly prerelease?: boolean;
  /** Yanked versions may be chosen. */
  readonly yanked?: boolean;
}

const MAX_LISTED = 8;

/**
 * Everything the solver knows about one package: its candidate versions (the universe of its
 * version sets: every listed version except yanked ones the user did not allow), the dependencies
 * of the versions fetched so far, and the range texts seen for it (to name sets in explanations).
 */
export class PackageData {
  /** Candidate versions, ascending. */
  readonly universe: readonly Version[];
  readonly deps: (Dependencies | undefined)[];
  readonly lockedIndex: number;
  private readonly table: VersionTable;
  private readonly given: readonly ListedVersion[];
  private readonly sets = new Map<string, VersionSet>();
  private readonly labels = new Map<string, string>();
  private readonly runs = new Map<string, Int32Array>();
  /** The dependency incompatibilities of each version, once made (see Solver). */
  readonly incompatibilities: (readonly Incompatibility[] | undefined)[];
  /** Dependency incompatibilities by dependency name and first index of their run. */
  readonly byRun = new Map<string, Map<number, Incompatibility>>();
  private readonly includePrerelease: boolean;
  private readonly lockedVersion?: Version;
  private readonly lockedIsPrerelease: boolean;

  constructor(
    readonly name: string,
    listed: readonly ListedVersion[],
    policy: PackagePolicy = {},
  ) {
    this.given = listed;
    const usable = listed.filter((e) =>
      !e.yanked || policy.yanked === true || e.version === policy.locked
    );
    this.table = new VersionTable(usable.map((e) => e.version));
    this.universe = this.table.versions;
    this.deps = this.table.origins.map((i) => usable[i].dependencies);
    this.incompatibilities = new Array(this.universe.length);
    this.includePrerelease = policy.prerelease === true;
    this.lockedVersion = policy.locked;
    this.lockedIndex = policy.locked === undefined ? -1 : this.universe.indexOf(policy.locked);
    this.lockedIsPrerelease = this.lockedIndex >= 0 && isPrerelease(policy.locked!);
  }

  /** Every listed version, ascending (for messages). */
  get listed(): ListedVersion[] {
    const table = new VersionTable(this.given.map((e) => e.version));
    return table.origins.map((i) => this.given[i]);
  }

  get size(): number {
    return this.universe.length;
  }

  indexOf(v: Version): number {
    return this.universe.indexOf(v);
  }

  /**
   * The candidate versions in `range`. Pre-releases follow npm: they match only a range that names
   * a pre-release of the same tuple, unless the package allows pre-releases; the locked version
   * matches by its tuple.
   */
  setOf(range: VersionRange): VersionSet {
    let s = this.sets.get(range);
    if (s === undefined) {
      const inRange = this.table.matches(range, { includePrerelease: this.includePrerelease });
      if (this.lockedIsPrerelease && !inRange[this.lockedIndex]) {
        inRange[this.lockedIndex] = rangeMatcher(range, { includePrerelease: true })(
          this.lockedVersion!,
        );
      }
      s = VersionSet.of(this.size, (i) => inRange[i]);
      this.sets.set(range, s);
      const key = s.key();
      if (!this.labels.has(key)) this.labels.set(key, range);
    }
    return s;
  }

  /**
   * The run of adjacent versions around `index` that depend on `dep` with the same range, as
   * [first, last] indices. Versions whose dependencies are not known yet end a run.
   */
  runOf(index: number, dep: string): [number, number] {
    const same = (i: number, range: string) => {
      const d = this.deps[i];
      return d !== undefined && Object.hasOwn(d, dep) && d[dep] === range;
    };
    const cached = this.runs.get(dep);
    if (cached !== undefined && cached[2 * index] >= 0) {
      return [cached[2 * index], cached[2 * index + 1]];
    }
    const range = this.deps[index]![dep];
    let lo = index, hi = index;
    while (lo > 0 && same(lo - 1, range)) lo--;
    while (hi < this.size - 1 && same(hi + 1, range)) hi++;
    // Runs bounded by known dependencies on both sides cannot grow: remember them.
    const closed = (lo === 0 || this.deps[lo - 1] !== undefined) &&
      (hi === this.size - 1 || this.deps[hi + 1] !== undefined);
    if (closed) {
      let c = cached;
      if (c === undefined) this.runs.set(dep, c = new Int32Array(2 * this.size).fill(-1));
      for (let i = lo; i <= hi; i++) [c[2 * i], c[2 * i + 1]] = [lo, hi];
    }
    return [lo, hi];
  }

  /** The version set written as a range: the range text it came from if known, else bounds. */
  describe(set: VersionSet, label?: string): string {
    if (label !== undefined) return label;
    const known = this.labels.get(set.key());
    if (known !== undefined) return known;
    const runs: string[] = [];
    const idx = set.indices();
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
      const lo = idx[i], hi = idx[j];
      if (lo === hi) runs.push(this.universe[lo]);
      else if (lo === 0) runs.push(`<${this.universe[hi + 1]}`);
      else if (hi === this.size - 1) runs.push(`>=${this.universe[lo]}`);
      else runs.push(`>=${this.universe[lo]} <${this.universe[hi + 1]}`);
      i = j + 1;
    }
    return runs.join(" || ");
  }

  /**
   * Why no candidate version is in `range`: the versions there are (abridged), and the yanked or
   * pre-release versions that the range would match if they were allowed.
   */
  whyNone(range: VersionRange): string {
    const strict = rangeMatcher(range, { includePrerelease: this.includePrerelease });
    const loose = rangeMatcher(range, { includePrerelease: true });
    const listed = this.listed;
    const all = listed.filter((e) => !e.yanked).map((e) => e.version);
    let text: string;
    if (listed.length === 0) text = "no versions are published";
    else if (all.length === 0) text = "no version is available";
    else if (all.length <= MAX_LISTED) text = `available: ${all.join(", ")}`;
    else {
      const shown = [...all.slice(0, 2), "…", ...all.slice(-4)];
      text = `available: ${shown.join(", ")} (${all.length} versions)`;
    }
    const notes: string[] = [];
    const yanked = listed.filter((e) =>
      e.yanked && this.indexOf(e.version) < 0 && strict(e.version)
    );
    if (yanked.length) {
      notes.push(`${yanked.map((e) => e.version).join(", ")} ${isAre(yanked.length)} yanked`);
    }
    const pre = this.universe.filter((v) =>
      isPrerelease(v) && !strict(v) && loose(v) && v !== this.lockedVersion
    );
    if (pre.length) {
      notes.push(
        `${pre.join(", ")} ${isAre(pre.length)} ${
          pre.length === 1 ? "a pre-release" : "pre-releases"
        }, not chosen unless asked for`,
      );
    }
    return [text, ...notes].join("; ");
  }
}

function isAre(n: number): string {
  return n === 1 ? "is" : "are";
}
