/**
 * Hostile input: oversized and truncated bodies, wrong content types and digests, broken bytes,
 * path tricks in names, malformed JSON. Each gets a clear error with a stable code, and nothing is
 * stored (no blob, no version, no namespace claimed). In-process over the embedded storage, and
 * over a real server for what only a socket can do.
 */
import assert from "node:assert/strict";
import { createApp } from "../registry/mod.ts";
import { openStorage, type Storage } from "../storage/mod.ts";
import {
  Client,
  digest,
  PROCESSOR_WIT,
  startServerProcess,
  storageSnapshot,
  witPackage,
} from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";
const LIMIT = 64 * 1024;

async function withApp(
  body: (c: Client, alice: string, storage: Storage) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-hostile-" });
  const storage = await openStorage({ dataDir: dir });
  try {
    const c = new Client(
      createApp({
        storage,
        adminToken: ADMIN,
        limits: { maxUploadBytes: LIMIT, maxJsonBytes: 1024, maxDocumentBytes: LIMIT },
      }),
    );
    const alice = await c.token(ADMIN, "alice");
    const before = await storageSnapshot(storage);
    await body(c, alice, storage);
    const after = await storageSnapshot(storage);
    assert.deepEqual(after.blobs, before.blobs, "no blob was stored");
    assert.deepEqual(after.versions, before.versions, "no version was stored");
    assert.equal(after.totals.namespaces, before.totals.namespaces, "no namespace was claimed");
  } finally {
    await storage.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function chunks(parts: Uint8Array[], fail?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < parts.length) c.enqueue(parts[i++]);
      else if (fail) c.error(fail);
      else c.close();
    },
  });
}

Deno.test("an oversized body is refused with 413 before it is read, declared or streamed", async () => {
  await withApp(async (c, alice) => {
    const big = new Uint8Array(LIMIT + 1);
    const declared = await c.publish(alice, "docs:big", "1.0.0", big);
    assert.equal(declared.status, 413);
    assert.equal(declared.json.code, "payload-too-large");
    assert.equal(declared.json.details.limit, LIMIT);

    // No Content-Length: the stream is cut at the limit.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        pulled++;
        ctrl.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const streamed = await c.call("PUT", "/api/v1/packages/docs/big/1.0.0", {
      token: alice,
      body: endless,
      headers: {
        "content-type": "application/wasm",
        "x-wreg-digest": `sha256:${"a".repeat(64)}`,
      },
    });
    assert.equal(streamed.status, 413);
    assert.equal(streamed.json.code, "payload-too-large");
    assert.ok(pulled <= LIMIT / (16 * 1024) + 3, `read ${pulled} chunks of an endless body`);
  });
});

Deno.test("a truncated upload and a digest mismatch store nothing", async () => {
  await withApp(async (c, alice) => {
    const bytes = witPackage(PROCESSOR_WIT);
    const truncated = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0", {
      token: alice,
      body: chunks([bytes.subarray(0, 100)], new Error("connection reset")),
      headers: { "content-type": "application/wasm", "x-wreg-digest": await digest(bytes) },
    });
    assert.equal(truncated.status, 400);
    assert.equal(truncated.json.code, "upload-incomplete");

    const short = await c.publish(alice, "docs:processor", "0.1.0", bytes.subarray(0, 100), {
      digest: await digest(bytes),
    });
    assert.equal(short.status, 400);
    assert.equal(short.json.code, "digest-mismatch");
    assert.match(short.json.message, /hash to "sha256:[0-9a-f]{64}", not the declared/);

    const missing = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0", {
      token: alice,
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "application/wasm" },
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, "digest-required");
    for (const bad of ["sha256:XYZ", "md5:abc", `sha256:${"A".repeat(64)}`]) {
      const r = await c.publish(alice, "docs:processor", "0.1.0", bytes, { digest: bad });
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.code, "invalid-digest", bad);
    }
    // RFC 3230's form is understood too.
    const hex = (await digest(bytes)).slice(7);
    const b64 = Uint8Array.fromHex(hex).toBase64();
    const rfc = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0", {
      token: alice,
      body: bytes.subarray(1) as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "application/wasm", digest: `sha-256=${b64}` },
    });
    assert.equal(rfc.json.code, "digest-mismatch");
  });
});

Deno.test("a wrong or missing content type is refused with 415", async () => {
  await withApp(async (c, alice) => {
    const bytes = witPackage(PROCESSOR_WIT);
    for (const type of ["text/plain", "application/octet-stream", "application/json"]) {
      const r = await c.publish(alice, "docs:processor", "0.1.0", bytes, { contentType: type });
      assert.equal(r.status, 415, type);
      assert.equal(r.json.code, "unsupported-media-type");
      assert.match(r.json.message, /not "application\/wasm"/);
    }
    const none = await c.call("PUT", "/api/v1/packages/docs/processor/0.1.0", {
      token: alice,
      body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
      headers: { "x-wreg-digest": await digest(bytes) },
    });
    assert.equal(none.status, 415);
    assert.match(none.json.message, /Content-Type is missing/);
  });
});

Deno.test("bytes that are not a component are refused with the offset where decoding stopped", async () => {
  await withApp(async (c, alice) => {
    const text = await c.publish(alice, "docs:junk", "1.0.0", new TextEncoder().encode("hello"));
    assert.equal(text.status, 400);
    assert.equal(text.json.code, "invalid-component");
    assert.equal(text.json.details.decodeError, "not-wasm");
    assert.equal(text.json.details.offset, 0);
    const bytes = witPackage(PROCESSOR_WIT);
    const cut = await c.publish(
      alice,
      "docs:processor",
      "0.1.0",
      bytes.subarray(0, bytes.length - 7),
    );
    assert.equal(cut.status, 400);
    assert.equal(cut.json.code, "invalid-component");
    assert.equal(typeof cut.json.details.offset, "number");
    assert.match(cut.json.message, /\(at offset 0x[0-9a-f]+\)/);
    const empty = await c.publish(alice, "docs:junk", "1.0.0", new Uint8Array());
    assert.equal(empty.json.code, "invalid-component");
  });
});

Deno.test("a version document over the limit is refused, however small the upload", async () => {
  await withApp(async (c, alice) => {
    const wordy = witPackage(
      `package docs:wordy@1.0.0;\n/// ${
        "words ".repeat(7000)
      }\ninterface api {\n  run: func();\n}\n`,
    );
    assert.ok(wordy.length < LIMIT);
    const r = await c.publish(alice, "docs:wordy", "1.0.0", wordy);
    assert.equal(r.status, 400);
    assert.equal(r.json.code, "document-too-large");
    assert.equal(r.json.details.limit, LIMIT);
  });
});

Deno.test("path tricks in names are refused as invalid names, never reach storage", async () => {
  await withApp(async (c, alice) => {
    const bytes = witPackage(PROCESSOR_WIT);
    const tricks = [
      "/api/v1/packages/docs/%2e%2e/0.1.0", // dot-dot, percent-encoded (the URL parser resolves it)
      "/api/v1/packages/docs/..%2fetc/0.1.0",
      "/api/v1/packages/docs/processor%2f..%2f..%2fx/0.1.0",
      "/api/v1/packages/docs/%252e%252e/0.1.0", // double-encoded
      "/api/v1/packages/d%D0%BEcs/processor/0.1.0", // Cyrillic "о" in "docs"
      "/api/v1/packages/docs/pr%EF%BD%8Fcessor/0.1.0", // full-width "ｏ"
      "/api/v1/packages/Docs/processor/0.1.0", // upper case
      "/api/v1/packages/docs/processor%00/0.1.0", // NUL
      "/api/v1/packages/docs/proc%ZZessor/0.1.0", // broken percent-encoding
      "/api/v1/packages/docs/processor/0.1.0%2f..%2f..", // a version with a path in it
      "/api/v1/packages/docs/processor/..%2f0.1.0",
    ];
    for (const path of tricks) {
      const r = await c.call("PUT", path, {
        token: alice,
        body: bytes as Uint8Array<ArrayBuffer>,
        headers: { "content-type": "application/wasm", "x-wreg-digest": await digest(bytes) },
      });
      assert.ok([400, 404, 405].includes(r.status), `${path}: ${r.status} ${r.text}`);
      assert.ok(
        ["invalid-name", "invalid-version", "invalid-path", "not-found", "method-not-allowed"]
          .includes(r.json.code),
        `${path}: ${r.json.code}`,
      );
      assert.ok(r.json.message.length > 20, path);
      const g = await c.call("GET", path);
      assert.ok([400, 404].includes(g.status), `GET ${path}: ${g.status}`);
    }
    const raw = await c.call("PUT", "/api/v1/packages/d%D0%BEcs/processor/0.1.0", {
      token: alice,
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { "content-type": "application/wasm", "x-wreg-digest": await digest(bytes) },
    });
    assert.equal(raw.json.code, "invalid-name");
    assert.match(raw.json.message, /Invalid namespace "dоcs"/);
    const blob = await c.call("GET", "/api/v1/blobs/sha256%3A..%2F..%2Fmetadata.sqlite");
    assert.equal(blob.status, 400);
    assert.equal(blob.json.code, "invalid-digest");
  });
});

Deno.test("malformed JSON bodies get a clear error each", async () => {
  await withApp(async (c) => {
    const post = (body: string, type = "application/json") =>
      c.call("POST", "/api/v1/tokens", {
        token: ADMIN,
        body,
        headers: { "content-type": type },
      });
    const broken = await post("{not json");
    assert.equal(broken.status, 400);
    assert.equal(broken.json.code, "invalid-json");
    const array = await post("[1,2]");
    assert.equal(array.json.code, "invalid-json");
    const wrongType = await post('{"owner":"x"}', "text/plain");
    assert.equal(wrongType.status, 415);
    const huge = await post(JSON.stringify({ owner: "x", description: "y".repeat(5000) }));
    assert.equal(huge.status, 413);
    const badUtf8 = await c.call("POST", "/api/v1/tokens", {
      token: ADMIN,
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      headers: { "content-type": "application/json" },
    });
    assert.equal(badUtf8.json.code, "invalid-json");
    const noOwner = await post('{"scopes":["publish"]}');
    assert.equal(noOwner.json.code, "invalid-body");
    assert.match(noOwner.json.message, /"owner"/);
    const badScope = await post('{"owner":"x","scopes":["root"]}');
    assert.equal(badScope.json.code, "invalid-body");
    const badNs = await post('{"owner":"x","namespaces":["Bad Name"]}');
    assert.equal(badNs.status, 400);
    assert.equal(badNs.json.code, "invalid-body");
    const member = await c.call("PUT", "/api/v1/namespaces/docs/members/bob", {
      token: ADMIN,
      body: "{",
      headers: { "content-type": "application/json" },
    });
    assert.equal(member.status, 404, "an unclaimed namespace has no members to manage");
  });
});

Deno.test("a real server survives a truncated upload and an oversized one, storing nothing", async () => {
  const server = await startServerProcess({ args: ["--max-upload", String(LIMIT), "--quiet"] });
  try {
    const c = new Client(server.url);
    const alice = await c.token("test-admin-secret-0123", "alice");
    const bytes = witPackage(PROCESSOR_WIT);
    const port = Number(new URL(server.url).port);

    // Declares 1 MB, sends 100 bytes, closes the connection.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const head = `PUT /api/v1/packages/docs/processor/0.1.0 HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${alice}\r\nContent-Type: application/wasm\r\n` +
      `X-Wreg-Digest: ${await digest(bytes)}\r\nContent-Length: 60000\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    await conn.write(bytes.subarray(0, 100));
    conn.close();

    // Declares more than the limit: 413 at once, without sending the body.
    const conn2 = await Deno.connect({ hostname: "127.0.0.1", port });
    const head2 = `PUT /api/v1/packages/docs/processor/0.1.0 HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${alice}\r\nContent-Type: application/wasm\r\n` +
      `X-Wreg-Digest: ${await digest(bytes)}\r\nContent-Length: ${LIMIT * 1000}\r\n\r\n`;
    await conn2.write(new TextEncoder().encode(head2));
    const buf = new Uint8Array(4096);
    const n = await conn2.read(buf);
    conn2.close();
    assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 413/);

    // Raw dot segments and encoded ones, sent as they are (no client normalizes them here).
    for (
      const path of [
        "/api/v1/packages/docs/../processor/0.1.0",
        "/api/v1/packages/docs/%2e%2e/0.1.0",
      ]
    ) {
      const raw = await Deno.connect({ hostname: "127.0.0.1", port });
      await raw.write(new TextEncoder().encode(
        `PUT ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice}\r\n` +
          `Content-Type: application/wasm\r\nX-Wreg-Digest: ${await digest(bytes)}\r\n` +
          `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
      ));
      await raw.write(bytes);
      const answer = new Uint8Array(4096);
      const got = await raw.read(answer);
      raw.close();
      assert.match(
        new TextDecoder().decode(answer.subarray(0, got ?? 0)),
        /^HTTP\/1\.1 4\d\d/,
        path,
      );
    }

    // Still healthy, nothing published, and a proper publish works.
    assert.equal((await c.call("GET", "/healthz")).status, 200);
    assert.equal((await c.call("GET", "/api/v1/packages/docs/processor")).status, 404);
    const ok = await c.publish(alice, "docs:processor", "0.1.0", bytes);
    assert.equal(ok.status, 201, ok.text);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const storage = await openStorage({ dataDir: server.dataDir });
  try {
    const snap = await storageSnapshot(storage);
    assert.deepEqual(snap.versions, ["docs:processor@0.1.0"]);
    assert.equal(snap.blobs.length, 1, "only the published blob is stored");
  } finally {
    await storage.close();
    await Deno.remove(server.dataDir, { recursive: true });
  }
});
