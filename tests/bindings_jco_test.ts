/**
 * The known problems of jco's output (../shared/TOOLCHAIN.md) and how lib/bindings handles each.
 * Every problem has a "still true" test that pins jco's behaviour as of jco-transpile 0.15 — when
 * a jco upgrade changes it, that test fails and says which workaround to revisit — and a test
 * that wreg's bindings do not suffer from it.
 */
import assert from "node:assert/strict";
import { transpileBytes } from "@bytecodealliance/jco-transpile";
import {
  BindingsError,
  generateBindings,
  JCO_ENV_READ,
  JCO_TRANSPILE_VERSION,
  patchJcoGlue,
  PREVIEW2_SHIM,
  PREVIEW2_SHIM_VERSION,
} from "../lib/bindings/mod.ts";
import {
  callsComponent,
  example,
  REPO,
  tempProject,
  watComponent,
  writeFiles,
} from "./bindings_fixtures.ts";

const decoder = new TextDecoder();

async function jcoFiles(bytes: Uint8Array, instantiation?: "sync") {
  const r = await transpileBytes(bytes, {
    name: "component",
    ...(instantiation ? { instantiation } : {}),
  });
  return { ...r, list: Object.entries(r.files).map(([path, contents]) => ({ path, contents })) };
}

Deno.test("the jco and preview2-shim versions are the ones the workarounds were written for", async () => {
  const deno = JSON.parse(await Deno.readTextFile(`${REPO}/deno.json`));
  assert.equal(
    deno.imports["@bytecodealliance/jco-transpile"],
    `npm:@bytecodealliance/jco-transpile@${JCO_TRANSPILE_VERSION}`,
  );
  assert.equal(deno.imports[PREVIEW2_SHIM], `npm:${PREVIEW2_SHIM}@${PREVIEW2_SHIM_VERSION}`);
  const installed = JSON.parse(
    await Deno.readTextFile(`${REPO}/node_modules/@bytecodealliance/jco-transpile/package.json`),
  );
  assert.equal(installed.version, JCO_TRANSPILE_VERSION);
});

// 1. The per-call process.env read.

Deno.test("still true: jco's glue reads process.env.JCO_DEBUG on every call", async () => {
  const { bytes } = await callsComponent();
  const { files } = await jcoFiles(bytes, "sync");
  const js = decoder.decode(files["component.js"]);
  assert.ok(js.includes(JCO_ENV_READ), "the read wreg patches is there, written as expected");
  assert.ok((js.match(/_debugLog\(/g) ?? []).length > 2, "and every call goes through it");
});

Deno.test("still true: unpatched jco glue needs --allow-env in Deno", async () => {
  const { bytes } = await callsComponent();
  const { list } = await jcoFiles(bytes);
  await using project = await tempProject({
    imports: {},
    files: { "main.js": `import { add } from "./jco/component.js";\nconsole.log(add(1, 2));\n` },
  });
  await writeFiles(`${project.dir}/jco`, list);
  const denied = await project.deno(["run", "--no-prompt", "--allow-read", "main.js"]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Requires env access to "JCO_DEBUG"/);
  const allowed = await project.deno([
    "run",
    "--no-prompt",
    "--allow-read",
    "--allow-env",
    "main.js",
  ]);
  assert.equal(allowed.stdout, "3\n", allowed.stderr);
});

Deno.test("wreg patches the read out and refuses jco output that reads process.env otherwise", () => {
  const glue =
    `const _debugLog = (...args) => {\n    ${JCO_ENV_READ}\n    console.debug(...args);\n  };`;
  const patched = patchJcoGlue(glue);
  assert.doesNotMatch(patched, /process/);
  assert.match(patched, /return;/);
  for (const other of ["if (process.env.JCO_TRACE) {}", "const d = globalThis.process?.env?.X;"]) {
    assert.throws(() => patchJcoGlue(glue + other), (e: BindingsError) => {
      assert.ok(e instanceof BindingsError);
      assert.equal(e.code, "jco-output-changed");
      return true;
    });
  }
});

Deno.test("bindings on the jco path run without --allow-env and contain no process.env read", async () => {
  const { bytes } = await callsComponent();
  const b = await generateBindings(bytes, { name: "calls", glue: "jco" });
  for (const f of b.files) {
    if (f.path.endsWith(".js")) {
      assert.doesNotMatch(String(f.contents), /process\s*\??\.\s*env/, f.path);
    }
  }
  await using project = await tempProject({
    imports: { calls: "./generated/mod.ts" },
    files: {
      "main.ts": `import { add, echo } from "calls";\nconsole.log(add(40, 2), echo("ok"));\n`,
    },
  });
  await writeFiles(`${project.dir}/generated`, b.files);
  const run = await project.deno(["run", "--no-prompt", "main.ts"]);
  assert.equal(run.stdout, "42 ok\n", run.stderr);
});

// 2. Deno does not pick up jco's .d.ts files.

Deno.test("still true: jco's .d.ts import each other as .js, which deno check cannot resolve", async () => {
  const { bytes } = await example("scrubber-c");
  const { files, list } = await jcoFiles(bytes, "sync");
  const dts = decoder.decode(files["component.d.ts"]);
  assert.match(dts, /from '\.\/interfaces\/docs-processor-logger\.js'/);
  await using project = await tempProject({
    imports: {},
    files: {
      "main.ts":
        `// @ts-types="./jco/component.d.ts"\nimport { instantiate } from "./jco/component.js";\nexport { instantiate };\n`,
    },
  });
  await writeFiles(`${project.dir}/jco`, list);
  const check = await project.deno(["check", "main.ts"]);
  assert.notEqual(check.code, 0);
  assert.match(check.stderr, /TS2307.*Cannot find module.*interfaces\/docs-processor-logger\.js/);
});

Deno.test("wreg's entry is TypeScript with its own declarations and no jco .d.ts", async () => {
  const { bytes } = await example("scrubber-c");
  for (const glue of ["lean", "jco"] as const) {
    const b = await generateBindings(bytes, { name: "docs:scrubber", glue });
    const paths = b.files.map((f) => f.path);
    assert.deepEqual(paths.filter((p) => p.endsWith(".d.ts")), ["_glue.d.ts"], glue);
    const entry = String(b.files.find((f) => f.path === "mod.ts")!.contents);
    assert.match(entry, /^\/\/ @ts-types="\.\/_glue\.d\.ts"$/m);
    assert.match(entry, /export interface Imports \{/);
    // (tests/bindings_deno_test.ts runs deno check on it: wrong argument types are errors.)
  }
});

// 3. preview2-shim starts with no filesystem preopens.

const FS_WIT = `package t:fs;

world w {
  import wasi:filesystem/preopens@0.2.0;
  export count: func() -> u32;
  export first: func() -> string;
}

package wasi:filesystem@0.2.0 {
  interface types {
    resource descriptor;
  }
  interface preopens {
    use types.{descriptor};
    get-directories: func() -> list<tuple<descriptor, string>>;
  }
}
`;
const FS_WAT = `(module
  (import "wasi:filesystem/preopens@0.2.0" "get-directories" (func $dirs (param i32)))
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $bump (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "count") (result i32)
    (call $dirs (i32.const 16))
    (i32.load (i32.const 20)))
  (func (export "first") (result i32)
    (local $list i32)
    (call $dirs (i32.const 16))
    (local.set $list (i32.load (i32.const 16)))
    (i32.store (i32.const 8) (i32.load offset=4 (local.get $list)))
    (i32.store (i32.const 12) (i32.load offset=8 (local.get $list)))
    (i32.const 8))
)`;

Deno.test("still true: preview2-shim starts with no preopens in a new process", async () => {
  await using project = await tempProject({
    imports: {},
    npm: { [PREVIEW2_SHIM]: PREVIEW2_SHIM_VERSION },
    files: {
      "main.js":
        `import { _getPreopens } from "${PREVIEW2_SHIM}/filesystem";\nconsole.log(_getPreopens().length);\n`,
    },
  });
  const run = await project.deno(["run", "-A", "main.js"]);
  assert.equal(run.stdout, "0\n", run.stderr);
});

Deno.test("generating jco bindings needs no preopens: wreg hands jco bytes, never paths", async () => {
  // A new process that never calls _setPreopens: transpiling must not touch the shim's filesystem.
  const bytes = await watComponent(FS_WIT, FS_WAT);
  const script = `import { generateBindings } from "${REPO}/lib/bindings/mod.ts";
const b = await generateBindings(Uint8Array.fromBase64(Deno.args[0]), { name: "t:fs", glue: "jco" });
console.log(b.glue, b.files.some((f) => f.path === "_jco/component.js"));
`;
  await using project = await tempProject({ imports: {}, files: { "gen.ts": script } });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${REPO}/deno.json`, "gen.ts", bytes.toBase64()],
    cwd: project.dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(decoder.decode(out.stdout), "jco true\n", decoder.decode(out.stderr));
});

Deno.test("a component that imports wasi:filesystem sees no directories until setPreopens", async () => {
  const bytes = await watComponent(FS_WIT, FS_WAT);
  const b = await generateBindings(bytes, { name: "t:fs", glue: "jco" });
  assert.equal(b.glue, "jco");
  await using project = await tempProject({
    imports: { "t:fs": "./generated/mod.ts" },
    npm: b.npm,
    files: {
      "main.ts": `import { count, first, setPreopens } from "t:fs";
console.log(count());
setPreopens({ "/data": new URL("./data", import.meta.url).pathname });
console.log(count(), first());
`,
    },
  });
  await Deno.mkdir(`${project.dir}/data`);
  await writeFiles(`${project.dir}/generated`, b.files);
  assert.equal((await project.deno(["check", "main.ts"])).code, 0);
  const run = await project.deno(["run", "--no-prompt", ...b.permissions, "main.ts"]);
  assert.equal(run.stdout, "0\n1 /data\n", run.stderr);
});

// 4. Imports keyed without their version in jco's glue, with it in jco's .d.ts.

Deno.test("still true: jco's glue reads the import without its version, its .d.ts with it", async () => {
  const { bytes } = await example("scrubber-c");
  const { files, imports, list } = await jcoFiles(bytes, "sync");
  assert.deepEqual(imports, ["docs:processor/logger"]);
  assert.match(decoder.decode(files["component.d.ts"]), /'docs:processor\/logger@0\.1\.0': typeof/);
  const js = decoder.decode(files["component.js"]);
  assert.match(js, /imports\['docs:processor\/logger'\]/);
  // Passing the import the way the .d.ts says does not work.
  await using project = await tempProject({
    imports: {},
    files: {
      "main.js": `import { instantiate } from "./jco/component.js";
const load = (p) => new WebAssembly.Module(Deno.readFileSync(new URL("./jco/" + p, import.meta.url)));
for (const key of ["docs:processor/logger@0.1.0", "docs:processor/logger"]) {
  try {
    instantiate(load, { [key]: { log() {} } });
    console.log(key, "accepted");
  } catch {
    console.log(key, "refused");
  }
}
`,
    },
  });
  await writeFiles(`${project.dir}/jco`, list);
  const run = await project.deno(["run", "-A", "main.js"]);
  assert.equal(
    run.stdout,
    "docs:processor/logger@0.1.0 refused\ndocs:processor/logger accepted\n",
    run.stderr,
  );
});

Deno.test("wreg's jco wrapper passes each import under the name jco reads and the full name", async () => {
  const { bytes } = await example("scrubber-c");
  const b = await generateBindings(bytes, { name: "docs:scrubber", glue: "jco" });
  const glue = String(b.files.find((f) => f.path === "_glue.js")!.contents);
  assert.match(glue, /"docs:processor\/logger": user0,/);
  assert.match(glue, /"docs:processor\/logger@0\.1\.0": user0,/);
  // And the user passes it by its short key (run end to end in tests/bindings_deno_test.ts).
  assert.deepEqual(b.imports, [{ name: "docs:processor/logger@0.1.0", key: "logger" }]);
});
