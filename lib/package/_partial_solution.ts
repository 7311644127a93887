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
  /** Packages with a positive derivation and no decision. */
  private readonly pending = new Set<string>();
  /**
   * Candidates for the next decision as [number of allowed versions, name], smallest first.
   * Entries go stale when a package's set changes or it is decided; {@link next} skips those.
   */
  private readonly queue = new Heap();
  level = 0;

  /**
   * The pending package with the fewest allowed versions (ties: the smallest name), which finds
   * conflicts early; `undefined` when every selected package is decided.
   */
  next(): string | undefined {
    for (;;) {
      const top = this.queue.pop();
      if (top === undefined) return undefined;
      const [count, name] = top;
      if (this.pending.has(name) && this.states.get(name)!.known.set.count() === count) {
        this.queue.push(top); // still pending until decided
        return name;
      }
    }
  }

  private markPending(name: string, known: Term): void {
    this.pending.add(name);
    this.queue.push([known.set.count(), name]);
  }

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
      this.markPending(t.name, now.known);
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
      if (s.known.positive && s.decided === undefined) this.markPending(name, s.known);
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

/** A binary min-heap of [count, name], ordered by count then name. */
class Heap {
  private readonly items: [number, string][] = [];

  private less(a: [number, string], b: [number, string]): boolean {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  push(item: [number, string]): void {
    const h = this.items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): [number, string] | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
