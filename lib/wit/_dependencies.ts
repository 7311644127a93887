import { compareVersions, isLabel, type Version } from "../names/mod.ts";
import type { PackageId, Resolve } from "./model.ts";

/** A package that a package (or a component's world) depends on: one its WIT names. */
export interface PackageDependency {
  /** `namespace:name`. */
  package: string;
  /** The version the WIT names, or `null` when it names none. */
  version: string | null;
  /** The semver range that satisfies it (`^0.2.0`; `*` for an unversioned reference). */
  range: string;
}

/**
 * The packages `main` depends on: every other package of the resolve with a registry name (both
 * labels valid), by name then version. For a decoded component, `main` is its world's package and
 * the others are the packages of what it imports and exports; for a WIT package, the packages
 * its WIT refers to. The registry's version documents and the CLI's reading of OCI packages list
 * dependencies with this one function.
 */
export function packageDependencies(r: Resolve, main: PackageId): PackageDependency[] {
  const out: PackageDependency[] = [];
  r.packages.forEach((p, id) => {
    if (id === main) return;
    if (!isLabel(p.name.namespace) || !isLabel(p.name.name)) return;
    const version = p.name.version ?? null;
    out.push({
      package: `${p.name.namespace}:${p.name.name}`,
      version,
      range: version === null ? "*" : `^${version}`,
    });
  });
  return out.sort((a, b) =>
    a.package < b.package
      ? -1
      : a.package > b.package
      ? 1
      : compareVersions((a.version ?? "0.0.0") as Version, (b.version ?? "0.0.0") as Version)
  );
}

/**
 * The dependencies as the resolver reads them: package → range. When several versions of one
 * package are named, the highest wins (it satisfies the others of its series).
 */
export function dependencyRanges(deps: readonly PackageDependency[]): Record<string, string> {
  const best = new Map<string, PackageDependency>();
  for (const d of deps) {
    const seen = best.get(d.package);
    if (
      seen === undefined || seen.version === null ||
      (d.version !== null && compareVersions(d.version as Version, seen.version as Version) > 0)
    ) {
      best.set(d.package, d);
    }
  }
  return Object.fromEntries(
    [...best].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, d]) => [k, d.range]),
  );
}
