import assert from "node:assert/strict";
import type { Io } from "./_command.ts";
import { runWreg } from "./main.ts";
import { kebabLabel } from "./cmd_init.ts";

async function inFolder(
  name: string,
  f: (
    dir: string,
    run: (args: string[], extra?: Partial<Io>) => Promise<[number, string, string]>,
  ) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "wreg-init-test-" });
  const dir = `${root}/${name}`;
  await Deno.mkdir(dir);
  const run = async (
    args: string[],
    extra: Partial<Io> = {},
  ): Promise<[number, string, string]> => {
    let out = "", err = "";
    const code = await runWreg(["init", ...args], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      cwd: dir,
      env: { WREG_CONFIG_DIR: `${root}/config` },
      isTerminal: false,
      ...extra,
    });
    return [code, out, err];
  };
  try {
    await f(dir, run);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("without a terminal init asks nothing: folder name, local namespace, 0.1.0", async () => {
  await inFolder("My Scrubber", async (dir, run) => {
    const [code, out] = await run([]);
    assert.equal(code, 0);
    assert.equal(
      out,
      "Wrote wreg.json for the component local:my-scrubber@0.1.0\n" +
        'Set "component" in wreg.json to the path of the built .wasm before `wreg publish`\n',
    );
    assert.equal(
      await Deno.readTextFile(`${dir}/wreg.json`),
      '{\n  "name": "local:my-scrubber",\n  "version": "0.1.0",\n  "kind": "component"\n}\n',
    );
  });
});

Deno.test("a WIT folder's package line gives the name, version and kind", async () => {
  await inFolder("anything", async (dir, run) => {
    await Deno.mkdir(`${dir}/wit`);
    await Deno.writeTextFile(`${dir}/wit/p.wit`, "package docs:processor@0.3.1;\ninterface i {}\n");
    const [code] = await run(["--yes"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/wreg.json`)), {
      name: "docs:processor",
      version: "0.3.1",
      kind: "wit",
    });
  });
});

Deno.test("flags set every field, and a single built .wasm becomes the component", async () => {
  await inFolder("x", async (dir, run) => {
    await Deno.mkdir(`${dir}/build`);
    await Deno.writeFile(`${dir}/build/x.wasm`, new Uint8Array());
    const [code] = await run([
      "--name",
      "docs:x",
      "--version",
      "2.0.0",
      "--registry",
      "http://127.0.0.1:8080/",
      "--license",
      "MIT",
    ]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/wreg.json`)), {
      name: "docs:x",
      version: "2.0.0",
      kind: "component",
      license: "MIT",
      component: "build/x.wasm",
      registry: "http://127.0.0.1:8080",
    });
  });
});

Deno.test("on a terminal init asks, proposing the defaults", async () => {
  await inFolder("asked", async (dir, run) => {
    const questions: string[] = [];
    const answers: Record<string, string> = { "Version:": "1.0.0" };
    const [code] = await run([], {
      prompt: (q, d) => {
        questions.push(`${q} [${d}]`);
        return answers[q] ?? d ?? null;
      },
    });
    assert.equal(code, 0);
    assert.deepEqual(questions, [
      "Package name (ns:name): [local:asked]",
      "Version: [0.1.0]",
      "Kind (component or wit): [component]",
    ]);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/wreg.json`)).version, "1.0.0");
  });
});

Deno.test("an existing wreg.json is kept unless --force, and bad values are refused", async () => {
  await inFolder("p", async (dir, run) => {
    await Deno.writeTextFile(`${dir}/wreg.json`, "{}\n");
    const [code, , err] = await run(["--yes"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      "error: wreg.json already exists here; edit it, or pass --force to replace it\n",
    );
    assert.equal((await run(["--force", "--yes"]))[0], 0);
    const [bad, , badErr] = await run(["--force", "--name", "Not A Name"]);
    assert.equal(bad, 2);
    assert.match(badErr, /^error: Cannot write wreg\.json: name: /);
    const [kind] = await run(["--force", "--kind", "library"]);
    assert.equal(kind, 2);
  });
});

Deno.test("folder names become package labels", () => {
  assert.equal(kebabLabel("My_Project 2"), "my-project-2");
  assert.equal(kebabLabel("2fast"), "fast");
  assert.equal(kebabLabel("___"), "app");
});
