/**
 * The shapes of an unresolved package: a package whose own names are resolved and whose
 * references to other packages are placeholders. Items keep the spans of their names so errors
 * found while appending to a resolve can point at the source.
 */
import type {
  FunctionKind,
  Param,
  Stability,
  Type,
  TypeDefKind,
  TypeId,
  TypeOwner,
  WitPackageName,
} from "./model.ts";

/** Where an item is named, as global offsets. */
export interface Span {
  start: number;
  end: number;
}

/** A function before resolution, with the span of its name. */
export interface UFunction {
  name: string;
  kind: FunctionKind;
  params: Param[];
  result?: Type;
  docs?: string;
  stability: Stability;
  externalId?: string;
  start: number;
  end: number;
}

/** A type before resolution (`kind` may be `unknown` for a type of another package). */
export interface UTypeDef {
  name?: string;
  kind: TypeDefKind;
  owner: TypeOwner;
  docs?: string;
  stability: Stability;
  externalId?: string;
  start: number;
  end: number;
}

/** An interface before resolution. */
export interface UInterface {
  name?: string;
  types: Map<string, TypeId>;
  functions: Map<string, UFunction>;
  docs?: string;
  stability: Stability;
  start: number;
  end: number;
}

/** A world import or export before resolution. */
export type UWorldItem =
  | {
    tag: "interface";
    id: number;
    stability: Stability;
    docs?: string;
    externalId?: string;
    start: number;
    end: number;
  }
  | { tag: "function"; func: UFunction }
  | { tag: "type"; id: TypeId; start: number; end: number };

/** `include` of a world, before resolution. */
export interface UInclude {
  stability: Stability;
  id: number;
  names: { name: string; as: string }[];
  start: number;
  end: number;
}

/** A world before resolution. */
export interface UWorld {
  name: string;
  imports: Map<string | number, UWorldItem>;
  exports: Map<string | number, UWorldItem>;
  docs?: string;
  stability: Stability;
  includes: UInclude[];
  start: number;
  end: number;
}

/** A reference from a package to an interface or world of another package. */
export interface ForeignItem {
  kind: "interface" | "world";
  id: number;
  /** The stability of every `use`/`import`/`include` that names it. */
  stabilities: Stability[];
}

/** All references of a package to one other package. */
export interface ForeignDep {
  name: WitPackageName;
  /** Where the package is first named. */
  start: number;
  end: number;
  items: Map<string, ForeignItem>;
}

/** A package with its own names resolved and its references to other packages pending. */
export interface UnresolvedPackage {
  name: WitPackageName;
  /** `ns:name@version`. */
  key: string;
  nameStart: number;
  nameEnd: number;
  docs?: string;
  worlds: UWorld[];
  interfaces: UInterface[];
  types: UTypeDef[];
  foreignDeps: Map<string, ForeignDep>;
  /** Types that must turn out to be resources once the foreign types are known. */
  requiredResourceTypes: { id: TypeId; start: number; end: number }[];
}
