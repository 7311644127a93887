/**
 * The HTTP handlers: each parses its path parameters and query, checks the caller, calls the
 * pipeline or a read, and shapes the response. The routing table (registry/_routes.ts) maps
 * methods and paths onto these.
 */
import {
  type Digest,
  formatPackageName,
  type PackageName,
  parseDigest,
  parsePackageName,
  parseVersion,
  type Version,
} from "../lib/names/mod.ts";
import { newTokenSecret, type PackageKind, TOKEN_SCOPES, type TokenScope } from "../storage/mod.ts";
import { authorizeNamespace, requireActor, requireAdmin, requireOwner } from "./_auth.ts";
import type { CachedJson, Context } from "./_context.ts";
import { RegistryError, RETRY_AFTER_SECONDS } from "./_errors.ts";
import {
  contentLength,
  declaredDigest,
  etagOf,
  ifRangeMatches,
  json,
  JSON_TYPE,
  mediaType,
  NOSNIFF,
  notModified,
  parseRange,
  readJsonObject,
} from "./_http.ts";
import { publishVersion } from "./_publish.ts";
import {
  cached,
  dependents,
  packageDocument,
  packageIndex,
  versionRecord,
  versionResponse,
} from "./_reads.ts";
import { interfaceImplementations, search, worldImplementations } from "./_search.ts";
import { integrateQuietly, signatureOf } from "./_trust.ts";

/** Path parameters of a matched route, already percent-decoded. */
export type Params = Readonly<Record<string, string>>;

/** The query of a request (the path is in the route's parameters). */
export interface RequestUrl {
  /** `?a=b…`, or empty. */
  readonly search: string;
  /** The parsed query. */
  readonly searchParams: URLSearchParams;
}

/** A route's handler. */
export type Handler = (
  ctx: Context,
  req: Request,
  params: Params,
  url: RequestUrl,
) => Response | Promise<Response>;

/** The media type of published bytes. */
export const WASM_TYPE = "application/wasm";

const IMMUTABLE = "public, max-age=31536000, immutable";
/** Answers about tokens are never kept by a cache or a browser (issue 17 #19). */
const NO_STORE = { "cache-control": "no-store" };

// --- parameters

function packageOf(params: Params): PackageName {
  return parsePackageName(`${params.namespace}:${params.name}`);
}

function versionOf(params: Params): Version {
  return parseVersion(params.version);
}

function boolParam(url: RequestUrl, name: string): boolean {
  const v = url.searchParams.get(name);
  if (v === null || v === "false" || v === "0") return false;
  if (v === "" || v === "true" || v === "1") return true;
  throw new RegistryError(
    "invalid-query",
    `Invalid ${name}=${JSON.stringify(v)}: expected true or false`,
    { param: name },
  );
}

function limitParam(url: RequestUrl, fallback = 20): number {
  const v = url.searchParams.get("limit");
  if (v === null) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 1000) {
    throw new RegistryError(
      "invalid-query",
      `Invalid limit=${JSON.stringify(v)}: expected a whole number from 1 to 1000`,
      { param: "limit" },
    );
  }
  return n;
}

function stringParam(url: RequestUrl, name: string): string | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  if (v.length > 1000) {
    throw new RegistryError("invalid-query", `Invalid ${name}: longer than 1000 characters`);
  }
  return v;
}

function kindParam(url: RequestUrl): PackageKind | undefined {
  const v = url.searchParams.get("kind");
  if (v === null) return undefined;
  if (v !== "component" && v !== "wit-package") {
    throw new RegistryError(
      "invalid-query",
      `Invalid kind=${JSON.stringify(v)}: expected "component" or "wit-package"`,
      { param: "kind" },
    );
  }
  return v;
}

function listParam(url: RequestUrl, name: string): string[] {
  return url.searchParams.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(
    (v) => v !== "",
  );
}

function cachedJson(req: Request, cached: CachedJson): Response {
  const headers = { "content-type": JSON_TYPE, etag: cached.etag, ...NOSNIFF };
  if (notModified(req.headers, cached.etag)) return new Response(null, { status: 304, headers });
  return new Response(cached.bytes as Uint8Array<ArrayBuffer>, { headers });
}

// --- meta

/** `GET /api/v1`: what this server is. */
export const apiInfo: Handler = () =>
  Promise.resolve(
    json({ name: "wreg", api: "v1", docs: "docs/api.md", openapi: "/api/v1/openapi.json" }),
  );

/** `GET /healthz`: the process is up (it answers without touching the storage). */
export const health: Handler = () => Promise.resolve(json({ ok: true }));

/** How long `/readyz` waits for each backend, in ms. */
const READY_TIMEOUT_MS = 2000;

/**
 * `GET /readyz`: the metadata store and the blob store both answer (a load balancer sends no
 * traffic to a process whose PostgreSQL or object store is away); 503 with `Retry-After` if not.
 */
export const ready: Handler = async (ctx) => {
  const probe = async (what: string, ping: () => Promise<void>) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer in ${READY_TIMEOUT_MS} ms`)),
            READY_TIMEOUT_MS,
          );
        }),
      ]);
      return undefined;
    } catch (e) {
      return `${what}: ${(e as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  };
  const problems = (await Promise.all([
    probe("metadata", () => ctx.storage.metadata.ping()),
    probe("blobs", () => ctx.storage.blobs.ping()),
  ])).filter((p) => p !== undefined);
  if (problems.length === 0) return json({ ready: true });
  throw new RegistryError(
    "unavailable",
    `Cannot serve requests yet: ${problems.join("; ")}`,
    { ready: false },
    { "retry-after": String(RETRY_AFTER_SECONDS) },
  );
};

/** `GET /api/v1/stats`: counts for a front page. */
export const stats: Handler = async (ctx) => json(await ctx.storage.metadata.totals());

/**
 * `GET /api/v1/mirror`: the mirrored namespaces (registry/_mirror.ts), each upstream's last
 * refresh and error, the tags the upstream changed after they were mirrored (never served), and
 * the versions not mirrored with the reason.
 */
export const mirrorStatus: Handler = (ctx) =>
  Promise.resolve(
    json(
      ctx.mirror?.status() ??
        { upstreams: [], changedTags: [], skipped: [], refreshSeconds: null, maxVersions: null },
    ),
  );

/** `GET /api/v1/packages?limit=`: the most recently published packages. */
export const recentPackages: Handler = async (ctx, _req, _params, url) =>
  json({ packages: await ctx.storage.metadata.recentPackages(limitParam(url)) });

// --- packages

/** `GET /api/v1/packages/{namespace}/{name}`. */
export const getPackage: Handler = (ctx, req, params) => {
  // The hot path, answered synchronously: a cached document needs no parsing (only valid names
  // are ever cached).
  const hit = ctx.responses.get(`package:${params.namespace}:${params.name}`);
  if (hit !== undefined) return cachedJson(req, hit);
  return packageDocument(ctx, packageOf(params)).then((doc) => cachedJson(req, doc));
};

/** `GET /api/v1/packages/{namespace}/{name}/index`. */
export const getIndex: Handler = (ctx, req, params) => {
  const hit = ctx.responses.get(`index:${params.namespace}:${params.name}`);
  if (hit !== undefined) return cachedJson(req, hit);
  return packageIndex(ctx, packageOf(params)).then((doc) => cachedJson(req, doc));
};

/** `GET /api/v1/packages/{namespace}/{name}/dependents`. */
export const getDependents: Handler = (ctx, req, params, url) => {
  // Cached per query until the storage signals a change, like the other derived answers.
  const key = `dependents:${params.namespace}:${params.name}:${url.search}`;
  const hit = ctx.responses.get(key);
  if (hit !== undefined) return cachedJson(req, hit);
  const generation = ctx.generation;
  const v = stringParam(url, "version");
  return dependents(ctx, packageOf(params), {
    version: v === undefined ? undefined : parseVersion(v),
    includeYanked: boolParam(url, "includeYanked"),
  }).then((answer) => {
    const out = cached(JSON.stringify(answer));
    if (ctx.generation === generation) ctx.responses.set(key, out);
    return cachedJson(req, out);
  });
};

/** `GET /api/v1/packages/{namespace}/{name}/{version}`: the version document. */
export const getVersion: Handler = (ctx, req, params) => {
  // Cached like the package document (dropped on every change the storage signals, a yank
  // included), so that a networked metadata store is not asked on every read.
  const key = `version:${params.namespace}:${params.name}:${params.version}`;
  const hit = ctx.responses.get(key);
  if (hit !== undefined) return cachedJson(req, hit);
  const generation = ctx.generation;
  return versionRecord(ctx, packageOf(params), versionOf(params)).then((record) => {
    const out = cached(JSON.stringify(versionResponse(record)));
    if (ctx.generation === generation) ctx.responses.set(key, out);
    return cachedJson(req, out);
  });
};

/** `GET …/{version}/wit`: the version's WIT as text. */
export const getVersionWit: Handler = async (ctx, _req, params) => {
  const record = await versionRecord(ctx, packageOf(params), versionOf(params));
  return new Response(String((record.document as { wit?: string }).wit ?? ""), {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": IMMUTABLE,
      ...NOSNIFF,
    },
  });
};

/** `GET …/{version}/content`: the version's bytes (same headers as the blob). */
export const getVersionContent: Handler = async (ctx, req, params) => {
  const record = await versionRecord(ctx, packageOf(params), versionOf(params));
  return await serveBlob(ctx, req, record.digest);
};

/** `PUT /api/v1/packages/{namespace}/{name}/{version}`: publish. */
export const publish: Handler = async (ctx, req, params) => {
  const name = packageOf(params);
  const version = versionOf(params);
  const ref = `${formatPackageName(name)}@${version}`;
  const action = `publish ${ref}`;
  try {
    const actor = await requireActor(ctx, req, action);
    const type = mediaType(req.headers);
    if (type !== WASM_TYPE) {
      throw new RegistryError(
        "unsupported-media-type",
        `Cannot publish ${ref}: the Content-Type is ${
          type === undefined ? "missing" : JSON.stringify(type)
        }, not "${WASM_TYPE}"`,
        { expected: WASM_TYPE },
      );
    }
    const length = contentLength(req.headers);
    const digest = declaredDigest(req.headers);
    if (digest === undefined) {
      throw new RegistryError(
        "digest-required",
        `Cannot publish ${ref}: the request declares no digest of its bytes`,
      );
    }
    const signature = signatureOf(req.headers, ref);
    const record = await publishVersion(ctx, {
      name,
      version,
      body: req.body ?? new Uint8Array(),
      digest,
      signature,
      contentLength: length,
      authorize: (ns) => authorizeNamespace(actor, "publish", name.namespace, ns, action),
    });
    return json(versionResponse(record), 201, {
      location: `/api/v1/packages/${name.namespace}/${name.name}/${version}`,
    });
  } finally {
    // A refused upload is not read further.
    if (req.body !== null && !req.bodyUsed) req.body.cancel().catch(() => {});
  }
};

async function setYanked(ctx: Context, req: Request, params: Params, yanked: boolean) {
  const name = packageOf(params);
  const version = versionOf(params);
  const action = `${yanked ? "yank" : "unyank"} ${formatPackageName(name)}@${version}`;
  const actor = await requireActor(ctx, req, action);
  await versionRecord(ctx, name, version);
  authorizeNamespace(
    actor,
    "yank",
    name.namespace,
    await ctx.storage.metadata.getNamespace(name.namespace),
    action,
  );
  const v = await ctx.storage.metadata.setYanked(name, version, yanked);
  await integrateQuietly(ctx);
  return json({ package: v.package, version: v.version, yanked: v.yanked, yankedAt: v.yankedAt });
}

/** `PUT …/{version}/yank`. */
export const yank: Handler = (ctx, req, params) => setYanked(ctx, req, params, true);

/** `DELETE …/{version}/yank`. */
export const unyank: Handler = (ctx, req, params) => setYanked(ctx, req, params, false);

// --- blobs

/** `GET|HEAD /api/v1/blobs/{digest}`. */
export const getBlob: Handler = (ctx, req, params) => {
  const digest = parseDigest(params.digest);
  // Hot blobs without conditions or ranges are answered synchronously from memory, unless the
  // object store serves downloads (presigned redirects: the bytes go from the store or its CDN).
  const bytes = ctx.blobs.get(digest);
  if (
    bytes !== undefined && req.method === "GET" && !req.headers.has("range") &&
    !req.headers.has("if-none-match") && !ctx.storage.blobs.redirectSeconds
  ) {
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: blobHeaders(digest, bytes.length),
    });
  }
  return serveBlob(ctx, req, digest);
};

function blobHeaders(digest: Digest, length: number): Record<string, string> {
  return {
    "content-type": WASM_TYPE,
    "cache-control": IMMUTABLE,
    etag: etagOf(digest),
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
    "content-length": String(length),
  };
}

async function serveBlob(ctx: Context, req: Request, digest: Digest): Promise<Response> {
  const etag = etagOf(digest);
  const headers: Record<string, string> = {
    "content-type": WASM_TYPE,
    "cache-control": IMMUTABLE,
    etag,
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
  };
  const store = ctx.storage.blobs;
  if (notModified(req.headers, etag)) {
    // Only a blob that exists is "not modified"; a missing one is not found (issue 17 #17).
    if (ctx.blobs.get(digest) === undefined && !(await store.has(digest))) {
      throw blobNotFound(digest);
    }
    return new Response(null, { status: 304, headers });
  }
  const rangeHeader = ifRangeMatches(req.headers, etag) ? req.headers.get("range") : null;
  const head = req.method === "HEAD";
  if (!head && store.redirectSeconds && store.presignedUrl) {
    // The object store (or a CDN in front of it) serves the bytes, ranges included.
    if (!(await store.has(digest))) throw blobNotFound(digest);
    const location = await store.presignedUrl(digest, store.redirectSeconds);
    return new Response(null, {
      status: 307,
      headers: { location, etag, "cache-control": "no-store" },
    });
  }
  // Hot blobs come from memory; others are read once into it when small enough, else streamed.
  let bytes = ctx.blobs.get(digest);
  let size = bytes?.length;
  if (bytes === undefined) {
    const stat = await ctx.storage.blobs.stat(digest);
    if (stat === undefined) throw blobNotFound(digest);
    size = stat.size;
    if (!head && ctx.blobs.fits(size)) bytes = await ctx.readBlob(digest);
  }
  const range = parseRange(rangeHeader, size!);
  const status = range === undefined ? 200 : 206;
  if (range !== undefined) {
    headers["content-range"] = `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
  }
  headers["content-length"] = String(range?.length ?? size);
  if (head) return new Response(null, { status, headers });
  if (bytes !== undefined) {
    const body = range === undefined
      ? bytes
      : bytes.subarray(range.offset, range.offset + range.length);
    return new Response(body as Uint8Array<ArrayBuffer>, { status, headers });
  }
  const body = await ctx.storage.blobs.get(digest, range);
  return new Response(body.stream, { status, headers });
}

function blobNotFound(digest: Digest): RegistryError {
  return new RegistryError("not-found", `Cannot find blob "${digest}"`, { digest });
}

// --- search

/** `GET /api/v1/search`. */
export const searchPackages: Handler = (ctx, req, _params, url) => {
  const key = `search:${url.search}`;
  const hit = ctx.responses.get(key);
  if (hit) return cachedJson(req, hit);
  return runSearch(ctx, req, url, key);
};

async function runSearch(ctx: Context, req: Request, url: RequestUrl, key: string) {
  const generation = ctx.generation;
  const result = await search(ctx, {
    q: stringParam(url, "q"),
    exports: stringParam(url, "exports"),
    imports: stringParam(url, "imports"),
    world: stringParam(url, "world"),
    kind: kindParam(url),
    includeYanked: boolParam(url, "includeYanked"),
    hostProvides: listParam(url, "hostProvides"),
    limit: limitParam(url),
  });
  const out = cached(JSON.stringify(result));
  if (ctx.generation === generation) ctx.responses.set(key, out);
  return cachedJson(req, out);
}

/** `GET /api/v1/implementations?interface=…` or `?world=…` (the world index). */
export const implementations: Handler = async (ctx, _req, _params, url) => {
  const iface = stringParam(url, "interface");
  const world = stringParam(url, "world");
  if ((iface === undefined) === (world === undefined)) {
    throw new RegistryError(
      "invalid-query",
      'Cannot list implementations: give interface=ns:pkg/name (for example "wasi:http/incoming-handler@0.2.0") or world=ns:pkg/name (for example "wasi:http/proxy@0.2.3"), not both',
    );
  }
  const includeYanked = boolParam(url, "includeYanked");
  if (world !== undefined) {
    return json(
      await worldImplementations(ctx, world, {
        includeYanked,
        hostProvides: listParam(url, "hostProvides"),
      }),
    );
  }
  return json(await interfaceImplementations(ctx, iface!, includeYanked));
};

// --- tokens

const SCOPES = TOKEN_SCOPES;

/** `POST /api/v1/tokens` (admin): a new token; its secret is in this answer only. */
export const createToken: Handler = async (ctx, req) => {
  const actor = await requireActor(ctx, req, "create a token");
  requireAdmin(ctx, actor, "create a token");
  const body = await readJsonObject(req, ctx.limits.maxJsonBytes);
  const owner = body.owner;
  if (typeof owner !== "string" || owner === "") {
    throw new RegistryError(
      "invalid-body",
      'Cannot create a token: "owner" must be a non-empty string (the user it acts for)',
      { field: "owner" },
    );
  }
  const scopes = body.scopes ?? ["publish", "yank"];
  if (
    !Array.isArray(scopes) || scopes.length === 0 ||
    !scopes.every((s) => SCOPES.includes(s as TokenScope))
  ) {
    throw new RegistryError(
      "invalid-body",
      `Cannot create a token: "scopes" must be a non-empty list of ${
        SCOPES.map((s) => JSON.stringify(s)).join(", ")
      }`,
      { field: "scopes" },
    );
  }
  const namespaces = body.namespaces ?? null;
  if (
    namespaces !== null &&
    (!Array.isArray(namespaces) || !namespaces.every((n) => typeof n === "string"))
  ) {
    throw new RegistryError(
      "invalid-body",
      'Cannot create a token: "namespaces" must be a list of namespaces, or null for any',
      { field: "namespaces" },
    );
  }
  const description = body.description ?? "";
  if (typeof description !== "string") {
    throw new RegistryError(
      "invalid-body",
      'Cannot create a token: "description" must be a string',
      {
        field: "description",
      },
    );
  }
  const secret = newTokenSecret();
  const record = await ctx.storage.metadata.createToken(secret, {
    owner,
    scopes: scopes as TokenScope[],
    namespaces: namespaces as string[] | null,
    description,
  });
  return json({ token: secret, ...record }, 201, NO_STORE);
};

/** `GET /api/v1/tokens?owner=` (admin). */
export const listTokens: Handler = async (ctx, req, _params, url) => {
  const actor = await requireActor(ctx, req, "list tokens");
  requireAdmin(ctx, actor, "list tokens");
  const owner = stringParam(url, "owner");
  if (owner === undefined) {
    throw new RegistryError("invalid-query", "Cannot list tokens: give owner=<user>");
  }
  return json({ tokens: await ctx.storage.metadata.listTokens(owner) }, 200, NO_STORE);
};

/** `DELETE /api/v1/tokens/{id}` (admin). */
export const revokeToken: Handler = async (ctx, req, params) => {
  const actor = await requireActor(ctx, req, "revoke a token");
  requireAdmin(ctx, actor, "revoke a token");
  return json(await ctx.storage.metadata.revokeToken(params.id), 200, NO_STORE);
};

/** `GET /api/v1/whoami`: the caller's token and namespaces. */
export const whoami: Handler = async (ctx, req) => {
  const actor = await requireActor(ctx, req, "tell who you are");
  if (actor.kind === "admin") return json({ admin: true }, 200, NO_STORE);
  const t = actor.token;
  return json(
    {
      admin: t.scopes.includes("admin"),
      token: t,
      namespaces: (await ctx.storage.metadata.namespacesOf(t.owner)).map((n) => ({
        name: n.name,
        role: n.members.find((m) => m.user === t.owner)?.role,
      })),
    },
    200,
    NO_STORE,
  );
};

// --- namespaces

async function namespaceRecord(ctx: Context, name: string) {
  const record = await ctx.storage.metadata.getNamespace(name);
  if (record === undefined) {
    throw new RegistryError(
      "not-found",
      `Cannot find namespace "${name}": nobody has published to it yet (the first publish claims it)`,
      { namespace: name },
    );
  }
  return record;
}

function namespaceParam(params: Params): string {
  // A namespace is the first half of a package name; parse one to check it.
  return parsePackageName(`${params.namespace}:x`).namespace;
}

/** `GET /api/v1/namespaces/{namespace}`. */
export const getNamespace: Handler = async (ctx, _req, params) =>
  json(await namespaceRecord(ctx, namespaceParam(params)));

/** Most owners one `PUT /api/v1/namespaces/{namespace}` names. */
const MAX_ASSIGNED_OWNERS = 100;

/**
 * `PUT /api/v1/namespaces/{namespace}` (admin) with `{"owners": [user, …]}`: creates the namespace
 * for those owners before anyone publishes (the way to give out a reserved one), or makes them
 * owners of an existing one. 201 when it was created, 200 otherwise.
 */
export const putNamespace: Handler = async (ctx, req, params) => {
  const ns = namespaceParam(params);
  const action = `assign namespace "${ns}"`;
  const actor = await requireActor(ctx, req, action);
  requireAdmin(ctx, actor, action);
  const body = await readJsonObject(req, ctx.limits.maxJsonBytes);
  const owners = body.owners;
  if (
    !Array.isArray(owners) || owners.length === 0 || owners.length > MAX_ASSIGNED_OWNERS ||
    !owners.every((o) => typeof o === "string")
  ) {
    throw new RegistryError(
      "invalid-body",
      `Cannot ${action}: "owners" must be a list of 1 to ${MAX_ASSIGNED_OWNERS} user names`,
      { field: "owners" },
    );
  }
  const unique = [...new Set(owners as string[])];
  const claim = await ctx.storage.metadata.claimNamespace(ns, unique[0]);
  let record = claim.namespace;
  for (const user of claim.claimed ? unique.slice(1) : unique) {
    record = await ctx.storage.metadata.setNamespaceMember(ns, user, "owner");
  }
  return json(record, claim.claimed ? 201 : 200);
};

/** `PUT /api/v1/namespaces/{namespace}/members/{user}` (owner): add a member or set a role. */
export const putMember: Handler = async (ctx, req, params) => {
  const ns = namespaceParam(params);
  const action = `add ${JSON.stringify(params.user)} to namespace "${ns}"`;
  const actor = await requireActor(ctx, req, action);
  requireOwner(actor, ns, await namespaceRecord(ctx, ns), action);
  const body = await readJsonObject(req, ctx.limits.maxJsonBytes);
  const role = body.role ?? "member";
  if (role !== "owner" && role !== "member") {
    throw new RegistryError(
      "invalid-body",
      `Cannot ${action}: "role" must be "owner" or "member"`,
      { field: "role" },
    );
  }
  const record = await ctx.storage.metadata.setNamespaceMember(ns, params.user, role);
  return json(record);
};

/** `DELETE /api/v1/namespaces/{namespace}/members/{user}` (owner). */
export const deleteMember: Handler = async (ctx, req, params) => {
  const ns = namespaceParam(params);
  const action = `remove ${JSON.stringify(params.user)} from namespace "${ns}"`;
  const actor = await requireActor(ctx, req, action);
  requireOwner(actor, ns, await namespaceRecord(ctx, ns), action);
  const record = await ctx.storage.metadata.removeNamespaceMember(ns, params.user);
  return json(record);
};
