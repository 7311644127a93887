import assert from "node:assert/strict";
import { assignKeys, camelCase, externParts, jsIdent, pascalCase } from "./_names.ts";

Deno.test("kebab-case WIT names become jco's camel and Pascal case", () => {
  assert.equal(camelCase("scrub-pii"), "scrubPii");
  assert.equal(camelCase("e-lu8"), "eLu8");
  assert.equal(camelCase("HTTP-request"), "httpRequest");
  assert.equal(camelCase("get-URL"), "getUrl");
  assert.equal(camelCase("%ascii"), "ascii");
  assert.equal(pascalCase("dark-green"), "DarkGreen");
  assert.equal(pascalCase("metadata"), "Metadata");
});

Deno.test("reserved words get a dollar suffix so they can be bindings", () => {
  assert.equal(jsIdent("delete"), "delete$");
  assert.equal(jsIdent("new"), "new$");
  assert.equal(jsIdent("await"), "await$");
  assert.equal(jsIdent("scrub-pii"), "scrubPii");
});

Deno.test("extern names split into namespace, package, interface and version", () => {
  assert.deepEqual(externParts("docs:processor/logger@0.1.0"), {
    name: "docs:processor/logger@0.1.0",
    kind: "interface",
    namespace: "docs",
    package: "processor",
    base: "logger",
    version: "0.1.0",
  });
  assert.deepEqual(externParts("scrub-pii"), {
    name: "scrub-pii",
    kind: "plain",
    base: "scrub-pii",
  });
});

Deno.test("keys are the interface name unless two interfaces share it", () => {
  const keys = assignKeys([
    "docs:processor/logger@0.1.0",
    "a:x/types",
    "b:y/types",
    "c:z/types@1.0.0",
    "c:z/types@2.0.0",
    "scrub-pii",
  ]);
  assert.deepEqual(Object.fromEntries(keys), {
    "docs:processor/logger@0.1.0": "logger",
    "a:x/types": "aXTypes",
    "b:y/types": "bYTypes",
    "c:z/types@1.0.0": "cZTypes100",
    "c:z/types@2.0.0": "cZTypes200",
    "scrub-pii": "scrubPii",
  });
});

Deno.test("keys avoid reserved names and each other, and do not depend on order of calls", () => {
  const names = ["instantiate", "a:b/instantiate", "run"];
  const keys = assignKeys(names, ["instantiate"]);
  assert.equal(new Set(keys.values()).size, 3);
  assert.ok(![...keys.values()].includes("instantiate"));
  assert.deepEqual(assignKeys(names, ["instantiate"]), keys);
});
