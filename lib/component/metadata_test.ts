import assert from "node:assert/strict";
import { decodeComponent } from "./mod.ts";
import { ByteWriter } from "./_writer.ts";

function custom(w: ByteWriter, name: string, payload: Uint8Array): void {
  w.section(0, new ByteWriter().name(name).bytes(payload).finish());
}

Deno.test("producers, component names and registry metadata are read from custom sections", () => {
  const w = new ByteWriter();
  w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  const producers = new ByteWriter().u32(2)
    .name("language").u32(1).name("Rust").name("")
    .name("processed-by").u32(2).name("wit-component").name("0.263.0").name("wreg").name("0.1.0")
    .finish();
  custom(w, "producers", producers);
  const nameSub = new ByteWriter().name("my-component").finish();
  custom(w, "component-name", new ByteWriter().u8(0).u32(nameSub.length).bytes(nameSub).finish());
  const text = (s: string) => new TextEncoder().encode(s);
  custom(w, "description", text("A component that adds"));
  custom(w, "licenses", text("Apache-2.0 WITH LLVM-exception"));
  custom(w, "source", text("https://example.com/src"));
  custom(w, "homepage", text("https://example.com"));
  custom(w, "version", text("1.2.3"));
  custom(w, "authors", text("Ada <ada@example.com>"));
  custom(w, "revision", text("abc123"));
  const bytes = w.finish();
  const d = decodeComponent(bytes);
  // Callers that need only the types can skip them; nothing else changes.
  const typesOnly = decodeComponent(bytes, { metadata: false });
  assert.deepEqual(typesOnly.metadata, {});
  assert.deepEqual({ ...typesOnly, metadata: d.metadata }, d);
  assert.deepEqual(d.metadata, {
    producers: {
      language: [{ name: "Rust", version: "" }],
      "processed-by": [{ name: "wit-component", version: "0.263.0" }, {
        name: "wreg",
        version: "0.1.0",
      }],
    },
    name: "my-component",
    description: "A component that adds",
    licenses: "Apache-2.0 WITH LLVM-exception",
    source: "https://example.com/src",
    homepage: "https://example.com",
    version: "1.2.3",
    authors: "Ada <ada@example.com>",
    revision: "abc123",
  });
});

Deno.test("a core module's name comes from its name section", () => {
  const w = new ByteWriter();
  w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  const sub = new ByteWriter().name("adapter").finish();
  custom(w, "name", new ByteWriter().u8(0).u32(sub.length).bytes(sub).finish());
  const d = decodeComponent(w.finish());
  assert.equal(d.kind, "module");
  assert.equal(d.metadata.name, "adapter");
  assert.deepEqual(decodeComponent(w.finish(), { metadata: false }).metadata, {});
});
