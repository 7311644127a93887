/**
 * Signed notes (c2sp.org/signed-note) with Ed25519 keys: parse, format, sign, open; key IDs,
 * verifier keys (`name+hex+base64`, the string clients pin, as Go's `GOSUMDB` writes it) and
 * signer keys (`PRIVATE+KEY+name+hex+base64`, the form Go's `note.NewSigner` reads).
 */
import { concat, fromUtf8, sha256, tryFromBase64, utf8 } from "./_bytes.ts";
import { TlogError } from "./_errors.ts";

/** The signature type byte of Ed25519 note signatures. */
export const ED25519_TYPE = 0x01;

/** The most bytes a note may have (checkpoints and proofs are a few hundred bytes). */
export const MAX_NOTE_SIZE = 64 * 1024;
/** The most signature lines a note may carry (the spec asks verifiers to accept 16). */
export const MAX_NOTE_SIGNATURES = 100;

/** One signature line of a note. */
export interface NoteSignature {
  /** The key name. */
  readonly name: string;
  /** The 32-bit key ID (the first four bytes of the decoded signature). */
  readonly keyId: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

/** A signed note split into its text and its signature lines (nothing verified yet). */
export interface Note {
  /** The text, ending in a newline. */
  readonly text: string;
  /** Every signature line, in order. */
  readonly signatures: readonly NoteSignature[];
}

/** Signs note texts; made from a signer key with {@link parseSignerKey}. */
export interface NoteSigner {
  /** The key name. */
  readonly name: string;
  /** The key ID. */
  readonly keyId: number;
  /** The signature of the text's bytes (without the key ID). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Verifies signatures of one key; made from a vkey with {@link parseVerifierKey}. */
export interface NoteVerifier {
  /** The key name. */
  readonly name: string;
  /** The key ID. */
  readonly keyId: number;
  /** Whether `signature` is this key's signature of `message`. */
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** A parsed verifier key. */
export interface VerifierKey extends NoteVerifier {
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The vkey string, as {@link formatVerifierKey} writes it. */
  readonly vkey: string;
}

/** A parsed signer key. */
export interface SignerKey extends NoteSigner {
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The matching vkey. */
  readonly vkey: string;
}

/** A note whose signatures were checked by {@link openNote}. */
export interface OpenedNote extends Note {
  /** The signatures made by the given verifiers that verified (at least one). */
  readonly verified: readonly NoteSignature[];
}

const EM_DASH = "\u2014";

/** Whether a key name is allowed: non-empty, no Unicode space, no `+`. */
export function isKeyName(name: string): boolean {
  // deno-lint-ignore no-control-regex
  return name.length > 0 && !/[\s+]/u.test(name) && !/[\x00-\x1f\x7f]/.test(name);
}

function checkText(text: string, what: string, code: "invalid-note" | "invalid-checkpoint") {
  // deno-lint-ignore no-control-regex
  const bad = /[\x00-\x09\x0b-\x1f]/.exec(text);
  if (bad) {
    throw new TlogError(
      code,
      `Cannot read ${what}: it contains the control character U+${
        bad[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()
      } (at offset ${bad.index})`,
    );
  }
}

/**
 * Splits a signed note into text and signature lines, strictly: UTF-8 without control characters
 * other than newline, the text ending in a newline, separated by the last empty line from one or
 * more lines `— <name> <base64(key ID || signature)>`.
 */
export function parseNote(input: string | Uint8Array): Note {
  const bad = (why: string): never => {
    throw new TlogError("invalid-note", `Cannot read signed note: ${why}`);
  };
  if (input.length > MAX_NOTE_SIZE) bad(`it is larger than ${MAX_NOTE_SIZE} bytes`);
  let note: string;
  if (typeof input === "string") note = input;
  else {
    try {
      note = fromUtf8(input);
    } catch {
      return bad("it is not valid UTF-8");
    }
  }
  checkText(note, "signed note", "invalid-note");
  if (!note.endsWith("\n")) bad("it does not end with a newline");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) bad("no empty line separates the text from the signatures");
  const text = note.slice(0, split + 1);
  if (text === "\n" || text.length === 0) bad("the text is empty");
  const lines = note.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_NOTE_SIGNATURES) bad(`it has more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m) bad(`${JSON.stringify(line.slice(0, 80))} is not a signature line ("— name base64")`);
    const [, name, b64] = m!;
    if (!isKeyName(name)) bad(`${JSON.stringify(name)} is not a valid key name`);
    const bytes = tryFromBase64(b64);
    if (!bytes || bytes.length < 5) bad(`the signature of ${name} is not valid base64 of a key ID`);
    const view = new DataView(bytes!.buffer, bytes!.byteOffset);
    signatures.push({ name, keyId: view.getUint32(0), signature: bytes!.slice(4) });
  }
  return { text, signatures };
}

/** The signature line of one signature, with its newline. */
export function formatSignatureLine(sig: NoteSignature): string {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, sig.keyId);
  return `${EM_DASH} ${sig.name} ${concat(id, sig.signature).toBase64()}\n`;
}

/** A note as text: its text, an empty line, its signature lines. */
export function formatNote(note: Note): string {
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join("")}`;
}

/**
 * Signs a note text with each signer and returns the signed note. The text must end with a
 * newline and hold no control character other than newline.
 */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkText(text, "note text", "invalid-note");
  if (!text.endsWith("\n") || text === "\n") {
    throw new TlogError("invalid-note", "Cannot sign note: the text must end with a newline");
  }
  if (signers.length === 0) {
    throw new TlogError("invalid-note", "Cannot sign note: no signer given");
  }
  const message = utf8(text);
  const signatures: NoteSignature[] = [];
  for (const s of signers) {
    signatures.push({ name: s.name, keyId: s.keyId, signature: await s.sign(message) });
  }
  return formatNote({ text, signatures });
}

/**
 * Parses a signed note and verifies it (c2sp.org/signed-note): signatures by unknown keys (name
 * and key ID) are ignored; a signature by a known key that does not verify rejects the note
 * (`bad-signature`); a note with no verified signature is rejected (`unverified-note`).
 */
export async function openNote(
  input: string | Uint8Array | Note,
  verifiers: readonly NoteVerifier[],
): Promise<OpenedNote> {
  const note = typeof input === "string" || input instanceof Uint8Array ? parseNote(input) : input;
  const message = utf8(note.text);
  const verified: NoteSignature[] = [];
  for (const sig of note.signatures) {
    const v = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (!v) continue;
    if (!(await v.verify(message, sig.signature))) {
      throw new TlogError(
        "bad-signature",
        `Cannot verify signed note: the signature of ${sig.name} (key ID ${
          hex8(sig.keyId)
        }) does not verify (the note was altered or forged)`,
      );
    }
    if (!verified.some((s) => s.name === sig.name && s.keyId === sig.keyId)) verified.push(sig);
  }
  if (verified.length === 0) {
    const by = note.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`).join(", ") || "nobody";
    const want = verifiers.map((v) => `${v.name}+${hex8(v.keyId)}`).join(", ");
    throw new TlogError(
      "unverified-note",
      `Cannot verify signed note: it is signed by ${by}, not by a trusted key (${want})`,
    );
  }
  return { ...note, verified };
}

/** Eight lowercase hex digits of a key ID. */
export function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, "0");
}

/** The key ID of a note key: the first four bytes of SHA-256(name || 0x0A || type || key). */
export async function noteKeyId(name: string, type: number, key: Uint8Array): Promise<number> {
  const h = await sha256(concat(utf8(`${name}\n`), new Uint8Array([type]), key));
  return new DataView(h.buffer).getUint32(0);
}

/** The vkey of an Ed25519 public key: `<name>+<hex key ID>+<base64(0x01 || key)>`. */
export async function formatVerifierKey(name: string, publicKey: Uint8Array): Promise<string> {
  if (!isKeyName(name)) throw new TlogError("invalid-key", `Cannot use key name ${name}`);
  if (publicKey.length !== 32) {
    throw new TlogError("invalid-key", "Cannot make a verifier key: not a 32-byte Ed25519 key");
  }
  const id = await noteKeyId(name, ED25519_TYPE, publicKey);
  return `${name}+${hex8(id)}+${concat(new Uint8Array([ED25519_TYPE]), publicKey).toBase64()}`;
}

/** Splits `name+hex8+base64` (the base64 may contain `+`). */
function splitKey(text: string, what: string): { name: string; id: number; key: Uint8Array } {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text);
  const bad = (why: string): never => {
    throw new TlogError(
      "invalid-key",
      `Cannot read ${what} ${JSON.stringify(text.slice(0, 120))}: ${why}`,
    );
  };
  if (!m) return bad(`expected "<name>+<8 hex digits>+<base64 key>"`);
  const key = tryFromBase64(m[3]);
  if (!key) return bad("the key is not valid base64");
  if (key[0] !== ED25519_TYPE) return bad(`key type ${key[0]} is not Ed25519 (1)`);
  if (key.length !== 33) return bad("an Ed25519 key has 32 bytes");
  if (!isKeyName(m[1])) return bad("invalid key name");
  return { name: m[1], id: parseInt(m[2], 16), key: key.slice(1) };
}

/** Parses a vkey and checks that its key ID matches its name and key. */
export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  const { name, id, key } = splitKey(vkey, "verifier key");
  if (await noteKeyId(name, ED25519_TYPE, key) !== id) {
    throw new TlogError(
      "invalid-key",
      `Cannot read verifier key ${vkey}: its key ID does not match its name and key`,
    );
  }
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    "Ed25519",
    false,
    ["verify"],
  );
  return {
    name,
    keyId: id,
    publicKey: key,
    vkey,
    verify: (message, signature) =>
      signature.length === 64
        ? crypto.subtle.verify(
          "Ed25519",
          cryptoKey,
          signature as Uint8Array<ArrayBuffer>,
          message as Uint8Array<ArrayBuffer>,
        )
        : Promise.resolve(false),
  };
}

/** The PKCS#8 prefix of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Uint8Array.fromHex("302e020100300506032b657004220420");

/** Imports an Ed25519 private key from its 32-byte seed; returns it with its public key. */
export async function importEd25519Seed(
  seed: Uint8Array,
): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  if (seed.length !== 32) {
    throw new TlogError("invalid-key", "Cannot import Ed25519 key: the seed must be 32 bytes");
  }
  const pkcs8 = concat(PKCS8_ED25519_PREFIX, seed);
  const extractable = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8 as Uint8Array<ArrayBuffer>,
    "Ed25519",
    true,
    ["sign"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  const publicKey = Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" });
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8 as Uint8Array<ArrayBuffer>,
    "Ed25519",
    false,
    ["sign"],
  );
  return { privateKey, publicKey };
}

/** The skey of an Ed25519 seed: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`. */
export async function formatSignerKey(name: string, seed: Uint8Array): Promise<string> {
  const { publicKey } = await importEd25519Seed(seed);
  const id = await noteKeyId(name, ED25519_TYPE, publicKey);
  return `PRIVATE+KEY+${name}+${hex8(id)}+${
    concat(new Uint8Array([ED25519_TYPE]), seed).toBase64()
  }`;
}

/** Parses an skey (as {@link formatSignerKey} writes it, or Go's `note.GenerateKey`). */
export async function parseSignerKey(skey: string): Promise<SignerKey> {
  const text = skey.trim();
  if (!text.startsWith("PRIVATE+KEY+")) {
    throw new TlogError("invalid-key", `Cannot read signer key: it does not start "PRIVATE+KEY+"`);
  }
  const { name, id, key: seed } = splitKey(text.slice("PRIVATE+KEY+".length), "signer key");
  const { privateKey, publicKey } = await importEd25519Seed(seed);
  if (await noteKeyId(name, ED25519_TYPE, publicKey) !== id) {
    throw new TlogError("invalid-key", "Cannot read signer key: its key ID does not match");
  }
  return {
    name,
    keyId: id,
    publicKey,
    vkey: await formatVerifierKey(name, publicKey),
    sign: async (message) =>
      new Uint8Array(
        await crypto.subtle.sign("Ed25519", privateKey, message as Uint8Array<ArrayBuffer>),
      ),
  };
}
