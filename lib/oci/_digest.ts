/**
 * Digests as the OCI protocol writes them (`algorithm:encoded`): split, checked, computed. wreg
 * stores content by sha256 (lib/names `Digest`); sha512 is understood so that a client can verify
 * what a registry sends and a registry can refuse it by name.
 */
import { OciError } from "./_errors.ts";
import { isDigestLike } from "./_names.ts";

/** The algorithms the OCI image spec registers, with their hex length. */
const ALGORITHMS: Record<string, { hex: number; webCrypto: string }> = {
  sha256: { hex: 64, webCrypto: "SHA-256" },
  sha512: { hex: 128, webCrypto: "SHA-512" },
};

/** A digest split into its parts. */
export interface OciDigest {
  /** `sha256` or `sha512`. */
  algorithm: string;
  /** The lowercase hex part. */
  encoded: string;
}

/**
 * Splits and checks a digest: a registered algorithm (`sha256`, `sha512`) with the right number
 * of lowercase hex digits. Throws {@link OciError} `DIGEST_INVALID` naming what is wrong.
 *
 * @example
 * ```ts
 * import { parseOciDigest } from "./mod.ts";
 * const d = parseOciDigest("sha256:" + "0".repeat(64));
 * console.assert(d.algorithm === "sha256");
 * ```
 */
export function parseOciDigest(text: string): OciDigest {
  const bad = (why: string) =>
    new OciError("DIGEST_INVALID", `Invalid digest ${JSON.stringify(text.slice(0, 200))}: ${why}`, {
      digest: text.slice(0, 200),
    });
  if (!isDigestLike(text)) throw bad('expected "algorithm:hex" (for example sha256:…)');
  const colon = text.indexOf(":");
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  const known = ALGORITHMS[algorithm];
  if (known === undefined) {
    throw bad(`algorithm ${JSON.stringify(algorithm)} is not sha256 or sha512`);
  }
  if (encoded.length !== known.hex || !/^[0-9a-f]+$/.test(encoded)) {
    throw bad(`a ${algorithm} digest has ${known.hex} lowercase hex digits`);
  }
  return { algorithm, encoded };
}

/** The digest of bytes with an algorithm (`sha256` by default), as `algorithm:hex`. */
export async function digestWith(bytes: Uint8Array, algorithm = "sha256"): Promise<string> {
  const known = ALGORITHMS[algorithm];
  if (known === undefined) {
    throw new OciError(
      "DIGEST_INVALID",
      `Cannot hash with ${JSON.stringify(algorithm)}: not sha256 or sha512`,
    );
  }
  const hash = new Uint8Array(
    await crypto.subtle.digest(known.webCrypto, bytes as Uint8Array<ArrayBuffer>),
  );
  return `${algorithm}:${hash.toHex()}`;
}

/**
 * Whether bytes have a digest (any registered algorithm). A malformed digest is refused
 * ({@link parseOciDigest}), not answered `false`.
 */
export async function matchesDigest(bytes: Uint8Array, digest: string): Promise<boolean> {
  const { algorithm } = parseOciDigest(digest);
  return (await digestWith(bytes, algorithm)) === digest;
}
