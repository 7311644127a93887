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
   * types grow explosively through repeated instantiation.
   */
  maxTypeWork: number;
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
});

/** `DEFAULT_LIMITS` with the given fields replaced. */
export function resolveLimits(partial?: Partial<DecodeLimits>): DecodeLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
