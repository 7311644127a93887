import assert from "node:assert/strict";
import { CliError, EXIT } from "./_command.ts";
import { Registries } from "./_registries.ts";

Deno.test("a package's registry: wreg.json registries, then registry, then WREG_REGISTRY, then the config", () => {
  const io = { env: { WREG_REGISTRY: "http://env:1" }, cwd: "/" };
  const config = { registry: "http://config:2", tokens: { "http://ns:3": "t-ns" } };
  const r = new Registries(io, config, {
    registry: "http://project:4/",
    registries: { wasi: "http://ns:3" },
  });
  assert.equal(r.urlFor("wasi:io"), "http://ns:3");
  assert.equal(r.urlFor("docs:x"), "http://project:4");
  assert.equal(r.forPackage("wasi:io").token, "t-ns");
  assert.equal(r.forPackage("docs:x").token, undefined);
  assert.equal(new Registries(io, config).urlFor("docs:x"), "http://env:1");
  assert.equal(new Registries({ env: {}, cwd: "/" }, config).urlFor("docs:x"), "http://config:2");
  assert.equal(r.client("http://ns:3/"), r.client("http://ns:3"), "one client per registry");
});

Deno.test("no registry anywhere is a usage error saying how to name one", () => {
  const r = new Registries({ env: {}, cwd: "/" }, {});
  assert.throws(() => r.urlFor("docs:x"), (e: unknown) => {
    assert.ok(e instanceof CliError && e.exitCode === EXIT.usage);
    assert.match(e.message, /^No registry is configured for docs:x: run `wreg login/);
    return true;
  });
  assert.throws(
    () => r.forCommand(undefined, "search"),
    /Cannot search: no registry is configured/,
  );
  assert.equal(r.forCommand("http://flag:5", "search").url, "http://flag:5");
});

Deno.test("OCI registries and registry names are registries too; wasi and ba have built-in names", () => {
  const r = new Registries({ env: {}, cwd: "/" }, {}, {
    registries: { acme: "oci://GHCR.io/acme", test: "localhost:8081" },
  });
  assert.equal(r.urlFor("acme:x"), "oci://ghcr.io/acme/");
  assert.equal(r.urlFor("test:x"), "localhost:8081");
  assert.equal(r.urlFor("wasi:io"), "wasi.dev");
  assert.equal(r.urlFor("ba:sample"), "bytecodealliance.org");
  assert.equal(r.isOci("acme:x"), true);
  assert.equal(r.isOci("wasi:io"), true);
  // A default registry comes before the built-in names, as in wkg.
  const d = new Registries({ env: { WREG_REGISTRY: "http://env:1" }, cwd: "/" }, {});
  assert.equal(d.urlFor("wasi:io"), "http://env:1");
  assert.equal(d.isOci("wasi:io"), false);
  assert.throws(
    () => r.client("oci://ghcr.io/acme/"),
    /is an OCI registry, and this needs a wreg registry/,
  );
});
