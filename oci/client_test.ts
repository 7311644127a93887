import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import {
  credentialsFromDockerConfig,
  discoverRegistry,
  formatOciRegistry,
  memoryDiscoveryCache,
  OciClient,
  OciClientError,
  parseDiscoveryDocument,
  parseOciRegistry,
} from "./mod.ts";
import { parsePackageName } from "../lib/names/mod.ts";
import { repositoryOf } from "../lib/oci/mod.ts";

/** A loopback HTTP server for one test, logging every request it gets. */
function serve(
  handler: (req: Request, url: URL) => Response | Promise<Response>,
  hostname = "127.0.0.1",
) {
  const log: { method: string; path: string; auth: string | null; accept: string | null }[] = [];
  const server = Deno.serve({ hostname, port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    log.push({
      method: req.method,
      path: url.pathname + url.search,
      auth: req.headers.get("authorization"),
      accept: req.headers.get("accept"),
    });
    return handler(req, url);
  });
  const host = `${hostname}:${server.addr.port}`;
  return { host, log, close: () => server.shutdown() };
}

const enc = new TextEncoder();

async function rejects(p: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OciClientError, `expected an OciClientError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

Deno.test("parseOciRegistry() reads host, port and prefix and picks HTTP only for loopback", () => {
  const a = parseOciRegistry("oci://127.0.0.1:5000/webassembly");
  assert.deepEqual(a, { host: "127.0.0.1:5000", prefix: "webassembly/", protocol: "http:" });
  assert.equal(formatOciRegistry(a), "oci://127.0.0.1:5000/webassembly/");
  const b = parseOciRegistry("oci://ghcr.io/");
  assert.deepEqual(b, { host: "ghcr.io", prefix: "", protocol: "https:" });
  assert.equal(formatOciRegistry(b), "oci://ghcr.io/");
  assert.equal(parseOciRegistry("oci://localhost/a/b/").prefix, "a/b/");
  assert.equal(repositoryOf(parsePackageName("wasi:cli"), a.prefix), "webassembly/wasi/cli");
  for (
    const bad of ["http://x", "oci://", "oci://u:p@host/", "oci://host/UPPER/", "oci://h/a?x=1"]
  ) {
    assert.throws(() => parseOciRegistry(bad), OciClientError, bad);
  }
});

Deno.test("credentialsFromDockerConfig() finds a host's auth, user/password or token", () => {
  const config = JSON.stringify({
    auths: {
      "https://ghcr.io": { auth: enc.encode("me:secret").toBase64() },
      "registry.example:5000": { username: "u", password: "p" },
      "tok.example": { registrytoken: "t0k" },
    },
  });
  assert.deepEqual(credentialsFromDockerConfig(config, "ghcr.io"), {
    username: "me",
    password: "secret",
  });
  assert.deepEqual(credentialsFromDockerConfig(config, "registry.example:5000"), {
    username: "u",
    password: "p",
  });
  assert.deepEqual(credentialsFromDockerConfig(config, "tok.example"), { token: "t0k" });
  assert.equal(credentialsFromDockerConfig(config, "other.example"), undefined);
  assert.equal(credentialsFromDockerConfig("not json", "ghcr.io"), undefined);
});

Deno.test("OciClient answers a bearer challenge once per scope and fetches the next scope's token first", async () => {
  let tokens = 0;
  const srv = serve((req, url) => {
    if (url.pathname === "/token") {
      tokens++;
      assert.equal(req.headers.get("authorization"), `Basic ${enc.encode("me:pw").toBase64()}`);
      assert.equal(url.searchParams.get("service"), "test");
      return Response.json({ token: `T:${url.searchParams.get("scope")}`, expires_in: 300 });
    }
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    const auth = req.headers.get("authorization");
    if (m === null) return new Response("no", { status: 404 });
    if (auth !== `Bearer T:repository:${m[1]}:pull`) {
      return new Response(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "auth" }] }), {
        status: 401,
        headers: {
          "www-authenticate":
            `Bearer realm="http://${srv.host}/token",service="test",scope="repository:${
              m[1]
            }:pull"`,
        },
      });
    }
    return Response.json({ name: m[1], tags: ["1.0.0"] });
  });
  try {
    const client = new OciClient({
      host: srv.host,
      credentials: { username: "me", password: "pw" },
    });
    assert.deepEqual(await client.tags("ns/a"), ["1.0.0"]);
    assert.deepEqual(await client.tags("ns/a"), ["1.0.0"]);
    assert.deepEqual(await client.tags("ns/b"), ["1.0.0"]);
    assert.equal(tokens, 2);
    // a: 401, token, retry, then the cached token; b: token first, no 401.
    assert.deepEqual(
      srv.log.map((l) => `${l.path.split("?")[0]} ${l.auth === null ? "-" : "auth"}`),
      [
        "/v2/ns/a/tags/list -",
        "/token auth",
        "/v2/ns/a/tags/list auth",
        "/v2/ns/a/tags/list auth",
        "/token auth",
        "/v2/ns/b/tags/list auth",
      ],
    );
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient reports refused credentials as unauthorized and says whether it had any", async () => {
  const srv = serve((_req, url) => {
    if (url.pathname === "/token") return new Response("no", { status: 401 });
    return new Response("{}", {
      status: 401,
      headers: { "www-authenticate": `Bearer realm="http://${srv.host}/token",service="s"` },
    });
  });
  try {
    await rejects(
      new OciClient({ host: srv.host }).tags("x/y"),
      "unauthorized",
      /no credentials are configured/,
    );
    await rejects(
      new OciClient({ host: srv.host, credentials: { username: "a", password: "b" } }).tags("x/y"),
      "unauthorized",
      /credentials were refused/,
    );
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient answers a Basic challenge with the credentials", async () => {
  const want = `Basic ${enc.encode("u:p").toBase64()}`;
  const srv = serve((req) =>
    req.headers.get("authorization") === want
      ? Response.json({ tags: ["0.1.0"] })
      : new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } })
  );
  try {
    const client = new OciClient({ host: srv.host, credentials: { username: "u", password: "p" } });
    assert.deepEqual(await client.tags("a/b"), ["0.1.0"]);
    await rejects(new OciClient({ host: srv.host }).tags("a/b"), "unauthorized");
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient follows a blob redirect to another host without sending Authorization", async () => {
  const bytes = enc.encode("the layer bytes");
  const digest = await digestOf(bytes);
  const cdn = serve(() => new Response(bytes), "localhost");
  const srv = serve((req, url) => {
    if (req.headers.get("authorization") !== "Bearer preset") {
      return new Response("", { status: 401 });
    }
    return new Response(null, {
      status: 307,
      headers: { location: `http://${cdn.host}/blob${url.pathname}?sig=secret` },
    });
  });
  try {
    const client = new OciClient({ host: srv.host, credentials: { token: "preset" } });
    const got = await client.blob("a/b", { digest, size: bytes.length });
    assert.deepEqual(got, bytes);
    assert.equal(srv.log[0].auth, "Bearer preset");
    assert.equal(cdn.log.length, 1);
    assert.equal(cdn.log[0].auth, null);
  } finally {
    await srv.close();
    await cdn.close();
  }
});

Deno.test("OciClient refuses blobs that hash or measure wrong, and stops at the descriptor's size", async () => {
  const bytes = enc.encode("0123456789");
  const digest = await digestOf(bytes);
  let mode = "wrong";
  const srv = serve(() => {
    if (mode === "wrong") return new Response(enc.encode("9876543210"));
    if (mode === "long-declared") return new Response(new Uint8Array(1000));
    if (mode === "short") {
      // No Content-Length: the stream just ends early.
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(bytes.slice(0, 5));
            c.close();
          },
        }),
      );
    }
    // Streams forever without a length: must stop right after the size is passed.
    let sent = 0;
    return new Response(
      new ReadableStream({
        pull(c) {
          sent += 4;
          c.enqueue(new Uint8Array(4));
          if (sent > 1 << 24) c.close();
        },
      }),
    );
  });
  try {
    const client = new OciClient({ host: srv.host });
    await rejects(client.blob("a/b", { digest, size: 10 }), "integrity", /hash to sha256:/);
    mode = "long-declared";
    await rejects(
      client.blob("a/b", { digest, size: 10 }),
      "integrity",
      /announces 1000 bytes, and its descriptor says 10/,
    );
    mode = "endless";
    await rejects(
      client.blob("a/b", { digest, size: 10 }),
      "too-large",
      /sent more than its descriptor's 10 bytes/,
    );
    mode = "short";
    await rejects(client.blob("a/b", { digest, size: 10 }), "integrity", /sent 5 bytes/);
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient verifies a manifest against the digest asked for and the one announced", async () => {
  const manifest = enc.encode('{"schemaVersion":2}');
  const digest = await digestOf(manifest);
  let announce = digest as string;
  const srv = serve((req) => {
    assert.match(
      req.headers.get("accept") ?? "",
      /application\/vnd\.oci\.image\.manifest\.v1\+json/,
    );
    return new Response(manifest, {
      headers: {
        "docker-content-digest": announce,
        "content-type": "application/vnd.oci.image.manifest.v1+json",
      },
    });
  });
  try {
    const client = new OciClient({ host: srv.host });
    const m = await client.manifest("a/b", "1.0.0");
    assert.equal(m?.digest, digest);
    assert.equal(m?.contentType, "application/vnd.oci.image.manifest.v1+json");
    await rejects(client.manifest("a/b", `sha256:${"0".repeat(64)}`), "integrity");
    announce = `sha256:${"1".repeat(64)}`;
    await rejects(client.manifest("a/b", "1.0.0"), "integrity", /announces sha256:1111/);
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient follows Link pages of tags and answers undefined for a missing repository", async () => {
  const srv = serve((_req, url) => {
    if (url.pathname === "/v2/none/x/tags/list") {
      return new Response(JSON.stringify({ errors: [{ code: "NAME_UNKNOWN" }] }), { status: 404 });
    }
    const last = url.searchParams.get("last");
    if (last === null) {
      return Response.json({ tags: ["a", "b"] }, {
        headers: { link: '</v2/p/x/tags/list?n=2&last=b>; rel="next"' },
      });
    }
    if (last === "b") {
      return Response.json({ tags: ["c", "d"] }, {
        headers: { link: `<http://${srv.host}/v2/p/x/tags/list?n=2&last=d>; rel="next"` },
      });
    }
    return Response.json({ tags: ["e"] });
  });
  try {
    const client = new OciClient({ host: srv.host });
    assert.deepEqual(await client.tags("p/x"), ["a", "b", "c", "d", "e"]);
    assert.equal(await client.tags("none/x"), undefined);
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient times out when an answer stalls", async () => {
  const srv = serve(() =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(enc.encode('{"tags":['));
        },
      }),
    )
  );
  try {
    const client = new OciClient({ host: srv.host, timeoutMs: 300 });
    await rejects(
      client.tags("a/b"),
      "timeout",
      /slowed to 9 bytes in 0\.3 s/,
    );
  } finally {
    await srv.close();
  }
});

Deno.test("OciClient refuses plain HTTP to a host that is not loopback", () => {
  assert.throws(
    () => new OciClient({ host: "registry.example", protocol: "http:" }),
    (e: unknown) => e instanceof OciClientError && e.code === "insecure",
  );
  assert.equal(new OciClient({ host: "registry.example" }).origin, "https://registry.example");
  assert.equal(new OciClient({ host: "localhost:5000" }).origin, "http://localhost:5000");
});

Deno.test("OciClient says which host could not be reached", async () => {
  const srv = serve(() => new Response());
  const host = srv.host;
  await srv.close();
  await rejects(new OciClient({ host }).tags("a/b"), "unreachable", /connection refused/);
});

Deno.test("parseDiscoveryDocument() reads the current and the older form", () => {
  assert.deepEqual(
    parseDiscoveryDocument(
      '{"preferredProtocol":"oci","oci":{"registry":"ghcr.io","namespacePrefix":"webassembly/"}}',
      "doc",
      "wasi.dev",
    ),
    { registry: "ghcr.io", namespacePrefix: "webassembly/" },
  );
  assert.deepEqual(
    parseDiscoveryDocument('{"ociRegistry":"r.example:5000","ociNamespacePrefix":"p"}', "doc", "x"),
    { registry: "r.example:5000", namespacePrefix: "p/" },
  );
  assert.throws(
    () => parseDiscoveryDocument('{"preferredProtocol":"warg"}', "doc", "x"),
    /prefers protocol "warg"/,
  );
  assert.throws(() => parseDiscoveryDocument("[]", "doc", "x"), /expected a JSON object/);
  assert.deepEqual(parseDiscoveryDocument('{"oci":{}}', "doc", "x.example"), {
    registry: "x.example",
    namespacePrefix: "",
  });
  assert.throws(() => parseDiscoveryDocument('{"other":1}', "doc", "x"), /has no "oci" block/);
});

Deno.test("discoverRegistry() caches the document by max-age, then revalidates it with its ETag", async () => {
  let etag = '"v1"';
  const srv = serve((req, url) => {
    if (url.pathname !== "/.well-known/wasm-pkg/registry.json") {
      return new Response("", { status: 404 });
    }
    if (req.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers: { etag, "cache-control": "max-age=60" } });
    }
    return Response.json({ oci: { registry: "ghcr.io", namespacePrefix: "webassembly/" } }, {
      headers: { etag, "cache-control": "max-age=60" },
    });
  });
  try {
    const cache = memoryDiscoveryCache();
    let now = 1_000_000;
    const opts = { cache, now: () => now };
    const want = { host: "ghcr.io", prefix: "webassembly/", protocol: "https:" };
    assert.deepEqual(await discoverRegistry(srv.host, opts), want);
    assert.deepEqual(await discoverRegistry(srv.host, opts), want);
    assert.equal(srv.log.length, 1, "fresh for 60 s: no second request");
    now += 61_000;
    assert.deepEqual(await discoverRegistry(srv.host, opts), want);
    assert.equal(srv.log.length, 2);
    assert.equal(srv.log[1].path, "/.well-known/wasm-pkg/registry.json");
    etag = '"v2"';
    now += 61_000;
    assert.deepEqual(await discoverRegistry(srv.host, opts), want);
    assert.equal(srv.log.length, 3);
  } finally {
    await srv.close();
  }
});

Deno.test("discoverRegistry() takes a 404 as 'the name is the OCI registry' and fails on other errors", async () => {
  let status = 404;
  const srv = serve(() => new Response("", { status }));
  try {
    assert.deepEqual(await discoverRegistry(srv.host), {
      host: srv.host,
      prefix: "",
      protocol: "http:",
    });
    status = 500;
    await rejects(discoverRegistry(srv.host), "refused", /answered 500/);
  } finally {
    await srv.close();
  }
});
