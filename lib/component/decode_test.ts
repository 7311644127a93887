import assert from "node:assert/strict";
import { parse } from "@bytecodealliance/jco-transpile/wasm-tools";
import {
  ComponentDecodeError,
  decodeComponent,
  detectKind,
  validateComponent,
  walkSections,
} from "./mod.ts";
import { DEFAULT_LIMITS, typeWorkFor } from "./_limits.ts";
import { ByteWriter } from "./_writer.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

function bytes(...parts: number[]): Uint8Array {
  return new Uint8Array(parts);
}

function fails(
  input: Uint8Array,
  code: string,
  offset?: number,
  f: (b: Uint8Array) => unknown = decodeComponent,
): ComponentDecodeError {
  try {
    f(input);
  } catch (e) {
    assert.ok(e instanceof ComponentDecodeError, String(e));
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

const WORLD_WAT = `(component
  (import "blob" (type $blob (sub resource)))
  (type $own (own $blob))
  (type $borrow (borrow $blob))
  (type $ctor (func (param "init" (list u8)) (result $own)))
  (import "[constructor]blob" (func (type $ctor)))
  (type $read (func (param "self" $borrow) (param "n" u32) (result (list u8))))
  (import "[method]blob.read" (func (type $read)))
  (type $point (record (field "x" s32) (field "y" s32)))
  (import "point" (type $p (eq $point)))
  (type $dist (func (param "a" $p) (param "b" $p) (result f64)))
  (import "distance" (func (type $dist)))
  (import "logging" (instance
    (type $level (enum "debug" "info"))
    (export "level" (type $lv (eq $level)))
    (export "log" (func (param "level" $lv) (param "msg" string)))))
)`;

Deno.test("a component's world has its functions, resources, types and inline interfaces", async () => {
  const d = decodeComponent(await parse(WORLD_WAT));
  assert.equal(d.kind, "component");
  const r = d.resolve;
  const world = r.worlds[d.world!];
  assert.deepEqual([...world.imports.keys()], [
    "blob",
    "[constructor]blob",
    "[method]blob.read",
    "point",
    "distance",
    "logging",
  ]);
  const blob = world.imports.get("blob");
  assert.ok(blob?.tag === "type" && r.types[blob.id].kind.tag === "resource");
  const ctor = world.imports.get("[constructor]blob");
  assert.ok(ctor?.tag === "function");
  assert.deepEqual(ctor.func.kind, { tag: "constructor", resource: blob.id });
  const read = world.imports.get("[method]blob.read");
  assert.ok(read?.tag === "function" && read.func.kind.tag === "method");
  const self = r.types[read.func.params[0].type as number].kind;
  assert.deepEqual(self, { tag: "handle", handle: "borrow", resource: blob.id });
  const logging = world.imports.get("logging");
  assert.ok(logging?.tag === "interface");
  const iface = r.interfaces[logging.id];
  assert.equal(iface.name, undefined);
  assert.deepEqual([...iface.types.keys()], ["level"]);
  assert.deepEqual([...iface.functions.keys()], ["log"]);
  assert.deepEqual(d.imports.map((i) => i.kind), [
    "type",
    "func",
    "func",
    "type",
    "func",
    "instance",
  ]);
});

Deno.test("an exported type is valid but has no WIT world", async () => {
  const b = await parse(`(component (type $t u8) (export "t" (type $t)))`);
  assert.equal(validateComponent(b), "component");
  const e = fails(b, "not-representable");
  assert.match(e.message, /component export `t` was not a function or instance/);
});

Deno.test("the kind of a binary is told from its header and top level", async () => {
  assert.equal(detectKind(await parse(`(module)`)), "module");
  assert.equal(detectKind(await parse(`(component)`)), "component");
  const pkg = await parse(`(component
    (type (component (type (instance)) (export "a:b/i" (instance (type 0)))))
    (export "i" (type 0)))`);
  assert.equal(detectKind(pkg), "wit-package");
  assert.equal(decodeComponent(pkg).kind, "wit-package");
});

Deno.test("non-wasm, empty and unknown versions fail on the header", () => {
  fails(new TextEncoder().encode("hello world"), "not-wasm", 0, detectKind);
  fails(new Uint8Array(), "not-wasm", 0);
  fails(bytes(0x00, 0x61, 0x73), "unexpected-eof");
  fails(bytes(0x00, 0x61, 0x73, 0x6d, 0x0a, 0x00, 0x01, 0x01), "unknown-version", 4);
});

Deno.test("an unknown section id is refused with the grammar of wreg's errors", () => {
  const e = fails(bytes(...HEADER, 0x42, 0x00), "invalid-byte", 8);
  assert.equal(e.message, "Cannot decode component: unknown section id 0x42 (at offset 0x8)");
});

Deno.test("truncated sections and counts fail with unexpected-eof at the end of input", () => {
  fails(bytes(...HEADER, 0x07, 0x03, 0x00), "unexpected-eof");
  fails(bytes(...HEADER, 0x07, 0x04, 0xbf, 0x84, 0x3d, 0x73), "unexpected-eof");
});

Deno.test("indices out of range fail with the offset of the definition", () => {
  // type section: one type, (list <type 5>)
  fails(bytes(...HEADER, 0x07, 0x03, 0x01, 0x70, 0x05), "index-out-of-bounds", 11);
});

Deno.test("the lazy walker lists sections without reading their contents", async () => {
  const b = await parse(`(component (core module) (type u8) (export "x" (type 0)))`);
  const kinds = [...walkSections(b, DEFAULT_LIMITS)].map((s) => s.id);
  assert.deepEqual(kinds, [1, 7, 11]);
});

Deno.test("nested components and core modules are located by offset", async () => {
  const b = await parse(`(component
    (core module $m (func (export "f")))
    (component $c (import "x" (func)))
    (core instance (instantiate $m)))`);
  const d = decodeComponent(b);
  const ast = d.ast;
  assert.equal(ast.kind, "component");
  if (ast.kind !== "component") return;
  assert.equal(ast.modules.length, 1);
  assert.deepEqual(ast.modules[0].exports, [{ name: "f", kind: "func", index: 0 }]);
  const m = ast.modules[0].range;
  assert.deepEqual([...b.subarray(m.start, m.start + 8)], [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
  ]);
  assert.equal(ast.components.length, 1);
  assert.equal(ast.components[0].imports[0].name.name, "x");
  assert.equal(ast.spaces["core instance"].length, 1);
});

Deno.test("components nested deeper than the limit are refused", () => {
  let inner: Uint8Array = new Uint8Array(HEADER);
  for (let i = 0; i < 70; i++) {
    const w = new ByteWriter();
    w.bytes(new Uint8Array(HEADER)).section(4, inner);
    inner = w.finish();
  }
  fails(inner, "limit-exceeded");
  assert.equal(validateComponent(inner, { limits: { maxNestingDepth: 100 } }), "component");
});

Deno.test("inputs over the size limit are refused before parsing", () => {
  fails(
    bytes(...HEADER, 0, 0),
    "limit-exceeded",
    0,
    (b) => decodeComponent(b, { limits: { maxInputBytes: 9 } }),
  );
});

Deno.test("explosive instantiation is stopped by the type-work budget", async () => {
  // Each level instantiates the previous component twice and re-exports both instances; every
  // instantiation makes fresh resources, so the exported type doubles at every level.
  let wat = `(component $c0 (type $r (resource (rep i32))) (export "r" (type $r)))`;
  for (let i = 1; i <= 18; i++) {
    wat = `(component $c${i} ${wat}
      (instance $a (instantiate $c${i - 1}))
      (instance $b (instantiate $c${i - 1}))
      (export "a" (instance $a))
      (export "b" (instance $b)))`;
  }
  const b = await parse(wat);
  const e = fails(
    b,
    "limit-exceeded",
    undefined,
    (x) => validateComponent(x, { limits: { maxTypeWork: 20_000 } }),
  );
  assert.match(e.message, /type checking needs more than the limit/);
});

Deno.test("custom sections may be malformed and are then ignored", () => {
  const w = new ByteWriter();
  w.bytes(new Uint8Array(HEADER));
  w.section(0, new Uint8Array([0x09, ...new TextEncoder().encode("producers"), 0xff, 0xff]));
  const d = decodeComponent(w.finish());
  assert.equal(d.metadata.producers, undefined);
});

Deno.test("deeply shared anonymous types cost linear work, not exponential", async () => {
  // t(i) = result<t(i-1), t(i-1)>: 2^60 paths through 60 definitions.
  let wat = `(component (type $t0 (result u8 (error u8)))`;
  for (let i = 1; i <= 60; i++) wat += ` (type $t${i} (result $t${i - 1} (error $t${i - 1})))`;
  wat += ` (import "f" (func (param "x" $t60) (result $t60))))`;
  const b = await parse(wat);
  // Type checking counts its work (DecodeLimits.maxTypeWork): about two steps per definition
  // here, where walking every path would take 2^60.
  const d = decodeComponent(b, { limits: { maxTypeWork: 1_000 } });
  const f = d.resolve.worlds[d.world!].imports.get("f");
  assert.ok(f?.tag === "function");
  assert.equal(f.func.params[0].type, f.func.result);
  assert.equal(d.resolve.types.length, 61);
});

Deno.test("instantiating with a deeply shared type compares it in linear work", async () => {
  const chain = (p: string) => {
    let s = `(type $${p}0 (result u8 (error u8)))`;
    for (let i = 1; i <= 60; i++) {
      s += ` (type $${p}${i} (result $${p}${i - 1} (error $${p}${i - 1})))`;
    }
    return s;
  };
  const wat = `(component
    ${chain("a")}
    (import "f" (func $f (param "x" $a60)))
    (component $c ${chain("b")} (import "g" (func (param "x" $b60))))
    (instance (instantiate $c (with "g" (func $f)))))`;
  // Comparing the argument with the import walks each pair of definitions once (about six steps
  // per definition of the chain), not each of the 2^60 paths: well within this type-work budget.
  const b = await parse(wat);
  assert.equal(validateComponent(b, { limits: { maxTypeWork: 1_000 } }), "component");
});

Deno.test("with wit: false a component without a WIT world still decodes", async () => {
  const b = await parse(`(component (type $t u8) (export "t" (type $t)))`);
  const d = decodeComponent(b, { wit: false });
  assert.equal(d.kind, "component");
  assert.deepEqual(d.exports.map((e) => [e.name, e.kind]), [["t", "type"]]);
  assert.equal(d.resolve.worlds.length, 0);
});

Deno.test("WIT packages in the older v1 encoding (one `ns:pkg/wit` export) decode too", async () => {
  const b = await parse(`(component
    (type (component
      (type (instance (export "t" (type (sub resource)))))
      (import "dep:x/base@1.0.0" (instance (type 0)))
      (alias export 0 "t" (type))
      (type (instance
        (alias outer 1 1 (type))
        (export "t" (type (eq 0)))
        (type (own 1))
        (type (func (result 2)))
        (export "make" (func (type 3)))))
      (export "a:b/i@0.1.0" (instance (type 2)))
      (type (component
        (type (instance (export "run" (func))))
        (export "a:b/i2@0.1.0" (instance (type 0)))))
      (export "a:b/w@0.1.0" (component (type 3)))))
    (export "a:b/wit@0.1.0" (type 0)))`);
  const d = decodeComponent(b);
  assert.equal(d.kind, "wit-package");
  const r = d.resolve;
  const p = r.packages[d.package!];
  assert.deepEqual(p.name, { namespace: "a", name: "b", version: "0.1.0" });
  // `i2` is only named by the world; like wit-parser, it joins the package before `i`.
  assert.deepEqual([...p.interfaces.keys()], ["i2", "i"]);
  assert.deepEqual([...p.worlds.keys()], ["w"]);
  const i = r.interfaces[p.interfaces.get("i")!];
  const t = r.types[i.types.get("t")!];
  assert.equal(t.kind.tag, "type");
  assert.ok(r.packageNames.has("dep:x@1.0.0"));
});

function componentArgumentWat(providedParam: string): string {
  return `(component
    (component $needs
      (import "c" (component (export "f" (func (param "x" u32))))))
    (component $provides
      (core module $m (func (export "f") (param ${providedParam === "s64" ? "i64" : "i32"})))
      (core instance $i (instantiate $m))
      (func $f (param "x" ${providedParam}) (canon lift (core func $i "f")))
      (export "f" (func $f)))
    (instance (instantiate $needs (with "c" (component $provides)))))`;
}

Deno.test("a component argument must match the imported component type, not only its names", async () => {
  // Same export name, same parameter type: accepted.
  assert.equal(decodeComponent(await parse(componentArgumentWat("u32"))).kind, "component");
  // Same export name, different parameter type: refused, as wasm-tools refuses it.
  const bad = await parse(componentArgumentWat("s64"));
  assert.throws(
    () => decodeComponent(bad),
    (e: unknown) => e instanceof ComponentDecodeError && /mismatch.*`f`/.test(e.message),
  );
});

Deno.test("millions of tiny definitions are refused before they are allocated (issue 17 #6)", () => {
  // 16 sibling nested components, each a type section of a million `bool` types: 16 MB that
  // took 23 s and 2.7 GB before the type-work limit refused it. The syntax-item count stops at
  // the first section's count, before one definition is made.
  const million = 1_000_000;
  const types = new ByteWriter(million + 8).u32(million);
  for (let i = 0; i < million; i++) types.u8(0x7f);
  const nested = new ByteWriter().bytes(new Uint8Array(HEADER)).section(7, types.finish()).finish();
  const outer = new ByteWriter(17 * nested.length);
  outer.bytes(new Uint8Array(HEADER));
  for (let i = 0; i < 16; i++) outer.section(4, nested);
  const bomb = outer.finish();
  // The first nested component's contents start after the outer header, the section id and its
  // size (3 LEB128 bytes); its type section's count follows its header, section id and size.
  const firstCount = 8 + 1 + 3 + 8 + 1 + 3;
  for (const f of [decodeComponent, validateComponent, detectKind]) {
    const e = fails(bomb, "limit-exceeded", firstCount, f);
    assert.match(e.message, /more than the limit of 500000 items of component syntax/);
  }
  // The same shape within the limit decodes.
  const small = new ByteWriter(1000).u32(1000);
  for (let i = 0; i < 1000; i++) small.u8(0x7f);
  const ok = new ByteWriter().bytes(new Uint8Array(HEADER)).section(
    4,
    new ByteWriter().bytes(new Uint8Array(HEADER)).section(7, small.finish()).finish(),
  ).finish();
  assert.equal(validateComponent(ok), "component");
  fails(
    ok,
    "limit-exceeded",
    undefined,
    (b) => validateComponent(b, { limits: { maxSyntaxItems: 999 } }),
  );
});

Deno.test("the type-work budget is scaled to the input's size (issue 17 #6)", async () => {
  // The explosive instantiation above, under the default limits: a few kilobytes get
  // 100,000 + 16 steps per byte, not the 2,000,000 a large input may use.
  let wat = `(component $c0 (type $r (resource (rep i32))) (export "r" (type $r)))`;
  for (let i = 1; i <= 18; i++) {
    wat = `(component $c${i} ${wat}
      (instance $a (instantiate $c${i - 1}))
      (instance $b (instantiate $c${i - 1}))
      (export "a" (instance $a))
      (export "b" (instance $b)))`;
  }
  const b = await parse(wat);
  const e = fails(b, "limit-exceeded", undefined, validateComponent);
  assert.match(e.message, new RegExp(`limit of ${100_000 + 16 * b.length} steps`));
  assert.equal(typeWorkFor(DEFAULT_LIMITS, 10), 100_160);
  assert.equal(typeWorkFor(DEFAULT_LIMITS, 64 * 1024 * 1024), DEFAULT_LIMITS.maxTypeWork);
});

Deno.test("a component with more exports than the limit is refused as a limit (issue 17 #16)", () => {
  // 200,000 exports of one type: wreg inspect ended with an internal error (exit 70).
  const n = 200_000;
  const label = (i: number) => `e${i.toString(26).replace(/[0-9]/g, (d) => "qrstuvwxyz"[+d])}`;
  const exports = new ByteWriter(n * 10).u32(n);
  for (let i = 0; i < n; i++) exports.u8(0x00).name(label(i)).u8(0x03).u32(0).u8(0x00);
  const w = new ByteWriter().bytes(new Uint8Array(HEADER));
  w.section(7, new ByteWriter().u32(1).u8(0x7f).finish());
  w.section(11, exports.finish());
  const e = fails(w.finish(), "limit-exceeded");
  assert.match(e.message, /more than the limit of 100000 exports/);
});
