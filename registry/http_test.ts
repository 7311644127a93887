import assert from "node:assert/strict";
import { declaredDigest, notModified, parseRange } from "./_http.ts";
import { RegistryError } from "./_errors.ts";
import { Router } from "./_routes.ts";

const HEX = "ab".repeat(32);

Deno.test("a byte range is read as first-last, first- or -suffix, cut at the end", () => {
  assert.deepEqual(parseRange("bytes=0-9", 100), { offset: 0, length: 10 });
  assert.deepEqual(parseRange("bytes=90-", 100), { offset: 90, length: 10 });
  assert.deepEqual(parseRange("bytes=90-500", 100), { offset: 90, length: 10 });
  assert.deepEqual(parseRange("bytes=-10", 100), { offset: 90, length: 10 });
  assert.deepEqual(parseRange("bytes=-500", 100), { offset: 0, length: 100 });
  assert.deepEqual(parseRange(" Bytes = 5 - 5 ", 100), { offset: 5, length: 1 });
});

Deno.test("ranges the server does not serve are ignored, ranges outside the blob refused", () => {
  assert.equal(parseRange(null, 100), undefined);
  assert.equal(parseRange("items=0-1", 100), undefined);
  assert.equal(parseRange("bytes=0-1,5-6", 100), undefined, "several ranges: the whole blob");
  assert.equal(parseRange("bytes=9-5", 100), undefined, "last before first is invalid");
  for (const h of ["bytes=100-", "bytes=100-200", "bytes=-0"]) {
    assert.throws(() => parseRange(h, 100), (e: RegistryError) => {
      assert.equal(e.code, "range-not-satisfiable");
      assert.equal(e.headers?.["content-range"], "bytes */100");
      return true;
    }, h);
  }
  assert.throws(() => parseRange("bytes=0-", 0), RegistryError);
});

Deno.test("the declared digest comes from X-Wreg-Digest or Digest in either form", () => {
  const b64 = Uint8Array.fromHex(HEX).toBase64();
  assert.equal(declaredDigest(new Headers({ "x-wreg-digest": `sha256:${HEX}` })), `sha256:${HEX}`);
  assert.equal(declaredDigest(new Headers({ digest: `sha256:${HEX}` })), `sha256:${HEX}`);
  assert.equal(declaredDigest(new Headers({ digest: `md5=abc, SHA-256=${b64}` })), `sha256:${HEX}`);
  assert.equal(declaredDigest(new Headers()), undefined);
  const bads: Record<string, string>[] = [
    { "x-wreg-digest": "sha256:12" },
    { digest: "md5=abc" },
    { digest: "sha-256=xx" },
  ];
  for (const bad of bads) {
    assert.throws(
      () => declaredDigest(new Headers(bad)),
      (e: RegistryError) => e.code === "invalid-digest",
    );
  }
});

Deno.test("If-None-Match matches a listed tag, a weak tag or a star", () => {
  assert.equal(notModified(new Headers({ "if-none-match": '"a", "b"' }), '"b"'), true);
  assert.equal(notModified(new Headers({ "if-none-match": 'W/"b"' }), '"b"'), true);
  assert.equal(notModified(new Headers({ "if-none-match": "*" }), '"b"'), true);
  assert.equal(notModified(new Headers({ "if-none-match": '"a"' }), '"b"'), false);
  assert.equal(notModified(new Headers(), '"b"'), false);
});

Deno.test("the router prefers literal segments, decodes parameters and names allowed methods", () => {
  const router = new Router();
  assert.equal(
    router.match("GET", "/api/v1/packages/docs/processor/index").route.path,
    "/api/v1/packages/:namespace/:name/index",
  );
  const v = router.match("GET", "/api/v1/packages/docs/processor/1.0.0/");
  assert.equal(v.route.path, "/api/v1/packages/:namespace/:name/:version");
  assert.deepEqual(v.params, { namespace: "docs", name: "processor", version: "1.0.0" });
  assert.equal(
    router.match("HEAD", `/api/v1/blobs/sha256%3A${HEX}`).params.digest,
    `sha256:${HEX}`,
  );
  assert.throws(
    () => router.match("PATCH", "/api/v1/packages/docs/processor"),
    (e: RegistryError) => {
      assert.equal(e.code, "method-not-allowed");
      assert.equal(e.headers?.allow, "GET, HEAD");
      return true;
    },
  );
  assert.throws(() => router.match("GET", "/nope"), (e: RegistryError) => e.code === "not-found");
  assert.throws(
    () => router.match("GET", "/api/v1/packages/docs/%E0%A4%A"),
    (e: RegistryError) => e.code === "invalid-path",
  );
});
