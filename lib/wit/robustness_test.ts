/**
 * Untrusted WIT never crashes the front end: any text either resolves or is rejected with a
 * {@link WitError}, never another exception (stack overflow, type error, endless loop).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseWit, printWit, WitError } from "./mod.ts";

const SEED = `package a:b@1.0.0;
interface types {
  /// docs
  @since(version = 1.0.0)
  resource r { constructor(x: u32); m: func() -> result<list<u8>, string>; s: static func(); }
  record point { x: s32, y: option<tuple<u8, string>> }
  variant v { a, b(point) }
  flags f { a, b }
  enum e { x, y }
  type alias = own<r>;
}
world w {
  use types.{r, point};
  import run: async func(p: point) -> stream<u8>;
  import inline: interface { use types.{r}; g: func(x: borrow<r>); }
  export types;
  include other with { h as h2 }
}
world other { export h: func(); }
package c:d { interface x { use a:b/types@1.0.0.{e}; } }
`;

function onlyWitErrors(text: string): void {
  try {
    const r = parseWit(text, { path: "fuzz.wit" });
    printWit(r.resolve, { main: r.package });
  } catch (e) {
    if (!(e instanceof WitError)) throw e;
    assert.ok(e.rendered.length > 0);
  }
}

Deno.test("arbitrary text is resolved or rejected with a WitError", () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), onlyWitErrors), { numRuns: 300 });
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 100 }), onlyWitErrors),
    { numRuns: 200 },
  );
});

Deno.test("valid WIT with bytes cut, repeated or swapped is resolved or rejected with a WitError", () => {
  assert.equal(parseWit(SEED).resolve.packages.length, 2, "the seed itself is valid");
  const mutation = fc.tuple(
    fc.nat(SEED.length - 1),
    fc.nat(40),
    fc.constantFrom("cut", "repeat", "swap"),
  );
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      let text = SEED;
      for (const [at, len, how] of ms) {
        const i = Math.min(at, text.length), j = Math.min(text.length, i + len);
        if (how === "cut") text = text.slice(0, i) + text.slice(j);
        else if (how === "repeat") text = text.slice(0, j) + text.slice(i, j) + text.slice(j);
        else {text = text.slice(0, i) + text.slice(j, j + len) + text.slice(i, j) +
            text.slice(j + len);}
      }
      onlyWitErrors(text);
    }),
    { numRuns: 500 },
  );
});

Deno.test("long chains of aliases and deep nesting are handled without a crash", () => {
  const chain = ["type t0 = u8;"];
  for (let i = 1; i < 20000; i++) chain.push(`type t${i} = t${i - 1};`);
  const r = parseWit(`package a:b; interface i { ${chain.join(" ")} f: func() -> t19999; }`);
  assert.equal(r.resolve.types.length, 20000);
  const ifaces = ["interface i0 { type t = u8; }"];
  for (let i = 1; i < 10000; i++) ifaces.push(`interface i${i} { use i${i - 1}.{t}; }`);
  onlyWitErrors(`package a:b; ${ifaces.join(" ")} world w { import i9999; }`);
  onlyWitErrors(
    `package a:b; interface i { type t = ${"option<".repeat(99)}u8${">".repeat(99)}; }`,
  );
  onlyWitErrors(
    `package a:b; interface i { type t = ${"option<".repeat(5000)}u8${">".repeat(5000)}; }`,
  );
});
