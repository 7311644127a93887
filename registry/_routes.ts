/**
 * The routing table: every method and path the registry answers, in one place. docs/api.md
 * documents each; the router matches literal segments before parameters, and a path that matches
 * with another method answers 405 with `Allow`. The OCI distribution protocol's routes (`/v2`,
 * registry/oci) are here too: their repository name may span several segments (`:name+`).
 */
import { RegistryError } from "./_errors.ts";
import { json } from "./_http.ts";
import { openApiDocument } from "./_openapi.ts";
import * as h from "./_handlers.ts";
import * as web from "./web/mod.ts";
import * as trust from "./_trust.ts";
import { ping, token } from "./oci/_auth.ts";
import { deleteBlob, getBlob as ociGetBlob } from "./oci/_blobs.ts";
import { wellKnown } from "./oci/_discovery.ts";
import {
  catalog,
  deleteManifest,
  getManifest,
  listReferrers,
  listTags,
  putManifest,
} from "./oci/_manifests.ts";
import {
  cancelUpload,
  finishUpload,
  patchUpload,
  startUpload,
  uploadStatus,
} from "./oci/_uploads.ts";

/** Who may call a route (`pusher`: a token that may publish to the repository's namespace). */
export type Access = "public" | "token" | "admin" | "owner" | "pusher";

/** One row of the table. */
export interface Route {
  method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE";
  /**
   * Segments; `:name` is a parameter, `:name+` (at most one per route) one or more segments
   * joined by "/". A trailing "/" is ignored, as in requests.
   */
  path: string;
  access: Access;
  handler: h.Handler;
  /** `oci`: refusals use the OCI protocol's error envelope (registry/oci/_errors.ts). */
  surface?: "oci";
}

/** Whether a path belongs to the OCI protocol's surface (its refusals use the OCI envelope). */
export function isOciPath(pathname: string): boolean {
  return pathname === "/v2" || pathname.startsWith("/v2/");
}

/** Every route. `GET` routes answer `HEAD` too. */
export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/healthz", access: "public", handler: h.health },
  { method: "GET", path: "/readyz", access: "public", handler: h.ready },
  { method: "GET", path: "/api/v1", access: "public", handler: h.apiInfo },
  { method: "GET", path: "/api/v1/openapi.json", access: "public", handler: openApi },
  { method: "GET", path: "/api/v1/stats", access: "public", handler: h.stats },
  { method: "GET", path: "/api/v1/mirror", access: "public", handler: h.mirrorStatus },
  { method: "GET", path: "/api/v1/search", access: "public", handler: h.searchPackages },
  { method: "GET", path: "/api/v1/implementations", access: "public", handler: h.implementations },
  { method: "GET", path: "/api/v1/blobs/:digest", access: "public", handler: h.getBlob },
  { method: "GET", path: "/api/v1/packages", access: "public", handler: h.recentPackages },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name",
    access: "public",
    handler: h.getPackage,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/index",
    access: "public",
    handler: h.getIndex,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/dependents",
    access: "public",
    handler: h.getDependents,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/:version",
    access: "public",
    handler: h.getVersion,
  },
  {
    method: "PUT",
    path: "/api/v1/packages/:namespace/:name/:version",
    access: "token",
    handler: h.publish,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/:version/wit",
    access: "public",
    handler: h.getVersionWit,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/:version/content",
    access: "public",
    handler: h.getVersionContent,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/:version/log-proof",
    access: "public",
    handler: trust.logProof,
  },
  {
    method: "GET",
    path: "/api/v1/packages/:namespace/:name/:version/signature",
    access: "public",
    handler: trust.releaseSignature,
  },
  {
    method: "PUT",
    path: "/api/v1/packages/:namespace/:name/:version/yank",
    access: "token",
    handler: h.yank,
  },
  {
    method: "DELETE",
    path: "/api/v1/packages/:namespace/:name/:version/yank",
    access: "token",
    handler: h.unyank,
  },
  { method: "POST", path: "/api/v1/tokens", access: "admin", handler: h.createToken },
  { method: "GET", path: "/api/v1/tokens", access: "admin", handler: h.listTokens },
  { method: "DELETE", path: "/api/v1/tokens/:id", access: "admin", handler: h.revokeToken },
  { method: "GET", path: "/api/v1/whoami", access: "token", handler: h.whoami },
  {
    method: "GET",
    path: "/api/v1/namespaces/:namespace",
    access: "public",
    handler: h.getNamespace,
  },
  {
    method: "PUT",
    path: "/api/v1/namespaces/:namespace",
    access: "admin",
    handler: h.putNamespace,
  },
  {
    method: "PUT",
    path: "/api/v1/namespaces/:namespace/members/:user",
    access: "owner",
    handler: h.putMember,
  },
  {
    method: "DELETE",
    path: "/api/v1/namespaces/:namespace/members/:user",
    access: "owner",
    handler: h.deleteMember,
  },
  {
    method: "GET",
    path: "/api/v1/namespaces/:namespace/keys",
    access: "public",
    handler: trust.listKeys,
  },
  {
    method: "POST",
    path: "/api/v1/namespaces/:namespace/keys",
    access: "owner",
    handler: trust.addKey,
  },
  {
    method: "DELETE",
    path: "/api/v1/namespaces/:namespace/keys/:key",
    access: "owner",
    handler: trust.revokeKey,
  },
  {
    method: "PUT",
    path: "/api/v1/namespaces/:namespace/policy",
    access: "owner",
    handler: trust.putPolicy,
  },
  // The transparency log (c2sp.org/tlog-tiles) and the discovery document naming its key.
  { method: "GET", path: "/.well-known/wreg.json", access: "public", handler: trust.wellKnownWreg },
  { method: "GET", path: "/log", access: "public", handler: web.logPage },
  { method: "GET", path: "/log/checkpoint", access: "public", handler: trust.logCheckpoint },
  { method: "GET", path: "/log/tile/:path+", access: "public", handler: trust.logTile },
  // The OCI distribution protocol (registry/oci): wkg, oras, skopeo; errors in the OCI envelope.
  {
    method: "GET",
    path: "/.well-known/wasm-pkg/registry.json",
    access: "public",
    handler: wellKnown,
  },
  { method: "GET", path: "/v2/", access: "public", handler: ping, surface: "oci" },
  { method: "GET", path: "/v2/token", access: "public", handler: token, surface: "oci" },
  { method: "GET", path: "/v2/_catalog", access: "public", handler: catalog, surface: "oci" },
  {
    method: "GET",
    path: "/v2/:name+/manifests/:reference",
    access: "public",
    handler: getManifest,
    surface: "oci",
  },
  {
    method: "PUT",
    path: "/v2/:name+/manifests/:reference",
    access: "pusher",
    handler: putManifest,
    surface: "oci",
  },
  {
    method: "DELETE",
    path: "/v2/:name+/manifests/:reference",
    access: "pusher",
    handler: deleteManifest,
    surface: "oci",
  },
  {
    method: "GET",
    path: "/v2/:name+/blobs/:digest",
    access: "public",
    handler: ociGetBlob,
    surface: "oci",
  },
  {
    method: "DELETE",
    path: "/v2/:name+/blobs/:digest",
    access: "pusher",
    handler: deleteBlob,
    surface: "oci",
  },
  {
    method: "POST",
    path: "/v2/:name+/blobs/uploads/",
    access: "pusher",
    handler: startUpload,
    surface: "oci",
  },
  {
    method: "GET",
    path: "/v2/:name+/blobs/uploads/:id",
    access: "pusher",
    handler: uploadStatus,
    surface: "oci",
  },
  {
    method: "PATCH",
    path: "/v2/:name+/blobs/uploads/:id",
    access: "pusher",
    handler: patchUpload,
    surface: "oci",
  },
  {
    method: "PUT",
    path: "/v2/:name+/blobs/uploads/:id",
    access: "pusher",
    handler: finishUpload,
    surface: "oci",
  },
  {
    method: "DELETE",
    path: "/v2/:name+/blobs/uploads/:id",
    access: "pusher",
    handler: cancelUpload,
    surface: "oci",
  },
  {
    method: "GET",
    path: "/v2/:name+/tags/list",
    access: "public",
    handler: listTags,
    surface: "oci",
  },
  {
    method: "GET",
    path: "/v2/:name+/referrers/:digest",
    access: "public",
    handler: listReferrers,
    surface: "oci",
  },
  // The web index (registry/web): HTML pages outside /api; `/api/…` never reaches them.
  { method: "GET", path: "/", access: "public", handler: web.homePage },
  { method: "GET", path: "/search", access: "public", handler: web.searchPage },
  { method: "GET", path: "/-/:file", access: "public", handler: web.asset },
  { method: "GET", path: "/:namespace/:name", access: "public", handler: web.packagePage },
  { method: "GET", path: "/:namespace/:name/diff", access: "public", handler: web.diffForm },
  { method: "GET", path: "/:namespace/:name/diff/:range", access: "public", handler: web.diffPage },
];

let openApiText: string | undefined;

/** `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of `/api/v1` (registry/_openapi.ts). */
function openApi(): Response {
  openApiText ??= JSON.stringify(openApiDocument(ROUTES));
  return json(openApiText);
}

interface Compiled {
  route: Route;
  /** Literal segments, or `null` where the route has a parameter. */
  literals: (string | null)[];
  names: (string | null)[];
}

/** A route with one `:name+` parameter: fixed segments before it and after it. */
interface CompiledRest {
  route: Route;
  before: Compiled;
  rest: string;
  after: Compiled;
}

function compileSegments(route: Route, segs: string[]): Compiled {
  return {
    route,
    literals: segs.map((s) => (s.startsWith(":") ? null : s)),
    names: segs.map((s) => (s.startsWith(":") ? s.slice(1) : null)),
  };
}

/** A matched route with its decoded parameters. */
export interface Match {
  route: Route;
  params: Record<string, string>;
}

/** The router over {@link ROUTES} (or another table, for tests). */
export class Router {
  readonly #bySize = new Map<number, Compiled[]>();
  readonly #rest: CompiledRest[] = [];
  /** Matches of recent paths (the same few paths are asked again and again). */
  readonly #recent = new Map<string, Match>();

  constructor(routes: readonly Route[] = ROUTES) {
    for (const route of routes) {
      const path = route.path.length > 1 && route.path.endsWith("/")
        ? route.path.slice(0, -1)
        : route.path;
      const segs = path.split("/").slice(1);
      const restAt = segs.findIndex((s) => s.startsWith(":") && s.endsWith("+"));
      if (restAt >= 0) {
        this.#rest.push({
          route,
          before: compileSegments(route, segs.slice(0, restAt)),
          rest: segs[restAt].slice(1, -1),
          after: compileSegments(route, segs.slice(restAt + 1)),
        });
        continue;
      }
      const compiled = compileSegments(route, segs);
      const list = this.#bySize.get(segs.length) ?? [];
      list.push(compiled);
      this.#bySize.set(segs.length, list);
    }
    // Literal segments win over parameters at the same position.
    for (const list of this.#bySize.values()) {
      list.sort((a, b) => specificity(b) - specificity(a));
    }
    // Among routes with a `:name+`, more literal segments after it win.
    this.#rest.sort((a, b) =>
      a.after.literals.filter((l) => l !== null).length -
      b.after.literals.filter((l) => l !== null).length
    ).reverse();
  }

  /**
   * The route for a method and path. Throws `not-found` (no route has the path), `method-not-allowed`
   * (with `Allow`), or `invalid-path` (a parameter that does not percent-decode).
   */
  match(method: string, pathname: string): Match {
    const key = `${method} ${pathname}`;
    const seen = this.#recent.get(key);
    if (seen !== undefined) return seen;
    const found = this.#match(method, pathname);
    if (this.#recent.size >= 4096) this.#recent.clear();
    this.#recent.set(key, found);
    return found;
  }

  #match(method: string, pathname: string): Match {
    const raw = pathname.length > 1 && pathname.endsWith("/")
      ? pathname.slice(1, -1).split("/")
      : pathname.slice(1).split("/");
    const candidates = this.#bySize.get(raw.length) ?? [];
    const allowed = new Set<string>();
    const wanted = method === "HEAD" ? "GET" : method;
    // The specificity of the most specific route the path matches with another method: a path
    // that a literal segment names (`…/index`) is that route's, and another method on it is 405,
    // not a match of a parameter route (`PUT …/{version}` with the version "index").
    let claimed = -1;
    for (const c of candidates) {
      if (!c.literals.every((l, i) => l === null || l === raw[i])) continue;
      const rank = specificity(c);
      if (rank < claimed) break;
      if (c.route.method !== wanted) {
        allowed.add(c.route.method);
        if (c.route.method === "GET") allowed.add("HEAD");
        claimed = rank;
        continue;
      }
      const params: Record<string, string> = {};
      for (let i = 0; i < raw.length; i++) {
        const name = c.names[i];
        if (name !== null) params[name] = decodeSegment(raw[i]);
      }
      return { route: c.route, params };
    }
    if (allowed.size === 0) {
      for (const c of this.#rest) {
        const nb = c.before.literals.length;
        const na = c.after.literals.length;
        if (raw.length < nb + 1 + na) continue;
        const tail = raw.length - na;
        if (!c.before.literals.every((l, i) => l === null || l === raw[i])) continue;
        if (!c.after.literals.every((l, i) => l === null || l === raw[tail + i])) continue;
        if (c.route.method !== wanted) {
          allowed.add(c.route.method);
          if (c.route.method === "GET") allowed.add("HEAD");
          continue;
        }
        const params: Record<string, string> = {};
        for (let i = 0; i < nb; i++) {
          const name = c.before.names[i];
          if (name !== null) params[name] = decodeSegment(raw[i]);
        }
        params[c.rest] = raw.slice(nb, tail).map(decodeSegment).join("/");
        for (let i = 0; i < na; i++) {
          const name = c.after.names[i];
          if (name !== null) params[name] = decodeSegment(raw[tail + i]);
        }
        return { route: c.route, params };
      }
    }
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(", ");
      throw new RegistryError(
        "method-not-allowed",
        `Cannot ${method} ${pathname}: it answers ${allow}`,
        { allow: [...allowed].sort() },
        { allow },
      );
    }
    throw new RegistryError("not-found", `Cannot find ${JSON.stringify(pathname)}: no such route`);
  }
}

function specificity(c: Compiled): number {
  return c.literals.reduce((n, l, i) => n + (l === null ? 0 : 2 ** (16 - i)), 0);
}

function decodeSegment(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RegistryError(
      "invalid-path",
      `Invalid path segment ${JSON.stringify(s)}: it is not valid percent-encoding`,
    );
  }
}
