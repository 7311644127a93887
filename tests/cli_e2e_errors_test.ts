/**
 * Failures of the package manager against a real registry process: a dependency conflict
 * explained by both requirements, and each class of error with its one line and exit code
 * (README.md, "Exit codes").
 */
import assert from "node:assert/strict";
import {
  type Registry,
  Sandbox,
  startRegistry,
  withExamplesRegistry,
  writeTree,
} from "./cli_support.ts";

const base = (v: string) => `package docs:base@${v};\n\ninterface t {\n  type n = u32;\n}\n`;
const user = (name: string, baseVersion: string) =>
  `package docs:${name}@1.0.0;\n\ninterface api {\n  use docs:base/t@${baseVersion}.{n};\n  f: func() -> n;\n}\n`;

Deno.test("a conflict names both requirements and the package they disagree on", async () => {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    const work = await box.folder("work");
    await writeTree(work, {
      "base1/base.wit": base("1.0.0"),
      "base2/base.wit": base("2.0.0"),
      "left/left.wit": user("left", "1.0.0"),
      "left/deps/base/base.wit": base("1.0.0"),
      "right/right.wit": user("right", "2.0.0"),
      "right/deps/base/base.wit": base("2.0.0"),
    });
    assert.equal(
      (await box.wreg(work, ["login", "--registry", registry.url, "--token", registry.token]))
        .code,
      0,
    );
    for (const dir of ["base1", "base2", "left", "right"]) {
      const r = await box.wreg(work, ["publish", dir]);
      assert.equal(r.code, 0, `${dir}: ${r.stdout}${r.stderr}`);
    }
    const index = await registry.client.call("GET", "/api/v1/packages/docs/left/index");
    assert.deepEqual(index.json.versions[0].dependencies, { "docs:base": "^1.0.0" });

    const p = await box.folder("project");
    const r = await box.wreg(p, ["add", "docs:left", "docs:right"]);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /^error: Cannot resolve the dependencies:\n/);
    assert.match(r.stderr, /docs:left/);
    assert.match(r.stderr, /docs:right/);
    assert.match(r.stderr, /docs:base@\^1\.0\.0/);
    assert.match(r.stderr, /docs:base@\^2\.0\.0/);
    await assert.rejects(Deno.stat(`${p}/wreg.json`), Deno.errors.NotFound, "nothing written");

    // Each alone resolves, and its WIT lands in wit/deps.
    const ok = await box.wreg(p, ["add", "docs:left"]);
    assert.equal(ok.code, 0, ok.stderr);
    const printed = await Deno.readTextFile(`${p}/wit/deps/docs-left-1.0.0/package.wit`);
    assert.match(printed, /package docs:left@1\.0\.0;/);
    assert.ok((await Deno.stat(`${p}/wit/deps/docs-base-1.0.0/package.wit`)).isFile);
  } finally {
    await registry?.stop();
    await box.remove();
  }
});

/** A port nothing listens on. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function oneLine(stderr: string): void {
  assert.match(stderr, /^error: [^\n]+\n$/, `one line: ${JSON.stringify(stderr)}`);
  // Issue 17, item 20: the registry's own "Cannot publish X:" was repeated after the CLI's.
  assert.ok(stderr.split("Cannot ").length <= 2, `says "Cannot" once at most: ${stderr}`);
}

Deno.test("each class of error prints one line and exits with its own code", async (t) => {
  await withExamplesRegistry(async (box, registry) => {
    const p = await box.folder("project");
    await Deno.writeFile(
      `${p}/tiny.wasm`,
      await Deno.readFile(`${box.root}/publisher/logger.wasm`),
    );

    await t.step("a bad spec exits 2", async () => {
      const r = await box.wreg(p, ["add", "Docs:Scrubber@^^1"]);
      assert.equal(r.code, 2);
      oneLine(r.stderr);
      assert.match(r.stderr, /Invalid dependency "Docs:Scrubber@\^\^1"/);
    });

    await t.step(
      "publishing a file that is not WebAssembly exits 2 and sends nothing",
      async () => {
        await Deno.writeTextFile(`${p}/notes.wasm`, "not a component\n");
        const r = await box.wreg(p, [
          "publish",
          "notes.wasm",
          "--name",
          "docs:notes",
          "--version",
          "1.0.0",
        ]);
        assert.equal(r.code, 2, r.stderr);
        oneLine(r.stderr);
        assert.match(
          r.stderr,
          /^error: Cannot publish notes\.wasm: it is not a valid component: magic header not detected.* \(at offset 0x0\)\n$/,
        );
        const info = await box.wreg(p, ["info", "docs:notes"]);
        assert.equal(info.code, 5, "nothing reached the registry");
      },
    );

    await t.step("a deno.json wreg cannot edit exits 2 before anything is written", async () => {
      const q = await box.folder("broken-deno-json");
      const broken = '{ "imports": { broken\n';
      await Deno.writeTextFile(`${q}/deno.json`, broken);
      const r = await box.wreg(q, ["add", "docs:scrubber"], { WREG_REGISTRY: registry.url });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /error: Cannot update deno\.json: .*line 1, column 16\n$/);
      assert.equal(await Deno.readTextFile(`${q}/deno.json`), broken);
      const left = [];
      for await (const e of Deno.readDir(q)) left.push(e.name);
      assert.deepEqual(left, ["deno.json"], "no wreg.json, lock or wreg_modules");
    });

    await t.step("the registry cannot be reached: exit 3", async () => {
      const url = `http://127.0.0.1:${closedPort()}`;
      const r = await box.wreg(p, ["add", "docs:scrubber"], { WREG_REGISTRY: url });
      assert.equal(r.code, 3);
      oneLine(r.stderr);
      assert.ok(
        r.stderr.includes(
          `Cannot reach the registry at ${url} to look up docs:scrubber (connection refused)`,
        ),
      );
      const s = await box.wreg(p, ["search", "scrub"], { WREG_REGISTRY: url });
      assert.equal(s.code, 3);
    });

    await t.step("an unknown token exits 4", async () => {
      const r = await box.wreg(p, [
        "publish",
        "tiny.wasm",
        "--name",
        "docs:tiny",
        "--version",
        "1.0.0",
      ], {
        WREG_TOKEN: "wreg_not-a-real-token",
        WREG_REGISTRY: registry.url,
      });
      assert.equal(r.code, 4);
      oneLine(r.stderr);
      assert.match(
        r.stderr,
        /does not accept the token: .*\[invalid-token\]; run `wreg login --registry/,
      );
    });

    await t.step(
      "wreg token makes a token with the admin token, and refuses another (4)",
      async () => {
        const made = await box.wreg(p, [
          "token",
          "--owner",
          "carol",
          "--admin-token",
          registry.admin,
          "--registry",
          registry.url,
        ]);
        assert.equal(made.code, 0, made.stderr);
        assert.match(made.stdout, /^wreg_[A-Za-z0-9_-]+\n$/);
        const login = await box.wreg(p, [
          "login",
          "--registry",
          registry.url,
          "--token",
          made.stdout.trim(),
        ], {
          WREG_CONFIG_DIR: `${box.root}/carol-config`,
        });
        assert.equal(login.code, 0, login.stderr);
        assert.match(login.stdout, / as carol;/);
        const refused = await box.wreg(p, ["token", "--owner", "x", "--admin-token", "nope"]);
        assert.equal(refused.code, 4);
        oneLine(refused.stderr);
      },
    );

    await t.step("a token without the right exits 4 (403)", async () => {
      const other = await registry.client.token(registry.admin, "bob", ["publish"], ["bobs"]);
      const r = await box.wreg(p, [
        "publish",
        "tiny.wasm",
        "--name",
        "docs:tiny",
        "--version",
        "1.0.0",
      ], {
        WREG_TOKEN: other,
        WREG_REGISTRY: registry.url,
      });
      assert.equal(r.code, 4);
      oneLine(r.stderr);
      assert.match(r.stderr, /does not allow it/);
      const y = await box.wreg(p, ["yank", "docs:logger@0.1.0"], {
        WREG_TOKEN: other,
        WREG_REGISTRY: registry.url,
      });
      assert.equal(y.code, 4);
      oneLine(y.stderr);
    });

    await t.step("no token at all exits 4 and says how to get one", async () => {
      const fresh = await Sandbox.create();
      try {
        const r = await fresh.wreg(p, ["yank", "docs:logger@0.1.0"], {
          WREG_REGISTRY: registry.url,
        });
        assert.equal(r.code, 4);
        oneLine(r.stderr);
        assert.match(r.stderr, /no token for the registry at .*; run `wreg login/);
      } finally {
        await fresh.remove();
      }
    });

    await t.step("a package the registry does not have exits 5", async () => {
      const r = await box.wreg(p, ["add", "docs:nope"]);
      assert.equal(r.code, 5);
      oneLine(r.stderr);
      assert.match(r.stderr, /has no package docs:nope/);
      const i = await box.wreg(p, ["info", "docs:nope@1.0.0"]);
      assert.equal(i.code, 5);
      oneLine(i.stderr);
    });

    await t.step("a registry refusal carries the server's code (5)", async () => {
      // A version that is already published: the local check says so before uploading.
      const r = await box.wreg(p, [
        "publish",
        "tiny.wasm",
        "--name",
        "docs:logger",
        "--version",
        "0.1.0",
      ]);
      assert.equal(r.code, 5);
      oneLine(r.stderr);
      assert.match(r.stderr, /already published/);
      // A query the registry refuses: its code and message come through.
      const s = await box.wreg(p, ["search", "--exports", "not an interface"]);
      assert.equal(s.code, 5);
      oneLine(s.stderr);
      assert.match(s.stderr, /answered 400: .*\[invalid-query\]/);
    });

    await t.step(
      "two implementations of an import exit 7 with the fills entry to write",
      async () => {
        const pub = await box.wreg(p, [
          "publish",
          "tiny.wasm",
          "--name",
          "docs:logger-two",
          "--version",
          "0.1.0",
        ]);
        assert.equal(pub.code, 0, pub.stderr);
        const fresh = await box.folder("ambiguous");
        const r = await box.wreg(fresh, ["add", "docs:scrubber"]);
        assert.equal(r.code, 7);
        oneLine(r.stderr.slice(r.stderr.indexOf("error: ")));
        assert.ok(
          r.stderr.includes(
            'error: Import "docs:processor/logger@0.1.0" of docs:scrubber has 2 implementations ' +
              "(docs:logger@0.1.0, docs:logger-two@0.1.0): choose one in wreg.json with " +
              '"fills": {"docs:processor/logger": {"package": "docs:logger", "range": "^0.1.0"}}',
          ),
          r.stderr,
        );
        // Writing the entry it names settles it.
        await Deno.writeTextFile(
          `${fresh}/wreg.json`,
          JSON.stringify({
            fills: { "docs:processor/logger": { package: "docs:logger-two", range: "^0.1.0" } },
          }),
        );
        const ok = await box.wreg(fresh, ["add", "docs:scrubber", "--no-bindings"]);
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /with docs:logger-two@0\.1\.0 \(chosen in wreg\.json "fills"\)/);
      },
    );

    await t.step("a range nothing satisfies exits 7", async () => {
      const r = await box.wreg(p, ["add", "docs:processor@^9"]);
      assert.equal(r.code, 7);
      assert.match(r.stderr, /Cannot resolve the dependencies:\n {2}.*docs:processor/);
    });
  });
});
