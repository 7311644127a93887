/**
 * Golden tests of `wreg wit`: stdout, stderr and exit code of a few runs, compared with the files
 * in tests/golden/wit/. Refresh them with `WREG_UPDATE_GOLDEN=1 deno test -A
 * tests/wit_cli_golden_test.ts` and review the diff.
 *
 * The command runs in-process with the corpus as its working folder, so paths in the output are
 * stable.
 */
import assert from "node:assert/strict";
import { type Io, runWreg } from "../cli/mod.ts";
import { CORPUS } from "./wit_support.ts";

const GOLDEN = new URL("./golden/wit/", import.meta.url).pathname;
const UPDATE = Deno.env.get("WREG_UPDATE_GOLDEN") === "1";
const UI = "wasm-tools/crates/wit-parser/tests/ui";

/** Case name → arguments after `wreg`. */
const CASES: Record<string, string[]> = {
  "help": ["wit", "--help"],
  "keyvalue-folder-with-deps": ["wit", "wasi-keyvalue/v0.2.0-draft/wit"],
  "binary-deps": ["wit", `${UI}/kinds-of-deps`],
  "json-single-file": ["wit", "--json", `${UI}/world-top-level-funcs.wit`],
  "features-off": ["wit", `${UI}/feature-gates.wit`],
  "features-listed": ["wit", "--features", "active,not-active", `${UI}/feature-gates.wit`],
  "all-features": ["wit", "--all-features", `${UI}/since-and-unstable.wit`],
  "error-syntax": ["wit", `${UI}/parse-fail/bad-list2.wit`],
  "error-missing-package": ["wit", `${UI}/parse-fail/bad-pkg6`],
  "error-duplicate-package": ["wit", `${UI}/parse-fail/multi-package-deps-share-nest`],
  "error-no-path": ["wit"],
  "error-missing-file": ["wit", "no/such/file.wit"],
};

function captureIo(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      cwd: CORPUS.replace(/\/$/, ""),
      env: {},
      isTerminal: false,
    },
    out,
    err,
  };
}

for (const [name, args] of Object.entries(CASES)) {
  Deno.test(`wreg ${args.join(" ")} prints what tests/golden/wit/${name}.txt holds`, async () => {
    const { io, out, err } = captureIo();
    const code = await runWreg(args, io);
    const actual = `$ wreg ${args.join(" ")}\nexit: ${code}\n--- stdout\n${out.join("")}` +
      `--- stderr\n${err.join("")}`;
    const file = `${GOLDEN}${name}.txt`;
    if (UPDATE) {
      await Deno.mkdir(GOLDEN, { recursive: true });
      await Deno.writeTextFile(file, actual);
      return;
    }
    const expected = await Deno.readTextFile(file);
    assert.equal(actual, expected, `golden ${name}.txt differs; refresh with WREG_UPDATE_GOLDEN=1`);
  });
}
