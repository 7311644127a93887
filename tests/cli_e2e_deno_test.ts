/**
 * Issue 8 end to end: a real registry process with the example packages published
 * (`docs:processor`, the C scrubber as `docs:scrubber`, the JS logger as `docs:logger`), then
 * `wreg add docs:scrubber` in a fresh Deno project, run as a real `deno run … cli/main.ts`
 * process from the project's folder. The logger fills the scrubber's `docs:processor/logger`
 * import (found in the registry's world index, or chosen by a `fills` entry), the two are
 * composed, and the bindings are mapped in deno.json, so that `deno check` accepts a correct
 * call and refuses a wrong argument type, and `deno run` prints the scrubbed text.
 */
import assert from "node:assert/strict";
import { parseJsonc } from "../cli/mod.ts";
import { Sandbox, withExamplesRegistry, writeTree } from "./cli_support.ts";

const MAIN = `import { scrubPii } from "docs:scrubber";

console.log(scrubPii("My SSN is 123-45-6789"));
`;

const WRONG = `import { scrubPii } from "docs:scrubber";

console.log(scrubPii(42));
`;

/** A deno.json the way people write them: a comment, other keys, an import of their own. */
const DENO_JSON = `{
  // The user's own settings, which wreg must keep.
  "tasks": { "start": "deno run --allow-env --allow-read main.ts" },
  "imports": {
    "utils/": "./utils/"
  },
  "fmt": { "lineWidth": 80 }
}
`;

async function checkAndRun(box: Sandbox, dir: string): Promise<void> {
  const check = await box.deno(dir, ["check", "main.ts"]);
  assert.equal(check.code, 0, `deno check main.ts:\n${check.stderr}`);
  const wrong = await box.deno(dir, ["check", "wrong.ts"]);
  assert.notEqual(wrong.code, 0, "a wrong argument type fails the type check");
  assert.match(
    wrong.stderr,
    /TS2345 \[ERROR\]: Argument of type 'number' is not assignable to parameter of type 'string'/,
  );
  // Lean glue with wreg's WASI host: no permission at all (it reads nothing it was not given).
  const run = await box.deno(dir, ["run", "--no-prompt", "main.ts"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "My SSN is [REDACTED]\n");
}

Deno.test("wreg add docs:scrubber in a Deno project: a typed import that runs the composed component", async () => {
  await withExamplesRegistry(async (box) => {
    const app = await box.folder("app");
    await writeTree(app, { "deno.json": DENO_JSON, "main.ts": MAIN, "wrong.ts": WRONG });
    const added = await box.wregProcess(app, ["add", "docs:scrubber"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /fills docs:processor\/logger@0\.1\.0 of docs:scrubber with docs:logger@0\.1\.0 \(the registry's only implementation/,
    );
    assert.match(
      added.stdout,
      /bindings docs:scrubber -> \.\/wreg_modules\/docs\/scrubber\/mod\.ts \(lean glue, composed with docs:logger@0\.1\.0\)/,
    );
    assert.match(added.stdout, /import \{ process, scrubPii \} from "docs:scrubber";/);

    // The user's deno.json keeps its comment, keys and formatting; one entry is added.
    const text = await Deno.readTextFile(`${app}/deno.json`);
    assert.ok(text.startsWith(DENO_JSON.slice(0, DENO_JSON.indexOf('    "utils/"'))), text);
    assert.match(
      text,
      /"utils\/": "\.\/utils\/",\n {4}"docs:scrubber": "\.\/wreg_modules\/docs\/scrubber\/mod\.ts"\n {2}\},/,
    );
    const config = parseJsonc(text) as Record<string, Record<string, unknown>>;
    assert.deepEqual(config.fmt, { lineWidth: 80 });
    assert.deepEqual(Object.keys(config), ["tasks", "imports", "fmt", "scopes"]);
    // The composition imports WASI (the logger writes to stderr): wreg's WASI host is vendored and
    // mapped for the generated glue only; preview2-shim is not needed.
    const scope = (config.scopes as Record<string, Record<string, string>>)["./wreg_modules/"];
    assert.deepEqual(Object.keys(scope), ["@wreg/wasi/"]);
    assert.match(scope["@wreg/wasi/"], /^\.\/wreg_modules\/\.wasi\/wasi-[0-9a-f]{16}\/$/);
    assert.ok((await Deno.stat(`${app}/${scope["@wreg/wasi/"]}mod.ts`)).isFile);

    await checkAndRun(box, app);

    // Another machine: the same project from its wreg.json and wreg.lock, with `install`.
    const copy = await box.folder("app-copy");
    await writeTree(copy, {
      "wreg.json": await Deno.readTextFile(`${app}/wreg.json`),
      "wreg.lock": await Deno.readTextFile(`${app}/wreg.lock`),
      "main.ts": MAIN,
      "wrong.ts": WRONG,
    });
    const installed = await box.wregProcess(copy, ["install"]);
    assert.equal(installed.code, 0, installed.stderr);
    await checkAndRun(box, copy);
  });
});

Deno.test("a fills entry in wreg.json chooses the logger when the user names it", async () => {
  await withExamplesRegistry(async (box) => {
    const app = await box.folder("app");
    await writeTree(app, {
      "wreg.json": JSON.stringify({
        fills: { "docs:processor/logger": { package: "docs:logger", range: "^0.1.0" } },
      }),
      "main.ts": MAIN,
      "wrong.ts": WRONG,
    });
    const added = await box.wreg(app, ["add", "docs:scrubber"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /fills docs:processor\/logger@0\.1\.0 of docs:scrubber with docs:logger@0\.1\.0 \(chosen in wreg\.json "fills"\)/,
    );
    // No deno.json before: wreg made one with the import map.
    assert.deepEqual(
      (parseJsonc(await Deno.readTextFile(`${app}/deno.json`)) as { imports: unknown }).imports,
      { "docs:scrubber": "./wreg_modules/docs/scrubber/mod.ts" },
    );
    await checkAndRun(box, app);
  });
});
