import assert from "node:assert/strict";
import { parseDigest, parsePackageName, parseVersion } from "../names/mod.ts";
import {
  dssePae,
  formatPrivateKeyPem,
  formatPublicKeyPem,
  importPrivateKeyPem,
  parseBundle,
  parsePublicKeyPem,
  publisherKeyId,
  signRelease,
  verifyReleaseBundle,
} from "./mod.ts";

async function newKey() {
  const pair = await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return importPrivateKeyPem(formatPrivateKeyPem(pkcs8));
}

const release = {
  package: parsePackageName("demo:pkg7"),
  version: parseVersion("0.0.2"),
  digest: parseDigest(`sha256:${"8e".repeat(32)}`),
};

Deno.test("a signed release verifies with its key and names exactly its subject", async () => {
  const key = await newKey();
  const keys = new Map([[key.keyId, key.spki]]);
  const bundle = await signRelease(release, key);
  assert.equal((await verifyReleaseBundle(bundle, release, keys)).keyId, key.keyId);
  const json = JSON.parse(bundle);
  assert.equal(json.dsseEnvelope.signatures[0].keyid, "");
  assert.equal(json.verificationMaterial.publicKey.hint, key.keyId);
  const statement = JSON.parse(
    new TextDecoder().decode(Uint8Array.fromBase64(json.dsseEnvelope.payload)),
  );
  assert.deepEqual(statement.subject, [{
    name: "demo:pkg7@0.0.2",
    digest: { sha256: "8e".repeat(32) },
  }]);

  // Another version, another digest, another package: refused as the wrong subject.
  for (
    const other of [
      { ...release, version: parseVersion("0.0.3") },
      { ...release, digest: parseDigest(`sha256:${"8f".repeat(32)}`) },
      { ...release, package: parsePackageName("demo:pkg8") },
    ]
  ) {
    await assert.rejects(verifyReleaseBundle(bundle, other, keys), { code: "wrong-subject" });
  }
  // A key not registered; another key filed under the bundle's key ID; an edited statement.
  const stranger = await newKey();
  await assert.rejects(
    verifyReleaseBundle(bundle, release, new Map([[stranger.keyId, stranger.spki]])),
    { code: "unknown-key" },
  );
  await assert.rejects(
    verifyReleaseBundle(bundle, release, new Map([[key.keyId, stranger.spki]])),
    { code: "unknown-key" },
  );
  const edited = structuredClone(json);
  edited.dsseEnvelope.payload = new TextEncoder().encode(
    JSON.stringify({ ...statement, predicate: { x: 1 } }),
  ).toBase64();
  await assert.rejects(verifyReleaseBundle(JSON.stringify(edited), release, keys), {
    code: "bad-signature",
  });
  assert.throws(() => parseBundle("{}"), { code: "invalid-bundle" });
  assert.throws(() => parseBundle("not json"), { code: "invalid-bundle" });
});

Deno.test("DSSE's pre-authentication encoding counts bytes", () => {
  assert.equal(
    new TextDecoder().decode(dssePae("t/ü", new TextEncoder().encode("héllo"))),
    "DSSEv1 4 t/ü 6 héllo",
  );
});

Deno.test("keys: PEM round-trips, and the key ID is what openssl computes", async () => {
  const key = await newKey();
  const pem = formatPublicKeyPem(key.spki);
  assert.deepEqual(parsePublicKeyPem(pem), key.spki);
  assert.throws(() => parsePublicKeyPem(pem.replace("PUBLIC", "PRIVATE")), { code: "invalid-key" });
  const dir = await Deno.makeTempDir();
  try {
    // An OpenSSL-made private key imports, and OpenSSL's public key hashes to our key ID.
    const gen = await new Deno.Command("openssl", {
      args: ["genpkey", "-algorithm", "ed25519", "-out", `${dir}/k.pem`],
    }).output();
    assert.ok(gen.success, new TextDecoder().decode(gen.stderr));
    const ours = await importPrivateKeyPem(await Deno.readTextFile(`${dir}/k.pem`));
    const der = await new Deno.Command("openssl", {
      args: ["pkey", "-in", `${dir}/k.pem`, "-pubout", "-outform", "DER"],
      stdout: "piped",
    }).output();
    assert.ok(der.success);
    assert.deepEqual(ours.spki, der.stdout);
    assert.equal(ours.keyId, await publisherKeyId(der.stdout));
    const sha = new Uint8Array(await crypto.subtle.digest("SHA-256", der.stdout)).toHex();
    assert.equal(ours.keyId, sha);
    // And OpenSSL verifies a signature we make (raw Ed25519 over the message).
    const msg = new TextEncoder().encode("wreg-release/v1 demo:pkg7 0.0.2\n");
    await Deno.writeFile(`${dir}/msg`, msg);
    await Deno.writeFile(`${dir}/sig`, await ours.sign(msg));
    await Deno.writeTextFile(`${dir}/pub.pem`, formatPublicKeyPem(ours.spki));
    const check = await new Deno.Command("openssl", {
      args: [
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        `${dir}/pub.pem`,
        "-rawin",
        "-in",
        `${dir}/msg`,
        "-sigfile",
        `${dir}/sig`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(
      check.success,
      new TextDecoder().decode(check.stdout) + new TextDecoder().decode(check.stderr),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
