/**
 * Every version is an OCI artifact, whichever route published it. A version pushed through `/v2`
 * keeps the manifest its client pushed (stored with the version, in the same commit). A version
 * published through wreg's API or seeded gets one generated from the release by lib/oci,
 * deterministically (`created` = the publish time, canonical JSON), the first time anyone asks;
 * it is then stored (first writer wins), so its bytes never change even if the generator does.
 */
import type { PackageName, Version } from "../../lib/names/mod.ts";
import { buildWasmArtifact, wasmAnnotations, type WasmArtifactInput } from "../../lib/oci/mod.ts";
import { formatPackageName } from "../../lib/names/mod.ts";
import type { OciManifestRecord, VersionRecord } from "../../storage/mod.ts";
import type { Context } from "../_context.ts";
import type { VersionDocument } from "../_document.ts";

/**
 * What lib/oci builds a version's artifact from: the layer (the stored bytes), the publish time,
 * the world (a component's imports and exports; a WIT package exports its interfaces and
 * worlds) and the metadata wkg turns into annotations.
 */
export function artifactInputOf(record: VersionRecord): WasmArtifactInput {
  const doc = record.document as unknown as Partial<VersionDocument>;
  const name = record.package.slice(record.package.indexOf(":") + 1);
  let imports: string[] = [];
  let exports: string[] = [];
  if (record.kind === "wit-package") {
    exports = [
      ...(doc.interfaces ?? []).map((i) => i.id),
      ...(doc.worlds ?? []).map((w) => w.id).filter((id): id is string => id !== null),
    ];
  } else {
    const world = doc.worlds?.[0];
    imports = (world?.imports ?? []).map((i) => i.name);
    exports = (world?.exports ?? []).map((e) => e.name);
  }
  const meta = (doc.metadata ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    created: record.publishedAt,
    layerDigest: record.digest,
    layerSize: record.size,
    title: `${name}.wasm`,
    imports,
    exports,
    annotations: wasmAnnotations({
      version: record.version,
      description: doc.description ?? undefined,
      licenses: text(meta.licenses),
      source: text(meta.source),
      homepage: text(meta.homepage),
      authors: text(meta.authors),
    }),
  };
}

/**
 * A version's manifest: the stored one, else generated from the release and stored. `undefined`
 * when the version does not exist.
 */
export async function versionManifest(
  ctx: Context,
  name: PackageName,
  version: Version,
): Promise<OciManifestRecord | undefined> {
  const key = `${formatPackageName(name)}@${version}`;
  const cached = ctx.oci.versionManifests.get(key);
  if (cached !== undefined) return cached;
  const { metadata, blobs } = ctx.storage;
  let record = await metadata.getOciManifestOfVersion(name, version);
  if (record === undefined) {
    const v = await metadata.getVersion(name, version);
    if (v === undefined) return undefined;
    const artifact = await buildWasmArtifact(artifactInputOf(v));
    // The config first: once the manifest is stored, its config must be there.
    await blobs.put(artifact.config.bytes, { digest: artifact.config.digest });
    record = (await metadata.putOciManifest(name, {
      version,
      digest: artifact.manifest.digest,
      mediaType: artifact.manifest.mediaType,
      bytes: artifact.manifest.bytes,
      blobs: [artifact.config.digest, v.digest],
    })).record;
  }
  ctx.oci.rememberManifest(key, record);
  return record;
}
