/**
 * Merging one {@link Resolve} into another (wit-parser's `Resolve::merge`): packages with the same
 * name are unified (their interfaces and worlds must match; either side may have extra types and
 * functions), everything else is moved over with new ids. Used for WIT packages decoded from
 * `.wasm` files in a `deps/` folder.
 */
import { mergeStability, Remap } from "./_append.ts";
import {
  elaborateWorld,
  interfaceDirectDeps,
  nameWorldKey,
  typeInterfaceDep,
} from "./_elaborate.ts";
import { WitError } from "./_error.ts";
import type {
  Function,
  Interface,
  InterfaceId,
  PackageId,
  Resolve,
  Type,
  TypeId,
  World,
  WorldId,
  WorldItem,
  WorldKey,
} from "./model.ts";
import { formatWitPackageName } from "./model.ts";

/** Where the items of the merged resolve ended up: old id (the index) → new id. */
export interface MergeRemap {
  types: TypeId[];
  interfaces: InterfaceId[];
  worlds: WorldId[];
  packages: PackageId[];
}

/** Packages of `resolve` in an order where dependencies come first. */
export function topologicalPackages(resolve: Resolve): PackageId[] {
  const pushed = new Array<boolean>(resolve.packages.length).fill(false);
  const order: PackageId[] = [];
  const visit = (id: PackageId) => {
    if (pushed[id]) return;
    for (const dep of packageDirectDeps(resolve, id)) visit(dep);
    order.push(id);
    pushed[id] = true;
  };
  for (let id = 0; id < resolve.packages.length; id++) visit(id);
  return order;
}

/** The packages package `id` refers to (with repeats). */
export function packageDirectDeps(resolve: Resolve, id: PackageId): PackageId[] {
  const pkg = resolve.packages[id];
  const ifaces: InterfaceId[] = [];
  for (const i of pkg.interfaces.values()) ifaces.push(...interfaceDirectDeps(resolve, i));
  for (const w of pkg.worlds.values()) {
    const world = resolve.worlds[w];
    for (const item of [...world.imports.values(), ...world.exports.values()]) {
      if (item.tag === "interface") ifaces.push(item.id);
      else if (item.tag === "type") {
        const d = typeInterfaceDep(resolve, item.id);
        if (d !== undefined) ifaces.push(d);
      }
    }
  }
  const out: PackageId[] = [];
  for (const i of ifaces) {
    const p = resolve.interfaces[i].package;
    if (p !== undefined && p !== id) out.push(p);
  }
  return out;
}

function mergeError(message: string): WitError {
  return new WitError("merge", message);
}

function context(message: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof WitError && e.code === "merge") throw mergeError(`${message}: ${e.message}`);
    throw e;
  }
}

/** Which items of `from` are already in `into`. */
class MergeMap {
  packageMap = new Map<PackageId, PackageId>();
  interfaceMap = new Map<InterfaceId, InterfaceId>();
  typeMap = new Map<TypeId, TypeId>();
  worldMap = new Map<WorldId, WorldId>();
  interfacesToAdd: [string, PackageId, InterfaceId][] = [];
  worldsToAdd: [string, PackageId, WorldId][] = [];

  constructor(private readonly from: Resolve, private readonly into: Resolve) {}

  build(): void {
    for (const fromId of topologicalPackages(this.from)) {
      const name = formatWitPackageName(this.from.packages[fromId].name);
      const intoId = this.into.packageNames.get(name);
      if (intoId === undefined) continue;
      context(
        `failed to merge package \`${name}\` into existing copy`,
        () => this.buildPackage(fromId, intoId),
      );
    }
  }

  private buildPackage(fromId: PackageId, intoId: PackageId): void {
    this.packageMap.set(fromId, intoId);
    const from = this.from.packages[fromId];
    const into = this.into.packages[intoId];
    for (const [name, fromIface] of from.interfaces) {
      const intoIface = into.interfaces.get(name);
      if (intoIface === undefined) {
        this.interfacesToAdd.push([name, intoId, fromIface]);
        continue;
      }
      context(
        `failed to merge interface \`${name}\``,
        () => this.buildInterface(fromIface, intoIface),
      );
    }
    for (const [name, fromWorld] of from.worlds) {
      const intoWorld = into.worlds.get(name);
      if (intoWorld === undefined) {
        this.worldsToAdd.push([name, intoId, fromWorld]);
        continue;
      }
      context(`failed to merge world \`${name}\``, () => this.buildWorld(fromWorld, intoWorld));
    }
  }

  buildInterface(fromId: InterfaceId, intoId: InterfaceId): void {
    this.interfaceMap.set(fromId, intoId);
    const from = this.from.interfaces[fromId];
    const into = this.into.interfaces[intoId];
    for (const [name, t] of from.types) {
      const i = into.types.get(name);
      if (i !== undefined) this.typeMap.set(t, i);
    }
    for (const [name, f] of from.functions) {
      const i = into.functions.get(name);
      if (i === undefined) continue;
      context(`mismatch in function \`${name}\``, () => buildFunction(f, i));
    }
  }

  private buildWorld(fromId: WorldId, intoId: WorldId): void {
    this.worldMap.set(fromId, intoId);
    const from = this.from.worlds[fromId];
    const into = this.into.worlds[intoId];
    if (from.imports.size !== into.imports.size) {
      throw mergeError("world contains different number of imports than expected");
    }
    if (from.exports.size !== into.exports.size) {
      throw mergeError("world contains different number of exports than expected");
    }
    for (
      const [what, a, b] of [["import", from.imports, into.imports], [
        "export",
        from.exports,
        into.exports,
      ]] as const
    ) {
      for (const [key, item] of a) {
        const name = nameWorldKey(this.from, key);
        const target = b.get(this.mapKey(key));
        if (target === undefined) throw mergeError(`${what} \`${name}\` not found in target world`);
        context(
          `${what} \`${name}\` didn't match target world`,
          () => this.matchItem(item, target),
        );
      }
    }
  }

  mapKey(key: WorldKey): WorldKey {
    return typeof key === "number" ? this.interfaceMap.get(key) ?? key : key;
  }

  private matchItem(from: WorldItem, into: WorldItem): void {
    if (from.tag === "interface" && into.tag === "interface") {
      const a = this.from.interfaces[from.id].name, b = this.into.interfaces[into.id].name;
      if (a === undefined && b === undefined) this.buildInterface(from.id, into.id);
      else if (this.interfaceMap.get(from.id) !== into.id) {
        throw mergeError("interfaces are not the same");
      }
    } else if (from.tag === "function" && into.tag === "function") {
      // Functions of merged worlds are taken as equal, as wit-parser does.
    } else if (from.tag === "type" && into.tag === "type") {
      this.typeMap.set(from.id, into.id);
    } else {
      throw mergeError("world items do not have the same type");
    }
  }
}

function buildFunction(from: Function, into: Function): void {
  if (from.name !== into.name) {
    throw mergeError(`different function names \`${from.name}\` and \`${into.name}\``);
  }
  if (from.kind.tag !== into.kind.tag) throw mergeError("different function kind types");
  if (from.params.length !== into.params.length) {
    throw mergeError("different number of function parameters");
  }
  from.params.forEach((p, i) => {
    const q = into.params[i];
    if (p.name !== q.name) {
      throw mergeError(`different function parameter names: ${p.name} != ${q.name}`);
    }
    if (!sameKindOfType(p.type, q.type)) {
      throw mergeError(
        `different function parameter types for \`${p.name}\`: different kinds of types`,
      );
    }
  });
  if ((from.result === undefined) !== (into.result === undefined)) {
    throw mergeError("different number of function results");
  }
  if (from.result !== undefined && !sameKindOfType(from.result, into.result!)) {
    throw mergeError("different function result types: different kinds of types");
  }
}

function sameKindOfType(a: Type, b: Type): boolean {
  if (typeof a === "number" && typeof b === "number") return true;
  return a === b;
}

/**
 * Merges `from` into `into` (in place): packages already in `into` (by name) are unified,
 * everything else gets new ids. Returns where each item of `from` went. Throws a
 * {@link WitError} with code `merge` when a package in both disagrees.
 *
 * @example
 * ```ts
 * import { mergeResolve, parseWit } from "./mod.ts";
 * const a = parseWit("package a:a; interface i { type t = u32; }");
 * const b = parseWit("package b:b; interface j { f: func(); }");
 * const remap = mergeResolve(a.resolve, b.resolve);
 * console.assert(a.resolve.packages[remap.packages[b.package]].name.name === "b");
 * ```
 */
export function mergeResolve(into: Resolve, from: Resolve): MergeRemap {
  const map = new MergeMap(from, into);
  map.build();
  const remap = new Remap(undefined, { features: new Set(), allFeatures: true }, into);

  const movedTypes: TypeId[] = [];
  from.types.forEach((ty, id) => {
    const existing = map.typeMap.get(id);
    if (existing !== undefined) {
      into.types[existing].stability = mergeStability(
        undefined,
        ty.stability,
        into.types[existing].stability,
      );
      remap.types.push(existing);
      return;
    }
    movedTypes.push(id);
    into.types.push(remap.updateTypeDef(ty));
    remap.types.push(into.types.length - 1);
  });

  const movedInterfaces: InterfaceId[] = [];
  from.interfaces.forEach((iface, id) => {
    const existing = map.interfaceMap.get(id);
    if (existing !== undefined) {
      const target = into.interfaces[existing];
      target.stability = mergeStability(undefined, iface.stability, target.stability);
      for (const [name, t] of iface.types) {
        if (!target.types.has(name)) target.types.set(name, remap.mapType(t));
      }
      for (const [name, f] of iface.functions) {
        if (!target.functions.has(name)) target.functions.set(name, remap.updateFunction(f));
      }
      remap.interfaces.push(existing);
      return;
    }
    movedInterfaces.push(id);
    const types = new Map<string, TypeId>();
    for (const [name, t] of iface.types) types.set(name, remap.mapType(t));
    const functions = new Map<string, Function>();
    for (const [name, f] of iface.functions) functions.set(name, remap.updateFunction(f));
    const copy: Interface = { ...iface, types, functions };
    into.interfaces.push(copy);
    remap.interfaces.push(into.interfaces.length - 1);
  });

  const movedWorlds: WorldId[] = [];
  from.worlds.forEach((world, id) => {
    const existing = map.worldMap.get(id);
    if (existing !== undefined) {
      const target = into.worlds[existing];
      target.stability = mergeStability(undefined, world.stability, target.stability);
      for (const [a, b] of [[world.imports, target.imports], [world.exports, target.exports]]) {
        for (const [key, item] of a) {
          if (typeof key !== "number") continue;
          const t = b.get(map.mapKey(key));
          if (item.tag === "interface" && t?.tag === "interface") {
            t.stability = mergeStability(undefined, item.stability, t.stability);
          }
        }
      }
      remap.worlds.push(existing);
      return;
    }
    movedWorlds.push(id);
    const update = (items: Map<WorldKey, WorldItem>) => {
      const out = new Map<WorldKey, WorldItem>();
      for (const [key, item] of items) {
        const k = typeof key === "number" ? remap.mapInterface(key) : key;
        let it: WorldItem;
        if (item.tag === "function") {
          it = { tag: "function", func: remap.updateFunction(item.func) };
        } else if (item.tag === "interface") it = { ...item, id: remap.mapInterface(item.id) };
        else it = { tag: "type", id: remap.mapType(item.id) };
        out.set(k, it);
      }
      return out;
    };
    const copy: World = {
      ...world,
      imports: update(world.imports),
      exports: update(world.exports),
      includes: [],
    };
    into.worlds.push(copy);
    remap.worlds.push(into.worlds.length - 1);
  });

  const packages: PackageId[] = [];
  from.packages.forEach((pkg, id) => {
    const existing = map.packageMap.get(id);
    if (existing !== undefined) {
      packages.push(existing);
      return;
    }
    const interfaces = new Map<string, InterfaceId>();
    for (const [n, i] of pkg.interfaces) interfaces.set(n, remap.mapInterface(i));
    const worlds = new Map<string, WorldId>();
    for (const [n, w] of pkg.worlds) worlds.set(n, remap.mapWorld(w));
    into.packages.push({ ...pkg, interfaces, worlds });
    packages.push(into.packages.length - 1);
  });
  for (const [name, id] of from.packageNames) {
    if (!into.packageNames.has(name)) into.packageNames.set(name, packages[id]);
  }

  for (const id of movedWorlds) {
    const w = into.worlds[remap.mapWorld(id)];
    if (w.package !== undefined) w.package = packages[w.package];
  }
  for (const id of movedInterfaces) {
    const i = into.interfaces[remap.mapInterface(id)];
    if (i.package !== undefined) i.package = packages[i.package];
    if (i.cloneOf !== undefined) i.cloneOf = remap.mapInterface(i.cloneOf);
  }
  for (const id of movedTypes) {
    const t = into.types[remap.mapType(id)];
    const o = t.owner;
    if (o !== null && "interface" in o) t.owner = { interface: remap.mapInterface(o.interface) };
    else if (o !== null && "world" in o) t.owner = { world: remap.mapWorld(o.world) };
  }
  for (const [name, pkg, iface] of map.interfacesToAdd) {
    into.packages[pkg].interfaces.set(name, remap.mapInterface(iface));
  }
  for (const [name, pkg, world] of map.worldsToAdd) {
    into.packages[pkg].worlds.set(name, remap.mapWorld(world));
  }
  for (let w = 0; w < into.worlds.length; w++) elaborateWorld(undefined, into, w, -1, -1);

  return {
    types: remap.types as TypeId[],
    interfaces: remap.interfaces as InterfaceId[],
    worlds: remap.worlds as WorldId[],
    packages,
  };
}
