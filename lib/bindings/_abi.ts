/**
 * The Canonical ABI's static facts for 32-bit memories, over lib/component's checked types:
 * size and alignment in linear memory, flattening to core values, and the discriminant of
 * variants. The lean glue generator (`_lean.ts`) is built on these.
 */
import type { DefKind, ValType } from "../component/mod.ts";
import type { PrimitiveType } from "../wit/mod.ts";

/** A core value type. */
export type Core = "i32" | "i64" | "f32" | "f64";

/** A value type with aliases peeled: a primitive name or a non-primitive definition. */
export type Kind = PrimitiveType | Exclude<DefKind, { k: "primitive" }>;

/** Parameters flatten to at most this many core values before they go through memory. */
export const MAX_FLAT_PARAMS = 16;
/** Results flatten to at most this many core values before they go through memory. */
export const MAX_FLAT_RESULTS = 1;

/** The kind of a value type: primitives by name, defined types by their definition. */
export function kindOf(t: ValType): Kind {
  if (typeof t === "string") return t;
  const d = t.def;
  return d.k === "primitive" ? d.type : d;
}

const PRIM_SIZE: Partial<Record<PrimitiveType, number>> = {
  bool: 1,
  u8: 1,
  s8: 1,
  u16: 2,
  s16: 2,
  u32: 4,
  s32: 4,
  f32: 4,
  char: 4,
  u64: 8,
  s64: 8,
  f64: 8,
  string: 8,
  "error-context": 4,
};

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Size in bytes of a variant's discriminant with `n` cases. */
export function discriminantSize(n: number): 1 | 2 | 4 {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

/** Payloads of the cases of a variant-like kind (variant, enum, option, result), in order. */
export function casesOf(k: Kind): (ValType | undefined)[] {
  if (typeof k === "string") throw new Error(`not a variant: ${k}`);
  switch (k.k) {
    case "variant":
      return k.cases.map((c) => c.type);
    case "enum":
      return k.names.map(() => undefined);
    case "option":
      return [undefined, k.type];
    case "result":
      return [k.ok, k.err];
    default:
      throw new Error(`not a variant: ${k.k}`);
  }
}

/** Size and alignment of a value in linear memory (`elem_size`, `alignment`). */
export function layout(t: ValType): { size: number; align: number } {
  const k = kindOf(t);
  if (typeof k === "string") {
    const size = PRIM_SIZE[k] ?? 4;
    return { size, align: k === "string" ? 4 : size };
  }
  switch (k.k) {
    case "list":
    case "map":
      return { size: 8, align: 4 };
    case "record":
    case "tuple": {
      const types = k.k === "record" ? k.fields.map((f) => f.type) : k.types;
      let s = 0, a = 1;
      for (const x of types) {
        const l = layout(x);
        s = alignTo(s, l.align) + l.size;
        a = Math.max(a, l.align);
      }
      return { size: alignTo(s, a), align: a };
    }
    case "flags": {
      const n = k.names.length;
      if (n <= 8) return { size: 1, align: 1 };
      if (n <= 16) return { size: 2, align: 2 };
      return { size: 4 * Math.ceil(n / 32), align: 4 };
    }
    case "variant":
    case "enum":
    case "option":
    case "result": {
      const cases = casesOf(k);
      const d = discriminantSize(cases.length);
      let ca = 1, cs = 0;
      for (const c of cases) {
        if (c === undefined) continue;
        const l = layout(c);
        ca = Math.max(ca, l.align);
        cs = Math.max(cs, l.size);
      }
      const a = Math.max(d, ca);
      return { size: alignTo(alignTo(d, ca) + cs, a), align: a };
    }
    default:
      return { size: 4, align: 4 };
  }
}

/** Offset of a variant's payload from its start. */
export function payloadOffset(k: Kind): number {
  const cases = casesOf(k);
  let ca = 1;
  for (const c of cases) if (c !== undefined) ca = Math.max(ca, layout(c).align);
  return alignTo(discriminantSize(cases.length), ca);
}

/** Offsets of the fields of a record or tuple. */
export function fieldOffsets(types: readonly ValType[]): number[] {
  let s = 0;
  const out: number[] = [];
  for (const x of types) {
    const l = layout(x);
    s = alignTo(s, l.align);
    out.push(s);
    s += l.size;
  }
  return out;
}

/** The join of two core types in a variant's flat payload. */
export function join(a: Core, b: Core): Core {
  if (a === b) return a;
  if ((a === "i32" && b === "f32") || (a === "f32" && b === "i32")) return "i32";
  return "i64";
}

/** The flat core types a value type lowers to (`flatten_type`). */
export function flatten(t: ValType): Core[] {
  const k = kindOf(t);
  if (typeof k === "string") {
    switch (k) {
      case "u64":
      case "s64":
        return ["i64"];
      case "f32":
        return ["f32"];
      case "f64":
        return ["f64"];
      case "string":
        return ["i32", "i32"];
      default:
        return ["i32"];
    }
  }
  switch (k.k) {
    case "record":
      return k.fields.flatMap((f) => flatten(f.type));
    case "tuple":
      return k.types.flatMap((x) => flatten(x));
    case "list":
    case "map":
      return ["i32", "i32"];
    case "flags":
      return Array(Math.max(1, Math.ceil(k.names.length / 32))).fill("i32");
    case "variant":
    case "enum":
    case "option":
    case "result":
      return ["i32", ...variantSlots(k)];
    default:
      return ["i32"];
  }
}

/** The joined flat payload slots of a variant-like kind (without the discriminant). */
export function variantSlots(k: Kind): Core[] {
  const flat: Core[] = [];
  for (const c of casesOf(k)) {
    if (c === undefined) continue;
    flatten(c).forEach((f, i) => {
      flat[i] = i < flat.length ? join(flat[i], f) : f;
    });
  }
  return flat;
}

/** Whether a value of type `t` points into memory (holds a string or a list). */
export function containsPointer(t: ValType): boolean {
  const k = kindOf(t);
  if (typeof k === "string") return k === "string";
  switch (k.k) {
    case "list":
    case "map":
      return true;
    case "record":
      return k.fields.some((f) => containsPointer(f.type));
    case "tuple":
      return k.types.some(containsPointer);
    case "variant":
    case "option":
    case "result":
      return casesOf(k).some((c) => c !== undefined && containsPointer(c));
    default:
      return false;
  }
}
