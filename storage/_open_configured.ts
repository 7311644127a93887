/**
 * Opening the storage a deployment names: metadata in the embedded SQLite database or in
 * PostgreSQL (`postgres://…`), blobs in the embedded directory or in an S3-compatible store
 * (`s3://bucket/prefix?endpoint=…`). The networked backends are loaded only when named, so the
 * embedded default never loads their drivers.
 */
import { FsBlobStore } from "./_fs_blob_store.ts";
import { openStorage } from "./_open.ts";
import { blobsDir, DEFAULT_DATA_DIR, metadataDbPath } from "./_paths.ts";
import { SqliteMetadataStore } from "./_sqlite_metadata_store.ts";
import { StorageError } from "./_errors.ts";
import type { BlobStore, MetadataStore, Storage } from "./_types.ts";
import { syncDir } from "./_fs_blob_store.ts";

/** Where metadata and blobs live. */
export interface StorageConfig {
  /** `postgres://user@host:port/db?schema=…`; absent: SQLite in `dataDir`. */
  database?: string;
  /** `s3://bucket/prefix?endpoint=…&region=…&presign=SECONDS`; absent: files in `dataDir`. */
  blobs?: string;
  /** The embedded data directory (default `./wreg-data`), for what is not elsewhere. */
  dataDir?: string;
  /** Environment variables (credentials); default `Deno.env.get`. */
  env?: (name: string) => string | undefined;
  /** The default size limit of a blob put. */
  maxBlobSize?: number;
}

/** Reads `WREG_DATABASE_URL` and `WREG_BLOBS_URL` under the values given explicitly. */
export function storageConfigFromEnv(
  given: StorageConfig,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): StorageConfig {
  return {
    ...given,
    database: given.database ?? (env("WREG_DATABASE_URL") || undefined),
    blobs: given.blobs ?? (env("WREG_BLOBS_URL") || undefined),
    env: given.env ?? env,
  };
}

/** Whether several registry processes can share this storage (PostgreSQL and S3 both). */
export function isShared(config: StorageConfig): boolean {
  return config.database !== undefined && config.blobs !== undefined;
}

/** A one-line description without credentials, for logs. */
export function describeStorage(config: StorageConfig): string {
  const db = config.database === undefined
    ? `metadata ${metadataDbPath(config.dataDir ?? DEFAULT_DATA_DIR)}`
    : `metadata ${redact(config.database)}`;
  const blobs = config.blobs === undefined
    ? `blobs ${blobsDir(config.dataDir ?? DEFAULT_DATA_DIR)}`
    : `blobs ${redact(config.blobs)}`;
  return `${db}, ${blobs}`;
}

/** A URL with its password (and any query parameter that looks like a secret) hidden. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    for (const k of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(k)) u.searchParams.set(k, "***");
    }
    return u.href;
  } catch {
    return "(an unparsable URL)";
  }
}

/** Opens what the configuration names; the caller closes it. */
export async function openConfiguredStorage(config: StorageConfig): Promise<Storage> {
  const dataDir = config.dataDir ?? DEFAULT_DATA_DIR;
  if (config.database === undefined && config.blobs === undefined) {
    return await openStorage({ dataDir, maxBlobSize: config.maxBlobSize });
  }
  if (config.database === undefined || config.blobs === undefined) {
    await Deno.mkdir(dataDir, { recursive: true });
    await syncDir(dataDir);
  }
  let blobs: BlobStore;
  if (config.blobs !== undefined) {
    if (!config.blobs.startsWith("s3:")) {
      throw new StorageError(
        "invalid-input",
        "Invalid blob store URL: expected s3://bucket/prefix",
      );
    }
    const { S3BlobStore } = await import("./_s3_blob_store.ts");
    blobs = S3BlobStore.fromUrl(config.blobs, {
      env: config.env,
      maxSize: config.maxBlobSize,
    });
  } else {
    blobs = await FsBlobStore.open(blobsDir(dataDir), {
      maxSize: config.maxBlobSize,
      createFanoutDirs: true,
    });
  }
  let metadata: MetadataStore;
  try {
    if (config.database !== undefined) {
      const { PostgresMetadataStore } = await import("./_postgres_metadata_store.ts");
      metadata = await PostgresMetadataStore.open({ url: config.database });
    } else {
      metadata = await SqliteMetadataStore.open(metadataDbPath(dataDir));
    }
  } catch (e) {
    await blobs.close();
    throw e;
  }
  return {
    blobs,
    metadata,
    async close() {
      await metadata.close();
      await blobs.close();
    },
  };
}

/** Opens a PostgreSQL metadata store (loading its driver only now). */
export async function openPostgresMetadataStore(
  options: import("./_postgres_metadata_store.ts").PostgresMetadataStoreOptions,
): Promise<import("./_postgres_metadata_store.ts").PostgresMetadataStore> {
  const { PostgresMetadataStore } = await import("./_postgres_metadata_store.ts");
  return await PostgresMetadataStore.open(options);
}
