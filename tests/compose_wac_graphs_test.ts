/**
 * wac's composition-graph suite (`wac/crates/wac-graph/tests/graphs/*` in the corpus), run through
 * lib/compose: each `graph.json` is built with {@link CompositionGraph} (`.wat` packages parsed
 * with jco's `parse`, WIT packages made into components the way wac's harness makes them: a
 * dummy core module embedded and wrapped). A case agrees when wac expects success (`encoded.wat`)
 * and our result has the same world (compared in canonical form with the world of wac's
 * `encoded.wat`, decoded by lib/component), or when wac expects an error (`error.txt`) and we
 * refuse with the error code of the same kind. Every result we produce is also validated by
 * `wasm-tools validate` and wasmtime.
 *
 * Cases left out, with the reason, are listed in {@link LEFT_OUT}; the suite prints how many
 * agree.
 */
import assert from "node:assert/strict";
import { ComposeError, type ComposeErrorCode, CompositionGraph } from "../lib/compose/mod.ts";
import type { Definition, NodeId } from "../lib/compose/mod.ts";
import { CORPUS, dummyFromWit, validateEverywhere, wat, worldOf } from "./compose_support.ts";
import { wasmToolsValidate } from "./support/wasm_tools.ts";
import { validateComponent } from "./support/wasmtime.ts";

const GRAPHS = `${CORPUS}wac/crates/wac-graph/tests/graphs`;

/** Cases whose outcome differs by design, with the reason. */
export const LEFT_OUT: Record<string, string> = {
  "implicit-resource-import":
    "wac succeeds only because its harness imports the component definitions by a looser type " +
    "(define_components: false); with the real components embedded, baz's `my-func` returns " +
    "the resource of the imported foo:dependency/types while baz's own foo:dependency/types " +
    "import is filled by bar's instance, so no valid component exists (wasm-tools validate: " +
    '"type mismatch for import `my-func` … resource types are not the same"); wreg refuses ' +
    "with invalid-result, which the separate test below asserts",
  "package-already-registered":
    "wac refuses to register the same bytes twice under one name; wreg deduplicates identical " +
    "components by digest (one definition, embedded once), so registering them again is a no-op",
};

/** wac's error messages (the cause lines of error.txt) → the code wreg uses for that refusal. */
const WAC_ERRORS: [RegExp, ComposeErrorCode][] = [
  [/has already been passed to the instantiation/, "argument-already-satisfied"],
  [/an export with the name `[^`]*` already exists/, "export-already-exists"],
  [/instance does not have an export named/, "export-missing"],
  [/import name `[^`]*` already exists/, "import-already-exists"],
  [/(export|import) name `[^`]*` is not valid/, "invalid-name"],
  [/is not an import of package/, "unknown-import"],
  [/expected source node to be an instance/, "not-an-instance"],
  [/the specified node is not an instantiation/, "not-instantiation"],
  [/has already been registered in the graph/, "package-already-registered"],
  [/mismatched type|type mismatch/, "type-mismatch"],
  [/contains a cycle|cycle/, "cycle"],
  [/conflicts with an explicit import/, "import-conflict"],
];

interface GraphFile {
  packages?: { name: string; path: string; version?: string }[];
  nodes?: (
    | { type: "import"; name: string; package: number; export: string }
    | { type: "instantiation"; package: number }
    | { type: "alias"; source: number; export: string }
  )[];
  arguments?: { source: number; target: number; name: string }[];
  exports?: { node: number; name: string }[];
}

async function packageBytes(dir: string, path: string): Promise<Uint8Array> {
  const full = `${dir}/${path}`;
  if (path.endsWith(".wat")) return await wat(await Deno.readTextFile(full));
  return await dummyFromWit(full);
}

/** Builds and encodes one graph; returns the bytes and inputs, or throws what lib/compose throws. */
async function build(
  dir: string,
  options: { validate?: boolean } = {},
): Promise<{ bytes: Uint8Array; inputs: Uint8Array[] }> {
  const file: GraphFile = JSON.parse(await Deno.readTextFile(`${dir}/graph.json`));
  const g = new CompositionGraph();
  const packages: Definition[] = [];
  const inputs: Uint8Array[] = [];
  for (const p of file.packages ?? []) {
    const bytes = await packageBytes(dir, p.path);
    inputs.push(bytes);
    packages.push(
      await g.addComponent(bytes, { label: p.name, package: p.name, version: p.version }),
    );
  }
  const nodes: NodeId[] = [];
  for (const n of file.nodes ?? []) {
    if (n.type === "import") {
      nodes.push(g.addImport(n.name, { definition: packages[n.package], export: n.export }));
    } else if (n.type === "instantiation") nodes.push(g.instantiate(packages[n.package]));
    else nodes.push(g.aliasExport(nodes[n.source], n.export));
  }
  for (const a of file.arguments ?? []) g.setArgument(nodes[a.target], a.name, nodes[a.source]);
  for (const e of file.exports ?? []) g.export(nodes[e.node], e.name);
  return { bytes: g.encode(options), inputs };
}

/** Whether wasmtime accepts every input (it refuses some the spec allows, e.g. type exports). */
async function wasmtimeTakes(inputs: Uint8Array[]): Promise<boolean> {
  for (const i of inputs) if (!(await validateComponent(i)).valid) return false;
  return true;
}

async function cases(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(GRAPHS)) if (e.isDirectory) out.push(e.name);
  return out.sort();
}

Deno.test({
  name: "wac's composition-graph suite: lib/compose agrees with wac on every case it runs",
  async fn(t) {
    const agreed: string[] = [];
    const disagreed: string[] = [];
    const all = await cases();
    for (const name of all) {
      if (Object.hasOwn(LEFT_OUT, name)) continue;
      const dir = `${GRAPHS}/${name}`;
      await t.step(name, async () => {
        let expectedError: string | undefined;
        try {
          expectedError = await Deno.readTextFile(`${dir}/error.txt`);
        } catch { /* success expected */ }
        let bytes: Uint8Array | undefined;
        let inputs: Uint8Array[] = [];
        let error: unknown;
        try {
          ({ bytes, inputs } = await build(dir));
        } catch (e) {
          error = e;
        }
        try {
          if (expectedError !== undefined) {
            const code = WAC_ERRORS.find(([re]) => re.test(expectedError!))?.[1];
            assert.ok(code !== undefined, `no code mapped for wac's error: ${expectedError}`);
            assert.ok(
              error instanceof ComposeError,
              `wac fails (${code}); wreg ${bytes ? "succeeded" : `threw ${error}`}`,
            );
            assert.equal(error.code, code, error.message);
          } else {
            if (error !== undefined) throw error;
            if (await wasmtimeTakes(inputs)) await validateEverywhere(bytes!);
            else assert.equal(await wasmToolsValidate(bytes!), undefined);
            const theirs = await wat(await Deno.readTextFile(`${dir}/encoded.wat`));
            assert.deepEqual(worldOf(bytes!), worldOf(theirs));
          }
          agreed.push(name);
        } catch (e) {
          disagreed.push(name);
          throw e;
        }
      });
    }
    console.log(
      `wac graphs: ${agreed.length} of ${all.length} agree` +
        (disagreed.length ? `; disagree: ${disagreed.join(", ")}` : "") +
        `; left out: ${
          Object.entries(LEFT_OUT).map(([k, v]) => `${k} (${v})`).join("; ") || "none"
        }`,
    );
    assert.equal(agreed.length, all.length - Object.keys(LEFT_OUT).length);
  },
});

Deno.test({
  name: "wac's implicit-resource-import graph is refused: no valid component links those resources",
  async fn() {
    const dir = `${GRAPHS}/implicit-resource-import`;
    await assert.rejects(
      () => build(dir),
      (e: unknown) =>
        e instanceof ComposeError && e.code === "invalid-result" &&
        /type mismatch for import `my-func`/.test(e.message),
    );
    // The same bytes without our validation: the independent validator refuses them too.
    const { bytes } = await build(dir, { validate: false });
    assert.match((await wasmToolsValidate(bytes)) ?? "", /resource types are not the same/);
  },
});
