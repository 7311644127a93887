/**
 * The web index's HTTP handlers: each reads what its page needs from the storage and the
 * precomputed version documents (the same reads the JSON API makes), renders it with
 * registry/web/_pages.ts, and answers HTML with the security headers. Pages are cached per
 * registry until the next publish, yank or membership change, like the API's documents.
 *
 * Nothing here decodes a component per request: pages read version documents. The one
 * exception is a diff between two versions that are not neighbours (a neighbour's report is in
 * the newer version's document): lib/compat compares the two decoded releases (the registry's
 * cache of decoded releases, by digest) and the report is kept by the pair of digests.
 */
import type { CompatReport } from "../../lib/compat/mod.ts";
import { ociFetchLines } from "../../lib/oci/mod.ts";
import {
  type Digest,
  formatPackageName,
  MAX_NAME_PART,
  type PackageName,
  tryParsePackageName,
  tryParseVersion,
  type Version,
} from "../../lib/names/mod.ts";
import { compareReleases } from "../_compat.ts";
import { type Context, Lru } from "../_context.ts";
import { RegistryError } from "../_errors.ts";
import type { Params } from "../_handlers.ts";
import { etagOf, notModified } from "../_http.ts";
import {
  type PackageDocument,
  packageDocument,
  versionRecord,
  type VersionResponse,
  versionResponse,
} from "../_reads.ts";
import { search, worldImplementations } from "../_search.ts";
import { LOG_PATH, originOf } from "../_trust.ts";
import type { Html } from "./_html.ts";
import { ICON_PATH, ICON_SVG, SECURITY_HEADERS, STYLE, STYLE_PATH } from "./_layout.ts";
import {
  type Found,
  type MirrorNote,
  type PackageView,
  renderDiff,
  renderHome,
  renderLog,
  renderNotFound,
  renderPackage,
  renderSearch,
  type SearchView,
} from "./_pages.ts";
import { similarNames } from "./_suggest.ts";
import { diffHref, packageHref, type SearchParams } from "./_urls.ts";

/** The query of a request, as the registry's handlers get it. */
export interface PageUrl {
  readonly search: string;
  readonly searchParams: URLSearchParams;
}

/** A web route's handler (the registry's handler shape). */
export type PageHandler = (
  ctx: Context,
  req: Request,
  params: Params,
  url: PageUrl,
) => Promise<Response>;

/** A rendered page kept for the next request. */
interface CachedPage {
  body: Uint8Array;
  etag: string;
  status: number;
}

/** What the web index keeps per registry. */
interface WebState {
  /** The registry generation the pages were rendered at. */
  generation: number;
  pages: Lru<string, CachedPage>;
  /** Compatibility reports of version pairs, by their digests (immutable). */
  reports: Lru<string, CompatReport>;
}

const states = new WeakMap<Context, WebState>();

function stateOf(ctx: Context): WebState {
  let s = states.get(ctx);
  if (s === undefined) {
    s = { generation: ctx.generation, pages: new Lru(512), reports: new Lru(256) };
    states.set(ctx, s);
  }
  if (s.generation !== ctx.generation) {
    s.pages.clear();
    s.generation = ctx.generation;
  }
  return s;
}

const encoder = new TextEncoder();

function pageOf(markup: Html, status = 200): CachedPage {
  const body = encoder.encode(markup.value);
  let h = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) h = Math.imul(h ^ body[i], 0x01000193);
  return { body, status, etag: etagOf(`w-${(h >>> 0).toString(16)}-${body.length.toString(16)}`) };
}

/** An HTML answer with the security headers, an entity tag and `no-cache`. */
function send(req: Request, p: CachedPage, extra: Record<string, string> = {}): Response {
  const headers: Record<string, string> = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    etag: p.etag,
    ...SECURITY_HEADERS,
    ...extra,
  };
  if (p.status === 200 && notModified(req.headers, p.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(req.method === "HEAD" ? null : p.body as Uint8Array<ArrayBuffer>, {
    status: p.status,
    headers,
  });
}

/** Serves a page from the cache, or renders, caches (unless the registry changed) and serves it. */
async function cachedPage(
  ctx: Context,
  req: Request,
  key: string,
  render: () => Promise<CachedPage>,
): Promise<Response> {
  const state = stateOf(ctx);
  const hit = state.pages.get(key);
  if (hit !== undefined) return send(req, hit);
  const generation = ctx.generation;
  const p = await render();
  if (ctx.generation === generation && p.status === 200) stateOf(ctx).pages.set(key, p);
  return send(req, p);
}

function redirect(location: string, status = 303): Response {
  return new Response(null, { status, headers: { location, ...SECURITY_HEADERS } });
}

// ---------------------------------------------------------------------------------------------
// Not found

/** Package names to compare a missing one with: the recent ones and the ones its words find. */
async function suggestionsFor(ctx: Context, wanted: string): Promise<string[]> {
  // Longer than any valid name (two parts of 64 characters): nothing to suggest or search for.
  if (wanted.length > 2 * MAX_NAME_PART + 1) return [];
  const recent = await ctx.storage.metadata.recentPackages(1000);
  const words = wanted.replace(/[^a-z0-9]+/gi, " ").trim();
  const found = words === "" ? [] : await ctx.storage.metadata.searchText({
    text: words.split(" ").pop()!,
    limit: 20,
  }).catch(() => []);
  return similarNames(wanted, [...recent.map((p) => p.name), ...found.map((p) => p.name)]);
}

/** Renders the helpful 404 page. */
export async function notFoundPage(
  ctx: Context,
  req: Request,
  message: string,
  wanted: string,
): Promise<Response> {
  const suggestions = await suggestionsFor(ctx, wanted).catch(() => []);
  const query = wanted.slice(0, 200);
  return send(req, pageOf(renderNotFound({ message, suggestions, query }), 404));
}

/**
 * The 404 page for a path no route answers (called by the app for `GET`s outside `/api/`).
 */
export async function unknownPathPage(ctx: Context, req: Request): Promise<Response> {
  const href = req.url;
  const start = href.indexOf("/", href.indexOf("//") + 2);
  let path = start < 0 ? "/" : href.slice(start).replace(/[?#].*$/, "");
  try {
    path = decodeURIComponent(path);
  } catch { /* shown as sent */ }
  const segs = path.split("/").filter((s) => s !== "");
  const wanted = segs.length >= 2 ? `${segs[0]}:${segs[1]}` : (segs[0] ?? "");
  return await notFoundPage(
    ctx,
    req,
    `There is no page at “${
      path.slice(0, 200)
    }”. Package pages are at /namespace/name, for example /docs/processor.`,
    wanted.slice(0, 200),
  );
}

/** Whether a request should get the HTML 404 page rather than the API's JSON refusal. */
export function wantsPage(req: Request): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const href = req.url;
  const start = href.indexOf("/", href.indexOf("//") + 2);
  const path = start < 0 ? "/" : href.slice(start);
  return !(path.startsWith("/api/") || path === "/api" || path.startsWith("/healthz"));
}

function nameNotValid(text: string): string {
  return `“${
    text.slice(0, 200)
  }” is not a package name: names are namespace/name, each of lowercase words of a-z and 0-9 joined by “-” (for example docs/processor).`;
}

/** Parses `/:namespace/:name[@version]`; the API's own prefix never reaches a page. */
function parsePackagePath(
  params: Params,
): { name: PackageName; version?: Version } | { error: string; wanted: string } {
  if (params.namespace === "api") {
    throw new RegistryError("not-found", `Cannot find "/api/${params.name}": no such route`);
  }
  const at = params.name.indexOf("@");
  const base = at < 0 ? params.name : params.name.slice(0, at);
  const wanted = `${params.namespace}:${base}`;
  const name = tryParsePackageName(wanted);
  if (name === undefined) return { error: nameNotValid(`${params.namespace}/${base}`), wanted };
  if (at < 0) return { name };
  const version = tryParseVersion(params.name.slice(at + 1));
  if (version === undefined) {
    return {
      error: `“${
        params.name.slice(at + 1, at + 101)
      }” is not a version: versions are semver, like 1.2.3 or 0.1.0-rc.1.`,
      wanted,
    };
  }
  return { name, version };
}

// ---------------------------------------------------------------------------------------------
// Pages

/** `GET /`: the home page. */
export const homePage: PageHandler = (ctx, req) =>
  cachedPage(ctx, req, "/", async () => {
    const [totals, recent] = await Promise.all([
      ctx.storage.metadata.totals(),
      ctx.storage.metadata.recentPackages(20),
    ]);
    return pageOf(renderHome({ totals, recent }));
  });

function searchParamsOf(url: PageUrl): SearchParams {
  const get = (k: string) => {
    const v = url.searchParams.get(k)?.trim();
    return v === undefined || v === "" ? undefined : v.slice(0, 1000);
  };
  const kind = get("kind");
  const host = get("host");
  return {
    q: get("q"),
    exports: get("exports"),
    imports: get("imports"),
    world: get("world"),
    kind: kind === "component" || kind === "wit-package" ? kind : undefined,
    host: host === "none" ? "none" : undefined,
  };
}

/** `GET /search?q=&exports=&imports=&world=&kind=&host=`: the search page. */
export const searchPage: PageHandler = (ctx, req, _params, url) =>
  cachedPage(ctx, req, `/search${url.search}`, async () => {
    const params = searchParamsOf(url);
    const view: SearchView = { params };
    let status = 200;
    if (params.q || params.exports || params.imports || params.world) {
      try {
        const answer = await search(ctx, {
          q: params.q,
          exports: params.exports,
          imports: params.imports,
          world: params.world,
          kind: params.kind as "component" | "wit-package" | undefined,
          includeYanked: false,
          hostProvides: params.host === "none" ? [] : ["wasi"],
          limit: 100,
        });
        view.results = answer.results;
        view.world = answer.world;
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        view.error = e.message;
        status = e.status;
      }
    }
    return pageOf(renderSearch(view), status);
  });

async function readPackage(ctx: Context, name: PackageName): Promise<PackageDocument | undefined> {
  try {
    return JSON.parse((await packageDocument(ctx, name)).text) as PackageDocument;
  } catch (e) {
    if (e instanceof RegistryError && e.code === "not-found") return undefined;
    throw e;
  }
}

/** Which of `names` are published here. */
async function publishedAmong(ctx: Context, names: Iterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const n of new Set(names)) {
    const name = tryParsePackageName(n);
    if (name !== undefined && await ctx.storage.metadata.getPackage(name) !== undefined) out.add(n);
  }
  return out;
}

/** The components that export an interface (`ns:pkg/name@version`), highest matching of each. */
async function exportersOf(ctx: Context, id: string): Promise<Found[]> {
  const m = /^([a-z0-9-]+):([a-z0-9-]+)\/([a-z0-9-]+)(?:@(.+))?$/.exec(id);
  if (m === null) return [];
  const version = m[4] === undefined ? undefined : tryParseVersion(m[4]);
  const rows = await ctx.storage.metadata.searchTarget({
    relation: "exports",
    namespace: m[1],
    package: m[2],
    name: m[3],
    version,
    latestPerPackage: true,
    limit: 50,
  });
  return rows.map((r) => ({ package: r.fromPackage, version: r.fromVersion }));
}

/** The components that implement a world, the host providing WASI (the world index). */
async function targetsOf(ctx: Context, id: string | null): Promise<Found[]> {
  if (id === null) return [];
  try {
    const found = await worldImplementations(ctx, id, {
      includeYanked: false,
      hostProvides: ["wasi"],
    });
    return found.implementations.map((i) => ({ package: i.package, version: i.version }));
  } catch (e) {
    if (e instanceof RegistryError) return [];
    throw e;
  }
}

async function renderPackagePage(
  ctx: Context,
  req: Request,
  name: PackageName,
  pinned: Version | undefined,
): Promise<CachedPage | Response> {
  const pkg = await readPackage(ctx, name);
  const text = formatPackageName(name);
  if (pkg === undefined) {
    return await notFoundPage(
      ctx,
      req,
      `There is no package ${text} here: nothing is published under that name.`,
      text,
    );
  }
  const shown = pinned ?? pkg.latest ?? pkg.versions[0]?.version;
  if (shown === undefined || !pkg.versions.some((v) => v.version === shown)) {
    return await notFoundPage(
      ctx,
      req,
      `${text} has no version ${pinned}. It has ${
        pkg.versions.slice(0, 10).map((v) => v.version).join(", ")
      }${pkg.versions.length > 10 ? ", …" : ""}.`,
      text,
    );
  }
  const version: VersionResponse = versionResponse(
    await versionRecord(ctx, name, shown as Version),
  );
  const implementations: Record<string, Found[]> = {};
  const targets: Record<string, Found[]> = {};
  if (version.kind === "wit-package") {
    for (const i of version.interfaces) implementations[i.name] = await exportersOf(ctx, i.id);
    for (const w of version.worlds) targets[w.name] = await targetsOf(ctx, w.id);
  }
  const dependents = (await ctx.storage.metadata.dependentsOf(name)).map((d) => ({
    package: d.package,
    version: d.version as string,
  }));
  const composed = (version as { composedFrom?: { components?: { package: string | null }[] } })
    .composedFrom?.components ?? [];
  const known = await publishedAmong(ctx, [
    ...version.dependencies.map((d) => d.package),
    ...(Array.isArray(composed)
      ? composed.flatMap((c) => (c.package === null ? [] : [c.package]))
      : []),
  ]);
  known.add(pkg.name);
  const view: PackageView = {
    pkg,
    version,
    pinned: pinned !== undefined,
    oci: ociFetchLines(
      ctx.oci.options.registry ?? new URL(req.url).host,
      ctx.oci.prefix,
      name,
      version.version as Version,
    ),
    known,
    implementations,
    targets,
    dependents,
    mirror: mirrorNote(ctx, name),
  };
  return pageOf(renderPackage(view));
}

/** Where a package of a mirrored namespace comes from (registry/_mirror.ts), else `undefined`. */
function mirrorNote(ctx: Context, name: PackageName): MirrorNote | undefined {
  const from = ctx.mirror?.upstreamOf(name.namespace);
  if (from === undefined) return undefined;
  return { from, changed: ctx.mirror!.changedTags(formatPackageName(name)) };
}

/** `GET /:namespace/:name` and `/:namespace/:name@version`: a package page. */
export const packagePage: PageHandler = async (ctx, req, params) => {
  const parsed = parsePackagePath(params);
  if ("error" in parsed) return await notFoundPage(ctx, req, parsed.error, parsed.wanted);
  const key = `/${parsed.name.namespace}/${parsed.name.name}${
    parsed.version === undefined ? "" : `@${parsed.version}`
  }`;
  let direct: Response | undefined;
  const res = await cachedPage(ctx, req, key, async () => {
    const out = await renderPackagePage(ctx, req, parsed.name, parsed.version);
    if (out instanceof Response) {
      direct = out;
      return { body: new Uint8Array(), etag: "", status: out.status };
    }
    return out;
  });
  return direct ?? res;
};

/** `GET /:namespace/:name/diff?from=&to=`: the version pickers' form lands here. */
export const diffForm: PageHandler = async (ctx, req, params, url) => {
  const parsed = parsePackagePath(params);
  if ("error" in parsed) return await notFoundPage(ctx, req, parsed.error, parsed.wanted);
  const text = formatPackageName(parsed.name);
  const from = url.searchParams.get("from") ?? "";
  const to = url.searchParams.get("to") ?? "";
  let href = diffHref(text, from, to);
  if (href === undefined) {
    const pkg = await readPackage(ctx, parsed.name);
    const [newer, older] = pkg?.versions ?? [];
    if (newer !== undefined && older !== undefined) {
      href = diffHref(text, older.version, newer.version);
    }
  }
  if (href === undefined) {
    return await notFoundPage(
      ctx,
      req,
      `Choose two versions of ${text} to compare (a diff needs two versions).`,
      text,
    );
  }
  return redirect(href);
};

async function reportBetween(
  ctx: Context,
  from: VersionResponse,
  to: VersionResponse,
): Promise<CompatReport> {
  // The newer version's document holds its report against the version just below it.
  if (to.compat !== null && to.compat.against === from.version) {
    const { against: _, ...report } = to.compat;
    return report;
  }
  const state = stateOf(ctx);
  const key = `${from.digest}>${to.digest}`;
  const hit = state.reports.get(key);
  if (hit !== undefined) return hit;
  const report = compareReleases(
    await ctx.release(from.digest as Digest),
    await ctx.release(to.digest as Digest),
  );
  state.reports.set(key, report);
  return report;
}

/** `GET /:namespace/:name/diff/:range` with `range` = `a...b`: the WIT API diff. */
export const diffPage: PageHandler = async (ctx, req, params) => {
  const parsed = parsePackagePath(params);
  if ("error" in parsed) return await notFoundPage(ctx, req, parsed.error, parsed.wanted);
  const text = formatPackageName(parsed.name);
  const [a, b, ...rest] = params.range.split("...");
  const from = tryParseVersion(a ?? "");
  const to = tryParseVersion(b ?? "");
  if (from === undefined || to === undefined || rest.length > 0) {
    return await notFoundPage(
      ctx,
      req,
      `“${
        params.range.slice(0, 200)
      }” is not a pair of versions: a diff is /namespace/name/diff/OLD...NEW, for example ${
        packageHref(text)
      }/diff/0.1.0...0.2.0.`,
      text,
    );
  }
  const key = `/${parsed.name.namespace}/${parsed.name.name}/diff/${from}...${to}`;
  let direct: Response | undefined;
  const res = await cachedPage(ctx, req, key, async () => {
    const pkg = await readPackage(ctx, parsed.name);
    const missing = [from, to].filter((v) => !pkg?.versions.some((x) => x.version === v));
    if (pkg === undefined || missing.length > 0) {
      direct = await notFoundPage(
        ctx,
        req,
        pkg === undefined
          ? `There is no package ${text} here: nothing is published under that name.`
          : `${text} has no version ${missing.join(" or ")}. It has ${
            pkg.versions.slice(0, 10).map((v) => v.version).join(", ")
          }${pkg.versions.length > 10 ? ", …" : ""}.`,
        text,
      );
      return { body: new Uint8Array(), etag: "", status: 404 };
    }
    const [fromDoc, toDoc] = [
      versionResponse(await versionRecord(ctx, parsed.name, from)),
      versionResponse(await versionRecord(ctx, parsed.name, to)),
    ];
    return pageOf(renderDiff({
      package: text,
      kind: pkg.kind,
      versions: pkg.versions.map((v) => v.version),
      from: { version: from, wit: fromDoc.wit },
      to: { version: to, wit: toDoc.wit },
      report: await reportBetween(ctx, fromDoc, toDoc),
      mirror: mirrorNote(ctx, parsed.name),
    }));
  });
  return direct ?? res;
};

/** `GET /-/:file`: the stylesheet and the icon (names carry a hash of their content). */
export const asset: PageHandler = async (ctx, req, params) => {
  const path = `/-/${params.file}`;
  const immutable = "public, max-age=31536000, immutable";
  if (path === STYLE_PATH) {
    return new Response(req.method === "HEAD" ? null : STYLE, {
      headers: {
        "content-type": "text/css; charset=utf-8",
        "cache-control": immutable,
        ...SECURITY_HEADERS,
      },
    });
  }
  if (path === ICON_PATH) {
    return new Response(req.method === "HEAD" ? null : ICON_SVG, {
      headers: { "content-type": "image/svg+xml", "cache-control": immutable, ...SECURITY_HEADERS },
    });
  }
  return await notFoundPage(ctx, req, `There is no file “${path.slice(0, 200)}”.`, "");
};

/** `GET /log`: the transparency log's page (size, latest checkpoint, how to verify). */
export const logPage: PageHandler = async (ctx, req) => {
  const checkpoint = await ctx.log.checkpoint(0, 0);
  const from = Math.max(0, checkpoint.size - 20);
  const entries = await ctx.storage.metadata.readLogEntries(from, checkpoint.size);
  const decoder = new TextDecoder();
  return send(
    req,
    pageOf(renderLog({
      url: `${originOf(ctx, req)}${LOG_PATH}`,
      verifierKey: await ctx.log.verifierKey(),
      checkpoint,
      recent: entries.map((e, i) => ({ index: from + i, entry: decoder.decode(e) })).reverse(),
    })),
  );
};
