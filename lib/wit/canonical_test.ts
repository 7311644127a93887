import assert from "node:assert/strict";
import { canonicalInterface, canonicalWorld, parseWit, type Resolve } from "./mod.ts";

function worldOf(text: string, name = "w") {
  const { resolve, package: p } = parseWit(text);
  return { resolve, id: resolve.packages[p].worlds.get(name)! };
}

Deno.test("worlds that differ only in ids and order have equal canonical forms", () => {
  const a = worldOf(`package x:y;
interface types { type t = u32; resource r; }
world w { import types; import f: func(a: list<u8>) -> option<u32>; export g: func(); }`);
  const b = worldOf(`package x:y;
interface unused { type pad = list<u8>; }
interface types { resource r; type t = u32; }
world w { export g: func(); import f: func(a: list<u8>) -> option<u32>; import types; }`);
  assert.notDeepEqual(a.resolve.types.length, b.resolve.types.length);
  const ca = canonicalWorld(a.resolve, a.id), cb = canonicalWorld(b.resolve, b.id);
  assert.deepEqual(ca.imports.f, cb.imports.f);
  assert.deepEqual(ca.exports, cb.exports);
  assert.deepEqual(
    (ca.imports["x:y/types"] as { interface: { types: unknown } }).interface.types,
    (cb.imports["x:y/types"] as { interface: { types: unknown } }).interface.types,
  );
});

Deno.test("a changed parameter type changes the canonical form", () => {
  const a = worldOf("package x:y; world w { import f: func(a: list<u8>); }");
  const b = worldOf("package x:y; world w { import f: func(a: list<u16>); }");
  assert.notDeepEqual(canonicalWorld(a.resolve, a.id), canonicalWorld(b.resolve, b.id));
});

Deno.test("named types are referenced by owner and name, anonymous ones by structure", () => {
  const { resolve } = parseWit(`package x:y@1.0.0;
interface i { resource r { m: func() -> result<r, string>; } }`);
  const c = canonicalInterface(resolve, 0);
  assert.equal(c.id, "x:y/i@1.0.0");
  assert.deepEqual(c.types, { r: "resource" });
  assert.deepEqual(c.functions["[method]r.m"], {
    kind: "method",
    resource: "x:y/i@1.0.0.r",
    params: [["self", { borrow: "x:y/i@1.0.0.r" }]],
    result: { result: { ok: { own: "x:y/i@1.0.0.r" }, err: "string" } },
  });
});

Deno.test("docs and gates are left out unless asked for", () => {
  const text = "package x:y@1.0.0; /// doc\n@since(version = 1.0.0) interface i {}";
  const { resolve }: { resolve: Resolve } = parseWit(text);
  assert.deepEqual(canonicalInterface(resolve, 0), { id: "x:y/i@1.0.0", types: {}, functions: {} });
  assert.deepEqual(canonicalInterface(resolve, 0, { docs: true, stability: true }), {
    id: "x:y/i@1.0.0",
    types: {},
    functions: {},
    docs: "doc",
    stability: { kind: "stable", since: "1.0.0" },
  });
});
