/**
 * wasm-tools' `wasm-compose` compositions (`wasm-tools/crates/wasm-compose/tests/compositions/*`
 * in the corpus) where they map onto lib/compose:
 *
 * - `definitions: [...]` in config.yml: the definitions' exports fill the root's imports by
 *   name, which is {@link plug};
 * - otherwise each instance import of the root (and of each dependency, recursively) named like
 *   a component in the folder (`a` → `a.wat`, or `dependencies:` in config.yml) is filled with a
 *   whole instance of that component, built with {@link CompositionGraph}; `instantiations:`
 *   with `dependency:` and `arguments:` name the instances and arguments explicitly.
 *
 * A case agrees when wasm-compose expects success (`composed.wat`) and our result has the same
 * world (canonical forms compared, both decoded by lib/component) and validates in wasm-tools
 * and wasmtime, or when it expects an error and we refuse with the code of the same kind. Cases
 * about wasm-compose's own configuration or file handling are left out with the reason.
 */
import assert from "node:assert/strict";
import {
  ComposeError,
  type ComposeErrorCode,
  CompositionGraph,
  type Definition,
  type NodeId,
  plug,
} from "../lib/compose/mod.ts";
import { CORPUS, validateEverywhere, wat, worldOf } from "./compose_support.ts";
import { wasmToolsValidate } from "./support/wasm_tools.ts";
import { validateComponent } from "./support/wasmtime.ts";

const DIR = `${CORPUS}wasm-tools/crates/wasm-compose/tests/compositions`;

/** Cases that test wasm-compose's configuration or file handling, not composition. */
export const LEFT_OUT: Record<string, string> = {
  "complex-import": "its dependencies (../complex/*.wat) are not in the corpus",
  "component-missing": "a dependency file that does not exist: file handling of wasm-compose",
  "missing-explicit-dep": "a dependency file that does not exist: file handling of wasm-compose",
  "missing-root": "the root file does not exist: file handling of wasm-compose",
  "component-not-wat": "the WAT text does not parse; composition never sees any bytes",
  "no-deps": "wasm-compose refuses a root without instance imports; wreg has no such rule " +
    "(plug refuses a plug that fills nothing instead)",
  "no-deps-resolved": "wasm-compose refuses when no file matches an import name; wreg's plug " +
    "takes its plugs as arguments, it does not search a folder",
  "disallow-imports": "a wasm-compose option (fail when the result would import anything) " +
    "that wreg does not have",
  "export-on-import": "a wasm-compose configuration rule (an export named for an imported " +
    "instance in config.yml)",
  "unlocked-dep-invalid-semver": "about the decoder, not composition: lib/component accepts the " +
    "malformed version range in the import name `unlocked-dep=<foo:add@{>=1.0.}>` (reported)",
};

const COMPOSE_ERRORS: [RegExp, ComposeErrorCode][] = [
  [/is not compatible with/, "type-mismatch"],
  [
    /unknown binary version|function index out of bounds|not a valid extern name/,
    "invalid-component",
  ],
  [/not a WebAssembly component/, "not-a-component"],
  [/has no import named/, "unknown-import"],
  [/does not export an instance named/, "export-missing"],
];

type Yaml = string | boolean | Yaml[] | { [k: string]: Yaml };

/** The subset of YAML the config.yml files use: nested maps, scalars, flow lists. */
function parseYaml(text: string): Record<string, Yaml> {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  let i = 0;
  const scalar = (v: string): Yaml => {
    v = v.trim();
    if (v === "true" || v === "false") return v === "true";
    if (v.startsWith("[")) {
      return v.slice(1, -1).split(",").map((s) => s.trim().replace(/^['"]|['"]$/g, ""));
    }
    return v.replace(/^['"]|['"]$/g, "");
  };
  const block = (indent: number): Record<string, Yaml> => {
    const out: Record<string, Yaml> = {};
    while (i < lines.length) {
      const line = lines[i];
      const own = line.length - line.trimStart().length;
      if (own < indent) break;
      const m = /^\s*(.+?):(\s.*|)$/.exec(line)!;
      i++;
      const key = m[1].trim(), rest = m[2];
      if (rest.trim() === "") {
        const next = lines[i];
        const nextIndent = next === undefined ? 0 : next.length - next.trimStart().length;
        out[key] = nextIndent > own ? block(nextIndent) : "";
      } else out[key] = scalar(rest);
    }
    return out;
  };
  return block(0);
}

async function component(path: string): Promise<Uint8Array> {
  const bytes = path.endsWith(".wasm")
    ? await Deno.readFile(path)
    : await wat(await Deno.readTextFile(path));
  inputs.push(bytes);
  return bytes;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Every component read, so the validators can be asked whether they take the inputs. */
let inputs: Uint8Array[] = [];

/** Builds one composition the way wasm-compose would, with lib/compose. */
async function compose(dir: string): Promise<Uint8Array> {
  inputs = [];
  const config: Record<string, Yaml> = (await exists(`${dir}/config.yml`))
    ? parseYaml(await Deno.readTextFile(`${dir}/config.yml`))
    : {};
  const root = await component(`${dir}/root.wat`);
  if (Array.isArray(config.definitions)) {
    const defs = [];
    for (const d of config.definitions as string[]) {
      defs.push({ bytes: await component(`${dir}/${d}`), label: d });
    }
    return (await plug({ bytes: root, label: "root.wat" }, defs, { allowUnusedPlugs: true })).bytes;
  }
  const deps = (config.dependencies ?? {}) as Record<string, Yaml>;
  const fileOf = async (name: string): Promise<string | undefined> => {
    const d = deps[name];
    if (typeof d === "string") return `${dir}/${d}`;
    if (d && typeof d === "object" && !Array.isArray(d)) return `${dir}/${d.path}`;
    for (const ext of [".wat", ".wasm"]) {
      if (await exists(`${dir}/${name}${ext}`)) return `${dir}/${name}${ext}`;
    }
    return undefined;
  };
  const g = new CompositionGraph();
  const defs = new Map<string, Definition>();
  const definition = async (name: string, path: string) => {
    let d = defs.get(name);
    if (d === undefined) {
      d = await g.addComponent(await component(path), { label: name });
      defs.set(name, d);
    }
    return d;
  };
  const instances = new Map<string, NodeId>();
  const explicit = (config.instantiations ?? {}) as Record<string, Record<string, Yaml>>;
  /** The instance named `name`: an explicit instantiation, or a dependency of that name. */
  const instance = async (name: string): Promise<NodeId | undefined> => {
    const known = instances.get(name);
    if (known !== undefined) return known;
    const spec = explicit[name];
    const dep = spec && typeof spec.dependency === "string" ? spec.dependency : name;
    const path = name === "root" ? `${dir}/root.wat` : await fileOf(dep);
    if (path === undefined) return undefined;
    const def = await definition(dep, path);
    const id = g.instantiate(def);
    instances.set(name, id);
    const args = (spec?.arguments ?? {}) as Record<string, Yaml>;
    for (const [arg, source] of Object.entries(args)) {
      if (typeof source === "string") {
        g.setArgument(id, arg, (await instance(source)) ?? -1);
      } else {
        const s = source as Record<string, string>;
        g.setArgument(id, arg, g.aliasExport((await instance(s.instance)) ?? -1, s.export));
      }
    }
    for (const [imp, item] of def.type.imports) {
      if (Object.hasOwn(args, imp) || item.entity.kind !== "instance") continue;
      const filler = await instance(imp);
      if (filler !== undefined) g.setArgument(id, imp, filler);
    }
    return id;
  };
  await definition("root", `${dir}/root.wat`);
  await instance("root");
  return g.encode();
}

async function validatorsTake(components: Uint8Array[]): Promise<boolean> {
  for (const c of components) {
    if ((await wasmToolsValidate(c)) !== undefined) return false;
    if (!(await validateComponent(c)).valid) return false;
  }
  return true;
}

Deno.test({
  name: "wasm-compose's compositions: lib/compose agrees on every case that maps",
  async fn(t) {
    const all: string[] = [];
    for await (const e of Deno.readDir(DIR)) if (e.isDirectory) all.push(e.name);
    all.sort();
    const agreed: string[] = [];
    for (const name of all) {
      if (Object.hasOwn(LEFT_OUT, name)) continue;
      const dir = `${DIR}/${name}`;
      await t.step(name, async () => {
        const expectedError = (await exists(`${dir}/error.txt`))
          ? await Deno.readTextFile(`${dir}/error.txt`)
          : undefined;
        let bytes: Uint8Array | undefined;
        let error: unknown;
        try {
          bytes = await compose(dir);
        } catch (e) {
          error = e;
        }
        if (expectedError !== undefined) {
          const code = COMPOSE_ERRORS.find(([re]) => re.test(expectedError))?.[1];
          assert.ok(code !== undefined, `no code mapped for: ${expectedError}`);
          assert.ok(error instanceof ComposeError, `expected ${code}, got ${error ?? "success"}`);
          assert.equal(error.code, code, error.message);
        } else {
          if (error !== undefined) throw error;
          // Current wasm-tools and wasmtime refuse the `locked-dep=<…>` names of some inputs
          // (the spec dropped them): then they cannot judge the output either.
          if (await validatorsTake(inputs)) await validateEverywhere(bytes!);
          const theirs = await wat(await Deno.readTextFile(`${dir}/composed.wat`));
          assert.deepEqual(worldOf(bytes!), worldOf(theirs));
        }
        agreed.push(name);
      });
    }
    console.log(
      `wasm-compose compositions: ${agreed.length} of ${all.length} agree; left out: ${
        Object.entries(LEFT_OUT).map(([k, v]) => `${k} (${v})`).join("; ")
      }`,
    );
    assert.equal(agreed.length, all.length - Object.keys(LEFT_OUT).length);
  },
});
