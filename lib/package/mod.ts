/**
 * The pure core of wreg's package manager: the `wreg.json` manifest and `wreg.lock` lock formats,
 * a deterministic PubGrub-style semver resolver that explains its failures, and the decision of
 * which implementation fills each import of a component.
 *
 * Nothing here does I/O: the CLI reads and writes the files, and backs a {@link PackageSource}
 * with the registry and its cache.
 *
 * A typical `wreg add` / `install`:
 * 1. {@link parseManifest} the project's `wreg.json`, {@link parseDependencySpec} the user's spec,
 *    {@link withDependency} to add it.
 * 2. {@link resolve} the {@link requirementsOf} the manifest against the registry, preferring
 *    {@link lockedVersions} of the old lock; a {@link ResolutionError} explains a conflict.
 * 3. For each component, {@link importsToLookUp} then {@link planFills} to fill its imports.
 * 4. {@link lockFromResolution} and {@link printLock}; {@link printManifest}.
 * `install` checks {@link checkLockCurrent} and uses the lock as it is.
 *
 * ## `wreg.json`
 * Every field is optional (publishing needs `name`, `version`, `kind`; see {@link checkPublishable}).
 * Unknown keys are refused with a "did you mean". {@link printManifest} writes the keys in this
 * order, records sorted, two-space indentation and a trailing newline (shown compacted here):
 * ```json
 * {
 *   "name": "docs:scrubber",
 *   "version": "0.2.0",
 *   "kind": "component",
 *   "description": "Redacts PII from text",
 *   "license": "Apache-2.0",
 *   "wit": "wit",
 *   "component": "build/scrubber.wasm",
 *   "registry": "http://127.0.0.1:8080",
 *   "registries": { "wasi": "https://registry.example/" },
 *   "dependencies": { "docs:logger": "^0.1.0", "docs:processor": "^0.1" },
 *   "fills": {
 *     "docs:processor/logger": { "package": "docs:logger", "range": "^0.1.0" }
 *   }
 * }
 * ```
 * Ranges are npm's syntax (a bare `1.2.3` in the file means exactly that version); `wreg add
 * ns:name@1.2.3` writes `^1.2.3` ({@link parseDependencySpec}). A `fills` key is an interface at
 * any version (`ns:pkg/iface`) or at one version (`ns:pkg/iface@0.1.0`, which wins).
 *
 * ## `wreg.lock`
 * Written by {@link printLock}: `lockVersion`, then `packages` and `fills`, every record sorted.
 * `requirements` names who requires the package (`"wreg.json"` for the project):
 * ```json
 * {
 *   "lockVersion": 1,
 *   "packages": {
 *     "docs:processor": {
 *       "version": "0.1.0",
 *       "kind": "wit",
 *       "registry": "http://127.0.0.1:8080",
 *       "digest": "sha256:…",
 *       "requirements": { "docs:logger": "^0.1.0", "wreg.json": "^0.1" },
 *       "dependencies": {}
 *     }
 *   },
 *   "fills": {
 *     "docs:scrubber": {
 *       "docs:processor/logger@0.1.0": {
 *         "package": "docs:logger", "version": "0.1.2", "digest": "sha256:…"
 *       }
 *     }
 *   }
 * }
 * ```
 *
 * @example
 * ```ts
 * import { parseDigest } from "../names/mod.ts";
 * import {
 *   lockFromResolution,
 *   memorySource,
 *   parseManifest,
 *   printLock,
 *   requirementsOf,
 *   resolve,
 * } from "./mod.ts";
 * const manifest = parseManifest(`{"name": "docs:app", "dependencies": {"docs:processor": "^0.1"}}`);
 * const source = memorySource({ "docs:processor": { "0.1.0": {}, "0.1.1": {}, "0.2.0": {} } });
 * const resolution = await resolve({ requirements: requirementsOf(manifest), source });
 * const lock = lockFromResolution(resolution, () => ({
 *   kind: "wit",
 *   registry: "http://127.0.0.1:8080",
 *   digest: parseDigest("sha256:" + "0".repeat(64)),
 * }));
 * console.assert(lock.packages["docs:processor"].version === "0.1.1");
 * console.assert(printLock(lock).startsWith('{\n  "lockVersion": 1,'));
 * ```
 *
 * @module
 */
export {
  type FormatErrorCode,
  LockError,
  ManifestError,
  SpecError,
  type SpecErrorCode,
} from "./_errors.ts";
export {
  checkPublishable,
  type FillChoice,
  type Manifest,
  MANIFEST_KEYS,
  type PackageKind,
  parseManifest,
  printManifest,
  registryFor,
  requirementsOf,
  validateManifest,
  witFolder,
} from "./_manifest.ts";
export {
  caretRange,
  type DependencySpec,
  parseDependencySpec,
  withDependency,
  withFill,
  withoutDependency,
  withoutFill,
} from "./_spec.ts";
export {
  type Lock,
  LOCK_VERSION,
  type LockedFill,
  type LockedPackage,
  type LockedRegistry,
  lockedVersions,
  parseLock,
  printLock,
  validateLock,
} from "./_lock.ts";
export {
  checkLockCurrent,
  lockFromResolution,
  type LockProblem,
  type LockProblemCode,
  type PackageOrigin,
} from "./_lock_build.ts";
export {
  type Awaitable,
  type Dependencies,
  type ListedVersion,
  type MemoryIndex,
  memorySource,
  type PackageSource,
} from "./_source.ts";
export {
  PROJECT,
  type Resolution,
  ResolutionError,
  type ResolutionErrorCode,
  resolve,
  type ResolvedPackage,
  type ResolveOptions,
} from "./_resolve.ts";
export {
  fillChoiceFor,
  type FilledImport,
  FillError,
  type FillErrorCode,
  type FillPlan,
  type FillRequest,
  type Implementation,
  importsToLookUp,
  planFills,
} from "./_fill.ts";
