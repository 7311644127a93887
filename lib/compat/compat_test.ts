import assert from "node:assert/strict";
import { parseWit, type ResolvedWit } from "../wit/mod.ts";
import {
  type Change,
  CHANGE_KIND_TEXT,
  CHANGE_KINDS,
  checkComponentCompat,
  checkInterfaceCompat,
  checkPackageCompat,
  checkWorldCompat,
  type CompatReport,
  isSubtypeFunction,
  isSubtypeInterface,
  isSubtypeValueType,
  isSubtypeWorld,
} from "./mod.ts";

// ------------------------------------------------------------------ helpers

function parse(text: string, features?: string[]): ResolvedWit {
  return parseWit(text, { features });
}

/** Checks interface `i` of two package texts in the interface direction. */
function iface(oldBody: string, newBody: string, name = "i"): CompatReport {
  const a = parse(`package a:b@1.0.0;\ninterface ${name} {\n${oldBody}\n}`);
  const b = parse(`package a:b@1.1.0;\ninterface ${name} {\n${newBody}\n}`);
  return checkInterfaceCompat(
    a.resolve,
    a.resolve.packages[a.package].interfaces.get(name)!,
    b.resolve,
    b.resolve.packages[b.package].interfaces.get(name)!,
  );
}

/** Checks world `w` of two package texts in the world (semver-check) direction. */
function world(oldText: string, newText: string, name = "w"): CompatReport {
  const a = parse(`package a:b@1.0.0;\n${oldText}`);
  const b = parse(`package a:b@1.1.0;\n${newText}`);
  return checkWorldCompat(
    a.resolve,
    a.resolve.packages[a.package].worlds.get(name)!,
    b.resolve,
    b.resolve.packages[b.package].worlds.get(name)!,
  );
}

/** Checks world `w` of two package texts as components (implementations). */
function component(oldText: string, newText: string, name = "w"): CompatReport {
  const a = parse(`package a:b@1.0.0;\n${oldText}`);
  const b = parse(`package a:b@1.1.0;\n${newText}`);
  return checkComponentCompat(
    a.resolve,
    a.resolve.packages[a.package].worlds.get(name)!,
    b.resolve,
    b.resolve.packages[b.package].worlds.get(name)!,
  );
}

function pkg(oldText: string, newText: string, features?: string[]): CompatReport {
  const a = parse(oldText, features), b = parse(newText, features);
  return checkPackageCompat(a.resolve, a.package, b.resolve, b.package);
}

const summary = (c: Change) => `${c.kind} ${c.path}${c.breaking ? " !" : ""}`;
const kinds = (r: CompatReport) => r.changes.map(summary);

function passes(r: CompatReport, bump: "patch" | "minor" = "minor") {
  assert.equal(r.compatible, true, `expected compatible, got ${kinds(r).join("; ")}`);
  assert.equal(r.bump, bump, `expected ${bump}, got ${r.bump}: ${kinds(r).join("; ")}`);
}

function breaks(r: CompatReport, ...expected: string[]) {
  assert.equal(r.compatible, false, "expected a breaking change");
  assert.equal(r.bump, "major");
  const got = r.changes.filter((c) => c.breaking).map(summary);
  for (const e of expected) assert.ok(got.includes(e), `missing "${e}" in ${got.join("; ")}`);
}

// ------------------------------------------------------------------ the report

Deno.test("an identical interface has no changes and needs a patch", () => {
  const r = iface("f: func(x: u32) -> string;", "f: func(x: u32) -> string;");
  assert.deepEqual(r, { compatible: true, bump: "patch", changes: [] });
});

Deno.test("a docs-only change is a compatible patch-level change", () => {
  const r = iface("/// old\nf: func();", "/// new\nf: func();");
  passes(r, "patch");
  assert.deepEqual(r.changes, [{
    path: "a:b/i.f",
    kind: "changed-docs",
    breaking: false,
    bump: "patch",
    old: "old",
    new: "new",
    reason: "documentation only",
  }]);
});

Deno.test("every change kind has a phrase for readers", () => {
  assert.deepEqual(Object.keys(CHANGE_KIND_TEXT).sort(), [...CHANGE_KINDS].sort());
});

// ------------------------------------------------------------------ value types

Deno.test("primitives: the same primitive passes, u64 → s64 breaks", () => {
  passes(iface("f: func(x: u64);", "f: func(x: u64);"), "patch");
  const r = iface("f: func(x: u64);", "f: func(x: s64);");
  breaks(r, "changed-param a:b/i.f.x !");
  assert.equal(r.changes[0].old, "u64");
  assert.equal(r.changes[0].new, "s64");
});

Deno.test("records: fields match by name, type and order", () => {
  const rec = "record r { a: u32, b: string }\nf: func(x: r);";
  passes(iface(rec, rec), "patch");
  breaks(iface(rec, rec.replace("b: string", "b: string, c: u8")), "added-field a:b/i.r.c !");
  breaks(iface(rec, rec.replace(", b: string", "")), "removed-field a:b/i.r.b !");
  breaks(iface(rec, rec.replace("b: string", "b: u32")), "changed-field a:b/i.r.b !");
  breaks(
    iface(rec, rec.replace("a: u32, b: string", "b: string, a: u32")),
    "reordered-fields a:b/i.r !",
  );
});

Deno.test("a changed record is reported once, at the record, not again at each function", () => {
  const r = iface(
    "record r { a: u32 }\nf: func(x: r);\ng: func() -> r;",
    "record r { a: u64 }\nf: func(x: r);\ng: func() -> r;",
  );
  assert.deepEqual(kinds(r), ["changed-field a:b/i.r.a !"]);
});

Deno.test("variants: cases match by name and payload", () => {
  const v = "variant v { a, b(u32) }\nf: func(x: v);";
  passes(iface(v, v), "patch");
  breaks(iface(v, v.replace("b(u32)", "b(u32), c")), "added-case a:b/i.v.c !");
  breaks(iface(v, v.replace("b(u32)", "b(u64)")), "changed-case a:b/i.v.b !");
  breaks(iface(v, v.replace("a, b(u32)", "a(u8), b(u32)")), "changed-case a:b/i.v.a !");
  breaks(iface(v, v.replace("a, ", "")), "removed-case a:b/i.v.a !");
});

Deno.test("enums and flags: cases and flags match by name and order", () => {
  passes(iface("enum e { x, y }", "enum e { x, y }"), "patch");
  breaks(iface("enum e { x, y }", "enum e { x, y, z }"), "added-case a:b/i.e.z !");
  breaks(iface("enum e { x, y }", "enum e { y, x }"), "reordered-cases a:b/i.e !");
  passes(iface("flags f { x, y }", "flags f { x, y }"), "patch");
  breaks(iface("flags f { x, y }", "flags f { x }"), "removed-flag a:b/i.f.y !");
  breaks(iface("flags f { x, y }", "flags f { x, y, z }"), "added-flag a:b/i.f.z !");
});

Deno.test("a type of another kind with the same name breaks", () => {
  breaks(iface("enum e { x }", "variant e { x }"), "changed-type a:b/i.e !");
});

Deno.test("anonymous types compare structurally", () => {
  const cases: [string, string][] = [
    ["option<u32>", "option<u64>"],
    ["list<u8>", "list<u16>"],
    ["list<u8, 4>", "list<u8, 8>"],
    ["tuple<u8, string>", "tuple<u8>"],
    ["result<u32, string>", "result<u32>"],
    ["result<_, string>", "result<u8, string>"],
    ["map<string, u32>", "map<string, u64>"],
  ];
  for (const [a, b] of cases) {
    passes(iface(`f: func() -> ${a};`, `f: func() -> ${a};`), "patch");
    breaks(iface(`f: func() -> ${a};`, `f: func() -> ${b};`), "changed-result a:b/i.f.result !");
  }
});

Deno.test("aliases are transparent: an alias and what it names are the same type", () => {
  passes(
    iface("type a = u32;\nf: func(x: a);", "type a = u32;\ntype b = u32;\nf: func(x: b);"),
  );
  breaks(
    iface("type a = u32;\nf: func(x: a);", "type a = u64;\nf: func(x: a);"),
    "changed-type a:b/i.a !",
  );
});

Deno.test("named types compare by structure: a renamed record passes where it is used", () => {
  // The function is unchanged (records are structural); the interface lost `r`, which breaks.
  const r = iface("record r { a: u32 }\nf: func(x: r);", "record s { a: u32 }\nf: func(x: s);");
  assert.deepEqual(kinds(r), ["removed-type a:b/i.r !", "added-type a:b/i.s"]);
});

Deno.test("handles: own and borrow differ; the same resource through `use` is the same", () => {
  const base = "resource res;\nf: func(x: borrow<res>);";
  passes(iface(base, base), "patch");
  breaks(iface(base, "resource res;\nf: func(x: res);"), "changed-param a:b/i.f.x !");
  const a = parse(`package a:b@1.0.0;
    interface t { resource res; }
    interface i { use t.{res}; f: func(x: borrow<res>); }`);
  const b = parse(`package a:b@1.1.0;
    interface t { resource res; resource other; }
    interface i { use t.{res}; f: func(x: borrow<res>); g: func(); }`);
  const r = checkPackageCompat(a.resolve, a.package, b.resolve, b.package);
  passes(r);
});

Deno.test("resources are nominal: a resource moved to another interface breaks", () => {
  const r = pkg(
    `package a:b@1.0.0;
     interface store { resource bucket; open: func() -> bucket; }`,
    `package a:b@2.0.0;
     interface types { resource bucket; }
     interface store { use types.{bucket}; open: func() -> bucket; }`,
  );
  breaks(r, "moved-resource a:b/store.bucket !", "changed-result a:b/store.open.result !");
  const moved = r.changes.find((c) => c.kind === "moved-resource")!;
  assert.equal(moved.old, "a:b/store.bucket");
  assert.equal(moved.new, "a:b/types.bucket");
  const result = r.changes.find((c) => c.kind === "changed-result")!;
  assert.equal(result.old, "a:b/store@1.0.0.{bucket}");
  assert.equal(result.new, "a:b/types@2.0.0.{bucket}");
});

Deno.test("resources correspond by path, not by id, across two resolves", () => {
  // The same package with its items declared in another order: every id differs.
  const a = parse(`package a:b@1.0.0;
    interface x { resource r; f: func(h: borrow<r>) -> r; }
    interface y { use x.{r}; g: func(h: r); }`);
  const b = parse(`package a:b@1.0.1;
    interface z { record pad { a: u8 } }
    interface x { record pad2 { a: u8 } resource r; f: func(h: borrow<r>) -> r; }
    interface y { use x.{r}; g: func(h: r); }`);
  const ax = a.resolve.packages[a.package].interfaces.get("y")!;
  const bx = b.resolve.packages[b.package].interfaces.get("y")!;
  assert.notEqual(ax, bx);
  assert.deepEqual(checkInterfaceCompat(a.resolve, ax, b.resolve, bx).changes, []);
});

// ------------------------------------------------------------------ functions

Deno.test("functions: parameters match by name and type, in order", () => {
  passes(iface("f: func(x: u32, y: u32);", "f: func(x: u32, y: u32);"), "patch");
  breaks(iface("f: func(x: u32);", "f: func(y: u32);"), "renamed-param a:b/i.f.x !");
  breaks(iface("f: func(x: u32);", "f: func(x: u32, y: u32);"), "added-param a:b/i.f.y !");
  breaks(iface("f: func(x: u32, y: u32);", "f: func(x: u32);"), "removed-param a:b/i.f.y !");
  breaks(
    iface("f: func(x: u32, y: u64);", "f: func(y: u64, x: u32);"),
    "reordered-params a:b/i.f !",
  );
});

Deno.test("functions: the result and sync/async must match", () => {
  passes(iface("f: func() -> u8;", "f: func() -> u8;"), "patch");
  breaks(iface("f: func();", "f: func() -> u8;"), "changed-result a:b/i.f.result !");
  breaks(iface("f: func() -> u8;", "f: func();"), "changed-result a:b/i.f.result !");
  breaks(iface("f: func();", "f: async func();"), "changed-async a:b/i.f !");
});

Deno.test("resource methods are named resource.method", () => {
  const r = iface("resource r { m: func(); }", "resource r { m: func(x: u8); n: func(); }");
  breaks(r, "added-param a:b/i.r.m.x !");
  assert.ok(kinds(r).includes("added-function a:b/i.r.n"));
});

// ------------------------------------------------------------------ the interface direction

Deno.test("interface direction: additions are compatible, removals break", () => {
  passes(iface("f: func();", "f: func();\ng: func();\nrecord r { a: u8 }\nresource z;"));
  const r = iface("f: func();\ng: func();\nrecord r { a: u8 }", "f: func();");
  breaks(r, "removed-function a:b/i.g !", "removed-type a:b/i.r !");
  breaks(iface("resource z;", ""), "removed-resource a:b/i.z !");
});

// ------------------------------------------------------------------ the world direction

Deno.test("world direction: a world may import more, also inside an imported interface", () => {
  passes(world("world w { import f: func(); }", "world w { import f: func(); import g: func(); }"));
  passes(
    world(
      "interface i { f: func(); }\nworld w { import i; }",
      "interface i { f: func(); g: func(); record r { a: u8 } }\nworld w { import i; }",
    ),
  );
});

Deno.test("world direction: dropping or changing an import breaks", () => {
  breaks(
    world("world w { import f: func(); import g: func(); }", "world w { import f: func(); }"),
    "removed-import a:b/w.g !",
  );
  breaks(
    world(
      "interface i { f: func(); g: func(); }\nworld w { import i; }",
      "interface i { f: func(); }\nworld w { import i; }",
    ),
    "removed-function a:b/i.g !",
  );
  breaks(
    world("world w { import x: func(); }", "world w { import x: interface { } }"),
    "changed-import a:b/w.x !",
  );
});

Deno.test("world direction: a world may stop exporting, but not export more", () => {
  passes(world("world w { export f: func(); export g: func(); }", "world w { export f: func(); }"));
  passes(
    world(
      "interface i { f: func(); g: func(); }\nworld w { export i; }",
      "interface i { f: func(); }\nworld w { export i; }",
    ),
  );
  breaks(world("world w { }", "world w { export f: func(); }"), "added-export a:b/w.f !");
  breaks(
    world(
      "interface i { f: func(); }\nworld w { export i; }",
      "interface i { f: func(); g: func(); }\nworld w { export i; }",
    ),
    "added-function a:b/i.g !",
  );
  breaks(
    world(
      "interface i { f: func(); }\nworld w { export i; }",
      "interface i { f: func(); type t = u32; }\nworld w { export i; }",
    ),
    "added-type a:b/i.t !",
  );
});

Deno.test("world direction: only what a component can reach in an import counts", () => {
  // An unused record of an imported interface may change or go: no component can use it.
  const r = world(
    "interface i { f: func(); record r { a: u32 } }\nworld w { import i; }",
    "interface i { f: func(); record r { a: u64 } }\nworld w { import i; }",
  );
  passes(r);
  assert.deepEqual(kinds(r), ["changed-field a:b/i.r.a"]);
  passes(
    world(
      "interface i { f: func(); record r { a: u32 } }\nworld w { import i; }",
      "interface i { f: func(); }\nworld w { import i; }",
    ),
  );
  // A used one may not.
  breaks(
    world(
      "interface i { record r { a: u32 } f: func(x: r); }\nworld w { import i; }",
      "interface i { record r { a: u64 } f: func(x: r); }\nworld w { import i; }",
    ),
    "changed-field a:b/i.r.a !",
  );
  // Resources of an import always count (a component can drop their handles).
  breaks(
    world(
      "interface i { f: func(); resource z; }\nworld w { import i; }",
      "interface i { f: func(); }\nworld w { import i; }",
    ),
    "removed-resource a:b/i.z !",
  );
  // An import with nothing in it that a component can use may go.
  passes(
    world(
      "interface e { record r { a: u8 } }\nworld w { import e; import f: func(); }",
      "world w { import f: func(); }",
    ),
  );
});

Deno.test("world direction: types an export uses from an import count", () => {
  breaks(
    world(
      `interface t { record r { a: u32 } }
       interface api { use t.{r}; f: func(x: r); }
       world w { export api; }`,
      `interface t { record r { a: u64 } }
       interface api { use t.{r}; f: func(x: r); }
       world w { export api; }`,
    ),
    "changed-field a:b/t.r.a !",
  );
});

Deno.test("world direction: world-level types always count", () => {
  passes(world("world w { import f: func(); }", "world w { type t = u32; import f: func(); }"));
  breaks(
    world("world w { type t = u32; import f: func(); }", "world w { import f: func(); }"),
    "removed-import a:b/w.t !",
  );
});

Deno.test("world direction: worlds of different packages are not comparable", () => {
  const { resolve } = parse(`package foo:root;
    package a:b { world prev {} }
    package c:d { world next { import a: func(); } }`);
  const r = checkWorldCompat(
    resolve,
    resolve.packages[resolve.packageNames.get("a:b")!].worlds.get("prev")!,
    resolve,
    resolve.packages[resolve.packageNames.get("c:d")!].worlds.get("next")!,
  );
  breaks(r, "changed-package a:b !");
});

Deno.test("world direction: a foreign interface at another version of the same series passes", () => {
  const deps = (v: string) => `package x:y@${v} { interface t { f: func(); } }`;
  const r = pkg(
    `package a:b@1.0.0;\n${deps("0.2.0")}\nworld w { import x:y/t@0.2.0; }`,
    `package a:b@1.0.1;\n${deps("0.2.3")}\nworld w { import x:y/t@0.2.3; }`,
  );
  passes(r);
  assert.deepEqual(kinds(r), ["changed-version x:y/t"]);
  breaks(
    pkg(
      `package a:b@1.0.0;\n${deps("0.2.0")}\nworld w { import x:y/t@0.2.0; }`,
      `package a:b@1.0.1;\n${deps("0.3.0")}\nworld w { import x:y/t@0.3.0; }`,
    ),
    "changed-version x:y/t !",
  );
});

// ------------------------------------------------------------------ the component direction

Deno.test("component direction: the new component may import less and export more", () => {
  passes(
    component(
      "world w { import f: func(); import g: func(); export run: func(); }",
      "world w { import f: func(); export run: func(); export stop: func(); }",
    ),
  );
  passes(
    component(
      "interface i { f: func(); g: func(); }\nworld w { import i; }",
      "interface i { f: func(); }\nworld w { import i; }",
    ),
  );
});

Deno.test("component direction: importing more or exporting less breaks", () => {
  breaks(
    component("world w { import f: func(); }", "world w { import f: func(); import g: func(); }"),
    "added-import component.g !",
  );
  breaks(
    component(
      "world w { export run: func(); export stop: func(); }",
      "world w { export run: func(); }",
    ),
    "removed-export component.stop !",
  );
  breaks(
    component(
      "interface i { f: func(); }\nworld w { import i; }",
      "interface i { f: func(); g: func(); }\nworld w { import i; }",
    ),
    "added-function a:b/i.g !",
  );
  breaks(
    component(
      "interface i { f: func(); g: func(); }\nworld w { export i; }",
      "interface i { f: func(); }\nworld w { export i; }",
    ),
    "removed-function a:b/i.g !",
  );
});

// ------------------------------------------------------------------ packages

Deno.test("packages: worlds and interfaces may be added, not removed", () => {
  const base = "package a:b@1.0.0;\ninterface i { f: func(); }\nworld w { export i; }";
  passes(pkg(base, `${base.replace("1.0.0", "1.1.0")}\ninterface j {}\nworld v {}`));
  breaks(pkg(base, "package a:b@2.0.0;\ninterface i { f: func(); }"), "removed-world a:b/w !");
  breaks(pkg(base, "package a:b@2.0.0;\nworld w { }"), "removed-interface a:b/i !");
});

Deno.test("packages: an interface a world covers takes the world's direction", () => {
  // Exported by a world: adding a function breaks components written for it.
  breaks(
    pkg(
      "package a:b@1.0.0;\ninterface i { f: func(); }\nworld w { export i; }",
      "package a:b@1.1.0;\ninterface i { f: func(); g: func(); }\nworld w { export i; }",
    ),
    "added-function a:b/i.g !",
  );
  // Covered by no world: the interface direction, where additions are compatible.
  passes(
    pkg(
      "package a:b@1.0.0;\ninterface i { f: func(); }",
      "package a:b@1.1.0;\ninterface i { f: func(); g: func(); }",
    ),
  );
});

Deno.test("packages: a change seen through two worlds is reported once, breaking if either says so", () => {
  const r = pkg(
    "package a:b@1.0.0;\ninterface i { f: func(); }\nworld imp { import i; }\nworld exp { export i; }",
    "package a:b@1.1.0;\ninterface i { f: func(); g: func(); }\nworld imp { import i; }\nworld exp { export i; }",
  );
  assert.deepEqual(kinds(r), ["added-function a:b/i.g !"]);
});

Deno.test("packages: a different package name breaks", () => {
  breaks(pkg("package a:b@1.0.0;", "package a:c@1.0.0;"), "changed-package a:b !");
});

// ------------------------------------------------------------------ feature gates

const GATED_OLD = `package a:b@0.2.0;
@since(version = 0.2.0)
interface i {
  @since(version = 0.2.0)
  f: func();
}`;

Deno.test("feature gates: an item @since the new version is an addition", () => {
  const r = pkg(
    GATED_OLD,
    GATED_OLD.replace("0.2.0;", "0.2.1;").replace(
      "f: func();",
      "f: func();\n  @since(version = 0.2.1)\n  g: func();",
    ),
  );
  passes(r);
  assert.deepEqual(r.changes.map((c) => [c.kind, c.path, c.new]), [
    ["added-function", "a:b/i.g", "@since(version = 0.2.1) g: func()"],
  ]);
});

Deno.test("feature gates: @unstable items are invisible unless their feature is enabled", () => {
  const neu = GATED_OLD.replace("0.2.0;", "0.2.1;").replace(
    "f: func();",
    "f: func();\n  @unstable(feature = fancy)\n  g: func();",
  );
  passes(pkg(GATED_OLD, neu), "patch");
  const r = pkg(GATED_OLD, neu, ["fancy"]);
  passes(r);
  assert.deepEqual(kinds(r), ["added-function a:b/i.g"]);
});

Deno.test("feature gates: annotating existing items is not a change; deprecating one is a patch", () => {
  const plain = "package a:b@0.2.0;\ninterface i {\n  f: func();\n}";
  passes(pkg(plain, GATED_OLD.replace("0.2.0;", "0.2.1;")), "patch");
  const dep = GATED_OLD.replace("0.2.0;", "0.2.2;").replace(
    "  @since(version = 0.2.0)\n  f",
    "  @since(version = 0.2.0)\n  @deprecated(version = 0.2.2)\n  f",
  );
  const r = pkg(GATED_OLD, dep);
  passes(r, "patch");
  assert.deepEqual(kinds(r), ["deprecated a:b/i.f"]);
});

// ------------------------------------------------------------------ subtype tests

Deno.test("isSubtypeInterface: more is fine, less is not, and says where", () => {
  const big = parse("package a:b; interface i { f: func(); g: func(x: u32); }");
  const small = parse("package a:b; interface i { f: func(); }");
  assert.deepEqual(isSubtypeInterface(big.resolve, 0, small.resolve, 0), { ok: true });
  const r = isSubtypeInterface(small.resolve, 0, big.resolve, 0);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.path, "a:b/i.g");
    assert.equal(r.kind, "removed-function");
    assert.equal(r.expected, "g: func(x: u32)");
    assert.equal(r.found, "");
    assert.match(r.reason, /^Type mismatch at a:b\/i\.g: function removed/);
  }
});

Deno.test("isSubtypeInterface: the compared interfaces' own resources correspond whatever their names", () => {
  const a = parse("package x:impl; interface provider { resource r; f: func(x: borrow<r>) -> r; }");
  const b = parse("package y:want; interface wanted { resource r; f: func(x: borrow<r>) -> r; }");
  assert.deepEqual(isSubtypeInterface(a.resolve, 0, b.resolve, 0), { ok: true });
  const c = parse("package y:want; interface wanted { resource r; f: func(x: r) -> r; }");
  assert.equal(isSubtypeInterface(a.resolve, 0, c.resolve, 0).ok, false);
  // A resource of another interface is not the compared interface's own.
  const d = parse(`package y:want;
    interface other { resource r; }
    interface wanted { use other.{r}; f: func(x: borrow<r>) -> r; }`);
  const wanted = d.resolve.packages[d.package].interfaces.get("wanted")!;
  assert.equal(isSubtypeInterface(a.resolve, 0, d.resolve, wanted).ok, false);
});

Deno.test("isSubtypeWorld: a component type may import less and export more", () => {
  const { resolve } = parse(`package a:b;
    world wanted { import f: func(); export run: func(); }
    world good { export run: func(); export extra: func(); }
    world bad { import f: func(); import g: func(); export run: func(); }`);
  const w = (n: string) => resolve.packages[0].worlds.get(n)!;
  assert.deepEqual(isSubtypeWorld(resolve, w("good"), resolve, w("wanted")), { ok: true });
  const r = isSubtypeWorld(resolve, w("bad"), resolve, w("wanted"));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.path, "a:b/wanted.g");
});

Deno.test("isSubtypeFunction and isSubtypeValueType require equality", () => {
  const { resolve } = parse(`package a:b; interface i {
    record p { x: u32 }
    record q { x: u32 }
    f: func(a: p) -> u8;
    g: func(a: q) -> u8;
    h: func(a: q) -> u16;
  }`);
  const fs = resolve.interfaces[0].functions;
  assert.deepEqual(isSubtypeFunction(resolve, fs.get("g")!, resolve, fs.get("f")!), { ok: true });
  const r = isSubtypeFunction(resolve, fs.get("h")!, resolve, fs.get("f")!);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.kind, "changed-result");
  const types = resolve.interfaces[0].types;
  assert.deepEqual(
    isSubtypeValueType(resolve, types.get("p")!, resolve, types.get("q")!),
    { ok: true },
  );
  assert.equal(isSubtypeValueType(resolve, "u8", resolve, "u16").ok, false);
});

Deno.test("isSubtypeValueType matches resources of inline interfaces by the name they are imported under", () => {
  const text = (extra: string) =>
    `package a:b; world w { import x: interface { resource r; ${extra} } }`;
  const a = parse(text(""));
  const b = parse(text("f: func();"));
  const r = (w: ResolvedWit) => {
    const item = w.resolve.worlds[0].imports.get("x")!;
    return w.resolve.interfaces[(item as { id: number }).id].types.get("r")!;
  };
  assert.deepEqual(isSubtypeValueType(a.resolve, r(a), b.resolve, r(b)), { ok: true });
  const c = parse("package a:b; world w { import y: interface { resource r; } }");
  const item = c.resolve.worlds[0].imports.get("y") as { id: number };
  const rc = c.resolve.interfaces[item.id].types.get("r")!;
  assert.equal(isSubtypeValueType(a.resolve, r(a), c.resolve, rc).ok, false);
});
