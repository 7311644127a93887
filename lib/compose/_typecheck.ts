/**
 * The one place composition asks whether an item fits an import: every argument edge and every
 * merge of imports goes through {@link checkFits} or {@link checkMergeable}, and both ask
 * lib/compat's subtype relation (DESIGN: the relation is written once, in lib/compat).
 */
import {
  isSubtypeFunction,
  isSubtypeInterface,
  isSubtypeValueType,
  type SubtypeResult,
} from "../compat/mod.ts";
import type { Resolve, WorldItem } from "../wit/mod.ts";
import type { MismatchDetail } from "./_error.ts";

/** An item of a component's world with the resolve it lives in. */
export interface WitItem {
  resolve: Resolve;
  item: WorldItem;
}

/** The outcome of {@link checkFits}. */
export type FitResult = { ok: true } | ({ ok: false } & MismatchDetail);

const KIND: Record<WorldItem["tag"], string> = {
  interface: "an interface",
  function: "a function",
  type: "a type",
};

function fit(r: SubtypeResult): FitResult {
  if (r.ok) return { ok: true };
  return {
    ok: false,
    path: r.path,
    expected: r.expected === "" ? "nothing" : r.expected,
    found: r.found === "" ? "nothing" : r.found,
    reason: r.reason,
  };
}

/**
 * Whether `provided` can be used where `expected` is imported: lib/compat's subtype relation
 * (an instance may have more exports than expected; functions and value types must be equal).
 */
export function checkFits(provided: WitItem, expected: WitItem): FitResult {
  const p = provided.item, e = expected.item;
  if (p.tag === "interface" && e.tag === "interface") {
    return fit(isSubtypeInterface(provided.resolve, p.id, expected.resolve, e.id));
  }
  if (p.tag === "function" && e.tag === "function") {
    return fit(isSubtypeFunction(provided.resolve, p.func, expected.resolve, e.func));
  }
  if (p.tag === "type" && e.tag === "type") {
    return fit(isSubtypeValueType(provided.resolve, p.id, expected.resolve, e.id));
  }
  return {
    ok: false,
    path: "",
    expected: KIND[e.tag],
    found: KIND[p.tag],
    reason: `expected ${KIND[e.tag]}, found ${KIND[p.tag]}`,
  };
}

/**
 * Whether two components' imports of one interface (perhaps at two compatible versions) can be
 * merged into one import: what both name must agree; what only one names is added to the union.
 */
export function checkMergeable(a: WitItem, b: WitItem): FitResult {
  if (a.item.tag !== "interface" || b.item.tag !== "interface") return checkFits(b, a);
  const ia = a.resolve.interfaces[a.item.id], ib = b.resolve.interfaces[b.item.id];
  for (const [name, tb] of ib.types) {
    const ta = ia.types.get(name);
    if (ta === undefined) continue;
    const r = fit(isSubtypeValueType(a.resolve, ta, b.resolve, tb));
    if (!r.ok) return r;
  }
  for (const [name, fb] of ib.functions) {
    const fa = ia.functions.get(name);
    if (fa === undefined) continue;
    const r = fit(isSubtypeFunction(a.resolve, fa, b.resolve, fb));
    if (!r.ok) return r;
  }
  return { ok: true };
}
