/**
 * The parts of the Canonical ABI that validation needs: how many core values a type flattens to,
 * whether it holds a pointer (strings, lists), and its element size (which must stay below 2^28).
 */
import type { DefKind, ValType } from "./_types.ts";

/** Parameters flatten to at most this many core values before they go through memory. */
export const MAX_FLAT_PARAMS = 16;
/** Results flatten to at most this many core values before they go through memory. */
export const MAX_FLAT_RESULTS = 1;
/** Parameters of an async lowered call flatten to at most this many core values. */
export const MAX_FLAT_ASYNC_PARAMS = 4;
/** The largest element size a value type may have. */
export const MAX_ELEM_SIZE = 2 ** 28;

const PRIM_SIZE: Record<string, number> = {
  bool: 1,
  s8: 1,
  u8: 1,
  s16: 2,
  u16: 2,
  s32: 4,
  u32: 4,
  f32: 4,
  char: 4,
  s64: 8,
  u64: 8,
  f64: 8,
  string: 16,
  "error-context": 4,
};
const PRIM_ALIGN: Record<string, number> = { ...PRIM_SIZE, string: 8 };

function kindOf(t: ValType): DefKind | string {
  return typeof t === "string" ? t : t.def;
}

/** Number of core values `t` flattens to (a large number stands for "too many"). */
/**
 * A cache on the definition object itself: definitions are immutable, so what is computed about
 * one stays true, and a property lookup is cheaper than a WeakMap on the hot path of decoding.
 */
class Memo<T> {
  readonly key = Symbol();
  get(d: DefKind): T | undefined {
    return (d as unknown as Record<symbol, T>)[this.key];
  }
  set(d: DefKind, v: T): void {
    (d as unknown as Record<symbol, T>)[this.key] = v;
  }
}

const FLAT = new Memo<number>();
const PTR = new Memo<boolean>();
const LAYOUT = new Memo<[number, number]>();
const BORROW = new Memo<boolean>();

export function flatCount(t: ValType, memo: Memo<number> = FLAT): number {
  const k = kindOf(t);
  if (typeof k === "string") return k === "string" ? 2 : 1;
  const hit = memo.get(k);
  if (hit !== undefined) return hit;
  let n: number;
  const opt = (x: ValType | undefined) => (x === undefined ? 0 : flatCount(x, memo));
  switch (k.k) {
    case "primitive":
      n = k.type === "string" ? 2 : 1;
      break;
    case "record":
      n = k.fields.reduce((s, f) => s + flatCount(f.type, memo), 0);
      break;
    case "tuple":
      n = k.types.reduce((s, x) => s + flatCount(x, memo), 0);
      break;
    case "variant":
      n = 1 + Math.max(0, ...k.cases.map((c) => opt(c.type)));
      break;
    case "option":
      n = 1 + flatCount(k.type, memo);
      break;
    case "result":
      n = 1 + Math.max(opt(k.ok), opt(k.err));
      break;
    case "list":
      n = k.length === undefined ? 2 : k.length * flatCount(k.element, memo);
      break;
    case "map":
      n = 2;
      break;
    case "flags":
      n = Math.max(1, Math.ceil(k.names.length / 32));
      break;
    default:
      n = 1;
  }
  n = Math.min(n, 1e9);
  memo.set(k, n);
  return n;
}

/** Whether `t` holds a pointer into memory anywhere (a string, a list or a map). */
export function containsPtr(t: ValType, memo: Memo<boolean> = PTR): boolean {
  const k = kindOf(t);
  if (typeof k === "string") return k === "string";
  const hit = memo.get(k);
  if (hit !== undefined) return hit;
  memo.set(k, false);
  let r: boolean;
  const opt = (x: ValType | undefined) => x !== undefined && containsPtr(x, memo);
  switch (k.k) {
    case "primitive":
      r = k.type === "string";
      break;
    case "record":
      r = k.fields.some((f) => containsPtr(f.type, memo));
      break;
    case "tuple":
      r = k.types.some((x) => containsPtr(x, memo));
      break;
    case "variant":
      r = k.cases.some((c) => opt(c.type));
      break;
    case "option":
      r = containsPtr(k.type, memo);
      break;
    case "result":
      r = opt(k.ok) || opt(k.err);
      break;
    case "list":
      r = k.length === undefined || containsPtr(k.element, memo);
      break;
    case "map":
      r = true;
      break;
    default:
      r = false;
  }
  memo.set(k, r);
  return r;
}

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function discriminantSize(cases: number): number {
  return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4;
}

/** Size and alignment of `t` with 64-bit pointers, memoized per definition. */
export function layout(t: ValType, memo: Memo<[number, number]> = LAYOUT): [number, number] {
  const k = kindOf(t);
  if (typeof k === "string") return [PRIM_SIZE[k], PRIM_ALIGN[k]];
  const hit = memo.get(k);
  if (hit !== undefined) return hit;
  const record = (types: ValType[]): [number, number] => {
    let s = 0, a = 1;
    for (const x of types) {
      const [xs, xa] = layout(x, memo);
      s = alignTo(s, xa) + xs;
      a = Math.max(a, xa);
    }
    return [alignTo(Math.max(s, 1), a), a];
  };
  const variant = (payloads: (ValType | undefined)[]): [number, number] => {
    const d = discriminantSize(payloads.length);
    let ca = 1, cs = 0;
    for (const p of payloads) {
      if (p === undefined) continue;
      const [ps, pa] = layout(p, memo);
      ca = Math.max(ca, pa);
      cs = Math.max(cs, ps);
    }
    const a = Math.max(d, ca);
    return [alignTo(alignTo(d, ca) + cs, a), a];
  };
  let out: [number, number];
  switch (k.k) {
    case "primitive":
      out = [PRIM_SIZE[k.type], PRIM_ALIGN[k.type]];
      break;
    case "record":
      out = record(k.fields.map((f) => f.type));
      break;
    case "tuple":
      out = record([...k.types]);
      break;
    case "variant":
      out = variant(k.cases.map((c) => c.type));
      break;
    case "enum":
      out = variant(k.names.map(() => undefined));
      break;
    case "option":
      out = variant([undefined, k.type]);
      break;
    case "result":
      out = variant([k.ok, k.err]);
      break;
    case "list": {
      if (k.length === undefined) out = [16, 8];
      else {
        const [es, ea] = layout(k.element, memo);
        out = [k.length * es, ea];
      }
      break;
    }
    case "map":
      out = [16, 8];
      break;
    case "flags":
      out = k.names.length <= 8 ? [1, 1] : k.names.length <= 16 ? [2, 2] : [4, 4];
      break;
    default:
      out = [4, 4];
  }
  memo.set(k, out);
  return out;
}

/** Whether a value type contains a `borrow` handle anywhere. */
export function containsBorrow(t: ValType): boolean {
  if (typeof t === "string") return false;
  const d = t.def;
  const hit = BORROW.get(d);
  if (hit !== undefined) return hit;
  BORROW.set(d, false);
  let r: boolean;
  switch (d.k) {
    case "borrow":
      r = true;
      break;
    case "record":
      r = d.fields.some((f) => containsBorrow(f.type));
      break;
    case "variant":
      r = d.cases.some((c) => c.type !== undefined && containsBorrow(c.type));
      break;
    case "list":
      r = containsBorrow(d.element);
      break;
    case "option":
      r = containsBorrow(d.type);
      break;
    case "tuple":
      r = d.types.some((x) => containsBorrow(x));
      break;
    case "result":
      r = (d.ok !== undefined && containsBorrow(d.ok)) ||
        (d.err !== undefined && containsBorrow(d.err));
      break;
    case "map":
      r = containsBorrow(d.key) || containsBorrow(d.value);
      break;
    default:
      r = false;
  }
  BORROW.set(d, r);
  return r;
}
