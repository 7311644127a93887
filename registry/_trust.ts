/**
 * Trust (issue 16), the registry's side: the log's static resources (checkpoint, tiles, entry
 * bundles) and per-release proofs, the discovery document that names the log's key, publisher
 * keys and the signing policy of namespaces, and the check of a release's signature at publish.
 * The HTTP contract is docs/api.md's "Transparency log and signatures".
 */
import {
  AttestError,
  BUNDLE_MEDIA_TYPE,
  ed25519FromSpki,
  formatPublicKeyPem,
  MAX_BUNDLE_SIZE,
  parseBundle,
  type ParsedBundle,
  parsePublicKeyPem,
  publisherKeyId,
  verifyReleaseBundle,
} from "../lib/attest/mod.ts";
import {
  type Digest,
  digestOf,
  formatPackageName,
  type PackageName,
  parsePackageName,
  type Version,
} from "../lib/names/mod.ts";
import { tryParseTilePath } from "../lib/tlog/mod.ts";
import type { PublisherKeyRecord, ReleaseSignature } from "../storage/mod.ts";
import { requireActor, requireOwner } from "./_auth.ts";
import type { Context } from "./_context.ts";
import { RegistryError } from "./_errors.ts";
import { json, NOSNIFF, readJsonObject } from "./_http.ts";
import type { Handler, Params } from "./_handlers.ts";
import { versionRecord } from "./_reads.ts";
import { versionManifest } from "./oci/_artifact.ts";

/** The header that carries a release's signature on `PUT`: standard base64 of the bundle. */
export const SIGNATURE_HEADER = "x-wreg-signature";
/** Where the log lives under the registry's origin. */
export const LOG_PATH = "/log";

const IMMUTABLE = "public, max-age=31536000, immutable";
/** Checkpoints change with every write: clients and caches may keep one only briefly. */
const CHECKPOINT_CACHE = "public, max-age=5";

/** The registry's public origin for absolute URLs (the configured one, else the request's). */
export function originOf(ctx: Context, req: Request): string {
  return (ctx.oci.options.publicUrl ?? new URL(req.url).origin).replace(/\/$/, "");
}

/** `GET /.well-known/wreg.json`: the API's and the log's locations, and the log's key. */
export const wellKnownWreg: Handler = async (ctx, req) => {
  const origin = originOf(ctx, req);
  return json(
    {
      api: `${origin}/api/v1`,
      log: { url: `${origin}${LOG_PATH}`, verifierKey: await ctx.log.verifierKey() },
    },
    200,
    { "cache-control": "public, max-age=300" },
  );
};

/**
 * `GET /log/checkpoint`: the latest signed checkpoint (c2sp.org/tlog-checkpoint). Public and
 * unauthenticated: served from the process's copy when it is at most 1 s old (this process's own
 * integrations replace it at once; other processes' are seen within 1 s), so a flood of requests
 * reads the store about once a second, not once a request.
 */
export const logCheckpoint: Handler = async (ctx) => {
  const checkpoint = await ctx.log.checkpoint(0, 1000);
  return new Response(checkpoint.note, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": CHECKPOINT_CACHE,
      ...NOSNIFF,
    },
  });
};

/** `GET /log/tile/...`: a hash tile or an entry bundle (c2sp.org/tlog-tiles), immutable. */
export const logTile: Handler = async (ctx, _req, params) => {
  const path = `tile/${params.path}`;
  const tile = tryParseTilePath(path);
  const missing = () =>
    new RegistryError("not-found", `Cannot find ${LOG_PATH}/${path}: the log has no such tile`);
  if (tile === undefined) throw missing();
  const bytes = await ctx.log.tile(tile);
  if (bytes === undefined) throw missing();
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": "application/octet-stream", "cache-control": IMMUTABLE, ...NOSNIFF },
  });
};

function packageOf(params: Params): PackageName {
  return parsePackageName(`${params.namespace}:${params.name}`);
}

/** `GET …/{version}/log-proof`: the c2sp.org/tlog-proof@v1 of the version's release entry. */
export const logProof: Handler = async (ctx, _req, params) => {
  const record = await versionRecord(ctx, packageOf(params), params.version as Version);
  const proof = await ctx.log.proof(record.log.index);
  return new Response(proof, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-cache",
      ...NOSNIFF,
    },
  });
};

/** `GET …/{version}/signature`: the release's Sigstore bundle as published; 404 when unsigned. */
export const releaseSignature: Handler = async (ctx, _req, params) => {
  const name = packageOf(params);
  const record = await versionRecord(ctx, name, params.version as Version);
  if (record.signature === null) {
    throw new RegistryError(
      "not-found",
      `Cannot find a signature of ${
        formatPackageName(name)
      }@${record.version}: it was published unsigned`,
      { package: formatPackageName(name), version: record.version },
    );
  }
  return new Response(record.signature.bundle as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": BUNDLE_MEDIA_TYPE, "cache-control": IMMUTABLE, ...NOSNIFF },
  });
};

// --- keys and policy

function namespaceParam(params: Params): string {
  return parsePackageName(`${params.namespace}:x`).namespace;
}

function keyDocument(k: PublisherKeyRecord) {
  return {
    keyId: k.keyId,
    publicKey: formatPublicKeyPem(k.publicKey),
    addedBy: k.addedBy,
    addedAt: k.addedAt,
    revoked: k.revokedAt !== null,
    revokedAt: k.revokedAt,
    log: { index: k.logIndex },
    ...(k.revokeLogIndex === null ? {} : { revokeLog: { index: k.revokeLogIndex } }),
  };
}

/**
 * The caller must own the namespace. An unclaimed namespace is claimed for the caller first when
 * `claim` is set (registering a key or a policy before the first publish, as a first publish
 * would claim it), unless it is reserved.
 */
async function ownedNamespace(
  ctx: Context,
  req: Request,
  ns: string,
  action: string,
  claim = false,
) {
  const actor = await requireActor(ctx, req, action);
  let record = await ctx.storage.metadata.getNamespace(ns);
  if (record === undefined && claim && actor.kind === "token" && !ctx.reservedNamespaces.has(ns)) {
    // The token must be one that could own it: checked against a record naming its owner.
    const owner = actor.token.owner;
    requireOwner(actor, ns, {
      name: ns,
      createdAt: "",
      members: [{ user: owner, role: "owner", addedAt: "" }],
    }, action);
    record = (await ctx.storage.metadata.claimNamespace(ns, owner)).namespace;
  }
  if (record === undefined) {
    throw new RegistryError(
      "not-found",
      `Cannot ${action}: nobody owns namespace "${ns}" yet (the first publish claims it${
        ctx.reservedNamespaces.has(ns) ? "; it is reserved: an admin assigns it" : ""
      })`,
      { namespace: ns },
    );
  }
  requireOwner(actor, ns, record, action);
  return actor.kind === "admin" ? "admin" : actor.token.owner;
}

/**
 * Refuses keys and policies in a namespace mirrored from an upstream: it is the upstream's, its
 * releases come in unsigned, so a policy requiring signatures would refuse every one of them, and
 * registering a key there would claim the namespace (before the mirror brought it in) for the caller.
 */
function refuseMirrored(ctx: Context, ns: string, action: string): void {
  const upstream = ctx.mirror?.upstreamOf(ns);
  if (upstream === undefined) return;
  throw new RegistryError(
    "namespace-mirrored",
    `Cannot ${action}: namespace "${ns}" is mirrored here from ${upstream}; its keys and ` +
      `policy are the upstream's`,
    { namespace: ns, upstream },
  );
}

/** `GET /api/v1/namespaces/{namespace}/keys`: the signing policy and keys (public). */
export const listKeys: Handler = async (ctx, _req, params) => {
  const ns = namespaceParam(params);
  const keys = await ctx.storage.metadata.namespaceKeys(ns);
  return json({
    namespace: ns,
    requireSignatures: keys.requireSignatures,
    keys: keys.keys.map(keyDocument),
  });
};

/** `POST /api/v1/namespaces/{namespace}/keys` (owner): registers a publisher key; logged. */
export const addKey: Handler = async (ctx, req, params) => {
  const ns = namespaceParam(params);
  const action = `register a key for namespace "${ns}"`;
  await requireActor(ctx, req, action);
  const body = await readJsonObject(req, ctx.limits.maxJsonBytes);
  onlyFields(body, ["publicKey"], action);
  if (typeof body.publicKey !== "string" || body.publicKey.length > 4096) {
    throw new RegistryError(
      "invalid-key",
      `Cannot ${action}: "publicKey" must be a PEM public key`,
      { field: "publicKey" },
    );
  }
  let spki: Uint8Array;
  try {
    spki = parsePublicKeyPem(body.publicKey);
    ed25519FromSpki(spki);
  } catch (e) {
    throw new RegistryError("invalid-key", `Cannot ${action}: ${(e as Error).message}`, {
      field: "publicKey",
    });
  }
  const keyId = await publisherKeyId(spki);
  refuseMirrored(ctx, ns, action);
  // Only a well-formed key claims an unclaimed namespace.
  const user = await ownedNamespace(ctx, req, ns, action, true);
  const { key, created } = await ctx.storage.metadata.addPublisherKey(ns, {
    keyId,
    publicKey: spki,
    addedBy: user,
  }).catch((e) => {
    if ((e as { code?: string }).code === "conflict") {
      throw new RegistryError("unknown-signing-key", `Cannot ${action}: ${(e as Error).message}`, {
        namespace: ns,
        keyId,
      });
    }
    throw e;
  });
  await integrateQuietly(ctx);
  return json({ namespace: ns, ...keyDocument(key) }, created ? 201 : 200);
};

/** `DELETE /api/v1/namespaces/{namespace}/keys/{keyId}` (owner): revokes a key; logged. */
export const revokeKey: Handler = async (ctx, req, params) => {
  const ns = namespaceParam(params);
  const action = `revoke key ${params.key.slice(0, 80)} of namespace "${ns}"`;
  await ownedNamespace(ctx, req, ns, action);
  if (!/^[0-9a-f]{64}$/.test(params.key)) {
    throw new RegistryError("not-found", `Cannot ${action}: not a key ID (64 lowercase hex)`);
  }
  const key = await ctx.storage.metadata.revokePublisherKey(ns, params.key);
  await integrateQuietly(ctx);
  return json({ namespace: ns, ...keyDocument(key) });
};

/** `PUT /api/v1/namespaces/{namespace}/policy` (owner): `{"requireSignatures": bool}`. */
export const putPolicy: Handler = async (ctx, req, params) => {
  const ns = namespaceParam(params);
  const action = `set the signing policy of namespace "${ns}"`;
  await requireActor(ctx, req, action);
  const body = await readJsonObject(req, ctx.limits.maxJsonBytes);
  onlyFields(body, ["requireSignatures"], action);
  if (typeof body.requireSignatures !== "boolean") {
    throw new RegistryError(
      "invalid-body",
      `Cannot ${action}: "requireSignatures" must be true or false`,
      { field: "requireSignatures" },
    );
  }
  refuseMirrored(ctx, ns, action);
  // Only a well-formed request claims an unclaimed namespace (as for keys).
  await ownedNamespace(ctx, req, ns, action, true);
  await ctx.storage.metadata.setRequireSignatures(ns, body.requireSignatures);
  return json({ namespace: ns, requireSignatures: body.requireSignatures });
};

/** Refuses fields a body may not have (a typo must not pass for a default). */
function onlyFields(body: Record<string, unknown>, allowed: string[], action: string): void {
  const extra = Object.keys(body).find((k) => !allowed.includes(k));
  if (extra !== undefined) {
    throw new RegistryError(
      "invalid-body",
      `Cannot ${action}: unknown field ${JSON.stringify(extra.slice(0, 100))} (only ${
        allowed.map((a) => `"${a}"`).join(", ")
      })`,
      { field: extra.slice(0, 100) },
    );
  }
}

/** Integrates the log after a write; a failure is the server's, logged, not the caller's. */
export async function integrateQuietly(ctx: Context): Promise<void> {
  try {
    await ctx.log.integrate();
  } catch (e) {
    ctx.onServerError(e, new Request("http://log/integrate"), "log-integrate");
  }
}

// --- publish

/** The bundle a `PUT` carries, decoded (`undefined` when it has none). */
export function signatureOf(headers: Headers, ref: string): Uint8Array | undefined {
  const text = headers.get(SIGNATURE_HEADER);
  if (text === null) return undefined;
  const bad = (why: string) =>
    new RegistryError("invalid-signature", `Cannot publish ${ref}: ${why}`, { version: ref });
  if (text.length > Math.ceil(MAX_BUNDLE_SIZE / 3) * 4) {
    throw bad(`the ${SIGNATURE_HEADER} header is larger than a bundle of ${MAX_BUNDLE_SIZE} bytes`);
  }
  try {
    return Uint8Array.fromBase64(text.trim());
  } catch {
    throw bad(`the ${SIGNATURE_HEADER} header is not standard base64`);
  }
}

/**
 * Checks a release's signature against its namespace's policy and keys: none where signatures
 * are required is `signature-required`; a key that is not registered (or revoked) is
 * `unknown-signing-key`; a malformed bundle, a bad signature or another subject is
 * `invalid-signature`. Returns what is stored with the version.
 */
export async function checkReleaseSignature(
  ctx: Context,
  release: { name: PackageName; version: Version; digest: Digest },
  bundle: Uint8Array | undefined,
): Promise<ReleaseSignature | undefined> {
  const pkg = formatPackageName(release.name);
  const ref = `${pkg}@${release.version}`;
  const ns = release.name.namespace;
  const { requireSignatures, keys } = await ctx.storage.metadata.namespaceKeys(ns);
  if (bundle === undefined) {
    if (!requireSignatures) return undefined;
    throw new RegistryError(
      "signature-required",
      `Cannot publish ${ref}: namespace "${ns}" requires signed releases, and this one is unsigned`,
      { namespace: ns, package: pkg, version: release.version, digest: release.digest },
    );
  }
  const details = { namespace: ns, package: pkg, version: release.version, digest: release.digest };
  let parsed: ParsedBundle;
  try {
    parsed = parseBundle(bundle);
  } catch (e) {
    throw new RegistryError(
      "invalid-signature",
      `Cannot publish ${ref}: ${(e as Error).message}`,
      details,
    );
  }
  const { keyId } = parsed;
  const active = new Map(
    keys.filter((k) => k.revokedAt === null).map((k) => [k.keyId, k.publicKey]),
  );
  if (!active.has(keyId)) {
    const revoked = keys.some((k) => k.keyId === keyId);
    throw new RegistryError(
      "unknown-signing-key",
      `Cannot publish ${ref}: it is signed by key ${keyId}, which ${
        revoked ? "was revoked for" : "is not registered for"
      } namespace "${ns}"`,
      { ...details, keyId, revoked },
    );
  }
  try {
    // The parsed bundle, not its bytes: they were parsed (and checked) once above.
    await verifyReleaseBundle(parsed, {
      package: release.name,
      version: release.version,
      digest: release.digest,
    }, active);
  } catch (e) {
    if (e instanceof AttestError) {
      throw new RegistryError("invalid-signature", `Cannot publish ${ref}: ${e.message}`, {
        ...details,
        keyId,
      });
    }
    throw e;
  }
  return { keyId, bundle };
}

/** The empty JSON object, an OCI artifact's config. */
const EMPTY_CONFIG = new TextEncoder().encode("{}");

/**
 * When `subject` is the manifest of a signed version, makes sure its bundle is attached as a
 * referrer (so OCI tools find it): done on the first listing of its referrers rather than at
 * publish, which keeps the blob and manifest writes off the publish and repairs itself after a
 * crash.
 */
export async function ensureBundleReferrer(
  ctx: Context,
  name: PackageName,
  subject: Digest,
): Promise<void> {
  const { metadata } = ctx.storage;
  const manifest = await metadata.getOciManifest(name, subject);
  if (manifest === undefined || manifest.version === null) return;
  const record = await metadata.getVersion(name, manifest.version);
  if (record?.signature == null) return;
  const referrers = await metadata.listOciReferrers(name, subject);
  if (referrers.some((r) => r.artifactType === BUNDLE_MEDIA_TYPE)) return;
  await attachBundleReferrer(ctx, name, record.version, record.signature.bundle);
}

/**
 * Attaches a signed release's bundle to its OCI manifest as a referrer (artifactType
 * `application/vnd.dev.sigstore.bundle.v0.3+json`, as cosign attaches bundles). Idempotent.
 */
export async function attachBundleReferrer(
  ctx: Context,
  name: PackageName,
  version: Version,
  bundle: Uint8Array,
): Promise<void> {
  const subject = await versionManifest(ctx, name, version);
  if (subject === undefined) return;
  const { metadata } = ctx.storage;
  // Held until the manifest references them, so no garbage collection takes them meanwhile.
  const holds = await Promise.all(
    [EMPTY_CONFIG, bundle].map(async (b) => metadata.holdDigest(await digestOf(b))),
  );
  try {
    await attach(ctx, name, subject, bundle);
  } finally {
    for (const h of holds) await h.release().catch(() => {});
  }
}

async function attach(
  ctx: Context,
  name: PackageName,
  subject: { digest: Digest; mediaType: string; bytes: Uint8Array },
  bundle: Uint8Array,
): Promise<void> {
  const { blobs, metadata } = ctx.storage;
  const config = await blobs.put(EMPTY_CONFIG);
  const layer = await blobs.put(bundle);
  const manifest = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: BUNDLE_MEDIA_TYPE,
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: config.digest, size: 2 },
    layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: layer.digest, size: bundle.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
  }));
  await metadata.putOciManifest(name, {
    digest: await digestOf(manifest),
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    bytes: manifest,
    subject: subject.digest,
    artifactType: BUNDLE_MEDIA_TYPE,
    blobs: [config.digest, layer.digest],
  });
}
