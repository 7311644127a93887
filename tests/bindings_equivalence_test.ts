/**
 * Lean glue and jco's glue on the same real components give the same results.
 *
 * For every corpus component lean glue covers (STILL_ON_JCO in tests/bindings_fixtures.ts lists
 * the ones still on jco and why, tests/bindings_corpus_test.ts checks that list against what
 * generateBindings chooses, and the first test here that no component is left unaccounted for), both kinds of bindings are generated and every exported function is called
 * through each, in a fresh instance per call, with arguments made from its WIT types (two sets:
 * `ok` cases and `some` values, then `err` cases and empty lists). The component's own imports are
 * served by one generated host that records its calls and answers with values of the right types
 * (objects of host classes for imported resources). Results, `err` payloads, traps and the host's
 * record must be the same through both glues; resources compare by class name.
 *
 * Then the examples (C, Python, JavaScript) and the scrubber composed with the JS logger, and the
 * corpus' resource fixtures, with calls written for them.
 */
import assert from "node:assert/strict";
import { type Bindings, generateBindings } from "../lib/bindings/mod.ts";
import { decodeComponent } from "../lib/component/mod.ts";
import { plug } from "../lib/compose/mod.ts";
import {
  dealias,
  isPrimitive,
  type Resolve,
  type Type,
  type TypeId,
  worldKeyName,
} from "../lib/wit/mod.ts";
import { example, STILL_ON_JCO, writeFiles } from "./bindings_fixtures.ts";
import { CORPUS, corpusIndex } from "./component_support.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Why a component's exports are not called generically (they are covered elsewhere). */
const NOT_CALLED: Record<string, string> = {
  "jco/packages/jco/test/fixtures/components/stdout-pollable-hang.component.wasm":
    "its run waits on standard output forever by design (jco's hang fixture)",
  "wasmCloud/crates/wash-runtime/tests/fixtures/cron-service.wasm":
    "its run is a service loop calling its import forever",
};

/**
 * Components jco's glue cannot run the way lean glue can, so there is nothing to compare against:
 * each runs through lean glue alone (every export called, none may fail to instantiate).
 */
const JCO_CANNOT: Record<string, string> = {
  "jco/packages/jco-transpile/test/fixtures/components/runtime/versions.component.wasm":
    "jco 0.15 reads test:dep/test@0.1.0 and @0.2.0 as one import, imports['test:dep/test']",
};

/** Imported and exported resources: one host class per imported resource. */
interface Host {
  imports: Record<string, unknown>;
  log: unknown[][];
}

const HOST_CLASSES = new WeakMap<object, string>();

/** A value of WIT type `t`, from `seed` (0: ok/some/non-empty, 1: err/none/empty). */
function valueOf(
  r: Resolve,
  t: Type | undefined,
  seed: number,
  classes: Map<TypeId, new (...a: Any[]) => unknown>,
  depth = 0,
): Any {
  if (t === undefined) return undefined;
  const d = dealias(r, t);
  if (isPrimitive(d)) {
    switch (d) {
      case "bool":
        return seed === 0;
      case "u8":
      case "u16":
      case "u32":
        return 7 + seed;
      case "s8":
      case "s16":
      case "s32":
        return -3 + seed;
      case "u64":
        return 5n + BigInt(seed);
      case "s64":
        return -5n + BigInt(seed);
      case "f32":
      case "f64":
        return 1.5 + seed;
      case "char":
        return seed === 0 ? "x" : "é";
      case "string":
        return seed === 0 ? "text é😀" : "";
      default:
        return undefined;
    }
  }
  const k = r.types[d].kind;
  const v = (x: Type | undefined) => valueOf(r, x, seed, classes, depth + 1);
  switch (k.tag) {
    case "record":
      return Object.fromEntries(k.fields.map((f) => [camel(f.name), v(f.type)]));
    case "tuple":
      return k.types.map(v);
    case "flags":
      return Object.fromEntries(k.flags.map((f, i) => [camel(f.name), (i + seed) % 2 === 0]));
    case "enum":
      return k.cases[seed % k.cases.length].name;
    case "variant": {
      const c = k.cases[seed % k.cases.length];
      return c.type === undefined ? { tag: c.name } : { tag: c.name, val: v(c.type) };
    }
    case "option": {
      const inner = dealias(r, k.type);
      const nested = !isPrimitive(inner) && r.types[inner].kind.tag === "option";
      if (nested) return seed === 0 ? { tag: "some", val: v(k.type) } : { tag: "none" };
      return seed === 0 && depth < 4 ? v(k.type) : undefined;
    }
    case "result":
      return seed === 0 ? { tag: "ok", val: v(k.ok) } : { tag: "err", val: v(k.err) };
    case "list": {
      const e = dealias(r, k.element);
      const n = seed === 0 && depth < 4 ? 2 : 0;
      const items = Array.from(
        { length: n },
        (_, i) => valueOf(r, k.element, i % 2, classes, depth + 1),
      );
      if (isPrimitive(e)) {
        const typed: Record<string, Any> = {
          u8: Uint8Array,
          s8: Int8Array,
          u16: Uint16Array,
          s16: Int16Array,
          u32: Uint32Array,
          s32: Int32Array,
          u64: BigUint64Array,
          s64: BigInt64Array,
          f32: Float32Array,
          f64: Float64Array,
        };
        if (typed[e] !== undefined) return typed[e].from(items);
      }
      return items;
    }
    case "handle": {
      const cls = classes.get(dealias(r, k.resource) as TypeId);
      if (cls === undefined) throw new Skip("a resource the host does not make");
      return new cls();
    }
    default:
      throw new Skip(`a ${k.tag} value`);
  }
}

class Skip extends Error {}

function camel(name: string): string {
  return name.replace(/^%/, "").replace(/-([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** Values comparable across glues: resources by class name, typed arrays as they are. */
function plain(x: unknown, depth = 0): unknown {
  if (depth > 20) return "…";
  if (x === null || typeof x !== "object") return x;
  if (ArrayBuffer.isView(x)) return x;
  if (Array.isArray(x)) return x.map((e) => plain(e, depth + 1));
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) {
    return { resource: HOST_CLASSES.get(x as object) ?? x.constructor?.name ?? "?" };
  }
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v, depth + 1)]));
}

/** The generated host: every non-WASI import of the world, recording its calls. */
function makeHost(r: Resolve, world: number, b: Bindings): Host {
  const log: unknown[][] = [];
  const classes = new Map<TypeId, new (...a: Any[]) => unknown>();
  const imports: Record<string, unknown> = {};
  const keys = new Map(b.imports.map((i) => [i.name, i.key]));
  const fnOf =
    (name: string, f: { params: { type: Type }[]; result?: Type }) => (...args: unknown[]) => {
      log.push([name, ...args.map((a) => plain(a))]);
      // A `result` comes back whole (`{ tag: "ok", val }`), which both glues take as the result
      // itself: returning the bare `ok` value would be ambiguous when it is a result too.
      return valueOf(r, f.result, 0, classes);
    };
  const classFor = (id: TypeId, name: string) => {
    if (classes.has(id)) return classes.get(id)!;
    const cls = class {
      constructor(...args: unknown[]) {
        HOST_CLASSES.set(this, pascal(name));
        if (args.length > 0) log.push([`new ${name}`, ...args.map((a) => plain(a))]);
      }
    };
    classes.set(id, cls);
    return cls;
  };
  const w = r.worlds[world];
  // Resource classes first: functions may return them.
  for (const [k, item] of w.imports) {
    const name = worldKeyName(r, k);
    if (!keys.has(name)) continue;
    if (item.tag === "interface") {
      for (const [tn, id] of r.interfaces[item.id].types) {
        if (r.types[id].kind.tag === "resource") classFor(id, tn);
      }
    } else if (item.tag === "type" && r.types[item.id].kind.tag === "resource") {
      classFor(item.id, name);
    }
  }
  const attach = (
    fns: Iterable<import("../lib/wit/mod.ts").Function>,
    target: Record<string, unknown>,
  ) => {
    for (const f of fns) {
      const kind = f.kind;
      if (kind.tag === "freestanding") target[camel(f.name)] = fnOf(f.name, f);
      else if (kind.tag === "method") {
        const cls = classes.get(kind.resource);
        if (cls) {
          (cls.prototype as Record<string, unknown>)[camel(f.name.split(".")[1])] = function (
            this: unknown,
            ...a: unknown[]
          ) {
            return fnOf(f.name, { ...f, params: f.params.slice(1) })(...a);
          };
        }
      } else if (kind.tag === "static") {
        const cls = classes.get(kind.resource) as unknown as Record<string, unknown>;
        if (cls) cls[camel(f.name.split(".")[1])] = fnOf(f.name, f);
      }
    }
  };
  for (const [k, item] of w.imports) {
    const name = worldKeyName(r, k);
    const key = keys.get(name);
    if (key === undefined) continue;
    if (item.tag === "interface") {
      const iface = r.interfaces[item.id];
      const obj: Record<string, unknown> = {};
      for (const [tn, id] of iface.types) {
        if (r.types[id].kind.tag === "resource") obj[pascal(tn)] = classes.get(id);
      }
      attach(iface.functions.values(), obj);
      imports[key] = obj;
    } else if (item.tag === "function") {
      if (item.func.kind.tag === "freestanding") imports[key] = fnOf(name, item.func);
      else attach([item.func], {});
    } else if (item.tag === "type") {
      imports[key] = classes.get(item.id);
    }
  }
  return { imports, log };
}

/** An export to call: the path to the function and the arguments. */
interface Call {
  path: string[];
  args: unknown[];
}

function callsOf(r: Resolve, world: number, b: Bindings): Call[] {
  const calls: Call[] = [];
  const keys = new Map(b.exports.map((e) => [e.name, e.key]));
  const add = (path: string[], f: import("../lib/wit/mod.ts").Function) => {
    if (f.kind.tag !== "freestanding") return;
    for (const seed of [0, 1]) {
      try {
        calls.push({ path, args: f.params.map((p) => valueOf(r, p.type, seed, new Map())) });
      } catch (e) {
        if (!(e instanceof Skip)) throw e;
      }
    }
  };
  for (const [k, item] of r.worlds[world].exports) {
    const name = worldKeyName(r, k);
    const key = keys.get(name);
    // Commands exit through wasi:cli/exit, which jco's shim does by ending the process: they run
    // in child processes (below).
    if (key === undefined || name.startsWith("wasi:cli/run@")) continue;
    if (item.tag === "function") add([key], item.func);
    else if (item.tag === "interface") {
      for (const f of r.interfaces[item.id].functions.values()) add([key, camel(f.name)], f);
    }
  }
  return calls;
}

type Outcome = { ok: unknown } | { err: unknown } | { trap: true } | { threw: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: plain(f()) };
  } catch (e) {
    const err = e as Error & { payload?: unknown; code?: string };
    if (err?.name === "ComponentError" && (err.code === "error" || err.code === undefined)) {
      return { err: plain(err.payload) };
    }
    if (err?.name === "ComponentError" || err instanceof WebAssembly.RuntimeError) {
      return { trap: true };
    }
    return { threw: `${err?.name}` };
  }
}

async function load(bytes: Uint8Array, glue: "lean" | "jco", name: string) {
  const b = await generateBindings(bytes, { name, glue });
  assert.equal(b.glue, glue, `${name}: ${b.reason}`);
  const dir = await Deno.makeTempDir({ prefix: `wreg-equiv-${glue}-` });
  await writeFiles(dir, b.files);
  return { b, dir, mod: await import(`file://${dir}/mod.ts`) as Any };
}

const QUIET = { wasi: { stdout: () => {}, stderr: () => {} } };

/** Calls every export of a component through both glues; returns how many calls agreed. */
async function compare(file: string, bytes: Uint8Array): Promise<number> {
  const d = decodeComponent(bytes);
  const lean = await load(bytes, "lean", file);
  if (JCO_CANNOT[file] !== undefined) {
    try {
      for (const call of callsOf(d.resolve, d.world!, lean.b)) {
        const host = makeHost(d.resolve, d.world!, lean.b);
        const inst = lean.mod.instantiate(host.imports, QUIET);
        let target = inst;
        for (const p of call.path.slice(0, -1)) target = target[p];
        outcome(() => target[call.path.at(-1)!](...call.args));
      }
    } finally {
      await Deno.remove(lean.dir, { recursive: true });
    }
    return 0;
  }
  const jco = await load(bytes, "jco", file);
  try {
    assert.deepEqual(lean.b.exports, jco.b.exports, `${file}: the same exports`);
    assert.deepEqual(lean.b.imports, jco.b.imports, `${file}: the same imports`);
    const calls = callsOf(d.resolve, d.world!, lean.b);
    for (const call of calls) {
      const run = (mod: Any, options?: unknown) => {
        const host = makeHost(d.resolve, d.world!, lean.b);
        let inst: Any;
        const made = outcome(() => inst = mod.instantiate(host.imports, options));
        if (!("ok" in made)) return { instantiate: made, log: host.log };
        const result = outcome(() => {
          let target = inst;
          for (const p of call.path.slice(0, -1)) target = target[p];
          return target[call.path.at(-1)!](...call.args);
        });
        return { result, log: host.log };
      };
      const l = run(lean.mod, QUIET);
      const j = run(jco.mod);
      assert.deepStrictEqual(l, j, `${file}: ${call.path.join(".")}(${Deno.inspect(call.args)})`);
    }
    return calls.length;
  } finally {
    await Deno.remove(lean.dir, { recursive: true });
    await Deno.remove(jco.dir, { recursive: true });
  }
}

/**
 * Corpus components jco cannot transpile, so neither glue is compared on them (and why lean glue
 * does not take them either).
 */
const NOT_TRANSPILED: Record<string, string> = {
  "spin/crates/capabilities/deny_adapter.wasm":
    "jco: 'missing imported resource table information'; lean: component model async (context.get)",
  "wac/crates/wac-parser/tests/resolution/fail/package-invalid-wasm/foo/bar.wasm":
    "not a valid component (wac's failure fixture: type index out of bounds)",
};

const index =
  corpusIndex() as (ReturnType<typeof corpusIndex>[number] & { transpileOk: boolean })[];
const components = index.filter((e) =>
  e.kind === "component" && e.transpileOk && !e.witPackage && STILL_ON_JCO[e.file] === undefined
);

Deno.test("every corpus component is compared, or named here or in STILL_ON_JCO with why", () => {
  const all = index.filter((e) => e.kind === "component" && !e.witPackage).map((e) => e.file);
  const named = new Set([
    ...components.map((e) => e.file),
    ...Object.keys(STILL_ON_JCO),
    ...Object.keys(NOT_TRANSPILED),
  ]);
  assert.deepEqual(all.filter((f) => !named.has(f)), [], "components nobody accounts for");
  for (const list of [NOT_CALLED, JCO_CANNOT, STILL_ON_JCO, NOT_TRANSPILED]) {
    for (const f of Object.keys(list)) assert.ok(all.includes(f), `${f} is in the corpus`);
  }
  for (const f of Object.keys(NOT_TRANSPILED)) {
    assert.equal(index.find((e) => e.file === f)?.transpileOk, false, `${f}: jco fails on it`);
  }
  // The real toolchains' components are among those compared.
  for (const from of ["wasmCloud/", "spin/", "component-docs/", "wac/"]) {
    assert.ok(components.some((e) => e.file.startsWith(from)), `a ${from} component is compared`);
  }
});

Deno.test("lean glue and jco's glue agree on every export of the corpus components lean glue covers", async () => {
  let calls = 0;
  const compared: string[] = [];
  for (const e of components) {
    if (NOT_CALLED[e.file] !== undefined) continue;
    calls += await compare(e.file, await Deno.readFile(`${CORPUS}${e.file}`));
    compared.push(e.file);
  }
  assert.ok(compared.length >= 35, `${compared.length} components compared`);
  assert.ok(calls >= 150, `${calls} calls compared`);
});

// ---------------------------------------------------------------------------------------------
// Commands (`wasi:cli/run`): each run in a child process through each glue, with the same
// arguments and environment; standard output, standard error and the exit status must agree.

const COMMANDS: Record<string, string[]> = {
  "jco/packages/jco/test/fixtures/components/hello_stdout.component.wasm": ["hello"],
  "jco/packages/jco/test/fixtures/commands/dir.virt.wasm": ["dir"],
  "spin/crates/build/tests/test-components/test-command.wasm": ["test-command", "a", "b"],
  "jco/packages/jco/test/fixtures/components/utf8-utf16.composed.wasm": ["utf8-utf16"],
};

async function runCommand(bytes: Uint8Array, glue: "lean" | "jco", args: string[]) {
  const { dir } = await load(bytes, glue, "command");
  try {
    const script = `const m = await import(${JSON.stringify(`file://${dir}/mod.ts`)});
const inst = m.instantiate({}, { wasi: { args: ${
      JSON.stringify(args)
    }, env: { GREETING: "hi" } } });
try {
  inst.run.run();
} catch (e) {
  if (e?.code === "exit") Deno.exit(e.exitCode);
  console.error("ERROR " + (e?.code ?? e?.name));
  Deno.exit(70);
}`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const [file, args] of Object.entries(COMMANDS)) {
  Deno.test(`lean glue and jco's glue run the command ${file.split("/").pop()} alike`, async () => {
    const bytes = await Deno.readFile(`${CORPUS}${file}`);
    const lean = await runCommand(bytes, "lean", args);
    const jco = await runCommand(bytes, "jco", args);
    assert.deepEqual(lean, jco);
    assert.ok(lean.stdout.length + lean.stderr.length > 0, "the command printed something");
  });
}

// ---------------------------------------------------------------------------------------------
// The examples and the composition, with calls written for them.

const TEXTS = ["My SSN is 123-45-6789", "mail a@b.co or call (555) 123-4567", "", "nothing ✓"];
const META = { id: 42n, source: "inbox", priority: 1 };

async function scrubberCalls(bytes: Uint8Array, name: string, withLogger: boolean) {
  const out: Record<string, unknown> = {};
  for (const glue of ["lean", "jco"] as const) {
    const { dir, mod } = await load(bytes, glue, name);
    try {
      const log: unknown[] = [];
      const imports = withLogger
        ? { logger: { log: (l: string, m: string) => log.push([l, m]) } }
        : {};
      const inst = mod.instantiate(imports, glue === "lean" ? QUIET : undefined);
      out[glue] = {
        scrubbed: TEXTS.map((t) => outcome(() => inst.scrubPii(t))),
        processed: TEXTS.map((t) => outcome(() => inst.process(t, META))),
        log,
      };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return out as { lean: Any; jco: Any };
}

for (const name of ["scrubber-c", "scrubber-py"] as const) {
  Deno.test(`lean glue and jco's glue agree on the ${name} example`, async () => {
    const { lean, jco } = await scrubberCalls((await example(name)).bytes, name, true);
    assert.deepStrictEqual(lean, jco);
    assert.deepEqual(lean.scrubbed[0], { ok: "My SSN is [REDACTED]" });
    assert.equal(lean.log.length, TEXTS.length, "the logger was called by each process()");
  });
}

Deno.test("lean glue and jco's glue agree on the logger-js example (WASI stderr)", async () => {
  const { bytes } = await example("logger-js");
  const lines: Record<string, string> = {};
  for (const glue of ["lean", "jco"] as const) {
    const { dir, mod } = await load(bytes, glue, "logger-js");
    try {
      const chunks: Uint8Array[] = [];
      if (glue === "lean") {
        const inst = mod.instantiate({}, { wasi: { stderr: (c: Uint8Array) => chunks.push(c) } });
        inst.logger.log("info", "héllo");
        inst.logger.log("error", "x".repeat(5000));
        lines[glue] = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
      } else {
        // preview2-shim writes to this process' standard error: run it in a child to read it.
        const child = await new Deno.Command(Deno.execPath(), {
          args: [
            "eval",
            `const m = await import(${
              JSON.stringify(`file://${dir}/mod.ts`)
            }); const i = m.instantiate({}); i.logger.log("info", "héllo"); i.logger.log("error", "x".repeat(5000));`,
          ],
          cwd: new URL("..", import.meta.url).pathname,
          stderr: "piped",
          stdout: "null",
        }).output();
        lines[glue] = new TextDecoder().decode(child.stderr);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  assert.equal(lines.lean, lines.jco);
  assert.equal(lines.lean, `[info] héllo\n[error] ${"x".repeat(5000)}\n`);
});

Deno.test("lean glue and jco's glue agree on the scrubber composed with the JS logger", async () => {
  const [scrubber, logger] = await Promise.all([example("scrubber-c"), example("logger-js")]);
  const composed = await plug(
    { bytes: scrubber.bytes, label: "scrubber.wasm" },
    [{ bytes: logger.bytes, label: "logger.wasm" }],
  );
  const { lean, jco } = await scrubberCalls(composed.bytes, "composed", false);
  assert.deepStrictEqual(lean, jco);
  assert.deepEqual(lean.processed[1], { ok: "mail [REDACTED] or call [REDACTED]" });
});

// ---------------------------------------------------------------------------------------------
// Resources: the corpus fixtures with exported resources, driven through their classes.

const RT = "jco/packages/jco-transpile/test/fixtures/components/runtime/";

Deno.test("lean glue and jco's glue agree on resources: constructors, methods, statics, own and borrow, drop", async () => {
  const bytes = await Deno.readFile(`${CORPUS}${RT}resources.component.wasm`);
  const results: Record<string, unknown> = {};
  for (const glue of ["lean", "jco"] as const) {
    const { dir, mod } = await load(bytes, glue, "resources");
    try {
      // The imported resource, implemented by the host.
      class Y {
        constructor(public a: number) {}
        getA() {
          return this.a;
        }
        setA(a: number) {
          this.a = a;
        }
        static add(y: Y, a: number) {
          return new Y(y.a + a);
        }
      }
      const inst = mod.instantiate({ imports: { Y } }, glue === "lean" ? QUIET : undefined);
      const { X, Z, KebabCase, add, consume, testImports } = inst.exports;
      const steps: Record<string, unknown> = {};
      const x = new X(5);
      steps.get = outcome(() => x.getA());
      x.setA(7);
      steps.set = outcome(() => x.getA());
      const x2 = X.add(x, 3);
      steps.staticOwn = outcome(() => x2.getA());
      steps.movedAway = outcome(() => x.getA()) as unknown;
      const z1 = new Z(1), z2 = new Z(2);
      const z3 = add(z1, z2);
      steps.borrows = outcome(() => [z1.getA(), z2.getA(), z3.getA()]);
      // Disposing of an owned Z runs the component's destructor, once per object.
      const before = Z.numDropped();
      z1[Symbol.dispose]();
      z3[Symbol.dispose]();
      z3[Symbol.dispose]();
      steps.dropped = Z.numDropped() - before;
      steps.consume = outcome(() => consume(x2));
      const k = new KebabCase(9);
      steps.kebab = outcome(() => [k.getA(), KebabCase.takeOwned(k)]);
      steps.imports = outcome(() => testImports());
      steps.classes = [X.name, Z.name, KebabCase.name];
      results[glue] = steps;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  // A resource given away is gone: both glues refuse its use (their messages differ).
  const moved = (r: Any) => ({ ...r, movedAway: "threw" in r.movedAway ? "refused" : r.movedAway });
  assert.deepStrictEqual(moved(results.lean), moved(results.jco));
  assert.deepEqual(moved(results.lean), {
    get: { ok: 5 },
    set: { ok: 7 },
    staticOwn: { ok: 10 },
    movedAway: "refused",
    borrows: { ok: [1, 2, 3] },
    dropped: 2,
    consume: { ok: undefined },
    kebab: { ok: [9, 9] },
    imports: { ok: undefined },
    classes: ["X", "Z", "KebabCase"],
  });
});
