/** Stable codes of {@link NameError}. */
export type NameErrorCode =
  | "invalid-label"
  | "invalid-package-name"
  | "invalid-interface-name"
  | "invalid-version"
  | "invalid-range"
  | "invalid-digest";

/**
 * A name, version, range or digest that does not have the required form.
 *
 * `input` is the whole text given, `part` the piece of it that is wrong.
 *
 * @example
 * ```ts
 * import { NameError, parsePackageName } from "./mod.ts";
 * try {
 *   parsePackageName("Docs:processor");
 * } catch (e) {
 *   if (e instanceof NameError) console.assert(e.part === "Docs");
 * }
 * ```
 */
export class NameError extends SyntaxError {
  override name = "NameError";
  constructor(
    readonly code: NameErrorCode,
    message: string,
    readonly input: string,
    readonly part: string,
  ) {
    super(message);
  }
}
