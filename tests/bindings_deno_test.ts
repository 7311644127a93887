/**
 * Generated bindings used the way users use them: written into a fresh Deno project, mapped to a
 * short specifier in its import map, type-checked with `deno check` (a correct call passes, a
 * wrong argument type is an error) and run with `deno run` — with no permission flags at all for
 * components that import no WASI.
 */
import assert from "node:assert/strict";
import {
  generateBindings,
  type GlueChoice,
  PREVIEW2_SHIM,
  WASI_HOST,
} from "../lib/bindings/mod.ts";
import { plug } from "../lib/compose/mod.ts";
import { callsComponent, example, tempProject, writeFiles } from "./bindings_fixtures.ts";

const SCRUBBER_MAIN = `import { instantiate, type Level } from "docs:scrubber";

const lines: string[] = [];
const { process, scrubPii } = instantiate({
  logger: { log: (level: Level, message: string) => void lines.push(\`[\${level}] \${message}\`) },
});
console.log(scrubPii("My SSN is 123-45-6789"));
console.log(process("mail a@b.com", { id: 42n, source: "inbox", priority: 1 }));
console.log(lines.join("\\n"));
`;

const SCRUBBER_BAD_ARGUMENT = `import { instantiate } from "docs:scrubber";
const { scrubPii } = instantiate({ logger: { log: () => {} } });
scrubPii(42);
`;

const SCRUBBER_BAD_IMPORT = `import { instantiate } from "docs:scrubber";
instantiate({ logger: { log: (level: number) => void level } });
`;

const SCRUBBER_BAD_RECORD = `import { instantiate } from "docs:scrubber";
const { process } = instantiate({ logger: { log: () => {} } });
process("doc", { id: 42, source: "inbox", priority: 1 });
`;

for (const glue of ["auto", "jco"] as GlueChoice[]) {
  Deno.test(`the C scrubber's bindings (${glue} glue) type-check and run in a new Deno project with no permissions`, async () => {
    const { bytes } = await example("scrubber-c");
    const b = await generateBindings(bytes, { name: "docs:scrubber", glue });
    assert.equal(b.glue, glue === "auto" ? "lean" : "jco");
    assert.equal(b.ready, false);
    assert.deepEqual(b.permissions, []);
    await using project = await tempProject({
      imports: { "docs:scrubber": "./generated/docs-scrubber/mod.ts" },
      files: {
        "main.ts": SCRUBBER_MAIN,
        "bad_argument.ts": SCRUBBER_BAD_ARGUMENT,
        "bad_import.ts": SCRUBBER_BAD_IMPORT,
        "bad_record.ts": SCRUBBER_BAD_RECORD,
      },
    });
    await writeFiles(`${project.dir}/generated/docs-scrubber`, b.files);

    const check = await project.deno(["check", "main.ts"]);
    assert.equal(check.code, 0, check.stderr);

    const bad = await project.deno(["check", "bad_argument.ts"]);
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /TS2345.*Argument of type 'number' is not assignable to parameter of type 'string'/,
    );
    const badImport = await project.deno(["check", "bad_import.ts"]);
    assert.notEqual(badImport.code, 0);
    assert.match(badImport.stderr, /Type 'Level' is not assignable to type 'number'|TS2322/);
    const badRecord = await project.deno(["check", "bad_record.ts"]);
    assert.notEqual(badRecord.code, 0);
    assert.match(badRecord.stderr, /Type 'number' is not assignable to type 'bigint'/);

    // No --allow-env (jco's per-call process.env read is patched out), no --allow-read (core
    // modules come in with `import source`), and --no-prompt so a missing permission fails.
    const run = await project.deno(["run", "--no-prompt", "main.ts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      "My SSN is [REDACTED]\nmail [REDACTED]\n" +
        '[info] processed document 42 from "inbox" (priority 1): 1 redaction\n',
    );
  });
}

Deno.test("a component with no imports is used with a one-line import of its functions", async () => {
  const { bytes } = await callsComponent();
  const b = await generateBindings(bytes, { name: "wreg-bench:calls" });
  assert.equal(b.glue, "lean");
  assert.equal(b.ready, true);
  await using project = await tempProject({
    imports: { "wreg-bench:calls": "./generated/calls/mod.ts" },
    files: {
      "main.ts": `import { add, echo, echoList } from "wreg-bench:calls";
import calls from "wreg-bench:calls";
console.log(add(2, 3), echo("héllo"), echoList(new Uint32Array([1, 2, 3])).join(","));
calls.noop();
`,
      "bad.ts": `import { add } from "wreg-bench:calls";\nadd("2", 3);\n`,
    },
  });
  await writeFiles(`${project.dir}/generated/calls`, b.files);
  assert.equal((await project.deno(["check", "main.ts"])).code, 0);
  const bad = await project.deno(["check", "bad.ts"]);
  assert.match(
    bad.stderr,
    /Argument of type 'string' is not assignable to parameter of type 'number'/,
  );
  const run = await project.deno(["run", "--no-prompt", "main.ts"]);
  assert.equal(run.stdout, "5 héllo 1,2,3\n", run.stderr);
});

const COMPOSED_MAIN = `import { process, scrubPii } from "docs:scrubber";
console.log(scrubPii("My SSN is 123-45-6789"));
console.log(process("call 555-123-4567", { id: 7n, source: "web", priority: 3 }));
`;

Deno.test("the scrubber composed with the JS logger runs through lean glue and wreg's WASI host, with no permissions", async () => {
  const [scrubber, logger] = await Promise.all([example("scrubber-c"), example("logger-js")]);
  const composed = await plug(
    { bytes: scrubber.bytes, label: "scrubber.wasm" },
    [{ bytes: logger.bytes, label: "logger.wasm" }],
  );
  const b = await generateBindings(composed.bytes, { name: "docs:scrubber" });
  assert.equal(b.glue, "lean", b.reason);
  assert.equal(b.ready, true, "the logger fills the scrubber's only non-WASI import");
  assert.deepEqual(b.imports, []);
  assert.ok(b.wasi.some((n) => n.startsWith("wasi:cli/stderr")));
  assert.equal(b.wasiHost, WASI_HOST);
  assert.deepEqual(b.npm, {}, "no preview2-shim");
  assert.deepEqual(b.permissions, [], "wreg's WASI host reads nothing it was not given");
  await using project = await tempProject({
    imports: { "docs:scrubber": "./generated/docs-scrubber/mod.ts" },
    files: { "main.ts": COMPOSED_MAIN },
  });
  await writeFiles(`${project.dir}/generated/docs-scrubber`, b.files);
  assert.equal((await project.deno(["check", "main.ts"])).code, 0);
  const run = await project.deno(["run", "--no-prompt", "main.ts"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "My SSN is [REDACTED]\ncall [REDACTED]\n");
  assert.equal(run.stderr, '[info] processed document 7 from "web" (priority 3): 1 redaction\n');
});

Deno.test("the scrubber composed with the JS logger still runs through jco and preview2-shim", async () => {
  const [scrubber, logger] = await Promise.all([example("scrubber-c"), example("logger-js")]);
  const composed = await plug(
    { bytes: scrubber.bytes, label: "scrubber.wasm" },
    [{ bytes: logger.bytes, label: "logger.wasm" }],
  );
  const b = await generateBindings(composed.bytes, { name: "docs:scrubber", glue: "jco" });
  assert.equal(b.glue, "jco");
  assert.deepEqual(Object.keys(b.npm), [PREVIEW2_SHIM]);
  assert.deepEqual(b.permissions, ["--allow-env", "--allow-read"]);
  await using project = await tempProject({
    imports: { "docs:scrubber": "./generated/docs-scrubber/mod.ts" },
    npm: b.npm,
    files: { "main.ts": COMPOSED_MAIN },
  });
  await writeFiles(`${project.dir}/generated/docs-scrubber`, b.files);
  assert.equal((await project.deno(["check", "main.ts"])).code, 0);
  const run = await project.deno(["run", "--no-prompt", ...b.permissions, "main.ts"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "My SSN is [REDACTED]\ncall [REDACTED]\n");
  assert.equal(run.stderr, '[info] processed document 7 from "web" (priority 3): 1 redaction\n');
  // preview2-shim reads the environment when it loads: without the permissions it fails, which
  // is why `permissions` lists them (if a shim release stops needing them, this notices).
  const denied = await project.deno(["run", "--no-prompt", "main.ts"]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /NotCapable|--allow-env|--allow-read/);
});
