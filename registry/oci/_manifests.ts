/**
 * Manifests, tags and referrers on `/v2`.
 *
 * - `GET`/`HEAD /v2/<repo>/manifests/<tag|digest>`: a tag is a version (`+` written `_`); the
 *   manifest is the one pushed with the version or the one generated from it (registry/oci/
 *   _artifact.ts), served byte for byte with `Docker-Content-Digest`; yanked versions stay
 *   fetchable. Repeated `Accept` lines arrive merged; one that excludes the manifest's type gets
 *   404 `MANIFEST_UNKNOWN`, as distribution answers.
 * - `PUT /v2/<repo>/manifests/<tag>` of a Wasm package runs wreg's one publish pipeline (rights,
 *   limits, decode, domain rules, the compatibility gate, the commit) with the pushed manifest
 *   committed beside the version. The same manifest again is a no-op (201); another one for a
 *   published version is refused (versions are immutable). An artifact whose `subject` is a
 *   version's manifest (a signature, an SBOM) is stored and listed by the referrers API.
 *   Anything else (container images, indexes, the old wasm-to-oci layout) is refused with the
 *   reason.
 * - `GET /v2/<repo>/tags/list` (semver order, `n`/`last` paging, `Link`), `GET
 *   /v2/<repo>/referrers/<digest>` (`artifactType` filter), `GET /v2/_catalog`.
 */
import {
  compareVersions,
  type Digest,
  formatPackageName,
  type PackageName,
  parsePackageName,
  type Version,
} from "../../lib/names/mod.ts";
import {
  acceptsMediaType,
  ANNOTATIONS,
  checkWasmConfig,
  classifyManifest,
  digestWith,
  isDigestLike,
  isTag,
  type ManifestLimits,
  OCI_INDEX,
  OciError,
  parseJson,
  parseManifest,
  parseWasmConfig,
  repositoryOf,
  tagOfVersion,
  versionOfTag,
  type WasmManifestKind,
} from "../../lib/oci/mod.ts";
import { tryParseVersion } from "../../lib/names/mod.ts";
import type { OciManifestRecord } from "../../storage/mod.ts";
import { authorizeNamespace } from "../_auth.ts";
import type { Context } from "../_context.ts";
import { RegistryError } from "../_errors.ts";
import { ensureBundleReferrer } from "../_trust.ts";
import type { Handler, RequestUrl } from "../_handlers.ts";
import { readAtMost } from "../_http.ts";
import { publishVersion } from "../_publish.ts";
import { versionManifest } from "./_artifact.ts";
import { requirePusher } from "./_auth.ts";
import { digestParam, packageParam, repositoryHas } from "./_blobs.ts";
import { API_VERSION_HEADER, OciRefusal } from "./_errors.ts";

function manifestUnknown(repository: string, reference: string, why?: string): OciRefusal {
  return new OciRefusal(
    "MANIFEST_UNKNOWN",
    `Cannot find manifest ${reference} in repository ${repository}${why ? `: ${why}` : ""}`,
    { repository, reference },
  );
}

/** The manifest a reference names, or a 404. */
async function manifestOf(
  ctx: Context,
  name: PackageName,
  repository: string,
  reference: string,
): Promise<OciManifestRecord> {
  if (isDigestLike(reference)) {
    const digest = digestParam(reference);
    const found = digest === undefined
      ? undefined
      : await ctx.storage.metadata.getOciManifest(name, digest);
    if (found === undefined) throw manifestUnknown(repository, reference);
    return found;
  }
  const version = versionOfTag(reference);
  if (version === undefined) {
    throw manifestUnknown(
      repository,
      reference,
      "tags here are versions (semver, with + written _)",
    );
  }
  const found = await versionManifest(ctx, name, version);
  if (found === undefined) {
    const pkg = await ctx.storage.metadata.getPackage(name);
    if (pkg === undefined) {
      throw new OciRefusal(
        "NAME_UNKNOWN",
        `Cannot find repository ${repository}: nothing is published as ${formatPackageName(name)}`,
        { repository },
      );
    }
    throw manifestUnknown(
      repository,
      reference,
      `${formatPackageName(name)} has no version ${version}`,
    );
  }
  return found;
}

/** `GET`/`HEAD /v2/<repo>/manifests/<reference>`. */
export const getManifest: Handler = async (ctx, req, params) => {
  const name = packageParam(ctx, params);
  const m = await manifestOf(ctx, name, params.name, params.reference);
  if (!acceptsMediaType(req.headers.get("accept"), m.mediaType)) {
    throw manifestUnknown(
      params.name,
      params.reference,
      `the manifest is ${m.mediaType}, which the Accept header does not list`,
    );
  }
  const headers: Record<string, string> = {
    "content-type": m.mediaType,
    "docker-content-digest": m.digest,
    etag: `"${m.digest}"`,
    "content-length": String(m.bytes.length),
    ...API_VERSION_HEADER,
  };
  if (req.method === "HEAD") return new Response(null, { headers });
  return new Response(m.bytes as Uint8Array<ArrayBuffer>, { headers });
};

function manifestCreated(repository: string, digest: string, subject?: string): Response {
  const headers: Record<string, string> = {
    location: `/v2/${repository}/manifests/${digest}`,
    "docker-content-digest": digest,
    "content-length": "0",
    ...API_VERSION_HEADER,
  };
  if (subject !== undefined) headers["oci-subject"] = subject;
  return new Response(null, { status: 201, headers });
}

/** `PUT /v2/<repo>/manifests/<reference>`. */
export const putManifest: Handler = async (ctx, req, params) => {
  const name = packageParam(ctx, params);
  const repository = params.name;
  const reference = params.reference;
  const action = `push ${repository}:${reference}`;
  const actor = await requirePusher(ctx, req, repository, name, action);
  const limits: ManifestLimits = ctx.oci.options.manifest;
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBytes) {
    req.body?.cancel().catch(() => {});
    throw new OciRefusal(
      "SIZE_INVALID",
      `Cannot ${action}: the manifest has ${declared} bytes, more than the limit of ${limits.maxBytes}`,
      { limit: limits.maxBytes },
      { status: 413 },
    );
  }
  const bytes = await readAtMost(req.body, limits.maxBytes, () =>
    new OciRefusal(
      "SIZE_INVALID",
      `Cannot ${action}: the manifest is larger than the limit of ${limits.maxBytes} bytes`,
      { limit: limits.maxBytes },
      { status: 413 },
    ));
  const digest = await digestWith(bytes) as Digest;
  if (isDigestLike(reference) && reference !== digest) {
    throw new OciRefusal(
      "DIGEST_INVALID",
      `Cannot ${action}: the manifest's bytes hash to ${digest}`,
      { expected: reference, actual: digest },
    );
  }
  // What the manifest is decides first: a container image is refused as one, whatever its tag.
  const kind = classifyManifest(
    parseManifest(bytes, { contentType: req.headers.get("content-type") ?? undefined, limits }),
  );
  if (kind.kind === "referrer") {
    // What it is about decides next: only artifacts about a package's version are kept.
    await checkSubject(ctx, name, action, kind);
    if (!isDigestLike(reference)) {
      throw new OciRefusal(
        "MANIFEST_INVALID",
        `Cannot ${action}: an artifact about another manifest (subject ${kind.subject.digest}) is pushed by digest; tags here are versions`,
        { reference, reason: "referrer-tagged" },
      );
    }
    await putReferrer(ctx, name, repository, action, kind, bytes, digest);
    return manifestCreated(repository, digest, kind.subject.digest);
  }
  let tagVersion: Version | undefined;
  if (!isDigestLike(reference)) {
    if (!isTag(reference)) {
      throw new OciRefusal(
        "MANIFEST_INVALID",
        `Cannot ${action}: ${JSON.stringify(reference)} is not a tag`,
        { reference },
      );
    }
    tagVersion = versionOfTag(reference);
    if (tagVersion === undefined) {
      throw new OciRefusal(
        "MANIFEST_INVALID",
        `Cannot ${action}: tags here are versions (semver such as 1.2.3, with + written _), and ${
          JSON.stringify(reference)
        } is not one`,
        { reference, reason: "tag-not-version" },
      );
    }
  }
  const annotated = kind.manifest.annotations?.[ANNOTATIONS.version];
  const version = tagVersion ?? (annotated === undefined ? undefined : tryParseVersion(annotated));
  if (version === undefined) {
    throw new OciRefusal(
      "MANIFEST_INVALID",
      `Cannot ${action}: push a package's manifest with its version as the tag (or an ${ANNOTATIONS.version} annotation)`,
      { reason: "no-version" },
    );
  }
  if (annotated !== undefined && annotated !== version) {
    throw new OciRefusal(
      "MANIFEST_INVALID",
      `Cannot ${action}: the manifest's ${ANNOTATIONS.version} is ${
        JSON.stringify(annotated)
      }, not the tag's version ${version}`,
      { reason: "version-mismatch", annotated, version },
    );
  }
  const ref = `${formatPackageName(name)}@${version}`;
  const existing = await publishedManifest(ctx, name, version);
  if (existing !== undefined) return sameOrRefuse(existing, ref, repository, digest);
  await checkPackageBlobs(ctx, name, repository, action, kind);
  const layer = { digest: kind.layer.digest as Digest, size: kind.layer.size };
  const kept = ctx.oci.recentUploads.take(layer.digest, ctx.now().getTime());
  const uploaded = kept?.length === layer.size ? kept : undefined;
  try {
    await publishVersion(ctx, {
      name,
      version,
      body: uploaded ?? await ctx.readBlob(layer.digest),
      stored: true,
      // Bytes just uploaded here were hashed on their way into the blob store.
      verified: uploaded !== undefined,
      // They are this publish's alone, as is a blob read back that the blob cache does not keep.
      handOver: uploaded !== undefined || !ctx.blobs.fits(layer.size),
      digest: layer.digest,
      contentLength: layer.size,
      authorize: (ns) => authorizeNamespace(actor, "publish", name.namespace, ns, `publish ${ref}`),
      oci: {
        digest,
        mediaType: kind.manifest.mediaType ?? "application/vnd.oci.image.manifest.v1+json",
        bytes,
        blobs: [kind.config.digest as Digest, layer.digest],
      },
    });
  } catch (e) {
    // A push that raced another for the same version: the same manifest is still a success.
    if (e instanceof RegistryError && e.code === "version-exists") {
      const now = await publishedManifest(ctx, name, version);
      if (now !== undefined) return sameOrRefuse(now, ref, repository, digest);
    }
    throw e;
  }
  // The version's manifest references the layer and config now; their upload links lapse by
  // themselves (removing them here would cost two more commits per push).
  return manifestCreated(repository, digest);
};

async function publishedManifest(
  ctx: Context,
  name: PackageName,
  version: Version,
): Promise<OciManifestRecord | undefined> {
  if ((await ctx.storage.metadata.getVersion(name, version)) === undefined) return undefined;
  return await versionManifest(ctx, name, version);
}

function sameOrRefuse(
  existing: OciManifestRecord,
  ref: string,
  repository: string,
  digest: string,
): Response {
  if (existing.digest === digest) return manifestCreated(repository, digest);
  throw new OciRefusal(
    "DENIED",
    `Cannot publish ${ref}: that version is published with manifest ${existing.digest}, and versions are immutable; publish a new version number`,
    { wreg: "version-exists", version: ref, manifest: existing.digest, pushed: digest },
    { status: 409 },
  );
}

async function checkBlob(
  ctx: Context,
  name: PackageName,
  repository: string,
  action: string,
  what: string,
  d: { digest: string; size: number },
): Promise<void> {
  const digest = digestParam(d.digest);
  if (digest === undefined || !(await repositoryHas(ctx, name, digest))) {
    throw new OciRefusal(
      "MANIFEST_BLOB_UNKNOWN",
      `Cannot ${action}: its ${what} ${d.digest} was not uploaded to ${repository}`,
      { digest: d.digest },
    );
  }
  const stat = await ctx.storage.blobs.stat(digest);
  if (stat === undefined || stat.size !== d.size) {
    throw new OciRefusal(
      "MANIFEST_INVALID",
      `Cannot ${action}: its ${what} ${d.digest} has ${
        stat?.size ?? 0
      } bytes, not the ${d.size} the manifest says`,
      { digest: d.digest, size: stat?.size, declared: d.size },
    );
  }
}

/** The layer and the config are in the repository, and the config is a Wasm config for it. */
async function checkPackageBlobs(
  ctx: Context,
  name: PackageName,
  repository: string,
  action: string,
  kind: WasmManifestKind & { kind: "package" },
): Promise<void> {
  await checkBlob(ctx, name, repository, action, "config", kind.config);
  await checkBlob(ctx, name, repository, action, "layer", kind.layer);
  if (kind.layer.size > ctx.limits.maxUploadBytes) {
    throw new OciRefusal(
      "SIZE_INVALID",
      `Cannot ${action}: the layer has ${kind.layer.size} bytes, more than the limit of ${ctx.limits.maxUploadBytes}`,
      { limit: ctx.limits.maxUploadBytes },
      { status: 413 },
    );
  }
  if (kind.config.size > 1024 * 1024) {
    throw new OciRefusal(
      "MANIFEST_INVALID",
      `Cannot ${action}: the config has ${kind.config.size} bytes, more than 1 MiB`,
    );
  }
  const config = parseWasmConfig(await ctx.readBlob(kind.config.digest as Digest));
  checkWasmConfig(config, kind.layer);
}

/** The subject of an artifact is the manifest of a version of this package. */
async function checkSubject(
  ctx: Context,
  name: PackageName,
  action: string,
  kind: WasmManifestKind & { kind: "referrer" },
): Promise<Digest> {
  const subjectDigest = digestParam(kind.subject.digest);
  const subject = subjectDigest === undefined
    ? undefined
    : await ctx.storage.metadata.getOciManifest(name, subjectDigest);
  if (subject === undefined || subject.version === null) {
    throw new OciRefusal(
      "MANIFEST_INVALID",
      `Cannot ${action}: its subject ${kind.subject.digest} is not the manifest of a version of ${
        formatPackageName(name)
      } (artifacts here are about packages: signatures, SBOMs, attestations)`,
      { subject: kind.subject.digest, reason: "subject-unknown" },
    );
  }
  return subjectDigest!;
}

async function putReferrer(
  ctx: Context,
  name: PackageName,
  repository: string,
  action: string,
  kind: WasmManifestKind & { kind: "referrer" },
  bytes: Uint8Array,
  digest: Digest,
): Promise<void> {
  const subjectDigest = await checkSubject(ctx, name, action, kind);
  const m = kind.manifest;
  const blobs = [m.config, ...m.layers];
  for (const [i, d] of blobs.entries()) {
    await checkBlob(ctx, name, repository, action, i === 0 ? "config" : `layer ${i - 1}`, d);
  }
  await ctx.storage.metadata.putOciManifest(name, {
    digest,
    mediaType: m.mediaType ?? "application/vnd.oci.image.manifest.v1+json",
    bytes,
    subject: subjectDigest,
    artifactType: kind.artifactType,
    blobs: blobs.map((b) => b.digest as Digest),
  });
}

/**
 * `DELETE /v2/<repo>/manifests/<reference>`: removes an artifact about a version (202); a
 * version's manifest and tags are immutable (405; yank the version instead).
 */
export const deleteManifest: Handler = async (ctx, req, params) => {
  const name = packageParam(ctx, params);
  const reference = params.reference;
  await requirePusher(
    ctx,
    req,
    params.name,
    name,
    `delete ${params.name}:${reference}`,
    "delete",
  );
  const immutable = () =>
    new OciRefusal(
      "UNSUPPORTED",
      `Cannot delete ${params.name}:${reference}: versions are immutable; yank the version instead (wreg yank)`,
      { reference },
      { status: 405, headers: { allow: "GET, HEAD, PUT" } },
    );
  if (!isDigestLike(reference)) {
    if (
      versionOfTag(reference) !== undefined &&
      await versionManifest(ctx, name, versionOfTag(reference)!)
    ) {
      throw immutable();
    }
    throw manifestUnknown(params.name, reference);
  }
  const m = await manifestOf(ctx, name, params.name, reference);
  if (m.version !== null) throw immutable();
  await ctx.storage.metadata.deleteOciManifest(name, m.digest);
  return new Response(null, { status: 202, headers: { ...API_VERSION_HEADER } });
};

function nParam(url: RequestUrl): number | undefined {
  const v = url.searchParams.get("n");
  if (v === null) return undefined;
  if (!/^\d{1,7}$/.test(v)) {
    throw new OciRefusal("UNSUPPORTED", `Invalid n=${JSON.stringify(v)}: expected a whole number`, {
      param: "n",
    }, { status: 400 });
  }
  return Math.min(Number(v), 10_000);
}

/** `GET /v2/<repo>/tags/list?n=&last=`: every version as a tag, in semver order. */
export const listTags: Handler = async (ctx, _req, params, url) => {
  const name = packageParam(ctx, params);
  const detail = await ctx.storage.metadata.getPackage(name);
  if (detail === undefined) {
    throw new OciRefusal(
      "NAME_UNKNOWN",
      `Cannot find repository ${params.name}: nothing is published as ${formatPackageName(name)}`,
      { repository: params.name },
    );
  }
  const versions = detail.versions.map((v) => v.version).sort(compareVersions);
  let tags = versions.map((v) => tagOfVersion(v)).filter((t): t is string => t !== undefined);
  const last = url.searchParams.get("last");
  if (last !== null) {
    const lastVersion = versionOfTag(last);
    tags = lastVersion === undefined
      ? tags.filter((t) => t > last)
      : tags.filter((t) => compareVersions(versionOfTag(t)!, lastVersion) > 0);
  }
  const n = nParam(url);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...API_VERSION_HEADER,
  };
  if (n !== undefined && tags.length > n) {
    tags = tags.slice(0, n);
    const next = new URLSearchParams({ n: String(n), last: tags.at(-1) ?? "" });
    headers.link = `</v2/${params.name}/tags/list?${next}>; rel="next"`;
  }
  return new Response(JSON.stringify({ name: params.name, tags }), { headers });
};

/** `GET /v2/<repo>/referrers/<digest>?artifactType=`: the artifacts about a manifest. */
export const listReferrers: Handler = async (ctx, _req, params, url) => {
  const name = packageParam(ctx, params);
  const subject = digestParam(params.digest);
  const filter = url.searchParams.get("artifactType");
  // A signed release's bundle is attached to its version's manifest on first listing (issue 16).
  if (subject !== undefined) await ensureBundleReferrer(ctx, name, subject);
  const records = subject === undefined
    ? []
    : await ctx.storage.metadata.listOciReferrers(name, subject);
  const manifests = [];
  for (const r of records) {
    if (filter !== null && r.artifactType !== filter) continue;
    const d: Record<string, unknown> = {
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.bytes.length,
    };
    if (r.artifactType !== null) d.artifactType = r.artifactType;
    const annotations = annotationsOf(r.bytes);
    if (annotations !== undefined) d.annotations = annotations;
    manifests.push(d);
  }
  const headers: Record<string, string> = { "content-type": OCI_INDEX, ...API_VERSION_HEADER };
  if (filter !== null) headers["oci-filters-applied"] = "artifactType";
  return new Response(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
    { headers },
  );
};

function annotationsOf(bytes: Uint8Array): Record<string, string> | undefined {
  try {
    const doc = parseJson(bytes) as { annotations?: Record<string, string> };
    return doc.annotations;
  } catch (e) {
    if (e instanceof OciError) return undefined; // stored manifests parsed once already
    throw e;
  }
}

/** `GET /v2/_catalog?n=&last=`: every repository (one per package), in name order. */
export const catalog: Handler = async (ctx, _req, _params, url) => {
  const n = nParam(url) ?? 100;
  const last = url.searchParams.get("last");
  const repos = new Set<string>();
  let after: { package: string; version: Version } | undefined;
  // Versions come in (package, version) order; a cursor past a package's last version moves on.
  for (let page = 0; page < 100; page++) {
    const versions = await ctx.storage.metadata.listVersions({ after, limit: 1000 });
    if (versions.length === 0) break;
    for (const v of versions) {
      repos.add(repositoryOf(parsePackageName(v.package), ctx.oci.prefix));
    }
    after = { package: versions.at(-1)!.package, version: "\u{10ffff}" as Version };
  }
  const names = [...repos].sort().filter((r) => last === null || r > last);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...API_VERSION_HEADER,
  };
  const shown = names.slice(0, n);
  if (names.length > n) {
    const next = new URLSearchParams({ n: String(n), last: shown.at(-1) ?? "" });
    headers.link = `</v2/_catalog?${next}>; rel="next"`;
  }
  return new Response(JSON.stringify({ repositories: shown }), { headers });
};
