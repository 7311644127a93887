/**
 * `wreg inspect`, run in-process on corpus binaries; stdout, stderr and the exit code are compared
 * with golden files in tests/golden/inspect/. Refresh them with `WREG_UPDATE_GOLDEN=1 deno test -A
 * tests/component_inspect_test.ts` and review the diff.
 */
import assert from "node:assert/strict";
import { type Io, runWreg } from "../cli/mod.ts";
import { CORPUS } from "./component_support.ts";

const GOLDEN = new URL("./golden/inspect/", import.meta.url).pathname;
const UPDATE = Deno.env.get("WREG_UPDATE_GOLDEN") === "1";

async function run(args: string[]): Promise<string> {
  let stdout = "", stderr = "";
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: CORPUS.replace(/\/$/, ""),
    env: {},
    isTerminal: false,
  };
  const code = await runWreg(["inspect", ...args], io);
  const text = `$ wreg inspect ${
    args.join(" ")
  }\n[exit ${code}]\n--- stdout\n${stdout}--- stderr\n${stderr}`;
  // Absolute paths differ between machines.
  return text.replaceAll(CORPUS, "<corpus>/");
}

async function golden(name: string, args: string[]): Promise<void> {
  const got = await run(args);
  const path = `${GOLDEN}${name}.txt`;
  if (UPDATE) Deno.writeTextFileSync(path, got);
  assert.equal(got, Deno.readTextFileSync(path));
}

const CASES: [string, string[]][] = [
  ["component", ["jco/examples/transpile/adder/adder.wasm"]],
  ["component-json", ["--json", "jco/examples/transpile/adder/adder.wasm"]],
  ["component-functions", ["wac/examples/deps/example/greeter.wasm"]],
  ["wit-package", ["spin/crates/compose/deny-all/wit/deps/wasi/clocks.wasm"]],
  ["wit-package-json", [
    "--json",
    "wasm-tools/crates/wit-parser/tests/ui/kinds-of-deps/deps/e.wasm",
  ]],
  ["module", ["jco/packages/jco/test/fixtures/modules/exitcode.wasm"]],
  ["not-wasm", ["wac/crates/wac-parser/tests/resolution/fail/package-not-wasm/foo/bar.wasm"]],
  ["unknown-version", [
    "wasm-tools/crates/wasm-compose/tests/compositions/component-incorrect-version/a.wasm",
  ]],
  ["invalid-component", [
    "wac/crates/wac-parser/tests/resolution/fail/package-invalid-wasm/foo/bar.wasm",
  ]],
  ["missing-file", ["no/such/file.wasm"]],
  ["no-arguments", []],
];

for (const [name, args] of CASES) {
  Deno.test(`wreg inspect prints what the golden file ${name}.txt shows`, () => golden(name, args));
}

Deno.test("wreg inspect --json gives kind, digest, size, imports and exports", async () => {
  let out = "";
  const io: Io = {
    stdout: (t) => void (out += t),
    stderr: () => {},
    cwd: CORPUS,
    env: {},
    isTerminal: false,
  };
  const code = await runWreg([
    "inspect",
    "--json",
    `${CORPUS}wac/examples/deps/example/greeter.wasm`,
  ], io);
  assert.equal(code, 0);
  const j = JSON.parse(out);
  assert.equal(j.kind, "component");
  assert.match(j.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(j.size, Deno.statSync(`${CORPUS}wac/examples/deps/example/greeter.wasm`).size);
  assert.deepEqual(j.imports, ["hello"]);
  assert.deepEqual(j.exports, ["greet"]);
});

Deno.test("wreg inspect exits 2 with one line and no stack trace on bad input", async () => {
  const out = await run([
    "wac/crates/wac-parser/tests/resolution/fail/package-invalid-wasm/foo/bar.wasm",
  ]);
  assert.match(out, /\[exit 2\]/);
  const stderr = out.split("--- stderr\n")[1];
  assert.equal(stderr.trim().split("\n").length, 1);
  assert.match(
    stderr,
    /^error: Cannot decode ".*": unknown type 0: type index out of bounds \(at offset 0xb\)\n$/,
  );
});

Deno.test("wreg inspect shows a valid component that WIT cannot describe, saying why", async () => {
  const { parse } = await import("@bytecodealliance/jco-transpile/wasm-tools");
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(
      `${dir}/t.wasm`,
      await parse(`(component (type $t u8) (export "t" (type $t)))`),
    );
    let out = "";
    const io: Io = {
      stdout: (t) => void (out += t),
      stderr: () => {},
      cwd: dir,
      env: {},
      isTerminal: false,
    };
    assert.equal(await runWreg(["inspect", "t.wasm"], io), 0);
    assert.match(
      out,
      /^world: {4}not expressible in WIT: component export `t` was not a function or instance$/m,
    );
    assert.match(out, /^ {2}t {2}type$/m);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("wreg inspect of a component with 200,000 exports exits 2 with a limit error, not 70 (issue 17 #16)", async () => {
  const { ByteWriter } = await import("../lib/component/mod.ts");
  const n = 200_000;
  const label = (i: number) => `e${i.toString(26).replace(/[0-9]/g, (d) => "qrstuvwxyz"[+d])}`;
  const exports = new ByteWriter(n * 10).u32(n);
  for (let i = 0; i < n; i++) exports.u8(0x00).name(label(i)).u8(0x03).u32(0).u8(0x00);
  const w = new ByteWriter().bytes(
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]),
  );
  w.section(7, new ByteWriter().u32(1).u8(0x7f).finish());
  w.section(11, exports.finish());
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/many.wasm`, w.finish());
    let stderr = "";
    const io: Io = {
      stdout: () => {},
      stderr: (t) => void (stderr += t),
      cwd: dir,
      env: {},
      isTerminal: false,
    };
    assert.equal(await runWreg(["inspect", "many.wasm"], io), 2, stderr);
    assert.match(stderr, /^error: Cannot decode ".*": more than the limit of 100000 exports/);
    assert.equal(stderr.trim().split("\n").length, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
