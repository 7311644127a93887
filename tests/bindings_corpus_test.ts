/**
 * Bindings for every component of the shared corpus (real components built by others: Rust,
 * JavaScript, compositions, resources, WASI 0.2 and 0.3, async): generation succeeds wherever jco
 * 1.35 transpiled the component, picks lean glue for all but the component model async ones
 * ({@link STILL_ON_JCO} names each and why), and every generated `mod.ts` type-checks; the lean
 * ones with no imports also instantiate. tests/bindings_equivalence_test.ts runs them.
 */
import assert from "node:assert/strict";
import { type Bindings, BindingsError, generateBindings } from "../lib/bindings/mod.ts";
import { CORPUS, corpusIndex } from "./component_support.ts";
import { STILL_ON_JCO, tempProject, writeFiles } from "./bindings_fixtures.ts";

/** The index records whether jco 1.35 transpiled each component. */
const index =
  corpusIndex() as (ReturnType<typeof corpusIndex>[number] & { transpileOk: boolean })[];

Deno.test("bindings for the corpus: generated where jco transpiles, and all of them type-check", async () => {
  const components = index.filter((e) => e.kind === "component");
  // jco-transpile cannot be used again in a process once it trapped (its bindgen instance is
  // poisoned), so the components jco is known to fail on come last.
  components.sort((a, b) => Number(b.transpileOk) - Number(a.transpileOk));
  const generated: { file: string; b: Bindings }[] = [];
  const failed: string[] = [];
  for (const e of components) {
    const bytes = await Deno.readFile(`${CORPUS}${e.file}`);
    try {
      generated.push({ file: e.file, b: await generateBindings(bytes, { name: e.file }) });
    } catch (err) {
      assert.ok(err instanceof BindingsError, `${e.file}: ${err}`);
      if (e.witPackage || !e.witOk) {
        assert.equal(err.code, "not-a-component", e.file);
        continue;
      }
      assert.equal(e.transpileOk, false, `${e.file}: jco 1.35 transpiles it, wreg failed: ${err}`);
      assert.equal(err.code, "jco-failed", e.file);
      failed.push(e.file);
    }
  }
  const onJco = Object.fromEntries(
    generated.filter((g) => g.b.glue === "jco").map((g) => [g.file, g.b.reason ?? ""]),
  );
  assert.deepEqual(Object.keys(onJco).sort(), Object.keys(STILL_ON_JCO).sort());
  for (const [file, reason] of Object.entries(onJco)) assert.match(reason, STILL_ON_JCO[file]);
  for (const g of generated) {
    if (g.b.glue === "lean") {
      assert.ok(!g.b.files.some((f) => f.path.startsWith("_jco/")), g.file);
      assert.deepEqual(g.b.npm, {}, g.file);
      assert.deepEqual(g.b.permissions, [], g.file);
      assert.equal(g.b.wasiHost !== undefined, g.b.wasi.length > 0, g.file);
    }
  }
  assert.ok(generated.length >= 48, `${generated.length} generated`);
  assert.ok(
    generated.length - Object.keys(onJco).length >= 39,
    `${generated.length - Object.keys(onJco).length} on lean glue`,
  );

  // One project importing every generated entry: one `deno check` for all of them.
  await using project = await tempProject({ imports: {}, npm: {} });
  const lines: string[] = [];
  for (const [i, g] of generated.entries()) {
    await writeFiles(`${project.dir}/g${i}`, g.b.files);
    lines.push(`import type * as M${i} from "./g${i}/mod.ts"; // ${g.file}`);
    lines.push(`export type E${i} = M${i}.Exports;`);
  }
  await Deno.writeTextFile(`${project.dir}/all.ts`, lines.join("\n") + "\n");
  const check = await project.deno(["check", "all.ts"]);
  assert.equal(check.code, 0, check.stderr.slice(0, 4000));

  // The lean ones that need no imports run.
  for (const [i, g] of generated.entries()) {
    if (g.b.glue !== "lean" || !g.b.ready) continue;
    const mod = await import(`file://${project.dir}/g${i}/mod.ts`);
    const inst = mod.instantiate();
    assert.deepEqual(Object.keys(inst).sort(), g.b.exports.map((x) => x.key).sort(), g.file);
  }
});
