import assert from "node:assert/strict";
import { digestOf, parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { bytesOf, readAll } from "./_contract.ts";
import {
  blobKey,
  DEFAULT_DATA_DIR,
  isStorageError,
  openMemoryStorage,
  openStorage,
  type PublishInput,
  type Storage,
  verifyStorage,
} from "./mod.ts";

async function withDataDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-data-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function publishBytes(storage: Storage, name: string, version: string, bytes: Uint8Array) {
  const blob = await storage.blobs.put(bytes, { digest: await digestOf(bytes) });
  const input: PublishInput = {
    name: parsePackageName(name),
    version: parseVersion(version),
    kind: "component",
    digest: blob.digest,
    size: blob.size,
    publisher: "alice",
    document: {},
    searchRows: [],
  };
  return await storage.metadata.commitVersion(input);
}

Deno.test("openStorage creates the data directory with its database and blob folders", () =>
  withDataDir(async (parent) => {
    const dataDir = `${parent}/nested/wreg-data`;
    const storage = await openStorage({ dataDir });
    const v = await publishBytes(storage, "docs:hello", "1.0.0", bytesOf(1000));
    await storage.close();
    for (
      const path of ["metadata.sqlite", "blobs/tmp", "blobs/sha256", `blobs/${blobKey(v.digest)}`]
    ) {
      assert.ok(await Deno.stat(`${dataDir}/${path}`), path);
    }
    const again = await openStorage({ dataDir });
    assert.equal(
      (await again.metadata.latestVersion(parsePackageName("docs:hello")))?.digest,
      v.digest,
    );
    assert.deepEqual(await readAll((await again.blobs.get(v.digest)).stream), bytesOf(1000));
    await again.close();
    assert.equal(DEFAULT_DATA_DIR, "./wreg-data");
  }));

Deno.test("openStorage refuses a data directory another storage holds open", () =>
  withDataDir(async (dataDir) => {
    const first = await openStorage({ dataDir });
    await assert.rejects(openStorage({ dataDir }), (e) => isStorageError(e, "locked"));
    await first.close();
    const second = await openStorage({ dataDir });
    await second.close();
  }));

Deno.test("verifyStorage reports versions whose blob is missing or damaged", () =>
  withDataDir(async (dataDir) => {
    const storage = await openStorage({ dataDir });
    const good = await publishBytes(storage, "v:good", "1.0.0", bytesOf(500, 1));
    const lost = await publishBytes(storage, "v:lost", "1.0.0", bytesOf(500, 2));
    const flipped = await publishBytes(storage, "v:flipped", "1.0.0", bytesOf(500, 3));
    const cut = await publishBytes(storage, "v:cut", "1.0.0", bytesOf(500, 4));
    assert.deepEqual(await verifyStorage(storage, { rehash: true }), {
      versions: 4,
      missing: [],
      corrupt: [],
    });
    await Deno.remove(`${dataDir}/blobs/${blobKey(lost.digest)}`);
    const damaged = bytesOf(500, 3);
    damaged[100] ^= 1;
    await Deno.writeFile(`${dataDir}/blobs/${blobKey(flipped.digest)}`, damaged);
    await Deno.writeFile(`${dataDir}/blobs/${blobKey(cut.digest)}`, bytesOf(499, 4));
    const quick = await verifyStorage(storage);
    assert.deepEqual(quick.missing.map((v) => v.package), ["v:lost"]);
    assert.deepEqual(quick.corrupt.map((c) => [c.version.package, c.actualSize]), [["v:cut", 499]]);
    const full = await verifyStorage(storage, { rehash: true });
    assert.deepEqual(full.corrupt.map((c) => c.version.package).sort(), ["v:cut", "v:flipped"]);
    assert.equal(
      full.corrupt.find((c) => c.version.package === "v:flipped")?.actualDigest,
      await digestOf(damaged),
    );
    assert.ok(!full.corrupt.some((c) => c.version.digest === good.digest));
    await storage.close();
  }));

Deno.test("the memory storage publishes and reads like the embedded one", async () => {
  const storage = openMemoryStorage({ maxBlobSize: 2000 });
  const v = await publishBytes(storage, "docs:mem", "0.1.0", bytesOf(1500));
  assert.deepEqual(await verifyStorage(storage, { rehash: true }), {
    versions: 1,
    missing: [],
    corrupt: [],
  });
  await assert.rejects(storage.blobs.put(bytesOf(2001)), (e) => isStorageError(e, "too-large"));
  assert.equal(
    (await storage.metadata.getPackage(parsePackageName("docs:mem")))?.versions[0].digest,
    v.digest,
  );
  await storage.close();
});
