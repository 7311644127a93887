/**
 * The component binary format in TypeScript: decode any component, WIT package binary or core
 * module into wreg's shared WIT model ({@link Resolve}), and encode WIT packages (and, for the
 * composition engine, interfaces and worlds as component types).
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
export {
  type CoreExternKind,
  decodeComponent,
  type DecodedWasm,
  type DecodeOptions,
  detectKind,
  type ExternKind,
  type ExternSummary,
  validateComponent,
  type WasmKind,
} from "./_decode.ts";
export type { Metadata, Producers } from "./_metadata.ts";
export { isKebab, type ParsedExternName, parseExternName } from "./_extern_name.ts";
export type * from "./_ast.ts";
export { checkComponent, type CheckedComponent } from "./_check.ts";
export { type CoreTypeEntry, Scope } from "./_scope.ts";
export { Budget } from "./_budget.ts";
export type * from "./_types.ts";
export { parseComponentAt, type RawSection, walkSections } from "./_parse_component.ts";
export { type EncodeWitOptions, encodeWitPackage, PRODUCER } from "./_encode_wit.ts";
export {
  encodeWorldType,
  type ExternDescEnc,
  interfaceDirectDeps,
  interfacePackageTypeBuilder,
  TypeScopeBuilder,
  WitTypeEncoder,
  worldTypeBuilder,
} from "./_encode_types.ts";
export { ByteWriter } from "./_writer.ts";
