import { parsePackageName, type Version, type VersionRange } from "../names/mod.ts";
import { type Incompatibility, ROOT } from "./_incompatibility.ts";
import type { Dependencies, PackagePolicy } from "./_package_data.ts";
import { Reporter } from "./_report.ts";
import { NoSolution, Solver } from "./_solver.ts";
import type { PackageSource } from "./_source.ts";

/** The requirer key of the project's own requirements (from `wreg.json`) in {@link ResolvedPackage.requirements}. */
export const PROJECT = "wreg.json";

/** What to resolve, where to read packages, and what the user allows. */
export interface ResolveOptions {
  /** The project's requirements: package name (`ns:name`) → range. */
  readonly requirements: Readonly<Record<string, VersionRange>>;
  /** Where packages and their versions come from. */
  readonly source: PackageSource;
  /**
   * Versions held by the lock (package name → version). A locked version is chosen while it
   * still satisfies every range, and may be chosen even when yanked or a pre-release.
   */
  readonly locked?: Readonly<Record<string, Version>>;
  /** Ignore the lock for every package (`true`) or for the named ones (`wreg update [name]`). */
  readonly update?: boolean | readonly string[];
  /** Let pre-releases match ranges by their version tuple, for every package or the named ones. */
  readonly prerelease?: boolean | readonly string[];
  /** Let yanked versions be chosen for the named packages. */
  readonly yanked?: readonly string[];
  /** How explanations name the project, e.g. its package name. Default: "the project". */
  readonly rootName?: string;
}

/** One package of a resolution. */
export interface ResolvedPackage {
  readonly name: string;
  readonly version: Version;
  /** The dependencies of this version, as the package declares them. */
  readonly dependencies: Dependencies;
  /** Who requires this package, with which range: requirer name (or {@link PROJECT}) → range. */
  readonly requirements: Readonly<Record<string, VersionRange>>;
  /** Whether this is the version the lock held. */
  readonly locked: boolean;
}

/** The result of {@link resolve}. */
export interface Resolution {
  /** Every selected package, sorted by name. */
  readonly packages: readonly ResolvedPackage[];
  /** Work done by the solver: versions decided, conflicts analysed, incompatibilities used. */
  readonly stats: {
    readonly decisions: number;
    readonly conflicts: number;
    readonly incompatibilities: number;
  };
}

/** Stable codes of {@link ResolutionError}. */
export type ResolutionErrorCode =
  /** Requirements contradict each other. */
  | "conflict"
  /** A required package does not exist. */
  | "package-not-found"
  /** A required range matches no usable version of an existing package. */
  | "no-matching-version";

/**
 * The requirements cannot all be met. The message explains why, by the chain of requirements that
 * caused it, one sentence per line ("Because a:x@^1 depends on c:z@^1 and …").
 */
export class ResolutionError extends Error {
  override name = "ResolutionError";
  constructor(
    readonly code: ResolutionErrorCode,
    /** The explanation, one sentence per line (blank lines separate independent chains). */
    readonly lines: readonly string[],
    /** Every package the explanation involves, sorted. */
    readonly packages: readonly string[],
  ) {
    super(lines.join("\n"));
  }
}

function member(option: boolean | readonly string[] | undefined, name: string): boolean {
  return option === true || (Array.isArray(option) && option.includes(name));
}

/**
 * Chooses one version for each package the project needs, transitively: the highest version that
 * satisfies every range on it, keeping the locked version while it still does. Yanked and
 * pre-release versions are left out unless locked or allowed by the options (a range that names
 * a pre-release, like `^1.0.0-rc.1`, asks for pre-releases of that version, as in npm).
 *
 * The result is deterministic: it depends on the requirements, the source's data and the options,
 * not on the order the source lists things in.
 *
 * @throws {ResolutionError} when no choice satisfies every requirement, explaining why.
 *
 * @example
 * ```ts
 * import { parseRange } from "../names/mod.ts";
 * import { memorySource, resolve, ResolutionError } from "./mod.ts";
 * const source = memorySource({
 *   "a:x": { "1.0.0": { dependencies: { "c:z": "^1" } } },
 *   "b:y": { "2.0.0": { dependencies: { "c:z": "^2" } } },
 *   "c:z": { "1.0.0": {}, "2.0.0": {} },
 * });
 * try {
 *   await resolve({ requirements: { "a:x": parseRange("^1"), "b:y": parseRange("^2") }, source });
 * } catch (e) {
 *   console.assert(e instanceof ResolutionError && e.code === "conflict");
 *   console.assert((e as Error).message.includes("every version of a:x depends on c:z@^1"));
 * }
 * ```
 */
export async function resolve(options: ResolveOptions): Promise<Resolution> {
  for (const name of Object.keys(options.requirements)) parsePackageName(name);
  const locked = options.locked ?? {};
  const policy = (name: string): PackagePolicy => ({
    locked: Object.hasOwn(locked, name) && !member(options.update, name) ? locked[name] : undefined,
    prerelease: member(options.prerelease, name),
    yanked: member(options.yanked, name),
  });
  const solver = new Solver(options.requirements, options.source, policy);
  let chosen;
  try {
    chosen = await solver.solve();
  } catch (e) {
    if (e instanceof NoSolution) throw explain(e, options.rootName ?? "the project");
    throw e;
  }
  const requirements = new Map<string, Record<string, VersionRange>>();
  const require = (name: string, by: string, range: VersionRange) => {
    if (!requirements.has(name)) requirements.set(name, {});
    requirements.get(name)![by] = range;
  };
  for (const [name, range] of Object.entries(options.requirements)) require(name, PROJECT, range);
  for (const [name, { dependencies }] of chosen) {
    for (const [dep, range] of Object.entries(dependencies)) require(dep, name, range);
  }
  const packages = [...chosen.keys()].sort().map((name): ResolvedPackage => {
    const { version, dependencies } = chosen.get(name)!;
    return {
      name,
      version,
      dependencies: sortRecord(dependencies),
      requirements: sortRecord(requirements.get(name) ?? {}),
      locked: policy(name).locked === version,
    };
  });
  return { packages, stats: { ...solver.stats } };
}

function sortRecord<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

function explain(e: NoSolution, rootName: string): ResolutionError {
  const lines = new Reporter((n) => e.packages.packageData(n), rootName).explain(e.incompatibility);
  const names = new Set<string>();
  const kinds = new Set<string>();
  const seen = new Set<Incompatibility>();
  const stack = [e.incompatibility];
  while (stack.length) {
    const inc = stack.pop()!;
    if (seen.has(inc)) continue;
    seen.add(inc);
    for (const t of inc.terms) if (t.name !== ROOT) names.add(t.name);
    const c = inc.cause;
    if (c.kind === "derived") stack.push(c.left, c.right);
    else if (c.kind === "dependency") names.add(c.dependee);
    else if (c.kind === "unavailable") {
      names.add(c.dependee);
      kinds.add(c.reason);
    }
  }
  const code: ResolutionErrorCode = kinds.size === 1 && kinds.has("not-found")
    ? "package-not-found"
    : kinds.size === 1 && kinds.has("no-versions")
    ? "no-matching-version"
    : "conflict";
  return new ResolutionError(code, lines, [...names].sort());
}
