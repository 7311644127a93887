import assert from "node:assert/strict";
import {
  componentLabel,
  type ComposedFromDoc,
  composedFromSvg,
  layerComponents,
  MAX_DRAWN,
} from "./_composed_svg.ts";

const D = (c: string) => `sha256:${c.repeat(64)}`;

Deno.test("layers: the socket first, then each plug one column past what it fills", () => {
  const chain: ComposedFromDoc = {
    format: 1,
    components: [
      { package: "a:socket", version: "1.0.0", digest: D("a") },
      { package: "a:mid", version: "1.0.0", digest: D("b") },
      { package: "a:leaf", version: "1.0.0", digest: D("c") },
      { package: "a:other", version: "1.0.0", digest: D("d") },
    ],
    fills: [
      { into: 0, import: "a:x/mid@1.0.0", by: 1, export: null },
      { into: 1, import: "a:x/leaf@1.0.0", by: 2, export: null },
      { into: 0, import: "a:x/leaf@1.0.0", by: 2, export: null },
      { into: 0, import: "a:x/other@1.0.0", by: 3, export: null },
    ],
  };
  assert.deepEqual(layerComponents(chain), [0, 1, 2, 1]);
  const svg = composedFromSvg(chain).value;
  assert.equal(svg.match(/<a href=/g)?.length, 4);
  // One arrow per pair of components.
  assert.equal(svg.match(/class="cf-edge"/g)?.length, 4);
  assert.ok(svg.includes(`<a href="/a/leaf@1.0.0" class="cf-box">`));
  assert.ok(svg.includes(`class="cf-box cf-root"`));
});

Deno.test("a cycle (which a valid record never has) still ends", () => {
  const cycle: ComposedFromDoc = {
    format: 1,
    components: [
      { package: null, version: null, digest: D("a") },
      { package: null, version: null, digest: D("b") },
    ],
    fills: [
      { into: 0, import: "x", by: 1, export: null },
      { into: 1, import: "y", by: 0, export: null },
      { into: 7, import: "out of range", by: 0, export: null },
    ],
  };
  assert.ok(layerComponents(cycle).every((d) => d >= 0 && d < 2));
  const svg = composedFromSvg(cycle).value;
  assert.ok(svg.includes("component aaaaaaaaaaaa"));
  assert.ok(!svg.includes("<a href"), "components without a package are not links");
});

Deno.test("names and imports from the record are escaped in the picture and the caption", () => {
  const hostile: ComposedFromDoc = {
    format: 1,
    components: [
      { package: `<script>x</script>`, version: `"><img onerror=y>`, digest: D("a") },
      { package: "a:b", version: "1.0.0", digest: D("b") },
    ],
    fills: [{ into: 0, import: `</text><script>z</script>`, by: 1, export: `<b>` }],
  };
  const svg = composedFromSvg(hostile).value;
  assert.ok(!svg.includes("<script") && !svg.includes("<img") && !svg.includes("<b>"));
  assert.ok(svg.includes("&lt;/text&gt;&lt;script&gt;z&lt;/script&gt;"));
  assert.equal(componentLabel(hostile.components[1]), "a:b@1.0.0");
});

Deno.test("a huge record draws the first components and says how many more there are", () => {
  const many: ComposedFromDoc = {
    format: 1,
    components: Array.from({ length: MAX_DRAWN + 5 }, (_, i) => ({
      package: `a:c${i}`,
      version: "1.0.0",
      digest: D("a"),
    })),
    fills: Array.from({ length: MAX_DRAWN + 4 }, (_, i) => ({
      into: 0,
      import: `a:x/i${i}`,
      by: i + 1,
      export: null,
    })),
  };
  const svg = composedFromSvg(many).value;
  assert.equal(svg.match(/class="cf-name"/g)?.length, MAX_DRAWN);
  assert.ok(svg.includes("5 more components are not drawn."));
});
