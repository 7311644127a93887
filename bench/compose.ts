/**
 * Composition by wreg (`plug` from lib/compose: read the files, decode and type-check every
 * component, link, encode, validate the result, write it) beside:
 *
 * - the floor: reading the same inputs, writing their concatenation and `WebAssembly.validate` of
 *   every core module inside them (what any composer must at least read and write, plus the
 *   cheapest look at the code);
 * - `wac plug` (native, ~/.cargo/bin/wac), a process per run, on the same inputs.
 *
 * Inputs are generated: a socket importing N-1 interfaces and N-1 plugs exporting one each
 * (`wac plug`'s shape), for N = 2, 10 and 50, with small components (a few hundred bytes) and
 * multi-megabyte ones (each carries a ~2 MiB core module of filler code). wreg also composes a
 * chain of the same sizes (socket ← c1 ← … ← cN-1, each plug filling the next one's import),
 * which `wac plug` cannot do in one call.
 *
 * `deno run -A bench/compose.ts` prints markdown tables with the ratios to the floor.
 *
 * @module
 */
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { build, DEFAULT_LIMITS, walkSections } from "../lib/component/mod.ts";
import { plug } from "../lib/compose/mod.ts";
import { hasCommand, measure, run, table, type Timing } from "./_harness.ts";
import { findWasmToolsSync } from "../tests/support/wasm_tools.ts";

const WAC = `${Deno.env.get("HOME")}/.cargo/bin/wac`;
const WASM_TOOLS = findWasmToolsSync();

/** A core module of `funcs` functions of `ops` `i32.const k; drop` pairs each (~3 bytes a pair). */
function fillerModule(funcs: number, ops: number, seed: number): Uint8Array {
  const body = build((b) => {
    b.u8(0x00); // no locals
    for (let i = 0; i < ops; i++) b.u8(0x41).u8((i + seed) & 0x3f).u8(0x1a);
    b.u8(0x0b);
  });
  return build((w) => {
    w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    w.section(1, new Uint8Array([1, 0x60, 0, 0]));
    w.section(
      3,
      build((f) => {
        f.u32(funcs);
        for (let i = 0; i < funcs; i++) f.u8(0);
      }),
    );
    w.section(
      10,
      build((c) => {
        c.u32(funcs);
        for (let i = 0; i < funcs; i++) c.u32(body.length).bytes(body);
      }),
    );
  });
}

/** Appends an unused core module section (filler) to a component. */
function withFiller(component: Uint8Array, filler: Uint8Array | undefined): Uint8Array {
  if (filler === undefined) return component;
  return build((w) => w.bytes(component).section(0x01, filler));
}

const link = (i: number) => `bench:chain/link${i}@0.1.0`;

/** A plug exporting `link(i)`; with `next`, its get adds 1 to the get of `link(next)`. */
function plugWat(i: number, next?: number): string {
  if (next === undefined) {
    return `(component
      (core module $m (func (export "get") (result i32) i32.const ${i}))
      (core instance $i (instantiate $m))
      (func $get (result u32) (canon lift (core func $i "get")))
      (instance $inst (export "get" (func $get)))
      (export "${link(i)}" (instance $inst)))`;
  }
  return `(component
    (import "${link(next)}" (instance $b (export "get" (func (result u32)))))
    (alias export $b "get" (func $bget))
    (core func $low (canon lower (func $bget)))
    (core instance $bi (export "get" (func $low)))
    (core module $m (import "b" "get" (func $g (result i32)))
      (func (export "get") (result i32) call $g i32.const 1 i32.add))
    (core instance $i (instantiate $m (with "b" (instance $bi))))
    (func $get (result u32) (canon lift (core func $i "get")))
    (instance $inst (export "get" (func $get)))
    (export "${link(i)}" (instance $inst)))`;
}

/** A socket importing `link(1..n)` whose `run` sums their gets. */
function socketWat(n: number): string {
  const imports: string[] = [],
    lowers: string[] = [],
    coreImports: string[] = [],
    calls: string[] = [];
  for (let i = 1; i <= n; i++) {
    imports.push(`(import "${link(i)}" (instance $l${i} (export "get" (func (result u32)))))`);
    lowers.push(
      `(alias export $l${i} "get" (func $f${i})) (core func $c${i} (canon lower (func $f${i})))`,
    );
    coreImports.push(`(import "l" "g${i}" (func $g${i} (result i32)))`);
    calls.push(i === 1 ? `call $g1` : `call $g${i} i32.add`);
  }
  return `(component
    ${imports.join("\n")}
    ${lowers.join("\n")}
    (core instance $li ${
    Array.from({ length: n }, (_, k) => `(export "g${k + 1}" (func $c${k + 1}))`).join(" ")
  })
    (core module $m ${coreImports.join(" ")} (func (export "run") (result i32) ${calls.join(" ")}))
    (core instance $i (instantiate $m (with "l" (instance $li))))
    (func $run (result u32) (canon lift (core func $i "run")))
    (export "run" (func $run)))`;
}

interface Case {
  name: string;
  dir: string;
  socket: string;
  plugs: string[];
  bytes: number;
}

async function writeCase(
  name: string,
  socket: Uint8Array,
  plugs: Uint8Array[],
): Promise<Case> {
  const dir = await Deno.makeTempDir({ prefix: `wreg-bench-compose-${name}-` });
  await Deno.writeFile(`${dir}/socket.wasm`, socket);
  const paths: string[] = [];
  for (let i = 0; i < plugs.length; i++) {
    const p = `${dir}/plug${i + 1}.wasm`;
    await Deno.writeFile(p, plugs[i]);
    paths.push(p);
  }
  const bytes = socket.length + plugs.reduce((n, p) => n + p.length, 0);
  return { name, dir, socket: `${dir}/socket.wasm`, plugs: paths, bytes };
}

/** Star (`wac plug`'s shape) and chain cases of `n` components. */
async function makeCases(n: number, large: boolean): Promise<{ star: Case; chain: Case }> {
  const filler = (seed: number) => large ? fillerModule(700, 1000, seed) : undefined;
  const size = large ? "~2 MiB each" : "small";
  const starPlugs: Uint8Array[] = [];
  for (let i = 1; i < n; i++) starPlugs.push(withFiller(await parse(plugWat(i)), filler(i)));
  const star = await writeCase(
    `star-${n}-${large ? "large" : "small"}`,
    withFiller(await parse(socketWat(n - 1)), filler(0)),
    starPlugs,
  );
  star.name = `${n} components (${size}), socket + ${n - 1} plugs`;
  const chainPlugs: Uint8Array[] = [];
  for (let i = 1; i < n; i++) {
    chainPlugs.push(withFiller(await parse(plugWat(i, i + 1 < n ? i + 1 : undefined)), filler(i)));
  }
  const chain = await writeCase(
    `chain-${n}-${large ? "large" : "small"}`,
    withFiller(await parse(socketWat(1)), filler(0)),
    chainPlugs,
  );
  chain.name = `${n} components (${size}), chain`;
  return { star, chain };
}

/** Every core module inside a component (recursively). */
function coreModules(bytes: Uint8Array, start = 0, end = bytes.length, out: Uint8Array[] = []) {
  for (const s of walkSections(bytes, DEFAULT_LIMITS, start, end)) {
    if (s.id === 1) out.push(bytes.subarray(s.contents.start, s.contents.end));
    if (s.id === 4) coreModules(bytes, s.contents.start, s.contents.end, out);
  }
  return out;
}

async function floor(c: Case): Promise<void> {
  const inputs = [await Deno.readFile(c.socket)];
  for (const p of c.plugs) inputs.push(await Deno.readFile(p));
  const all = new Uint8Array(c.bytes);
  let at = 0;
  for (const i of inputs) {
    all.set(i, at);
    at += i.length;
  }
  await Deno.writeFile(`${c.dir}/floor.bin`, all);
  for (const i of inputs) {
    for (const m of coreModules(i)) {
      if (!WebAssembly.validate(m as Uint8Array<ArrayBuffer>)) {
        throw new Error("invalid core module");
      }
    }
  }
}

async function wreg(c: Case): Promise<Uint8Array> {
  const socket = { bytes: await Deno.readFile(c.socket), label: "socket.wasm" };
  const plugs = [];
  for (const p of c.plugs) plugs.push({ bytes: await Deno.readFile(p), label: p });
  const r = await plug(socket, plugs);
  await Deno.writeFile(`${c.dir}/wreg.wasm`, r.bytes);
  return r.bytes;
}

async function wac(c: Case): Promise<void> {
  await run(WAC, [
    "plug",
    ...c.plugs.flatMap((p) => ["--plug", p]),
    c.socket,
    "-o",
    `${c.dir}/wac.wasm`,
  ]);
}

const haveWac = await hasCommand(WAC);
const out: string[] = [];
const summary: string[] = [];
for (const large of [false, true]) {
  for (const n of [2, 10, 50]) {
    const { star, chain } = await makeCases(n, large);
    // Once, untimed: both results must be valid components.
    await wreg(star);
    await wreg(chain);
    if (haveWac) await wac(star);
    for (const f of [`${star.dir}/wreg.wasm`, `${chain.dir}/wreg.wasm`]) {
      await run(WASM_TOOLS, ["validate", f]);
    }
    const opts = { warmup: large ? 1 : 3, budgetMs: large ? 4000 : 1500 };
    const rows: Timing[] = [];
    rows.push(
      await measure(
        "floor: read + write concatenation + WebAssembly.validate",
        () => floor(star),
        opts,
      ),
    );
    rows.push(await measure("wreg plug (lib/compose)", () => wreg(star), opts));
    if (haveWac) {
      rows.push(await measure("wac plug (native, a process per run)", () => wac(star), opts));
    }
    rows.push(await measure("wreg plug, chain of the same size", () => wreg(chain), opts));
    const mib = (star.bytes / 1048576).toFixed(2);
    out.push(table(`${star.name}: ${mib} MiB in`, rows));
    const [f, w, peer] = [rows[0], rows[1], haveWac ? rows[2] : undefined];
    summary.push(
      `| ${n} | ${large ? "~2 MiB" : "small"} | ${(w.median / f.median).toFixed(2)}× | ${
        peer ? `${(peer.median / w.median).toFixed(2)}×` : "n/a"
      } |`,
    );
    await Deno.remove(star.dir, { recursive: true });
    await Deno.remove(chain.dir, { recursive: true });
  }
}
console.log(out.join("\n"));
console.log(
  [
    "### Summary: wreg plug against the floor and against wac",
    "",
    "| components | size | wreg / floor | wac / wreg (>1: wreg is faster) |",
    "| ---: | --- | ---: | ---: |",
    ...summary,
    "",
  ].join("\n"),
);
