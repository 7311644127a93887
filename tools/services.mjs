#!/usr/bin/env node
// Starts the servers the test suite needs, once per run, on free loopback ports, runs a command
// with their addresses in its environment, and tears them down when it ends (also on Ctrl-C):
//
//   node tools/services.mjs deno test -A
//
// Each service is independent: one that cannot start is reported on stderr and its variables
// are left unset; tests/support/services.ts then fails the tests that need it under CI=true
// (never a silent skip) and ignores them, with the reason, on a developer's machine.
//
// What it exports:
//   WREG_TEST_PG_URL                          postgres://wreg:<pw>@127.0.0.1:<port>/wreg (SCRAM)
//   WREG_TEST_S3_ENDPOINT, _REGION, _BUCKET,  a versitygw S3 server and its one bucket
//     _ACCESS_KEY, _SECRET_KEY
//   WREG_TEST_OCI_REGISTRY                    127.0.0.1:<port>, the CNCF distribution registry
//   WREG_TEST_SEAWEEDFS_ENDPOINT, _REGION,    SeaweedFS, only when asked (WREG_S3_SERVER=seaweedfs)
//     _BUCKET, _ACCESS_KEY, _SECRET_KEY         or already built (WREG_SEAWEEDFS_BIN, …)
//   WREG_TEST_SERVICES_DIR                    the run's state folder (logs, data)
//
// Plain Node on purpose (like setup.mjs): it runs before Deno does anything.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PEERS = JSON.parse(readFileSync(join(root, "tools", "peers.json"), "utf8")).tools;
const HOME = process.env.HOME ?? "/root";
const TOOLS_DIR = process.env.WREG_TOOLS_DIR ?? join(HOME, ".local", "share", "wreg-tools");

const log = (msg) => console.error(`services: ${msg}`);

/** A free TCP port on 127.0.0.1 (bound, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true or `ms` pass. */
async function waitFor(what, probe, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if (await probe()) return;
    } catch { /* not yet */ }
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${ms / 1000} s`);
}

function peerBinary(name) {
  const tool = PEERS.find((t) => t.name === name);
  const cached = join(TOOLS_DIR, `${tool.name}-${tool.version}`, "bin", tool.bin);
  if (existsSync(cached)) return cached;
  for (const c of [tool.bin, join(HOME, "go", "bin", tool.bin)]) {
    const p = spawnSync(c, tool.versionArgs, { encoding: "utf8" });
    if (p.status === 0 && `${p.stdout}${p.stderr}`.includes(tool.version)) return c;
  }
  return undefined;
}

const children = [];
const stops = [];

function startDaemon(cmd, args, opts, logFile) {
  const out = openSync(logFile, "a");
  const child = spawn(cmd, args, { ...opts, stdio: ["ignore", out, out], detached: false });
  children.push(child);
  return child;
}

/** PostgreSQL: a private cluster with SCRAM auth and fast, non-durable settings. */
async function postgres(state) {
  const binDirs = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql").map((v) => join("/usr/lib/postgresql", v, "bin"))
      .filter((d) => existsSync(join(d, "initdb"))).sort()
    : [];
  const bin = binDirs.at(-1);
  if (!bin) throw new Error("PostgreSQL server binaries not found (Debian package postgresql)");
  const dir = join(state, "pg");
  const pw = randomBytes(18).toString("hex");
  const port = await freePort();
  execFileSync("mkdir", ["-p", dir]);
  writeFileSync(join(dir, "pw"), pw);
  const asRoot = process.getuid?.() === 0;
  const as = (cmd, args) =>
    asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const run = (cmd, args) => {
    const [c, a] = as(cmd, args);
    const r = spawnSync(c, a, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr || r.stdout).trim()}`);
  };
  run(join(bin, "initdb"), [
    "-D",
    join(dir, "data"),
    "-U",
    "wreg",
    `--pwfile=${join(dir, "pw")}`,
    "-A",
    "scram-sha-256",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ]);
  run(join(bin, "pg_ctl"), [
    "-D",
    join(dir, "data"),
    "-l",
    join(dir, "server.log"),
    "-w",
    "-t",
    "30",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ` +
    `-c full_page_writes=off -c max_connections=300`,
    "start",
  ]);
  stops.push(() => {
    const [c, a] = as(join(bin, "pg_ctl"), ["-D", join(dir, "data"), "stop", "-m", "immediate"]);
    spawnSync(c, a);
  });
  const psql = spawnSync("psql", [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-U",
    "wreg",
    "-d",
    "postgres",
    "-qAtc",
    "create database wreg",
  ], { env: { ...process.env, PGPASSWORD: pw }, encoding: "utf8" });
  if (psql.status !== 0) throw new Error(`create database failed: ${psql.stderr.trim()}`);
  return {
    WREG_TEST_PG_URL: `postgres://wreg:${pw}@127.0.0.1:${port}/wreg`,
    WREG_TEST_PG_BIN: bin,
    WREG_TEST_PG_DATA: join(dir, "data"),
  };
}

/** versitygw: a real S3 server (posix backend), auth always on, one bucket. */
async function s3(state) {
  const bin = peerBinary("versitygw");
  if (!bin) throw new Error("versitygw is not built: run `node tools/setup.mjs`");
  const dir = join(state, "s3");
  execFileSync("mkdir", ["-p", dir]);
  const port = await freePort();
  const access = "wreg";
  const secret = randomBytes(18).toString("hex");
  const child = startDaemon(bin, ["--port", `127.0.0.1:${port}`, "posix", dir], {
    env: { ...process.env, ROOT_ACCESS_KEY_ID: access, ROOT_SECRET_ACCESS_KEY: secret },
  }, join(state, "s3.log"));
  stops.push(() => child.kill("SIGKILL"));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor("versitygw", async () => (await fetch(`${endpoint}/`)).status === 403);
  // The bucket, with a signed PUT (curl signs SigV4; versitygw needs x-amz-content-sha256).
  const r = spawnSync("curl", [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--aws-sigv4",
    "aws:amz:us-east-1:s3",
    "--user",
    `${access}:${secret}`,
    "-H",
    "x-amz-content-sha256:UNSIGNED-PAYLOAD",
    "-X",
    "PUT",
    `${endpoint}/wreg-test`,
  ], { encoding: "utf8" });
  if (r.stdout.trim() !== "200") throw new Error(`creating the bucket answered ${r.stdout}`);
  return {
    WREG_TEST_S3_ENDPOINT: endpoint,
    WREG_TEST_S3_REGION: "us-east-1",
    WREG_TEST_S3_BUCKET: "wreg-test",
    WREG_TEST_S3_ACCESS_KEY: access,
    WREG_TEST_S3_SECRET_KEY: secret,
    WREG_TEST_S3_BIN: bin,
    WREG_TEST_S3_DIR: dir,
  };
}

/** The CNCF distribution registry (Debian docker-registry): a plain OCI registry. */
async function ociRegistry(state) {
  const bin = ["/usr/bin/docker-registry"].find(existsSync);
  if (!bin) throw new Error("docker-registry not installed (Debian package docker-registry)");
  const dir = join(state, "oci");
  execFileSync("mkdir", ["-p", dir]);
  const port = await freePort();
  const debugPort = await freePort();
  const config = join(state, "oci.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${dir}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "  debug:",
      `    addr: 127.0.0.1:${debugPort}`,
      "",
    ].join("\n"),
  );
  const child = startDaemon(bin, ["serve", config], {}, join(state, "oci.log"));
  stops.push(() => child.kill("SIGKILL"));
  await waitFor("docker-registry", async () => (await fetch(`http://127.0.0.1:${port}/v2/`)).ok);
  return { WREG_TEST_OCI_REGISTRY: `127.0.0.1:${port}` };
}

/**
 * SeaweedFS (`weed mini`), a second S3 server with a distributed engine, only when asked for
 * (`WREG_S3_SERVER=seaweedfs`) or when its binary is already there (`WREG_SEAWEEDFS_BIN`,
 * `$WREG_TOOLS_DIR/seaweedfs/bin/weed`, or `weed` on PATH): its build takes 17-26 minutes on two
 * cores (shared/notes/SCALE-OUT.md §1.3), too much for every run. Telemetry off, loopback only,
 * auth on, every port given (a gRPC port left at 0 becomes port + 10000).
 */
async function seaweedfs(state) {
  const asked = (process.env.WREG_S3_SERVER ?? "").split(",").includes("seaweedfs");
  const candidates = [
    process.env.WREG_SEAWEEDFS_BIN,
    join(TOOLS_DIR, "seaweedfs", "bin", "weed"),
  ].filter(Boolean);
  let bin = candidates.find((c) => existsSync(c));
  if (!bin && spawnSync("weed", ["version"], { encoding: "utf8" }).status === 0) bin = "weed";
  if (!bin) {
    if (asked) {
      throw new Error("SeaweedFS was asked for (WREG_S3_SERVER) but no weed binary is built");
    }
    return { skipped: true };
  }
  const dir = join(state, "seaweedfs");
  execFileSync("mkdir", ["-p", dir]);
  const names = [
    "master",
    "masterGrpc",
    "volume",
    "volumeGrpc",
    "filer",
    "filerGrpc",
    "s3",
    "s3Grpc",
    "admin",
    "adminGrpc",
  ];
  const ports = {};
  for (const n of names) ports[n] = await freePort();
  const access = "wreg";
  const secret = randomBytes(18).toString("hex");
  const child = startDaemon(
    bin,
    [
      // Its log files go beside its data (by default they land in /tmp and stay there).
      `-logdir=${dir}`,
      "mini",
      `-dir=${dir}`,
      "-ip=127.0.0.1",
      "-ip.bind=127.0.0.1",
      "-master.telemetry=false",
      "-webdav=false",
      "-admin.ui=false",
      `-master.port=${ports.master}`,
      `-master.port.grpc=${ports.masterGrpc}`,
      `-volume.port=${ports.volume}`,
      `-volume.port.grpc=${ports.volumeGrpc}`,
      `-filer.port=${ports.filer}`,
      `-filer.port.grpc=${ports.filerGrpc}`,
      `-s3.port=${ports.s3}`,
      `-s3.port.grpc=${ports.s3Grpc}`,
      "-s3.port.iceberg=0",
      "-s3.port.lance=0",
      `-admin.port=${ports.admin}`,
      `-admin.port.grpc=${ports.adminGrpc}`,
      "-admin.port.legacy=0",
      "-bucket=wreg-test",
    ],
    { env: { ...process.env, AWS_ACCESS_KEY_ID: access, AWS_SECRET_ACCESS_KEY: secret } },
    join(state, "seaweedfs.log"),
  );
  stops.push(() => {
    child.kill("SIGKILL");
    // The Unix sockets it opens in the system's temporary folder, named by port: killed, it
    // leaves them behind.
    const tmp = tmpdir();
    const ours = new Set(Object.values(ports).map(String));
    for (const f of readdirSync(tmp)) {
      const m = /^seaweedfs-.*-(\d+)\.sock$/.exec(f);
      if (m && ours.has(m[1])) rmSync(join(tmp, f), { force: true });
    }
  });
  const endpoint = `http://127.0.0.1:${ports.s3}`;
  await waitFor("SeaweedFS", async () => (await fetch(`${endpoint}/healthz`)).ok, 60_000);
  return {
    WREG_TEST_SEAWEEDFS_ENDPOINT: endpoint,
    WREG_TEST_SEAWEEDFS_REGION: "us-east-1",
    WREG_TEST_SEAWEEDFS_BUCKET: "wreg-test",
    WREG_TEST_SEAWEEDFS_ACCESS_KEY: access,
    WREG_TEST_SEAWEEDFS_SECRET_KEY: secret,
  };
}

const SERVICES = { postgres, s3, oci: ociRegistry, seaweedfs };

function teardown() {
  for (const stop of stops.splice(0).reverse()) {
    try {
      stop();
    } catch { /* best effort */ }
  }
}

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) {
    console.error("usage: node tools/services.mjs <command> [args...]");
    process.exit(2);
  }
  const state = mkdtempSync(join(tmpdir(), "wreg-services-"));
  chmodSync(state, 0o755); // PostgreSQL runs as `postgres` and must reach its folder
  const env = { ...process.env, WREG_TEST_SERVICES_DIR: state };
  const started = Date.now();
  const results = await Promise.allSettled(
    Object.entries(SERVICES).map(async ([name, start]) => [name, await start(state)]),
  );
  const failed = [];
  results.forEach((r, i) => {
    const name = Object.keys(SERVICES)[i];
    if (r.status === "fulfilled") {
      if (!r.value[1].skipped) Object.assign(env, r.value[1]);
    } else failed.push(`${name}: ${r.reason?.message ?? r.reason}`);
  });
  env.WREG_TEST_SERVICES_FAILED = failed.join("\n");
  log(
    `up in ${Date.now() - started} ms` +
      (failed.length ? `; not available:\n  ${failed.join("\n  ")}` : ""),
  );
  const child = spawn(command[0], command.slice(1), { stdio: "inherit", env });
  const forward = (sig) => () => child.kill(sig);
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));
  child.on("exit", (code, signal) => {
    teardown();
    rmSync(state, { recursive: true, force: true });
    process.exit(code ?? (signal ? 1 : 0));
  });
}

process.on("exit", teardown);
main().catch((e) => {
  console.error(`services: ${e.message}`);
  teardown();
  process.exit(1);
});
