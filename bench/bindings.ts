/**
 * The cost of calling a component from Deno, through each way of doing it, in one run:
 *
 * - **raw core Wasm**: the component's core module instantiated by hand, its export called
 *   directly, with hand-written marshalling for strings and lists (encode into memory at a fixed
 *   address, call, read the return area, copy out, post-return);
 * - **wreg lean**: `wreg bindings` output for a component lean glue covers (the default for it),
 *   imported the way users do: `import { add } from "…/mod.ts"`;
 * - **wreg jco**: `wreg bindings --glue jco` (jco-transpile's glue, patched and wrapped);
 * - **jco default**: jco-transpile's output with its default options, as jco writes it;
 * - **HTTP/JSON**: the same function behind a loopback `Deno.serve` JSON endpoint, called with
 *   `fetch` (the "network-based communication" the seed wants to replace).
 *
 * Functions: `noop()`, `add(u32, u32) -> u32`, `echo(string) -> string` with 1 KiB, and
 * `echo-list(list<u32>) -> list<u32>` with 1,000 elements, from bench/fixtures/calls.{wat,wit}.
 * Then instantiation (lean and jco beside instantiating the core modules by hand, for the
 * one-module benchmark component and the three-module C scrubber), and the cold start of a new
 * `deno run` process up to its first call, beside a process that imports an empty module.
 *
 * Per-call figures come from separate processes, one per way and function (five each), each
 * warming its call loop up the way a long-running program would before timing batches of calls:
 * nanosecond calls depend on what V8 inlines, which depends on everything else in the process.
 * The machine is shared and noisy, so the processes run in rounds (one of each way per round) and
 * the summaries give, beside the ratio of medians, the paired ratio (median over rounds of the
 * per-round ratio) and the ratio of the fastest batches (min ÷ min, the least disturbed); cold
 * starts run in turns too, with paired ratios.
 *
 * `deno run -A bench/bindings.ts` prints markdown tables; ratios are to the first row.
 *
 * @module
 */
import { transpileBytes } from "@bytecodealliance/jco-transpile";
import { generateBindings, type GlueChoice } from "../lib/bindings/mod.ts";
import { callsComponent, example, writeFiles } from "../tests/bindings_fixtures.ts";
import { CORPUS } from "../tools/corpus.ts";
import { byHand } from "./_by_hand.ts";
import {
  formatMs,
  interleaved as inTurns,
  pairedRatio,
  summarize,
  table,
  type Timing,
} from "./_harness.ts";

const work = await Deno.makeTempDir({ prefix: "wreg-bench-bindings-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(work, { recursive: true });
  } catch { /* gone */ }
});

const { bytes: calls, core: callsCore } = await callsComponent();
const scrubber = (await example("scrubber-c")).bytes;

async function bindings(bytes: Uint8Array, glue: GlueChoice, dir: string) {
  const b = await generateBindings(bytes, { name: "bench", glue });
  await writeFiles(`${work}/${dir}`, b.files);
  return b;
}
await bindings(calls, "auto", "calls-lean");
await bindings(calls, "jco", "calls-jco");
await bindings(scrubber, "auto", "scrubber-lean");
await bindings(scrubber, "jco", "scrubber-jco");
// jco's default output: an ES module that instantiates on import, as `jco transpile` writes it.
{
  const r = await transpileBytes(calls, { name: "calls" });
  await writeFiles(
    `${work}/calls-jco-default`,
    Object.entries(r.files).map(([path, contents]) => ({ path, contents })),
  );
}
await Deno.writeFile(`${work}/calls.core.wasm`, callsCore);
await Deno.writeTextFile(`${work}/empty.js`, "export {};\n");
await Deno.writeTextFile(`${work}/logger.js`, "export function log() {}\n");

/** How each way gets `noop`, `add`, `echo` and `echoList` into scope of the timing script. */
const SOURCES: Record<string, string> = {
  "raw core Wasm": `import source core from "./calls.core.wasm";
const raw = new WebAssembly.Instance(core, {}).exports;
const enc = new TextEncoder();
const dec = new TextDecoder();
const SCRATCH = 4096;
const noop = () => raw.noop();
const add = (a, b) => raw.add(a, b) >>> 0;
function echo(s) {
  const n = enc.encodeInto(s, new Uint8Array(raw.memory.buffer, SCRATCH, s.length * 3)).written;
  const r = raw.echo(SCRATCH, n);
  const view = new DataView(raw.memory.buffer);
  const out = dec.decode(
    new Uint8Array(raw.memory.buffer, view.getUint32(r, true), view.getUint32(r + 4, true)),
  );
  raw.cabi_post_echo(r);
  return out;
}
function echoList(xs) {
  new Uint32Array(raw.memory.buffer, SCRATCH, xs.length).set(xs);
  const r = raw["echo-list"](SCRATCH, xs.length);
  const view = new DataView(raw.memory.buffer);
  const out = new Uint32Array(raw.memory.buffer, view.getUint32(r, true), view.getUint32(r + 4, true))
    .slice();
  raw["cabi_post_echo-list"](r);
  return out;
}`,
  "wreg lean glue": `import { add, echo, echoList, noop } from "./calls-lean/mod.ts";`,
  "wreg jco glue (patched)": `import { add, echo, echoList, noop } from "./calls-jco/mod.ts";`,
  "jco default output": `import { add, echo, echoList, noop } from "./calls-jco-default/calls.js";`,
};

const text = "héllo wörld ".repeat(86).slice(0, 1024);

const FUNCTIONS = [
  { title: "noop()", body: "noop(); s++;", batch: 200_000, http: ["/noop", {}] },
  {
    title: "add(u32, u32) -> u32",
    body: "s += add(i >>> 0, 7);",
    batch: 200_000,
    http: ["/add", { a: 1, b: 2 }],
  },
  {
    title: "echo(string) -> string, 1 KiB",
    body: "s += echo(text).length;",
    batch: 2_000,
    http: ["/echo", { s: text }],
  },
  {
    title: "echo-list(list<u32>) -> list<u32>, 1,000 elements",
    body: "s += echoList(list).length;",
    batch: 2_000,
    http: ["/echo-list", { xs: Array.from({ length: 1000 }, (_, i) => i * 7) }],
  },
] as const;

/** A timing script: import one way, warm the loop up, print per-call times of 15 batches. */
function timingScript(source: string, body: string, batch: number, slow: boolean): string {
  const n = slow ? Math.max(20, Math.floor(batch / 100)) : batch;
  return `${source}
const text = ${JSON.stringify(text)};
const list = Uint32Array.from({ length: 1000 }, (_, i) => (i * 2654435761) >>> 0);
if (add(0xffffffff, 2) !== 1 || echo(text) !== text || echoList(list)[999] !== list[999]) {
  throw new Error("wrong answer");
}
function run(N) {
  let s = 0;
  for (let i = 0; i < N; i++) { ${body} }
  return s;
}
for (let i = 0; i < ${slow ? 200 : 3000}; i++) run(${slow ? 5 : 100});
const out = [];
for (let r = 0; r < 15; r++) {
  const t0 = performance.now();
  run(${n});
  out.push((performance.now() - t0) / ${n});
}
console.log(JSON.stringify(out));
`;
}

/**
 * Per-call timings of every way for one function: five processes per way, run in rounds (one
 * process of each way per round, the order rotating), so that drift on a busy machine hits every
 * way alike.
 */
async function perCall(f: typeof FUNCTIONS[number]): Promise<PairedTimings> {
  const ways = Object.keys(SOURCES);
  const files = await Promise.all(ways.map(async (way) => {
    const slow = way.startsWith("jco") || way.startsWith("wreg jco");
    const file = `${work}/time-${crypto.randomUUID().slice(0, 8)}.js`;
    await Deno.writeTextFile(file, timingScript(SOURCES[way], f.body, f.batch, slow));
    return file;
  }));
  const samples = ways.map(() => [] as number[]);
  for (let p = 0; p < 5; p++) {
    for (let k = 0; k < ways.length; k++) {
      const j = (k + p) % ways.length;
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", files[j]],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!o.success) throw new Error(`${ways[j]}: ${new TextDecoder().decode(o.stderr)}`);
      samples[j].push(...JSON.parse(new TextDecoder().decode(o.stdout)));
    }
  }
  return withPaired(ways.map((way, j) => summarize(way, samples[j])), samples, 15);
}

/** Timings with `paired`: each way's median of per-process ratios to the first way's. */
type PairedTimings = Timing[] & { paired: number[] };

/**
 * Adds to each way the paired ratio to the first: the median over processes of (this way's
 * median in process p) ÷ (the first way's median in process p), process p of every way having run
 * in the same round; robust to a machine that is busier in one round than another.
 */
function withPaired(rows: Timing[], samples: number[][], perProcess: number): PairedTimings {
  const medians = samples.map((xs) => {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i += perProcess) {
      out.push(summarize("", xs.slice(i, i + perProcess)).median);
    }
    return out;
  });
  return Object.assign(rows, { paired: medians.map((m) => pairedRatio(m, medians[0])) });
}

/** Runs `deno run` of a script that must print 3 (a cold start up to the first call's output). */
function coldRun(name: string, file: string, config?: string) {
  return async () => {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", ...(config ? ["--config", config] : []), file],
      cwd: work,
      stdout: "piped",
      stderr: "null",
    }).output();
    const got = new TextDecoder().decode(o.stdout).trim();
    if (got !== "3") throw new Error(`${name}: ${got}`);
  };
}

/**
 * Cold starts, the scripts in turns (harness `interleaved`): their timings, and the paired ratio
 * (median of per-round ratios) of each to the first.
 */
async function coldStarts(
  scripts: [string, string][],
  prefix: string,
  rounds: number,
  config?: string,
): Promise<{ rows: Timing[]; paired: number[]; samples: number[][] }> {
  const variants: [string, () => Promise<unknown>][] = [];
  for (const [i, [name, source]] of scripts.entries()) {
    const file = `${work}/${prefix}-${i}.ts`;
    await Deno.writeTextFile(file, source);
    variants.push([name, coldRun(name, file, config)]);
  }
  const samples = await inTurns(variants, rounds, 2);
  const rows = scripts.map(([name]) => summarize(name, samples.get(name)!));
  const first = samples.get(scripts[0][0])!;
  return {
    rows,
    paired: scripts.map(([name]) => pairedRatio(samples.get(name)!, first)),
    samples: scripts.map(([name]) => samples.get(name)!),
  };
}

// The same functions as a loopback HTTP/JSON service, served by the lean bindings in-process.
const leanMod = await import(`${work}/calls-lean/mod.ts`);
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  const body = await req.json();
  const path = new URL(req.url).pathname;
  let result: unknown = null;
  if (path === "/add") result = leanMod.add(body.a, body.b);
  else if (path === "/echo") result = leanMod.echo(body.s);
  else if (path === "/echo-list") result = [...leanMod.echoList(Uint32Array.from(body.xs))];
  else leanMod.noop();
  return Response.json({ result });
});
const base = `http://127.0.0.1:${server.addr.port}`;
async function post(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method: "POST", body: JSON.stringify(body) });
  return (await res.json()).result;
}
if (await post("/add", { a: 2, b: 3 }) !== 5) throw new Error("http add");

async function httpPerCall(name: string, path: string, body: unknown) {
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) await post(path, body);
  const end = performance.now() + 1500;
  while (performance.now() < end || samples.length < 50) {
    const t0 = performance.now();
    await post(path, body);
    samples.push(performance.now() - t0);
  }
  return summarize(name, samples);
}

const out: string[] = [];
const summary: string[] = [];
for (const f of FUNCTIONS) {
  const rows = await perCall(f);
  const lean = { paired: rows.paired[1], min: rows[1].min / rows[0].min };
  rows.push(await httpPerCall("HTTP/JSON on loopback", f.http[0], f.http[1]));
  out.push(table(`Per call: ${f.title}`, rows));
  const r = (i: number) => rows[i].median / rows[0].median;
  summary.push(
    `| ${f.title} | ${formatMs(rows[0].median)} | ${formatMs(rows[1].median)} | ${
      r(1).toFixed(2)
    }× | ${lean.paired.toFixed(2)}× | ${lean.min.toFixed(2)}× | ${r(2).toFixed(0)}× | ${
      r(3).toFixed(0)
    }× | ${r(4).toFixed(0)}× |`,
  );
}
await server.shutdown();
out.unshift(
  "### Summary: per-call cost (median), ratio to the raw core-Wasm call",
  "",
  "| function | raw | wreg lean | lean ÷ raw | paired | min ÷ min | wreg jco ÷ raw | jco default ÷ raw | HTTP/JSON ÷ raw |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...summary,
  "",
);

// Instantiation, in this process: modules compiled beforehand, as `import source` does. The ways
// are timed in turns (one call of each per round), so that drift on a busy machine hits them alike.
function interleaved(ways: [string, () => unknown][], rounds = 3000): Timing[] {
  for (let i = 0; i < 300; i++) for (const [, f] of ways) f();
  const samples = ways.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    ways.forEach(([, f], j) => {
      const t0 = performance.now();
      f();
      samples[j].push(performance.now() - t0);
    });
  }
  return ways.map(([name], j) => summarize(name, samples[j]));
}
async function coreModules(dir: string): Promise<Map<string, WebAssembly.Module>> {
  const mods = new Map<string, WebAssembly.Module>();
  for await (const e of Deno.readDir(dir)) {
    if (e.name.endsWith(".wasm")) {
      mods.set(e.name, new WebAssembly.Module(await Deno.readFile(`${dir}/${e.name}`)));
    }
  }
  return mods;
}
{
  const coreModule = new WebAssembly.Module(callsCore as Uint8Array<ArrayBuffer>);
  const jcoMod = await import(`${work}/calls-jco/mod.ts`);
  const rows = interleaved([
    ["by hand: new WebAssembly.Instance", () => new WebAssembly.Instance(coreModule, {})],
    ["by hand, then reading the four exports", () => {
      const e = new WebAssembly.Instance(coreModule, {}).exports;
      return [e.noop, e.add, e.echo, e["echo-list"]];
    }],
    ["wreg lean instantiate()", () => leanMod.instantiate()],
    ["wreg jco instantiate()", () => jcoMod.instantiate()],
  ]);
  out.push(table("Instantiation: the benchmark component (one core module)", rows));
}
{
  // The C scrubber: a main module, a shim module holding an indirect-call table for the import,
  // and a fixup module that fills the table once the import is lowered: three instances.
  const m = await coreModules(`${work}/scrubber-lean`);
  const [main, shim, fixup] = ["_core0.wasm", "_core1.wasm", "_core2.wasm"].map((n) => m.get(n)!);
  const byHand = () => {
    const s = new WebAssembly.Instance(shim, {}).exports;
    const i = new WebAssembly.Instance(main, { "docs:processor/logger@0.1.0": { log: s["0"] } });
    const log = (_level: number, _ptr: number, _len: number) => {};
    new WebAssembly.Instance(fixup, { actual: { "0": log }, shim: s });
    return i;
  };
  const imports = { logger: { log: () => {} } };
  const scrubLean = await import(`${work}/scrubber-lean/mod.ts`);
  const scrubJco = await import(`${work}/scrubber-jco/mod.ts`);
  const rows = interleaved([
    ["by hand: three core instances", byHand],
    ["wreg lean instantiate()", () => scrubLean.instantiate(imports)],
    ["wreg jco instantiate()", () => scrubJco.instantiate(imports)],
  ]);
  out.push(table("Instantiation: the C scrubber (three core modules)", rows));
}

// Cold start: a new process, up to the first call's output.
let coldPaired = 0;
{
  const scripts: [string, string][] = [
    ["import an empty module", `import "./empty.js";\nconsole.log(3);\n`],
    [
      "wreg lean bindings, first add()",
      `import { add } from "./calls-lean/mod.ts";\nconsole.log(add(1, 2));\n`,
    ],
    [
      "wreg jco bindings, first add()",
      `import { add } from "./calls-jco/mod.ts";\nconsole.log(add(1, 2));\n`,
    ],
    [
      "jco default output, first add()",
      `import { add } from "./calls-jco-default/calls.js";\nconsole.log(add(1, 2));\n`,
    ],
  ];
  const { rows, paired } = await coldStarts(scripts, "start", 15);
  coldPaired = paired[1];
  out.push(
    table("Cold start: `deno run` of a new process to the first call's output", rows),
    `Paired (median of per-round ratios): wreg lean ÷ empty module ${coldPaired.toFixed(2)}×`,
    "",
  );
}

// ---------------------------------------------------------------------------------------------
// Real components: the Python and JavaScript examples and two Rust components of the corpus
// (jco's numbers and strings fixtures), all importing WASI, the Python one a CPython runtime of
// 17 MiB, the JavaScript one a composition. Each way is measured in its own processes:
//   raw        the core modules instantiated by hand (bench/_by_hand.ts), the core export called
//              with the Canonical ABI written out, WASI answered by hand-written functions;
//   lean       `wreg bindings` (the default glue for these now), WASI from wreg's WASI host;
//   wreg jco   `wreg bindings --glue jco`, WASI from preview2-shim;
//   jco        jco-transpile's default output.
// Standard error goes to /dev/null for every way (the logger writes a line per call).

interface RealComponent {
  title: string;
  dir: string;
  bytes: Uint8Array;
  /** The export (by-hand name), the call's JS for bindings, and the raw call. */
  call: { title: string; export: string; lean: string; raw: string; check: string };
  /** Per-call batch sizes (fast, slow ways). */
  batch: number;
  /** Its non-WASI imports, as `instantiate`'s argument (JS source; `host` is `HOST_JS`'s). */
  imports?: string;
  /** The interface it imports that `host` implements (for jco's default output's map). */
  host?: string;
}

/**
 * An implementation of the Rust fixtures' imported test interfaces (never called by the
 * benchmarked exports): every function returns its first argument.
 */
const HOST_JS = `export const host = new Proxy({}, { get: () => (x) => x, has: () => true });
${
  [
    "roundtripU8",
    "roundtripS8",
    "roundtripU16",
    "roundtripS16",
    "roundtripU32",
    "roundtripS32",
    "roundtripU64",
    "roundtripS64",
    "roundtripF32",
    "roundtripF64",
    "roundtripChar",
    "setScalar",
    "getScalar",
    "takeBasic",
    "returnUnicode",
  ].map((f) => `export const ${f} = (x) => x;`).join("\n")
}
`;

const CORPUS_RT = `${CORPUS}jco/packages/jco-transpile/test/fixtures/components/runtime/`;
const realText = "My SSN is 123-45-6789, mail me at a@b.co. ".repeat(24).slice(0, 1000);

const REAL: RealComponent[] = [
  {
    title: "Python example (scrubber-py, componentize-py)",
    dir: "py",
    bytes: (await example("scrubber-py")).bytes,
    call: {
      title: "scrub-pii(string) -> string, 1,000 chars",
      export: "scrub-pii",
      lean: "s += inst.scrubPii(text).length;",
      raw: "s += rawString(ex, text).length;",
      check: "inst.scrubPii('SSN 123-45-6789') === 'SSN [REDACTED]'",
    },
    batch: 400,
    imports: "{ logger: { log() {} } }",
  },
  {
    title: "JavaScript example (logger-js, componentize-qjs, a composition)",
    dir: "js",
    bytes: (await example("logger-js")).bytes,
    call: {
      title: "log(level, string) to stderr, 1,000 chars",
      export: "docs:processor/logger@0.1.0#log",
      lean: 'inst.logger.log("info", text); s++;',
      raw: "rawStringVoid(ex, text, [1]); s++;",
      check: "true",
    },
    batch: 2_000,
  },
  {
    title: "Rust (jco's numbers fixture, wit-bindgen)",
    dir: "rs-num",
    bytes: await Deno.readFile(`${CORPUS_RT}numbers.component.wasm`),
    call: {
      title: "roundtrip-u32(u32) -> u32",
      export: "test:numbers/test#roundtrip-u32",
      lean: "s += inst.test.roundtripU32(i >>> 0);",
      raw: "s += ex.core(i >>> 0) >>> 0;",
      check: "inst.test.roundtripU32(4000000000) === 4000000000",
    },
    batch: 200_000,
    imports: "{ test: host }",
    host: "test:numbers/test",
  },
  {
    title: "Rust (jco's strings fixture, wit-bindgen, UTF-16 strings)",
    dir: "rs-str",
    bytes: await Deno.readFile(`${CORPUS_RT}strings.component.wasm`),
    call: {
      title: "roundtrip(string) -> string, 1,000 chars",
      export: "roundtrip",
      lean: "s += inst.roundtrip(text).length;",
      raw: "s += rawString16(ex, text).length;",
      check: "inst.roundtrip('héllo') === 'héllo'",
    },
    batch: 20_000,
    imports: "{ imports: host }",
    host: "test:strings/imports",
  },
];

await Deno.writeTextFile(`${work}/host.js`, HOST_JS);
for (const c of REAL) {
  await Deno.writeFile(`${work}/${c.dir}.wasm`, c.bytes);
  await bindings(c.bytes, "auto", `${c.dir}-lean`);
  await bindings(c.bytes, "jco", `${c.dir}-jco`);
  // jco's default output imports the component's own imports by their names: map the logger.
  const r = await transpileBytes(c.bytes, {
    name: "component",
    map: {
      "docs:processor/logger": "../logger.js",
      ...(c.host !== undefined ? { [c.host]: "../host.js" } : {}),
    },
  });
  await writeFiles(
    `${work}/${c.dir}-jco-default`,
    Object.entries(r.files).map(([path, contents]) => ({ path, contents })),
  );
}

const BY_HAND = new URL("./_by_hand.ts", import.meta.url).href;
/** wreg's deno.json: children resolve `@wreg/wasi/`, preview2-shim and lib/'s npm imports by it. */
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** How each way makes `inst` (or `ex`, the raw export) for the timing script. */
function realSource(c: RealComponent, way: string): string {
  switch (way) {
    case "raw (core modules by hand)":
      return `import { byHand, rawString, rawString16, rawStringVoid } from ${
        JSON.stringify(BY_HAND)
      };
const make = byHand(Deno.readFileSync(${JSON.stringify(`${work}/${c.dir}.wasm`)}));
const ex = make().exports.get(${JSON.stringify(c.call.export)});
const inst = undefined;`;
    case "wreg lean glue":
      return `import { instantiate } from "./${c.dir}-lean/mod.ts";
import { host } from "./host.js";
const inst = instantiate(${c.imports ?? "{}"});`;
    case "wreg jco glue (patched)":
      return `import { instantiate } from "./${c.dir}-jco/mod.ts";
import { host } from "./host.js";
const inst = instantiate(${c.imports ?? "{}"});`;
    default:
      return `import * as inst0 from "./${c.dir}-jco-default/component.js";
const inst = { ...inst0, logger: inst0["docs:processor/logger@0.1.0"] ?? inst0.logger, test: inst0["test:numbers/test"] ?? inst0.test };`;
  }
}

const REAL_WAYS = [
  "raw (core modules by hand)",
  "wreg lean glue",
  "wreg jco glue (patched)",
  "jco default output",
];

/** The timing script of one way for a real component. */
async function realScript(c: RealComponent, way: string): Promise<string> {
  const slow = way.includes("jco");
  const raw = way.startsWith("raw");
  const n = slow ? Math.max(20, Math.floor(c.batch / 100)) : c.batch;
  const script = `${realSource(c, way)}
const text = ${JSON.stringify(realText)};
${raw ? "" : `if (!(${c.call.check})) throw new Error("wrong answer");`}
function run(N) {
  let s = 0;
  for (let i = 0; i < N; i++) { ${raw ? c.call.raw : c.call.lean} }
  return s;
}
for (let i = 0; i < ${slow ? 100 : 1000}; i++) run(${
    slow ? 2 : Math.max(2, Math.floor(c.batch / 1000))
  });
const out = [];
for (let r = 0; r < 15; r++) {
  const t0 = performance.now();
  run(${n});
  out.push((performance.now() - t0) / ${n});
}
console.log(JSON.stringify(out));
`;
  const file = `${work}/real-${crypto.randomUUID().slice(0, 8)}.js`;
  await Deno.writeTextFile(file, script);
  return file;
}

/** Per-call timings of every way: three processes per way, in rounds as {@link perCall}. */
async function realPerCall(c: RealComponent): Promise<PairedTimings> {
  const files = await Promise.all(REAL_WAYS.map((way) => realScript(c, way)));
  const samples = REAL_WAYS.map(() => [] as number[]);
  for (let p = 0; p < 3; p++) {
    for (let k = 0; k < REAL_WAYS.length; k++) {
      const j = (k + p) % REAL_WAYS.length;
      const way = REAL_WAYS[j], file = files[j];
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", "--config", CONFIG, file],
        cwd: work,
        stdout: "piped",
        // The logger writes a line per call: to /dev/null for every way.
        stderr: c.dir === "js" ? "null" : "piped",
      }).output();
      const text = new TextDecoder().decode(o.stdout);
      if (!o.success || text.trim() === "") {
        throw new Error(
          `${c.title}, ${way}: ${o.stderr ? new TextDecoder().decode(o.stderr) : ""}`,
        );
      }
      samples[j].push(...JSON.parse(text));
    }
  }
  return withPaired(REAL_WAYS.map((way, j) => summarize(way, samples[j])), samples, 15);
}

const realSummary: string[] = [
  "### Summary: real components, per call (median), instantiation, cold start",
  "",
  "| component | call | raw | lean | lean ÷ raw | paired | min ÷ min | wreg jco ÷ raw | jco default ÷ raw | instantiate lean ÷ by hand | cold start lean ÷ empty (paired) | cold lean ÷ compile only (paired) |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const c of REAL) {
  const rows = await realPerCall(c);
  out.push(table(`Per call: ${c.title}, ${c.call.title}`, rows));

  // Instantiation, in this process, the ways in turns.
  const make = byHand(c.bytes);
  const lean = await import(`${work}/${c.dir}-lean/mod.ts`);
  const jco = await import(`${work}/${c.dir}-jco/mod.ts`);
  const quiet = { wasi: { stderr: "ignore", stdout: "ignore" } };
  const rounds = c.bytes.length > 4_000_000 ? 40 : 400;
  const host = new Proxy({}, { get: () => (x: unknown) => x, has: () => true });
  const imports = c.imports === undefined
    ? {}
    : c.host === undefined
    ? { logger: { log() {} } }
    : c.host.endsWith("/imports")
    ? { imports: host }
    : { test: host };
  const inst = interleaved([
    ["by hand: the core instances", () => make()],
    ["wreg lean instantiate()", () => lean.instantiate(imports, quiet)],
    ["wreg jco instantiate()", () => jco.instantiate(imports)],
  ], rounds);
  out.push(table(`Instantiation: ${c.title}`, inst));

  // Cold start: a new process up to the first call's output.
  const coreFiles = [...Deno.readDirSync(`${work}/${c.dir}-lean`)]
    .filter((e) => /^_core\d+\.wasm$/.test(e.name)).map((e) => e.name);
  const first = c.dir === "js"
    ? 'inst.logger.log("info", "x"); console.log(3);'
    : c.dir === "py"
    ? 'console.log(inst.scrubPii("3"));'
    : c.dir === "rs-num"
    ? "console.log(inst.test.roundtripU32(3));"
    : 'console.log(inst.roundtrip("3"));';
  const scripts: [string, string][] = [
    ["import an empty module", `import "./empty.js";\nconsole.log(3);\n`],
    [
      "compile only: import source of its core modules",
      coreFiles.map((f, i) => `import source m${i} from "./${c.dir}-lean/${f}";`).join("\n") +
      `\nvoid [${coreFiles.map((_, i) => `m${i}`).join(", ")}];\nconsole.log(3);\n`,
    ],
    [
      "wreg lean bindings, first call",
      `import { instantiate } from "./${c.dir}-lean/mod.ts";\nimport { host } from "./host.js";\nconst inst = instantiate(${
        c.imports ?? "{}"
      });\n${first}\n`,
    ],
    [
      "wreg jco bindings, first call",
      `import { instantiate } from "./${c.dir}-jco/mod.ts";\nimport { host } from "./host.js";\nconst inst = instantiate(${
        c.imports ?? "{}"
      });\n${first}\n`,
    ],
    [
      "jco default output, first call",
      `import * as inst0 from "./${c.dir}-jco-default/component.js";\nconst inst = { ...inst0, logger: inst0["docs:processor/logger@0.1.0"], test: inst0["test:numbers/test"] };\n${first}\n`,
    ],
  ];
  const { rows: cold, paired, samples: coldSamples } = await coldStarts(
    scripts,
    `cold-${c.dir}`,
    10,
    CONFIG,
  );
  out.push(table(`Cold start: ${c.title}, \`deno run\` to the first call's output`, cold));

  // Where a cold start goes, in one process: loading (compiling the core modules), instantiating,
  // the first call (which compiles the Wasm it runs: V8 compiles functions on first use) and a
  // second call; lean glue beside the same core modules instantiated and called by hand.
  const firstRaw = c.dir === "js"
    ? "rawStringVoid(ex, 'x', [1])"
    : c.dir === "py"
    ? "rawString(ex, '3')"
    : c.dir === "rs-num"
    ? "ex.core(3)"
    : "rawString16(ex, '3')";
  const firstLean = first.replace(/console\.log\((.*)\);$/, "$1;").replace("console.log(3);", "");
  const phaseScripts: [string, string][] = [
    [
      "lean",
      `const t0 = performance.now();
const m = await import("./${c.dir}-lean/mod.ts");
const t1 = performance.now();
const { host } = await import("./host.js");
const inst = m.instantiate(${c.imports ?? "{}"});
const t2 = performance.now();
${firstLean}
const t3 = performance.now();
${firstLean}
const t4 = performance.now();
console.log(JSON.stringify([t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3]));`,
    ],
    [
      "by hand",
      `import { byHand, rawString, rawString16, rawStringVoid } from ${JSON.stringify(BY_HAND)};
const bytes = Deno.readFileSync(${JSON.stringify(`${work}/${c.dir}.wasm`)});
const t0 = performance.now();
const make = byHand(bytes);
const t1 = performance.now();
const ex = make().exports.get(${JSON.stringify(c.call.export)});
const t2 = performance.now();
${firstRaw};
const t3 = performance.now();
${firstRaw};
const t4 = performance.now();
console.log(JSON.stringify([t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3]));`,
    ],
  ];
  const phaseRows: string[] = [
    `### Cold start phases: ${c.title} (median of 10 processes)`,
    "",
    "| way | process start to script | load (compile) | instantiate | first call | second call |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, source] of phaseScripts) {
    const file = `${work}/phase-${c.dir}-${name.replace(/ /g, "-")}.js`;
    await Deno.writeTextFile(file, source);
    const runs: number[][] = [];
    for (let i = 0; i < 10; i++) {
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", "--config", CONFIG, file],
        cwd: work,
        stdout: "piped",
        stderr: "null",
      }).output();
      runs.push(JSON.parse(new TextDecoder().decode(o.stdout)));
    }
    const med = (k: number) => {
      const v = runs.map((r) => r[k]).sort((a, b) => a - b);
      return formatMs(v[v.length >> 1]);
    };
    phaseRows.push(`| ${name} | ${med(0)} | ${med(1)} | ${med(2)} | ${med(3)} | ${med(4)} |`);
  }
  out.push(phaseRows.join("\n"), "");

  const r = (i: number) => rows[i].median / rows[0].median;
  realSummary.push(
    `| ${c.title} | ${c.call.title} | ${formatMs(rows[0].median)} | ${formatMs(rows[1].median)} | ${
      r(1).toFixed(2)
    }× | ${rows.paired[1].toFixed(2)}× | ${(rows[1].min / rows[0].min).toFixed(2)}× | ${
      r(2).toFixed(0)
    }× | ${r(3).toFixed(0)}× | ${(inst[1].median / inst[0].median).toFixed(2)}× | ${
      paired[2].toFixed(2)
    }× | ${pairedRatio(coldSamples[2], coldSamples[1]).toFixed(2)}× |`,
  );
}
out.unshift(...realSummary, "");

console.log(out.join("\n"));
