/**
 * Readers for the type grammar of the component binary format: value types, defined types,
 * function/component/instance/resource types, extern descriptors, aliases, and the core types a
 * component can hold (recursion groups, module types).
 */
import type { PrimitiveType } from "../wit/mod.ts";
import type {
  Alias,
  ComponentDecl,
  CoreExternDesc,
  CoreSort,
  CoreSubType,
  CoreTypeDef,
  CoreValType,
  DefinedTypeDef,
  ExternDesc,
  ExternName,
  InstanceDecl,
  ModuleDecl,
  Sort,
  TypeDef,
  ValTypeRef,
} from "./_ast.ts";
import type { Reader } from "./_reader.ts";

/** Primitive value types by their opcode. */
export const PRIMITIVE_BY_BYTE: Readonly<Record<number, PrimitiveType>> = {
  0x7f: "bool",
  0x7e: "s8",
  0x7d: "u8",
  0x7c: "s16",
  0x7b: "u16",
  0x7a: "s32",
  0x79: "u32",
  0x78: "s64",
  0x77: "u64",
  0x76: "f32",
  0x75: "f64",
  0x74: "char",
  0x73: "string",
  0x64: "error-context",
};

/** Opcodes of primitive value types by name. */
export const BYTE_OF_PRIMITIVE: Readonly<Record<PrimitiveType, number>> = Object.fromEntries(
  Object.entries(PRIMITIVE_BY_BYTE).map(([k, v]) => [v, Number(k)]),
) as Record<PrimitiveType, number>;

const CORE_SORTS: Record<number, CoreSort> = {
  0x00: "func",
  0x01: "table",
  0x02: "memory",
  0x03: "global",
  0x04: "tag",
  0x10: "type",
  0x11: "module",
  0x12: "instance",
};

/** Reads a `core:sort` byte. */
export function readCoreSort(r: Reader, what = "core sort"): CoreSort {
  const b = r.u8();
  const s = CORE_SORTS[b];
  if (s === undefined) r.badByte(b, what);
  return s;
}

/** Reads a `sort` (`0x00 core:sort` or a component sort). */
export function readSort(r: Reader, what = "component external kind"): Sort {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      const c = readCoreSort(r, what);
      return `core ${c}` as Sort;
    }
    case 0x01:
      return "func";
    case 0x02:
      return "value";
    case 0x03:
      return "type";
    case 0x04:
      return "component";
    case 0x05:
      return "instance";
    default:
      r.badByte(b, what);
  }
}

/** Reads a `valtype`: a primitive opcode or a non-negative type index. */
export function readValType(r: Reader): ValTypeRef {
  const b = r.peek();
  const p = PRIMITIVE_BY_BYTE[b];
  if (p !== undefined) {
    r.pos++;
    return p;
  }
  const at = r.pos;
  const idx = r.s33();
  if (idx < 0) r.badByte(b, "value type", at);
  if (idx > 0xffffffff) r.fail("invalid-integer", "type index too large", at);
  return idx;
}

function optValType(r: Reader, what: string): ValTypeRef | undefined {
  const b = r.u8();
  if (b === 0) return undefined;
  if (b === 1) return readValType(r);
  r.badByte(b, what);
}

function label(r: Reader): string {
  return r.name();
}

/** Reads a `defvaltype` whose opcode byte `b` was already consumed. */
export function readDefinedType(r: Reader, b: number): DefinedTypeDef {
  const p = PRIMITIVE_BY_BYTE[b];
  if (p !== undefined) return { tag: "primitive", type: p };
  const at = r.pos - 1;
  switch (b) {
    case 0x72: {
      const n = r.count("record field", 2);
      if (n === 0) r.fail("invalid-component", "record type must have at least one field", at);
      const fields = new Array(n);
      for (let i = 0; i < n; i++) fields[i] = { name: label(r), type: readValType(r) };
      return { tag: "record", fields };
    }
    case 0x71: {
      const n = r.count("variant case", 3);
      if (n === 0) r.fail("invalid-component", "variant type must have at least one case", at);
      const cases = new Array(n);
      for (let i = 0; i < n; i++) {
        const name = label(r);
        const type = optValType(r, "optional variant case type");
        const zero = r.u8();
        if (zero !== 0) r.badByte(zero, "zero byte required");
        cases[i] = { name, type };
      }
      return { tag: "variant", cases };
    }
    case 0x70:
      return { tag: "list", element: readValType(r) };
    case 0x67: {
      const element = readValType(r);
      const length = r.u32();
      return { tag: "fixed-length-list", element, length };
    }
    case 0x6f: {
      const n = r.count("tuple type", 1);
      if (n === 0) r.fail("invalid-component", "tuple type must have at least one type", at);
      const types = new Array(n);
      for (let i = 0; i < n; i++) types[i] = readValType(r);
      return { tag: "tuple", types };
    }
    case 0x6e: {
      const n = r.count("flag", 1);
      if (n === 0) r.fail("invalid-component", "flags must have at least one entry", at);
      if (n > 32) r.fail("invalid-component", "cannot have more than 32 flags", at);
      const names = new Array(n);
      for (let i = 0; i < n; i++) names[i] = label(r);
      return { tag: "flags", names };
    }
    case 0x6d: {
      const n = r.count("enum case", 1);
      if (n === 0) r.fail("invalid-component", "enum type must have at least one variant", at);
      const names = new Array(n);
      for (let i = 0; i < n; i++) names[i] = label(r);
      return { tag: "enum", names };
    }
    case 0x6b:
      return { tag: "option", type: readValType(r) };
    case 0x6a: {
      const ok = optValType(r, "optional component value type");
      const err = optValType(r, "optional component value type");
      return { tag: "result", ok, err };
    }
    case 0x69:
      return { tag: "own", type: r.u32() };
    case 0x68:
      return { tag: "borrow", type: r.u32() };
    case 0x66:
      return { tag: "stream", type: optValType(r, "optional component value type") };
    case 0x65:
      return { tag: "future", type: optValType(r, "optional component value type") };
    case 0x63: {
      const key = readValType(r);
      const value = readValType(r);
      return { tag: "map", key, value };
    }
    default:
      r.badByte(b, "component defined type");
  }
}

/** Reads a `type` (component type section entry). `depth` counts enclosing type scopes. */
export function readTypeDef(r: Reader, depth: number): TypeDef {
  const at = r.pos;
  const b = r.u8();
  switch (b) {
    case 0x3f: {
      const rep = readCoreValType(r);
      const d = r.u8();
      if (d === 0) return { tag: "resource", rep };
      if (d === 1) return { tag: "resource", rep, dtor: r.u32() };
      r.badByte(d, "resource destructor");
      break;
    }
    case 0x40:
    case 0x43: {
      const n = r.count("component function parameter", 2);
      const params = new Array(n);
      for (let i = 0; i < n; i++) params[i] = { name: label(r), type: readValType(r) };
      const rb = r.u8();
      let result: ValTypeRef | undefined;
      if (rb === 0x00) result = readValType(r);
      else if (rb === 0x01) {
        const z = r.u8();
        if (z !== 0) r.badByte(z, "number of results");
      } else r.badByte(rb, "component function results");
      return { tag: "func", async: b === 0x43, params, result };
    }
    case 0x41: {
      enter(r, depth, at);
      const n = r.count("component type declaration", 1);
      const decls: ComponentDecl[] = new Array(n);
      let imports = 0, exports = 0;
      for (let i = 0; i < n; i++) {
        const d = decls[i] = readComponentDecl(r, depth + 1);
        if (d.tag === "import") checkDeclExterns(r, "imports", ++imports);
        else if (d.tag === "export") checkDeclExterns(r, "exports", ++exports);
      }
      return { tag: "component", decls };
    }
    case 0x42: {
      enter(r, depth, at);
      const n = r.count("instance type declaration", 1);
      const decls: InstanceDecl[] = new Array(n);
      let exports = 0;
      for (let i = 0; i < n; i++) {
        const d = decls[i] = readInstanceDecl(r, depth + 1);
        if (d.tag === "export") checkDeclExterns(r, "exports", ++exports);
      }
      return { tag: "instance", decls };
    }
  }
  return { tag: "defined", def: readDefinedType(r, b) };
}

/** Refuses more than `maxExterns` imports or exports in one component or type. */
export function checkDeclExterns(r: Reader, what: "imports" | "exports", count: number): void {
  if (count > r.limits.maxExterns) {
    r.fail(
      "limit-exceeded",
      `more than the limit of ${r.limits.maxExterns} ${what} in one component or type`,
    );
  }
}

function enter(r: Reader, depth: number, at: number): void {
  if (depth + 1 > r.limits.maxNestingDepth) {
    r.fail(
      "limit-exceeded",
      `type nesting deeper than the limit of ${r.limits.maxNestingDepth}`,
      at,
    );
  }
}

function readComponentDecl(r: Reader, depth: number): ComponentDecl {
  const offset = r.pos;
  if (r.peek() === 0x03) {
    r.pos++;
    const name = readExternName(r);
    const desc = readExternDesc(r);
    return { tag: "import", name, desc, offset };
  }
  return readInstanceDecl(r, depth);
}

function readInstanceDecl(r: Reader, depth: number): InstanceDecl {
  const offset = r.pos;
  const b = r.u8();
  switch (b) {
    case 0x00:
      return { tag: "core-type", type: readCoreType(r, depth), offset };
    case 0x01:
      return { tag: "type", type: readTypeDef(r, depth), offset };
    case 0x02:
      return { tag: "alias", alias: readAlias(r), offset };
    case 0x04: {
      const name = readExternName(r);
      const desc = readExternDesc(r);
      return { tag: "export", name, desc, offset };
    }
    default:
      r.badByte(b, "component or instance type declaration");
  }
}

/** Reads `nameattributes`: the discriminant, the name and (for 0x02) its attributes. */
export function readExternName(r: Reader): ExternName {
  const offset = r.pos;
  const b = r.u8();
  if (b > 0x02) r.badByte(b, "component name");
  const out: ExternName = { name: r.name(), offset };
  if (b === 0x02) {
    const n = r.count("name attribute", 1);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const k = r.u8();
      if (k === 0x00) {
        if (out.implements !== undefined) {
          r.fail("invalid-name", "duplicate 'implements' option in name", at);
        }
        out.implements = r.name();
      } else if (k === 0x01) {
        if (out.versionSuffix !== undefined) {
          r.fail("invalid-name", "duplicate 'versionsuffix' option in name", at);
        }
        out.versionSuffix = r.name();
      } else if (k === 0x02) {
        if (out.externalId !== undefined) {
          r.fail("invalid-name", "duplicate 'external-id' option in name", at);
        }
        out.externalId = r.name();
      } else r.badByte(k, "name option");
    }
  }
  return out;
}

/** Reads an `externtype`. */
export function readExternDesc(r: Reader): ExternDesc {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      const s = r.u8();
      if (s !== 0x11) r.badByte(s, "component external kind");
      return { kind: "module", type: r.u32() };
    }
    case 0x01:
      return { kind: "func", type: r.u32() };
    case 0x02: {
      const k = r.u8();
      if (k === 0x00) return { kind: "value", bound: { eq: r.u32() } };
      if (k === 0x01) return { kind: "value", bound: { type: readValType(r) } };
      r.badByte(k, "value bound");
      break;
    }
    case 0x03: {
      const k = r.u8();
      if (k === 0x00) return { kind: "type", bound: { eq: r.u32() } };
      if (k === 0x01) return { kind: "type", bound: "sub-resource" };
      r.badByte(k, "type bound");
      break;
    }
    case 0x04:
      return { kind: "component", type: r.u32() };
    case 0x05:
      return { kind: "instance", type: r.u32() };
  }
  r.badByte(b, "component external kind");
}

/** Reads an `alias`. */
export function readAlias(r: Reader): Alias {
  const sort = readSort(r);
  const b = r.u8();
  switch (b) {
    case 0x00:
      return { sort, target: { tag: "export", instance: r.u32(), name: r.name() } };
    case 0x01:
      return { sort, target: { tag: "core-export", instance: r.u32(), name: r.name() } };
    case 0x02: {
      if (
        sort !== "core module" && sort !== "core type" && sort !== "type" && sort !== "component"
      ) {
        r.badByte(SORT_BYTE[sort], "component outer alias kind", r.pos - 2);
      }
      return { sort, target: { tag: "outer", count: r.u32(), index: r.u32() } };
    }
    default:
      r.badByte(b, "alias");
  }
}

const SORT_BYTE: Record<Sort, number> = {
  "core func": 0x00,
  "core table": 0x01,
  "core memory": 0x02,
  "core global": 0x03,
  "core tag": 0x04,
  "core type": 0x10,
  "core module": 0x11,
  "core instance": 0x12,
  "func": 0x01,
  "value": 0x02,
  "type": 0x03,
  "component": 0x04,
  "instance": 0x05,
};

// ---------------------------------------------------------------------------------------------
// Core types

const NUM_TYPES: Record<number, string> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
};

const ABSTRACT_HEAP: Record<number, string> = {
  0x70: "func",
  0x6f: "extern",
  0x6e: "any",
  0x6d: "eq",
  0x6c: "i31",
  0x6b: "struct",
  0x6a: "array",
  0x71: "none",
  0x73: "nofunc",
  0x72: "noextern",
  0x69: "exn",
  0x74: "noexn",
  0x68: "cont",
  0x75: "nocont",
};

/** Reads a core `valtype`, spelled as in the text format. */
export function readCoreValType(r: Reader): CoreValType {
  const b = r.u8();
  const num = NUM_TYPES[b];
  if (num !== undefined) return num;
  if (b === 0x64 || b === 0x63) return `(ref ${b === 0x63 ? "null " : ""}${readHeapType(r)})`;
  const abs = ABSTRACT_HEAP[b];
  if (abs !== undefined) return `${abs}ref`;
  r.badByte(b, "value type");
}

function readHeapType(r: Reader): string {
  let b = r.peek();
  let shared = "";
  if (b === 0x65) {
    r.pos++;
    shared = "shared ";
    b = r.peek();
  }
  const abs = ABSTRACT_HEAP[b];
  if (abs !== undefined) {
    r.pos++;
    return shared ? `(shared ${abs})` : abs;
  }
  const at = r.pos;
  const idx = r.s33();
  if (idx < 0) r.badByte(b, "heap type", at);
  return String(idx);
}

function readStorageType(r: Reader): void {
  const b = r.peek();
  if (b === 0x78 || b === 0x77) {
    r.pos++;
    return;
  }
  readCoreValType(r);
}

function readCompType(r: Reader): CoreSubType {
  const b = r.u8();
  switch (b) {
    case 0x60: {
      const np = r.count("core function parameter", 1);
      const params = new Array(np);
      for (let i = 0; i < np; i++) params[i] = readCoreValType(r);
      const nr = r.count("core function result", 1);
      const results = new Array(nr);
      for (let i = 0; i < nr; i++) results[i] = readCoreValType(r);
      return { tag: "func", params, results };
    }
    case 0x5f: {
      const n = r.count("struct field", 2);
      for (let i = 0; i < n; i++) {
        readStorageType(r);
        r.bool("field mutability");
      }
      return { tag: "struct" };
    }
    case 0x5e:
      readStorageType(r);
      r.bool("field mutability");
      return { tag: "array" };
    case 0x5d:
      r.s33();
      return { tag: "cont" };
    default:
      r.badByte(b, "type");
  }
}

function readSubType(r: Reader): CoreSubType {
  const b = r.peek();
  if (b === 0x50 || b === 0x4f) {
    r.pos++;
    const n = r.count("supertype", 1);
    for (let i = 0; i < n; i++) r.u32();
    return readCompType(r);
  }
  if (b === 0x65) {
    r.pos++; // shared composite type
  }
  return readCompType(r);
}

function readRecGroup(r: Reader): CoreSubType[] {
  if (r.peek() === 0x4e) {
    r.pos++;
    const n = r.count("recursion group type", 1);
    const types = new Array(n);
    for (let i = 0; i < n; i++) types[i] = readSubType(r);
    return types;
  }
  return [readSubType(r)];
}

/** Reads a `core:type` of a component (0x50 is a module type; `0x00 0x50` a non-final sub type). */
export function readCoreType(r: Reader, depth: number): CoreTypeDef {
  const b = r.peek();
  if (b === 0x00) {
    r.pos++;
    const x = r.peek();
    if (x !== 0x50) r.badByte(x, "non-final sub type", r.pos);
    return { tag: "rec", types: [readSubType(r)] };
  }
  if (b === 0x50) {
    const at = r.pos;
    r.pos++;
    enter(r, depth, at);
    const n = r.count("module type declaration", 1);
    const decls: ModuleDecl[] = new Array(n);
    for (let i = 0; i < n; i++) decls[i] = readModuleDecl(r, depth + 1);
    return { tag: "module", decls };
  }
  return { tag: "rec", types: readRecGroup(r) };
}

function readModuleDecl(r: Reader, _depth: number): ModuleDecl {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      const module = r.name();
      const name = r.name();
      return { tag: "import", module, name, desc: readCoreExternDesc(r) };
    }
    case 0x01: {
      // Module types hold core (GC) types only; a nested module type is invalid.
      if (r.peek() === 0x50) {
        r.pos++;
        return { tag: "type", type: { tag: "rec", types: [readSubTypeAfter50(r)] } };
      }
      return { tag: "type", type: { tag: "rec", types: readRecGroup(r) } };
    }
    case 0x02: {
      const k = r.u8();
      if (k !== 0x10) r.badByte(k, "outer alias kind");
      const t = r.u8();
      if (t !== 0x01) r.badByte(t, "outer alias target");
      return { tag: "alias", count: r.u32(), index: r.u32() };
    }
    case 0x03: {
      const name = r.name();
      return { tag: "export", name, desc: readCoreExternDesc(r) };
    }
    default:
      r.badByte(b, "type definition");
  }
}

function readSubTypeAfter50(r: Reader): CoreSubType {
  const n = r.count("supertype", 1);
  for (let i = 0; i < n; i++) r.u32();
  return readCompType(r);
}

/** Reads the limits of a table or memory; returns nothing we need. */
/** The limits of a table or memory. */
export interface Limits {
  min: number;
  max?: number;
  is64: boolean;
  shared: boolean;
}

/** Reads the limits of a table or memory (64-bit bounds approximated as numbers). */
export function readLimits(r: Reader, memory: boolean): Limits {
  const at = r.pos;
  const flags = r.u8();
  if (flags > (memory ? 0x0f : 0x07)) r.badByte(flags, memory ? "memory type" : "table type", at);
  const is64 = (flags & 0x04) !== 0;
  const min = is64 ? r.u64approx() : r.u32();
  const max = flags & 0x01 ? (is64 ? r.u64approx() : r.u32()) : undefined;
  if (memory && (flags & 0x08)) r.u32();
  const out: Limits = { min, is64, shared: (flags & 0x02) !== 0 };
  if (max !== undefined) out.max = max;
  return out;
}

/** Reads a core `externtype` (import descriptor). */
export function readCoreExternDesc(r: Reader): CoreExternDesc {
  const b = r.u8();
  switch (b) {
    case 0x00:
      return { kind: "func", type: r.u32() };
    case 0x01: {
      const element = readCoreValType(r);
      return { kind: "table", element, limits: readLimits(r, false) };
    }
    case 0x02:
      return { kind: "memory", limits: readLimits(r, true) };
    case 0x03: {
      const type = readCoreValType(r);
      const m = r.u8();
      if (m > 1) r.badByte(m, "global mutability");
      return { kind: "global", type, mutable: m === 1 };
    }
    case 0x04: {
      const attr = r.u8();
      if (attr !== 0) r.badByte(attr, "tag attribute");
      return { kind: "tag", type: r.u32() };
    }
    default:
      r.badByte(b, "external kind");
  }
}
