/**
 * wasm-tools' own wit-parser test suite, read in place from the corpus: every UI case must resolve
 * to the JSON of its `.wit.json` (key order aside), and every `parse-fail` case must be rejected
 * with a located error — the same rendering as its `.wit.result` wherever wit-parser gives one.
 *
 * Cases run the way wit-parser's runner runs them: `Resolve::push_path` on the file or folder,
 * with the feature `active` enabled.
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { readWitSources } from "../cli/mod.ts";
import { resolveWit, WitError, witToJson } from "../lib/wit/mod.ts";
import { READ_OPTIONS, sortedEntries, UI } from "./wit_support.ts";

/**
 * UI cases not run, with the reason. Empty: the two cases with binary inputs (`kinds-of-deps`
 * with a `.wasm` and a `.wat` dependency, `simple-wasm-text.wat`) run through lib/component's
 * decoder and jco's WAT parser, as the CLI does.
 */
const LEFT_OUT: Record<string, string> = {};

/**
 * Parse-fail cases whose rendering deliberately differs from the `.wit.result`: wit-parser has no
 * location for "no package header"; wreg points at the start of the package's first file.
 */
const LOCATED_WHERE_WIT_PARSER_IS_NOT = new Set([
  "missing-main-declaration-initial-main.wit",
  "missing-main-declaration-initial-nested.wit",
]);

/** Strips the folder-reading context wit-parser's CLI puts before a rendered error. */
function withoutContext(result: string): string {
  return result.trim()
    .replace(/^failed to resolve directory while parsing WIT for path \[[^\]]*\]: /, "")
    .replace(/^failed to parse dependency directory: [^:]*: /, "")
    .replace(/^failed to parse package: [^:]*: /, "");
}

Deno.test("every wit-parser UI case resolves to the JSON of its .wit.json", async () => {
  const failures: string[] = [];
  let total = 0, agree = 0;
  for (const entry of sortedEntries(UI)) {
    if (entry.name === "parse-fail" || entry.name.endsWith(".json")) continue;
    if (entry.name in LEFT_OUT) continue;
    total++;
    const base = entry.name.replace(/\.(wit|wat)$/, "");
    const expected = JSON.parse(await Deno.readTextFile(`${UI}/${base}.wit.json`));
    try {
      const sources = await readWitSources(`${UI}/${entry.name}`, READ_OPTIONS);
      const { resolve } = resolveWit(sources, { features: ["active"] });
      const actual = JSON.parse(JSON.stringify(witToJson(resolve)));
      if (isDeepStrictEqual(actual, expected)) agree++;
      else failures.push(`${entry.name}: JSON differs from ${base}.wit.json`);
    } catch (e) {
      failures.push(`${entry.name}: ${e instanceof WitError ? e.rendered : e}`);
    }
  }
  console.log(
    `wit-parser UI suite: ${agree}/${total} cases agree with their .wit.json` +
      ` (${Object.keys(LEFT_OUT).length} left out)`,
  );
  assert.equal(total, 74, "the corpus holds 74 UI cases; is it in place?");
  assert.deepEqual(failures, []);
});

Deno.test("every wit-parser parse-fail case is rejected with a located error", async () => {
  const failures: string[] = [];
  let total = 0, exact = 0, located = 0;
  const dir = `${UI}/parse-fail`;
  for (const entry of sortedEntries(dir)) {
    if (entry.name.endsWith(".result")) continue;
    total++;
    const base = entry.name.replace(/\.wit$/, "");
    const expected = withoutContext(await Deno.readTextFile(`${dir}/${base}.wit.result`));
    let error: unknown;
    try {
      resolveWit(await readWitSources(`${dir}/${entry.name}`, READ_OPTIONS), {
        features: ["active"],
      });
    } catch (e) {
      error = e;
    }
    if (!(error instanceof WitError)) {
      failures.push(`${entry.name}: ${error === undefined ? "accepted" : `threw ${error}`}`);
      continue;
    }
    if (error.location) located++;
    else failures.push(`${entry.name}: error has no location: ${error.message}`);
    const rendered = error.rendered.replaceAll(dir, "tests/ui/parse-fail").trim();
    if (LOCATED_WHERE_WIT_PARSER_IS_NOT.has(entry.name)) {
      if (!rendered.startsWith(`${expected}\n     --> tests/ui/parse-fail/${entry.name}:1:1`)) {
        failures.push(`${entry.name}: expected\n${expected}\nwith a location, got\n${rendered}`);
      }
    } else if (rendered === expected) {
      exact++;
    } else {
      failures.push(`${entry.name}: expected\n${expected}\ngot\n${rendered}`);
    }
  }
  console.log(
    `wit-parser parse-fail suite: ${total} rejected, ${located} with a location, ` +
      `${exact} rendered exactly as the .wit.result` +
      ` (${LOCATED_WHERE_WIT_PARSER_IS_NOT.size} located where wit-parser is not)`,
  );
  assert.equal(total, 101, "the corpus holds 101 parse-fail cases; is it in place?");
  assert.deepEqual(failures, []);
});
