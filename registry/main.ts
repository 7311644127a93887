/**
 * `wreg serve`: runs the registry.
 *
 * ```sh
 * deno run -A registry/main.ts [--host 127.0.0.1] [--port 8080] [--data ./wreg-data]
 *   [--admin-token T] [--seed-examples] [--memory] [--max-upload BYTES] [--max-connections N]
 *   [--reserve NS]...
 *   [--quiet] [--oci-prefix P] [--oci-registry HOST:PORT] [--public-url URL]
 *   [--upstream NS=oci://host/prefix/ ...] [--upstream-refresh SECONDS]
 *   [--database postgres://…] [--blobs s3://bucket/prefix?endpoint=…&region=…] [--log-key FILE]
 * ```
 *
 * With `--database` and `--blobs` (or `WREG_DATABASE_URL` and `WREG_BLOBS_URL`), metadata lives in
 * PostgreSQL and blobs in an S3-compatible store, and any number of these processes can serve one
 * registry. Credentials come from the URL or `PGPASSWORD` (PostgreSQL) and `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` (S3); they are never printed.
 *
 * The admin token comes from `--admin-token` or `WREG_ADMIN_TOKEN`; without either, one is
 * generated for this run and printed once. The first line on stdout is
 * `wreg registry listening on http://HOST:PORT`; then one line per request (method, path, status,
 * milliseconds) unless `--quiet`. SIGINT and SIGTERM stop it cleanly (exit 0): requests in flight
 * finish, the storage closes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { tryParsePackageName } from "../lib/names/mod.ts";
import { newTokenSecret } from "../storage/mod.ts";
import { MIN_ADMIN_TOKEN } from "./_context.ts";
import { type ServerOptions, startServer, storageLine } from "./_server.ts";
import { parseUpstream, type Upstream } from "./_mirror.ts";

/** Whether a namespace prefix has the form lib/oci accepts (`a/`, `a/b/`). */
function isOciPrefix(prefix: string): boolean {
  return /^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*\/)+$/.test(prefix);
}

const HELP = `Usage: wreg serve [options]

Runs the wreg registry with the embedded storage (SQLite and blob files in --data).

Options:
  --host HOST          Interface to bind (default 127.0.0.1)
  --port PORT          Port (default 8080; 0 picks a free one)
  --data DIR           Data directory (default ./wreg-data)
  --admin-token T      The admin token (or WREG_ADMIN_TOKEN), at least 16 characters;
                       generated and printed if absent
  --seed-examples      Publish the example packages (docs:processor and the example
                       components) if they are not there yet
  --memory             Keep everything in memory (nothing is written to disk)
  --database URL       Metadata in PostgreSQL: postgres://user@host:port/db[?schema=NAME]
                       (or WREG_DATABASE_URL; the password in the URL or PGPASSWORD)
  --blobs URL          Blobs in an S3-compatible store:
                       s3://bucket/prefix?endpoint=URL&region=R[&presign=SECONDS]
                       (or WREG_BLOBS_URL; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)
                       With both, several processes can serve one registry
  --max-upload BYTES   Largest publish body (default 268435456)
  --max-connections N  Most open connections (default: what the open-file limit
                       leaves room for, at most 4096)
  --reserve NS         Reserve a namespace besides wasi (repeatable): no first publish
                       claims it; the admin assigns it (PUT /api/v1/namespaces/NS)
  --oci-prefix P       OCI namespace prefix ("webassembly/"; default none): repositories
                       on /v2 are P<namespace>/<name>
  --oci-registry HOST  The host[:port] /.well-known/wasm-pkg/registry.json names (default:
                       the host each request was sent to)
  --public-url URL     The origin of the OCI token realm and of the log's URL (default:
                       each request's origin)
  --log-key FILE       The transparency log's signing key (an x/mod note signer key;
                       default: DIR/log-key, created on first start, mode 0600). Every
                       process serving one PostgreSQL storage must use the same file.
  --upstream NS=REG    Mirror namespace NS from the OCI registry REG (oci://host/prefix/,
                       or a registry name found through its well-known document;
                       "--upstream wasi" uses wasi.dev). Repeatable. Its packages are
                       fetched on first request, verified, stored and indexed; nobody
                       publishes into it here
  --upstream-refresh S Least seconds between two reads of a mirrored package's tags
                       (default 60)
  --quiet              Do not log requests
  -h, --help           Show this help

Stops cleanly on SIGINT or SIGTERM.
`;

/** Runs the server until a signal; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "8080" },
        data: { type: "string", default: "./wreg-data" },
        "admin-token": { type: "string" },
        "seed-examples": { type: "boolean", default: false },
        memory: { type: "boolean", default: false },
        database: { type: "string" },
        blobs: { type: "string" },
        "max-upload": { type: "string" },
        "oci-prefix": { type: "string", default: "" },
        "oci-registry": { type: "string" },
        "public-url": { type: "string" },
        "log-key": { type: "string" },
        "max-connections": { type: "string" },
        upstream: { type: "string", multiple: true },
        "upstream-refresh": { type: "string" },
        reserve: { type: "string", multiple: true, default: [] },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (e) {
    console.error(`error: ${(e as Error).message}; run \`wreg serve --help\``);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    console.error(`error: invalid --port ${JSON.stringify(values.port)}: expected 0 to 65535`);
    return 2;
  }
  const maxUpload = values["max-upload"] === undefined ? undefined : Number(values["max-upload"]);
  if (maxUpload !== undefined && (!Number.isSafeInteger(maxUpload) || maxUpload < 1)) {
    console.error(`error: invalid --max-upload: expected a positive number of bytes`);
    return 2;
  }
  const ociPrefix = values["oci-prefix"];
  if (ociPrefix !== "" && !isOciPrefix(ociPrefix)) {
    console.error(
      `error: invalid --oci-prefix ${
        JSON.stringify(ociPrefix)
      }: expected lowercase repository components, each followed by "/" (for example "webassembly/")`,
    );
    return 2;
  }
  const publicUrl = values["public-url"];
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(publicUrl)) {
    console.error(
      `error: invalid --public-url: expected an origin such as https://wasm.example.com`,
    );
    return 2;
  }
  const maxConnections = values["max-connections"] === undefined
    ? undefined
    : Number(values["max-connections"]);
  if (
    maxConnections !== undefined && (!Number.isSafeInteger(maxConnections) || maxConnections < 1)
  ) {
    console.error(`error: invalid --max-connections: expected a positive number`);
    return 2;
  }
  const upstreams: Upstream[] = [];
  for (const text of values.upstream ?? []) {
    try {
      upstreams.push(parseUpstream(text));
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      return 2;
    }
  }
  const refresh = values["upstream-refresh"] === undefined
    ? undefined
    : Number(values["upstream-refresh"]);
  if (refresh !== undefined && (!Number.isFinite(refresh) || refresh < 0)) {
    console.error(`error: invalid --upstream-refresh: expected a number of seconds`);
    return 2;
  }
  const reserved = (values.reserve as string[]).flatMap((r) => r.split(",")).map((r) => r.trim())
    .filter((r) => r !== "");
  const badReserved = reserved.find((r) => tryParsePackageName(`${r}:x`)?.namespace !== r);
  if (badReserved !== undefined) {
    console.error(
      `error: invalid --reserve ${
        JSON.stringify(badReserved)
      }: expected a namespace of lowercase words joined by "-"`,
    );
    return 2;
  }
  let adminToken = values["admin-token"] ?? Deno.env.get("WREG_ADMIN_TOKEN");
  if (adminToken === undefined || adminToken === "") {
    adminToken = newTokenSecret();
    console.error(
      `wreg: admin token for this run (pass --admin-token to choose one): ${adminToken}`,
    );
  } else if (adminToken.length < MIN_ADMIN_TOKEN) {
    console.error(
      `error: invalid admin token (--admin-token or WREG_ADMIN_TOKEN): it has ${adminToken.length} characters, at least ${MIN_ADMIN_TOKEN} are needed; generate one with \`openssl rand -hex 24\`, or leave it out and one is generated`,
    );
    return 2;
  }
  const enc = new TextEncoder();
  const out = (line: string) => {
    flush();
    Deno.stdout.writeSync(enc.encode(`${line}\n`));
  };
  // Request lines are buffered and written at most every 20 ms (or per 64 KiB): one write for
  // many requests instead of one each.
  let pending: string[] = [];
  let pendingBytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const bytes = enc.encode(pending.join(""));
    pending = [];
    pendingBytes = 0;
    for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
  };
  const requestLine = (line: string) => {
    pending.push(`${line}\n`);
    pendingBytes += line.length + 1;
    if (pendingBytes >= 64 * 1024) flush();
    else timer ??= setTimeout(flush, 20);
  };
  const serveOptions: ServerOptions = {
    host: values.host,
    port,
    dataDir: values.data,
    memory: values.memory,
    logKey: values["log-key"],
    database: values.database ?? (Deno.env.get("WREG_DATABASE_URL") || undefined),
    blobs: values.blobs ?? (Deno.env.get("WREG_BLOBS_URL") || undefined),
    adminToken,
    limits: maxUpload === undefined ? undefined : { maxUploadBytes: maxUpload },
    oci: { prefix: ociPrefix, registry: values["oci-registry"], publicUrl },
    mirror: upstreams.length === 0 ? undefined : {
      upstreams,
      refreshSeconds: refresh,
      log: (line) => console.error(`wreg: ${line}`),
    },
    http: maxConnections === undefined ? undefined : { maxConnections },
    reservedNamespaces: reserved,
    seedExamples: values["seed-examples"],
    log: out,
    requestLog: values.quiet ? undefined : requestLine,
    onServerError: (e, req, id) =>
      console.error(`wreg: server fault ${id} on ${req.method} ${req.url}:`, e),
  };
  let server;
  try {
    server = await startServer(serveOptions);
  } catch (e) {
    console.error(`error: cannot start the registry: ${(e as Error).message}`);
    return 1;
  }
  out(
    `wreg registry listening on ${server.url} (${storageLine(serveOptions)})`,
  );
  const stop = () => {
    out("wreg registry stopping");
    server.shutdown().catch((e) => console.error("error: shutdown failed:", e));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
  await server.finished;
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(signal, stop);
  flush();
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
