/**
 * The semantic index spaces of one scope (a component, a component type or an instance type) and
 * the bookkeeping of its imports, exports and resources.
 */
import type { CoreSubType } from "./_ast.ts";
import type {
  AnyType,
  ComponentType,
  CoreInstanceType,
  FuncType,
  InstanceType,
  Item,
  ModuleType,
  ResourceId,
  ValType,
} from "./_types.ts";

/** A core type of the core type index space: a subtype of a recursion group, or a module type. */
export type CoreTypeEntry = CoreSubType | ModuleType;

export type ScopeKind = "component" | "component-type" | "instance-type";

/** The resources imported (or exported) by a plain name in one scope, for `[method]r.f` checks. */
export class ResourceNames {
  readonly byType = new Map<AnyType, string>();
  readonly names = new Set<string>();
  add(t: AnyType, name: string): void {
    this.byType.set(t, name);
    this.names.add(name);
  }
}

export const EMPTY_NAMES = new ResourceNames();

/**
 * The semantic index spaces of one component (or component/instance type) scope. Containers are
 * made on first use: most scopes are small instance types that need few of them.
 */
export class Scope {
  coreFuncs = 0;
  coreTables = 0;
  coreMemories = 0;
  coreGlobals = 0;
  coreTags = 0;
  #types?: AnyType[];
  #coreTypes?: CoreTypeEntry[];
  #funcs?: FuncType[];
  #values?: ValType[];
  #instances?: InstanceType[];
  #components?: ComponentType[];
  #coreModules?: ModuleType[];
  #coreInstances?: CoreInstanceType[];
  #imports?: Map<string, Item>;
  #exports?: Map<string, Item>;
  #importKeys?: Map<string, string>;
  #exportKeys?: Map<string, string>;
  #importedResources?: Map<ResourceId, number[]>;
  #definedResources?: ResourceId[];
  #definedSet?: Set<ResourceId>;
  #localResources?: Set<ResourceId>;
  #importedTypes?: Set<AnyType>;
  #exportedTypes?: Set<AnyType>;
  #explicitResources?: Map<ResourceId, number[]>;
  #importNames?: ResourceNames;
  #exportNames?: ResourceNames;
  get types(): AnyType[] {
    return this.#types ??= [];
  }
  get coreTypes(): CoreTypeEntry[] {
    return this.#coreTypes ??= [];
  }
  get funcs(): FuncType[] {
    return this.#funcs ??= [];
  }
  get values(): ValType[] {
    return this.#values ??= [];
  }
  get instances(): InstanceType[] {
    return this.#instances ??= [];
  }
  get components(): ComponentType[] {
    return this.#components ??= [];
  }
  get coreModules(): ModuleType[] {
    return this.#coreModules ??= [];
  }
  get coreInstances(): CoreInstanceType[] {
    return this.#coreInstances ??= [];
  }
  get imports(): Map<string, Item> {
    return this.#imports ??= new Map();
  }
  get exports(): Map<string, Item> {
    return this.#exports ??= new Map();
  }
  get importKeys(): Map<string, string> {
    return this.#importKeys ??= new Map();
  }
  get exportKeys(): Map<string, string> {
    return this.#exportKeys ??= new Map();
  }
  get importedResources(): Map<ResourceId, number[]> {
    return this.#importedResources ??= new Map();
  }
  get definedResources(): ResourceId[] {
    return this.#definedResources ??= [];
  }
  get definedSet(): Set<ResourceId> {
    return this.#definedSet ??= new Set();
  }
  /** Resources defined here by a resource type definition (which `resource.new`/`rep` need). */
  get localResources(): Set<ResourceId> {
    return this.#localResources ??= new Set();
  }
  /** Types imported by name: what imports may refer to. */
  get importedTypes(): Set<AnyType> {
    return this.#importedTypes ??= new Set();
  }
  /** Types imported or exported by name: what exports may refer to. */
  get exportedTypes(): Set<AnyType> {
    return this.#exportedTypes ??= new Set();
  }
  get explicitResources(): Map<ResourceId, number[]> {
    return this.#explicitResources ??= new Map();
  }
  /** Resources imported by a plain name in this scope, for `[method]r.f` checks. */
  get importNames(): ResourceNames {
    return this.#importNames ??= new ResourceNames();
  }
  /** Resources exported by a plain name in this scope. */
  get exportNames(): ResourceNames {
    return this.#exportNames ??= new ResourceNames();
  }
  constructor(readonly kind: ScopeKind, readonly parent: Scope | undefined) {}

  define(r: ResourceId): void {
    this.definedResources.push(r);
    this.definedSet.add(r);
  }
}
