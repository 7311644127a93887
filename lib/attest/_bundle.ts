/**
 * Release attestations: an in-toto Statement v1 naming `ns:name@version` and the SHA-256 of its
 * bytes, in a DSSE envelope signed with the publisher's Ed25519 key, in a Sigstore bundle v0.3 in
 * public-key mode (no certificate, no Rekor entry): the object cosign attaches to OCI artifacts
 * and `@sigstore/verify` or `cosign verify-blob-attestation --key` check.
 *
 * The DSSE signature's `keyid` is left empty (cosign skips signatures whose keyid is not its own
 * idea of the key's ID); wreg's key ID goes in `verificationMaterial.publicKey.hint`.
 */
import {
  type Digest,
  formatPackageName,
  type PackageName,
  tryParseDigest,
  type Version,
} from "../names/mod.ts";
import { AttestError } from "./_errors.ts";
import { type PublisherKey, publisherKeyId, verifyEd25519 } from "./_keys.ts";

/** The media type of a Sigstore bundle v0.3 (JSON). */
export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** The in-toto statement type. */
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
/**
 * The predicate type of a wreg release statement. A URN, since wreg owns no domain to name it by;
 * the predicate itself is empty: the subject says everything signed.
 */
export const RELEASE_PREDICATE_TYPE = "urn:wreg:release:v1";
/** The largest bundle accepted, in bytes. */
export const MAX_BUNDLE_SIZE = 16 * 1024;

/** What a release attestation names. */
export interface ReleaseSubject {
  /** The package. */
  readonly package: PackageName;
  /** The version. */
  readonly version: Version;
  /** The digest of the version's bytes. */
  readonly digest: Digest;
}

const encoder = new TextEncoder();

/** The in-toto statement of a release, as the exact bytes that are signed. */
export function encodeReleaseStatement(s: ReleaseSubject): Uint8Array {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{
      name: `${formatPackageName(s.package)}@${s.version}`,
      digest: { sha256: s.digest.slice("sha256:".length) },
    }],
    predicateType: RELEASE_PREDICATE_TYPE,
    predicate: {},
  };
  return encoder.encode(JSON.stringify(statement));
}

/** DSSE's pre-authentication encoding: `DSSEv1 <len> <type> <len> <payload>`. */
export function dssePae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Signs a release: returns the Sigstore bundle as JSON text. */
export async function signRelease(subject: ReleaseSubject, key: PublisherKey): Promise<string> {
  const payload = encodeReleaseStatement(subject);
  const sig = await key.sign(dssePae(IN_TOTO_PAYLOAD_TYPE, payload));
  return JSON.stringify({
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: {
      publicKey: { hint: key.keyId },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: payload.toBase64(),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: sig.toBase64(), keyid: "" }],
    },
  });
}

/** A bundle's parts, checked for shape only. */
export interface ParsedBundle {
  /** The key ID the bundle names (`verificationMaterial.publicKey.hint`). */
  readonly keyId: string;
  /** The DSSE payload (the statement's bytes). */
  readonly payload: Uint8Array;
  /** The DSSE signatures. */
  readonly signatures: readonly Uint8Array[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function decodeBase64(text: unknown, what: string): Uint8Array {
  if (typeof text !== "string") throw badBundle(`${what} is not a string`);
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    throw badBundle(`${what} is not base64`);
  }
}

function badBundle(why: string): AttestError {
  return new AttestError("invalid-bundle", `Cannot read signature bundle: ${why}`);
}

/** Parses a Sigstore bundle v0.3 with a DSSE envelope and a public-key hint. */
export function parseBundle(input: string | Uint8Array): ParsedBundle {
  if (input.length > MAX_BUNDLE_SIZE) throw badBundle(`it is larger than ${MAX_BUNDLE_SIZE} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(
      typeof input === "string" ? input : new TextDecoder("utf-8", { fatal: true }).decode(input),
    );
  } catch {
    throw badBundle("it is not JSON");
  }
  if (!isObject(json)) throw badBundle("it is not a JSON object");
  if (json.mediaType !== BUNDLE_MEDIA_TYPE) {
    throw badBundle(`its mediaType is ${JSON.stringify(json.mediaType)}, not ${BUNDLE_MEDIA_TYPE}`);
  }
  const material = json.verificationMaterial;
  if (!isObject(material) || !isObject(material.publicKey)) {
    throw badBundle("it has no verificationMaterial.publicKey (only public-key bundles are read)");
  }
  const keyId = material.publicKey.hint;
  if (typeof keyId !== "string" || !/^[0-9a-f]{64}$/.test(keyId)) {
    throw badBundle("its publicKey.hint is not a key ID (64 lowercase hex)");
  }
  const env = json.dsseEnvelope;
  if (!isObject(env)) throw badBundle("it has no dsseEnvelope");
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw badBundle(`its payloadType is not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  const payload = decodeBase64(env.payload, "the payload");
  if (!Array.isArray(env.signatures) || env.signatures.length === 0 || env.signatures.length > 8) {
    throw badBundle("its envelope has no signatures (or too many)");
  }
  const signatures = env.signatures.map((s, i) => {
    if (!isObject(s)) throw badBundle(`signature ${i} is not an object`);
    return decodeBase64(s.sig, `signature ${i}`);
  });
  return { keyId, payload, signatures };
}

/** The subject a statement names, checked for shape. */
function statementSubject(payload: Uint8Array): { name: string; sha256: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    throw badBundle("the signed payload is not JSON");
  }
  if (!isObject(json) || json._type !== STATEMENT_TYPE) {
    throw badBundle(`the signed payload is not an in-toto statement (${STATEMENT_TYPE})`);
  }
  if (json.predicateType !== RELEASE_PREDICATE_TYPE) {
    throw badBundle(
      `the statement's predicateType is ${
        JSON.stringify(json.predicateType)
      }, not ${RELEASE_PREDICATE_TYPE}`,
    );
  }
  const subject = json.subject;
  if (!Array.isArray(subject) || subject.length !== 1 || !isObject(subject[0])) {
    throw badBundle("the statement must name exactly one subject");
  }
  const { name, digest } = subject[0];
  if (typeof name !== "string" || !isObject(digest) || typeof digest.sha256 !== "string") {
    throw badBundle("the statement's subject has no name or sha256 digest");
  }
  return { name, sha256: digest.sha256 };
}

/** What {@link verifyReleaseBundle} found. */
export interface VerifiedRelease {
  /** The key ID that signed. */
  readonly keyId: string;
}

/**
 * Verifies a release bundle: the key it names must be one of `keys` (DER SubjectPublicKeyInfo,
 * looked up by key ID, each checked to hash to its ID), a signature must verify over the DSSE
 * encoding of the payload, and the statement must name exactly `expected` (package, version and
 * digest). Throws an {@link AttestError}: `unknown-key`, `bad-signature`, `wrong-subject`,
 * `invalid-bundle`.
 */
export async function verifyReleaseBundle(
  bundle: string | Uint8Array | ParsedBundle,
  expected: ReleaseSubject,
  keys: ReadonlyMap<string, Uint8Array>,
): Promise<VerifiedRelease> {
  const b = typeof bundle === "string" || bundle instanceof Uint8Array
    ? parseBundle(bundle)
    : bundle;
  const spki = keys.get(b.keyId);
  if (!spki || await publisherKeyId(spki) !== b.keyId) {
    throw new AttestError(
      "unknown-key",
      `Cannot accept signature: key ${b.keyId} is not registered for namespace ${expected.package.namespace}`,
    );
  }
  const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, b.payload);
  let ok = false;
  for (const sig of b.signatures) {
    if (await verifyEd25519(spki, pae, sig)) {
      ok = true;
      break;
    }
  }
  if (!ok) {
    throw new AttestError(
      "bad-signature",
      `Cannot accept signature: it does not verify with key ${b.keyId} (altered or made by another key)`,
    );
  }
  const { name, sha256 } = statementSubject(b.payload);
  const wantName = `${formatPackageName(expected.package)}@${expected.version}`;
  const gotDigest = tryParseDigest(`sha256:${sha256}`);
  if (name !== wantName || gotDigest !== expected.digest) {
    throw new AttestError(
      "wrong-subject",
      `Cannot accept signature: it signs ${name} with sha256:${sha256}, not ${wantName} with ${expected.digest}`,
    );
  }
  return { keyId: b.keyId };
}
