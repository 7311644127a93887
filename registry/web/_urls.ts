/**
 * The web index's URLs, in one place: every link to a package, a version, a diff or a search is
 * built here from validated names, so a name from a document can never become a path trick or a
 * `javascript:` link.
 */
import { tryParsePackageName, tryParseVersion } from "../../lib/names/mod.ts";
import { queryString } from "./_html.ts";

/**
 * The page of a package (`/docs/processor`) or of one of its versions (`/docs/processor@0.1.0`);
 * `undefined` when `pkg` is not a valid `namespace:name` (a version that is not semver is left
 * out).
 */
export function packageHref(pkg: string, version?: string | null): string | undefined {
  const name = tryParsePackageName(pkg);
  if (name === undefined) return undefined;
  const base = `/${name.namespace}/${name.name}`;
  if (version === undefined || version === null) return base;
  const v = tryParseVersion(version);
  return v === undefined ? base : `${base}@${encodeURIComponent(v)}`;
}

/** The WIT diff between two versions: `/docs/processor/diff/0.1.0...0.1.1`. */
export function diffHref(pkg: string, from: string, to: string): string | undefined {
  const base = packageHref(pkg);
  const a = tryParseVersion(from);
  const b = tryParseVersion(to);
  if (base === undefined || a === undefined || b === undefined) return undefined;
  return `${base}/diff/${encodeURIComponent(a)}...${encodeURIComponent(b)}`;
}

/** The download of a version's bytes (the API's content route). */
export function downloadHref(pkg: string, version: string): string | undefined {
  const name = tryParsePackageName(pkg);
  const v = tryParseVersion(version);
  if (name === undefined || v === undefined) return undefined;
  return `/api/v1/packages/${name.namespace}/${name.name}/${encodeURIComponent(v)}/content`;
}

/** A version's WIT as text (the API's wit route). */
export function witHref(pkg: string, version: string): string | undefined {
  const d = downloadHref(pkg, version);
  return d === undefined ? undefined : d.replace(/\/content$/, "/wit");
}

/** What the search page takes. */
export interface SearchParams {
  q?: string;
  exports?: string;
  imports?: string;
  world?: string;
  kind?: string;
  /** `wasi` (default) or `none`: what the host provides in a world search. */
  host?: string;
}

/** The search page with a query. */
export function searchHref(params: SearchParams): string {
  return `/search${
    queryString({
      q: params.q,
      exports: params.exports,
      imports: params.imports,
      world: params.world,
      kind: params.kind,
      host: params.host,
    })
  }`;
}
