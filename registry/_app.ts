/**
 * The registry as a fetch handler: route, run the handler, render refusals as `{code, message,
 * details?}` and server faults as a generic 500 that is logged with a request id.
 */
import { formatPackageName, type PackageName, type Version } from "../lib/names/mod.ts";
import { digestOf } from "../lib/names/mod.ts";
import type { VersionRecord } from "../storage/mod.ts";
import { type AppOptions, Context } from "./_context.ts";
import { errorBody, internalErrorBody, toRegistryError } from "./_errors.ts";
import { json } from "./_http.ts";
import { publishVersion } from "./_publish.ts";
import { Router } from "./_routes.ts";

/** A registry: its fetch handler, and the publish pipeline for callers inside the process. */
export interface Registry {
  /** Answers one HTTP request. Never throws. */
  handle(req: Request): Promise<Response>;
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
  /** Stops the decoder threads (the storage stays open: it is the caller's). */
  close(): void;
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
  const router = new Router();
  return {
    async handle(req: Request): Promise<Response> {
      try {
        const url = new URL(req.url);
        const { route, params } = router.match(req.method, url.pathname);
        return await route.handler(ctx, req, params, url);
      } catch (e) {
        const refusal = toRegistryError(e);
        if (refusal !== undefined) {
          return json(errorBody(refusal), refusal.status, refusal.headers);
        }
        const id = crypto.randomUUID();
        try {
          ctx.onServerError(e, req, id);
        } catch { /* logging must not fail the answer */ }
        return json(internalErrorBody(id), 500, { "x-request-id": id });
      }
    },
    close() {
      ctx.close();
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
 * The registry's fetch handler: `createRegistry(options).handle`. Tests call it in-process;
 * registry/main.ts serves it with `Deno.serve`. Decoding runs in worker threads that live as
 * long as the process; use {@link createRegistry} and `close()` to stop them earlier.
 *
 * @example
 * ```ts
 * import { createApp } from "./mod.ts";
 * import { openMemoryStorage } from "../storage/mod.ts";
 * const app = createApp({ storage: openMemoryStorage(), adminToken: "secret" });
 * const res = await app(new Request("http://localhost/healthz"));
 * console.assert(res.status === 200);
 * ```
 */
export function createApp(options: AppOptions): (req: Request) => Promise<Response> {
  return createRegistry(options).handle;
}
