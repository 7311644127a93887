/**
 * Compatibility checking of WASI 0.2.0 against 0.2.3 (the wasi-http `wit/` trees with their
 * deps: io, clocks, random, filesystem, sockets, cli, http), every world in the world direction and
 * every interface in the interface direction, by wreg's lib/compat beside the native
 * `wasm-tools component semver-check` on the same input in the same run:
 *
 * - wreg, check only: both trees already resolved, every pair checked;
 * - wreg, parse + check: both trees read from disk and resolved, then every pair checked;
 * - native wasm-tools with a WIT folder: semver-check compares two worlds of one package, so both
 *   trees are linked into one folder whose root package has a `prev-i`/`new-i` world pair per
 *   pair (a world pair includes the two worlds, an interface pair imports the two interfaces);
 *   one process per pair, as the tool checks one pair per run;
 * - native wasm-tools with a `.wasm`: the same root package encoded by lib/component's
 *   `encodeWitPackage`, so the tool decodes a binary instead of parsing the WIT tree.
 *
 * Also one pair alone (the `wasi:http/proxy` world) from scratch on both sides, the unit of work
 * of one run of the native tool.
 *
 * `deno run -A bench/compat.ts` prints a markdown table with the ratios to wreg, and how many
 * verdicts agree.
 *
 * @module
 */
import { checkInterfaceCompat, checkWorldCompat } from "../lib/compat/mod.ts";
import { encodeWitPackage } from "../lib/component/mod.ts";
import { type PackageId, type Resolve, resolveWit } from "../lib/wit/mod.ts";
import { binaryWitOptions, readWitSources } from "../cli/mod.ts";
import { loadTree, type NativePair, writeSideBySide } from "../tests/compat_support.ts";
import { wasmToolsIfInstalled } from "../tests/support/wasm_tools.ts";
import { measure, table, type Timing } from "./_harness.ts";

import { CORPUS } from "../tools/corpus.ts";
const OLD = "wasi-http/v0.2.0/wit";
const NEW = "wasi-http/v0.2.3/wit";
const PACKAGES = ["io", "clocks", "random", "filesystem", "sockets", "cli", "http"];
const WASM_TOOLS = wasmToolsIfInstalled();

type Pair = NativePair & { run: (a: Resolve, b: Resolve) => boolean };

/** Every world and interface present in both versions, with how wreg checks it. */
function pairsOf(a: Resolve, b: Resolve): Pair[] {
  const pairs: Pair[] = [];
  for (const name of PACKAGES) {
    const pa = a.packages[a.packageNames.get(`wasi:${name}@0.2.0`)!];
    const pb = b.packages[b.packageNames.get(`wasi:${name}@0.2.3`)!];
    for (const w of pa.worlds.keys()) {
      if (!pb.worlds.has(w)) continue;
      pairs.push({
        kind: "world",
        old: `wasi:${name}/${w}@0.2.0`,
        new: `wasi:${name}/${w}@0.2.3`,
        run: (ra, rb) => checkWorldCompat(ra, pa.worlds.get(w)!, rb, pb.worlds.get(w)!).compatible,
      });
    }
    for (const i of pa.interfaces.keys()) {
      if (!pb.interfaces.has(i)) continue;
      pairs.push({
        kind: "interface",
        old: `wasi:${name}/${i}@0.2.0`,
        new: `wasi:${name}/${i}@0.2.3`,
        run: (ra, rb) =>
          checkInterfaceCompat(ra, pa.interfaces.get(i)!, rb, pb.interfaces.get(i)!).compatible,
      });
    }
  }
  return pairs;
}

const options = binaryWitOptions(CORPUS.replace(/\/$/, ""));
const old = await loadTree(OLD), neu = await loadTree(NEW);
const pairs = pairsOf(old.resolve, neu.resolve);
const ours = pairs.map((p) => p.run(old.resolve, neu.resolve));

const rows: Timing[] = [];
rows.push(
  await measure(`wreg lib/compat, check only (${pairs.length} pairs)`, () => {
    for (const p of pairs) p.run(old.resolve, neu.resolve);
  }, { warmup: 20 }),
);
rows.push(
  await measure("wreg, read + resolve both trees + check", async () => {
    const a = resolveWit(await readWitSources(OLD, options));
    const b = resolveWit(await readWitSources(NEW, options));
    for (const p of pairs) p.run(a.resolve, b.resolve);
  }, { warmup: 5 }),
);

// One pair from scratch, like one run of the native tool: the wasi:http/proxy world.
const proxy = pairs.findIndex((p) => p.old === "wasi:http/proxy@0.2.0");
rows.push(
  await measure("wreg, read + resolve both trees + check wasi:http/proxy only", async () => {
    const a = resolveWit(await readWitSources(OLD, options));
    const b = resolveWit(await readWitSources(NEW, options));
    pairs[proxy].run(a.resolve, b.resolve);
  }, { warmup: 5 }),
);

const notes: string[] = [];
if (WASM_TOOLS !== undefined) {
  const dir = await writeSideBySide(OLD, NEW, pairs);
  const side = resolveWit(await readWitSources(dir, options));
  const wasm = `${dir}.wasm`;
  await Deno.writeFile(wasm, encodeWitPackage(side.resolve, side.package as PackageId));
  const native = async (input: string, i: number) =>
    (await new Deno.Command(WASM_TOOLS, {
      args: ["component", "semver-check", input, "--prev", `prev-${i}`, "--new", `new-${i}`],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  try {
    const verdicts: boolean[] = [];
    for (let i = 0; i < pairs.length; i++) verdicts.push(await native(dir, i));
    const wasmVerdicts: boolean[] = [];
    for (let i = 0; i < pairs.length; i++) wasmVerdicts.push(await native(wasm, i));
    const agree = verdicts.filter((v, i) => v === ours[i]).length;
    const agreeWasm = wasmVerdicts.filter((v, i) => v === ours[i]).length;
    notes.push(
      `Verdicts: wreg and wasm-tools agree on ${agree}/${pairs.length} pairs (WIT folder input) ` +
        `and ${agreeWasm}/${pairs.length} (.wasm input); wreg finds ` +
        `${ours.filter((x) => x).length} compatible.`,
    );
    rows.push(
      await measure(
        `native wasm-tools semver-check, WIT folder (${pairs.length} processes)`,
        async () => {
          for (let i = 0; i < pairs.length; i++) await native(dir, i);
        },
        { warmup: 1, runs: 5 },
      ),
    );
    rows.push(
      await measure(
        `native wasm-tools semver-check, .wasm (${pairs.length} processes)`,
        async () => {
          for (let i = 0; i < pairs.length; i++) await native(wasm, i);
        },
        { warmup: 1, runs: 5 },
      ),
    );
    rows.push(
      await measure(
        "native wasm-tools semver-check, WIT folder, wasi:http/proxy only",
        () => native(dir, proxy),
        { warmup: 2, runs: 20 },
      ),
    );
    rows.push(
      await measure("native wasm-tools, one process doing nothing (--version)", async () => {
        await new Deno.Command(WASM_TOOLS, { args: ["--version"], stdout: "null" }).output();
      }, { warmup: 3, runs: 20 }),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(wasm);
  }
} else {
  notes.push(
    "wasm-tools not found (PATH, ~/.cargo/bin): run `node tools/setup.mjs` for the peer rows.",
  );
}

console.log(table("WASI 0.2.0 → 0.2.3 compatibility, every world and interface", rows));
for (const n of notes) console.log(`${n}\n`);
