/**
 * Parse + resolve of the whole WASI 0.2.3 tree (wasi-http v0.2.3 `wit/` with its `deps/`: http,
 * cli, clocks, filesystem, io, random, sockets) by wreg, beside wasm-tools' own wit-parser run on
 * the same input in the same run:
 *
 * - wreg in memory (sources already read) and from disk (`readWitSources` + resolve);
 * - jco's Wasm build of wasm-tools: `componentEmbed({ dummy: true, witPath, world })` (parses,
 *   resolves, then also builds a dummy module and embeds the world: the peer the issue names) and
 *   `componentWitMetadataForWorld` (parses and resolves only);
 * - the native `wasm-tools component wit <dir>` (a process per run, so it includes process
 *   start-up and printing), when installed in ~/.cargo/bin.
 *
 * `deno run -A bench/wit_parse.ts` prints a markdown table with the ratios to wreg.
 *
 * @module
 */
import { _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
import {
  componentEmbed,
  componentWitMetadataForWorld,
} from "@bytecodealliance/jco-transpile/wasm-tools";
import { readWitSources } from "../cli/mod.ts";
import { resolveWit } from "../lib/wit/mod.ts";
import { measure, table, type Timing } from "./_harness.ts";
import { wasmToolsIfInstalled } from "../tests/support/wasm_tools.ts";
import { CORPUS } from "../tools/corpus.ts";

const TREE = `${CORPUS}wasi-http/v0.2.3/wit`;
const WORLD = "wasi:http/proxy@0.2.3";
const WASM_TOOLS = wasmToolsIfInstalled();

const sources = await readWitSources(TREE);
const files = [...(Array.isArray(sources.root) ? sources.root : [])];
for (const d of sources.deps ?? []) if ("files" in d) files.push(...d.files);
const bytes = files.reduce((n, f) => n + new TextEncoder().encode(f.text).length, 0);
const check = resolveWit(sources);

const rows: Timing[] = [];
rows.push(await measure("wreg, in memory", () => resolveWit(sources), { warmup: 20 }));
rows.push(
  await measure("wreg, read files + resolve", async () => resolveWit(await readWitSources(TREE)), {
    warmup: 10,
  }),
);

// Deno type-checks against the shim's browser types; the Node build it runs takes a path map.
(_setPreopens as unknown as (preopens: Record<string, string>) => void)({ "/": "/" });
rows.push(
  await measure(
    "jco Wasm wasm-tools: componentEmbed dummy",
    () => componentEmbed({ dummy: true, witPath: TREE, world: WORLD }),
    { warmup: 5 },
  ),
);
rows.push(
  await measure(
    "jco Wasm wasm-tools: componentWitMetadataForWorld",
    () => componentWitMetadataForWorld({ tag: "path", val: TREE }, WORLD),
    { warmup: 5 },
  ),
);

if (WASM_TOOLS !== undefined) {
  const cmd = new Deno.Command(WASM_TOOLS, {
    args: ["component", "wit", TREE],
    stdout: "null",
    stderr: "null",
  });
  rows.push(
    await measure("native wasm-tools component wit (process)", () => cmd.output(), { warmup: 3 }),
  );
}

console.log(
  table(
    `Parse + resolve of WASI 0.2.3 (${files.length} files, ${(bytes / 1024).toFixed(1)} KiB, ` +
      `${check.resolve.packages.length} packages, ${check.resolve.types.length} types)`,
    rows,
  ),
);
if (WASM_TOOLS === undefined) {
  console.log("(native wasm-tools not found: run `node tools/setup.mjs` for its row)");
}
