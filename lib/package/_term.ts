import type { VersionSet } from "./_version_set.ts";

/**
 * A statement about one package that a selection of versions makes true or false (PubGrub's
 * term). Positive: the package is selected, at a version in `set`. Negative: the package is not
 * selected, or selected at a version outside `set`.
 *
 * `label` is the range text the set came from (`^1.2`), kept while the set is unchanged so that
 * explanations can quote what the user or a package wrote.
 */
export interface Term {
  readonly name: string;
  readonly positive: boolean;
  readonly set: VersionSet;
  readonly label?: string;
}

/** How a set of assignments relates to a term. */
export type Relation = "satisfied" | "contradicted" | "inconclusive";

export function negate(t: Term): Term {
  return { name: t.name, positive: !t.positive, set: t.set, label: t.label };
}

/** A term that holds exactly when both hold (same package). */
export function intersect(a: Term, b: Term): Term {
  let positive: boolean;
  let set: VersionSet;
  if (a.positive && b.positive) [positive, set] = [true, a.set.intersect(b.set)];
  else if (a.positive) [positive, set] = [true, a.set.minus(b.set)];
  else if (b.positive) [positive, set] = [true, b.set.minus(a.set)];
  else [positive, set] = [false, a.set.union(b.set)];
  const label = positive === a.positive && set.equals(a.set)
    ? a.label
    : positive === b.positive && set.equals(b.set)
    ? b.label
    : undefined;
  return { name: a.name, positive, set, label };
}

/** A term that can never hold: a positive term with no version. */
export function isEmptyTerm(t: Term): boolean {
  return t.positive && t.set.isEmpty();
}

/** A term that always holds: a negative term that excludes no version. */
export function isTautology(t: Term): boolean {
  return !t.positive && t.set.isEmpty();
}

/**
 * How what is known about a package (`known`, the intersection of its assignments; `undefined`
 * when nothing is known) relates to `t`.
 */
export function relation(known: Term | undefined, t: Term): Relation {
  if (known === undefined) {
    if (isTautology(t)) return "satisfied";
    if (isEmptyTerm(t)) return "contradicted";
    return "inconclusive";
  }
  if (t.positive) {
    if (known.positive) {
      if (known.set.isSubsetOf(t.set)) return "satisfied";
      if (known.set.isDisjointFrom(t.set)) return "contradicted";
      return "inconclusive";
    }
    // `known` allows "not selected", which `t` does not.
    return t.set.isSubsetOf(known.set) ? "contradicted" : "inconclusive";
  }
  if (known.positive) {
    if (known.set.isDisjointFrom(t.set)) return "satisfied";
    if (known.set.isSubsetOf(t.set)) return "contradicted";
    return "inconclusive";
  }
  // Both allow "not selected": never contradicted.
  return t.set.isSubsetOf(known.set) ? "satisfied" : "inconclusive";
}
