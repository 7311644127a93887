import type { Incompatibility } from "./_incompatibility.ts";
import { intersect, type Relation, relation, type Term } from "./_term.ts";

/** One step of the partial solution: a decision (one version) or a derivation with its cause. */
export interface Assignment {
  readonly term: Term;
  readonly level: number;
  /** Position in the partial solution, increasing. */
  readonly index: number;
  /** The incompatibility that forced it; `undefined` for a decision. */
  readonly cause?: Incompatibility;
}

interface PackageState {
  assignments: Assignment[];
  /** Intersection of the assignments' terms. */
  known: Term;
  /** Universe index of the decided version. */
  decided?: number;
}

/**
 * PubGrub's partial solution: the ordered assignments made so far, with per package what they
 * imply together, the decision level, and the packages that must be selected but are not decided
 * yet.
 */
export class PartialSolution {
  private readonly assignments: Assignment[] = [];
  private readonly states = new Map<string, PackageState>();
  /** Packages with a positive derivation and no decision, in the order they became so. */
  readonly pending = new Set<string>();
  level = 0;

  known(name: string): Term | undefined {
    return this.states.get(name)?.known;
  }

  relation(t: Term): Relation {
    return relation(this.states.get(t.name)?.known, t);
  }

  decide(t: Term, index: number): void {
    this.level++;
    this.add(t, undefined);
    this.states.get(t.name)!.decided = index;
    this.pending.delete(t.name);
  }

  derive(t: Term, cause: Incompatibility): void {
    this.add(t, cause);
  }

  private add(t: Term, cause: Incompatibility | undefined): void {
    const a: Assignment = { term: t, level: this.level, index: this.assignments.length, cause };
    this.assignments.push(a);
    const s = this.states.get(t.name);
    if (s === undefined) this.states.set(t.name, { assignments: [a], known: t });
    else {
      s.assignments.push(a);
      s.known = intersect(s.known, t);
    }
    const now = this.states.get(t.name)!;
    if (now.known.positive && now.decided === undefined && cause !== undefined) {
      this.pending.add(t.name);
    }
  }

  /** Removes every assignment above `level`. */
  backtrack(level: number): void {
    const touched = new Set<string>();
    while (this.assignments.length && this.assignments[this.assignments.length - 1].level > level) {
      touched.add(this.assignments.pop()!.term.name);
    }
    for (const name of touched) {
      const s = this.states.get(name)!;
      while (s.assignments.length && s.assignments[s.assignments.length - 1].level > level) {
        const a = s.assignments.pop()!;
        if (a.cause === undefined) s.decided = undefined;
      }
      if (s.assignments.length === 0) {
        this.states.delete(name);
        this.pending.delete(name);
        continue;
      }
      s.known = s.assignments.map((a) => a.term).reduce(intersect);
      if (s.known.positive && s.decided === undefined) this.pending.add(name);
      else this.pending.delete(name);
    }
    this.level = level;
  }

  /** The earliest assignment after which the assignments so far satisfy `t`. */
  satisfier(t: Term): Assignment {
    const s = this.states.get(t.name);
    if (s !== undefined) {
      let acc: Term | undefined;
      for (const a of s.assignments) {
        acc = acc === undefined ? a.term : intersect(acc, a.term);
        if (relation(acc, t) === "satisfied") return a;
      }
    }
    throw new Error(`internal: no assignment satisfies a term about ${JSON.stringify(t.name)}`);
  }

  /** Every decision: package name → universe index of the chosen version. */
  decisions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, s] of this.states) if (s.decided !== undefined) out.set(name, s.decided);
    return out;
  }
}
