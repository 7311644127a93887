import assert from "node:assert/strict";
import { formatWitJson, parseWit, witToJson } from "./mod.ts";

type J = Record<string, unknown>;

Deno.test("type kinds serialize as wit-parser's externally tagged enums", () => {
  const { resolve } = parseWit(`package a:b@1.0.0;
interface i {
  resource r;
  record rec { /// x docs
    x: u8 }
  flags f { a }
  variant v { a, b(string) }
  enum e { a }
  type o = option<u8>;
  type res = result<_, u8>;
  type l = list<u8>;
  type fl = list<u8, 2>;
  type m = map<string, u8>;
  type fu = future;
  type s = stream<u8>;
  type alias = rec;
  type b = borrow<r>;
}`);
  const json = witToJson(resolve) as { types: J[] };
  const kinds = Object.fromEntries(json.types.filter((t) => t.name).map((t) => [t.name, t.kind]));
  assert.equal(kinds.r, "resource");
  assert.deepEqual(kinds.rec, {
    record: { fields: [{ name: "x", type: "u8", docs: { contents: "x docs" } }] },
  });
  assert.deepEqual(kinds.f, { flags: { flags: [{ name: "a" }] } });
  assert.deepEqual(kinds.v, {
    variant: { cases: [{ name: "a", type: null }, { name: "b", type: "string" }] },
  });
  assert.deepEqual(kinds.e, { enum: { cases: [{ name: "a" }] } });
  assert.deepEqual(kinds.o, { option: "u8" });
  assert.deepEqual(kinds.res, { result: { ok: null, err: "u8" } });
  assert.deepEqual(kinds.l, { list: "u8" });
  assert.deepEqual(kinds.fl, { "fixed-length-list": ["u8", 2] });
  assert.deepEqual(kinds.m, { map: ["string", "u8"] });
  assert.deepEqual(kinds.fu, { future: null });
  assert.deepEqual(kinds.s, { stream: "u8" });
  assert.deepEqual(kinds.alias, { type: 1 });
  assert.deepEqual(kinds.b, { handle: { borrow: 0 } });
});

Deno.test("worlds key interfaces as interface-N and omit unknown stability", () => {
  const { resolve } = parseWit(
    `package a:b@1.0.0;
@since(version = 1.0.0)
interface i { f: func(); }
world w { import i; @unstable(feature = x) import g: func(); export h: func() -> string; }`,
    {
      features: ["x"],
    },
  );
  const json = witToJson(resolve) as { worlds: J[]; interfaces: J[]; packages: J[] };
  assert.deepEqual(json.worlds[0].imports, {
    "interface-0": { interface: { id: 0 } },
    g: {
      function: {
        name: "g",
        kind: "freestanding",
        params: [],
        stability: { unstable: { feature: "x" } },
      },
    },
  });
  assert.deepEqual(Object.keys(json.interfaces[0]), [
    "name",
    "types",
    "functions",
    "stability",
    "package",
  ]);
  assert.deepEqual(json.packages[0], { name: "a:b@1.0.0", interfaces: { i: 0 }, worlds: { w: 0 } });
});

Deno.test("the text form is two-space indented JSON", () => {
  const text = formatWitJson(parseWit("package a:b;").resolve);
  assert.equal(
    text,
    '{\n  "worlds": [],\n  "interfaces": [],\n  "types": [],\n  "packages": [\n    {\n      "name": "a:b",\n      "interfaces": {},\n      "worlds": {}\n    }\n  ]\n}',
  );
});
