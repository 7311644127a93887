/**
 * The syntax tree of a component binary: what each section says, with byte offsets, and the
 * index spaces the definitions build. Nothing here is type-checked; {@link ComponentAst} is the
 * input of the checker (`_check.ts`) and of tools that rewrite or link components.
 */
import type { PrimitiveType } from "../wit/mod.ts";

/** A byte range `[start, end)` in the decoded input. */
export interface Range {
  /** First byte. */
  start: number;
  /** One past the last byte. */
  end: number;
}

/** The sorts of the component model, core sorts prefixed with `core `. */
export type Sort =
  | "core func"
  | "core table"
  | "core memory"
  | "core global"
  | "core tag"
  | "core type"
  | "core module"
  | "core instance"
  | "func"
  | "value"
  | "type"
  | "component"
  | "instance";

/** The core sorts (as written inside core instances and core aliases). */
export type CoreSort =
  | "func"
  | "table"
  | "memory"
  | "global"
  | "tag"
  | "type"
  | "module"
  | "instance";

/** A sort and an index into that sort's index space. */
export interface SortIndex {
  /** The sort (index space). */
  sort: Sort;
  /** The index in that space. */
  index: number;
}

/** An import or export name with its attributes. */
export interface ExternName {
  /** The name as written. */
  name: string;
  /** 🏷️ `(implements "ns:pkg/iface")`. */
  implements?: string;
  /** 🔗 `(versionsuffix "…")`. */
  versionSuffix?: string;
  /** 🏷️ `(external-id "…")`. */
  externalId?: string;
  /** Offset of the name in the input. */
  offset: number;
}

/** The type part of an import or export: which sort and which type. */
export type ExternDesc =
  | { kind: "module"; type: number }
  | { kind: "func"; type: number }
  | { kind: "value"; bound: { eq: number } | { type: ValTypeRef } }
  | { kind: "type"; bound: { eq: number } | "sub-resource" }
  | { kind: "component"; type: number }
  | { kind: "instance"; type: number };

/** A component value type as written: a primitive or an index into the type index space. */
export type ValTypeRef = PrimitiveType | number;

/** A value type definition (`defvaltype`). */
export type DefinedTypeDef =
  | { tag: "primitive"; type: PrimitiveType }
  | { tag: "record"; fields: { name: string; type: ValTypeRef }[] }
  | { tag: "variant"; cases: { name: string; type?: ValTypeRef }[] }
  | { tag: "list"; element: ValTypeRef }
  | { tag: "fixed-length-list"; element: ValTypeRef; length: number }
  | { tag: "tuple"; types: ValTypeRef[] }
  | { tag: "flags"; names: string[] }
  | { tag: "enum"; names: string[] }
  | { tag: "option"; type: ValTypeRef }
  | { tag: "result"; ok?: ValTypeRef; err?: ValTypeRef }
  | { tag: "own"; type: number }
  | { tag: "borrow"; type: number }
  | { tag: "stream"; type?: ValTypeRef }
  | { tag: "future"; type?: ValTypeRef }
  | { tag: "map"; key: ValTypeRef; value: ValTypeRef };

/** A component function type. */
export interface FuncTypeDef {
  /** A function type. */
  tag: "func";
  /** Whether the function is `async` (0x43). */
  async: boolean;
  /** Named parameters. */
  params: { name: string; type: ValTypeRef }[];
  /** The result, if any. */
  result?: ValTypeRef;
}

/** A declaration inside an instance type. */
export type InstanceDecl =
  | { tag: "core-type"; type: CoreTypeDef; offset: number }
  | { tag: "type"; type: TypeDef; offset: number }
  | { tag: "alias"; alias: Alias; offset: number }
  | { tag: "export"; name: ExternName; desc: ExternDesc; offset: number };

/** A declaration inside a component type: an instance declaration or an import. */
export type ComponentDecl =
  | InstanceDecl
  | { tag: "import"; name: ExternName; desc: ExternDesc; offset: number };

/** An entry of a type section. */
export type TypeDef =
  | { tag: "defined"; def: DefinedTypeDef }
  | FuncTypeDef
  | { tag: "component"; decls: ComponentDecl[] }
  | { tag: "instance"; decls: InstanceDecl[] }
  | { tag: "resource"; rep: CoreValType; dtor?: number };

/** A core value type, spelled as in the text format (`i32`, `(ref null func)`…). */
export type CoreValType = string;

/** A core type: a (GC) recursion group summarised, or a core module type. */
export type CoreTypeDef =
  | { tag: "rec"; types: CoreSubType[] }
  | { tag: "module"; decls: ModuleDecl[] };

/** One type of a core recursion group; only function types keep their signature. */
export type CoreSubType =
  | { tag: "func"; params: CoreValType[]; results: CoreValType[] }
  | { tag: "struct" | "array" | "cont" };

/** A declaration inside a core module type. */
export type ModuleDecl =
  | { tag: "import"; module: string; name: string; desc: CoreExternDesc }
  | { tag: "type"; type: CoreTypeDef }
  | { tag: "alias"; count: number; index: number }
  | { tag: "export"; name: string; desc: CoreExternDesc };

/** The type of a core import or export. */
export type CoreExternDesc =
  | { kind: "func"; type: number }
  | { kind: "table"; element: CoreValType; limits: CoreLimits }
  | { kind: "memory"; limits: CoreLimits }
  | { kind: "global"; type: CoreValType; mutable: boolean }
  | { kind: "tag"; type: number };

/** The limits of a core table or memory. */
export interface CoreLimits {
  /** Minimum size (pages or elements). */
  min: number;
  /** Maximum size, if bounded. */
  max?: number;
  /** 64-bit index type. */
  is64: boolean;
  /** Shared between threads. */
  shared: boolean;
}

/** An alias definition. */
export interface Alias {
  /** The sort (index space). */
  sort: Sort;
  /** What the alias refers to: an export of a (core) instance, or an outer definition. */
  target:
    | { tag: "export"; instance: number; name: string }
    | { tag: "core-export"; instance: number; name: string }
    | { tag: "outer"; count: number; index: number };
}

/** A core instance definition. */
export type CoreInstanceDef =
  | { tag: "instantiate"; module: number; args: { name: string; instance: number }[] }
  | { tag: "exports"; exports: { name: string; sort: CoreSort; index: number }[] };

/** A component instance definition. */
export type InstanceDef =
  | { tag: "instantiate"; component: number; args: { name: string; item: SortIndex }[] }
  | { tag: "exports"; exports: { name: ExternName; item: SortIndex }[] };

/** A canonical option. */
export type CanonOption =
  | { tag: "string-encoding"; encoding: "utf8" | "utf16" | "latin1+utf16" }
  | { tag: "memory"; index: number }
  | { tag: "realloc"; index: number }
  | { tag: "post-return"; index: number }
  | { tag: "async" }
  | { tag: "callback"; index: number }
  | { tag: "core-type"; index: number }
  | { tag: "gc" };

/**
 * A canonical definition. `lift` makes a component function; every other built-in makes a core
 * function. The `name` is the built-in as the text format spells it (`resource.drop`,
 * `stream.read`, `task.return`…); `type` is a type index where the built-in takes one.
 */
export type CanonDef =
  | { tag: "lift"; coreFunc: number; options: CanonOption[]; type: number }
  | { tag: "lower"; func: number; options: CanonOption[] }
  | {
    tag: "builtin";
    name: string;
    type?: number;
    options?: CanonOption[];
    result?: ValTypeRef | null;
    async?: boolean;
    cancellable?: boolean;
    shared?: boolean;
    memory?: number;
    table?: number;
    coreType?: number;
    coreValType?: CoreValType;
    slot?: number;
  };

/** An import of the component. */
export interface Import {
  /** The name and its attributes. */
  name: ExternName;
  /** The type of what is imported. */
  desc: ExternDesc;
  /** Offset of the import or export in the input. */
  offset: number;
}

/** An export of the component; `desc` is the optional type ascription. */
export interface Export {
  /** The name and its attributes. */
  name: ExternName;
  /** What is exported. */
  item: SortIndex;
  /** The type ascribed to the export, if any. */
  desc?: ExternDesc;
  /** Offset of the import or export in the input. */
  offset: number;
}

/** A custom section: its name and where its payload is. */
export interface CustomSection {
  /** The name as written. */
  name: string;
  /** The payload (after the name), as a range of the input. */
  data: Range;
}

/** A section header: its id, a readable name and where its contents are. */
export interface SectionHeader {
  /** The section id. */
  id: number;
  /** The section's name (`type`, `canon`…). */
  kind: string;
  /** Offset of the section id byte. */
  offset: number;
  /** Range of the contents (after the size). */
  contents: Range;
}

/** A core module nested in a component (or the whole input), read only as far as its interface. */
export interface CoreModuleAst {
  /** Discriminant. */
  kind: "module";
  /** Where it is in the input (header included). */
  range: Range;
  /** Its sections, in order. */
  sections: SectionHeader[];
  /** Its imports. */
  imports: { module: string; name: string; desc: CoreExternDesc }[];
  /** Its exports. */
  exports: { name: string; kind: CoreExternDesc["kind"]; index: number }[];
  /** Counts of the core index spaces (imports included). */
  counts: {
    func: number;
    table: number;
    memory: number;
    global: number;
    tag: number;
    type: number;
  };
  /** The limits of the memories the module defines (not imports). */
  memories: CoreLimits[];
  /** Its custom sections. */
  customs: CustomSection[];
}

/**
 * One definition of a component, in binary order. Each adds one entry to the index space of its
 * sort (exports, imports, aliases, canon built-ins and instance definitions too), except custom
 * sections and `start` without results.
 */
export type Definition =
  | { tag: "core-module"; module: CoreModuleAst; offset: number }
  | { tag: "core-instance"; def: CoreInstanceDef; offset: number }
  | { tag: "core-type"; type: CoreTypeDef; offset: number }
  | { tag: "component"; component: ComponentAst; offset: number }
  | { tag: "instance"; def: InstanceDef; offset: number }
  | { tag: "alias"; alias: Alias; offset: number }
  | { tag: "type"; type: TypeDef; offset: number }
  | { tag: "canon"; canon: CanonDef; offset: number }
  | { tag: "start"; func: number; args: number[]; results: number; offset: number }
  | { tag: "import"; import: Import; offset: number }
  | { tag: "export"; export: Export; offset: number }
  | { tag: "value"; type: ValTypeRef; bytes: Range; offset: number };

/**
 * Where one entry of an index space comes from: the index of its {@link Definition} in
 * `definitions`, and for definitions that add several entries (none today) which one.
 */
export type IndexSpaces = Record<Sort, number[]>;

/** A component: its sections, its definitions in order, and its index spaces. */
export interface ComponentAst {
  /** Discriminant. */
  kind: "component";
  /** Where it is in the input (header included). */
  range: Range;
  /** Its sections, in order. */
  sections: SectionHeader[];
  /** Every definition, in binary order. */
  definitions: Definition[];
  /** For each sort, the index in `definitions` of each entry of its index space. */
  spaces: IndexSpaces;
  /** Its imports, in order. */
  imports: Import[];
  /** Its exports, in order. */
  exports: Export[];
  /** Its custom sections. */
  customs: CustomSection[];
  /** Nested components, in the order their sections appear. */
  components: ComponentAst[];
  /** Nested core modules, in the order their sections appear. */
  modules: CoreModuleAst[];
}
