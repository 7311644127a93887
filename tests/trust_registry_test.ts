/**
 * The registry's side of trust (issue 16), proven against a live registry process by verifiers
 * nobody on wreg wrote: the Go oracle (x/mod sumdb + transparency-dev, tools/oracle) fetches the
 * checkpoint and every tile over HTTP and checks them, the inclusion proofs the registry serves,
 * and consistency with a checkpoint seen earlier (also across a restart), and refuses tampered
 * copies; @sigstore/verify accepts the release bundles the registry serves. Refusals: an unsigned
 * release into a namespace that requires signatures (API and OCI push), a key never registered, a
 * revoked key, a bundle of another digest; none of them commits or logs anything. Three processes
 * on one PostgreSQL + S3 storage, publishing and yanking at once, serve one log that the oracle
 * finds whole and consistent from each of them.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { type PublisherKey, signRelease } from "../lib/attest/mod.ts";
import { digestOf, parseDigest, parsePackageName, parseVersion } from "../lib/names/mod.ts";
import {
  entryBundlesOfSize,
  formatSignerKey,
  formatTilePath,
  parseLogEntry,
  parseSignerKey,
  parseVerifierKey,
  tilesOfSize,
  verifyTlogProof,
} from "../lib/tlog/mod.ts";
import { createRegistry } from "../registry/mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";
import { Client, SERVER_ADMIN_TOKEN, startServerProcess, witPackage } from "./registry_support.ts";
import { ociCodes, pushPackage } from "./oci_support.ts";
import { oracle, sigstoreVerify } from "./support/trust_verifiers.ts";
import { newPublisherKey } from "./support/trust_proxy.ts";
import { startCluster } from "./support/cluster.ts";
import { serviceTest } from "./support/services.ts";

function wit(pkg: string, version: string, extra = ""): Uint8Array {
  return witPackage(`package ${pkg}@${version};\ninterface i {\n  f: func();${extra}\n}\n`);
}

async function write(path: string, data: string | Uint8Array) {
  await Deno.mkdir(dirname(path), { recursive: true });
  await (typeof data === "string" ? Deno.writeTextFile(path, data) : Deno.writeFile(path, data));
}

Deno.test("the Go oracle checks a live registry's checkpoints, tiles and proofs and refuses tampered copies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-trust-live-" });
  let server = await startServerProcess({ args: ["--quiet"] });
  try {
    const c = new Client(server.url);
    const token = await c.token(SERVER_ADMIN_TOKEN, "alice", ["publish", "yank", "owners"]);
    const known = await c.call("GET", "/.well-known/wreg.json");
    assert.equal(known.status, 200);
    const { url: logUrl, verifierKey: vkey } = known.json.log;
    assert.equal(logUrl, `${server.url}/log`);
    await parseVerifierKey(vkey);

    for (let i = 0; i < 3; i++) {
      const a = await c.publish(token, `logt:p${i}`, "1.0.0", wit(`logt:p${i}`, "1.0.0"));
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.log.index, i);
      assert.deepEqual(parseLogEntry(a.json.log.entry), {
        type: "release",
        package: parsePackageName(`logt:p${i}`),
        version: parseVersion("1.0.0"),
        digest: parseDigest(a.json.digest),
        signer: null,
      });
      assert.equal(a.json.signature, null);
    }
    const first = await c.call("GET", "/log/checkpoint");
    assert.equal(first.status, 200);
    assert.match(first.headers.get("cache-control") ?? "", /max-age=5/);
    assert.match(first.text, /\n3\n/);
    await write(join(dir, "old.checkpoint"), first.text);

    // More than a full tile: yanks and unyanks are entries too.
    for (let i = 0; i < 130; i++) {
      for (const method of ["PUT", "DELETE"]) {
        const y = await c.call(method, "/api/v1/packages/logt/p0/1.0.0/yank", { token });
        assert.equal(y.status, 200, y.text);
      }
    }
    const last = await c.publish(token, "logt:p3", "1.0.0", wit("logt:p3", "1.0.0"));
    assert.equal(last.status, 201, last.text);
    assert.equal(last.json.log.index, 263);

    const live = await oracle(
      "tiles",
      "-log",
      vkey,
      "-url",
      logUrl,
      "-old",
      join(dir, "old.checkpoint"),
    );
    assert.ok(live.ok, live.output);
    assert.match(live.output, /OK consistency 3 -> 264/);
    assert.match(live.output, /OK tiles of \S+ size 264: 3 hash tiles, 264 entries/);

    for (const [pkg, index] of [["p1", 1], ["p3", 263]] as const) {
      const doc = await c.call("GET", `/api/v1/packages/logt/${pkg}/1.0.0`);
      assert.equal(doc.json.log.index, index);
      const proof = await c.call("GET", `/api/v1/packages/logt/${pkg}/1.0.0/log-proof`);
      assert.equal(proof.status, 200);
      assert.match(proof.text, /^c2sp\.org\/tlog-proof@v1\nindex \d+\n/);
      await write(join(dir, `${pkg}.entry`), doc.json.log.entry);
      await write(join(dir, `${pkg}.proof`), proof.text);
      const inc = await oracle(
        "inclusion",
        "-log",
        vkey,
        "-entry",
        join(dir, `${pkg}.entry`),
        "-proof",
        join(dir, `${pkg}.proof`),
      );
      assert.ok(inc.ok, inc.output);
      assert.match(inc.output, new RegExp(`OK inclusion of entry ${index} in \\S+ size 264`));
      // wreg's own checker agrees.
      await verifyTlogProof(proof.text, new TextEncoder().encode(doc.json.log.entry), [
        await parseVerifierKey(vkey),
      ]);
    }

    // Tampered copies are refused: another digest in the entry, another index in the proof,
    // an edited checkpoint, one byte of a tile, one byte of an entry bundle.
    const entry = await Deno.readTextFile(join(dir, "p1.entry"));
    await write(join(dir, "bad.entry"), entry.replace(/sha256:[0-9a-f]{4}/, "sha256:0000"));
    let r = await oracle(
      "inclusion",
      "-log",
      vkey,
      "-entry",
      join(dir, "bad.entry"),
      "-proof",
      join(dir, "p1.proof"),
    );
    assert.ok(!r.ok && /invalid transparency proof|inclusion/i.test(r.output), r.output);
    const proof = await Deno.readTextFile(join(dir, "p1.proof"));
    await write(join(dir, "bad.proof"), proof.replace("\nindex 1\n", "\nindex 2\n"));
    r = await oracle(
      "inclusion",
      "-log",
      vkey,
      "-entry",
      join(dir, "p1.entry"),
      "-proof",
      join(dir, "bad.proof"),
    );
    assert.ok(!r.ok, r.output);

    const checkpoint = (await c.call("GET", "/log/checkpoint")).text;
    await write(join(dir, "edited.checkpoint"), checkpoint.replace("\n264\n", "\n265\n"));
    r = await oracle("checkpoint", "-log", vkey, "-file", join(dir, "edited.checkpoint"));
    assert.ok(!r.ok && /signature/i.test(r.output), r.output);

    // A copy of the log fetched over HTTP: accepted as fetched, refused with one byte changed.
    const copy = join(dir, "copy");
    await write(join(copy, "checkpoint"), checkpoint);
    for (const t of [...tilesOfSize(264), ...entryBundlesOfSize(264)]) {
      const a = await c.call("GET", `/log/${formatTilePath(t)}`);
      assert.equal(a.status, 200, formatTilePath(t));
      assert.equal(a.headers.get("cache-control"), "public, max-age=31536000, immutable");
      await write(join(copy, formatTilePath(t)), a.bytes);
    }
    assert.equal(
      (await c.call("GET", "/log/tile/0/001.p/7")).status,
      200,
      "a smaller partial tile",
    );
    assert.equal((await c.call("GET", "/log/tile/0/001.p/7")).bytes.length, 7 * 32);
    assert.equal((await c.call("GET", "/log/tile/0/001.p/9")).status, 404, "past the tree");
    assert.equal((await c.call("GET", "/log/tile/0/002")).status, 404);
    r = await oracle("tiles", "-log", vkey, "-dir", copy);
    assert.ok(r.ok, r.output);
    const tilePath = join(copy, "tile/0/000");
    const tile = await Deno.readFile(tilePath);
    tile[77] ^= 1;
    await Deno.writeFile(tilePath, tile);
    r = await oracle("tiles", "-log", vkey, "-dir", copy);
    assert.ok(!r.ok && /inconsistent tile|tree hash/i.test(r.output), r.output);
    tile[77] ^= 1;
    await Deno.writeFile(tilePath, tile);
    const bundlePath = join(copy, "tile/entries/001.p/8");
    const bundle = await Deno.readFile(bundlePath);
    bundle[30] ^= 1;
    await Deno.writeFile(bundlePath, bundle);
    r = await oracle("tiles", "-log", vkey, "-dir", copy);
    assert.ok(!r.ok && /does not match its leaf hash/.test(r.output), r.output);

    // After a restart: the same key, and the log extends what clients saw before.
    await write(join(dir, "before-restart.checkpoint"), checkpoint);
    assert.equal(await server.stop(), 0);
    server = await startServerProcess({ dataDir: server.dataDir, args: ["--quiet"] });
    const c2 = new Client(server.url);
    assert.equal((await c2.call("GET", "/.well-known/wreg.json")).json.log.verifierKey, vkey);
    const more = await c2.publish(token, "logt:p4", "1.0.0", wit("logt:p4", "1.0.0"));
    assert.equal(more.status, 201, more.text);
    r = await oracle(
      "tiles",
      "-log",
      vkey,
      "-url",
      `${server.url}/log`,
      "-old",
      join(dir, "before-restart.checkpoint"),
    );
    assert.ok(r.ok, r.output);
    assert.match(r.output, /OK consistency 264 -> 265/);

    // The web index shows the log.
    const page = await c2.call("GET", "/log", { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    assert.match(page.text, /Transparency log/);
    assert.ok(page.text.includes(vkey));
    assert.match(page.text, /<dt>Entries<\/dt><dd>265<\/dd>/);
    const pkgPage = await c2.call("GET", "/logt/p3", { headers: { accept: "text/html" } });
    assert.match(pkgPage.text, /entry <a href="\/log">#263<\/a>/);
    assert.match(pkgPage.text, /unsigned/);
  } finally {
    await server.stop().catch(() => {});
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a process whose log key does not sign the stored log refuses to start", async () => {
  const server = await startServerProcess({ args: ["--quiet"] });
  const other = await Deno.makeTempDir({ prefix: "wreg-trust-key-" });
  try {
    const c = new Client(server.url);
    const token = await c.token(SERVER_ADMIN_TOKEN, "alice");
    assert.equal((await c.publish(token, "logt:k", "1.0.0", wit("logt:k", "1.0.0"))).status, 201);
    assert.equal(await server.stop(), 0);
    const mode = (await Deno.stat(join(server.dataDir, "log-key"))).mode! & 0o777;
    assert.equal(mode, 0o600);
    await assert.rejects(
      startServerProcess({
        dataDir: server.dataDir,
        args: ["--quiet", "--log-key", join(other, "another-key")],
      }),
      /does not verify with this process's log key/,
    );
  } finally {
    await Deno.remove(server.dataDir, { recursive: true });
    await Deno.remove(other, { recursive: true });
  }
});

async function signed(key: PublisherKey, pkg: string, version: string, bytes: Uint8Array) {
  const bundle = await signRelease({
    package: parsePackageName(pkg),
    version: parseVersion(version),
    digest: await digestOf(bytes),
  }, key);
  return { "x-wreg-signature": new TextEncoder().encode(bundle).toBase64(), bundle };
}

Deno.test("signed releases: keys, policy, bundles served and verified by @sigstore/verify, refusals", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-trust-sig-" });
  const storage = openMemoryStorage();
  const admin = "trust-admin-secret-0123";
  const registry = createRegistry({ storage, adminToken: admin });
  const c = new Client((req) => Promise.resolve(registry.handle(req)));
  try {
    const owner = await c.token(admin, "alice", ["publish", "yank", "owners"]);
    const publisher = await c.token(admin, "alice", ["publish"]);
    const key = await newPublisherKey();
    const stranger = await newPublisherKey();
    // The first publish claims the namespace; keys are registered by its owner.
    assert.equal(
      (await c.publish(publisher, "sig:app", "1.0.0", wit("sig:app", "1.0.0"))).status,
      201,
    );
    const noScope = await c.call("POST", "/api/v1/namespaces/sig/keys", {
      token: publisher,
      json: { publicKey: key.pem },
    });
    assert.equal(noScope.status, 403);
    const bad = await c.call("POST", "/api/v1/namespaces/sig/keys", {
      token: owner,
      json: { publicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, "invalid-key");
    const added = await c.call("POST", "/api/v1/namespaces/sig/keys", {
      token: owner,
      json: { publicKey: key.pem },
    });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.keyId, key.keyId);
    assert.equal(added.json.publicKey, key.pem);
    assert.equal(added.json.log.index, 1);
    const again = await c.call("POST", "/api/v1/namespaces/sig/keys", {
      token: owner,
      json: { publicKey: key.pem },
    });
    assert.equal(again.status, 200);
    assert.equal(again.json.log.index, 1);

    // A signed release: stored, logged with its signer, served as published.
    const bytes = wit("sig:app", "1.1.0");
    const s = await signed(key, "sig:app", "1.1.0", bytes);
    const pub = await c.publish(publisher, "sig:app", "1.1.0", bytes, {
      headers: { "x-wreg-signature": s["x-wreg-signature"] },
    });
    assert.equal(pub.status, 201, pub.text);
    assert.deepEqual(pub.json.signature, { keyId: key.keyId });
    assert.equal(
      pub.json.log.entry,
      `wreg-release/v1 sig:app 1.1.0 ${await digestOf(bytes)} ${key.keyId}\n`,
    );
    const served = await c.call("GET", "/api/v1/packages/sig/app/1.1.0/signature");
    assert.equal(served.status, 200);
    assert.equal(
      served.headers.get("content-type"),
      "application/vnd.dev.sigstore.bundle.v0.3+json",
    );
    assert.equal(served.text, s.bundle);
    assert.equal((await c.call("GET", "/api/v1/packages/sig/app/1.0.0/signature")).status, 404);
    await write(join(dir, "bundle.json"), served.bytes);
    await write(join(dir, "artifact.wasm"), bytes);
    await write(join(dir, "key.pem"), key.pem);
    await write(join(dir, "stranger.pem"), stranger.pem);
    const v = await sigstoreVerify(
      join(dir, "bundle.json"),
      join(dir, "artifact.wasm"),
      join(dir, "key.pem"),
      "sig:app@1.1.0",
    );
    assert.ok(v.ok, v.output);
    const wrongKey = await sigstoreVerify(
      join(dir, "bundle.json"),
      join(dir, "artifact.wasm"),
      join(dir, "stranger.pem"),
      "sig:app@1.1.0",
    );
    assert.ok(!wrongKey.ok, wrongKey.output);

    // The bundle is an OCI referrer of the version's manifest.
    const manifest = await c.call("GET", "/v2/sig/app/manifests/1.1.0", {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(manifest.status, 200, manifest.text);
    const referrers = await c.call(
      "GET",
      `/v2/sig/app/referrers/${await digestOf(manifest.bytes)}`,
    );
    assert.equal(referrers.status, 200, referrers.text);
    const bundles = JSON.parse(referrers.text).manifests.filter((m: { artifactType: string }) =>
      m.artifactType === "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert.equal(bundles.length, 1, referrers.text);
    const ref = await c.call("GET", `/v2/sig/app/manifests/${bundles[0].digest}`, {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    const layer = await c.call(
      "GET",
      `/v2/sig/app/blobs/${JSON.parse(ref.text).layers[0].digest}`,
    );
    assert.equal(layer.text, s.bundle);

    const policy = await c.call("PUT", "/api/v1/namespaces/sig/policy", {
      token: owner,
      json: { requireSignatures: true },
    });
    assert.deepEqual(policy.json, { namespace: "sig", requireSignatures: true });
    const size = async () => Number((await c.call("GET", "/log/checkpoint")).text.split("\n")[1]);
    const before = await size();

    // Refusals, each before anything is stored or logged.
    const next = wit("sig:app", "1.2.0");
    const unsigned = await c.publish(publisher, "sig:app", "1.2.0", next);
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.json.code, "signature-required");
    assert.equal(unsigned.json.details.digest, await digestOf(next));
    const byStranger = await c.publish(publisher, "sig:app", "1.2.0", next, {
      headers: {
        "x-wreg-signature": (await signed(stranger, "sig:app", "1.2.0", next))["x-wreg-signature"],
      },
    });
    assert.equal(byStranger.status, 403);
    assert.equal(byStranger.json.code, "unknown-signing-key");
    assert.equal(byStranger.json.details.keyId, stranger.keyId);
    const otherBytes = await signed(
      key,
      "sig:app",
      "1.2.0",
      wit("sig:app", "1.2.0", "\n  g: func();"),
    );
    const wrongDigest = await c.publish(publisher, "sig:app", "1.2.0", next, {
      headers: { "x-wreg-signature": otherBytes["x-wreg-signature"] },
    });
    assert.equal(wrongDigest.status, 400);
    assert.equal(wrongDigest.json.code, "invalid-signature");
    const garbage = await c.publish(publisher, "sig:app", "1.2.0", next, {
      headers: { "x-wreg-signature": "not base64!" },
    });
    assert.equal(garbage.json.code, "invalid-signature");
    // An OCI push into the namespace is refused too.
    const oci = await pushPackage(c, "sig/app", "1.2.0", next, { auth: `Bearer ${publisher}` });
    assert.equal(oci.answer.status, 403, oci.answer.text);
    assert.deepEqual(ociCodes(oci.answer), ["DENIED"]);
    assert.match(oci.answer.text, /requires signed releases/);

    const revoked = await c.call("DELETE", `/api/v1/namespaces/sig/keys/${key.keyId}`, {
      token: owner,
    });
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.json.revoked, true);
    const afterRevoke = await c.publish(publisher, "sig:app", "1.2.0", next, {
      headers: {
        "x-wreg-signature": (await signed(key, "sig:app", "1.2.0", next))["x-wreg-signature"],
      },
    });
    assert.equal(afterRevoke.status, 403);
    assert.equal(afterRevoke.json.code, "unknown-signing-key");
    assert.equal(afterRevoke.json.details.revoked, true);
    assert.equal((await c.call("GET", "/api/v1/packages/sig/app/1.2.0")).status, 404);
    assert.equal(await size(), before + 1, "only the revocation was logged");

    const keys = await c.call("GET", "/api/v1/namespaces/sig/keys");
    assert.equal(keys.json.requireSignatures, true);
    assert.equal(keys.json.keys.length, 1);
    assert.equal(keys.json.keys[0].revoked, true);
    const entries = new TextDecoder().decode(
      (await c.call("GET", `/log/tile/entries/000.p/${before + 1}`)).bytes,
    );
    assert.ok(entries.includes(`wreg-key/v1 sig add ${key.keyId} `), entries);
    assert.ok(entries.includes(`wreg-key/v1 sig revoke ${key.keyId}\n`), entries);

    // The version page names the signer.
    const page = await c.call("GET", "/sig/app@1.1.0", { headers: { accept: "text/html" } });
    assert.ok(page.text.includes(`signed by <code title="publisher key ID">${key.keyId}</code>`));
  } finally {
    registry.close();
    await storage.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a mirrored namespace takes no publisher keys nor signing policy (nobody claims it through them)", async () => {
  // The upstream is never asked: no read of the namespace is made.
  const storage = openMemoryStorage();
  const admin = "trust-admin-secret-0123";
  const registry = createRegistry({
    storage,
    adminToken: admin,
    mirror: {
      upstreams: [{ namespace: "acme", registry: "127.0.0.1:9" }],
      refreshSeconds: 3600,
      maxVersions: 3,
    },
  });
  const c = new Client((req) => Promise.resolve(registry.handle(req)));
  try {
    const mallory = await c.token(admin, "mallory", ["publish", "owners"]);
    const key = await newPublisherKey();
    const added = await c.call("POST", "/api/v1/namespaces/acme/keys", {
      token: mallory,
      json: { publicKey: key.pem },
    });
    assert.equal(added.status, 403, added.text);
    assert.equal(added.json.code, "namespace-mirrored");
    // A policy requiring signatures would refuse every release the mirror brings in.
    for (const token of [mallory, admin]) {
      const policy = await c.call("PUT", "/api/v1/namespaces/acme/policy", {
        token,
        json: { requireSignatures: true },
      });
      assert.equal(policy.status, 403, policy.text);
      assert.equal(policy.json.code, "namespace-mirrored");
    }
    assert.equal(await storage.metadata.getNamespace("acme"), undefined);
    assert.equal((await storage.metadata.namespaceKeys("acme")).requireSignatures, false);
    assert.equal((await storage.metadata.namespaceKeys("acme")).keys.length, 0);
    // Other namespaces are unaffected.
    const own = await c.call("POST", "/api/v1/namespaces/mine/keys", {
      token: mallory,
      json: { publicKey: key.pem },
    });
    assert.equal(own.status, 201, own.text);
  } finally {
    registry.close();
    await storage.close();
  }
});

Deno.test("a refused key registration or policy change claims no namespace", async () => {
  const storage = openMemoryStorage();
  const admin = "trust-admin-secret-0123";
  const registry = createRegistry({ storage, adminToken: admin });
  const c = new Client((req) => Promise.resolve(registry.handle(req)));
  try {
    const mallory = await c.token(admin, "mallory", ["publish", "owners"]);
    const unclaimed = async (ns: string) =>
      assert.equal((await storage.metadata.getNamespace(ns)) ?? null, null, ns);
    // Bad bodies: each refused (400), and the namespace is still free for whoever publishes first.
    for (
      const body of [
        { requireSignatures: "yes" },
        { requireSignatures: true, extra: 1 },
        {},
      ]
    ) {
      const r = await c.call("PUT", "/api/v1/namespaces/free/policy", {
        token: mallory,
        json: body,
      });
      assert.equal(r.status, 400, r.text);
      await unclaimed("free");
    }
    const notJson = await c.call("PUT", "/api/v1/namespaces/free/policy", {
      token: mallory,
      headers: { "content-type": "application/json" },
      body: "{",
    });
    assert.equal(notJson.status, 400, notJson.text);
    await unclaimed("free");
    const badKey = await c.call("POST", "/api/v1/namespaces/free/keys", {
      token: mallory,
      json: { publicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" },
    });
    assert.equal(badKey.status, 400, badKey.text);
    await unclaimed("free");
    // A well-formed one claims it, as the first publish would.
    const ok = await c.call("PUT", "/api/v1/namespaces/free/policy", {
      token: mallory,
      json: { requireSignatures: true },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(
      (await storage.metadata.getNamespace("free"))?.members.some((m) =>
        m.user === "mallory" && m.role === "owner"
      ),
    );
  } finally {
    registry.close();
    await storage.close();
  }
});

Deno.test("a namespace takes at most 100 active publisher keys: one more is 409 too-many-keys, nothing logged", async () => {
  const storage = openMemoryStorage();
  const admin = "trust-admin-secret-0123";
  const registry = createRegistry({ storage, adminToken: admin });
  const c = new Client((req) => Promise.resolve(registry.handle(req)));
  try {
    const owner = await c.token(admin, "alice", ["publish", "owners"]);
    const keys = await Promise.all(Array.from({ length: 101 }, () => newPublisherKey()));
    for (const k of keys.slice(0, 100)) {
      const r = await c.call("POST", "/api/v1/namespaces/many/keys", {
        token: owner,
        json: { publicKey: k.pem },
      });
      assert.equal(r.status, 201, r.text);
    }
    const size = await storage.metadata.logSize();
    const over = await c.call("POST", "/api/v1/namespaces/many/keys", {
      token: owner,
      json: { publicKey: keys[100].pem },
    });
    assert.equal(over.status, 409, over.text);
    assert.equal(over.json.code, "too-many-keys");
    assert.equal(over.json.details.limit, 100);
    assert.match(over.json.message, /revoke one first/);
    assert.equal(await storage.metadata.logSize(), size);
    const doc = await c.call("GET", "/api/v1/namespaces/many/keys");
    assert.equal(doc.json.keys.length, 100);
    // Revoking one makes room.
    const revoked = await c.call("DELETE", `/api/v1/namespaces/many/keys/${keys[0].keyId}`, {
      token: owner,
    });
    assert.equal(revoked.status, 200, revoked.text);
    const now = await c.call("POST", "/api/v1/namespaces/many/keys", {
      token: owner,
      json: { publicKey: keys[100].pem },
    });
    assert.equal(now.status, 201, now.text);
  } finally {
    registry.close();
    await storage.close();
  }
});

Deno.test("GET /log/checkpoint is served from a copy at most 1 s old, replaced at once by an integration", async () => {
  const storage = openMemoryStorage();
  const admin = "trust-admin-secret-0123";
  const logKey = await parseSignerKey(
    await formatSignerKey("localhost/wreg-log-cp", crypto.getRandomValues(new Uint8Array(32))),
  );
  const registry = createRegistry({ storage, adminToken: admin, logKey });
  const c = new Client((req) => Promise.resolve(registry.handle(req)));
  // The log's copy ages by Date.now: frozen here, so the test does not depend on the machine's
  // speed.
  const realNow = Date.now;
  let now = realNow();
  Date.now = () => now;
  let reads = 0;
  const read = storage.metadata.latestCheckpoint.bind(storage.metadata);
  storage.metadata.latestCheckpoint = () => {
    reads++;
    return read();
  };
  try {
    const token = await c.token(admin, "alice", ["publish"]);
    const size = async () => Number((await c.call("GET", "/log/checkpoint")).text.split("\n")[1]);
    assert.equal((await c.publish(token, "cp:a", "1.0.0", wit("cp:a", "1.0.0"))).status, 201);
    const first = await size();
    assert.ok(first >= 1);
    reads = 0;
    now += 500;
    for (let i = 0; i < 5; i++) assert.equal(await size(), first);
    assert.equal(reads, 0, "requests within 1 s read the store");
    // This process's integration replaces the copy at once.
    assert.equal((await c.publish(token, "cp:b", "1.0.0", wit("cp:b", "1.0.0"))).status, 201);
    assert.equal(await size(), first + 1);
    // Another process of the storage signs a newer one: seen once the copy is over 1 s old, with
    // one read for concurrent requests.
    const other = createRegistry({ storage, adminToken: admin, logKey });
    try {
      const o = new Client((req) => Promise.resolve(other.handle(req)));
      assert.equal((await o.publish(token, "cp:c", "1.0.0", wit("cp:c", "1.0.0"))).status, 201);
    } finally {
      other.close();
    }
    assert.equal(await size(), first + 1);
    now += 1001;
    reads = 0;
    const sizes = await Promise.all(Array.from({ length: 5 }, size));
    assert.deepEqual(sizes, Array(5).fill(first + 2));
    assert.equal(reads, 1);
  } finally {
    Date.now = realNow;
    registry.close();
    await storage.close();
  }
});

serviceTest(
  "three processes on PostgreSQL + S3 keep one append-only log: the oracle checks it from each",
  ["postgres", "s3"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "wreg-trust-cluster-" });
    const cluster = await startCluster(3);
    try {
      const clients = cluster.nodes.map((n) => new Client(n.url));
      const token = await clients[0].token(cluster.adminToken, "alice", ["publish", "yank"]);
      const vkey = (await clients[0].call("GET", "/.well-known/wreg.json")).json.log.verifierKey;
      for (const c of clients) {
        assert.equal((await c.call("GET", "/.well-known/wreg.json")).json.log.verifierKey, vkey);
      }
      // Concurrent publishes and yanks on every process.
      const burst = (round: number) =>
        Promise.all(Array.from({ length: 12 }, async (_, i) => {
          const c = clients[i % 3];
          const pkg = `race:p${round}x${i}`;
          const a = await c.publish(token, pkg, "1.0.0", wit(pkg, "1.0.0"));
          assert.equal(a.status, 201, a.text);
          if (i % 4 === 0) {
            const y = await c.call("PUT", `/api/v1/packages/race/p${round}x${i}/1.0.0/yank`, {
              token,
            });
            assert.equal(y.status, 200, y.text);
          }
        }));
      // A process serves its copy of the checkpoint while it is at most 1 s old: another
      // process's newer one shows within a second (bounded wait, not a timing assertion).
      const serves = async (c: Client, want: number) => {
        const deadline = Date.now() + 10_000;
        let size = 0;
        while (
          (size = Number((await c.call("GET", "/log/checkpoint")).text.split("\n")[1])) < want
        ) {
          assert.ok(Date.now() < deadline, `a process still serves size ${size}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await burst(0);
      await serves(clients[1], 15);
      const mid = (await clients[1].call("GET", "/log/checkpoint")).text;
      await write(join(dir, "mid.checkpoint"), mid);
      await burst(1);
      for (const c of clients) await serves(c, 30);
      for (const [i, node] of cluster.nodes.entries()) {
        const r = await oracle(
          "tiles",
          "-log",
          vkey,
          "-url",
          `${node.url}/log`,
          "-old",
          join(dir, "mid.checkpoint"),
        );
        assert.ok(r.ok, `process ${i}: ${r.output}`);
        assert.match(r.output, /OK consistency 15 -> 30/);
        assert.match(r.output, /size 30: 1 hash tiles, 30 entries/);
      }
      // Every version's entry is where its document says, in the log every process serves.
      const doc = await clients[2].call("GET", "/api/v1/packages/race/p1x5/1.0.0");
      const proof = await clients[0].call("GET", "/api/v1/packages/race/p1x5/1.0.0/log-proof");
      await verifyTlogProof(proof.text, new TextEncoder().encode(doc.json.log.entry), [
        await parseVerifierKey(vkey),
      ]);
    } finally {
      await cluster.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
