/**
 * The behaviour every storage implementation must have, as one suite of `Deno.test`s. An
 * implementation's test file registers it in a few lines (see memory_test.ts):
 *
 * ```ts ignore
 * import { blobStoreContract } from "./_contract.ts";
 * import { MemoryBlobStore } from "./mod.ts";
 * blobStoreContract("memory", () =>
 *   Promise.resolve({ store: new MemoryBlobStore(), cleanup: () => Promise.resolve() }));
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type Digest,
  digestOf,
  parsePackageName,
  parseVersion,
  type Version,
} from "../lib/names/mod.ts";
import { isStorageError, type StorageError, type StorageErrorCode } from "./_errors.ts";
import { hashTokenSecret, newTokenSecret, parseSearchTarget } from "./_rules.ts";
import { MAX_ACTIVE_KEYS } from "./_log_rules.ts";
import type {
  BlobStore,
  JsonObject,
  MetadataStore,
  OciManifestInput,
  PackageKind,
  PublishInput,
  SearchRelation,
  SearchRowInput,
  TargetQuery,
} from "./_types.ts";

/** A store made fresh for one test, and how to remove what it left. */
export interface Harness<T> {
  store: T;
  cleanup(): Promise<void>;
}

/** Makes a fresh metadata store whose clock is `now`. */
export type MakeMetadataStore = (options: { now: () => Date }) => Promise<Harness<MetadataStore>>;

/**
 * How a suite registers its tests: `Deno.test` by default; a backend that needs a server passes
 * `serviceTest` (tests/support/services.ts) so a missing server is reported, never skipped.
 */
export type Register = (name: string, fn: () => Promise<void>) => void;

const denoTest: Register = (name, fn) => Deno.test(name, fn);

// ---------------------------------------------------------------------------------------------
// helpers

/** Collects a stream into one array. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const p of stream) {
    parts.push(p);
    n += p.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic pseudo-random bytes. */
export function bytesOf(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A stream of `bytes` in chunks of `chunk` bytes, yielding to the event loop between chunks. */
export function streamOf(bytes: Uint8Array, chunk = 4096): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((r) => setTimeout(r, 0));
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

async function rejectsWith(p: Promise<unknown>, code: StorageErrorCode): Promise<Error> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a "${code}" error, but the call succeeded`);
  assert.ok(isStorageError(caught), `expected a StorageError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

async function listAll(store: BlobStore): Promise<Digest[]> {
  const out: Digest[] = [];
  for await (const s of store.list()) out.push(s.digest);
  return out.sort();
}

function run<T>(
  make: () => Promise<Harness<T>>,
  body: (store: T) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const h = await make();
    try {
      await body(h.store);
    } finally {
      await (h.store as { close(): Promise<void> }).close();
      await h.cleanup();
    }
  };
}

// ---------------------------------------------------------------------------------------------
// blob store

/** Registers the blob store contract for one implementation. */
export function blobStoreContract(
  impl: string,
  make: () => Promise<Harness<BlobStore>>,
  register: Register = denoTest,
): void {
  const test = (name: string, body: (store: BlobStore) => Promise<void>) =>
    register(`${impl} blob store: ${name}`, run(make, body));

  test("ping answers while the store is open", async (s) => {
    await s.ping();
    await s.close();
    await rejectsWith(s.ping(), "closed");
  });

  test("a put returns the sha256 digest and size, and get streams the same bytes", async (s) => {
    const bytes = bytesOf(100_000);
    const put = await s.put(streamOf(bytes, 7000));
    assert.equal(put.digest, await digestOf(bytes));
    assert.equal(put.size, bytes.length);
    assert.equal(put.created, true);
    assert.equal(await s.has(put.digest), true);
    assert.equal((await s.stat(put.digest))?.size, bytes.length);
    const body = await s.get(put.digest);
    assert.deepEqual({ size: body.size, offset: body.offset, length: body.length }, {
      size: bytes.length,
      offset: 0,
      length: bytes.length,
    });
    assert.deepEqual(await readAll(body.stream), bytes);
  });

  test("a blob larger than the write buffer round-trips intact", async (s) => {
    const bytes = bytesOf(3 * (1 << 20) + 7, 3);
    const put = await s.put(streamOf(bytes, 65536 + 3));
    assert.equal(put.digest, await digestOf(bytes));
    assert.deepEqual(await readAll((await s.get(put.digest)).stream), bytes);
  });

  test("an empty blob can be stored and read", async (s) => {
    const put = await s.put(new Uint8Array());
    assert.equal(put.digest, await digestOf(new Uint8Array()));
    const body = await s.get(put.digest);
    assert.equal(body.length, 0);
    assert.deepEqual(await readAll(body.stream), new Uint8Array());
  });

  test("putting the same bytes twice stores one blob and reports it was there", async (s) => {
    const bytes = bytesOf(5000);
    const first = await s.put(bytes);
    const second = await s.put(streamOf(bytes), { digest: first.digest });
    const third = await s.put(bytes);
    assert.deepEqual([first.created, second.created, third.created], [true, false, false]);
    assert.equal(second.digest, first.digest);
    assert.deepEqual(await listAll(s), [first.digest]);
    assert.deepEqual(await readAll((await s.get(first.digest)).stream), bytes);
  });

  test("a put whose bytes differ from the declared digest is refused and leaves nothing", async (s) => {
    const bytes = bytesOf(20_000);
    const declared = await digestOf(bytesOf(20_000, 2));
    const err = await rejectsWith(s.put(streamOf(bytes), { digest: declared }), "digest-mismatch");
    assert.deepEqual((err as { details?: unknown }).details, {
      expected: declared,
      actual: await digestOf(bytes),
    });
    assert.equal(await s.has(declared), false);
    assert.equal(await s.has(await digestOf(bytes)), false);
    assert.deepEqual(await listAll(s), []);
  });

  test("wrong bytes declared as a stored digest are refused and the stored blob stays intact", async (s) => {
    const good = bytesOf(3000, 5);
    const stored = await s.put(good);
    await rejectsWith(
      s.put(streamOf(bytesOf(3000, 6)), { digest: stored.digest }),
      "digest-mismatch",
    );
    assert.deepEqual(await readAll((await s.get(stored.digest)).stream), good);
    assert.deepEqual(await listAll(s), [stored.digest]);
  });

  test("a stream longer than the size limit is refused, cancelled and leaves nothing", async (s) => {
    let cancelled = false;
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1000).fill(pulled & 0xff));
      },
      cancel() {
        cancelled = true;
      },
    });
    const err = await rejectsWith(s.put(endless, { maxSize: 10_000 }), "too-large");
    assert.equal((err as { details?: { limit?: number } }).details?.limit, 10_000);
    assert.equal(cancelled, true);
    assert.ok(pulled <= 12, `read ${pulled} chunks of an endless stream`);
    assert.deepEqual(await listAll(s), []);
    // Exactly the limit is allowed; bytes in memory are checked too.
    assert.equal((await s.put(bytesOf(10_000), { maxSize: 10_000 })).size, 10_000);
    await rejectsWith(s.put(bytesOf(10_001), { maxSize: 10_000 }), "too-large");
    assert.equal((await listAll(s)).length, 1);
  });

  test("a stream that fails midway is refused as aborted and leaves nothing", async (s) => {
    let n = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        if (n++ === 3) c.error(new Error("connection reset"));
        else c.enqueue(bytesOf(1000, n));
      },
    });
    const err = await rejectsWith(s.put(broken), "aborted");
    assert.match(err.message, /connection reset/);
    assert.deepEqual(await listAll(s), []);
  });

  test("byte ranges return exactly the requested bytes, cut at the end", async (s) => {
    const bytes = bytesOf(200_000, 9);
    const { digest } = await s.put(bytes);
    const cases: [number, number | undefined, number, number][] = [
      [0, 1, 0, 1],
      [10, 100, 10, 100],
      [65_530, 70_000, 65_530, 70_000], // crosses read chunks
      [199_999, undefined, 199_999, 1],
      [150_000, 1_000_000, 150_000, 50_000],
      [5, undefined, 5, 199_995],
    ];
    for (const [offset, length, wantOffset, wantLength] of cases) {
      const body = await s.get(digest, { offset, length });
      assert.deepEqual([body.offset, body.length, body.size], [
        wantOffset,
        wantLength,
        bytes.length,
      ]);
      assert.deepEqual(
        await readAll(body.stream),
        bytes.subarray(wantOffset, wantOffset + wantLength),
      );
    }
  });

  test("a range outside the blob is refused as invalid-range", async (s) => {
    const { digest } = await s.put(bytesOf(100));
    await rejectsWith(s.get(digest, { offset: 100 }), "invalid-range");
    await rejectsWith(s.get(digest, { offset: -1 }), "invalid-range");
    await rejectsWith(s.get(digest, { offset: 0, length: 0 }), "invalid-range");
    await rejectsWith(s.get(digest, { offset: 1.5 }), "invalid-range");
  });

  test("a reader that stops early can cancel the stream and read again", async (s) => {
    const bytes = bytesOf(300_000, 4);
    const { digest } = await s.put(bytes);
    for (const range of [undefined, { offset: 1000 }]) {
      const body = await s.get(digest, range);
      const reader = body.stream.getReader();
      const first = await reader.read();
      assert.equal(first.done, false);
      await reader.cancel();
    }
    assert.deepEqual(await readAll((await s.get(digest)).stream), bytes);
  });

  test("a missing blob is not found", async (s) => {
    const missing = await digestOf(bytesOf(10, 77));
    assert.equal(await s.has(missing), false);
    assert.equal(await s.stat(missing), undefined);
    await rejectsWith(s.get(missing), "not-found");
    assert.equal(await s.delete(missing), false);
  });

  test("concurrent puts of the same blob all succeed and store one intact copy", async (s) => {
    const bytes = bytesOf(256 * 1024, 11);
    const digest = await digestOf(bytes);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.put(streamOf(bytes, 5000 + i * 1000), { digest })),
    );
    assert.ok(results.every((r) => r.digest === digest && r.size === bytes.length));
    assert.ok(results.some((r) => r.created));
    assert.deepEqual(await listAll(s), [digest]);
    assert.deepEqual(await readAll((await s.get(digest)).stream), bytes);
  });

  test("concurrent puts of different blobs are all stored", async (s) => {
    const blobs = Array.from({ length: 10 }, (_, i) => bytesOf(10_000 + i, 100 + i));
    const results = await Promise.all(blobs.map((b) => s.put(streamOf(b, 3000))));
    assert.deepEqual(await listAll(s), results.map((r) => r.digest).sort());
    for (const [i, r] of results.entries()) {
      assert.deepEqual(await readAll((await s.get(r.digest)).stream), blobs[i]);
    }
  });

  test("delete removes a blob for garbage collection and the list shows the rest", async (s) => {
    const a = await s.put(bytesOf(1000, 1));
    const b = await s.put(bytesOf(2000, 2));
    assert.equal(await s.delete(a.digest), true);
    assert.equal(await s.delete(a.digest), false);
    assert.equal(await s.has(a.digest), false);
    await rejectsWith(s.get(a.digest), "not-found");
    const listed: { digest: Digest; size: number; storedAt: string }[] = [];
    for await (const st of s.list()) listed.push(st);
    assert.deepEqual(listed.map((x) => [x.digest, x.size]), [[b.digest, 2000]]);
    assert.ok(!Number.isNaN(Date.parse(listed[0].storedAt)));
  });

  test("upload parts are stored apart from blobs and read back concatenated in order", async (s) => {
    const a = bytesOf(70_000, 3);
    const b = bytesOf(5, 4);
    const c = new Uint8Array();
    assert.deepEqual(await s.putUploadPart("up-1", "p2", streamOf(b)), { size: 5 });
    assert.deepEqual(await s.putUploadPart("up-1", "p1", a), { size: a.length });
    assert.deepEqual(await s.putUploadPart("up-1", "p3", c), { size: 0 });
    await s.putUploadPart("up-2", "p1", bytesOf(10, 5));
    const whole = await readAll(s.readUploadParts("up-1", ["p1", "p2", "p3"]));
    assert.deepEqual(whole, new Uint8Array([...a, ...b]));
    assert.deepEqual(await listAll(s), [], "parts are not blobs");
    const uploads = [];
    for await (const u of s.listUploadParts()) uploads.push(u);
    assert.deepEqual(uploads.map((u) => u.upload).sort(), ["up-1", "up-2"]);
    assert.ok(uploads.every((u) => !Number.isNaN(Date.parse(u.storedAt))));
    // Concatenated parts can be put as a blob, hashed on the way in.
    const put = await s.put(s.readUploadParts("up-1", ["p1", "p2"]));
    assert.equal(put.digest, await digestOf(whole));
    await s.deleteUploadParts("up-1");
    await s.deleteUploadParts("up-1"); // idempotent
    await s.deleteUploadParts("never");
    const left = [];
    for await (const u of s.listUploadParts()) left.push(u.upload);
    assert.deepEqual(left, ["up-2"]);
    assert.deepEqual(await readAll((await s.get(put.digest)).stream), whole, "the blob stays");
  });

  test("a missing part fails the read; bad ids and oversized parts are refused, leaving nothing", async (s) => {
    await s.putUploadPart("up-1", "p1", bytesOf(10));
    let caught: unknown;
    try {
      await readAll(s.readUploadParts("up-1", ["p1", "nope"]));
    } catch (e) {
      caught = e;
    }
    assert.ok(isStorageError(caught, "not-found"), String(caught));
    await rejectsWith(s.putUploadPart("../x", "p1", bytesOf(1)), "invalid-input");
    await rejectsWith(s.putUploadPart("up-1", "a/b", bytesOf(1)), "invalid-input");
    await rejectsWith(
      s.putUploadPart("up-3", "p1", streamOf(bytesOf(100)), { maxSize: 10 }),
      "too-large",
    );
    const failing = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytesOf(10));
        c.error(new Error("connection reset"));
      },
    });
    await rejectsWith(s.putUploadPart("up-4", "p1", failing), "aborted");
    const left = [];
    for await (const u of s.listUploadParts()) left.push(u.upload);
    assert.deepEqual(left, ["up-1"]);
  });

  test("a closed store refuses further calls", async (s) => {
    await s.close();
    await rejectsWith(s.has(await digestOf(new Uint8Array())), "closed");
    await rejectsWith(s.put(new Uint8Array(1)), "closed");
    await rejectsWith(s.putUploadPart("up-1", "p1", new Uint8Array(1)), "closed");
  });
}

// ---------------------------------------------------------------------------------------------
// metadata store

const V = parseVersion;
const P = parsePackageName;

function digestFor(text: string): Digest {
  // A fixed, valid-looking digest per text (the metadata store never looks at blob bytes).
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `sha256:${h.toString(16).padStart(8, "0").repeat(8)}` as Digest;
}

function row(relation: SearchRelation, target: string): SearchRowInput {
  const t = parseSearchTarget(target);
  if (!t) throw new Error(`bad target in test: ${target}`);
  return { relation, ...t };
}

function publish(
  name: string,
  version: string,
  extra: Partial<Omit<PublishInput, "name" | "version">> = {},
): PublishInput {
  return {
    name: P(name),
    version: V(version),
    kind: "component" as PackageKind,
    digest: digestFor(`${name}@${version}`),
    size: 1234,
    publisher: "alice",
    document: { worlds: [`${name}/w@${version}`] },
    searchRows: [],
    ...extra,
  };
}

/** A clock that moves one second forward at each reading. */
export function steppingClock(start = "2025-01-01T00:00:00.000Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date(t += 1000);
}

/** Registers the metadata store contract for one implementation. */
export function metadataStoreContract(
  impl: string,
  make: MakeMetadataStore,
  register: Register = denoTest,
): void {
  const test = (name: string, body: (store: MetadataStore) => Promise<void>) =>
    register(`${impl} metadata store: ${name}`, run(() => make({ now: steppingClock() }), body));

  coordinationTests(test);

  test("a server secret is stored once: the first candidate stays, later ones get it", async (m) => {
    const first = bytesOf(32, 7);
    const got = await m.serverSecret("oci-token", first);
    assert.deepEqual(got, first);
    got.fill(0); // a copy: changing it changes nothing stored
    assert.deepEqual(await m.serverSecret("oci-token", bytesOf(32, 8)), first);
    assert.deepEqual(await m.serverSecret("other", bytesOf(16, 9)), bytesOf(16, 9));
    await rejectsWith(m.serverSecret("Bad Name", bytesOf(32)), "invalid-input");
    await rejectsWith(m.serverSecret("short", bytesOf(15)), "invalid-input");
  });

  test("a published version can be read back with its document and package", async (m) => {
    const rec = await m.commitVersion(publish("docs:hello", "1.0.0", {
      description: "Says hello",
      document: { wit: "package docs:hello;", worlds: ["greeter"], n: 1, nested: { ok: true } },
    }));
    assert.equal(rec.package, "docs:hello");
    assert.equal(rec.yanked, false);
    const got = await m.getVersion(P("docs:hello"), V("1.0.0"));
    assert.deepEqual(got, rec);
    assert.deepEqual(got?.document, {
      wit: "package docs:hello;",
      worlds: ["greeter"],
      n: 1,
      nested: { ok: true },
    });
    const pkg = await m.getPackage(P("docs:hello"));
    assert.equal(pkg?.package.kind, "component");
    assert.equal(pkg?.package.description, "Says hello");
    assert.equal(pkg?.package.namespace, "docs");
    assert.equal(pkg?.package.latestVersion, "1.0.0");
    assert.equal(pkg?.package.versionCount, 1);
    assert.equal(pkg?.package.createdAt, rec.publishedAt);
    assert.deepEqual(
      pkg?.versions,
      [rec].map(({ document: _, log: _l, signature: _s, ...v }) => v),
    );
    assert.equal(await m.getVersion(P("docs:hello"), V("2.0.0")), undefined);
    assert.equal(await m.getPackage(P("docs:nope")), undefined);
  });

  test("versions are listed in semver order, highest first, with dates and yanked flags", async (m) => {
    for (const v of ["1.9.0", "1.10.0", "1.2.0", "2.0.0-rc.1", "0.1.0"]) {
      await m.commitVersion(publish("docs:order", v));
    }
    await m.setYanked(P("docs:order"), V("1.2.0"), true);
    const pkg = await m.getPackage(P("docs:order"));
    assert.deepEqual(pkg?.versions.map((v) => [v.version, v.yanked]), [
      ["2.0.0-rc.1", false],
      ["1.10.0", false],
      ["1.9.0", false],
      ["1.2.0", true],
      ["0.1.0", false],
    ]);
    assert.ok(pkg?.versions.every((v) => !Number.isNaN(Date.parse(v.publishedAt))));
    assert.equal(pkg?.package.latestVersion, "1.10.0");
  });

  test("every commit, yank and unyank appends its log entry in the same transaction", async (m) => {
    assert.equal(await m.logSize(), 0);
    const a = await m.commitVersion(publish("docs:logged", "1.0.0"));
    const keyId = "ab".repeat(32);
    const bundle = new TextEncoder().encode('{"bundle":true}');
    await m.claimNamespace("docs", "alice");
    await m.addPublisherKey("docs", { keyId, publicKey: new Uint8Array([7]), addedBy: "alice" });
    const b = await m.commitVersion(
      publish("docs:logged", "1.1.0", { signature: { keyId, bundle } }),
    );
    assert.deepEqual(a.log, {
      index: 0,
      entry: `wreg-release/v1 docs:logged 1.0.0 ${a.digest} -\n`,
    });
    assert.deepEqual(b.log, {
      index: 2,
      entry: `wreg-release/v1 docs:logged 1.1.0 ${b.digest} ${keyId}\n`,
    });
    assert.equal(a.signature, null);
    assert.deepEqual(b.signature, { keyId, bundle });
    assert.deepEqual(await m.getVersion(P("docs:logged"), V("1.1.0")), b);
    // A refused commit appends nothing.
    await rejectsWith(m.commitVersion(publish("docs:logged", "1.0.0")), "conflict");
    assert.equal(await m.logSize(), 3);
    await m.setYanked(P("docs:logged"), V("1.0.0"), true);
    await m.setYanked(P("docs:logged"), V("1.0.0"), true); // no change: no entry
    await m.setYanked(P("docs:logged"), V("1.0.0"), false);
    await m.setYanked(P("docs:logged"), V("1.1.0"), false); // no change: no entry
    assert.equal(await m.logSize(), 5);
    const text = (await m.readLogEntries(0, 5)).map((e) => new TextDecoder().decode(e));
    assert.deepEqual(text, [
      a.log.entry,
      `wreg-key/v1 docs add ${keyId} Bw==\n`,
      b.log.entry,
      `wreg-yank/v1 docs:logged 1.0.0 ${a.digest}\n`,
      `wreg-unyank/v1 docs:logged 1.0.0 ${a.digest}\n`,
    ]);
    assert.deepEqual(await m.readLogEntries(1, 1), []);
    await rejectsWith(m.readLogEntries(4, 6), "not-found");
    await rejectsWith(m.readLogEntries(0, 2000), "invalid-input");
    await rejectsWith(
      m.commitVersion(publish("docs:logged", "2.0.0", { signature: { keyId: "x", bundle } })),
      "invalid-input",
    );
    assert.equal(await m.logSize(), 5);
  });

  test("the commit refuses a key not registered or revoked, and an unsigned release where required", async (m) => {
    const keyId = "cd".repeat(32);
    const bundle = new Uint8Array([1]);
    await m.claimNamespace("pol", "alice");
    const signed = (v: string, id = keyId) =>
      publish("pol:x", v, { digest: digestFor(v), signature: { keyId: id, bundle } });
    const e = await rejectsWith(m.commitVersion(signed("1.0.0")), "unknown-signing-key");
    assert.equal((e as { details?: { revoked?: boolean } }).details?.revoked, false);
    await m.addPublisherKey("pol", { keyId, publicKey: new Uint8Array([1]), addedBy: "alice" });
    assert.equal((await m.commitVersion(signed("1.0.0"))).signature?.keyId, keyId);
    await m.setRequireSignatures("pol", true);
    await rejectsWith(m.commitVersion(publish("pol:x", "1.1.0")), "signature-required");
    await m.revokePublisherKey("pol", keyId);
    await rejectsWith(m.commitVersion(signed("1.2.0")), "unknown-signing-key");
    assert.deepEqual(
      (await m.getPackage(P("pol:x")))?.versions.map((v) => v.version),
      ["1.0.0"],
    );
    assert.equal(await m.logSize(), 3, "key add, 1.0.0, key revoke");
  });

  test("log node hashes are stored once and checkpoints only grow", async (m) => {
    const h = (n: number) => new Uint8Array(32).fill(n);
    await m.putLogNodes([{ level: 0, index: 0, hash: h(1) }, { level: 0, index: 1, hash: h(2) }]);
    await m.putLogNodes([{ level: 0, index: 1, hash: h(9) }, { level: 1, index: 0, hash: h(3) }]);
    assert.deepEqual(
      await m.readLogNodes([{ level: 1, index: 0 }, { level: 0, index: 1 }, {
        level: 0,
        index: 2,
      }]),
      [h(3), h(2), undefined],
    );
    await rejectsWith(
      m.putLogNodes([{ level: 0, index: 5, hash: h(1).slice(1) }]),
      "invalid-input",
    );
    assert.equal(await m.latestCheckpoint(), undefined);
    await m.putCheckpoint({ size: 2, note: "two" });
    await m.putCheckpoint({ size: 2, note: "two again" });
    assert.deepEqual(await m.latestCheckpoint(), { size: 2, note: "two" });
    await m.putCheckpoint({ size: 5, note: "five" });
    await rejectsWith(m.putCheckpoint({ size: 3, note: "three" }), "conflict");
    assert.deepEqual(await m.latestCheckpoint(), { size: 5, note: "five" });
    // With the nodes its tree adds, in one transaction: both or neither.
    await rejectsWith(
      m.putCheckpoint({ size: 4, note: "four" }, [{ level: 0, index: 4, hash: h(4) }]),
      "conflict",
    );
    assert.deepEqual(await m.readLogNodes([{ level: 0, index: 4 }]), [undefined]);
    await m.putCheckpoint({ size: 6, note: "six" }, [{ level: 0, index: 5, hash: h(5) }]);
    assert.deepEqual(await m.readLogNodes([{ level: 0, index: 5 }]), [h(5)]);
    assert.deepEqual(await m.latestCheckpoint(), { size: 6, note: "six" });
  });

  test("publisher keys are registered, revoked and logged; a namespace can require signatures", async (m) => {
    const keyId = "cd".repeat(32);
    const publicKey = new Uint8Array([1, 2, 3]);
    await rejectsWith(
      m.addPublisherKey("keys", { keyId, publicKey, addedBy: "alice" }),
      "not-found",
    );
    await rejectsWith(m.setRequireSignatures("keys", true), "not-found");
    assert.deepEqual(await m.namespaceKeys("keys"), { requireSignatures: false, keys: [] });
    await m.claimNamespace("keys", "alice");
    const added = await m.addPublisherKey("keys", { keyId, publicKey, addedBy: "alice" });
    assert.equal(added.created, true);
    assert.equal(added.key.logIndex, 0);
    assert.deepEqual(added.key.publicKey, publicKey);
    assert.equal(added.key.revokedAt, null);
    const again = await m.addPublisherKey("keys", { keyId, publicKey, addedBy: "bob" });
    assert.deepEqual(again, { key: added.key, created: false });
    assert.equal(await m.logSize(), 1);
    const revoked = await m.revokePublisherKey("keys", keyId);
    assert.equal(revoked.revokeLogIndex, 1);
    assert.ok(revoked.revokedAt !== null);
    assert.deepEqual(await m.revokePublisherKey("keys", keyId), revoked);
    await rejectsWith(
      m.addPublisherKey("keys", { keyId, publicKey, addedBy: "alice" }),
      "conflict",
    );
    await rejectsWith(m.revokePublisherKey("keys", "ef".repeat(32)), "not-found");
    assert.deepEqual(
      (await m.readLogEntries(0, 2)).map((e) => new TextDecoder().decode(e)),
      [`wreg-key/v1 keys add ${keyId} AQID\n`, `wreg-key/v1 keys revoke ${keyId}\n`],
    );
    await m.setRequireSignatures("keys", true);
    assert.deepEqual(await m.namespaceKeys("keys"), { requireSignatures: true, keys: [revoked] });
  });

  test("a namespace holds at most MAX_ACTIVE_KEYS active publisher keys", async (m) => {
    await m.claimNamespace("many", "alice");
    const id = (i: number) => i.toString(16).padStart(64, "0");
    const publicKey = new Uint8Array([1]);
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) {
      await m.addPublisherKey("many", { keyId: id(i), publicKey, addedBy: "alice" });
    }
    const size = await m.logSize();
    const e = await rejectsWith(
      m.addPublisherKey("many", { keyId: id(MAX_ACTIVE_KEYS), publicKey, addedBy: "alice" }),
      "too-many-keys",
    ) as StorageError;
    assert.equal(e.status, 409);
    assert.deepEqual(e.details, { namespace: "many", limit: MAX_ACTIVE_KEYS });
    // Nothing was logged or stored; a key registered already still answers.
    assert.equal(await m.logSize(), size);
    assert.equal((await m.namespaceKeys("many")).keys.length, MAX_ACTIVE_KEYS);
    const again = await m.addPublisherKey("many", { keyId: id(0), publicKey, addedBy: "alice" });
    assert.equal(again.created, false);
    // Another namespace is not affected; a revocation makes room.
    await m.claimNamespace("few", "alice");
    await m.addPublisherKey("few", { keyId: id(0), publicKey, addedBy: "alice" });
    await m.revokePublisherKey("many", id(3));
    const added = await m.addPublisherKey("many", {
      keyId: id(MAX_ACTIVE_KEYS),
      publicKey,
      addedBy: "alice",
    });
    assert.equal(added.created, true);
  });

  test("publishing an existing version is a conflict and writes nothing", async (m) => {
    const first = await m.commitVersion(publish("docs:dup", "1.0.0", {
      description: "first",
      searchRows: [row("exports", "docs:dup/api@1.0.0")],
    }));
    const before = {
      pkg: await m.getPackage(P("docs:dup")),
      totals: await m.totals(),
      rows: await m.searchRowsOf(P("docs:dup"), V("1.0.0")),
    };
    const err = await rejectsWith(
      m.commitVersion(publish("docs:dup", "1.0.0", {
        description: "second",
        digest: digestFor("other bytes"),
        document: { other: true },
        searchRows: [
          row("exports", "docs:dup/other@1.0.0"),
          row("imports", "wasi:cli/stdout@0.2.0"),
        ],
      })),
      "conflict",
    );
    assert.deepEqual((err as { details?: unknown }).details, {
      package: "docs:dup",
      version: "1.0.0",
    });
    assert.deepEqual(await m.getVersion(P("docs:dup"), V("1.0.0")), first);
    assert.deepEqual(await m.getPackage(P("docs:dup")), before.pkg);
    assert.deepEqual(await m.totals(), before.totals);
    assert.deepEqual(await m.searchRowsOf(P("docs:dup"), V("1.0.0")), before.rows);
    assert.deepEqual(
      await m.searchTarget({ relation: "imports", namespace: "wasi", package: "cli" }),
      [],
    );
  });

  test("a version that differs from a published one only in build metadata is a conflict", async (m) => {
    // Issue 17 #2: 1.0.0+evil beside 1.0.0 slipped past the compatibility gate (equal precedence).
    const first = await m.commitVersion(publish("docs:build", "1.0.0"));
    for (const dup of ["1.0.0+evil", "1.0.0+1"]) {
      const err = await rejectsWith(
        m.commitVersion(publish("docs:build", dup, { digest: digestFor(dup) })),
        "conflict",
      );
      assert.match((err as Error).message, /1\.0\.0/);
    }
    await m.commitVersion(publish("docs:build2", "2.0.0+meta"));
    await rejectsWith(m.commitVersion(publish("docs:build2", "2.0.0")), "conflict");
    await rejectsWith(m.commitVersion(publish("docs:build2", "2.0.0+other")), "conflict");
    // Pre-releases and other versions are not the same version.
    await m.commitVersion(publish("docs:build", "1.0.0-rc.1+x"));
    await m.commitVersion(publish("docs:build", "1.0.1+x"));
    assert.deepEqual(
      (await m.getPackage(P("docs:build")))?.versions.map((v) => v.version),
      ["1.0.1+x", "1.0.0", "1.0.0-rc.1+x"],
    );
    assert.deepEqual(await m.getVersion(P("docs:build"), V("1.0.0")), first);
    assert.equal(await m.getVersion(P("docs:build"), V("1.0.0+evil")), undefined);
  });

  test("concurrent publishes of the same version: exactly one wins, the rest conflict", async (m) => {
    const attempts = Array.from(
      { length: 12 },
      (_, i) =>
        m.commitVersion(publish("docs:race", "1.0.0", {
          digest: digestFor(`attempt ${i}`),
          document: { attempt: i },
          searchRows: [row("exports", `docs:race/api${i}@1.0.0`)],
        })),
    );
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assert.equal(won.length, 1);
    assert.ok(lost.every((r) => isStorageError(r.reason, "conflict")));
    const winner =
      (won[0] as PromiseFulfilledResult<{ document: JsonObject; digest: Digest }>).value;
    const stored = await m.getVersion(P("docs:race"), V("1.0.0"));
    assert.equal(stored?.digest, winner.digest);
    assert.deepEqual(stored?.document, winner.document);
    const rows = await m.searchRowsOf(P("docs:race"), V("1.0.0"));
    assert.deepEqual(rows.map((r) => r.name), [`api${winner.document.attempt}`]);
    assert.equal((await m.totals()).versions, 1);
  });

  test("concurrent publishes of different versions all succeed", async (m) => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => m.commitVersion(publish("docs:many", `1.${i}.0`))),
    );
    const pkg = await m.getPackage(P("docs:many"));
    assert.equal(pkg?.versions.length, 10);
    assert.equal(pkg?.package.latestVersion, "1.9.0");
  });

  test("publishing another kind to a package is refused and writes nothing", async (m) => {
    await m.commitVersion(publish("docs:kinds", "1.0.0", { kind: "wit-package" }));
    await rejectsWith(
      m.commitVersion(publish("docs:kinds", "1.1.0", { kind: "component" })),
      "kind-mismatch",
    );
    assert.equal(await m.getVersion(P("docs:kinds"), V("1.1.0")), undefined);
    assert.equal((await m.getPackage(P("docs:kinds")))?.package.kind, "wit-package");
  });

  test("a publish that fails midway leaves no package row behind", async (m) => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(m.commitVersion(publish("docs:broken", "1.0.0", {
      document: cyclic as unknown as JsonObject,
      searchRows: [row("exports", "docs:broken/api@1.0.0")],
    })));
    assert.equal(await m.getPackage(P("docs:broken")), undefined);
    assert.deepEqual(await m.totals(), { packages: 0, versions: 0, namespaces: 0, bytes: 0 });
    assert.deepEqual(
      await m.searchTarget({ relation: "exports", namespace: "docs", package: "broken" }),
      [],
    );
    // The same version can then be published.
    await m.commitVersion(publish("docs:broken", "1.0.0"));
  });

  test("malformed input is refused as invalid-input", async (m) => {
    await rejectsWith(
      m.commitVersion(publish("docs:bad", "1.0.0", { publisher: "" })),
      "invalid-input",
    );
    await rejectsWith(m.commitVersion(publish("docs:bad", "1.0.0", { size: -1 })), "invalid-input");
    await rejectsWith(
      m.commitVersion(publish("docs:bad", "1.0.0", { kind: "library" as PackageKind })),
      "invalid-input",
    );
    await rejectsWith(
      m.commitVersion(publish("docs:bad", "1.0.0", {
        searchRows: [{
          relation: "uses" as SearchRelation,
          namespace: "a",
          package: "b",
          name: null,
          version: null,
        }],
      })),
      "invalid-input",
    );
    await rejectsWith(
      m.commitVersion(publish("docs:bad", "1.0.0", {
        searchRows: [{
          relation: "imports",
          namespace: "a/../b",
          package: "b",
          name: null,
          version: null,
        }],
      })),
      "invalid-input",
    );
    assert.equal(await m.getPackage(P("docs:bad")), undefined);
  });

  test("a new publish updates the description only when one is given", async (m) => {
    await m.commitVersion(publish("docs:desc", "1.0.0", { description: "one" }));
    await m.commitVersion(publish("docs:desc", "1.1.0"));
    assert.equal((await m.getPackage(P("docs:desc")))?.package.description, "one");
    await m.commitVersion(publish("docs:desc", "1.2.0", { description: "two" }));
    assert.equal((await m.getPackage(P("docs:desc")))?.package.description, "two");
    assert.equal((await m.setDescription(P("docs:desc"), "three")).description, "three");
    assert.deepEqual((await m.searchText({ text: "three" })).map((p) => p.name), ["docs:desc"]);
    await rejectsWith(m.setDescription(P("docs:none"), "x"), "not-found");
  });

  test("yanking hides a version from latest but keeps it readable; unyank restores it", async (m) => {
    await m.commitVersion(publish("docs:yank", "1.0.0"));
    await m.commitVersion(publish("docs:yank", "1.1.0"));
    const yanked = await m.setYanked(P("docs:yank"), V("1.1.0"), true);
    assert.equal(yanked.yanked, true);
    assert.ok(yanked.yankedAt !== null);
    assert.equal((await m.latestVersion(P("docs:yank")))?.version, "1.0.0");
    const still = await m.getVersion(P("docs:yank"), V("1.1.0"));
    assert.equal(still?.yanked, true);
    assert.equal(still?.digest, digestFor("docs:yank@1.1.0"));
    assert.equal((await m.setYanked(P("docs:yank"), V("1.1.0"), true)).yankedAt, yanked.yankedAt);
    const back = await m.setYanked(P("docs:yank"), V("1.1.0"), false);
    assert.deepEqual([back.yanked, back.yankedAt], [false, null]);
    assert.equal((await m.latestVersion(P("docs:yank")))?.version, "1.1.0");
    await rejectsWith(m.setYanked(P("docs:yank"), V("9.9.9"), true), "not-found");
  });

  test("latest follows semver order and skips pre-releases unless asked", async (m) => {
    for (const v of ["1.9.0", "1.10.0", "2.0.0-rc.1"]) {
      await m.commitVersion(publish("docs:latest", v));
    }
    assert.equal((await m.latestVersion(P("docs:latest")))?.version, "1.10.0");
    assert.equal(
      (await m.latestVersion(P("docs:latest"), { includePrerelease: true }))?.version,
      "2.0.0-rc.1",
    );
    await m.commitVersion(publish("docs:pre", "0.1.0-alpha"));
    assert.equal(await m.latestVersion(P("docs:pre")), undefined);
    assert.equal((await m.getPackage(P("docs:pre")))?.package.latestVersion, null);
    assert.equal(await m.latestVersion(P("docs:none")), undefined);
  });

  test("when every version is yanked there is no latest and text search hides the package", async (m) => {
    await m.commitVersion(publish("docs:gone", "1.0.0", { description: "vanished" }));
    await m.setYanked(P("docs:gone"), V("1.0.0"), true);
    assert.equal(await m.latestVersion(P("docs:gone")), undefined);
    assert.deepEqual(await m.searchText({ text: "vanished" }), []);
    assert.deepEqual(
      (await m.searchText({ text: "vanished", includeYanked: true })).map((p) => p.name),
      ["docs:gone"],
    );
  });

  test("search by exported interface matches semver-compatible versions", async (m) => {
    const exp = (name: string, target: string) =>
      m.commitVersion(publish(name, "1.0.0", { searchRows: [row("exports", target)] }));
    await exp("a:h020", "wasi:http/incoming-handler@0.2.0");
    await exp("a:h023", "wasi:http/incoming-handler@0.2.3");
    await exp("a:h030", "wasi:http/incoming-handler@0.3.0");
    await exp("a:hnone", "wasi:http/incoming-handler");
    await exp("a:other", "wasi:http/outgoing-handler@0.2.3");
    const q = (version?: string, exact?: boolean) =>
      m.searchTarget({
        relation: "exports",
        namespace: "wasi",
        package: "http",
        name: "incoming-handler",
        version: version === undefined ? undefined : V(version),
        exact,
      }).then((rows) => rows.map((r) => r.fromPackage));
    assert.deepEqual(await q("0.2.1"), ["a:h023"]);
    assert.deepEqual(await q("0.2.0"), ["a:h020", "a:h023"]);
    assert.deepEqual(await q("0.3.0"), ["a:h030"]);
    assert.deepEqual(await q("0.2.0", true), ["a:h020"]);
    assert.deepEqual(await q(), ["a:h020", "a:h023", "a:h030", "a:hnone"]);
    const rows = await m.searchTarget({ relation: "exports", namespace: "wasi", package: "http" });
    assert.equal(rows.length, 5);
    const one = rows.find((r) => r.fromPackage === "a:h023")!;
    assert.deepEqual(one, {
      fromPackage: "a:h023",
      fromVersion: "1.0.0",
      relation: "exports",
      namespace: "wasi",
      package: "http",
      name: "incoming-handler",
      version: "0.2.3",
    });
  });

  test("search by target can match a whole series and page by package", async (m) => {
    const exp = (name: string, target: string) =>
      m.commitVersion(publish(name, "1.0.0", { searchRows: [row("exports", target)] }));
    await exp("a:h020", "wasi:http/incoming-handler@0.2.0");
    await exp("a:h023", "wasi:http/incoming-handler@0.2.3");
    await exp("a:h030", "wasi:http/incoming-handler@0.3.0");
    await exp("a:hrc", "wasi:http/incoming-handler@0.2.4-rc.1");
    const q = (version: string, more: Partial<TargetQuery> = {}) =>
      m.searchTarget({
        relation: "exports",
        namespace: "wasi",
        package: "http",
        name: "incoming-handler",
        version: V(version),
        series: true,
        ...more,
      }).then((rows) => rows.map((r) => r.fromPackage));
    // Lower versions of the series too (the caller checks the types); pre-releases exactly.
    assert.deepEqual(await q("0.2.3"), ["a:h020", "a:h023"]);
    assert.deepEqual(await q("0.2.9"), ["a:h020", "a:h023"]);
    assert.deepEqual(await q("0.3.0"), ["a:h030"]);
    assert.deepEqual(await q("0.2.4-rc.1"), ["a:hrc"]);
    // Pages: the packages after a name.
    assert.deepEqual(await q("0.2.3", { afterPackage: "a:h020" }), ["a:h023"]);
    assert.deepEqual(await q("0.2.3", { limit: 1 }), ["a:h020"]);
    assert.deepEqual(await q("0.2.3", { afterPackage: "a:h023" }), []);
  });

  test("semver matching follows the major series from 1.0 on", async (m) => {
    await m.commitVersion(
      publish("b:one", "1.0.0", { searchRows: [row("exports", "x:y/z@1.4.0")] }),
    );
    await m.commitVersion(
      publish("b:two", "1.0.0", { searchRows: [row("exports", "x:y/z@2.0.0")] }),
    );
    const hits = (v: string) =>
      m.searchTarget({
        relation: "exports",
        namespace: "x",
        package: "y",
        name: "z",
        version: V(v),
      })
        .then((r) => r.map((x) => x.fromPackage));
    assert.deepEqual(await hits("1.2.0"), ["b:one"]);
    assert.deepEqual(await hits("1.5.0"), []);
    assert.deepEqual(await hits("2.0.0"), ["b:two"]);
  });

  test("search by imported interface matches imports that the given version can fill", async (m) => {
    await m.commitVersion(
      publish("c:old", "1.0.0", { searchRows: [row("imports", "wasi:cli/stdout@0.2.0")] }),
    );
    await m.commitVersion(
      publish("c:new", "1.0.0", { searchRows: [row("imports", "wasi:cli/stdout@0.2.5")] }),
    );
    const q = (v: string) =>
      m.searchTarget({
        relation: "imports",
        namespace: "wasi",
        package: "cli",
        name: "stdout",
        version: V(v),
      }).then((r) => r.map((x) => x.fromPackage));
    assert.deepEqual(await q("0.2.5"), ["c:new", "c:old"]);
    assert.deepEqual(await q("0.2.1"), ["c:old"]);
    assert.deepEqual(await q("0.3.0"), []);
  });

  test("search by target skips yanked versions unless asked and can keep one row per package", async (m) => {
    for (const v of ["1.0.0", "1.1.0", "1.2.0"]) {
      await m.commitVersion(
        publish("d:impl", v, { searchRows: [row("targets-world", "wasi:http/proxy@0.2.0")] }),
      );
    }
    await m.setYanked(P("d:impl"), V("1.2.0"), true);
    const q = {
      relation: "targets-world" as const,
      namespace: "wasi",
      package: "http",
      name: "proxy",
    };
    assert.deepEqual((await m.searchTarget(q)).map((r) => r.fromVersion), ["1.1.0", "1.0.0"]);
    assert.deepEqual(
      (await m.searchTarget({ ...q, includeYanked: true })).map((r) => r.fromVersion),
      ["1.2.0", "1.1.0", "1.0.0"],
    );
    assert.deepEqual(
      (await m.searchTarget({ ...q, latestPerPackage: true })).map((r) => r.fromVersion),
      ["1.1.0"],
    );
    assert.equal((await m.searchTarget({ ...q, limit: 1 })).length, 1);
    assert.deepEqual(await m.searchTarget({ ...q, relation: "exports" }), []);
  });

  test("text search finds every word in name or description, best matches first", async (m) => {
    await m.commitVersion(
      publish("docs:processor", "1.0.0", { description: "Processes documents" }),
    );
    await m.commitVersion(publish("acme:docs-tool", "1.0.0", { description: "A tool" }));
    await m.commitVersion(publish("acme:zip", "1.0.0", { description: "Zip for DOCS and images" }));
    await m.commitVersion(
      publish("acme:wit", "1.0.0", { kind: "wit-package", description: "Shared docs types" }),
    );
    const names = (text: string, extra = {}) =>
      m.searchText({ text, ...extra }).then((r) => r.map((p) => p.name));
    assert.deepEqual(await names("processor"), ["docs:processor"]);
    assert.deepEqual(await names("DOCS"), [
      "acme:docs-tool",
      "docs:processor",
      "acme:wit",
      "acme:zip",
    ]);
    assert.deepEqual(await names("docs images"), ["acme:zip"]);
    assert.deepEqual(await names("docs", { kind: "wit-package" }), ["acme:wit"]);
    assert.deepEqual(await names("docs", { limit: 2 }), ["acme:docs-tool", "docs:processor"]);
    assert.deepEqual(await names("nothing-like-this"), []);
    assert.deepEqual(await names("100%"), []);
    const hit = (await m.searchText({ text: "processor" }))[0];
    assert.deepEqual([hit.kind, hit.latestVersion, hit.versionCount], ["component", "1.0.0", 1]);
  });

  test("dependents are the other packages that import from or depend on a package", async (m) => {
    await m.commitVersion(publish("docs:processor", "0.1.0", { kind: "wit-package" }));
    await m.commitVersion(
      publish("e:app", "1.0.0", { searchRows: [row("imports", "docs:processor/api@0.1.0")] }),
    );
    await m.commitVersion(
      publish("e:app", "1.1.0", { searchRows: [row("imports", "docs:processor/api@0.1.2")] }),
    );
    await m.commitVersion(
      publish("e:lib", "2.0.0", { searchRows: [row("depends-on", "docs:processor@0.1.0")] }),
    );
    await m.commitVersion(
      publish("e:exporter", "1.0.0", { searchRows: [row("exports", "docs:processor/api@0.1.0")] }),
    );
    await m.commitVersion(
      publish("e:gone", "1.0.0", { searchRows: [row("imports", "docs:processor/api@0.1.0")] }),
    );
    await m.setYanked(P("e:gone"), V("1.0.0"), true);
    assert.deepEqual(await m.dependentsOf(P("docs:processor")), [
      { package: "e:app", version: "1.1.0" },
      { package: "e:lib", version: "2.0.0" },
    ]);
    assert.deepEqual(await m.dependentsOf(P("docs:processor"), { version: V("0.1.1") }), [
      { package: "e:app", version: "1.0.0" },
      { package: "e:lib", version: "2.0.0" },
    ]);
    assert.deepEqual(
      (await m.dependentsOf(P("docs:processor"), { includeYanked: true })).map((d) => d.package),
      ["e:app", "e:gone", "e:lib"],
    );
    assert.deepEqual(await m.dependentsOf(P("e:app")), []);
  });

  test("a version's search rows come back in order, deduplicated", async (m) => {
    const rows = [
      row("imports", "wasi:cli/stdout@0.2.0"),
      row("exports", "docs:x/api@1.0.0"),
      row("imports", "wasi:cli/stdout@0.2.0"),
      row("depends-on", "wasi:cli@0.2.0"),
    ];
    await m.commitVersion(publish("docs:x", "1.0.0", { searchRows: rows }));
    assert.deepEqual(
      (await m.searchRowsOf(P("docs:x"), V("1.0.0"))).map((r) => [r.relation, r.name, r.version]),
      [["imports", "stdout", "0.2.0"], ["exports", "api", "1.0.0"], ["depends-on", null, "0.2.0"]],
    );
    assert.deepEqual(await m.searchRowsOf(P("docs:x"), V("9.0.0")), []);
  });

  test("derived documents and search rows can be rebuilt for a version", async (m) => {
    await m.commitVersion(
      publish("docs:re", "1.0.0", { searchRows: [row("exports", "docs:re/old@1.0.0")] }),
    );
    await m.replaceDerived(P("docs:re"), V("1.0.0"), {
      document: { format: 2 },
      searchRows: [row("exports", "docs:re/new@1.0.0")],
    });
    assert.deepEqual((await m.getVersion(P("docs:re"), V("1.0.0")))?.document, { format: 2 });
    const q = { relation: "exports" as const, namespace: "docs", package: "re" };
    assert.deepEqual((await m.searchTarget(q)).map((r) => r.name), ["new"]);
    await rejectsWith(
      m.replaceDerived(P("docs:re"), V("2.0.0"), { document: {}, searchRows: [] }),
      "not-found",
    );
  });

  test("recent packages come by last publish time, and totals count everything", async (m) => {
    await m.commitVersion(publish("f:a", "1.0.0", { size: 10 }));
    await m.commitVersion(publish("f:b", "1.0.0", { size: 20 }));
    await m.commitVersion(publish("f:a", "1.1.0", { size: 30 }));
    await m.commitVersion(publish("f:c", "1.0.0", { size: 40 }));
    await m.claimNamespace("f", "alice");
    assert.deepEqual((await m.recentPackages(10)).map((p) => p.name), ["f:c", "f:a", "f:b"]);
    assert.deepEqual((await m.recentPackages(2)).map((p) => p.name), ["f:c", "f:a"]);
    assert.deepEqual(await m.totals(), { packages: 3, versions: 4, namespaces: 1, bytes: 100 });
  });

  test("all versions can be paged through, and referenced digests are known", async (m) => {
    const names = ["g:b@1.0.0", "g:a@2.0.0", "g:a@1.0.0", "g:c@0.1.0", "g:a@10.0.0"];
    for (const n of names) {
      const [name, version] = n.split("@");
      await m.commitVersion(publish(name, version));
    }
    const seen: string[] = [];
    let after: { package: string; version: Version } | undefined;
    while (true) {
      const page = await m.listVersions({ after, limit: 2 });
      if (page.length === 0) break;
      seen.push(...page.map((v) => `${v.package}@${v.version}`));
      after = { package: page[page.length - 1].package, version: page[page.length - 1].version };
    }
    assert.deepEqual(seen, ["g:a@1.0.0", "g:a@10.0.0", "g:a@2.0.0", "g:b@1.0.0", "g:c@0.1.0"]);
    assert.equal(await m.isDigestReferenced(digestFor("g:a@2.0.0")), true);
    assert.equal(await m.isDigestReferenced(digestFor("nothing")), false);
  });

  test("the first claim of a namespace makes its owner; later claims change nothing", async (m) => {
    const first = await m.claimNamespace("acme", "alice");
    assert.equal(first.claimed, true);
    assert.deepEqual(first.namespace.members.map((x) => [x.user, x.role]), [["alice", "owner"]]);
    const second = await m.claimNamespace("acme", "bob");
    assert.equal(second.claimed, false);
    assert.deepEqual(second.namespace, first.namespace);
    assert.deepEqual(await m.getNamespace("acme"), first.namespace);
    assert.equal(await m.getNamespace("nobody"), undefined);
    await rejectsWith(m.claimNamespace("Bad_NS", "alice"), "invalid-input");
  });

  test("concurrent claims of a namespace by different users: exactly one owns it", async (m) => {
    const users = ["u1", "u2", "u3", "u4", "u5"];
    const results = await Promise.all(users.map((u) => m.claimNamespace("contested", u)));
    assert.equal(results.filter((r) => r.claimed).length, 1);
    const owner = users[results.findIndex((r) => r.claimed)];
    assert.deepEqual((await m.getNamespace("contested"))?.members.map((x) => x.user), [owner]);
  });

  test("owners add members, change roles and cannot remove the last owner", async (m) => {
    await m.claimNamespace("team", "alice");
    await m.setNamespaceMember("team", "bob", "member");
    let ns = await m.setNamespaceMember("team", "carol", "member");
    assert.deepEqual(ns.members.map((x) => [x.user, x.role]), [
      ["alice", "owner"],
      ["bob", "member"],
      ["carol", "member"],
    ]);
    await rejectsWith(m.removeNamespaceMember("team", "alice"), "last-owner");
    await rejectsWith(m.setNamespaceMember("team", "alice", "member"), "last-owner");
    await m.setNamespaceMember("team", "bob", "owner");
    ns = await m.removeNamespaceMember("team", "alice");
    assert.deepEqual(ns.members.map((x) => [x.user, x.role]), [["bob", "owner"], [
      "carol",
      "member",
    ]]);
    await rejectsWith(m.removeNamespaceMember("team", "alice"), "not-found");
    await rejectsWith(m.setNamespaceMember("unclaimed", "bob", "member"), "not-found");
    await rejectsWith(m.setNamespaceMember("team", "dave", "king" as "owner"), "invalid-input");
    await m.claimNamespace("solo", "carol");
    assert.deepEqual((await m.namespacesOf("carol")).map((n) => n.name), ["solo", "team"]);
    assert.deepEqual((await m.namespacesOf("alice")).map((n) => n.name), []);
  });

  test("tokens are found by their secret and never give the secret back", async (m) => {
    const secret = newTokenSecret();
    const created = await m.createToken(secret, {
      owner: "alice",
      scopes: ["yank", "publish", "publish"],
      namespaces: ["docs", "acme"],
      description: "CI",
    });
    assert.deepEqual(created.scopes, ["publish", "yank"]);
    assert.deepEqual(created.namespaces, ["acme", "docs"]);
    assert.ok(!JSON.stringify(created).includes(secret));
    assert.ok(!JSON.stringify(created).includes(hashTokenSecret(secret)));
    assert.deepEqual(await m.findTokenBySecret(secret), created);
    assert.equal(await m.findTokenBySecret(newTokenSecret()), undefined);
    assert.equal(await m.findTokenBySecret(secret + "x"), undefined);
    const any = await m.createToken(newTokenSecret(), {
      owner: "alice",
      scopes: ["admin"],
      namespaces: null,
    });
    assert.equal(any.namespaces, null);
    assert.deepEqual((await m.listTokens("alice")).map((t) => t.id), [created.id, any.id]);
    assert.deepEqual(await m.listTokens("bob"), []);
    await rejectsWith(
      m.createToken(secret, { owner: "bob", scopes: ["publish"], namespaces: null }),
      "conflict",
    );
    await rejectsWith(
      m.createToken(newTokenSecret(), {
        owner: "bob",
        scopes: ["root" as "admin"],
        namespaces: null,
      }),
      "invalid-input",
    );
    await rejectsWith(
      m.createToken(newTokenSecret(), {
        owner: "bob",
        scopes: ["publish"],
        namespaces: ["../etc"],
      }),
      "invalid-input",
    );
  });

  test("a used token records when, and a revoked token is no longer found", async (m) => {
    const secret = newTokenSecret();
    const t = await m.createToken(secret, {
      owner: "alice",
      scopes: ["publish"],
      namespaces: null,
    });
    assert.equal(t.lastUsedAt, null);
    await m.touchToken(t.id);
    const used = await m.findTokenBySecret(secret);
    assert.ok(used?.lastUsedAt !== null && used!.lastUsedAt > t.createdAt);
    const revoked = await m.revokeToken(t.id);
    assert.ok(revoked.revokedAt !== null);
    assert.equal(await m.findTokenBySecret(secret), undefined);
    assert.equal(
      (await m.findTokenBySecret(secret, { includeRevoked: true }))?.revokedAt,
      revoked.revokedAt,
    );
    assert.equal((await m.revokeToken(t.id)).revokedAt, revoked.revokedAt);
    await rejectsWith(m.revokeToken("tok_missing"), "not-found");
    await rejectsWith(m.touchToken("tok_missing"), "not-found");
  });

  // --- OCI

  const manifest = (text: string, extra: Partial<OciManifestInput> = {}): OciManifestInput => {
    const bytes = new TextEncoder().encode(text);
    return {
      digest: digestFor(`manifest ${text}`),
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      bytes,
      blobs: [digestFor(`config ${text}`)],
      ...extra,
    };
  };

  test("a version's OCI manifest commits with the version and is read by version and digest", async (m) => {
    const oci = manifest('{"v":1}');
    await m.commitVersion(publish("docs:hello", "1.0.0", { oci }));
    const byVersion = await m.getOciManifestOfVersion(P("docs:hello"), V("1.0.0"));
    assert.ok(byVersion);
    assert.equal(byVersion.digest, oci.digest);
    assert.deepEqual(byVersion.bytes, oci.bytes);
    assert.equal(byVersion.version, "1.0.0");
    assert.equal(byVersion.subject, null);
    assert.deepEqual(byVersion.blobs, oci.blobs);
    assert.deepEqual(await m.getOciManifest(P("docs:hello"), oci.digest), byVersion);
    assert.equal(await m.getOciManifest(P("docs:other"), oci.digest), undefined);
    // The config it references is held: by the repository, and from garbage collection.
    const now = new Date().toISOString();
    assert.equal(await m.hasOciBlob(P("docs:hello"), oci.blobs[0], now), true);
    assert.equal(await m.hasOciBlob(P("docs:other"), oci.blobs[0], now), false);
    assert.equal(await m.isDigestReferenced(oci.blobs[0]), true);
    // The version's own bytes are in its repository too.
    assert.equal(await m.hasOciBlob(P("docs:hello"), digestFor("docs:hello@1.0.0"), now), true);
    // A commit whose manifest is malformed writes nothing.
    await rejectsWith(
      m.commitVersion(publish("docs:hello", "1.0.1", { oci: { ...oci, digest: "x" as Digest } })),
      "invalid-input",
    );
    assert.equal(await m.getVersion(P("docs:hello"), V("1.0.1")), undefined);
  });

  test("a version keeps the first manifest stored for it; generating it again changes nothing", async (m) => {
    await m.commitVersion(publish("docs:hello", "1.0.0"));
    assert.equal(await m.getOciManifestOfVersion(P("docs:hello"), V("1.0.0")), undefined);
    const first = manifest('{"generated":1}');
    const a = await m.putOciManifest(P("docs:hello"), { ...first, version: V("1.0.0") });
    assert.equal(a.created, true);
    const b = await m.putOciManifest(P("docs:hello"), {
      ...manifest('{"generated":2}'),
      version: V("1.0.0"),
    });
    assert.equal(b.created, false);
    assert.equal(b.record.digest, first.digest);
    const again = await m.putOciManifest(P("docs:hello"), { ...first, version: V("1.0.0") });
    assert.equal(again.created, false);
    assert.equal(
      (await m.getOciManifestOfVersion(P("docs:hello"), V("1.0.0")))?.digest,
      first.digest,
    );
    await rejectsWith(
      m.putOciManifest(P("docs:hello"), { ...first, version: V("9.0.0") }),
      "not-found",
    );
    // A version's manifest cannot be deleted.
    await rejectsWith(m.deleteOciManifest(P("docs:hello"), first.digest), "conflict");
    // Two versions may share identical manifest bytes.
    await m.commitVersion(publish("docs:hello", "1.0.1", { oci: first }));
    assert.equal(
      (await m.getOciManifestOfVersion(P("docs:hello"), V("1.0.1")))?.digest,
      first.digest,
    );
  });

  test("referrers are listed by subject, oldest first, and can be deleted", async (m) => {
    const subject = manifest('{"package":1}');
    await m.commitVersion(publish("docs:hello", "1.0.0", { oci: subject }));
    const sig = manifest('{"sig":1}', {
      subject: subject.digest,
      artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      blobs: [digestFor("sig layer"), digestFor("empty config")],
    });
    const sbom = manifest('{"sbom":1}', {
      subject: subject.digest,
      artifactType: "application/spdx+json",
    });
    assert.equal((await m.putOciManifest(P("docs:hello"), sig)).created, true);
    assert.equal((await m.putOciManifest(P("docs:hello"), sig)).created, false);
    await m.putOciManifest(P("docs:hello"), sbom);
    const list = await m.listOciReferrers(P("docs:hello"), subject.digest);
    assert.deepEqual(list.map((r) => r.digest), [sig.digest, sbom.digest]);
    assert.equal(list[0].artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
    assert.equal(list[0].subject, subject.digest);
    assert.equal(list[0].version, null);
    assert.deepEqual(await m.listOciReferrers(P("docs:other"), subject.digest), []);
    assert.equal(await m.isDigestReferenced(digestFor("sig layer")), true);
    assert.equal(await m.deleteOciManifest(P("docs:hello"), sig.digest), true);
    assert.equal(await m.deleteOciManifest(P("docs:hello"), sig.digest), false);
    assert.equal(await m.isDigestReferenced(digestFor("sig layer")), false);
    assert.deepEqual(
      (await m.listOciReferrers(P("docs:hello"), subject.digest)).map((r) => r.digest),
      [sbom.digest],
    );
  });

  test("blob links hold a blob in a repository until they lapse", async (m) => {
    const d = digestFor("uploaded");
    await m.linkOciBlob(P("docs:hello"), {
      digest: d,
      size: 10,
      expiresAt: "2025-01-01T01:00:00.000Z",
    });
    // A later expiry wins, an earlier one does not shorten it.
    await m.linkOciBlob(P("docs:hello"), {
      digest: d,
      size: 10,
      expiresAt: "2025-01-01T00:30:00.000Z",
    });
    assert.equal(await m.hasOciBlob(P("docs:hello"), d, "2025-01-01T00:59:59.000Z"), true);
    assert.equal(await m.hasOciBlob(P("docs:hello"), d, "2025-01-01T01:00:00.000Z"), false);
    assert.equal(await m.hasOciBlob(P("docs:other"), d, "2025-01-01T00:00:00.000Z"), false);
    assert.equal(await m.isDigestReferenced(d), true);
    assert.deepEqual(await m.expiredOciBlobLinks("2025-01-01T00:59:59.000Z", 10), []);
    assert.deepEqual(await m.expiredOciBlobLinks("2025-01-01T01:00:00.000Z", 10), [
      { package: "docs:hello", digest: d },
    ]);
    assert.equal(await m.unlinkOciBlob(P("docs:hello"), d), true);
    assert.equal(await m.unlinkOciBlob(P("docs:hello"), d), false);
    assert.equal(await m.isDigestReferenced(d), false);
  });

  test("upload sessions grow by parts at their end, are counted per owner and lapse", async (m) => {
    const now = "2025-01-01T00:00:00.000Z";
    const later = "2025-01-01T01:00:00.000Z";
    const open = (id: string, owner = "tok_a") =>
      m.createOciUpload(P("docs:hello"), { id, owner, expiresAt: later }, { maxPerOwner: 2, now });
    const u = await open("u1");
    assert.equal(u.package, "docs:hello");
    assert.equal(u.size, 0);
    assert.deepEqual(u.parts, []);
    await rejectsWith(open("u1", "tok_b"), "conflict");
    await open("u2");
    await rejectsWith(open("u3"), "limit");
    await open("u3", "tok_b"); // another owner has their own count
    // A lapsed session does not count.
    assert.ok(
      await m.createOciUpload(P("docs:hello"), { id: "u4", owner: "tok_a", expiresAt: later }, {
        maxPerOwner: 2,
        now: later,
      }),
    );
    const a = await m.appendOciUploadPart("u1", { part: "p1", offset: 0, size: 100 });
    assert.equal(a.size, 100);
    await rejectsWith(m.appendOciUploadPart("u1", { part: "p9", offset: 0, size: 5 }), "conflict");
    await rejectsWith(
      m.appendOciUploadPart("u1", { part: "p9", offset: 150, size: 5 }),
      "conflict",
    );
    const b = await m.appendOciUploadPart("u1", { part: "p2", offset: 100, size: 50 });
    assert.deepEqual(b.parts, [{ part: "p1", offset: 0, size: 100 }, {
      part: "p2",
      offset: 100,
      size: 50,
    }]);
    assert.deepEqual(await m.getOciUpload("u1"), b);
    await rejectsWith(
      m.appendOciUploadPart("nope", { part: "p1", offset: 0, size: 1 }),
      "not-found",
    );
    await rejectsWith(open("Bad Id"), "invalid-input");
    assert.deepEqual(await m.expiredOciUploads(now, 10), []);
    assert.deepEqual((await m.expiredOciUploads(later, 10)).map((x) => x.id).sort(), [
      "u1",
      "u2",
      "u3",
      "u4",
    ]);
    assert.equal(await m.deleteOciUpload("u1"), true);
    assert.equal(await m.deleteOciUpload("u1"), false);
    assert.equal(await m.getOciUpload("u1"), undefined);
  });

  test("concurrent appends at the same offset: exactly one wins", async (m) => {
    await m.createOciUpload(P("docs:hello"), {
      id: "u1",
      owner: "tok_a",
      expiresAt: "2025-01-01T01:00:00.000Z",
    }, { maxPerOwner: 5, now: "2025-01-01T00:00:00.000Z" });
    const results = await Promise.allSettled(
      Array.from(
        { length: 6 },
        (_, i) => m.appendOciUploadPart("u1", { part: `p${i}`, offset: 0, size: 10 }),
      ),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.equal((await m.getOciUpload("u1"))?.size, 10);
  });

  test("a closed store refuses further calls", async (m) => {
    await m.close();
    await rejectsWith(m.getPackage(P("docs:x")), "closed");
    await rejectsWith(m.commitVersion(publish("docs:x", "1.0.0")), "closed");
    await rejectsWith(m.getOciUpload("u1"), "closed");
  });
}

// ---------------------------------------------------------------------------------------------
// coordination: locks, digest holds, change signals, the stale-commit fence

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Resolves when `check` is true, polling; fails after `ms` (a liveness bound, not a timing claim). */
export async function eventually(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not true after ${ms} ms`);
    await tick();
  }
}

function coordinationTests(
  test: (name: string, body: (store: MetadataStore) => Promise<void>) => void,
): void {
  test("the lock of a key lets one body run at a time, other keys run alongside", async (m) => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const body = (i: number) => async () => {
      inside++;
      most = Math.max(most, inside);
      await tick();
      order.push(i);
      inside--;
      return i;
    };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => m.withLock("package:docs:a", body(i))),
    );
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
    assert.equal(most, 1);
    // Two keys: both bodies are inside at once.
    const { promise: bothIn, resolve } = Promise.withResolvers<void>();
    let entered = 0;
    const meet = async () => {
      if (++entered === 2) resolve();
      await bothIn;
    };
    await Promise.all([m.withLock("package:docs:a", meet), m.withLock("package:docs:b", meet)]);
    // A failing body releases the lock.
    await assert.rejects(m.withLock("package:docs:a", () => Promise.reject(new Error("boom"))));
    assert.equal(await m.withLock("package:docs:a", () => Promise.resolve("free")), "free");
  });

  test("a held digest is never handed to a deletion, and is once released", async (m) => {
    const d = digestFor("held");
    const a = await m.holdDigest(d);
    const b = await m.holdDigest(d);
    assert.equal(a.intact, true);
    let ran = 0;
    assert.deepEqual(await m.ifDigestUnheld(d, () => Promise.resolve(ran++)), { ran: false });
    await a.release();
    await a.release(); // idempotent: b still holds
    assert.deepEqual(await m.ifDigestUnheld(d, () => Promise.resolve(ran++)), { ran: false });
    await b.release();
    assert.deepEqual(await m.ifDigestUnheld(d, () => Promise.resolve("deleted")), {
      ran: true,
      value: "deleted",
    });
    assert.equal(ran, 0);
    // Other digests are independent.
    const c = await m.holdDigest(digestFor("other"));
    assert.equal((await m.ifDigestUnheld(d, () => Promise.resolve(1))).ran, true);
    await c.release();
  });

  test("a hold waits while a deletion of its digest runs", async (m) => {
    const d = digestFor("deleting");
    const events: string[] = [];
    const { promise: inDeletion, resolve: entered } = Promise.withResolvers<void>();
    const { promise: finish, resolve: done } = Promise.withResolvers<void>();
    const deletion = m.ifDigestUnheld(d, async () => {
      entered();
      await finish;
      events.push("deleted");
    });
    await inDeletion;
    const hold = m.holdDigest(d).then((h) => {
      events.push("held");
      return h;
    });
    await tick();
    await tick();
    assert.deepEqual(events, []);
    done();
    await deletion;
    const h = await hold;
    assert.deepEqual(events, ["deleted", "held"]);
    await h.release();
  });

  test("every write tells the change listeners; reads and refused writes do not", async (m) => {
    const seen: string[] = [];
    const off = m.onChange((c) => seen.push(c.kind === "reset" ? "reset" : `${c.kind} ${c.name}`));
    await m.commitVersion(publish("docs:sig", "1.0.0"));
    assert.deepEqual(seen, ["package docs:sig"], "told before the commit's promise resolves");
    await m.getPackage(P("docs:sig"));
    await m.searchText({ text: "sig" });
    await rejectsWith(m.commitVersion(publish("docs:sig", "1.0.0")), "conflict");
    await m.setYanked(P("docs:sig"), V("1.0.0"), true);
    await m.setDescription(P("docs:sig"), "about");
    await m.replaceDerived(P("docs:sig"), V("1.0.0"), { document: {}, searchRows: [] });
    await m.claimNamespace("sig", "alice");
    await m.claimNamespace("sig", "bob"); // already claimed: nothing changed
    await m.setNamespaceMember("sig", "bob", "member");
    await m.removeNamespaceMember("sig", "bob");
    assert.deepEqual(seen, [
      "package docs:sig",
      "package docs:sig",
      "package docs:sig",
      "package docs:sig",
      "namespace sig",
      "namespace sig",
      "namespace sig",
    ]);
    off();
    await m.commitVersion(publish("docs:sig", "1.1.0"));
    assert.equal(seen.length, 7);
  });

  test("a commit checked against versions the package no longer has is stale and writes nothing", async (m) => {
    await m.commitVersion(publish("docs:fence", "1.0.0", { basedOn: [] }));
    await m.commitVersion(publish("docs:fence", "1.1.0", { basedOn: [V("1.0.0")] }));
    const err = await rejectsWith(
      m.commitVersion(publish("docs:fence", "1.2.0", { basedOn: [V("1.0.0")] })),
      "stale",
    );
    assert.deepEqual((err as { details?: { added?: string[] } }).details?.added, ["1.1.0"]);
    assert.equal(await m.getVersion(P("docs:fence"), V("1.2.0")), undefined);
    // A first version checked against nothing, when another process created the package meanwhile.
    await m.commitVersion(publish("docs:fresh", "2.0.0"));
    await rejectsWith(m.commitVersion(publish("docs:fresh", "1.0.0", { basedOn: [] })), "stale");
    // The version's own conflict is reported first.
    await rejectsWith(
      m.commitVersion(publish("docs:fence", "1.1.0", { basedOn: [V("1.0.0")] })),
      "conflict",
    );
    await m.commitVersion(
      publish("docs:fence", "1.2.0", { basedOn: [V("1.1.0"), V("1.0.0")] }),
    );
    assert.equal((await m.getPackage(P("docs:fence")))?.versions.length, 3);
  });

  test("ping answers while the store is open", async (m) => {
    await m.ping();
    await m.close();
    await rejectsWith(m.ping(), "closed");
  });
}

/** Two stores over the same database, as two registry processes have. */
export type MakeSharedMetadataStores = () => Promise<
  { a: MetadataStore; b: MetadataStore; cleanup(): Promise<void> }
>;

/**
 * The coordination contract across processes, for a backend that several processes share (two
 * store instances stand for two processes).
 */
export function sharedMetadataStoreContract(
  impl: string,
  make: MakeSharedMetadataStores,
  register: Register = denoTest,
): void {
  const test = (name: string, body: (a: MetadataStore, b: MetadataStore) => Promise<void>) =>
    register(`${impl} metadata store, two processes: ${name}`, async () => {
      const h = await make();
      try {
        await body(h.a, h.b);
      } finally {
        await h.a.close();
        await h.b.close();
        await h.cleanup();
      }
    });

  test("the lock of a key excludes the other process", async (a, b) => {
    let inside = 0;
    let most = 0;
    const body = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 20));
      inside--;
    };
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).withLock("package:x:y", body)),
    );
    assert.equal(most, 1);
  });

  test("both processes get the same server secret, whichever stores it first", async (a, b) => {
    const [x, y] = await Promise.all([
      a.serverSecret("oci-token", bytesOf(32, 1)),
      b.serverSecret("oci-token", bytesOf(32, 2)),
    ]);
    assert.deepEqual(x, y);
    assert.deepEqual(await a.serverSecret("oci-token", bytesOf(32, 3)), x);
  });

  test("a digest held by one process is not deleted by the other", async (a, b) => {
    const d = digestFor("shared");
    const hold = await a.holdDigest(d);
    assert.deepEqual(await b.ifDigestUnheld(d, () => Promise.resolve(1)), { ran: false });
    await hold.release();
    assert.deepEqual(await b.ifDigestUnheld(d, () => Promise.resolve(1)), { ran: true, value: 1 });
  });

  test("a commit in one process is signalled to the other", async (a, b) => {
    const seen: string[] = [];
    b.onChange((c) => {
      if (c.kind === "package") seen.push(c.name);
    });
    await b.ping();
    await a.commitVersion(publish("docs:far", "1.0.0"));
    await eventually("the other process heard of the commit", () => seen.includes("docs:far"));
    await a.setYanked(P("docs:far"), V("1.0.0"), true);
    await eventually("…and of the yank", () => seen.length >= 2);
  });

  test("a commit checked before the other process committed is stale", async (a, b) => {
    await a.commitVersion(publish("docs:two", "1.0.0"));
    const seenByB = (await b.getPackage(P("docs:two")))!.versions.map((v) => v.version);
    await a.commitVersion(publish("docs:two", "1.1.0", { basedOn: seenByB }));
    await rejectsWith(
      b.commitVersion(publish("docs:two", "1.2.0", { basedOn: seenByB })),
      "stale",
    );
  });

  test("commits, yanks and keys in two processes get consecutive log indexes", async (a, b) => {
    await a.claimNamespace("race", "alice");
    await Promise.all(Array.from({ length: 12 }, (_, i) => {
      const m = i % 2 ? a : b;
      return i % 4 === 3
        ? m.addPublisherKey("race", {
          keyId: i.toString(16).padStart(64, "0"),
          publicKey: new Uint8Array([i]),
          addedBy: "alice",
        })
        : m.commitVersion(publish(`race:p${i}`, "1.0.0"));
    }));
    assert.equal(await a.logSize(), 12);
    assert.equal(await b.logSize(), 12);
    const entries = (await b.readLogEntries(0, 12)).map((e) => new TextDecoder().decode(e));
    for (let i = 0; i < 12; i++) {
      if (i % 4 === 3) continue;
      const v = (await a.getVersion(P(`race:p${i}`), V("1.0.0")))!;
      assert.equal(entries[v.log.index], v.log.entry);
    }
    assert.equal(new Set(entries).size, 12);
  });
}
