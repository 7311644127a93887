/**
 * Publisher keys and release attestations, pure: Ed25519 keys as DER SubjectPublicKeyInfo, PKCS#8
 * and PEM; wreg's key ID (lowercase hex SHA-256 of the DER SubjectPublicKeyInfo); the in-toto
 * statement of a release (`ns:name@version` and the SHA-256 of its bytes) in a DSSE envelope, in a
 * Sigstore bundle v0.3 in public-key mode, made and verified with WebCrypto.
 *
 * @example
 * ```ts
 * import {
 *   formatPrivateKeyPem, importPrivateKeyPem, signRelease, verifyReleaseBundle,
 * } from "./mod.ts";
 * import { parseDigest, parsePackageName, parseVersion } from "../names/mod.ts";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
 * const pem = formatPrivateKeyPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)));
 * const key = await importPrivateKeyPem(pem);
 * const release = {
 *   package: parsePackageName("docs:hello"), version: parseVersion("1.0.0"),
 *   digest: parseDigest("sha256:" + "ab".repeat(32)),
 * };
 * const bundle = await signRelease(release, key);
 * const { keyId } = await verifyReleaseBundle(bundle, release, new Map([[key.keyId, key.spki]]));
 * console.assert(keyId === key.keyId);
 * ```
 *
 * @module
 */
export { AttestError, type AttestErrorCode } from "./_errors.ts";
export {
  ed25519FromSpki,
  ed25519Spki,
  formatPrivateKeyPem,
  formatPublicKeyPem,
  importPrivateKeyPem,
  parsePublicKeyPem,
  type PublisherKey,
  publisherKeyId,
  verifyEd25519,
} from "./_keys.ts";
export {
  BUNDLE_MEDIA_TYPE,
  dssePae,
  encodeReleaseStatement,
  IN_TOTO_PAYLOAD_TYPE,
  MAX_BUNDLE_SIZE,
  parseBundle,
  type ParsedBundle,
  RELEASE_PREDICATE_TYPE,
  type ReleaseSubject,
  signRelease,
  STATEMENT_TYPE,
  type VerifiedRelease,
  verifyReleaseBundle,
} from "./_bundle.ts";
