/**
 * Search: packages by text, by an interface they export or import, by a world they implement, and
 * the implementations of an interface. Interface searches read the search index (rows written at
 * publish time, matched by semver). World searches check candidates from the index against the
 * world with {@link implementsWorld} (decoded releases are cached by digest; answers are cached
 * until the registry changes).
 */
import {
  compareVersions,
  formatPackageName,
  type PackageName,
  parsePackageName,
  sameSeries,
  type Version,
} from "../lib/names/mod.ts";
import type { WorldId } from "../lib/wit/mod.ts";
import {
  type PackageDetail,
  type PackageKind,
  type PackageSummary,
  parseSearchTarget,
  type SearchRelation,
  type SearchRow,
  type SearchTarget,
} from "../storage/mod.ts";
import { implementsWorld } from "./_compat.ts";
import type { CachedRelease, Context } from "./_context.ts";
import { RegistryError } from "./_errors.ts";

/** What `GET /api/v1/search` accepts. */
export interface SearchQuery {
  /** Words of the name or description. */
  q?: string;
  /** An interface the package exports (`wasi:http/incoming-handler@0.2.0`). */
  exports?: string;
  /** An interface the package imports. */
  imports?: string;
  /** A world the component implements (`docs:processor/processor@0.1.0`). */
  world?: string;
  /** Only packages of this kind. */
  kind?: PackageKind;
  /** Include yanked versions (default false). */
  includeYanked: boolean;
  /** For `world`: namespaces or packages the host provides beyond the world's imports. */
  hostProvides: string[];
  /** Most results (1 to 1000). */
  limit: number;
}

/** One package found. */
export interface SearchResult {
  /** `namespace:name`. */
  package: string;
  kind: PackageKind;
  description: string;
  /** The package's latest version (neither yanked nor a pre-release), or `null`. */
  latest: string | null;
  /** The highest version that matched the interface or world filters (else `latest`). */
  version: string | null;
  /** The digest of `version`, when there is one. */
  digest: string | null;
  updatedAt: string;
}

/** The world a world search resolved to. */
export interface ResolvedWorld {
  /** `ns:pkg/world@version`, with the version of the WIT package used. */
  id: string;
  /** The WIT package that defines it (`ns:pkg`). */
  package: string;
  /** The version of that package the world was read from. */
  version: string;
  /** The world's name. */
  name: string;
}

/** The answer of `GET /api/v1/search`. */
export interface SearchResponse {
  query: Omit<SearchQuery, "includeYanked" | "hostProvides" | "limit">;
  /** For a world search, the world the components were checked against. */
  world?: ResolvedWorld;
  results: SearchResult[];
}

/** An implementation of an interface or world (lib/package's `Implementation`). */
export interface Implementation {
  package: string;
  version: string;
  digest: string;
}

const MAX_ROWS = 1000;
const MAX_VERSIONS_CHECKED = 10;

/** Parses an interface or world name given in a query parameter. */
export function parseItemTarget(text: string, param: string): SearchTarget & { name: string } {
  const t = parseSearchTarget(text);
  if (t === undefined || t.name === null) {
    throw new RegistryError(
      "invalid-query",
      `Invalid ${param} ${
        JSON.stringify(text)
      }: expected "namespace:package/name" with an optional "@version" (for example "wasi:http/incoming-handler@0.2.0")`,
      { param, value: text },
    );
  }
  return t as SearchTarget & { name: string };
}

/** Runs a search; at least one of `q`, `exports`, `imports`, `world` must be given. */
export async function search(ctx: Context, query: SearchQuery): Promise<SearchResponse> {
  const filters: Map<string, Version>[] = [];
  let order: string[] | undefined;
  const summaries = new Map<string, PackageSummary>();
  let world: ResolvedWorld | undefined;
  if (query.q !== undefined && query.q.trim() !== "") {
    const found = await ctx.storage.metadata.searchText({
      text: query.q,
      kind: query.kind,
      includeYanked: query.includeYanked,
      limit: MAX_ROWS,
    });
    order = found.map((p) => p.name);
    for (const p of found) summaries.set(p.name, p);
  }
  for (const relation of ["exports", "imports"] as const) {
    const text = query[relation];
    if (text === undefined) continue;
    const t = parseItemTarget(text, relation);
    const rows = await ctx.storage.metadata.searchTarget({
      relation,
      namespace: t.namespace,
      package: t.package,
      name: t.name,
      version: t.version ?? undefined,
      includeYanked: query.includeYanked,
      latestPerPackage: true,
      limit: MAX_ROWS,
    });
    filters.push(new Map(rows.map((r) => [r.fromPackage, r.fromVersion])));
  }
  if (query.world !== undefined) {
    const found = await worldImplementations(ctx, query.world, query);
    world = found.world;
    filters.push(new Map(found.implementations.map((i) => [i.package, i.version as Version])));
  }
  if (order === undefined && filters.length === 0) {
    throw new RegistryError(
      "invalid-query",
      "Cannot search: give at least one of q, exports, imports or world",
    );
  }
  let names = order ?? [...filters[0].keys()].sort();
  for (const f of filters) names = names.filter((n) => f.has(n));
  const results: SearchResult[] = [];
  for (const name of names) {
    if (results.length >= query.limit) break;
    const detail = await ctx.storage.metadata.getPackage(parsePackageName(name));
    if (detail === undefined) continue;
    const p = summaries.get(name) ?? detail.package;
    if (query.kind !== undefined && p.kind !== query.kind) continue;
    const version = filters.length > 0 ? filters[0].get(name)! : p.latestVersion;
    results.push({
      package: p.name,
      kind: p.kind,
      description: p.description,
      latest: p.latestVersion,
      version,
      digest: version === null
        ? null
        : detail.versions.find((v) => v.version === version)?.digest ?? null,
      updatedAt: p.updatedAt,
    });
  }
  const q: SearchResponse["query"] = {};
  for (const k of ["q", "exports", "imports", "world", "kind"] as const) {
    if (query[k] !== undefined) (q as Record<string, string>)[k] = query[k]!;
  }
  return world === undefined ? { query: q, results } : { query: q, world, results };
}

/** The packages whose highest matching version exports an interface, with digests. */
export async function interfaceImplementations(
  ctx: Context,
  text: string,
  includeYanked: boolean,
): Promise<{ interface: string; implementations: Implementation[] }> {
  const t = parseItemTarget(text, "interface");
  const rows = await ctx.storage.metadata.searchTarget({
    relation: "exports",
    namespace: t.namespace,
    package: t.package,
    name: t.name,
    version: t.version ?? undefined,
    includeYanked,
    latestPerPackage: true,
    limit: MAX_ROWS,
  });
  const implementations: Implementation[] = [];
  for (const r of rows) {
    const v = await ctx.storage.metadata.getVersion(parsePackageName(r.fromPackage), r.fromVersion);
    if (v) {
      implementations.push({ package: r.fromPackage, version: r.fromVersion, digest: v.digest });
    }
  }
  return { interface: text, implementations };
}

/**
 * The components that implement a world: for each package, its highest version (of the last
 * {@link MAX_VERSIONS_CHECKED}) that exports what the world exports and imports no more than it
 * imports. The world is read from the WIT package version named (or the highest compatible one
 * published; the latest when no version is named).
 */
export async function worldImplementations(
  ctx: Context,
  text: string,
  options: { includeYanked: boolean; hostProvides: string[] },
): Promise<{ world: ResolvedWorld; implementations: Implementation[] }> {
  const key = `world:${ctx.generation}:${text}:${options.includeYanked}:${
    options.hostProvides.join(",")
  }`;
  const hit = ctx.responses.get(key);
  if (hit) return JSON.parse(hit.text);
  const target = await resolveWorld(ctx, text);
  const { release, worldId } = target;
  const w = release.resolve.worlds[worldId];
  // Candidates: components exporting the world's first exported interface, else components that
  // name the world's package (its types and interfaces are how a component refers to it).
  let rows: SearchRow[];
  const exported = [...w.exports.entries()].find(([k, item]) =>
    typeof k === "number" && item.tag === "interface" &&
    release.resolve.interfaces[k].package !== undefined
  );
  if (exported !== undefined) {
    const iface = release.resolve.interfaces[exported[0] as number];
    const p = release.resolve.packages[iface.package!].name;
    rows = await candidates(ctx, "exports", {
      namespace: p.namespace,
      package: p.name,
      name: iface.name!,
      version: (p.version ?? null) as Version | null,
    }, options.includeYanked);
  } else {
    rows = (await candidates(ctx, "depends-on", {
      namespace: target.name.namespace,
      package: target.name.name,
      name: null,
      version: null,
    }, options.includeYanked)).filter((r) =>
      r.version === null || sameSeries(r.version, target.version)
    );
  }
  const versionsOf = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!versionsOf.has(r.fromPackage)) versionsOf.set(r.fromPackage, new Set());
    versionsOf.get(r.fromPackage)!.add(r.fromVersion);
  }
  const implementations: Implementation[] = [];
  for (const [pkg, versions] of [...versionsOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const detail: PackageDetail | undefined = await ctx.storage.metadata.getPackage(
      parsePackageName(pkg),
    );
    if (detail === undefined || detail.package.kind !== "component") continue;
    const ordered = detail.versions.filter((v) =>
      versions.has(v.version) && (options.includeYanked || !v.yanked)
    ).sort((a, b) => compareVersions(b.version, a.version)).slice(0, MAX_VERSIONS_CHECKED);
    for (const v of ordered) {
      const component = await ctx.release(v.digest);
      if (component.kind !== "component") continue;
      const verdict = implementsWorld(component, { resolve: release.resolve, world: worldId }, {
        hostProvides: options.hostProvides,
      });
      if (verdict.compatible) {
        implementations.push({ package: pkg, version: v.version, digest: v.digest });
        break;
      }
    }
  }
  const out = {
    world: {
      id: `${formatPackageName(target.name)}/${w.name}@${target.version}`,
      package: formatPackageName(target.name),
      version: target.version,
      name: w.name,
    },
    implementations,
  };
  ctx.responses.set(key, { text: JSON.stringify(out), bytes: new Uint8Array(), etag: "" });
  return out;
}

async function candidates(
  ctx: Context,
  relation: SearchRelation,
  t: SearchTarget,
  includeYanked: boolean,
): Promise<SearchRow[]> {
  return await ctx.storage.metadata.searchTarget({
    relation,
    namespace: t.namespace,
    package: t.package,
    name: t.name ?? undefined,
    version: t.version ?? undefined,
    includeYanked,
    limit: MAX_ROWS,
  });
}

interface WorldTarget {
  name: PackageName;
  version: Version;
  release: CachedRelease;
  worldId: WorldId;
}

async function resolveWorld(ctx: Context, text: string): Promise<WorldTarget> {
  const t = parseItemTarget(text, "world");
  const name = parsePackageName(`${t.namespace}:${t.package}`);
  const detail = await ctx.storage.metadata.getPackage(name);
  if (detail === undefined) {
    throw new RegistryError(
      "not-found",
      `Cannot find world ${JSON.stringify(text)}: no WIT package ${
        formatPackageName(name)
      } is published here`,
      { world: text },
    );
  }
  if (detail.package.kind !== "wit-package") {
    throw new RegistryError(
      "invalid-query",
      `Cannot search by world ${JSON.stringify(text)}: ${
        formatPackageName(name)
      } is a component, not a WIT package`,
      { world: text },
    );
  }
  let chosen = t.version === null
    ? detail.versions.find((v) => v.version === detail.package.latestVersion)
    : detail.versions.find((v) => v.version === t.version);
  if (chosen === undefined && t.version !== null) {
    const wanted = t.version;
    chosen = detail.versions.filter((v) =>
      !v.yanked && sameSeries(v.version, wanted) && compareVersions(v.version, wanted) >= 0
    ).sort((a, b) =>
      compareVersions(b.version, a.version)
    )[0];
  }
  if (chosen === undefined) {
    throw new RegistryError(
      "not-found",
      `Cannot find world ${JSON.stringify(text)}: ${formatPackageName(name)} has no ${
        t.version === null ? "unyanked release" : `version compatible with ${t.version}`
      }`,
      { world: text },
    );
  }
  const release = await ctx.release(chosen.digest);
  if (release.kind !== "wit-package") throw new Error(`${chosen.digest} is not a WIT package`);
  const worldId = release.resolve.packages[release.package].worlds.get(t.name);
  if (worldId === undefined) {
    const names = [...release.resolve.packages[release.package].worlds.keys()];
    throw new RegistryError(
      "not-found",
      `Cannot find world ${JSON.stringify(text)}: ${formatPackageName(name)}@${chosen.version} ${
        names.length === 0 ? "defines no worlds" : `has worlds ${names.join(", ")}`
      }`,
      { world: text, worlds: names },
    );
  }
  return { name, version: chosen.version, release, worldId };
}
