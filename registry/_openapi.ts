/**
 * The OpenAPI 3.1 document of `/api/v1`, served at `GET /api/v1/openapi.json`. It is generated
 * from the routing table (registry/_routes.ts: every `/api/v1` route is an operation, and a route
 * without a description here fails {@link openApiDocument}) and the error table
 * (registry/_errors.ts: each error status of an operation lists exactly the codes with that
 * status). What the tables do not say (query parameters, bodies, the answers' shapes, which
 * statuses a route answers) is {@link API_OPERATIONS}; tests/registry_openapi_test.ts keeps it in
 * step with the tables and docs/api.md, and schemathesis checks it against a live registry.
 */
import { MAX_DESCRIPTION, MAX_USER } from "../storage/mod.ts";
import { REGISTRY_ERRORS, type RegistryErrorCode } from "./_errors.ts";

/** What this module needs of a row of the routing table (registry/_routes.ts). */
export interface RouteRow {
  method: string;
  path: string;
  access: string;
}

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it). */
type Schema = Record<string, unknown>;

/** One query or header parameter. */
interface Param {
  name: string;
  in: "query" | "header";
  schema: Schema;
  required?: boolean;
  description: string;
  /** A value that names something the seeded examples hold (registry/_seed.ts). */
  example?: string;
}

/** What an operation answers with a status. */
interface Answer {
  description: string;
  /** A schema of `components.schemas` for a JSON body; `wasm` or `text` for bytes or text. */
  body?: string | "wasm" | "text";
  headers?: Record<string, { description: string; required?: boolean }>;
}

/** What the routing table does not say about an `/api/v1` operation. */
export interface OperationSpec {
  summary: string;
  tag: "meta" | "packages" | "search" | "tokens" | "namespaces" | "trust";
  params?: Param[];
  /** The request body: a JSON schema of `components.schemas`, or the bytes of a package. */
  body?: string | "wasm";
  /** Success answers and the like (2xx, 3xx). */
  answers: Record<number, Answer>;
  /** The error statuses the route answers (`{code, message, details?}` bodies). */
  errors: number[];
}

/** Statuses any route may answer besides its own: the storage away or the server draining. */
export const ANY_ROUTE_ERRORS = [503] as const;
/** Statuses any route that needs a token may answer: failed authentication throttled. */
export const TOKEN_ROUTE_ERRORS = [429] as const;

const NAME: Schema = {
  type: "string",
  pattern: "^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$",
  maxLength: 64,
};
const VERSION: Schema = {
  type: "string",
  // semver 2.0.0, with numbers npm's semver takes (at most 15 digits)
  pattern: "^(0|[1-9]\\d{0,14})\\.(0|[1-9]\\d{0,14})\\.(0|[1-9]\\d{0,14})" +
    "(-((0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(\\.(0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?" +
    "(\\+([0-9a-zA-Z-]+(\\.[0-9a-zA-Z-]+)*))?$",
  maxLength: 256,
};
const DIGEST: Schema = { type: "string", pattern: "^sha256:[0-9a-f]{64}$" };
/** A user name (storage's rule: 1 to MAX_USER visible characters). */
const USER: Schema = { type: "string", minLength: 1, maxLength: MAX_USER };
const TIME: Schema = { type: "string", format: "date-time" };
const NULLABLE_TIME: Schema = { type: ["string", "null"], format: "date-time" };
const KIND: Schema = { type: "string", enum: ["component", "wit-package"] };
const SCOPE: Schema = { type: "string", enum: ["publish", "yank", "owners", "admin"] };

const array = (items: Schema, extra: Schema = {}): Schema => ({ type: "array", items, ...extra });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** An object with every property listed required, unless its name is in `optional`. */
const object = (
  properties: Record<string, Schema>,
  optional: string[] = [],
  extra: Schema = {},
): Schema => ({
  type: "object",
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  ...extra,
});

/** The answers' shapes. */
const SCHEMAS: Record<string, Schema> = {
  ApiInfo: object({
    name: { const: "wreg" },
    api: { const: "v1" },
    docs: { type: "string" },
    openapi: { type: "string" },
  }),
  OpenApi: object({
    openapi: { const: "3.1.0" },
    info: { type: "object" },
    paths: { type: "object" },
  }),
  Stats: object({
    packages: { type: "integer", minimum: 0 },
    versions: { type: "integer", minimum: 0 },
    namespaces: { type: "integer", minimum: 0 },
    bytes: { type: "integer", minimum: 0 },
  }),
  Mirror: object({
    upstreams: array(object({
      namespace: { type: "string" },
      registry: { type: "string" },
      lastRefresh: NULLABLE_TIME,
      lastError: { type: ["string", "null"] },
    }, ["lastRefresh", "lastError"])),
    changedTags: array({ type: "object" }),
    skipped: array({ type: "object" }),
    refreshSeconds: { type: ["number", "null"] },
    maxVersions: { type: ["integer", "null"] },
  }),
  RecentPackages: object({
    packages: array(object({
      name: { type: "string" },
      namespace: NAME,
      kind: KIND,
      description: { type: "string" },
      createdAt: TIME,
      updatedAt: TIME,
      latestVersion: { type: ["string", "null"] },
      versionCount: { type: "integer", minimum: 0 },
    })),
  }),
  Package: object({
    name: { type: "string" },
    namespace: NAME,
    kind: KIND,
    description: { type: "string" },
    createdAt: TIME,
    updatedAt: TIME,
    latest: { type: ["string", "null"] },
    owners: array({ type: "string" }),
    versions: array(object({
      version: { type: "string" },
      digest: DIGEST,
      size: { type: "integer", minimum: 0 },
      publishedAt: TIME,
      publisher: { type: "string" },
      yanked: { type: "boolean" },
      yankedAt: NULLABLE_TIME,
      prerelease: { type: "boolean" },
    })),
  }),
  Index: object({
    name: { type: "string" },
    kind: KIND,
    versions: array(object({
      version: { type: "string" },
      yanked: { type: "boolean" },
      digest: DIGEST,
      size: { type: "integer", minimum: 0 },
      kind: KIND,
      publishedAt: TIME,
      dependencies: { type: "object", additionalProperties: { type: "string" } },
    })),
  }),
  Dependents: object({
    package: { type: "string" },
    dependents: array(object({ package: { type: "string" }, version: { type: "string" } })),
  }),
  Item: object({
    name: { type: "string" },
    kind: { type: "string", enum: ["interface", "function", "type"] },
    interface: object({
      package: { type: "string" },
      name: { type: "string" },
      version: { type: ["string", "null"] },
    }),
    signature: { type: "string" },
    docs: { type: "string" },
  }, ["interface", "signature", "docs"]),
  Version: object({
    schema: { type: "integer" },
    package: { type: "string" },
    version: { type: "string" },
    kind: KIND,
    digest: DIGEST,
    size: { type: "integer", minimum: 0 },
    description: { type: ["string", "null"] },
    wit: { type: "string" },
    worlds: array(object({
      name: { type: "string" },
      id: { type: ["string", "null"] },
      docs: { type: "string" },
      imports: array(ref("Item")),
      exports: array(ref("Item")),
    }, ["docs"])),
    interfaces: array(object({
      name: { type: "string" },
      id: { type: "string" },
      docs: { type: "string" },
      functions: array(object({
        name: { type: "string" },
        signature: { type: "string" },
        docs: { type: "string" },
      }, ["docs"])),
      types: array(object({
        name: { type: "string" },
        kind: { type: "string" },
        docs: { type: "string" },
      }, ["docs"])),
    }, ["docs"])),
    dependencies: array(object({
      package: { type: "string" },
      version: { type: ["string", "null"] },
      range: { type: "string" },
    })),
    compat: { type: ["object", "null"] },
    metadata: { type: "object" },
    composedFrom: { type: "object" },
    publishedAt: TIME,
    publisher: { type: "string" },
    yanked: { type: "boolean" },
    yankedAt: NULLABLE_TIME,
    log: object({ index: { type: "integer", minimum: 0 }, entry: { type: "string" } }),
    signature: {
      oneOf: [object({ keyId: { type: "string", pattern: "^[0-9a-f]{64}$" } }), { type: "null" }],
    },
  }, ["composedFrom"]),
  Bundle: { type: "object", description: "a Sigstore bundle v0.3, exactly as published" },
  PublisherKey: object({
    namespace: { type: "string" },
    keyId: { type: "string", pattern: "^[0-9a-f]{64}$" },
    publicKey: { type: "string", description: "PEM SubjectPublicKeyInfo" },
    addedBy: { type: "string" },
    addedAt: TIME,
    revoked: { type: "boolean" },
    revokedAt: NULLABLE_TIME,
    log: object({ index: { type: "integer", minimum: 0 } }),
    revokeLog: object({ index: { type: "integer", minimum: 0 } }),
  }, ["namespace", "revokeLog"]),
  NamespaceKeys: object({
    namespace: { type: "string" },
    requireSignatures: { type: "boolean" },
    keys: array(ref("PublisherKey")),
  }),
  KeyRequest: object({ publicKey: { type: "string", maxLength: 4096 } }, [], {
    additionalProperties: false,
  }),
  Policy: object({ namespace: { type: "string" }, requireSignatures: { type: "boolean" } }),
  PolicyRequest: object({ requireSignatures: { type: "boolean" } }, [], {
    additionalProperties: false,
  }),
  Yank: object({
    package: { type: "string" },
    version: { type: "string" },
    yanked: { type: "boolean" },
    yankedAt: NULLABLE_TIME,
  }),
  Search: object({
    query: { type: "object" },
    world: { type: "object" },
    results: array(object({
      package: { type: "string" },
      kind: KIND,
      description: { type: "string" },
      latest: { type: ["string", "null"] },
      // null for a text match whose versions are all yanked or pre-releases
      version: { type: ["string", "null"] },
      digest: { ...DIGEST, type: ["string", "null"] },
      matched: array({ type: "string" }),
      updatedAt: TIME,
    }, ["matched"])),
  }, ["world"]),
  Implementations: object({
    interface: { type: "string" },
    checkedAgainst: { type: ["string", "null"] },
    world: { type: "object" },
    implementations: array(object({
      package: { type: "string" },
      version: { type: "string" },
      digest: DIGEST,
      matched: array({ type: "string" }),
    }, ["matched"])),
  }, ["interface", "checkedAgainst", "world"]),
  Token: object({
    token: { type: "string" },
    id: { type: "string" },
    owner: { type: "string" },
    scopes: array(SCOPE),
    namespaces: { type: ["array", "null"], items: { type: "string" } },
    description: { type: "string" },
    createdAt: TIME,
    lastUsedAt: NULLABLE_TIME,
    revokedAt: NULLABLE_TIME,
  }, ["token"]),
  Tokens: object({ tokens: array(ref("Token")) }),
  TokenRequest: object(
    {
      owner: USER,
      // null, like an absent field, means the default
      scopes: { type: ["array", "null"], items: SCOPE, minItems: 1 },
      namespaces: { type: ["array", "null"], items: NAME },
      description: { type: ["string", "null"], maxLength: MAX_DESCRIPTION },
    },
    ["scopes", "namespaces", "description"],
  ),
  Whoami: object({
    admin: { type: "boolean" },
    token: ref("Token"),
    namespaces: array(object({ name: { type: "string" }, role: { type: "string" } })),
  }, ["token", "namespaces"]),
  Namespace: object({
    name: { type: "string" },
    createdAt: TIME,
    members: array(object({
      user: { type: "string" },
      role: { type: "string", enum: ["owner", "member"] },
      addedAt: TIME,
    })),
  }),
  // Request bodies: fields the server does not know are ignored, so none is forbidden here.
  NamespaceRequest: object({ owners: array(USER, { minItems: 1, maxItems: 100 }) }),
  MemberRequest: object({ role: { enum: ["owner", "member", null] } }, ["role"]),
};

const pathParam = (name: string): Schema => {
  switch (name) {
    case "namespace":
    case "name":
      return NAME;
    case "version":
      return VERSION;
    case "digest":
      return DIGEST;
    case "user":
      return USER;
    default:
      return { type: "string", minLength: 1, maxLength: 128 };
  }
};

const q = (
  name: string,
  schema: Schema,
  description: string,
  required = false,
  example?: string,
): Param => ({
  name,
  in: "query",
  schema,
  description,
  required,
  ...(example === undefined ? {} : { example }),
});

/**
 * Examples of path parameters: what `--seed-examples` publishes, so a client (and schemathesis)
 * reaches real documents, not only 404s.
 */
const PATH_EXAMPLES: Record<string, string> = {
  namespace: "docs",
  name: "scrubber-c",
  version: "0.1.0",
  user: "wreg",
};
const INCLUDE_YANKED = q(
  "includeYanked",
  { type: "string", enum: ["true", "false", "1", "0", ""] },
  "`true` (or `1`, or empty) includes yanked versions",
);
/** `ns:pkg/name` with an optional `@version`. */
const ITEM: Schema = {
  type: "string",
  pattern: "^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*:[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*/" +
    "[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*(@[0-9A-Za-z.+-]+)?$",
  maxLength: 300,
};
const HOST_PROVIDES = q(
  "hostProvides",
  { type: "string" },
  "with `world`: namespaces or packages the host provides, comma-separated",
);
const LIMIT = q("limit", { type: "integer", minimum: 1, maximum: 1000 }, "1 to 1000 (default 20)");
const CONDITIONAL: Param = {
  name: "If-None-Match",
  in: "header",
  schema: { type: "string" },
  description: "an entity tag from an earlier answer: 304 when it still matches",
};
const RANGE: Param = {
  name: "Range",
  in: "header",
  schema: { type: "string" },
  description: "`bytes=a-b`, `bytes=a-` or `bytes=-n`: 206 with that part",
};
const ETAG = { etag: { description: "the content's entity tag" } };

const NOT_MODIFIED: Answer = { description: "unchanged since the entity tag" };
/** A `200` answer, the only success of most operations. */
const ok = (description: string, body: Answer["body"]): Record<number, Answer> => ({
  200: { description, body },
});
/** A `200` answer with an entity tag, and the `304` of a request that sends it back. */
const cached = (description: string, body: Answer["body"]): Record<number, Answer> => ({
  200: { description, body, headers: ETAG },
  304: NOT_MODIFIED,
});
const BYTES: Record<number, Answer> = {
  200: { description: "the bytes", body: "wasm", headers: ETAG },
  206: { description: "the range asked for", body: "wasm" },
  304: NOT_MODIFIED,
};

/** Every `/api/v1` route of the routing table, keyed `METHOD path` as the table writes it. */
export const API_OPERATIONS: Record<string, OperationSpec> = {
  "GET /api/v1": {
    summary: "What this server is",
    tag: "meta",
    answers: ok("the server", "ApiInfo"),
    errors: [],
  },
  "GET /api/v1/openapi.json": {
    summary: "This document",
    tag: "meta",
    answers: ok("the OpenAPI 3.1 document of /api/v1", "OpenApi"),
    errors: [],
  },
  "GET /api/v1/stats": {
    summary: "Counts for a front page",
    tag: "meta",
    answers: ok("the totals", "Stats"),
    errors: [],
  },
  "GET /api/v1/mirror": {
    summary: "The mirrored namespaces and the tags their upstreams changed",
    tag: "meta",
    answers: ok("the mirror's state", "Mirror"),
    errors: [],
  },
  "GET /api/v1/search": {
    summary: "Search by words, exported or imported interface, world",
    tag: "search",
    params: [
      q(
        "q",
        { type: "string" },
        "words that must all appear in the name or description",
        false,
        "scrub",
      ),
      q("exports", ITEM, "an interface the package exports", false, "docs:processor/logger@0.1.0"),
      q("imports", ITEM, "an interface the package imports", false, "docs:processor/logger@0.1.0"),
      q("world", ITEM, "a world the component implements", false, "docs:processor/processor@0.1.0"),
      HOST_PROVIDES,
      q("kind", KIND, "component or wit-package"),
      INCLUDE_YANKED,
      LIMIT,
    ],
    answers: cached("the results", "Search"),
    errors: [400, 404],
  },
  "GET /api/v1/implementations": {
    summary: "The packages that export an interface, or implement a world",
    tag: "search",
    params: [
      q(
        "interface",
        ITEM,
        "ns:pkg/name[@version]; this or world",
        false,
        "docs:processor/logger@0.1.0",
      ),
      q("world", ITEM, "ns:pkg/name[@version]; this or interface"),
      HOST_PROVIDES,
      INCLUDE_YANKED,
    ],
    answers: ok("the implementations", "Implementations"),
    errors: [400, 404],
  },
  "GET /api/v1/blobs/{digest}": {
    summary: "The bytes of a stored blob",
    tag: "packages",
    params: [CONDITIONAL, RANGE],
    answers: BYTES,
    errors: [400, 404, 416],
  },
  "GET /api/v1/packages": {
    summary: "The packages published most recently",
    tag: "packages",
    params: [LIMIT],
    answers: ok("the packages", "RecentPackages"),
    errors: [400],
  },
  "GET /api/v1/packages/{namespace}/{name}": {
    summary: "A package with every version",
    tag: "packages",
    params: [CONDITIONAL],
    answers: cached("the package", "Package"),
    errors: [400, 404],
  },
  "GET /api/v1/packages/{namespace}/{name}/index": {
    summary: "What a resolver needs about a package",
    tag: "packages",
    params: [CONDITIONAL],
    answers: cached("the index", "Index"),
    errors: [400, 404],
  },
  "GET /api/v1/packages/{namespace}/{name}/dependents": {
    summary: "The packages that use a package",
    tag: "packages",
    params: [q("version", VERSION, "a version of the package"), INCLUDE_YANKED],
    answers: { 200: { description: "the dependents", body: "Dependents", headers: ETAG } },
    errors: [400],
  },
  "GET /api/v1/packages/{namespace}/{name}/{version}": {
    summary: "A version's document",
    tag: "packages",
    params: [CONDITIONAL],
    answers: cached("the document", "Version"),
    errors: [400, 404],
  },
  "PUT /api/v1/packages/{namespace}/{name}/{version}": {
    summary: "Publish a component or a binary WIT package",
    tag: "packages",
    params: [{
      name: "X-Wreg-Digest",
      in: "header",
      schema: DIGEST,
      description: "the digest of the bytes (or `Digest: sha256:<hex>`); required",
    }],
    body: "wasm",
    answers: {
      201: {
        description: "published",
        body: "Version",
        headers: { location: { description: "the version's path", required: true } },
      },
    },
    errors: [400, 401, 403, 409, 413, 415],
  },
  "GET /api/v1/packages/{namespace}/{name}/{version}/wit": {
    summary: "A version's WIT",
    tag: "packages",
    answers: ok("the WIT text", "text"),
    errors: [400, 404],
  },
  "GET /api/v1/packages/{namespace}/{name}/{version}/content": {
    summary: "A version's bytes",
    tag: "packages",
    params: [CONDITIONAL, RANGE],
    answers: BYTES,
    errors: [400, 404, 416],
  },
  "GET /api/v1/packages/{namespace}/{name}/{version}/log-proof": {
    summary: "The c2sp.org/tlog-proof@v1 of the version's transparency log entry",
    tag: "trust",
    answers: ok("the proof, with the latest signed checkpoint", "text"),
    errors: [400, 404],
  },
  "GET /api/v1/packages/{namespace}/{name}/{version}/signature": {
    summary: "The release's Sigstore bundle, as published (404 when unsigned)",
    tag: "trust",
    answers: ok("the bundle", "Bundle"),
    errors: [400, 404],
  },
  "PUT /api/v1/packages/{namespace}/{name}/{version}/yank": {
    summary: "Yank a version",
    tag: "packages",
    answers: ok("yanked", "Yank"),
    errors: [400, 401, 403, 404],
  },
  "DELETE /api/v1/packages/{namespace}/{name}/{version}/yank": {
    summary: "Unyank a version",
    tag: "packages",
    answers: ok("unyanked", "Yank"),
    errors: [400, 401, 403, 404],
  },
  "POST /api/v1/tokens": {
    summary: "Create a token (admin); its secret is shown this once",
    tag: "tokens",
    body: "TokenRequest",
    answers: { 201: { description: "the token with its secret", body: "Token" } },
    errors: [400, 401, 403, 413, 415],
  },
  "GET /api/v1/tokens": {
    summary: "An owner's tokens (admin), without secrets",
    tag: "tokens",
    params: [q("owner", USER, "the owner", true)],
    answers: ok("the tokens", "Tokens"),
    errors: [400, 401, 403],
  },
  "DELETE /api/v1/tokens/{id}": {
    summary: "Revoke a token (admin)",
    tag: "tokens",
    answers: ok("the revoked token", "Token"),
    errors: [401, 403, 404],
  },
  "GET /api/v1/whoami": {
    summary: "The caller's token and namespaces",
    tag: "tokens",
    answers: ok("who the token is", "Whoami"),
    errors: [401],
  },
  "GET /api/v1/namespaces/{namespace}": {
    summary: "A namespace and its members",
    tag: "namespaces",
    answers: ok("the namespace", "Namespace"),
    errors: [400, 404],
  },
  "PUT /api/v1/namespaces/{namespace}": {
    summary: "Create a namespace for its owners, or make them owners (admin)",
    tag: "namespaces",
    body: "NamespaceRequest",
    answers: {
      200: { description: "the owners were added", body: "Namespace" },
      201: { description: "the namespace was created", body: "Namespace" },
    },
    errors: [400, 401, 403, 413, 415],
  },
  "PUT /api/v1/namespaces/{namespace}/members/{user}": {
    summary: "Add a member or change a role",
    tag: "namespaces",
    body: "MemberRequest",
    answers: ok("the namespace", "Namespace"),
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  "DELETE /api/v1/namespaces/{namespace}/members/{user}": {
    summary: "Remove a member",
    tag: "namespaces",
    answers: ok("the namespace", "Namespace"),
    errors: [400, 401, 403, 404, 409],
  },
  "GET /api/v1/namespaces/{namespace}/keys": {
    summary: "A namespace's publisher keys and signing policy",
    tag: "trust",
    answers: ok("the keys, revoked ones included", "NamespaceKeys"),
    errors: [400],
  },
  "POST /api/v1/namespaces/{namespace}/keys": {
    summary: "Register a publisher key (Ed25519, PEM); logged",
    tag: "trust",
    body: "KeyRequest",
    answers: {
      200: { description: "the key was registered already", body: "PublisherKey" },
      201: { description: "the key was registered", body: "PublisherKey" },
    },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  "DELETE /api/v1/namespaces/{namespace}/keys/{key}": {
    summary: "Revoke a publisher key; logged",
    tag: "trust",
    answers: ok("the revoked key", "PublisherKey"),
    errors: [400, 401, 403, 404],
  },
  "PUT /api/v1/namespaces/{namespace}/policy": {
    summary: "Require signed releases in a namespace, or not",
    tag: "trust",
    body: "PolicyRequest",
    answers: ok("the policy", "Policy"),
    errors: [400, 401, 403, 404, 413, 415],
  },
};

/** `/api/v1/x/:y` → `/api/v1/x/{y}`. */
export function openApiPath(routePath: string): string {
  return routePath.replace(/:([A-Za-z]+)\+?/g, "{$1}");
}

/** The key of a route in {@link API_OPERATIONS}. */
export function operationKey(route: Pick<RouteRow, "method" | "path">): string {
  return `${route.method} ${openApiPath(route.path)}`;
}

/** The error codes with a status, from the error table. */
function codesWithStatus(status: number): RegistryErrorCode[] {
  return (Object.keys(REGISTRY_ERRORS) as RegistryErrorCode[]).filter((c) =>
    REGISTRY_ERRORS[c].status === status
  );
}

/** Every status an operation documents. */
export function documentedStatuses(route: RouteRow): number[] {
  const spec = API_OPERATIONS[operationKey(route)];
  if (spec === undefined) return [];
  return [
    ...Object.keys(spec.answers).map(Number),
    ...spec.errors,
    ...(route.access === "public" ? [] : TOKEN_ROUTE_ERRORS),
    ...ANY_ROUTE_ERRORS,
  ].sort((a, b) => a - b);
}

/**
 * The OpenAPI 3.1 document of the `/api/v1` routes of `routes`. Throws when a route has no
 * description in {@link API_OPERATIONS} or a description has no route (the tables drifted), or
 * an operation names an error status no code of the error table has.
 */
export function openApiDocument(routes: readonly RouteRow[]): Record<string, unknown> {
  const api = routes.filter((r) => r.path === "/api/v1" || r.path.startsWith("/api/v1/"));
  const paths: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  for (const route of api) {
    const key = operationKey(route);
    const spec = API_OPERATIONS[key];
    if (spec === undefined) {
      throw new Error(`The route ${key} has no description in registry/_openapi.ts`);
    }
    seen.add(key);
    const path = openApiPath(route.path);
    const pathParams = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: pathParam(m[1]),
      ...(PATH_EXAMPLES[m[1]] === undefined ? {} : { example: PATH_EXAMPLES[m[1]] }),
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, answer] of Object.entries(spec.answers)) {
      responses[status] = response(answer);
    }
    const errors = [
      ...spec.errors,
      ...(route.access === "public" ? [] : TOKEN_ROUTE_ERRORS),
      ...ANY_ROUTE_ERRORS,
    ];
    for (const status of errors) {
      const codes = codesWithStatus(status);
      if (codes.length === 0) {
        throw new Error(`${key} answers ${status}, which no code of registry/_errors.ts has`);
      }
      responses[String(status)] = {
        description: codes.join(", "),
        ...(status === 429 || status === 503
          ? {
            headers: {
              "retry-after": { description: "seconds to wait", schema: { type: "string" } },
            },
          }
          : {}),
        content: {
          "application/json": {
            schema: {
              allOf: [ref("Error"), { properties: { code: { enum: codes } } }],
            },
          },
        },
      };
    }
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${
        path.replace(/\{([A-Za-z]+)\}/g, "By-$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, c) =>
          (c ?? "").toUpperCase())
      }`,
      summary: spec.summary,
      tags: [spec.tag],
      parameters: [
        ...pathParams,
        ...(spec.params ?? []).map(({ description, ...p }) => ({
          ...p,
          ...(description === "" ? {} : { description }),
        })),
      ],
      responses,
    };
    if (route.access !== "public") operation.security = [{ bearer: [] }];
    if (spec.body !== undefined) {
      operation.requestBody = {
        required: true,
        content: spec.body === "wasm"
          ? { "application/wasm": { schema: { type: "string", format: "binary" } } }
          : { "application/json": { schema: ref(spec.body) } },
      };
    }
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  const stale = Object.keys(API_OPERATIONS).filter((k) => !seen.has(k));
  if (stale.length > 0) {
    throw new Error(`registry/_openapi.ts describes ${stale.join(", ")}, which no route has`);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "wreg registry API",
      version: "1",
      description:
        "The public API of a wreg registry (docs/api.md). Reads are public and answer any origin (CORS); writes need `Authorization: Bearer <token>`. Every refusal is `{code, message, details?}` with a stable code. `GET` routes answer `HEAD` too.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "meta" },
      { name: "packages" },
      { name: "search" },
      { name: "tokens" },
      { name: "namespaces" },
      { name: "trust" },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        ...SCHEMAS,
        Error: object(
          {
            code: { type: "string", enum: Object.keys(REGISTRY_ERRORS) },
            message: { type: "string" },
            details: { type: "object" },
          },
          ["details"],
          { additionalProperties: false },
        ),
      },
    },
  };
}

function response(answer: Answer): Record<string, unknown> {
  const out: Record<string, unknown> = { description: answer.description };
  if (answer.headers !== undefined) {
    out.headers = Object.fromEntries(
      Object.entries(answer.headers).map(([name, h]) => [
        name,
        { description: h.description, required: h.required ?? false, schema: { type: "string" } },
      ]),
    );
  }
  if (answer.body === "wasm") {
    out.content = { "application/wasm": { schema: { type: "string", format: "binary" } } };
  } else if (answer.body === "text") {
    out.content = { "text/plain": { schema: { type: "string" } } };
  } else if (answer.body !== undefined) {
    out.content = { "application/json": { schema: ref(answer.body) } };
  }
  return out;
}
