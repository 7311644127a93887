/**
 * Turns the derivation graph of a failed resolution into sentences, following the error
 * reporting scheme of dart-lang/pub's doc/solver.md: each derived fact is explained by its two
 * causes ("Because A and B, C"), long chains read linearly ("And because D, E"), and facts used
 * more than once get a line number to refer back to.
 */
import { type Incompatibility, ROOT } from "./_incompatibility.ts";
import type { PackageData } from "./_package_data.ts";
import type { Term } from "./_term.ts";
import type { VersionSet } from "./_version_set.ts";

/** Looks up what the solver knew about a package. */
export type PackageLookup = (name: string) => PackageData | null | undefined;

interface Line {
  text: string;
  number?: number;
}

export class Reporter {
  private readonly lines: Line[] = [];
  private readonly numbers = new Map<Incompatibility, number>();
  private readonly uses = new Map<Incompatibility, number>();
  private nextNumber = 1;

  constructor(private readonly lookup: PackageLookup, private readonly rootLabel: string) {}

  /** The explanation of `failure` (an incompatibility that rules out the project), one line each. */
  explain(failure: Incompatibility): string[] {
    if (failure.isExternal()) return [capitalize(this.external(failure))];
    this.countUses(failure);
    this.visit(failure, false);
    const last = this.lines[this.lines.length - 1];
    last.text = last.text.replace(/^And because /, "So, because ");
    return this.lines.map((l) => {
      const text = capitalize(l.text);
      return l.number === undefined ? text : `(${l.number}) ${text}`;
    });
  }

  private countUses(root: Incompatibility): void {
    const seen = new Set<Incompatibility>();
    const stack = [root];
    while (stack.length) {
      const inc = stack.pop()!;
      if (seen.has(inc) || inc.cause.kind !== "derived") continue;
      seen.add(inc);
      for (const c of [inc.cause.left, inc.cause.right]) {
        this.uses.set(c, (this.uses.get(c) ?? 0) + 1);
        stack.push(c);
      }
    }
  }

  private write(inc: Incompatibility, text: string, numbered: boolean): void {
    const line: Line = { text };
    if (numbered || (this.uses.get(inc) ?? 0) > 1) {
      line.number = this.nextNumber++;
      this.numbers.set(inc, line.number);
    }
    this.lines.push(line);
  }

  private visit(inc: Incompatibility, numbered: boolean): void {
    if (inc.cause.kind !== "derived") return;
    const { left, right } = inc.cause;
    const conclusion = this.statement(inc);
    if (!left.isExternal() && !right.isExternal()) {
      const n1 = this.numbers.get(left), n2 = this.numbers.get(right);
      if (n1 !== undefined && n2 !== undefined) {
        this.write(
          inc,
          `because ${this.statement(left)} (${n1}) and ${
            this.statement(right)
          } (${n2}), ${conclusion}`,
          numbered,
        );
      } else if (n1 !== undefined || n2 !== undefined) {
        const [withNumber, n, without] = n1 !== undefined ? [left, n1, right] : [right, n2!, left];
        this.visit(without, false);
        this.write(
          inc,
          `And because ${this.statement(withNumber)} (${n}), ${conclusion}`,
          numbered,
        );
      } else {
        const simple = isSimple(left) ? left : isSimple(right) ? right : undefined;
        if (simple !== undefined) {
          this.visit(simple === left ? right : left, false);
          this.visit(simple, false);
          this.write(inc, `thus, ${conclusion}`, numbered);
        } else {
          this.visit(left, true);
          this.lines.push({ text: "" });
          this.visit(right, false);
          this.write(
            inc,
            `And because ${this.statement(left)} (${this.numbers.get(left)}), ${conclusion}`,
            numbered,
          );
        }
      }
    } else if (!left.isExternal() || !right.isExternal()) {
      const [derived, external] = left.isExternal() ? [right, left] : [left, right];
      const n = this.numbers.get(derived);
      if (n !== undefined) {
        this.write(
          inc,
          `because ${
            joinClauses(this.external(external), this.statement(derived))
          } (${n}), ${conclusion}`,
          numbered,
        );
      } else if (
        derived.cause.kind === "derived" &&
        derived.cause.left.isExternal() !== derived.cause.right.isExternal() &&
        (this.uses.get(derived) ?? 0) <= 1
      ) {
        // Skip the intermediate fact: "And because X and Y, Z" reads better than two lines.
        const { left: l, right: r } = derived.cause;
        const [priorDerived, priorExternal] = l.isExternal() ? [r, l] : [l, r];
        if (this.numbers.has(priorDerived)) {
          this.write(
            inc,
            `because ${this.bothExternal(priorExternal, external)}, and ${
              this.statement(priorDerived)
            } (${this.numbers.get(priorDerived)}), ${conclusion}`,
            numbered,
          );
        } else {
          this.visit(priorDerived, false);
          this.write(
            inc,
            `And because ${this.bothExternal(priorExternal, external)}, ${conclusion}`,
            numbered,
          );
        }
      } else {
        this.visit(derived, false);
        this.write(inc, `And because ${this.external(external)}, ${conclusion}`, numbered);
      }
    } else {
      this.write(inc, `because ${this.bothExternal(left, right)}, ${conclusion}`, numbered);
    }
  }

  private bothExternal(a: Incompatibility, b: Incompatibility): string {
    if (
      a.cause.kind === "dependency" && b.cause.kind === "dependency" &&
      a.cause.depender === b.cause.depender && a.terms[0].set.equals(b.terms[0].set)
    ) {
      return `${this.depender(a.terms[0])} depends on both ${
        this.target(a.cause.dependee, a.cause.range)
      } and ${this.target(b.cause.dependee, b.cause.range)}`;
    }
    return joinClauses(this.external(a), this.external(b));
  }

  /** An external fact, as a clause. */
  private external(inc: Incompatibility): string {
    const c = inc.cause;
    switch (c.kind) {
      case "root":
        return `${this.rootLabel} is being resolved`;
      case "dependency":
        return `${this.depender(inc.terms[0])} depends on ${this.target(c.dependee, c.range)}`;
      case "unavailable": {
        const head = `${this.depender(inc.terms[0])} depends on ${
          this.target(c.dependee, c.range)
        }`;
        if (c.reason === "not-found") return `${head} but no package named ${c.dependee} exists`;
        const data = this.lookup(c.dependee);
        const why = data ? ` (${data.whyNone(c.range)})` : "";
        return `${head} but no version of ${c.dependee} matches ${c.range}${why}`;
      }
      case "derived":
        return this.statement(inc);
    }
  }

  /** What an incompatibility says, as a clause. */
  statement(inc: Incompatibility): string {
    if (inc.isFailure()) return "resolution failed";
    if (inc.isExternal()) return this.external(inc);
    const terms = inc.terms;
    const pos = terms.filter((t) => t.positive), neg = terms.filter((t) => !t.positive);
    if (terms.length === 1) {
      const t = terms[0];
      if (t.positive) {
        return t.set.isFull()
          ? `no version of ${t.name} can be used`
          : `${this.phrase(t)} cannot be used`;
      }
      return `${this.rootLabel} requires ${this.phrase(t)}`;
    }
    if (terms.length === 2) {
      if (pos.length === 1) return `${this.depender(pos[0])} requires ${this.phrase(neg[0])}`;
      if (pos.length === 2) {
        return `${this.phrase(pos[0])} is incompatible with ${this.phrase(pos[1])}`;
      }
      return `either ${this.phrase(neg[0])} or ${this.phrase(neg[1])} is required`;
    }
    const p = joinList(pos.map((t) => this.phrase(t)), "and");
    const n = joinList(neg.map((t) => this.phrase(t)), "or");
    if (neg.length === 0) return `${p} are incompatible`;
    if (pos.length === 0) return `one of ${n} is required`;
    return `if ${p} ${pos.length === 1 ? "is" : "are"} used then ${n} is required`;
  }

  /** A term's package and versions: `a:x`, `a:x@^1`, `a:x@1.2.0`, or the project. */
  private phrase(t: Term): string {
    if (t.name === ROOT) return this.rootLabel;
    if (t.set.isFull() && t.label === undefined) return t.name;
    return `${t.name}@${this.describe(t.name, t.set, t.label)}`;
  }

  /** The subject of "… depends on": the project, one version, or every version of a set. */
  private depender(t: Term): string {
    if (t.name === ROOT) return this.rootLabel;
    if (t.set.isFull()) return `every version of ${t.name}`;
    if (t.set.count() === 1) return `${t.name}@${this.describe(t.name, t.set, undefined)}`;
    return `every version of ${t.name}@${this.describe(t.name, t.set, t.label)}`;
  }

  private target(name: string, range: string): string {
    return range === "*" ? name : `${name}@${range}`;
  }

  private describe(name: string, set: VersionSet, label: string | undefined): string {
    const data = this.lookup(name);
    if (!data) return label ?? "*";
    if (set.count() === 1 && label === undefined) return data.universe[set.last()];
    return data.describe(set, label);
  }
}

/** A derived fact whose causes are both external: explained in one line, no number needed. */
function isSimple(inc: Incompatibility): boolean {
  return inc.cause.kind === "derived" && inc.cause.left.isExternal() &&
    inc.cause.right.isExternal();
}

/** "A and B", or "A, and B" when a clause has its own "but" (keeps the sentence parseable). */
function joinClauses(a: string, b: string): string {
  return a.includes(" but ") || b.includes(" but ") ? `${a}, and ${b}` : `${a} and ${b}`;
}

function joinList(items: string[], word: string): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${word} ${items[items.length - 1]}`;
}

/** Capitalizes a leading English word; a line that starts with a package name stays as it is. */
function capitalize(s: string): string {
  return /^[a-z]+[ ,]/.test(s) ? s[0].toUpperCase() + s.slice(1) : s;
}
