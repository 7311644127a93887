/**
 * The one place composition asks whether an item fits an import: every argument edge and every
 * merge of imports goes through {@link checkFits}. The relation itself belongs to lib/compat
 * (DESIGN: the subtype relation is written once); until lib/compat lands this is a structural
 * comparison of canonical forms, so switching is one edit here.
 */
import {
  type CanonicalWorldItem,
  canonicalWorldItem,
  type Resolve,
  type WorldItem,
} from "../wit/mod.ts";
import type { MismatchDetail } from "./_error.ts";

/** An item of a component's world with the resolve it lives in. */
export interface WitItem {
  resolve: Resolve;
  item: WorldItem;
}

/** The outcome of {@link checkFits}. */
export type FitResult = { ok: true } | ({ ok: false } & MismatchDetail);

/** Drops `@version` from type references, so `wasi:io/error@0.2.3.error` = `…@0.2.6.error`. */
function unversioned(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value),
    (_k, v) =>
      typeof v === "string"
        ? v.replace(/^([a-z0-9-]+:[a-z0-9-:/]+)@[^.]*(?:\.[0-9]+)*\./, "$1.")
        : v,
  );
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

function compareRecords(
  what: string,
  expected: Record<string, unknown>,
  found: Record<string, unknown>,
): FitResult {
  for (const [name, e] of Object.entries(expected)) {
    if (!Object.hasOwn(found, name)) {
      return {
        ok: false,
        path: `${what} \`${name}\``,
        expected: show(e),
        found: "nothing",
        reason: `${what} \`${name}\` is missing`,
      };
    }
    const f = found[name];
    if (show(unversioned(e)) !== show(unversioned(f))) {
      return {
        ok: false,
        path: `${what} \`${name}\``,
        expected: show(e),
        found: show(f),
        reason: `${what} \`${name}\` differs`,
      };
    }
  }
  return { ok: true };
}

function kindOf(c: CanonicalWorldItem): string {
  return "interface" in c ? "an interface" : "function" in c ? "a function" : "a type";
}

/**
 * Whether `provided` can be used where `expected` is imported: the provided item must be a
 * subtype of the expected one (an instance may have more exports than expected).
 */
export function checkFits(provided: WitItem, expected: WitItem): FitResult {
  const p = canonicalWorldItem(provided.resolve, provided.item);
  const e = canonicalWorldItem(expected.resolve, expected.item);
  if ("interface" in e && "interface" in p) {
    const types = compareRecords("type", e.interface.types, p.interface.types);
    if (!types.ok) return types;
    return compareRecords("function", e.interface.functions, p.interface.functions);
  }
  if ("function" in e && "function" in p) {
    return compareRecords("function", { f: e.function }, { f: p.function });
  }
  if ("type" in e && "type" in p) return compareRecords("type", { t: e.type }, { t: p.type });
  return {
    ok: false,
    path: "",
    expected: kindOf(e),
    found: kindOf(p),
    reason: `expected ${kindOf(e)}, found ${kindOf(p)}`,
  };
}

/**
 * Whether two components' imports of one interface (perhaps at two compatible versions) can be
 * merged into one import: what both name must agree; what only one names is added.
 */
export function checkMergeable(a: WitItem, b: WitItem): FitResult {
  const ca = canonicalWorldItem(a.resolve, a.item);
  const cb = canonicalWorldItem(b.resolve, b.item);
  if ("interface" in ca && "interface" in cb) {
    const common = <T>(x: Record<string, T>, y: Record<string, T>) =>
      Object.fromEntries(Object.entries(x).filter(([k]) => Object.hasOwn(y, k)));
    const types = compareRecords(
      "type",
      common(ca.interface.types, cb.interface.types),
      cb.interface.types,
    );
    if (!types.ok) return types;
    return compareRecords(
      "function",
      common(ca.interface.functions, cb.interface.functions),
      cb.interface.functions,
    );
  }
  return checkFits(b, a);
}
