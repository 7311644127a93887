/**
 * World elaboration, as wit-parser does it: every interface an import or export needs (through
 * `use` of its types) is imported too, in dependency order; items are grouped as interfaces,
 * `use`d types, types, functions, resource functions. An export that would need one interface
 * both imported and exported is rejected.
 */
import { type SourceMap, WitError } from "./_error.ts";
import { sameOwner } from "./_clone.ts";
import type {
  InterfaceId,
  Resolve,
  Stability,
  TypeId,
  WorldId,
  WorldItem,
  WorldKey,
} from "./model.ts";
import { interfaceIdOf } from "./model.ts";

/** The interface a `use`d type comes from, when it is not the type's own owner. */
export function typeInterfaceDep(resolve: Resolve, id: TypeId): InterfaceId | undefined {
  const ty = resolve.types[id];
  if (ty.kind.tag !== "type" || typeof ty.kind.type !== "number") return undefined;
  const other = resolve.types[ty.kind.type];
  if (sameOwner(ty.owner, other.owner)) return undefined;
  return other.owner !== null && "interface" in other.owner ? other.owner.interface : undefined;
}

/** The interfaces `id` uses types from, in the order of its types (with repeats). */
export function interfaceDirectDeps(resolve: Resolve, id: InterfaceId): InterfaceId[] {
  const out: InterfaceId[] = [];
  for (const t of resolve.interfaces[id].types.values()) {
    const d = typeInterfaceDep(resolve, t);
    if (d !== undefined) out.push(d);
  }
  return out;
}

/** The name of a world key: the name, or the interface's `ns:pkg/iface@version`. */
export function nameWorldKey(resolve: Resolve, key: WorldKey): string {
  return typeof key === "string" ? key : interfaceIdOf(resolve, key) ?? `interface-${key}`;
}

function sortKey(resolve: Resolve, item: WorldItem): number {
  switch (item.tag) {
    case "interface":
      return 0;
    case "type": {
      const ty = resolve.types[item.id];
      if (ty.kind.tag === "type" && typeof ty.kind.type === "number") {
        if (!sameOwner(resolve.types[ty.kind.type].owner, ty.owner)) return 1;
      }
      return 2;
    }
    case "function":
      return "resource" in item.func.kind ? 4 : 3;
  }
}

function sortedEntries(resolve: Resolve, map: Map<WorldKey, WorldItem>): [WorldKey, WorldItem][] {
  const entries = [...map];
  const keys = entries.map(([, item]) => sortKey(resolve, item));
  const idx = entries.map((_, i) => i);
  idx.sort((a, b) => keys[a] - keys[b] || a - b);
  return idx.map((i) => entries[i]);
}

function interfaceItem(
  id: InterfaceId,
  stability: Stability,
  docs?: string,
  externalId?: string,
): WorldItem {
  const item: WorldItem = { tag: "interface", id, stability };
  if (docs !== undefined) item.docs = docs;
  if (externalId !== undefined) item.externalId = externalId;
  return item;
}

function elaborateImport(
  resolve: Resolve,
  imports: Map<WorldKey, WorldItem>,
  key: WorldKey,
  id: InterfaceId,
  stability: Stability,
  docs?: string,
  externalId?: string,
): void {
  if (imports.has(key)) return;
  for (const dep of interfaceDirectDeps(resolve, id)) {
    elaborateImport(resolve, imports, dep, dep, stability);
  }
  imports.set(key, interfaceItem(id, stability, docs, externalId));
}

/**
 * Elaborates world `worldId` in place. `span` (the world's name) locates the error for an
 * export with incompatible transitive dependencies.
 */
export function elaborateWorld(
  sm: SourceMap | undefined,
  resolve: Resolve,
  worldId: WorldId,
  start: number,
  end: number,
): void {
  const world = resolve.worlds[worldId];
  const imports = new Map<WorldKey, WorldItem>();
  for (const [name, item] of sortedEntries(resolve, world.imports)) {
    switch (item.tag) {
      case "interface":
        elaborateImport(
          resolve,
          imports,
          name,
          item.id,
          item.stability,
          item.docs,
          item.externalId,
        );
        break;
      case "function":
        imports.set(name, item);
        break;
      case "type": {
        const dep = typeInterfaceDep(resolve, item.id);
        if (dep !== undefined) {
          elaborateImport(resolve, imports, dep, dep, resolve.types[item.id].stability);
        }
        imports.set(name, item);
        break;
      }
    }
  }
  const exports = new Map<WorldKey, WorldItem>();
  const exportInterfaces = new Map<WorldKey, WorldItem & { tag: "interface" }>();
  for (const [name, item] of world.exports) {
    if (item.tag === "interface") exportInterfaces.set(name, item);
    else if (item.tag === "function") exports.set(name, item);
    else throw new Error("unreachable: type export");
  }

  const required = new Set<InterfaceId>();
  const add = (
    key: WorldKey,
    item: WorldItem & { tag: "interface" },
    addExport: boolean,
  ): boolean => {
    if (exports.has(key)) return addExport;
    const { id, stability, externalId } = item;
    if (!addExport && required.has(id)) return true;
    for (const dep of interfaceDirectDeps(resolve, id)) {
      const depItem = interfaceItem(dep, stability, undefined, externalId) as WorldItem & {
        tag: "interface";
      };
      if (!add(dep, depItem, addExport && exportInterfaces.has(dep))) return false;
    }
    if (addExport) {
      if (required.has(id)) return false;
      exports.set(key, item);
    } else {
      required.add(id);
      if (!imports.has(key)) imports.set(key, item);
    }
    return true;
  };
  for (const [key, item] of exportInterfaces) {
    const name = nameWorldKey(resolve, key);
    if (!add(key, item, true)) {
      const message =
        `interface \`${name}\` transitively depends on an interface in incompatible ways`;
      throw sm ? sm.error("invalid-transitive-dependency", message, start, end) : new WitError(
        "invalid-transitive-dependency",
        message,
      );
    }
  }
  world.imports = new Map(sortedEntries(resolve, imports));
  world.exports = exports;
}
