import assert from "node:assert/strict";
import fc from "fast-check";
import { highlightWit, lexWit, MAX_HIGHLIGHT_CHARS, type WitLinks } from "./_wit_highlight.ts";

const NO_LINKS: WitLinks = { packageHref: () => undefined };
const KNOWN: WitLinks = {
  packageHref: (pkg, v) => pkg === "wasi:io" ? `/wasi/io${v === null ? "" : `@${v}`}` : undefined,
};

/** The text a reader sees: tags removed, character references decoded. */
function visible(markup: string): string {
  return markup.replace(/<[^>]*>/g, "").replace(
    /&(lt|gt|quot|#39|amp);/g,
    (_, e) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e as string]!,
  );
}

const WIT = `package a:b@1.0.0;

/// Types.
interface types {
  /// A thing.
  record thing {
    id: u64,
    kind: kind,
  }
  enum kind {
    thing,
    other,
  }
  variant shape {
    thing(thing),
    none,
  }
  type alias = list<thing>;
  use wasi:io/streams@0.2.0.{input-stream as in-stream, output-stream};
  read: func(s: borrow<in-stream>) -> result<thing, output-stream>;
}

@since(version = 1.0.0)
world w {
  import types;
  use types.{thing};
  export run: func(t: thing) -> string;
  include other;
}

world other {
  import wasi:io/streams@0.2.0;
}
`;

Deno.test("the lexer keeps every character: tokens join back into the text", () => {
  assert.equal(lexWit(WIT).map((t) => t.text).join(""), WIT);
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
      assert.equal(lexWit(s).map((t) => t.text).join(""), s);
    }),
    { seed: 9, numRuns: 400 },
  );
});

Deno.test("highlighting never changes what a reader sees and never lets markup through", () => {
  assert.equal(visible(highlightWit(WIT, KNOWN).html.value), WIT);
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          "interface ",
          "world ",
          "package a:b;",
          "package x:y@1.0.0 {",
          "use ",
          "record ",
          "enum ",
          "{",
          "}",
          "(",
          ")",
          ",",
          ";",
          ":",
          ".",
          "thing",
          "wasi:io/streams@0.2.0",
          "/// <script>alert(1)</script>\n",
          "/* <img onerror=x> */",
          `"'&<>`,
          "@since(version = 1.0.0)",
          "\n",
          " ",
        ),
        { maxLength: 60 },
      ),
      (parts) => {
        const text = parts.join("");
        const out = highlightWit(text, KNOWN).html.value;
        assert.equal(visible(out), text);
        assert.ok(!out.includes("<script") && !out.includes("<img"));
      },
    ),
    { seed: 17, numRuns: 500 },
  );
});

Deno.test("definitions get anchors; type references link to them, in any order", () => {
  const out = highlightWit(WIT, NO_LINKS).html.value;
  for (
    const id of ["types", "types.thing", "types.kind", "types.shape", "types.alias", "w", "other"]
  ) {
    assert.ok(out.includes(`id="${id}" href="#${id}"`), id);
  }
  // `kind` is used in `thing` before `enum kind` is defined.
  assert.ok(out.includes(`kind: <a class="w-ref" href="#types.kind">kind</a>`));
  assert.ok(out.includes(`thing(<a class="w-ref" href="#types.thing">thing</a>)`));
  assert.ok(out.includes(`list</span>&lt;<a class="w-ref" href="#types.thing">thing</a>&gt;`));
  // In the world: the import, the use and the type it brings in.
  assert.ok(
    out.includes(`<span class="w-kw">import</span> <a class="w-ref" href="#types">types</a>;`),
  );
  assert.ok(out.includes(`t: <a class="w-ref" href="#types.thing">thing</a>`));
  assert.ok(
    out.includes(`<span class="w-kw">include</span> <a class="w-ref" href="#other">other</a>`),
  );
});

Deno.test("field, parameter and case names are never links, even when a type has that name", () => {
  const out = highlightWit(WIT, NO_LINKS).html.value;
  // The enum case `thing` and the variant case `thing(...)` are not references.
  assert.ok(out.includes("    thing,\n"));
  assert.ok(out.includes("    thing(<a"));
  assert.ok(out.includes("    id: "));
  assert.ok(!out.includes(`>kind</a>:`));
});

Deno.test("names brought by use link to the package that defines them when it is published here", () => {
  const known = highlightWit(WIT, KNOWN).html.value;
  assert.ok(
    known.includes(`<a class="w-pkg" href="/wasi/io@0.2.0#streams">wasi:io/streams@0.2.0</a>`),
  );
  assert.ok(
    known.includes(`<a class="w-ref" href="/wasi/io@0.2.0#streams.input-stream">input-stream</a>`),
  );
  // The alias links to the original's definition, where it is used too.
  assert.ok(
    known.includes(
      `borrow</span>&lt;<a class="w-ref" href="/wasi/io@0.2.0#streams.input-stream">in-stream</a>&gt;`,
    ),
  );
  const unknown = highlightWit(WIT, NO_LINKS).html.value;
  assert.ok(
    unknown.includes(
      `<span class="w-pkg" title="not published in this registry">wasi:io/streams@0.2.0</span>`,
    ),
  );
  assert.ok(unknown.includes(`<span class="w-ref">output-stream</span>`));
});

Deno.test("keywords, built-in types, doc comments and annotations get their classes", () => {
  const out = highlightWit(WIT, NO_LINKS).html.value;
  assert.ok(out.includes(`<span class="w-doc">/// A thing.</span>`));
  assert.ok(out.includes(`<span class="w-ann">@since(version = 1.0.0)</span>`));
  assert.ok(out.includes(`<span class="w-ty">u64</span>`));
  assert.ok(out.includes(`<span class="w-kw">record</span>`));
});

Deno.test("top-level items come one by one, without their leading doc comment but with annotations", () => {
  const { items } = highlightWit(WIT, NO_LINKS);
  assert.deepEqual([...items.keys()], ["types", "w", "other"]);
  const types = visible(items.get("types")!.value);
  assert.ok(types.startsWith("interface types {") && types.endsWith("}"));
  assert.ok(!types.includes("/// Types."));
  assert.ok(visible(items.get("w")!.value).startsWith("@since(version = 1.0.0)\nworld w {"));
});

Deno.test("a component's nested packages get their own anchors, and their header links out", () => {
  const text = `package root:component;

world root {
  import wasi:io/streams@0.2.0;
  use wasi:io/streams@0.2.0.{input-stream};
  export read: func(s: input-stream);
}
package wasi:io@0.2.0 {
  interface streams {
    resource input-stream;
  }
}
`;
  const out = highlightWit(text, KNOWN);
  const markup = out.html.value;
  assert.ok(markup.includes(`id="wasi:io@0.2.0/streams.input-stream"`));
  assert.ok(markup.includes(`href="#wasi:io@0.2.0/streams">wasi:io/streams@0.2.0</a>;`));
  assert.ok(
    markup.includes(
      `s: <a class="w-ref" href="#wasi:io@0.2.0/streams.input-stream">input-stream</a>`,
    ),
  );
  assert.ok(markup.includes(`<a class="w-pkg" href="/wasi/io@0.2.0">wasi:io@0.2.0</a> {`));
  assert.deepEqual(out.nested.map((n) => n.name), ["wasi:io@0.2.0"]);
  assert.ok(visible(out.nested[0].html.value).startsWith("package wasi:io@0.2.0 {"));
  assert.deepEqual([...out.items.keys()], ["root"]);
});

Deno.test("a text past the size limit is shown escaped, unhighlighted", () => {
  const big = `/// <b>\n${"x".repeat(MAX_HIGHLIGHT_CHARS)}`;
  const out = highlightWit(big, NO_LINKS);
  assert.ok(out.html.value.startsWith("/// &lt;b&gt;\nxxx"));
  assert.equal(out.items.size, 0);
});
