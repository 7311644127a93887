/**
 * The "external visibility" rule of the component model: the types an import or export refers to
 * must themselves be imported or exported by name first (records, variants, enums, flags and
 * resources need names; tuples, lists, options and results may stay anonymous if their parts are
 * named). Each check visits a definition at most once, so shared structure costs nothing extra.
 */
import type { AnyType, DefKind, FuncType, ValType } from "./_types.ts";

/** Whether a value type only refers to types in `set` where names are required. */
export function valNamed(t: ValType, set: Set<AnyType>, seen = new Set<DefKind>()): boolean {
  if (typeof t === "string") return true;
  const d = t.def;
  switch (d.k) {
    case "primitive":
      return true;
    case "flags":
    case "enum":
    case "record":
    case "variant":
      return set.has(t);
    default:
      return defNamed(d, set, seen);
  }
}

/** Whether the parts of a definition are named (the definition itself may be anonymous). */
export function defNamed(d: DefKind, set: Set<AnyType>, seen = new Set<DefKind>()): boolean {
  // A definition seen before was found named (a "no" stops the whole check).
  if (seen.has(d)) return true;
  seen.add(d);
  const v = (x: ValType | undefined) => x === undefined || valNamed(x, set, seen);
  switch (d.k) {
    case "primitive":
    case "flags":
    case "enum":
      return true;
    case "record":
      return d.fields.every((f) => v(f.type));
    case "variant":
      return d.cases.every((c) => v(c.type));
    case "tuple":
      return d.types.every(v);
    case "result":
      return v(d.ok) && v(d.err);
    case "list":
      return v(d.element);
    case "option":
      return v(d.type);
    case "map":
      return v(d.key) && v(d.value);
    case "own":
    case "borrow":
      return set.has(d.resource);
    case "future":
    case "stream":
      return v(d.type);
  }
}

/** Whether every parameter and the result of a function type are named. */
export function funcNamed(f: FuncType, set: Set<AnyType>, seen?: Set<DefKind>): boolean {
  if (onlyPrimitives(f)) return true;
  seen ??= new Set<DefKind>();
  for (const p of f.params) if (!valNamed(p.type, set, seen)) return false;
  return f.result === undefined || valNamed(f.result, set, seen);
}

/** Whether a function type's parameters and result are all primitives (named by definition). */
export function onlyPrimitives(f: FuncType): boolean {
  for (const p of f.params) if (typeof p.type !== "string") return false;
  return f.result === undefined || typeof f.result === "string";
}

/** Whether a type (of a type import or export) only refers to named types. */
export function allNamed(t: AnyType, set: Set<AnyType>, seen = new Set<DefKind>()): boolean {
  switch (t.tag) {
    case "resource":
    case "component":
      return true;
    case "defined":
      return defNamed(t.def, set, seen);
    case "func":
      return funcNamed(t, set, seen);
    case "instance":
      for (const i of t.exports.values()) {
        const e = i.entity;
        let ok = true;
        switch (e.kind) {
          case "func":
            ok = funcNamed(e.type, set, seen);
            break;
          case "type":
            ok = allNamed(e.created, set, seen);
            break;
          case "value":
            ok = typeof e.type === "string" || defNamed(e.type.def, set, seen);
            break;
          case "instance":
            ok = allNamed(e.type, set, seen);
            break;
        }
        if (!ok) return false;
      }
      return true;
  }
}
