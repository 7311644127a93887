/**
 * The OCI token endpoint's short-lived tokens (registry/oci/_tokens.ts): least privilege. A login
 * gets a signed token for the repositories and actions it asked for and may do, never the wreg
 * token itself; presented back, it is refused once expired, on another repository, for an action
 * it does not grant, when forged, and when its wreg token was revoked. Nothing logs it. The real
 * clients (oras login, skopeo --creds, wkg with a username/password) go through it in
 * oci_clients_test.ts.
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import { parseChallenges } from "../lib/oci/mod.ts";
import { createApp } from "../registry/mod.ts";
import { openMemoryStorage, type Storage } from "../storage/mod.ts";
import {
  basic,
  ociCodes,
  pushBlob,
  pushPackage,
  putManifest,
  wasmConfig,
  wasmManifest,
} from "./oci_support.ts";
import { Client, tinyComponent } from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";

async function fixture(options: { storage?: Storage; ttl?: number } = {}) {
  const storage = options.storage ?? openMemoryStorage();
  let now = Date.parse("2026-12-07T12:00:00.000Z");
  const errors: string[] = [];
  const app = createApp({
    storage,
    adminToken: ADMIN,
    clock: () => new Date(now),
    oci: options.ttl === undefined ? undefined : { tokenTtlSeconds: options.ttl },
    onServerError: (e, req) => errors.push(`${req.method} ${req.url} ${String(e)}`),
  });
  const client = new Client(app);
  const clock = () => new Date(now);
  const alice = await client.token(ADMIN, "alice");
  // alice owns docs (her first publish claims it).
  await client.publish(alice, "docs:tiny", "0.1.0", await tinyComponent("docs:tiny@0.1.0"));
  return {
    storage,
    app,
    client,
    alice,
    errors,
    clock,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
    /** A token from the endpoint for `scope`, logged in with `secret` (none: anonymous). */
    login: async (scope: string | string[], secret?: string) => {
      const q = (Array.isArray(scope) ? scope : [scope]).map((s) => `scope=${s}`).join("&");
      const a = await client.call("GET", `/v2/token?service=registry.test&${q}`, {
        headers: secret === undefined ? {} : { authorization: basic(secret) },
      });
      assert.equal(a.status, 200, a.text);
      return a;
    },
  };
}

function claimsOf(token: string) {
  const [, payload] = token.split(".");
  return JSON.parse(
    new TextDecoder().decode(Uint8Array.fromBase64(payload, { alphabet: "base64url" })),
  );
}

/** A push of a new version of docs:tiny (both blobs, then the manifest) with a token. */
async function pushWith(client: Client, repository: string, version: string, token: string) {
  return await pushPackage(
    client,
    repository,
    version,
    await tinyComponent(`docs:${repository.split("/")[1]}@${version}`),
    { auth: `Bearer ${token}` },
  );
}

Deno.test("a login gets a short-lived token for what it asked and may do, never the wreg token", async () => {
  const f = await fixture();
  const a = await f.login("repository:docs/tiny:pull,push", f.alice);
  const token = a.json.token as string;
  assert.notEqual(token, f.alice);
  assert.ok(!token.includes(f.alice));
  assert.equal(a.json.access_token, token);
  assert.equal(a.json.expires_in, 300);
  assert.equal(a.headers.get("cache-control"), "no-store");
  const claims = claimsOf(token);
  assert.deepEqual(claims.access, [{
    type: "repository",
    name: "docs/tiny",
    actions: ["pull", "push"],
  }]);
  assert.equal(claims.exp - claims.iat, 300);
  assert.match(claims.sub, /^tok_/);
  assert.equal((await f.client.call("GET", "/v2/", { token })).status, 200);
  const { answer } = await pushWith(f.client, "docs/tiny", "0.2.0", token);
  assert.equal(answer.status, 201, answer.text);
  // The same login asking for a namespace it may not publish to gets pulls only.
  const other = claimsOf((await f.login("repository:wasi/cli:pull,push", f.alice)).json.token);
  assert.deepEqual(other.access, [{ type: "repository", name: "wasi/cli", actions: ["pull"] }]);
});

Deno.test("a pull-scoped token cannot push: 401 insufficient_scope with the scope to ask for", async () => {
  const f = await fixture();
  const pull = (await f.login("repository:docs/tiny:pull", f.alice)).json.token;
  const a = await pushBlob(f.client, "docs/tiny", new Uint8Array([1, 2, 3]), {
    auth: `Bearer ${pull}`,
  });
  assert.equal(a.status, 401);
  assert.deepEqual(ociCodes(a), ["UNAUTHORIZED"]);
  assert.match(a.json.errors[0].message, /grants "pull" on docs\/tiny, not "push"/);
  const [c] = parseChallenges(a.headers.get("www-authenticate")!);
  assert.equal(c.params.error, "insufficient_scope");
  assert.equal(c.params.scope, "repository:docs/tiny:pull,push");
  // Nor can it put a manifest (blobs uploaded with the wreg token itself).
  const layer = await tinyComponent("docs:tiny@0.3.0");
  const config = wasmConfig(await digestOf(layer));
  for (const b of [layer, config]) {
    assert.equal(
      (await pushBlob(f.client, "docs/tiny", b, { auth: `Bearer ${f.alice}` })).status,
      201,
    );
  }
  const m = await putManifest(f.client, "docs/tiny", "0.3.0", await wasmManifest(config, layer), {
    auth: `Bearer ${pull}`,
  });
  assert.equal(m.status, 401);
  assert.equal((await f.client.call("GET", "/api/v1/packages/docs/tiny/0.3.0")).status, 404);
  // An anonymous login gets pulls, and its token pushes nothing.
  const anon = await f.login("repository:docs/tiny:pull,push");
  assert.deepEqual(claimsOf(anon.json.token).access, [
    { type: "repository", name: "docs/tiny", actions: ["pull"] },
  ]);
  assert.equal(claimsOf(anon.json.token).sub, "anonymous");
  const b = await pushBlob(f.client, "docs/tiny", new Uint8Array([1]), {
    auth: `Bearer ${anon.json.token}`,
  });
  assert.equal(b.status, 401);
  // A login that may not publish to the namespace gets pulls, and its push says why (403).
  const bob = await f.client.token(ADMIN, "bob");
  const bobs = await f.login("repository:docs/tiny:pull,push", bob);
  assert.deepEqual(claimsOf(bobs.json.token).access[0].actions, ["pull"]);
  const c2 = await pushBlob(f.client, "docs/tiny", new Uint8Array([1]), {
    auth: `Bearer ${bobs.json.token}`,
  });
  assert.equal(c2.status, 403);
  assert.deepEqual(ociCodes(c2), ["DENIED"]);
  assert.match(c2.json.errors[0].message, /"bob" is not a member/);
});

Deno.test("a token for repository A is refused on repository B", async () => {
  const f = await fixture();
  await f.client.publish(f.alice, "docs:other", "0.1.0", await tinyComponent("docs:other@0.1.0"));
  const forA = (await f.login("repository:docs/tiny:pull,push", f.alice)).json.token;
  const a = await pushBlob(f.client, "docs/other", new Uint8Array([1]), { auth: `Bearer ${forA}` });
  assert.equal(a.status, 401);
  assert.match(a.json.errors[0].message, /grants nothing on docs\/other/);
  assert.equal(
    parseChallenges(a.headers.get("www-authenticate")!)[0].params.scope,
    "repository:docs/other:pull,push",
  );
  assert.equal((await f.client.call("GET", "/api/v1/packages/docs/other/0.2.0")).status, 404);
  // One token may name both (several scope parameters, or several scopes in one).
  const both = await f.login(
    ["repository:docs/tiny:pull,push", "repository:docs/other:push"],
    f.alice,
  );
  assert.deepEqual(claimsOf(both.json.token).access.map((x: { name: string }) => x.name), [
    "docs/tiny",
    "docs/other",
  ]);
  assert.equal(
    (await pushWith(f.client, "docs/other", "0.2.0", both.json.token)).answer.status,
    201,
  );
});

Deno.test("an expired token is refused with invalid_token; a new login works", async () => {
  const f = await fixture({ ttl: 60 });
  const a = await f.login("repository:docs/tiny:pull,push", f.alice);
  assert.equal(a.json.expires_in, 60);
  const token = a.json.token;
  f.advance(59);
  assert.equal((await f.client.call("GET", "/v2/", { token })).status, 200);
  f.advance(1);
  const ping = await f.client.call("GET", "/v2/", { token });
  assert.equal(ping.status, 401);
  assert.match(ping.json.errors[0].message, /the token expired/);
  assert.equal(
    parseChallenges(ping.headers.get("www-authenticate")!)[0].params.error,
    "invalid_token",
  );
  const push = await pushBlob(f.client, "docs/tiny", new Uint8Array([1]), {
    auth: `Bearer ${token}`,
  });
  assert.equal(push.status, 401);
  const again = (await f.login("repository:docs/tiny:pull,push", f.alice)).json.token;
  assert.equal((await pushWith(f.client, "docs/tiny", "0.2.0", again)).answer.status, 201);
});

Deno.test("a forged or altered token is refused, and a revoked wreg token takes its tokens with it", async () => {
  const f = await fixture();
  const token: string = (await f.login("repository:docs/tiny:pull,push", f.alice)).json.token;
  const [h, p, s] = token.split(".");
  // More rights written into the claims: the signature no longer matches.
  const claims = claimsOf(token);
  claims.access.push({ type: "repository", name: "docs/other", actions: ["push"] });
  claims.exp += 3600;
  const forged = `${h}.${
    new TextEncoder().encode(JSON.stringify(claims)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    })
  }.${s}`;
  for (const bad of [forged, `${h}.${p}.${s.slice(0, -2)}AA`]) {
    const a = await pushBlob(f.client, "docs/tiny", new Uint8Array([1]), { auth: `Bearer ${bad}` });
    assert.equal(a.status, 401);
    assert.match(a.json.errors[0].message, /not one this registry issued/);
  }
  // Another registry's key (another storage) signs tokens this one does not take.
  const elsewhere = await fixture();
  const foreign =
    (await elsewhere.login("repository:docs/tiny:pull,push", elsewhere.alice)).json.token;
  assert.equal((await f.client.call("GET", "/v2/", { token: foreign })).status, 401);
  // Another registry process over the same storage takes them (the key is the storage's).
  const peer = new Client(createApp({ storage: f.storage, adminToken: ADMIN, clock: f.clock }));
  assert.equal((await peer.call("GET", "/v2/", { token })).status, 200);
  // A registry of another service over the same storage (or a copy of it) shares the key, and
  // still refuses them: the token names the service it was issued for (iss).
  const otherService = new Client(createApp({
    storage: f.storage,
    adminToken: ADMIN,
    clock: f.clock,
    oci: { publicUrl: "https://other.example" },
  }));
  const there = await pushBlob(otherService, "docs/tiny", new Uint8Array([1]), {
    auth: `Bearer ${token}`,
  });
  assert.equal(there.status, 401, there.text);
  assert.match(there.json.errors[0].message, /issued for another service/);
  assert.match(there.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
  assert.equal((await otherService.call("GET", "/v2/", { token })).status, 401);
  // Its own tokens it takes.
  const own = await otherService.call("GET", "/v2/token?scope=repository:docs/tiny:pull,push", {
    headers: { authorization: basic(f.alice) },
  });
  assert.equal(claimsOf(own.json.token).iss, "other.example");
  assert.equal((await otherService.call("GET", "/v2/", { token: own.json.token })).status, 200);

  const record = await f.storage.metadata.findTokenBySecret(f.alice);
  await f.storage.metadata.revokeToken(record!.id);
  const a = await pushBlob(f.client, "docs/tiny", new Uint8Array([1]), { auth: `Bearer ${token}` });
  assert.equal(a.status, 401);
  assert.match(a.json.errors[0].message, /unknown or was revoked/);
  // And a revoked wreg token logs in no more.
  const login = await f.client.call("GET", "/v2/token?scope=repository:docs/tiny:pull,push", {
    headers: { authorization: basic(f.alice) },
  });
  assert.equal(login.status, 401);
});

Deno.test("forged tokens count as failed logins: the client is throttled (429), good token or not", async () => {
  const f = await fixture();
  const token: string = (await f.login("repository:docs/tiny:pull,push", f.alice)).json.token;
  const [h, p, s] = token.split(".");
  const forged = `${h}.${p}.${s.slice(0, -2)}AA`;
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    statuses.push((await f.client.call("GET", "/v2/", { token: forged })).status);
  }
  assert.deepEqual(statuses, [...new Array(10).fill(401), 429]);
  const limited = await f.client.call("GET", "/v2/", { token });
  assert.equal(limited.status, 429, "a right token from a throttled client is refused too");
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  f.advance(60);
  assert.equal((await f.client.call("GET", "/v2/", { token })).status, 200);
});

Deno.test("neither the wreg token nor an issued token is ever logged or echoed", async () => {
  const f = await fixture({ ttl: 30 });
  const lines: string[] = [];
  const original = {
    log: console.log,
    error: console.error,
    warn: console.warn,
    info: console.info,
  };
  for (const k of ["log", "error", "warn", "info"] as const) {
    console[k] = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  }
  const answers: string[] = [];
  let token = "";
  try {
    const a = await f.login("repository:docs/tiny:pull,push", f.alice);
    token = a.json.token;
    const bad = `${token.slice(0, -3)}xyz`;
    for (const t of [token, bad]) {
      answers.push((await f.client.call("GET", "/v2/", { token: t })).text);
      answers.push(
        (await pushBlob(f.client, "docs/other", new Uint8Array([1]), { auth: `Bearer ${t}` })).text,
      );
      answers.push(
        (await pushBlob(f.client, "docs/tiny", new Uint8Array([1]), { auth: `Bearer ${t}` })).text,
      );
    }
    f.advance(31);
    answers.push((await f.client.call("GET", "/v2/", { token })).text);
    answers.push(
      (await f.client.call("GET", "/v2/token?scope=repository:docs/tiny:pull,push", {
        headers: { authorization: basic(`${f.alice}x`) },
      })).text,
    );
  } finally {
    Object.assign(console, original);
  }
  const seen = [...lines, ...f.errors, ...answers].join("\n");
  assert.ok(token.length > 40);
  for (const secret of [f.alice, token, token.split(".")[2]]) {
    assert.ok(!seen.includes(secret), "a secret was logged or echoed");
  }
});
