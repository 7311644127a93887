/**
 * Encoding WIT as component types: a builder for the declarations of component and instance types
 * (tracking their type and instance index spaces), and an encoder of WIT types, functions,
 * interfaces (as instance types) and worlds (as component types) that deduplicates types the way
 * wit-component does. The composition engine reuses {@link encodeWorldType} and
 * {@link TypeScopeBuilder}.
 */
import {
  type Function as WitFunction,
  type InterfaceId,
  interfaceIdOf,
  type Resolve,
  type Type,
  type TypeDefKind,
  type TypeId,
  type WorldId,
  type WorldItem,
  type WorldKey,
  worldKeyName,
} from "../wit/mod.ts";
import { ComponentEncodeError } from "./_error.ts";
import { BYTE_OF_PRIMITIVE } from "./_parse_types.ts";
import { build, type ByteWriter } from "./_writer.ts";

/** The type part of an import or export declaration. */
export type ExternDescEnc =
  | { kind: "type"; eq: number }
  | { kind: "type"; subResource: true }
  | { kind: "func"; type: number }
  | { kind: "instance"; type: number }
  | { kind: "component"; type: number };

/** Writes an extern name (discriminant 0x00, the plain form) and an `externtype`. */
export function writeExtern(w: ByteWriter, name: string, desc: ExternDescEnc): void {
  w.u8(0x00).name(name);
  writeExternDesc(w, desc);
}

/** Writes an `externtype`. */
export function writeExternDesc(w: ByteWriter, desc: ExternDescEnc): void {
  switch (desc.kind) {
    case "type":
      w.u8(0x03);
      if ("eq" in desc) w.u8(0x00).u32(desc.eq);
      else w.u8(0x01);
      break;
    case "func":
      w.u8(0x01).u32(desc.type);
      break;
    case "instance":
      w.u8(0x05).u32(desc.type);
      break;
    case "component":
      w.u8(0x04).u32(desc.type);
      break;
  }
}

/** A component value type as encoded: a primitive or a type index. */
export type EncodedValType = { prim: number } | { index: number };

function writeVal(w: ByteWriter, v: EncodedValType): void {
  if ("prim" in v) w.u8(v.prim);
  else w.s33(v.index);
}

function writeOptVal(w: ByteWriter, v: EncodedValType | undefined): void {
  if (v === undefined) w.u8(0x00);
  else {
    w.u8(0x01);
    writeVal(w, v);
  }
}

/**
 * The declarations of a component type (`kind` "component") or instance type ("instance"), with
 * the sizes of its type and instance index spaces.
 */
export class TypeScopeBuilder {
  private readonly decls: Uint8Array[] = [];
  /** Size of the type index space so far. */
  typeCount = 0;
  /** Size of the instance index space so far. */
  instanceCount = 0;
  /** An empty component type or instance type. */
  constructor(readonly kind: "component" | "instance") {}

  /** Adds a type definition (`0x01 type`); returns its index. */
  type(body: Uint8Array): number {
    this.decls.push(build((w) => w.u8(0x01).bytes(body)));
    return this.typeCount++;
  }

  /** `(alias outer count index (type))`; returns the new type index. */
  aliasOuterType(count: number, index: number): number {
    this.decls.push(build((w) => w.u8(0x02).u8(0x03).u8(0x02).u32(count).u32(index)));
    return this.typeCount++;
  }

  /** `(alias export instance "name" (type))`; returns the new type index. */
  aliasExportType(instance: number, name: string): number {
    this.decls.push(build((w) => w.u8(0x02).u8(0x03).u8(0x00).u32(instance).name(name)));
    return this.typeCount++;
  }

  /** An export declaration; returns the new index in its index space (types, instances). */
  export(name: string, desc: ExternDescEnc): number {
    this.decls.push(build((w) => {
      w.u8(0x04);
      writeExtern(w, name, desc);
    }));
    return this.count(desc);
  }

  /** An import declaration (component types only). */
  import(name: string, desc: ExternDescEnc): number {
    if (this.kind !== "component") {
      throw new ComponentEncodeError("unsupported", "instance types cannot import");
    }
    this.decls.push(build((w) => {
      w.u8(0x03);
      writeExtern(w, name, desc);
    }));
    return this.count(desc);
  }

  private count(desc: ExternDescEnc): number {
    if (desc.kind === "type") return this.typeCount++;
    if (desc.kind === "instance") return this.instanceCount++;
    return -1;
  }

  /** The encoded type: `0x41 vec(componentdecl)` or `0x42 vec(instancedecl)`. */
  finish(): Uint8Array {
    return build((w) => {
      w.u8(this.kind === "component" ? 0x41 : 0x42).u32(this.decls.length);
      for (const d of this.decls) w.bytes(d);
    });
  }
}

/** Per-scope maps from WIT types to encoded indices. */
class EncodingMaps {
  idToIndex = new Map<TypeId, number>();
  defToIndex = new Map<string, number>();
  funcs = new Map<string, number>();
}

function kindKey(k: TypeDefKind): string {
  return JSON.stringify(k);
}

/**
 * Encodes WIT items into type scopes. `outer` is the component type being built; while an
 * interface's instance type is being built, `inner` is that instance type.
 */
export class WitTypeEncoder {
  /** The component type being built. */
  readonly outer = new TypeScopeBuilder("component");
  private inner: TypeScopeBuilder | undefined;
  private maps = new EncodingMaps();
  private saved: EncodingMaps | undefined;
  /** Instance index in `outer` of each interface already imported or exported. */
  private readonly instanceOf = new Map<InterfaceId, number>();
  /** Index in `outer` of types aliased out of those instances. */
  private readonly outerAliases = new Map<TypeId, number>();
  /** The interface whose types are defined in the current scope (others are imported). */
  interface: InterfaceId | undefined;
  /** At the world level: declare named types as imports (world `use`s and types). */
  importTypes = false;

  /** An encoder of items of `resolve`. */
  constructor(readonly resolve: Resolve) {}

  private scope(): TypeScopeBuilder {
    return this.inner ?? this.outer;
  }

  private defined(body: Uint8Array): number {
    return this.scope().type(body);
  }

  private pushInstance(): void {
    this.saved = this.maps;
    this.maps = new EncodingMaps();
    this.inner = new TypeScopeBuilder("instance");
  }

  private popInstance(): TypeScopeBuilder {
    const inst = this.inner!;
    this.maps = this.saved!;
    this.saved = undefined;
    this.inner = undefined;
    return inst;
  }

  /** Encodes interface `id` as an instance type in `outer`; returns its type index. */
  encodeInstance(id: InterfaceId): number {
    this.pushInstance();
    const iface = this.resolve.interfaces[id];
    const order: TypeId[] = [];
    for (const t of iface.types.values()) {
      this.valType(t);
      order.push(t);
    }
    // Resource functions first, in the order of their resources; then the rest (as wit-component).
    const funcs = [...iface.functions.entries()];
    const rank = (f: WitFunction) => {
      if ("resource" in f.kind) {
        const i = order.indexOf(f.kind.resource);
        return i < 0 ? order.length : i;
      }
      return order.length;
    };
    const sorted = funcs.map((e, i) => ({ e, i, r: rank(e[1]) })).sort((a, b) =>
      a.r - b.r || a.i - b.i
    );
    for (const { e: [name, f] } of sorted) {
      const ty = this.funcType(f);
      this.inner!.export(name, { kind: "func", type: ty });
    }
    const inst = this.popInstance();
    const idx = this.outer.type(inst.finish());
    this.instanceOf.set(id, this.outer.instanceCount);
    return idx;
  }

  /** Declares interface `id` (its types only) as an instance import of `outer`. */
  importInterfaceTypes(id: InterfaceId, name: string): void {
    this.pushInstance();
    for (const t of this.resolve.interfaces[id].types.values()) this.valType(t);
    const inst = this.popInstance();
    const idx = this.outer.type(inst.finish());
    this.instanceOf.set(id, this.outer.instanceCount);
    this.outer.import(name, { kind: "instance", type: idx });
  }

  /** Records that the next instance import/export of `outer` is interface `id`. */
  bindInstance(id: InterfaceId): void {
    this.instanceOf.set(id, this.outer.instanceCount);
  }

  private importType(owner: InterfaceId, id: TypeId): number {
    const instance = this.instanceOf.get(owner);
    const name = this.resolve.types[id].name;
    if (instance === undefined || name === undefined) {
      throw new ComponentEncodeError(
        "unsupported",
        `type ${name ?? id} of interface ${owner} is used before that interface is imported`,
      );
    }
    let outerIdx = this.outerAliases.get(id);
    if (outerIdx === undefined) {
      outerIdx = this.outer.aliasExportType(instance, name);
      this.outerAliases.set(id, outerIdx);
    }
    if (this.inner !== undefined) return this.inner.aliasOuterType(1, outerIdx);
    return outerIdx;
  }

  private exportType(index: number, name: string): number {
    if (this.inner !== undefined) return this.inner.export(name, { kind: "type", eq: index });
    if (this.importTypes) return this.outer.import(name, { kind: "type", eq: index });
    return this.outer.export(name, { kind: "type", eq: index });
  }

  private exportResource(name: string): number {
    if (this.inner !== undefined) {
      return this.inner.export(name, { kind: "type", subResource: true });
    }
    if (this.importTypes) return this.outer.import(name, { kind: "type", subResource: true });
    return this.outer.export(name, { kind: "type", subResource: true });
  }

  private lookup(id: TypeId): number | undefined {
    const hit = this.maps.idToIndex.get(id);
    if (hit !== undefined) return hit;
    const def = this.resolve.types[id];
    if (def.name === undefined) return this.maps.defToIndex.get(kindKey(def.kind));
    return undefined;
  }

  private record(id: TypeId, index: number): void {
    this.maps.idToIndex.set(id, index);
    const def = this.resolve.types[id];
    if (def.name === undefined) this.maps.defToIndex.set(kindKey(def.kind), index);
  }

  /** Encodes a WIT type in the current scope. */
  valType(t: Type): EncodedValType {
    if (typeof t === "string") return { prim: BYTE_OF_PRIMITIVE[t] };
    const hit = this.lookup(t);
    if (hit !== undefined) return { index: hit };
    const def = this.resolve.types[t];
    if (def === undefined) {
      throw new ComponentEncodeError("unknown-item", `type ${t} is not in the resolve`);
    }
    const owner = def.owner;
    if (owner !== null && "interface" in owner && owner.interface !== this.interface) {
      const index = this.importType(owner.interface, t);
      this.record(t, index);
      return { index };
    }
    let encoded: EncodedValType;
    const k = def.kind;
    checkEncodable(def.name ?? `type ${t}`, k);
    const val = (x: Type) => this.valType(x);
    const opt = (x: Type | undefined) => x === undefined ? undefined : this.valType(x);
    switch (k.tag) {
      case "record": {
        const fields = k.fields.map((f) => [f.name, val(f.type)] as const);
        encoded = {
          index: this.defined(build((w) => {
            w.u8(0x72).u32(fields.length);
            for (const [n, v] of fields) writeVal(w.name(n), v);
          })),
        };
        break;
      }
      case "variant": {
        const cases = k.cases.map((c) => [c.name, opt(c.type)] as const);
        encoded = {
          index: this.defined(build((w) => {
            w.u8(0x71).u32(cases.length);
            for (const [n, v] of cases) {
              writeOptVal(w.name(n), v);
              w.u8(0x00);
            }
          })),
        };
        break;
      }
      case "tuple": {
        const types = k.types.map(val);
        encoded = {
          index: this.defined(build((w) => {
            w.u8(0x6f).u32(types.length);
            for (const v of types) writeVal(w, v);
          })),
        };
        break;
      }
      case "flags":
        encoded = {
          index: this.defined(build((w) => {
            w.u8(0x6e).u32(k.flags.length);
            for (const f of k.flags) w.name(f.name);
          })),
        };
        break;
      case "enum":
        encoded = {
          index: this.defined(build((w) => {
            w.u8(0x6d).u32(k.cases.length);
            for (const c of k.cases) w.name(c.name);
          })),
        };
        break;
      case "option": {
        const v = val(k.type);
        encoded = { index: this.defined(build((w) => writeVal(w.u8(0x6b), v))) };
        break;
      }
      case "result": {
        const ok = opt(k.ok), err = opt(k.err);
        encoded = {
          index: this.defined(build((w) => {
            w.u8(0x6a);
            writeOptVal(w, ok);
            writeOptVal(w, err);
          })),
        };
        break;
      }
      case "list": {
        const v = val(k.element);
        encoded = { index: this.defined(build((w) => writeVal(w.u8(0x70), v))) };
        break;
      }
      case "fixed-length-list": {
        const v = val(k.element);
        encoded = {
          index: this.defined(build((w) => {
            writeVal(w.u8(0x67), v);
            w.u32(k.length);
          })),
        };
        break;
      }
      case "map": {
        const key = val(k.key), value = val(k.value);
        encoded = {
          index: this.defined(build((w) => {
            writeVal(w.u8(0x63), key);
            writeVal(w, value);
          })),
        };
        break;
      }
      case "future":
      case "stream": {
        const v = opt(k.type);
        encoded = {
          index: this.defined(build((w) => writeOptVal(w.u8(k.tag === "future" ? 0x65 : 0x66), v))),
        };
        break;
      }
      case "type":
        encoded = val(k.type);
        break;
      case "resource": {
        if (def.name === undefined) {
          throw new ComponentEncodeError("unsupported", `resource ${t} has no name`);
        }
        const index = this.exportResource(def.name);
        this.maps.idToIndex.set(t, index);
        return { index };
      }
      case "handle": {
        const r = val(k.resource);
        if (!("index" in r)) {
          throw new ComponentEncodeError("unsupported", `handle ${t} does not refer to a resource`);
        }
        encoded = {
          index: this.defined(build((w) => w.u8(k.handle === "own" ? 0x69 : 0x68).u32(r.index))),
        };
        break;
      }
      case "unknown":
        throw new ComponentEncodeError("unsupported", `type ${def.name ?? t} is unresolved`);
    }
    if (def.name !== undefined) {
      const e = encoded;
      const index = "index" in e ? e.index : this.defined(build((w) => w.u8(e.prim)));
      encoded = { index: this.exportType(index, def.name) };
    }
    if ("index" in encoded) this.record(t, encoded.index);
    return encoded;
  }

  /** Encodes a function type (deduplicated per scope); returns its type index. */
  funcType(f: WitFunction): number {
    const isAsync = f.kind.tag.startsWith("async");
    const key = JSON.stringify([isAsync, f.params.map((p) => [p.name, p.type]), f.result ?? null]);
    const hit = this.maps.funcs.get(key);
    if (hit !== undefined) return hit;
    const params = f.params.map((p) => [p.name, this.valType(p.type)] as const);
    const result = f.result === undefined ? undefined : this.valType(f.result);
    const index = this.defined(build((w) => {
      w.u8(isAsync ? 0x43 : 0x40).u32(params.length);
      for (const [n, v] of params) writeVal(w.name(n), v);
      if (result === undefined) w.u8(0x01).u8(0x00);
      else writeVal(w.u8(0x00), result);
    }));
    this.maps.funcs.set(key, index);
    return index;
  }
}

/** Refuses types the binary format cannot carry (empty records, more than 32 flags…). */
function checkEncodable(name: string, k: TypeDefKind): void {
  const empty = (what: string) => {
    throw new ComponentEncodeError(
      "unsupported",
      `${k.tag} ${
        JSON.stringify(name)
      } has no ${what}: the component binary format requires at least one`,
    );
  };
  if (k.tag === "record" && k.fields.length === 0) empty("fields");
  if (k.tag === "variant" && k.cases.length === 0) empty("cases");
  if (k.tag === "enum" && k.cases.length === 0) empty("cases");
  if (k.tag === "flags" && k.flags.length === 0) empty("flags");
  if (k.tag === "tuple" && k.types.length === 0) empty("types");
  if (k.tag === "flags" && k.flags.length > 32) {
    throw new ComponentEncodeError(
      "unsupported",
      `flags ${
        JSON.stringify(name)
      } has ${k.flags.length} flags: the component binary format allows at most 32`,
    );
  }
  if (k.tag === "fixed-length-list" && k.length === 0) {
    throw new ComponentEncodeError(
      "unsupported",
      `fixed-length list ${JSON.stringify(name)} has length 0`,
    );
  }
}

/** The interfaces an interface uses types from (directly), in order of first use. */
export function interfaceDirectDeps(resolve: Resolve, id: InterfaceId): InterfaceId[] {
  const out: InterfaceId[] = [];
  for (const t of resolve.interfaces[id].types.values()) {
    const k = resolve.types[t].kind;
    if (k.tag !== "type" || typeof k.type === "string") continue;
    const owner = resolve.types[k.type].owner;
    if (owner === null || !("interface" in owner) || owner.interface === id) continue;
    if (!out.includes(owner.interface)) out.push(owner.interface);
  }
  return out;
}

/**
 * Encodes world `id` as a component type (`0x41 …`): its imports (interfaces as instance types,
 * functions, types) and exports, as a component implementing the world would have them.
 */
export function encodeWorldType(resolve: Resolve, id: WorldId): Uint8Array {
  return worldTypeBuilder(resolve, id).finish();
}

/** Like {@link encodeWorldType}, returning the builder. */
export function worldTypeBuilder(resolve: Resolve, id: WorldId): TypeScopeBuilder {
  const world = resolve.worlds[id];
  if (world === undefined) {
    throw new ComponentEncodeError("unknown-item", `world ${id} is not in the resolve`);
  }
  const enc = new WitTypeEncoder(resolve);
  const item = (key: WorldKey, it: WorldItem, isImport: boolean) => {
    const name = worldKeyName(resolve, key);
    if (it.tag === "interface") {
      enc.interface = it.id;
      const idx = enc.encodeInstance(it.id);
      if (isImport) enc.outer.import(name, { kind: "instance", type: idx });
      else enc.outer.export(name, { kind: "instance", type: idx });
    } else if (it.tag === "function") {
      enc.interface = undefined;
      const idx = enc.funcType(it.func);
      if (isImport) enc.outer.import(name, { kind: "func", type: idx });
      else enc.outer.export(name, { kind: "func", type: idx });
    } else {
      if (!isImport) {
        throw new ComponentEncodeError("unsupported", `world ${world.name} exports a type`);
      }
      enc.interface = undefined;
      enc.importTypes = true;
      enc.valType(it.id);
      enc.importTypes = false;
    }
  };
  for (const [k, it] of world.imports) item(k, it, true);
  for (const [k, it] of world.exports) item(k, it, false);
  return enc.outer;
}

/**
 * Encodes interface `id` of a package as the component type wit-component uses in WIT package
 * binaries: the interfaces it depends on imported (their types only), itself exported.
 */
export function interfacePackageTypeBuilder(resolve: Resolve, id: InterfaceId): TypeScopeBuilder {
  const live: InterfaceId[] = [];
  const visit = (i: InterfaceId) => {
    if (live.includes(i)) return;
    for (const d of interfaceDirectDeps(resolve, i)) visit(d);
    live.push(i);
  };
  visit(id);
  const enc = new WitTypeEncoder(resolve);
  for (const i of live) {
    enc.interface = i;
    const name = interfaceIdOf(resolve, i);
    if (name === undefined) {
      throw new ComponentEncodeError("unsupported", `interface ${i} has no package name`);
    }
    if (i === id) {
      const idx = enc.encodeInstance(i);
      enc.outer.export(name, { kind: "instance", type: idx });
    } else {
      enc.importInterfaceTypes(i, name);
    }
  }
  enc.interface = undefined;
  return enc.outer;
}
