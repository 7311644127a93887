/**
 * A structural, id-free form of worlds and interfaces: type ids replaced by structure (named types
 * by a reference `owner.name`), maps turned into plain objects keyed by name. Two worlds that mean
 * the same thing compare equal with one `deepEqual`, whatever their ids and item order, e.g. a
 * world decoded from a component and the same world parsed from WIT.
 */
import { nameWorldKey } from "./_elaborate.ts";
import type {
  Function,
  InterfaceId,
  PackageId,
  Resolve,
  Stability,
  Type,
  TypeDef,
  TypeId,
  WorldId,
  WorldItem,
  WorldKey,
} from "./model.ts";
import { formatWitPackageName, interfaceIdOf } from "./model.ts";

/** A type in canonical form: a primitive, a reference to a named type, or anonymous structure. */
export type CanonicalType =
  | string
  | { named: string }
  | { list: CanonicalType }
  | { "fixed-length-list": [CanonicalType, number] }
  | { map: [CanonicalType, CanonicalType] }
  | { option: CanonicalType }
  | { result: { ok: CanonicalType | null; err: CanonicalType | null } }
  | { tuple: CanonicalType[] }
  | { own: string }
  | { borrow: string }
  | { future: CanonicalType | null }
  | { stream: CanonicalType | null }
  | { type: CanonicalType };

/** A named type's definition in canonical form. */
export type CanonicalTypeDef =
  | "resource"
  | { record: [string, CanonicalType][] }
  | { variant: [string, CanonicalType | null][] }
  | { enum: string[] }
  | { flags: string[] }
  | CanonicalType;

/** A function in canonical form (`resource` names the resource of a method/static/constructor). */
export interface CanonicalFunction {
  kind: string;
  resource?: string;
  params: [string, CanonicalType][];
  result?: CanonicalType;
  docs?: string;
  stability?: Stability;
}

/** An interface in canonical form; `id` is `ns:pkg/name@version` for a named interface. */
export interface CanonicalInterface {
  id?: string;
  types: Record<string, CanonicalTypeDef>;
  functions: Record<string, CanonicalFunction>;
  docs?: string;
  stability?: Stability;
}

/** A world import or export in canonical form. */
export type CanonicalWorldItem =
  | { interface: CanonicalInterface; stability?: Stability }
  | { function: CanonicalFunction }
  | { type: CanonicalTypeDef };

/** A world in canonical form, imports and exports keyed by their extern names. */
export interface CanonicalWorld {
  name: string;
  package?: string;
  imports: Record<string, CanonicalWorldItem>;
  exports: Record<string, CanonicalWorldItem>;
  docs?: string;
  stability?: Stability;
}

/** A package in canonical form: its interfaces and worlds by name. */
export interface CanonicalPackage {
  name: string;
  interfaces: Record<string, CanonicalInterface>;
  worlds: Record<string, CanonicalWorld>;
  docs?: string;
}

/** What the canonical form keeps besides structure. */
export interface CanonicalOptions {
  /** Keep doc comments (default `false`). */
  docs?: boolean;
  /** Keep `@since`/`@unstable` gates (default `false`). */
  stability?: boolean;
}

class Canon {
  constructor(private readonly r: Resolve, private readonly opts: CanonicalOptions) {}

  private extra<T extends { docs?: string; stability?: Stability }>(
    out: T,
    docs: string | undefined,
    stability: Stability,
  ): T {
    if (this.opts.docs && docs !== undefined) out.docs = docs;
    if (this.opts.stability && stability.kind !== "unknown") out.stability = stability;
    return out;
  }

  ref(id: TypeId): string {
    const t = this.r.types[id];
    const o = t.owner;
    let owner: string;
    if (o === null) owner = "";
    else if ("world" in o) owner = "world";
    else owner = interfaceIdOf(this.r, o.interface) ?? "inline";
    return `${owner}.${t.name ?? ""}`;
  }

  type(t: Type): CanonicalType {
    if (typeof t === "string") return t;
    const def = this.r.types[t];
    if (def.name !== undefined) return { named: this.ref(t) };
    return this.anonymous(def);
  }

  private opt(t: Type | undefined): CanonicalType | null {
    return t === undefined ? null : this.type(t);
  }

  private anonymous(def: TypeDef): CanonicalType {
    const k = def.kind;
    switch (k.tag) {
      case "list":
        return { list: this.type(k.element) };
      case "fixed-length-list":
        return { "fixed-length-list": [this.type(k.element), k.length] };
      case "map":
        return { map: [this.type(k.key), this.type(k.value)] };
      case "option":
        return { option: this.type(k.type) };
      case "result":
        return { result: { ok: this.opt(k.ok), err: this.opt(k.err) } };
      case "tuple":
        return { tuple: k.types.map((t) => this.type(t)) };
      case "handle":
        return k.handle === "own"
          ? { own: this.ref(k.resource) }
          : { borrow: this.ref(k.resource) };
      case "future":
        return { future: this.opt(k.type) };
      case "stream":
        return { stream: this.opt(k.type) };
      case "type":
        return this.type(k.type);
      default:
        return { type: k.tag };
    }
  }

  typeDef(id: TypeId): CanonicalTypeDef {
    const def = this.r.types[id];
    const k = def.kind;
    switch (k.tag) {
      case "resource":
        return "resource";
      case "record":
        return { record: k.fields.map((f) => [f.name, this.type(f.type)]) };
      case "variant":
        return { variant: k.cases.map((c) => [c.name, this.opt(c.type)]) };
      case "enum":
        return { enum: k.cases.map((c) => c.name) };
      case "flags":
        return { flags: k.flags.map((f) => f.name) };
      case "type":
        return { type: this.type(k.type) };
      default:
        return this.anonymous(def);
    }
  }

  func(f: Function): CanonicalFunction {
    const out: CanonicalFunction = {
      kind: f.kind.tag,
      params: f.params.map((p) => [p.name, this.type(p.type)]),
    };
    if ("resource" in f.kind) out.resource = this.ref(f.kind.resource);
    if (f.result !== undefined) out.result = this.type(f.result);
    return this.extra(out, f.docs, f.stability);
  }

  iface(id: InterfaceId): CanonicalInterface {
    const i = this.r.interfaces[id];
    const types: Record<string, CanonicalTypeDef> = {};
    for (const [name, t] of i.types) types[name] = this.typeDef(t);
    const functions: Record<string, CanonicalFunction> = {};
    for (const [name, f] of i.functions) functions[name] = this.func(f);
    const out: CanonicalInterface = { types, functions };
    const full = interfaceIdOf(this.r, id);
    if (full !== undefined) out.id = full;
    return this.extra(out, i.docs, i.stability);
  }

  item(item: WorldItem): CanonicalWorldItem {
    switch (item.tag) {
      case "interface": {
        const out: CanonicalWorldItem = { interface: this.iface(item.id) };
        if (this.opts.stability && item.stability.kind !== "unknown") {
          out.stability = item.stability;
        }
        return out;
      }
      case "function":
        return { function: this.func(item.func) };
      case "type":
        return { type: this.typeDef(item.id) };
    }
  }

  pkg(id: PackageId): CanonicalPackage {
    const p = this.r.packages[id];
    const interfaces: Record<string, CanonicalInterface> = {};
    for (const [n, i] of p.interfaces) interfaces[n] = this.iface(i);
    const worlds: Record<string, CanonicalWorld> = {};
    for (const [n, w] of p.worlds) worlds[n] = this.world(w);
    const out: CanonicalPackage = { name: formatWitPackageName(p.name), interfaces, worlds };
    if (this.opts.docs && p.docs !== undefined) out.docs = p.docs;
    return out;
  }

  world(id: WorldId): CanonicalWorld {
    const w = this.r.worlds[id];
    const items = (m: Map<WorldKey, WorldItem>) => {
      const out: Record<string, CanonicalWorldItem> = {};
      for (const [k, v] of m) out[nameWorldKey(this.r, k)] = this.item(v);
      return out;
    };
    const out: CanonicalWorld = {
      name: w.name,
      imports: items(w.imports),
      exports: items(w.exports),
    };
    if (w.package !== undefined) {
      out.package = formatWitPackageName(this.r.packages[w.package].name);
    }
    return this.extra(out, w.docs, w.stability);
  }
}

/**
 * The canonical form of world `id`: compare two with `deepEqual` to know whether they import and
 * export the same things with the same types.
 *
 * @example
 * ```ts
 * import { canonicalWorld, parseWit } from "./mod.ts";
 * const a = parseWit("package x:y; world w { import f: func(a: list<u8>); }");
 * const b = parseWit("package x:y; interface unused { type t = u32; } world w { import f: func(a: list<u8>); }");
 * const wa = a.resolve.packages[a.package].worlds.get("w")!;
 * const wb = b.resolve.packages[b.package].worlds.get("w")!;
 * console.assert(JSON.stringify(canonicalWorld(a.resolve, wa)) === JSON.stringify(canonicalWorld(b.resolve, wb)));
 * ```
 */
export function canonicalWorld(
  resolve: Resolve,
  id: WorldId,
  options: CanonicalOptions = {},
): CanonicalWorld {
  return new Canon(resolve, options).world(id);
}

/** The canonical form of package `id`: every interface and world, by name. */
export function canonicalPackage(
  resolve: Resolve,
  id: PackageId,
  options: CanonicalOptions = {},
): CanonicalPackage {
  return new Canon(resolve, options).pkg(id);
}

/** The canonical form of interface `id` (see {@link canonicalWorld}). */
export function canonicalInterface(
  resolve: Resolve,
  id: InterfaceId,
  options: CanonicalOptions = {},
): CanonicalInterface {
  return new Canon(resolve, options).iface(id);
}

/** The canonical form of one world import or export. */
export function canonicalWorldItem(
  resolve: Resolve,
  item: WorldItem,
  options: CanonicalOptions = {},
): CanonicalWorldItem {
  return new Canon(resolve, options).item(item);
}
