/**
 * Deep copies of world items inside one {@link Resolve}, for `include`: types owned by the
 * included world (and anonymous types built on them) get new ids owned by the including world;
 * inline interfaces are copied whole (with `cloneOf` set). Follows wit-parser's cloner, which is
 * what decides the ids of the copies.
 */
import type {
  Function,
  InterfaceId,
  Resolve,
  Type,
  TypeDef,
  TypeDefKind,
  TypeId,
  TypeOwner,
  WorldItem,
  WorldKey,
} from "./model.ts";

/** Whether two owners are the same. */
export function sameOwner(a: TypeOwner, b: TypeOwner): boolean {
  if (a === null || b === null) return a === b;
  if ("world" in a) return "world" in b && a.world === b.world;
  return "interface" in b && a.interface === b.interface;
}

/** A copy of a type kind (arrays and objects fresh, type references shared). */
export function cloneKind(k: TypeDefKind): TypeDefKind {
  switch (k.tag) {
    case "record":
      return { tag: "record", fields: k.fields.map((f) => ({ ...f })) };
    case "flags":
      return { tag: "flags", flags: k.flags.map((f) => ({ ...f })) };
    case "tuple":
      return { tag: "tuple", types: [...k.types] };
    case "variant":
      return { tag: "variant", cases: k.cases.map((c) => ({ ...c })) };
    case "enum":
      return { tag: "enum", cases: k.cases.map((c) => ({ ...c })) };
    default:
      return { ...k };
  }
}

/** A copy of a type definition. */
export function cloneTypeDef(t: TypeDef): TypeDef {
  const c: TypeDef = { ...t, kind: cloneKind(t.kind) };
  if (t.owner !== null) c.owner = { ...t.owner } as TypeOwner;
  return c;
}

/** A copy of a function (params and kind fresh). */
export function cloneFunction(f: Function): Function {
  return { ...f, kind: { ...f.kind }, params: f.params.map((p) => ({ ...p })) };
}

/** A copy of a world item. */
export function cloneWorldItem(item: WorldItem): WorldItem {
  return item.tag === "function"
    ? { tag: "function", func: cloneFunction(item.func) }
    : { ...item };
}

/** Maps from original ids to the copies made. */
export interface CloneMaps {
  types: Map<TypeId, TypeId>;
  interfaces: Map<InterfaceId, InterfaceId>;
}

/** Copies items from `prevOwner` to `newOwner`, recording what it copied in `maps`. */
export class Cloner {
  constructor(
    readonly resolve: Resolve,
    readonly maps: CloneMaps,
    private readonly prevOwner: TypeOwner,
    private readonly newOwner: TypeOwner,
    private readonly newPackage?: number,
  ) {}

  /** Rewrites `item` (a copy) so it belongs to the new owner. */
  worldItem(key: WorldKey, item: WorldItem): void {
    if (typeof key === "number") return;
    switch (item.tag) {
      case "type":
        item.id = this.typeId(item.id);
        break;
      case "function":
        this.func(item.func);
        break;
      case "interface":
        if (this.resolve.interfaces[item.id].name !== undefined) return;
        item.id = this.interface(item.id);
        break;
    }
  }

  private typeId(id: TypeId): TypeId {
    let mapped = this.maps.types.get(id);
    if (mapped === undefined) {
      const copy = cloneTypeDef(this.resolve.types[id]);
      this.typeDef(copy);
      this.resolve.types.push(copy);
      mapped = this.resolve.types.length - 1;
      this.maps.types.set(id, mapped);
    }
    return mapped;
  }

  private ty(t: Type): Type {
    return typeof t === "number" ? this.typeId(t) : t;
  }

  private typeDef(def: TypeDef): void {
    if (def.owner !== null) {
      if (!sameOwner(def.owner, this.prevOwner)) throw new Error("cloner: unexpected type owner");
      def.owner = this.newOwner;
    }
    const k = def.kind;
    switch (k.tag) {
      case "type":
        if (typeof k.type === "number") {
          const target = this.resolve.types[k.type];
          if (sameOwner(target.owner, this.prevOwner)) {
            k.type = this.typeId(k.type);
          } else {
            const m = this.maps.types.get(k.type);
            if (m !== undefined) k.type = m;
          }
        }
        break;
      case "handle":
        k.resource = this.typeId(k.resource);
        break;
      case "option":
        k.type = this.ty(k.type);
        break;
      case "list":
      case "fixed-length-list":
        k.element = this.ty(k.element);
        break;
      case "map":
        k.key = this.ty(k.key);
        k.value = this.ty(k.value);
        break;
      case "tuple":
        k.types = k.types.map((t) => this.ty(t));
        break;
      case "record":
        for (const f of k.fields) f.type = this.ty(f.type);
        break;
      case "variant":
        for (const c of k.cases) if (c.type !== undefined) c.type = this.ty(c.type);
        break;
      case "result":
        if (k.ok !== undefined) k.ok = this.ty(k.ok);
        if (k.err !== undefined) k.err = this.ty(k.err);
        break;
      case "future":
      case "stream":
        if (k.type !== undefined) k.type = this.ty(k.type);
        break;
    }
  }

  private func(f: Function): void {
    if ("resource" in f.kind) f.kind.resource = this.typeId(f.kind.resource);
    for (const p of f.params) p.type = this.ty(p.type);
    if (f.result !== undefined) f.result = this.ty(f.result);
  }

  private interface(old: InterfaceId): InterfaceId {
    const src = this.resolve.interfaces[old];
    const nextId = this.resolve.interfaces.length;
    const inner = new Cloner(this.resolve, this.maps, { interface: old }, { interface: nextId });
    const types = new Map<string, TypeId>();
    for (const [name, id] of src.types) types.set(name, inner.typeId(id));
    const functions = new Map<string, Function>();
    for (const [name, f] of src.functions) {
      const c = cloneFunction(f);
      inner.func(c);
      functions.set(name, c);
    }
    let pkg = this.newPackage;
    if (pkg === undefined) {
      const o = this.newOwner;
      pkg = o !== null && "world" in o
        ? this.resolve.worlds[o.world].package
        : o !== null
        ? this.resolve.interfaces[o.interface].package
        : undefined;
    }
    const copy = { ...src, types, functions, package: pkg, cloneOf: old };
    this.resolve.interfaces.push(copy);
    this.maps.interfaces.set(old, nextId);
    return nextId;
  }
}
