/**
 * Issue 17, the registry's side: each defect an attacker found, reproduced in-process against
 * the fetch handler (memory storage unless the storage's own rule is what is tested). Defects that
 * need a real socket or a process limit live in tests/registry_server_limits_test.ts.
 */
import assert from "node:assert/strict";
import { digestOf, type PackageName, parseVersion } from "../lib/names/mod.ts";
import { createApp, createRegistry } from "../registry/mod.ts";
import { openMemoryStorage, openStorage, type Storage } from "../storage/mod.ts";
import {
  Client,
  component,
  PROCESSOR_0_1_2_BREAKING,
  PROCESSOR_WIT,
  processorAt,
  ROOT,
  withCustomSections,
  witPackage,
} from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";

function app(storage: Storage = openMemoryStorage()) {
  return { client: new Client(createApp({ storage, adminToken: ADMIN })), storage };
}

Deno.test("a publish or yank token of an owner cannot change the namespace's members (issue 17 #3)", async () => {
  const { client: c } = app();
  const alice = await c.token(ADMIN, "alice", ["publish", "yank"]);
  assert.equal(
    (await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT))).status,
    201,
  );
  for (const scopes of [["publish"], ["yank"], ["publish", "yank"]]) {
    const t = await c.token(ADMIN, "alice", scopes);
    const add = await c.call("PUT", "/api/v1/namespaces/docs/members/mallory", {
      token: t,
      json: { role: "owner" },
    });
    assert.equal(add.status, 403, `${scopes}: ${add.text}`);
    assert.equal(add.json.code, "missing-scope");
    assert.match(add.json.message, /"owners"/);
    const remove = await c.call("DELETE", "/api/v1/namespaces/docs/members/alice", { token: t });
    assert.equal(remove.status, 403, `${scopes}: ${remove.text}`);
    assert.equal(remove.json.code, "missing-scope");
  }
  const ns = await c.call("GET", "/api/v1/namespaces/docs");
  assert.deepEqual(ns.json.members.map((m: { user: string }) => m.user), ["alice"]);

  // The owners scope (of an owner) and an admin token can.
  const owners = await c.token(ADMIN, "alice", ["owners"]);
  const added = await c.call("PUT", "/api/v1/namespaces/docs/members/bob", {
    token: owners,
    json: { role: "owner" },
  });
  assert.equal(added.status, 200, added.text);
  // ... but an owners token of someone who is not an owner cannot.
  const carol = await c.token(ADMIN, "carol", ["owners"]);
  const notOwner = await c.call("DELETE", "/api/v1/namespaces/docs/members/bob", { token: carol });
  assert.equal(notOwner.status, 403);
  assert.equal(notOwner.json.code, "not-owner");
  const byAdmin = await c.call("DELETE", "/api/v1/namespaces/docs/members/bob", { token: ADMIN });
  assert.equal(byAdmin.status, 200, byAdmin.text);
  // An owners token cannot publish.
  const publish = await c.publish(
    owners,
    "docs:processor",
    "0.1.1",
    witPackage(processorAt("0.1.1")),
  );
  assert.equal(publish.status, 403);
  assert.equal(publish.json.code, "missing-scope");
});

Deno.test("a version differing only in build metadata is refused as existing, and does not block a compatible release (issue 17 #2)", async () => {
  for (const open of [openMemoryStorage, tempStorage]) {
    const storage = await open();
    const { client: c } = app(storage);
    try {
      const alice = await c.token(ADMIN, "alice");
      const good = await component(PROCESSOR_WIT, "processor");
      const breaking = await component(PROCESSOR_0_1_2_BREAKING, "processor");
      assert.equal((await c.publish(alice, "docs:app", "1.0.0", good)).status, 201);
      const evil = await c.publish(alice, "docs:app", "1.0.0+evil", breaking);
      assert.equal(evil.status, 409, evil.text);
      assert.equal(evil.json.code, "version-exists");
      assert.match(evil.json.message, /version 1\.0\.0 is already published.*build metadata/);
      const index = await c.call("GET", "/api/v1/packages/docs/app/index");
      assert.deepEqual(index.json.versions.map((v: { version: string }) => v.version), ["1.0.0"]);
      // A compatible 1.0.1 is still accepted.
      assert.equal((await c.publish(alice, "docs:app", "1.0.1", good)).status, 201);

      // The other way round: 2.0.0+build first, then 2.0.0.
      assert.equal((await c.publish(alice, "docs:app", "2.0.0+build.1", good)).status, 201);
      const plain = await c.publish(alice, "docs:app", "2.0.0", breaking);
      assert.equal(plain.status, 409, plain.text);
      assert.equal(plain.json.code, "version-exists");
      assert.equal(plain.json.details.existing, "2.0.0+build.1");
    } finally {
      await storage.close();
    }
  }
});

async function tempStorage(): Promise<Storage> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-hardening-" });
  const storage = await openStorage({ dataDir: dir });
  return {
    metadata: storage.metadata,
    blobs: storage.blobs,
    async close() {
      await storage.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("package names and namespaces have a length limit, and refusals do not echo them (issue 17 #4)", async () => {
  const { client: c, storage } = app();
  const alice = await c.token(ADMIN, "alice");
  const bytes = await component(PROCESSOR_WIT, "processor");
  for (
    const path of [`docs:${"a".repeat(60_000)}`, `${"n".repeat(5_000)}:x`, `docs:${"b".repeat(65)}`]
  ) {
    const res = await c.publish(alice, path, "1.0.0", bytes);
    assert.equal(res.status, 400);
    assert.equal(res.json.code, "invalid-name");
    assert.ok(res.bytes.length < 2_000, `${res.bytes.length} bytes`);
  }
  assert.equal((await c.publish(alice, `docs:${"b".repeat(64)}`, "1.0.0", bytes)).status, 201);
  // Tokens limited to an overlong namespace are refused too.
  const token = await c.call("POST", "/api/v1/tokens", {
    token: ADMIN,
    json: { owner: "bob", namespaces: ["n".repeat(5_000)] },
  });
  assert.equal(token.status, 400);
  assert.equal((await storage.metadata.totals()).packages, 1);
});

Deno.test("the 404 page of a long missing name answers, even beside a long name stored before the limit (issue 17 #4)", async () => {
  const storage = openMemoryStorage();
  // A name from before the limit, written straight into the storage.
  const long = "a".repeat(20_000);
  const bytes = witPackage(PROCESSOR_WIT);
  await storage.metadata.commitVersion({
    name: { namespace: "docs", name: long } as unknown as PackageName,
    version: parseVersion("1.0.0"),
    kind: "wit-package",
    digest: await digestOf(bytes),
    size: bytes.length,
    publisher: "old",
    document: {},
    searchRows: [],
  });
  const { client: c } = app(storage);
  for (const path of [`/docs/${long}b`, `/docs/${"a".repeat(100)}`, `/${"x".repeat(50_000)}`]) {
    const page = await c.call("GET", path, { headers: { accept: "text/html" } });
    assert.equal(page.status, 404);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    assert.ok(page.bytes.length < 20_000, `${page.bytes.length} bytes`);
  }
});

Deno.test("failed authentication is throttled per client with 429 and Retry-After (issue 17 #12)", async () => {
  // Reproduced before the fix: 1,810 wrong tokens a second were all answered 401.
  let now = Date.parse("2026-01-01T00:00:00Z");
  const storage = openMemoryStorage();
  const registry = createRegistry({ storage, adminToken: ADMIN, clock: () => new Date(now) });
  try {
    const from = (hostname: string) => ({
      remoteAddr: { transport: "tcp" as const, hostname, port: 40000 },
    });
    const call = async (token: string, hostname: string) => {
      const res = await registry.handle(
        new Request("http://registry.test/api/v1/whoami", {
          headers: { authorization: `Bearer ${token}` },
        }),
        from(hostname),
      );
      return {
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        body: await res.json(),
      };
    };
    const c = new Client((req) => Promise.resolve(registry.handle(req, from("10.0.0.9"))));
    const good = await c.token(ADMIN, "alice");
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await call(`wreg_guess${i}`, "10.0.0.1")).status);
    assert.deepEqual(statuses, [...new Array(10).fill(401), 429, 429]);
    const limited = await call(good, "10.0.0.1");
    assert.equal(limited.status, 429, "a right token from a throttled client is refused too");
    assert.equal(limited.body.code, "rate-limited");
    assert.ok(Number(limited.retryAfter) >= 1, String(limited.retryAfter));
    // Another client is not affected; an IPv6 client is one /64.
    assert.equal((await call(good, "10.0.0.2")).status, 200);
    for (let i = 0; i < 10; i++) await call(`wreg_v6guess${i}`, `2001:db8:0:1::${i + 1}`);
    assert.equal((await call(good, "2001:db8:0:1:ffff::1")).status, 429);
    assert.equal((await call(good, "2001:db8:0:2::1")).status, 200);
    // Time forgives.
    now += Number(limited.retryAfter) * 1000;
    assert.equal((await call(good, "10.0.0.1")).status, 200);
  } finally {
    registry.close();
    await storage.close();
  }
});

Deno.test("admin tokens under 16 characters are refused (issue 17 #12)", async () => {
  const storage = openMemoryStorage();
  try {
    assert.throws(
      () => createRegistry({ storage, adminToken: "secret" }),
      /admin token: it has 6 characters, at least 16/,
    );
    const main = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        `${ROOT}/deno.json`,
        `${ROOT}/registry/main.ts`,
        "--memory",
        "--port",
        "0",
        "--admin-token",
        "a",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(main.code, 2);
    assert.match(new TextDecoder().decode(main.stderr), /at least 16 are needed/);
  } finally {
    await storage.close();
  }
});

Deno.test("reserved namespaces are not claimed by a first publish; an admin assigns them (issue 17 #5)", async () => {
  // Reproduced before the fix: anyone's token published wasi:cli@0.2.12 and claimed "wasi".
  const storage = openMemoryStorage();
  const c = new Client(createApp({ storage, adminToken: ADMIN, reservedNamespaces: ["acme"] }));
  const mallory = await c.token(ADMIN, "mallory");
  const wasi = witPackage(
    PROCESSOR_WIT.replace("package docs:processor@0.1.0;", "package wasi:cli@0.2.12;"),
  );
  const squat = await c.publish(mallory, "wasi:cli", "0.2.12", wasi);
  assert.equal(squat.status, 403, squat.text);
  assert.equal(squat.json.code, "namespace-reserved");
  assert.match(squat.json.message, /PUT \/api\/v1\/namespaces\/\{namespace\}/);
  const acme = await c.publish(
    mallory,
    "acme:app",
    "1.0.0",
    await component(PROCESSOR_WIT, "processor"),
  );
  assert.equal(acme.json.code, "namespace-reserved", "a configured reservation holds too");
  assert.equal((await c.call("GET", "/api/v1/namespaces/wasi")).status, 404);
  assert.equal((await storage.metadata.totals()).packages, 0);

  // Only the admin assigns; then the owners publish, and nobody else.
  const notAdmin = await c.call("PUT", "/api/v1/namespaces/wasi", {
    token: mallory,
    json: { owners: ["mallory"] },
  });
  assert.equal(notAdmin.status, 403);
  assert.equal(notAdmin.json.code, "admin-required");
  const badBody = await c.call("PUT", "/api/v1/namespaces/wasi", {
    token: ADMIN,
    json: { owners: [] },
  });
  assert.equal(badBody.status, 400);
  const created = await c.call("PUT", "/api/v1/namespaces/wasi", {
    token: ADMIN,
    json: { owners: ["bytecodealliance", "wasi-sig"] },
  });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(
    created.json.members.map((m: { user: string; role: string }) => [m.user, m.role]),
    [["bytecodealliance", "owner"], ["wasi-sig", "owner"]],
  );
  const again = await c.call("PUT", "/api/v1/namespaces/wasi", {
    token: ADMIN,
    json: { owners: ["wasi-sig", "third"] },
  });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.members.length, 3);
  const ba = await c.token(ADMIN, "bytecodealliance");
  assert.equal((await c.publish(ba, "wasi:cli", "0.2.12", wasi)).status, 201);
  const stillSquat = await c.publish(mallory, "wasi:cli", "0.2.13", wasi);
  assert.equal(stillSquat.status, 403);
  // An unreserved namespace can be assigned ahead of its first publish too.
  assert.equal(
    (await c.call("PUT", "/api/v1/namespaces/docs", { token: ADMIN, json: { owners: ["alice"] } }))
      .status,
    201,
  );
  const first = await c.publish(mallory, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT));
  assert.equal(first.status, 403);
  assert.equal(first.json.code, "namespace-forbidden");
});

/**
 * Runs `body` while recording the main thread's `JSON.parse` inputs and `JSON.stringify` outputs
 * longer than `threshold` characters (the decoder's workers have their own `JSON`).
 */
async function watchJson<T>(threshold: number, body: () => Promise<T>) {
  const { parse, stringify } = JSON;
  const large: string[] = [];
  JSON.parse = ((text: string, reviver?: (k: string, v: unknown) => unknown) => {
    if (typeof text === "string" && text.length > threshold) large.push(`parse ${text.length}`);
    return parse(text, reviver);
  }) as typeof JSON.parse;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    const out = stringify(...args);
    if (typeof out === "string" && out.length > threshold) large.push(`stringify ${out.length}`);
    return out;
  }) as typeof JSON.stringify;
  try {
    return { result: await body(), large };
  } finally {
    JSON.parse = parse;
    JSON.stringify = stringify;
  }
}

Deno.test("a publish too large for its document is measured and refused off the main thread (issue 17 #7)", async () => {
  // Reproduced before the fix: the composed-from JSON was parsed and the whole document
  // stringified on the main thread before the size check (a 119 MB publish held /healthz 3.4 s).
  const limit = 256 * 1024;
  const storage = openMemoryStorage();
  const c = new Client(
    createApp({ storage, adminToken: ADMIN, limits: { maxDocumentBytes: limit } }),
  );
  const alice = await c.token(ADMIN, "alice");
  const base = await component(PROCESSOR_WIT, "processor");
  // A composed-from record of 2 MB (valid JSON, so the old code parsed it all).
  const record = JSON.stringify({ components: [{ name: "x".repeat(2 * 1024 * 1024) }] });
  const composed = withCustomSections(base, { "wreg:composed-from": record });
  const a = await watchJson(64 * 1024, () => c.publish(alice, "docs:big", "1.0.0", composed));
  assert.deepEqual(a.large, [], "nothing large was parsed or serialized on the main thread");
  assert.equal(a.result.status, 400, a.result.text);
  assert.equal(a.result.json.code, "document-too-large");

  // A WIT package whose doc comments make a 1 MB document.
  const docs = `/// ${"d".repeat(1024 * 1024)}\n`;
  const wordy = witPackage(PROCESSOR_WIT.replace("interface types {", `${docs}interface types {`));
  const b = await watchJson(64 * 1024, () => c.publish(alice, "docs:processor", "0.1.0", wordy));
  assert.deepEqual(b.large, []);
  assert.equal(b.result.status, 400, b.result.text);
  assert.equal(b.result.json.code, "document-too-large");
  assert.equal((await storage.metadata.totals()).packages, 0);

  // Within the limit the document keeps everything, composed-from included.
  const small = withCustomSections(base, {
    "wreg:composed-from": JSON.stringify({ components: [], fills: [] }),
  });
  const ok = await c.publish(alice, "docs:fine", "1.0.0", small);
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.compat, null);
});

Deno.test("a missing blob answers 404 to If-None-Match, not 304 (issue 17 #17)", async () => {
  const { client: c } = app();
  const missing = `sha256:${"ab".repeat(32)}`;
  for (const path of [`/api/v1/blobs/${missing}`]) {
    const res = await c.call("GET", path, { headers: { "if-none-match": `"${missing}"` } });
    assert.equal(res.status, 404, res.text);
    const star = await c.call("GET", path, { headers: { "if-none-match": "*" } });
    assert.equal(star.status, 404);
  }
  // A blob that exists still answers 304.
  const alice = await c.token(ADMIN, "alice");
  const bytes = witPackage(PROCESSOR_WIT);
  const p = await c.publish(alice, "docs:processor", "0.1.0", bytes);
  const etag = `"${p.json.digest}"`;
  const cached = await c.call("GET", `/api/v1/blobs/${p.json.digest}`, {
    headers: { "if-none-match": etag },
  });
  assert.equal(cached.status, 304);
});

Deno.test("blank and invisible user names are refused for tokens and members (issue 17 #18)", async () => {
  const { client: c } = app();
  for (
    const owner of [" ", "\u200b", "\u3164", "a\u202eb", "a  b", " alice", "alice ", "\t", "\u2800"]
  ) {
    const res = await c.call("POST", "/api/v1/tokens", { token: ADMIN, json: { owner } });
    assert.equal(res.status, 400, `${JSON.stringify(owner)}: ${res.text}`);
    assert.equal(res.json.code, "invalid-body");
  }
  for (const owner of ["alice", "Ada Lovelace", "José", "ci-bot[1]"]) {
    const res = await c.call("POST", "/api/v1/tokens", { token: ADMIN, json: { owner } });
    assert.equal(res.status, 201, `${owner}: ${res.text}`);
  }
  const alice = await c.token(ADMIN, "alice");
  assert.equal(
    (await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT))).status,
    201,
  );
  for (const user of ["%E2%80%8B", "%20", "%E3%85%A4"]) {
    const res = await c.call("PUT", `/api/v1/namespaces/docs/members/${user}`, {
      token: ADMIN,
      json: { role: "owner" },
    });
    assert.equal(res.status, 400, `${user}: ${res.text}`);
  }
});

Deno.test("token answers are not stored; JSON and WIT answers are not sniffed (issue 17 #19)", async () => {
  const { client: c } = app();
  const created = await c.call("POST", "/api/v1/tokens", {
    token: ADMIN,
    json: { owner: "alice" },
  });
  assert.equal(created.headers.get("cache-control"), "no-store");
  const token = created.json.token;
  for (const [method, path] of [["GET", "/api/v1/tokens?owner=alice"], ["GET", "/api/v1/whoami"]]) {
    const res = await c.call(method, path, { token: path.includes("whoami") ? token : ADMIN });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("cache-control"), "no-store", path);
  }
  const p = await c.publish(token, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT));
  for (
    const path of [
      "/api/v1",
      "/api/v1/packages/docs/processor",
      "/api/v1/packages/docs/processor/0.1.0",
      "/api/v1/packages/docs/processor/0.1.0/wit",
      "/api/v1/packages/docs/nothing",
      `/api/v1/blobs/${p.json.digest}`,
    ]
  ) {
    const res = await c.call("GET", path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
  }
});

Deno.test("the last-owner refusal says its hint once (issue 17 #20)", async () => {
  const { client: c } = app();
  const alice = await c.token(ADMIN, "alice");
  await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT));
  const res = await c.call("DELETE", "/api/v1/namespaces/docs/members/alice", { token: ADMIN });
  assert.equal(res.status, 409);
  assert.equal(res.json.code, "last-owner");
  assert.equal(res.json.message.match(/add another owner/gi)?.length, 1, res.json.message);
  assert.match(res.json.message, /last owner/);
});

Deno.test("the public read API answers any origin (CORS); tokens and writes answer none", async () => {
  const { client: c } = app();
  const alice = await c.token(ADMIN, "alice");
  const p = await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT));
  assert.equal(p.status, 201, p.text);
  const origin = { origin: "https://tool.example" };
  // Reads, their refusals and HEAD carry the headers; the entity tag is readable.
  for (
    const [method, path, status] of [
      ["GET", "/api/v1/packages/docs/processor", 200],
      ["HEAD", "/api/v1/packages/docs/processor/0.1.0", 200],
      ["GET", "/api/v1/packages/docs/processor/index", 200],
      ["GET", "/api/v1/search?q=processor", 200],
      ["GET", `/api/v1/blobs/${p.json.digest}`, 200],
      ["GET", "/api/v1/packages/docs/nothing", 404],
      ["GET", "/api/v1/search?limit=0", 400],
    ] as const
  ) {
    const res = await c.call(method, path, { headers: origin });
    assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
    assert.equal(res.headers.get("access-control-allow-origin"), "*", `${method} ${path}`);
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /ETag/, path);
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
  }
  // Token routes and writes never do, whatever they answer.
  const calls: [string, string, Record<string, unknown>][] = [
    ["GET", "/api/v1/tokens", { token: ADMIN }],
    ["GET", "/api/v1/whoami", { token: alice }],
    ["POST", "/api/v1/tokens", { token: ADMIN, json: { owner: "bob" } }],
    ["PUT", "/api/v1/packages/docs/processor/0.1.0/yank", { token: alice }],
    ["PUT", "/api/v1/namespaces/acme/members/bob", { token: ADMIN, json: { role: "owner" } }],
  ];
  for (const [method, path, options] of calls) {
    const res = await c.call(method, path, { ...options, headers: origin });
    assert.ok(res.status < 500, `${method} ${path}: ${res.text}`);
    assert.equal(res.headers.get("access-control-allow-origin"), null, `${method} ${path}`);
  }
  // The preflight of a read is allowed, without credentials or the Authorization header.
  const preflight = (path: string, method: string) =>
    c.call("OPTIONS", path, {
      headers: {
        ...origin,
        "access-control-request-method": method,
        "access-control-request-headers": "if-none-match",
      },
    });
  for (
    const path of ["/api/v1/packages/docs/processor", "/api/v1/search", "/api/v1/openapi.json"]
  ) {
    const res = await preflight(path, "GET");
    assert.equal(res.status, 204, `${path}: ${res.text}`);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.equal(res.headers.get("access-control-allow-methods"), "GET, HEAD");
    assert.doesNotMatch(res.headers.get("access-control-allow-headers") ?? "", /authorization/i);
  }
  // The preflight of a write, or of the token routes, is refused without CORS headers, so a
  // browser does not send the request.
  for (
    const [path, method] of [
      ["/api/v1/packages/docs/processor/0.2.0", "PUT"],
      ["/api/v1/packages/docs/processor/0.1.0/yank", "DELETE"],
      ["/api/v1/tokens", "GET"],
      ["/api/v1/tokens", "POST"],
      ["/api/v1/whoami", "GET"],
    ]
  ) {
    const res = await preflight(path, method);
    assert.equal(res.status, 405, `${method} ${path}: ${res.status}`);
    assert.equal(res.headers.get("access-control-allow-origin"), null, `${method} ${path}`);
  }
});
