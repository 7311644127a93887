import assert from "node:assert/strict";
import { networkReason, RegistryClient, registrySaid } from "./_client.ts";
import { CliError, EXIT } from "./_command.ts";
import { mayCarrySecrets } from "../oci/mod.ts";
import { type Digest, digestOf } from "../lib/names/mod.ts";

const BLOB = new TextEncoder().encode("the bytes");

/** A registry stand-in on 127.0.0.1 that answers by path. */
async function withServer(
  f: (url: string, seen: Request[]) => Promise<void>,
): Promise<void> {
  const seen: Request[] = [];
  const good = await digestOf(BLOB);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push(req);
    const path = new URL(req.url).pathname;
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    if (path === "/api/v1/packages/docs/x/index") {
      return json(200, { name: "docs:x", kind: "component", versions: [] });
    }
    if (path.endsWith("/index")) {
      return json(404, { code: "not-found", message: "Cannot find package docs:y." });
    }
    if (path === "/api/v1/whoami") {
      return req.headers.get("authorization") === "Bearer good"
        ? json(200, { admin: false })
        : json(401, { code: "invalid-token", message: "The token is unknown." });
    }
    if (path.startsWith("/api/v1/packages/docs/x/1.0.0/yank")) {
      return json(403, { code: "missing-scope", message: "The token lacks the yank scope." });
    }
    if (path === "/api/v1/search") return json(500, { code: "internal", message: "Boom." });
    if (path === `/api/v1/blobs/${good}`) return new Response(BLOB);
    if (path.startsWith("/api/v1/blobs/")) return new Response(new TextEncoder().encode("other"));
    if (path === "/slow") {
      await new Promise((r) => setTimeout(r, 2000));
      return json(200, {});
    }
    return new Response("plain text error", { status: 502 });
  });
  try {
    await f(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

function failsWith(code: number, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof CliError, String(e));
    assert.equal(e.exitCode, code, e.message);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  };
}

Deno.test("documents are read as JSON, and a missing package is undefined", async () => {
  await withServer(async (url) => {
    const c = new RegistryClient({ url: `${url}/` });
    assert.equal(c.url, url);
    assert.deepEqual(await c.packageIndex("docs:x"), {
      name: "docs:x",
      kind: "component",
      versions: [],
    });
    assert.equal(await c.packageIndex("docs:y"), undefined);
  });
});

Deno.test("401 and 403 are auth errors (4) with the server's code and message", async () => {
  await withServer(async (url, seen) => {
    await assert.rejects(
      new RegistryClient({ url, token: "bad" }).whoami(),
      failsWith(EXIT.auth, /does not accept the token: The token is unknown \[invalid-token\]/),
    );
    assert.equal(seen.at(-1)!.headers.get("authorization"), "Bearer bad");
    assert.deepEqual(await new RegistryClient({ url, token: "good" }).whoami(), { admin: false });
    await assert.rejects(
      new RegistryClient({ url, token: "good" }).setYanked("docs:x", "1.0.0", true),
      failsWith(
        EXIT.auth,
        /^Cannot yank docs:x@1\.0\.0: .* does not allow it: .*\[missing-scope\]$/,
      ),
    );
  });
});

Deno.test("an action that needs a token fails before any request when there is none", async () => {
  await withServer(async (url, seen) => {
    await assert.rejects(
      new RegistryClient({ url }).whoami(),
      failsWith(EXIT.auth, /no token for the registry at .*; run `wreg login/),
    );
    assert.equal(seen.length, 0);
  });
});

Deno.test("other error answers are registry errors (5), with or without a JSON body", async () => {
  await withServer(async (url) => {
    const c = new RegistryClient({ url });
    await assert.rejects(
      c.search({ q: "x" }),
      failsWith(EXIT.registry, /answered 500: Boom \[internal\]$/),
    );
    await assert.rejects(
      c.json("/elsewhere", { action: "look" }),
      failsWith(EXIT.registry, /^Cannot look: the registry at .* answered 502: 502 Bad Gateway$/),
    );
  });
});

Deno.test("a download is checked against its digest (6)", async () => {
  await withServer(async (url) => {
    const c = new RegistryClient({ url });
    const progress: number[] = [];
    const good = await digestOf(BLOB);
    assert.deepEqual(await c.blob(good, "docs:x@1.0.0", (n) => progress.push(n)), BLOB);
    assert.equal(progress.at(-1), BLOB.length);
    const wrong = `sha256:${"0".repeat(64)}` as Digest;
    await assert.rejects(
      c.blob(wrong, "docs:x@1.0.0"),
      failsWith(
        EXIT.integrity,
        /^Cannot use docs:x@1\.0\.0: the bytes downloaded from .* hash to sha256:/,
      ),
    );
  });
});

Deno.test("an unreachable registry and a silent one are network errors (3)", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = (l.addr as Deno.NetAddr).port;
  l.close();
  await assert.rejects(
    new RegistryClient({ url: `http://127.0.0.1:${closed}` }).packageIndex("docs:x"),
    failsWith(
      EXIT.network,
      /^Cannot reach the registry at http:\/\/127\.0\.0\.1:\d+ to look up docs:x \(connection refused\)$/,
    ),
  );
  await withServer(async (url) => {
    await assert.rejects(
      new RegistryClient({ url, timeoutMs: 100 }).json("/slow", { action: "wait" }),
      failsWith(
        EXIT.network,
        /^Cannot reach the registry at .* to wait \(no answer within 0\.1 s\)$/,
      ),
    );
  });
});

Deno.test("at most maxConnections requests to a registry are in flight at once", async () => {
  let open = 0, most = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    open++;
    most = Math.max(most, open);
    await new Promise((r) => setTimeout(r, 10));
    open--;
    const name = new URL(req.url).pathname.split("/")[5];
    return Response.json({ name: `docs:${name}`, kind: "component", versions: [] });
  });
  try {
    const c = new RegistryClient({
      url: `http://127.0.0.1:${server.addr.port}`,
      maxConnections: 3,
    });
    const docs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => c.packageIndex(`docs:p${i}`)),
    );
    assert.deepEqual(docs.map((d) => d!.name), Array.from({ length: 40 }, (_, i) => `docs:p${i}`));
    assert.ok(most <= 3, `${most} in flight`);
    assert.ok(most >= 2, "requests do run side by side");
  } finally {
    await server.shutdown();
  }
});

Deno.test("network reasons are short", () => {
  const refused = new TypeError("fetch failed", {
    cause: new Error(
      "error sending request for url (http://x/): client error (Connect): tcp connect error: Connection refused (os error 111)",
    ),
  });
  assert.equal(networkReason(refused, 1000), "connection refused");
  const dns = new TypeError("fetch failed", {
    cause: new Error("client error (Connect): dns error: failed to lookup address information"),
  });
  assert.equal(
    networkReason(dns, 1000),
    "cannot resolve the host name (failed to lookup address information)",
  );
  assert.equal(
    networkReason(new DOMException("x", "TimeoutError"), 30000),
    "no answer within 30 s",
  );
});

Deno.test("a token goes only over HTTPS or to loopback, and never follows a redirect to another origin", async () => {
  await assert.rejects(
    new RegistryClient({ url: "http://registry.example", token: "t" }).whoami(),
    failsWith(
      EXIT.usage,
      /^Cannot check the token: the registry at http:\/\/registry\.example uses plain HTTP/,
    ),
  );
  for (
    const [url, ok] of [
      ["https://registry.example", true],
      ["http://127.0.0.1:8080", true],
      ["http://127.9.0.1", true],
      ["http://localhost:1", true],
      ["http://[::1]:80", true],
      ["http://10.0.0.1", false],
      ["http://127.0.0.1.example", false],
      ["http://localhost.example", false],
    ] as const
  ) {
    assert.equal(mayCarrySecrets(url), ok, url);
  }
  // Deno's fetch drops Authorization on a redirect to another origin: the client relies on it.
  const seen: (string | null)[] = [];
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(req.headers.get("authorization"));
    return Response.json({ code: "invalid-token", message: "No" }, { status: 401 });
  });
  const first = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response(null, {
        status: 307,
        headers: { location: `http://localhost:${other.addr.port}/api/v1/whoami` },
      }),
  );
  try {
    await assert.rejects(
      new RegistryClient({ url: `http://127.0.0.1:${first.addr.port}`, token: "t" }).whoami(),
      failsWith(EXIT.auth, /does not accept the token/),
    );
    assert.deepEqual(seen, [null]);
  } finally {
    await first.shutdown();
    await other.shutdown();
  }
});

Deno.test("the registry's message ends the line once: its own 'Cannot X:' dropped, no control characters", () => {
  assert.equal(
    registrySaid('Cannot publish acme:kv@1.0.0: token t1 is limited to namespaces ["bobs"].'),
    'token t1 is limited to namespaces ["bobs"]',
  );
  assert.equal(registrySaid("Cannot authenticate: the token is unknown"), "the token is unknown");
  assert.equal(registrySaid("Cannot publish acme:kv@1.0.0"), "Cannot publish acme:kv@1.0.0");
  assert.equal(registrySaid("The token lacks the yank scope."), "The token lacks the yank scope");
  assert.equal(registrySaid("two\nlines\u001b[2Jand\u0007more"), "two lines [2Jand more");
  assert.equal(registrySaid("x".repeat(1000)).length, 400);
});
