/**
 * The syntax tree of one WIT file, as the parser builds it: names with their spans (global
 * offsets, see `_error.ts`), doc comments as written, attributes unchecked. The resolver turns a
 * package's trees into an unresolved package.
 */
import type { PrimitiveType } from "./model.ts";

/** A name and where it is written (`%`-escapes removed). */
export interface Id {
  name: string;
  start: number;
  end: number;
}

/** The comments written before an item, raw; `start < 0` when there are none. */
export interface Docs {
  comments: string[];
  start: number;
  end: number;
}

/** A semver version as written, with its span. */
export interface VersionText {
  text: string;
  start: number;
  end: number;
}

/** `ns:name@version`. The span covers namespace to name (and the version when present). */
export interface PackageName {
  docs: Docs;
  start: number;
  end: number;
  namespace: Id;
  name: Id;
  version?: VersionText;
}

/** One file, or one `package a:b { … }` block. */
export interface PackageFile {
  packageId?: PackageName;
  items: AstItem[];
}

/** A top-level item. */
export type AstItem =
  | { kind: "interface"; value: Interface }
  | { kind: "world"; value: World }
  | { kind: "use"; value: ToplevelUse }
  | { kind: "package"; value: PackageFile };

/** `@since(version = …)`, `@unstable(feature = …)`, `@deprecated(version = …)`, `@external-id("…")`. */
export type Attribute =
  | { kind: "since"; start: number; end: number; version: string }
  | { kind: "unstable"; start: number; end: number; feature: string }
  | { kind: "deprecated"; start: number; end: number; version: string }
  | { kind: "external-id"; start: number; end: number; id: string };

/** `use ns:pkg/iface@1.0.0 as x;` at the top of a file. */
export interface ToplevelUse {
  start: number;
  end: number;
  attributes: Attribute[];
  item: UsePath;
  as?: Id;
}

/** `iface` or `ns:pkg/iface@version`. */
export type UsePath =
  | { kind: "id"; id: Id }
  | { kind: "package"; pkg: PackageName; name: Id };

/** The name a path ends with. */
export function usePathName(p: UsePath): Id {
  return p.kind === "id" ? p.id : p.name;
}

/** `interface name { … }`. */
export interface Interface {
  docs: Docs;
  attributes: Attribute[];
  name: Id;
  items: InterfaceItem[];
}

/** What an interface body holds. */
export type InterfaceItem = TypeDef | NamedFunc | Use;

/** `use path.{a, b as c};` inside an interface or world. */
export interface Use {
  kind: "use";
  attributes: Attribute[];
  from: UsePath;
  names: { name: Id; as?: Id }[];
}

/** `world name { … }`. */
export interface World {
  docs: Docs;
  attributes: Attribute[];
  name: Id;
  items: WorldItem[];
}

/** What a world body holds. */
export type WorldItem = ImportExport | Use | TypeDef | Include;

/** `import …;` or `export …;`. */
export interface ImportExport {
  kind: "import" | "export";
  docs: Docs;
  attributes: Attribute[];
  extern: ExternKind;
}

/** The four shapes of an import or export. */
export type ExternKind =
  | { kind: "interface"; name: Id; items: InterfaceItem[] }
  | { kind: "path"; path: UsePath }
  | { kind: "func"; name: Id; func: Func }
  | { kind: "named-path"; name: Id; path: UsePath };

/** The span wit-parser reports for an import or export. */
export function externSpan(e: ExternKind): Id {
  switch (e.kind) {
    case "interface":
    case "func":
    case "named-path":
      return e.name;
    case "path":
      return e.path.kind === "id" ? e.path.id : e.path.name;
  }
}

/** `include path with { a as b }`. */
export interface Include {
  kind: "include";
  from: UsePath;
  attributes: Attribute[];
  names: { name: Id; as: Id }[];
}

/** A named type definition (`type`, `record`, `resource`, …). */
export interface TypeDef {
  kind: "typedef";
  docs: Docs;
  attributes: Attribute[];
  name: Id;
  ty: AstType;
}

/** `name: func(…) -> …;`. */
export interface NamedFunc {
  kind: "func";
  docs: Docs;
  attributes: Attribute[];
  name: Id;
  func: Func;
}

/** A function signature; the span is the `func` (or `constructor`) keyword. */
export interface Func {
  start: number;
  end: number;
  async: boolean;
  params: [Id, AstType][];
  result?: AstType;
}

/** A resource's constructor, method or static function. */
export interface ResourceFunc {
  kind: "method" | "static" | "constructor";
  func: NamedFunc;
}

/** A type expression as written. `start`/`end` is the span wit-parser reports for it. */
export type AstType =
  & { start: number; end: number }
  & (
    | { k: "prim"; prim: PrimitiveType }
    | { k: "name"; id: Id }
    | { k: "list"; ty: AstType }
    | { k: "map"; key: AstType; value: AstType }
    | { k: "fixed-list"; ty: AstType; size: number }
    | { k: "handle"; handle: "own" | "borrow"; resource: Id }
    | { k: "resource"; funcs: ResourceFunc[] }
    | { k: "record"; fields: { docs: Docs; name: Id; ty: AstType }[] }
    | { k: "flags"; flags: { docs: Docs; name: Id }[] }
    | { k: "variant"; cases: { docs: Docs; name: Id; ty?: AstType }[] }
    | { k: "tuple"; types: AstType[] }
    | { k: "enum"; cases: { docs: Docs; name: Id }[] }
    | { k: "option"; ty: AstType }
    | { k: "result"; ok?: AstType; err?: AstType }
    | { k: "future"; ty?: AstType }
    | { k: "stream"; ty?: AstType }
  );
