/**
 * The package manager end to end against a real registry process: publish WIT packages and
 * components with `wreg publish`, `wreg add` in a fresh project, `wreg install` in another fresh
 * folder from the lock, the registry stopped and `install` again from the cache alone, then a
 * cached blob altered on disk and `install` refused with the file named.
 */
import assert from "node:assert/strict";
import { exampleWasm, Sandbox, withExamplesRegistry, writeTree } from "./cli_support.ts";
import { digestOf } from "../lib/names/mod.ts";

Deno.test("publish, add, install from the lock, install offline from the cache, refuse a tampered cache", async () => {
  await withExamplesRegistry(async (box, registry) => {
    // The login stored the token readable by its owner only.
    const config = await Deno.stat(`${box.env.WREG_CONFIG_DIR}/config.json`);
    assert.equal(config.mode! & 0o777, 0o600);
    const published = await registry.client.call("GET", "/api/v1/packages/docs/logger/index");
    assert.equal(published.status, 200);
    const loggerDigest = await digestOf(await exampleWasm("logger-js"));
    assert.equal(published.json.versions[0].digest, loggerDigest);

    // add in a fresh project: resolves, fills the scrubber's logger import, locks, writes.
    const a = await box.folder("project-a");
    const added = await box.wreg(a, ["add", "docs:scrubber"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /\+ docs:scrubber@0\.1\.0 \(component, required by wreg\.json\)/);
    assert.match(added.stdout, /\+ docs:processor@0\.1\.0 \(WIT package/);
    assert.match(
      added.stdout,
      /fills docs:processor\/logger@0\.1\.0 of docs:scrubber with docs:logger@0\.1\.0 \(the registry's only implementation/,
    );
    const manifest = JSON.parse(await Deno.readTextFile(`${a}/wreg.json`));
    assert.deepEqual(manifest, {
      dependencies: { "docs:scrubber": "^0.1.0" },
      fills: { "docs:processor/logger": { package: "docs:logger", range: "^0.1.0" } },
    });
    const lockText = await Deno.readTextFile(`${a}/wreg.lock`);
    const lock = JSON.parse(lockText);
    assert.deepEqual(Object.keys(lock.packages), [
      "docs:logger",
      "docs:processor",
      "docs:scrubber",
    ]);
    assert.equal(lock.packages["docs:logger"].digest, loggerDigest);
    assert.equal(lock.packages["docs:logger"].registry, registry.url);
    assert.equal(lock.packages["docs:processor"].kind, "wit");
    assert.deepEqual(lock.fills["docs:scrubber"]["docs:processor/logger@0.1.0"], {
      package: "docs:logger",
      version: "0.1.0",
      digest: loggerDigest,
    });
    assert.equal(
      (JSON.parse(await Deno.readTextFile(`${a}/deno.json`))).imports["docs:scrubber"],
      "./wreg_modules/docs/scrubber/mod.ts",
    );

    // A second add of the same thing changes nothing: the lock is deterministic.
    const again = await box.wreg(a, ["add", "docs:scrubber"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /wreg\.json and wreg\.lock are unchanged/);
    assert.equal(await Deno.readTextFile(`${a}/wreg.lock`), lockText);

    // install in another fresh folder, from the lock alone, on a machine with an empty cache.
    const other = await Sandbox.create();
    try {
      const b = await other.folder("project-b");
      await writeTree(b, {
        "wreg.json": await Deno.readTextFile(`${a}/wreg.json`),
        "wreg.lock": lockText,
      });
      const installed = await other.wreg(b, ["install"]);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(installed.stdout, /Installed 3 packages \(3 downloaded, 0 from the cache\)/);
      assert.equal(await Deno.readTextFile(`${b}/wreg.lock`), lockText);
      assert.match(installed.stderr, /downloaded docs:logger@0\.1\.0/);
      assert.ok((await Deno.stat(`${b}/wreg_modules/docs/scrubber/mod.ts`)).isFile);

      // The registry goes away; a fresh folder on the same machine installs from the cache.
      await registry.stop();
      const c = await other.folder("project-c");
      await writeTree(c, {
        "wreg.json": await Deno.readTextFile(`${a}/wreg.json`),
        "wreg.lock": lockText,
      });
      const offline = await other.wreg(c, ["install"]);
      assert.equal(offline.code, 0, offline.stderr);
      assert.match(offline.stdout, /Installed 3 packages \(0 downloaded, 3 from the cache\)/);
      assert.equal(offline.stderr, "");
      assert.ok((await Deno.stat(`${c}/wreg_modules/docs/scrubber/mod.ts`)).isFile);

      // Resolving needs the registry: add fails with the network exit code.
      const down = await other.wreg(c, ["add", "docs:processor"], { WREG_REGISTRY: registry.url });
      assert.equal(down.code, 3);
      assert.match(
        down.stderr,
        /^error: Cannot reach the registry at http:\/\/127\.0\.0\.1:\d+ to look up docs:processor \(connection refused\)\n$/,
      );

      // A cached blob altered on disk: install refuses and names the file.
      const hex = loggerDigest.slice("sha256:".length);
      const blob = `${other.env.WREG_CACHE_DIR}/blobs/sha256/${hex.slice(0, 2)}/${hex}`;
      const bytes = await Deno.readFile(blob);
      bytes[bytes.length - 1] ^= 0xff;
      await Deno.writeFile(blob, bytes);
      const d = await other.folder("project-d");
      await writeTree(d, {
        "wreg.json": await Deno.readTextFile(`${a}/wreg.json`),
        "wreg.lock": lockText,
      });
      const tampered = await other.wreg(d, ["install"]);
      assert.equal(tampered.code, 6);
      assert.ok(tampered.stderr.includes(blob), tampered.stderr);
      assert.match(
        tampered.stderr,
        /^error: Cannot use docs:logger@0\.1\.0: the cached file .* hashes to sha256:[0-9a-f]{64}, not sha256:/,
      );
      assert.equal(tampered.stderr.split("\n").length, 2, "one line");
      assert.equal(await Deno.readTextFile(`${d}/wreg.lock`), lockText, "the lock is untouched");
    } finally {
      await other.remove();
    }
  });
});

Deno.test("install refuses a lock that no longer matches wreg.json and says what to run", async () => {
  await withExamplesRegistry(async (box) => {
    const p = await box.folder("project");
    assert.equal((await box.wreg(p, ["add", "docs:processor"])).code, 0);
    const manifest = JSON.parse(await Deno.readTextFile(`${p}/wreg.json`));
    manifest.dependencies["docs:scrubber"] = "^0.1.0";
    await Deno.writeTextFile(`${p}/wreg.json`, JSON.stringify(manifest));
    const r = await box.wreg(p, ["install"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /wreg\.lock does not match wreg\.json:\n {2}wreg\.json requires docs:scrubber@\^0\.1\.0, which wreg\.lock does not hold\nRun `wreg update`/,
    );
    // update resolves it; remove takes it out again, with its fill and its bindings.
    const u = await box.wreg(p, ["update"]);
    assert.equal(u.code, 0, u.stderr);
    assert.ok((await Deno.stat(`${p}/wreg_modules/docs/scrubber/mod.ts`)).isFile);
    const rm = await box.wreg(p, ["remove", "docs:scrubber"]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /- docs:scrubber@0\.1\.0 \(component, removed\)/);
    assert.match(rm.stdout, /- docs:logger@0\.1\.0/);
    assert.match(rm.stdout, /dropped wreg\.json fills entry docs:processor\/logger/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${p}/wreg.json`)), {
      dependencies: { "docs:processor": "^0.1.0" },
    });
    assert.equal(
      JSON.parse(await Deno.readTextFile(`${p}/deno.json`)).imports?.["docs:scrubber"],
      undefined,
    );
    await assert.rejects(Deno.stat(`${p}/wreg_modules/docs/scrubber`), Deno.errors.NotFound);
  });
});
