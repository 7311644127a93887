/**
 * The example components, built from source and checked by independent runtimes: wasmtime
 * (through its Python package) validates and runs them, native wasm-tools validates them, and
 * jco transpiles the scrubber so Deno runs it too.
 */
import assert from "node:assert/strict";
import { transpileBytes } from "@bytecodealliance/jco-transpile";
import { buildExamples, type BuiltExample, EXAMPLE_NAMES } from "./build.ts";
import { runComponent, validateComponent, WasmtimeRunError } from "../tests/support/wasmtime.ts";
import { runWasmTools, wasmToolsValidate } from "../tests/support/wasm_tools.ts";

const LOGGER = "docs:processor/logger@0.1.0";

let builds: Promise<Map<string, BuiltExample>> | undefined;

/** Builds every example once per test run, into a temporary folder. */
function built(): Promise<Map<string, BuiltExample>> {
  builds ??= (async () => {
    const outDir = await Deno.makeTempDir({ prefix: "wreg-examples-test-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(outDir, { recursive: true }));
    const list = await buildExamples({ outDir });
    return new Map(list.map((e) => [e.name, e]));
  })();
  return builds;
}

async function example(name: string): Promise<BuiltExample> {
  const e = (await built()).get(name);
  assert.ok(e, `example ${name} was not built`);
  return e;
}

Deno.test("every example builds from source into a component file", async () => {
  const all = await built();
  assert.deepEqual([...all.keys()], [...EXAMPLE_NAMES]);
  for (const e of all.values()) {
    assert.deepEqual(await Deno.readFile(e.path), e.bytes, `${e.name} written as returned`);
    // A component's header: magic, version 0x0d, layer 1.
    assert.deepEqual([...e.bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
    assert.match(e.digest, /^sha256:[0-9a-f]{64}$/);
  }
});

Deno.test("the C scrubber builds byte for byte the same twice", async () => {
  const first = await example("scrubber-c");
  const outDir = await Deno.makeTempDir({ prefix: "wreg-examples-again-" });
  try {
    const [again] = await buildExamples({ outDir, only: ["scrubber-c"] });
    assert.equal(again.digest, first.digest);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("every example is valid for wasmtime and for native wasm-tools", async () => {
  for (const e of (await built()).values()) {
    const wasmtime = await validateComponent(e.bytes);
    assert.ok(wasmtime.valid, `${e.name}: ${!wasmtime.valid && wasmtime.message}`);
    assert.equal(await wasmToolsValidate(e.bytes), undefined, `${e.name} for wasm-tools`);
  }
});

Deno.test("the validators reject a damaged component", async () => {
  const { bytes } = await example("scrubber-c");
  const truncated = bytes.subarray(0, bytes.length - 7);
  const wasmtime = await validateComponent(truncated);
  assert.equal(wasmtime.valid, false);
  assert.notEqual(await wasmToolsValidate(truncated), undefined);
});

Deno.test("the C scrubber targets docs:processor/processor and imports nothing from WASI", async () => {
  const { bytes } = await example("scrubber-c");
  const v = await validateComponent(bytes);
  assert.ok(v.valid);
  assert.deepEqual(Object.keys(v.imports).sort(), [LOGGER, "docs:processor/types@0.1.0"]);
  assert.deepEqual(v.exports, {
    "process":
      "func(doc: string, meta: record { id: u64, source: string, priority: u32 }) -> string",
    "scrub-pii": "func(text: string) -> string",
  });
});

Deno.test("the Python scrubber exports the same functions as the C one", async () => {
  const c = await validateComponent((await example("scrubber-c")).bytes);
  const py = await validateComponent((await example("scrubber-py")).bytes);
  assert.ok(c.valid && py.valid);
  // componentize-py also leaves its Wizer initialiser exported (an instance named `exports`).
  assert.deepEqual(Object.keys(py.exports).sort(), ["exports", "process", "scrub-pii"]);
  assert.equal(py.exports.process, c.exports.process);
  assert.equal(py.exports["scrub-pii"], c.exports["scrub-pii"]);
  assert.deepEqual(py.imports[LOGGER], c.imports[LOGGER]);
});

Deno.test("each example carries wasm-metadata: description, version, licenses", async () => {
  for (const e of (await built()).values()) {
    const shown = await runWasmTools(["metadata", "show", "--json", "-"], e.bytes);
    assert.ok(shown.success, shown.stderr);
    const meta = JSON.parse(shown.stdout).component.metadata;
    assert.equal(meta.version, "0.1.0", e.name);
    assert.equal(meta.licenses, "Apache-2.0", e.name);
    assert.match(meta.description, /docs:processor\/logger/, e.name);
  }
});

/** Input and what `scrub-pii` must return for it. */
const SCRUB_CASES: [string, string][] = [
  ["My SSN is 123-45-6789", "My SSN is [REDACTED]"],
  ["Write to jane.doe+news@mail.example.com.", "Write to [REDACTED]."],
  ["a_b%c@sub-domain.example.org and x@y.io", "[REDACTED] and [REDACTED]"],
  ["Call 555-123-4567 now", "Call [REDACTED] now"],
  ["Call (555) 123-4567 now", "Call [REDACTED] now"],
  ["Call (555)123-4567 now", "Call [REDACTED] now"],
  ["Call +1 555 123 4567 now", "Call [REDACTED] now"],
  ["Call +1 (555) 123-4567 now", "Call [REDACTED] now"],
  ["Call 1-555-123-4567 or 555.123.4567", "Call [REDACTED] or [REDACTED]"],
  [
    "SSN 078-05-1120, email bob@example.com, phone (212) 555-0199.",
    "SSN [REDACTED], email [REDACTED], phone [REDACTED].",
  ],
  // Left alone: no PII, or digits that only look like it.
  ["Nothing to see here.", "Nothing to see here."],
  ["", ""],
  [
    "Order 12345, invoice 2024-01-15, version 1.2.3",
    "Order 12345, invoice 2024-01-15, version 1.2.3",
  ],
  ["id X123-45-6789 and 123-45-67890", "id X123-45-6789 and 123-45-67890"],
  ["user@localhost and @handle and a@b.c", "user@localhost and @handle and a@b.c"],
  ["555-123-45678 is too long", "555-123-45678 is too long"],
  // Non-ASCII text around a match survives intact.
  ["Grüße — SSN 123-45-6789 ✓ 😀", "Grüße — SSN [REDACTED] ✓ 😀"],
];

/** The scrubbers, one per language; every behavioural test below runs against each. */
const SCRUBBERS = ["scrubber-c", "scrubber-py"];

for (const name of SCRUBBERS) {
  Deno.test(`${name}: scrub-pii in wasmtime redacts SSNs, emails and phone numbers`, async () => {
    const { bytes } = await example(name);
    const run = await runComponent(
      bytes,
      SCRUB_CASES.map(([input]) => ({ export: "scrub-pii", args: [input] })),
    );
    SCRUB_CASES.forEach(([input, expected], i) => {
      assert.equal(run.results[i], expected, `scrub-pii(${JSON.stringify(input)})`);
    });
    assert.deepEqual(run.hostCalls, [], "scrub-pii does not log");
    assert.equal(run.stdout + run.stderr, "");
  });
}

Deno.test("scrubber-c: a long document is scrubbed whole (the arena grows memory)", async () => {
  const { bytes } = await example("scrubber-c");
  const chunk = "Reach me at a@b.co or 555-123-4567; ";
  const doc = chunk.repeat(20_000); // 720 KB in, ~1.0 MB out: more than the initial memory
  const run = await runComponent(bytes, [
    { export: "scrub-pii", args: [doc] },
    { export: "scrub-pii", args: [doc] },
  ]);
  const expected = "Reach me at [REDACTED] or [REDACTED]; ".repeat(20_000);
  assert.equal(run.results[0], expected);
  assert.equal(run.results[1], expected, "a second call in the same instance");
});

for (const name of SCRUBBERS) {
  Deno.test(`${name}: process returns the scrubbed text and logs one info line`, async () => {
    const { bytes } = await example(name);
    const run = await runComponent(bytes, [{
      export: "process",
      args: [
        "Patient 123-45-6789 called from (555) 123-4567.",
        { id: 18446744073709551615n, source: "intake form", priority: 2 },
      ],
    }], { host: { [LOGGER]: { log: {} } }, unknownImports: "error" });
    assert.deepEqual(run.results, ["Patient [REDACTED] called from [REDACTED]."]);
    assert.equal(run.hostCalls.length, 1, "exactly one log line");
    const [call] = run.hostCalls;
    assert.equal(call.import, `${LOGGER}#log`);
    assert.equal(call.args[0], "info");
    assert.equal(
      call.args[1],
      'processed document 18446744073709551615 from "intake form" (priority 2): 2 redactions',
    );
  });

  Deno.test(`${name}: process scrubs the source it logs`, async () => {
    const { bytes } = await example(name);
    const run = await runComponent(bytes, [{
      export: "process",
      args: ["no PII", { id: 7, source: "mail from eve@example.net", priority: 0 }],
    }], { host: { [LOGGER]: { log: {} } } });
    assert.deepEqual(run.results, ["no PII"]);
    assert.deepEqual(run.hostCalls.map((c) => c.args), [[
      "info",
      'processed document 7 from "mail from [REDACTED]" (priority 0): 0 redactions',
    ]]);
  });

  Deno.test(`${name}: process really calls the imported logger`, async () => {
    const { bytes } = await example(name);
    // With no logger defined, the import traps when process calls it.
    const failed = await runComponent(bytes, [{
      export: "process",
      args: ["x", { id: 1, source: "s", priority: 0 }],
    }]).then(() => undefined, (e) => e);
    assert.ok(failed instanceof WasmtimeRunError, String(failed));
    assert.equal(failed.stage, "call");
    assert.deepEqual((failed.response.hostCalls as unknown[]).length, 1);
  });
}

Deno.test("logger-js: log writes `[level] message` lines to stderr in wasmtime", async () => {
  const { bytes } = await example("logger-js");
  const run = await runComponent(bytes, [
    { export: "docs:processor/logger#log", args: ["info", "hello from the host"] },
    { export: `${LOGGER}#log`, args: ["error", "Grüße ✓ 😀"] },
    { export: `${LOGGER}#log`, args: ["debug", "x".repeat(10_000)] },
  ]);
  assert.deepEqual(run.results, [null, null, null]);
  assert.equal(
    run.stderr,
    `[info] hello from the host\n[error] Grüße ✓ 😀\n[debug] ${"x".repeat(10_000)}\n`,
  );
  assert.equal(run.stdout, "");
});

Deno.test("logger-js exports the logger interface the scrubber imports", async () => {
  const scrubber = await validateComponent((await example("scrubber-c")).bytes);
  const logger = await validateComponent((await example("logger-js")).bytes);
  assert.ok(scrubber.valid && logger.valid);
  assert.deepEqual(logger.exports[LOGGER], scrubber.imports[LOGGER]);
  for (const name of Object.keys(logger.imports)) {
    assert.match(name, /^wasi:/, "the logger imports nothing but WASI");
  }
});

for (const name of SCRUBBERS) {
  Deno.test(`seed scenario in wasmtime: ${name} logs through logger-js`, async () => {
    const scrubber = await example(name);
    const logger = await example("logger-js");
    const run = await runComponent(scrubber.bytes, [{
      export: "process",
      args: ["SSN 123-45-6789, mail a@b.com", { id: 99, source: "upload", priority: 5 }],
    }], { host: { [LOGGER]: { log: { forward: logger.path } } }, unknownImports: "error" });
    assert.deepEqual(run.results, ["SSN [REDACTED], mail [REDACTED]"]);
    assert.equal(
      run.stderr,
      '[info] processed document 99 from "upload" (priority 5): 2 redactions\n',
    );
  });
}

Deno.test("scrubber-c runs in Deno through jco transpile", async () => {
  const { bytes } = await example("scrubber-c");
  const { files } = await transpileBytes(bytes, { name: "scrubber", instantiation: "async" });
  const dir = await Deno.makeTempDir({ prefix: "wreg-scrubber-jco-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeFile(path, content);
    }
    const mod = await import(`file://${dir}/scrubber.js`);
    const lines: [string, string][] = [];
    const scrubber = await mod.instantiate(
      async (core: string) => WebAssembly.compile(await Deno.readFile(`${dir}/${core}`)),
      // jco-transpile 0.15 reads the import without its version ("docs:processor/logger"),
      // although the ImportObject type it writes in the .d.ts names it with the version.
      {
        "docs:processor/logger": {
          log: (level: string, message: string) => lines.push([level, message]),
        },
      },
    );
    assert.equal(scrubber.scrubPii("My SSN is 123-45-6789"), "My SSN is [REDACTED]");
    assert.equal(scrubber.scrubPii("Call +1 555 123 4567"), "Call [REDACTED]");
    assert.equal(
      scrubber.process("mail a@b.com", { id: 42n, source: "inbox", priority: 1 }),
      "mail [REDACTED]",
    );
    assert.deepEqual(lines, [[
      "info",
      'processed document 42 from "inbox" (priority 1): 1 redaction',
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
