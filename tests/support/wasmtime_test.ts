/**
 * The wasmtime test support itself: values of every kind cross both ways, host imports record
 * their calls, interface exports are found, and failures say where they happened.
 *
 * The fixture `fixtures/values` is a JavaScript component (componentize-qjs) that echoes values
 * and calls host functions; a small WAT component covers a top-level function import.
 */
import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import {
  callComponent,
  type HostImports,
  runComponent,
  validateComponent,
  WasmtimeRunError,
} from "./wasmtime.ts";
import { exampleWasm } from "./examples.ts";

const FIXTURE = new URL("./fixtures/values/", import.meta.url).pathname;
const HOST = "test:values/host@0.1.0";
const LOGGER = "docs:processor/logger@0.1.0";

let values: Promise<Uint8Array> | undefined;

/** Builds the values fixture once per test run. */
function valuesComponent(): Promise<Uint8Array> {
  values ??= (async () => {
    const { componentize } = await import("componentize-qjs");
    const { component } = await componentize({
      witPath: `${FIXTURE}values.wit`,
      jsSource: await Deno.readTextFile(`${FIXTURE}values.js`),
      sync: true,
    });
    return new Uint8Array(component);
  })();
  return values;
}

/** A component importing a top-level function `tick` and exporting `twice`, which calls it twice. */
const TICK_WAT = `(component
  (import "tick" (func $tick (param "n" u32) (result u32)))
  (core func $tick-lowered (canon lower (func $tick)))
  (core module $m
    (import "host" "tick" (func $t (param i32) (result i32)))
    (func (export "twice") (param i32) (result i32)
      local.get 0
      call $t
      call $t))
  (core instance $i (instantiate $m (with "host" (instance (export "tick" (func $tick-lowered))))))
  (func (export "twice") (param "n" u32) (result u32) (canon lift (core func $i "twice"))))`;

async function failure(p: Promise<unknown>): Promise<WasmtimeRunError> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof WasmtimeRunError, `expected a WasmtimeRunError, got ${e}`);
  return e;
}

Deno.test("values of every kind cross into a component and back", async () => {
  const point = { x: 3, y: -4, "label-text": "hi" };
  const cases: [string, unknown[], unknown][] = [
    ["echo-point", [point], point],
    ["echo-shape", [{ tag: "square", val: point }], { tag: "square", val: point }],
    ["echo-shape", [{ tag: "circle", val: 1.5 }], { tag: "circle", val: 1.5 }],
    ["echo-shape", [{ tag: "empty" }], { tag: "empty" }],
    ["echo-color", ["blue"], "blue"],
    ["echo-perms", [["exec", "read"]], ["read", "exec"]],
    ["echo-bytes", [[0, 1, 255]], [0, 1, 255]],
    ["echo-list", [["a", "b", ""]], ["a", "b", ""]],
    ["echo-tuple", ["é", 2.5, true], ["é", 2.5, true]],
    ["echo-option", [null], null],
    ["echo-option", ["x"], "x"],
    ["echo-result", [{ tag: "ok", val: 5 }], { tag: "ok", val: 5 }],
    ["echo-result", [{ tag: "err", val: "no" }], { tag: "err", val: "no" }],
    ["big", [], [2n ** 60n, -(2n ** 62n)]],
  ];
  const run = await runComponent(
    await valuesComponent(),
    cases.map(([name, args]) => ({ export: name, args })),
  );
  cases.forEach(([name, args, expected], i) => {
    assert.deepEqual(run.results[i], expected, `${name}(${JSON.stringify(args)})`);
  });
});

Deno.test("interface exports are called as iface#func, with or without the version", async () => {
  const run = await runComponent(await valuesComponent(), [
    { export: "test:values/api@0.1.0#ping", args: ["a"] },
    { export: "test:values/api#ping", args: ["b"] },
  ]);
  assert.deepEqual(run.results, ["pong a", "pong b"]);
});

Deno.test("host functions return what the request says and record every call", async () => {
  const host: HostImports = {
    [HOST]: {
      "get-point": { result: { x: 1, y: -2, "label-text": "from host" } },
      "maybe-name": { result: "named" },
      "fallible": { result: { tag: "err", val: "host says no" } },
      "note": {},
    },
  };
  const { result, hostCalls } = await callComponent(await valuesComponent(), "call-host", [9], {
    host,
    unknownImports: "error",
  });
  const seen = JSON.parse(result as string);
  assert.deepEqual(seen.point, { x: 1, y: -2, labelText: "from host" });
  assert.equal(seen.name, "named");
  assert.equal(seen.none, "named");
  assert.match(seen.failure, /host says no/); // componentize-qjs throws the err payload
  assert.deepEqual(hostCalls, [
    { import: `${HOST}#get-point`, args: [9] },
    { import: `${HOST}#maybe-name`, args: [9] },
    { import: `${HOST}#maybe-name`, args: [null] },
    { import: `${HOST}#fallible`, args: [false] },
    { import: `${HOST}#note`, args: ["green", ["read", "exec"]] },
  ]);
});

Deno.test("a host function that traps fails the call, keeping the calls so far", async () => {
  const e = await failure(callComponent(await valuesComponent(), "call-host", [1], {
    host: { [HOST]: { "get-point": { trap: "no points today" } } },
  }));
  assert.equal(e.stage, "call");
  assert.deepEqual(e.response.hostCalls, [{ import: `${HOST}#get-point`, args: [1] }]);
});

Deno.test("imports the request leaves out trap when called, or fail instantiation", async () => {
  const bytes = await valuesComponent();
  // Instantiation succeeds with stubs; only a call that reaches one fails.
  const { result } = await callComponent(bytes, "echo-color", ["red"]);
  assert.equal(result, "red");
  const trapped = await failure(callComponent(bytes, "call-host", [1]));
  assert.equal(trapped.stage, "call");
  const strict = await failure(callComponent(bytes, "echo-color", ["red"], {
    unknownImports: "error",
  }));
  assert.equal(strict.stage, "instantiate");
  assert.match(strict.message, /test:values\/host@0\.1\.0/);
});

Deno.test("a top-level function import is defined by its name", async () => {
  const bytes = await parse(TICK_WAT);
  const { result, hostCalls } = await callComponent(bytes, "twice", [5], {
    host: { tick: { result: 11 } },
  });
  assert.equal(result, 11);
  assert.deepEqual(hostCalls, [{ import: "tick", args: [5] }, { import: "tick", args: [11] }]);
});

/** A component exporting `tick`, which adds one. */
const ADD_ONE_WAT = `(component
  (core module $m
    (func (export "tick") (param i32) (result i32)
      local.get 0
      i32.const 1
      i32.add))
  (core instance $i (instantiate $m))
  (func (export "tick") (param "n" u32) (result u32) (canon lift (core func $i "tick"))))`;

Deno.test("a host function can forward its calls to another component", async () => {
  const { result, hostCalls } = await callComponent(await parse(TICK_WAT), "twice", [5], {
    host: { tick: { forward: await parse(ADD_ONE_WAT) } },
  });
  assert.equal(result, 7);
  assert.deepEqual(hostCalls, [{ import: "tick", args: [5] }, { import: "tick", args: [6] }]);
});

Deno.test("validateComponent describes a component, or says why it is invalid", async () => {
  const valid = await validateComponent(await parse(TICK_WAT));
  assert.deepEqual(valid, {
    valid: true,
    imports: { tick: "func(n: u32) -> u32" },
    exports: { twice: "func(n: u32) -> u32" },
  });
  const invalid = await validateComponent(new TextEncoder().encode("not wasm"));
  assert.equal(invalid.valid, false);
  assert.match(!invalid.valid ? invalid.message : "", /Invalid component/);
});

Deno.test("bad requests fail with the reason", async () => {
  const bytes = await parse(TICK_WAT);
  const host: HostImports = { tick: { result: 1 } };
  const cases: [() => Promise<unknown>, string, RegExp][] = [
    [() => callComponent(bytes, "thrice", [1], { host }), "call", /no such exported function/],
    [() => callComponent(bytes, "twice", [], { host }), "request", /takes 1 arguments/],
    [() => callComponent(bytes, "twice", [-1], { host }), "request", /integer in 0\.\.4294967295/],
    [() => callComponent(bytes, "twice", ["x"], { host }), "request", /integer/],
    [() => callComponent(bytes, "twice", [1], { host: { tock: {} } }), "request", /imports tick/],
    [
      () => callComponent(bytes, "twice", [1], { host: { tick: {} } }),
      "request",
      /needs a "result"/,
    ],
  ];
  for (const [call, stage, message] of cases) {
    const e = await failure(call());
    assert.equal(e.stage, stage, e.message);
    assert.match(e.message, message);
  }
});

/**
 * Calls the imported logger: `once` logs "tick" at info, `forever` logs it in a loop that never
 * ends, `spin` loops without a call.
 */
const CHATTER_WAT = `(component
  (import "docs:processor/logger@0.1.0" (instance $logger
    (type $lv (enum "debug" "info" "warn" "error"))
    (export "level" (type $level (eq $lv)))
    (export "log" (func (param "level" $level) (param "message" string)))))
  (alias export $logger "log" (func $log))
  (core module $memory (memory (export "mem") 1) (data (i32.const 0) "tick"))
  (core instance $mem (instantiate $memory))
  (alias core export $mem "mem" (core memory $m))
  (core func $log-lowered (canon lower (func $log) (memory $m)))
  (core module $main
    (import "host" "log" (func $log (param i32 i32 i32)))
    (func (export "once") (call $log (i32.const 1) (i32.const 0) (i32.const 4)))
    (func (export "forever")
      (loop $again (call $log (i32.const 1) (i32.const 0) (i32.const 4)) (br $again)))
    (func (export "spin") (loop $again (br $again))))
  (core instance $i (instantiate $main (with "host" (instance (export "log" (func $log-lowered))))))
  (func (export "once") (canon lift (core func $i "once")))
  (func (export "forever") (canon lift (core func $i "forever")))
  (func (export "spin") (canon lift (core func $i "spin"))))`;

Deno.test("a call that never returns is stopped on its output, keeping what ran before", async () => {
  // The logger is the JS example, forwarded to: it writes `[info] tick` lines to stderr.
  const host = { [LOGGER]: { log: { forward: await exampleWasm("logger-js") } } };
  const run = await runComponent(
    await parse(CHATTER_WAT),
    [{ export: "once" }, { export: "forever" }, { export: "once" }],
    { host, stopOn: { stream: "stderr", text: "[info] tick\n", count: 3 } },
  );
  assert.equal(run.stopped, "output");
  assert.deepEqual(run.results, [null], "the first call returned; the last one was not made");
  assert.equal(run.stderr, "[info] tick\n".repeat(3));
  assert.deepEqual(run.hostCalls.map((c) => c.args), Array(3).fill(["info", "tick"]));
});

Deno.test("a call that never returns is stopped by stopAfterSeconds; one that returns is not", async () => {
  const bytes = await parse(CHATTER_WAT);
  const host = { [LOGGER]: { log: { result: null } } };
  const spun = await runComponent(bytes, [{ export: "once" }, { export: "spin" }], {
    host,
    stopAfterSeconds: 1,
  });
  assert.equal(spun.stopped, "time");
  assert.deepEqual(spun.results, [null]);
  assert.equal(spun.hostCalls.length, 1);
  const done = await runComponent(bytes, [{ export: "once" }, { export: "once" }], {
    host,
    stopAfterSeconds: 60,
    stopOn: { stream: "stderr", text: "never printed" },
  });
  assert.equal(done.stopped, undefined);
  assert.deepEqual(done.results, [null, null]);
  // Without stopping, a trap is still a failed call.
  const e = await failure(runComponent(bytes, [{ export: "once" }], {
    host: { [LOGGER]: { log: { trap: "no" } } },
    stopAfterSeconds: 60,
  }));
  assert.equal(e.stage, "call");
});

/**
 * Imports an instance with a resource (`acme:things/thing`) and a WASI interface wasmtime does
 * not provide (WASI 0.3's monotonic clock); `answer` uses neither, `now` calls the clock.
 */
const STUB_WAT = `(component
  (import "acme:things/thing@1.0.0" (instance
    (export "thing" (type $t (sub resource)))
    (export "make" (func (result (own $t))))))
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $clock
    (export "now" (func (result u64)))))
  (alias export $clock "now" (func $now))
  (core func $now-lowered (canon lower (func $now)))
  (core module $main
    (import "host" "now" (func $now (result i64)))
    (func (export "answer") (result i32) (i32.const 42))
    (func (export "now") (result i64) (call $now)))
  (core instance $i (instantiate $main (with "host" (instance (export "now" (func $now-lowered))))))
  (func (export "answer") (result u32) (canon lift (core func $i "answer")))
  (func (export "now") (result u64) (canon lift (core func $i "now"))))`;

Deno.test('"stub" defines resources and the WASI imports wasmtime lacks, which "trap" cannot', async () => {
  const bytes = await parse(STUB_WAT);
  const trap = await failure(callComponent(bytes, "answer"));
  assert.equal(trap.stage, "instantiate");
  const { result } = await callComponent(bytes, "answer", [], { unknownImports: "stub" });
  assert.equal(result, 42);
  const now = await failure(callComponent(bytes, "now", [], { unknownImports: "stub" }));
  assert.equal(now.stage, "call");
  assert.match(now.message, /no host function is defined for this import/);
  // Stubs never replace what wasmtime provides: WASI 0.2 still works (the logger writes).
  const logged = await callComponent(await exampleWasm("logger-js"), `${LOGGER}#log`, [
    "warn",
    "still here",
  ], { unknownImports: "stub", wasiHttp: true });
  assert.equal(logged.stderr, "[warn] still here\n");
});
