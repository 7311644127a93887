/**
 * WIT dependencies from the registry land in `wit/deps/` in the layout wit-parser and wkg read:
 * a project's own WIT that uses them resolves with `wreg wit` and with native
 * `wasm-tools component wit` (wit-parser), including a package only reachable through another.
 */
import assert from "node:assert/strict";
import { type Registry, Sandbox, startRegistry, writeTree } from "./cli_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

const BASE = "package docs:base@1.0.0;\n\ninterface t {\n  type n = u32;\n}\n";
const LEFT =
  "package docs:left@1.0.0;\n\ninterface api {\n  use docs:base/t@1.0.0.{n};\n  f: func() -> n;\n}\n";
const APP = `package my:app@0.1.0;

world app {
  import docs:left/api@1.0.0;
  export run: func() -> u32;
}
`;

Deno.test("wit/deps holds the locked WIT packages, transitively, where wit-parser finds them", async () => {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    const work = await box.folder("work");
    await writeTree(work, {
      "base/base.wit": BASE,
      "left/left.wit": LEFT,
      "left/deps/base/base.wit": BASE,
    });
    const env = { WREG_REGISTRY: registry.url, WREG_TOKEN: registry.token };
    for (const dir of ["base", "left"]) {
      const r = await box.wreg(work, ["publish", dir], env);
      assert.equal(r.code, 0, r.stderr);
    }
    const app = await box.folder("app");
    await writeTree(app, {
      "wit/app.wit": APP,
      "wit/deps/mine/mine.wit": "package my:extra;\n\ninterface x {}\n",
    });
    assert.equal(
      (await box.wreg(app, ["init", "--kind", "wit", "--name", "my:app"], env)).code,
      0,
    );
    const added = await box.wreg(app, ["add", "docs:left"], env);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /wrote wit\/deps\/docs-base-1\.0\.0\/package\.wit/);
    assert.match(added.stdout, /wrote wit\/deps\/docs-left-1\.0\.0\/package\.wit/);
    // A WIT project gets no Deno bindings and no deno.json.
    await assert.rejects(Deno.stat(`${app}/deno.json`), Deno.errors.NotFound);
    const left = await Deno.readTextFile(`${app}/wit/deps/docs-left-1.0.0/package.wit`);
    assert.match(
      left,
      /^\/\/ Written by wreg from wreg\.lock \(docs:left@1\.0\.0, sha256:[0-9a-f]{64}\)\./,
    );

    const ours = await box.wreg(app, ["wit", "wit"]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stdout, /import docs:left\/api@1\.0\.0;/);
    const native = await runWasmTools(["component", "wit", `${app}/wit`]);
    assert.ok(native.success, native.stderr);
    assert.match(native.stdout, /import docs:left\/api@1\.0\.0;/);
    const built = await box.wreg(app, ["wit", "build", "wit", "-o", "app.wasm"]);
    assert.equal(built.code, 0, built.stderr);

    // Removing the dependency removes what wreg wrote, and nothing else.
    const removed = await box.wreg(app, ["remove", "docs:left"], env);
    assert.equal(removed.code, 0, removed.stderr);
    const left_ = [];
    for await (const e of Deno.readDir(`${app}/wit/deps`)) left_.push(e.name);
    assert.deepEqual(left_, ["mine"]);
  } finally {
    await registry?.stop();
    await box.remove();
  }
});
