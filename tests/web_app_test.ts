/**
 * The web routes in-process (no browser): status codes, headers, HEAD and entity tags, the
 * stylesheet, redirects of the diff form, the JSON API kept apart from the pages, and pages that
 * change when the registry changes.
 */
import assert from "node:assert/strict";
import { createRegistry } from "../registry/mod.ts";
import { CONTENT_SECURITY_POLICY, STYLE, STYLE_PATH } from "../registry/web/mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";
import { Client, PROCESSOR_0_1_1, PROCESSOR_WIT, witPackage } from "./registry_support.ts";
import { greeterWit } from "./web_support.ts";

const ADMIN = "test-admin-secret-0123";

async function withRegistry(
  body: (c: Client, alice: string) => Promise<void>,
): Promise<void> {
  const storage = openMemoryStorage();
  const registry = createRegistry({ storage, adminToken: ADMIN });
  try {
    const c = new Client((req) => Promise.resolve(registry.handle(req)));
    const alice = await c.token(ADMIN, "alice");
    assert.equal(
      (await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT))).status,
      201,
    );
    await body(c, alice);
  } finally {
    registry.close();
    await storage.close();
  }
}

function assertPageHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get("content-security-policy"), CONTENT_SECURITY_POLICY, what);
  assert.equal(headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(headers.get("referrer-policy"), "same-origin", what);
  assert.equal(headers.get("x-frame-options"), "DENY", what);
}

Deno.test("pages answer HTML with the security headers, an entity tag, HEAD and 304", async () => {
  await withRegistry(async (c) => {
    for (
      const path of [
        "/",
        "/search",
        "/search?q=processor",
        "/docs/processor",
        "/docs/processor@0.1.0",
      ]
    ) {
      const r = await c.call("GET", path);
      assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
      assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
      assertPageHeaders(r.headers, path);
      assert.ok(r.text.startsWith('<!doctype html>\n<html lang="en">'), path);
      const etag = r.headers.get("etag")!;
      assert.match(etag, /^"w-[0-9a-f]+-[0-9a-f]+"$/);
      const again = await c.call("GET", path, { headers: { "if-none-match": etag } });
      assert.equal(again.status, 304, path);
      const head = await c.call("HEAD", path);
      assert.equal(head.status, 200);
      assert.equal(head.text, "");
    }
  });
});

Deno.test("the stylesheet and icon are cached for good; other files are the 404 page", async () => {
  await withRegistry(async (c) => {
    const css = await c.call("GET", STYLE_PATH);
    assert.equal(css.status, 200);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(css.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(css.text, STYLE);
    assertPageHeaders(css.headers, "css");
    const page = await c.call("GET", "/");
    const icon = /<link rel="icon" href="([^"]+)"/.exec(page.text)![1];
    const svg = await c.call("GET", icon);
    assert.equal(svg.headers.get("content-type"), "image/svg+xml");
    assert.equal((await c.call("GET", "/-/style.old.css")).status, 404);
  });
});

Deno.test("the API keeps its JSON answers; unknown pages get the HTML 404 page", async () => {
  await withRegistry(async (c) => {
    for (const path of ["/api/v2/nothing", "/api/x", "/api/v1/diff", "/api/x/diff/1.0.0...2.0.0"]) {
      const r = await c.call("GET", path);
      assert.equal(r.status, 404, path);
      assert.equal(r.json?.code, "not-found", path);
    }
    for (
      const path of [
        "/nothing",
        "/a/b/c/d/e",
        "/docs/proc%ZZessor",
        "/Docs/Processor",
        "/docs/nothing",
      ]
    ) {
      const r = await c.call("GET", path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8", path);
      assertPageHeaders(r.headers, path);
      assert.match(r.text, /<h1>Not found<\/h1>/, path);
    }
    // Writes to a page's path are refused like any other method the path does not answer.
    const put = await c.call("PUT", "/docs/processor");
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD");
    // The JSON 404 of the API is unchanged.
    const api = await c.call("GET", "/api/v1/packages/docs/nothing");
    assert.equal(api.json.code, "not-found");
  });
});

Deno.test("the diff form redirects to the diff; bad ranges and versions are the 404 page", async () => {
  await withRegistry(async (c, alice) => {
    assert.equal(
      (await c.publish(alice, "docs:processor", "0.1.1", witPackage(PROCESSOR_0_1_1))).status,
      201,
    );
    const form = await c.call("GET", "/docs/processor/diff?from=0.1.0&to=0.1.1");
    assert.equal(form.status, 303);
    assert.equal(form.headers.get("location"), "/docs/processor/diff/0.1.0...0.1.1");
    const latest = await c.call("GET", "/docs/processor/diff");
    assert.equal(latest.headers.get("location"), "/docs/processor/diff/0.1.0...0.1.1");
    const diff = await c.call("GET", "/docs/processor/diff/0.1.0...0.1.1");
    assert.equal(diff.status, 200);
    assert.match(diff.text, /<strong>Compatible<\/strong>/);
    assert.match(diff.text, /docs:processor\/clock<\/code> — interface added/);
    for (
      const path of ["/docs/processor/diff/0.1.0..0.1.1", "/docs/processor/diff/0.1.0...9.0.0"]
    ) {
      const r = await c.call("GET", path);
      assert.equal(r.status, 404, path);
      assert.match(r.text, /<h1>Not found<\/h1>/);
    }
  });
});

Deno.test("pages follow the registry: a publish or a yank shows at once", async () => {
  await withRegistry(async (c, alice) => {
    await c.publish(alice, "acme:greeter", "1.0.0", witPackage(greeterWit("1.0.0")));
    const before = await c.call("GET", "/acme/greeter");
    assert.match(before.text, /<span class="badge">1\.0\.0<\/span>/);
    await c.publish(alice, "acme:greeter", "1.1.0", witPackage(greeterWit("1.1.0")));
    const after = await c.call("GET", "/acme/greeter", {
      headers: { "if-none-match": before.headers.get("etag")! },
    });
    assert.equal(after.status, 200);
    assert.match(after.text, /<span class="badge">1\.1\.0<\/span>/);
    assert.match(after.text, /interface<\/span> farewell/);
    const home = await c.call("GET", "/");
    assert.match(home.text, /<b>2<\/b><span>packages<\/span>/);
    await c.call("PUT", "/api/v1/packages/acme/greeter/1.0.0/yank", { token: alice });
    const yanked = await c.call("GET", "/acme/greeter@1.0.0");
    assert.match(yanked.text, /This version is yanked/);
    assert.match(yanked.text, /You are reading 1\.0\.0\. The latest version is/);
  });
});
