/**
 * The error of lib/bindings: a stable {@link BindingsErrorCode} and a message in wreg's grammar
 * ("Cannot generate bindings: …").
 */

/** Stable codes of {@link BindingsError}; callers switch on these, never on messages. */
export type BindingsErrorCode =
  /** The bytes are not a component (a core module, a WIT package, or undecodable). */
  | "not-a-component"
  /** An option is invalid (a bad `name`, an unknown `glue`). */
  | "invalid-option"
  /** `glue: "lean"` was forced for a component the lean generator does not cover. */
  | "lean-unsupported"
  /** jco failed to transpile the component. */
  | "jco-failed"
  /**
   * jco's output no longer has the shape wreg patches (a jco upgrade changed it): the generated
   * glue would need `--allow-env` or would miss an import. See lib/bindings/_jco.ts.
   */
  | "jco-output-changed";

/**
 * Bindings could not be generated.
 *
 * @example
 * ```ts
 * import { BindingsError, generateBindings } from "./mod.ts";
 * try {
 *   await generateBindings(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), { name: "m" });
 * } catch (e) {
 *   console.assert(e instanceof BindingsError && e.code === "not-a-component");
 * }
 * ```
 */
export class BindingsError extends Error {
  override name = "BindingsError";
  constructor(readonly code: BindingsErrorCode, readonly reason: string) {
    super(`Cannot generate bindings: ${reason}`);
  }
}
