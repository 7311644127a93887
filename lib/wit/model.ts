/**
 * The one model of WIT in wreg: an arena of packages, interfaces, worlds and types, each addressed
 * by a numeric id (its index in the arena), in declaration order, with a back-link to its owner.
 *
 * WIT text (lib/wit's resolver) and component binaries (lib/component's decoder) both produce a
 * {@link Resolve}; the compatibility checker, the composer, the printer and the JSON writer read
 * it. The shape follows wasm-tools' `wit-parser` `Resolve` so that its JSON form
 * (`.wit.json` files of the wit-parser test suite) can be written directly from it.
 *
 * Conventions:
 * - Maps (`Map`) keep insertion order, which is declaration order.
 * - Ids are plain numbers; the arena they index is given by the field name.
 * - Anonymous types (`list<u8>` written inline) are entries of `types` with no name and owner
 *   `null`; named types have a name and an owner.
 * - Nothing here does I/O; everything is plain data that `structuredClone` can copy.
 *
 * @module
 */

/** Index into {@link Resolve.types}. */
export type TypeId = number;
/** Index into {@link Resolve.interfaces}. */
export type InterfaceId = number;
/** Index into {@link Resolve.worlds}. */
export type WorldId = number;
/** Index into {@link Resolve.packages}. */
export type PackageId = number;

/** The primitive value types of WIT, spelled as in WIT. */
export type PrimitiveType =
  | "bool"
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "f32"
  | "f64"
  | "char"
  | "string"
  | "error-context";

/** All primitive type names, in WIT order. */
export const PRIMITIVE_TYPES: readonly PrimitiveType[] = [
  "bool",
  "u8",
  "u16",
  "u32",
  "u64",
  "s8",
  "s16",
  "s32",
  "s64",
  "f32",
  "f64",
  "char",
  "string",
  "error-context",
];

/** A reference to a type: a primitive by name, or a {@link TypeDef} by id. */
export type Type = PrimitiveType | TypeId;

/** Whether a {@link Type} is a primitive (as opposed to a type id). */
export function isPrimitive(t: Type): t is PrimitiveType {
  return typeof t === "string";
}

/**
 * Feature-gate status of an item: `@since(version = …)`, `@unstable(feature = …)`, optionally with
 * `@deprecated(version = …)`; `unknown` when no gate is written.
 */
export type Stability =
  | { readonly kind: "unknown" }
  | { readonly kind: "stable"; readonly since: string; readonly deprecated?: string }
  | { readonly kind: "unstable"; readonly feature: string; readonly deprecated?: string };

/** The stability of an ungated item. */
export const UNKNOWN_STABILITY: Stability = Object.freeze({ kind: "unknown" });

/** A record field. */
export interface Field {
  name: string;
  type: Type;
  docs?: string;
}

/** A flag of a `flags` type. */
export interface Flag {
  name: string;
  docs?: string;
}

/** A case of a `variant`; `type` is absent for a case without payload. */
export interface Case {
  name: string;
  type?: Type;
  docs?: string;
}

/** A case of an `enum`. */
export interface EnumCase {
  name: string;
  docs?: string;
}

/** What a {@link TypeDef} is. `type` is an alias (`type a = b;`) or a `use`d type. */
export type TypeDefKind =
  | { tag: "record"; fields: Field[] }
  | { tag: "resource" }
  | { tag: "handle"; handle: "own" | "borrow"; resource: TypeId }
  | { tag: "flags"; flags: Flag[] }
  | { tag: "tuple"; types: Type[] }
  | { tag: "variant"; cases: Case[] }
  | { tag: "enum"; cases: EnumCase[] }
  | { tag: "option"; type: Type }
  | { tag: "result"; ok?: Type; err?: Type }
  | { tag: "list"; element: Type }
  | { tag: "map"; key: Type; value: Type }
  | { tag: "fixed-length-list"; element: Type; length: number }
  | { tag: "future"; type?: Type }
  | { tag: "stream"; type?: Type }
  | { tag: "type"; type: Type }
  | { tag: "unknown" };

/** Who declares a type: a world, an interface, or nobody (anonymous types). */
export type TypeOwner = { world: WorldId } | { interface: InterfaceId } | null;

/** A type definition: named (declared in an interface or world) or anonymous. */
export interface TypeDef {
  name?: string;
  kind: TypeDefKind;
  owner: TypeOwner;
  docs?: string;
  stability: Stability;
  /** `@external-id("…")` written on the type (wit-parser's `external_id`). */
  externalId?: string;
}

/**
 * The kind of a function. Resource functions carry the resource's type id. Names follow the
 * component model: `[constructor]r`, `[method]r.f`, `[static]r.f`, `[async]f`, `[async method]r.f`,
 * `[async static]r.f`.
 */
export type FunctionKind =
  | { tag: "freestanding" }
  | { tag: "async-freestanding" }
  | { tag: "method"; resource: TypeId }
  | { tag: "async-method"; resource: TypeId }
  | { tag: "static"; resource: TypeId }
  | { tag: "async-static"; resource: TypeId }
  | { tag: "constructor"; resource: TypeId };

/** A named function parameter. */
export interface Param {
  name: string;
  type: Type;
}

/** A function of an interface or world. `name` is the component-level name (`[method]r.f`). */
export interface Function {
  name: string;
  kind: FunctionKind;
  params: Param[];
  result?: Type;
  docs?: string;
  stability: Stability;
  /** `@external-id("…")` written on the function (wit-parser's `external_id`). */
  externalId?: string;
}

/** An interface: named (in a package) or anonymous (inline in a world: `import x: interface {…}`). */
export interface Interface {
  name?: string;
  types: Map<string, TypeId>;
  functions: Map<string, Function>;
  docs?: string;
  stability: Stability;
  package?: PackageId;
  /**
   * The interface this one is a copy of: set when a world `include` copies an inline interface
   * (wit-parser's `clone_of`).
   */
  cloneOf?: InterfaceId;
}

/**
 * The key of a world import or export: a plain name (`run`, an inline interface, a function, a
 * type) or the id of a package interface (`import wasi:io/streams;`).
 */
export type WorldKey = string | InterfaceId;

/** What a world imports or exports. */
export type WorldItem =
  | {
    tag: "interface";
    id: InterfaceId;
    stability: Stability;
    /** Docs written on the `import`/`export` statement itself. */
    docs?: string;
    /** `@external-id("…")` written on the statement. */
    externalId?: string;
  }
  | { tag: "function"; func: Function }
  | { tag: "type"; id: TypeId };

/** A world `include` before elaboration; kept so a printer can show what the source said. */
export interface WorldInclude {
  world: WorldId;
  stability: Stability;
  /** `with { a as b }` renames. */
  names: { name: string; as: string }[];
}

/** A world: what a component imports and exports. Includes are already merged in. */
export interface World {
  name: string;
  imports: Map<WorldKey, WorldItem>;
  exports: Map<WorldKey, WorldItem>;
  package?: PackageId;
  docs?: string;
  stability: Stability;
  /**
   * `include`s not yet merged in. Empty in a resolved world (wit-parser empties it too): the
   * included items are already among `imports` and `exports`.
   */
  includes: WorldInclude[];
}

/** A package name as WIT writes it: `namespace:name@version`, version optional. */
export interface WitPackageName {
  namespace: string;
  name: string;
  version?: string;
}

/** A package: its interfaces and worlds by name. */
export interface Package {
  name: WitPackageName;
  docs?: string;
  interfaces: Map<string, InterfaceId>;
  worlds: Map<string, WorldId>;
}

/**
 * The arena: every package, interface, world and type, plus an index of packages by their
 * formatted name (`ns:name@version`). Packages appear after the packages they depend on.
 */
export interface Resolve {
  packages: Package[];
  interfaces: Interface[];
  worlds: World[];
  types: TypeDef[];
  packageNames: Map<string, PackageId>;
}

/** A new empty arena. */
export function emptyResolve(): Resolve {
  return { packages: [], interfaces: [], worlds: [], types: [], packageNames: new Map() };
}

/** `ns:name` or `ns:name@version`. */
export function formatWitPackageName(n: WitPackageName): string {
  return n.version === undefined
    ? `${n.namespace}:${n.name}`
    : `${n.namespace}:${n.name}@${n.version}`;
}

/**
 * The component-model name of an interface: `ns:pkg/iface@version` for a named interface of a
 * package, `undefined` for an anonymous one.
 */
export function interfaceIdOf(resolve: Resolve, id: InterfaceId): string | undefined {
  const iface = resolve.interfaces[id];
  if (iface.name === undefined || iface.package === undefined) return undefined;
  const pkg = resolve.packages[iface.package].name;
  const base = `${pkg.namespace}:${pkg.name}/${iface.name}`;
  return pkg.version === undefined ? base : `${base}@${pkg.version}`;
}

/**
 * The extern name of a world import or export as a component writes it: the interface id for an
 * interface key, the plain name otherwise.
 */
export function worldKeyName(resolve: Resolve, key: WorldKey): string {
  return typeof key === "number" ? interfaceIdOf(resolve, key) ?? `interface-${key}` : key;
}

/** Follows `type` aliases to the definition they name (stops at a primitive or non-alias). */
export function dealias(resolve: Resolve, t: Type): Type {
  let cur = t;
  for (let i = 0; i <= resolve.types.length; i++) {
    if (isPrimitive(cur)) return cur;
    const def = resolve.types[cur];
    if (def.kind.tag !== "type") return cur;
    cur = def.kind.type;
  }
  return cur;
}
