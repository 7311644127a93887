import assert from "node:assert/strict";
import { formatWitJson, mergeResolve, parseWit, printWit, WitError, witToJson } from "./mod.ts";

Deno.test("merging a resolve with new packages appends them with new ids", () => {
  const into = parseWit("package a:a; interface i { type t = list<u8>; }").resolve;
  const from = parseWit(`package b:b; interface j { f: func(x: list<string>) -> string; }
world w { import j; }`).resolve;
  const remap = mergeResolve(into, from);
  assert.deepEqual(remap.packages, [1]);
  assert.deepEqual(remap.interfaces, [1]);
  const j = into.interfaces[1];
  assert.equal(j.package, 1);
  assert.equal(into.types[j.functions.get("f")!.params[0].type as number].kind.tag, "list");
  assert.equal(into.packageNames.get("b:b"), 1);
  assert.ok(printWit(into, { main: 1 }).includes("world w {\n  import j;\n}"));
});

Deno.test("merging the same package twice unifies it", () => {
  const text = "package a:a; interface i { type t = u32; f: func(x: t); } world w { import i; }";
  const into = parseWit(text).resolve;
  const before = formatWitJson(into);
  const remap = mergeResolve(into, parseWit(text).resolve);
  assert.deepEqual(remap.packages, [0]);
  assert.deepEqual(remap.worlds, [0]);
  assert.equal(formatWitJson(into), before);
});

Deno.test("extra items of a package already present are added to it", () => {
  const into = parseWit("package a:a; interface i { f: func(); }").resolve;
  mergeResolve(
    into,
    parseWit("package a:a; interface i { f: func(); g: func(); } interface k {}").resolve,
  );
  assert.deepEqual([...into.interfaces[0].functions.keys()], ["f", "g"]);
  assert.deepEqual([...into.packages[0].interfaces.keys()], ["i", "k"]);
});

Deno.test("a package whose items disagree cannot be merged", () => {
  const into = parseWit("package a:a; interface i { f: func(x: u32); }").resolve;
  const from = parseWit("package a:a; interface i { f: func(y: u32); }").resolve;
  assert.throws(
    () => mergeResolve(into, from),
    (e: unknown) =>
      e instanceof WitError && e.code === "merge" &&
      e.message ===
        "failed to merge package `a:a` into existing copy: failed to merge interface `i`: " +
          "mismatch in function `f`: different function parameter names: y != x",
  );
  assert.equal(JSON.stringify(witToJson(into)).includes('"y"'), false);
});
