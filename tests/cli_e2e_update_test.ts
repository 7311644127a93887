/**
 * Versions moving under a lock, against a real registry process: a new compatible release is not
 * taken until `wreg update`; a yanked version is never chosen for a new resolution but a lock that
 * holds it still installs; `update <name>` moves only that package.
 */
import assert from "node:assert/strict";
import { PROCESSOR_WIT, type Registry, Sandbox, startRegistry, writeTree } from "./cli_support.ts";

const BASE = "package docs:base@1.0.0;\n\ninterface t {\n  type n = u32;\n}\n";

Deno.test("the lock holds versions until update; yanked versions are skipped but still install", async () => {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    const env = { WREG_REGISTRY: registry.url, WREG_TOKEN: registry.token };
    const work = await box.folder("work");
    const processor = await Deno.readTextFile(`${PROCESSOR_WIT}/processor.wit`);
    await writeTree(work, {
      "p010/p.wit": processor,
      "p011/p.wit": processor.replace("@0.1.0;", "@0.1.1;"),
      "p012/p.wit": processor.replace("@0.1.0;", "@0.1.2;"),
      "base100/b.wit": BASE,
      "base101/b.wit": BASE.replace("@1.0.0", "@1.0.1"),
    });
    const publish = async (dir: string) => {
      const r = await box.wreg(work, ["publish", dir], env);
      assert.equal(r.code, 0, `${dir}: ${r.stdout}${r.stderr}`);
    };
    await publish("p010");
    await publish("base100");

    const app = await box.folder("app");
    const added = await box.wreg(app, ["add", "docs:processor", "docs:base"], env);
    assert.equal(added.code, 0, added.stderr);
    const lock = () => Deno.readTextFile(`${app}/wreg.lock`).then(JSON.parse);
    assert.equal((await lock()).packages["docs:processor"].version, "0.1.0");

    // A compatible release appears: install keeps the lock, update takes it.
    await publish("p011");
    await publish("base101");
    const installed = await box.wreg(app, ["install"], env);
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal((await lock()).packages["docs:processor"].version, "0.1.0");
    const one = await box.wreg(app, ["update", "docs:processor"], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /~ docs:processor@0\.1\.0 -> 0\.1\.1 \(WIT package/);
    assert.equal((await lock()).packages["docs:processor"].version, "0.1.1");
    assert.equal((await lock()).packages["docs:base"].version, "1.0.0", "only the named one moves");
    assert.ok((await Deno.stat(`${app}/wit/deps/docs-processor-0.1.1/package.wit`)).isFile);
    await assert.rejects(Deno.stat(`${app}/wit/deps/docs-processor-0.1.0`), Deno.errors.NotFound);

    // 0.1.2 is published and yanked at once: update does not pick it.
    await publish("p012");
    const yanked = await box.wreg(app, ["yank", "docs:processor@0.1.2"], env);
    assert.equal(yanked.code, 0, yanked.stderr);
    assert.equal(yanked.stdout, `Yanked docs:processor@0.1.2 at ${registry.url}\n`);
    const all = await box.wreg(app, ["update"], env);
    assert.equal(all.code, 0, all.stderr);
    assert.equal((await lock()).packages["docs:processor"].version, "0.1.1");
    assert.equal((await lock()).packages["docs:base"].version, "1.0.1");

    // A lock that holds a version yanked later still installs it.
    const unyank = await box.wreg(app, ["unyank", "docs:processor@0.1.2"], env);
    assert.equal(unyank.code, 0, unyank.stderr);
    assert.equal((await box.wreg(app, ["update", "docs:processor"], env)).code, 0);
    assert.equal((await lock()).packages["docs:processor"].version, "0.1.2");
    assert.equal((await box.wreg(app, ["yank", "docs:processor@0.1.2"], env)).code, 0);
    const other = await Sandbox.create();
    try {
      const copy = await other.folder("copy");
      await writeTree(copy, {
        "wreg.json": await Deno.readTextFile(`${app}/wreg.json`),
        "wreg.lock": await Deno.readTextFile(`${app}/wreg.lock`),
      });
      const r = await other.wreg(copy, ["install"]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok((await Deno.stat(`${copy}/wit/deps/docs-processor-0.1.2/package.wit`)).isFile);
    } finally {
      await other.remove();
    }
    // info shows the yank.
    const info = await box.wreg(app, ["info", "docs:processor"], env);
    assert.match(info.stdout, /0\.1\.2 +\S+ +alice +yanked/);
  } finally {
    await registry?.stop();
    await box.remove();
  }
});
