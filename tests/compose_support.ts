/**
 * Helpers of the composition tests: corpus files (read in place), WAT and WIT inputs turned into
 * components, the resulting world in canonical form, and the independent checks every composed
 * output goes through: `wasm-tools validate`, wasmtime (Python package) validating and running
 * it, and jco transpiling it for Deno to run.
 *
 * @module
 */
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { decodeComponent } from "../lib/component/mod.ts";
import { type CanonicalWorld, canonicalWorld } from "../lib/wit/mod.ts";
import { runWasmTools, wasmToolsValidate } from "./support/wasm_tools.ts";
import { validateComponent } from "./support/wasmtime.ts";
import { CORPUS } from "../tools/corpus.ts";

/** The shared corpus, read in place (tools/corpus.ts finds it; a missing corpus fails loudly). */
export { CORPUS };

/** Reads a corpus file. */
export function corpus(rel: string): Promise<Uint8Array> {
  return Deno.readFile(`${CORPUS}${rel}`);
}

/** A component from WAT text (jco's wasm-tools `parse`). */
export function wat(text: string): Promise<Uint8Array> {
  return parse(text);
}

/**
 * A component implementing a world of a WIT file or folder (its only one unless named), with core
 * functions that trap (`wasm-tools component embed --dummy` then `component new`), as wac's graph
 * tests make them.
 */
export async function dummyFromWit(path: string, world?: string): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-compose-wit-" });
  try {
    const embedded = `${dir}/embedded.wasm`, out = `${dir}/component.wasm`;
    const a = await runWasmTools([
      "component",
      "embed",
      "--dummy",
      path,
      ...(world === undefined ? [] : ["--world", world]),
      "-o",
      embedded,
    ]);
    if (!a.success) throw new Error(`wasm-tools component embed ${path}: ${a.stderr}`);
    const b = await runWasmTools(["component", "new", embedded, "-o", out]);
    if (!b.success) throw new Error(`wasm-tools component new ${path}: ${b.stderr}`);
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A temporary folder, removed after `f`. */
export async function inTemp<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-compose-tmp-" });
  try {
    return await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Writes `<dir>/wit`: `main.wit` holding `main`, and every package of a corpus WIT tree (a
 * wasi-http tag's folder, relative to the corpus) as a dependency, linked in place: `deps/http`
 * is the tree's own folder, the other entries its `deps/`. Returns the folder.
 */
export async function witFolderOnTree(dir: string, tree: string, main: string): Promise<string> {
  await Deno.mkdir(`${dir}/wit/deps`, { recursive: true });
  await Deno.writeTextFile(`${dir}/wit/main.wit`, main);
  await Deno.symlink(`${CORPUS}${tree}`, `${dir}/wit/deps/http`);
  for await (const e of Deno.readDir(`${CORPUS}${tree}/deps`)) {
    if (e.isDirectory) {
      await Deno.symlink(`${CORPUS}${tree}/deps/${e.name}`, `${dir}/wit/deps/${e.name}`);
    }
  }
  return `${dir}/wit`;
}

/**
 * A dummy component ({@link dummyFromWit}) of world `name`, written (as `world`, its WIT text) in
 * a package `test:<name>` against a corpus WIT tree ({@link witFolderOnTree}).
 */
export function dummyOf(tree: string, name: string, world: string): Promise<Uint8Array> {
  return inTemp(async (dir) =>
    dummyFromWit(await witFolderOnTree(dir, tree, `package test:${name};\n\n${world}\n`), name)
  );
}

/** `wasm-tools component wit` of a component (native wasm-tools). */
export async function witOf(bytes: Uint8Array): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "wreg-compose-", suffix: ".wasm" });
  try {
    await Deno.writeFile(path, bytes);
    const r = await runWasmTools(["component", "wit", path]);
    if (!r.success) throw new Error(`wasm-tools component wit: ${r.stderr}`);
    return r.stdout;
  } finally {
    await Deno.remove(path);
  }
}

/** The world of a component in canonical form, without its (synthesized) name and package. */
export function worldOf(bytes: Uint8Array): CanonicalWorld {
  const d = decodeComponent(bytes);
  const w = canonicalWorld(d.resolve, d.world!);
  return { ...w, name: "", package: undefined };
}

/** Validates with native `wasm-tools validate` and with wasmtime; throws with both reasons. */
export async function validateEverywhere(bytes: Uint8Array): Promise<void> {
  const byTools = await wasmToolsValidate(bytes);
  if (byTools !== undefined) throw new Error(`wasm-tools validate: ${byTools}`);
  const byWasmtime = await validateComponent(bytes);
  if (!byWasmtime.valid) throw new Error(`wasmtime: ${byWasmtime.message}`);
}

/** What a component run in Deno (through jco) returned and printed. */
export interface DenoRun {
  results: unknown[];
  stdout: string;
  stderr: string;
}

const DENO_RUNNER = `
import * as shim from "@bytecodealliance/preview2-shim";
const [dir, name, callsJson, hostJson] = Deno.args;
const host = JSON.parse(hostJson);
const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const imports = new Proxy({}, {
  get(_t, key) {
    const k = String(key);
    if (Object.hasOwn(host, k)) {
      return Object.fromEntries(Object.entries(host[k]).map(([f, v]) => [f, () => v]));
    }
    const m = /^wasi:([a-z]+)\\/([a-z-]+)/.exec(k);
    return m ? shim[m[1]]?.[camel(m[2])] : undefined;
  },
  has: () => true,
});
const mod = await import("file://" + dir + "/" + name + ".js");
const inst = await mod.instantiate((p) => WebAssembly.compile(Deno.readFileSync(dir + "/" + p)), imports);
const results = [];
for (const call of JSON.parse(callsJson)) {
  let target = inst;
  for (const part of call.path) target = target[part];
  const revive = (a) =>
    Array.isArray(a) ? a.map(revive)
    : a && typeof a === "object"
    ? ("$bigint" in a ? BigInt(a.$bigint) : Object.fromEntries(Object.entries(a).map(([k, v]) => [k, revive(v)])))
    : a;
  const args = call.args.map(revive);
  const r = await target(...args);
  results.push(typeof r === "bigint" ? String(r) : r ?? null);
}
console.log("\\n" + JSON.stringify(results));
`;

/**
 * Transpiles a component with jco and runs calls on it in a child Deno process, WASI from
 * preview2-shim. A call names its export by its path in the instantiated object (`["process"]`,
 * `["hello", "helloWorld"]`); `{ $bigint: "7" }` passes a bigint. `host` gives other imports
 * (by the name jco asks for, without version) as functions returning constants.
 */
export async function runInDeno(
  bytes: Uint8Array,
  calls: { path: string[]; args?: unknown[] }[],
  host: Record<string, Record<string, unknown>> = {},
): Promise<DenoRun> {
  const { transpileBytes } = await import("@bytecodealliance/jco-transpile");
  const { files } = await transpileBytes(
    bytes,
    {
      name: "composed",
      instantiation: "async",
    } as Parameters<typeof transpileBytes>[1],
  ) as { files: Record<string, Uint8Array> };
  const dir = await Deno.makeTempDir({ prefix: "wreg-compose-jco-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeFile(path, content);
    }
    await Deno.writeTextFile(`${dir}/run.mjs`, DENO_RUNNER);
    const config = new URL("../deno.json", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        config,
        `${dir}/run.mjs`,
        dir,
        "composed",
        JSON.stringify(calls.map((c) => ({ path: c.path, args: c.args ?? [] }))),
        JSON.stringify(host),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(`the jco-transpiled component failed in Deno: ${stderr}`);
    const at = stdout.lastIndexOf("\n", stdout.length - 2);
    return {
      results: JSON.parse(stdout.slice(at + 1)),
      stdout: stdout.slice(0, Math.max(at, 0)).replace(/\n$/, ""),
      stderr,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
