/**
 * The PubGrub version solver: unit propagation, conflict-driven learning with backjumping, and
 * decisions that pick the highest allowed version (the locked one first). Version sets are exact
 * bitsets over each package's candidate versions (see _version_set.ts).
 *
 * Written from the algorithm's description in dart-lang/pub's doc/solver.md.
 */
import type { Version, VersionRange } from "../names/mod.ts";
import { Incompatibility, ROOT } from "./_incompatibility.ts";
import { type Dependencies, PackageData, type PackagePolicy } from "./_package_data.ts";
import { PartialSolution } from "./_partial_solution.ts";
import type { PackageSource } from "./_source.ts";
import { intersect, isEmptyTerm, negate, type Term } from "./_term.ts";
import { VersionSet } from "./_version_set.ts";

/** Thrown inside the solver when the project's requirements cannot be met. */
export class NoSolution {
  constructor(readonly incompatibility: Incompatibility, readonly packages: Solver) {}
}

const ROOT_VERSION = "0.0.0" as Version;

/** One run of the solver over one set of requirements. */
export class Solver {
  /** Package data by name; `null` when the source has no such package. */
  private readonly data = new Map<string, PackageData | null>();
  private readonly byPackage = new Map<string, Incompatibility[]>();
  private readonly solution = new PartialSolution();
  /**
   * Incompatibilities found contradicted, with the decision level then: they stay contradicted
   * until a backtrack below that level, so propagation skips them.
   */
  private readonly contradicted = new Map<Incompatibility, number>();
  /** Counts of the work done, for benchmarks and tests. */
  readonly stats = { decisions: 0, conflicts: 0, incompatibilities: 0 };

  constructor(
    requirements: Readonly<Record<string, VersionRange>>,
    private readonly source: PackageSource,
    private readonly policy: (name: string) => PackagePolicy,
  ) {
    this.data.set(
      ROOT,
      new PackageData(ROOT, [{ version: ROOT_VERSION, dependencies: requirements }]),
    );
  }

  /** The data of a package the solver has read (for explanations). */
  packageData(name: string): PackageData | null | undefined {
    return this.data.get(name);
  }

  /** Solves; resolves to the chosen versions, or throws {@link NoSolution}. */
  async solve(): Promise<Map<string, { version: Version; dependencies: Dependencies }>> {
    this.add(
      new Incompatibility([{ name: ROOT, positive: false, set: VersionSet.full(1) }], {
        kind: "root",
      }),
    );
    let next: string | undefined = ROOT;
    while (next !== undefined) {
      this.propagate(next);
      next = await this.decide();
    }
    const out = new Map<string, { version: Version; dependencies: Dependencies }>();
    for (const [name, index] of this.solution.decisions()) {
      if (name === ROOT) continue;
      const d = this.data.get(name)!;
      out.set(name, { version: d.universe[index], dependencies: d.deps[index] ?? {} });
    }
    return out;
  }

  private add(inc: Incompatibility): void {
    this.stats.incompatibilities++;
    for (const t of inc.terms) {
      const list = this.byPackage.get(t.name);
      if (list === undefined) this.byPackage.set(t.name, [inc]);
      else list.push(inc);
    }
  }

  /**
   * How the partial solution relates to an incompatibility: "satisfied" (a conflict),
   * "contradicted", "inconclusive", or the one term left undecided when all others hold.
   */
  private relationOf(inc: Incompatibility): "satisfied" | "contradicted" | "inconclusive" | Term {
    let open: Term | undefined;
    for (const t of inc.terms) {
      const r = this.solution.relation(t);
      if (r === "contradicted") return "contradicted";
      if (r === "inconclusive") {
        if (open !== undefined) return "inconclusive";
        open = t;
      }
    }
    return open ?? "satisfied";
  }

  private propagate(start: string): void {
    const changed = new Set([start]);
    while (changed.size) {
      const name: string = changed.values().next().value!;
      changed.delete(name);
      const list = this.byPackage.get(name) ?? [];
      // Newest first: learned incompatibilities are the most general.
      for (let i = list.length - 1; i >= 0; i--) {
        if (this.contradicted.has(list[i])) continue;
        const r = this.relationOf(list[i]);
        if (r === "contradicted") {
          this.contradicted.set(list[i], this.solution.level);
          continue;
        }
        if (r === "satisfied") {
          const learned = this.resolveConflict(list[i]);
          const open = this.relationOf(learned);
          if (typeof open !== "object") {
            throw new Error("internal: a learned incompatibility is not almost satisfied");
          }
          this.solution.derive(negate(open), learned);
          this.contradicted.set(learned, this.solution.level);
          changed.clear();
          changed.add(open.name);
          break;
        }
        if (typeof r === "object") {
          this.solution.derive(negate(r), list[i]);
          // Its other terms hold, and now this one is contradicted.
          this.contradicted.set(list[i], this.solution.level);
          changed.add(r.name);
        }
      }
    }
  }

  /**
   * Finds the root cause of a satisfied incompatibility, learns it, and jumps back to the level
   * where it is almost satisfied again. Throws {@link NoSolution} when the root cause says the
   * project cannot be selected.
   */
  private resolveConflict(conflict: Incompatibility): Incompatibility {
    this.stats.conflicts++;
    let inc = conflict;
    while (!inc.isFailure()) {
      let latestTerm: Term | undefined;
      let latest: ReturnType<PartialSolution["satisfier"]> | undefined;
      let previousLevel = 1;
      for (const t of inc.terms) {
        const s = this.solution.satisfier(t);
        if (latest === undefined || latest.index < s.index) {
          if (latest !== undefined) previousLevel = Math.max(previousLevel, latest.level);
          latest = s;
          latestTerm = t;
        } else previousLevel = Math.max(previousLevel, s.level);
      }
      // What the satisfier allows beyond the term: satisfier ∩ ¬term.
      const difference = intersect(latest!.term, negate(latestTerm!));
      const hasDifference = !isEmptyTerm(difference);
      if (hasDifference) {
        previousLevel = Math.max(previousLevel, this.solution.satisfier(negate(difference)).level);
      }
      if (latest!.cause === undefined || previousLevel < latest!.level) {
        this.backtrack(previousLevel);
        if (inc !== conflict) this.add(inc);
        return inc;
      }
      const cause = latest!.cause;
      const terms: Term[] = [
        ...inc.terms.filter((t) => t !== latestTerm),
        ...cause.terms.filter((t) => t.name !== latest!.term.name),
      ];
      if (hasDifference) terms.push(negate(difference));
      inc = new Incompatibility(terms, { kind: "derived", left: inc, right: cause });
    }
    throw new NoSolution(inc, this);
  }

  private backtrack(level: number): void {
    this.solution.backtrack(level);
    for (const [inc, at] of this.contradicted) if (at > level) this.contradicted.delete(inc);
  }

  /** Picks the next package and version; `undefined` when every selected package is decided. */
  private async decide(): Promise<string | undefined> {
    const best = this.solution.next();
    if (best === undefined) return undefined;
    const data = this.data.get(best)!;
    const allowed = this.solution.known(best)!.set;
    const index = data.lockedIndex >= 0 && allowed.has(data.lockedIndex)
      ? data.lockedIndex
      : allowed.last();
    if (index < 0) throw new Error(`internal: no version of ${best} left to decide`);
    let incompats = data.incompatibilities[index];
    if (incompats === undefined) {
      const deps = await this.dependenciesOf(data, index);
      const names = Object.keys(deps).sort();
      await this.load(names);
      incompats = names.map((dep) => this.dependency(data, index, dep, deps[dep]));
      data.incompatibilities[index] = incompats;
    }
    let conflict = false;
    for (const inc of incompats) {
      const holds = (t: Term) =>
        t.name === best
          ? t.set.has(index) === t.positive
          : this.solution.relation(t) === "satisfied";
      if (inc.terms.length > 0 && inc.terms.every(holds)) conflict = true;
    }
    // A version whose dependencies already conflict is not decided: propagation on the package
    // derives that it is excluded, and the next decision picks another.
    if (!conflict) {
      this.stats.decisions++;
      this.solution.decide(
        { name: best, positive: true, set: VersionSet.span(data.size, index, index) },
        index,
      );
    }
    return best;
  }

  private async load(names: readonly string[]): Promise<void> {
    const missing = names.filter((n) => !this.data.has(n));
    if (missing.length === 0) return;
    const listings = await Promise.all(missing.map((n) => this.source.versions(n)));
    missing.forEach((n, i) => {
      const l = listings[i];
      this.data.set(n, l === undefined ? null : new PackageData(n, l, this.policy(n)));
    });
  }

  private async dependenciesOf(data: PackageData, index: number): Promise<Dependencies> {
    const known = data.deps[index];
    if (known !== undefined) return known;
    if (this.source.dependencies === undefined) {
      throw new Error(
        `The package source listed ${data.name}@${data.universe[index]} without dependencies ` +
          `and cannot give them`,
      );
    }
    const deps = await this.source.dependencies(data.name, data.universe[index]);
    data.deps[index] = deps;
    return deps;
  }

  /**
   * The incompatibility "these versions of `data` depend on `dep` in `range`", over the run of
   * adjacent versions (whose dependencies are known) that all have the same requirement.
   */
  private dependency(
    data: PackageData,
    index: number,
    dep: string,
    range: VersionRange,
  ): Incompatibility {
    const [lo, hi] = data.runOf(index, dep);
    let runs = data.byRun.get(dep);
    if (runs === undefined) data.byRun.set(dep, runs = new Map());
    const existing = runs.get(lo);
    if (existing !== undefined && existing.terms[0]?.set.has(hi)) return existing;
    const depender: Term = {
      name: data.name,
      positive: true,
      set: VersionSet.span(data.size, lo, hi),
    };
    const target = this.data.get(dep)!;
    let inc: Incompatibility;
    if (target === null) {
      inc = new Incompatibility([depender], {
        kind: "unavailable",
        depender: data.name,
        dependee: dep,
        range,
        reason: "not-found",
      });
    } else {
      const set = target.setOf(range);
      inc = set.isEmpty()
        ? new Incompatibility([depender], {
          kind: "unavailable",
          depender: data.name,
          dependee: dep,
          range,
          reason: "no-versions",
        })
        : new Incompatibility([depender, { name: dep, positive: false, set, label: range }], {
          kind: "dependency",
          depender: data.name,
          dependee: dep,
          range,
        });
    }
    runs.set(lo, inc);
    // A package that depends on itself in a range its own versions meet says nothing.
    if (!inc.terms.some(isEmptyTerm)) this.add(inc);
    return inc;
  }
}
