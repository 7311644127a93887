/**
 * Publisher keys: Ed25519 as DER SubjectPublicKeyInfo (RFC 8410) and PKCS#8, their PEM forms, and
 * the key ID wreg uses everywhere (in log entries, bundles and locks): the lowercase hex SHA-256
 * of the DER SubjectPublicKeyInfo, which `openssl pkey -pubin -outform DER | sha256sum` prints.
 */
import { AttestError } from "./_errors.ts";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo, before the 32-byte key. */
const SPKI_PREFIX = Uint8Array.fromHex("302a300506032b6570032100");
/** DER prefix of an Ed25519 PKCS#8 private key (v1, no public key), before the 32-byte seed. */
const PKCS8_PREFIX = Uint8Array.fromHex("302e020100300506032b657004220420");

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** The DER SubjectPublicKeyInfo of a raw 32-byte Ed25519 public key. */
export function ed25519Spki(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) {
    throw new AttestError("invalid-key", "Cannot encode key: an Ed25519 key has 32 bytes");
  }
  const out = new Uint8Array(SPKI_PREFIX.length + 32);
  out.set(SPKI_PREFIX);
  out.set(publicKey, SPKI_PREFIX.length);
  return out;
}

/** The raw 32-byte key of an Ed25519 SubjectPublicKeyInfo; refuses any other kind of key. */
export function ed25519FromSpki(spki: Uint8Array): Uint8Array {
  if (spki.length !== SPKI_PREFIX.length + 32 || !startsWith(spki, SPKI_PREFIX)) {
    throw new AttestError(
      "invalid-key",
      "Cannot use public key: it is not an Ed25519 SubjectPublicKeyInfo (RFC 8410)",
    );
  }
  return spki.slice(SPKI_PREFIX.length);
}

/** The key ID of a public key: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo. */
export async function publisherKeyId(spki: Uint8Array): Promise<string> {
  const h = await crypto.subtle.digest("SHA-256", spki as Uint8Array<ArrayBuffer>);
  return new Uint8Array(h).toHex();
}

function pem(label: string, der: Uint8Array): string {
  const b64 = der.toBase64();
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function unpem(label: string, text: string, what: string): Uint8Array {
  const m = new RegExp(
    `^\\s*-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)-----END ${label}-----\\s*$`,
  ).exec(text);
  if (!m) {
    throw new AttestError(
      "invalid-key",
      `Cannot read ${what}: expected one PEM block "-----BEGIN ${label}-----"`,
    );
  }
  try {
    return Uint8Array.fromBase64(m[1].replace(/[\r\n]/g, ""));
  } catch {
    throw new AttestError("invalid-key", `Cannot read ${what}: the PEM body is not base64`);
  }
}

/** A DER SubjectPublicKeyInfo as PEM (`-----BEGIN PUBLIC KEY-----`, 64 columns). */
export function formatPublicKeyPem(spki: Uint8Array): string {
  return pem("PUBLIC KEY", spki);
}

/** The DER SubjectPublicKeyInfo of a PEM public key; refuses keys other than Ed25519. */
export function parsePublicKeyPem(text: string): Uint8Array {
  const spki = unpem("PUBLIC KEY", text, "public key");
  ed25519FromSpki(spki);
  return spki;
}

/** A PKCS#8 private key as PEM (`-----BEGIN PRIVATE KEY-----`), as OpenSSL writes it. */
export function formatPrivateKeyPem(pkcs8: Uint8Array): string {
  return pem("PRIVATE KEY", pkcs8);
}

/** A publisher's signing key, imported. */
export interface PublisherKey {
  /** The key ID (hex SHA-256 of `spki`). */
  readonly keyId: string;
  /** The DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** Signs bytes (Ed25519, RFC 8032; deterministic). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * Imports an Ed25519 private key from PEM PKCS#8 (as {@link formatPrivateKeyPem} or
 * `openssl genpkey -algorithm ed25519` writes it).
 */
export async function importPrivateKeyPem(text: string): Promise<PublisherKey> {
  const pkcs8 = unpem("PRIVATE KEY", text, "private key");
  // OpenSSL may write the v2 form with the public key appended; only the seed matters.
  if (!startsWith(pkcs8, PKCS8_PREFIX.slice(0, 2)) || pkcs8.length < 48) {
    throw new AttestError("invalid-key", "Cannot read private key: it is not Ed25519 PKCS#8");
  }
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey(
      "pkcs8",
      pkcs8 as Uint8Array<ArrayBuffer>,
      "Ed25519",
      true,
      ["sign"],
    );
  } catch {
    throw new AttestError("invalid-key", "Cannot read private key: it is not Ed25519 PKCS#8");
  }
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const spki = ed25519Spki(Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" }));
  return {
    keyId: await publisherKeyId(spki),
    spki,
    sign: async (message) =>
      new Uint8Array(
        await crypto.subtle.sign("Ed25519", key, message as Uint8Array<ArrayBuffer>),
      ),
  };
}

/** Whether `signature` is the Ed25519 signature of `message` by the key `spki`. */
export async function verifyEd25519(
  spki: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== 64) return false;
  const key = await crypto.subtle.importKey(
    "spki",
    ed25519Spki(ed25519FromSpki(spki)) as Uint8Array<ArrayBuffer>,
    "Ed25519",
    false,
    ["verify"],
  );
  return crypto.subtle.verify(
    "Ed25519",
    key,
    signature as Uint8Array<ArrayBuffer>,
    message as Uint8Array<ArrayBuffer>,
  );
}
