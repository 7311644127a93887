import assert from "node:assert/strict";
import { DEFAULT_LIMITS, walkSections } from "../component/mod.ts";
import { ComponentBuilder } from "./_builder.ts";

Deno.test("the builder says where each nested component's bytes are in its output", () => {
  const b = new ComponentBuilder();
  const nested = [new Uint8Array(3).fill(1), new Uint8Array(200).fill(2), new Uint8Array(0)];
  b.import("a:b/c", { kind: "type", subResource: true });
  b.component(nested[0]);
  b.aliasExport("func", 0, "é-not-ascii");
  b.component(nested[1]);
  b.instantiate(1, [{ name: "x", sort: "instance", index: 0 }]);
  b.component(nested[2]);
  b.custom("wreg:test", new Uint8Array([9, 9]));
  b.export("e", "instance", 0);
  const out = b.finish();
  assert.equal(b.componentOffsets.length, 3);
  const sections = [...walkSections(out, DEFAULT_LIMITS)];
  const components = sections.filter((s) => s.id === 4);
  for (let i = 0; i < nested.length; i++) {
    assert.equal(b.componentOffsets[i], components[i].contents.start);
    assert.deepEqual(
      out.subarray(b.componentOffsets[i], b.componentOffsets[i] + nested[i].length),
      nested[i],
    );
  }
  assert.deepEqual(sections.map((s) => s.id), [10, 4, 6, 4, 5, 4, 0, 11]);
  // Names are length-prefixed UTF-8, ASCII or not.
  const alias = sections[2].contents;
  const name = new TextEncoder().encode("é-not-ascii");
  assert.deepEqual(
    out.subarray(alias.start, alias.end),
    new Uint8Array([1, 1, 0, 0, name.length, ...name]),
  );
});
