/**
 * The registry's view of compatibility: the publish gate ({@link compareReleases}), the world index
 * ({@link implementsWorld}) and which published versions a new one is checked against
 * ({@link seriesCheckTargets}). Everything else in registry/ calls these three and reads a
 * {@link CompatReport}; nothing else knows how the check is done.
 *
 * lib/compat (the one subtype relation of wreg) is being written beside this; until it lands, the
 * bodies here are a conservative structural check over lib/wit's canonical forms: a changed type
 * or signature is breaking, a removed export is breaking, an added import is breaking, additions
 * are minor, doc changes are a patch. Versions inside names are compared by semver series, so
 * `wasi:io@0.2.0` and `wasi:io@0.2.3` are the same package. Switching to lib/compat is an edit of
 * the three function bodies; the report shape is lib/compat's planned `CompatReport`.
 */
import {
  type CanonicalFunction,
  type CanonicalInterface,
  canonicalPackage,
  type CanonicalType,
  type CanonicalTypeDef,
  type CanonicalWorld,
  canonicalWorld,
  type CanonicalWorldItem,
  type PackageId,
  type Resolve,
  type WorldId,
} from "../lib/wit/mod.ts";
import {
  compareVersions,
  isPrerelease,
  isSemverCompatible,
  sameSeries,
  tryParseVersion,
  type Version,
} from "../lib/names/mod.ts";

/** The semver bump a change needs. */
export type Bump = "major" | "minor" | "patch";

/** One difference between two releases, by path (`docs:processor/logger.log`). */
export interface CompatChange {
  /** Where: `ns:pkg/iface.item`, `ns:pkg/world.exports.name`, `exports.name` for a component. */
  path: string;
  /** What happened. */
  kind: "added" | "removed" | "changed" | "docs";
  /** Whether users of the old release break. */
  breaking: boolean;
  /** The old item, as WIT-like text. */
  old?: string;
  /** The new item, as WIT-like text. */
  new?: string;
}

/** The outcome of a comparison (lib/compat's `CompatReport`). */
export interface CompatReport {
  /** No change is breaking. */
  compatible: boolean;
  /** The smallest semver bump the changes need. */
  bump: Bump;
  /** Every change, breaking ones first. */
  changes: CompatChange[];
}

/** A release as the gate compares it: a WIT package, or a component's world. */
export type Release =
  | { kind: "wit-package"; resolve: Resolve; package: PackageId }
  | { kind: "component"; resolve: Resolve; world: WorldId };

/**
 * Compares two releases of one package: is `next` a compatible successor of `old`? For WIT
 * packages every interface and world of `old` must remain with the same types (worlds may add
 * exports and drop imports); for components the world may add exports and drop imports, but must
 * keep every export and add no import.
 */
export function compareReleases(old: Release, next: Release): CompatReport {
  const changes: CompatChange[] = [];
  if (old.kind === "wit-package" && next.kind === "wit-package") {
    const a = series(canonicalPackage(old.resolve, old.package, { docs: true }));
    const b = series(canonicalPackage(next.resolve, next.package, { docs: true }));
    const base = a.name.replace(/@.*$/, "");
    diffMaps(
      a.interfaces,
      b.interfaces,
      base,
      changes,
      (p, x, y) => diffInterface(p, x, y, changes),
    );
    diffMaps(
      a.worlds,
      b.worlds,
      base,
      changes,
      (p, x, y) => diffWorld(p, shallow(x), shallow(y), changes),
    );
  } else if (old.kind === "component" && next.kind === "component") {
    const a = series(canonicalWorld(old.resolve, old.world, { docs: true }));
    const b = series(canonicalWorld(next.resolve, next.world, { docs: true }));
    diffWorld("", a, b, changes);
  } else {
    changes.push({ path: "", kind: "changed", breaking: true, old: old.kind, new: next.kind });
  }
  return report(changes);
}

/** Options of {@link implementsWorld}. */
export interface ImplementsOptions {
  /**
   * Imports the host provides besides the world's: a component may import interfaces of these
   * namespaces (`wasi`) or packages (`wasi:cli`) without the world importing them.
   */
  hostProvides?: readonly string[];
}

/**
 * Whether a component implements a world: it exports everything the world exports (same types,
 * at a semver-compatible version) and imports nothing the world does not import. The report's
 * changes name what is missing or extra; `compatible` is the answer.
 */
export function implementsWorld(
  component: { resolve: Resolve; world: WorldId },
  target: { resolve: Resolve; world: WorldId },
  options: ImplementsOptions = {},
): CompatReport {
  const c = canonicalWorld(component.resolve, component.world);
  const w = canonicalWorld(target.resolve, target.world);
  const changes: CompatChange[] = [];
  const cExports = byBase(c.exports);
  for (const [key, want] of Object.entries(w.exports)) {
    const path = `exports.${baseOf(key)}`;
    const have = cExports.get(baseOf(key));
    if (have === undefined || !providesVersion(key, have.key)) {
      changes.push({ path, kind: "removed", breaking: true, old: itemText(want) });
      continue;
    }
    // The component must offer at least what the world asks for.
    diffItem(path, series(want), series(have.item), changes, "export");
  }
  const wImports = byBase(w.imports);
  for (const [key, need] of Object.entries(c.imports)) {
    const path = `imports.${baseOf(key)}`;
    if (isHostProvided(key, options.hostProvides ?? [])) continue;
    const offered = wImports.get(baseOf(key));
    if (offered === undefined || !providesVersion(key, offered.key)) {
      changes.push({ path, kind: "added", breaking: true, new: itemText(need) });
      continue;
    }
    // The world's import must cover what the component needs.
    diffItem(path, series(offered.item), series(need), changes, "import");
  }
  return report(changes.filter((ch) => ch.breaking));
}

/** A published version as {@link seriesCheckTargets} sees it. */
export interface PublishedVersion {
  version: Version;
  yanked: boolean;
}

/**
 * The published versions a new version must be compatible with, in its semver series: every lower
 * version must be a predecessor of the new one (`before`), and the new one must be a predecessor
 * of every higher version already published (`after`, when versions arrive out of order).
 * Yanked versions count: a yank hides a version from resolution but lock files still name it, and
 * a yank must not open a way around the gate. Pre-releases are neither checked nor checked against.
 */
export function seriesCheckTargets(
  version: Version,
  published: readonly PublishedVersion[],
): { before: Version[]; after: Version[] } {
  if (isPrerelease(version)) return { before: [], after: [] };
  const same = published.filter((p) =>
    !isPrerelease(p.version) && p.version !== version && sameSeries(p.version, version)
  ).map((p) => p.version).sort(compareVersions);
  return {
    before: same.filter((v) => compareVersions(v, version) < 0),
    after: same.filter((v) => compareVersions(v, version) > 0),
  };
}

/** The smallest bump that covers a set of changes. */
export function bumpOf(changes: readonly CompatChange[]): Bump {
  if (changes.some((c) => c.breaking)) return "major";
  if (changes.some((c) => c.kind !== "docs")) return "minor";
  return "patch";
}

/**
 * The first version of the next semver series after `version` (what a breaking change needs):
 * `2.0.0` after `1.4.2`, `0.3.0` after `0.2.5`, `0.0.8` after `0.0.7`.
 */
export function nextSeries(version: Version): string {
  const [major, minor, patch] = version.split(/[.+-]/).map(Number);
  if (major > 0) return `${major + 1}.0.0`;
  if (minor > 0) return `0.${minor + 1}.0`;
  return `0.0.${patch + 1}`;
}

// ---------------------------------------------------------------------------------------------

function report(changes: CompatChange[]): CompatReport {
  const sorted = [...changes].sort((a, b) =>
    Number(b.breaking) - Number(a.breaking) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
  return {
    compatible: !sorted.some((c) => c.breaking),
    bump: bumpOf(sorted),
    changes: sorted,
  };
}

/**
 * Replaces every `@x.y.z` inside names with its semver series (`@x` or `@0.y`), so that the same
 * package at two compatible versions compares equal.
 */
function series<T>(value: T): T {
  const text = JSON.stringify(value).replace(
    /@(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z-]+)?/g,
    (_m, maj: string, min: string, pat: string) =>
      maj !== "0" ? `@${maj}` : min !== "0" ? `@0.${min}` : `@0.0.${pat}`,
  );
  return JSON.parse(text) as T;
}

/**
 * A world of a WIT package with its named interfaces reduced to their names: their contents are
 * compared once, under the package's interfaces, not again under every world that uses them.
 */
function shallow(w: CanonicalWorld): CanonicalWorld {
  const cut = (items: Record<string, CanonicalWorldItem>) =>
    Object.fromEntries(
      Object.entries(items).map(([k, v]) =>
        "interface" in v && v.interface.id !== undefined
          ? [k, { interface: { id: v.interface.id, types: {}, functions: {} } }]
          : [k, v]
      ),
    );
  return { ...w, imports: cut(w.imports), exports: cut(w.exports) };
}

function baseOf(key: string): string {
  return key.replace(/@.*$/, "");
}

function versionOf(key: string): Version | undefined {
  const at = key.lastIndexOf("@");
  return at < 0 ? undefined : tryParseVersion(key.slice(at + 1));
}

/**
 * Whether the item named `provider` can stand in for `wanted` (same base, checked by the caller;
 * versions semver-compatible: same series, provider at least as new). For exports `wanted` is the
 * world's and `provider` the component's; for imports `wanted` is the component's and `provider`
 * the world's.
 */
function providesVersion(wanted: string, provider: string): boolean {
  const a = versionOf(wanted);
  const b = versionOf(provider);
  if (a === undefined || b === undefined) return a === b;
  return isSemverCompatible(a, b);
}

function isHostProvided(key: string, provided: readonly string[]): boolean {
  const base = baseOf(key);
  const pkg = base.includes("/") ? base.slice(0, base.indexOf("/")) : undefined;
  if (pkg === undefined) return false;
  const ns = pkg.slice(0, pkg.indexOf(":"));
  return provided.includes(ns) || provided.includes(pkg);
}

function byBase(
  items: Record<string, CanonicalWorldItem>,
): Map<string, { key: string; item: CanonicalWorldItem }> {
  const out = new Map<string, { key: string; item: CanonicalWorldItem }>();
  for (const [key, item] of Object.entries(items)) out.set(baseOf(key), { key, item });
  return out;
}

function diffMaps<T>(
  a: Record<string, T>,
  b: Record<string, T>,
  prefix: string,
  changes: CompatChange[],
  both: (path: string, x: T, y: T) => void,
  sep = "/",
): void {
  for (const [name, x] of Object.entries(a)) {
    const path = `${prefix}${sep}${name}`;
    if (!(name in b)) changes.push({ path, kind: "removed", breaking: true });
    else both(path, x, b[name]);
  }
  for (const name of Object.keys(b)) {
    if (!(name in a)) {
      changes.push({ path: `${prefix}${sep}${name}`, kind: "added", breaking: false });
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function withoutDocs<T extends { docs?: string }>(x: T): Omit<T, "docs"> {
  const { docs: _docs, ...rest } = x;
  return rest;
}

function diffInterface(
  path: string,
  a: CanonicalInterface,
  b: CanonicalInterface,
  changes: CompatChange[],
  mode: "both" | "export" | "import" = "both",
): void {
  if (a.docs !== b.docs && mode === "both") {
    changes.push({ path, kind: "docs", breaking: false });
  }
  for (const [name, t] of Object.entries(a.types)) {
    const p = `${path}.${name}`;
    if (!(name in b.types)) {
      // A component's import or export carries only the types it uses.
      if (mode !== "both") continue;
      changes.push({ path: p, kind: "removed", breaking: true, old: typeText(name, t) });
    } else if (!same(t, b.types[name])) {
      changes.push({
        path: p,
        kind: "changed",
        breaking: true,
        old: typeText(name, t),
        new: typeText(name, b.types[name]),
      });
    }
  }
  for (const [name, f] of Object.entries(a.functions)) {
    const p = `${path}.${name}`;
    const g = b.functions[name];
    if (g === undefined) {
      changes.push({ path: p, kind: "removed", breaking: true, old: funcText(name, f) });
    } else if (!same(withoutDocs(f), withoutDocs(g))) {
      changes.push({
        path: p,
        kind: "changed",
        breaking: true,
        old: funcText(name, f),
        new: funcText(name, g),
      });
    } else if (f.docs !== g.docs && mode === "both") {
      changes.push({ path: p, kind: "docs", breaking: false });
    }
  }
  if (mode === "both") {
    for (const name of Object.keys(b.types)) {
      if (!(name in a.types)) {
        changes.push({
          path: `${path}.${name}`,
          kind: "added",
          breaking: false,
          new: typeText(name, b.types[name]),
        });
      }
    }
    for (const name of Object.keys(b.functions)) {
      if (!(name in a.functions)) {
        changes.push({
          path: `${path}.${name}`,
          kind: "added",
          breaking: false,
          new: funcText(name, b.functions[name]),
        });
      }
    }
  }
}

/**
 * Compares one world item: `mode` "export" asks that `b` offers at least `a`; "import" asks that
 * `a` (what is offered) covers `b` (what is needed), i.e. `b`'s functions are in `a`.
 */
function diffItem(
  path: string,
  a: CanonicalWorldItem,
  b: CanonicalWorldItem,
  changes: CompatChange[],
  mode: "export" | "import",
): void {
  if ("interface" in a && "interface" in b) {
    if (mode === "export") diffInterface(path, a.interface, b.interface, changes, "export");
    else diffInterface(path, b.interface, a.interface, changes, "import");
    return;
  }
  if ("function" in a && "function" in b) {
    if (!same(withoutDocs(a.function), withoutDocs(b.function))) {
      const name = path.slice(path.lastIndexOf(".") + 1);
      changes.push({
        path,
        kind: "changed",
        breaking: true,
        old: funcText(name, a.function),
        new: funcText(name, b.function),
      });
    }
    return;
  }
  if (!same(a, b)) {
    changes.push({ path, kind: "changed", breaking: true, old: itemText(a), new: itemText(b) });
  }
}

function diffWorld(
  path: string,
  a: CanonicalWorld,
  b: CanonicalWorld,
  changes: CompatChange[],
): void {
  const prefix = path === "" ? "" : `${path}.`;
  if (a.docs !== b.docs && path !== "") changes.push({ path, kind: "docs", breaking: false });
  // Exports: each old one must remain and offer at least as much; new ones are additions.
  for (const [key, item] of Object.entries(a.exports)) {
    const p = `${prefix}exports.${baseOf(key)}`;
    const other = b.exports[key];
    if (other === undefined) {
      changes.push({ path: p, kind: "removed", breaking: true, old: itemText(item) });
    } else {
      diffWorldItem(p, item, other, changes, "export");
    }
  }
  for (const [key, item] of Object.entries(b.exports)) {
    if (!(key in a.exports)) {
      changes.push({
        path: `${prefix}exports.${baseOf(key)}`,
        kind: "added",
        breaking: false,
        new: itemText(item),
      });
    }
  }
  // Imports: new ones are breaking (the host must give more); dropped ones are fine.
  for (const [key, item] of Object.entries(b.imports)) {
    const p = `${prefix}imports.${baseOf(key)}`;
    const other = a.imports[key];
    if (other === undefined) {
      changes.push({ path: p, kind: "added", breaking: true, new: itemText(item) });
    } else {
      diffWorldItem(p, other, item, changes, "import");
    }
  }
  for (const [key, item] of Object.entries(a.imports)) {
    if (!(key in b.imports)) {
      changes.push({
        path: `${prefix}imports.${baseOf(key)}`,
        kind: "removed",
        breaking: false,
        old: itemText(item),
      });
    }
  }
}

/** Like {@link diffItem}, also reporting additions (a release compared with its predecessor). */
function diffWorldItem(
  path: string,
  old: CanonicalWorldItem,
  next: CanonicalWorldItem,
  changes: CompatChange[],
  mode: "export" | "import",
): void {
  if ("interface" in old && "interface" in next) {
    if (mode === "export") {
      diffInterface(path, old.interface, next.interface, changes, "export");
      for (const name of Object.keys(next.interface.functions)) {
        if (!(name in old.interface.functions)) {
          changes.push({
            path: `${path}.${name}`,
            kind: "added",
            breaking: false,
            new: funcText(name, next.interface.functions[name]),
          });
        }
      }
    } else {
      // The new release may need less of an import, never more.
      diffInterface(path, next.interface, old.interface, changes, "import");
      for (const name of Object.keys(old.interface.functions)) {
        if (!(name in next.interface.functions)) {
          changes.push({
            path: `${path}.${name}`,
            kind: "removed",
            breaking: false,
            old: funcText(name, old.interface.functions[name]),
          });
        }
      }
    }
    return;
  }
  diffItem(path, old, next, changes, mode);
}

// --- text of items, for reports

function typeRefText(t: CanonicalType | null): string {
  if (t === null) return "_";
  if (typeof t === "string") return t;
  if ("named" in t) return t.named.slice(t.named.lastIndexOf(".") + 1);
  if ("list" in t) return `list<${typeRefText(t.list)}>`;
  if ("fixed-length-list" in t) {
    return `list<${typeRefText(t["fixed-length-list"][0])}, ${t["fixed-length-list"][1]}>`;
  }
  if ("map" in t) return `map<${typeRefText(t.map[0])}, ${typeRefText(t.map[1])}>`;
  if ("option" in t) return `option<${typeRefText(t.option)}>`;
  if ("result" in t) {
    const { ok, err } = t.result;
    if (ok === null && err === null) return "result";
    if (err === null) return `result<${typeRefText(ok)}>`;
    return `result<${typeRefText(ok)}, ${typeRefText(err)}>`;
  }
  if ("tuple" in t) return `tuple<${t.tuple.map(typeRefText).join(", ")}>`;
  if ("own" in t) return t.own.slice(t.own.lastIndexOf(".") + 1);
  if ("borrow" in t) return `borrow<${t.borrow.slice(t.borrow.lastIndexOf(".") + 1)}>`;
  if ("future" in t) return t.future === null ? "future" : `future<${typeRefText(t.future)}>`;
  if ("stream" in t) return t.stream === null ? "stream" : `stream<${typeRefText(t.stream)}>`;
  if ("type" in t) return typeRefText(t.type as CanonicalType);
  return JSON.stringify(t);
}

/** A function as WIT-like text: `name: func(a: u32) -> string`. */
export function funcText(name: string, f: CanonicalFunction): string {
  const params = f.params.map(([n, t]) => `${n}: ${typeRefText(t)}`).join(", ");
  const result = f.result === undefined ? "" : ` -> ${typeRefText(f.result)}`;
  return `${name}: func(${params})${result}`;
}

function typeText(name: string, t: CanonicalTypeDef): string {
  if (t === "resource") return `resource ${name}`;
  if (typeof t === "object" && t !== null) {
    if ("record" in t) {
      return `record ${name} { ${
        t.record.map(([f, ft]) => `${f}: ${typeRefText(ft)}`).join(", ")
      } }`;
    }
    if ("variant" in t) {
      return `variant ${name} { ${
        t.variant.map(([c, ct]) => (ct === null ? c : `${c}(${typeRefText(ct)})`)).join(", ")
      } }`;
    }
    if ("enum" in t) return `enum ${name} { ${t.enum.join(", ")} }`;
    if ("flags" in t) return `flags ${name} { ${t.flags.join(", ")} }`;
  }
  return `type ${name} = ${typeRefText(t as CanonicalType)}`;
}

function itemText(item: CanonicalWorldItem): string {
  if ("interface" in item) return `interface ${item.interface.id ?? "(inline)"}`;
  if ("function" in item) return funcText("func", item.function).replace(/^func: /, "");
  return typeText("type", item.type);
}
