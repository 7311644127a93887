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

/** What a scope is: a component, a component type, or an instance type. */
export type ScopeKind = "component" | "component-type" | "instance-type";

/** The resources imported (or exported) by a plain name in one scope, for `[method]r.f` checks. */
export class ResourceNames {
  /** The name of each resource type (by identity, aliases being distinct). */
  readonly byType = new Map<AnyType, string>();
  /** Every resource name. */
  readonly names = new Set<string>();
  /** Records that resource type `t` is named `name`. */
  add(t: AnyType, name: string): void {
    this.byType.set(t, name);
    this.names.add(name);
  }
}

export const EMPTY_NAMES = new ResourceNames();

/**
 * The names of one scope's imports (or exports) by uniqueness key. The first is kept in fields and
 * a map made from the second on: most instance types export one name, and a map costs ~10×
 * the fields.
 */
export class UniqueNames {
  #firstKey?: string;
  #firstName?: string;
  #more?: Map<string, string>;
  /** Records `name` under `key`; returns the name recorded before under `key`, if any. */
  claim(key: string, name: string): string | undefined {
    if (this.#firstKey === undefined) {
      this.#firstKey = key;
      this.#firstName = name;
      return undefined;
    }
    if (key === this.#firstKey) return this.#firstName;
    const more = this.#more ??= new Map();
    const prev = more.get(key);
    if (prev === undefined) more.set(key, name);
    return prev;
  }
}

/**
 * The semantic index spaces of one component (or component/instance type) scope. Containers are
 * made on first use: most scopes are small instance types that need few of them.
 */
export class Scope {
  /** Size of the core function index space. */
  coreFuncs = 0;
  /** Size of the core table index space. */
  coreTables = 0;
  /** Size of the core memory index space. */
  coreMemories = 0;
  /** Size of the core global index space. */
  coreGlobals = 0;
  /** Size of the core tag index space. */
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
  #importKeys?: UniqueNames;
  #exportKeys?: UniqueNames;
  #importedResources?: Map<ResourceId, number[]>;
  #definedResources?: ResourceId[];
  #definedSet?: Set<ResourceId>;
  #localResources?: Set<ResourceId>;
  #importedTypes?: Set<AnyType>;
  #exportedTypes?: Set<AnyType>;
  #explicitResources?: Map<ResourceId, number[]>;
  #importNames?: ResourceNames;
  #exportNames?: ResourceNames;
  /** The type index space. */
  get types(): AnyType[] {
    return this.#types ??= [];
  }
  /** The core type index space. */
  get coreTypes(): CoreTypeEntry[] {
    return this.#coreTypes ??= [];
  }
  /** The function index space. */
  get funcs(): FuncType[] {
    return this.#funcs ??= [];
  }
  /** The value index space. */
  get values(): ValType[] {
    return this.#values ??= [];
  }
  /** The instance index space. */
  get instances(): InstanceType[] {
    return this.#instances ??= [];
  }
  /** The component index space. */
  get components(): ComponentType[] {
    return this.#components ??= [];
  }
  /** The core module index space. */
  get coreModules(): ModuleType[] {
    return this.#coreModules ??= [];
  }
  /** The core instance index space. */
  get coreInstances(): CoreInstanceType[] {
    return this.#coreInstances ??= [];
  }
  /** The imports so far, by name. */
  get imports(): Map<string, Item> {
    return this.#imports ??= new Map();
  }
  /** The exports so far, by name. */
  get exports(): Map<string, Item> {
    return this.#exports ??= new Map();
  }
  /** Import names by uniqueness key. */
  get importKeys(): UniqueNames {
    return this.#importKeys ??= new UniqueNames();
  }
  /** Export names by uniqueness key. */
  get exportKeys(): UniqueNames {
    return this.#exportKeys ??= new UniqueNames();
  }
  /** Resources supplied by imports, with their paths. */
  get importedResources(): Map<ResourceId, number[]> {
    return this.#importedResources ??= new Map();
  }
  /** Resources this scope defines (fresh per instantiation). */
  get definedResources(): ResourceId[] {
    return this.#definedResources ??= [];
  }
  /** The defined resources, as a set. */
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
  /** Where each exported resource is found. */
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
  /** A scope of `kind` inside `parent` (for outer aliases). */
  constructor(readonly kind: ScopeKind, readonly parent: Scope | undefined) {}

  /** Records a resource defined by this scope. */
  define(r: ResourceId): void {
    this.definedResources.push(r);
    this.definedSet.add(r);
  }
}
