/**
 * Test components for lib/bindings, made in milliseconds from WIT and hand-generated WAT with
 * jco's Wasm build of wasm-tools (`parse` + `componentEmbed` + `componentNew`).
 *
 * {@link passthroughComponent}: a world that imports an interface `host` and exports the same
 * functions at the top level; each export forwards its flat core arguments unchanged to the
 * imported function and returns what it returns. A call `echo(x)` from JavaScript therefore goes
 * through all four directions of the Canonical ABI: the export lowers `x`, the import lifts it and
 * calls the host, the host's result is lowered into the component's memory, and the export lifts
 * it again. With a host that returns its argument, every value must come back equal.
 *
 * The flattening here is written against the WIT model, independently of lib/bindings (which
 * works on lib/component's checked types); `componentNew` rejects a module whose core signatures
 * disagree with the WIT, so a mistake here cannot pass silently.
 *
 * @module
 */
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { dealias, isPrimitive, parseWit, type Resolve, type Type } from "../lib/wit/mod.ts";
import { type GeneratedFile, WASI_HOST } from "../lib/bindings/mod.ts";

type Core = "i32" | "i64" | "f32" | "f64";

function join(a: Core, b: Core): Core {
  if (a === b) return a;
  if ((a === "i32" && b === "f32") || (a === "f32" && b === "i32")) return "i32";
  return "i64";
}

/** The flat core types of a WIT type (Canonical ABI `flatten_type`). */
export function flatten(resolve: Resolve, t: Type): Core[] {
  const d = dealias(resolve, t);
  if (isPrimitive(d)) {
    switch (d) {
      case "u64":
      case "s64":
        return ["i64"];
      case "f32":
        return ["f32"];
      case "f64":
        return ["f64"];
      case "string":
        return ["i32", "i32"];
      default:
        return ["i32"];
    }
  }
  const k = resolve.types[d].kind;
  const variant = (cases: (Type | undefined)[]): Core[] => {
    const flat: Core[] = [];
    for (const c of cases) {
      if (c === undefined) continue;
      flatten(resolve, c).forEach((f, i) => {
        flat[i] = i < flat.length ? join(flat[i], f) : f;
      });
    }
    return ["i32", ...flat];
  };
  switch (k.tag) {
    case "record":
      return k.fields.flatMap((f) => flatten(resolve, f.type));
    case "tuple":
      return k.types.flatMap((x) => flatten(resolve, x));
    case "list":
      return ["i32", "i32"];
    case "flags":
      return Array(Math.ceil(k.flags.length / 32)).fill("i32");
    case "enum":
      return ["i32"];
    case "variant":
      return variant(k.cases.map((c) => c.type));
    case "option":
      return variant([undefined, k.type]);
    case "result":
      return variant([k.ok, k.err]);
    default:
      throw new Error(`passthrough fixtures do not support ${k.tag}`);
  }
}

/** A bump allocator, a return area and `memory`, shared by the generated modules. */
const RUNTIME = `
  (memory (export "memory") 1)
  (global $base i32 (i32.const 1024))
  (global $bump (mut i32) (i32.const 1024))
  (func $alloc (param $align i32) (param $size i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (block $ok
      (br_if $ok (i32.le_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))))
      (drop (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end)
        (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))))
    )
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "cabi_realloc") (param $old i32) (param $oldSize i32) (param $align i32)
    (param $newSize i32) (result i32)
    (local $p i32)
    (local.set $p (call $alloc (local.get $align) (local.get $newSize)))
    (if (local.get $old)
      (then (memory.copy (local.get $p) (local.get $old)
        (select (local.get $oldSize) (local.get $newSize)
          (i32.lt_u (local.get $oldSize) (local.get $newSize))))))
    (local.get $p))
  (func $reset (param i32) (global.set $bump (global.get $base)))
`;

/** Options of {@link passthroughComponent}. */
export interface PassthroughOptions {
  /** Package name; default `test:echo`. */
  package?: string;
  /** Whether the exports have post-return functions that reset the allocator (default true). */
  postReturn?: boolean;
}

/**
 * Builds a passthrough component. `types` is WIT declared in an interface `types` (records,
 * variants…), `funcs` are function declarations (`name: func(...) -> ...;`) that may use them.
 * Returns the component bytes and its WIT text.
 */
export async function passthroughComponent(
  types: string,
  funcs: string[],
  options: PassthroughOptions = {},
): Promise<{ bytes: Uint8Array; wit: string }> {
  const pkg = options.package ?? "test:echo";
  const typeNames = [
    ...types.matchAll(/^\s*(?:record|variant|enum|flags|type|resource)\s+([a-z0-9-]+)/gm),
  ]
    .map((m) => m[1]);
  const use = typeNames.length > 0 ? `  use types.{${typeNames.join(", ")}};\n` : "";
  const wit = `package ${pkg};
interface types {
${types}
}
interface host {
${use}${funcs.map((f) => `  ${f}`).join("\n")}
}
world echo {
${use}  import host;
${funcs.map((f) => `  export ${f}`).join("\n")}
}
`;
  const { resolve } = parseWit(wit);
  const host = resolve.interfaces.find((i) => i.name === "host")!;
  const parts: string[] = [];
  const imports: string[] = [];
  let n = 0;
  for (const [name, fn] of host.functions) {
    const params = fn.params.flatMap((p) => flatten(resolve, p.type));
    const results = fn.result === undefined ? [] : flatten(resolve, fn.result);
    const viaMemory = params.length > 16;
    const coreParams: Core[] = viaMemory ? ["i32"] : params;
    const retptr = results.length > 1;
    const importParams = retptr ? [...coreParams, "i32"] : coreParams;
    const importResults = retptr ? [] : results;
    const exportResults = retptr ? ["i32"] : results;
    const sig = (ps: string[], rs: string[]) =>
      `${ps.map((p) => `(param ${p})`).join(" ")} ${rs.map((r) => `(result ${r})`).join(" ")}`;
    imports.push(
      `  (import "${pkg.split("@")[0]}/host" "${name}" (func $h${n} ${
        sig(importParams, importResults)
      }))`,
    );
    const body: string[] = coreParams.map((_, i) => `(local.get ${i})`);
    if (retptr) body.push(`(i32.const 16)`);
    body.push(`(call $h${n})`);
    if (retptr) body.push(`(i32.const 16)`);
    parts.push(`  (func (export "${name}") ${sig(coreParams, exportResults)} ${body.join(" ")})`);
    if (options.postReturn ?? true) {
      parts.push(
        `  (func (export "cabi_post_${name}") ${sig(exportResults, [])} ${
          exportResults.length
            ? "(call $reset (i32.const 0))"
            : "(global.set $bump (global.get $base))"
        })`,
      );
    }
    n++;
  }
  const wat = `(module\n${imports.join("\n")}\n${RUNTIME}\n${parts.join("\n")}\n)`;
  const core = await parse(wat);
  const embedded = await componentEmbed({ binary: core, witSource: wit, world: "echo" });
  return { bytes: await componentNew(embedded, []), wit };
}

// ---------------------------------------------------------------------------------------------
// Example components, generated files on disk, and throwaway Deno projects.

/** An example component (examples/dist/<name>.wasm, built when missing or stale). */
export { example } from "./support/examples.ts";

/** Writes generated files under `dir`. */
export async function writeFiles(dir: string, files: GeneratedFile[]): Promise<void> {
  for (const f of files) {
    const path = `${dir}/${f.path}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof f.contents === "string") await Deno.writeTextFile(path, f.contents);
    else await Deno.writeFile(path, f.contents);
  }
}

/** The wreg checkout (for its node_modules). */
export const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** A throwaway Deno project: a folder with a deno.json import map and some files. */
export interface TempProject {
  dir: string;
  /** Runs `deno <args>` in the project; never throws for a non-zero exit. */
  deno(args: string[], env?: Record<string, string>): Promise<DenoRun>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The outcome of a `deno` subprocess. */
export interface DenoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link tempProject}. */
export interface TempProjectOptions {
  /** The `imports` of deno.json. */
  imports: Record<string, string>;
  /** Source files, by path relative to the project. */
  files?: Record<string, string>;
  /** Link the checkout's node_modules (for preview2-shim) and use `nodeModulesDir: manual`. */
  npm?: Record<string, string>;
}

/** Makes a project in a temporary folder; dispose of it with `await using`. */
export async function tempProject(options: TempProjectOptions): Promise<TempProject> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-bindings-project-" });
  // Lean glue of components that import WASI imports wreg's WASI host by `@wreg/wasi/…`.
  const config: Record<string, unknown> = {
    imports: { [`${WASI_HOST}/`]: `${REPO}/wasi/`, ...options.imports },
  };
  if (options.npm !== undefined) {
    config.nodeModulesDir = "manual";
    await Deno.symlink(`${REPO}/node_modules`, `${dir}/node_modules`);
    await Deno.writeTextFile(
      `${dir}/package.json`,
      JSON.stringify({ private: true, dependencies: options.npm }, null, 2),
    );
  }
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify(config, null, 2));
  for (const [path, text] of Object.entries(options.files ?? {})) {
    await Deno.mkdir(`${dir}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  return {
    dir,
    async deno(args, env = {}) {
      const out = await new Deno.Command(Deno.execPath(), {
        args,
        cwd: dir,
        env: { NO_COLOR: "1", ...env },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** The benchmark component (bench/fixtures/calls.wat + calls.wit) and its core module. */
export async function callsComponent(): Promise<{ bytes: Uint8Array; core: Uint8Array }> {
  const dir = new URL("../bench/fixtures/", import.meta.url);
  const core = await parse(await Deno.readTextFile(new URL("calls.wat", dir)));
  const embedded = await componentEmbed({
    binary: core,
    witSource: await Deno.readTextFile(new URL("calls.wit", dir)),
    world: "calls",
  });
  return { bytes: await componentNew(embedded, []), core };
}

/** A component from a WIT world and a hand-written core module (WAT), world `w`. */
export async function watComponent(wit: string, wat: string): Promise<Uint8Array> {
  const core = await parse(wat);
  const embedded = await componentEmbed({ binary: core, witSource: wit, world: "w" });
  return await componentNew(embedded, []);
}

const P3 = "jco/packages/jco-transpile/test/fixtures/components/p3/";

/**
 * The corpus components whose bindings still use jco's glue, and why: each uses component model
 * async (async lifts and lowers, streams, futures, tasks), which lean glue does not cover until
 * it stabilises. `deny_adapter.wasm` is in neither list: jco cannot transpile it either.
 */
export const STILL_ON_JCO: Record<string, RegExp> = {
  "jco/examples/transpile/p3-stream-chat/p3-stream-chat.wasm": /async.*stream\.new/,
  [`${P3}backpressure-sync/component.wasm`]: /async.*backpressure\.inc/,
  [`${P3}cli/p3-cli-hello-stdout.wasm`]: /async.*task\.return/,
  [`${P3}context-sync/component.wasm`]: /async.*context\.set/,
  [`${P3}general/async-transmit-callee.wasm`]: /async.*future\.new/,
  [`${P3}general/async-transmit-caller.wasm`]: /async.*stream\.new/,
  [`${P3}http/p3-http-echo.wasm`]: /async.*future\.cancel-write/,
  [`${P3}random/p3-random-imports.wasm`]: /async.*task\.return/,
  [`${P3}sockets/p3-sockets-tcp-connect.wasm`]: /async.*subtask\.cancel/,
};
