/**
 * From WIT sources to one {@link Resolve}: parse every file of the root package and of each
 * dependency, resolve names inside each package, then append the packages in dependency order
 * (wit-parser's `push_dir`: packages sorted by name, then depth-first by their references).
 */
import { appendPackage, type Gates } from "./_append.ts";
import { SourceMap, WitError } from "./_error.ts";
import { mergeResolve } from "./_merge.ts";
import { parseFile } from "./_parser.ts";
import { compareSemver } from "./_semver.ts";
import { PackageResolver, type UnresolvedPackage } from "./_unresolved.ts";
import type { PackageId, Resolve, WitPackageName } from "./model.ts";
import { emptyResolve } from "./model.ts";

/** A WIT file: the path used in error messages, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/**
 * One entry of a `deps/` folder: a package's `.wit` files (a folder or a single file), or a
 * package already resolved elsewhere (a binary WIT package decoded by lib/component).
 */
export type WitDependency =
  | { name: string; files: SourceFile[] }
  | { name: string; resolve: Resolve };

/**
 * The sources of a resolution: the root package (its files, or a package already resolved, such
 * as a decoded binary WIT package or component) and the `deps/` entries, in order. A resolved
 * root carries its dependencies with it, so `deps` is not read then (as wit-parser does for a
 * `.wasm` input).
 */
export interface WitSources {
  root: SourceFile[] | ResolvedWit;
  deps?: WitDependency[];
}

/** Feature gates to apply while resolving. */
export interface ResolveWitOptions {
  /** `@unstable` features to enable. */
  features?: Iterable<string>;
  /** Enable every `@unstable` feature. */
  allFeatures?: boolean;
}

/** A resolution: the arena, and the id of the root package in it. */
export interface ResolvedWit {
  resolve: Resolve;
  /** The root package (the one whose files were the `root` sources). */
  package: PackageId;
}

interface PackageGroup {
  main: UnresolvedPackage;
  nested: UnresolvedPackage[];
}

/** Parses the files of one package (sorted by path) and its nested `package … { }` blocks. */
function parseGroup(sm: SourceMap, files: SourceFile[]): PackageGroup {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const resolver = new PackageResolver(sm);
  const nested: UnresolvedPackage[] = [];
  for (const f of sorted) {
    const base = sm.add(f.path, f.text);
    if (resolver.anchor < 0) resolver.anchor = base;
    const file = parseFile(sm, f.text, base);
    const items = [];
    for (const item of file.items) {
      if (item.kind === "package") {
        const r = new PackageResolver(sm);
        r.push(item.value);
        nested.push(r.resolve());
      } else {
        items.push(item);
      }
    }
    resolver.push({ packageId: file.packageId, items });
  }
  return { main: resolver.resolve(), nested };
}

function comparePackageNames(a: WitPackageName, b: WitPackageName): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.version === undefined || b.version === undefined) {
    return (a.version === undefined ? 0 : 1) - (b.version === undefined ? 0 : 1);
  }
  return compareSemver(a.version, b.version);
}

/** Appends the groups' packages to `resolve` in dependency order; returns the main package. */
function pushGroups(
  sm: SourceMap,
  gates: Gates,
  resolve: Resolve,
  groups: PackageGroup[],
): PackageId {
  const mainKey = groups[0].main.key;
  const byKey = new Map<string, UnresolvedPackage>();
  for (const g of groups) {
    for (const pkg of [...g.nested, g.main]) {
      const prev = byKey.get(pkg.key);
      if (prev) {
        const loc1 = sm.locate(pkg.nameStart, pkg.nameEnd);
        const message = `package \`${pkg.key}\` is defined in two different locations`;
        throw new WitError(
          "duplicate-package",
          message,
          loc1,
          `${message}:\n  * ${sm.where(pkg.nameStart)}\n  * ${sm.where(prev.nameStart)}`,
        );
      }
      byKey.set(pkg.key, pkg);
    }
  }
  const sorted = [...byKey.values()].sort((a, b) => comparePackageNames(a.name, b.name));
  const order: UnresolvedPackage[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (pkg: UnresolvedPackage) => {
    if (done.has(pkg.key)) return;
    for (const [depKey, dep] of pkg.foreignDeps) {
      if (visiting.has(depKey)) {
        throw sm.error(
          "package-cycle",
          `package \`${depKey}\` creates a dependency cycle`,
          dep.start,
          dep.end,
        );
      }
      visiting.add(depKey);
      const target = byKey.get(depKey);
      if (target) visit(target);
      visiting.delete(depKey);
    }
    done.add(pkg.key);
    order.push(pkg);
  };
  for (const pkg of sorted) visit(pkg);
  let main = -1;
  for (const pkg of order) {
    const id = appendPackage(sm, gates, resolve, pkg);
    if (pkg.key === mainKey) main = id;
  }
  return main;
}

function gatesOf(options: ResolveWitOptions): Gates {
  return { features: new Set(options.features ?? []), allFeatures: options.allFeatures ?? false };
}

/**
 * Resolves a WIT package with its dependencies, the layout wit-parser and wkg use: the root
 * package's files plus a `deps/` folder whose entries are packages (a folder of `.wit` files, one
 * `.wit` file, or an already-decoded binary package). Throws a {@link WitError} on invalid WIT.
 *
 * @example
 * ```ts
 * import { resolveWit } from "./mod.ts";
 * const { resolve, package: main } = resolveWit({
 *   root: [{ path: "wit/world.wit", text: "package a:app; world w { import b:lib/api; }" }],
 *   deps: [{ name: "lib", files: [{ path: "wit/deps/lib.wit", text: "package b:lib; interface api {}" }] }],
 * });
 * console.assert(resolve.packages[main].name.name === "app" && resolve.packages.length === 2);
 * ```
 */
export function resolveWit(sources: WitSources, options: ResolveWitOptions = {}): ResolvedWit {
  try {
    return resolveSources(sources, options);
  } catch (e) {
    // Definitions chained thousands deep exhaust the stack; that is invalid input, not a crash.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new WitError(
        "semantic",
        "Cannot resolve WIT: definitions are chained or nested too deeply",
      );
    }
    throw e;
  }
}

function resolveSources(sources: WitSources, options: ResolveWitOptions): ResolvedWit {
  const sm = new SourceMap();
  const resolve = emptyResolve();
  const gates = gatesOf(options);
  const root = sources.root;
  if (!Array.isArray(root)) {
    const remap = mergeResolve(resolve, root.resolve);
    return { resolve, package: remap.packages[root.package] };
  }
  const groups = [parseGroup(sm, root)];
  for (const dep of sources.deps ?? []) {
    if ("files" in dep) groups.push(parseGroup(sm, dep.files));
    else mergeResolve(resolve, dep.resolve);
  }
  const main = pushGroups(sm, gates, resolve, groups);
  return { resolve, package: main };
}

/** Like {@link resolveWit}, but returns `undefined` instead of throwing a {@link WitError}. */
export function tryResolveWit(
  sources: WitSources,
  options: ResolveWitOptions = {},
): ResolvedWit | undefined {
  try {
    return resolveWit(sources, options);
  } catch (e) {
    if (e instanceof WitError) return undefined;
    throw e;
  }
}

/** Options of {@link parseWit}. */
export interface ParseWitOptions extends ResolveWitOptions {
  /** The file name used in error messages (default `input.wit`). */
  path?: string;
}

/**
 * Parses and resolves one self-contained WIT text (one package, possibly with nested
 * `package … { }` blocks that it uses). Throws a {@link WitError} on invalid WIT.
 *
 * @example
 * ```ts
 * import { parseWit } from "./mod.ts";
 * const { resolve, package: id } = parseWit("package a:b@1.0.0;\ninterface i { f: func(x: u32) -> string; }");
 * const iface = resolve.interfaces[resolve.packages[id].interfaces.get("i")!];
 * console.assert(iface.functions.get("f")!.result === "string");
 * ```
 */
export function parseWit(text: string, options: ParseWitOptions = {}): ResolvedWit {
  return resolveWit({ root: [{ path: options.path ?? "input.wit", text }] }, options);
}

/** Like {@link parseWit}, but returns `undefined` instead of throwing a {@link WitError}. */
export function tryParseWit(text: string, options: ParseWitOptions = {}): ResolvedWit | undefined {
  try {
    return parseWit(text, options);
  } catch (e) {
    if (e instanceof WitError) return undefined;
    throw e;
  }
}
