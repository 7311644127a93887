/**
 * `wreg bindings` in-process: what it writes, the cache under `$WREG_CACHE_DIR/bindings`, the
 * atomic replacement of the output folder, and its errors.
 */
import assert from "node:assert/strict";
import { type Io, runWreg } from "../cli/mod.ts";
import { MANIFEST } from "../lib/bindings/mod.ts";
import { callsComponent, example } from "./bindings_fixtures.ts";
import { CORPUS } from "./component_support.ts";

/** A tiny component model async component of the corpus (jco's backpressure fixture). */
const ASYNC_COMPONENT =
  "jco/packages/jco-transpile/test/fixtures/components/p3/backpressure-sync/component.wasm";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function wreg(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  const out: string[] = [], err: string[] = [];
  const io: Io = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    cwd,
    env,
    isTerminal: false,
  };
  const code = await runWreg(args, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function listTree(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listTree(dir, p));
    else out.push(p);
  }
  return out.sort();
}

async function withDirs(f: (work: string, cache: string) => Promise<void>) {
  const work = await Deno.makeTempDir({ prefix: "wreg-bindings-cli-" });
  try {
    await Deno.mkdir(`${work}/cache`);
    await f(work, `${work}/cache`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test("wreg bindings writes the bindings and says how to import them", async () => {
  await withDirs(async (work, cache) => {
    await Deno.writeFile(`${work}/scrubber.wasm`, (await example("scrubber-c")).bytes);
    const r = await wreg(
      ["bindings", "scrubber.wasm", "-o", "generated/scrubber", "--name", "docs:scrubber"],
      work,
      { WREG_CACHE_DIR: cache },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Generated bindings for scrubber\.wasm in \.\/generated\/scrubber\n/);
    assert.match(r.stdout, /glue: {5}lean\n/);
    assert.match(r.stdout, /imports: {2}logger \(docs:processor\/logger@0\.1\.0\)/);
    assert.match(r.stdout, /"imports": \{ "docs:scrubber": "\.\/generated\/scrubber\/mod\.ts" \}/);
    assert.match(r.stdout, /const \{ process \} = instantiate\(\{ logger: \{ … \} \}\);/);
    const files = await listTree(`${work}/generated/scrubber`);
    assert.ok(files.includes("mod.ts") && files.includes("_glue.js") && files.includes(MANIFEST));
    const manifest = JSON.parse(await Deno.readTextFile(`${work}/generated/scrubber/${MANIFEST}`));
    assert.equal(manifest.name, "docs:scrubber");
    assert.equal(manifest.glue, "lean");
    assert.match(manifest.digest, /^sha256:[0-9a-f]{64}$/);
    // Nothing is left beside the output folder.
    assert.deepEqual(await listTree(`${work}/generated`), files.map((f) => `scrubber/${f}`));
  });
});

Deno.test("wreg bindings caches by digest and options, and serves the same files again", async () => {
  await withDirs(async (work, cache) => {
    await Deno.writeFile(`${work}/calls.wasm`, (await callsComponent()).bytes);
    const env = { WREG_CACHE_DIR: cache };
    const first = await wreg(["bindings", "calls.wasm", "-o", "a", "--json"], work, env);
    assert.equal(first.code, 0, first.stderr);
    const j1 = JSON.parse(first.stdout);
    assert.equal(j1.cached, false);
    assert.deepEqual(
      await listTree(`${cache}/bindings`),
      (await listTree(`${work}/a`)).map((f) => `${j1.cacheKey}/${f}`),
    );
    const second = await wreg(["bindings", "calls.wasm", "-o", "b", "--json"], work, env);
    const j2 = JSON.parse(second.stdout);
    assert.equal(j2.cached, true);
    assert.equal(j2.cacheKey, j1.cacheKey);
    for (const f of await listTree(`${work}/a`)) {
      assert.deepEqual(
        await Deno.readFile(`${work}/b/${f}`),
        await Deno.readFile(`${work}/a/${f}`),
        f,
      );
    }
    // Other options are another key; --no-cache neither reads nor writes.
    const jco = JSON.parse(
      (await wreg(["bindings", "calls.wasm", "-o", "c", "--glue", "jco", "--json"], work, env))
        .stdout,
    );
    assert.notEqual(jco.cacheKey, j1.cacheKey);
    assert.equal(jco.glue, "jco");
    const before = await listTree(`${cache}/bindings`);
    const nc = JSON.parse(
      (await wreg(
        ["bindings", "calls.wasm", "-o", "d", "--name", "x", "--no-cache", "--json"],
        work,
        env,
      ))
        .stdout,
    );
    assert.equal(nc.cached, false);
    assert.deepEqual(await listTree(`${cache}/bindings`), before);
  });
});

Deno.test("wreg bindings replaces its own earlier output but not a folder of other files", async () => {
  await withDirs(async (work, cache) => {
    await Deno.writeFile(`${work}/calls.wasm`, (await callsComponent()).bytes);
    const env = { WREG_CACHE_DIR: cache };
    assert.equal((await wreg(["bindings", "calls.wasm", "-o", "out"], work, env)).code, 0);
    await Deno.writeTextFile(`${work}/out/stale.txt`, "left from before");
    assert.equal((await wreg(["bindings", "calls.wasm", "-o", "out"], work, env)).code, 0);
    assert.ok(!(await listTree(`${work}/out`)).includes("stale.txt"), "replaced as a whole");

    await Deno.mkdir(`${work}/src`);
    await Deno.writeTextFile(`${work}/src/main.ts`, "precious");
    const r = await wreg(["bindings", "calls.wasm", "-o", "src"], work, env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: src already holds files that wreg did not generate/);
    assert.equal(await Deno.readTextFile(`${work}/src/main.ts`), "precious");
  });
});

Deno.test("wreg bindings reports what it cannot do as one line with exit status 2", async () => {
  await withDirs(async (work, cache) => {
    const env = { WREG_CACHE_DIR: cache };
    await Deno.writeFile(`${work}/logger.wasm`, (await example("logger-js")).bytes);
    // A component model async component: lean glue does not cover it.
    await Deno.copyFile(`${CORPUS}${ASYNC_COMPONENT}`, `${work}/async.wasm`);
    await Deno.writeFile(`${work}/module.wasm`, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const cases: [string[], RegExp][] = [
      [["bindings"], /Missing <file\.wasm>/],
      [["bindings", "logger.wasm"], /Missing -o <dir>/],
      [
        ["bindings", "logger.wasm", "-o", "x", "--glue", "fast"],
        /--glue must be auto, lean or jco/,
      ],
      [
        ["bindings", "async.wasm", "-o", "x", "--glue", "lean"],
        /Cannot generate bindings: lean glue does not cover it: it uses component model async \(the canonical built-in backpressure\.inc\)/,
      ],
      [["bindings", "module.wasm", "-o", "x"], /Cannot generate bindings: it is a core module/],
      [["bindings", "missing.wasm", "-o", "x"], /Cannot read input/],
    ];
    for (const [args, message] of cases) {
      const r = await wreg(args, work, env);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split("\n").filter((l) => l).length, 1, r.stderr);
    }
    assert.deepEqual(
      await listTree(work),
      ["async.wasm", "logger.wasm", "module.wasm"],
      "nothing written",
    );
  });
});

Deno.test("wreg bindings prints why a component stays on jco's glue", async () => {
  await withDirs(async (work, cache) => {
    await Deno.copyFile(`${CORPUS}${ASYNC_COMPONENT}`, `${work}/async.wasm`);
    const r = await wreg(["bindings", "async.wasm", "-o", "gen/async"], work, {
      WREG_CACHE_DIR: cache,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /\n {2}glue: {5}jco \(it uses component model async \(the canonical built-in backpressure\.inc\)\)\n/,
    );
    const manifest = JSON.parse(await Deno.readTextFile(`${work}/gen/async/${MANIFEST}`));
    assert.equal(manifest.glue, "jco");
    assert.match(manifest.reason, /component model async/);
  });
});
