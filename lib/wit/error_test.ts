import assert from "node:assert/strict";
import { formatWitError, parseWit, WitError } from "./mod.ts";
import { SourceMap } from "./_error.ts";

function errorOf(text: string, path = "x.wit"): WitError {
  try {
    parseWit(text, { path });
  } catch (e) {
    if (e instanceof WitError) return e;
    throw e;
  }
  throw new Error("no error");
}

Deno.test("an error renders its line with a caret under the span", () => {
  const e = errorOf("package a:b;\n\ninterface i {\n  type t = nope;\n}\n");
  assert.equal(
    formatWitError(e),
    "type `nope` does not exist" +
      "\n     --> x.wit:4:12\n      |\n    4 |   type t = nope;\n      |            ^---",
  );
  assert.equal(e.where, "x.wit:4:12");
  assert.equal(e.code, "not-found");
});

Deno.test("columns count UTF-8 bytes, as wit-parser does", () => {
  const e = errorOf("package a:b; /* é */ interface i { type t = nope; }");
  assert.equal(e.location?.column, 46, "45 characters but 46 bytes precede the error");
});

Deno.test("an error at the end of a file points past its last line", () => {
  const e = errorOf("package a:b;\ninterface i {\n");
  assert.equal(
    e.rendered,
    "expected `type`, `resource` or `func`, found eof\n     --> x.wit:3:1\n      |\n    3 | \n      | ^",
  );
});

Deno.test("lines longer than 500 bytes are not shown", () => {
  const e = errorOf(
    `package a:b; interface i { ${
      Array.from({ length: 45 }, (_, i) => `type a${i} = u8; `).join("")
    } type t = nope; }`,
  );
  assert.match(e.rendered, /^x\.wit:1:\d+: type `nope` does not exist$/);
});

Deno.test("a source map finds the file of any offset, including end of file", () => {
  const sm = new SourceMap();
  sm.add("a.wit", "abc");
  const b = sm.add("b.wit", "x\ny");
  assert.equal(sm.where(3), "a.wit:1:4");
  assert.equal(sm.where(b + 2), "b.wit:2:1");
  assert.equal(sm.locate(-1), undefined);
});
