import assert from "node:assert/strict";
import { SourceMap, WitError } from "./_error.ts";
import { parseFile } from "./_parser.ts";
import type { PackageFile } from "./_ast.ts";

function parse(text: string): PackageFile {
  const sm = new SourceMap();
  return parseFile(sm, text, sm.add("t.wit", text));
}

function parseError(text: string): WitError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof WitError) return e;
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

Deno.test("a package header with docs and a version is read", () => {
  const f = parse("/// the package\npackage a:b@1.2.3-rc.1+x;\ninterface i {}");
  assert.equal(f.packageId?.namespace.name, "a");
  assert.equal(f.packageId?.version?.text, "1.2.3-rc.1+x");
  assert.deepEqual(f.packageId?.docs.comments, ["/// the package\n"]);
  assert.equal(f.items[0].kind, "interface");
});

Deno.test("nested package blocks are items, not the header", () => {
  const f = parse("package a:b {}\npackage c:d@1.0.0 { interface x {} }");
  assert.equal(f.packageId, undefined);
  assert.deepEqual(f.items.map((i) => i.kind), ["package", "package"]);
});

Deno.test("world items of every shape are parsed", () => {
  const f = parse(`package a:b;
world w {
  import f: async func(x: u32) -> string;
  import label: other;
  import ns:pkg/iface@0.1.0;
  export inline: interface { g: func(); }
  use ns:pkg/iface.{t as u};
  include other-world with { a as b, c as d }
  resource r { constructor(x: u8); m: func(); s: static func() -> r; }
  type t = list<u8, 4>;
}`);
  const w = f.items[0];
  assert.equal(w.kind, "world");
  if (w.kind !== "world") return;
  const kinds = w.value.items.map((i) =>
    i.kind === "import" || i.kind === "export" ? `${i.kind}:${i.extern.kind}` : i.kind
  );
  assert.deepEqual(kinds, [
    "import:func",
    "import:named-path",
    "import:path",
    "export:interface",
    "use",
    "include",
    "typedef",
    "typedef",
  ]);
  const inc = w.value.items[5];
  assert.ok(inc.kind === "include" && inc.names.length === 2 && inc.names[1].as.name === "d");
  const res = w.value.items[6];
  assert.ok(res.kind === "typedef" && res.ty.k === "resource");
  if (res.kind === "typedef" && res.ty.k === "resource") {
    assert.deepEqual(res.ty.funcs.map((f) => f.kind), ["constructor", "method", "static"]);
  }
  const list = w.value.items[7];
  assert.ok(list.kind === "typedef" && list.ty.k === "fixed-list" && list.ty.size === 4);
});

Deno.test("attributes are read in any combination the grammar allows", () => {
  const f = parse(`package a:b@1.0.0;
@since(version = 1.0.0)
@deprecated(version = 1.0.0)
interface i {
  @unstable(feature = fancy)
  f: func();
  @external-id("x\\ty")
  type t = u32;
}`);
  const i = f.items[0];
  assert.ok(i.kind === "interface");
  if (i.kind !== "interface") return;
  assert.deepEqual(i.value.attributes.map((a) => a.kind), ["since", "deprecated"]);
  const [fn, ty] = i.value.items;
  assert.deepEqual(fn.attributes, [{
    kind: "unstable",
    start: fn.attributes[0].start,
    end: fn.attributes[0].end,
    feature: "fancy",
  }]);
  assert.equal(ty.attributes[0].kind === "external-id" && ty.attributes[0].id, "x\ty");
});

Deno.test("doc comments before an item are collected raw", () => {
  const f = parse("package a:b;\n// plain\n/** block */\ninterface i {}");
  const i = f.items[0];
  assert.ok(i.kind === "interface");
  if (i.kind === "interface") {
    assert.deepEqual(i.value.docs.comments, ["// plain\n", "/** block */"]);
  }
});

Deno.test("grammar errors say what was expected, where", () => {
  const cases: [string, string, number, number][] = [
    ["interface", "expected an identifier or string, found eof", 1, 10],
    [
      "package a:b;\nworld w { frob }",
      "expected `import`, `export`, `include`, `use`, or type definition, found an identifier",
      2,
      11,
    ],
    ["package a:b;\ninterface i { type x = list<u32 }", "expected '>', found '}'", 2, 33],
    ["package a:b;\ninterface i { type x = u32 }", "expected ';', found '}'", 2, 28],
    [
      "package a:b;\n@since(feature = x) interface i {}",
      "expected `version`, found `feature`",
      2,
      8,
    ],
    ["package a:b;\n@frob interface i {}", "unknown attribute `frob`", 2, 2],
    ["package a:b@01.0.0;", "invalid leading zero in major version number", 1, 13],
    [
      "package a:b;\ninterface i { type option = u32; }",
      "expected an identifier or string, found keyword `option`",
      2,
      20,
    ],
    ["package a:b;\ninterface Bad {}", "invalid character in identifier 'a'", 2, 11],
  ];
  for (const [text, message, line, column] of cases) {
    const e = parseError(text);
    assert.equal(e.message, message, text);
    assert.equal(e.location?.line, line, text);
    assert.equal(e.location?.column, column, text);
  }
});

Deno.test("deep type nesting is refused instead of overflowing", () => {
  const deep = "list<".repeat(150) + "u8" + ">".repeat(150);
  assert.equal(
    parseError(`package a:b; interface i { type t = ${deep}; }`).message,
    "type nesting too deep",
  );
  const nested = "package a:b {".repeat(120) + "}".repeat(120);
  assert.equal(parseError(nested).message, "package nesting too deep");
});

Deno.test("a lexing error surfaces only when the parser reaches it", () => {
  assert.equal(parseError("package a:b; interface i { $ }").message, "unexpected character '$'");
  assert.equal(
    parseError("package a:b; interface { } $").message,
    "expected an identifier or string, found '{'",
  );
});
