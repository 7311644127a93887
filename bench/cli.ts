/**
 * The package manager's warm path beside Deno's own, in one run:
 *
 * - **wreg**: a real registry process on 127.0.0.1 holding a 21-package project: a WIT package
 *   `bench:api` with ten interfaces, ten components `bench:app0…9` that each import one of them,
 *   and ten components `bench:impl0…9` that implement them. `wreg add bench:app0 … bench:app9` in
 *   a fresh folder resolves the ten apps, finds each import's one implementation in the world
 *   index (ten more packages, recorded as fills), reads all 21 from the cache (every blob hashed
 *   again), composes each app with its implementation and writes its Deno bindings (both from
 *   their caches), then the lock, wreg.json and deno.json. `wreg install` does the same from the
 *   lock, without resolving.
 * - **Deno**: `deno install` of a real npm graph of 20 packages (yargs 17, chalk 4 and semver 7
 *   with their dependencies) into `node_modules/` of a fresh folder, from Deno's npm cache only
 *   (`--cached-only`): without a lock (Deno resolves from the cached package documents), and
 *   with one (`--frozen`).
 *
 * Each command runs as a process, as a user runs it, caches warm (one untimed run first). The
 * npm graph is fetched once into a private Deno cache (`$WREG_BENCH_DENO_DIR`, default
 * `~/.cache/wreg/bench-deno`); later runs need no network. The components are made with jco's
 * `componentEmbed --dummy` (their functions trap; nothing is called).
 *
 * Usage: `deno run -A bench/cli.ts [--runs N]`: a markdown table; ratio > 1 is slower than the
 * first row.
 *
 * @module
 */
import { componentEmbed, componentNew } from "@bytecodealliance/jco-transpile/wasm-tools";
import { measure, table, type Timing } from "./_harness.ts";
import { Client, startServerProcess, TRUSTED_LOG_KEYS } from "../tests/registry_support.ts";
import { encodeWitPackage } from "../lib/component/mod.ts";
import { parseWit } from "../lib/wit/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const N = 10;
const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 10;

const API = [
  "package bench:api@1.0.0;",
  "",
  ...Array.from({ length: N }, (_, i) => `interface i${i} {\n  f: func(x: u32) -> u32;\n}\n`),
  ...Array.from(
    { length: N },
    (_, i) =>
      `world app${i} {\n  import i${i};\n  export run: func(x: u32) -> u32;\n}\n\n` +
      `world impl${i} {\n  export i${i};\n}\n`,
  ),
].join("\n");

const NPM_DENO_JSON = JSON.stringify(
  {
    nodeModulesDir: "auto",
    imports: {
      yargs: "npm:yargs@17.7.2",
      chalk: "npm:chalk@4.1.2",
      semver: "npm:semver@7.8.6",
    },
  },
  null,
  2,
);

const inherited = Object.fromEntries(
  Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("WREG_") && k !== "DENO_DIR"),
);

async function proc(
  cwd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    // The user's environment (proxies and CA settings for the one npm fetch), minus wreg's own.
    env: { ...inherited, NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

async function must(cwd: string, args: string[], env: Record<string, string>): Promise<string> {
  const r = await proc(cwd, args, env);
  if (r.code !== 0) throw new Error(`deno ${args.join(" ")} (in ${cwd}) failed:\n${r.out}`);
  return r.out;
}

const work = await Deno.makeTempDir({ prefix: "wreg-bench-cli-" });
const server = await startServerProcess({
  adminToken: "bench-admin-secret-0123",
  args: ["--quiet"],
});
const rows: Timing[] = [];
let seq = 0;
const fresh = async () => {
  const d = `${work}/p${seq++}`;
  await Deno.mkdir(d);
  return d;
};
try {
  // --- the wreg project: publish 21 packages.
  const client = new Client(server.url);
  const token = await client.token("bench-admin-secret-0123", "bench");
  const publish = async (name: string, bytes: Uint8Array) => {
    const a = await client.publish(token, name, "1.0.0", bytes);
    if (a.status !== 201) throw new Error(`publish ${name}: ${a.status} ${a.text}`);
  };
  const parsed = parseWit(API);
  await publish("bench:api", encodeWitPackage(parsed.resolve, parsed.package));
  for (let i = 0; i < N; i++) {
    for (const kind of ["app", "impl"]) {
      const embedded = await componentEmbed({ dummy: true, witSource: API, world: `${kind}${i}` });
      await publish(`bench:${kind}${i}`, await componentNew(embedded));
    }
  }
  const env = {
    HOME: `${work}/home`,
    WREG_CACHE_DIR: `${work}/wreg-cache`,
    WREG_CONFIG_DIR: `${work}/wreg-config`,
    WREG_REGISTRY: server.url,
    // The registry's transparency log key, pinned on first use as CI would (issue 16).
    WREG_TRUST_LOG_KEY: [...TRUSTED_LOG_KEYS].join(" "),
  };
  const wreg = (dir: string, args: string[]) =>
    must(dir, ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/cli/main.ts`, ...args], env);
  const apps = Array.from({ length: N }, (_, i) => `bench:app${i}`);

  // Warm the caches, and keep the lock for `install`.
  const first = await fresh();
  await wreg(first, ["add", ...apps]);
  const lock = JSON.parse(await Deno.readTextFile(`${first}/wreg.lock`));
  const packages = Object.keys(lock.packages).length;
  const manifestText = await Deno.readTextFile(`${first}/wreg.json`);
  const lockText = await Deno.readTextFile(`${first}/wreg.lock`);

  rows.push(
    await measure(`wreg add (${packages} packages, ${N} compositions)`, async () => {
      await wreg(await fresh(), ["add", ...apps]);
    }, { warmup: 1, runs: RUNS }),
  );
  rows.push(
    await measure(`wreg install from the lock (${packages} packages)`, async () => {
      const d = await fresh();
      await Deno.writeTextFile(`${d}/wreg.json`, manifestText);
      await Deno.writeTextFile(`${d}/wreg.lock`, lockText);
      await wreg(d, ["install"]);
    }, { warmup: 1, runs: RUNS }),
  );

  // --- Deno: the npm graph, cached once into a private DENO_DIR.
  const denoDir = Deno.env.get("WREG_BENCH_DENO_DIR") ??
    `${Deno.env.get("HOME")}/.cache/wreg/bench-deno`;
  const denoEnv = { DENO_DIR: denoDir, HOME: `${work}/home` };
  const template = await fresh();
  await Deno.writeTextFile(`${template}/deno.json`, NPM_DENO_JSON);
  const cached = await proc(template, ["install", "--cached-only"], denoEnv);
  if (cached.code !== 0) {
    console.error(
      `bench/cli: filling ${denoDir} with the npm graph (once; needs the npm registry)`,
    );
    await Deno.remove(`${template}/node_modules`, { recursive: true }).catch(() => {});
    await Deno.remove(`${template}/deno.lock`).catch(() => {});
    await must(template, ["install"], denoEnv);
  }
  const npmLock = await Deno.readTextFile(`${template}/deno.lock`);
  const npmPackages = Object.keys(JSON.parse(npmLock).npm ?? {}).length;
  rows.push(
    await measure(`deno install, no lock (${npmPackages} npm packages, cached)`, async () => {
      const d = await fresh();
      await Deno.writeTextFile(`${d}/deno.json`, NPM_DENO_JSON);
      await must(d, ["install", "--cached-only"], denoEnv);
    }, { warmup: 1, runs: RUNS }),
  );
  rows.push(
    await measure(`deno install --frozen (${npmPackages} npm packages, cached)`, async () => {
      const d = await fresh();
      await Deno.writeTextFile(`${d}/deno.json`, NPM_DENO_JSON);
      await Deno.writeTextFile(`${d}/deno.lock`, npmLock);
      await must(d, ["install", "--cached-only", "--frozen"], denoEnv);
    }, { warmup: 1, runs: RUNS }),
  );
  // A process that does nothing: what starting Deno costs on this machine.
  rows.push(
    await measure("deno eval '' (process start)", async () => {
      await must(work, ["eval", ""], {});
    }, { warmup: 1, runs: RUNS }),
  );
  console.log(
    table(
      `Warm wreg add of a ${packages}-package component project vs deno install of a ${npmPackages}-package npm graph`,
      rows,
      rows[2].name,
    ),
  );
  console.log(
    `wreg's ${packages} packages: ${N} apps, the ${N} implementations the world index found for ` +
      `their imports, and 1 WIT package; every blob is hashed again on each read.`,
  );
} finally {
  await server.stop();
  await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
