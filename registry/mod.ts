/**
 * The wreg registry server: a fetch handler ({@link createApp}) over a {@link Storage}, serving
 * the publish pipeline with its compatibility gate, the JSON read API, blobs, search by package,
 * interface and world, yanks, tokens and namespaces. docs/api.md documents every route;
 * registry/_routes.ts is the routing table; registry/main.ts serves it (`wreg serve`).
 *
 * @example
 * ```ts
 * import { createApp } from "./mod.ts";
 * import { openMemoryStorage } from "../storage/mod.ts";
 * const app = createApp({ storage: openMemoryStorage(), adminToken: "let-me-in-please-1234" });
 * const created = await app(new Request("http://localhost/api/v1/tokens", {
 *   method: "POST",
 *   headers: { authorization: "Bearer let-me-in", "content-type": "application/json" },
 *   body: JSON.stringify({ owner: "alice", scopes: ["publish", "yank"] }),
 * }));
 * const { token } = await created.json();
 * console.assert(typeof token === "string" && token.startsWith("wreg_"));
 * ```
 *
 * @module
 */
export { createApp, createRegistry, type Registry } from "./_app.ts";
export { type AppOptions, DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from "./_context.ts";
export {
  type ErrorBody,
  REGISTRY_ERRORS,
  RegistryError,
  type RegistryErrorCode,
} from "./_errors.ts";
export type {
  CompatDoc,
  DependencyDoc,
  InterfaceDoc,
  ItemDoc,
  VersionDocument,
  WorldDoc,
} from "./_document.ts";
export type { Bump, Change as CompatChange, CompatReport } from "./_compat.ts";
export type { GateFailure } from "./_publish.ts";
export type {
  IndexEntry,
  PackageDocument,
  PackageIndex,
  PackageVersionEntry,
  VersionResponse,
} from "./_reads.ts";
export type {
  Implementation,
  ResolvedWorld,
  SearchQuery,
  SearchResponse,
  SearchResult,
} from "./_search.ts";
export { type Access, type Route, Router, ROUTES } from "./_routes.ts";
export {
  API_OPERATIONS,
  documentedStatuses,
  openApiDocument,
  openApiPath,
  type OperationSpec,
} from "./_openapi.ts";
export { EXAMPLE_SEED, seed, type SeedEntry, type SeedOptions, type SeedOutcome } from "./_seed.ts";
export { type RunningServer, type ServerOptions, startServer, WREG_ROOT } from "./_server.ts";
