import { ioError } from "./_errors.ts";
import { FsBlobStore, syncDir } from "./_fs_blob_store.ts";
import { MemoryBlobStore } from "./_memory_blob_store.ts";
import { MemoryMetadataStore } from "./_memory_metadata_store.ts";
import { blobsDir, DEFAULT_DATA_DIR, metadataDbPath } from "./_paths.ts";
import { SqliteMetadataStore } from "./_sqlite_metadata_store.ts";
import type { BlobStore, MetadataStore, Storage } from "./_types.ts";

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /** The data directory; created when missing. Default `./wreg-data`. */
  dataDir?: string;
  /** The default size limit of a blob put, in bytes (1 GiB unless given). */
  maxBlobSize?: number;
  /** See `SqliteMetadataStoreOptions.synchronous`; `"full"` unless given. */
  synchronous?: "full" | "normal";
  /** See `FsBlobStoreOptions.createFanoutDirs`; true unless given. */
  createFanoutDirs?: boolean;
  /** The clock of the metadata store (tests). */
  now?: () => Date;
}

/** The embedded storage: what {@link openStorage} returns. */
export interface EmbeddedStorage extends Storage {
  /** The blob files under `<dataDir>/blobs`. */
  blobs: FsBlobStore;
  /** The SQLite database `<dataDir>/metadata.sqlite`. */
  metadata: SqliteMetadataStore;
  /** The data directory, as given. */
  dataDir: string;
}

/**
 * Opens the embedded storage under a data directory, creating what is missing: SQLite metadata in
 * `metadata.sqlite` and blob files under `blobs/`. Opening after a crash is clean: SQLite rolls
 * back unfinished transactions, and the blob store removes unfinished uploads. A second process
 * opening the same directory fails with `locked`.
 *
 * @example
 * ```ts
 * import { openStorage } from "./mod.ts";
 * const dataDir = await Deno.makeTempDir();
 * const storage = await openStorage({ dataDir });
 * const put = await storage.blobs.put(new TextEncoder().encode("hello"));
 * console.assert(await storage.blobs.has(put.digest));
 * await storage.close();
 * await Deno.remove(dataDir, { recursive: true });
 * ```
 */
export async function openStorage(options: OpenStorageOptions = {}): Promise<EmbeddedStorage> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  try {
    await Deno.mkdir(dataDir, { recursive: true });
    await syncDir(dataDir);
  } catch (e) {
    throw ioError(`create data directory "${dataDir}"`, e);
  }
  const blobs = await FsBlobStore.open(blobsDir(dataDir), {
    maxSize: options.maxBlobSize,
    createFanoutDirs: options.createFanoutDirs ?? true,
  });
  let metadata: SqliteMetadataStore;
  try {
    metadata = await SqliteMetadataStore.open(metadataDbPath(dataDir), {
      synchronous: options.synchronous,
      now: options.now,
    });
  } catch (e) {
    await blobs.close();
    throw e;
  }
  return {
    dataDir,
    blobs,
    metadata,
    async close() {
      await metadata.close();
      await blobs.close();
    },
  };
}

/**
 * A storage that lives in memory (for fast tests of the server): the same contract as the
 * embedded storage, nothing written to disk.
 */
export function openMemoryStorage(
  options: { maxBlobSize?: number; now?: () => Date } = {},
): Storage & { blobs: BlobStore; metadata: MetadataStore } {
  const blobs = new MemoryBlobStore({ maxSize: options.maxBlobSize, now: options.now });
  const metadata = new MemoryMetadataStore({ now: options.now });
  return {
    blobs,
    metadata,
    async close() {
      await metadata.close();
      await blobs.close();
    },
  };
}
