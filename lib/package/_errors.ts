/** Stable codes of {@link ManifestError} and {@link LockError}. */
export type FormatErrorCode =
  /** The text is not JSON. */
  | "invalid-json"
  /** A value has the wrong JSON type (a string where an object belongs, …). */
  | "invalid-type"
  /** A key the format does not have (a typo, or a field of a newer wreg). */
  | "unknown-key"
  /** A value of the right type that is not valid (a bad name, range, digest, URL, path). */
  | "invalid-value"
  /** A required field is absent. */
  | "missing-field"
  /** Two parts of the file disagree (a fill and a dependency with different ranges, …). */
  | "inconsistent"
  /** The lock was written in a format version this wreg does not read. */
  | "unsupported-version";

/**
 * A problem in `wreg.json`. `path` locates the bad part in JavaScript notation
 * (`dependencies["docs:processor"]`, `fills["docs:processor/logger"].range`; empty for the whole
 * file), and the message starts with it.
 *
 * @example
 * ```ts
 * import { ManifestError, parseManifest } from "./mod.ts";
 * try {
 *   parseManifest(`{"dependencies": {"docs:processor": "^^1"}}`);
 * } catch (e) {
 *   console.assert(e instanceof ManifestError && e.path === `dependencies["docs:processor"]`);
 *   console.assert((e as Error).message.startsWith(`dependencies["docs:processor"]: invalid version range "^^1"`));
 * }
 * ```
 */
export class ManifestError extends SyntaxError {
  override name = "ManifestError";
  constructor(
    readonly code: FormatErrorCode,
    readonly path: string,
    /** The message without the path. */
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

/** A problem in `wreg.lock`; shaped like {@link ManifestError}. */
export class LockError extends SyntaxError {
  override name = "LockError";
  constructor(
    readonly code: FormatErrorCode,
    readonly path: string,
    /** The message without the path. */
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

/** Stable codes of {@link SpecError}. */
export type SpecErrorCode = "invalid-spec";

/** A dependency spec given on the command line (`ns:name@^1.2`) that cannot be read. */
export class SpecError extends SyntaxError {
  override name = "SpecError";
  constructor(readonly code: SpecErrorCode, message: string, readonly input: string) {
    super(message);
  }
}
