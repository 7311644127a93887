/**
 * The registry as a fetch handler: route, run the handler, render refusals as `{code, message,
 * details?}` and server faults as a generic 500 that is logged with a request id.
 */
import { formatPackageName, type PackageName, type Version } from "../lib/names/mod.ts";
import { digestOf } from "../lib/names/mod.ts";
import type { VersionRecord } from "../storage/mod.ts";
import { type AppOptions, Context } from "./_context.ts";
import { errorBody, internalErrorBody, RegistryError, toRegistryError } from "./_errors.ts";
import { json } from "./_http.ts";
import type { ServeInfo } from "./_http_server.ts";
import { clientKey } from "./_throttle.ts";
import type { RequestUrl } from "./_handlers.ts";
import { publishVersion } from "./_publish.ts";
import { Mirror } from "./_mirror.ts";
import { packageOfRepository } from "../lib/oci/mod.ts";
import { tryParsePackageName } from "../lib/names/mod.ts";
import { isOciPath, Router } from "./_routes.ts";
import { challengeFor } from "./oci/_auth.ts";
import { ociErrorResponse, ociInternalError } from "./oci/_errors.ts";
import { sweepOci, type SweepReport } from "./oci/_uploads.ts";
import { unknownPathPage, wantsPage } from "./web/mod.ts";

/** A registry: its fetch handler, and the publish pipeline for callers inside the process. */
export interface Registry {
  /**
   * Answers one HTTP request (`info`: the client's address, when served over TCP). Never throws.
   * Cached documents are answered synchronously (a `Response`, not a promise).
   */
  handle(req: Request, info?: ServeInfo): Response | Promise<Response>;
  /**
   * Publishes bytes as `publisher` through the same pipeline as `PUT` (seeding uses it). Throws
   * the refusal (`RegistryError`) when the pipeline refuses.
   */
  publish(input: {
    name: PackageName;
    version: Version;
    bytes: Uint8Array;
    publisher: string;
  }): Promise<VersionRecord>;
  /**
   * Removes lapsed OCI upload sessions and uploaded blobs no manifest took (registry/oci); the
   * server runs it periodically, uploads run it when it is due.
   */
  sweepOci(): Promise<SweepReport>;
  /**
   * Starts draining before a shutdown: requests in flight go on, new writes (anything but `GET`
   * and `HEAD`) are refused with `503 unavailable` and `Retry-After`.
   */
  drain(): void;
  /** Stops the decoder threads (the storage stays open: it is the caller's). */
  close(): void;
  /**
   * Integrates the log's pending entries and signs a checkpoint (registry/_log.ts); fails when
   * the latest checkpoint was signed by another key.
   */
  integrateLog(): Promise<void>;
}

/**
 * Makes a registry over a storage. The storage stays the caller's to close.
 *
 * @example
 * ```ts
 * import { createRegistry } from "./mod.ts";
 * import { openMemoryStorage } from "../storage/mod.ts";
 * const registry = createRegistry({ storage: openMemoryStorage() });
 * const res = await registry.handle(new Request("http://localhost/api/v1/packages/docs/nothing"));
 * console.assert(res.status === 404 && (await res.json()).code === "not-found");
 * ```
 */
export function createRegistry(options: AppOptions): Registry {
  const ctx = new Context(options);
  if (options.mirror !== undefined && options.mirror.upstreams.length > 0) {
    ctx.mirror = new Mirror(ctx, options.mirror);
  }
  const router = new Router();
  return {
    handle(req: Request, info?: ServeInfo): Response | Promise<Response> {
      if (info !== undefined) ctx.clients.set(req, clientKey(info.remoteAddr.hostname));
      let oci = false;
      const fail = (e: unknown): Response | Promise<Response> => {
        if (oci) return ociFailure(ctx, req, e);
        const refusal = toRegistryError(e);
        if (refusal !== undefined) {
          // A browser asking for a page that does not exist gets the web index's 404 page.
          if (
            (refusal.code === "not-found" || refusal.code === "invalid-path") && wantsPage(req)
          ) return unknownPathPage(ctx, req);
          return json(errorBody(refusal), refusal.status, refusal.headers);
        }
        const id = crypto.randomUUID();
        try {
          ctx.onServerError(e, req, id);
        } catch { /* logging must not fail the answer */ }
        return json(internalErrorBody(id), 500, { "x-request-id": id });
      };
      // Set once the route is known to be a read of the public API: the answer (a refusal too)
      // carries the CORS headers, so browser tools on other origins can read it.
      let cors = false;
      const done = (answer: Response | Promise<Response>): Response | Promise<Response> =>
        cors ? (answer instanceof Response ? withCors(answer) : answer.then(withCors)) : answer;
      try {
        const { pathname, url } = splitUrl(req.url);
        oci = isOciPath(pathname);
        if (req.method === "OPTIONS" && pathname.startsWith(API_PREFIX)) {
          const preflight = corsPreflight(router, req, pathname);
          if (preflight !== undefined) return preflight;
        }
        const dispatch = () => {
          const { route, params } = router.match(req.method, pathname);
          cors = route.access === "public" && route.method === "GET" &&
            pathname.startsWith(API_PREFIX);
          if (ctx.draining && route.method !== "GET") throw draining(req.method, pathname);
          return done(route.handler(ctx, req, params, url));
        };
        // A read of a mirrored namespace first brings it up to date with its upstream.
        const mirrored = ctx.mirror === undefined || (req.method !== "GET" && req.method !== "HEAD")
          ? undefined
          : mirrorTarget(ctx.mirror, pathname, ctx.oci.prefix);
        if (mirrored !== undefined) {
          const synced = mirrored === "all"
            ? ctx.mirror!.ensureAll()
            : ctx.mirror!.ensure(mirrored);
          return synced.then(dispatch).catch((e) => done(fail(e)));
        }
        const answer = dispatch();
        return answer instanceof Response ? answer : answer.catch((e) => done(fail(e)));
      } catch (e) {
        return done(fail(e));
      }
    },
    drain() {
      ctx.draining = true;
    },
    close() {
      ctx.close();
    },
    sweepOci() {
      return sweepOci(ctx);
    },
    async integrateLog() {
      await ctx.log.integrate();
    },
    async publish({ name, version, bytes, publisher }) {
      return await publishVersion(ctx, {
        name,
        version,
        body: bytes,
        digest: await digestOf(bytes),
        authorize(ns) {
          if (ns !== undefined && !ns.members.some((m) => m.user === publisher)) {
            throw new Error(
              `Cannot publish ${formatPackageName(name)}@${version} as ${
                JSON.stringify(publisher)
              }: the namespace belongs to others`,
            );
          }
          return publisher;
        },
      });
    },
  };
}

/**
 * Which mirrored package a read is about (`all` for searches, which cover every mirrored package
 * the upstreams' catalogs list), or `undefined` when it is about none.
 */
function mirrorTarget(
  mirror: Mirror,
  pathname: string,
  ociPrefix: string,
): PackageName | "all" | undefined {
  const segs = pathname.split("/").filter((s) => s !== "");
  const mirrored = (ns: string | undefined, name: string | undefined) => {
    if (ns === undefined || name === undefined || mirror.upstreamOf(ns) === undefined) {
      return undefined;
    }
    return tryParsePackageName(`${ns}:${name.split("@")[0]}`);
  };
  if (segs[0] === "api" && segs[1] === "v1") {
    if (segs[2] === "search" || segs[2] === "implementations") return "all";
    if (segs[2] === "packages" && segs.length >= 5) return mirrored(segs[3], segs[4]);
    return undefined;
  }
  if (segs[0] === "v2") {
    const at = segs.findIndex((s, i) =>
      i > 1 && (s === "manifests" || s === "blobs" || s === "tags" || s === "referrers")
    );
    if (at < 0) return undefined;
    const name = packageOfRepository(segs.slice(1, at).join("/"), ociPrefix);
    return name === undefined ? undefined : mirrored(name.namespace, name.name);
  }
  if (segs[0] === "search") return "all";
  if (segs.length >= 2 && segs[0] !== "-" && segs[0] !== ".well-known") {
    return mirrored(segs[0], segs[1]);
  }
  return undefined;
}

/** The public API's paths: its reads may be made from any origin (CORS). */
const API_PREFIX = "/api/v1";

/**
 * What a browser may read of a cross-origin answer besides the safelisted headers: the entity
 * tag to revalidate with, ranges, and what a refusal carries.
 */
const CORS_READ_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "ETag, Content-Length, Content-Range, Accept-Ranges, Retry-After, X-Request-Id",
} as const;

/** Adds the CORS headers of a public read to an answer (they vary with nothing). */
function withCors(res: Response): Response {
  try {
    for (const [k, v] of Object.entries(CORS_READ_HEADERS)) res.headers.set(k, v);
    return res;
  } catch {
    // Immutable headers (a redirect): answer a copy.
    const headers = new Headers(res.headers);
    for (const [k, v] of Object.entries(CORS_READ_HEADERS)) headers.set(k, v);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}

/**
 * The answer to a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
 * for a read of the public API: `204` allowing `GET` and `HEAD` with the conditional and range
 * headers, from any origin, without credentials. `undefined` for anything else (the preflight of
 * a write, of the token routes, or a plain `OPTIONS`), which then gets the usual `405`, without
 * CORS headers, so a browser refuses to send it.
 */
function corsPreflight(router: Router, req: Request, pathname: string): Response | undefined {
  const wanted = req.headers.get("access-control-request-method");
  if (wanted !== "GET" && wanted !== "HEAD") return undefined;
  let route;
  try {
    route = router.match("GET", pathname).route;
  } catch {
    return undefined;
  }
  if (route.access !== "public") return undefined;
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, HEAD",
      "access-control-allow-headers": "If-None-Match, If-Range, Range",
      "access-control-max-age": "86400",
      vary: "Access-Control-Request-Method, Access-Control-Request-Headers",
    },
  });
}

/** Seconds a client is asked to wait before retrying a write refused while draining. */
const DRAIN_RETRY_AFTER = 5;

function draining(method: string, pathname: string): RegistryError {
  return new RegistryError(
    "unavailable",
    `Cannot ${method} ${pathname.slice(0, 200)}: the registry is shutting down`,
    { retryAfter: DRAIN_RETRY_AFTER },
    { "retry-after": String(DRAIN_RETRY_AFTER) },
  );
}

/** A refusal or fault on `/v2`, in the OCI protocol's error envelope. */
function ociFailure(ctx: Context, req: Request, e: unknown): Response {
  const answer = ociErrorResponse(e, () => challengeFor(ctx, req));
  if (answer !== undefined) {
    // A refused upload is not read further.
    if (req.body !== null && !req.bodyUsed) req.body.cancel().catch(() => {});
    return answer;
  }
  const id = crypto.randomUUID();
  try {
    ctx.onServerError(e, req, id);
  } catch { /* logging must not fail the answer */ }
  return ociInternalError(id);
}

/**
 * The query of a request, parsed only when a handler asks for it (most requests have none).
 */
class LazyUrl implements RequestUrl {
  #params: URLSearchParams | undefined;
  constructor(readonly search: string) {}
  get searchParams(): URLSearchParams {
    return this.#params ??= new URLSearchParams(this.search);
  }
}

const NO_QUERY = new LazyUrl("");

/**
 * The path and the query of a request's URL, without building a `URL` for every request: the
 * string is already serialized by the `Request`, so its path starts at the first "/" after the
 * authority.
 */
function splitUrl(href: string): { pathname: string; url: RequestUrl } {
  const start = href.indexOf("/", href.indexOf("//") + 2);
  if (start < 0) return { pathname: "/", url: NO_QUERY };
  const q = href.indexOf("?", start);
  const hash = href.indexOf("#", start);
  if (q < 0) return { pathname: href.slice(start, hash < 0 ? href.length : hash), url: NO_QUERY };
  const search = href.slice(q, hash > q ? hash : href.length);
  return { pathname: href.slice(start, q), url: search === "?" ? NO_QUERY : new LazyUrl(search) };
}

/**
 * The registry's fetch handler: `createRegistry(options).handle`. Tests call it in-process;
 * registry/main.ts serves it with registry/_http_server.ts. Decoding runs in worker threads that live as
 * long as the process; use {@link createRegistry} and `close()` to stop them earlier.
 *
 * @example
 * ```ts
 * import { createApp } from "./mod.ts";
 * import { openMemoryStorage } from "../storage/mod.ts";
 * const app = createApp({ storage: openMemoryStorage(), adminToken: "a-long-admin-secret" });
 * const res = await app(new Request("http://localhost/healthz"));
 * console.assert(res.status === 200);
 * ```
 */
export function createApp(options: AppOptions): (req: Request) => Promise<Response> {
  const { handle } = createRegistry(options);
  return (req) => Promise.resolve(handle(req));
}
