/**
 * The OCI artifact of a stored release, built deterministically: the Wasm config v0 and the image
 * manifest in the layout wkg writes, as canonical JSON (keys sorted, no spaces). The same release
 * always gives the same bytes, so the digests clients verify and lock never change: `created` is
 * the publish time, never "now".
 */
import { type Digest, digestOf, type Version } from "../names/mod.ts";
import { canonicalJson } from "./_json.ts";
import { ANNOTATIONS, OCI_MANIFEST, WASM_CONFIG, WASM_LAYER } from "./_media.ts";

/** Bytes with their digest and size. */
export interface Blob {
  bytes: Uint8Array;
  digest: Digest;
  size: number;
}

/** What {@link buildWasmConfig} needs. */
export interface WasmConfigInput {
  /** The publish time, RFC 3339 (`2026-12-07T04:57:09.746Z`). */
  created: string;
  /** The digest of the one layer (the package's bytes). */
  layerDigest: Digest;
  /** `wasip2` (components and WIT packages, the default) or `wasip1` (core modules). */
  os?: string;
  /** A component's world imports; nothing for a WIT package. */
  imports: readonly string[];
  /** A component's world exports; a WIT package's interfaces and worlds. */
  exports: readonly string[];
}

/**
 * The config blob: `{architecture, author: null, component: {exports, imports, target: null},
 * created, layerDigests, os}` as canonical JSON.
 *
 * @example
 * ```ts
 * import { buildWasmConfig } from "./mod.ts";
 * const c = await buildWasmConfig({
 *   created: "2026-01-01T00:00:00Z",
 *   layerDigest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" as never,
 *   imports: [],
 *   exports: ["docs:hello/greet@1.0.0"],
 * });
 * console.assert(new TextDecoder().decode(c.bytes).startsWith('{"architecture":"wasm"'));
 * ```
 */
export async function buildWasmConfig(input: WasmConfigInput): Promise<Blob> {
  const text = canonicalJson({
    architecture: "wasm",
    author: null,
    component: { exports: [...input.exports], imports: [...input.imports], target: null },
    created: input.created,
    layerDigests: [input.layerDigest],
    os: input.os ?? "wasip2",
  });
  return await blobOf(text);
}

/** What {@link buildWasmManifest} needs. */
export interface WasmManifestInput {
  config: { digest: Digest; size: number };
  layer: { digest: Digest; size: number; title: string };
  /** Manifest annotations (see {@link wasmAnnotations}). */
  annotations: Readonly<Record<string, string>>;
}

/**
 * The image manifest: config, the one `application/wasm` layer with its title, and the
 * annotations, as canonical JSON. Given wkg's inputs it gives wkg's bytes.
 */
export async function buildWasmManifest(input: WasmManifestInput): Promise<Blob> {
  const manifest: Record<string, unknown> = {
    config: { digest: input.config.digest, mediaType: WASM_CONFIG, size: input.config.size },
    layers: [{
      annotations: { [ANNOTATIONS.title]: input.layer.title },
      digest: input.layer.digest,
      mediaType: WASM_LAYER,
      size: input.layer.size,
    }],
    mediaType: OCI_MANIFEST,
    schemaVersion: 2,
  };
  if (Object.keys(input.annotations).length > 0) manifest.annotations = { ...input.annotations };
  return await blobOf(canonicalJson(manifest));
}

/** The metadata of a release that becomes manifest annotations. */
export interface ReleaseMetadata {
  version: Version | string;
  description?: string | null;
  licenses?: string;
  source?: string;
  homepage?: string;
  authors?: string;
}

/**
 * The manifest annotations wkg writes from wasm-metadata: `org.opencontainers.image.version`
 * always, `description`, `licenses`, `source`, `url` (the homepage) and `authors` when known.
 */
export function wasmAnnotations(meta: ReleaseMetadata): Record<string, string> {
  const out: Record<string, string> = { [ANNOTATIONS.version]: meta.version };
  const put = (key: string, value: string | null | undefined) => {
    if (typeof value === "string" && value !== "") out[key] = value;
  };
  put(ANNOTATIONS.description, meta.description);
  put(ANNOTATIONS.licenses, meta.licenses);
  put(ANNOTATIONS.source, meta.source);
  put(ANNOTATIONS.url, meta.homepage);
  put(ANNOTATIONS.authors, meta.authors);
  return out;
}

/** Everything {@link buildWasmArtifact} needs: the layer, its metadata and its world. */
export interface WasmArtifactInput extends WasmConfigInput {
  layerSize: number;
  /** The layer's file name (`hello.wasm`), which `oras pull` writes it as. */
  title: string;
  annotations: Readonly<Record<string, string>>;
}

/** A release's config and manifest. */
export interface WasmArtifact {
  config: Blob;
  manifest: Blob & { mediaType: string };
}

/**
 * The config and manifest of a release, deterministically.
 *
 * @example
 * ```ts
 * import { buildWasmArtifact, wasmAnnotations } from "./mod.ts";
 * const input = {
 *   created: "2026-01-01T00:00:00.000Z",
 *   layerDigest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" as never,
 *   layerSize: 0,
 *   title: "hello.wasm",
 *   imports: [],
 *   exports: [],
 *   annotations: wasmAnnotations({ version: "1.0.0" }),
 * };
 * const a = await buildWasmArtifact(input);
 * const b = await buildWasmArtifact(input);
 * console.assert(a.manifest.digest === b.manifest.digest);
 * ```
 */
export async function buildWasmArtifact(input: WasmArtifactInput): Promise<WasmArtifact> {
  const config = await buildWasmConfig(input);
  const manifest = await buildWasmManifest({
    config,
    layer: { digest: input.layerDigest, size: input.layerSize, title: input.title },
    annotations: input.annotations,
  });
  return { config, manifest: { ...manifest, mediaType: OCI_MANIFEST } };
}

async function blobOf(text: string): Promise<Blob> {
  const bytes = new TextEncoder().encode(text);
  return { bytes, digest: await digestOf(bytes), size: bytes.length };
}
