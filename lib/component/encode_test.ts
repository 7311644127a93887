import assert from "node:assert/strict";
import {
  canonicalInterface,
  canonicalWorld,
  emptyResolve,
  type Function as WitFunction,
  type InterfaceId,
  type Resolve,
  type TypeDefKind,
  type TypeOwner,
  UNKNOWN_STABILITY,
} from "../wit/mod.ts";
import { ComponentEncodeError, decodeComponent, encodeWitPackage, encodeWorldType } from "./mod.ts";
import { ByteWriter } from "./_writer.ts";
import { runWasmTools } from "../../tests/support/wasm_tools.ts";

/** Builds `a:b@1.0.0` by hand: interfaces `types` and `api`, world `w`. */
function model(): Resolve {
  const r = emptyResolve();
  r.packages.push({
    name: { namespace: "a", name: "b", version: "1.0.0" },
    interfaces: new Map(),
    worlds: new Map(),
  });
  r.packageNames.set("a:b@1.0.0", 0);
  const iface = (name: string): InterfaceId => {
    r.interfaces.push({
      name,
      types: new Map(),
      functions: new Map(),
      stability: UNKNOWN_STABILITY,
      package: 0,
    });
    r.packages[0].interfaces.set(name, r.interfaces.length - 1);
    return r.interfaces.length - 1;
  };
  const type = (kind: TypeDefKind, owner: TypeOwner = null, name?: string): number => {
    r.types.push({ kind, owner, stability: UNKNOWN_STABILITY, ...(name ? { name } : {}) });
    const id = r.types.length - 1;
    if (name && owner && "interface" in owner) r.interfaces[owner.interface].types.set(name, id);
    return id;
  };
  const fn = (owner: InterfaceId, f: Omit<WitFunction, "stability">) =>
    r.interfaces[owner].functions.set(f.name, { ...f, stability: UNKNOWN_STABILITY });

  const types = iface("types");
  const o = { interface: types };
  const res = type({ tag: "resource" }, o, "res");
  type(
    { tag: "record", fields: [{ name: "x", type: "s32" }, { name: "y", type: "s32" }] },
    o,
    "point",
  );
  const color = type({ tag: "enum", cases: [{ name: "red" }, { name: "green" }] }, o, "color");
  type({ tag: "flags", flags: [{ name: "read" }, { name: "write" }] }, o, "perms");
  const bytes = type({ tag: "list", element: "u8" });
  const err = type(
    { tag: "variant", cases: [{ name: "gone" }, { name: "other", type: "string" }] },
    o,
    "error",
  );
  type({ tag: "type", type: "u64" }, o, "size");
  const own = type({ tag: "handle", handle: "own", resource: res });
  const borrow = type({ tag: "handle", handle: "borrow", resource: res });
  const result = type({ tag: "result", ok: bytes, err });
  fn(types, {
    name: "[constructor]res",
    kind: { tag: "constructor", resource: res },
    params: [],
    result: own,
  });
  fn(types, {
    name: "[method]res.read",
    kind: { tag: "method", resource: res },
    params: [{ name: "self", type: borrow }, { name: "n", type: "u32" }],
    result,
  });
  fn(types, {
    name: "[static]res.open",
    kind: { tag: "static", resource: res },
    params: [{ name: "c", type: color }],
    result: own,
  });
  const stream = type({ tag: "stream", type: "u8" });
  const future = type({ tag: "future" });
  fn(types, {
    name: "pump",
    kind: { tag: "async-freestanding" },
    params: [{ name: "s", type: stream }],
    result: future,
  });
  const tuple = type({ tag: "tuple", types: ["string", "u32"] });
  const opt = type({ tag: "option", type: tuple });
  fn(types, {
    name: "lookup",
    kind: { tag: "freestanding" },
    params: [{ name: "key", type: "string" }],
    result: opt,
  });

  const api = iface("api");
  const used = type({ tag: "type", type: res }, { interface: api }, "res");
  const usedOwn = type({ tag: "handle", handle: "own", resource: used });
  fn(api, { name: "make", kind: { tag: "freestanding" }, params: [], result: usedOwn });

  r.worlds.push({
    name: "w",
    imports: new Map([[types, { tag: "interface", id: types, stability: UNKNOWN_STABILITY }], [
      api,
      {
        tag: "interface",
        id: api,
        stability: UNKNOWN_STABILITY,
      },
    ]]),
    exports: new Map([["run", {
      tag: "function",
      func: {
        name: "run",
        kind: { tag: "freestanding" },
        params: [{ name: "args", type: bytes }],
        stability: UNKNOWN_STABILITY,
      },
    }]]),
    package: 0,
    stability: UNKNOWN_STABILITY,
    includes: [],
  });
  r.packages[0].worlds.set("w", 0);
  return r;
}

Deno.test("a hand-built package survives encode and decode", () => {
  const r = model();
  r.interfaces[0].docs = "The shared types.";
  r.interfaces[0].stability = { kind: "stable", since: "1.0.0" };
  const bytes = encodeWitPackage(r, 0);
  const d = decodeComponent(bytes);
  assert.equal(d.kind, "wit-package");
  const p = d.resolve.packages[d.package!];
  assert.deepEqual(p.name, { namespace: "a", name: "b", version: "1.0.0" });
  const opts = { docs: true, stability: true };
  for (const name of ["types", "api"]) {
    assert.deepEqual(
      canonicalInterface(d.resolve, p.interfaces.get(name)!, opts),
      canonicalInterface(r, r.packages[0].interfaces.get(name)!, opts),
      name,
    );
  }
  assert.deepEqual(canonicalWorld(d.resolve, p.worlds.get("w")!), canonicalWorld(r, 0));
});

Deno.test("encoding twice gives the same bytes", () => {
  const a = encodeWitPackage(model(), 0);
  const b = encodeWitPackage(model(), 0);
  assert.deepEqual(a, b);
});

Deno.test("an interface's use of another interface's type becomes an alias of it", () => {
  const d = decodeComponent(encodeWitPackage(model(), 0));
  const r = d.resolve;
  const api = r.interfaces[r.packages[d.package!].interfaces.get("api")!];
  const res = r.types[api.types.get("res")!];
  assert.equal(res.kind.tag, "type");
  if (res.kind.tag !== "type" || typeof res.kind.type === "string") return;
  const target = r.types[res.kind.type];
  assert.equal(target.name, "res");
  assert.deepEqual(target.owner, { interface: r.packages[d.package!].interfaces.get("types") });
});

Deno.test("a world encodes as a component type that a component can export", () => {
  const r = model();
  const world = encodeWorldType(r, 0);
  assert.equal(world[0], 0x41);
  // Wrap it as a one-world WIT package: (type (component (type <world>) (export "a:b/w@1.0.0" (component (type 0)))))
  const wrapper = new ByteWriter();
  wrapper.u8(0x41).u32(2).u8(0x01).bytes(world).u8(0x04).u8(0x00).name("a:b/w@1.0.0").u8(0x04).u32(
    0,
  );
  const w = new ByteWriter();
  w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  w.section(7, new ByteWriter().u32(1).bytes(wrapper.finish()).finish());
  w.section(11, new ByteWriter().u32(1).u8(0x00).name("w").u8(0x03).u32(0).u8(0x00).finish());
  const d = decodeComponent(w.finish());
  assert.equal(d.kind, "wit-package");
  const wid = d.resolve.packages[d.package!].worlds.get("w")!;
  assert.deepEqual(canonicalWorld(d.resolve, wid), canonicalWorld(r, 0));
});

Deno.test("unknown packages and worlds are refused with ComponentEncodeError", () => {
  assert.throws(
    () => encodeWitPackage(emptyResolve(), 3),
    (e) => e instanceof ComponentEncodeError && e.code === "unknown-item",
  );
  assert.throws(
    () => encodeWorldType(emptyResolve(), 0),
    (e) => e instanceof ComponentEncodeError && e.code === "unknown-item",
  );
});

Deno.test("native wasm-tools validates the encoding and prints the expected WIT", async () => {
  const file = Deno.makeTempFileSync({ suffix: ".wasm" });
  try {
    Deno.writeFileSync(file, encodeWitPackage(model(), 0));
    const out = await runWasmTools(["validate", "--features", "all", file]);
    assert.ok(out.success, out.stderr);
    const wit = await runWasmTools(["component", "wit", file]);
    assert.ok(wit.success, wit.stderr);
    const text = wit.stdout;
    assert.match(
      text,
      /resource res \{\n\s+constructor\(\);\n\s+read: func\(n: u32\) -> result<list<u8>, error>;/,
    );
    assert.match(text, /pump: async func\(s: stream<u8>\) -> future;/);
    assert.match(text, /use types\.\{res\};/);
  } finally {
    Deno.removeSync(file);
  }
});
