/**
 * Issue 17's load test, and wreg's own HTTP server beside `Deno.serve`.
 *
 * 1. **Load under an idle-connection attack.** registry/main.ts (seeded with the examples) serves
 *    `wrk` with 64 connections for 60 s, mixed reads: package, version and index documents,
 *    blobs (the C example's component and the WIT package) and searches (by text, by exported
 *    interface), while this process holds 1,000 idle connections open that never send a byte
 *    (each one the server closes, at its header timeout, is opened again at once, as an attacker
 *    would). The same run without the idle connections is the baseline. Recorded: requests/s,
 *    p50/p90/p99 latency, wrk's errors (socket errors and non-2xx answers: the goal is 0), the
 *    idle connections the server closed, and whether the process is alive and answers after.
 * 2. **wreg's HTTP server vs `Deno.serve`** on a simple document read
 *    (`GET /api/v1/packages/docs/processor`, cached: the server's own cost dominates): the same
 *    registry in two processes (bench/_serve_registry.ts), `wrk` with 64 connections, alternating
 *    rounds, the paired ratio of requests/s.
 *
 * Run: `deno task bench hardening` (BENCH_LOAD_SECONDS, BENCH_IDLE, BENCH_WRK_SECONDS,
 * BENCH_WRK_ROUNDS to change the defaults; BENCH_PARTS=servers for the comparison alone). Prints
 * markdown tables.
 *
 * @module
 */
import { ensureExamples } from "../tests/support/examples.ts";
import { run } from "./_harness.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const LOAD_SECONDS = Number(Deno.env.get("BENCH_LOAD_SECONDS") ?? 60);
const IDLE = Number(Deno.env.get("BENCH_IDLE") ?? 1000);
const CONNECTIONS = 64;
const WRK_SECONDS = Number(Deno.env.get("BENCH_WRK_SECONDS") ?? 10);
const WRK_ROUNDS = Number(Deno.env.get("BENCH_WRK_ROUNDS") ?? 4);
/** `BENCH_PARTS=servers` runs the server comparison alone (`load,servers` by default). */
const PARTS = (Deno.env.get("BENCH_PARTS") ?? "load,servers").split(",");
const ADMIN = "bench-admin-secret-0123";
const tmp = await Deno.makeTempDir({ prefix: "wreg-bench-hardening-" });

interface Proc {
  url: string;
  child: Deno.ChildProcess;
  output: () => string;
}

/**
 * Starts a Deno process (under `ulimit -n openFiles` when given) and waits for its
 * `listening on http://…` line.
 */
async function start(args: string[], openFiles?: number): Promise<Proc> {
  const limited = openFiles !== undefined;
  const child = new Deno.Command(limited ? "sh" : Deno.execPath(), {
    args: limited
      ? ["-c", `ulimit -n ${openFiles} && exec "$0" "$@"`, Deno.execPath(), ...args]
      : args,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let out = "";
  const { promise, resolve, reject } = Promise.withResolvers<string>();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of s) {
      out += dec.decode(chunk, { stream: true });
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (m) resolve(m[1]);
    }
  };
  pump(child.stdout);
  pump(child.stderr);
  child.status.then((s) => reject(new Error(`exited with ${s.code}:\n${out}`)));
  const timer = setTimeout(() => reject(new Error(`did not start:\n${out}`)), 120_000);
  try {
    return { url: await promise, child, output: () => out };
  } finally {
    clearTimeout(timer);
  }
}

async function stop(p: Proc): Promise<void> {
  try {
    p.child.kill("SIGTERM");
  } catch { /* gone */ }
  await p.child.status;
}

/** Resident memory of a process, in MiB. */
async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

interface Wrk {
  rps: number;
  p50: string;
  p90: string;
  p99: string;
  requests: number;
  socketErrors: number;
  non2xx: number;
  raw: string;
}

async function wrk(url: string, seconds: number, script?: string): Promise<Wrk> {
  const out = await run("wrk", [
    "-t2",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--timeout",
    "10s",
    "--latency",
    ...(script ? ["-s", script] : []),
    url,
  ]);
  const pct = (p: string) => new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "?";
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: pct("50"),
    p90: pct("90"),
    p99: pct("99"),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    socketErrors: sock ? sock.slice(1).reduce((n, x) => n + Number(x), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    raw: out,
  };
}

/**
 * Holds `n` connections open that send nothing; reopens each one the server closes. Returns a
 * stop function that closes them all and says how many the server closed.
 */
async function holdIdle(url: string, n: number) {
  const { hostname, port } = new URL(url);
  let running = true;
  let closedByServer = 0;
  let failedOpens = 0;
  const open = new Set<Deno.TcpConn>();
  const keep = async () => {
    while (running) {
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname, port: Number(port) });
      } catch {
        failedOpens++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      open.add(conn);
      try {
        // The server sends nothing unless it closes (or answers a timeout): wait for that.
        while (running && (await conn.read(new Uint8Array(1024))) !== null) { /* drain */ }
      } catch { /* reset */ }
      open.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
      if (running) closedByServer++;
    }
  };
  const loops: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    loops.push(keep());
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 10));
  }
  // Wait until they are all open.
  for (let i = 0; i < 100 && open.size < n; i++) await new Promise((r) => setTimeout(r, 50));
  return {
    openNow: () => open.size,
    async stop() {
      running = false;
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await Promise.allSettled(loops);
      return { closedByServer, failedOpens };
    },
  };
}

/** Whether wrk runs (`wrk --version` exits 1, so only whether it starts counts). */
async function hasWrk(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

if (!(await hasWrk())) {
  console.log("wrk is not installed (Debian package `wrk`): nothing measured\n");
  Deno.exit(0);
}

console.error("bench: building the examples");
await ensureExamples();

// --- 1. load with mixed reads, with and without 1,000 idle connections ------------------------
// First at this machine's open-file limit, then under `ulimit -n 1024` (the usual default, where
// ~1,000 idle connections ended the process before issue 17 #1): the cap, eviction and shedding.
const rows: string[] = [];
let paths: string[] = [];
const systemLimit = (await run("sh", ["-c", "ulimit -n"])).trim();
for (const openFiles of PARTS.includes("load") ? [undefined, 1024] : []) {
  const wreg = await start([
    "run",
    "-A",
    `${ROOT}/registry/main.ts`,
    "--memory",
    "--seed-examples",
    "--quiet",
    "--port",
    "0",
    "--admin-token",
    ADMIN,
  ], openFiles);
  try {
    const base = wreg.url;
    const get = async (path: string) => {
      const r = await fetch(`${base}${path}`);
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      return await r.json();
    };
    const scrubber = await get("/api/v1/packages/docs/scrubber-c/0.1.0");
    const processor = await get("/api/v1/packages/docs/processor/0.1.0");
    paths = [
      "/api/v1/packages/docs/processor",
      "/api/v1/packages/docs/scrubber-c",
      "/api/v1/packages/docs/scrubber-c/0.1.0",
      "/api/v1/packages/docs/processor/index",
      `/api/v1/blobs/${scrubber.digest}`,
      `/api/v1/blobs/${processor.digest}`,
      "/api/v1/search?q=scrub",
      "/api/v1/search?exports=docs:processor/logger",
    ];
    for (const p of paths) {
      const r = await fetch(`${base}${p}`);
      await r.body?.cancel();
      if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
    }
    const script = `${tmp}/mixed.lua`;
    await Deno.writeTextFile(
      script,
      `local paths = { ${paths.map((p) => JSON.stringify(p)).join(", ")} }
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
`,
    );
    const pid = wreg.child.pid;
    const record = async (label: string, idle: number) => {
      const holder = idle > 0 ? await holdIdle(base, idle) : undefined;
      const heldAtStart = holder?.openNow() ?? 0;
      const rss0 = await rssMiB(pid);
      console.error(`bench: ${label}: wrk ${LOAD_SECONDS} s (${heldAtStart} idle connections)`);
      const w = await wrk(`${base}/`, LOAD_SECONDS, script);
      const heldAtEnd = holder?.openNow() ?? 0;
      const rss1 = await rssMiB(pid);
      const held = holder ? await holder.stop() : { closedByServer: 0, failedOpens: 0 };
      const health = await fetch(`${base}/healthz`).then((r) => r.status).catch((e) => String(e));
      let alive = "yes";
      try {
        Deno.kill(pid, "SIGCONT");
      } catch {
        alive = "NO";
      }
      rows.push(
        `| ${label} | ${
          openFiles ?? systemLimit
        } | ${heldAtStart} / ${heldAtEnd} | ${held.closedByServer} | ${
          w.rps.toFixed(0)
        } | ${w.requests} | ${w.p50} | ${w.p90} | ${w.p99} | ${w.socketErrors} | ${w.non2xx} | ${alive}, /healthz ${health} | ${
          rss0.toFixed(0)
        } → ${rss1.toFixed(0)} |`,
      );
      if (w.socketErrors > 0 || w.non2xx > 0) console.error(w.raw);
    };
    // Warm up (JIT, caches) so that neither run pays for it.
    await wrk(`${base}/`, Math.min(10, LOAD_SECONDS), script);
    await record(`${IDLE} idle connections held`, IDLE);
    if (openFiles === undefined) await record("no idle connections", 0);
  } finally {
    await stop(wreg);
  }
}
if (PARTS.includes("load")) {
  console.log(
    [
      `### Mixed reads under ${IDLE} idle connections (wrk, ${CONNECTIONS} connections, ${LOAD_SECONDS} s each)`,
      "",
      `Paths, in turn: ${
        paths.map((p) => `\`${p.replace(/sha256:[0-9a-f]{64}/, "sha256:…")}\``).join(", ")
      }.`,
      "",
      "| run | open-file limit | idle held (start / end) | idle closed by the server (reopened) | requests/s | requests | p50 | p90 | p99 | socket errors | non-2xx | process alive | server RSS MiB (start → end) |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
      ...rows,
      "",
    ].join("\n"),
  );
}

// --- 2. wreg's HTTP server vs Deno.serve --------------------------------------------------------
if (PARTS.includes("servers")) {
  const own = await start(["run", "-A", `${ROOT}/bench/_serve_registry.ts`, "own"]);
  const deno = await start(["run", "-A", `${ROOT}/bench/_serve_registry.ts`, "deno"]);
  try {
    const path = "/api/v1/packages/docs/processor";
    for (const s of [own, deno]) {
      const r = await fetch(`${s.url}${path}`);
      await r.body?.cancel();
      if (r.status !== 200) throw new Error(`${s.url}${path}: ${r.status}`);
      await wrk(`${s.url}${path}`, 2); // warm up
    }
    const results: Record<"own" | "deno", Wrk[]> = { own: [], deno: [] };
    for (let r = 0; r < WRK_ROUNDS; r++) {
      const order = r % 2 === 0 ? (["own", "deno"] as const) : (["deno", "own"] as const);
      for (const who of order) {
        const s = who === "own" ? own : deno;
        console.error(`bench: ${who} round ${r + 1}`);
        results[who].push(await wrk(`${s.url}${path}`, WRK_SECONDS));
      }
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    const ratios = results.own.map((o, i) => o.rps / results.deno[i].rps);
    const row = (who: "own" | "deno", label: string, ratio: string) => {
      const rs = results[who];
      return `| ${label} | ${median(rs.map((x) => x.rps)).toFixed(0)} | ${
        rs.map((x) => x.rps.toFixed(0)).join(", ")
      } | ${rs[rs.length >> 1].p50} | ${rs[rs.length >> 1].p99} | ${
        rs.reduce((n, x) => n + x.socketErrors + x.non2xx, 0)
      } | ${ratio} |`;
    };
    console.log(
      [
        `### wreg's HTTP server vs Deno.serve: \`GET ${path}\` (wrk, ${CONNECTIONS} connections, ${WRK_SECONDS} s × ${WRK_ROUNDS} alternating rounds)`,
        "",
        "| server | requests/s (median) | each round | p50 | p99 | errors | ratio to Deno.serve (median of paired rounds) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
        row("deno", "Deno.serve", "1.00×"),
        row(
          "own",
          "registry/_http_server.ts",
          `${median(ratios).toFixed(2)}× (rounds: ${ratios.map((x) => x.toFixed(2)).join(", ")})`,
        ),
        "",
      ].join("\n"),
    );
  } finally {
    await stop(own);
    await stop(deno);
  }
}
await Deno.remove(tmp, { recursive: true }).catch(() => {});
