import assert from "node:assert/strict";
import { CORPUS } from "../../tools/corpus.ts";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import {
  bindingsCacheKey,
  BindingsError,
  chooseGlue,
  generateBindings,
  GENERATOR_VERSION,
  MANIFEST,
} from "./mod.ts";

const WIT = `package t:greet@1.0.0;
interface log { log: func(msg: string); }
world w {
  import log;
  export greet: func(name: string) -> string;
  export instantiate: func() -> u32;
}`;
const WAT = `(module
  (import "t:greet/log@1.0.0" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "greet") (param i32 i32) (result i32)
    (call $log (local.get 0) (local.get 1))
    (i32.store (i32.const 8) (local.get 0))
    (i32.store (i32.const 12) (local.get 1))
    (i32.const 8))
  (func (export "instantiate") (result i32) (i32.const 7))
)`;

let built: Promise<Uint8Array> | undefined;
function component(): Promise<Uint8Array> {
  built ??= (async () => {
    const embedded = await componentEmbed({ binary: await parse(WAT), witSource: WIT, world: "w" });
    return await componentNew(embedded, []);
  })();
  return built;
}

const text = (b: { files: { path: string; contents: Uint8Array | string }[] }, path: string) =>
  String(b.files.find((f) => f.path === path)!.contents);

Deno.test("the same bytes and options give the same files, for both kinds of glue", async () => {
  const bytes = await component();
  for (const glue of ["auto", "jco"] as const) {
    const a = await generateBindings(bytes, { name: "t:greet", glue });
    const b = await generateBindings(bytes, { name: "t:greet", glue });
    assert.deepEqual(a.files.map((f) => f.path), b.files.map((f) => f.path));
    for (let i = 0; i < a.files.length; i++) {
      assert.deepEqual(a.files[i].contents, b.files[i].contents, `${glue}: ${a.files[i].path}`);
    }
    assert.equal(a.cacheKey, await bindingsCacheKey(bytes, { name: "t:greet", glue }));
  }
});

Deno.test("the result says what the user supplies and gets, and the manifest repeats it", async () => {
  const b = await generateBindings(await component(), { name: "t:greet" });
  assert.equal(b.glue, "lean");
  assert.equal(b.reason, undefined);
  assert.equal(b.entry, "mod.ts");
  assert.equal(b.ready, false);
  assert.deepEqual(b.imports, [{ name: "t:greet/log@1.0.0", key: "log" }]);
  // An export named like the factory gets another key.
  assert.deepEqual(b.exports, [
    { name: "greet", key: "greet" },
    { name: "instantiate", key: "instantiate$" },
  ]);
  assert.deepEqual(b.npm, {});
  assert.deepEqual(b.permissions, []);
  const manifest = JSON.parse(text(b, MANIFEST));
  assert.equal(manifest.generator, GENERATOR_VERSION);
  assert.equal(manifest.name, "t:greet");
  assert.equal(manifest.digest, b.digest);
  assert.equal(manifest.files, undefined);
  assert.deepEqual(manifest.imports, b.imports);
});

Deno.test("the entry says which glue was generated and why jco when it is jco", async () => {
  const bytes = await component();
  const lean = await generateBindings(bytes, { name: "t:greet" });
  assert.match(text(lean, "mod.ts"), /Glue: lean\. wreg's own Canonical ABI code/);
  assert.match(text(lean, "_glue.js"), /^\/\/ Glue: lean/m);
  const jco = await generateBindings(bytes, { name: "t:greet", glue: "jco" });
  assert.match(
    text(jco, "mod.ts"),
    /Glue: jco\. @bytecodealliance\/jco-transpile 0\.15\.0[^]*because[^]*jco was asked for/,
  );
  assert.match(text(jco, "_glue.js"), /^\/\/ Glue: jco/m);
});

/** A tiny component model async component of the corpus (jco's backpressure fixture). */
const ASYNC_COMPONENT =
  `${CORPUS}jco/packages/jco-transpile/test/fixtures/components/p3/backpressure-sync/component.wasm`;

Deno.test("chooseGlue picks lean for all but component model async, and says why not", async () => {
  assert.deepEqual(chooseGlue(await component()), { glue: "lean" });
  const resourceWit = `package t:r;
world w { export counter: interface { resource c { constructor(); get: func() -> u32; } } }`;
  const embedded = await componentEmbed({ dummy: true, witSource: resourceWit, world: "w" });
  assert.deepEqual(chooseGlue(await componentNew(embedded, [])), { glue: "lean" });
  const choice = chooseGlue(await Deno.readFile(ASYNC_COMPONENT));
  assert.equal(choice.glue, "jco");
  assert.match(
    choice.reason!,
    /component model async \(the canonical built-in backpressure\.inc\)/,
  );
});

Deno.test("bad input and options are BindingsErrors with stable codes", async () => {
  const cases: [Uint8Array, Parameters<typeof generateBindings>[1], string][] = [
    [new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), { name: "m" }, "not-a-component"],
    [new TextEncoder().encode("not wasm"), { name: "m" }, "not-a-component"],
    [await component(), { name: "" }, "invalid-option"],
    [await component(), { name: "x", glue: "fast" as "auto" }, "invalid-option"],
  ];
  for (const [bytes, options, code] of cases) {
    await assert.rejects(generateBindings(bytes, options), (e: BindingsError) => {
      assert.ok(e instanceof BindingsError);
      assert.equal(e.code, code);
      assert.match(e.message, /^Cannot generate bindings: /);
      return true;
    });
  }
  await assert.rejects(
    generateBindings(await Deno.readFile(ASYNC_COMPONENT), { name: "r", glue: "lean" }),
    (e: BindingsError) => e.code === "lean-unsupported",
  );
});
