/**
 * Lean glue against jco's glue on the same component and the same calls: a passthrough
 * component (each export hands its arguments to the same function of an imported interface and
 * returns what the host returns), so every value crosses the Canonical ABI four times: lowered by
 * the export, lifted for the host, lowered from the host's result, lifted as the export's result.
 * Both kinds of glue must give equal results and pass the host equal arguments, and every value
 * must come back as it went in. Then what lean glue adds: argument errors that leave the instance
 * usable, traps that do not, no re-entry, errors as `ComponentError`, and UTF-8 checks.
 */
import assert from "node:assert/strict";
import { type Bindings, generateBindings, type GlueChoice } from "../lib/bindings/mod.ts";
import { passthroughComponent, watComponent, writeFiles } from "./bindings_fixtures.ts";

const FLAGS32 = Array.from({ length: 32 }, (_, i) => `g${i}`);
const WIDE = Array.from({ length: 300 }, (_, i) => `case${i}`);

const TYPES = `
  record point { x: s32, y-coord: f64, label: string }
  variant shape { circle(f32), square(u64), named(string), empty, pair(tuple<u8, f64>) }
  enum color { red, dark-green }
  flags perms { read, write-all, exec }
  flags nine { a, b, c, d, e, f, g, h, i }
  flags thirty-two { ${FLAGS32.join(", ")} }
  enum wide { ${WIDE.join(", ")} }
  record nested { points: list<point>, tags: list<string>, inner: option<list<u16>>, c: color }
  type alias-u32 = u32;
`;

const FUNCS = [
  "e-bool: func(x: bool) -> bool;",
  "e-u8: func(x: u8) -> u8;",
  "e-s8: func(x: s8) -> s8;",
  "e-u16: func(x: u16) -> u16;",
  "e-s16: func(x: s16) -> s16;",
  "e-u32: func(x: u32) -> u32;",
  "e-s32: func(x: s32) -> s32;",
  "e-u64: func(x: u64) -> u64;",
  "e-s64: func(x: s64) -> s64;",
  "e-f32: func(x: f32) -> f32;",
  "e-f64: func(x: f64) -> f64;",
  "e-char: func(x: char) -> char;",
  "e-string: func(x: string) -> string;",
  "e-lu8: func(x: list<u8>) -> list<u8>;",
  "e-lu32: func(x: list<u32>) -> list<u32>;",
  "e-ls64: func(x: list<s64>) -> list<s64>;",
  "e-lf32: func(x: list<f32>) -> list<f32>;",
  "e-lstr: func(x: list<string>) -> list<string>;",
  "e-lbool: func(x: list<bool>) -> list<bool>;",
  "e-point: func(x: point) -> point;",
  "e-shape: func(x: shape) -> shape;",
  "e-color: func(x: color) -> color;",
  "e-perms: func(x: perms) -> perms;",
  "e-nine: func(x: nine) -> nine;",
  "e-thirty-two: func(x: thirty-two) -> thirty-two;",
  "e-wide: func(x: wide) -> wide;",
  "e-nested: func(x: nested) -> nested;",
  "e-opt: func(x: option<string>) -> option<string>;",
  "e-optopt: func(x: option<option<u32>>) -> option<option<u32>>;",
  "e-res: func(x: result<string, u32>) -> result<string, u32>;",
  "e-res-empty: func(x: result) -> result;",
  "e-res-in: func(x: list<result<u8, string>>) -> list<result<u8, string>>;",
  "e-tuple: func(x: tuple<u8, string, f64>) -> tuple<u8, string, f64>;",
  "e-alias: func(x: alias-u32) -> alias-u32;",
  `e-many: func(${
    Array.from({ length: 17 }, (_, i) => `a${i}: u32`).join(", ")
  }) -> tuple<u32, u32>;`,
  "e-mixed: func(a: u8, b: string, c: f32, d: u64, e: list<u32>) -> tuple<u8, string, f32, u64, list<u32>>;",
  "e-none: func();",
];

const STRINGS = [
  "",
  "ascii only",
  "héllo wörld",
  "日本語のテキスト",
  "😀👍🏽🇫🇷",
  "nul\u0000inside",
  "\uFFFD is a real character",
  "x".repeat(70_000) + "é".repeat(30_000),
];
const point = { x: -7, yCoord: 2.5, label: "p😀" };
const flags32 = (on: number[]) => Object.fromEntries(FLAGS32.map((f, i) => [f, on.includes(i)]));

/** Calls and the value each must return (the host returns the first argument it got). */
const CALLS: [string, unknown[], unknown][] = [
  ["eBool", [true], true],
  ["eBool", [false], false],
  ...[0, 1, 127, 128, 255].map((v): [string, unknown[], unknown] => ["eU8", [v], v]),
  ...[-128, -1, 0, 127].map((v): [string, unknown[], unknown] => ["eS8", [v], v]),
  ...[0, 65535].map((v): [string, unknown[], unknown] => ["eU16", [v], v]),
  ...[-32768, 32767].map((v): [string, unknown[], unknown] => ["eS16", [v], v]),
  ...[0, 2 ** 31, 2 ** 32 - 1].map((v): [string, unknown[], unknown] => ["eU32", [v], v]),
  ...[-(2 ** 31), -1, 2 ** 31 - 1].map((v): [string, unknown[], unknown] => ["eS32", [v], v]),
  ...[0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n].map((
    v,
  ): [string, unknown[], unknown] => ["eU64", [v], v]),
  ...[-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n].map((v): [string, unknown[], unknown] => [
    "eS64",
    [v],
    v,
  ]),
  ...[0, -0, 1.5, Math.fround(0.1), -Infinity, Infinity, NaN, 3.4028234663852886e38].map((
    v,
  ): [string, unknown[], unknown] => ["eF32", [v], v]),
  ...[0.1, -0, Number.MAX_VALUE, Number.MIN_VALUE, NaN].map((v): [string, unknown[], unknown] => [
    "eF64",
    [v],
    v,
  ]),
  ...["a", "\u{10FFFF}", "\uFFFF", "\uD7FF", "😀", "é"].map((v): [string, unknown[], unknown] => [
    "eChar",
    [v],
    v,
  ]),
  ...STRINGS.map((v): [string, unknown[], unknown] => ["eString", [v], v]),
  ["eLu8", [new Uint8Array(0)], new Uint8Array(0)],
  [
    "eLu8",
    [new Uint8Array(1 << 20).map((_, i) => i * 31)],
    new Uint8Array(1 << 20).map((_, i) => i * 31),
  ],
  ["eLu8", [[1, 2, 255]], new Uint8Array([1, 2, 255])],
  [
    "eLu32",
    [Uint32Array.from({ length: 100_000 }, (_, i) => i * 2654435761)],
    Uint32Array.from({ length: 100_000 }, (_, i) => i * 2654435761),
  ],
  [
    "eLs64",
    [BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 63n - 1n])],
    BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 63n - 1n]),
  ],
  ["eLf32", [new Float32Array([1.5, NaN, -0])], new Float32Array([1.5, NaN, -0])],
  ["eLstr", [[]], []],
  ["eLstr", [STRINGS], STRINGS],
  [
    "eLstr",
    [Array.from({ length: 1000 }, (_, i) => `item ${i} ✓`)],
    Array.from({ length: 1000 }, (_, i) => `item ${i} ✓`),
  ],
  ["eLbool", [[true, false, true]], [true, false, true]],
  ["ePoint", [point], point],
  ["eShape", [{ tag: "circle", val: 1.5 }], { tag: "circle", val: 1.5 }],
  ["eShape", [{ tag: "square", val: 2n ** 64n - 1n }], { tag: "square", val: 2n ** 64n - 1n }],
  ["eShape", [{ tag: "named", val: "nämed" }], { tag: "named", val: "nämed" }],
  ["eShape", [{ tag: "empty" }], { tag: "empty" }],
  ["eShape", [{ tag: "pair", val: [200, -2.25] }], { tag: "pair", val: [200, -2.25] }],
  ["eColor", ["dark-green"], "dark-green"],
  ["ePerms", [{ read: true, exec: true }], { read: true, writeAll: false, exec: true }],
  ["ePerms", [{}], { read: false, writeAll: false, exec: false }],
  ["eNine", [{ a: true, i: true }], {
    a: true,
    b: false,
    c: false,
    d: false,
    e: false,
    f: false,
    g: false,
    h: false,
    i: true,
  }],
  ["eThirtyTwo", [flags32([0, 30, 31])], flags32([0, 30, 31])],
  ["eWide", ["case0"], "case0"],
  ["eWide", ["case299"], "case299"],
  ["eNested", [{
    points: [point, { ...point, x: 1 }],
    tags: ["a", ""],
    inner: new Uint16Array([1, 65535]),
    c: "red",
  }], {
    points: [point, { ...point, x: 1 }],
    tags: ["a", ""],
    inner: new Uint16Array([1, 65535]),
    c: "red",
  }],
  ["eNested", [{ points: [], tags: [], inner: undefined, c: "dark-green" }], {
    points: [],
    tags: [],
    inner: undefined,
    c: "dark-green",
  }],
  ["eOpt", [undefined], undefined],
  ["eOpt", ["x"], "x"],
  ["eOpt", [""], ""],
  ["eOptopt", [{ tag: "none" }], { tag: "none" }],
  ["eOptopt", [{ tag: "some", val: undefined }], { tag: "some", val: undefined }],
  ["eOptopt", [{ tag: "some", val: 7 }], { tag: "some", val: 7 }],
  ["eRes", [{ tag: "ok", val: "fine" }], "fine"],
  ["eResEmpty", [{ tag: "ok", val: undefined }], undefined],
  ["eResIn", [[{ tag: "ok", val: 1 }, { tag: "err", val: "no" }]], [{ tag: "ok", val: 1 }, {
    tag: "err",
    val: "no",
  }]],
  ["eTuple", [[1, "two", 3.5]], [1, "two", 3.5]],
  ["eAlias", [7], 7],
  ["eMixed", [255, "ß", 0.5, 2n ** 64n - 1n, [1, 2]], [
    255,
    "ß",
    0.5,
    2n ** 64n - 1n,
    new Uint32Array([1, 2]),
  ]],
  ["eNone", [], undefined],
];

type Instance = Record<string, (...args: unknown[]) => unknown>;

let fixture: Promise<{ bytes: Uint8Array }> | undefined;
function component() {
  fixture ??= passthroughComponent(TYPES, FUNCS);
  return fixture;
}

/** Generates bindings with the given glue into a temporary folder and imports `mod.ts`. */
async function load(bytes: Uint8Array, glue: GlueChoice) {
  const b: Bindings = await generateBindings(bytes, { name: "test:echo", glue });
  const dir = await Deno.makeTempDir({ prefix: `wreg-lean-test-${glue}-` });
  await writeFiles(dir, b.files);
  const mod = await import(`file://${dir}/mod.ts`);
  return { b, dir, mod };
}

/** Host functions: return the first argument (the tuple of two for e-many), record the calls. */
function host(log: unknown[][]) {
  return new Proxy({}, {
    get: (_t, name) => (...args: unknown[]) => {
      log.push([name, ...args]);
      if (name === "eMany") return [args[0], args[16]];
      if (name === "eMixed") return args;
      return args[0];
    },
  });
}

function outcome(f: () => unknown): { ok: unknown } | { error: string; payload?: unknown } {
  try {
    return { ok: f() };
  } catch (e) {
    const err = e as Error & { payload?: unknown };
    return err.name === "ComponentError"
      ? { error: err.name, payload: err.payload }
      : { error: `${err.name}: ${err.message}` };
  }
}

Deno.test("lean glue is chosen for the passthrough component, and jco can be forced", async () => {
  const { bytes } = await component();
  const lean = await load(bytes, "auto");
  const jco = await load(bytes, "jco");
  try {
    assert.equal(lean.b.glue, "lean");
    assert.equal(jco.b.glue, "jco");
    assert.deepEqual(lean.b.imports, [{ name: "test:echo/host", key: "host" }]);
    assert.deepEqual(lean.b.exports, jco.b.exports);
  } finally {
    await Deno.remove(lean.dir, { recursive: true });
    await Deno.remove(jco.dir, { recursive: true });
  }
});

Deno.test("lean glue and jco's glue give the same results for a table of values", async () => {
  const { bytes } = await component();
  const lean = await load(bytes, "lean");
  const jco = await load(bytes, "jco");
  try {
    const leanLog: unknown[][] = [], jcoLog: unknown[][] = [];
    const l = lean.mod.instantiate({ host: host(leanLog) }) as Instance;
    const j = jco.mod.instantiate({ host: host(jcoLog) }) as Instance;
    for (const [fn, args, expected] of CALLS) {
      const what = `${fn}(${Deno.inspect(args, { strAbbreviateSize: 40 }).slice(0, 120)})`;
      const a = outcome(() => l[fn](...args));
      const b = outcome(() => j[fn](...args));
      assert.deepStrictEqual(a, b, `${what}: lean and jco differ`);
      assert.deepStrictEqual(a, { ok: expected }, `${what}: not returned unchanged`);
      assert.deepStrictEqual(
        leanLog.at(-1),
        jcoLog.at(-1),
        `${what}: the host saw different values`,
      );
    }
    // e-many: 17 parameters go through memory on both sides.
    const many = Array.from({ length: 17 }, (_, i) => i * 1000 + 1);
    assert.deepStrictEqual(l.eMany(...many), [1, 16001]);
    assert.deepStrictEqual(j.eMany(...many), [1, 16001]);
    assert.deepStrictEqual(leanLog.at(-1), ["eMany", ...many]);
  } finally {
    await Deno.remove(lean.dir, { recursive: true });
    await Deno.remove(jco.dir, { recursive: true });
  }
});

Deno.test("an err result is thrown as ComponentError carrying the value, by both kinds of glue", async () => {
  const { bytes } = await component();
  for (const glue of ["lean", "jco"] as const) {
    const { dir, mod } = await load(bytes, glue);
    try {
      const inst = mod.instantiate({ host: host([]) }) as Instance;
      assert.throws(() => inst.eRes({ tag: "err", val: 7 }), (e: Error & { payload?: unknown }) => {
        assert.ok(e instanceof mod.ComponentError, `${glue}: a ComponentError`);
        assert.equal(e.payload, 7);
        return true;
      });
      assert.throws(() => inst.eResEmpty({ tag: "err", val: undefined }), mod.ComponentError);
      // An err is a value, not a trap: the instance still works.
      assert.equal(inst.eRes({ tag: "ok", val: "after" }), "after");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("lean glue rejects wrong argument types and the instance stays usable", async () => {
  const { bytes } = await component();
  const { dir, mod } = await load(bytes, "lean");
  try {
    const inst = mod.instantiate({ host: host([]) }) as Instance;
    const bad: [string, unknown[], RegExp][] = [
      ["eU8", [256], /x: expected u8, got number 256/],
      ["eU8", [1.5], /expected u8/],
      ["eS32", ["5"], /expected s32, got the string "5"/],
      ["eU64", [-1n], /expected u64/],
      ["eU64", [2n ** 64n], /expected u64/],
      ["eChar", ["ab"], /expected a single Unicode scalar value/],
      ["eString", [5], /x: expected a string, got number 5/],
      ["ePoint", [{ x: 1, yCoord: 2, label: 3 }], /x\.label: expected a string/],
      ["eColor", ["blue"], /expected one of red, dark-green/],
      ["eShape", [{ tag: "hexagon" }], /expected a tag of circle/],
      ["eLstr", [["ok", 1]], /x\[1\]: expected a string/],
      ["eLu32", [[1, -1]], /x\[1\]: expected u32/],
    ];
    for (const [fn, args, message] of bad) {
      assert.throws(() => inst[fn](...args), (e: Error) => {
        assert.ok(e instanceof TypeError, `${fn}: a TypeError`);
        assert.match(e.message, message);
        return true;
      });
    }
    assert.equal(inst.eString("still fine"), "still fine");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lean glue: after a trap the instance refuses calls; a new instance works", async () => {
  const { bytes } = await component();
  const { dir, mod } = await load(bytes, "lean");
  try {
    let fail = true;
    const throwing = {
      host: new Proxy({}, {
        get: () => (x: unknown) => {
          if (fail) throw new Error("host failure");
          return x;
        },
      }),
    };
    const inst = mod.instantiate(throwing) as Instance;
    assert.throws(() => inst.eU32(1), (e: Error & { code?: string; cause?: unknown }) => {
      // What the import threw unwound the component: a trap, carrying the original error.
      assert.ok(e instanceof mod.ComponentError);
      assert.equal(e.code, "trap");
      assert.match(e.message, /component trap: host failure/);
      assert.match(String(e.cause), /host failure/);
      return true;
    });
    fail = false;
    assert.throws(() => inst.eU32(1), (e: Error & { code?: string }) => {
      assert.equal(e.code, "trap");
      assert.match(e.message, /trapped earlier/);
      return true;
    });
    assert.equal((mod.instantiate(throwing) as Instance).eU32(1), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lean glue refuses re-entry from an import into the same instance", async () => {
  const { bytes } = await component();
  const { dir, mod } = await load(bytes, "lean");
  try {
    const self: { inst?: Instance } = {};
    const imports = {
      host: new Proxy({}, {
        get: (_t, name) => (x: unknown) => name === "eU32" ? self.inst!.eU8(1) : x,
      }),
    };
    self.inst = mod.instantiate(imports) as Instance;
    assert.throws(() => self.inst!.eU32(5), /cannot be re-entered/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lean glue names a missing import when instantiating", async () => {
  const { bytes } = await component();
  const { dir, mod } = await load(bytes, "lean");
  try {
    assert.throws(() => mod.instantiate({}), /missing import host \(test:echo\/host\)/);
    assert.throws(() => mod.instantiate({ host: {} }), /missing import host\.eBool/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const UTF8_WIT = `package t:utf8;
world w {
  export bad: func() -> string;
  export replacement: func() -> string;
}`;
const UTF8_WAT = `(module
  (memory (export "memory") 1)
  (data (i32.const 100) "\\ff\\fe")
  (data (i32.const 200) "\\ef\\bf\\bd")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "bad") (result i32)
    (i32.store (i32.const 8) (i32.const 100)) (i32.store (i32.const 12) (i32.const 2)) (i32.const 8))
  (func (export "replacement") (result i32)
    (i32.store (i32.const 8) (i32.const 200)) (i32.store (i32.const 12) (i32.const 3)) (i32.const 8))
)`;

Deno.test("lean glue traps on invalid UTF-8 from the component but keeps a real U+FFFD", async () => {
  const bytes = await watComponent(UTF8_WIT, UTF8_WAT);
  const { b, dir, mod } = await load(bytes, "auto");
  try {
    assert.equal(b.glue, "lean");
    assert.equal(b.ready, true);
    const inst = mod.instantiate() as Instance;
    assert.equal(inst.replacement(), "\uFFFD");
    assert.throws(() => inst.bad(), (e: Error & { code?: string }) => {
      assert.ok(e instanceof mod.ComponentError, "a trap is a ComponentError");
      assert.equal(e.code, "trap");
      assert.match(e.message, /component trap: invalid UTF-8/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// post-return and traps out of the component's own code, on a hand-written component: `get`
// returns a string its post-return then overwrites, and post-return counts its calls and keeps its
// argument; `boom(0)` executes `unreachable`; `bad-post`'s post-return traps.
const POST_WIT = `package t:post;
world w {
  export get: func(n: u32) -> string;
  export posts: func() -> u32;
  export last-arg: func() -> u32;
  export boom: func(x: u32) -> u32;
  export bad-post: func() -> u32;
}`;
const POST_WAT = `(module
  (memory (export "memory") 1)
  (global $posts (mut i32) (i32.const 0))
  (global $last (mut i32) (i32.const 0))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "get") (param $n i32) (result i32)
    (i32.store (i32.const 100) (i32.const 0x6c6c6568))
    (i32.store8 (i32.const 104) (i32.const 0x6f))
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (local.get $n))
    (i32.const 16))
  (func (export "cabi_post_get") (param $p i32)
    (global.set $posts (i32.add (global.get $posts) (i32.const 1)))
    (global.set $last (local.get $p))
    (memory.fill (i32.const 100) (i32.const 0) (i32.const 5)))
  (func (export "posts") (result i32) (global.get $posts))
  (func (export "last-arg") (result i32) (global.get $last))
  (func (export "boom") (param $x i32) (result i32)
    (if (i32.eqz (local.get $x)) (then unreachable))
    (local.get $x))
  (func (export "bad-post") (result i32) (i32.const 7))
  (func (export "cabi_post_bad-post") (param i32) unreachable)
)`;

Deno.test("post-return runs once per call, after the result is lifted, with the core result", async () => {
  const bytes = await watComponent(POST_WIT, POST_WAT);
  for (const glue of ["lean", "jco"] as const) {
    const { b, dir, mod } = await load(bytes, glue);
    try {
      assert.equal(b.glue, glue);
      const inst = mod.instantiate() as Instance;
      // Lifted before post-return overwrote the bytes; post-return saw the return area's address.
      assert.deepEqual(
        [inst.get(5), inst.posts(), inst.lastArg(), inst.get(3), inst.posts()],
        ["hello", 1, 16, "hel", 2],
        glue,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("lean glue: a trap in the component's code or its post-return is a ComponentError (trap)", async () => {
  const bytes = await watComponent(POST_WIT, POST_WAT);
  const { b, dir, mod } = await load(bytes, "auto");
  try {
    assert.equal(b.glue, "lean");
    const inst = mod.instantiate() as Instance;
    assert.equal(inst.boom(3), 3);
    assert.throws(() => inst.boom(0), (e: Error & { code?: string; cause?: unknown }) => {
      assert.ok(e instanceof mod.ComponentError, String(e));
      assert.equal(e.code, "trap");
      assert.match(e.message, /component trap: unreachable/);
      assert.ok(e.cause instanceof WebAssembly.RuntimeError, "the Wasm trap is the cause");
      return true;
    });
    // The instance is poisoned after a trap, as the component model requires.
    assert.throws(() => inst.boom(3), (e: Error & { code?: string }) => {
      assert.ok(e instanceof mod.ComponentError);
      assert.equal(e.code, "trap");
      assert.match(e.message, /trapped earlier/);
      return true;
    });
    const again = mod.instantiate() as Instance;
    assert.equal(again.boom(4), 4);
    assert.throws(() => again.badPost(), (e: Error & { code?: string }) => {
      assert.ok(e instanceof mod.ComponentError, String(e));
      assert.equal(e.code, "trap");
      return true;
    });
    assert.throws(() => again.posts(), /trapped earlier/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
