/**
 * Manifests and configs as clients push them: parsed strictly with limits, checked field by
 * field, and classified for a Wasm registry: a Wasm package (the CNCF layout wkg writes: a
 * `application/vnd.wasm.config.v0+json` config and exactly one `application/wasm` layer), an
 * artifact that refers to another manifest through `subject` (signatures, SBOMs, attestations),
 * or something else (container images, indexes), which is refused with the reason.
 */
import { tryParseDigest } from "../names/mod.ts";
import { OciError } from "./_errors.ts";
import { type Json, type JsonLimits, parseJson } from "./_json.ts";
import {
  DOCKER_IMAGE_CONFIG,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  LEGACY_WASM_CONFIG,
  LEGACY_WASM_LAYER,
  OCI_ARTIFACT_MANIFEST,
  OCI_IMAGE_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  WASM_CONFIG,
  WASM_LAYER,
} from "./_media.ts";
import { isDigestLike } from "./_names.ts";

/** A pointer to content: its type, digest and size, and optional extras. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  urls?: string[];
  /** Base64 of the content itself (image-spec 1.1), checked against the digest by readers. */
  data?: string;
  platform?: Record<string, Json>;
}

/** An image manifest (OCI or Docker schema 2). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (OCI or a Docker manifest list). */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A parsed manifest and the media type it is served with. */
export type ParsedManifest =
  | { kind: "image"; mediaType: string; manifest: ImageManifest }
  | { kind: "index"; mediaType: string; index: ImageIndex };

/** Limits on pushed manifests beyond the JSON limits. */
export interface ManifestLimits extends JsonLimits {
  /** Most layers (or index entries); default 256. */
  maxLayers: number;
  /** Most annotations on one object; default 256. */
  maxAnnotations: number;
  /** Longest annotation key plus value, in UTF-16 units; default 64 KiB. */
  maxAnnotationLength: number;
}

/** The limits used when none are given. */
export const DEFAULT_MANIFEST_LIMITS: Readonly<ManifestLimits> = Object.freeze({
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxLayers: 256,
  maxAnnotations: 256,
  maxAnnotationLength: 64 * 1024,
});

type Obj = { [key: string]: Json };

const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function invalid(path: string, why: string): OciError {
  return new OciError("MANIFEST_INVALID", `Invalid manifest: ${path} ${why}`, { path });
}

function stringField(o: Obj, key: string, path: string, required: true): string;
function stringField(o: Obj, key: string, path: string, required?: false): string | undefined;
function stringField(o: Obj, key: string, path: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) throw invalid(`${path}.${key}`, "is missing");
    return undefined;
  }
  if (typeof v !== "string") throw invalid(`${path}.${key}`, "must be a string");
  return v;
}

const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

function mediaTypeField(o: Obj, key: string, path: string, required: boolean): string | undefined {
  const v = required ? stringField(o, key, path, true) : stringField(o, key, path);
  if (v !== undefined && !MEDIA_TYPE.test(v)) {
    throw invalid(`${path}.${key}`, `${JSON.stringify(v.slice(0, 100))} is not a media type`);
  }
  return v;
}

function annotationsField(
  o: Obj,
  path: string,
  limits: ManifestLimits,
): Record<string, string> | undefined {
  const v = o.annotations;
  if (v === undefined) return undefined;
  if (!isObject(v)) throw invalid(`${path}.annotations`, "must be an object of strings");
  const keys = Object.keys(v);
  if (keys.length > limits.maxAnnotations) {
    throw invalid(
      `${path}.annotations`,
      `has ${keys.length} entries, more than ${limits.maxAnnotations}`,
    );
  }
  const out: Record<string, string> = {};
  for (const k of keys) {
    const s = v[k];
    if (typeof s !== "string") {
      throw invalid(`${path}.annotations[${JSON.stringify(k)}]`, "must be a string");
    }
    if (k.length + s.length > limits.maxAnnotationLength) {
      throw invalid(
        `${path}.annotations[${JSON.stringify(k.slice(0, 100))}]`,
        `is longer than ${limits.maxAnnotationLength} characters`,
      );
    }
    Object.defineProperty(out, k, {
      value: s,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Checks one descriptor object and returns it typed. */
function descriptor(v: Json | undefined, path: string, limits: ManifestLimits): Descriptor {
  if (!isObject(v)) throw invalid(path, "must be a descriptor object");
  const mediaType = mediaTypeField(v, "mediaType", path, true)!;
  const digest = stringField(v, "digest", path, true);
  if (!isDigestLike(digest)) {
    throw invalid(`${path}.digest`, `${JSON.stringify(digest.slice(0, 100))} is not a digest`);
  }
  const size = v.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`${path}.size`, "must be a whole number of bytes");
  }
  const d: Descriptor = { mediaType, digest, size };
  const annotations = annotationsField(v, path, limits);
  if (annotations !== undefined) d.annotations = annotations;
  const artifactType = mediaTypeField(v, "artifactType", path, false);
  if (artifactType !== undefined) d.artifactType = artifactType;
  if (v.urls !== undefined) {
    if (!Array.isArray(v.urls) || !v.urls.every((u) => typeof u === "string")) {
      throw invalid(`${path}.urls`, "must be a list of strings");
    }
    d.urls = v.urls as string[];
  }
  const data = stringField(v, "data", path);
  if (data !== undefined) d.data = data;
  if (v.platform !== undefined) {
    if (!isObject(v.platform)) throw invalid(`${path}.platform`, "must be an object");
    d.platform = v.platform;
  }
  return d;
}

/**
 * Parses and checks a manifest as a client pushes it: limits, strict JSON, `schemaVersion` 2,
 * every descriptor well formed (`mediaType`, a digest, a whole `size`), annotations strings.
 * The media type is the `mediaType` field, else the `Content-Type` it was pushed with; when both
 * are given they must agree. Throws {@link OciError} (`MANIFEST_INVALID`, `SIZE_INVALID`).
 *
 * @example
 * ```ts
 * import { parseManifest } from "./mod.ts";
 * const text = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
 * const m = parseManifest(new TextEncoder().encode(text));
 * console.assert(m.kind === "index");
 * ```
 */
export function parseManifest(
  bytes: Uint8Array,
  options: { contentType?: string; limits?: Partial<ManifestLimits> } = {},
): ParsedManifest {
  const limits = { ...DEFAULT_MANIFEST_LIMITS, ...options.limits };
  const doc = parseJson(bytes, limits, "the manifest");
  if (!isObject(doc)) throw invalid("the manifest", "must be a JSON object");
  if (doc.schemaVersion !== 2) throw invalid("schemaVersion", "must be 2");
  const declared = mediaTypeField(doc, "mediaType", "manifest", false);
  const contentType = options.contentType?.split(";")[0].trim().toLowerCase() || undefined;
  if (declared !== undefined && contentType !== undefined && declared !== contentType) {
    throw invalid(
      "mediaType",
      `is ${JSON.stringify(declared)} but the manifest was sent as ${JSON.stringify(contentType)}`,
    );
  }
  const mediaType = declared ?? contentType ??
    (doc.manifests !== undefined ? OCI_INDEX : doc.config !== undefined ? OCI_MANIFEST : undefined);
  if (mediaType === undefined) {
    throw invalid("mediaType", "is missing and the Content-Type names none");
  }
  const artifactType = mediaTypeField(doc, "artifactType", "manifest", false);
  const annotations = annotationsField(doc, "manifest", limits);
  const subject = doc.subject === undefined
    ? undefined
    : descriptor(doc.subject, "subject", limits);
  if (mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST) {
    if (doc.manifests !== undefined) {
      throw invalid("manifests", "belongs in an index, not an image manifest");
    }
    const config = descriptor(doc.config, "config", limits);
    if (!Array.isArray(doc.layers)) throw invalid("layers", "must be a list of descriptors");
    if (doc.layers.length > limits.maxLayers) {
      throw invalid("layers", `has ${doc.layers.length} entries, more than ${limits.maxLayers}`);
    }
    const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`, limits));
    const manifest: ImageManifest = { schemaVersion: 2, config, layers };
    if (declared !== undefined) manifest.mediaType = declared;
    if (artifactType !== undefined) manifest.artifactType = artifactType;
    if (subject !== undefined) manifest.subject = subject;
    if (annotations !== undefined) manifest.annotations = annotations;
    return { kind: "image", mediaType, manifest };
  }
  if (mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST) {
    if (!Array.isArray(doc.manifests)) throw invalid("manifests", "must be a list of descriptors");
    if (doc.manifests.length > limits.maxLayers) {
      throw invalid(
        "manifests",
        `has ${doc.manifests.length} entries, more than ${limits.maxLayers}`,
      );
    }
    const manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`, limits));
    const index: ImageIndex = { schemaVersion: 2, manifests };
    if (declared !== undefined) index.mediaType = declared;
    if (artifactType !== undefined) index.artifactType = artifactType;
    if (subject !== undefined) index.subject = subject;
    if (annotations !== undefined) index.annotations = annotations;
    return { kind: "index", mediaType, index };
  }
  if (mediaType === OCI_ARTIFACT_MANIFEST) {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept a manifest of type ${OCI_ARTIFACT_MANIFEST}: that type was withdrawn from the OCI spec; push an image manifest with an artifactType`,
      { mediaType },
      415,
    );
  }
  throw new OciError(
    "MANIFEST_INVALID",
    `Cannot accept a manifest of type ${JSON.stringify(mediaType)}: expected ${OCI_MANIFEST}`,
    { mediaType },
    415,
  );
}

/** What a manifest is, for a registry of Wasm packages. */
export type WasmManifestKind =
  | {
    /** A package version: the config descriptor and the one Wasm layer. */
    kind: "package";
    manifest: ImageManifest;
    config: Descriptor;
    layer: Descriptor;
  }
  | {
    /** An artifact about another manifest (`subject`): a signature, an SBOM, an attestation. */
    kind: "referrer";
    manifest: ImageManifest;
    subject: Descriptor;
    /** `artifactType`, else the config's media type (what the referrers API lists). */
    artifactType: string;
  };

/**
 * Classifies a parsed manifest for a Wasm registry: a Wasm package, or an artifact referring to
 * another manifest. Refuses (as {@link OciError} `MANIFEST_INVALID`, with the reason) indexes,
 * container images, the old wasm-to-oci layout, and Wasm manifests without exactly one
 * `application/wasm` layer.
 */
export function classifyManifest(parsed: ParsedManifest): WasmManifestKind {
  if (parsed.kind === "index") {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept an image index (${parsed.mediaType}): this registry holds Wasm packages, one manifest per version`,
      { mediaType: parsed.mediaType, reason: "index" },
    );
  }
  const m = parsed.manifest;
  if (m.subject !== undefined) {
    if (m.subject.mediaType !== OCI_MANIFEST && m.subject.mediaType !== DOCKER_MANIFEST) {
      throw new OciError(
        "MANIFEST_INVALID",
        `Cannot accept an artifact whose subject is a ${
          JSON.stringify(m.subject.mediaType)
        }: subjects here are package manifests (${OCI_MANIFEST})`,
        { subject: m.subject.digest, reason: "subject-type" },
      );
    }
    return {
      kind: "referrer",
      manifest: m,
      subject: m.subject,
      artifactType: m.artifactType ?? m.config.mediaType,
    };
  }
  const configType = m.config.mediaType;
  if (configType === OCI_IMAGE_CONFIG || configType === DOCKER_IMAGE_CONFIG) {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept a container image (config ${configType}): this registry holds Wasm components and WIT packages (config ${WASM_CONFIG}, one ${WASM_LAYER} layer)`,
      { configMediaType: configType, reason: "container-image" },
    );
  }
  if (
    configType === LEGACY_WASM_CONFIG || m.layers.some((l) => l.mediaType === LEGACY_WASM_LAYER)
  ) {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept the old wasm-to-oci layout (${LEGACY_WASM_CONFIG}): push the CNCF layout (config ${WASM_CONFIG}, one ${WASM_LAYER} layer), as wkg does`,
      { configMediaType: configType, reason: "legacy-wasm" },
    );
  }
  if (configType !== WASM_CONFIG) {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept an artifact with config ${
        JSON.stringify(configType)
      } and no subject: this registry holds Wasm packages (config ${WASM_CONFIG}); other artifacts must refer to a package's manifest through "subject"`,
      { configMediaType: configType, reason: "not-wasm" },
    );
  }
  if (m.mediaType === DOCKER_MANIFEST || parsed.mediaType !== OCI_MANIFEST) {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept a Wasm package as ${parsed.mediaType}: wkg reads ${OCI_MANIFEST}`,
      { mediaType: parsed.mediaType, reason: "manifest-type" },
    );
  }
  if (m.layers.length !== 1 || m.layers[0].mediaType !== WASM_LAYER) {
    throw new OciError(
      "MANIFEST_INVALID",
      `Cannot accept a Wasm package with layers [${
        m.layers.map((l) => l.mediaType).join(", ")
      }]: a Wasm package has exactly one ${WASM_LAYER} layer`,
      { layers: m.layers.map((l) => l.mediaType), reason: "layers" },
    );
  }
  const layer = m.layers[0];
  if (tryParseDigest(layer.digest) === undefined || tryParseDigest(m.config.digest) === undefined) {
    throw new OciError(
      "MANIFEST_INVALID",
      "Cannot accept a Wasm package whose digests are not sha256: this registry addresses content by sha256",
      { reason: "digest-algorithm" },
    );
  }
  return { kind: "package", manifest: m, config: m.config, layer };
}

/** The Wasm config v0 (`application/vnd.wasm.config.v0+json`). */
export interface WasmConfig {
  /** When the artifact was made (RFC 3339). */
  created: string;
  author?: string | null;
  /** `wasm`. */
  architecture: string;
  /** `wasip2` for components and WIT packages, `wasip1` for core modules. */
  os: string;
  /** The digests of the layers. */
  layerDigests: string[];
  /** What a component imports and exports (a WIT package exports its interfaces and worlds). */
  component?: { imports: string[]; exports: string[]; target?: string | null } | null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Whether `text` is an RFC 3339 date-time (what wkg requires of `created`). */
export function isRfc3339(text: string): boolean {
  return RFC3339.test(text) && !Number.isNaN(Date.parse(text.replace(" ", "T")));
}

function configInvalid(path: string, why: string): OciError {
  return new OciError("MANIFEST_INVALID", `Invalid Wasm config: ${path} ${why}`, { path });
}

/**
 * Parses and checks a Wasm config v0 blob: the fields wkg requires (`created` as RFC 3339,
 * `architecture`, `os`, `layerDigests`) and, when present, `author` and `component` with lists
 * of strings. Throws {@link OciError} `MANIFEST_INVALID`.
 */
export function parseWasmConfig(bytes: Uint8Array, limits: Partial<JsonLimits> = {}): WasmConfig {
  const doc = parseJson(
    bytes,
    { maxBytes: 1024 * 1024, maxDepth: 8, ...limits },
    "the Wasm config",
  );
  if (!isObject(doc)) throw configInvalid("the config", "must be a JSON object");
  const created = doc.created;
  if (typeof created !== "string" || !isRfc3339(created)) {
    throw configInvalid("created", "must be an RFC 3339 date-time (wkg requires it)");
  }
  const architecture = doc.architecture;
  if (typeof architecture !== "string") throw configInvalid("architecture", "must be a string");
  const os = doc.os;
  if (typeof os !== "string") throw configInvalid("os", "must be a string");
  const layerDigests = doc.layerDigests;
  if (
    !Array.isArray(layerDigests) ||
    !layerDigests.every((d) => typeof d === "string" && isDigestLike(d))
  ) {
    throw configInvalid("layerDigests", "must be a list of digests");
  }
  const config: WasmConfig = { created, architecture, os, layerDigests: layerDigests as string[] };
  if (doc.author !== undefined) {
    if (doc.author !== null && typeof doc.author !== "string") {
      throw configInvalid("author", "must be a string or null");
    }
    config.author = doc.author;
  }
  if (doc.component !== undefined && doc.component !== null) {
    const c = doc.component;
    if (!isObject(c)) throw configInvalid("component", "must be an object");
    const list = (key: string) => {
      const v = c[key];
      if (v === undefined) return [];
      if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
        throw configInvalid(`component.${key}`, "must be a list of strings");
      }
      return v as string[];
    };
    const target = c.target;
    if (target !== undefined && target !== null && typeof target !== "string") {
      throw configInvalid("component.target", "must be a string or null");
    }
    config.component = {
      imports: list("imports"),
      exports: list("exports"),
      target: target ?? null,
    };
  } else if (doc.component === null) config.component = null;
  return config;
}

/**
 * Checks that a Wasm package's config belongs to its manifest: architecture `wasm` and the one
 * layer's digest in `layerDigests`. Throws {@link OciError} `MANIFEST_INVALID`.
 */
export function checkWasmConfig(config: WasmConfig, layer: Descriptor): void {
  if (config.architecture !== "wasm") {
    throw configInvalid("architecture", `is ${JSON.stringify(config.architecture)}, not "wasm"`);
  }
  if (!config.layerDigests.includes(layer.digest)) {
    throw configInvalid("layerDigests", `does not list the layer ${layer.digest}`);
  }
}
