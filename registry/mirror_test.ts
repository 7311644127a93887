import assert from "node:assert/strict";
import { parseUpstream } from "./_mirror.ts";

Deno.test("parseUpstream() reads ns=oci://…, ns=registry-name and the built-in namespaces", () => {
  assert.deepEqual(parseUpstream("wasi=oci://GHCR.io/webassembly"), {
    namespace: "wasi",
    registry: "oci://ghcr.io/webassembly/",
  });
  assert.deepEqual(parseUpstream("acme=localhost:8081"), {
    namespace: "acme",
    registry: "localhost:8081",
  });
  assert.deepEqual(parseUpstream("wasi"), { namespace: "wasi", registry: "wasi.dev" });
  assert.deepEqual(parseUpstream("ba"), { namespace: "ba", registry: "bytecodealliance.org" });
  for (const bad of ["acme", "Acme=oci://x/", "x=http://h/", "x=oci://u:p@h/", "x="]) {
    assert.throws(() => parseUpstream(bad), Error, bad);
  }
});
