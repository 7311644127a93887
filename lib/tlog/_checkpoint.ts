/**
 * Checkpoints (c2sp.org/tlog-checkpoint): the note text `<origin>\n<size>\n<base64 root>\n`,
 * signed by the log. wreg writes no extension lines; parsing keeps any it finds.
 */
import { tryFromBase64, tryParseDecimal } from "./_bytes.ts";
import { TlogError } from "./_errors.ts";
import { HASH_SIZE } from "./_merkle.ts";
import { type NoteVerifier, type OpenedNote, openNote, parseNote } from "./_note.ts";

/** The body of a checkpoint. */
export interface Checkpoint {
  /** The log's origin: a scheme-less URL, also the name of the log's key. */
  readonly origin: string;
  /** The tree size. */
  readonly size: number;
  /** The 32-byte RFC 6962 root hash of the tree of that size. */
  readonly root: Uint8Array;
  /** Extension lines after the root, if any (wreg writes none). */
  readonly extensions?: readonly string[];
}

/** A checkpoint with the signed note it came from. */
export interface SignedCheckpoint extends Checkpoint {
  /** The whole signed note, verbatim (cosignatures included). */
  readonly note: string;
}

/** A checkpoint as note text (three lines, plus extensions). */
export function formatCheckpoint(c: Checkpoint): string {
  if (c.root.length !== HASH_SIZE) {
    throw new TlogError("invalid-checkpoint", "Cannot format checkpoint: the root is not 32 bytes");
  }
  return `${c.origin}\n${c.size}\n${c.root.toBase64()}\n${
    (c.extensions ?? []).map((e) => `${e}\n`).join("")
  }`;
}

/** Parses the text of a checkpoint note (the part before the signatures), strictly. */
export function parseCheckpoint(text: string): Checkpoint {
  const bad = (why: string): never => {
    throw new TlogError("invalid-checkpoint", `Cannot read checkpoint: ${why}`);
  };
  if (!text.endsWith("\n")) bad("it does not end with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) bad("it has fewer than three lines (origin, size, root hash)");
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin.length === 0) bad("the origin line is empty");
  const size = tryParseDecimal(sizeText);
  if (size === undefined) {
    bad(`the size ${JSON.stringify(sizeText)} is not a decimal without leading zeros`);
  }
  const root = tryFromBase64(rootText);
  if (!root || root.length !== HASH_SIZE) bad("the root hash is not base64 of 32 bytes");
  if (extensions.some((e) => e.length === 0)) bad("an extension line is empty");
  return extensions.length
    ? { origin, size: size!, root: root!, extensions }
    : { origin, size: size!, root: root! };
}

/**
 * Opens a signed checkpoint: verifies the note with the log's key(s) ({@link openNote}), parses
 * it, and checks that its origin is `origin` (the log's key name when not given).
 */
export async function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin: string = verifiers[0]?.name ?? "",
): Promise<SignedCheckpoint & { opened: OpenedNote }> {
  const parsed = parseNote(note);
  const body = parseCheckpoint(parsed.text);
  if (body.origin !== origin) {
    throw new TlogError(
      "origin-mismatch",
      `Cannot accept checkpoint: its origin is ${JSON.stringify(body.origin)}, expected ${
        JSON.stringify(origin)
      }`,
    );
  }
  const opened = await openNote(parsed, verifiers);
  const text = typeof note === "string" ? note : new TextDecoder().decode(note);
  return { ...body, note: text, opened };
}
