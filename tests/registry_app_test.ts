/**
 * The registry's fetch handler in-process, over the memory storage and the embedded storage:
 * publish a WIT package and components, read back every route, the compatibility gate, yanks,
 * auth refusals and the error shape.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createApp } from "../registry/mod.ts";
import { openMemoryStorage, openStorage, type Storage } from "../storage/mod.ts";
import {
  Client,
  component,
  componentOfSize,
  digest,
  PROCESSOR_0_1_1,
  PROCESSOR_0_1_2_BREAKING,
  PROCESSOR_WIT,
  processorAt,
  storageSnapshot,
  tinyComponent,
  witPackage,
} from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";

interface Fixture {
  client: Client;
  storage: Storage;
  alice: string;
  close(): Promise<void>;
}

const STORAGES: [string, () => Promise<{ storage: Storage; close(): Promise<void> }>][] = [
  ["memory", () => {
    const storage = openMemoryStorage();
    return Promise.resolve({ storage, close: () => storage.close() });
  }],
  ["embedded", async () => {
    const dir = await Deno.makeTempDir({ prefix: "wreg-app-test-" });
    const storage = await openStorage({ dataDir: dir });
    return {
      storage,
      async close() {
        await storage.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }],
];

async function fixture(make: () => Promise<{ storage: Storage; close(): Promise<void> }>) {
  const { storage, close } = await make();
  const client = new Client(createApp({ storage, adminToken: ADMIN }));
  const alice = await client.token(ADMIN, "alice");
  return { client, storage, alice, close } satisfies Fixture;
}

for (const [kind, make] of STORAGES) {
  Deno.test(`with ${kind} storage, a WIT package and components are published and every read route answers`, async () => {
    const { client: c, alice, close } = await fixture(make);
    try {
      const wit = witPackage(PROCESSOR_WIT);
      const scrubber = await component(PROCESSOR_WIT, "processor");
      const sink = await component(PROCESSOR_WIT, "log-sink");

      const p = await c.publish(alice, "docs:processor", "0.1.0", wit);
      assert.equal(p.status, 201, p.text);
      assert.equal(p.headers.get("location"), "/api/v1/packages/docs/processor/0.1.0");
      assert.equal(p.json.kind, "wit-package");
      assert.equal(p.json.digest, await digest(wit));
      assert.equal(p.json.compat, null);
      assert.deepEqual(p.json.interfaces.map((i: { id: string }) => i.id), [
        "docs:processor/types@0.1.0",
        "docs:processor/logger@0.1.0",
      ]);
      assert.deepEqual(p.json.worlds.map((w: { id: string }) => w.id), [
        "docs:processor/processor@0.1.0",
        "docs:processor/log-sink@0.1.0",
      ]);
      assert.match(p.json.wit, /^package docs:processor@0\.1\.0;/);
      assert.equal((await c.publish(alice, "docs:scrubber", "1.0.0", scrubber)).status, 201);
      assert.equal((await c.publish(alice, "docs:sink", "1.0.0", sink)).status, 201);

      // The package document.
      const pkg = await c.call("GET", "/api/v1/packages/docs/processor");
      assert.equal(pkg.status, 200);
      assert.equal(pkg.json.name, "docs:processor");
      assert.equal(pkg.json.kind, "wit-package");
      assert.equal(pkg.json.latest, "0.1.0");
      assert.deepEqual(pkg.json.owners, ["alice"]);
      assert.equal(pkg.json.versions.length, 1);
      assert.equal(pkg.json.versions[0].yanked, false);
      assert.match(pkg.json.versions[0].publishedAt, /^\d{4}-\d\d-\d\dT/);
      const etag = pkg.headers.get("etag")!;
      const again = await c.call("GET", "/api/v1/packages/docs/processor", {
        headers: { "if-none-match": etag },
      });
      assert.equal(again.status, 304);

      // The index the CLI's resolver reads.
      const index = await c.call("GET", "/api/v1/packages/docs/scrubber/index");
      assert.equal(index.status, 200);
      assert.deepEqual(index.json, {
        name: "docs:scrubber",
        kind: "component",
        versions: [{
          version: "1.0.0",
          yanked: false,
          digest: await digest(scrubber),
          size: scrubber.length,
          kind: "component",
          publishedAt: index.json.versions[0].publishedAt,
          dependencies: { "docs:processor": "^0.1.0" },
        }],
      });

      // The version document, its WIT and its bytes.
      const v = await c.call("GET", "/api/v1/packages/docs/scrubber/1.0.0");
      assert.equal(v.status, 200);
      assert.equal(v.json.kind, "component");
      assert.equal(v.json.publisher, "alice");
      assert.equal(v.json.yanked, false);
      assert.deepEqual(v.json.dependencies, [{
        package: "docs:processor",
        version: "0.1.0",
        range: "^0.1.0",
      }]);
      const world = v.json.worlds[0];
      assert.deepEqual(world.imports.map((i: { name: string }) => i.name), [
        "docs:processor/logger@0.1.0",
        "docs:processor/types@0.1.0",
        "metadata",
      ]);
      assert.deepEqual(
        world.exports.map((e: { signature: string }) => e.signature),
        [
          "process: func(doc: string, meta: metadata) -> string",
          "scrub-pii: func(text: string) -> string",
        ],
      );
      const witText = await c.call("GET", "/api/v1/packages/docs/scrubber/1.0.0/wit");
      assert.equal(witText.status, 200);
      assert.match(witText.text, /export scrub-pii: func\(text: string\) -> string;/);
      const content = await c.call("GET", "/api/v1/packages/docs/scrubber/1.0.0/content");
      assert.deepEqual(content.bytes, scrubber);

      // Blobs: immutable caching, ETag, HEAD, ranges.
      const d = await digest(scrubber);
      const blob = await c.call("GET", `/api/v1/blobs/${d}`);
      assert.equal(blob.status, 200);
      assert.deepEqual(blob.bytes, scrubber);
      assert.equal(blob.headers.get("content-type"), "application/wasm");
      assert.equal(blob.headers.get("etag"), `"${d}"`);
      assert.match(blob.headers.get("cache-control")!, /immutable/);
      assert.equal(blob.headers.get("content-length"), String(scrubber.length));
      const head = await c.call("HEAD", `/api/v1/blobs/${d}`);
      assert.equal(head.status, 200);
      assert.equal(head.bytes.length, 0);
      assert.equal(head.headers.get("content-length"), String(scrubber.length));
      const range = await c.call("GET", `/api/v1/blobs/${d}`, { headers: { range: "bytes=8-15" } });
      assert.equal(range.status, 206);
      assert.deepEqual(range.bytes, scrubber.subarray(8, 16));
      assert.equal(range.headers.get("content-range"), `bytes 8-15/${scrubber.length}`);
      const suffix = await c.call("GET", `/api/v1/blobs/${d}`, { headers: { range: "bytes=-4" } });
      assert.deepEqual(suffix.bytes, scrubber.subarray(scrubber.length - 4));
      const beyond = await c.call("GET", `/api/v1/blobs/${d}`, {
        headers: { range: `bytes=${scrubber.length}-` },
      });
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers.get("content-range"), `bytes */${scrubber.length}`);
      assert.equal(beyond.json.code, "range-not-satisfiable");
      const cachedBlob = await c.call("GET", `/api/v1/blobs/${d}`, {
        headers: { "if-none-match": `"${d}"` },
      });
      assert.equal(cachedBlob.status, 304);
      const missing = await c.call("GET", `/api/v1/blobs/sha256:${"0".repeat(64)}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, "not-found");

      // Search: text, exports, imports, world, implementations, dependents.
      const text = await c.call("GET", "/api/v1/search?q=processor");
      assert.deepEqual(text.json.results.map((r: { package: string }) => r.package), [
        "docs:processor",
      ]);
      const exp = await c.call("GET", "/api/v1/search?exports=docs:processor/logger@0.1.0");
      assert.deepEqual(exp.json.results.map((r: { package: string }) => r.package), ["docs:sink"]);
      const imp = await c.call("GET", "/api/v1/search?imports=docs:processor/logger@0.1.0");
      assert.deepEqual(imp.json.results.map((r: { package: string }) => r.package), [
        "docs:scrubber",
      ]);
      const byWorld = await c.call("GET", "/api/v1/search?world=docs:processor/processor@0.1.0");
      assert.equal(byWorld.status, 200, byWorld.text);
      assert.equal(byWorld.json.world.id, "docs:processor/processor@0.1.0");
      assert.deepEqual(byWorld.json.results.map((r: { package: string }) => r.package), [
        "docs:scrubber",
      ]);
      assert.equal(byWorld.json.results[0].digest, d);
      const sinkWorld = await c.call("GET", "/api/v1/search?world=docs:processor/log-sink");
      assert.deepEqual(sinkWorld.json.results.map((r: { package: string }) => r.package), [
        "docs:sink",
      ]);
      const impls = await c.call(
        "GET",
        "/api/v1/implementations?interface=docs:processor/logger@0.1.0",
      );
      assert.deepEqual(impls.json, {
        interface: "docs:processor/logger@0.1.0",
        checkedAgainst: "docs:processor/logger@0.1.0",
        implementations: [{
          package: "docs:sink",
          version: "1.0.0",
          digest: await digest(sink),
          matched: ["docs:processor/logger@0.1.0"],
        }],
      });
      const deps = await c.call("GET", "/api/v1/packages/docs/processor/dependents");
      assert.deepEqual(deps.json.dependents, [
        { package: "docs:scrubber", version: "1.0.0" },
        { package: "docs:sink", version: "1.0.0" },
      ]);

      // Lists, counts, namespaces.
      const recent = await c.call("GET", "/api/v1/packages?limit=2");
      assert.equal(recent.json.packages.length, 2);
      const stats = await c.call("GET", "/api/v1/stats");
      assert.equal(stats.json.packages, 3);
      assert.equal(stats.json.versions, 3);
      const ns = await c.call("GET", "/api/v1/namespaces/docs");
      assert.deepEqual(
        ns.json.members.map((m: { user: string; role: string }) => [m.user, m.role]),
        [
          ["alice", "owner"],
        ],
      );
      const info = await c.call("GET", "/api/v1");
      assert.equal(info.json.api, "v1");
    } finally {
      await close();
    }
  });

  Deno.test(`with ${kind} storage, the gate refuses a breaking release in the series with the report`, async () => {
    const { client: c, alice, storage, close } = await fixture(make);
    try {
      assert.equal(
        (await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT))).status,
        201,
      );
      const ok = await c.publish(alice, "docs:processor", "0.1.1", witPackage(PROCESSOR_0_1_1));
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(ok.json.compat, {
        against: "0.1.0",
        compatible: true,
        bump: "minor",
        changes: [{
          path: "docs:processor/clock",
          kind: "added-interface",
          breaking: false,
          bump: "minor",
          new: "interface clock",
          reason: "an addition",
        }],
      });

      const before = await storageSnapshot(storage);
      const bad = await c.publish(
        alice,
        "docs:processor",
        "0.1.2",
        witPackage(PROCESSOR_0_1_2_BREAKING),
      );
      assert.equal(bad.status, 409);
      assert.equal(bad.json.code, "incompatible-change");
      assert.match(bad.json.message, /incompatible with 0\.1\.0, 0\.1\.1 of series 0\.1/);
      assert.match(bad.json.message, /new series such as 0\.2\.0/);
      assert.equal(bad.json.details.requiredVersion, "0.2.0");
      assert.equal(bad.json.details.bump, "major");
      assert.deepEqual(
        bad.json.details.failures.map((
          f: { against: string; relation: string },
        ) => [f.against, f.relation]),
        [["0.1.0", "earlier"], ["0.1.1", "earlier"]],
      );
      const changes = bad.json.details.failures[0].changes;
      assert.deepEqual(
        changes.map((
          ch: { path: string; kind: string; breaking: boolean },
        ) => [ch.path, ch.kind, ch.breaking]),
        [
          ["docs:processor/logger.log.level", "removed-param", true],
          ["docs:processor/types.metadata.priority", "removed-field", true],
        ],
      );
      assert.equal(changes[0].old, "level: level");
      assert.match(bad.json.message, /removed-param docs:processor\/logger\.log\.level/);
      assert.deepEqual(await storageSnapshot(storage), before, "a refused publish stores nothing");

      // A yanked version still counts: yanking cannot open a way around the gate.
      assert.equal(
        (await c.call("PUT", "/api/v1/packages/docs/processor/0.1.1/yank", { token: alice }))
          .status,
        200,
      );
      assert.equal(
        (await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0/yank", { token: alice }))
          .status,
        200,
      );
      const stillBad = await c.publish(
        alice,
        "docs:processor",
        "0.1.2",
        witPackage(PROCESSOR_0_1_2_BREAKING),
      );
      assert.equal(stillBad.status, 409);

      // The same change in a new series is accepted, and its report says what broke.
      const major = await c.publish(
        alice,
        "docs:processor",
        "0.2.0",
        witPackage(PROCESSOR_0_1_2_BREAKING.replace("@0.1.2;", "@0.2.0;")),
      );
      assert.equal(major.status, 201, major.text);
      assert.equal(major.json.compat.against, "0.1.1");
      assert.equal(major.json.compat.compatible, false);
      assert.equal(major.json.compat.bump, "major");

      // A version published out of order must also fit the later ones of its series.
      const late = await c.publish(
        alice,
        "docs:processor",
        "0.1.0-rc.1",
        witPackage(
          processorAt("0.1.0-rc.1", PROCESSOR_0_1_2_BREAKING.replace("@0.1.2;", "@0.1.0;")),
        ),
      );
      assert.equal(late.status, 201, "pre-releases are outside the gate");
      const outOfOrder = await c.publish(
        alice,
        "docs:processor",
        "0.1.0",
        witPackage(PROCESSOR_WIT),
      );
      assert.equal(outOfOrder.status, 409);
      assert.equal(outOfOrder.json.code, "version-exists");

      // Components: dropping an export is breaking within the series.
      const app1 = await tinyComponent("docs:app@1.0.0", "  export stop: func();\n");
      const app2 = await tinyComponent("docs:app@1.0.0");
      assert.equal((await c.publish(alice, "docs:app", "1.0.0", app1)).status, 201);
      const dropped = await c.publish(alice, "docs:app", "1.1.0", app2);
      assert.equal(dropped.status, 409);
      const droppedChanges = dropped.json.details.failures[0].changes;
      assert.deepEqual(droppedChanges.map((ch: { kind: string }) => ch.kind), ["removed-export"]);
      assert.match(droppedChanges[0].path, /stop$/);
      assert.equal((await c.publish(alice, "docs:app", "2.0.0", app2)).status, 201);
    } finally {
      await close();
    }
  });

  Deno.test(`with ${kind} storage, a yanked version stays downloadable but leaves latest and search`, async () => {
    const { client: c, alice, close } = await fixture(make);
    try {
      const sink = await component(PROCESSOR_WIT, "log-sink");
      assert.equal(
        (await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT))).status,
        201,
      );
      assert.equal(
        (await c.publish(alice, "docs:processor", "0.1.1", witPackage(PROCESSOR_0_1_1))).status,
        201,
      );
      assert.equal((await c.publish(alice, "docs:sink", "1.0.0", sink)).status, 201);

      const y = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.1/yank", { token: alice });
      assert.equal(y.status, 200);
      assert.equal(y.json.yanked, true);
      const again = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.1/yank", {
        token: alice,
      });
      assert.equal(again.status, 200, "yanking is idempotent");
      const pkg = await c.call("GET", "/api/v1/packages/docs/processor");
      assert.equal(pkg.json.latest, "0.1.0");
      assert.deepEqual(
        pkg.json.versions.map((v: { version: string; yanked: boolean }) => [v.version, v.yanked]),
        [
          ["0.1.1", true],
          ["0.1.0", false],
        ],
      );
      const index = await c.call("GET", "/api/v1/packages/docs/processor/index");
      assert.equal(index.json.versions[0].yanked, true);
      const doc = await c.call("GET", "/api/v1/packages/docs/processor/0.1.1");
      assert.equal(doc.json.yanked, true);
      const blob = await c.call("GET", `/api/v1/blobs/${doc.json.digest}`);
      assert.equal(blob.status, 200, "a yanked version stays downloadable");

      assert.equal(
        (await c.call("PUT", "/api/v1/packages/docs/sink/1.0.0/yank", { token: alice })).status,
        200,
      );
      const hidden = await c.call("GET", "/api/v1/search?exports=docs:processor/logger");
      assert.deepEqual(hidden.json.results, []);
      const shown = await c.call(
        "GET",
        "/api/v1/search?exports=docs:processor/logger&includeYanked=true",
      );
      assert.deepEqual(shown.json.results.map((r: { package: string }) => r.package), [
        "docs:sink",
      ]);
      const byWorld = await c.call("GET", "/api/v1/search?world=docs:processor/log-sink");
      assert.deepEqual(byWorld.json.results, []);

      const u = await c.call("DELETE", "/api/v1/packages/docs/sink/1.0.0/yank", { token: alice });
      assert.equal(u.status, 200);
      assert.equal(u.json.yanked, false);
      const back = await c.call("GET", "/api/v1/search?world=docs:processor/log-sink");
      assert.deepEqual(back.json.results.map((r: { package: string }) => r.package), ["docs:sink"]);

      const none = await c.call("PUT", "/api/v1/packages/docs/sink/9.9.9/yank", { token: alice });
      assert.equal(none.status, 404);
    } finally {
      await close();
    }
  });
}

Deno.test("every refusal of auth has a stable code and says what to do", async () => {
  const { client: c, alice, storage, close } = await fixture(STORAGES[0][1]);
  try {
    const bytes = witPackage(PROCESSOR_WIT);
    const before = await storageSnapshot(storage);
    const anonymous = await c.publish(undefined, "docs:processor", "0.1.0", bytes);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json.code, "unauthenticated");
    assert.match(anonymous.headers.get("www-authenticate")!, /^Bearer/);
    assert.match(anonymous.json.message, /POST \/api\/v1\/tokens/);
    const unknown = await c.publish("wreg_nope", "docs:processor", "0.1.0", bytes);
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json.code, "invalid-token");
    const malformed = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0", {
      headers: { authorization: "Basic abc" },
    });
    assert.equal(malformed.status, 401);
    const admin = await c.publish(ADMIN, "docs:processor", "0.1.0", bytes);
    assert.equal(admin.status, 403);
    assert.equal(admin.json.code, "missing-scope");

    const yankOnly = await c.token(ADMIN, "alice", ["yank"]);
    const noScope = await c.publish(yankOnly, "docs:processor", "0.1.0", bytes);
    assert.equal(noScope.status, 403);
    assert.equal(noScope.json.code, "missing-scope");
    const limited = await c.token(ADMIN, "alice", ["publish"], ["other"]);
    const wrongNs = await c.publish(limited, "docs:processor", "0.1.0", bytes);
    assert.equal(wrongNs.status, 403);
    assert.equal(wrongNs.json.code, "namespace-forbidden");
    assert.deepEqual(await storageSnapshot(storage), before);

    // The first publish claims the namespace for alice; bob is refused until added.
    assert.equal((await c.publish(alice, "docs:processor", "0.1.0", bytes)).status, 201);
    const bob = await c.token(ADMIN, "bob");
    const refused = await c.publish(bob, "docs:processor", "0.1.1", witPackage(PROCESSOR_0_1_1));
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, "namespace-forbidden");
    assert.match(refused.json.message, /belongs to "alice"/);
    const bobYank = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0/yank", {
      token: bob,
    });
    assert.equal(bobYank.status, 403);
    const bobAdds = await c.call("PUT", "/api/v1/namespaces/docs/members/bob", {
      token: bob,
      json: { role: "owner" },
    });
    assert.equal(bobAdds.status, 403);
    assert.equal(bobAdds.json.code, "missing-scope");
    const aliceOwners = await c.token(ADMIN, "alice", ["owners"]);
    const added = await c.call("PUT", "/api/v1/namespaces/docs/members/bob", {
      token: aliceOwners,
      json: { role: "member" },
    });
    assert.equal(added.status, 200, added.text);
    assert.equal(
      (await c.publish(bob, "docs:processor", "0.1.1", witPackage(PROCESSOR_0_1_1))).status,
      201,
    );
    const lastOwner = await c.call("DELETE", "/api/v1/namespaces/docs/members/alice", {
      token: aliceOwners,
    });
    assert.equal(lastOwner.status, 409);
    assert.equal(lastOwner.json.code, "last-owner");
    const removed = await c.call("DELETE", "/api/v1/namespaces/docs/members/bob", {
      token: aliceOwners,
    });
    assert.equal(removed.status, 200);

    // Tokens: only the admin creates, lists and revokes them; a revoked token stops working.
    const notAdmin = await c.call("POST", "/api/v1/tokens", {
      token: alice,
      json: { owner: "mallory" },
    });
    assert.equal(notAdmin.status, 403);
    assert.equal(notAdmin.json.code, "admin-required");
    const who = await c.call("GET", "/api/v1/whoami", { token: alice });
    assert.equal(who.json.token.owner, "alice");
    assert.deepEqual(who.json.namespaces, [{ name: "docs", role: "owner" }]);
    const list = await c.call("GET", "/api/v1/tokens?owner=bob", { token: ADMIN });
    assert.equal(list.json.tokens.length, 1);
    assert.equal(list.json.tokens[0].secretHash, undefined, "secrets never leave the server");
    const revoked = await c.call("DELETE", `/api/v1/tokens/${list.json.tokens[0].id}`, {
      token: ADMIN,
    });
    assert.equal(revoked.status, 200);
    assert.equal((await c.call("GET", "/api/v1/whoami", { token: bob })).status, 401);
  } finally {
    await close();
  }
});

Deno.test("a server without an admin token says how to give it one", async () => {
  const storage = openMemoryStorage();
  const c = new Client(createApp({ storage }));
  const t = await c.call("POST", "/api/v1/tokens", { token: "x", json: { owner: "a" } });
  assert.equal(t.status, 401);
  assert.equal(t.json.code, "invalid-token");
  const secret = "wreg_handmade_token_for_test";
  await storage.metadata.createToken(secret, { owner: "a", scopes: ["publish"], namespaces: null });
  const disabled = await c.call("POST", "/api/v1/tokens", { token: secret, json: { owner: "b" } });
  assert.equal(disabled.status, 403);
  assert.equal(disabled.json.code, "admin-disabled");
  assert.match(disabled.json.message, /--admin-token or WREG_ADMIN_TOKEN/);
});

Deno.test("publishing refuses duplicates, core modules, kind changes and WIT packages under another name", async () => {
  const { client: c, alice, storage, close } = await fixture(STORAGES[0][1]);
  try {
    const wit = witPackage(PROCESSOR_WIT);
    assert.equal((await c.publish(alice, "docs:processor", "0.1.0", wit)).status, 201);
    const before = await storageSnapshot(storage);
    const dup = await c.publish(alice, "docs:processor", "0.1.0", wit);
    assert.equal(dup.status, 409);
    assert.equal(dup.json.code, "version-exists");
    const wrongName = await c.publish(alice, "docs:other", "0.1.0", wit);
    assert.equal(wrongName.status, 400);
    assert.equal(wrongName.json.code, "package-mismatch");
    assert.match(wrongName.json.message, /declares itself as docs:processor@0\.1\.0/);
    const wrongVersion = await c.publish(alice, "docs:processor", "0.1.5", wit);
    assert.equal(wrongVersion.status, 400);
    assert.equal(wrongVersion.json.code, "package-mismatch");
    const module = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const core = await c.publish(alice, "docs:core", "1.0.0", module);
    assert.equal(core.status, 400);
    assert.equal(core.json.code, "kind-not-allowed");
    const kind = await c.publish(alice, "docs:processor", "0.1.1", await tinyComponent());
    assert.equal(kind.status, 409);
    assert.equal(kind.json.code, "kind-mismatch");
    assert.deepEqual(await storageSnapshot(storage), before);
  } finally {
    await close();
  }
});

Deno.test("a server fault answers a generic 500 with a request id and is logged", async () => {
  const storage = openMemoryStorage();
  const failing: Storage = {
    ...storage,
    metadata: new Proxy(storage.metadata, {
      get(target, prop) {
        if (prop === "getPackage") {
          return () => Promise.reject(new Error("disk on fire at /secret"));
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }),
  };
  const logged: string[] = [];
  const c = new Client(createApp({
    storage: failing,
    onServerError: (e, _req, id) => logged.push(`${id} ${(e as Error).message}`),
  }));
  const r = await c.call("GET", "/api/v1/packages/docs/processor");
  assert.equal(r.status, 500);
  assert.equal(r.json.code, "internal");
  assert.doesNotMatch(r.text, /secret|fire/);
  assert.equal(logged.length, 1);
  assert.ok(logged[0].startsWith(r.json.details.requestId));
  assert.equal(r.headers.get("x-request-id"), r.json.details.requestId);
});

Deno.test("unknown routes and methods answer 404 and 405 with Allow", async () => {
  const c = new Client(createApp({ storage: openMemoryStorage() }));
  const nf = await c.call("GET", "/api/v2/nothing");
  assert.equal(nf.status, 404);
  assert.equal(nf.json.code, "not-found");
  const na = await c.call("POST", "/api/v1/packages/docs/processor");
  assert.equal(na.status, 405);
  assert.equal(na.headers.get("allow"), "GET, HEAD");
  assert.equal(na.json.code, "method-not-allowed");
});

Deno.test("the bytes served are the bytes published, for a large blob too", async () => {
  const { client: c, alice, storage, close } = await fixture(STORAGES[1][1]);
  try {
    // A 3 MiB component, larger than what the blob store reads at once.
    const big = await componentOfSize(3 << 20);
    const p = await c.publish(alice, "docs:big", "1.0.0", big);
    assert.equal(p.status, 201, p.text);
    const blob = await c.call("GET", `/api/v1/blobs/${p.json.digest}`);
    const hex = createHash("sha256").update(blob.bytes).digest("hex");
    assert.equal(`sha256:${hex}`, p.json.digest);
    const mid = await c.call("GET", `/api/v1/blobs/${p.json.digest}`, {
      headers: { range: "bytes=1000000-1999999" },
    });
    assert.deepEqual(mid.bytes, big.subarray(1_000_000, 2_000_000));
    // Without the memory cache the bytes stream from storage, ranges included.
    const uncached = new Client(createApp({ storage, limits: { blobCacheBytes: 0 } }));
    const streamed = await uncached.call("GET", `/api/v1/blobs/${p.json.digest}`);
    assert.deepEqual(streamed.bytes, big);
    const tail = await uncached.call("GET", `/api/v1/blobs/${p.json.digest}`, {
      headers: { range: "bytes=-100000" },
    });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.bytes, big.subarray(big.length - 100_000));
  } finally {
    await close();
  }
});
