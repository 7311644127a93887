/**
 * `wreg admin`: storage operations (`migrate` an embedded registry into PostgreSQL + S3, `gc`
 * unreferenced blobs). They live with the registry (registry/admin.ts), which the CLI may not
 * import (ARCHITECTURE.md, layers), so it runs that entry point as a child process with the same
 * Deno, passing its output through and returning its exit code.
 */
import type { Command, Io } from "./_command.ts";

const HELP = `Usage: wreg admin migrate --from DIR --to DATABASE [BLOBS] [--quick]
       wreg admin gc [--data DIR | --database URL --blobs URL] [--grace 24h] [--dry-run]

migrate  Moves the embedded registry in DIR (stop its server first) into PostgreSQL and an
         S3 store, verifying every row and digest; run again to resume (a second run moves
         nothing).
gc       Removes blobs that no version references, older than the grace period, never one
         a publish in flight holds (with PostgreSQL + S3 it runs beside the servers).

DATABASE is postgres://user@host:port/db[?schema=S] (password in the URL or PGPASSWORD);
BLOBS is s3://bucket/prefix?endpoint=URL&region=R (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
See docs/scale.md.
`;

const ADMIN = new URL("../registry/admin.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);

/** The `admin` command. */
export const adminCommand: Command = {
  name: "admin",
  summary: "Storage operations: migrate to PostgreSQL + S3, collect unreferenced blobs",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG.pathname, ADMIN.pathname, ...args],
      cwd: io.cwd,
      env: io.env as Record<string, string>,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pass = async (stream: ReadableStream<Uint8Array>, to: (text: string) => void) => {
      const dec = new TextDecoder();
      for await (const chunk of stream) to(dec.decode(chunk, { stream: true }));
    };
    await Promise.all([
      pass(child.stdout, (t) => io.stdout(t)),
      pass(child.stderr, (t) => io.stderr(t)),
    ]);
    return (await child.status).code;
  },
};
