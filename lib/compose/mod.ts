/**
 * Composition: link components into one component, in TypeScript.
 *
 * - {@link CompositionGraph}: register components (decoded, type-checked, deduplicated by
 *   digest), instantiate them, fill imports with exports of other instances (each argument is
 *   type-checked when it is added) and name the exports of the result; `encode()` writes one
 *   deterministic, validated component: unfilled imports merged into imports of the result, each
 *   component embedded once, a `wreg:composed-from` custom section recording what filled what.
 * - {@link plug}: `wac plug` semantics with chains (plugs fill each other's imports too).
 * - {@link composeFromLock}: a project's component with its dependency tree as `wreg.lock`
 *   resolved it, with the blobs from a loader.
 * - {@link decodeComposedFrom}: read back the `wreg:composed-from` section (format in
 *   {@link ComposedFrom}).
 *
 * @example
 * ```ts ignore
 * import { plug } from "./mod.ts";
 * const { bytes, fills } = await plug(
 *   { bytes: scrubber, label: "scrubber.wasm" },
 *   [{ bytes: logger, label: "logger.wasm" }],
 * );
 * // fills: [{ consumer: "scrubber.wasm", import: "docs:processor/logger@0.1.0",
 * //           plug: "logger.wasm", export: "docs:processor/logger@0.1.0" }]
 * ```
 *
 * @module
 */
export { ComposeError, type ComposeErrorCode, type MismatchDetail } from "./_error.ts";
export type { ComponentMeta, Definition, WitView } from "./_definition.ts";
export { CompositionGraph, type GraphNode, type ImportTypeSource, type NodeId } from "./_graph.ts";
export type { EncodedComposition, EncodeOptions } from "./_encode.ts";
export {
  type Consumer,
  plug,
  type PlugFill,
  type PlugInput,
  type PlugOptions,
  type PlugResult,
} from "./_plug.ts";
export {
  COMPOSED_FROM_SECTION,
  type ComposedComponent,
  type ComposedFill,
  type ComposedFrom,
  decodeComposedFrom,
  encodeComposedFrom,
  parseComposedFrom,
} from "./_composed_from.ts";
export { matchName, mergeKey } from "./_match.ts";
export { composeFromLock, type ComposeFromLockInput, type LockView } from "./_lock.ts";
