/**
 * Search: packages by text, by an interface they export or import, by a world they implement, and
 * the implementations of an interface or a world. Candidates come from the search index (rows
 * written at publish time) over the whole semver series of the version asked, lower versions
 * included; which of them answer is decided by the types (lib/compat's subtype relation): a
 * component exporting `wasi:http/incoming-handler@0.2.0` implements `wasi:http/proxy@0.2.3` when
 * its world is a subtype of that world, as `wasm-tools component semver-check` says and wasmtime
 * links. Each answer names the export that matched. Verdicts are facts about two digests, so they
 * are cached by digest and survive publishes; answers are cached until the registry changes.
 */
import {
  compareVersions,
  formatPackageName,
  isPrerelease,
  isSemverCompatible,
  type PackageName,
  parsePackageName,
  sameSeries,
  type Version,
} from "../lib/names/mod.ts";
import { isSubtypeInterface } from "../lib/compat/mod.ts";
import { type InterfaceId, type Resolve, type WorldId, worldKeyName } from "../lib/wit/mod.ts";
import {
  type PackageDetail,
  type PackageKind,
  type PackageSummary,
  parseSearchTarget,
  type SearchRow,
  type SearchTarget,
  type TargetQuery,
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
  /**
   * For interface and world filters: the exports of `version` that answered them, with their
   * versions (`wasi:http/incoming-handler@0.2.0` for `--world wasi:http/proxy@0.2.3`).
   */
  matched?: string[];
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
  /** The exports of that version that implement the interface or the world's exports. */
  matched: string[];
}

/** The answer of the implementations of an interface. */
export interface InterfaceImplementations {
  /** The interface asked for. */
  interface: string;
  /**
   * The interface of a published WIT package the exports were checked against by their types
   * (`ns:pkg/name@version`: the version asked, else the highest of its series), or `null` when
   * none is published and versions decided (same series, not lower).
   */
  checkedAgainst: string | null;
  implementations: Implementation[];
}

const MAX_ROWS = 1000;
const MAX_VERSIONS_CHECKED = 10;
/** Most search rows one world or interface question reads (pages of {@link MAX_ROWS}). */
const MAX_CANDIDATE_ROWS = 100_000;

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
  const matched = new Map<string, Set<string>>();
  const addMatched = (found: Implementation[]) => {
    for (const i of found) {
      const set = matched.get(i.package) ?? new Set<string>();
      for (const m of i.matched) set.add(m);
      matched.set(i.package, set);
    }
  };
  if (query.exports !== undefined) {
    const found = await interfaceImplementations(ctx, query.exports, query.includeYanked);
    filters.push(new Map(found.implementations.map((i) => [i.package, i.version as Version])));
    addMatched(found.implementations);
  }
  if (query.imports !== undefined) {
    const t = parseItemTarget(query.imports, "imports");
    const rows = await ctx.storage.metadata.searchTarget({
      relation: "imports",
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
    addMatched(found.implementations);
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
    const via = matched.get(name);
    results.push({
      package: p.name,
      kind: p.kind,
      description: p.description,
      latest: p.latestVersion,
      version,
      digest: version === null
        ? null
        : detail.versions.find((v) => v.version === version)?.digest ?? null,
      ...(via === undefined ? {} : { matched: [...via].sort() }),
      updatedAt: p.updatedAt,
    });
  }
  const q: SearchResponse["query"] = {};
  for (const k of ["q", "exports", "imports", "world", "kind"] as const) {
    if (query[k] !== undefined) (q as Record<string, string>)[k] = query[k]!;
  }
  return world === undefined ? { query: q, results } : { query: q, world, results };
}

/**
 * The packages whose highest matching version exports an interface, with digests and the export
 * that matched. With a version, every export of the interface in its semver series is a
 * candidate; the types decide against the interface of the published WIT package (the version
 * asked, else the highest of the series): the export must have every function and type of it,
 * each equal (lib/compat's interface subtype). Without a published WIT package, versions decide
 * (same series, not lower). Without a version, every export of the interface answers.
 */
export async function interfaceImplementations(
  ctx: Context,
  text: string,
  includeYanked: boolean,
): Promise<InterfaceImplementations> {
  const key = `implements:${ctx.generation}:${text}:${includeYanked}`;
  const hit = ctx.responses.get(key);
  if (hit) return JSON.parse(hit.text);
  const t = parseItemTarget(text, "interface");
  const reference = t.version === null ? undefined : await referenceInterface(ctx, t);
  const rows = await allRows(ctx, {
    relation: "exports",
    namespace: t.namespace,
    package: t.package,
    name: t.name,
    version: t.version ?? undefined,
    series: true,
    includeYanked,
  });
  const implementations: Implementation[] = [];
  for (const [pkg, pkgRows] of byPackage(rows)) {
    const detail = await ctx.storage.metadata.getPackage(parsePackageName(pkg));
    if (detail === undefined) continue;
    for (const r of pkgRows.slice(0, MAX_VERSIONS_CHECKED)) {
      const v = detail.versions.find((x) => x.version === r.fromVersion);
      if (v === undefined) continue;
      const exportName = `${t.namespace}:${t.package}/${t.name}${
        r.version === null ? "" : `@${r.version}`
      }`;
      const ok = t.version === null
        ? true
        : reference === undefined
        ? r.version !== null && isSemverCompatible(t.version, r.version)
        : await exportFits(ctx, v.digest, exportName, reference);
      if (ok) {
        implementations.push({
          package: pkg,
          version: v.version,
          digest: v.digest,
          matched: [exportName],
        });
        break;
      }
    }
  }
  const out: InterfaceImplementations = {
    interface: text,
    checkedAgainst: reference?.id ?? null,
    implementations,
  };
  ctx.responses.set(key, { text: JSON.stringify(out), bytes: new Uint8Array(), etag: "" });
  return out;
}

/** An interface of a published WIT package, to check exports against. */
interface ReferenceInterface {
  /** `ns:pkg/name@version`. */
  id: string;
  release: CachedRelease & { kind: "wit-package" };
  iface: InterfaceId;
}

/**
 * The interface `t` names in the published WIT package of its namespace and package: at the
 * version asked, else the highest of its series; `undefined` when none is published.
 */
async function referenceInterface(
  ctx: Context,
  t: SearchTarget & { name: string },
): Promise<ReferenceInterface | undefined> {
  const detail = await ctx.storage.metadata.getPackage(
    parsePackageName(`${t.namespace}:${t.package}`),
  );
  if (detail === undefined || detail.package.kind !== "wit-package" || t.version === null) {
    return undefined;
  }
  const chosen = seriesChoice(detail, t.version);
  if (chosen === undefined) return undefined;
  const release = await ctx.release(chosen.digest);
  if (release.kind !== "wit-package") return undefined;
  const iface = release.resolve.packages[release.package].interfaces.get(t.name);
  if (iface === undefined) return undefined;
  return {
    id: `${t.namespace}:${t.package}/${t.name}@${chosen.version}`,
    release,
    iface,
  };
}

/**
 * The version of a WIT package a question at `wanted` reads: `wanted` itself when published,
 * else the highest release of its series (lower or higher: the types decide what answers).
 */
function seriesChoice(
  detail: PackageDetail,
  wanted: Version,
): PackageDetail["versions"][number] | undefined {
  const exact = detail.versions.find((v) => v.version === wanted);
  if (exact !== undefined) return exact;
  if (isPrerelease(wanted)) return undefined;
  return detail.versions.filter((v) =>
    !v.yanked && !isPrerelease(v.version) && sameSeries(v.version, wanted)
  ).sort((a, b) => compareVersions(b.version, a.version))[0];
}

/** Whether export `exportName` of a component has every function and type of `reference`. */
async function exportFits(
  ctx: Context,
  digest: string,
  exportName: string,
  reference: ReferenceInterface,
): Promise<boolean> {
  const key = `iface\0${digest}\0${reference.release.digest}\0${reference.id}\0${exportName}`;
  const hit = ctx.verdicts.get(key);
  if (hit !== undefined) return hit.ok;
  const component = await ctx.release(digest as CachedRelease["digest"]);
  let ok = false;
  if (component.kind === "component") {
    const w = component.resolve.worlds[component.world];
    for (const [k, item] of w.exports) {
      if (item.tag !== "interface" || worldKeyName(component.resolve, k) !== exportName) continue;
      ok = isSubtypeInterface(
        component.resolve,
        item.id,
        reference.release.resolve,
        reference.iface,
      ).ok;
    }
  }
  ctx.verdicts.set(key, { ok, matched: ok ? [exportName] : [] });
  return ok;
}

/** Rows grouped by package (in package order), each package's highest version first. */
function byPackage(rows: readonly SearchRow[]): Map<string, SearchRow[]> {
  const out = new Map<string, SearchRow[]>();
  for (const r of rows) {
    const list = out.get(r.fromPackage);
    if (list === undefined) out.set(r.fromPackage, [r]);
    else if (!list.some((x) => x.fromVersion === r.fromVersion)) list.push(r);
  }
  for (const list of out.values()) {
    list.sort((a, b) => compareVersions(b.fromVersion, a.fromVersion));
  }
  return out;
}

/**
 * Every row a query matches, page by page past the storage's limit of one query (at most
 * {@link MAX_CANDIDATE_ROWS}). A full page may end inside a package: the next page starts after
 * the last package it holds whole.
 */
async function allRows(ctx: Context, query: TargetQuery): Promise<SearchRow[]> {
  const out: SearchRow[] = [];
  let after: string | undefined;
  while (out.length < MAX_CANDIDATE_ROWS) {
    const page = await ctx.storage.metadata.searchTarget({
      ...query,
      afterPackage: after,
      limit: MAX_ROWS,
    });
    if (page.length < MAX_ROWS) {
      out.push(...page);
      break;
    }
    const last = page[page.length - 1].fromPackage;
    const whole = page.filter((r) => r.fromPackage !== last);
    // One package with a full page of rows: keep them and go on after it.
    const kept = whole.length === 0 ? page : whole;
    out.push(...kept);
    after = kept[kept.length - 1].fromPackage;
  }
  return out;
}

/**
 * The components that implement a world: for each package, its highest version (of the last
 * {@link MAX_VERSIONS_CHECKED} that export the world's first exported interface in its semver
 * series, lower versions included) whose world is a subtype of the world: it exports what the
 * world exports and imports no more than it imports, compared by the types. The world is read
 * from the WIT package version named (else the highest of its series; the latest when no version
 * is named).
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
    rows = await allRows(ctx, {
      relation: "exports",
      namespace: p.namespace,
      package: p.name,
      name: iface.name!,
      version: p.version as Version | undefined,
      series: true,
      includeYanked: options.includeYanked,
    });
  } else {
    rows = (await allRows(ctx, {
      relation: "depends-on",
      namespace: target.name.namespace,
      package: target.name.name,
      includeYanked: options.includeYanked,
    })).filter((r) => r.version === null || sameSeries(r.version, target.version));
  }
  const implementations: Implementation[] = [];
  for (const [pkg, pkgRows] of byPackage(rows)) {
    const detail: PackageDetail | undefined = await ctx.storage.metadata.getPackage(
      parsePackageName(pkg),
    );
    if (detail === undefined || detail.package.kind !== "component") continue;
    const versions = new Set(pkgRows.map((r) => r.fromVersion));
    const ordered = detail.versions.filter((v) =>
      versions.has(v.version) && (options.includeYanked || !v.yanked)
    ).sort((a, b) => compareVersions(b.version, a.version)).slice(0, MAX_VERSIONS_CHECKED);
    for (const v of ordered) {
      const verdict = await implementsCached(ctx, v.digest, target, options.hostProvides);
      if (verdict.ok) {
        implementations.push({
          package: pkg,
          version: v.version,
          digest: v.digest,
          matched: verdict.matched,
        });
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

/**
 * Whether the component with this digest implements the world (lib/compat, see
 * {@link implementsWorld}), and its exports that answer the world's exports. The verdict is a
 * fact about two digests, cached by them: it survives publishes, so a question after a publish
 * decodes and checks only components it has not seen.
 */
async function implementsCached(
  ctx: Context,
  digest: string,
  target: WorldTarget,
  hostProvides: readonly string[],
): Promise<{ ok: boolean; matched: string[] }> {
  const key = `world\0${digest}\0${target.release.digest}\0${target.worldId}\0${
    hostProvides.join(",")
  }`;
  const hit = ctx.verdicts.get(key);
  if (hit !== undefined) return hit;
  const component = await ctx.release(digest as CachedRelease["digest"]);
  let verdict = { ok: false, matched: [] as string[] };
  if (component.kind === "component") {
    const r = implementsWorld(
      component,
      { resolve: target.release.resolve, world: target.worldId },
      {
        hostProvides,
      },
    );
    if (r.compatible) {
      verdict = {
        ok: true,
        matched: matchedExports(
          component.resolve,
          component.world,
          target.release.resolve,
          target.worldId,
        ),
      };
    }
  }
  ctx.verdicts.set(key, verdict);
  return verdict;
}

/**
 * The names of a component's exports that stand for a world's exports: the same interface (at
 * whatever version of its series) or the same plain name.
 */
function matchedExports(
  cr: Resolve,
  cw: WorldId,
  wr: Resolve,
  ww: WorldId,
): string[] {
  const base = (name: string) => name.replace(/@[^@/]*$/, "");
  const wanted = new Set([...wr.worlds[ww].exports.keys()].map((k) => base(worldKeyName(wr, k))));
  return [...cr.worlds[cw].exports.keys()]
    .map((k) => worldKeyName(cr, k))
    .filter((n) => wanted.has(base(n)))
    .sort();
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
  const chosen = t.version === null
    ? detail.versions.find((v) => v.version === detail.package.latestVersion)
    : seriesChoice(detail, t.version);
  if (chosen === undefined) {
    throw new RegistryError(
      "not-found",
      `Cannot find world ${JSON.stringify(text)}: ${formatPackageName(name)} has no ${
        t.version === null ? "unyanked release" : `release in the series of ${t.version}`
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
