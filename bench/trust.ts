/**
 * `deno task bench trust`: what trust (issue 16) costs the registry.
 *
 * 1. Publish latency, in interleaved rounds, of three registry processes on embedded storage:
 *    - the baseline: wreg as it was before the transparency log (a `git archive` of the commit
 *      before it, `--baseline DIR` to give another checkout), an unsigned publish;
 *    - this wreg, an unsigned publish: the release's log entry in the commit, then integration
 *      (node hashes, a signed checkpoint) before the answer;
 *    - this wreg, a signed publish: the client signs the release (lib/attest, timed with it), the
 *      registry checks the bundle twice (before the upload, under the lock), logs the signer and
 *      attaches the bundle as an OCI referrer.
 *    The goal of issue 16: signing + logging adds at most 10% to a publish (paired ratios).
 * 2. Per request: `GET …/log-proof` (an inclusion proof made from stored node hashes and the
 *    latest checkpoint) beside `GET …/{version}` (a cached JSON document) on the same process,
 *    in a log of a few hundred entries; and `GET /log/checkpoint` and a full hash tile.
 *
 * Usage: `deno run -A bench/trust.ts [--rounds N] [--baseline DIR]`.
 *
 * @module
 */
import { signRelease } from "../lib/attest/mod.ts";
import { digestOf, parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { interleaved, pairedRatio, summarize, type Timing } from "./_harness.ts";
import { formatMs } from "./_harness.ts";
import { Client, witPackage } from "../tests/registry_support.ts";
import { newPublisherKey } from "../tests/support/trust_proxy.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const roundsArg = Deno.args.indexOf("--rounds");
const ROUNDS = roundsArg >= 0 ? Number(Deno.args[roundsArg + 1]) : 40;
const baselineArg = Deno.args.indexOf("--baseline");
/** The last commit whose registry had no transparency log. */
const BASELINE_REV = Deno.env.get("BENCH_TRUST_BASELINE_REV") ?? "e01131b^";
const ADMIN = "bench-admin-secret-0123";

interface Proc {
  url: string;
  child: Deno.ChildProcess;
  dir: string;
}

async function startRegistry(root: string): Promise<Proc> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-bench-trust-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${root}/deno.json`,
      `${root}/registry/main.ts`,
      "--port",
      "0",
      "--data",
      dir,
      "--admin-token",
      ADMIN,
      "--quiet",
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  const reader = child.stdout.getReader();
  child.stderr.pipeTo(new WritableStream({ write: (c) => void (out += dec.decode(c)) }));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += dec.decode(value);
    const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
    if (m) {
      reader.releaseLock();
      child.stdout.pipeTo(new WritableStream()).catch(() => {});
      return { url: m[1], child, dir };
    }
  }
  throw new Error(`the registry in ${root} did not start:\n${out}`);
}

async function baselineCheckout(): Promise<{ root: string; made: boolean }> {
  if (baselineArg >= 0) return { root: Deno.args[baselineArg + 1].replace(/\/$/, ""), made: false };
  const root = await Deno.makeTempDir({ prefix: "wreg-bench-trust-base-" });
  const archive = new Deno.Command("git", {
    args: ["-C", ROOT, "archive", "--format=tar", BASELINE_REV],
    stdout: "piped",
  }).spawn();
  const tar = new Deno.Command("tar", { args: ["-x", "-C", root], stdin: "piped" }).spawn();
  await archive.stdout.pipeTo(tar.stdin);
  if (!(await archive.status).success || !(await tar.status).success) {
    throw new Error(`cannot check out ${BASELINE_REV} (set --baseline DIR)`);
  }
  await Deno.symlink(`${ROOT}/node_modules`, `${root}/node_modules`);
  return { root, made: true };
}

/** A WIT package of about 64 KiB (a long doc comment), distinct per version. */
function release(pkg: string, version: string): Uint8Array {
  const filler = `/// ${version} `.repeat(64 * 1024 / (version.length + 5));
  return witPackage(
    `package ${pkg}@${version};\n${filler}\ninterface api {\n  run: func(input: string) -> string;\n}\n`,
  );
}

const base = await baselineCheckout();
const procs: Proc[] = [];
try {
  const [old, now] = [await startRegistry(base.root), await startRegistry(ROOT)];
  procs.push(old, now);
  const oldApi = new Client(old.url);
  const api = new Client(now.url);
  const oldToken = await oldApi.token(ADMIN, "bench", ["publish"]);
  const token = await api.token(ADMIN, "bench", ["publish", "yank", "owners"]);

  const key = await newPublisherKey();
  const reg = await api.call("POST", "/api/v1/namespaces/signed/keys", {
    token,
    json: { publicKey: key.pem },
  });
  if (reg.status !== 201) throw new Error(`key: ${reg.status} ${reg.text}`);

  let n = 0;
  const published: string[] = []; // this wreg's plain:pkg versions
  const publish = (c: Client, tok: string, pkg: string, sign: boolean) => async () => {
    const version = `1.0.${n++}`;
    if (c === api && !sign) published.push(version);
    const bytes = release(pkg, version);
    const headers: Record<string, string> = {};
    if (sign) {
      const bundle = await signRelease({
        package: parsePackageName(pkg),
        version: parseVersion(version),
        digest: await digestOf(bytes),
      }, key);
      headers["x-wreg-signature"] = new TextEncoder().encode(bundle).toBase64();
    }
    const r = await c.publish(tok, pkg, version, bytes, { headers });
    if (r.status !== 201) throw new Error(`publish ${pkg}@${version}: ${r.status} ${r.text}`);
  };
  // Each variant publishes a series of its own (patch versions: the gate compares each with the
  // versions below it in the series, alike for all three).
  const samples = await interleaved([
    ["before the log (unsigned)", publish(oldApi, oldToken, "plain:pkg", false)],
    ["log (unsigned)", publish(api, token, "plain:pkg", false)],
    ["log + signature", publish(api, token, "signed:pkg", true)],
  ], ROUNDS);
  const before = samples.get("before the log (unsigned)")!;
  const rows: string[] = [
    `### Publish of a 64 KiB WIT package: before the log, with the log, signed (${ROUNDS} interleaved rounds)`,
    "",
    "| what | runs | median | p95 | paired ratio to before the log |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, s] of samples) {
    const t = summarize(name, s);
    rows.push(
      `| ${name} | ${t.runs} | ${formatMs(t.median)} | ${formatMs(t.p95)} | ${
        pairedRatio(s, before).toFixed(3)
      }× |`,
    );
  }
  rows.push("");

  // Per request, on a log of a few hundred entries: yank/unyank add entries cheaply.
  for (let i = 0; i < 150; i++) {
    for (const m of ["PUT", "DELETE"]) {
      const y = await api.call(m, `/api/v1/packages/plain/pkg/${published[0]}/yank`, { token });
      if (y.status !== 200) throw new Error(`yank: ${y.status}`);
    }
  }
  const size = Number((await api.call("GET", "/log/checkpoint")).text.split("\n")[1]);
  const versions = published.slice(-20);
  let k = 0;
  const get = (path: (v: string) => string) => async () => {
    const v = versions[k++ % versions.length];
    const r = await fetch(`${now.url}${path(v)}`);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path(v)}: ${r.status}`);
  };
  const reads = await interleaved(
    [
      ["GET …/{version} (document)", get((v) => `/api/v1/packages/plain/pkg/${v}`)],
      ["GET …/{version}/log-proof", get((v) => `/api/v1/packages/plain/pkg/${v}/log-proof`)],
      ["GET /log/checkpoint", get(() => "/log/checkpoint")],
      ["GET /log/tile/0/000 (8 KiB)", get(() => "/log/tile/0/000")],
    ],
    300,
    20,
  );
  const doc = reads.get("GET …/{version} (document)")!;
  rows.push(
    `### Reads on a log of ${size} entries (300 interleaved rounds, one process)`,
    "",
    "| what | runs | median | p95 | paired ratio to the document |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const [name, s] of reads) {
    const t: Timing = summarize(name, s);
    rows.push(
      `| ${name} | ${t.runs} | ${formatMs(t.median)} | ${formatMs(t.p95)} | ${
        pairedRatio(s, doc).toFixed(2)
      }× |`,
    );
  }
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ").slice(0, 3);
  rows.push("", `Machine: ${navigator.hardwareConcurrency} cores, load average ${load.join(" ")}.`);
  console.log(rows.join("\n"));
} finally {
  for (const p of procs) {
    try {
      p.child.kill("SIGTERM");
    } catch { /* gone */ }
    await p.child.status;
    await Deno.remove(p.dir, { recursive: true }).catch(() => {});
  }
  if (base.made) await Deno.remove(base.root, { recursive: true }).catch(() => {});
}
