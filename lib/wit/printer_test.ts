import assert from "node:assert/strict";
import { canonicalPackage, parseWit, printWit, printWitPackage } from "./mod.ts";

function roundTrip(text: string, features: string[] = []): string {
  const first = parseWit(text, { features });
  const printed = printWit(first.resolve, { main: first.package });
  const again = parseWit(printed, { features });
  first.resolve.packages.forEach((p, id) => {
    const other = again.resolve.packageNames.get(
      p.name.version
        ? `${p.name.namespace}:${p.name.name}@${p.name.version}`
        : `${p.name.namespace}:${p.name.name}`,
    );
    assert.ok(other !== undefined, "every package is printed");
    assert.deepEqual(
      canonicalPackage(again.resolve, other, { docs: true, stability: true }),
      canonicalPackage(first.resolve, id, { docs: true, stability: true }),
    );
  });
  return printed;
}

Deno.test("a package prints in wasm-tools' layout", () => {
  const { resolve } = parseWit(`package a:b@1.0.0;
/// An interface.
interface i {
  record point { x: s32, y: s32 }
  f: func(p: point) -> result<_, string>;
}
world w { import i; export run: func(); }`);
  assert.equal(
    printWitPackage(resolve, 0),
    `package a:b@1.0.0;

/// An interface.
interface i {
  record point {
    x: s32,
    y: s32,
  }

  f: func(p: point) -> result<_, string>;
}

world w {
  import i;

  export run: func();
}
`,
  );
});

Deno.test("keywords used as names are escaped with %", () => {
  const text = roundTrip(
    "package a:b; interface %type { type %record = u8; %list: func(%enum: %record); }",
  );
  assert.match(text, /interface %type \{/);
  assert.match(text, /%list: func\(%enum: %record\);/);
});

Deno.test("resources, handles and async functions print and parse back the same", () => {
  const text = roundTrip(`package a:b;
interface i {
  resource r {
    constructor(x: u32);
    m: async func() -> stream<u8>;
    s: static func() -> result<r, string>;
  }
  type h = own<r>;
  f: async func(x: borrow<r>, y: future, z: list<r, 3>) -> map<string, option<r>>;
}`);
  assert.match(text, /constructor\(x: u32\);/);
  assert.match(text, /m: async func\(\) -> stream<u8>;/);
  assert.match(text, /type h = own<r>;/);
});

Deno.test("docs and feature gates are kept", () => {
  const text = roundTrip(
    `package a:b@2.0.0;
/// Line one.
///
///   indented
@since(version = 1.0.0)
@deprecated(version = 2.0.0)
interface i {
  /** Block doc. */
  @unstable(feature = fancy)
  f: func();
  enum e {
    /// first
    a,
    b,
  }
}`,
    ["fancy"],
  );
  assert.ok(
    text.includes(
      "/// Line one.\n///\n///   indented\n@since(version = 1.0.0)\n@deprecated(version = 2.0.0)",
    ),
  );
  assert.ok(text.includes("/// Block doc.\n  @unstable(feature = fancy)\n  f: func();"));
});

Deno.test("worlds with uses, types, includes and inline interfaces round-trip", () => {
  roundTrip(`package a:b;
interface types { type t = u64; resource r; }
world base { use types.{t, r as rr}; type own-t = list<t>; import f: func(x: own-t) -> rr; }
world w {
  include base with { f as g }
  import inline: interface { use types.{t}; h: func() -> t; }
  export types;
}`);
});

Deno.test("other packages follow as nested blocks", () => {
  const { resolve, package: main } = parseWit(`package a:main;
world w { import a:dep/api; }
package a:dep { interface api {} }`);
  assert.equal(
    printWit(resolve, { main }),
    "package a:main;\n\nworld w {\n  import a:dep/api;\n}\npackage a:dep {\n  interface api {\n  }\n}\n",
  );
});
