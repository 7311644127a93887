/**
 * lib/compat's world direction against `wasm-tools component semver-check`: the `semver-check-*`
 * cases of wasm-tools' CLI suite in the corpus (each file's `RUN:`/`FAIL:` line gives the worlds
 * and the verdict), and a table of our own scenarios, one per rule of the world direction. Each
 * input is also run through the native wasm-tools (installed by `node tools/setup.mjs`), so the
 * verdicts are checked three ways: the case file, the native tool, and lib/compat.
 */
import assert from "node:assert/strict";
import { parse as parseWat } from "@bytecodealliance/jco-transpile/wasm-tools";
import { checkWorldCompat } from "../lib/compat/mod.ts";
import { decodeComponent } from "../lib/component/mod.ts";
import { formatWitPackageName, parseWit, type Resolve, type ResolvedWit } from "../lib/wit/mod.ts";
import { CORPUS } from "./component_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

const CLI = `${CORPUS}wasm-tools/tests/cli/`;

/** A world named as semver-check names it: `w` in the main package, or `ns:pkg/w`. */
function selectWorld(w: ResolvedWit, spec: string): number {
  const slash = spec.indexOf("/");
  const pkg = slash < 0 ? w.package : w.resolve.packages.findIndex((p) => {
    const name = formatWitPackageName(p.name);
    const want = spec.slice(0, slash);
    return name === want || `${p.name.namespace}:${p.name.name}` === want;
  });
  const id = w.resolve.packages[pkg]?.worlds.get(slash < 0 ? spec : spec.slice(slash + 1));
  if (id === undefined) throw new Error(`no world ${spec}`);
  return id;
}

/** Our verdict on a semver-check invocation, with the breaking changes for messages. */
function ours(w: ResolvedWit, prev: string, next: string): { ok: boolean; why: string } {
  const r = checkWorldCompat(w.resolve, selectWorld(w, prev), w.resolve, selectWorld(w, next));
  return {
    ok: r.compatible,
    why: r.changes.filter((c) => c.breaking).map((c) => `${c.kind} ${c.path}`).join("; "),
  };
}

async function native(path: string, prev: string, next: string): Promise<boolean> {
  const out = await runWasmTools([
    "component",
    "semver-check",
    path,
    "--prev",
    prev,
    "--new",
    next,
  ]);
  return out.success;
}

async function load(path: string): Promise<ResolvedWit> {
  const text = await Deno.readTextFile(path);
  if (path.endsWith(".wat")) {
    const d = decodeComponent(await parseWat(text));
    assert.equal(d.kind, "wit-package");
    return { resolve: d.resolve as Resolve, package: d.package! };
  }
  return parseWit(text, { path });
}

const cases = [...Deno.readDirSync(CLI)]
  .map((e) => e.name)
  .filter((n) => n.startsWith("semver-check-") && (n.endsWith(".wit") || n.endsWith(".wat")))
  .sort();

Deno.test("the corpus has the semver-check cases of wasm-tools", () => {
  assert.ok(cases.length >= 6, `found ${cases.join(", ")}`);
});

for (const name of cases) {
  Deno.test(`semver-check case ${name}: lib/compat, wasm-tools and the case file agree`, async () => {
    const path = `${CLI}${name}`;
    const first = (await Deno.readTextFile(path)).split("\n")[0];
    const m = /(RUN|FAIL): component semver-check % --prev (\S+) --new (\S+)/.exec(first);
    assert.ok(m, `unexpected first line ${first}`);
    const expected = m[1] === "RUN";
    const [prev, next] = [m[2], m[3]];
    assert.equal(await native(path, prev, next), expected, "wasm-tools disagrees with the case");
    const got = ours(await load(path), prev, next);
    assert.equal(got.ok, expected, `lib/compat says ${got.ok ? "compatible" : got.why}`);
  });
}

/**
 * Scenarios of the world direction: name, WIT with worlds `prev` and `new`, verdict. The
 * `x:y@1.0.0`/`x:y@1.1.0` packages stand for two releases of a dependency (semver-check strips
 * versions; lib/compat accepts a same-series move).
 */
const SCENARIOS: [string, string, boolean][] = [
  ["an added world export", `world prev {} world new { export a: func(); }`, false],
  ["an added import", `world prev {} world new { import a: func(); }`, true],
  [
    "a dropped import",
    `world prev { import f: func(); import g: func(); } world new { import f: func(); }`,
    false,
  ],
  [
    "a dropped export",
    `world prev { export f: func(); export g: func(); } world new { export f: func(); }`,
    true,
  ],
  [
    "an import that changed kind",
    `world prev { import x: func(); } world new { import x: interface {} }`,
    false,
  ],
  [
    "sync became async",
    `world prev { import f: func(); } world new { import f: async func(); }`,
    false,
  ],
  [
    "a function added to an imported interface",
    `world prev { import x: interface { f: func(); } } world new { import x: interface { f: func(); g: func(); } }`,
    true,
  ],
  [
    "a function removed from an imported interface",
    `world prev { import x: interface { f: func(); g: func(); } } world new { import x: interface { f: func(); } }`,
    false,
  ],
  [
    "a function added to an exported interface",
    `world prev { export x: interface { f: func(); } } world new { export x: interface { f: func(); g: func(); } }`,
    false,
  ],
  [
    "a function removed from an exported interface",
    `world prev { export x: interface { f: func(); g: func(); } } world new { export x: interface { f: func(); } }`,
    true,
  ],
  [
    "a method added to an imported resource",
    `world prev { import x: interface { resource r { m: func(); } } } world new { import x: interface { resource r { m: func(); n: func(); } } }`,
    true,
  ],
  [
    "a method added to an exported resource",
    `world prev { export x: interface { resource r { m: func(); } } } world new { export x: interface { resource r { m: func(); n: func(); } } }`,
    false,
  ],
  [
    "an unused type added to an export",
    `world prev { export x: interface { f: func(); } } world new { export x: interface { f: func(); type t = u32; } }`,
    false,
  ],
  [
    "an unused type removed from an export",
    `world prev { export x: interface { f: func(); type t = u32; } } world new { export x: interface { f: func(); } }`,
    true,
  ],
  [
    "an unused record changed in an export",
    `world prev { export x: interface { f: func(); record r { a: u32 } } } world new { export x: interface { f: func(); record r { a: u64 } } }`,
    false,
  ],
  [
    "an unused record changed in an import",
    `world prev { import x: interface { f: func(); record r { a: u32 } } } world new { import x: interface { f: func(); record r { a: u64 } } }`,
    true,
  ],
  [
    "an unused record removed from an import",
    `world prev { import x: interface { f: func(); record r { a: u32 } } } world new { import x: interface { f: func(); } }`,
    true,
  ],
  [
    "an unused enum grew in an import",
    `world prev { import x: interface { enum e { a, b } f: func(); } } world new { import x: interface { enum e { a, b, c } f: func(); } }`,
    true,
  ],
  [
    "an unused resource removed from an import",
    `world prev { import x: interface { f: func(); resource r; } } world new { import x: interface { f: func(); } }`,
    false,
  ],
  [
    "a resource added to an import",
    `world prev { import x: interface { f: func(); } } world new { import x: interface { f: func(); resource r; } }`,
    true,
  ],
  [
    "a resource added to an export",
    `world prev { export x: interface { f: func(); } } world new { export x: interface { f: func(); resource r; } }`,
    false,
  ],
  [
    "a used record gained a field",
    `world prev { import x: interface { record r { a: u32 } f: func(x: r); } } world new { import x: interface { record r { a: u32, b: u32 } f: func(x: r); } }`,
    false,
  ],
  [
    "record fields reordered",
    `world prev { import x: interface { record r { a: u32, b: u32 } f: func(x: r); } } world new { import x: interface { record r { b: u32, a: u32 } f: func(x: r); } }`,
    false,
  ],
  [
    "a parameter renamed",
    `world prev { import x: interface { f: func(x: u32); } } world new { import x: interface { f: func(y: u32); } }`,
    false,
  ],
  [
    "a used type renamed",
    `world prev { import x: interface { record r { a: u32 } f: func(x: r); } } world new { import x: interface { record s { a: u32 } f: func(x: s); } }`,
    false,
  ],
  [
    "an alias added to an import",
    `world prev { import x: interface { record r { a: u32 } f: func(x: r); } } world new { import x: interface { record r { a: u32 } type s = r; f: func(x: s); } }`,
    true,
  ],
  [
    "an alias added to an export",
    `world prev { export x: interface { record r { a: u32 } f: func(x: r); } } world new { export x: interface { record r { a: u32 } type s = r; f: func(x: s); } }`,
    false,
  ],
  [
    "a handle in a record points at another resource",
    `world prev { import x: interface { resource r; record q { h: borrow<r> } f: func(x: q); } } world new { import x: interface { resource r; resource s; record q { h: borrow<s> } f: func(x: q); } }`,
    false,
  ],
  [
    "a stream's element changed",
    `world prev { import x: interface { f: func() -> stream<u8>; } } world new { import x: interface { f: func() -> stream<u16>; } }`,
    false,
  ],
  [
    "an empty import dropped",
    `interface e {} world prev { import e; import f: func(); } world new { import f: func(); }`,
    true,
  ],
  [
    "an import of only unused types dropped",
    `interface e { record r { a: u32 } } world prev { import e; import f: func(); } world new { import f: func(); }`,
    true,
  ],
  ["an empty export added", `interface e {} world prev {} world new { export e; }`, false],
  [
    "a world type added",
    `world prev { import f: func(); } world new { type t = u32; import f: func(); }`,
    true,
  ],
  [
    "an unused world type removed",
    `world prev { type t = u32; import f: func(); } world new { import f: func(); }`,
    false,
  ],
  [
    "a resource moved to another interface",
    `interface i { resource r; } interface j { resource r; } interface k { use i.{r}; f: func(x: r); } interface k2 { use j.{r}; f: func(x: r); } world prev { import k; } world new { import k2; }`,
    false,
  ],
  [
    "a world-level export function's parameter changed",
    `world prev { export f: func(x: u32); } world new { export f: func(x: u64); }`,
    false,
  ],
  [
    "an exported resource's constructor changed",
    `world prev { export x: interface { resource r { constructor(a: u32); } } } world new { export x: interface { resource r { constructor(a: u32, b: u32); } } }`,
    false,
  ],
  [
    "an exported interface dropped a function and the type only it used",
    `world prev { export x: interface { record r { a: u32 } f: func(x: r); g: func(); } } world new { export x: interface { g: func(); } }`,
    true,
  ],
  [
    "an exported interface changed a type its functions use",
    `world prev { export x: interface { record r { a: u32 } f: func(x: r); } } world new { export x: interface { record r { a: u32, b: u8 } f: func(x: r); } }`,
    false,
  ],
  [
    "an imported free function became a static method",
    `world prev { import x: interface { resource r; make: func() -> r; } } world new { import x: interface { resource r { make: static func() -> r; } } }`,
    false,
  ],
  [
    "a flag added to a used flags type",
    `world prev { import x: interface { flags p { a, b } f: func(x: p); } } world new { import x: interface { flags p { a, b, c } f: func(x: p); } }`,
    false,
  ],
  [
    "a result's error type changed",
    `world prev { import x: interface { f: func() -> result<u32, string>; } } world new { import x: interface { f: func() -> result<u32, u8>; } }`,
    false,
  ],
  [
    "an own handle became a borrow",
    `world prev { import x: interface { resource r; f: func(h: r); } } world new { import x: interface { resource r; f: func(h: borrow<r>); } }`,
    false,
  ],
  [
    "an import gained through an include",
    `world base { import g: func(); } world prev { import f: func(); } world new { include base; import f: func(); }`,
    true,
  ],
  [
    "an export gained through an include",
    `world base { export g: func(); } world prev { import f: func(); } world new { include base; import f: func(); }`,
    false,
  ],
  [
    "a list became a fixed-length list",
    `world prev { import x: interface { f: func(a: list<u8>); } } world new { import x: interface { f: func(a: list<u8, 4>); } }`,
    false,
  ],
  [
    "the same interface imported from a new inline name",
    `world prev { import x: interface { f: func(); } } world new { import y: interface { f: func(); } }`,
    false,
  ],
  [
    "an unused type of a dependency changed",
    `package x:y@1.0.0 { interface types { record r { a: u32 } record q { a: u32 } } interface api { use types.{r, q}; f: func(x: r); } }
     package x:y@1.1.0 { interface types { record r { a: u32 } record q { a: u64 } } interface api { use types.{r, q}; f: func(x: r); } }
     world prev { import x:y/api@1.0.0; } world new { import x:y/api@1.1.0; }`,
    true,
  ],
  [
    "an exported interface uses a dependency type that changed",
    `package x:y@1.0.0 { interface types { record r { a: u32 } record q { a: u32 } } interface api { use types.{r, q}; f: func(x: r); } }
     package x:y@1.1.0 { interface types { record r { a: u32 } record q { a: u64 } } interface api { use types.{r, q}; f: func(x: r); } }
     world prev { export x:y/api@1.0.0; } world new { export x:y/api@1.1.0; }`,
    false,
  ],
  [
    "an exported interface stops using a dependency type",
    `package x:y@1.0.0 { interface types { record r { a: u32 } record q { a: u32 } } interface api { use types.{r, q}; f: func(x: r); } }
     package x:y@1.1.0 { interface types { record r { a: u32 } record q { a: u32 } } interface api { use types.{r}; f: func(x: r); } }
     world prev { export x:y/api@1.0.0; } world new { export x:y/api@1.1.0; }`,
    true,
  ],
  [
    "an exported interface starts using a dependency type",
    `package x:y@1.0.0 { interface types { record r { a: u32 } record q { a: u32 } } interface api { use types.{r}; f: func(x: r); } }
     package x:y@1.1.0 { interface types { record r { a: u32 } record q { a: u32 } } interface api { use types.{r, q}; f: func(x: r); } }
     world prev { export x:y/api@1.0.0; } world new { export x:y/api@1.1.0; }`,
    false,
  ],
  [
    "a resource of a used dependency interface removed",
    `package x:y@1.0.0 { interface types { record r { a: u32 } resource z; } interface api { use types.{r}; f: func(x: r); } }
     package x:y@1.1.0 { interface types { record r { a: u32 } } interface api { use types.{r}; f: func(x: r); } }
     world prev { export x:y/api@1.0.0; } world new { export x:y/api@1.1.0; }`,
    false,
  ],
  [
    "a world-level use of a dependency type dropped",
    `package x:y@1.0.0 { interface types { record r { a: u32 } } }
     world prev { use x:y/types@1.0.0.{r}; import f: func(); } world new { import f: func(); }`,
    false,
  ],
  [
    "a world-level export function uses a changed dependency type",
    `package x:y@1.0.0 { interface types { record r { a: u32 } record q { a: u32 } } }
     package x:y@1.1.0 { interface types { record r { a: u64 } record q { a: u32 } } }
     world prev { use x:y/types@1.0.0.{r}; export f: func(x: r); } world new { use x:y/types@1.1.0.{r}; export f: func(x: r); }`,
    false,
  ],
  [
    "an unrelated type of that dependency changed",
    `package x:y@1.0.0 { interface types { record r { a: u32 } record q { a: u32 } } }
     package x:y@1.1.0 { interface types { record r { a: u32 } record q { a: u64 } } }
     world prev { use x:y/types@1.0.0.{r}; export f: func(x: r); } world new { use x:y/types@1.1.0.{r}; export f: func(x: r); }`,
    true,
  ],
];

Deno.test("lib/compat and wasm-tools semver-check agree on every world-direction scenario", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-compat-" });
  const disagreements: string[] = [];
  try {
    for (const [i, [name, body, expected]] of SCENARIOS.entries()) {
      const text = `package a:b;\n${body}\n`;
      const path = `${dir}/case${i}.wit`;
      await Deno.writeTextFile(path, text);
      const nat = await native(path, "prev", "new");
      const got = ours(parseWit(text, { path }), "prev", "new");
      if (nat !== expected) disagreements.push(`${name}: wasm-tools says ${nat}`);
      if (got.ok !== expected) {
        disagreements.push(`${name}: lib/compat says ${got.ok ? "compatible" : got.why}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(disagreements, []);
});
