import { createHash } from "node:crypto";
import type { Digest } from "../lib/names/mod.ts";
import type { Storage, VersionSummary } from "./_types.ts";

/** What {@link verifyStorage} found. */
export interface VerifyReport {
  /** Versions checked. */
  versions: number;
  /** Versions whose blob is missing. */
  missing: VersionSummary[];
  /** Versions whose blob has the wrong size or (with `rehash`) the wrong bytes. */
  corrupt: { version: VersionSummary; actualDigest?: Digest; actualSize: number }[];
}

/**
 * Checks that every version's blob is stored with its recorded size and, with `rehash`, that its
 * bytes still hash to its digest. Reads everything; meant for `fsck`-style checks and tests.
 */
export async function verifyStorage(
  storage: Storage,
  options: { rehash?: boolean } = {},
): Promise<VerifyReport> {
  const report: VerifyReport = { versions: 0, missing: [], corrupt: [] };
  let after: { package: string; version: VersionSummary["version"] } | undefined;
  while (true) {
    const page = await storage.metadata.listVersions({ after, limit: 500 });
    if (page.length === 0) break;
    for (const v of page) {
      report.versions++;
      const stat = await storage.blobs.stat(v.digest);
      if (!stat) {
        report.missing.push(v);
        continue;
      }
      if (stat.size !== v.size) {
        report.corrupt.push({ version: v, actualSize: stat.size });
        continue;
      }
      if (options.rehash) {
        const body = await storage.blobs.get(v.digest);
        const hash = createHash("sha256");
        for await (const chunk of body.stream) hash.update(chunk);
        const actual = `sha256:${hash.digest("hex")}` as Digest;
        if (actual !== v.digest) {
          report.corrupt.push({ version: v, actualDigest: actual, actualSize: stat.size });
        }
      }
    }
    const last = page[page.length - 1];
    after = { package: last.package, version: last.version };
  }
  return report;
}
