import assert from "node:assert/strict";
import { parseRange } from "../names/mod.ts";
import {
  checkPublishable,
  type Manifest,
  ManifestError,
  parseManifest,
  printManifest,
  registryFor,
  requirementsOf,
  witFolder,
} from "./mod.ts";

const FULL = `{
  "name": "docs:scrubber",
  "version": "0.2.0",
  "kind": "component",
  "description": "Redacts PII from text",
  "license": "Apache-2.0 WITH LLVM-exception",
  "wit": "wit",
  "component": "build/scrubber.wasm",
  "registry": "http://127.0.0.1:8080",
  "registries": {
    "acme": "https://wasm.acme.example/",
    "wasi": "https://registry.example/"
  },
  "dependencies": {
    "docs:logger": "^0.1.0",
    "docs:processor": "^0.1"
  },
  "fills": {
    "docs:processor/logger": {
      "package": "docs:logger",
      "range": "^0.1.0"
    }
  }
}
`;

function assertManifestError(text: string, code: string, path: string, message: string | RegExp) {
  assert.throws(
    () => parseManifest(text),
    (e: unknown) => {
      assert.ok(e instanceof ManifestError, `expected a ManifestError, got ${e}`);
      assert.equal(e.code, code);
      assert.equal(e.path, path);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

Deno.test("printManifest() gives back the text parseManifest() read when it is canonical", () => {
  const m = parseManifest(FULL);
  assert.equal(printManifest(m), FULL);
  assert.equal(m.fills?.["docs:processor/logger"].package, "docs:logger");
  assert.equal(m.dependencies?.["docs:processor"], "^0.1");
});

Deno.test("printManifest() writes keys in a fixed order and records sorted, whatever the input order", () => {
  const shuffled = JSON.stringify({
    fills: { "docs:processor/logger": { range: "^0.1.0", package: "docs:logger" } },
    dependencies: { "docs:processor": "^0.1", "docs:logger": "^0.1.0" },
    registries: { wasi: "https://registry.example/", acme: "https://wasm.acme.example/" },
    registry: "http://127.0.0.1:8080",
    component: "build/scrubber.wasm",
    wit: "wit",
    license: "Apache-2.0 WITH LLVM-exception",
    description: "Redacts PII from text",
    kind: "component",
    version: "0.2.0",
    name: "docs:scrubber",
  });
  assert.equal(printManifest(parseManifest(shuffled)), FULL);
});

Deno.test("printManifest() leaves out absent fields and keeps an empty manifest valid", () => {
  assert.equal(printManifest({}), "{}\n");
  assert.deepEqual(parseManifest("{}"), {});
  const m: Manifest = {
    name: "docs:app",
    dependencies: { "b:y": parseRange("^2"), "a:x": parseRange("1.0.0") },
  };
  assert.equal(
    printManifest(m),
    '{\n  "name": "docs:app",\n  "dependencies": {\n    "a:x": "1.0.0",\n    "b:y": "^2"\n  }\n}\n',
  );
});

Deno.test("parseManifest() refuses text that is not a JSON object", () => {
  assertManifestError("{", "invalid-json", "", /^wreg\.json is not valid JSON: /);
  assertManifestError("[]", "invalid-type", "", "expected an object, found an array");
  assertManifestError("null", "invalid-type", "", "expected an object, found null");
});

Deno.test("parseManifest() refuses unknown keys and suggests the likely one", () => {
  assertManifestError(
    `{"dependecies": {}}`,
    "unknown-key",
    "dependecies",
    /^dependecies: unknown key "dependecies" \(known keys: name, .*, fills\); did you mean "dependencies"\?$/,
  );
  assertManifestError(
    `{"plugs": {}}`,
    "unknown-key",
    "plugs",
    /unknown key "plugs".*did you mean "fills"\?$/,
  );
});

Deno.test("parseManifest() names the path of a bad name, version or kind", () => {
  assertManifestError(
    `{"name": "Docs:app"}`,
    "invalid-value",
    "name",
    /^name: invalid namespace "Docs" in "Docs:app": it has upper-case letters/,
  );
  assertManifestError(
    `{"name": 3}`,
    "invalid-type",
    "name",
    "name: expected a string, found a number",
  );
  assertManifestError(
    `{"version": "1.2"}`,
    "invalid-value",
    "version",
    /^version: invalid version "1\.2": expected semver/,
  );
  assertManifestError(
    `{"kind": "library"}`,
    "invalid-value",
    "kind",
    `kind: expected "component" or "wit", found "library"`,
  );
  assertManifestError(
    `{"description": ["x"]}`,
    "invalid-type",
    "description",
    "description: expected a string, found an array",
  );
  assertManifestError(
    `{"license": " "}`,
    "invalid-value",
    "license",
    "license: the license is empty",
  );
});

Deno.test("parseManifest() refuses paths that are not relative to the project", () => {
  assertManifestError(
    `{"wit": "/abs/wit"}`,
    "invalid-value",
    "wit",
    `wit: invalid path "/abs/wit": the path must be relative to the project`,
  );
  assertManifestError(
    `{"component": "build\\\\x.wasm"}`,
    "invalid-value",
    "component",
    /use "\/" to separate folders/,
  );
  assertManifestError(`{"wit": ""}`, "invalid-value", "wit", /the path is empty/);
  assertManifestError(
    `{"kind": "wit", "component": "x.wasm"}`,
    "inconsistent",
    "component",
    `component: only a component project has a built .wasm ("kind" is "wit")`,
  );
});

Deno.test("parseManifest() checks registry URLs", () => {
  assertManifestError(
    `{"registry": "ftp://x.example"}`,
    "invalid-value",
    "registry",
    /must use http, https or oci/,
  );
  assertManifestError(
    `{"registry": "not a url"}`,
    "invalid-value",
    "registry",
    /registry: invalid registry "not a url": expected an http\(s\):\/\/ URL, oci:\/\/host/,
  );
  assertManifestError(
    `{"registry": "https://me:secret@x.example"}`,
    "invalid-value",
    "registry",
    /must not contain credentials \(use "wreg login"\)/,
  );
  assertManifestError(
    `{"registries": {"Acme": "https://x.example"}}`,
    "invalid-value",
    `registries["Acme"]`,
    /invalid namespace "Acme"/,
  );
  assertManifestError(
    `{"registries": {"acme": "file:///x"}}`,
    "invalid-value",
    `registries["acme"]`,
    /must use http, https or oci/,
  );
});

Deno.test("parseManifest() takes wreg, OCI and wasm-pkg registries", () => {
  const m = parseManifest(JSON.stringify({
    registry: "https://wreg.example",
    registries: {
      wasi: "oci://ghcr.io/webassembly/",
      acme: "acme.example",
      test: "localhost:8081",
      local: "oci://127.0.0.1:5000/",
    },
  }));
  assert.equal(m.registries?.wasi, "oci://ghcr.io/webassembly/");
  assert.equal(m.registries?.acme, "acme.example");
  assert.equal(m.registries?.test, "localhost:8081");
  assertManifestError(
    `{"registry": "oci://u:p@ghcr.io/"}`,
    "invalid-value",
    "registry",
    /must not contain credentials/,
  );
  assertManifestError(
    `{"registry": "oci://ghcr.io/x?y=1"}`,
    "invalid-value",
    "registry",
    /expected oci:\/\/host\[:port\]\/prefix\//,
  );
  assertManifestError(
    `{"registry": "docs"}`,
    "invalid-value",
    "registry",
    /invalid registry "docs"/,
  );
});

Deno.test("parseManifest() names the dependency whose name or range is bad", () => {
  assertManifestError(
    `{"dependencies": {"docs:processor": "^^1"}}`,
    "invalid-value",
    `dependencies["docs:processor"]`,
    /^dependencies\["docs:processor"\]: invalid version range "\^\^1": expected a semver range/,
  );
  assertManifestError(
    `{"dependencies": {"docs": "^1"}}`,
    "invalid-value",
    `dependencies["docs"]`,
    /invalid package name "docs"/,
  );
  assertManifestError(
    `{"dependencies": {"docs:x": 1}}`,
    "invalid-type",
    `dependencies["docs:x"]`,
    /expected a string, found a number/,
  );
  assertManifestError(
    `{"dependencies": []}`,
    "invalid-type",
    "dependencies",
    /expected an object, found an array/,
  );
});

Deno.test("parseManifest() checks fills and that each package has one range", () => {
  const fill = (v: unknown, deps: unknown = {}) =>
    JSON.stringify({ dependencies: deps, fills: { "docs:processor/logger": v } });
  assertManifestError(
    JSON.stringify({ fills: { "docs:processor": { package: "a:b", range: "^1" } } }),
    "invalid-value",
    `fills["docs:processor"]`,
    /invalid interface name "docs:processor"/,
  );
  assertManifestError(
    fill({ package: "a:b" }),
    "missing-field",
    `fills["docs:processor/logger"]`,
    /missing "range"/,
  );
  assertManifestError(
    fill({ package: "a:b", range: "^1", version: "1" }),
    "unknown-key",
    `fills["docs:processor/logger"].version`,
    /did you mean "range"\?$/,
  );
  assertManifestError(
    fill({ package: "A:b", range: "^1" }),
    "invalid-value",
    `fills["docs:processor/logger"].package`,
    /upper-case/,
  );
  assertManifestError(
    fill({ package: "a:b", range: "1.2.3.4" }),
    "invalid-value",
    `fills["docs:processor/logger"].range`,
    /invalid version range "1\.2\.3\.4"/,
  );
  assertManifestError(
    fill({ package: "docs:logger", range: "^2" }, { "docs:logger": "^1" }),
    "inconsistent",
    `fills["docs:processor/logger"].range`,
    `fills["docs:processor/logger"].range: "^2" differs from dependencies["docs:logger"] "^1"; use one range for a package`,
  );
  assertManifestError(
    JSON.stringify({
      fills: {
        "docs:processor/logger": { package: "docs:logger", range: "^1" },
        "docs:processor/logger@0.2.0": { package: "docs:logger", range: "^2" },
      },
    }),
    "inconsistent",
    `fills["docs:processor/logger@0.2.0"].range`,
    /differs from fills\["docs:processor\/logger"\]\.range "\^1"/,
  );
});

Deno.test("witFolder(), registryFor() and requirementsOf() read the manifest with its defaults", () => {
  const m = parseManifest(FULL);
  assert.equal(witFolder({}), "wit");
  assert.equal(witFolder({ wit: "spec/wit" }), "spec/wit");
  assert.equal(registryFor(m, "acme:tool"), "https://wasm.acme.example/");
  assert.equal(registryFor(m, "docs:logger"), "http://127.0.0.1:8080");
  assert.equal(registryFor({}, "docs:logger"), undefined);
  assert.deepEqual(
    requirementsOf(parseManifest(
      `{"dependencies": {"b:y": "^1"}, "fills": {"a:b/c": {"package": "a:impl", "range": "^2"}}}`,
    )),
    { "a:impl": "^2", "b:y": "^1" },
  );
});

Deno.test("checkPublishable() lists what publishing needs", () => {
  assert.deepEqual(checkPublishable(parseManifest(FULL)), []);
  assert.deepEqual(
    checkPublishable({ kind: "component" }).map((e) => e.message),
    [
      `name: publishing needs "name"`,
      `version: publishing needs "version"`,
      `component: publishing a component project needs "component", the path of its built .wasm`,
    ],
  );
});
