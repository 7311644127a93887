/**
 * Every WIT package of the corpus (wit-parser's UI cases and the WASI trees), parsed by wreg's WIT
 * front end, survives encoding: the binary validates, wreg's decoder and native wasm-tools both
 * decode it to the same package, wasm-tools prints the same WIT for it as for the source, and
 * (where the model carries everything) the bytes equal those of wasm-tools.
 */
import assert from "node:assert/strict";
import { ComponentEncodeError, decodeComponent, encodeWitPackage } from "../lib/component/mod.ts";
import { type ResolvedWit, resolveWit } from "../lib/wit/mod.ts";
import {
  packageForRoundTrip,
  packageKey,
  readWitTree,
  resolveFromWasmToolsJson,
  witCorpusSources,
} from "./component_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

/** Sources left out, with why; each is checked to fail exactly that way. */
const LEFT_OUT: Record<string, { stage: "parse" | "encode"; because: string }> = {
  "ui/gated-include.wit": {
    stage: "parse",
    because: "uses a type gated behind a feature that is not enabled",
  },
  "ui/multi-package-gated-include.wit": {
    stage: "parse",
    because: "includes a world gated behind a feature",
  },
  "ui/multi-file": {
    stage: "encode",
    because: "has an empty record, which the binary format forbids",
  },
  "ui/types.wit": {
    stage: "encode",
    because: "has empty records and flags, which the binary format forbids",
  },
  "ui/union-fuzz-2.wit": { stage: "encode", because: "has an empty record" },
  "ui/use-chain.wit": { stage: "encode", because: "has an empty record" },
};

const decodeWasm = (b: Uint8Array) => decodeComponent(b).resolve;

let tmp: string | undefined;
function tempFile(): string {
  tmp ??= Deno.makeTempDirSync({ prefix: "wreg-component-" });
  return `${tmp}/pkg.wasm`;
}

const cut = (s: string) => {
  const i = s.search(/^package [^;]*\{/m);
  return i < 0 ? s : s.slice(0, i);
};

let counts = { sources: 0, packages: 0, empty: 0, native: 0, sameText: 0, sameBytes: 0 };

Deno.test("every WIT package of the corpus survives encode and decode", async (t) => {
  counts = { sources: 0, packages: 0, empty: 0, native: 0, sameText: 0, sameBytes: 0 };
  for (const src of witCorpusSources()) {
    await t.step(src.name, async () => {
      const left = LEFT_OUT[src.name];
      let parsed: ResolvedWit;
      try {
        parsed = resolveWit(await readWitTree(src.path, decodeWasm));
      } catch (e) {
        assert.equal(left?.stage, "parse", `unexpected parse failure: ${(e as Error).message}`);
        return;
      }
      assert.notEqual(left?.stage, "parse", "expected the front end to refuse this source");
      const r = parsed.resolve;
      counts.sources++;
      for (let id = 0; id < r.packages.length; id++) {
        let bytes: Uint8Array;
        try {
          bytes = encodeWitPackage(r, id);
        } catch (e) {
          assert.ok(e instanceof ComponentEncodeError, String(e));
          assert.equal(e.code, "unsupported");
          assert.equal(left?.stage, "encode", `unexpected refusal: ${e.message}`);
          continue;
        }
        counts.packages++;
        const empty = r.packages[id].interfaces.size + r.packages[id].worlds.size === 0;
        const expected = packageForRoundTrip(r, id);
        const ours = decodeComponent(bytes);
        if (empty) {
          // An empty package encodes as a component without exports, which wit-parser too reads
          // as a component.
          assert.equal(ours.kind, "component");
          counts.empty++;
          continue;
        }
        assert.equal(ours.kind, "wit-package");
        assert.deepEqual(
          packageForRoundTrip(ours.resolve, ours.package!),
          expected,
          packageKey(r, id),
        );
        const path = tempFile();
        Deno.writeFileSync(path, bytes);
        const valid = await runWasmTools(["validate", "--features", "all", path]);
        assert.ok(valid.success, valid.stderr);
        const json = await runWasmTools(["component", "wit", "--json", path]);
        assert.ok(json.success, json.stderr);
        const native = resolveFromWasmToolsJson(json.stdout);
        const nid = native.packageNames.get(packageKey(r, id));
        assert.ok(nid !== undefined, `wasm-tools found no package ${packageKey(r, id)}`);
        assert.deepEqual(packageForRoundTrip(native, nid), expected);
        counts.native++;
        if (id !== parsed.package) continue;
        // The main package: wasm-tools prints the same WIT for our binary as for the source.
        const fromSource = await runWasmTools(["component", "wit", "--no-docs", src.path]);
        if (!fromSource.success) continue;
        const fromOurs = await runWasmTools(["component", "wit", "--no-docs", path]);
        assert.equal(cut(fromOurs.stdout), cut(fromSource.stdout));
        counts.sameText++;
        const native2 = await runWasmTools([
          "component",
          "wit",
          src.path,
          "--wasm",
          "-o",
          `${path}.native`,
        ]);
        if (!native2.success) continue;
        const theirs = Deno.readFileSync(`${path}.native`);
        const again = encodeWitPackage(r, id, {
          producers: { name: "wit-component", version: "0.263.0" },
        });
        if (theirs.length === again.length && theirs.every((b, i) => b === again[i])) {
          counts.sameBytes++;
        }
      }
    });
  }
  if (tmp) Deno.removeSync(tmp, { recursive: true });
  tmp = undefined;
  console.log(
    `WIT round trip: ${counts.sources} sources, ${counts.packages} packages encoded, ` +
      `${counts.native} decoded alike by wasm-tools, ${counts.sameText} main packages print the same WIT, ` +
      `${counts.sameBytes} byte-identical to wasm-tools`,
  );
  assert.ok(counts.packages >= 200, `only ${counts.packages} packages were encoded`);
  // Every encoded package goes through wasm-tools; the main packages whose source wasm-tools
  // reads too are compared as text and as bytes (lower bounds, so that a change that makes those
  // comparisons stop happening fails instead of passing with nothing compared).
  assert.equal(counts.native, counts.packages - counts.empty, "every package checked natively");
  assert.ok(counts.sameText >= 60, `only ${counts.sameText} main packages compared as text`);
  assert.ok(counts.sameBytes >= 60, `only ${counts.sameBytes} packages byte-identical`);
});

Deno.test("the encoder refuses an empty record with a clean error", () => {
  const { resolve, package: pkg } = resolveWit({
    root: [{ path: "a.wit", text: "package a:b;\ninterface i { record r {} }\n" }],
  });
  assert.throws(
    () => encodeWitPackage(resolve, pkg),
    (e) =>
      e instanceof ComponentEncodeError && e.code === "unsupported" &&
      /record "r" has no fields/.test(e.message),
  );
});
