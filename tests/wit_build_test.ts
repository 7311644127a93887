import assert from "node:assert/strict";
import { runWreg } from "../cli/mod.ts";
import { decodeComponent } from "../lib/component/mod.ts";
import { canonicalPackage, parseWit } from "../lib/wit/mod.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

const PROCESSOR = new URL("../examples/processor/wit/processor.wit", import.meta.url).pathname;

function capture(cwd: string) {
  let stdout = "", stderr = "";
  return {
    io: {
      stdout: (t: string) => void (stdout += t),
      stderr: (t: string) => void (stderr += t),
      cwd,
      env: {},
      isTerminal: false,
    },
    out: () => ({ stdout, stderr }),
  };
}

Deno.test("wreg wit build encodes a WIT folder that decodes back to the same package", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { io, out } = capture(dir);
    const code = await runWreg(
      [
        "wit",
        "build",
        new URL("../examples/processor/wit", import.meta.url).pathname,
        "-o",
        "p.wasm",
      ],
      io,
    );
    assert.equal(code, 0, out().stderr);
    assert.match(out().stderr, /WIT package docs:processor@0\.1\.0/);
    const bytes = await Deno.readFile(`${dir}/p.wasm`);
    const decoded = decodeComponent(bytes);
    assert.equal(decoded.kind, "wit-package");
    const text = parseWit(await Deno.readTextFile(PROCESSOR));
    assert.deepEqual(
      canonicalPackage(decoded.resolve!, decoded.package!, { docs: true }),
      canonicalPackage(text.resolve, text.package, { docs: true }),
    );
    // The independent decoder agrees: wasm-tools prints the same package back.
    const printed = await runWasmTools(["component", "wit", `${dir}/p.wasm`]);
    assert.match(printed.stdout, /package docs:processor@0\.1\.0;/);
    assert.match(printed.stdout, /export scrub-pii: func\(text: string\) -> string;/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wreg wit build refuses a missing output path and leaves nothing behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { io, out } = capture(dir);
    assert.equal(await runWreg(["wit", "build", PROCESSOR], io), 2);
    assert.match(out().stderr, /Usage: wreg wit build/);
    const bad = capture(dir);
    await Deno.writeTextFile(`${dir}/bad.wit`, "package a:b;\ninterface i { f: func(x: nope); }\n");
    assert.equal(await runWreg(["wit", "build", "bad.wit", "-o", "out.wasm"], bad.io), 2);
    assert.match(bad.out().stderr, /nope/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["bad.wit"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
