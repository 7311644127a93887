import { NameError } from "./_error.ts";
import { clip } from "./_label.ts";

declare const digestBrand: unique symbol;

/** A content digest `sha256:<64 lowercase hex digits>`, only made by {@link parseDigest} or {@link digestOf}. */
export type Digest = string & { readonly [digestBrand]: true };

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses a `sha256:` digest. Other algorithms, upper-case hex and wrong lengths are refused.
 *
 * @example
 * ```ts
 * import { parseDigest } from "./mod.ts";
 * const d = parseDigest("sha256:" + "ab".repeat(32));
 * console.assert(d.startsWith("sha256:"));
 * ```
 */
export function parseDigest(text: string): Digest {
  if (DIGEST.test(text)) return text as Digest;
  const colon = text.indexOf(":");
  const algo = colon < 0 ? "" : text.slice(0, colon);
  const hex = colon < 0 ? text : text.slice(colon + 1);
  let why: string;
  if (colon < 0) why = `it has no "sha256:" prefix`;
  else if (algo !== "sha256") why = `algorithm ${JSON.stringify(algo)} is not supported`;
  else if (hex.length !== 64) why = `the hex part has ${hex.length} characters, not 64`;
  else why = `the hex part must be lowercase 0-9a-f`;
  throw new NameError(
    "invalid-digest",
    `Invalid digest ${
      JSON.stringify(clip(text, 140))
    }: ${why} (expected "sha256:" and 64 lowercase hex digits)`,
    clip(text, 150),
    clip(colon < 0 || algo !== "sha256" ? algo || text : hex, 100),
  );
}

/** Like {@link parseDigest}, but returns `undefined` for invalid input. */
export function tryParseDigest(text: string): Digest | undefined {
  return DIGEST.test(text) ? text as Digest : undefined;
}

/** Wraps a lowercase hex SHA-256 as a {@link Digest}. */
export function digestFromHex(hex: string): Digest {
  return parseDigest(`sha256:${hex}`);
}

/**
 * The SHA-256 digest of some bytes (WebCrypto; pure, no I/O).
 *
 * @example
 * ```ts
 * import { digestOf } from "./mod.ts";
 * const d = await digestOf(new Uint8Array());
 * console.assert(d === "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
 * ```
 */
export async function digestOf(bytes: Uint8Array): Promise<Digest> {
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return `sha256:${hash.toHex()}` as Digest;
}
