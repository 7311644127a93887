/**
 * `wreg publish <wit-folder> --with-deps` against a real registry process: WASI's own WIT trees
 * from the corpus (wasi:http 0.2.0 with deps/cli, clocks, filesystem, io, random, sockets, then
 * the same at 0.2.3) publish in dependency order, each through the registry's gate; a second run
 * skips what is already there; other content under a published version is refused naming both
 * digests.
 */
import assert from "node:assert/strict";
import { CORPUS } from "../tools/corpus.ts";
import { type Registry, Sandbox, startRegistry, writeTree } from "./cli_support.ts";

const WASI_0_2_0 = `${CORPUS}wasi-http/v0.2.0/wit`;
const WASI_0_2_3 = `${CORPUS}wasi-http/v0.2.3/wit`;

/** The packages a --with-deps run reports, in its order. */
function packagesOf(stdout: string): { id: string; published: boolean; skipped: boolean }[] {
  return JSON.parse(stdout).packages.map((
    p: { package: string; version: string; published: boolean; skipped?: boolean },
  ) => ({ id: `${p.package}@${p.version}`, published: p.published, skipped: p.skipped === true }));
}

/** Whether each package comes after every package its version document depends on. */
async function assertDependencyOrder(registry: Registry, ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const [name, version] = id.split("@");
    const doc = await registry.client.call(
      "GET",
      `/api/v1/packages/${name.replace(":", "/")}/${version}`,
    );
    assert.equal(doc.status, 200, id);
    for (const d of doc.json.dependencies as { package: string; version: string }[]) {
      const at = ids.indexOf(`${d.package}@${d.version}`);
      assert.ok(at >= 0 && at < i, `${id} is published after its dependency ${d.package}`);
    }
  }
}

Deno.test("wreg publish --with-deps publishes WASI 0.2.0 and 0.2.3 trees in dependency order, through the gate", async () => {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    // "wasi" is reserved: the admin gives it to alice before she publishes WASI there.
    const assigned = await registry.client.call("PUT", "/api/v1/namespaces/wasi", {
      token: registry.admin,
      json: { owners: ["alice"] },
    });
    assert.equal(assigned.status, 201, assigned.text);
    const work = await box.folder("work");
    const login = await box.wreg(work, [
      "login",
      "--registry",
      registry.url,
      "--token",
      registry.token,
    ]);
    assert.equal(login.code, 0, login.stderr);

    const first = await box.wreg(work, ["publish", WASI_0_2_0, "--with-deps", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const v020 = packagesOf(first.stdout);
    const names = ["cli", "clocks", "filesystem", "http", "io", "random", "sockets"];
    assert.deepEqual(v020.map((p) => p.id).sort(), names.map((n) => `wasi:${n}@0.2.0`));
    assert.equal(v020.at(-1)!.id, "wasi:http@0.2.0", "the folder's own package comes last");
    assert.ok(v020.every((p) => p.published && !p.skipped));
    await assertDependencyOrder(registry, v020.map((p) => p.id));

    // Again: everything is there with the same content, so nothing is uploaded.
    const again = await box.wreg(work, ["publish", WASI_0_2_0, "--with-deps", "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(packagesOf(again.stdout).every((p) => p.skipped && !p.published));
    const text = await box.wreg(work, ["publish", WASI_0_2_0, "--with-deps"]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.match(/already published with the same content/g)?.length, 7);

    // 0.2.3: each package is checked against its 0.2.0 (compatible, a patch release of the 0.2
    // series), and the registry's gate accepts it.
    const next = await box.wreg(work, ["publish", WASI_0_2_3, "--with-deps", "--json"]);
    assert.equal(next.code, 0, next.stderr);
    const doc = JSON.parse(next.stdout);
    assert.deepEqual(
      doc.packages.map((p: { package: string; version: string }) => `${p.package}@${p.version}`)
        .sort(),
      names.map((n) => `wasi:${n}@0.2.3`),
    );
    for (const p of doc.packages) {
      assert.equal(p.published, true, p.package);
      assert.deepEqual(
        p.checks.map((
          c: { old: string; new: string; compatible: boolean },
        ) => [c.old, c.new, c.compatible]),
        [["0.2.0", "0.2.3", true]],
        p.package,
      );
    }
    await assertDependencyOrder(
      registry,
      doc.packages.map((p: { package: string; version: string }) => `${p.package}@${p.version}`),
    );
    const http = await registry.client.call("GET", "/api/v1/packages/wasi/http/0.2.3");
    assert.equal(http.status, 200);
    const index = await registry.client.call("GET", "/api/v1/packages/wasi/http/index");
    assert.deepEqual(index.json.versions.map((v: { version: string }) => v.version).sort(), [
      "0.2.0",
      "0.2.3",
    ]);
  } finally {
    await registry?.stop();
    await box.remove();
  }
});

Deno.test("wreg publish --with-deps refuses other content under a published version, naming both digests", async () => {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    const work = await box.folder("work");
    const base = (body: string) => `package test:base@1.0.0;\n\ninterface t {\n  ${body}\n}\n`;
    const top =
      "package test:top@1.0.0;\n\ninterface api {\n  use test:base/t@1.0.0.{n};\n  f: func() -> n;\n}\n";
    await writeTree(work, {
      "one/top.wit": top,
      "one/deps/base/base.wit": base("type n = u32;"),
      "two/top.wit": top.replace("1.0.0;\n\ninterface api", "1.0.1;\n\ninterface api"),
      "two/deps/base/base.wit": base("type n = u32;\n  g: func();"),
    });
    assert.equal(
      (await box.wreg(work, ["login", "--registry", registry.url, "--token", registry.token])).code,
      0,
    );
    const ok = await box.wreg(work, ["publish", "one", "--with-deps"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Published test:base@1\.0\.0/);
    assert.match(ok.stdout, /Published test:top@1\.0\.0/);
    const published = await registry.client.call("GET", "/api/v1/packages/test/base/index");
    const digest = published.json.versions[0].digest as string;

    const bad = await box.wreg(work, ["publish", "two", "--with-deps"]);
    assert.equal(bad.code, 5, bad.stderr);
    // The download of the published version (progress) comes first, then the one error line.
    assert.match(bad.stderr, /(^|\n)error: Cannot publish test:base@1\.0\.0: [^\n]+\n$/);
    const digests = bad.stderr.match(/sha256:[0-9a-f]{64}/g) ?? [];
    assert.equal(digests.length, 2, bad.stderr);
    assert.ok(digests.includes(digest), "names the published digest");
    assert.notEqual(digests[0], digests[1]);
    const after = await registry.client.call("GET", "/api/v1/packages/test/top/index");
    assert.deepEqual(after.json.versions.map((v: { version: string }) => v.version), ["1.0.0"]);
  } finally {
    await registry?.stop();
    await box.remove();
  }
});
