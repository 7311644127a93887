/**
 * The error of the component binary decoder: a stable {@link ComponentDecodeErrorCode}, the byte
 * offset where decoding stopped, and a message in wreg's grammar
 * ("Cannot decode component: unknown section id 0x42 (at offset 0x1d9)").
 */

/** Stable codes of {@link ComponentDecodeError}; callers switch on these, never on messages. */
export type ComponentDecodeErrorCode =
  /** The bytes do not start with the WebAssembly magic number. */
  | "not-wasm"
  /** The magic is right but the version/layer pair is not one wreg knows. */
  | "unknown-version"
  /** The input ends in the middle of something. */
  | "unexpected-eof"
  /** A byte that selects a form (section id, type opcode, sort…) has a value the format lacks. */
  | "invalid-byte"
  /** A LEB128 integer is too long or out of range. */
  | "invalid-integer"
  /** A string is not valid UTF-8. */
  | "invalid-utf8"
  /** A section's declared size disagrees with its contents. */
  | "invalid-section-size"
  /** Sections appear in an order the format forbids (nested module/component headers). */
  | "section-order"
  /** A configured limit (size, count, depth, length) was exceeded. */
  | "limit-exceeded"
  /** An index refers past the end of its index space. */
  | "index-out-of-bounds"
  /** An import or export name is not a valid extern name, or is not unique. */
  | "invalid-name"
  /** The binary is well-formed but breaks a validation rule (types, sorts, resources…). */
  | "invalid-component"
  /** The component is valid but cannot be expressed as a WIT world or package. */
  | "not-representable"
  /**
   * The binary uses an encoding the current specification forbids beyond its grammar (one of
   * `SPEC_RULES`, named in {@link ComponentDecodeError.rule}).
   */
  | "spec-rule";

/**
 * Truncated, malformed, hostile or invalid component bytes.
 *
 * @example
 * ```ts
 * import { ComponentDecodeError, decodeComponent } from "./mod.ts";
 * try {
 *   decodeComponent(new TextEncoder().encode("hello"));
 * } catch (e) {
 *   console.assert(e instanceof ComponentDecodeError && e.code === "not-wasm" && e.offset === 0);
 * }
 * ```
 */
export class ComponentDecodeError extends Error {
  /** The error's class name. */
  override name = "ComponentDecodeError";
  /** What went wrong, without the "Cannot decode component:" prefix and the offset. */
  readonly reason: string;
  /** An error with a stable `code`, the reason in words, and the byte offset. */
  constructor(
    readonly code: ComponentDecodeErrorCode,
    reason: string,
    readonly offset: number,
    /** For `spec-rule`: the id of the rule broken (`SPEC_RULES`). */
    readonly rule?: string,
  ) {
    super(`Cannot decode component: ${reason} (at offset 0x${offset.toString(16)})`);
    this.reason = reason;
  }
}

/** Stable codes of {@link ComponentEncodeError}. */
export type ComponentEncodeErrorCode =
  /** The package id, world id or interface id is not in the resolve. */
  | "unknown-item"
  /** The model holds something the binary format cannot carry (an unresolved type…). */
  | "unsupported";

/**
 * A model that cannot be encoded as a component binary.
 *
 * @example
 * ```ts
 * import { ComponentEncodeError, encodeWitPackage } from "./mod.ts";
 * import { emptyResolve } from "../wit/mod.ts";
 * try {
 *   encodeWitPackage(emptyResolve(), 0);
 * } catch (e) {
 *   console.assert(e instanceof ComponentEncodeError && e.code === "unknown-item");
 * }
 * ```
 */
export class ComponentEncodeError extends Error {
  /** The error's class name. */
  override name = "ComponentEncodeError";
  /** An error with a stable `code` and a message. */
  constructor(readonly code: ComponentEncodeErrorCode, message: string) {
    super(`Cannot encode component: ${message}`);
  }
}
