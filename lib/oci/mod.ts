/**
 * The OCI side of wreg, pure: what the distribution protocol and the CNCF Wasm artifact layout
 * need, for the registry that speaks them (`/v2`) and the CLI that reads OCI registries.
 *
 * - media types and `Accept` matching ({@link acceptsMediaType});
 * - strict JSON with limits ({@link parseJson}) and canonical JSON ({@link canonicalJson});
 * - manifests as clients push them: {@link parseManifest} checks every field,
 *   {@link classifyManifest} tells a Wasm package from an artifact about one (`subject`) and
 *   refuses the rest (indexes, container images) with the reason; {@link parseWasmConfig} and
 *   {@link checkWasmConfig} check the config v0;
 * - the artifact of a stored release built deterministically ({@link buildWasmArtifact}:
 *   `created` is the publish time and the JSON canonical, so the bytes never change);
 * - names: repositories `<prefix><ns>/<name>` ({@link repositoryOf},
 *   {@link packageOfRepository}), tags as versions with `+` written `_` ({@link tagOfVersion},
 *   {@link versionOfTag}), references `registry/repo[:tag][@digest]` ({@link parseReference});
 * - digests in the protocol's form ({@link parseOciDigest}, {@link matchesDigest});
 * - errors as the protocol's envelope ({@link OciError}, {@link errorEnvelope},
 *   {@link parseErrorEnvelope});
 * - token auth: challenges ({@link parseChallenges}, {@link formatBearerChallenge}) and scopes
 *   ({@link parseScope});
 * - the wasm-pkg discovery document ({@link parseRegistryMetadata},
 *   {@link formatRegistryMetadata}).
 *
 * @example
 * ```ts
 * import { classifyManifest, parseManifest } from "./mod.ts";
 * const text = JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   config: { mediaType: "application/vnd.wasm.config.v0+json", digest: "sha256:" + "1".repeat(64), size: 10 },
 *   layers: [{ mediaType: "application/wasm", digest: "sha256:" + "2".repeat(64), size: 20 }],
 * });
 * const kind = classifyManifest(parseManifest(new TextEncoder().encode(text)));
 * console.assert(kind.kind === "package");
 * ```
 *
 * @module
 */
export {
  errorEnvelope,
  OCI_ERROR_CODES,
  OciError,
  type OciErrorCode,
  type OciErrorEntry,
  parseErrorEnvelope,
} from "./_errors.ts";
export {
  canonicalJson,
  DEFAULT_JSON_LIMITS,
  type Json,
  type JsonLimits,
  parseJson,
} from "./_json.ts";
export {
  acceptsMediaType,
  ANNOTATIONS,
  DOCKER_IMAGE_CONFIG,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  LEGACY_WASM_CONFIG,
  LEGACY_WASM_LAYER,
  MANIFEST_ACCEPT,
  MANIFEST_TYPES,
  OCI_ARTIFACT_MANIFEST,
  OCI_EMPTY,
  OCI_EMPTY_DIGEST,
  OCI_IMAGE_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  WASM_CONFIG,
  WASM_LAYER,
} from "./_media.ts";
export {
  checkNamespacePrefix,
  formatReference,
  isDigestLike,
  isRepositoryName,
  isTag,
  MAX_REPOSITORY_LENGTH,
  type OciFetchLines,
  ociFetchLines,
  type OciReference,
  packageOfRepository,
  packageOfRepositoryOrFail,
  parseReference,
  repositoryOf,
  sortTags,
  tagOfVersion,
  versionOfTag,
} from "./_names.ts";
export {
  checkWasmConfig,
  classifyManifest,
  DEFAULT_MANIFEST_LIMITS,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isRfc3339,
  type ManifestLimits,
  type ParsedManifest,
  parseManifest,
  parseWasmConfig,
  type WasmConfig,
  type WasmManifestKind,
} from "./_manifest.ts";
export {
  type Blob,
  buildWasmArtifact,
  buildWasmConfig,
  buildWasmManifest,
  type ReleaseMetadata,
  wasmAnnotations,
  type WasmArtifact,
  type WasmArtifactInput,
  type WasmConfigInput,
  type WasmManifestInput,
} from "./_build.ts";
export { digestWith, matchesDigest, type OciDigest, parseOciDigest } from "./_digest.ts";
export {
  type Challenge,
  formatBearerChallenge,
  formatScope,
  parseChallenges,
  parseScope,
  type Scope,
  tokenOfResponse,
} from "./_auth.ts";
export {
  formatRegistryMetadata,
  parseRegistryMetadata,
  type RegistryMetadata,
  WELL_KNOWN_PATH,
} from "./_discovery.ts";
