/**
 * World extraction from component binaries: wreg's `decodeComponent` beside jco's Wasm build of
 * wasm-tools (`componentWit`, which validates the whole component, core code included, then
 * prints the world) on the same bytes in the same run.
 *
 * Inputs: the five largest components of the shared corpus, and a generated ~20 MB component (a
 * core module with a 20 MB data segment, embedded and wrapped with jco's `componentEmbed` and
 * `componentNew`). Both sides are checked to find the same world before timing.
 *
 * `deno run -A bench/component_decode.ts` prints a markdown table per input with the ratios.
 *
 * @module
 */
import {
  componentEmbed,
  componentNew,
  componentWit,
} from "@bytecodealliance/jco-transpile/wasm-tools";
import { ByteWriter, decodeComponent } from "../lib/component/mod.ts";
import { formatMs, measure, table, type Timing } from "./_harness.ts";

import { CORPUS } from "../tools/corpus.ts";

/** A core module exporting `memory` and `run`, with a data segment of `size` bytes. */
function bigModule(size: number): Uint8Array {
  const w = new ByteWriter(size + 1024);
  w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  w.section(1, new ByteWriter().u32(1).u8(0x60).u32(0).u32(0).finish()); // type: () -> ()
  w.section(3, new ByteWriter().u32(1).u32(0).finish()); // function: one of type 0
  const pages = Math.ceil(size / 65536) + 1;
  w.section(5, new ByteWriter().u32(1).u8(0x00).u32(pages).finish()); // memory
  const exports = new ByteWriter().u32(2).name("memory").u8(0x02).u32(0).name("run").u8(0x00).u32(
    0,
  );
  w.section(7, exports.finish());
  w.section(10, new ByteWriter().u32(1).u32(2).u8(0x00).u8(0x0b).finish()); // code: empty body
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 2654435761) >>> 24;
  const seg = new ByteWriter(size + 16).u32(1).u8(0x00).u8(0x41).u8(0x00).u8(0x0b).u32(size).bytes(
    data,
  );
  w.section(11, seg.finish());
  return w.finish();
}

async function generated(): Promise<Uint8Array> {
  const witSource = `package bench:big;
world big {
  import log: func(msg: string);
  export run: func();
}`;
  const embedded = await componentEmbed({
    binary: bigModule(20 * 1024 * 1024),
    witSource,
    world: "big",
  });
  return await componentNew(embedded);
}

const largest = JSON.parse(Deno.readTextFileSync(`${CORPUS}index.json`))
  .filter((e: { kind: string; witOk: boolean }) => e.kind === "component" && e.witOk)
  .sort((a: { size: number }, b: { size: number }) => b.size - a.size)
  .slice(0, 5)
  .map((e: { file: string }) => ({
    name: e.file.split("/").pop()!,
    bytes: Deno.readFileSync(CORPUS + e.file),
  }));

const inputs = [...largest, { name: "generated 20 MB component", bytes: await generated() }];

const out: string[] = [];
const summary: string[] = [
  "### Summary",
  "",
  "| input | size | wreg decodeComponent | jco componentWit | jco / wreg |",
  "| --- | ---: | ---: | ---: | ---: |",
];
for (const input of inputs) {
  // Both sides must see the same world: the same number of top-level imports and exports.
  const mine = decodeComponent(input.bytes);
  const theirs = await componentWit(input.bytes);
  const world = mine.resolve.worlds[mine.world!];
  const root = theirs.slice(theirs.indexOf("world root"), theirs.indexOf("\n}\n"));
  const count = (kw: string) => root.split("\n").filter((l) => l.startsWith(`  ${kw} `)).length;
  const items = (m: Map<unknown, { tag: string }>) =>
    [...m.values()].filter((i) => i.tag !== "type").length;
  if (count("import") !== items(world.imports) || count("export") !== items(world.exports)) {
    throw new Error(`wreg and jco disagree on the world of ${input.name}`);
  }
  const big = input.bytes.length > 10_000_000;
  const opts = big ? { warmup: 2, runs: 10 } : { warmup: 5, budgetMs: 2000 };
  const rows: Timing[] = [
    await measure("wreg decodeComponent", () => decodeComponent(input.bytes), opts),
    await measure(
      "jco componentWit",
      () => componentWit(input.bytes),
      big ? { warmup: 1, runs: 5 } : opts,
    ),
  ];
  out.push(table(`${input.name} (${(input.bytes.length / 1e6).toFixed(2)} MB)`, rows));
  summary.push(
    `| ${input.name} | ${(input.bytes.length / 1e6).toFixed(2)} MB | ${
      formatMs(rows[0].median)
    } | ${formatMs(rows[1].median)} | ${(rows[1].median / rows[0].median).toFixed(1)}× |`,
  );
}
console.log([...summary, "", ...out].join("\n"));
