/**
 * `wreg serve`: runs the registry server (registry/main.ts) as a child process. The CLI may not
 * import the registry (ARCHITECTURE.md, layers), so it starts it the way a user would, with the
 * same Deno, forwarding the arguments, SIGINT/SIGTERM, and the exit code.
 */
import type { Command, Io } from "./_command.ts";

const HELP = `Usage: wreg serve [--host 127.0.0.1] [--port 8080] [--data ./wreg-data]
                  [--admin-token T] [--seed-examples] [--memory] [--max-upload BYTES]
                  [--max-connections N] [--reserve NS]... [--quiet]
                  [--oci-prefix P] [--oci-registry HOST:PORT] [--public-url URL]
                  [--database postgres://…] [--blobs s3://bucket/prefix?endpoint=…&region=…]

Runs the wreg registry with the embedded storage (SQLite and blob files in --data).

Options:
  --host HOST          Interface to bind (default 127.0.0.1)
  --port PORT          Port (default 8080; 0 picks a free one)
  --data DIR           Data directory (default ./wreg-data, relative to this folder)
  --admin-token T      The admin token (or WREG_ADMIN_TOKEN), at least 16 characters;
                       generated and printed if absent
  --seed-examples      Publish the example packages if they are not there yet
  --memory             Keep everything in memory (nothing is written to disk)
  --database URL       Metadata in PostgreSQL (or WREG_DATABASE_URL; password in the URL
                       or PGPASSWORD)
  --blobs URL          Blobs in an S3-compatible store (or WREG_BLOBS_URL; credentials from
                       AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). With both, several
                       processes can serve one registry (docs/scale.md)
  --max-upload BYTES   Largest publish body (default 268435456)
  --max-connections N  Most open connections (default: what the open-file limit
                       leaves room for, at most 4096)
  --reserve NS         Reserve a namespace besides wasi (repeatable): no first publish
                       claims it; the admin assigns it (PUT /api/v1/namespaces/NS)
  --oci-prefix P       OCI namespace prefix ("webassembly/"; default none): repositories
                       on /v2 are P<namespace>/<name> (wkg, oras, skopeo use /v2)
  --oci-registry HOST  The host[:port] /.well-known/wasm-pkg/registry.json names
  --public-url URL     The origin of the OCI token realm (behind a TLS proxy)
  --quiet              Do not log requests

The HTTP API is described in docs/api.md. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
`;

/** The registry's entry point and the config it runs with, from this file's place. */
const SERVER = new URL("../registry/main.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);

/** The `serve` command. */
export const serveCommand: Command = {
  name: "serve",
  summary: "Run the registry server (HTTP API, blobs, search) on this machine",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG.pathname, SERVER.pathname, ...args],
      cwd: io.cwd,
      env: io.env as Record<string, string>,
      clearEnv: true,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const forward = (signal: Deno.Signal) => () => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    };
    const handlers = (["SIGINT", "SIGTERM"] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) Deno.addSignalListener(s, h);
    try {
      const status = await child.status;
      return status.code;
    } finally {
      for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
    }
  },
};
