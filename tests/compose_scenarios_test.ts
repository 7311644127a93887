/**
 * Composition scenarios with real components, each output validated by `wasm-tools validate` and
 * wasmtime and run by wasmtime (Python package), the main ones also transpiled by jco and run in
 * Deno:
 *
 * - the product's headline: the C PII scrubber plugged with the JS logger;
 * - wac's example: greeter ← hello (wac's script.wac: the result's `greet` says "Hello, World!");
 * - component-docs' adder plugged into its calculator (taken out of calculator.composed.wasm);
 * - wasmCloud's cron service ← cron component (the service loop calls the component);
 * - Spin's deny adapter on a command importing WASI 0.2.3 (only version-aware matching connects
 *   the adapter's 0.2.6 exports);
 * - jco's `simple-nested` plugged into itself (one definition, two instances).
 */
import assert from "node:assert/strict";
import { decodeComponent } from "../lib/component/mod.ts";
import { decodeComposedFrom, plug } from "../lib/compose/mod.ts";
import { digestOf } from "../lib/names/mod.ts";
import { callComponent, runComponent } from "./support/wasmtime.ts";
import { exampleWasm } from "./support/examples.ts";
import { corpus, runInDeno, validateEverywhere, witOf } from "./compose_support.ts";

const UPDATE = Deno.env.get("WREG_UPDATE_GOLDEN") === "1";
const GOLDEN = new URL("./golden/compose/", import.meta.url).pathname;

/** The WIT of a composed component (native wasm-tools) against tests/golden/compose/<name>.wit. */
async function assertGoldenWit(name: string, bytes: Uint8Array): Promise<void> {
  const wit = await witOf(bytes);
  const path = `${GOLDEN}${name}.wit`;
  if (UPDATE) {
    await Deno.mkdir(GOLDEN, { recursive: true });
    await Deno.writeTextFile(path, wit);
    return;
  }
  const expected = await Deno.readTextFile(path);
  assert.equal(wit, expected, `golden ${name}.wit differs; refresh with WREG_UPDATE_GOLDEN=1`);
}

function nestedComponents(bytes: Uint8Array): number {
  const d = decodeComponent(bytes);
  return d.checked!.ast.kind === "component" ? d.checked!.ast.components.length : 0;
}

const LOGGER = "docs:processor/logger@0.1.0";

Deno.test({
  name: "the C scrubber plugged with the JS logger logs through it in wasmtime and in Deno",
  async fn() {
    const [scrubber, logger] = await Promise.all([
      exampleWasm("scrubber-c"),
      exampleWasm("logger-js"),
    ]);
    const r = await plug({ bytes: scrubber, label: "scrubber-c.wasm" }, [
      { bytes: logger, label: "logger-js.wasm", package: "docs:logger-js", version: "0.1.0" },
    ]);
    assert.deepEqual(r.fills, [{
      consumer: "scrubber-c.wasm",
      import: LOGGER,
      plug: "logger-js.wasm",
      export: LOGGER,
    }]);
    assert.ok(!r.imports.includes(LOGGER), "the logger import is filled, not imported");
    await validateEverywhere(r.bytes);
    // No host logger is defined: the only logger is the composed one, writing to stderr.
    const run = await runComponent(r.bytes, [{
      export: "process",
      args: ["SSN 123-45-6789, mail a@b.com", { id: 99, source: "upload", priority: 5 }],
    }, { export: "scrub-pii", args: ["Call 555-123-4567"] }], { unknownImports: "error" });
    assert.deepEqual(run.results, ["SSN [REDACTED], mail [REDACTED]", "Call [REDACTED]"]);
    assert.deepEqual(run.hostCalls, []);
    assert.equal(
      run.stderr,
      '[info] processed document 99 from "upload" (priority 5): 2 redactions\n',
    );
    const deno = await runInDeno(r.bytes, [
      {
        path: ["process"],
        args: ["mail a@b.com", { id: { $bigint: "42" }, source: "inbox", priority: 1 }],
      },
    ]);
    assert.deepEqual(deno.results, ["mail [REDACTED]"]);
    assert.match(
      deno.stderr,
      /\[info\] processed document 42 from "inbox" \(priority 1\): 1 redaction/,
    );
    const record = decodeComposedFrom(r.bytes)!;
    assert.deepEqual(record.components.map((c) => c.digest), [
      await digestOf(scrubber),
      await digestOf(logger),
    ]);
    assert.deepEqual(record.components[1], {
      package: "docs:logger-js",
      version: "0.1.0",
      digest: await digestOf(logger),
    });
    assert.deepEqual(record.fills, [{ into: 0, import: LOGGER, by: 1, export: LOGGER }]);
    await assertGoldenWit("scrubber-c-logger-js", r.bytes);
  },
});

Deno.test({
  name: "wac's example: greeter plugged with hello greets with hello's text, in wasmtime and Deno",
  async fn() {
    const r = await plug(
      { bytes: await corpus("wac/examples/deps/example/greeter.wasm"), label: "greeter" },
      [{ bytes: await corpus("wac/examples/deps/example/hello.wasm"), label: "hello" }],
    );
    assert.deepEqual(r.imports, []);
    assert.deepEqual(r.exports, ["greet"]);
    await validateEverywhere(r.bytes);
    // script.wac exports greeter.greet; its `hello` import is hello's export.
    assert.equal((await callComponent(r.bytes, "greet")).result, "Hello, World!");
    assert.deepEqual((await runInDeno(r.bytes, [{ path: ["greet"] }])).results, ["Hello, World!"]);
    await assertGoldenWit("wac-greeter-hello", r.bytes);
  },
});

Deno.test({
  name: "component-docs' adder plugged into its calculator evaluates `add` in wasmtime and Deno",
  async fn() {
    // The calculator alone is the second component nested in calculator.composed.wasm.
    const composed = await corpus(
      "component-docs/component-model/examples/tutorial/jco/calculator.composed.wasm",
    );
    const ast = decodeComponent(composed).checked!.ast;
    const range = ast.components[1].range;
    const calculator = composed.slice(range.start, range.end);
    const adder = await corpus("component-docs/component-model/examples/example-host/add.wasm");
    const r = await plug({ bytes: calculator, label: "calculator" }, [{
      bytes: adder,
      label: "adder",
    }]);
    assert.deepEqual(r.fills.map((f) => `${f.import} <- ${f.plug}`), [
      "docs:adder/add@0.1.0 <- adder",
    ]);
    assert.deepEqual(r.imports, []);
    await validateEverywhere(r.bytes);
    const run = await runComponent(r.bytes, [
      { export: "docs:calculator/calculate#eval-expression", args: ["add", 40, 2] },
    ]);
    assert.deepEqual(run.results, [42]);
    const deno = await runInDeno(r.bytes, [{
      path: ["calculate", "evalExpression"],
      args: ["add", 7, 8],
    }]);
    assert.deepEqual(deno.results, [15]);
  },
});

Deno.test({
  name: "wasmCloud's cron service plugged with the cron component calls it every second",
  async fn() {
    const dir = "wasmCloud/crates/wash-runtime/tests/fixtures";
    const r = await plug(
      { bytes: await corpus(`${dir}/cron-service.wasm`), label: "cron-service" },
      [{ bytes: await corpus(`${dir}/cron_component.wasm`), label: "cron_component" }],
    );
    assert.deepEqual(r.fills.map((f) => f.import), ["wasmcloud:example/cron@0.0.1"]);
    assert.ok(r.imports.every((i) => i.startsWith("wasi:")), r.imports.join());
    await validateEverywhere(r.bytes);
    // The service loops forever: stop it once the component it calls has printed twice (the
    // time limit only ends a run that would otherwise never stop).
    const hello = "Hello from the cron-component!";
    const run = await runComponent(r.bytes, [{ export: "wasi:cli/run#run" }], {
      stopOn: { stream: "stderr", text: hello, count: 2 },
      stopAfterSeconds: 60,
    });
    assert.equal(run.stopped, "output", `the component was not called twice: ${run.stderr}`);
    assert.match(run.stderr, /^Starting cron-service with 1 second intervals\.\.\.\n/);
    assert.ok(run.stderr.split(hello).length - 1 >= 2, run.stderr);
    await assertGoldenWit("wasmcloud-cron", r.bytes);
  },
});

Deno.test({
  name: "Spin's deny adapter fills a WASI 0.2.3 command's imports with its 0.2.6 exports",
  async fn() {
    const command = await corpus("spin/crates/build/tests/test-components/test-command.wasm");
    const adapter = await corpus("spin/crates/capabilities/deny_adapter.wasm");
    const r = await plug({ bytes: command, label: "test-command" }, [{
      bytes: adapter,
      label: "deny_adapter",
    }]);
    // Only version-aware matching connects them: the names differ in the patch version.
    assert.deepEqual(r.fills.map((f) => `${f.import} <- ${f.export}`), [
      "wasi:cli/environment@0.2.3 <- wasi:cli/environment@0.2.6",
      "wasi:filesystem/preopens@0.2.3 <- wasi:filesystem/preopens@0.2.6",
    ]);
    assert.ok(!r.imports.some((i) => i.startsWith("wasi:filesystem/preopens")));
    // The command's and the adapter's imports of one interface merged at the higher version.
    assert.ok(r.imports.includes("wasi:filesystem/types@0.2.6"));
    assert.ok(!r.imports.includes("wasi:filesystem/types@0.2.3"));
    await validateEverywhere(r.bytes);
    // It imports WASI 0.3 and fermyon:spin interfaces too, which it does not call: stubbed.
    const run = await runComponent(r.bytes, [{ export: "wasi:cli/run#run" }], {
      unknownImports: "stub",
      wasiHttp: true,
    });
    assert.equal(run.stdout, "Hello, world!\n");
    assert.deepEqual(run.results, [{ tag: "ok" }]);
    await assertGoldenWit("spin-deny-adapter", r.bytes);
  },
});

Deno.test({
  name: "simple-nested plugged into itself: one definition embedded once, two instances chained",
  async fn() {
    const bytes = await corpus(
      "jco/packages/jco-transpile/test/fixtures/components/runtime/simple-nested.component.wasm",
    );
    const iface = "calvinrp:test-async-funcs/hello@0.1.0";
    const r = await plug({ bytes, label: "socket" }, [{ bytes, label: "plug" }]);
    assert.equal(nestedComponents(r.bytes), 1, "identical components are embedded once");
    assert.deepEqual(r.imports, [iface]);
    const record = decodeComposedFrom(r.bytes)!;
    assert.equal(record.components.length, 1);
    assert.deepEqual(record.fills, [{ into: 0, import: iface, by: 0, export: iface }]);
    await validateEverywhere(r.bytes);
    // socket.hello-world → plug.hello-world → the host: one host call, its answer passed up.
    const run = await callComponent(r.bytes, "calvinrp:test-async-funcs/hello#hello-world", [], {
      host: { [iface]: { "hello-world": { result: "from the host" } } },
    });
    assert.equal(run.result, "from the host");
    assert.equal(run.hostCalls.length, 1);
    const deno = await runInDeno(r.bytes, [{ path: ["hello", "helloWorld"] }], {
      "calvinrp:test-async-funcs/hello": { helloWorld: "from Deno" },
    });
    assert.deepEqual(deno.results, ["from Deno"]);
  },
});
