import assert from "node:assert/strict";
import { checkLayers, findCycles, importsOf, moduleOf } from "./_layers.ts";

Deno.test("moduleOf() maps lib files to their lib module and others to the top folder", () => {
  assert.equal(moduleOf("lib/wit/_parse.ts"), "lib/wit");
  assert.equal(moduleOf("cli/commands/add.ts"), "cli");
  assert.equal(moduleOf("registry/mod.ts"), "registry");
});

Deno.test("importsOf() finds static, type-only, re-export and dynamic imports", () => {
  const text = `import { a } from "./a.ts";\nimport type { B } from '../b/mod.ts';\n` +
    `export * from "./c.ts";\nconst d = await import("./d.ts");\nimport "./e.ts";`;
  assert.deepEqual(importsOf(text), ["./a.ts", "../b/mod.ts", "./c.ts", "./d.ts", "./e.ts"]);
});

Deno.test("checkLayers() accepts edges the table allows, directly and transitively", () => {
  const problems = checkLayers([
    { path: "cli/main.ts", text: `import "../lib/wit/mod.ts";\nimport "../lib/names/mod.ts";` },
    { path: "registry/app.ts", text: `import "../storage/mod.ts";` },
    { path: "lib/compose/mod.ts", text: `import "../names/mod.ts";` },
  ]);
  assert.deepEqual(problems, []);
});

Deno.test("checkLayers() rejects an edge the table does not allow", () => {
  const problems = checkLayers([{ path: "lib/wit/mod.ts", text: `import "../compat/mod.ts";` }]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /lib\/wit → lib\/compat is not an edge/);
});

Deno.test("checkLayers() rejects registry and cli importing each other", () => {
  const problems = checkLayers([{ path: "cli/x.ts", text: `import "../registry/mod.ts";` }]);
  assert.match(problems.join("\n"), /cli → registry/);
});

Deno.test("checkLayers() rejects imports of private files of another module", () => {
  const problems = checkLayers([{ path: "cli/x.ts", text: `import "../lib/wit/_lexer.ts";` }]);
  assert.match(problems.join("\n"), /import lib\/wit\/mod\.ts instead/);
});

Deno.test("checkLayers() rejects I/O and node: imports inside lib/", () => {
  const problems = checkLayers([{
    path: "lib/names/x.ts",
    text: `import fs from "node:fs";\nDeno.readFile("x");\nconsole.log(1);`,
  }]);
  assert.equal(problems.length, 3);
});

Deno.test("checkLayers() rejects jco outside lib/bindings", () => {
  const problems = checkLayers([
    { path: "lib/component/x.ts", text: `import "@bytecodealliance/jco-transpile";` },
    { path: "lib/bindings/x.ts", text: `import "@bytecodealliance/jco-transpile";` },
  ]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /lib\/component/);
});

Deno.test("checkLayers() rejects product code importing tests", () => {
  const problems = checkLayers([{ path: "registry/x.ts", text: `import "../tests/mod.ts";` }]);
  assert.match(problems.join("\n"), /not product code/);
});

Deno.test("checkLayers() lets a module's own tests import the test support in tests/", () => {
  const text = `import { runWasmTools } from "../../tests/support/wasm_tools.ts";`;
  assert.deepEqual(checkLayers([{ path: "lib/component/encode_test.ts", text }]), []);
  assert.match(
    checkLayers([{ path: "lib/component/_encode.ts", text }]).join("\n"),
    /lib\/component imports tests \(tests\/ is not product code\)/,
  );
});

Deno.test("findCycles() reports a cycle between modules", () => {
  const g = new Map([["a", new Set(["b"])], ["b", new Set(["a"])]]);
  assert.deepEqual(findCycles(g), ["cycle between modules: a → b → a"]);
  assert.deepEqual(findCycles(new Map([["a", new Set(["b"])]])), []);
});

Deno.test("importsOf() ignores imports inside comments and JSDoc examples", () => {
  const text = '/**\n * ```ts\n * import assert from "node:assert/strict";\n * ```\n */\n' +
    '// import "./commented.ts";\nimport "./real.ts";\nconst url = "https://example.com/x";';
  assert.deepEqual(importsOf(text), ["./real.ts"]);
});
