/** Stable codes of {@link TlogError}; callers switch on these, never on messages. */
export type TlogErrorCode =
  /** A signed note is malformed (no blank line, bad signature line, control characters…). */
  | "invalid-note"
  /** A verifier key (vkey) or signer key (skey) string is malformed. */
  | "invalid-key"
  /** A signature by a known key does not verify: the note was altered or forged. */
  | "bad-signature"
  /** No signature of the note is by a known key. */
  | "unverified-note"
  /** The note text is not a valid checkpoint. */
  | "invalid-checkpoint"
  /** The checkpoint is from another log than expected. */
  | "origin-mismatch"
  /** A `c2sp.org/tlog-proof@v1` text is malformed. */
  | "invalid-proof"
  /** An inclusion proof does not lead from the entry to the checkpoint's root hash. */
  | "not-included"
  /** A consistency proof does not lead to the newer tree's root hash (bad proof or tiles). */
  | "bad-consistency-proof"
  /** Two signed checkpoints that cannot both be true: the log was forked or rewritten. */
  | "inconsistent"
  /** A log entry does not follow the wreg entry grammar. */
  | "invalid-entry"
  /** A tile path, tile or entry bundle is malformed or does not fit the tree size. */
  | "invalid-tile"
  /** A tree size, index or range is out of bounds. */
  | "out-of-range";

/**
 * An error of the transparency log formats: a malformed note, checkpoint, proof, tile or entry,
 * or a verification that failed. `code` is stable; the message follows "Cannot X: why".
 */
export class TlogError extends Error {
  override name = "TlogError";
  constructor(readonly code: TlogErrorCode, message: string) {
    super(message);
  }
}
