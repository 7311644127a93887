/**
 * Media types and annotation keys of the OCI image spec, Docker's schema 2 and the CNCF Wasm
 * artifact layout (what wkg, wasmCloud and Spin read), and matching a type against `Accept`.
 */

/** An OCI image manifest. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** An OCI image index (a list of manifests). */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** The short-lived OCI artifact manifest (image-spec 1.1 release candidates); still in Accept lists. */
export const OCI_ARTIFACT_MANIFEST = "application/vnd.oci.artifact.manifest.v1+json";
/** Docker's schema 2 image manifest. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker's manifest list. */
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** A container image's configuration. */
export const OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
/** Docker's container configuration. */
export const DOCKER_IMAGE_CONFIG = "application/vnd.docker.container.image.v1+json";
/** The empty descriptor's type (`{}`), the config of artifacts that have none. */
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
/** The bytes of `{}`, the content of {@link OCI_EMPTY}. */
export const OCI_EMPTY_DIGEST =
  "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/** The CNCF Wasm artifact's configuration, version 0 (what wkg writes and requires). */
export const WASM_CONFIG = "application/vnd.wasm.config.v0+json";
/** The one layer of a Wasm artifact: the component or WIT package bytes. */
export const WASM_LAYER = "application/wasm";
/** The older wasm-to-oci config type, which wkg refuses. */
export const LEGACY_WASM_CONFIG = "application/vnd.wasm.config.v1+json";
/** The older wasm-to-oci layer type, which wkg refuses. */
export const LEGACY_WASM_LAYER = "application/vnd.wasm.content.layer.v1+wasm";

/** The manifest types a registry of images may serve. */
export const MANIFEST_TYPES: readonly string[] = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
];

/**
 * The `Accept` header a client sends for manifests: every manifest type, the OCI one included
 * (a registry like distribution answers 404 for an OCI manifest when Accept lacks its type).
 */
export const MANIFEST_ACCEPT: string = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
].join(", ");

/** Annotation keys of the OCI image spec that Wasm artifacts use. */
export const ANNOTATIONS = {
  title: "org.opencontainers.image.title",
  version: "org.opencontainers.image.version",
  description: "org.opencontainers.image.description",
  licenses: "org.opencontainers.image.licenses",
  source: "org.opencontainers.image.source",
  url: "org.opencontainers.image.url",
  authors: "org.opencontainers.image.authors",
  created: "org.opencontainers.image.created",
  revision: "org.opencontainers.image.revision",
} as const;

/**
 * Whether an `Accept` header value allows a media type: no header (or an empty one) allows
 * everything; otherwise the type, `type/*` or `*∕*` must be listed without `q=0`. Repeated
 * header lines arrive joined by commas (the Fetch API does that), which this reads as one list.
 *
 * @example
 * ```ts
 * import { acceptsMediaType, OCI_MANIFEST } from "./mod.ts";
 * console.assert(acceptsMediaType("application/json, application/vnd.oci.image.manifest.v1+json", OCI_MANIFEST));
 * console.assert(!acceptsMediaType("application/vnd.docker.distribution.manifest.v2+json", OCI_MANIFEST));
 * ```
 */
export function acceptsMediaType(accept: string | null | undefined, mediaType: string): boolean {
  if (accept === null || accept === undefined || accept.trim() === "") return true;
  const want = mediaType.toLowerCase();
  const slash = want.indexOf("/");
  const family = `${want.slice(0, slash)}/*`;
  for (const part of accept.split(",")) {
    const [range, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (range === "") continue;
    const q = params.find((p) => p.startsWith("q="));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (range === want || range === "*/*" || range === family) return true;
  }
  return false;
}
