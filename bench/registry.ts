/**
 * The registry server beside its peers, in one run (issue 5):
 *
 * 1. blob download, 1 MiB and 16 MiB: wreg (`GET /api/v1/blobs/…`) vs the CNCF distribution
 *    registry (Debian `docker-registry`) serving the same blob, pushed with the OCI blob upload
 *    API. Sequential downloads timed in this process, plus `wrk` throughput with 8 connections.
 *    Goal: ≥ 2× distribution at 1 MiB.
 * 2. publish of a 1 MiB component over HTTP (auth, streaming into the blob store while hashing,
 *    decode, compatibility gate, commit) vs the floor: SHA-256 plus a synced write of the same
 *    bytes (in this process; and as `sha256sum` + `dd conv=fsync` processes). Goal: ≤ 1.3×.
 * 3. package-document requests per second vs a minimal `Deno.serve` handler returning the same
 *    JSON, with `wrk` (64 connections). Goal: ≥ 0.8×.
 *
 * Every server is a separate process on 127.0.0.1 with its own temporary directory. `wrk` and
 * `docker-registry` are installed from Debian when missing (benchmarks only; the tests never need
 * them); without them those rows are skipped with a note.
 *
 * Run: `deno run -A bench/registry.ts` (or `deno task bench registry`). Prints markdown tables.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { build } from "../lib/component/mod.ts";
import { componentOfSize, withCustomSections } from "../tests/registry_support.ts";
import {
  hasCommand,
  interleaved,
  pairedRatio,
  run,
  summarize,
  table,
  type Timing,
} from "./_harness.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const ROUNDS_1M = Number(Deno.env.get("BENCH_RUNS") ?? 200);
const ROUNDS_16M = Math.max(10, Math.round(ROUNDS_1M / 8));
const PUBLISH_ROUNDS = Math.max(20, Math.round(ROUNDS_1M / 3));
const WRK_SECONDS = Number(Deno.env.get("BENCH_WRK_SECONDS") ?? 5);
const ADMIN = "bench-admin-secret-0123";
const tmp = await Deno.makeTempDir({ prefix: "wreg-bench-registry-" });
const cleanups: (() => Promise<unknown>)[] = [];
const notes: string[] = [];

// ---------------------------------------------------------------------------------------------
// Set-up helpers

/** Installs Debian packages that are missing (as root, or with `sudo -n`); false if it cannot. */
async function ensureDebian(commands: Record<string, string>): Promise<Set<string>> {
  const have = new Set<string>();
  const missing: string[] = [];
  for (const [cmd, pkg] of Object.entries(commands)) {
    if (await which(cmd)) have.add(cmd);
    else missing.push(pkg);
  }
  if (missing.length > 0) {
    console.error(`bench: installing Debian packages ${missing.join(", ")} (apt-get)`);
    const sudo = Deno.uid() === 0 ? [] : ["sudo", "-n"];
    const apt = async (args: string[]) => {
      const [cmd, ...rest] = [...sudo, "apt-get", ...args];
      const out = await new Deno.Command(cmd, {
        args: rest,
        env: { DEBIAN_FRONTEND: "noninteractive" },
        stdout: "null",
        stderr: "piped",
      }).output().catch(() => undefined);
      return out?.success ?? false;
    };
    if (!(await apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]))) {
      await apt(["update", "-qq"]);
      await apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
    }
    for (const cmd of Object.keys(commands)) if (await which(cmd)) have.add(cmd);
  }
  return have;
}

async function which(cmd: string): Promise<boolean> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
    .output();
  return out.success;
}

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

function spawn(cmd: string, args: string[], cwd = tmp): Deno.ChildProcess {
  const child = new Deno.Command(cmd, { args, cwd, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
  cleanups.push(async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await child.stderr.cancel().catch(() => {});
  });
  return child;
}

/** A wreg registry process; returns its base URL. */
async function startWreg(name: string, extra: string[] = []): Promise<string> {
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
    `${tmp}/${name}`,
    "--admin-token",
    ADMIN,
    ...extra,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`);
  return url;
}

/** The CNCF distribution registry with filesystem storage; returns its base URL. */
async function startDistribution(): Promise<string> {
  const port = freePort();
  const dir = `${tmp}/distribution`;
  await Deno.mkdir(dir, { recursive: true });
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
      `    rootdirectory: ${dir}`,
      "  cache:",
      "    blobdescriptor: inmemory",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  spawn("docker-registry", ["serve", `${tmp}/distribution.yml`]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/v2/`);
  return url;
}

/** Pushes a blob with the OCI blob upload API (POST, then PUT with the digest). */
async function ociPush(base: string, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  await start.body?.cancel();
  if (start.status !== 202) throw new Error(`OCI upload start: ${start.status}`);
  const loc = new URL(start.headers.get("location")!, base);
  loc.searchParams.set("digest", digest);
  const put = await fetch(loc, {
    method: "PUT",
    headers: { "content-type": "application/octet-stream" },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  await put.body?.cancel();
  if (put.status !== 201) throw new Error(`OCI upload: ${put.status}`);
  return `${base}/v2/${repo}/blobs/${digest}`;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

// ---------------------------------------------------------------------------------------------
// Fixtures: components of a given size come from tests/registry_support.ts

/** `base` with a trailing custom section holding a counter: new bytes, same component. */
function variant(base: Uint8Array, n: number): Uint8Array {
  return withCustomSections(base, { bench: build((w) => w.u32(n).bytes(new Uint8Array(4))) });
}

// ---------------------------------------------------------------------------------------------
// Measuring

async function download(url: string): Promise<number> {
  const r = await fetch(url);
  const body = new Uint8Array(await r.arrayBuffer());
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return body.length;
}

interface WrkResult {
  rps: number;
  mbps: number;
  p50: string;
}

async function wrk(url: string, connections: number, seconds = WRK_SECONDS): Promise<WrkResult> {
  const out = await run("wrk", [
    `-t${Math.min(2, connections)}`,
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    url,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(out);
  const unit = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 }[transfer?.[2] ?? "MB"] ?? 1;
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? "?";
  if (/Non-2xx/.test(out)) throw new Error(`wrk ${url}: non-2xx answers\n${out}`);
  return { rps, mbps: Number(transfer?.[1] ?? NaN) * unit, p50 };
}

const WRK_ROUNDS = Number(Deno.env.get("BENCH_WRK_ROUNDS") ?? 4);

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Runs `wrk` on each URL once per round, in alternating order, so that the machine's drift hits
 * all alike; returns the results of each URL, round by round.
 */
async function wrkRounds(urls: string[], connections: number): Promise<WrkResult[][]> {
  const out: WrkResult[][] = urls.map(() => []);
  for (let r = 0; r < WRK_ROUNDS; r++) {
    const order = r % 2 === 0 ? urls.map((_, i) => i) : urls.map((_, i) => urls.length - 1 - i);
    for (const i of order) out[i].push(await wrk(urls[i], connections));
  }
  return out;
}

/** The median over rounds of `a`'s rate divided by `b`'s. */
function rateRatio(a: WrkResult[], b: WrkResult[]): number {
  return medianOf(a.map((x, i) => x.rps / b[i].rps));
}

// ---------------------------------------------------------------------------------------------

try {
  const tools = await ensureDebian({ wrk: "wrk", "docker-registry": "docker-registry" });
  const fsType = (await run("stat", ["-f", "-c", "%T", tmp])).trim();
  console.error("bench: building fixtures");
  const oneMiB = await componentOfSize(1 << 20, "bench:app@1.0.0");
  const sixteenMiB = await componentOfSize(16 << 20, "bench:app@1.0.0");

  const wreg = await startWreg("wreg", ["--quiet"]);
  const tokens = new Map<string, string>();
  const tokenFor = async (base: string) => {
    if (!tokens.has(base)) {
      const r = await fetch(`${base}/api/v1/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({ owner: "bench" }),
      });
      tokens.set(base, (await r.json()).token);
    }
    return tokens.get(base)!;
  };
  const publish = async (base: string, name: string, version: string, bytes: Uint8Array) => {
    const token = await tokenFor(base);
    const [ns, n] = name.split(":");
    const r = await fetch(`${base}/api/v1/packages/${ns}/${n}/${version}`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/wasm",
        "x-wreg-digest": sha256(bytes),
      },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    const text = await r.text();
    if (r.status !== 201) throw new Error(`publish ${name}@${version}: ${r.status} ${text}`);
  };
  await publish(wreg, "bench:download", "1.0.0", oneMiB);
  await publish(wreg, "bench:download16", "1.0.0", sixteenMiB);
  const wreg1 = `${wreg}/api/v1/blobs/${sha256(oneMiB)}`;
  const wreg16 = `${wreg}/api/v1/blobs/${sha256(sixteenMiB)}`;

  // 1. Blob downloads
  if (tools.has("docker-registry")) {
    const dist = await startDistribution();
    const dist1 = await ociPush(dist, "bench/blob", oneMiB);
    const dist16 = await ociPush(dist, "bench/blob", sixteenMiB);
    const W1 = "wreg GET /api/v1/blobs (1 MiB)";
    const D1 = "distribution GET /v2/…/blobs (1 MiB)";
    const s1 = await interleaved(
      [[W1, () => download(wreg1)], [D1, () => download(dist1)]],
      ROUNDS_1M,
      5,
    );
    const W16 = "wreg GET /api/v1/blobs (16 MiB)";
    const D16 = "distribution GET /v2/…/blobs (16 MiB)";
    const s16 = await interleaved(
      [[W16, () => download(wreg16)], [D16, () => download(dist16)]],
      ROUNDS_16M,
      2,
    );
    const rows: Timing[] = [D1, W1].map((n) => summarize(n, s1.get(n)!));
    console.log(
      table("Blob download, 1 MiB, sequential (time per download, client in Deno)", rows),
    );
    console.log(
      `- distribution / wreg, paired: ${(1 / pairedRatio(s1.get(W1)!, s1.get(D1)!)).toFixed(2)}× ` +
        `(goal: ≥ 2×)\n`,
    );
    const rows16: Timing[] = [D16, W16].map((n) => summarize(n, s16.get(n)!));
    console.log(table("Blob download, 16 MiB, sequential", rows16));
    console.log(
      `- distribution / wreg, paired: ${
        (1 / pairedRatio(s16.get(W16)!, s16.get(D16)!)).toFixed(2)
      }×\n`,
    );
    if (tools.has("wrk")) {
      const lines = [
        `### Blob download with wrk (${WRK_SECONDS} s × ${WRK_ROUNDS} alternating rounds; 1 connection is sequential downloads without Deno's client in the way)`,
        "",
        "| what | connections | requests/s (median) | MiB/s (median) | p50 latency | ratio to distribution (median of rounds) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
      ];
      for (
        const [label, d, w, c] of [
          ["1 MiB", dist1, wreg1, 1],
          ["1 MiB", dist1, wreg1, 8],
          ["16 MiB", dist16, wreg16, 8],
        ] as const
      ) {
        const [rd, rw] = await wrkRounds([d, w], c);
        const row = (who: string, r: WrkResult[], ratio: string) =>
          `| ${who}, ${label} | ${c} | ${medianOf(r.map((x) => x.rps)).toFixed(0)} | ${
            medianOf(r.map((x) => x.mbps)).toFixed(0)
          } | ${r[r.length >> 1].p50} | ${ratio} |`;
        lines.push(
          row("distribution", rd, "1.00×"),
          row("wreg", rw, `${rateRatio(rw, rd).toFixed(2)}×`),
        );
      }
      console.log(lines.join("\n") + "\n");
    }
  } else {
    notes.push("docker-registry is not installed and could not be: blob rows skipped");
  }

  // 2. Publish vs the floor
  {
    const floorDir = `${tmp}/floor`;
    await Deno.mkdir(floorDir);
    const src = `${tmp}/src.wasm`;
    await Deno.writeFile(src, oneMiB);
    let n = 0;
    let i = 0;
    const floor = async () => {
      const bytes = variant(oneMiB, n);
      createHash("sha256").update(bytes).digest("hex");
      const f = await Deno.open(`${floorDir}/${n++}`, { write: true, createNew: true });
      for (let at = 0; at < bytes.length;) at += await f.write(bytes.subarray(at));
      await f.sync();
      f.close();
    };
    const shell = await hasCommand("sha256sum") && await hasCommand("dd");
    const FLOOR = "floor: sha256 + write + fsync, in process";
    const WREG = "wreg: PUT /api/v1/packages/… (1 MiB component, over HTTP)";
    const variants: [string, () => Promise<unknown>][] = [
      [FLOOR, floor],
      [WREG, () => {
        const k = i++;
        return publish(
          wreg,
          `bench:pub${k % 16}`,
          `1.0.${Math.floor(k / 16)}`,
          variant(oneMiB, 1_000_000 + k),
        );
      }],
    ];
    const SHELL = "floor: `sha256sum` + `dd conv=fsync`, as processes";
    if (shell) {
      variants.push([SHELL, async () => {
        await run("sha256sum", [src]);
        await run("dd", [
          `if=${src}`,
          `of=${floorDir}/dd${n++}`,
          "bs=1M",
          "conv=fsync",
          "status=none",
        ]);
      }]);
    }
    const samples = await interleaved(variants, PUBLISH_ROUNDS, 3);
    const rows = variants.map(([name]) => summarize(name, samples.get(name)!));
    console.log(table(`Publish of a 1 MiB component (temp dir on ${fsType})`, rows));
    const lines = variants.filter(([name]) => name.startsWith("floor")).map(([name]) =>
      `- wreg publish / ${name}: ${
        pairedRatio(samples.get(WREG)!, samples.get(name)!).toFixed(2)
      }× (median of ${PUBLISH_ROUNDS} paired rounds; goal ≤ 1.3×)`
    );
    console.log(lines.join("\n") + "\n");
  }

  // 3. Package document requests/s vs a minimal Deno.serve handler
  if (tools.has("wrk")) {
    const docUrl = `${wreg}/api/v1/packages/bench/download`;
    const doc = await (await fetch(docUrl)).text();
    await Deno.writeTextFile(`${tmp}/doc.json`, doc);
    await Deno.writeTextFile(
      `${tmp}/minimal.ts`,
      `const body = await Deno.readFile(Deno.args[0]);
Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.args[1]), onListen() {} }, () =>
  new Response(body, { headers: { "content-type": "application/json; charset=utf-8" } }));
`,
    );
    const port = freePort();
    spawn(Deno.execPath(), ["run", "-A", `${tmp}/minimal.ts`, `${tmp}/doc.json`, String(port)]);
    const minimal = `http://127.0.0.1:${port}/`;
    await waitFor(minimal);
    const logged = await startWreg("wreg-logged");
    const loggedUrl = `${logged}/api/v1/packages/bench/download`;
    await publish(logged, "bench:download", "1.0.0", oneMiB);
    const [rm, rw, rl] = await wrkRounds([minimal, docUrl, loggedUrl], 64);
    const rate = (r: WrkResult[]) => medianOf(r.map((x) => x.rps)).toFixed(0);
    const lines = [
      `### Package document (${doc.length} bytes of JSON), wrk, 64 connections, ${WRK_SECONDS} s × ${WRK_ROUNDS} alternating rounds`,
      "",
      "| what | requests/s (median) | ratio to minimal (median of rounds) |",
      "| --- | ---: | ---: |",
      `| minimal Deno.serve returning the same JSON | ${rate(rm)} | 1.00× |`,
      `| wreg GET /api/v1/packages/{ns}/{name} (--quiet) | ${rate(rw)} | ${
        rateRatio(rw, rm).toFixed(2)
      }× |`,
      `| wreg, logging one line per request (stdout to /dev/null) | ${rate(rl)} | ${
        rateRatio(rl, rm).toFixed(2)
      }× |`,
      "",
      "Goal: ≥ 0.8× the minimal handler.",
      "",
    ];
    console.log(lines.join("\n"));
  } else {
    notes.push("wrk is not installed and could not be: request-rate rows skipped");
  }
  if (notes.length > 0) console.log(notes.map((n) => `- ${n}`).join("\n"));
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
