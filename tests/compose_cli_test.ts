/**
 * `wreg plug` and `wreg compose`, run in-process: they write a component that wasmtime runs,
 * print what they filled, and exit non-zero with one line of explanation when inputs do not fit
 * or a locked component is missing.
 */
import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { type Io, runWreg } from "../cli/mod.ts";
import { decodeComposedFrom } from "../lib/compose/mod.ts";
import { digestOf } from "../lib/names/mod.ts";
import { callComponent, runComponent } from "./support/wasmtime.ts";
import { exampleWasm } from "./support/examples.ts";

function captureIo(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [], err: string[] = [];
  const io: Io = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    cwd,
    env,
    isTerminal: false,
  };
  return { io, out, err };
}

const leaf = (name: string, value: number, param = "") =>
  parse(`(component
    (core module $m (func (export "get") ${
    param ? "(param i64)" : ""
  } (result i32) i32.const ${value}))
    (core instance $i (instantiate $m))
    (func $get ${
    param ? `(param "x" ${param})` : ""
  } (result u32) (canon lift (core func $i "get")))
    (instance $inst (export "get" (func $get)))
    (export "${name}" (instance $inst)))`);

const middle = (name: string, from: string, add: number) =>
  parse(`(component
    (import "${from}" (instance $b (export "get" (func (result u32)))))
    (alias export $b "get" (func $bget))
    (core func $low (canon lower (func $bget)))
    (core instance $bi (export "get" (func $low)))
    (core module $m (import "b" "get" (func $g (result i32)))
      (func (export "get") (result i32) call $g i32.const ${add} i32.add))
    (core instance $i (instantiate $m (with "b" (instance $bi))))
    (func $get (result u32) (canon lift (core func $i "get")))
    (instance $inst (export "get" (func $get)))
    (export "${name}" (instance $inst)))`);

const socket = (from: string) =>
  parse(`(component
    (import "${from}" (instance $a (export "get" (func (result u32)))))
    (alias export $a "get" (func $aget))
    (core func $low (canon lower (func $aget)))
    (core instance $ai (export "get" (func $low)))
    (core module $m (import "a" "get" (func $g (result i32)))
      (func (export "run") (result i32) call $g))
    (core instance $i (instantiate $m (with "a" (instance $ai))))
    (func $run (result u32) (canon lift (core func $i "run")))
    (export "run" (func $run)))`);

async function inTempDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-compose-cli-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("wreg plug composes a chain, prints what it filled and writes a component that runs", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.wasm`, await socket("test:c/a"));
    await Deno.writeFile(`${dir}/a.wasm`, await middle("test:c/a", "test:c/b", 2));
    await Deno.writeFile(`${dir}/b.wasm`, await leaf("test:c/b", 40));
    const { io, out, err } = captureIo(dir);
    const code = await runWreg(
      ["plug", "s.wasm", "--plug", "b.wasm", "--plug", "a.wasm", "-o", "out.wasm"],
      io,
    );
    assert.equal(code, 0, err.join(""));
    const bytes = await Deno.readFile(`${dir}/out.wasm`);
    assert.deepEqual(out.join("").split("\n"), [
      "filled test:c/a of s.wasm with a.wasm",
      "filled test:c/b of a.wasm with b.wasm",
      "imports: none",
      "exports: run",
      `wrote out.wasm: ${bytes.length} bytes, ${await digestOf(bytes)}`,
      "",
    ]);
    assert.equal((await callComponent(bytes, "run")).result, 42);
  });
});

Deno.test("wreg plug refuses a plug that does not fit, naming import, function, expected and found", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.wasm`, await socket("test:c/a"));
    await Deno.writeFile(`${dir}/bad.wasm`, await leaf("test:c/a", 1, "s64"));
    const { io, out, err } = captureIo(dir);
    const code = await runWreg(["plug", "s.wasm", "--plug", "bad.wasm", "-o", "out.wasm"], io);
    assert.equal(code, 2);
    assert.deepEqual(out, []);
    assert.equal(
      err.join(""),
      "error: Cannot compose: export `test:c/a` of the instance of bad.wasm cannot fill import " +
        "`test:c/a` of s.wasm: test:c/a.get.x: expected nothing, found x: s64 (parameter " +
        "added; function types must be equal)\n",
    );
    await assert.rejects(() => Deno.stat(`${dir}/out.wasm`), Deno.errors.NotFound);
  });
});

Deno.test("wreg plug of a plug one major version off names the import, the export and why", async () => {
  // Issue 17, item 20: before, "Cannot compose: new.wasm fills no import of s.wasm" and no why.
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.wasm`, await socket("test:c/a@1.0.0"));
    await Deno.writeFile(`${dir}/new.wasm`, await leaf("test:c/a@2.0.0", 1));
    const { io, out, err } = captureIo(dir);
    const code = await runWreg(["plug", "s.wasm", "--plug", "new.wasm", "-o", "out.wasm"], io);
    assert.equal(code, 2);
    assert.deepEqual(out, []);
    assert.equal(
      err.join(""),
      "error: Cannot compose: new.wasm fills no import of s.wasm: its export `test:c/a@2.0.0` " +
        "nearly matches import `test:c/a@1.0.0` of s.wasm, but 2.0.0 is another major version " +
        "than 1.0.0\n",
    );
    await assert.rejects(() => Deno.stat(`${dir}/out.wasm`), Deno.errors.NotFound);
  });
});

Deno.test("wreg plug --json prints a JSON error object on stdout when it fails", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.wasm`, await socket("test:c/a"));
    await Deno.writeFile(`${dir}/bad.wasm`, await leaf("test:c/a", 1, "s64"));
    const mismatch = captureIo(dir);
    const args = ["plug", "s.wasm", "--plug", "bad.wasm", "-o", "out.wasm", "--json"];
    assert.equal(await runWreg(args, mismatch.io), 2);
    const report = JSON.parse(mismatch.out.join(""));
    assert.equal(report.error.code, "type-mismatch");
    assert.equal(report.error.exitCode, 2);
    assert.equal(`error: ${report.error.message}\n`, mismatch.err.join(""));
    assert.deepEqual(report.error.details, {
      path: "test:c/a.get.x",
      expected: "nothing",
      found: "x: s64",
      reason: "Type mismatch at test:c/a.get.x: parameter added (function types must be equal)",
    });
    await assert.rejects(() => Deno.stat(`${dir}/out.wasm`), Deno.errors.NotFound);

    const missing = captureIo(dir);
    const code = await runWreg(
      ["plug", "s.wasm", "--plug", "nope.wasm", "-o", "o.wasm", "--json"],
      missing.io,
    );
    assert.equal(code, 2);
    const r2 = JSON.parse(missing.out.join(""));
    assert.equal(r2.error.code, "cannot-read");
    assert.match(r2.error.message, /nope\.wasm/);

    const usage = captureIo(dir);
    assert.equal(await runWreg(["plug", "s.wasm", "--json"], usage.io), 2);
    assert.deepEqual(JSON.parse(usage.out.join("")).error, {
      code: "usage",
      message: "Give at least one --plug <plug.wasm>",
      exitCode: 2,
    });
  });
});

Deno.test("wreg plug --fill chooses between plugs exporting the same interface", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.wasm`, await socket("test:c/a@1.0.0"));
    await Deno.writeFile(`${dir}/one.wasm`, await leaf("test:c/a@1.0.0", 1));
    await Deno.writeFile(`${dir}/two.wasm`, await leaf("test:c/a@1.1.0", 2));
    const args = ["plug", "s.wasm", "--plug", "one.wasm", "--plug", "two.wasm", "-o", "o.wasm"];
    const ambiguous = captureIo(dir);
    assert.equal(await runWreg(args, ambiguous.io), 2);
    assert.match(ambiguous.err.join(""), /one\.wasm .* and two\.wasm .*: choose one/);
    const chosen = captureIo(dir);
    const code = await runWreg(
      [...args, "--fill", "test:c/a=two.wasm", "--allow-unused", "--json"],
      chosen.io,
    );
    assert.equal(code, 0, chosen.err.join(""));
    const report = JSON.parse(chosen.out.join(""));
    assert.deepEqual(report.fills, [{
      consumer: "s.wasm",
      import: "test:c/a@1.0.0",
      plug: "two.wasm",
      export: "test:c/a@1.1.0",
    }]);
    assert.deepEqual(report.unused, ["one.wasm"]);
    assert.equal(
      (await callComponent(await Deno.readFile(`${dir}/o.wasm`), "run")).result,
      2,
    );
  });
});

/** A project: wreg.json, wreg.lock and a blob folder holding the locked components. */
async function project(
  dir: string,
  root: Uint8Array,
  deps: Record<string, Uint8Array>,
  fills: Record<string, Record<string, string>> = {},
): Promise<void> {
  await Deno.writeFile(`${dir}/app.wasm`, root);
  const packages: Record<string, unknown> = {};
  const digests: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(deps)) {
    const digest = await digestOf(bytes);
    digests[name] = digest;
    const hex = digest.slice("sha256:".length);
    await Deno.mkdir(`${dir}/blobs/sha256/${hex.slice(0, 2)}`, { recursive: true });
    await Deno.writeFile(`${dir}/blobs/sha256/${hex.slice(0, 2)}/${hex}`, bytes);
    packages[name] = {
      version: "1.0.0",
      kind: "component",
      registry: "http://127.0.0.1:8080",
      digest,
      requirements: { "wreg.json": "^1.0.0" },
      dependencies: {},
    };
  }
  const lockFills: Record<string, unknown> = {};
  for (const [component, f] of Object.entries(fills)) {
    lockFills[component] = Object.fromEntries(
      Object.entries(f).map(([iface, pkg]) => [iface, {
        package: pkg,
        version: "1.0.0",
        digest: digests[pkg],
      }]),
    );
  }
  await Deno.writeTextFile(
    `${dir}/wreg.json`,
    JSON.stringify({
      name: "t:app",
      version: "0.1.0",
      kind: "component",
      component: "app.wasm",
      dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, "^1.0.0"])),
    }),
  );
  await Deno.writeTextFile(
    `${dir}/wreg.lock`,
    JSON.stringify({ lockVersion: 1, packages, fills: lockFills }, null, 2),
  );
}

Deno.test("wreg compose links the project with its locked tree, as the lock's fills say", async () => {
  await inTempDir(async (dir) => {
    const a = await middle("test:c/a@1.0.0", "test:c/b@1.0.0", 2);
    const b40 = await leaf("test:c/b@1.0.0", 40), b7 = await leaf("test:c/b@1.0.0", 7);
    await project(dir, await socket("test:c/a@1.0.0"), { "t:a": a, "t:b40": b40, "t:b7": b7 }, {
      "t:a": { "test:c/b@1.0.0": "t:b7" },
    });
    const { io, out, err } = captureIo(dir);
    const code = await runWreg(["compose", "--blobs", "blobs"], io);
    assert.equal(code, 0, err.join(""));
    assert.match(out.join(""), /^filled test:c\/a@1\.0\.0 of t:app with t:a@1\.0\.0\n/);
    assert.match(out.join(""), /filled test:c\/b@1\.0\.0 of t:a@1\.0\.0 with t:b7@1\.0\.0\n/);
    assert.match(out.join(""), /unused: t:b40@1\.0\.0 fills nothing\n/);
    const bytes = await Deno.readFile(`${dir}/app.composed.wasm`);
    assert.equal((await callComponent(bytes, "run")).result, 9);
    const record = decodeComposedFrom(bytes)!;
    assert.deepEqual(
      record.components.map((c) => `${c.package}@${c.version}`),
      ["t:app@0.1.0", "t:a@1.0.0", "t:b7@1.0.0"],
    );
  });
});

Deno.test("wreg compose exits 6 when a locked component is missing or its bytes differ", async () => {
  await inTempDir(async (dir) => {
    const b = await leaf("test:c/a@1.0.0", 1);
    await project(dir, await socket("test:c/a@1.0.0"), { "t:b": b });
    const missing = captureIo(dir);
    assert.equal(await runWreg(["compose"], missing.io), 6);
    assert.match(missing.err.join(""), /^error: Cannot compose: cannot load t:b@1\.0\.0 \(sha256:/);
    const hex = (await digestOf(b)).slice("sha256:".length);
    await Deno.writeFile(`${dir}/blobs/sha256/${hex.slice(0, 2)}/${hex}`, await leaf("x:y/z", 2));
    const wrong = captureIo(dir);
    assert.equal(await runWreg(["compose", "--blobs", "blobs"], wrong.io), 6);
    assert.match(wrong.err.join(""), /the bytes loaded for t:b@1\.0\.0 have digest sha256:/);
  });
});

Deno.test({
  name: "wreg compose: the scrubber project with the JS logger locked runs in wasmtime",
  async fn() {
    await inTempDir(async (dir) => {
      const scrubber = await exampleWasm("scrubber-c");
      const logger = await exampleWasm("logger-js");
      await project(dir, scrubber, { "docs:logger-js": logger });
      const { io, err } = captureIo(dir, { WREG_CACHE: `${dir}/blobs` });
      assert.equal(await runWreg(["compose", "-o", "out.wasm"], io), 0, err.join(""));
      const run = await runComponent(await Deno.readFile(`${dir}/out.wasm`), [{
        export: "scrub-pii",
        args: ["a@b.com"],
      }, {
        export: "process",
        args: ["x", { id: 1, source: "s", priority: 0 }],
      }], { unknownImports: "error" });
      assert.deepEqual(run.results, ["[REDACTED]", "x"]);
      assert.equal(run.stderr, '[info] processed document 1 from "s" (priority 0): 0 redactions\n');
    });
  },
});
