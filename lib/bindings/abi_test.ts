import assert from "node:assert/strict";
import type { DefKind, ValType } from "../component/mod.ts";
import {
  containsPointer,
  discriminantSize,
  fieldOffsets,
  flatten,
  kindOf,
  layout,
  payloadOffset,
} from "./_abi.ts";

const def = (d: DefKind): ValType => ({ tag: "defined", def: d });
const record = (...types: ValType[]) =>
  def({ k: "record", fields: types.map((type, i) => ({ name: `f${i}`, type })) });
const variant = (...types: (ValType | undefined)[]) =>
  def({ k: "variant", cases: types.map((type, i) => ({ name: `c${i}`, type })) });
const flags = (n: number) =>
  def({ k: "flags", names: Array.from({ length: n }, (_, i) => `f${i}`) });

Deno.test("primitives have the Canonical ABI's sizes and alignments (32-bit memory)", () => {
  const cases: [ValType, number, number][] = [
    ["bool", 1, 1],
    ["u8", 1, 1],
    ["s16", 2, 2],
    ["u32", 4, 4],
    ["f32", 4, 4],
    ["char", 4, 4],
    ["u64", 8, 8],
    ["f64", 8, 8],
    ["string", 8, 4],
    [def({ k: "list", element: "u64" }), 8, 4],
  ];
  for (const [t, size, align] of cases) assert.deepEqual(layout(t), { size, align }, String(t));
});

Deno.test("records pad each field to its alignment and the whole to the largest", () => {
  const r = record("u8", "u32", "u16");
  assert.deepEqual(fieldOffsets(["u8", "u32", "u16"]), [0, 4, 8]);
  assert.deepEqual(layout(r), { size: 12, align: 4 });
  assert.deepEqual(layout(def({ k: "tuple", types: ["u8", "f64"] })), { size: 16, align: 8 });
  assert.deepEqual(flatten(r), ["i32", "i32", "i32"]);
});

Deno.test("variants put the payload after the discriminant at the payload's alignment", () => {
  const v = variant("f32", "u64", undefined);
  assert.deepEqual(layout(v), { size: 16, align: 8 });
  assert.equal(payloadOffset(kindOf(v)), 8);
  const r = def({ k: "result", ok: "string", err: "u32" });
  assert.deepEqual(layout(r), { size: 12, align: 4 });
  assert.equal(payloadOffset(kindOf(r)), 4);
  assert.deepEqual(layout(def({ k: "option", type: "u8" })), { size: 2, align: 1 });
});

Deno.test("discriminants grow with the number of cases", () => {
  assert.equal(discriminantSize(256), 1);
  assert.equal(discriminantSize(257), 2);
  assert.equal(discriminantSize(65537), 4);
  const names = Array.from({ length: 257 }, (_, i) => `e${i}`);
  assert.deepEqual(layout(def({ k: "enum", names })), { size: 2, align: 2 });
});

Deno.test("flags take one, two or four bytes per 32 flags", () => {
  assert.deepEqual(layout(flags(8)), { size: 1, align: 1 });
  assert.deepEqual(layout(flags(9)), { size: 2, align: 2 });
  assert.deepEqual(layout(flags(17)), { size: 4, align: 4 });
  assert.deepEqual(layout(flags(33)), { size: 8, align: 4 });
  assert.deepEqual(flatten(flags(33)), ["i32", "i32"]);
});

Deno.test("variant payloads join to the widest core type of each slot", () => {
  assert.deepEqual(flatten(variant("f32", "u64", undefined)), ["i32", "i64"]);
  assert.deepEqual(flatten(variant("f32", "s32")), ["i32", "i32"]);
  assert.deepEqual(flatten(variant("f64", "f32")), ["i32", "i64"]);
  assert.deepEqual(flatten(variant("f32", "f32")), ["i32", "f32"]);
  assert.deepEqual(flatten(variant(record("u8", "string"), "f64")), ["i32", "i64", "i32", "i32"]);
  assert.deepEqual(flatten(def({ k: "enum", names: ["a", "b"] })), ["i32"]);
});

Deno.test("pointers are found inside nested types", () => {
  assert.equal(containsPointer(record("u8", "u32")), false);
  assert.equal(containsPointer(record("u8", variant(undefined, "string"))), true);
  assert.equal(containsPointer(def({ k: "list", element: "u8" })), true);
  assert.equal(containsPointer(def({ k: "option", type: "char" })), false);
});
