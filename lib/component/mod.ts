/**
 * The component binary format in TypeScript.
 *
 * **Decoding.** {@link decodeComponent} reads a component, a WIT package encoded as a binary, or
 * a core module (what it is comes back as `kind`, also given alone by {@link detectKind}); it
 * parses every section (core module bodies only as far as their interfaces), type-checks the
 * component the way wasmparser does (resources and named types carried through instantiation of
 * nested components), and converts its type to wreg's WIT model: the component's world `root` in
 * package `root:component` with the interfaces it uses in their own packages, or the WIT package
 * with its dependencies. {@link validateComponent} does the same without the WIT model, and
 * {@link validateOuterComponent} without re-checking nested components already checked.
 * Everything untrusted goes through explicit {@link DecodeLimits}; failures are
 * {@link ComponentDecodeError}s with a stable `code` and a byte `offset`. Beyond the grammar, the
 * rules of the current specification that older producers broke are enforced and listed, each
 * with its reference, in {@link SPEC_RULES} (code `spec-rule`).
 *
 * **Encoding.** {@link encodeWitPackage} writes a package of the model as a WIT package binary,
 * byte for byte as wasm-tools does; {@link encodeWorldType} and {@link TypeScopeBuilder} /
 * {@link WitTypeEncoder} encode worlds and interfaces as component and instance types for tools
 * that build components (composition), with {@link ByteWriter} for the rest of the binary.
 *
 * **For composition.** The syntax tree ({@link ComponentAst}: sections, definitions in order,
 * index spaces, nested components and modules by offset) and the checked types
 * ({@link CheckedComponent}: the component's {@link ComponentType} and its semantic index spaces)
 * come back from {@link decodeComponent} as `ast` and `checked`.
 *
 * @example
 * ```ts
 * import { decodeComponent, encodeWitPackage } from "./mod.ts";
 * import { emptyResolve } from "../wit/mod.ts";
 * const resolve = emptyResolve();
 * resolve.packages.push({ name: { namespace: "a", name: "b" }, interfaces: new Map(), worlds: new Map() });
 * resolve.packageNames.set("a:b", 0);
 * resolve.interfaces.push({ name: "i", types: new Map(), functions: new Map(), stability: { kind: "unknown" }, package: 0 });
 * resolve.packages[0].interfaces.set("i", 0);
 * const bytes = encodeWitPackage(resolve, 0);
 * const decoded = decodeComponent(bytes);
 * console.assert(decoded.kind === "wit-package");
 * console.assert(decoded.resolve.packages[decoded.package!].interfaces.has("i"));
 * ```
 *
 * @module
 */
export {
  ComponentDecodeError,
  type ComponentDecodeErrorCode,
  ComponentEncodeError,
  type ComponentEncodeErrorCode,
} from "./_error.ts";
export { type DecodeLimits, DEFAULT_LIMITS } from "./_limits.ts";
export { SPEC_RULES, type SpecRule, type SpecRuleId } from "./_spec_rules.ts";
export {
  type CoreExternKind,
  decodeComponent,
  type DecodedWasm,
  type DecodeOptions,
  detectKind,
  type ExternKind,
  type ExternSummary,
  validateComponent,
  validateOuterComponent,
  type WasmKind,
} from "./_decode.ts";
export type { Metadata, Producers } from "./_metadata.ts";
export {
  type ExternNameResult,
  isKebab,
  type ParsedExternName,
  parseExternName,
} from "./_extern_name.ts";
export type * from "./_ast.ts";
export { checkComponent, type CheckedComponent, type CheckedComponents } from "./_check.ts";
export { type CoreTypeEntry, ResourceNames, Scope, type ScopeKind } from "./_scope.ts";
export { Budget } from "./_budget.ts";
export type * from "./_types.ts";
export {
  type KnownComponents,
  parseComponentAt,
  type RawSection,
  walkSections,
} from "./_parse_component.ts";
export { type EncodeWitOptions, encodeWitPackage, PRODUCER } from "./_encode_wit.ts";
export {
  type EncodedValType,
  encodeWorldType,
  type ExternDescEnc,
  interfaceDirectDeps,
  interfacePackageTypeBuilder,
  TypeScopeBuilder,
  WitTypeEncoder,
  worldTypeBuilder,
} from "./_encode_types.ts";
export { build, ByteWriter, vec } from "./_writer.ts";
