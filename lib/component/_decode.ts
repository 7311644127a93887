/**
 * The decoder's entry points: tell a component, a WIT package binary and a core module apart, and
 * decode any of them (with limits) into the syntax tree, the checked types and the WIT model.
 */
import type { PackageId, Resolve, WorldId } from "../wit/mod.ts";
import type { ComponentAst, CoreModuleAst, Sort } from "./_ast.ts";
import { Budget } from "./_budget.ts";
import { checkComponent, type CheckedComponent } from "./_check.ts";
import { ComponentDecodeError } from "./_error.ts";
import { parseExternName } from "./_extern_name.ts";
import { type DecodeLimits, resolveLimits, typeWorkFor } from "./_limits.ts";
import { type Metadata, readMetadata } from "./_metadata.ts";
import { decodePackageDocs, PACKAGE_DOCS_SECTION, type PackageDocs } from "./_package_docs.ts";
import { parseComponentAt } from "./_parse_component.ts";
import { readCoreModule } from "./_parse_module.ts";
import { readPreamble } from "./_preamble.ts";
import { Reader } from "./_reader.ts";
import { type Extern, WitDecoder } from "./_to_wit.ts";
import type { ComponentType, Entity } from "./_types.ts";

/** What a `.wasm` file is. */
export type WasmKind = "component" | "wit-package" | "module";

/** The kind of item an import or export provides. */
export type ExternKind =
  | "func"
  | "value"
  | "type"
  | "component"
  | "instance"
  | "module"
  | CoreExternKind;

/** Kinds of core module imports and exports. */
export type CoreExternKind =
  | "core func"
  | "core table"
  | "core memory"
  | "core global"
  | "core tag";

/** One top-level import or export. */
export interface ExternSummary {
  /**
   * The extern name (`wasi:http/types@0.2.0`, `run`); for core modules `module::name` for
   * imports and the plain name for exports.
   */
  name: string;
  /** What the import or export provides. */
  kind: ExternKind;
  /** For interface names: the package (`wasi:http@0.2.0`) and interface (`types`). */
  interface?: { package: string; name: string; version?: string };
  /** 🏷️ The interface an instance `implements`, when given. */
  implements?: string;
}

/** Options of {@link decodeComponent}. */
export interface DecodeOptions {
  /** Limits for untrusted input; missing fields take {@link DEFAULT_LIMITS}. */
  limits?: Partial<DecodeLimits>;
  /**
   * Build the WIT model (default `true`). With `false`, `resolve` stays empty and components
   * that are valid but have no WIT world (they export types or modules) decode too.
   */
  wit?: boolean;
  /**
   * Read the metadata custom sections (default `true`). With `false`, `metadata` is empty: for
   * callers that need only the types (composition).
   */
  metadata?: boolean;
  /**
   * Summarize the top-level imports and exports (default `true`). With `false`, `imports` and
   * `exports` are empty: for callers that read the checked types instead (composition).
   */
  summaries?: boolean;
}

/** A decoded `.wasm`: what it is, its interface, its metadata and (for components) its WIT. */
export interface DecodedWasm {
  /** What the bytes are. */
  kind: WasmKind;
  /** Size of the input in bytes. */
  size: number;
  /** Top-level imports, in binary order. */
  imports: ExternSummary[];
  /** Top-level exports, in binary order. */
  exports: ExternSummary[];
  /** The custom-section metadata of the top level. */
  metadata: Metadata;
  /**
   * The WIT model: for a component, its world `root` in package `root:component` plus the
   * packages of the interfaces it uses; for a WIT package, the package and its dependencies;
   * empty for a core module.
   */
  resolve: Resolve;
  /** The component's world (kind `component`). */
  world?: WorldId;
  /**
   * The main package: the WIT package itself (kind `wit-package`) or the synthesized
   * `root:component` (kind `component`).
   */
  package?: PackageId;
  /** The syntax tree (a component, or a core module). */
  ast: ComponentAst | CoreModuleAst;
  /** The checked types and semantic index spaces (components and WIT packages). */
  checked?: CheckedComponent;
}

function checkSize(bytes: Uint8Array, limits: DecodeLimits): void {
  if (bytes.length > limits.maxInputBytes) {
    throw new ComponentDecodeError(
      "limit-exceeded",
      `input of ${bytes.length} bytes exceeds the limit of ${limits.maxInputBytes}`,
      0,
    );
  }
}

/**
 * Tells what the bytes are from their header and, for components, from the shape of their
 * top level. Throws {@link ComponentDecodeError} (`not-wasm`, `unknown-version`, or a parse
 * error of the component's sections).
 */
export function detectKind(bytes: Uint8Array, options: DecodeOptions = {}): WasmKind {
  const limits = resolveLimits(options.limits);
  checkSize(bytes, limits);
  if (readPreamble(bytes) === "module") return "module";
  const ast = parseComponentAt(bytes, limits, 0, bytes.length, 0);
  const syntactic = witPackageShape(ast);
  if (syntactic !== "unknown") return syntactic ? "wit-package" : "component";
  const checked = checkComponent(ast, new Budget(typeWorkFor(limits, bytes.length)));
  return witEncoding(externsOf(ast, checked.type)) === undefined ? "component" : "wit-package";
}

/** Whether the top level looks like a WIT package without type-checking (`unknown` if unsure). */
function witPackageShape(ast: ComponentAst): boolean | "unknown" {
  if (ast.imports.length > 0 || ast.exports.length === 0) return false;
  for (const e of ast.exports) {
    if (e.item.sort !== "type" || e.desc !== undefined) return false;
    const defIndex = ast.spaces.type[e.item.index];
    if (defIndex === undefined) return "unknown";
    const def = ast.definitions[defIndex];
    if (def.tag !== "type") return "unknown";
    if (def.type.tag !== "component") return false;
  }
  const first = parseExternName(ast.exports[0].name.name);
  if (!first.ok) return false;
  if (first.name.kind === "label") return true;
  return first.name.kind === "interface" && first.name.interface === "wit";
}

/** The top-level imports and exports in binary order, with their checked types. */
function externsOf(ast: ComponentAst, type: ComponentType): Extern[] {
  const out: Extern[] = [];
  for (const d of ast.definitions) {
    if (d.tag === "import") {
      const item = type.imports.get(d.import.name.name);
      if (item) out.push({ kind: "import", name: d.import.name.name, item, offset: d.offset });
    } else if (d.tag === "export") {
      const item = type.exports.get(d.export.name.name);
      if (item) out.push({ kind: "export", name: d.export.name.name, item, offset: d.offset });
    }
  }
  return out;
}

/** wit-parser's test: only exports, each a component type; `v1` names end in `/wit`. */
function witEncoding(externs: Extern[]): "v1" | "v2" | undefined {
  if (externs.length === 0) return undefined;
  for (const e of externs) {
    if (e.kind !== "export") return undefined;
    const ent = e.item.entity;
    if (ent.kind !== "type" || ent.created.tag !== "component") return undefined;
  }
  const p = parseExternName(externs[0].name, true);
  if (!p.ok) return undefined;
  if (p.name.kind === "interface" && p.name.interface === "wit") return "v1";
  if (p.name.kind === "label") return "v2";
  return undefined;
}

const KIND_OF_ENTITY: Record<Entity["kind"], ExternKind> = {
  module: "module",
  func: "func",
  value: "value",
  type: "type",
  instance: "instance",
  component: "component",
};

function summarize(e: Extern): ExternSummary {
  const out: ExternSummary = { name: e.name, kind: KIND_OF_ENTITY[e.item.entity.kind] };
  const p = parseExternName(e.name, true);
  if (p.ok && p.name.kind === "interface") {
    const n = p.name;
    const version = n.version === undefined
      ? undefined
      : e.item.name.versionSuffix === undefined
      ? n.version
      : n.version + e.item.name.versionSuffix;
    const pkg = `${n.namespace}:${n.package}${version === undefined ? "" : `@${version}`}`;
    out.interface = version === undefined
      ? { package: pkg, name: n.interface }
      : { package: pkg, name: n.interface, version };
  }
  if (e.item.name.implements !== undefined) out.implements = e.item.name.implements;
  return out;
}

/**
 * Decodes a component, a WIT package binary or a core module. Components and WIT packages are
 * parsed, type-checked and converted to the WIT model; core modules are read only as far as
 * their imports, exports and custom sections.
 *
 * Throws {@link ComponentDecodeError} for anything truncated, malformed, invalid, over a limit,
 * or (code `not-representable`) valid but not expressible in WIT.
 */
export function decodeComponent(bytes: Uint8Array, options: DecodeOptions = {}): DecodedWasm {
  const limits = resolveLimits(options.limits);
  checkSize(bytes, limits);
  const layer = readPreamble(bytes);
  if (layer === "module") {
    const r = new Reader(bytes, limits, 8, bytes.length);
    const ast = readCoreModule(r, 0);
    return {
      kind: "module",
      size: bytes.length,
      imports: ast.imports.map((i) => ({
        name: `${i.module}::${i.name}`,
        kind: `core ${i.desc.kind}` as ExternKind,
      })),
      exports: ast.exports.map((e) => ({ name: e.name, kind: `core ${e.kind}` as ExternKind })),
      metadata: options.metadata === false ? {} : readMetadata(bytes, ast.customs, "module"),
      resolve: emptyModel(),
      ast,
    };
  }
  const ast = parseComponentAt(bytes, limits, 0, bytes.length, 0);
  const checked = checkComponent(ast, new Budget(typeWorkFor(limits, bytes.length)));
  const externs = externsOf(ast, checked.type);
  const metadata = options.metadata === false ? {} : readMetadata(bytes, ast.customs, "component");
  const docs = packageDocsOf(bytes, ast);
  const encoding = witEncoding(externs);
  const base = {
    size: bytes.length,
    imports: options.summaries === false
      ? []
      : externs.filter((e) => e.kind === "import").map(summarize),
    exports: options.summaries === false
      ? []
      : externs.filter((e) => e.kind === "export").map(summarize),
    metadata,
    ast,
    checked,
  };
  if (options.wit === false) {
    return {
      ...base,
      kind: encoding === undefined ? "component" : "wit-package",
      resolve: emptyModel(),
    };
  }
  try {
    const decoder = new WitDecoder();
    if (encoding !== undefined) {
      const pkg = encoding === "v1"
        ? decoder.decodePackageV1(externs, docs)
        : decoder.decodePackageV2(externs, docs);
      return { ...base, kind: "wit-package", resolve: decoder.resolve, package: pkg };
    }
    const { world, package: pkg } = decoder.decodeComponent(externs);
    return { ...base, kind: "component", resolve: decoder.resolve, world, package: pkg };
  } catch (e) {
    // Errors about the component as a whole have no better offset than its start.
    if (e instanceof ComponentDecodeError && e.offset < 0) {
      throw new ComponentDecodeError(e.code, e.reason, 0);
    }
    throw e;
  }
}

function emptyModel(): Resolve {
  return { packages: [], interfaces: [], worlds: [], types: [], packageNames: new Map() };
}

function packageDocsOf(bytes: Uint8Array, ast: ComponentAst): PackageDocs | undefined {
  const found = ast.customs.filter((c) => c.name === PACKAGE_DOCS_SECTION);
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    throw new ComponentDecodeError(
      "invalid-component",
      `multiple "${PACKAGE_DOCS_SECTION}" sections`,
      found[1].data.start,
    );
  }
  const c = found[0];
  return decodePackageDocs(bytes.subarray(c.data.start, c.data.end), c.data.start);
}

export type { Sort };

/**
 * Parses and type-checks a component (or core module) without building the WIT model: throws
 * {@link ComponentDecodeError} if the bytes are malformed or invalid. Accepts components that are
 * valid but have no WIT world (type or module exports), unlike {@link decodeComponent}.
 */
export function validateComponent(bytes: Uint8Array, options: DecodeOptions = {}): WasmKind {
  const limits = resolveLimits(options.limits);
  checkSize(bytes, limits);
  if (readPreamble(bytes) === "module") {
    readCoreModule(new Reader(bytes, limits, 8, bytes.length), 0);
    return "module";
  }
  const ast = parseComponentAt(bytes, limits, 0, bytes.length, 0);
  const checked = checkComponent(ast, new Budget(typeWorkFor(limits, bytes.length)));
  return witEncoding(externsOf(ast, checked.type)) === undefined ? "component" : "wit-package";
}

/**
 * {@link validateComponent} for a component that nests components already checked, such as a
 * composition of decoded components: `nested` maps the offset in `bytes` where a nested
 * component of the top level starts (the contents of its component section) to what
 * {@link decodeComponent} (or {@link checkComponent}) found for those same bytes. Those nested
 * components are not parsed or checked again; everything else is, as {@link validateComponent}
 * does: the outer component's own definitions, and every instantiation of a nested component
 * (its arguments against its checked type, resources carried through by identity, so two
 * instances' resources are still told apart). Their type-checking work still counts against
 * `maxTypeWork`, and their nesting against `maxNestingDepth`.
 *
 * The caller vouches that the bytes at each offset are the bytes that were checked; a nested
 * section whose size differs from the checked component's is parsed and checked as usual.
 */
export function validateOuterComponent(
  bytes: Uint8Array,
  nested: ReadonlyMap<number, CheckedComponent>,
  options: DecodeOptions = {},
): WasmKind {
  const limits = resolveLimits(options.limits);
  checkSize(bytes, limits);
  if (readPreamble(bytes) === "module") return validateComponent(bytes, options);
  const asts = new Map<number, ComponentAst>();
  const known = new Map<ComponentAst, CheckedComponent>();
  for (const [offset, c] of nested) {
    asts.set(offset, c.ast);
    known.set(c.ast, c);
  }
  const ast = parseComponentAt(bytes, limits, 0, bytes.length, 0, asts);
  const checked = checkComponent(ast, new Budget(typeWorkFor(limits, bytes.length)), known);
  return witEncoding(externsOf(ast, checked.type)) === undefined ? "component" : "wit-package";
}
