/**
 * The error of composition: a stable {@link ComposeErrorCode} and a message that says what does
 * not fit where ("plug logger.wasm cannot fill import `docs:processor/logger@0.1.0` of
 * scrubber.wasm: function `log`, parameter `level`: expected enum {…}, found string").
 */

/** Stable codes of {@link ComposeError}; callers switch on these, never on messages. */
export type ComposeErrorCode =
  /** The bytes are a core module or a WIT package, not a component. */
  | "not-a-component"
  /** The bytes are not a valid component (the decoder's reason is in the message). */
  | "invalid-component"
  /** A definition, node or package given to the graph does not exist. */
  | "unknown-item"
  /** Two different components were registered under the same package name and version. */
  | "package-already-registered"
  /** An import or export name is not a valid extern name. */
  | "invalid-name"
  /** The result already has an import of that name. */
  | "import-already-exists"
  /** The result already has an export of that name. */
  | "export-already-exists"
  /** An alias or instance export was asked of something that is not an instance. */
  | "not-an-instance"
  /** The instance has no export of that name. */
  | "export-missing"
  /** An argument was given to a node that is not an instantiation. */
  | "not-instantiation"
  /** The argument name is not an import of the instantiated component. */
  | "unknown-import"
  /** The import already has an argument. */
  | "argument-already-satisfied"
  /** The argument is another kind of item than the import (a function for an instance…). */
  | "kind-mismatch"
  /** The argument's type is not a subtype of the import's type. */
  | "type-mismatch"
  /** The argument would make an instance depend on itself. */
  | "cycle"
  /** Two imports of the result with one name cannot be merged (different kinds or types). */
  | "import-conflict"
  /** Several plugs export what one import needs and none was chosen. */
  | "ambiguous-plug"
  /** A plug fills no import of the socket or of another plug. */
  | "unused-plug"
  /** A choice names a plug or an import that does not exist. */
  | "invalid-choice"
  /** The composition cannot be expressed in a component binary (see the message). */
  | "unsupported"
  /** The composed component does not validate: a bug, or types that only clash once linked. */
  | "invalid-result"
  /** A `wreg:composed-from` section is malformed. */
  | "invalid-composed-from"
  /** The lock names a component whose bytes could not be loaded or do not match its digest. */
  | "missing-component";

/** Details of a type mismatch, as the subtype check reports them. */
export interface MismatchDetail {
  /** Where in the import the mismatch is (`function log, parameter level`). */
  path: string;
  expected: string;
  found: string;
  reason: string;
}

/**
 * Composition failed: the graph refused an edge, or the result cannot be encoded.
 *
 * @example
 * ```ts
 * import { ComposeError } from "./mod.ts";
 * const e = new ComposeError("cycle", "instance a would depend on itself");
 * console.assert(e.code === "cycle" && e.message.startsWith("Cannot compose:"));
 * ```
 */
export class ComposeError extends Error {
  override name = "ComposeError";
  /** What went wrong, without the "Cannot compose:" prefix. */
  readonly reason: string;
  constructor(
    readonly code: ComposeErrorCode,
    reason: string,
    /** For `type-mismatch`: where, and what was expected and found. */
    readonly mismatch?: MismatchDetail,
  ) {
    super(`Cannot compose: ${reason}`);
    this.reason = reason;
  }
}
