/**
 * lib/compose on small components written in WAT: chains, matching by semver, ambiguity and
 * choices, type-check refusals with their messages, cycles, determinism, deduplication and the
 * `wreg:composed-from` section. Every composed result that should run is run in wasmtime.
 */
import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import { decodeComponent } from "../lib/component/mod.ts";
import { digestOf } from "../lib/names/mod.ts";
import { callComponent } from "./support/wasmtime.ts";
import { wasmToolsValidate } from "./support/wasm_tools.ts";
import { runInDeno } from "./compose_support.ts";
import {
  COMPOSED_FROM_SECTION,
  ComposeError,
  type ComposeErrorCode,
  CompositionGraph,
  decodeComposedFrom,
  encodeComposedFrom,
  matchName,
  mergeKey,
  parseComposedFrom,
  plug,
} from "../lib/compose/mod.ts";

/** A component exporting instance `name` with `get: func(<param>) -> u32` returning `value`. */
function leaf(name: string, value: number, param?: "u32" | "s64"): Promise<Uint8Array> {
  const core = param === undefined ? "" : `(param ${param === "u32" ? "i32" : "i64"})`;
  const wit = param === undefined ? "" : `(param "x" ${param})`;
  return parse(`(component
    (core module $m (func (export "get") ${core} (result i32) i32.const ${value}))
    (core instance $i (instantiate $m))
    (func $get ${wit} (result u32) (canon lift (core func $i "get")))
    (instance $inst (export "get" (func $get)))
    (export "${name}" (instance $inst)))`);
}

/** A component importing `from` (get) and exporting `name` whose get adds `add` to it. */
function middle(name: string, from: string, add: number): Promise<Uint8Array> {
  return parse(`(component
    (import "${from}" (instance $b (export "get" (func (result u32)))))
    (alias export $b "get" (func $bget))
    (core func $low (canon lower (func $bget)))
    (core instance $bi (export "get" (func $low)))
    (core module $m
      (import "b" "get" (func $g (result i32)))
      (func (export "get") (result i32) call $g i32.const ${add} i32.add))
    (core instance $i (instantiate $m (with "b" (instance $bi))))
    (func $get (result u32) (canon lift (core func $i "get")))
    (instance $inst (export "get" (func $get)))
    (export "${name}" (instance $inst)))`);
}

/** A component importing `from` and exporting `run: func() -> u32` that returns its get. */
function socket(from: string, param?: "u32"): Promise<Uint8Array> {
  const wit = param === undefined ? "" : `(param "x" u32)`;
  const core = param === undefined ? "" : "(param i32)";
  const arg = param === undefined ? "" : "i32.const 1";
  return parse(`(component
    (import "${from}" (instance $a (export "get" (func ${wit} (result u32)))))
    (alias export $a "get" (func $aget))
    (core func $low (canon lower (func $aget)))
    (core instance $ai (export "get" (func $low)))
    (core module $m
      (import "a" "get" (func $g ${core} (result i32)))
      (func (export "run") (result i32) ${arg} call $g))
    (core instance $i (instantiate $m (with "a" (instance $ai))))
    (func $run (result u32) (canon lift (core func $i "run")))
    (export "run" (func $run)))`);
}

function rejectsWith(code: ComposeErrorCode, pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof ComposeError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

function nested(bytes: Uint8Array): number {
  const ast = decodeComponent(bytes).checked!.ast;
  return ast.kind === "component" ? ast.components.length : -1;
}

Deno.test("a chain socket ← a ← b composes in one call, whatever the order of the plugs", async () => {
  const s = await socket("test:c/a"), a = await middle("test:c/a", "test:c/b", 2);
  const b = await leaf("test:c/b", 40);
  for (const plugs of [[a, b], [b, a]]) {
    const r = await plug(
      { bytes: s, label: "s" },
      plugs.map((bytes) => ({
        bytes,
        label: bytes === a ? "a" : "b",
      })),
    );
    assert.deepEqual(r.fills.map((f) => `${f.consumer}.${f.import} <- ${f.plug}`), [
      "s.test:c/a <- a",
      "a.test:c/b <- b",
    ]);
    assert.deepEqual(r.imports, []);
    assert.equal(await wasmToolsValidate(r.bytes), undefined);
    assert.equal((await callComponent(r.bytes, "run")).result, 42);
  }
});

Deno.test("a plug fills an import of the same interface at another version of its series, lower too", async () => {
  assert.equal(matchName("a:b/c@1.0.0", "a:b/c@1.2.0"), "compatible");
  assert.equal(matchName("a:b/c@1.2.0", "a:b/c@1.0.0"), "compatible");
  assert.equal(matchName("a:b/c@1.0.0", "a:b/c@2.0.0"), undefined);
  assert.equal(matchName("a:b/c@0.2.1", "a:b/c@0.2.5"), "compatible");
  assert.equal(matchName("a:b/c@0.2.1", "a:b/c@0.3.0"), undefined);
  assert.equal(matchName("a:b/c@0.0.1", "a:b/c@0.0.2"), undefined);
  assert.equal(matchName("a:b/c@1.0.0-rc.1", "a:b/c@1.0.0"), undefined);
  assert.equal(matchName("a:b/c", "a:b/c"), "exact");
  assert.equal(matchName("a:b/c", "a:b/c@1.0.0"), undefined);
  assert.equal(mergeKey("wasi:io/error@0.2.3"), mergeKey("wasi:io/error@0.2.6"));
  assert.notEqual(mergeKey("wasi:io/error@0.2.3"), mergeKey("wasi:io/error@0.3.0"));

  const s = await socket("test:c/a@1.0.0");
  const fits = await plug({ bytes: s, label: "s" }, [{
    bytes: await leaf("test:c/a@1.2.0", 7),
    label: "p",
  }]);
  assert.deepEqual(fits.fills.map((f) => f.export), ["test:c/a@1.2.0"]);
  assert.equal((await callComponent(fits.bytes, "run")).result, 7);
  // A near miss names the import and the export and says why they do not match (issue 17,
  // item 20: before, only "p2 fills no import of s").
  const misses: [Uint8Array, string, RegExp][] = [
    [s, "test:c/a@2.0.0", /2\.0\.0 is another major version than 1\.0\.0$/],
    [s, "test:c/a@0.9.0", /0\.9\.0 is another major version than 1\.0\.0$/],
    [s, "test:c/a", /the export names no version$/],
    [
      await socket("test:c/a@0.2.0"),
      "test:c/a@0.3.0",
      /0\.3\.0 and 0\.2\.0 are in different 0\.x series \(0\.3 and 0\.2\)/,
    ],
    [
      await socket("test:c/a@1.0.0-rc.1"),
      "test:c/a@1.0.0",
      /a pre-release is filled only by its own version/,
    ],
  ];
  for (const [sock, exported, why] of misses) {
    const wanted = /import `(test:c\/a[^`]*)`/;
    await assert.rejects(
      () => plug({ bytes: sock, label: "s" }, [{ bytes: leaf2.get(exported)!, label: "p2" }]),
      rejectsWith(
        "unused-plug",
        /^Cannot compose: p2 fills no import of s: its export `[^`]+` nearly matches import `[^`]+` of s, but /,
      ),
    );
    const e = await plug({ bytes: sock, label: "s" }, [{
      bytes: leaf2.get(exported)!,
      label: "p2",
    }]).catch((e) => e);
    assert.match(e.message, why);
    assert.ok(e.message.includes(`its export \`${exported}\``), e.message);
    assert.ok(wanted.test(e.message), e.message);
    assert.equal(e.message.split("Cannot").length, 2, "says Cannot once");
  }
  // Nothing like it: the plain message.
  await assert.rejects(
    () =>
      plug({ bytes: s, label: "s" }, [{ bytes: leaf2.get("test:other/x@1.0.0")!, label: "p2" }]),
    rejectsWith("unused-plug", /^Cannot compose: p2 fills no import of s$/),
  );
  // A lower version of the series: the types decide (as wasmtime links): this one fits…
  const lower = await plug({ bytes: await socket("test:c/a@1.3.0"), label: "s" }, [{
    bytes: await leaf("test:c/a@1.0.0", 9),
    label: "p",
  }]);
  assert.deepEqual(lower.fills.map((f) => f.export), ["test:c/a@1.0.0"]);
  assert.deepEqual(lower.imports, []);
  assert.equal((await callComponent(lower.bytes, "run")).result, 9);
  // …and one whose function differs is refused, never skipped.
  await assert.rejects(
    async () =>
      await plug({ bytes: await socket("test:c/a@1.3.0", "u32"), label: "s" }, [{
        bytes: await leaf("test:c/a@1.0.0", 9),
        label: "p",
      }]),
    rejectsWith(
      "type-mismatch",
      /export `test:c\/a@1\.0\.0` .* cannot fill import `test:c\/a@1\.3\.0`/,
    ),
  );
});
const leaf2 = new Map<string, Uint8Array>();
for (
  const name of [
    "test:c/a@2.0.0",
    "test:c/a@0.9.0",
    "test:c/a",
    "test:c/a@1.0.0",
    "test:c/a@0.3.0",
    "test:other/x@1.0.0",
  ]
) {
  leaf2.set(name, await leaf(name, 7));
}

Deno.test("within one plug the exact name wins, then the highest version of the series", async () => {
  const two = await parse(`(component
    (core module $m
      (func (export "one") (result i32) i32.const 1)
      (func (export "three") (result i32) i32.const 3)
      (func (export "five") (result i32) i32.const 5))
    (core instance $i (instantiate $m))
    (func $one (result u32) (canon lift (core func $i "one")))
    (func $three (result u32) (canon lift (core func $i "three")))
    (func $five (result u32) (canon lift (core func $i "five")))
    (instance $a (export "get" (func $one)))
    (instance $b (export "get" (func $three)))
    (instance $c (export "get" (func $five)))
    (export "test:c/a@0.2.1" (instance $a))
    (export "test:c/a@0.2.3" (instance $b))
    (export "test:c/a@0.2.5" (instance $c)))`);
  const exact = await plug({ bytes: await socket("test:c/a@0.2.3"), label: "s" }, [{ bytes: two }]);
  assert.equal((await callComponent(exact.bytes, "run")).result, 3);
  const highest = await plug({ bytes: await socket("test:c/a@0.2.2"), label: "s" }, [{
    bytes: two,
  }]);
  assert.equal((await callComponent(highest.bytes, "run")).result, 5);
  // Above every export of the series: the highest still (lower versions fill too).
  const above = await plug({ bytes: await socket("test:c/a@0.2.9"), label: "s" }, [{
    bytes: two,
  }]);
  assert.equal((await callComponent(above.bytes, "run")).result, 5);
});

Deno.test("two plugs exporting one interface are refused, naming both, unless one is chosen", async () => {
  const s = await socket("test:c/a");
  const p1 = { bytes: await leaf("test:c/a", 1), label: "one.wasm" };
  const p2 = { bytes: await leaf("test:c/a", 2), label: "two.wasm", package: "t:two" };
  await assert.rejects(
    () => plug({ bytes: s, label: "s.wasm" }, [p1, p2]),
    rejectsWith(
      "ambiguous-plug",
      /import `test:c\/a` of s\.wasm can be filled by one\.wasm \(export `test:c\/a`\) and two\.wasm \(export `test:c\/a`\): choose one/,
    ),
  );
  const byLabel = await plug({ bytes: s, label: "s.wasm" }, [p1, p2], {
    choose: (_c, name) => name === "test:c/a" ? "one.wasm" : undefined,
    allowUnusedPlugs: true,
  });
  assert.equal((await callComponent(byLabel.bytes, "run")).result, 1);
  assert.deepEqual(byLabel.unused, ["two.wasm"]);
  const byPackage = await plug({ bytes: s, label: "s.wasm" }, [p1, p2], {
    choose: () => "t:two",
    allowUnusedPlugs: true,
  });
  assert.equal((await callComponent(byPackage.bytes, "run")).result, 2);
  await assert.rejects(
    () => plug({ bytes: s }, [p1, p2], { choose: () => "three.wasm" }),
    rejectsWith("invalid-choice", /three\.wasm/),
  );
});

Deno.test("a plug whose function takes another parameter type is refused with import, function, expected and found", async () => {
  const s = await socket("test:c/a", "u32");
  const bad = await leaf("test:c/a", 1, "s64");
  await assert.rejects(
    () => plug({ bytes: s, label: "socket.wasm" }, [{ bytes: bad, label: "bad.wasm" }]),
    (e: unknown) => {
      assert.ok(e instanceof ComposeError && e.code === "type-mismatch", String(e));
      assert.equal(
        e.message,
        "Cannot compose: export `test:c/a` of the instance of bad.wasm cannot fill import " +
          "`test:c/a` of socket.wasm: test:c/a.get.x: expected u32, found s64 (parameter type " +
          "changed; function types must be equal)",
      );
      assert.deepEqual(
        { path: e.mismatch?.path, expected: e.mismatch?.expected, found: e.mismatch?.found },
        { path: "test:c/a.get.x", expected: "u32", found: "s64" },
      );
      return true;
    },
  );
  // A missing function is refused the same way.
  const empty = await parse(`(component (instance $i) (export "test:c/a" (instance $i)))`);
  await assert.rejects(
    () => plug({ bytes: s, label: "socket.wasm" }, [{ bytes: empty, label: "empty.wasm" }]),
    rejectsWith(
      "type-mismatch",
      /test:c\/a\.get: expected get: func\(x: u32\) -> u32, found nothing/,
    ),
  );
});

Deno.test("plugs that need each other are refused as a cycle", async () => {
  const s = await socket("test:c/a");
  const a = await middle("test:c/a", "test:c/b", 1);
  const b = await middle("test:c/b", "test:c/a", 1);
  await assert.rejects(
    () => plug({ bytes: s, label: "s" }, [{ bytes: a, label: "a" }, { bytes: b, label: "b" }]),
    rejectsWith(
      "cycle",
      /export `test:c\/a` of the instance of a cannot fill import `test:c\/a` of b/,
    ),
  );
});

Deno.test("the same inputs give the same bytes, and identical components are embedded once", async () => {
  const s = await socket("test:c/a"), a = await middle("test:c/a", "test:c/b", 2);
  const b = await leaf("test:c/b", 40);
  const once = await plug({ bytes: s }, [{ bytes: a }, { bytes: b }]);
  const twice = await plug({ bytes: s }, [{ bytes: a }, { bytes: b }]);
  assert.deepEqual(once.bytes, twice.bytes);
  assert.equal(nested(once.bytes), 3);

  // Two instances of one definition (and the same bytes registered twice): one nested component.
  const g = new CompositionGraph();
  const d1 = await g.addComponent(b, { label: "b" });
  const d2 = await g.addComponent(b.slice(), { label: "b again" });
  assert.equal(d1, d2);
  assert.equal(g.definitions.length, 1);
  const i1 = g.instantiate(d1), i2 = g.instantiate(d2);
  g.export(g.aliasExport(i1, "test:c/b"), "test:c/b");
  g.export(g.aliasExport(i2, "test:c/b"), "test:c/b@1.0.0");
  const bytes = g.encode();
  assert.equal(nested(bytes), 1);
  assert.equal(decodeComponent(bytes).exports.length, 2);
  assert.equal(await wasmToolsValidate(bytes), undefined);
});

Deno.test("the graph refuses wrong edges with stable codes", async () => {
  const g = new CompositionGraph();
  const s = await g.addComponent(await socket("test:c/a"), { label: "s" });
  const b = await g.addComponent(await leaf("test:c/b", 1), { label: "b" });
  const si = g.instantiate(s), bi = g.instantiate(b);
  const get = g.aliasExport(g.aliasExport(bi, "test:c/b"), "get");
  assert.throws(
    () => g.setArgument(si, "test:c/a", get),
    rejectsWith("kind-mismatch", /expected an instance, found a function/),
  );
  assert.throws(() => g.setArgument(si, "nope", bi), rejectsWith("unknown-import"));
  assert.throws(() => g.setArgument(get, "x", bi), rejectsWith("not-instantiation"));
  assert.throws(() => g.aliasExport(get, "x"), rejectsWith("not-an-instance"));
  assert.throws(() => g.aliasExport(bi, "nope"), rejectsWith("export-missing"));
  assert.throws(() => g.export(bi, "Not Valid"), rejectsWith("invalid-name"));
  g.export(bi, "b");
  assert.throws(() => g.export(si, "b"), rejectsWith("export-already-exists"));
  g.addImport("x", { definition: s, import: "test:c/a" });
  assert.throws(
    () => g.addImport("x", { definition: s, import: "test:c/a" }),
    rejectsWith("import-already-exists"),
  );
  const module = await parse("(module)");
  await assert.rejects(() => g.addComponent(module), rejectsWith("not-a-component"));
  await assert.rejects(
    () => g.addComponent(new Uint8Array([0, 97, 115, 109, 13, 0, 1, 0, 99])),
    rejectsWith("invalid-component"),
  );
  const other = await leaf("test:c/b", 2);
  await g.addComponent(await leaf("test:c/b", 3), { package: "t:b", version: "1.0.0" });
  await assert.rejects(
    () => g.addComponent(other, { package: "t:b", version: "1.0.0" }),
    rejectsWith("package-already-registered"),
  );
});

Deno.test("wreg:composed-from records each component and fill, and reads back", async () => {
  const s = await socket("test:c/a"), a = await middle("test:c/a", "test:c/b", 2);
  const b = await leaf("test:c/b", 40);
  const r = await plug({ bytes: s, package: "t:s", version: "1.0.0" }, [
    { bytes: a, package: "t:a", version: "0.2.0" },
    { bytes: b },
  ]);
  const record = decodeComposedFrom(r.bytes)!;
  assert.deepEqual(record, r.composedFrom);
  assert.deepEqual(record, {
    format: 1,
    components: [
      { package: "t:s", version: "1.0.0", digest: await digestOf(s) },
      { package: "t:a", version: "0.2.0", digest: await digestOf(a) },
      { package: null, version: null, digest: await digestOf(b) },
    ],
    fills: [
      { into: 0, import: "test:c/a", by: 1, export: "test:c/a" },
      { into: 1, import: "test:c/b", by: 2, export: "test:c/b" },
    ],
  });
  assert.equal(
    new TextDecoder().decode(encodeComposedFrom(record)),
    JSON.stringify(record),
    "the payload is compact JSON in the documented key order",
  );
  assert.equal(decodeComposedFrom(s), undefined);
  assert.equal(COMPOSED_FROM_SECTION, "wreg:composed-from");
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  for (
    const bad of [
      new TextEncoder().encode("{"),
      enc({ format: 2, components: [], fills: [] }),
      enc({
        format: 1,
        components: [{ package: null, version: null, digest: "md5:x" }],
        fills: [],
      }),
      enc({ format: 1, components: [], fills: [{ into: 0, import: "x", by: 0, export: null }] }),
    ]
  ) {
    assert.throws(() => parseComposedFrom(bad), rejectsWith("invalid-composed-from"));
  }
});

Deno.test("imports nothing fills become imports of the result, merged across compatible versions", async () => {
  // Two components import the same interface at 0.2.1 and 0.2.4, each needing another function.
  const user = (version: string, fn: string) =>
    parse(`(component
      (import "test:c/log@${version}" (instance $l (export "${fn}" (func (param "x" u32)))))
      (alias export $l "${fn}" (func $f))
      (core func $low (canon lower (func $f)))
      (core instance $li (export "f" (func $low)))
      (core module $m (import "l" "f" (func $g (param i32)))
        (func (export "run") (result i32) i32.const 5 call $g i32.const 0))
      (core instance $i (instantiate $m (with "l" (instance $li))))
      (func $run (result u32) (canon lift (core func $i "run")))
      (instance $inst (export "get" (func $run)))
      (export "test:c/${fn}" (instance $inst)))`);
  const g = new CompositionGraph();
  const u1 = g.instantiate(await g.addComponent(await user("0.2.1", "info"), { label: "u1" }));
  const u2 = g.instantiate(await g.addComponent(await user("0.2.4", "warn"), { label: "u2" }));
  g.export(g.aliasExport(u1, "test:c/info"), "test:c/info");
  g.export(g.aliasExport(u2, "test:c/warn"), "test:c/warn");
  const r = g.encodeWithInfo();
  assert.deepEqual(r.imports, ["test:c/log@0.2.4"]);
  const d = decodeComponent(r.bytes);
  const world = d.resolve.worlds[d.world!];
  const log = [...world.imports.values()][0];
  assert.ok(log.tag === "interface");
  assert.deepEqual([...d.resolve.interfaces[log.id].functions.keys()], ["warn", "info"]);
  const run = await callComponent(r.bytes, "test:c/info#get", [], {
    host: { "test:c/log@0.2.4": { info: {}, warn: {} } },
  });
  assert.deepEqual(run.hostCalls, [{ import: "test:c/log@0.2.4#info", args: [5] }]);

  // The same function with another type cannot merge.
  const clash = new CompositionGraph();
  clash.instantiate(await clash.addComponent(await user("0.2.1", "info"), { label: "u1" }));
  clash.instantiate(
    await clash.addComponent(
      await parse(
        `(component (import "test:c/log@0.2.2" (instance (export "info" (func (param "x" string))))))`,
      ),
      { label: "u3" },
    ),
  );
  assert.throws(
    () => clash.encode(),
    rejectsWith(
      "import-conflict",
      /^Cannot compose: u3 and u1 both import `test:c\/log@0\.2\.2` but disagree on info\.x: u1 expects u32, u3 expects string$/,
    ),
  );
});

Deno.test("type imports and types-only interfaces are never plugged: exports keep naming them", async () => {
  const s = await parse(`(component
    (import "test:c/types" (instance $t
      (type $rr (record (field "a" u32)))
      (export "r" (type (eq $rr)))))
    (alias export $t "r" (type $r0))
    (import "r" (type $r (eq $r0)))
    (core module $m (func (export "run") (param i32) (result i32) local.get 0))
    (core instance $i (instantiate $m))
    (func $run (param "x" $r) (result u32) (canon lift (core func $i "run")))
    (export "run" (func $run)))`);
  const types = await parse(`(component
    (type $rr (record (field "a" u32)))
    (export $re "r" (type $rr))
    (instance $i (export "r" (type $re)))
    (export "test:c/types" (instance $i)))`);
  await assert.rejects(
    () => plug({ bytes: s, label: "s" }, [{ bytes: types, label: "types" }]),
    rejectsWith("unused-plug", /types fills no import of s/),
  );
  const r = await plug({ bytes: s }, [{ bytes: types }], { allowUnusedPlugs: true });
  assert.deepEqual(r.imports, ["test:c/types", "r"]);
  assert.equal((await callComponent(r.bytes, "run", [{ a: 5 }])).result, 5);
});

/** A component defining resource `counter` in `test:r/counter` (a shim names it, as wit-component does). */
const COUNTER = `(component
  (type $counter (resource (rep i32)))
  (core func $new (canon resource.new $counter))
  (core instance $ri (export "new" (func $new)))
  (core module $m
    (import "r" "new" (func $new (param i32) (result i32)))
    (memory 1)
    (global $next (mut i32) (i32.const 0))
    (func (export "ctor") (param $start i32) (result i32) (local $addr i32)
      global.get $next i32.const 4 i32.mul i32.const 16 i32.add local.set $addr
      global.get $next i32.const 1 i32.add global.set $next
      local.get $addr local.get $start i32.store
      local.get $addr call $new)
    (func (export "next") (param $rep i32) (result i32)
      local.get $rep local.get $rep i32.load i32.const 1 i32.add i32.store
      local.get $rep i32.load))
  (core instance $i (instantiate $m (with "r" (instance $ri))))
  (func $ctor (param "start" u32) (result (own $counter)) (canon lift (core func $i "ctor")))
  (func $next (param "self" (borrow $counter)) (result u32) (canon lift (core func $i "next")))
  (component $shim
    (import "import-type-counter" (type $t (sub resource)))
    (import "import-ctor" (func $c (param "start" u32) (result (own $t))))
    (import "import-next" (func $n (param "self" (borrow $t)) (result u32)))
    (export $te "counter" (type $t))
    (export "[constructor]counter" (func $c) (func (param "start" u32) (result (own $te))))
    (export "[method]counter.next" (func $n) (func (param "self" (borrow $te)) (result u32))))
  (instance $inst (instantiate $shim
    (with "import-type-counter" (type $counter))
    (with "import-ctor" (func $ctor))
    (with "import-next" (func $next))))
  (export "test:r/counter" (instance $inst)))`;

/** A component using `test:r/counter`: `run` makes a counter at 40, steps it twice, drops it. */
const COUNTER_USER = `(component
  (import "test:r/counter" (instance $c
    (export "counter" (type $t (sub resource)))
    (export "[constructor]counter" (func (param "start" u32) (result (own $t))))
    (export "[method]counter.next" (func (param "self" (borrow $t)) (result u32)))))
  (alias export $c "counter" (type $counter))
  (alias export $c "[constructor]counter" (func $ctor))
  (alias export $c "[method]counter.next" (func $next))
  (core func $ctor_l (canon lower (func $ctor)))
  (core func $next_l (canon lower (func $next)))
  (core func $drop (canon resource.drop $counter))
  (core instance $ci (export "ctor" (func $ctor_l)) (export "next" (func $next_l)) (export "drop" (func $drop)))
  (core module $m
    (import "c" "ctor" (func $ctor (param i32) (result i32)))
    (import "c" "next" (func $next (param i32) (result i32)))
    (import "c" "drop" (func $drop (param i32)))
    (func (export "run") (result i32) (local $h i32) (local $v i32)
      i32.const 40 call $ctor local.set $h
      local.get $h call $next drop
      local.get $h call $next local.set $v
      local.get $h call $drop
      local.get $v))
  (core instance $i (instantiate $m (with "c" (instance $ci))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (export "run" (func $run)))`;

Deno.test("a resource defined by a plug flows into the socket's import and works, in wasmtime and Deno", async () => {
  const r = await plug({ bytes: await parse(COUNTER_USER), label: "user" }, [{
    bytes: await parse(COUNTER),
    label: "counter",
  }]);
  assert.deepEqual(r.imports, []);
  assert.deepEqual(r.fills.map((f) => f.import), ["test:r/counter"]);
  assert.equal(await wasmToolsValidate(r.bytes), undefined);
  assert.equal((await callComponent(r.bytes, "run")).result, 42);
  assert.deepEqual((await runInDeno(r.bytes, [{ path: ["run"] }])).results, [42]);
});
