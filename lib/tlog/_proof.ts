/**
 * Per-entry proofs (c2sp.org/tlog-proof@v1): the index, the inclusion proof and the signed
 * checkpoint in one offline-verifiable text (a "spicy signature").
 */
import { tryFromBase64, tryParseDecimal } from "./_bytes.ts";
import { openCheckpoint, type SignedCheckpoint } from "./_checkpoint.ts";
import { TlogError } from "./_errors.ts";
import { HASH_SIZE, leafHash, verifyInclusion } from "./_merkle.ts";
import { MAX_NOTE_SIZE, type NoteVerifier } from "./_note.ts";

/** The first line of a proof. */
export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";
/** The most hashes an inclusion proof can have (a tree of at most 2^63 entries). */
const MAX_PATH = 63;

/** A parsed `c2sp.org/tlog-proof@v1`. */
export interface TlogProof {
  /** Optional unauthenticated extra data. */
  readonly extra?: Uint8Array;
  /** The entry's index in the log. */
  readonly index: number;
  /** The inclusion proof, leaf side first. */
  readonly path: readonly Uint8Array[];
  /** The signed checkpoint, verbatim. */
  readonly checkpoint: string;
}

/** A proof as text. */
export function formatTlogProof(p: TlogProof): string {
  const extra = p.extra ? `extra ${p.extra.toBase64()}\n` : "";
  const path = p.path.map((h) => `${h.toBase64()}\n`).join("");
  return `${TLOG_PROOF_HEADER}\n${extra}index ${p.index}\n${path}\n${p.checkpoint}`;
}

/** Parses a proof, strictly (the checkpoint is split off, not yet verified). */
export function parseTlogProof(input: string | Uint8Array): TlogProof {
  const bad = (why: string): never => {
    throw new TlogError("invalid-proof", `Cannot read transparency log proof: ${why}`);
  };
  if (input.length > MAX_NOTE_SIZE + 8 * 1024) bad("it is too large");
  let text: string;
  try {
    text = typeof input === "string"
      ? input
      : new TextDecoder("utf-8", { fatal: true }).decode(input);
  } catch {
    return bad("it is not valid UTF-8");
  }
  const blank = text.indexOf("\n\n");
  if (blank < 0) bad("no empty line before the checkpoint");
  const lines = text.slice(0, blank).split("\n");
  if (lines[0] !== TLOG_PROOF_HEADER) bad(`the first line is not ${TLOG_PROOF_HEADER}`);
  let at = 1;
  let extra: Uint8Array | undefined;
  if (lines[at]?.startsWith("extra ")) {
    extra = tryFromBase64(lines[at].slice(6));
    if (!extra) bad("the extra line is not base64");
    at++;
  }
  const indexLine = lines[at] ?? "";
  if (!indexLine.startsWith("index ")) {
    bad(`expected "index N", found ${JSON.stringify(indexLine)}`);
  }
  const index = tryParseDecimal(indexLine.slice(6));
  if (index === undefined) bad("the index is not a decimal without leading zeros");
  const path: Uint8Array[] = [];
  for (const line of lines.slice(at + 1)) {
    const h = tryFromBase64(line);
    if (!h || h.length !== HASH_SIZE) bad(`${JSON.stringify(line)} is not a base64 SHA-256 hash`);
    path.push(h!);
  }
  if (path.length > MAX_PATH) bad(`it has more than ${MAX_PATH} proof hashes`);
  const checkpoint = text.slice(blank + 2);
  return extra ? { extra, index: index!, path, checkpoint } : { index: index!, path, checkpoint };
}

/**
 * Verifies a proof of `entry` (the exact leaf bytes): the checkpoint is signed by one of
 * `verifiers` with origin `origin`, and the inclusion proof leads from the entry's leaf hash at
 * the proof's index to the checkpoint's root. Returns the checkpoint and the index.
 */
export async function verifyTlogProof(
  proof: string | Uint8Array | TlogProof,
  entry: Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): Promise<{ index: number; checkpoint: SignedCheckpoint }> {
  const p = typeof proof === "string" || proof instanceof Uint8Array
    ? parseTlogProof(proof)
    : proof;
  const cp = await openCheckpoint(p.checkpoint, verifiers, origin);
  await verifyInclusion(await leafHash(entry), p.index, cp.size, p.path, cp.root);
  const { opened: _, ...checkpoint } = cp;
  return { index: p.index, checkpoint };
}
