/**
 * Explicit limits for decoding untrusted component binaries. Every count read from the input is
 * checked against these (and against the bytes left) before anything is allocated for it.
 */

/** Limits applied while decoding; every field is optional in the options of the decoder. */
export interface DecodeLimits {
  /** Largest input accepted, in bytes. */
  maxInputBytes: number;
  /** Most sections in one component or module (custom sections included). */
  maxSections: number;
  /** Most entries in one index space (types, functions, instances…) of one component. */
  maxIndexSpace: number;
  /** Most items in one vector (a section's entries, a record's fields, a type's declarations). */
  maxVectorLength: number;
  /** Deepest nesting of components, component types and instance types. */
  maxNestingDepth: number;
  /** Longest string (name, label, custom-section name), in bytes. */
  maxStringBytes: number;
  /**
   * Budget of type-checking work (types created, substituted or compared). Stops inputs whose
   * types grow explosively through repeated instantiation. It is also scaled to the input: an
   * input of `n` bytes gets at most {@link TYPE_WORK_BASE} + {@link TYPE_WORK_PER_BYTE} × `n`
   * steps, so that small inputs cannot buy much work (real components use well under one step
   * per byte).
   */
  maxTypeWork: number;
  /**
   * Most items of component syntax in the whole input, nested components included: definitions,
   * declarations, fields, cases, parameters, arguments (every vector element outside core module
   * bodies). Counted as each vector's length is read, before anything is allocated for it, so an
   * input made of millions of tiny definitions stops early, whatever its nesting.
   */
  maxSyntaxItems: number;
  /** Most imports, and most exports, of one component, component type or instance type. */
  maxExterns: number;
}

/** Type-checking steps every input gets, however small (see `DecodeLimits.maxTypeWork`). */
export const TYPE_WORK_BASE = 100_000;
/** Type-checking steps per byte of input (see `DecodeLimits.maxTypeWork`). */
export const TYPE_WORK_PER_BYTE = 16;

/** The type-checking budget for an input of `size` bytes. */
export function typeWorkFor(limits: DecodeLimits, size: number): number {
  return Math.min(limits.maxTypeWork, TYPE_WORK_BASE + TYPE_WORK_PER_BYTE * size);
}

/** The limits used when none are given: generous for real components, bounded for hostile ones. */
export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxInputBytes: 512 * 1024 * 1024,
  maxSections: 100_000,
  maxIndexSpace: 1_000_000,
  maxVectorLength: 1_000_000,
  maxNestingDepth: 64,
  maxStringBytes: 1_000_000,
  maxTypeWork: 2_000_000,
  maxSyntaxItems: 500_000,
  maxExterns: 100_000,
});

/** `DEFAULT_LIMITS` with the given fields replaced. */
export function resolveLimits(partial?: Partial<DecodeLimits>): DecodeLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
