/**
 * The public checks: compatibility reports for packages, worlds, interfaces and components, and
 * the subtype tests composition uses. All run the one walker of `_engine.ts`.
 */
import type {
  Function,
  InterfaceId,
  PackageId,
  Resolve,
  Type,
  WorldId,
  WorldItem,
  WorldKey,
} from "../wit/mod.ts";
import { Comparer, Side, StopAtBreaking } from "./_engine.ts";
import { printGate } from "./_print.ts";
import type { Bump, Change, CompatReport, SubtypeResult } from "./_types.ts";
import { CHANGE_KIND_TEXT } from "./_text.ts";

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/** The larger of two bumps. */
export function maxBump(a: Bump, b: Bump): Bump {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Builds a report from changes: merges duplicates (the same change seen through several worlds
 * is breaking when any of them says so), pairs a removed and an added resource of the same name
 * into one `moved-resource`, and computes the verdict and the bump.
 */
export function summarize(changes: Change[]): CompatReport {
  const merged: Change[] = [];
  const byKey = new Map<string, Change>();
  for (const c of changes) {
    const key = `${c.path}\0${c.kind}\0${c.old ?? ""}\0${c.new ?? ""}`;
    const seen = byKey.get(key);
    if (seen === undefined) {
      const copy = { ...c };
      byKey.set(key, copy);
      merged.push(copy);
    } else if (c.breaking && !seen.breaking) {
      seen.breaking = true;
      seen.bump = "major";
      if (c.reason !== undefined) seen.reason = c.reason;
    }
  }
  const out = pairMoves(merged);
  let bump: Bump = "patch";
  for (const c of out) bump = maxBump(bump, c.bump);
  return { compatible: out.every((c) => !c.breaking), bump, changes: out };
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

function pairMoves(changes: Change[]): Change[] {
  const removed = changes.filter((c) => c.kind === "removed-resource");
  const added = changes.filter((c) => c.kind === "added-resource");
  if (removed.length === 0 || added.length === 0) return changes;
  const drop = new Set<Change>();
  const replace = new Map<Change, Change>();
  for (const r of removed) {
    const name = lastSegment(r.path);
    const candidates = added.filter((a) => lastSegment(a.path) === name && !drop.has(a));
    const sameName = removed.filter((x) => lastSegment(x.path) === name);
    if (candidates.length !== 1 || sameName.length !== 1) continue;
    const a = candidates[0];
    const breaking = r.breaking || a.breaking;
    replace.set(r, {
      path: r.path,
      kind: "moved-resource",
      breaking,
      bump: breaking ? "major" : "minor",
      old: r.path.replace(/\.[^.]*$/, ""),
      new: a.path.replace(/\.[^.]*$/, ""),
      reason: breaking
        ? "a resource is identified by the interface that defines it"
        : r.reason ?? "nothing uses it",
    });
    drop.add(a);
  }
  return changes.filter((c) => !drop.has(c)).map((c) => replace.get(c) ?? c);
}

function packageChange(
  cmp: Comparer,
  oldR: Resolve,
  oldPkg: PackageId | undefined,
  newR: Resolve,
  newPkg: PackageId | undefined,
) {
  if (oldPkg === undefined || newPkg === undefined) return;
  const a = oldR.packages[oldPkg].name, b = newR.packages[newPkg].name;
  if (a.namespace !== b.namespace || a.name !== b.name) {
    cmp.emit(
      "changed-package",
      `${a.namespace}:${a.name}`,
      true,
      `package ${a.namespace}:${a.name}`,
      `package ${b.namespace}:${b.name}`,
      "a different package",
    );
  }
}

function rootSides(oldR: Resolve, oi: InterfaceId, newR: Resolve, ni: InterfaceId) {
  const o = new Side(oldR), n = new Side(newR);
  o.labels.set(`i:${oi}`, "@root");
  n.labels.set(`i:${ni}`, "@root");
  return { o, n };
}

/**
 * Checks an interface in the interface direction: every function and type of the old interface
 * must still be there and be equal; additions are compatible.
 */
export function checkInterfaceCompat(
  oldR: Resolve,
  oldIface: InterfaceId,
  newR: Resolve,
  newIface: InterfaceId,
): CompatReport {
  const { o, n } = rootSides(oldR, oldIface, newR, newIface);
  const cmp = new Comparer(o, n);
  cmp.compareInterface(oldIface, newIface, "old");
  return summarize(cmp.changes);
}

/**
 * Checks a world of a WIT package in the direction of `wasm-tools component semver-check`: a
 * component written for the old world must be valid for the new one. The new world may import
 * more (also more functions and types inside an imported interface) and may export less; it may
 * not drop or change anything a component can use from an old import, nor add or change an
 * export. Both worlds must belong to the same package (`namespace:name`; versions differ).
 */
export function checkWorldCompat(
  oldR: Resolve,
  oldWorld: WorldId,
  newR: Resolve,
  newWorld: WorldId,
): CompatReport {
  const cmp = new Comparer(new Side(oldR), new Side(newR));
  packageChange(cmp, oldR, oldR.worlds[oldWorld].package, newR, newR.worlds[newWorld].package);
  cmp.compareWorld(oldWorld, newWorld, "world");
  return summarize(cmp.changes);
}

/**
 * Checks two components (their worlds, as lib/component decodes them): the new one must be usable
 * wherever the old one was. It may import less and export more, never the reverse.
 */
export function checkComponentCompat(
  oldR: Resolve,
  oldWorld: WorldId,
  newR: Resolve,
  newWorld: WorldId,
): CompatReport {
  // A component's own world is a synthetic `root:component/root`: its items show as `component.x`.
  const o = new Side(oldR), n = new Side(newR);
  o.displays.set(`w:${oldWorld}`, "component");
  n.displays.set(`w:${newWorld}`, "component");
  const cmp = new Comparer(o, n);
  cmp.compareWorld(oldWorld, newWorld, "component");
  return summarize(cmp.changes);
}

/** The versionless names of the interfaces a world imports or exports. */
function worldInterfaces(side: Side, r: Resolve, w: WorldId): Set<string> {
  const out = new Set<string>();
  const world = r.worlds[w];
  for (const items of [world.imports, world.exports] as Map<WorldKey, WorldItem>[]) {
    for (const item of items.values()) {
      if (item.tag === "interface") {
        const name = side.interfaceName(item.id);
        if (name !== undefined) out.add(name);
      }
    }
  }
  return out;
}

/**
 * Checks two versions of a WIT package. Each world present in both is checked in the world
 * direction ({@link checkWorldCompat}); each interface of the package that no world present in
 * both versions imports or exports in both is checked in the interface direction
 * ({@link checkInterfaceCompat}). Removing a world or an interface breaks; adding one is a minor
 * change. The same change seen through several worlds is reported once, breaking when any world
 * says so.
 */
export function checkPackageCompat(
  oldR: Resolve,
  oldPkg: PackageId,
  newR: Resolve,
  newPkg: PackageId,
): CompatReport {
  const a = oldR.packages[oldPkg], b = newR.packages[newPkg];
  const top = new Comparer(new Side(oldR), new Side(newR));
  packageChange(top, oldR, oldPkg, newR, newPkg);
  const pkgPath = `${a.name.namespace}:${a.name.name}`;
  if ((a.docs ?? "") !== (b.docs ?? "")) {
    top.emit("changed-docs", pkgPath, false, a.docs ?? "", b.docs ?? "", "documentation only");
  }
  const changes: Change[] = [...top.changes];
  const covered = new Set<string>();
  const oside = new Side(oldR), nside = new Side(newR);
  for (const [name, ow] of a.worlds) {
    const nw = b.worlds.get(name);
    const path = `${pkgPath}/${name}`;
    if (nw === undefined) {
      changes.push({
        path,
        kind: "removed-world",
        breaking: true,
        bump: "major",
        old: `world ${name}`,
        reason: "components and hosts target it by name",
      });
      continue;
    }
    const oi = worldInterfaces(oside, oldR, ow), ni = worldInterfaces(nside, newR, nw);
    for (const x of oi) if (ni.has(x)) covered.add(x);
    changes.push(...checkWorldCompat(oldR, ow, newR, nw).changes);
  }
  for (const [name, nw] of b.worlds) {
    if (a.worlds.has(name)) continue;
    changes.push({
      path: `${pkgPath}/${name}`,
      kind: "added-world",
      breaking: false,
      bump: "minor",
      new: `${printGate(newR.worlds[nw].stability)}world ${name}`,
      reason: "an addition",
    });
  }
  for (const [name, oi] of a.interfaces) {
    const ni = b.interfaces.get(name);
    const path = `${pkgPath}/${name}`;
    if (ni === undefined) {
      changes.push({
        path,
        kind: "removed-interface",
        breaking: true,
        bump: "major",
        old: `interface ${name}`,
        reason: "other packages may import it or use its types",
      });
      continue;
    }
    if (covered.has(path)) continue;
    changes.push(...checkInterfaceCompat(oldR, oi, newR, ni).changes);
  }
  for (const [name, ni] of b.interfaces) {
    if (a.interfaces.has(name)) continue;
    changes.push({
      path: `${pkgPath}/${name}`,
      kind: "added-interface",
      breaking: false,
      bump: "minor",
      new: `${printGate(newR.interfaces[ni].stability)}interface ${name}`,
      reason: "an addition",
    });
  }
  return summarize(changes);
}

// ------------------------------------------------------------------ subtype tests

function runSubtype(
  oldR: Resolve,
  newR: Resolve,
  setup: (o: Side, n: Side) => void,
  f: (c: Comparer) => void,
): SubtypeResult {
  const o = new Side(oldR), n = new Side(newR);
  setup(o, n);
  const cmp = new Comparer(o, n, true);
  try {
    f(cmp);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof StopAtBreaking)) throw e;
    const c = e.change;
    const why = c.reason === undefined ? "" : ` (${c.reason})`;
    return {
      ok: false,
      path: c.path,
      kind: c.kind,
      expected: c.old ?? "",
      found: c.new ?? "",
      reason: `Type mismatch at ${c.path}: ${CHANGE_KIND_TEXT[c.kind]}${why}`,
    };
  }
}

/**
 * Whether interface `a` (in `ra`) is usable where interface `b` (in `rb`) is expected, as an
 * instance type: `a` has every function and type of `b`, each equal, and may have more. The two
 * interfaces' own resources correspond by name whatever the interfaces are called.
 */
export function isSubtypeInterface(
  ra: Resolve,
  a: InterfaceId,
  rb: Resolve,
  b: InterfaceId,
): SubtypeResult {
  return runSubtype(rb, ra, (o, n) => {
    o.labels.set(`i:${b}`, "@root");
    n.labels.set(`i:${a}`, "@root");
  }, (c) => c.compareInterface(b, a, "old"));
}

/**
 * Whether world `a` (in `ra`), as a component type, is usable where world `b` (in `rb`) is
 * expected: `a` imports no more than `b` provides (each of `b`'s imports a subtype of `a`'s) and
 * exports at least what `b` exports (each a subtype of `b`'s).
 */
export function isSubtypeWorld(ra: Resolve, a: WorldId, rb: Resolve, b: WorldId): SubtypeResult {
  return runSubtype(rb, ra, () => {}, (c) => c.compareWorld(b, a, "component"));
}

/**
 * Whether function `a` (in `ra`) is usable where `b` (in `rb`) is expected. Function types must
 * be equal: parameter names and types in order, the result, sync or async.
 */
export function isSubtypeFunction(
  ra: Resolve,
  a: Function,
  rb: Resolve,
  b: Function,
): SubtypeResult {
  return runSubtype(rb, ra, () => {}, (c) => c.compareFunction(b, a, b.name, { breaking: true }));
}

/**
 * Whether value type `a` (in `ra`) is usable where `b` (in `rb`) is expected. Value types must
 * be equal structurally; resources correspond by their path (`ns:pkg/iface.name`).
 */
export function isSubtypeValueType(ra: Resolve, a: Type, rb: Resolve, b: Type): SubtypeResult {
  return runSubtype(rb, ra, () => {}, (c) => {
    c.compareRef(b, a, "value", { breaking: true });
  });
}
