import assert from "node:assert/strict";
import { BlobCache } from "./_cache.ts";
import { CliError, EXIT } from "./_command.ts";
import { digestOf } from "../lib/names/mod.ts";

async function withCache(f: (cache: BlobCache, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "wreg-cache-test-" });
  try {
    await f(BlobCache.of({ env: { WREG_CACHE_DIR: dir }, cwd: "/" }), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("blobs are stored by digest in the registry's layout and read back", async () => {
  await withCache(async (cache, dir) => {
    const bytes = new TextEncoder().encode("hello");
    const digest = await digestOf(bytes);
    assert.equal(await cache.get(digest), undefined);
    const path = await cache.put(digest, bytes);
    const hex = digest.slice(7);
    assert.equal(path, `${dir}/blobs/sha256/${hex.slice(0, 2)}/${hex}`);
    assert.deepEqual(await cache.get(digest), bytes);
  });
});

Deno.test("a cached file changed on disk is refused, naming the file", async () => {
  await withCache(async (cache) => {
    const bytes = new Uint8Array([1, 2, 3]);
    const digest = await digestOf(bytes);
    const path = await cache.put(digest, bytes);
    await Deno.writeFile(path, new Uint8Array([1, 2, 4]));
    // The run that stored the bytes keeps using the bytes it verified; the next run reads the
    // file, and refuses it.
    assert.deepEqual(await cache.get(digest), bytes);
    const nextRun = new BlobCache(cache.dir);
    await assert.rejects(nextRun.get(digest, "docs:x@1.0.0"), (e: unknown) => {
      assert.ok(e instanceof CliError);
      assert.equal(e.exitCode, EXIT.integrity);
      assert.ok(e.message.startsWith(`Cannot use docs:x@1.0.0: the cached file ${path} hashes to`));
      return true;
    });
  });
});

Deno.test("bytes that do not match the digest are never stored", async () => {
  await withCache(async (cache) => {
    const digest = await digestOf(new Uint8Array([1]));
    await assert.rejects(cache.put(digest, new Uint8Array([2])), /Cannot cache sha256:/);
    assert.equal(await cache.get(digest), undefined);
  });
});

Deno.test("concurrent writers of one blob never leave a partial or temporary file", async () => {
  await withCache(async (cache, dir) => {
    const bytes = crypto.getRandomValues(new Uint8Array(64 * 1024));
    const digest = await digestOf(bytes);
    // Two other processes and this one write the same entry while this one reads it.
    const script = `
      import { BlobCache } from ${JSON.stringify(new URL("./_cache.ts", import.meta.url).href)};
      const bytes = await Deno.readFile(Deno.args[0]);
      const cache = BlobCache.of({ env: { WREG_CACHE_DIR: Deno.args[1] }, cwd: "/" });
      for (let i = 0; i < 40; i++) await cache.put(Deno.args[2], bytes);
    `;
    const src = `${dir}/src.bin`;
    await Deno.writeFile(src, bytes);
    const config = new URL("../deno.json", import.meta.url).pathname;
    const procs = [1, 2].map(() =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "--config", config, script, src, dir, digest],
        stdout: "null",
        stderr: "piped",
      }).output()
    );
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      await cache.put(digest, bytes);
      reads.push(cache.get(digest).then((b) => assert.deepEqual(b, bytes)));
    }
    for (const p of await Promise.all(procs)) {
      assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
    }
    await Promise.all(reads);
    const hex = digest.slice(7);
    const names = [];
    for await (const e of Deno.readDir(`${dir}/blobs/sha256/${hex.slice(0, 2)}`)) {
      names.push(e.name);
    }
    assert.deepEqual(names, [hex]);
  });
});
