import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import { blobStoreContract, bytesOf, readAll, streamOf } from "./_contract.ts";
import { blobKey, FsBlobStore, isStorageError } from "./mod.ts";

blobStoreContract("file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-blobs-" });
  return {
    store: await FsBlobStore.open(`${dir}/blobs`),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-blobs-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("file blob store: a blob is a file named by its digest under sha256/<two hex digits>/", () =>
  withDir(async (dir) => {
    const store = await FsBlobStore.open(`${dir}/blobs`);
    const bytes = bytesOf(5000);
    const { digest } = await store.put(bytes);
    const hex = digest.slice("sha256:".length);
    assert.equal(blobKey(digest), `sha256/${hex.slice(0, 2)}/${hex}`);
    assert.deepEqual(await Deno.readFile(`${dir}/blobs/${blobKey(digest)}`), bytes);
    assert.deepEqual(await names(`${dir}/blobs/tmp`), []);
    await store.close();
  }));

Deno.test("file blob store: refused and failed puts leave no temporary file", () =>
  withDir(async (dir) => {
    const store = await FsBlobStore.open(`${dir}/blobs`);
    const wrong = await digestOf(bytesOf(10));
    await assert.rejects(store.put(streamOf(bytesOf(300_000)), { digest: wrong }));
    await assert.rejects(store.put(streamOf(bytesOf(300_000)), { maxSize: 100_000 }));
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytesOf(2_000_000));
        c.error(new Error("reset"));
      },
    });
    await assert.rejects(store.put(broken));
    assert.deepEqual(await names(`${dir}/blobs/tmp`), []);
    let files = 0;
    for (const fan of await names(`${dir}/blobs/sha256`)) {
      files += (await names(`${dir}/blobs/sha256/${fan}`)).length;
    }
    assert.equal(files, 0);
    await store.close();
  }));

Deno.test("file blob store: opening removes temporary files a crashed process left", () =>
  withDir(async (dir) => {
    const first = await FsBlobStore.open(`${dir}/blobs`);
    const kept = await first.put(bytesOf(1000));
    await first.close();
    await Deno.writeFile(`${dir}/blobs/tmp/aaaa.part`, bytesOf(123));
    await Deno.writeFile(`${dir}/blobs/tmp/bbbb.part`, new Uint8Array());
    const second = await FsBlobStore.open(`${dir}/blobs`);
    assert.equal(second.removedTempFiles, 2);
    assert.deepEqual(await names(`${dir}/blobs/tmp`), []);
    assert.deepEqual(await readAll((await second.get(kept.digest)).stream), bytesOf(1000));
    await second.close();
  }));

Deno.test("file blob store: a second store on the same directory is refused until the first closes", () =>
  withDir(async (dir) => {
    const first = await FsBlobStore.open(`${dir}/blobs`);
    await assert.rejects(FsBlobStore.open(`${dir}/blobs`), (e) => isStorageError(e, "locked"));
    await first.close();
    const again = await FsBlobStore.open(`${dir}/blobs`);
    await again.close();
  }));

Deno.test("file blob store: putting stored bytes again refreshes their time for garbage collection", () =>
  withDir(async (dir) => {
    const store = await FsBlobStore.open(`${dir}/blobs`);
    const { digest } = await store.put(bytesOf(100));
    const old = new Date("2020-01-01T00:00:00Z");
    await Deno.utime(`${dir}/blobs/${blobKey(digest)}`, old, old);
    assert.equal((await store.stat(digest))?.storedAt, old.toISOString());
    const again = await store.put(bytesOf(100), { digest });
    assert.equal(again.created, false);
    assert.ok(Date.parse((await store.stat(digest))!.storedAt) > Date.parse("2024-01-01"));
    await store.close();
  }));

Deno.test("file blob store: fan-out directories are made by the first put, or all 256 at open when asked", () =>
  withDir(async (dir) => {
    const lazy = await FsBlobStore.open(`${dir}/blobs`);
    const { digest } = await lazy.put(bytesOf(10));
    assert.deepEqual(await names(`${dir}/blobs/sha256`), [digest.slice(7, 9)]);
    await lazy.close();
    const store = await FsBlobStore.open(`${dir}/blobs`, { createFanoutDirs: true });
    const fans = await names(`${dir}/blobs/sha256`);
    assert.equal(fans.length, 256);
    assert.equal(fans[0], "00");
    assert.equal(fans[255], "ff");
    await store.close();
    await Deno.remove(`${dir}/blobs/sha256/ab`);
    const again = await FsBlobStore.open(`${dir}/blobs`, { createFanoutDirs: true });
    assert.equal((await names(`${dir}/blobs/sha256`)).length, 256);
    await again.close();
  }));

Deno.test("file blob store: files that are not blobs are ignored by list", () =>
  withDir(async (dir) => {
    const store = await FsBlobStore.open(`${dir}/blobs`);
    const { digest } = await store.put(bytesOf(10));
    const fan = `${dir}/blobs/sha256/${digest.slice(7, 9)}`;
    await Deno.writeFile(`${fan}/not-a-digest`, new Uint8Array(1));
    await Deno.writeFile(`${dir}/blobs/sha256/README`, new Uint8Array(1));
    const listed = [];
    for await (const s of store.list()) listed.push(s.digest);
    assert.deepEqual(listed, [digest]);
    await store.close();
  }));

Deno.test("file blob store: 1 MiB reads for at most 32 streams at once, 64 KiB for the others", () =>
  withDir(async (dir) => {
    const store = await FsBlobStore.open(`${dir}/blobs`);
    const bytes = bytesOf(3 * (1 << 20) + 5);
    const { digest } = await store.put(bytes);
    const bodies = await Promise.all(Array.from({ length: 40 }, () => store.get(digest)));
    const readers = bodies.map((b) => b.stream.getReader());
    const first = await Promise.all(readers.map(async (r) => (await r.read()).value!.length));
    // Which 32 depends on the order the gets finished opening their files.
    assert.deepEqual(first.toSorted((a, b) => b - a), [
      ...Array(32).fill(1 << 20),
      ...Array(8).fill(1 << 16),
    ]);
    assert.equal(store.largeReaders, 32);
    // Read to the end, or cancelled: the slot is given back either way.
    const big = first.indexOf(1 << 20);
    let got = first[big];
    for (let step = await readers[big].read(); !step.done; step = await readers[big].read()) {
      got += step.value.length;
    }
    assert.equal(got, bytes.length);
    assert.equal(store.largeReaders, 31);
    await Promise.all(readers.filter((_, i) => i !== big).map((r) => r.cancel()));
    assert.equal(store.largeReaders, 0);
    assert.deepEqual(await readAll((await store.get(digest)).stream), bytes);
    // A small blob never takes a slot.
    const small = await store.put(bytesOf(1000));
    const body = await store.get(small.digest);
    assert.equal(store.largeReaders, 0);
    await body.stream.cancel();
    await store.close();
  }));
