import assert from "node:assert/strict";
import { AwsClient } from "aws4fetch";
import { digestOf } from "../lib/names/mod.ts";
import { blobStoreContract, bytesOf, readAll, type Register, streamOf } from "./_contract.ts";
import { parseS3Url, S3BlobStore, type S3BlobStoreOptions } from "./_s3_blob_store.ts";
import { blobKey, isStorageError } from "./mod.ts";
import { requireService, serviceIfAvailable, serviceTest } from "../tests/support/services.ts";

const register: Register = (name, fn) => serviceTest(name, ["s3"], fn);

/** A store over the run's S3 server, under a key prefix of its own. */
function s3Store(extra: Partial<S3BlobStoreOptions> = {}): S3BlobStore {
  const s3 = requireService("s3");
  return new S3BlobStore({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    prefix: `test-${crypto.randomUUID()}/`,
    accessKeyId: s3.accessKey,
    secretAccessKey: s3.secretKey,
    ...extra,
  });
}

blobStoreContract(
  "s3",
  () => Promise.resolve({ store: s3Store(), cleanup: () => Promise.resolve() }),
  register,
);

// The same contract with every put spooled to a file and sent by node:http with its length.
blobStoreContract(
  "s3 (spooled)",
  () => Promise.resolve({ store: s3Store({ spoolAbove: 1000 }), cleanup: () => Promise.resolve() }),
  register,
);

Deno.test("parseS3Url reads bucket, prefix, endpoint, region and presign", () => {
  assert.deepEqual(
    parseS3Url("s3://wreg-blobs/a/b/?endpoint=http://127.0.0.1:9000&region=eu-west-1&presign=60"),
    {
      bucket: "wreg-blobs",
      prefix: "a/b/",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      presignSeconds: 60,
    },
  );
  assert.equal(parseS3Url("s3://wreg").prefix, "");
  for (
    const bad of [
      "http://x/y",
      "s3://AB",
      "s3://key:secret@bucket",
      "s3://bucket/../x",
      "s3://bucket?endpoint=ftp://x",
    ]
  ) {
    assert.throws(() => parseS3Url(bad), (e) => isStorageError(e, "invalid-input"), bad);
  }
  // Credentials in the URL are refused without repeating them.
  assert.throws(
    () => parseS3Url("s3://AKIA:topsecret@bucket"),
    (e) => !(e as Error).message.includes("topsecret"),
  );
});

serviceTest(
  "s3 blob store: a put is conditional and carries the blob's SHA-256 for the store to verify",
  ["s3"],
  async () => {
    const seen: { method: string; url: string; headers: Headers }[] = [];
    const store = s3Store({ observe: (r) => seen.push(r) });
    const bytes = bytesOf(5000, 42);
    const put = await store.put(streamOf(bytes));
    const puts = seen.filter((r) => r.method === "PUT");
    assert.equal(puts.length, 1);
    assert.equal(puts[0].headers.get("if-none-match"), "*");
    assert.equal(puts[0].headers.get("x-amz-content-sha256"), put.digest.slice("sha256:".length));
    // What the server does with them: other bytes under the key are refused (written once), and
    // bytes that do not hash to the declared SHA-256 are refused before anything is stored.
    const s3 = requireService("s3");
    const aws = new AwsClient({
      accessKeyId: s3.accessKey,
      secretAccessKey: s3.secretKey,
      service: "s3",
      region: s3.region,
      retries: 0,
    });
    const url = new URL(seen[0].url);
    const other = bytesOf(5000, 43);
    const overwrite = await aws.fetch(url.href, {
      method: "PUT",
      headers: { "if-none-match": "*", "x-amz-content-sha256": (await digestOf(other)).slice(7) },
      body: other as Uint8Array<ArrayBuffer>,
    });
    await overwrite.body?.cancel();
    assert.equal(overwrite.status, 412);
    const fresh = new URL(url.href.replace(blobKey(put.digest), blobKey(await digestOf(other))));
    const lying = await aws.fetch(fresh.href, {
      method: "PUT",
      headers: { "if-none-match": "*", "x-amz-content-sha256": put.digest.slice(7) },
      body: other as Uint8Array<ArrayBuffer>,
    });
    assert.equal(lying.status, 400);
    assert.match(await lying.text(), /XAmzContentSHA256Mismatch/);
    assert.deepEqual(await readAll((await store.get(put.digest)).stream), bytes);
    assert.equal(await store.has(await digestOf(other)), false);
  },
);

serviceTest(
  "s3 blob store: a presigned URL serves the bytes (and ranges) without credentials, then expires",
  ["s3"],
  async () => {
    const store = s3Store();
    const bytes = bytesOf(3000, 7);
    const { digest } = await store.put(bytes);
    const url = await store.presignedUrl(digest, 60);
    assert.ok(!url.includes(requireService("s3").secretKey));
    const res = await fetch(url);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
    const part = await fetch(url, { headers: { range: "bytes=10-19" } });
    assert.equal(part.status, 206);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.subarray(10, 20));
    const short = await store.presignedUrl(digest, 1);
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(short);
    await expired.body?.cancel();
    assert.equal(expired.status, 403);
  },
);

serviceTest(
  "s3 blob store: a store that does not answer is unavailable, and the secret is never in a message",
  ["s3"],
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const secret = "s3cr3t-that-must-not-leak";
    const store = s3Store({
      endpoint: `http://127.0.0.1:${port}`,
      secretAccessKey: secret,
      timeoutMs: 2000,
    });
    for (
      const call of [
        () => store.ping(),
        () => store.put(bytesOf(10)),
        () => store.stat(`sha256:${"0".repeat(64)}` as never),
      ]
    ) {
      const err = await call().then(() => undefined, (e) => e);
      assert.ok(isStorageError(err, "unavailable"), String(err));
      assert.ok(!err.message.includes(secret));
    }
    // Wrong credentials: a refusal (not unavailable), still without the secret.
    const wrong = s3Store({ secretAccessKey: secret });
    const err = await wrong.put(bytesOf(10)).then(() => undefined, (e) => e);
    assert.ok(isStorageError(err, "io"), String(err));
    assert.match(err.message, /SignatureDoesNotMatch/);
    assert.ok(!err.message.includes(secret));
  },
);

// SeaweedFS, the second S3 server (lenient where versitygw and AWS are strict, e.g. chunked
// uploads): the same contract when tools/services.mjs started it (asked for with
// WREG_S3_SERVER=seaweedfs, or its binary already built). Otherwise the run says so.
const seaweed = serviceIfAvailable("seaweedfs");
const seaweedAsked = (Deno.env.get("WREG_S3_SERVER") ?? "").split(",").includes("seaweedfs");
if (seaweed !== undefined || seaweedAsked) {
  blobStoreContract(
    "s3 on SeaweedFS",
    () => {
      const s = requireService("seaweedfs");
      return Promise.resolve({
        store: new S3BlobStore({
          endpoint: s.endpoint,
          region: s.region,
          bucket: s.bucket,
          prefix: `test-${crypto.randomUUID()}/`,
          accessKeyId: s.accessKey,
          secretAccessKey: s.secretKey,
        }),
        cleanup: () => Promise.resolve(),
      });
    },
    (name, fn) => serviceTest(name, ["seaweedfs"], fn),
  );
} else {
  Deno.test({
    name:
      "s3 blob store on SeaweedFS (not built here: WREG_S3_SERVER=seaweedfs and a weed binary run it)",
    ignore: true,
    fn: () => {},
  });
}
