import assert from "node:assert/strict";
import { parseUpstream } from "./_mirror.ts";
import { createRegistry } from "./mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";

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

Deno.test("a mirror finds its upstream through the well-known document and reads a package's tags at most once per refresh interval, the newest maxVersions", async () => {
  // An upstream named like a wasm-pkg registry (localhost:PORT): its well-known document names
  // the OCI registry and prefix; the package has ten versions, whose manifests it does not have.
  const log: string[] = [];
  let port = 0;
  const upstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    log.push(path);
    if (path === "/.well-known/wasm-pkg/registry.json") {
      return Response.json({
        preferredProtocol: "oci",
        oci: { registry: `127.0.0.1:${port}`, namespacePrefix: "up/" },
      });
    }
    if (path === "/v2/") return Response.json({});
    if (path === "/v2/up/acme/x/tags/list") {
      const tags = Array.from({ length: 10 }, (_, i) => `1.${i}.0`);
      return Response.json({ name: "up/acme/x", tags: [...tags, "latest"] });
    }
    return Response.json({ errors: [{ code: "MANIFEST_UNKNOWN", message: "none" }] }, {
      status: 404,
    });
  });
  port = upstream.addr.port;
  const storage = openMemoryStorage();
  try {
    const registry = createRegistry({
      storage,
      mirror: {
        upstreams: [parseUpstream(`acme=localhost:${port}`)],
        refreshSeconds: 3600,
        maxVersions: 3,
      },
    });
    for (let i = 0; i < 3; i++) {
      const res = await registry.handle(new Request("http://localhost/api/v1/packages/acme/x"));
      await res.body?.cancel();
      // Later refreshes run in the background: let any that started reach the upstream.
      for (let seen = -1; seen !== log.length;) {
        seen = log.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const count = (p: (path: string) => boolean) => log.filter(p).length;
    assert.equal(count((p) => p === "/.well-known/wasm-pkg/registry.json"), 1, log.join(" "));
    assert.equal(count((p) => p.endsWith("/tags/list")), 1, "tags read once per interval");
    assert.deepEqual(
      log.filter((p) => p.includes("/manifests/")).sort(),
      ["1.7.0", "1.8.0", "1.9.0"].map((v) => `/v2/up/acme/x/manifests/${v}`),
      "only the newest maxVersions",
    );
  } finally {
    await upstream.shutdown();
    storage.close?.();
  }
});
