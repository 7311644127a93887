import assert from "node:assert/strict";
import { diffHref, downloadHref, packageHref, searchHref, witHref } from "./_urls.ts";

Deno.test("package links are built only from valid names and versions", () => {
  assert.equal(packageHref("docs:processor"), "/docs/processor");
  assert.equal(packageHref("docs:processor", "0.1.0"), "/docs/processor@0.1.0");
  assert.equal(packageHref("docs:processor", "1.0.0+build.5"), "/docs/processor@1.0.0%2Bbuild.5");
  assert.equal(packageHref("docs:processor", "not-semver"), "/docs/processor");
  for (const bad of ["Docs:x", "docs", "docs:../x", "docs:x/y", "a:b:c", "data:text/html,x", ""]) {
    assert.equal(packageHref(bad), undefined, bad);
  }
  // A name that spells a scheme is still a path on this site.
  assert.equal(packageHref("javascript:alert"), "/javascript/alert");
});

Deno.test("diff, download and WIT links name the API routes and the diff route", () => {
  assert.equal(diffHref("acme:greeter", "1.0.0", "2.0.0"), "/acme/greeter/diff/1.0.0...2.0.0");
  assert.equal(diffHref("acme:greeter", "1.0.0", "x"), undefined);
  assert.equal(
    downloadHref("acme:greeter", "1.0.0"),
    "/api/v1/packages/acme/greeter/1.0.0/content",
  );
  assert.equal(witHref("acme:greeter", "1.0.0"), "/api/v1/packages/acme/greeter/1.0.0/wit");
  assert.equal(downloadHref("Acme:greeter", "1.0.0"), undefined);
});

Deno.test("search links carry their filters as a query", () => {
  assert.equal(searchHref({}), "/search");
  assert.equal(
    searchHref({ world: "docs:processor/processor@0.1.0", host: "none" }),
    "/search?world=docs%3Aprocessor%2Fprocessor%400.1.0&host=none",
  );
});
