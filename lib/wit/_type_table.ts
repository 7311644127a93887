/**
 * Type expressions of one package → type definitions: named references looked up in the current
 * scope, anonymous types (`list<u8>`, `option<t>`, `borrow<r>`, …) interned by structure so each
 * is allocated once per package, as wit-parser allocates them, and handles checked to point at
 * resources.
 */
import type * as ast from "./_ast.ts";
import { docsOf } from "./_docs.ts";
import type { SourceMap, WitError } from "./_error.ts";
import type { Span, UTypeDef } from "./_unresolved_types.ts";
import type { Case, EnumCase, Field, Flag, Stability, Type, TypeDefKind, TypeId } from "./model.ts";
import { UNKNOWN_STABILITY } from "./model.ts";

/** What a name in scope stands for: a type, or a function (which cannot be used as a type). */
export type TypeOrItem = TypeId | "function";

/** A name in scope with the span where it is defined. */
export interface LookupEntry {
  item: TypeOrItem;
  start: number;
  end: number;
}

/** The types of one package under construction. */
export class TypeTable {
  /** Every type of the package, in allocation order. */
  readonly types: UTypeDef[] = [];
  /** Types that must turn out to be resources once foreign types are known. */
  readonly requiredResourceTypes: { id: TypeId; start: number; end: number }[] = [];
  /** The names in scope (the interface or world being resolved). */
  lookup = new Map<string, LookupEntry>();
  private readonly anon = new Map<string, TypeId>();

  constructor(private readonly sm: SourceMap) {}

  private syntax(message: string, start: number, end: number): WitError {
    return this.sm.error("syntax", message, start, end);
  }

  /** The definition a type expression stands for (nested parts allocated as needed). */
  resolveTypeDef(ty: ast.AstType, stability: Stability): TypeDefKind {
    switch (ty.k) {
      case "prim":
        return { tag: "type", type: ty.prim };
      case "name":
        return { tag: "type", type: this.resolveTypeName(ty.id) };
      case "list":
        return { tag: "list", element: this.resolveType(ty.ty, stability) };
      case "map": {
        const key = this.resolveType(ty.key, stability);
        const value = this.resolveType(ty.value, stability);
        if (typeof key === "number" || key === "f32" || key === "f64" || key === "error-context") {
          throw this.syntax(
            "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string",
            ty.start,
            ty.end,
          );
        }
        return { tag: "map", key, value };
      }
      case "fixed-list":
        return {
          tag: "fixed-length-list",
          element: this.resolveType(ty.ty, stability),
          length: ty.size,
        };
      case "handle":
        return {
          tag: "handle",
          handle: ty.handle,
          resource: this.validateResource(ty.resource),
        };
      case "resource": {
        let ctors = 0;
        const names = new Set<string>();
        for (const f of ty.funcs) {
          const n = f.func.name;
          if (f.kind === "constructor") {
            if (++ctors > 1) throw this.syntax("duplicate constructors", n.start, n.end);
          } else {
            if (names.has(n.name)) {
              throw this.syntax(`duplicate function name \`${n.name}\``, n.start, n.end);
            }
            names.add(n.name);
          }
        }
        return { tag: "resource" };
      }
      case "record": {
        const fields: Field[] = ty.fields.map((f) => {
          const field: Field & Span = {
            name: f.name.name,
            type: this.resolveType(f.ty, stability),
            start: f.name.start,
            end: f.name.end,
          };
          const d = docsOf(f.docs);
          if (d !== undefined) field.docs = d;
          return field;
        });
        return { tag: "record", fields };
      }
      case "flags":
        return {
          tag: "flags",
          flags: ty.flags.map((f) => {
            const flag: Flag = { name: f.name.name };
            const d = docsOf(f.docs);
            if (d !== undefined) flag.docs = d;
            return flag;
          }),
        };
      case "tuple":
        return { tag: "tuple", types: ty.types.map((t) => this.resolveType(t, stability)) };
      case "variant": {
        if (ty.cases.length === 0) throw this.syntax("empty variant", ty.start, ty.end);
        const cases: Case[] = ty.cases.map((c) => {
          const out: Case = { name: c.name.name };
          if (c.ty) out.type = this.resolveType(c.ty, stability);
          const d = docsOf(c.docs);
          if (d !== undefined) out.docs = d;
          return out;
        });
        return { tag: "variant", cases };
      }
      case "enum": {
        if (ty.cases.length === 0) throw this.syntax("empty enum", ty.start, ty.end);
        const cases: EnumCase[] = ty.cases.map((c) => {
          const out: EnumCase = { name: c.name.name };
          const d = docsOf(c.docs);
          if (d !== undefined) out.docs = d;
          return out;
        });
        return { tag: "enum", cases };
      }
      case "option":
        return { tag: "option", type: this.resolveType(ty.ty, stability) };
      case "result": {
        const k: TypeDefKind = { tag: "result" };
        if (ty.ok) k.ok = this.resolveType(ty.ok, stability);
        if (ty.err) k.err = this.resolveType(ty.err, stability);
        return k;
      }
      case "future":
      case "stream": {
        if (!ty.ty) return { tag: ty.k };
        return { tag: ty.k, type: this.resolveType(ty.ty, stability) };
      }
    }
  }

  /** The type a name refers to in the current scope. */
  resolveTypeName(name: ast.Id): TypeId {
    const entry = this.lookup.get(name.name);
    if (entry === undefined) {
      throw this.sm.error(
        "not-found",
        `name \`${name.name}\` does not exist`,
        name.start,
        name.end,
      );
    }
    if (typeof entry.item !== "number") {
      throw this.syntax(
        `cannot use ${entry.item} \`${name.name}\` as a type`,
        name.start,
        name.end,
      );
    }
    return entry.item;
  }

  /** The type a handle names, checked to be a resource (or pending when foreign). */
  validateResource(name: ast.Id): TypeId {
    const id = this.resolveTypeName(name);
    let cur = id;
    for (;;) {
      const kind = this.types[cur].kind;
      if (kind.tag === "resource") return id;
      if (kind.tag === "type" && typeof kind.type === "number") {
        cur = kind.type;
        continue;
      }
      if (kind.tag === "unknown") {
        this.requiredResourceTypes.push({ id: cur, start: name.start, end: name.end });
        return id;
      }
      throw this.syntax(
        `type \`${name.name}\` used in a handle must be a resource`,
        name.start,
        name.end,
      );
    }
  }

  /** The stability an anonymous type inherits from the first of its parts that has one. */
  findStability(kind: TypeDefKind, stability: Stability): Stability {
    if (stability.kind !== "unknown") return stability;
    const inType = (t: Type | undefined): Stability | undefined => {
      if (typeof t !== "number") return undefined;
      const s = this.types[t].stability;
      return s.kind !== "unknown" ? s : undefined;
    };
    let found: Stability | undefined;
    switch (kind.tag) {
      case "type":
      case "option":
        found = inType(kind.type);
        break;
      case "handle":
        found = inType(kind.resource);
        break;
      case "tuple":
        for (const t of kind.types) if ((found = inType(t))) break;
        break;
      case "list":
      case "fixed-length-list":
        found = inType(kind.element);
        break;
      case "map":
        found = inType(kind.key) ?? inType(kind.value);
        break;
      case "future":
      case "stream":
        found = inType(kind.type);
        break;
      case "result":
        found = inType(kind.ok) ?? inType(kind.err);
        break;
    }
    return found ?? UNKNOWN_STABILITY;
  }

  /** The type of an expression, allocated as an anonymous type unless it is a name. */
  resolveType(ty: ast.AstType, stability: Stability): Type {
    const kind = this.resolveTypeDef(ty, stability);
    return this.anonTypeDef(kind, this.findStability(kind, stability), ty.start, ty.end);
  }

  /** Interns an anonymous type by its structure; returns its id (or the type it aliases). */
  anonTypeDef(kind: TypeDefKind, stability: Stability, start: number, end: number): Type {
    let key: string;
    switch (kind.tag) {
      case "type":
        return kind.type;
      case "handle":
        if (kind.handle === "own") return kind.resource;
        key = `b|${kind.resource}`;
        break;
      case "variant":
        key = `v|${kind.cases.map((c) => `${c.name}:${c.type ?? ""}`).join(",")}`;
        break;
      case "record":
        key = `r|${kind.fields.map((f) => `${f.name}:${f.type}`).join(",")}`;
        break;
      case "flags":
        key = `f|${kind.flags.map((f) => f.name).join(",")}`;
        break;
      case "enum":
        key = `e|${kind.cases.map((c) => c.name).join(",")}`;
        break;
      case "tuple":
        key = `t|${kind.types.join(",")}`;
        break;
      case "list":
        key = `l|${kind.element}`;
        break;
      case "map":
        key = `m|${kind.key}|${kind.value}`;
        break;
      case "fixed-length-list":
        key = `x|${kind.element}|${kind.length}`;
        break;
      case "option":
        key = `o|${kind.type}`;
        break;
      case "result":
        key = `R|${kind.ok ?? ""}|${kind.err ?? ""}`;
        break;
      case "future":
        key = `F|${kind.type ?? ""}`;
        break;
      case "stream":
        key = `S|${kind.type ?? ""}`;
        break;
      default:
        throw new Error(`unreachable: anonymous ${kind.tag}`);
    }
    const existing = this.anon.get(key);
    if (existing !== undefined) return existing;
    this.types.push({ kind, owner: null, stability, start, end });
    const id = this.types.length - 1;
    this.anon.set(key, id);
    return id;
  }
}
