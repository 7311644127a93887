/**
 * The storage layer of the wreg registry: a content-addressed {@link BlobStore} for the bytes of
 * components and WIT packages, and a {@link MetadataStore} for packages, versions, yanks,
 * namespaces, tokens and the search index.
 *
 * The embedded default ({@link openStorage}) keeps everything under one data directory: SQLite
 * (`node:sqlite`, WAL, fsynced commits) for metadata and digest-named files for blobs. An
 * in-memory pair ({@link openMemoryStorage}) behaves the same for fast tests. Every
 * implementation passes one contract suite (storage/_contract.ts).
 *
 * Publishing is two steps with one commit point: {@link BlobStore.put} streams the bytes while
 * hashing (an unreferenced blob is all a crash can leave), then
 * {@link MetadataStore.commitVersion} inserts the version, its search rows and the package in one
 * transaction; a duplicate version fails with a `conflict` {@link StorageError} and writes nothing.
 *
 * @example
 * ```ts
 * import { openMemoryStorage } from "./mod.ts";
 * import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
 *
 * const storage = openMemoryStorage();
 * const bytes = new TextEncoder().encode("(component)");
 * const blob = await storage.blobs.put(bytes);
 * await storage.metadata.commitVersion({
 *   name: parsePackageName("docs:hello"),
 *   version: parseVersion("1.0.0"),
 *   kind: "component",
 *   digest: blob.digest,
 *   size: blob.size,
 *   publisher: "alice",
 *   document: {},
 *   searchRows: [],
 * });
 * const latest = await storage.metadata.latestVersion(parsePackageName("docs:hello"));
 * console.assert(latest?.digest === blob.digest);
 * ```
 *
 * @module
 */
export { isStorageError, STORAGE_ERRORS, StorageError, type StorageErrorCode } from "./_errors.ts";
export type {
  BlobBody,
  BlobSource,
  BlobStat,
  BlobStore,
  ByteRange,
  DependentRecord,
  DerivedInput,
  DigestHold,
  JsonObject,
  JsonValue,
  LatestOptions,
  LogCheckpoint,
  LogNode,
  LogPosition,
  MetadataStore,
  NamespaceKeys,
  NamespaceRecord,
  NamespaceRole,
  OciBlobLinkInput,
  OciManifestInput,
  OciManifestRecord,
  OciUploadInput,
  OciUploadPart,
  OciUploadRecord,
  PackageDetail,
  PackageKind,
  PackageSummary,
  PublisherKeyRecord,
  PublishInput,
  PutOptions,
  PutResult,
  ReleaseSignature,
  SearchRelation,
  SearchRow,
  SearchRowInput,
  SearchTarget,
  Storage,
  StoreChange,
  TargetQuery,
  TextQuery,
  Timestamp,
  TokenInput,
  TokenRecord,
  TokenScope,
  Totals,
  VersionCursor,
  VersionRecord,
  VersionSummary,
} from "./_types.ts";
export { REQUIRING_RELATIONS, TOKEN_SCOPES } from "./_types.ts";
/** The validated name types the storage API takes and returns (from lib/names). */
export type { Digest, PackageName, Version } from "../lib/names/mod.ts";
export {
  type EmbeddedStorage,
  openMemoryStorage,
  openStorage,
  type OpenStorageOptions,
} from "./_open.ts";
export { FsBlobStore, type FsBlobStoreOptions } from "./_fs_blob_store.ts";
export { MemoryBlobStore } from "./_memory_blob_store.ts";
export { SqliteMetadataStore, type SqliteMetadataStoreOptions } from "./_sqlite_metadata_store.ts";
export { MemoryMetadataStore } from "./_memory_metadata_store.ts";
export { type VerifyReport, verifyStorage } from "./_verify.ts";
export {
  formatTarget as formatSearchTarget,
  hashTokenSecret,
  MAX_DESCRIPTION,
  MAX_USER,
  newTokenSecret,
  parseSearchTarget,
} from "./_rules.ts";
export { blobKey, DEFAULT_DATA_DIR, uploadPartKey } from "./_paths.ts";
export { MAX_OCI_MANIFEST_BYTES } from "./_oci_rules.ts";
export { DEFAULT_MAX_BLOB_SIZE } from "./_ingest.ts";
export { SCHEMA_VERSION } from "./_migrations.ts";
export {
  describeStorage,
  isShared,
  openConfiguredStorage,
  openPostgresMetadataStore,
  redact as redactUrl,
  type StorageConfig,
  storageConfigFromEnv,
} from "./_open_configured.ts";
export { LocalCoordinator } from "./_coordination.ts";
/** The scale-out backends: their types here; they load only when named (`openConfiguredStorage`). */
export type {
  PostgresMetadataStore,
  PostgresMetadataStoreOptions,
} from "./_postgres_metadata_store.ts";
export type { S3BlobStore, S3BlobStoreOptions, S3Location } from "./_s3_blob_store.ts";
export { migrateEmbedded, type MigrateOptions, type MigrateReport } from "./_migrate.ts";
export { collectGarbage, DEFAULT_GC_GRACE_MS, type GcOptions, type GcReport } from "./_gc.ts";
