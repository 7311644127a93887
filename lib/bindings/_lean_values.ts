/**
 * Code generation for the Canonical ABI's value conversions, specialised per type: lowering a
 * JavaScript value to flat core values or into linear memory, and lifting it back. The generated
 * code is straight-line JavaScript for the one type it was made for (no interpretation of types at
 * call time), which is what makes lean glue fast.
 *
 * JavaScript representations are jco's, so that lean glue and jco's glue are interchangeable:
 * numbers for 8–32-bit integers and floats, `bigint` for 64-bit integers, one-code-point strings
 * for `char`, typed arrays for lists of numbers, `Array` for other lists, objects with camel-case
 * keys for records and flags, arrays for tuples, kebab-case strings for enums, `{ tag, val }` for
 * variants and results, `T | undefined` for options (a tagged `{ tag: "some", val }` when `T` is
 * itself an option).
 */
import type { ResType, ValType } from "../component/mod.ts";
import {
  casesOf,
  type Core,
  fieldOffsets,
  flatten,
  type Kind,
  kindOf,
  layout,
  payloadOffset,
  variantSlots,
} from "./_abi.ts";
import { camelCase, str } from "./_names.ts";

/** A type the lean generator does not cover; the caller falls back to jco. */
export class Unsupported extends Error {
  override name = "Unsupported";
}

/** Typed array constructors for lists of numbers (jco's representation). */
export const TYPED_ARRAYS: Partial<Record<string, string>> = {
  u8: "Uint8Array",
  s8: "Int8Array",
  u16: "Uint16Array",
  s16: "Int16Array",
  u32: "Uint32Array",
  s32: "Int32Array",
  u64: "BigUint64Array",
  s64: "BigInt64Array",
  f32: "Float32Array",
  f64: "Float64Array",
};

/** Throws {@link Unsupported} unless every part of `t` is a type lean glue handles. */
export function checkSupported(t: ValType, where: string): void {
  const k = kindOf(t);
  if (typeof k === "string") {
    if (k === "error-context") throw new Unsupported(`${where} uses error-context`);
    return;
  }
  switch (k.k) {
    case "record":
      for (const f of k.fields) checkSupported(f.type, where);
      return;
    case "tuple":
      for (const x of k.types) checkSupported(x, where);
      return;
    case "list":
      if (k.length !== undefined) throw new Unsupported(`${where} uses a fixed-length list`);
      checkSupported(k.element, where);
      return;
    case "flags":
    case "enum":
      return;
    case "variant":
    case "option":
    case "result":
      for (const c of casesOf(k)) if (c !== undefined) checkSupported(c, where);
      return;
    case "own":
    case "borrow":
      return;
    default:
      throw new Unsupported(`${where} uses ${k.k}`);
  }
}

/** Whether an option type is represented as `T | undefined` (jco's `as_nullable`). */
export function isNullableOption(k: Kind): boolean {
  if (typeof k === "string" || k.k !== "option") return false;
  const inner = kindOf(k.type);
  return !(typeof inner !== "string" && inner.k === "option" && isNullableOption(inner));
}

/** A string encoding of the Canonical ABI (`string-encoding` option). */
export type StringEncoding = "utf8" | "utf16" | "latin1+utf16";

/**
 * What value conversions need from the component instance they run in: where its handle table
 * is and, for a resource type, the runtime object naming it and whether this instance
 * implements it (then handles carry its `i32` representation; otherwise a JavaScript object).
 */
export interface ValueCtx {
  /** The runtime resource type (a JS variable) of a handle's resource, and who implements it. */
  resource(r: ResType): { rt: string; local: boolean };
  /** The instance's handle table (a JS variable). */
  table(): string;
  /** The string encoding of the canonical options. */
  encoding: StringEncoding;
}

/** A context for functions that meet no resources and use UTF-8. */
export const PLAIN_CTX: ValueCtx = {
  resource() {
    throw new Unsupported("a resource without a component instance");
  },
  table() {
    throw new Unsupported("a resource without a component instance");
  },
  encoding: "utf8",
};

/**
 * One generated function's state: its statements, fresh variable names, the memory and realloc
 * it uses, and which error class argument checks throw.
 */
export class FnGen {
  readonly lines: string[] = [];
  #n = 0;
  /** Whether the function reads or writes memory through the view variable `v`. */
  usesView = false;
  /** Borrowed wrappers of this instance's own resources handed out (invalidated after a call). */
  readonly lent: string[] = [];
  constructor(
    /** JS expression of the `WebAssembly.Memory`, when the function has one. */
    readonly memory: string | undefined,
    /** JS expression of the view getter (`_view0`), refreshed after every realloc. */
    readonly viewFn: string | undefined,
    /** JS expression of the realloc core function. */
    readonly realloc: string | undefined,
    /** Error class thrown for a JavaScript value of the wrong type. */
    readonly argError: string,
    /** Module-level constants shared by every function of one glue module. */
    readonly shared: SharedConsts,
    readonly indent = "    ",
    /** The component instance the function converts values for. */
    readonly ctx: ValueCtx = PLAIN_CTX,
  ) {}

  tmp(prefix = "t"): string {
    return `${prefix}${this.#n++}`;
  }

  /** Continues the variable numbering of `other` (two generators writing one function). */
  continueFrom(other: FnGen): this {
    this.#n = other.#n;
    return this;
  }

  emit(line: string): void {
    this.lines.push(this.indent + line);
  }

  /** Runs `f` with deeper indentation. */
  nested(f: () => void): void {
    const self = this as { indent: string };
    const saved = self.indent;
    self.indent = saved + "  ";
    try {
      f();
    } finally {
      self.indent = saved;
    }
  }

  view(): string {
    if (this.viewFn === undefined) throw new Unsupported("a function needs memory but has none");
    this.usesView = true;
    return "v";
  }

  mem(): string {
    if (this.memory === undefined) throw new Unsupported("a function needs memory but has none");
    return this.memory;
  }

  /** Emits a call to realloc and the view refresh after it; returns the pointer variable. */
  alloc(align: number, size: string): string {
    if (this.realloc === undefined) throw new Unsupported("a function needs realloc but has none");
    const p = this.tmp("p");
    this.emit(`const ${p} = ${this.realloc}(0, 0, ${align}, ${size});`);
    this.refresh();
    return p;
  }

  refresh(): void {
    if (this.viewFn !== undefined) {
      this.usesView = true;
      this.emit(`v = ${this.viewFn}();`);
    }
  }

  bad(path: string, what: string, x: string): string {
    return `throw _bad(${this.argError}, ${path}, ${str(what)}, ${x});`;
  }
}

const ZERO: Record<Core, string> = { i32: "0", i64: "0n", f32: "0", f64: "0" };

/** Coerces a flat payload value of type `have` into a joined variant slot of type `want`. */
function coerceLower(x: string, have: Core, want: Core): string {
  if (have === want) return x;
  if (have === "f32" && want === "i32") return `_f32ToI32(${x})`;
  if (have === "i32" && want === "i64") return `BigInt(${x} >>> 0)`;
  if (have === "f32" && want === "i64") return `BigInt(_f32ToI32(${x}) >>> 0)`;
  if (have === "f64" && want === "i64") return `_f64ToI64(${x})`;
  throw new Error(`cannot coerce ${have} to ${want}`);
}

/** Reads a value of type `want` out of a joined variant slot of type `have`. */
function coerceLift(x: string, have: Core, want: Core): string {
  if (have === want) return x;
  if (have === "i32" && want === "f32") return `_i32ToF32(${x})`;
  if (have === "i64" && want === "i32") return `Number(BigInt.asIntN(32, ${x}))`;
  if (have === "i64" && want === "f32") return `_i32ToF32(Number(BigInt.asIntN(32, ${x})))`;
  if (have === "i64" && want === "f64") return `_i64ToF64(${x})`;
  throw new Error(`cannot coerce ${have} to ${want}`);
}

/** A source of flat values being lifted: each `next` returns the next value as a given type. */
export interface FlatCursor {
  next(want: Core): string;
}

/** A cursor over plain flat values (function parameters or results). */
export function plainCursor(values: string[]): FlatCursor {
  let i = 0;
  return {
    next: () => {
      if (i >= values.length) throw new Error("flat values exhausted");
      return values[i++];
    },
  };
}

function sliceCursor(values: string[], types: Core[]): FlatCursor {
  let i = 0;
  return { next: (want) => coerceLift(values[i], types[i++], want) };
}

function intCheck(t: string, x: string): string | undefined {
  switch (t) {
    case "u8":
      return `(${x} & 0xff) !== ${x}`;
    case "s8":
      return `((${x} << 24) >> 24) !== ${x}`;
    case "u16":
      return `(${x} & 0xffff) !== ${x}`;
    case "s16":
      return `((${x} << 16) >> 16) !== ${x}`;
    case "u32":
      return `(${x} >>> 0) !== ${x}`;
    case "s32":
      return `(${x} | 0) !== ${x}`;
    case "f32":
    case "f64":
      return `typeof ${x} !== "number"`;
    default:
      return undefined;
  }
}

/** Binds `x` to a variable unless it already is a plain name. */
function bind(g: FnGen, x: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(x)) return x;
  const t = g.tmp();
  g.emit(`const ${t} = ${x};`);
  return t;
}

function isObjectCheck(x: string): string {
  return `${x} === null || typeof ${x} !== "object"`;
}

// ---------------------------------------------------------------------------------------------
// Lowering: JavaScript → core

/**
 * Lowers the JavaScript value `x` of type `t` to flat core values; returns their expressions
 * (plain variables or constants). `path` is a JS expression naming the value in error messages.
 */
export function lowerFlat(g: FnGen, t: ValType, x0: string, path: string): string[] {
  const k = kindOf(t);
  const x = bind(g, x0);
  if (typeof k === "string") {
    switch (k) {
      case "bool":
        return [`(${x} ? 1 : 0)`];
      case "u64":
      case "s64": {
        const r = g.tmp();
        g.emit(`const ${r} = _${k}(${g.argError}, ${path}, ${x});`);
        return [r];
      }
      case "char": {
        const r = g.tmp();
        g.emit(`const ${r} = _char(${g.argError}, ${path}, ${x});`);
        return [r];
      }
      case "string": {
        const p = g.tmp("p"), n = g.tmp("n");
        if (g.realloc === undefined) throw new Unsupported("a string parameter needs realloc");
        const fn = LOWER_STR[g.ctx.encoding];
        g.emit(
          `const ${p} = ${fn}(${g.argError}, ${path}, ${x}, ${g.realloc}, ${g.mem()});`,
        );
        g.emit(`const ${n} = _strLen;`);
        g.refresh();
        return [p, n];
      }
      default: {
        const c = intCheck(k, x);
        if (c !== undefined) g.emit(`if (${c}) ${g.bad(path, k, x)}`);
        return [x];
      }
    }
  }
  switch (k.k) {
    case "record": {
      g.emit(`if (${isObjectCheck(x)}) ${g.bad(path, "an object", x)}`);
      return k.fields.flatMap((f) => {
        const name = camelCase(f.name);
        return lowerFlat(g, f.type, `${x}[${str(name)}]`, `${path} + ${str(`.${name}`)}`);
      });
    }
    case "tuple": {
      g.emit(`if (${isObjectCheck(x)}) ${g.bad(path, "an array", x)}`);
      return k.types.flatMap((e, i) => lowerFlat(g, e, `${x}[${i}]`, `${path} + "[${i}]"`));
    }
    case "flags":
      return lowerFlags(g, k.names, x, path);
    case "list": {
      const [p, n] = lowerList(g, k.element, x, path);
      return [p, n];
    }
    case "own":
    case "borrow":
      return [lowerHandle(g, k.k, k.resource, x, path)];
    case "enum": {
      const d = g.tmp("d");
      g.emit(`let ${d};`);
      g.emit(`switch (${x}) {`);
      k.names.forEach((name, i) => g.emit(`  case ${str(name)}: ${d} = ${i}; break;`));
      g.emit(`  default: ${g.bad(path, `one of ${k.names.join(", ")}`, x)}`);
      g.emit(`}`);
      return [d];
    }
    case "variant":
    case "option":
    case "result":
      return lowerVariantFlat(g, k, x, path);
    default:
      throw new Unsupported(`cannot lower ${k.k}`);
  }
}

/**
 * Lowers a JavaScript value of a handle type into the instance (Canonical ABI `lower_own` and
 * `lower_borrow`): an object of a resource this instance implements gives its representation
 * (`borrow`) or a new owning handle (`own`, the object is then moved); any other resource's object
 * gets a new handle in the table (a `borrow` one is counted until the callee drops it).
 */
function lowerHandle(
  g: FnGen,
  kind: "own" | "borrow",
  r: ResType,
  x: string,
  path: string,
): string {
  const { rt, local } = g.ctx.resource(r);
  const h = g.tmp("h");
  const fn = local
    ? (kind === "own" ? "_ownIn" : "_borrowIn")
    : (kind === "own" ? "_ownInForeign" : "_borrowInForeign");
  const table = kind === "borrow" && local ? "undefined" : g.ctx.table();
  g.emit(`const ${h} = ${fn}(${g.argError}, ${path}, ${x}, ${rt}, ${table});`);
  return h;
}

/**
 * Lifts a handle out of the instance (`lift_own`, `lift_borrow`): the instance's own resources
 * become objects of their class (a borrowed one is invalidated when the call returns), other
 * resources are the objects they were lowered from.
 */
function liftHandle(g: FnGen, kind: "own" | "borrow", r: ResType, i: string): string {
  const { rt, local } = g.ctx.resource(r);
  const t = g.ctx.table();
  const v = g.tmp("o");
  if (kind === "own") {
    g.emit(`const ${v} = ${local ? "_ownOut" : "_ownOutForeign"}(${t}, ${rt}, ${i});`);
  } else if (local) {
    g.emit(`const ${v} = _borrowOut(${t}, ${rt}, ${i});`);
    g.lent.push(v);
  } else {
    g.emit(`const ${v} = ${t}.get(${i}, ${rt});`);
  }
  return v;
}

function lowerFlags(g: FnGen, names: readonly string[], x: string, path: string): string[] {
  g.emit(`if (${isObjectCheck(x)}) ${g.bad(path, "an object of flags", x)}`);
  const words: string[] = [];
  for (let w = 0; w < Math.max(1, Math.ceil(names.length / 32)); w++) {
    const parts = names.slice(w * 32, w * 32 + 32).map((n, i) =>
      `(${x}[${str(camelCase(n))}] ? ${i === 31 ? "-2147483648" : String(1 << i)} : 0)`
    );
    const r = g.tmp("w");
    g.emit(`const ${r} = ${parts.join(" | ") || "0"};`);
    words.push(r);
  }
  return words;
}

/** Case index, tag and payload expression of a variant-like value, as a `switch` over cases. */
interface CaseInfo {
  tag: string;
  type?: ValType;
}

function caseInfos(k: Kind): CaseInfo[] {
  if (typeof k === "string") throw new Error("not a variant");
  switch (k.k) {
    case "variant":
      return k.cases.map((c) => ({ tag: c.name, type: c.type }));
    case "option":
      return [{ tag: "none" }, { tag: "some", type: k.type }];
    case "result":
      return [{ tag: "ok", type: k.ok }, { tag: "err", type: k.err }];
    default:
      throw new Error("not a variant");
  }
}

/**
 * Emits a dispatch over the cases of a variant-like JavaScript value: `onCase(i, payloadVar)` is
 * called inside each branch with the payload bound (when the case has one).
 */
function switchCases(
  g: FnGen,
  k: Kind,
  x: string,
  path: string,
  onCase: (i: number, payload: string | undefined, payloadPath: string) => void,
): void {
  const cases = caseInfos(k);
  if (isNullableOption(k)) {
    g.emit(`if (${x} === undefined || ${x} === null) {`);
    g.nested(() => onCase(0, undefined, path));
    g.emit(`} else {`);
    g.nested(() => onCase(1, x, path));
    g.emit(`}`);
    return;
  }
  g.emit(`if (${isObjectCheck(x)}) ${g.bad(path, "an object with a tag", x)}`);
  g.emit(`switch (${x}.tag) {`);
  cases.forEach((c, i) => {
    g.emit(`  case ${str(c.tag)}: {`);
    g.nested(() =>
      g.nested(() => {
        if (c.type !== undefined) {
          const pv = g.tmp("c");
          g.emit(`const ${pv} = ${x}.val;`);
          onCase(i, pv, `${path} + ".val"`);
        } else onCase(i, undefined, path);
        g.emit(`break;`);
      })
    );
    g.emit(`  }`);
  });
  g.emit(`  default: ${g.bad(path, `a tag of ${cases.map((c) => c.tag).join(", ")}`, `${x}.tag`)}`);
  g.emit(`}`);
}

function lowerVariantFlat(g: FnGen, k: Kind, x: string, path: string): string[] {
  const slots = variantSlots(k);
  const d = g.tmp("d");
  const vars = slots.map(() => g.tmp("s"));
  g.emit(`let ${d} = 0${vars.map((s, i) => `, ${s} = ${ZERO[slots[i]]}`).join("")};`);
  const cases = caseInfos(k);
  switchCases(g, k, x, path, (i, payload, ppath) => {
    g.emit(`${d} = ${i};`);
    const t = cases[i].type;
    if (t !== undefined && payload !== undefined) {
      const flat = lowerFlat(g, t, payload, ppath);
      const types = flatten(t);
      flat.forEach((f, j) => g.emit(`${vars[j]} = ${coerceLower(f, types[j], slots[j])};`));
    }
  });
  return [d, ...vars];
}

function lowerList(g: FnGen, elem: ValType, x: string, path: string): [string, string] {
  const ek = kindOf(elem);
  const { size, align } = layout(elem);
  const n = g.tmp("n");
  g.emit(
    `if (${x} === null || typeof ${x} !== "object" || typeof ${x}.length !== "number") ${
      g.bad(path, "a list", x)
    }`,
  );
  g.emit(`const ${n} = ${x}.length;`);
  const p = g.tmp("p");
  if (g.realloc === undefined) throw new Unsupported("a list parameter needs realloc");
  g.emit(`const ${p} = ${n} === 0 ? ${align} : ${g.realloc}(0, 0, ${align}, ${n} * ${size});`);
  g.refresh();
  const typed = typeof ek === "string" ? TYPED_ARRAYS[ek] : undefined;
  const i = g.tmp("i");
  if (typed !== undefined) {
    const dst = g.tmp("a");
    g.emit(`const ${dst} = new ${typed}(${g.mem()}.buffer, ${p}, ${n});`);
    g.emit(`if (${x} instanceof ${typed}) ${dst}.set(${x});`);
    g.emit(`else for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
    g.nested(() => {
      const e = g.tmp("e");
      g.emit(`let ${e} = ${x}[${i}];`);
      const epath = `${path} + "[" + ${i} + "]"`;
      if (ek === "u64" || ek === "s64") {
        g.emit(`${e} = _${ek}(${g.argError}, ${epath}, ${e});`);
      } else {
        g.emit(`if (${intCheck(ek as string, e)}) ${g.bad(epath, ek as string, e)}`);
      }
      g.emit(`${dst}[${i}] = ${e};`);
    });
    g.emit(`}`);
  } else {
    g.emit(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
    g.nested(() => {
      const e = g.tmp("e");
      g.emit(`const ${e} = ${x}[${i}];`);
      store(g, elem, e, `${p} + ${i} * ${size}`, `${path} + "[" + ${i} + "]"`);
    });
    g.emit(`}`);
  }
  return [p, n];
}

const SETTERS: Record<string, [string, number]> = {
  bool: ["setUint8", 1],
  u8: ["setUint8", 1],
  s8: ["setInt8", 1],
  u16: ["setUint16", 2],
  s16: ["setInt16", 2],
  u32: ["setUint32", 4],
  s32: ["setInt32", 4],
  char: ["setUint32", 4],
  u64: ["setBigUint64", 8],
  s64: ["setBigInt64", 8],
  f32: ["setFloat32", 4],
  f64: ["setFloat64", 8],
};

function setter(g: FnGen, method: string, ptr: string, value: string): void {
  const le = method === "setUint8" || method === "setInt8" ? "" : ", true";
  g.emit(`${g.view()}.${method}(${ptr}, ${value}${le});`);
}

/** Stores the JavaScript value `x` of type `t` at `ptr` in memory (Canonical ABI `store`). */
export function store(g: FnGen, t: ValType, x0: string, ptr: string, path: string): void {
  const k = kindOf(t);
  if (typeof k === "string") {
    if (k === "string" || k === "u64" || k === "s64" || k === "char" || k === "bool") {
      const [a, b] = lowerFlat(g, t, x0, path);
      if (k === "string") {
        setter(g, "setUint32", ptr, a);
        setter(g, "setUint32", `${ptr} + 4`, b);
      } else setter(g, SETTERS[k][0], ptr, a);
      return;
    }
    const x = bind(g, x0);
    const c = intCheck(k, x);
    if (c !== undefined) g.emit(`if (${c}) ${g.bad(path, k, x)}`);
    setter(g, SETTERS[k][0], ptr, x);
    return;
  }
  switch (k.k) {
    case "record":
    case "tuple": {
      const x = bind(g, x0);
      const types = k.k === "record" ? k.fields.map((f) => f.type) : [...k.types];
      g.emit(
        `if (${isObjectCheck(x)}) ${g.bad(path, k.k === "record" ? "an object" : "an array", x)}`,
      );
      const offs = fieldOffsets(types);
      types.forEach((ft, i) => {
        const access = k.k === "record" ? str(camelCase(k.fields[i].name)) : String(i);
        const sub = k.k === "record" ? `.${camelCase(k.fields[i].name)}` : `[${i}]`;
        store(g, ft, `${x}[${access}]`, `${ptr} + ${offs[i]}`, `${path} + ${str(sub)}`);
      });
      return;
    }
    case "flags": {
      const x = bind(g, x0);
      const words = lowerFlags(g, k.names, x, path);
      const { size } = layout(t);
      if (size === 1) setter(g, "setUint8", ptr, words[0]);
      else if (size === 2) setter(g, "setUint16", ptr, words[0]);
      else words.forEach((w, i) => setter(g, "setInt32", `${ptr} + ${i * 4}`, w));
      return;
    }
    case "list": {
      const x = bind(g, x0);
      const [p, n] = lowerList(g, k.element, x, path);
      setter(g, "setUint32", ptr, p);
      setter(g, "setUint32", `${ptr} + 4`, n);
      return;
    }
    case "enum": {
      const [d] = lowerFlat(g, t, x0, path);
      setDiscriminant(g, k.names.length, ptr, d);
      return;
    }
    case "own":
    case "borrow": {
      const [h] = lowerFlat(g, t, x0, path);
      setter(g, "setInt32", ptr, h);
      return;
    }
    case "variant":
    case "option":
    case "result": {
      const x = bind(g, x0);
      const cases = caseInfos(k);
      const off = payloadOffset(k);
      switchCases(g, k, x, path, (i, payload, ppath) => {
        setDiscriminant(g, cases.length, ptr, String(i));
        const pt = cases[i].type;
        if (pt !== undefined && payload !== undefined) {
          store(g, pt, payload, `${ptr} + ${off}`, ppath);
        }
      });
      return;
    }
    default:
      throw new Unsupported(`cannot store ${k.k}`);
  }
}

function setDiscriminant(g: FnGen, cases: number, ptr: string, d: string): void {
  const size = cases <= 0x100 ? 1 : cases <= 0x10000 ? 2 : 4;
  setter(g, size === 1 ? "setUint8" : size === 2 ? "setUint16" : "setUint32", ptr, d);
}

// ---------------------------------------------------------------------------------------------
// Lifting: core → JavaScript

/** Lifts a value of type `t` from flat core values; returns a JS expression (maybe a variable). */
export function liftFlat(g: FnGen, t: ValType, cur: FlatCursor): string {
  const k = kindOf(t);
  if (typeof k === "string") {
    switch (k) {
      case "bool":
        return `(${cur.next("i32")} !== 0)`;
      case "u8":
        return `(${cur.next("i32")} & 0xff)`;
      case "s8":
        return `((${cur.next("i32")} << 24) >> 24)`;
      case "u16":
        return `(${cur.next("i32")} & 0xffff)`;
      case "s16":
        return `((${cur.next("i32")} << 16) >> 16)`;
      case "u32":
        return `(${cur.next("i32")} >>> 0)`;
      case "s32":
        return `(${cur.next("i32")} | 0)`;
      case "u64":
        return `BigInt.asUintN(64, ${cur.next("i64")})`;
      case "s64":
        return `BigInt.asIntN(64, ${cur.next("i64")})`;
      case "f32":
        return cur.next("f32");
      case "f64":
        return cur.next("f64");
      case "char":
        return `_liftChar(${cur.next("i32")})`;
      case "string": {
        const p = cur.next("i32"), n = cur.next("i32");
        const r = g.tmp("r");
        g.emit(`const ${r} = ${LIFT_STR[g.ctx.encoding]}(${g.mem()}, ${p}, ${n});`);
        return r;
      }
      default:
        throw new Unsupported(`cannot lift ${k}`);
    }
  }
  switch (k.k) {
    case "record": {
      const parts = k.fields.map((f) => `${str(camelCase(f.name))}: ${liftFlat(g, f.type, cur)}`);
      return `{ ${parts.join(", ")} }`;
    }
    case "tuple":
      return `[${k.types.map((x) => liftFlat(g, x, cur)).join(", ")}]`;
    case "flags": {
      const words = Array.from(
        { length: Math.max(1, Math.ceil(k.names.length / 32)) },
        () => bind(g, cur.next("i32")),
      );
      return flagsObject(k.names, words);
    }
    case "list": {
      const p = bind(g, cur.next("i32")), n = bind(g, cur.next("i32"));
      return liftList(g, k.element, p, n);
    }
    case "own":
    case "borrow":
      return liftHandle(g, k.k, k.resource, bind(g, cur.next("i32")));
    case "enum": {
      const d = bind(g, cur.next("i32"));
      g.emit(`if ((${d} >>> 0) >= ${k.names.length}) throw _trap("invalid enum discriminant");`);
      return `${enumNames(g, k.names)}[${d}]`;
    }
    case "variant":
    case "option":
    case "result": {
      const d = bind(g, cur.next("i32"));
      const slotTypes = variantSlots(k);
      const slots = slotTypes.map((st) => bind(g, cur.next(st)));
      return liftCases(g, k, d, (ct) => liftFlat(g, ct, sliceCursor(slots, slotTypes)));
    }
    default:
      throw new Unsupported(`cannot lift ${k.k}`);
  }
}

/** Module-level constants of one glue module: enum name tables, by their JSON text. */
export interface SharedConsts {
  enums: Map<string, string>;
}

function enumNames(g: FnGen, names: readonly string[]): string {
  const text = JSON.stringify(names);
  let v = g.shared.enums.get(text);
  if (v === undefined) {
    v = `_ENUM${g.shared.enums.size}`;
    g.shared.enums.set(text, v);
  }
  return v;
}

function flagsObject(names: readonly string[], words: string[]): string {
  const parts = names.map((n, i) =>
    `${str(camelCase(n))}: (${words[i >> 5]} & ${
      (i & 31) === 31 ? "-2147483648" : String(1 << (i & 31))
    }) !== 0`
  );
  return `{ ${parts.join(", ")} }`;
}

function liftCases(
  g: FnGen,
  k: Kind,
  d: string,
  payload: (t: ValType) => string,
): string {
  const cases = caseInfos(k);
  const r = g.tmp("r");
  g.emit(`let ${r};`);
  g.emit(`switch (${d}) {`);
  const nullable = isNullableOption(k);
  const isResult = typeof k !== "string" && k.k === "result";
  cases.forEach((c, i) => {
    g.emit(`  case ${i}: {`);
    g.nested(() =>
      g.nested(() => {
        const val = c.type !== undefined ? payload(c.type) : undefined;
        if (nullable) g.emit(`${r} = ${i === 0 ? "undefined" : val};`);
        else if (val !== undefined) g.emit(`${r} = { tag: ${str(c.tag)}, val: ${val} };`);
        else if (isResult) g.emit(`${r} = { tag: ${str(c.tag)}, val: undefined };`);
        else g.emit(`${r} = { tag: ${str(c.tag)} };`);
        g.emit(`break;`);
      })
    );
    g.emit(`  }`);
  });
  g.emit(`  default: throw _trap("invalid variant discriminant");`);
  g.emit(`}`);
  return r;
}

function liftList(g: FnGen, elem: ValType, p: string, n: string): string {
  const ek = kindOf(elem);
  const typed = typeof ek === "string" ? TYPED_ARRAYS[ek] : undefined;
  const r = g.tmp("r");
  if (typed !== undefined) {
    g.emit(`const ${r} = _liftTyped(${typed}, ${g.mem()}, ${p}, ${n});`);
    return r;
  }
  const { size, align } = layout(elem);
  g.emit(
    `if (${
      align > 1 ? `(${p} & ${align - 1}) !== 0 || ` : ""
    }(${p} >>> 0) + (${n} >>> 0) * ${size} > ${g.mem()}.buffer.byteLength) throw _trap("list out of bounds or misaligned");`,
  );
  g.emit(`const ${r} = new Array(${n} >>> 0);`);
  const i = g.tmp("i");
  g.emit(`for (let ${i} = 0; ${i} < ${r}.length; ${i}++) {`);
  g.nested(() => {
    const e = load(g, elem, `(${p} >>> 0) + ${i} * ${size}`);
    g.emit(`${r}[${i}] = ${e};`);
  });
  g.emit(`}`);
  return r;
}

const GETTERS: Record<string, string> = {
  u8: "getUint8",
  s8: "getInt8",
  u16: "getUint16",
  s16: "getInt16",
  u32: "getUint32",
  s32: "getInt32",
  u64: "getBigUint64",
  s64: "getBigInt64",
  f32: "getFloat32",
  f64: "getFloat64",
};

function getter(g: FnGen, method: string, ptr: string): string {
  const le = method === "getUint8" || method === "getInt8" ? "" : ", true";
  return `${g.view()}.${method}(${ptr}${le})`;
}

/** Loads a value of type `t` from `ptr` (Canonical ABI `load`); returns a JS expression. */
export function load(g: FnGen, t: ValType, ptr0: string): string {
  const k = kindOf(t);
  const ptr = bind(g, ptr0);
  if (typeof k === "string") {
    switch (k) {
      case "bool":
        return `(${getter(g, "getUint8", ptr)} !== 0)`;
      case "char":
        return `_liftChar(${getter(g, "getUint32", ptr)})`;
      case "string": {
        const r = g.tmp("r");
        g.emit(
          `const ${r} = ${LIFT_STR[g.ctx.encoding]}(${g.mem()}, ${getter(g, "getUint32", ptr)}, ${
            getter(g, "getUint32", `${ptr} + 4`)
          });`,
        );
        return r;
      }
      default: {
        const m = GETTERS[k];
        if (m === undefined) throw new Unsupported(`cannot load ${k}`);
        const r = g.tmp("r");
        g.emit(`const ${r} = ${getter(g, m, ptr)};`);
        return r;
      }
    }
  }
  switch (k.k) {
    case "record":
    case "tuple": {
      const types = k.k === "record" ? k.fields.map((f) => f.type) : [...k.types];
      const offs = fieldOffsets(types);
      const vals = types.map((ft, i) => load(g, ft, `${ptr} + ${offs[i]}`));
      if (k.k === "tuple") return `[${vals.join(", ")}]`;
      return `{ ${k.fields.map((f, i) => `${str(camelCase(f.name))}: ${vals[i]}`).join(", ")} }`;
    }
    case "flags": {
      const { size } = layout(t);
      const words: string[] = [];
      if (size === 1) words.push(bind(g, getter(g, "getUint8", ptr)));
      else if (size === 2) words.push(bind(g, getter(g, "getUint16", ptr)));
      else {for (let i = 0; i < size / 4; i++) {
          words.push(bind(g, getter(g, "getInt32", `${ptr} + ${i * 4}`)));
        }}
      return flagsObject(k.names, words);
    }
    case "list": {
      const p = bind(g, getter(g, "getUint32", ptr));
      const n = bind(g, getter(g, "getUint32", `${ptr} + 4`));
      return liftList(g, k.element, p, n);
    }
    case "own":
    case "borrow":
      return liftHandle(g, k.k, k.resource, bind(g, getter(g, "getInt32", ptr)));
    case "enum": {
      const d = bind(g, discriminant(g, k.names.length, ptr));
      g.emit(`if (${d} >= ${k.names.length}) throw _trap("invalid enum discriminant");`);
      return `${enumNames(g, k.names)}[${d}]`;
    }
    case "variant":
    case "option":
    case "result": {
      const d = bind(g, discriminant(g, casesOf(k).length, ptr));
      const off = payloadOffset(k);
      return liftCases(g, k, d, (ct) => load(g, ct, `${ptr} + ${off}`));
    }
    default:
      throw new Unsupported(`cannot load ${k.k}`);
  }
}

function discriminant(g: FnGen, cases: number, ptr: string): string {
  const size = cases <= 0x100 ? 1 : cases <= 0x10000 ? 2 : 4;
  return getter(g, size === 1 ? "getUint8" : size === 2 ? "getUint16" : "getUint32", ptr);
}

/** The runtime's string lowering function per encoding. */
const LOWER_STR: Record<StringEncoding, string> = {
  utf8: "_lowerStr",
  utf16: "_lowerStr16",
  "latin1+utf16": "_lowerStrLatin1",
};

/** The runtime's string lifting function per encoding. */
const LIFT_STR: Record<StringEncoding, string> = {
  utf8: "_liftStr",
  utf16: "_liftStr16",
  "latin1+utf16": "_liftStrLatin1",
};

/** The \`ComponentError\` class both kinds of glue export. */
export const COMPONENT_ERROR_JS = `/**
 * A call into the component failed, as \`code\` says:
 * - \`"error"\`: a function returning a \`result\` returned \`err\`; the error value is \`payload\`
 *   and the instance stays usable;
 * - \`"trap"\`: the component trapped, or a function it imported threw (\`cause\` holds what was
 *   thrown); the instance cannot be used again;
 * - \`"exit"\`: the component called \`wasi:cli/exit\` with the status \`exitCode\`; the instance
 *   cannot be used again.
 */
export class ComponentError extends Error {
  name = "ComponentError";
  constructor(payload, code = "error", detail) {
    super(
      code === "error"
        ? _describe(payload)
        : code === "exit"
        ? \`component exited with status \${detail}\`
        : \`component trap: \${typeof detail === "string" ? detail : detail?.message ?? String(detail)}\`,
      code === "trap" && typeof detail !== "string" ? { cause: detail } : undefined,
    );
    this.payload = payload;
    this.code = code;
    if (code === "exit") this.exitCode = detail;
  }
}

function _describe(x) {
  if (typeof x === "string") return x;
  if (typeof x === "bigint") return \`\${x}n\`;
  if (x !== null && typeof x === "object" && typeof x.tag === "string") {
    return x.val === undefined ? x.tag : \`\${x.tag}: \${_describe(x.val)}\`;
  }
  try {
    return JSON.stringify(x) ?? "error";
  } catch {
    return String(x);
  }
}

/** What a call that unwound out of the component throws: a trap, unless it already is one. */
function _trapped(e) {
  return e instanceof ComponentError && e.code !== "error" ? e : new ComponentError(undefined, "trap", e);
}
`;

/** Runtime helpers every lean glue module starts with. */
export const RUNTIME = `const _ENC = new TextEncoder();
const _DEC = new TextDecoder();
const _DEC_FATAL = new TextDecoder("utf-8", { fatal: true });
const _F32 = new Float32Array(1), _I32 = new Int32Array(_F32.buffer);
const _F64 = new Float64Array(1), _I64 = new BigInt64Array(_F64.buffer);
function _f32ToI32(x) { _F32[0] = x; return _I32[0]; }
function _i32ToF32(x) { _I32[0] = x; return _F32[0]; }
function _f64ToI64(x) { _F64[0] = x; return _I64[0]; }
function _i64ToF64(x) { _I64[0] = x; return _F64[0]; }

/** A JavaScript value of the wrong type passed to an export (the instance stays usable). */
class ArgumentError extends TypeError {
  name = "TypeError";
}

${COMPONENT_ERROR_JS}
function _what(x) {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  const t = typeof x;
  if (t === "string") return \`the string \${JSON.stringify(x.length > 20 ? x.slice(0, 20) + "…" : x)}\`;
  if (t === "number" || t === "bigint") return \`\${t} \${String(x)}\`;
  return t;
}

function _bad(E, where, expected, x) {
  return new E(\`\${where}: expected \${expected}, got \${_what(x)}\`);
}

function _trap(message) {
  return new ComponentError(undefined, "trap", message);
}

function _enter() {
  throw _trap("the component instance cannot be entered: it is running (an import called back into it, and it cannot be re-entered) or it trapped earlier (make a new instance)");
}

function _u64(E, w, x) {
  if (typeof x !== "bigint") {
    if (!Number.isSafeInteger(x)) throw _bad(E, w, "u64", x);
    x = BigInt(x);
  }
  if (x < 0n || x > 0xffffffffffffffffn) throw _bad(E, w, "u64", x);
  return x;
}

function _s64(E, w, x) {
  if (typeof x !== "bigint") {
    if (!Number.isSafeInteger(x)) throw _bad(E, w, "s64", x);
    x = BigInt(x);
  }
  if (x < -0x8000000000000000n || x > 0x7fffffffffffffffn) throw _bad(E, w, "s64", x);
  return x;
}

function _char(E, w, x) {
  if (typeof x !== "string") throw _bad(E, w, "a char", x);
  const c = x.codePointAt(0);
  if (c === undefined || x.length !== (c > 0xffff ? 2 : 1) || (c >= 0xd800 && c < 0xe000)) {
    throw _bad(E, w, "a single Unicode scalar value", x);
  }
  return c;
}

function _liftChar(c) {
  c >>>= 0;
  if (c >= 0x110000 || (c >= 0xd800 && c < 0xe000)) throw _trap("invalid char");
  return String.fromCodePoint(c);
}

let _scratch = new Uint8Array(1024);
let _strLen = 0;

/** Lowers a string as UTF-8: one exact-size allocation, like jco (adapters cannot shrink). */
function _lowerStr(E, w, s, realloc, memory) {
  if (typeof s !== "string") throw _bad(E, w, "a string", s);
  const units = s.length;
  if (units === 0) {
    _strLen = 0;
    return 1;
  }
  let bytes, n;
  if (units * 3 <= 65536) {
    if (_scratch.length < units * 3) _scratch = new Uint8Array(Math.max(units * 3, _scratch.length * 2));
    n = _ENC.encodeInto(s, _scratch).written;
    bytes = _scratch;
  } else {
    bytes = _ENC.encode(s);
    n = bytes.length;
  }
  const p = realloc(0, 0, 1, n);
  new Uint8Array(memory.buffer, p, n).set(n === bytes.length ? bytes : bytes.subarray(0, n));
  _strLen = n;
  return p;
}

/**
 * Lifts a UTF-8 string. Invalid UTF-8 traps (as the Canonical ABI says); the fatal decoder is
 * five times slower in Deno, so it only runs to tell a replacement character the component
 * wrote from one the decoder made.
 */
function _liftStr(memory, p, n) {
  if (n === 0) return "";
  const bytes = new Uint8Array(memory.buffer, p >>> 0, n >>> 0);
  const s = _DEC.decode(bytes);
  if (s.indexOf("\uFFFD") !== -1) {
    try {
      _DEC_FATAL.decode(bytes);
    } catch {
      throw _trap("invalid UTF-8 in a string");
    }
  }
  return s;
}

function _liftTyped(Ctor, memory, p, n) {
  return new Ctor(memory.buffer, p >>> 0, n >>> 0).slice();
}

function _view(memory) {
  // Made on first use: reading memory.buffer during instantiation costs time for nothing.
  let view;
  return () => {
    const b = memory.buffer;
    if (view === undefined || view.buffer !== b) view = new DataView(b);
    return view;
  };
}`;

/** Runtime helpers for strings in UTF-16 or latin1+UTF-16 (\`string-encoding\`). */
export const RUNTIME_STR16 = `const _DEC16 = new TextDecoder("utf-16le");

function _lowerStr16(E, w, s, realloc, memory) {
  if (typeof s !== "string") throw _bad(E, w, "a string", s);
  const n = s.length;
  _strLen = n;
  const p = realloc(0, 0, 2, n * 2);
  if ((p & 1) !== 0) throw _trap("misaligned string");
  const a = new Uint16Array(memory.buffer, p, n);
  for (let i = 0; i < n; i++) a[i] = s.charCodeAt(i);
  return p;
}

function _lowerStrLatin1(E, w, s, realloc, memory) {
  if (typeof s !== "string") throw _bad(E, w, "a string", s);
  const n = s.length;
  let latin1 = true;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0xff) { latin1 = false; break; }
  if (latin1) {
    _strLen = n;
    const p = realloc(0, 0, 2, n);
    const a = new Uint8Array(memory.buffer, p, n);
    for (let i = 0; i < n; i++) a[i] = s.charCodeAt(i);
    return p;
  }
  const p = _lowerStr16(E, w, s, realloc, memory);
  _strLen = (n | 0x80000000) >>> 0;
  return p;
}

function _liftStr16(memory, p, n) {
  p >>>= 0;
  n >>>= 0;
  if ((p & 1) !== 0 || p + n * 2 > memory.buffer.byteLength) throw _trap("string out of bounds or misaligned");
  return _DEC16.decode(new Uint8Array(memory.buffer, p, n * 2));
}

function _liftStrLatin1(memory, p, n) {
  n >>>= 0;
  if ((n & 0x80000000) !== 0) return _liftStr16(memory, p, n & 0x7fffffff);
  p >>>= 0;
  if (p + n > memory.buffer.byteLength) throw _trap("string out of bounds");
  const bytes = new Uint8Array(memory.buffer, p, n);
  let s = "";
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return s;
}`;

/**
 * Runtime helpers for resources: the handle table of a component instance (one per instance, as
 * the Canonical ABI's \`handles\`), resource types, and the objects JavaScript sees for handles.
 */
export const RUNTIME_RESOURCES =
  `/** A component instance's handles: slot 0 is never used, freed slots are reused. */
class _Table {
  reps = [undefined];
  rts = [undefined];
  owns = [false];
  free = [];
  /** Borrowed handles lent to the running call and not dropped yet. */
  nb = 0;
  /** Whether the handle \`remove\` took out last was an owning one. */
  wasOwn = false;
  add(rt, rep, own) {
    let i;
    if (this.free.length > 0) i = this.free.pop();
    else {
      i = this.reps.length;
      if (i > 0x0fffffff) throw _trap("too many handles");
      this.reps.push(undefined);
      this.rts.push(undefined);
      this.owns.push(false);
    }
    this.reps[i] = rep;
    this.rts[i] = rt;
    this.owns[i] = own;
    return i;
  }
  get(i, rt) {
    const t = this.rts[i >>> 0];
    if (t !== rt) throw _trap(t === undefined ? \`unknown handle \${i >>> 0}\` : \`handle \${i >>> 0} is a \${t.name}, not a \${rt.name}\`);
    return this.reps[i >>> 0];
  }
  remove(i, rt, mustOwn) {
    const rep = this.get(i, rt);
    i >>>= 0;
    const own = this.owns[i];
    if (mustOwn && !own) throw _trap(\`handle \${i} does not own its \${rt.name}\`);
    this.reps[i] = undefined;
    this.rts[i] = undefined;
    this.owns[i] = false;
    this.free.push(i);
    this.wasOwn = own;
    return rep;
  }
}

const _REP = Symbol("wreg.rep");
const _OWN = Symbol("wreg.own");

/**
 * A resource type a component instance implements: its class (what JavaScript sees of its
 * handles), its destructor and the finalizer that runs it for objects nobody disposed of.
 */
function _localResource(name, className, drop) {
  const rt = { name, cls: undefined, drop, fin: undefined, ctor: undefined };
  if (drop !== undefined) {
    rt.fin = new FinalizationRegistry((rep) => {
      try {
        drop(rep);
      } catch {
        // The instance is busy or trapped: the resource goes with it.
      }
    });
  }
  const cls = class {
    constructor(...args) {
      if (rt.ctor === undefined) throw new TypeError(\`\${className} has no constructor\`);
      return rt.ctor(...args);
    }
    [Symbol.dispose]() {
      const rep = this[_REP];
      if (rep === undefined || !this[_OWN]) return;
      this[_REP] = undefined;
      rt.fin?.unregister(this);
      rt.drop?.(rep);
    }
  };
  Object.defineProperty(cls, "name", { value: className });
  rt.cls = cls;
  return rt;
}

function _wrap(rt, rep, own) {
  const o = Object.create(rt.cls.prototype);
  o[_REP] = rep;
  o[_OWN] = own;
  if (own && rt.fin !== undefined) rt.fin.register(o, rep, o);
  return o;
}

function _ownOut(tb, rt, i) {
  return _wrap(rt, tb.remove(i, rt, true), true);
}

function _ownOutForeign(tb, rt, i) {
  return tb.remove(i, rt, true);
}

function _borrowOut(tb, rt, i) {
  return _wrap(rt, tb.get(i, rt), false);
}

function _repOf(E, w, x, rt) {
  if (!(x instanceof rt.cls)) throw _bad(E, w, \`a \${rt.cls.name}\`, x);
  const rep = x[_REP];
  if (rep === undefined) throw new E(\`\${w}: the \${rt.cls.name} was dropped or given away\`);
  return rep;
}

function _ownIn(E, w, x, rt, tb) {
  const rep = _repOf(E, w, x, rt);
  if (!x[_OWN]) throw new E(\`\${w}: a borrowed \${rt.cls.name} cannot be given away\`);
  x[_REP] = undefined;
  rt.fin?.unregister(x);
  return tb.add(rt, rep, true);
}

function _borrowIn(E, w, x, rt) {
  return _repOf(E, w, x, rt);
}

function _ownInForeign(E, w, x, rt, tb) {
  if (x === null || (typeof x !== "object" && typeof x !== "function")) throw _bad(E, w, \`a \${rt.name} resource\`, x);
  return tb.add(rt, x, true);
}

function _borrowInForeign(E, w, x, rt, tb) {
  if (x === null || (typeof x !== "object" && typeof x !== "function")) throw _bad(E, w, \`a \${rt.name} resource\`, x);
  tb.nb++;
  return tb.add(rt, x, false);
}

function _disposeForeign(x) {
  if (x !== null && typeof x === "object" && typeof x[Symbol.dispose] === "function") x[Symbol.dispose]();
}

function _unlend(o) {
  o[_REP] = undefined;
}`;
