/**
 * Garbage collection of blobs (`wreg admin gc`): removes blobs that no version or OCI manifest
 * references and that are older than a grace period. A blob a publish in flight holds (in any
 * process sharing the storage) is never removed: each deletion runs through
 * `MetadataStore.ifDigestUnheld`, which a hold excludes, and checks the references inside it.
 */
import type { Storage } from "./_types.ts";

/** What {@link collectGarbage} did. */
export interface GcReport {
  /** Blobs looked at. */
  scanned: number;
  /** Blobs removed (or, in a dry run, that would be). */
  deleted: number;
  /** Bytes of those. */
  bytes: number;
  /** Blobs kept because a version or manifest references them. */
  referenced: number;
  /** Blobs kept because they are younger than the grace period. */
  recent: number;
  /** Blobs kept because a publish in flight holds them. */
  held: number;
}

/** Options of {@link collectGarbage}. */
export interface GcOptions {
  /** Blobs stored less than this long ago are kept, in ms (default 24 hours). */
  graceMs?: number;
  /** Report what would be removed without removing it. */
  dryRun?: boolean;
  /** The clock. */
  now?: () => Date;
}

/** The grace period when none is given: a day. */
export const DEFAULT_GC_GRACE_MS = 24 * 3600 * 1000;

/** See the module documentation. */
export async function collectGarbage(storage: Storage, options: GcOptions = {}): Promise<GcReport> {
  const grace = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const now = (options.now ?? (() => new Date()))().getTime();
  const report: GcReport = { scanned: 0, deleted: 0, bytes: 0, referenced: 0, recent: 0, held: 0 };
  for await (const blob of storage.blobs.list()) {
    report.scanned++;
    if (now - Date.parse(blob.storedAt) < grace) {
      report.recent++;
      continue;
    }
    const outcome = await storage.metadata.ifDigestUnheld(blob.digest, async () => {
      if (await storage.metadata.isDigestReferenced(blob.digest)) return "referenced" as const;
      if (!options.dryRun) await storage.blobs.delete(blob.digest);
      return "deleted" as const;
    });
    if (!outcome.ran) report.held++;
    else if (outcome.value === "referenced") report.referenced++;
    else {
      report.deleted++;
      report.bytes += blob.size;
    }
  }
  return report;
}
