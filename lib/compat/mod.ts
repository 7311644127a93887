/**
 * Compatibility of WIT and components: the component model's subtype relation on the shared WIT
 * model ({@link Resolve}), and semver-aware checks between two versions built on it. The relation
 * is written once (one walker in `_engine.ts`); the publish-time checks and the composer's type
 * checks both use it.
 *
 * **The relation.** Value types and function types must be equal (names of record fields,
 * variant/enum cases and flags in order; parameter names and types; the result; sync or async),
 * as in wasmparser. Named types compare by structure; resources are nominal and correspond across
 * two resolves by their path (`ns:pkg/iface.name`, versions ignored). An interface (instance type)
 * is a subtype of another when it has every function and type the other has, each equal; a world
 * (component type) is a subtype of another when it imports no more and exports no less.
 *
 * **The directions.**
 * - {@link checkWorldCompat}: a world of a WIT package, in the direction of `wasm-tools component
 *   semver-check`: a component written for the old world must be valid for the new one. The new
 *   world may import more (new functions and types in an imported interface too) and export less;
 *   it may not drop or change what a component can use from an old import (functions, resources,
 *   world-level types, types those reach), nor add or change an export.
 * - {@link checkInterfaceCompat}: an interface that no world covers: additions are compatible;
 *   removals and changes break.
 * - {@link checkComponentCompat}: an implementation: the new component must be usable wherever
 *   the old one was (it may import less and export more).
 * - {@link checkPackageCompat}: a whole package: each world in the world direction, each interface
 *   no world covers in the interface direction, worlds and interfaces added or removed.
 *
 * **The report.** Never an exception for a "no": `compatible`, the smallest `bump` the changes
 * need (`patch` for nothing or docs only, `minor` for compatible additions, `major` for breaking
 * changes), and each {@link Change} with a path (`ns:pkg/iface.func.param`,
 * `ns:pkg/iface.record.field`), a {@link ChangeKind}, old and new WIT snippets, and whether it
 * breaks. Items gated behind `@unstable` features that were not enabled when resolving are
 * invisible; an item added with `@since(version = X)` is an addition.
 *
 * **Recipes.**
 * - The publish gate: for each `{ old, new }` of {@link seriesCheckPairs}`(version, published)`,
 *   run {@link checkPackageCompat} (WIT packages) or {@link checkComponentCompat} (components) and
 *   refuse the release unless `compatible`; {@link checkVersions} says whether the declared bump
 *   is big enough, by the same series rules ({@link releaseStep}: in `0.Y.*` additions need a
 *   patch bump and breaking changes the next minor).
 * - Does a component implement a world (imports no more, exports no less)? That is the component
 *   direction with the world as the old side: `checkComponentCompat(worldR, world, compR, compWorld)`
 *   lists everything missing or extra; {@link isSubtypeWorld} answers with the first.
 * - Composition: {@link isSubtypeInterface} / {@link isSubtypeFunction} /
 *   {@link isSubtypeValueType} for an export plugged into an import.
 *
 * **Divergences from `wasm-tools component semver-check`** (which strips every version): a world
 * that imports or exports a foreign interface at a version of another semver series
 * (`wasi:io@0.2.0` → `wasi:io@0.3.0`) is reported as a breaking `changed-version`, since a
 * component importing one is not linked against the other.
 *
 * @example Checking two versions of an interface
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { checkPackageCompat } from "./mod.ts";
 * import { parseWit } from "../wit/mod.ts";
 * const old = parseWit("package a:b@1.0.0; interface i { f: func(x: u32) -> string; }");
 * const neu = parseWit(
 *   "package a:b@1.1.0; interface i { f: func(x: u32) -> string; g: func(); }",
 * );
 * const report = checkPackageCompat(old.resolve, old.package, neu.resolve, neu.package);
 * assert(report.compatible && report.bump === "minor");
 * assert(report.changes[0].path === "a:b/i.g" && report.changes[0].kind === "added-function");
 * ```
 *
 * @example The world direction: a world may import more but not export more
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { checkWorldCompat } from "./mod.ts";
 * import { parseWit } from "../wit/mod.ts";
 * const { resolve } = parseWit(`package a:b;
 *   world prev { export run: func(); }
 *   world next { import log: func(msg: string); export run: func(); export stop: func(); }`);
 * const [prev, next] = [0, 1];
 * const report = checkWorldCompat(resolve, prev, resolve, next);
 * assert(!report.compatible && report.bump === "major");
 * assert(report.changes.map((c) => `${c.kind} ${c.breaking}`).join() ===
 *   "added-import false,added-export true");
 * ```
 *
 * @example Subtype tests for composition
 * ```ts
 * const assert = (ok: boolean) => {
 *   if (!ok) throw new Error("assertion failed");
 * };
 * import { isSubtypeInterface } from "./mod.ts";
 * import { parseWit } from "../wit/mod.ts";
 * const provider = parseWit("package a:b; interface i { f: func(); g: func(); }");
 * const wanted = parseWit("package a:b; interface i { f: func(); h: func(); }");
 * assert(isSubtypeInterface(provider.resolve, 0, provider.resolve, 0).ok);
 * const r = isSubtypeInterface(provider.resolve, 0, wanted.resolve, 0);
 * assert(!r.ok && r.path === "a:b/i.h" && r.expected === "h: func()" && r.found === "");
 * ```
 *
 * @module
 */
export type {
  Bump,
  Change,
  ChangeKind,
  CompatReport,
  SubtypeMismatch,
  SubtypeResult,
} from "./_types.ts";
export { CHANGE_KINDS } from "./_types.ts";
export { CHANGE_KIND_TEXT } from "./_text.ts";
export {
  checkComponentCompat,
  checkInterfaceCompat,
  checkPackageCompat,
  checkWorldCompat,
  isSubtypeFunction,
  isSubtypeInterface,
  isSubtypeValueType,
  isSubtypeWorld,
  maxBump,
  summarize,
} from "./_check.ts";
export {
  bumpBetween,
  checkVersions,
  type ReleaseStep,
  releaseStep,
  seriesCheckPairs,
  seriesCheckTargets,
  type VersionVerdict,
} from "./_series.ts";
export { liveTypes } from "./_engine.ts";
export { printFunction, printType, printTypeDef } from "./_print.ts";
