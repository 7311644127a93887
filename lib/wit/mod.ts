/**
 * WIT, the component model's interface language: the shared arena model ({@link Resolve}) that
 * WIT text and component binaries both land in, and the WIT front end: parser and resolver
 * ({@link resolveWit}, {@link parseWit}), merging of already-resolved packages
 * ({@link mergeResolve}), the printer ({@link printWit}), wit-parser's JSON form
 * ({@link witToJson}) and a structural canonical form for comparing worlds and interfaces
 * regardless of ids ({@link canonicalWorld}).
 *
 * Resolution follows wasm-tools' wit-parser exactly, ids included, so the JSON of a resolve equals
 * the `.wit.json` files of wit-parser's test suite.
 *
 * @example
 * ```ts
 * import { parseWit, printWit, witToJson } from "./mod.ts";
 * const { resolve } = parseWit("package a:b;\nworld w { export run: func(); }");
 * const again = parseWit(printWit(resolve)).resolve;
 * console.assert(JSON.stringify(witToJson(again)) === JSON.stringify(witToJson(resolve)));
 * ```
 *
 * @module
 */
export * from "./model.ts";
export { formatWitError, WitError, type WitErrorCode, type WitLocation } from "./_error.ts";
export {
  parseWit,
  type ParseWitOptions,
  type ResolvedWit,
  resolveWit,
  type ResolveWitOptions,
  type SourceFile,
  tryParseWit,
  tryResolveWit,
  type WitDependency,
  type WitSources,
} from "./_resolve.ts";
export { type MergeRemap, mergeResolve, topologicalPackages } from "./_merge.ts";
export { formatWitJson, type Json, witToJson } from "./_json.ts";
export { printWit, type PrintWitOptions, printWitPackage } from "./_printer.ts";
export {
  type CanonicalFunction,
  type CanonicalInterface,
  canonicalInterface,
  type CanonicalOptions,
  type CanonicalPackage,
  canonicalPackage,
  type CanonicalType,
  type CanonicalTypeDef,
  type CanonicalWorld,
  canonicalWorld,
  type CanonicalWorldItem,
  canonicalWorldItem,
} from "./_canonical.ts";
export { isValidWitId } from "./_lexer.ts";
export { dependencyRanges, packageDependencies, type PackageDependency } from "./_dependencies.ts";
