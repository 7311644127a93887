import {
  compareVersions,
  type Digest,
  formatInterfaceName,
  type InterfaceName,
  isPrerelease,
  parseInterfaceName,
  satisfies,
  type Version,
} from "../names/mod.ts";
import type { LockedFill } from "./_lock.ts";
import type { FillChoice, Manifest } from "./_manifest.ts";
import { caretRange } from "./_spec.ts";

/** A package version that implements an interface, as the registry's world index lists it. */
export interface Implementation {
  readonly package: string;
  readonly version: Version;
  readonly digest?: Digest;
}

/** How one import of a component gets filled. */
export type FilledImport =
  /** The user chose the package in `wreg.json` `fills`; resolution picks the version. */
  | {
    readonly import: string;
    readonly via: "wreg.json";
    readonly package: string;
    readonly range: FillChoice["range"];
  }
  /** The lock holds the implementation (and `wreg.json` does not choose another). */
  | {
    readonly import: string;
    readonly via: "wreg.lock";
    readonly package: string;
    readonly version: Version;
    readonly digest: Digest;
  }
  /**
   * The registry knows exactly one package implementing it; its highest version is proposed
   * with `range`, the caret of that version, to resolve with and record.
   */
  | {
    readonly import: string;
    readonly via: "registry";
    readonly package: string;
    readonly version: Version;
    readonly digest?: Digest;
    readonly range: FillChoice["range"];
  };

/** Stable codes of {@link FillError}. */
export type FillErrorCode = "ambiguous-implementation" | "no-implementation";

/** An import that cannot be filled without the user's choice. */
export class FillError extends Error {
  override name = "FillError";
  constructor(
    readonly code: FillErrorCode,
    message: string,
    readonly component: string,
    readonly importName: string,
    /** The implementing packages found (highest version of each), sorted by name. */
    readonly candidates: readonly Implementation[],
  ) {
    super(message);
  }
}

/** What {@link planFills} needs to know about one component dependency. */
export interface FillRequest {
  /** The component package, `ns:name`. */
  readonly component: string;
  /** The interfaces it imports (`ns:pkg/iface@1.2.3`); world-level names are ignored. */
  readonly imports: readonly string[];
  /** The project's `wreg.json` `fills`. */
  readonly fills?: Manifest["fills"];
  /** What the lock holds for this component (`lock.fills[component]`), unless updating. */
  readonly locked?: Readonly<Record<string, LockedFill>>;
  /**
   * Implementations per import, from the registry's world index; needed only for the imports
   * {@link importsToLookUp} returns.
   */
  readonly candidates?: Readonly<Record<string, readonly Implementation[]>>;
  /** Imports the host provides (never filled by a package). Default: the `wasi` namespace. */
  readonly hostProvides?: (iface: InterfaceName) => boolean;
}

/** The outcome of {@link planFills}. */
export interface FillPlan {
  /** The filled imports, sorted by import name. */
  readonly filled: readonly FilledImport[];
  /** Imports the host provides, sorted. */
  readonly host: readonly string[];
  /** Imports that need the user's choice or have no implementation, sorted by import name. */
  readonly errors: readonly FillError[];
}

const wasiByDefault = (i: InterfaceName) => i.namespace === "wasi";

/**
 * The `fills` choice for an import: the entry for that exact versioned interface, else the one
 * for the interface at any version.
 */
export function fillChoiceFor(
  fills: Manifest["fills"],
  importName: string,
): FillChoice | undefined {
  if (!fills) return undefined;
  if (Object.hasOwn(fills, importName)) return fills[importName];
  const unversioned = formatInterfaceName(parseInterfaceName(importName), false);
  return Object.hasOwn(fills, unversioned) ? fills[unversioned] : undefined;
}

function lockedFillFor(req: FillRequest, importName: string): LockedFill | undefined {
  const locked = req.locked && Object.hasOwn(req.locked, importName)
    ? req.locked[importName]
    : undefined;
  if (locked === undefined) return undefined;
  const choice = fillChoiceFor(req.fills, importName);
  if (choice === undefined) return locked;
  return choice.package === locked.package && satisfies(locked.version, choice.range)
    ? locked
    : undefined;
}

function importsOf(req: FillRequest): { own: string[]; host: string[] } {
  const own: string[] = [], host: string[] = [];
  const provides = req.hostProvides ?? wasiByDefault;
  for (const name of [...new Set(req.imports)].sort()) {
    let i: InterfaceName;
    try {
      i = parseInterfaceName(name);
    } catch {
      continue; // a world-level function or instance, not an interface
    }
    (provides(i) ? host : own).push(name);
  }
  return { own, host };
}

/**
 * The imports that neither `wreg.json` nor the lock fills: the ones to ask the registry's world
 * index about before calling {@link planFills}.
 */
export function importsToLookUp(req: Omit<FillRequest, "candidates">): string[] {
  return importsOf(req).own.filter((name) =>
    lockedFillFor(req, name) === undefined && fillChoiceFor(req.fills, name) === undefined
  );
}

/**
 * Decides how each import of a component dependency is filled, without touching the network:
 * `wreg.json` `fills` first, then the lock, then the registry's candidates: one implementing
 * package → use it; several → a {@link FillError} listing them with the `fills` entry to write;
 * none → a {@link FillError} that says so.
 *
 * @example
 * ```ts
 * import { parseVersion } from "../names/mod.ts";
 * import { planFills } from "./mod.ts";
 * const plan = planFills({
 *   component: "docs:scrubber",
 *   imports: ["docs:processor/logger@0.1.0", "wasi:cli/stdout@0.2.0"],
 *   candidates: {
 *     "docs:processor/logger@0.1.0": [{ package: "docs:logger", version: parseVersion("0.1.2") }],
 *   },
 * });
 * console.assert(plan.filled[0].via === "registry" && plan.filled[0].package === "docs:logger");
 * console.assert(plan.host[0] === "wasi:cli/stdout@0.2.0" && plan.errors.length === 0);
 * ```
 */
export function planFills(req: FillRequest): FillPlan {
  const { own, host } = importsOf(req);
  const filled: FilledImport[] = [];
  const errors: FillError[] = [];
  for (const name of own) {
    const choice = fillChoiceFor(req.fills, name);
    const locked = lockedFillFor(req, name);
    if (locked !== undefined) {
      filled.push({ import: name, via: "wreg.lock", ...locked });
    } else if (choice !== undefined) {
      filled.push({ import: name, via: "wreg.json", package: choice.package, range: choice.range });
    } else {
      const found = bestPerPackage(req.candidates?.[name] ?? []);
      if (found.length === 1) {
        const [c] = found;
        filled.push({
          import: name,
          via: "registry",
          package: c.package,
          version: c.version,
          digest: c.digest,
          range: caretRange(c.version),
        });
      } else errors.push(fillError(req.component, name, found));
    }
  }
  return { filled, host, errors };
}

/** The highest version of each candidate package (releases before pre-releases), by name. */
function bestPerPackage(candidates: readonly Implementation[]): Implementation[] {
  const best = new Map<string, Implementation>();
  for (const c of candidates) {
    const b = best.get(c.package);
    if (b === undefined || better(c.version, b.version)) best.set(c.package, c);
  }
  return [...best.values()].sort((a, b) => a.package < b.package ? -1 : 1);
}

function better(a: Version, b: Version): boolean {
  if (isPrerelease(a) !== isPrerelease(b)) return !isPrerelease(a);
  return compareVersions(a, b) > 0;
}

function fillError(component: string, name: string, found: Implementation[]): FillError {
  const key = formatInterfaceName(parseInterfaceName(name), false);
  const entry = (pkg: string, range: string) =>
    `"fills": {${JSON.stringify(key)}: {"package": ${JSON.stringify(pkg)}, "range": ${
      JSON.stringify(range)
    }}}`;
  if (found.length === 0) {
    return new FillError(
      "no-implementation",
      `Import ${JSON.stringify(name)} of ${component} has no implementation in the registry: ` +
        `publish a component that exports it, or choose a package in wreg.json with ` +
        entry("ns:name", "^1.0.0"),
      component,
      name,
      [],
    );
  }
  const list = found.map((c) => `${c.package}@${c.version}`).join(", ");
  const others = found.slice(1).map((c) => `"${c.package}" with "${caretRange(c.version)}"`);
  return new FillError(
    "ambiguous-implementation",
    `Import ${JSON.stringify(name)} of ${component} has ${found.length} implementations ` +
      `(${list}): choose one in wreg.json with ${
        entry(found[0].package, caretRange(found[0].version))
      } (or ${others.join(", or ")})`,
    component,
    name,
    found,
  );
}
