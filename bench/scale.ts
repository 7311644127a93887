/**
 * The scale-out storage beside the embedded one, in one run (issue 15):
 *
 * 1. publish latency over HTTP (a 64 KiB and a 1 MiB component, each publish a new version):
 *    one registry process on PostgreSQL + S3 (versitygw) vs one on the embedded store (SQLite +
 *    files, fsynced). Goal: ≤ 1.5× embedded.
 * 2. reads with `wrk` (64 connections): the package and version documents and dependents (cached
 *    in each process until the storage signals a change; goal ≥ 0.8× embedded), and the counts of
 *    `/api/v1/stats` (a metadata query on every request: what an uncached read costs).
 * 3. one process vs three on PostgreSQL + S3, the same reads: three `wrk`s at once, one per
 *    process, with a third of the connections each, their rates summed.
 *
 * PostgreSQL and S3 come from tools/services.mjs; run without them, this script runs itself
 * again under it. The PostgreSQL server here runs with fsync off (a test cluster), so the publish
 * comparison favours it against the embedded store's fsynced commit; BENCHMARKS.md says so.
 *
 * Run: `deno task bench scale` (or `node tools/services.mjs deno run -A bench/scale.ts`).
 *
 * @module
 */
import { digestOf } from "../lib/names/mod.ts";
import {
  componentOfSize,
  startServerProcess,
  withCustomSections,
} from "../tests/registry_support.ts";
import { scaledStorage } from "../tests/support/cluster.ts";
import { serviceIfAvailable } from "../tests/support/services.ts";
import { interleaved, pairedRatio, run, summarize, table } from "./_harness.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

if (!serviceIfAvailable("postgres") || !serviceIfAvailable("s3")) {
  if (Deno.env.get("WREG_TEST_SERVICES_DIR")) {
    console.log(
      "PostgreSQL or S3 did not start (see tools/services.mjs's output): nothing measured",
    );
    Deno.exit(1);
  }
  const out = await new Deno.Command("node", {
    args: [
      `${ROOT}/tools/services.mjs`,
      Deno.execPath(),
      "run",
      "-A",
      new URL(import.meta.url).pathname,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(out.code);
}

const ROUNDS = Number(Deno.env.get("BENCH_RUNS") ?? 60);
const WRK_SECONDS = Number(Deno.env.get("BENCH_WRK_SECONDS") ?? 5);
const WRK_ROUNDS = Number(Deno.env.get("BENCH_WRK_ROUNDS") ?? 3);
const ADMIN = "bench-admin-secret-0123";

const storage = scaledStorage();
// The processes of the scaled registry share one log key (the first to start creates it).
const logKey = `${await Deno.makeTempDir({ prefix: "wreg-bench-key-" })}/log-key`;
const started: { stop(signal?: Deno.Signal): Promise<number>; dataDir: string }[] = [];
async function start(kind: "embedded" | "scaled") {
  const p = await startServerProcess({
    adminToken: ADMIN,
    args: kind === "scaled"
      ? ["--quiet", "--database", storage.database, "--blobs", storage.blobs, "--log-key", logKey]
      : ["--quiet"],
    env: storage.env,
  });
  started.push(p);
  return p.url;
}

async function token(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ owner: "bench", scopes: ["publish"] }),
  });
  return (await res.json()).token;
}

async function publish(
  base: string,
  tok: string,
  name: string,
  version: string,
  bytes: Uint8Array,
) {
  const [ns, n] = name.split(":");
  const res = await fetch(`${base}/api/v1/packages/${ns}/${n}/${version}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${tok}`,
      "content-type": "application/wasm",
      "x-wreg-digest": await digestOf(bytes),
    },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  await res.body?.cancel();
  if (res.status !== 201) throw new Error(`publish ${name}@${version} on ${base}: ${res.status}`);
}

interface Wrk {
  rps: number;
  p50: string;
}

async function wrk(url: string, connections: number): Promise<Wrk> {
  const out = await run("wrk", [
    `-t${Math.min(2, connections)}`,
    `-c${connections}`,
    `-d${WRK_SECONDS}s`,
    "--latency",
    url,
  ]);
  if (/Non-2xx/.test(out)) throw new Error(`wrk ${url}: non-2xx answers\n${out}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? "?",
  };
}

/** Several `wrk`s at once (one per URL), rates summed. */
async function wrkTogether(urls: string[], connections: number): Promise<Wrk> {
  const each = await Promise.all(
    urls.map((u) => wrk(u, Math.max(1, Math.round(connections / urls.length)))),
  );
  return { rps: each.reduce((a, b) => a + b.rps, 0), p50: each.map((e) => e.p50).join("/") };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const embedded = await start("embedded");
  const scaled = await start("scaled");
  const tokE = await token(embedded);
  const tokS = await token(scaled);
  const out: string[] = [];

  // 1. Publish latency.
  for (const size of [64 * 1024, 1024 * 1024]) {
    const base = await componentOfSize(size, "bench:scale@1.0.0");
    let ne = 0;
    let ns = 0;
    const samples = await interleaved([
      ["embedded (SQLite + files)", async () => {
        const i = ne++;
        await publish(
          embedded,
          tokE,
          `bench:p${size}`,
          `1.${i}.0`,
          withCustomSections(base, { i: `${i}` }),
        );
      }],
      ["PostgreSQL + S3", async () => {
        const i = ns++;
        await publish(
          scaled,
          tokS,
          `bench:p${size}`,
          `1.${i}.0`,
          withCustomSections(base, { i: `${i}` }),
        );
      }],
    ], ROUNDS);
    const [e, s] = [...samples.values()];
    out.push(
      table(`Publish of a ${size / 1024} KiB component over HTTP (${ROUNDS} rounds, interleaved)`, [
        summarize("embedded (SQLite + files)", e),
        summarize("PostgreSQL + S3", s),
      ]),
      "",
      `PostgreSQL + S3 / embedded, paired median: **${
        pairedRatio(s, e).toFixed(2)
      }×** (goal ≤ 1.5×)`,
      "",
    );
  }

  const haveWrk = await new Deno.Command("sh", { args: ["-c", "command -v wrk"], stdout: "null" })
    .output().then((o) => o.success, () => false);
  if (!haveWrk) {
    out.push("(wrk is not installed: the read rows are skipped; `apt-get install wrk`)");
  } else {
    // 2. Reads, embedded vs PostgreSQL + S3 (one process each).
    const doc = "/api/v1/packages/bench/p65536";
    const ver = "/api/v1/packages/bench/p65536/1.0.0";
    const deps = "/api/v1/packages/bench/p65536/dependents";
    const stats = "/api/v1/stats";
    const reads = [
      ["package document (cached)", doc],
      ["version document (cached)", ver],
      ["dependents (cached)", deps],
      ["stats (counts: a metadata query every time)", stats],
    ];
    const rows: string[] = [
      "| read | embedded req/s | PostgreSQL + S3 req/s | ratio (median of rounds) |",
      "| --- | ---: | ---: | ---: |",
    ];
    for (const [what, path] of reads) {
      const e: number[] = [];
      const s: number[] = [];
      for (let r = 0; r < WRK_ROUNDS; r++) {
        const order = r % 2 ? [1, 0] : [0, 1];
        for (const i of order) {
          const w = await wrk(`${i ? scaled : embedded}${path}`, 64);
          (i ? s : e).push(w.rps);
        }
      }
      rows.push(
        `| ${what} | ${median(e).toFixed(0)} | ${median(s).toFixed(0)} | **${
          median(s.map((x, i) => x / e[i])).toFixed(2)
        }×** |`,
      );
    }
    out.push(
      `### Reads with wrk (64 connections, ${WRK_SECONDS} s × ${WRK_ROUNDS} alternating rounds; goal ≥ 0.8×)`,
      "",
      ...rows,
      "",
    );

    // 3. One process vs three on the same PostgreSQL + S3.
    const more = [scaled, await start("scaled"), await start("scaled")];
    const rows3: string[] = [
      "| read | 1 process req/s | 3 processes req/s | 3 / 1 |",
      "| --- | ---: | ---: | ---: |",
    ];
    for (const [what, path] of reads) {
      const one: number[] = [];
      const three: number[] = [];
      for (let r = 0; r < WRK_ROUNDS; r++) {
        one.push((await wrk(`${scaled}${path}`, 64)).rps);
        three.push((await wrkTogether(more.map((b) => `${b}${path}`), 64)).rps);
      }
      rows3.push(
        `| ${what} | ${median(one).toFixed(0)} | ${median(three).toFixed(0)} | **${
          (median(three) / median(one)).toFixed(2)
        }×** |`,
      );
    }
    out.push(
      `### One process vs three on PostgreSQL + S3 (64 connections in all; ${navigator.hardwareConcurrency} cores shared by wrk, the registries, PostgreSQL and versitygw)`,
      "",
      ...rows3,
      "",
    );
  }
  console.log(out.join("\n"));
} finally {
  for (const p of started) {
    await p.stop("SIGKILL").catch(() => {});
    await Deno.remove(p.dataDir, { recursive: true }).catch(() => {});
  }
  const { dropSchema } = await import("../tests/support/cluster.ts");
  await dropSchema(storage.schema).catch(() => {});
}
