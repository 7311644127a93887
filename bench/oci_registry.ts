/**
 * The registry's OCI surface beside the CNCF distribution registry (issue 13), with the real
 * clients, in one run:
 *
 * 1. `wkg get` of a ~2 MiB component (fresh wkg cache each time: discovery, auth probe, tags,
 *    manifest, config, layer);
 * 2. `oras pull` of a 16 MiB component;
 * 3. `oras push` of 16 MiB components (a new one each round, so the layer is uploaded every time;
 *    on wreg each push is a new version: decode, compatibility gate, commit).
 *
 * Both registries are processes on 127.0.0.1 with their own temporary directories (wreg: the
 * embedded SQLite + files storage; distribution: filesystem storage with the in-memory blob
 * descriptor cache). Rounds are interleaved; the ratio is the median of per-round ratios
 * (wreg / distribution: below 1 is faster). Goal: ≤ 1.0.
 *
 * Run: `deno task bench oci_registry` (or `deno task bench oci`, with the client side's oci.ts);
 * `BENCH_RUNS` sets the rounds of the get and pull rows.
 *
 * @module
 */
import { digestOf } from "../lib/names/mod.ts";
import { peerPath } from "../tools/peers.ts";
import { mustRun, wasmConfig, wregWkgConfig } from "../tests/oci_support.ts";
import { Client, componentOfSize } from "../tests/registry_support.ts";
import { interleaved, pairedRatio, summarize, table } from "./_harness.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const ROUNDS = Number(Deno.env.get("BENCH_RUNS") ?? 20);
const PUSH_ROUNDS = Math.max(5, Math.round(ROUNDS / 2));
const ADMIN = "bench-admin-secret-0123";
const tmp = await Deno.makeTempDir({ prefix: "wreg-bench-oci-" });
const cleanups: (() => Promise<unknown>)[] = [];

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.status < 500) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}

function spawn(cmd: string, args: string[]): void {
  const child = new Deno.Command(cmd, {
    args,
    cwd: tmp,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  cleanups.push(async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
  });
}

async function startWreg(): Promise<string> {
  const port = freePort();
  spawn(Deno.execPath(), [
    "run",
    "-A",
    "--config",
    `${ROOT}/deno.json`,
    `${ROOT}/registry/main.ts`,
    "--port",
    String(port),
    "--data",
    `${tmp}/wreg`,
    "--admin-token",
    ADMIN,
    "--quiet",
  ]);
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  return `127.0.0.1:${port}`;
}

async function startDistribution(): Promise<string> {
  const port = freePort();
  await Deno.mkdir(`${tmp}/distribution`, { recursive: true });
  await Deno.writeTextFile(
    `${tmp}/distribution.yml`,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${tmp}/distribution`,
      "  cache:",
      "    blobdescriptor: inmemory",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  spawn("/usr/bin/docker-registry", ["serve", `${tmp}/distribution.yml`]);
  await waitFor(`http://127.0.0.1:${port}/v2/`);
  return `127.0.0.1:${port}`;
}

const oras = peerPath("oras");
const wkg = peerPath("wkg");
const orasEnv = { HOME: `${tmp}/home` };
await Deno.mkdir(orasEnv.HOME);

/** Writes a component and its Wasm config for `oras push`; returns the folder. */
async function artifactDir(name: string, bytes: Uint8Array): Promise<string> {
  const dir = `${tmp}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/app.wasm`, bytes);
  await Deno.writeFile(`${dir}/config.json`, wasmConfig(await digestOf(bytes)));
  return dir;
}

function orasPush(host: string, reference: string, dir: string): Promise<string> {
  return mustRun(oras, [
    "push",
    "--plain-http",
    "--config",
    "config.json:application/vnd.wasm.config.v0+json",
    `${host}/${reference}`,
    "app.wasm:application/wasm",
  ], { env: orasEnv, cwd: dir, timeoutMs: 300_000 });
}

try {
  const [wreg, dist] = await Promise.all([startWreg(), startDistribution()]);
  const client = new Client(`http://${wreg}`);
  const token = await client.token(ADMIN, "bench");
  await mustRun(oras, ["login", "--plain-http", "-u", "bench", "-p", token, wreg], {
    env: orasEnv,
  });
  console.error("bench: building the components");
  const small = await componentOfSize(2 * 1024 * 1024, "bench:small@1.0.0");
  const big = await componentOfSize(16 * 1024 * 1024, "bench:big@1.0.0");
  const smallDir = await artifactDir("small", small);
  const bigDir = await artifactDir("big", big);
  for (const host of [wreg, dist]) {
    await orasPush(host, "bench/small:1.0.0", smallDir);
    await orasPush(host, "bench/big:1.0.0", bigDir);
  }
  const out: string[] = [];

  // 1. wkg get of the ~2 MiB component, with an empty wkg cache each time.
  const wkgCfg = {
    wreg: await wregWkgConfig(`${tmp}/wkg-wreg`, wreg),
    distribution: await wregWkgConfig(`${tmp}/wkg-dist`, dist),
  };
  let n = 0;
  const wkgGet = async (which: "wreg" | "distribution") => {
    const cfg = wkgCfg[which];
    const cache = `${tmp}/wkg-cache-${n++}`;
    const file = `${tmp}/wkg-out-${which}.wasm`;
    await mustRun(wkg, [
      "get",
      "bench:small@1.0.0",
      "--format",
      "wasm",
      "--overwrite",
      "-o",
      file,
      "--config",
      cfg.args[1],
      "--cache",
      cache,
    ], { env: cfg.env });
    await Deno.remove(cache, { recursive: true });
  };
  const getSamples = await interleaved(
    [
      ["wreg", () => wkgGet("wreg")],
      ["distribution", () => wkgGet("distribution")],
    ],
    ROUNDS,
    2,
  );
  const getRatio = pairedRatio(getSamples.get("wreg")!, getSamples.get("distribution")!);
  out.push(
    table(
      `wkg get of a ${(small.length / 1048576).toFixed(1)} MiB component (ratio ${
        getRatio.toFixed(2)
      }×, paired)`,
      [
        summarize("distribution", getSamples.get("distribution")!),
        summarize("wreg", getSamples.get("wreg")!),
      ],
    ),
  );

  // 2. oras pull of the 16 MiB component.
  let m = 0;
  const orasPull = async (host: string) => {
    const dir = `${tmp}/pull-${m++}`;
    await mustRun(oras, ["pull", "--plain-http", `${host}/bench/big:1.0.0`, "-o", dir], {
      env: orasEnv,
    });
    await Deno.remove(dir, { recursive: true });
  };
  const pullSamples = await interleaved(
    [
      ["wreg", () => orasPull(wreg)],
      ["distribution", () => orasPull(dist)],
    ],
    ROUNDS,
    2,
  );
  const pullRatio = pairedRatio(pullSamples.get("wreg")!, pullSamples.get("distribution")!);
  out.push(
    table(
      `oras pull of a ${(big.length / 1048576).toFixed(1)} MiB component (ratio ${
        pullRatio.toFixed(2)
      }×, paired)`,
      [
        summarize("distribution", pullSamples.get("distribution")!),
        summarize("wreg", pullSamples.get("wreg")!),
      ],
    ),
  );

  // 3. oras push of 16 MiB components: a new one each round (each a new version on wreg).
  console.error("bench: building the components to push");
  const pushes: string[] = [];
  for (let i = 0; i < PUSH_ROUNDS + 2; i++) {
    pushes.push(
      await artifactDir(`push-${i}`, await componentOfSize(16 * 1024 * 1024, "bench:push@1.0.0")),
    );
  }
  const next = { wreg: 0, distribution: 0 };
  const pushSamples = await interleaved(
    [
      ["wreg", () => orasPush(wreg, `bench/push:1.0.${next.wreg}`, pushes[next.wreg++])],
      [
        "distribution",
        () => orasPush(dist, `bench/push:1.0.${next.distribution}`, pushes[next.distribution++]),
      ],
    ],
    PUSH_ROUNDS,
    2,
  );
  const pushRatio = pairedRatio(pushSamples.get("wreg")!, pushSamples.get("distribution")!);
  out.push(
    table(
      `oras push of a new 16 MiB component (ratio ${pushRatio.toFixed(2)}×, paired)`,
      [
        summarize("distribution", pushSamples.get("distribution")!),
        summarize("wreg", pushSamples.get("wreg")!),
      ],
    ),
  );
  out.push(
    `Goal: wreg ≤ 1.0× distribution. wkg get ${getRatio.toFixed(2)}×, oras pull ${
      pullRatio.toFixed(2)
    }×, oras push ${pushRatio.toFixed(2)}×.`,
  );
  console.log(out.join("\n"));
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
