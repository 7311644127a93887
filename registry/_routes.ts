/**
 * The routing table: every method and path the registry answers, in one place. docs/api.md
 * documents each; the router matches literal segments before parameters, and a path that matches
 * with another method answers 405 with `Allow`.
 */
import { RegistryError } from "./_errors.ts";
import * as h from "./_handlers.ts";
import * as web from "./web/mod.ts";

/** Who may call a route. */
export type Access = "public" | "token" | "admin" | "owner";

/** One row of the table. */
export interface Route {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** Segments; `:name` is a parameter. */
  path: string;
  access: Access;
  handler: h.Handler;
}

/** Every route. `GET` routes answer `HEAD` too. */
export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/healthz", access: "public", handler: h.health },
  { method: "GET", path: "/api/v1", access: "public", handler: h.apiInfo },
  { method: "GET", path: "/api/v1/stats", access: "public", handler: h.stats },
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
  // The web index (registry/web): HTML pages outside /api; `/api/…` never reaches them.
  { method: "GET", path: "/", access: "public", handler: web.homePage },
  { method: "GET", path: "/search", access: "public", handler: web.searchPage },
  { method: "GET", path: "/-/:file", access: "public", handler: web.asset },
  { method: "GET", path: "/:namespace/:name", access: "public", handler: web.packagePage },
  { method: "GET", path: "/:namespace/:name/diff", access: "public", handler: web.diffForm },
  { method: "GET", path: "/:namespace/:name/diff/:range", access: "public", handler: web.diffPage },
];

interface Compiled {
  route: Route;
  /** Literal segments, or `null` where the route has a parameter. */
  literals: (string | null)[];
  names: (string | null)[];
}

/** A matched route with its decoded parameters. */
export interface Match {
  route: Route;
  params: Record<string, string>;
}

/** The router over {@link ROUTES} (or another table, for tests). */
export class Router {
  readonly #bySize = new Map<number, Compiled[]>();
  /** Matches of recent paths (the same few paths are asked again and again). */
  readonly #recent = new Map<string, Match>();

  constructor(routes: readonly Route[] = ROUTES) {
    for (const route of routes) {
      const segs = route.path.split("/").slice(1);
      const compiled: Compiled = {
        route,
        literals: segs.map((s) => (s.startsWith(":") ? null : s)),
        names: segs.map((s) => (s.startsWith(":") ? s.slice(1) : null)),
      };
      const list = this.#bySize.get(segs.length) ?? [];
      list.push(compiled);
      this.#bySize.set(segs.length, list);
    }
    // Literal segments win over parameters at the same position.
    for (const list of this.#bySize.values()) {
      list.sort((a, b) => specificity(b) - specificity(a));
    }
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
    for (const c of candidates) {
      if (!c.literals.every((l, i) => l === null || l === raw[i])) continue;
      if (c.route.method !== wanted) {
        allowed.add(c.route.method);
        if (c.route.method === "GET") allowed.add("HEAD");
        continue;
      }
      const params: Record<string, string> = {};
      for (let i = 0; i < raw.length; i++) {
        const name = c.names[i];
        if (name !== null) params[name] = decodeSegment(raw[i]);
      }
      return { route: c.route, params };
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
