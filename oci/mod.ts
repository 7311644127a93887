/**
 * The OCI client both sides of wreg share: the CLI reads and publishes packages on any OCI
 * registry with it, and the registry mirrors upstream namespaces with it. It does I/O (network,
 * and the discovery cache's files), so it lives outside `lib/`; the formats it reads (manifests,
 * configs, media types) are lib/oci's.
 *
 * - {@link OciClient}: one registry's `/v2/` API: tags (paged), manifests, blobs, pushes; bearer
 *   and Basic auth, redirects without leaking credentials, every byte verified, every read
 *   bounded in size and time.
 * - {@link discoverRegistry}: the wasm-pkg well-known document, cached with HTTP rules;
 *   {@link BUILTIN_NAMESPACE_REGISTRIES} (`wasi` → `wasi.dev`, `ba` → `bytecodealliance.org`).
 * - {@link parseOciRegistry} / {@link formatOciRegistry}: `oci://host[:port]/prefix/`; the
 *   repository of a package is lib/oci's `repositoryOf`.
 * - {@link dockerCredentials}: the user's Docker `config.json`.
 *
 * Errors are {@link OciClientError}s with a stable code; the caller renders them.
 *
 * @module
 */
export { OciClientError, type OciClientErrorCode } from "./_errors.ts";
export {
  type BlobRef,
  DEFAULT_OCI_LIMITS,
  type FetchedManifest,
  OciClient,
  type OciClientOptions,
  type OciLimits,
} from "./_client.ts";
export {
  credentialsFromDockerConfig,
  dockerConfigPath,
  dockerCredentials,
  type OciCredentials,
} from "./_credentials.ts";
export {
  BUILTIN_NAMESPACE_REGISTRIES,
  type CachedDiscovery,
  discoverRegistry,
  type DiscoveryCache,
  type DiscoveryOptions,
  fileDiscoveryCache,
  memoryDiscoveryCache,
  parseDiscoveryDocument,
} from "./_discovery.ts";
export {
  formatOciRegistry,
  isOciRegistry,
  normalizeHost,
  normalizePrefix,
  type OciRegistryRef,
  parseOciRegistry,
  protocolFor,
} from "./_registry_ref.ts";
export {
  BodyError,
  type BodyErrorKind,
  isLoopbackHost,
  MAX_CONNECTIONS,
  mayCarrySecrets,
  MIN_BYTES_PER_SECOND,
  readBody,
  type ReadBodyOptions,
  seconds,
  Slots,
} from "./_body.ts";
