/**
 * The resolver's view of the registries: a lib/package `PackageSource` backed by the package index
 * documents (`GET /api/v1/packages/:ns/:name/index`), each fetched once per run.
 *
 * Dependencies on packages of the host's namespaces (`wasi`) are kept only when the registry
 * publishes that package: a component that imports `wasi:cli` names it as a dependency, but the
 * host provides it, and a registry need not hold WASI's WIT for the component to be usable.
 */
import type { IndexEntry, PackageIndexDoc } from "./_client.ts";
import type { Registries } from "./_registries.ts";
import {
  compareVersions,
  isPrerelease,
  parseRange,
  tryParseVersion,
  type Version,
  type VersionRange,
} from "../lib/names/mod.ts";
import type { ListedVersion, PackageSource } from "../lib/package/mod.ts";

/** Namespaces whose packages the host provides when no registry has them. */
export const HOST_NAMESPACES: ReadonlySet<string> = new Set(["wasi"]);

function namespaceOf(name: string): string {
  return name.slice(0, name.indexOf(":"));
}

/** A `PackageSource` over registry index documents. */
export class RegistrySource implements PackageSource {
  readonly #indexes = new Map<string, Promise<PackageIndexDoc | undefined>>();

  constructor(readonly registries: Registries) {}

  /** The index document of a package (fetched once), or `undefined` when not published. */
  index(name: string): Promise<PackageIndexDoc | undefined> {
    let p = this.#indexes.get(name);
    if (p === undefined) {
      p = this.registries.forPackage(name).packageIndex(name);
      p.catch(() => {}); // a prefetch nobody awaits must not be an unhandled rejection
      this.#indexes.set(name, p);
    }
    return p;
  }

  /** Starts fetching indexes that will likely be asked for (the resolver asks one at a time). */
  prefetch(names: Iterable<string>): void {
    for (const n of names) {
      try {
        this.index(n);
      } catch {
        // No registry for it: the resolver's own request will say so.
      }
    }
  }

  async versions(name: string): Promise<readonly ListedVersion[] | undefined> {
    const doc = await this.index(name);
    if (doc === undefined) return undefined;
    // The dependencies of the newest versions are what the resolver will ask about next.
    this.prefetch(doc.versions.slice(0, 3).flatMap((e) => Object.keys(e.dependencies ?? {})));
    const out: ListedVersion[] = [];
    for (const e of doc.versions) {
      const version = tryParseVersion(e.version);
      if (version === undefined) continue;
      const dependencies: Record<string, VersionRange> = {};
      for (const [dep, range] of Object.entries(e.dependencies ?? {})) {
        if (dep === name) continue;
        if (HOST_NAMESPACES.has(namespaceOf(dep)) && (await this.index(dep)) === undefined) {
          continue;
        }
        dependencies[dep] = parseRange(range);
      }
      out.push({ version, yanked: e.yanked, dependencies });
    }
    return out.sort((a, b) => compareVersions(a.version, b.version));
  }

  /** The index entry of one version (after {@link versions} listed it). */
  async entry(name: string, version: string): Promise<IndexEntry | undefined> {
    const doc = await this.index(name);
    return doc?.versions.find((v) => v.version === version);
  }
}

/** The version `wreg add ns:name` pins with a caret: the highest neither yanked nor pre-release. */
export function latestVersion(doc: PackageIndexDoc): Version | undefined {
  let best: Version | undefined;
  for (const e of doc.versions) {
    const v = tryParseVersion(e.version);
    if (v === undefined || e.yanked || isPrerelease(v)) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}
