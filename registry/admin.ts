/**
 * `wreg admin`: operations on a registry's storage, run beside (or instead of) the servers.
 *
 * ```sh
 * deno run -A registry/admin.ts migrate --from ./wreg-data --to postgres://… s3://bucket/prefix?…
 * deno run -A registry/admin.ts gc [--data DIR | --database URL --blobs URL] [--grace 24h] [--dry-run]
 * ```
 *
 * `migrate` moves an embedded registry (stopped: its data directory's lock is taken) into
 * PostgreSQL + S3, verifying every row and every digest; it can be run again (it resumes, and a
 * second run moves nothing). `gc` removes blobs that nothing references and that are older than
 * the grace period, never one a publish in flight holds; with PostgreSQL + S3 it runs while the
 * servers serve. Credentials come from the URLs, `PGPASSWORD`, `AWS_ACCESS_KEY_ID` and
 * `AWS_SECRET_ACCESS_KEY`, and are never printed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  collectGarbage,
  DEFAULT_GC_GRACE_MS,
  describeStorage,
  migrateEmbedded,
  openConfiguredStorage,
  storageConfigFromEnv,
} from "../storage/mod.ts";

const HELP = `Usage: wreg admin <command> [options]

Commands:
  migrate --from DIR --to DATABASE [BLOBS]
      Moves the embedded registry in DIR (stop its server first) into PostgreSQL
      (DATABASE: postgres://user@host:port/db[?schema=S]) and an S3 store (BLOBS, or
      --blobs: s3://bucket/prefix?endpoint=URL&region=R). Every row and blob is verified;
      run it again to resume, a second run moves nothing. --quick checks blob sizes only.
  gc [--data DIR | --database URL --blobs URL] [--grace DURATION] [--dry-run]
      Removes blobs no version or manifest references, stored longer ago than the grace
      period (default 24h; e.g. 30m, 2h, 7d), never one a publish in flight holds.

Credentials: the database password in its URL or PGPASSWORD; AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY for S3. WREG_DATABASE_URL and WREG_BLOBS_URL stand for the flags.
`;

/** Parses `30s`, `15m`, `2h`, `7d` (or plain milliseconds). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "ms"]!;
  return Number(m[1]) * unit;
}

/** Runs one admin command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "-h" || command === "--help") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        data: { type: "string" },
        database: { type: "string" },
        blobs: { type: "string" },
        grace: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}; run \`wreg admin --help\``);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  try {
    if (command === "migrate") {
      if (values.from === undefined) {
        console.error("error: migrate needs --from <data dir>; run `wreg admin --help`");
        return 2;
      }
      const to = storageConfigFromEnv({
        database: values.to ?? values.database,
        blobs: positionals[0] ?? values.blobs,
      });
      if (to.database === undefined) {
        console.error("error: migrate needs --to postgres://…; run `wreg admin --help`");
        return 2;
      }
      console.log(`wreg admin migrate: ${values.from} → ${describeStorage(to)}`);
      const report = await migrateEmbedded({
        from: values.from,
        to,
        quick: values.quick,
        log: (line) => console.log(`  ${line}`),
      });
      const rows = Object.values(report.rows).reduce((a, b) => a + b, 0);
      console.log(
        `moved ${rows} rows and ${report.blobsMoved} blobs (${report.bytesMoved} bytes); ` +
          `${report.blobsPresent} blobs were there already; ${report.blobsVerified} verified`,
      );
      console.log(`rows by table: ${JSON.stringify(report.rows)}`);
      if (report.problems.length > 0) {
        for (const p of report.problems) console.error(`error: ${p}`);
        return 1;
      }
      console.log("the target is identical to the source");
      return 0;
    }
    if (command === "gc") {
      const graceMs = values.grace === undefined
        ? DEFAULT_GC_GRACE_MS
        : parseDuration(values.grace);
      if (graceMs === undefined) {
        console.error(
          `error: invalid --grace ${JSON.stringify(values.grace)}: expected 30m, 2h, 7d…`,
        );
        return 2;
      }
      const config = storageConfigFromEnv({
        dataDir: values.data,
        database: values.database,
        blobs: values.blobs,
      });
      const storage = await openConfiguredStorage(config);
      try {
        const r = await collectGarbage(storage, { graceMs, dryRun: values["dry-run"] });
        console.log(
          `${
            values["dry-run"] ? "would remove" : "removed"
          } ${r.deleted} blobs (${r.bytes} bytes) of ${r.scanned}; ` +
            `kept ${r.referenced} referenced, ${r.recent} recent, ${r.held} held by publishes in flight`,
        );
      } finally {
        await storage.close();
      }
      return 0;
    }
    console.error(
      `error: unknown admin command ${JSON.stringify(command)}; run \`wreg admin --help\``,
    );
    return 2;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
