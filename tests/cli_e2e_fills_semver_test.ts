/**
 * The fills `wreg add` finds are decided by the types across a semver series, in both
 * directions: a component importing `test:kv/store@1.1.0` is filled by the one component that
 * exports `test:kv/store@1.0.0` (the interface did not change in 1.1.0), and the composition
 * `add` makes with that fill is written; an exporter whose 1.0.0 interface lacks what 1.1.0 has
 * is not offered.
 */
import assert from "node:assert/strict";
import { type Registry, Sandbox, startRegistry, writeTree } from "./cli_support.ts";
import { component } from "./registry_support.ts";

const KV = (version: string, extra = "") =>
  `package test:kv@${version};

interface store {
  get: func(key: string) -> option<string>;
${extra}}

interface admin {
  wipe: func();
}
`;

Deno.test("wreg add fills an import at 1.1.0 with an export at 1.0.0 when the types fit", async () => {
  const box = await Sandbox.create();
  let registry: Registry | undefined;
  try {
    registry = await startRegistry();
    const work = await box.folder("work");
    const provider = await component(
      `${KV("1.0.0")}\nworld provider { export store; }\n`,
      "provider",
    );
    const consumer = await component(
      `${KV("1.1.0")}\nworld consumer { import store; export run: func() -> u32; }\n`,
      "consumer",
    );
    await writeTree(work, {
      "kv100/kv.wit": KV("1.0.0"),
      "kv110/kv.wit": KV("1.1.0"),
      "provider.wasm": provider,
      "consumer.wasm": consumer,
    });
    const must = async (args: string[]) => {
      const r = await box.wreg(work, args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      return r;
    };
    await must(["login", "--registry", registry.url, "--token", registry.token]);
    await must(["publish", "kv100"]);
    await must(["publish", "kv110"]);
    await must(["publish", "provider.wasm", "--name", "test:provider", "--version", "1.0.0"]);
    await must(["publish", "consumer.wasm", "--name", "test:consumer", "--version", "1.0.0"]);

    // The registry answers the 1.1.0 question with the 1.0.0 export, checked by its types.
    const impls = await registry.client.call(
      "GET",
      "/api/v1/implementations?interface=test:kv/store@1.1.0",
    );
    assert.deepEqual(impls.json.checkedAgainst, "test:kv/store@1.1.0");
    assert.deepEqual(
      impls.json.implementations.map((i: { package: string; matched: string[] }) => [
        i.package,
        i.matched,
      ]),
      [["test:provider", ["test:kv/store@1.0.0"]]],
    );
    // So does search --exports (API and CLI), naming the export that matched; and the 1.0.0
    // question finds the same exporter (the consumer imports, it does not export).
    for (const v of ["1.1.0", "1.0.0"]) {
      const found = await registry.client.call(
        "GET",
        `/api/v1/search?exports=test:kv/store@${v}`,
      );
      assert.deepEqual(
        found.json.results.map((r: { package: string; matched: string[] }) => [
          r.package,
          r.matched,
        ]),
        [["test:provider", ["test:kv/store@1.0.0"]]],
        v,
      );
    }
    const listed = await must(["search", "--exports", "test:kv/store@1.1.0"]);
    assert.match(listed.stdout, /^test:provider +1\.0\.0 +component +test:kv\/store@1\.0\.0\b/m);

    const project = await box.folder("project");
    const added = await box.wreg(project, ["add", "test:consumer"]);
    assert.equal(added.code, 0, `${added.stdout}${added.stderr}`);
    assert.match(
      added.stdout,
      /fills test:kv\/store@1\.1\.0 of test:consumer with test:provider@1\.0\.0/,
    );
    const lock = JSON.parse(await Deno.readTextFile(`${project}/wreg.lock`));
    assert.equal(lock.fills["test:consumer"]["test:kv/store@1.1.0"].package, "test:provider");
    assert.ok((await Deno.stat(`${project}/wreg_modules/test/consumer/mod.ts`)).isFile);

    // An exporter of a 1.0.0 that lacks a function of 1.1.0 is not an implementation of it.
    await writeTree(work, {
      "kv111/kv.wit": KV("1.1.1", "  put: func(key: string, value: string);\n"),
    });
    await must(["publish", "kv111"]);
    const stricter = await registry.client.call(
      "GET",
      "/api/v1/implementations?interface=test:kv/store@1.1.1",
    );
    assert.equal(stricter.json.checkedAgainst, "test:kv/store@1.1.1");
    assert.deepEqual(stricter.json.implementations, []);
    const none = await registry.client.call("GET", "/api/v1/search?exports=test:kv/store@1.1.1");
    assert.deepEqual(none.json.results, []);
    const cliNone = await must(["search", "--exports", "test:kv/store@1.1.1"]);
    assert.doesNotMatch(cliNone.stdout, /test:provider/);
  } finally {
    await registry?.stop();
    await box.remove();
  }
});
