import {
  compareVersions,
  parsePackageName,
  parseRange,
  parseVersion,
  type Version,
} from "../names/mod.ts";
import type { Dependencies, ListedVersion } from "./_package_data.ts";

export type { Dependencies, ListedVersion };

/** A value, or a promise of it: sources backed by memory answer at once, others later. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Where the resolver reads packages from. The CLI backs it with the registry's package documents
 * and a cache; tests and benchmarks use {@link memorySource}.
 *
 * Give `dependencies` in the listing when they are at hand (one document per package): the
 * resolver then reasons about whole ranges of versions at once ("every version of a:x@^1 depends
 * on …"), which makes both backtracking and explanations better. Otherwise it asks
 * {@link PackageSource.dependencies} for the versions it tries.
 */
export interface PackageSource {
  /** Every version of the package, with yanked flags; `undefined` when there is no such package. */
  versions(name: string): Awaitable<readonly ListedVersion[] | undefined>;
  /**
   * Dependencies of one version (package name → range). Called only for versions listed without
   * `dependencies`; needed unless every listing carries them.
   */
  dependencies?(name: string, version: Version): Awaitable<Dependencies>;
}

/**
 * Plain data for {@link memorySource}: package name → version → its dependencies, and `yanked`.
 */
export type MemoryIndex = Readonly<
  Record<
    string,
    Readonly<
      Record<
        string,
        { readonly dependencies?: Readonly<Record<string, string>>; readonly yanked?: boolean }
      >
    >
  >
>;

/**
 * A {@link PackageSource} over plain data held in memory. Names, versions and ranges are validated
 * once here (a bad one throws the `NameError` of lib/names).
 *
 * @example
 * ```ts
 * import { parseRange } from "../names/mod.ts";
 * import { memorySource, resolve } from "./mod.ts";
 * const source = memorySource({
 *   "docs:app-lib": { "1.0.0": { dependencies: { "docs:util": "^2" } } },
 *   "docs:util": { "2.0.0": {}, "2.1.0": {}, "2.2.0": { yanked: true } },
 * });
 * const r = await resolve({ requirements: { "docs:app-lib": parseRange("^1") }, source });
 * console.assert(r.packages.map((p) => `${p.name}@${p.version}`).join(" ") ===
 *   "docs:app-lib@1.0.0 docs:util@2.1.0");
 * ```
 */
export function memorySource(index: MemoryIndex): PackageSource {
  const table = new Map<string, ListedVersion[]>();
  for (const name of Object.keys(index)) {
    parsePackageName(name);
    const versions: ListedVersion[] = Object.entries(index[name]).map(([v, info]) => {
      const dependencies: Record<string, ReturnType<typeof parseRange>> = {};
      for (const [dep, range] of Object.entries(info.dependencies ?? {})) {
        parsePackageName(dep);
        dependencies[dep] = parseRange(range);
      }
      return { version: parseVersion(v), yanked: info.yanked === true, dependencies };
    });
    versions.sort((a, b) => compareVersions(a.version, b.version));
    table.set(name, versions);
  }
  return { versions: (name) => table.get(name) };
}
