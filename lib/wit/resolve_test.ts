import assert from "node:assert/strict";
import {
  interfaceIdOf,
  parseWit,
  type Resolve,
  resolveWit,
  tryParseWit,
  WitError,
  worldKeyName,
} from "./mod.ts";

function fails(text: string, options = {}): WitError {
  try {
    parseWit(text, { path: "t.wit", ...options });
  } catch (e) {
    if (e instanceof WitError) return e;
    throw e;
  }
  throw new Error(`resolved: ${text}`);
}

function world(resolve: Resolve, name: string) {
  const id = resolve.worlds.findIndex((w) => w.name === name);
  return resolve.worlds[id];
}

function importNames(resolve: Resolve, name: string): string[] {
  return [...world(resolve, name).imports.keys()].map((k) => worldKeyName(resolve, k));
}

Deno.test("anonymous types are interned per package, named ones are not", () => {
  const { resolve } = parseWit(`package a:b;
interface i {
  type named = list<u8>;
  f: func(x: list<u8>, y: list<u8>) -> option<list<u8>>;
}`);
  const lists = resolve.types.filter((t) => t.kind.tag === "list");
  assert.equal(lists.length, 2, "the named list and one anonymous list<u8>");
  const f = resolve.interfaces[0].functions.get("f")!;
  assert.equal(f.params[0].type, f.params[1].type);
});

Deno.test("a reference to a resource becomes one shared own handle", () => {
  const { resolve } = parseWit(`package a:b;
interface i {
  resource r { constructor(); m: func() -> r; }
  f: func(x: r, y: r) -> borrow<r>;
}`.replace("-> borrow<r>", ""));
  const owns = resolve.types.filter((t) => t.kind.tag === "handle" && t.kind.handle === "own");
  assert.equal(owns.length, 1);
  const f = resolve.interfaces[0].functions.get("f")!;
  assert.equal(f.params[0].type, f.params[1].type);
  const m = resolve.interfaces[0].functions.get("[method]r.m")!;
  assert.equal(m.params[0].name, "self");
  assert.equal(m.result, f.params[0].type);
});

Deno.test("use across packages resolves to the other package's type", () => {
  const { resolve, package: main } = resolveWit({
    root: [{
      path: "a.wit",
      text: "package a:a; interface i { use b:b/types@1.0.0.{t as u}; f: func(x: u); }",
    }],
    deps: [{
      name: "b",
      files: [{ path: "b.wit", text: "package b:b@1.0.0; interface types { type t = u32; }" }],
    }],
  });
  assert.equal(resolve.packages.length, 2);
  assert.equal(resolve.packages[main].name.name, "a", "dependencies come first");
  assert.equal(main, 1);
  const i = resolve.interfaces[resolve.packages[main].interfaces.get("i")!];
  const u = resolve.types[i.types.get("u")!];
  assert.equal(u.kind.tag, "type");
  const target = u.kind.tag === "type" ? resolve.types[u.kind.type as number] : undefined;
  assert.equal(target?.name, "t");
  assert.equal(
    interfaceIdOf(resolve, (target!.owner as { interface: number }).interface),
    "b:b/types@1.0.0",
  );
});

Deno.test("worlds import the interfaces their imports and exports depend on", () => {
  const { resolve } = parseWit(`package a:b;
interface base { type t = u32; }
interface mid { use base.{t}; }
interface top { use mid.{t}; f: func() -> t; }
world w { import top; export run: func(); }
world x { export top; }`);
  assert.deepEqual(importNames(resolve, "w"), ["a:b/base", "a:b/mid", "a:b/top"]);
  assert.deepEqual(importNames(resolve, "x"), ["a:b/base", "a:b/mid"]);
  assert.deepEqual(
    [...world(resolve, "x").exports.keys()].map((k) => worldKeyName(resolve, k)),
    ["a:b/top"],
  );
});

Deno.test("include copies items and renames with `with`", () => {
  const { resolve } = parseWit(`package a:b;
world base { import f: func(); export g: func(); import i: interface { h: func(); } }
world both { include base with { f as f2 } }`);
  assert.deepEqual(importNames(resolve, "both"), ["i", "f2"]);
  const i = world(resolve, "both").imports.get("i")!;
  assert.ok(i.tag === "interface" && resolve.interfaces[i.id].cloneOf !== undefined);
  assert.equal(
    fails("package a:b; world w {} world v { include w with { nope as x } }").message,
    "no import or export kebab-name `nope`. Note that an ID does not support renaming",
  );
});

Deno.test("unstable items are dropped unless their feature is enabled", () => {
  const text = `package a:b;
interface i {
  @unstable(feature = fancy)
  f: func();
  g: func();
}`;
  const names = (o = {}) => [...parseWit(text, o).resolve.interfaces[0].functions.keys()];
  assert.deepEqual(names(), ["g"]);
  assert.deepEqual(names({ features: ["fancy"] }), ["f", "g"]);
  assert.deepEqual(names({ allFeatures: true }), ["f", "g"]);
});

Deno.test("@since needs a versioned package and a released version", () => {
  assert.equal(
    fails("package a:b; @since(version = 1.0.0) interface i {}").message,
    "package [a:b] contains a feature gate with a version specifier, so it must have a version",
  );
  assert.equal(
    fails("package a:b@1.0.0; @since(version = 1.1.0) interface i {}").message,
    "feature gate cannot reference unreleased version 1.1.0 of package [a:b@1.0.0] (current version 1.0.0)",
  );
  const ok = parseWit(
    "package a:b@1.1.0; @since(version = 1.1.0) @deprecated(version = 1.1.0) interface i {}",
  );
  assert.deepEqual(ok.resolve.interfaces[0].stability, {
    kind: "stable",
    since: "1.1.0",
    deprecated: "1.1.0",
  });
});

Deno.test("a gated type used by an ungated one is an error at the use", () => {
  const e = fails(`package a:b;
interface i {
  @unstable(feature = off)
  type gated = u32;
  type user = gated;
}`);
  assert.equal(
    e.message,
    "found a reference to a type which is excluded due to its feature not being activated",
  );
  assert.equal(e.where, "t.wit:5:8");
});

Deno.test("broken names, cycles and duplicates are rejected with their place", () => {
  const cases: [string, string, string][] = [
    ["package a:b; interface i { type t = u; }", "type `u` does not exist", "t.wit:1:37"],
    ["package a:b; interface i { type t = t; }", "type `t` depends on itself", "t.wit:1:37"],
    [
      "package a:b; interface i { use j.{x}; } interface j { use i.{y}; }",
      "interface or world `j` depends on itself",
      "t.wit:1:51",
    ],
    ["package a:b; interface i {} interface i {}", "duplicate item named `i`", "t.wit:1:39"],
    [
      "package a:b; interface i { f: func(); f: func(); }",
      "name `f` is defined more than once",
      "t.wit:1:39",
    ],
    [
      "package a:b; interface i { resource r; f: func() -> borrow<r>; }",
      "function `f` returns a type which contains a `borrow<T>` which is not supported",
      "t.wit:1:40",
    ],
    [
      "package a:b; world w { import foo: func(); import FOO: func(); }",
      "import `FOO` in world `w` conflicts with import `foo` (kebab-case identifiers are case-insensitive)",
      "",
    ],
    [
      "package a:b; world w { import c:d/e; }",
      "package 'c:d' not found. known packages:\n    a:b",
      "t.wit:1:31",
    ],
    [
      "interface i {}",
      "no `package` header was found in any WIT file for this package",
      "t.wit:1:1",
    ],
  ];
  for (const [text, message, where] of cases) {
    const e = fails(text);
    assert.equal(e.message, message, text);
    assert.equal(e.where ?? "", where, text);
  }
});

Deno.test("packages that depend on each other in a cycle are rejected", () => {
  assert.throws(
    () =>
      resolveWit({
        root: [{ path: "a.wit", text: "package x:a; interface i { use x:b/j.{u}; type t = u8; }" }],
        deps: [{
          name: "b",
          files: [{
            path: "b.wit",
            text: "package x:b; interface j { use x:a/i.{t}; type u = t; }",
          }],
        }],
      }),
    (e: unknown) => e instanceof WitError && e.code === "package-cycle",
  );
});

Deno.test("nested packages resolve against each other in one file", () => {
  const { resolve, package: main } = parseWit(`package a:main;
world w { import a:dep/api@2.0.0; }
package a:dep@2.0.0 { interface api { f: func(); } }`);
  assert.equal(resolve.packages[main].name.name, "main");
  assert.deepEqual(importNames(resolve, "w"), ["a:dep/api@2.0.0"]);
});

Deno.test("tryParseWit returns undefined for invalid WIT only", () => {
  assert.equal(tryParseWit("package a:b; interface {"), undefined);
  assert.ok(tryParseWit("package a:b;"));
});
