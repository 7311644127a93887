#!/usr/bin/env node
// Checks a Sigstore bundle the way a consumer outside wreg would: with @sigstore/verify (the
// reference JavaScript verifier of the Sigstore project, 3.1.x on Node 20), in public-key mode
// with no transparency log, certificate log or timestamp required, plus the two checks the
// library leaves to the caller: the in-toto statement names the artifact's SHA-256 and the
// expected `ns:name@version`.
//
//   node tests/support/sigstore_verify.mjs BUNDLE ARTIFACT PUBLIC_KEY_PEM NAME [--file-under-hint]
//
// The key is filed under its own key ID (hex SHA-256 of its DER SubjectPublicKeyInfo), or, with
// --file-under-hint, under whatever key ID the bundle names (to show that a key swapped under the
// right ID fails the signature). Prints "OK ..." and exits 0, or "FAIL: ..." and exits 1.
import { createHash, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { bundleFromJSON } from "@sigstore/bundle";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";

const [bundlePath, artifactPath, keyPath, name] = process.argv.slice(2);
const underHint = process.argv.includes("--file-under-hint");
try {
  const json = JSON.parse(readFileSync(bundlePath, "utf8"));
  const bundle = bundleFromJSON(json);
  const der = createPublicKey(readFileSync(keyPath, "utf8")).export({
    type: "spki",
    format: "der",
  });
  const keyId = underHint
    ? json.verificationMaterial.publicKey.hint
    : createHash("sha256").update(der).digest("hex");
  const trust = toTrustMaterial(
    {
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    },
    { [keyId]: { rawBytes: der, keyDetails: "PKIX_ED25519" } },
  );
  const verifier = new Verifier(trust, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  verifier.verify(toSignedEntity(bundle));
  const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, "base64").toString("utf8"));
  const sha256 = createHash("sha256").update(readFileSync(artifactPath)).digest("hex");
  const ok = statement.subject?.length === 1 && statement.subject[0].name === name &&
    statement.subject[0].digest?.sha256 === sha256;
  if (!ok) {
    throw new Error(`statement does not name ${name} with sha256:${sha256}`);
  }
  console.log(`OK ${name} signed by ${keyId}`);
} catch (e) {
  console.log(`FAIL: ${e.code ? `${e.code} ` : ""}${e.message}`);
  process.exit(1);
}
