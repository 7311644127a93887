/**
 * The component-model spec tests (WebAssembly/component-model `test/binary` and
 * `test/validation`): every component a script declares valid must validate, and every
 * `assert_invalid`/`assert_malformed` component must be refused with a ComponentDecodeError;
 * the few a later change of the specification forbids are refused by the rule that says so.
 * Binary forms are taken as written; text forms are turned into binary by jco's WAT parser.
 */
import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { ComponentDecodeError, validateComponent } from "../lib/component/mod.ts";
import { CORPUS } from "./component_support.ts";
import { readWast, type WastCase } from "./component_wast.ts";

const DIR = `${CORPUS}component-model/test`;

/**
 * Cases wreg leaves out, by `file:line`, each with the reason. All need core WebAssembly type
 * information (function signatures, global and table types, function bodies) of core modules,
 * which the decoder deliberately does not parse: it reads core modules only as far as their
 * imports, exports and limits.
 */
const CORE_TYPES = "needs the core types of functions/globals/tables defined in core modules";
const LEFT_OUT: Record<string, string> = {
  "validation/abi.wast:200": `realloc signature: ${CORE_TYPES}`,
  "validation/abi.wast:214": `post-return signature: ${CORE_TYPES}`,
  "validation/abi.wast:250": `lifted core function signature: ${CORE_TYPES}`,
  "validation/abi.wast:257": `lifted core function signature: ${CORE_TYPES}`,
  "validation/core-modules.wast:24":
    "validation of core function bodies (core WebAssembly, not the component layer)",
  "validation/instantiation.wast:356": `core instantiation argument signature: ${CORE_TYPES}`,
  "validation/instantiation.wast:364": `core instantiation argument signature: ${CORE_TYPES}`,
  "validation/instantiation.wast:372": `core instantiation argument signature: ${CORE_TYPES}`,
  "validation/instantiation.wast:381":
    `core global type of an instantiation argument: ${CORE_TYPES}`,
  "validation/instantiation.wast:389":
    `core table type of an instantiation argument: ${CORE_TYPES}`,
  "validation/instantiation.wast:397":
    `core table limits of an instantiation argument: ${CORE_TYPES}`,
  "validation/instantiation.wast:405":
    `core table limits of an instantiation argument: ${CORE_TYPES}`,
  "validation/instantiation.wast:413":
    `core table limits of an instantiation argument: ${CORE_TYPES}`,
  "validation/instantiation.wast:421":
    `core memory sharing of an instantiation argument: ${CORE_TYPES}`,
  "validation/instantiation.wast:429":
    `core memory limits of an instantiation argument: ${CORE_TYPES}`,
  "validation/resources.wast:750": `destructor signature: ${CORE_TYPES}`,
};

/**
 * Cases the corpus's copy of the spec scripts (component-model at 6d281648) declares valid but a
 * later change of the specification forbids, by `file:line`, with the rule of SPEC_RULES that
 * refuses them now (and native wasm-tools with it).
 */
const SUPERSEDED: Record<string, string> = {
  // `waitable-set.poll cancellable`: component-model#716 requires the immediate to be 0.
  "binary/binary.wast:974": "cancellable-immediate",
};

async function bytesOf(c: WastCase): Promise<Uint8Array | undefined> {
  if ("binary" in c.module) return c.module.binary;
  try {
    return await parse(c.module.text);
  } catch {
    return undefined;
  }
}

function accepts(bytes: Uint8Array): { ok: true } | { ok: false; error: unknown } {
  try {
    validateComponent(bytes);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

const totals = { cases: 0, agree: 0, leftOut: 0, textOnly: 0, superseded: 0 };

for (const sub of ["binary", "validation"]) {
  const files = [...Deno.readDirSync(`${DIR}/${sub}`)].map((e) => e.name).filter((n) =>
    n.endsWith(".wast")
  ).sort();
  for (const file of files) {
    Deno.test(`the spec script ${sub}/${file} and wreg agree on accept and reject`, async (t) => {
      for (const c of readWast(Deno.readTextFileSync(`${DIR}/${sub}/${file}`))) {
        const key = `${sub}/${file}:${c.line}`;
        await t.step(
          `line ${c.line}: ${c.expect}${c.message ? ` (${c.message})` : ""}`,
          async () => {
            totals.cases++;
            const bytes = await bytesOf(c);
            if (bytes === undefined) {
              // Malformed in the text format: the WAT parser refuses it, there is no binary.
              assert.equal(c.expect, "malformed", "a valid text component failed to parse");
              totals.textOnly++;
              return;
            }
            const got = accepts(bytes);
            if (SUPERSEDED[key]) {
              assert.ok(!got.ok, `${key} is listed as superseded but is accepted`);
              assert.ok(got.error instanceof ComponentDecodeError, String(got.error));
              assert.equal(got.error.code, "spec-rule");
              assert.equal(got.error.rule, SUPERSEDED[key]);
              totals.superseded++;
              return;
            }
            if (LEFT_OUT[key]) {
              assert.ok(got.ok, `${key} is listed as left out but is now refused: update LEFT_OUT`);
              totals.leftOut++;
              return;
            }
            if (c.expect === "valid") {
              assert.ok(got.ok, `refused a valid component: ${got.ok ? "" : String(got.error)}`);
            } else {
              assert.ok(!got.ok, `accepted an ${c.expect} component (expected: ${c.message})`);
              assert.ok(got.error instanceof ComponentDecodeError, String(got.error));
            }
            totals.agree++;
          },
        );
      }
    });
  }
}

Deno.test("the spec tests cover hundreds of cases and leave out only the listed ones", () => {
  console.log(
    `component-model spec: ${totals.cases} cases, ${totals.agree} agree, ` +
      `${totals.leftOut} left out, ${totals.textOnly} malformed only as text, ` +
      `${totals.superseded} superseded by a later rule`,
  );
  assert.ok(totals.cases > 500, `only ${totals.cases} cases ran`);
  assert.equal(totals.leftOut, Object.keys(LEFT_OUT).length);
  assert.equal(totals.superseded, Object.keys(SUPERSEDED).length);
  assert.equal(
    totals.agree + totals.leftOut + totals.textOnly + totals.superseded,
    totals.cases,
  );
});
