/** Stable codes of {@link AttestError}; callers switch on these, never on messages. */
export type AttestErrorCode =
  /** A key (PEM, DER SubjectPublicKeyInfo, PKCS#8) is malformed or not Ed25519. */
  | "invalid-key"
  /** A Sigstore bundle, DSSE envelope or in-toto statement is malformed. */
  | "invalid-bundle"
  /** The signature does not verify with the key: the statement was altered or signed by another. */
  | "bad-signature"
  /** The bundle names a key that is not among the keys allowed. */
  | "unknown-key"
  /** The statement is validly signed but names another package, version or digest. */
  | "wrong-subject";

/**
 * An error of publisher keys and release attestations. `code` is stable; the message follows
 * "Cannot X: why".
 */
export class AttestError extends Error {
  override name = "AttestError";
  constructor(readonly code: AttestErrorCode, message: string) {
    super(message);
  }
}
