import assert from "node:assert/strict";
import { ComponentDecodeError } from "./_error.ts";
import { DEFAULT_LIMITS, resolveLimits } from "./_limits.ts";
import { Reader } from "./_reader.ts";

const r = (...bytes: number[]) => new Reader(new Uint8Array(bytes), DEFAULT_LIMITS);

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ComponentDecodeError);
    return `${e.code}@${e.offset}`;
  }
  return "ok";
}

Deno.test("u32 reads one to five byte LEB128s, overlong zero padding included", () => {
  assert.equal(r(0x00).u32(), 0);
  assert.equal(r(0x7f).u32(), 127);
  assert.equal(r(0x80, 0x01).u32(), 128);
  assert.equal(r(0xff, 0xff, 0xff, 0xff, 0x0f).u32(), 0xffffffff);
  assert.equal(r(0x81, 0x80, 0x80, 0x80, 0x00).u32(), 1);
});

Deno.test("u32 refuses bits past the 32nd and representations longer than five bytes", () => {
  assert.equal(code(() => r(0x81, 0x80, 0x80, 0x80, 0x70).u32()), "invalid-integer@0");
  assert.equal(code(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32()), "invalid-integer@0");
  assert.equal(code(() => r(0x80, 0x80).u32()), "unexpected-eof@2");
});

Deno.test("s33 reads type indices and negative type opcodes", () => {
  assert.equal(r(0x05).s33(), 5);
  assert.equal(r(0x7f).s33(), -1);
  assert.equal(r(0x73).s33(), -13);
  assert.equal(r(0x80, 0x01).s33(), 128);
  assert.equal(r(0xff, 0xff, 0xff, 0xff, 0x0f).s33(), 0xffffffff);
});

Deno.test("a vector count larger than the remaining bytes fails before anything is allocated", () => {
  assert.equal(code(() => r(0xbf, 0x84, 0x3d, 0x73).count("type")), "unexpected-eof@0");
  assert.equal(code(() => r(0x02, 0x00).count("field", 2)), "unexpected-eof@0");
  const tight = new Reader(
    new Uint8Array([0x05, 1, 2, 3, 4, 5]),
    resolveLimits({ maxVectorLength: 4 }),
  );
  assert.equal(code(() => tight.count("x")), "limit-exceeded@0");
});

Deno.test("names are length-prefixed UTF-8 and limited in length", () => {
  assert.equal(r(0x02, 0x68, 0x69).name(), "hi");
  assert.equal(r(0x03, 0xe2, 0x82, 0xac).name(), "€");
  assert.equal(code(() => r(0x02, 0xff, 0xfe).name()), "invalid-utf8@1");
  assert.equal(code(() => r(0x05, 0x61, 0x62).name()), "unexpected-eof@3");
  const tight = new Reader(
    new Uint8Array([0x03, 0x61, 0x62, 0x63]),
    resolveLimits({ maxStringBytes: 2 }),
  );
  assert.equal(code(() => tight.name()), "limit-exceeded@0");
});

Deno.test("a sub-reader cannot read past its end", () => {
  const outer = r(0x01, 0x02, 0x03);
  const sub = outer.sub(2);
  assert.equal(sub.u8(), 1);
  assert.equal(sub.u8(), 2);
  assert.equal(code(() => sub.u8()), "unexpected-eof@2");
});
