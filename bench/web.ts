/**
 * The web index's package page beside the JSON API, in one run (issue 9): time to first byte and
 * size of `/{ns}/{name}` (HTML) for a WIT package with 50 versions, beside
 * `GET /api/v1/packages/{ns}/{name}` (the package document: what a client needs for the same
 * facts) and the latest version's document, from a real registry process on 127.0.0.1.
 *
 * - warm: the steady state, every answer already rendered and cached (pages and documents are
 *   cached until the next publish or yank);
 * - cold: the first request after a change (a yank of another package drops every cached page
 *   and document), so the page is rendered from storage reads and version documents.
 *
 * Requests are sequential over one keep-alive connection, interleaved so that noise hits every
 * row alike. Time to first byte is when `fetch` resolves (the headers arrived); the body is read
 * to the end after that and counted for the size.
 *
 * Run: `deno run -A bench/web.ts` (or `deno task bench web`). Prints markdown tables.
 *
 * @module
 */
import { Client, startServerProcess, witPackage } from "../tests/registry_support.ts";
import { formatMs, summarize, type Timing } from "./_harness.ts";

const VERSIONS = 50;
const WARM_RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 300);
const COLD_RUNS = Math.max(10, Math.round(WARM_RUNS / 10));
const ADMIN = "bench-admin-secret-0123";

/** `bench:fifty` at 1.N.0: an interface that gains a function each minor version. */
function fiftyWit(n: number): string {
  const fns = Array.from(
    { length: n + 1 },
    (_, i) =>
      `  /// Step ${i}: returns its input, ${i} times over.\n  step${i}: func(x: u32) -> u32;\n`,
  ).join("");
  return `/// A package with ${VERSIONS} versions, for the web index's benchmark.
package bench:fifty@1.${n}.0;

/// Kinds of things.
interface types {
  /// A record.
  record item {
    id: u64,
    name: string,
    tags: list<string>,
  }
  /// A variant.
  variant outcome {
    done(item),
    failed(string),
  }
}

/// The API, one function more in each version.
interface api {
  use types.{item, outcome};
  /// Runs an item.
  run: func(i: item) -> outcome;
${fns}}

/// An app over the API.
world app {
  import api;
  export main: func() -> string;
}
`;
}

async function timed(base: string, path: string): Promise<{ ttfb: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`);
  const ttfb = performance.now() - t0;
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { ttfb, bytes: body.length };
}

async function gzipSize(base: string, path: string): Promise<number> {
  const res = await fetch(`${base}${path}`);
  const stream = res.body!.pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

const server = await startServerProcess({ args: ["--quiet"], adminToken: ADMIN });
try {
  const api = new Client(server.url);
  const alice = await api.token(ADMIN, "alice");
  const t0 = performance.now();
  for (let n = 0; n < VERSIONS; n++) {
    const r = await api.publish(alice, "bench:fifty", `1.${n}.0`, witPackage(fiftyWit(n)));
    if (r.status !== 201) throw new Error(`publish 1.${n}.0: ${r.status} ${r.text}`);
  }
  // Another package to yank and unyank: each toggle drops every cached page and document.
  const other = witPackage("package bench:other@1.0.0;\ninterface i {\n  f: func();\n}\n");
  await api.publish(alice, "bench:other", "1.0.0", other);
  console.error(`bench/web: published ${VERSIONS} versions in ${formatMs(performance.now() - t0)}`);

  const rows: [string, string][] = [
    ["package page (HTML)", "/bench/fifty"],
    ["package document (JSON API)", "/api/v1/packages/bench/fifty"],
    ["latest version document (JSON API)", `/api/v1/packages/bench/fifty/1.${VERSIONS - 1}.0`],
  ];
  const sizes = new Map<string, number>();
  for (const [name, path] of rows) {
    sizes.set(name, (await timed(server.url, path)).bytes);
    sizes.set(`${name} gzip`, await gzipSize(server.url, path));
  }

  // Warm: interleaved rounds.
  const warm = new Map(rows.map(([name]) => [name, [] as number[]]));
  for (let i = 0; i < 20; i++) for (const [, path] of rows) await timed(server.url, path);
  for (let i = 0; i < WARM_RUNS; i++) {
    for (const [name, path] of rows) warm.get(name)!.push((await timed(server.url, path)).ttfb);
  }

  // Cold: each row's first request after a change.
  const cold = new Map(rows.map(([name]) => [name, [] as number[]]));
  let yanked = false;
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const [name, path] of rows) {
      yanked = !yanked;
      const r = await api.call(
        yanked ? "PUT" : "DELETE",
        "/api/v1/packages/bench/other/1.0.0/yank",
        { token: alice },
      );
      if (r.status !== 200) throw new Error(`yank: ${r.status} ${r.text}`);
      cold.get(name)!.push((await timed(server.url, path)).ttfb);
    }
  }

  const line = (t: Timing, base: Timing, name: string) =>
    `| ${name} | ${t.runs} | ${formatMs(t.median)} | ${formatMs(t.p95)} | ${
      (t.median / base.median).toFixed(2)
    }× |`;
  const out: string[] = [
    `### Package page of a WIT package with ${VERSIONS} versions, beside the JSON API`,
    "",
    `Sizes (bytes, as served / gzip-compressed for reference; the server does not compress):`,
    "",
    "| what | size | gzip |",
    "| --- | ---: | ---: |",
    ...rows.map(([name]) => `| ${name} | ${sizes.get(name)} | ${sizes.get(`${name} gzip`)} |`),
    "",
  ];
  for (
    const [title, data] of [["warm (cached)", warm], ["cold (first after a change)", cold]] as const
  ) {
    const timings = rows.map(([name]) => summarize(name, data.get(name)!));
    const base = timings[1];
    out.push(
      `Time to first byte, ${title}:`,
      "",
      `| what | runs | median | p95 | ratio to ${base.name} |`,
      "| --- | ---: | ---: | ---: | ---: |",
      ...timings.map((t) => line(t, base, t.name)),
      "",
    );
  }
  console.log(out.join("\n"));
} finally {
  await server.stop();
}
