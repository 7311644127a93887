/**
 * The semantic types of the component model, as the checker infers them: value types, resources,
 * functions, instances and components, with identity. Two uses of the same type definition are
 * the same object; `aliasOf` links a type to the one it was made from by an `(eq …)` import or
 * export, so a type keeps its name while still being the type it aliases.
 */
import type { PrimitiveType } from "../wit/mod.ts";
import type { ExternName } from "./_ast.ts";

/** The identity of one abstract resource type. Two resource types are equal iff their ids are. */
export interface ResourceId {
  /** A number unique among the resources of this process. */
  readonly uid: number;
}

/** A defined value type (record, list, own…), or a named alias of one. */
export interface DefType {
  /** Discriminant. */
  readonly tag: "defined";
  /** The structure. */
  readonly def: DefKind;
  /** The type this one is an alias of (`(export "t" (type (eq i)))`). */
  readonly aliasOf?: DefType;
}

/** A resource type, or a named alias of one. */
export interface ResType {
  /** Discriminant. */
  readonly tag: "resource";
  /** Its identity. */
  readonly resource: ResourceId;
  /** The resource type this one is an alias of. */
  readonly aliasOf?: ResType;
}

/** A value type: a primitive by name or a defined type. */
export type ValType = PrimitiveType | DefType;

/** The structure of a defined value type. */
export type DefKind =
  | { readonly k: "primitive"; readonly type: PrimitiveType }
  | { readonly k: "record"; readonly fields: readonly { name: string; type: ValType }[] }
  | { readonly k: "variant"; readonly cases: readonly { name: string; type?: ValType }[] }
  | { readonly k: "list"; readonly element: ValType; readonly length?: number }
  | { readonly k: "tuple"; readonly types: readonly ValType[] }
  | { readonly k: "flags"; readonly names: readonly string[] }
  | { readonly k: "enum"; readonly names: readonly string[] }
  | { readonly k: "option"; readonly type: ValType }
  | { readonly k: "result"; readonly ok?: ValType; readonly err?: ValType }
  | { readonly k: "own"; readonly resource: ResType }
  | { readonly k: "borrow"; readonly resource: ResType }
  | { readonly k: "future"; readonly type?: ValType }
  | { readonly k: "stream"; readonly type?: ValType }
  | { readonly k: "map"; readonly key: ValType; readonly value: ValType };

/** A component function type. */
export interface FuncType {
  /** Discriminant. */
  readonly tag: "func";
  /** Whether the function is async. */
  readonly async: boolean;
  /** Named parameters. */
  readonly params: readonly { name: string; type: ValType }[];
  /** The result, if any. */
  readonly result?: ValType;
}

/** An import or export of an instance or component type: its entity and name attributes. */
export interface Item {
  /** What the item provides. */
  readonly entity: Entity;
  /** Its name and attributes. */
  readonly name: ExternName;
}

/** An instance type: its exports, by name, in order. */
export interface InstanceType {
  /** Discriminant. */
  readonly tag: "instance";
  /** Exports by name, in order. */
  readonly exports: Map<string, Item>;
  /** Resources this (declared) instance type introduces; empty for concrete instances. */
  readonly definedResources: ResourceId[];
  /** Where each exported resource is found: a path of export positions. */
  readonly explicitResources: Map<ResourceId, number[]>;
}

/** A component type: imports and exports by name, and its resource variables. */
export interface ComponentType {
  /** Discriminant. */
  readonly tag: "component";
  /** Imports by name, in order. */
  readonly imports: Map<string, Item>;
  /** Exports by name, in order. */
  readonly exports: Map<string, Item>;
  /** Resources supplied by imports, with the path of import/export positions to find them. */
  readonly importedResources: Map<ResourceId, number[]>;
  /** Resources the component defines: fresh for every instantiation. */
  readonly definedResources: ResourceId[];
  /** Where each exported resource is found. */
  readonly explicitResources: Map<ResourceId, number[]>;
}

/** Any type of the type index space. */
export type AnyType = DefType | ResType | FuncType | InstanceType | ComponentType;

/** The kinds of core items. */
export type CoreKind = "func" | "table" | "memory" | "global" | "tag";

/** A core module type: its imports and the kinds of its exports. */
export interface ModuleType {
  /** Discriminant. */
  readonly tag: "module";
  /** Two-level imports and their kinds. */
  readonly imports: readonly { module: string; name: string; kind: CoreKind }[];
  /** Exports and their kinds. */
  readonly exports: Map<string, CoreKind>;
}

/** A core instance: the kinds of its exports. */
export interface CoreInstanceType {
  /** Discriminant. */
  readonly tag: "core-instance";
  /** Exports and their kinds. */
  readonly exports: Map<string, CoreKind>;
}

/** What an import, export, alias or instantiation argument provides. */
export type Entity =
  | { readonly kind: "module"; readonly type: ModuleType }
  | { readonly kind: "func"; readonly type: FuncType }
  | { readonly kind: "value"; readonly type: ValType }
  | { readonly kind: "type"; readonly referenced: AnyType; readonly created: AnyType }
  | { readonly kind: "instance"; readonly type: InstanceType }
  | { readonly kind: "component"; readonly type: ComponentType };

let nextResource = 1;

/** A fresh resource identity. */
export function freshResource(): ResourceId {
  return { uid: nextResource++ };
}

/** A new identity for `t` that is an alias of it (defined and resource types); others unchanged. */
export function withUnique(t: AnyType): AnyType {
  if (t.tag === "defined") return { tag: "defined", def: t.def, aliasOf: t };
  if (t.tag === "resource") return { tag: "resource", resource: t.resource, aliasOf: t };
  return t;
}

/** The original a type was aliased from (itself when it is no alias). */
export function peelAll<T extends DefType | ResType>(t: T): T {
  let cur = t;
  while (cur.aliasOf !== undefined) cur = cur.aliasOf as T;
  return cur;
}

/** A readable name of a type's kind, for messages. */
export function describeType(t: AnyType | undefined): string {
  if (t === undefined) return "nothing";
  switch (t.tag) {
    case "defined":
      return `a ${t.def.k} type`;
    case "resource":
      return "a resource type";
    case "func":
      return "a function type";
    case "instance":
      return "an instance type";
    case "component":
      return "a component type";
  }
}
