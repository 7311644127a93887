/**
 * Every WIT tree of the shared corpus (WASI 0.2.0, 0.2.3 and 0.3 drafts, wasi-keyvalue, -config,
 * -logging, Spin's and wasmCloud's folders, jco fixtures, component-docs examples, wac and
 * wasm-tools test inputs) resolves, and printing it gives WIT that resolves to an equal model.
 *
 * A "tree" is a folder holding `.wit` files (its `deps/` folder is read with it). Folders that
 * hold several independent packages are read file by file; the ones whose files are the packages
 * of one resolve written one per file are read with their siblings as dependencies. Inputs that
 * fail on purpose, or need packages the corpus does not have, are listed with the error expected.
 */
import assert from "node:assert/strict";
import { readWitSources } from "../cli/mod.ts";
import {
  parseWit,
  printWit,
  resolveWit,
  type SourceFile,
  WitError,
  witToJson,
} from "../lib/wit/mod.ts";
import { canonicalResolve, CORPUS, READ_OPTIONS, sortedEntries } from "./wit_support.ts";
import { runWasmToolsSync } from "./support/wasm_tools.ts";

/** Folders not walked, with the reason. */
const SKIPPED: Record<string, string> = {
  "_derived": "jco's printouts of component worlds: the world only, without the packages it uses",
  "wasm-tools/crates/wit-parser/tests": "wit-parser's own suite, run by wit_parser_suite_test.ts",
};

/** Folders of independent packages, one per file: each file is resolved alone. */
const ONE_PACKAGE_PER_FILE = new Set([
  "component-docs/component-model/examples/composing-section-examples",
  "component-docs/component-model/examples/faq",
  "jco/packages/jco-transpile/test/fixtures/wit",
  "jco/packages/jco/test/fixtures/wit",
  "jco/packages/jco/test/fixtures/wit/idl",
  "wasm-tools/tests/cli",
]);

/** Folders whose files are the packages of one resolve, one per file: siblings are deps. */
const SIBLINGS_AS_DEPS = new Set([
  "wasm-tools/crates/wit-component/tests/merge/disjoint-funcs/merge",
  "wasm-tools/crates/wit-component/tests/merge/disjoint-types/merge",
  "wasm-tools/crates/wit-component/tests/merge/success/merge",
]);

/** Inputs that must fail, with the start of the error: invalid on purpose or missing deps. */
const EXPECTED_FAILURES: Record<string, string> = {
  // Invalid on purpose (jco's negative fixtures, see MANIFEST.md) or broken documentation snippets.
  "jco/packages/jco-transpile/test/fixtures/wit/invalid/invalid-fn":
    "expected `type`, `resource` or `func`, found keyword `static`",
  "jco/packages/jco-transpile/test/fixtures/wit/invalid/sibling-diff-pkg":
    "package identifier `tests:sibling-wit` does not match previous package name of `tests:invalid-wit`",
  "component-docs/component-model/examples/composing-section-examples/validator.wit":
    "duplicate item named `validator`",
  "component-docs/component-model/examples/wit-section-examples/filesystems":
    "name `filesize` does not exist",
  // Dependencies that `wkg`/`wit-deps` fetch into deps/ and the corpus does not hold.
  "component-docs/component-model/examples/composing-section-examples/http-service.wit":
    "package 'wasi:http@0.2.3' not found",
  "component-docs/component-model/examples/faq/example.wit": "package 'wasi:cli@0.2.4' not found",
  "component-docs/component-model/examples/tutorial/js/string-reverse-upper":
    "package 'example:string-reverse@0.1.0' not found",
  "component-docs/component-model/examples/tutorial/tinygo/adder":
    "package 'wasi:cli@0.2.0' not found",
  "component-docs/component-model/examples/tutorial/wit/calculator":
    "package 'docs:adder@0.1.0' not found",
  "sample-wasi-http-rust/wit": "package 'wasi:http@0.2.2' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/cli-example/wit":
    "package 'wasi:http@0.2.1' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/dog-fetcher/wit":
    "package 'wasi:http@0.2.0' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/nested-local/local-dep/wit":
    "package 'wasi:keyvalue@0.2.0-draft' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/nested-local/project/wit":
    "package 'my:local@0.1.0' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/transitive-local/example-a/wit":
    "package 'example-b:bar@0.1.0' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/transitive-local/example-b/wit":
    "package 'example-c:baz@0.1.0' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/transitive-local/example-c/wit":
    "package 'example-c:nested@0.1.0' not found",
  "wasm-pkg-tools/crates/wasm-pkg-core/tests/fixtures/wasi-http/wit":
    "package 'wasi:clocks@0.2.3' not found",
  "wasm-pkg-tools/crates/wkg/tests/fixtures/fetch-workspace/fetch-a/wit":
    "package 'example-a:foo@0.1.0' not found",
  "wasm-pkg-tools/crates/wkg/tests/fixtures/fetch-workspace/fetch-d/wit":
    "package 'example-d:foo@0.1.0' not found",
  "wasm-pkg-tools/crates/wkg/tests/fixtures/wasi-http/wit": "package 'wasi:random@0.2.0' not found",
};

interface Input {
  name: string;
  read: () => Promise<Parameters<typeof resolveWit>[0]>;
}

function inputs(): Input[] {
  const out: Input[] = [];
  const walk = (rel: string) => {
    const dir = `${CORPUS}${rel}`;
    let wit = false;
    for (const e of sortedEntries(dir)) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) {
        if (e.name !== "deps" && !(child in SKIPPED)) walk(child);
      } else if (e.name.endsWith(".wit")) {
        wit = true;
      }
    }
    if (!wit) return;
    const files = sortedEntries(dir).filter((e) => e.isFile && e.name.endsWith(".wit"));
    if (ONE_PACKAGE_PER_FILE.has(rel)) {
      for (const f of files) {
        out.push({
          name: `${rel}/${f.name}`,
          read: () => readWitSources(`${dir}/${f.name}`, READ_OPTIONS),
        });
      }
    } else if (SIBLINGS_AS_DEPS.has(rel)) {
      const all: SourceFile[] = files.map((f) => ({
        path: `${dir}/${f.name}`,
        text: Deno.readTextFileSync(`${dir}/${f.name}`),
      }));
      for (const f of all) {
        out.push({
          name: f.path.slice(CORPUS.length),
          read: () =>
            Promise.resolve({
              root: [f],
              deps: all.filter((g) => g !== f).map((g) => ({ name: g.path, files: [g] })),
            }),
        });
      }
    } else {
      out.push({ name: rel, read: () => readWitSources(dir, READ_OPTIONS) });
    }
  };
  walk("");
  return out;
}

Deno.test("every WIT tree of the corpus resolves, and its printed WIT resolves to an equal model", async () => {
  const failures: string[] = [];
  let ok = 0, failedAsExpected = 0;
  const all = inputs();
  for (const input of all) {
    let result;
    try {
      result = resolveWit(await input.read());
    } catch (e) {
      const message = e instanceof WitError ? e.message : String(e);
      const expected = EXPECTED_FAILURES[input.name];
      if (
        expected !== undefined && message.startsWith(expected) && e instanceof WitError &&
        e.location
      ) {
        failedAsExpected++;
      } else {
        failures.push(`${input.name}: ${e instanceof WitError ? e.rendered : e}`);
      }
      continue;
    }
    if (input.name in EXPECTED_FAILURES) {
      failures.push(
        `${input.name}: resolved, but should fail with ${EXPECTED_FAILURES[input.name]}`,
      );
      continue;
    }
    const text = printWit(result.resolve, { main: result.package });
    try {
      const again = parseWit(text);
      assert.deepEqual(canonicalResolve(again.resolve), canonicalResolve(result.resolve));
      ok++;
    } catch (e) {
      failures.push(
        `${input.name}: printed WIT does not round-trip: ${e instanceof WitError ? e.rendered : e}`,
      );
    }
  }
  console.log(
    `corpus WIT: ${all.length} inputs, ${ok} resolve and round-trip through the printer, ` +
      `${failedAsExpected} fail as listed (invalid on purpose or missing deps)`,
  );
  assert.deepEqual(failures, []);
  assert.ok(ok > 100, "the corpus is in place");
});

Deno.test({
  name: "printed WIT and JSON equal the native wasm-tools output for every input it accepts",
  async fn() {
    const failures: string[] = [];
    let same = 0, nativeRejects = 0;
    const ui = sortedEntries(`${CORPUS}wasm-tools/crates/wit-parser/tests/ui`)
      .filter((e) => e.name !== "parse-fail" && !e.name.endsWith(".json"))
      .map((e) => ({
        name: `wasm-tools/crates/wit-parser/tests/ui/${e.name}`,
        features: ["active"],
      }));
    const corpus = inputs()
      .filter((i) => !(i.name in EXPECTED_FAILURES) && !SIBLINGS_AS_DEPS.has(dirOf(i.name)))
      .map((i) => ({ name: i.name, features: [] as string[] }));
    for (const { name, features } of [...ui, ...corpus]) {
      const path = `${CORPUS}${name}`;
      const flags = features.flatMap((f) => ["--features", f]);
      const text = runWasmToolsSync(["component", "wit", ...flags, path]);
      if (!text.success) {
        // The installed wasm-tools may be newer than the corpus (it rejects empty records).
        nativeRejects++;
        continue;
      }
      const json = runWasmToolsSync(["component", "wit", "--json", ...flags, path]);
      const { resolve, package: main } = resolveWit(await readWitSources(path, READ_OPTIONS), {
        features,
      });
      if (printWit(resolve, { main }) !== text.stdout) failures.push(`${name}: WIT text differs`);
      else if (JSON.stringify(JSON.parse(json.stdout)) !== JSON.stringify(witToJson(resolve))) {
        failures.push(`${name}: JSON differs`);
      } else same++;
    }
    console.log(
      `native wasm-tools: ${same} inputs print the same WIT and JSON, ` +
        `${nativeRejects} rejected by the installed (newer) wasm-tools`,
    );
    assert.deepEqual(failures, []);
    assert.ok(same > 150, `only ${same} inputs were compared (${nativeRejects} rejected)`);
  },
});

function dirOf(name: string): string {
  return name.slice(0, name.lastIndexOf("/"));
}

Deno.test({
  name: "wreg wit prints every component and binary WIT package of the corpus as wasm-tools does",
  async fn() {
    const index: { file: string; kind: string }[] = JSON.parse(
      await Deno.readTextFile(`${CORPUS}index.json`),
    );
    const failures: string[] = [];
    let same = 0, nativeRejects = 0;
    for (const { file, kind } of index) {
      if (kind !== "component") continue;
      const native = runWasmToolsSync(["component", "wit", `${CORPUS}${file}`]);
      if (!native.success) {
        nativeRejects++;
        continue;
      }
      try {
        const { resolve, package: main } = resolveWit(
          await readWitSources(`${CORPUS}${file}`, READ_OPTIONS),
        );
        if (printWit(resolve, { main }) === native.stdout) same++;
        else failures.push(`${file}: WIT text differs`);
      } catch (e) {
        failures.push(`${file}: ${e}`);
      }
    }
    console.log(
      `binaries: ${same} print the same WIT as wasm-tools, ${nativeRejects} rejected by wasm-tools`,
    );
    assert.deepEqual(failures, []);
    assert.ok(same > 40, "the corpus binaries are in place");
  },
});
