import type { VersionRange } from "../names/mod.ts";
import { intersect, isTautology, type Term } from "./_term.ts";

/** The name under which the project itself takes part in resolution (never a valid package name). */
export const ROOT = "";

/** Why a package's requirement cannot be met at all. */
export type UnavailableReason = "not-found" | "no-versions";

/** Where an incompatibility comes from. */
export type Cause =
  /** The project must be selected. */
  | { readonly kind: "root" }
  /** Versions of `depender` (or the project) depend on `dependee` in `range`. */
  | {
    readonly kind: "dependency";
    readonly depender: string;
    readonly dependee: string;
    readonly range: VersionRange;
  }
  /** Versions of `depender` depend on `dependee` in `range`, and nothing there can be used. */
  | {
    readonly kind: "unavailable";
    readonly depender: string;
    readonly dependee: string;
    readonly range: VersionRange;
    readonly reason: UnavailableReason;
  }
  /** Derived from two others by resolution during conflict analysis. */
  | { readonly kind: "derived"; readonly left: Incompatibility; readonly right: Incompatibility };

/**
 * A set of terms that must not all be true at once, with the reason. Terms are normalized: one
 * per package; terms that always hold are dropped; in a derived incompatibility, a positive term
 * about the project is dropped when others remain (the project is always selected).
 */
export class Incompatibility {
  readonly terms: readonly Term[];
  constructor(terms: readonly Term[], readonly cause: Cause) {
    const byName = new Map<string, Term>();
    for (const t of terms) {
      const prev = byName.get(t.name);
      byName.set(t.name, prev ? intersect(prev, t) : t);
    }
    let out = [...byName.values()].filter((t) => !isTautology(t));
    if (out.length > 1 && cause.kind === "derived") {
      out = out.filter((t) => !(t.positive && t.name === ROOT));
    }
    this.terms = out;
  }

  /** The term about `name`, if any. */
  termFor(name: string): Term | undefined {
    return this.terms.find((t) => t.name === name);
  }

  /** Whether this says that resolution cannot succeed at all. */
  isFailure(): boolean {
    return this.terms.length === 0 ||
      (this.terms.length === 1 && this.terms[0].positive && this.terms[0].name === ROOT);
  }

  isExternal(): boolean {
    return this.cause.kind !== "derived";
  }
}
