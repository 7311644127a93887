import assert from "node:assert/strict";
import { isKebab, parseExternName, uniquenessKey } from "./_extern_name.ts";

Deno.test("kebab labels are words of one case joined by single hyphens", () => {
  for (const ok of ["a", "foo-bar", "HTTP-client", "a1-b2", "x-1", "is-XML"]) {
    assert.ok(isKebab(ok), ok);
  }
  for (const bad of ["", "-a", "a-", "a--b", "1a", "Ab", "a_b", "a.b"]) {
    assert.ok(!isKebab(bad), bad);
  }
});

Deno.test("interface names give namespace, package, interface and version", () => {
  const r = parseExternName("wasi:http/types@0.2.0-rc-2023-10-18");
  assert.ok(r.ok);
  assert.deepEqual(r.name, {
    kind: "interface",
    namespace: "wasi",
    package: "http",
    interface: "types",
    projections: [],
    version: "0.2.0-rc-2023-10-18",
  });
  const build = parseExternName("a:b/c@0.0.0+abcd");
  assert.ok(build.ok, "build metadata is valid semver");
  assert.ok(!parseExternName("Wasi:http/types").ok, "namespaces are lowercase");
  assert.ok(!parseExternName("wasi:http").ok, "an interface name needs a projection");
  assert.ok(parseExternName("wasi:http/types@1").ok, "a canonical version is accepted");
  assert.ok(!parseExternName("a:b:c/d").ok, "nested namespaces need the feature");
  assert.ok(parseExternName("a:b:c/d", true).ok);
});

Deno.test("resource function names name their resource", () => {
  const c = parseExternName("[constructor]blob");
  assert.ok(c.ok && c.name.kind === "constructor" && c.name.resource === "blob");
  const m = parseExternName("[method]input-stream.read");
  assert.ok(
    m.ok && m.name.kind === "method" && m.name.resource === "input-stream" &&
      m.name.func === "read",
  );
  const s = parseExternName("[static]fields.from-list");
  assert.ok(s.ok && s.name.kind === "static" && !s.name.async);
  const a = parseExternName("[async method]r.f");
  assert.ok(a.ok && a.name.kind === "method" && a.name.async);
  assert.ok(!parseExternName("[method]nodot").ok);
  assert.ok(!parseExternName("[method]a.B_c").ok);
});

Deno.test("strong uniqueness folds case and reduces [method]l.l to l", () => {
  const key = (n: string) => {
    const r = parseExternName(n);
    assert.ok(r.ok, n);
    return uniquenessKey(n, r.name);
  };
  assert.equal(key("foo"), key("FOO"));
  assert.equal(key("[method]foo.foo"), key("foo"));
  assert.equal(key("[method]foo.bar"), key("[static]foo.bar"));
  assert.notEqual(key("[constructor]foo"), key("foo"));
  assert.equal(key("foo:bar/baz"), key("foo:bar/BAZ"));
});

Deno.test("dependency, url and integrity names are recognised", () => {
  for (
    const n of [
      "locked-dep=<a:b@1.2.3>",
      "unlocked-dep=<a:b@{>=1.0.0}>",
      "url=<https://example.com/x.wasm>",
      "integrity=<sha256-abcd>",
    ]
  ) {
    assert.ok(parseExternName(n).ok, n);
  }
  assert.ok(!parseExternName("url=<a<b>").ok);
  assert.ok(!parseExternName("integrity=<>").ok);
});
