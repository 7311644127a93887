/**
 * Verification of a lock of 100 packages in the CLI (issue 16; goal ≤ 50 ms): `wreg verify` on a
 * project whose 100 locked packages (64 KiB each, half of them signed) sit in the cache with their
 * log proofs (a log of 1,000 entries), beside the check wreg did before the log existed (each
 * cached blob re-hashed against its locked digest), interleaved rounds, paired ratio.
 *
 * @module
 */
import { interleaved, pairedRatio, summarize, table } from "./_harness.ts";
import { type Io, runWreg } from "../cli/mod.ts";
import { FakeLog, newPublisherKey } from "../tests/support/trust_proxy.ts";
import { formatPublicKeyPem, signRelease } from "../lib/attest/mod.ts";
import { digestOf, parsePackageName, parseRange, parseVersion } from "../lib/names/mod.ts";
import { type Lock, type LockedPackage, printLock } from "../lib/package/mod.ts";

const N = 100;
const root = await Deno.makeTempDir({ prefix: "wreg-bench-trust-" });
const cacheDir = `${root}/cache`;
const project = `${root}/project`;
await Deno.mkdir(project, { recursive: true });
const registry = "http://127.0.0.1:8080";
const io: Io = {
  stdout: () => {},
  stderr: (t) => void console.error(t),
  cwd: project,
  env: { WREG_CACHE_DIR: cacheDir, HOME: root },
  isTerminal: false,
};
const key = await newPublisherKey();
const log = await FakeLog.create("127.0.0.1/log");
// Other releases first, so the tree is of a realistic size.
for (let i = 0; i < 900; i++) {
  await log.logRelease(`other:p${i}`, "1.0.0", `sha256:${"ab".repeat(32)}`, null);
}
/** Where the CLI's cache keeps a blob (cli/_cache.ts). */
const blobPath = (digest: string) => {
  const hex = digest.slice("sha256:".length);
  return `${cacheDir}/blobs/sha256/${hex.slice(0, 2)}/${hex}`;
};
const packages: Record<string, LockedPackage> = {};
const bundles = new Map<string, string>();
for (let i = 0; i < N; i++) {
  const name = `bench:pkg${i}`;
  const bytes = crypto.getRandomValues(new Uint8Array(64 * 1024));
  const digest = await digestOf(bytes);
  await Deno.mkdir(blobPath(digest).replace(/\/[^/]+$/, ""), { recursive: true });
  await Deno.writeFile(blobPath(digest), bytes);
  const signed = i % 2 === 0;
  const subject = { package: parsePackageName(name), version: parseVersion("1.0.0"), digest };
  if (signed) bundles.set(name, await signRelease(subject, key));
  const index = await log.logRelease(name, "1.0.0", digest, signed ? key.keyId : null);
  packages[name] = {
    version: parseVersion("1.0.0"),
    kind: "component",
    registry,
    digest,
    log: { index },
    ...(signed ? { signer: key.keyId } : {}),
    requirements: { "wreg.json": parseRange("^1.0.0") },
    dependencies: {},
  };
}
// The cache as `wreg add` leaves it: proofs (all against the latest checkpoint), bundles, keys.
const enc = encodeURIComponent;
for (const name of Object.keys(packages)) {
  const [ns, pkg] = name.split(":");
  const dir = `${cacheDir}/trust/releases/${enc(registry)}/${ns}/${pkg}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/1.0.0.tlog-proof`, (await log.proof(`${name}@1.0.0`))!);
  if (bundles.has(name)) await Deno.writeTextFile(`${dir}/1.0.0.sigstore.json`, bundles.get(name)!);
}
await Deno.mkdir(`${cacheDir}/trust/keys/${enc(registry)}`, { recursive: true });
await Deno.writeTextFile(
  `${cacheDir}/trust/keys/${enc(registry)}/bench.json`,
  JSON.stringify({
    namespace: "bench",
    requireSignatures: false,
    keys: [{ keyId: key.keyId, publicKey: formatPublicKeyPem(key.spki) }],
  }),
);
// The CLI keys a log's state by its origin and key ID (`<name>+<hex>` of the vkey).
const logDir = `${cacheDir}/trust/logs/${enc(log.vkey.split("+").slice(0, 2).join("+"))}`;
await Deno.mkdir(logDir, { recursive: true });
await Deno.writeTextFile(`${logDir}/latest`, log.checkpoint);
const lock: Lock = { registries: { [registry]: { log: [log.vkey] } }, packages, fills: {} };
await Deno.writeTextFile(`${project}/wreg.lock`, printLock(lock));

const verify = async () => {
  const code = await runWreg(["verify", project], io);
  if (code !== 0) throw new Error(`wreg verify exited ${code}`);
};
// What the cache does on every read (cli/_cache.ts BlobCache.get): read the file, hash it.
const digestsOnly = async () => {
  for (const p of Object.values(packages)) {
    if (await digestOf(await Deno.readFile(blobPath(p.digest))) !== p.digest) throw new Error();
  }
};
const samples = await interleaved([
  ["digests only (before issue 16)", digestsOnly],
  ["wreg verify: digests + log + signatures", verify],
], 30);
const a = samples.get("wreg verify: digests + log + signatures")!;
const b = samples.get("digests only (before issue 16)")!;
console.log(
  table(
    `Verifying a lock of ${N} packages (64 KiB each, 50 signed; log of ${log.entries.length} entries)`,
    [
      summarize("digests only (before issue 16)", b),
      summarize("wreg verify: digests + log + signatures", a),
    ],
  ),
);
console.log(
  `paired ratio verify / digests only: ${pairedRatio(a, b).toFixed(2)}×; goal: verify ≤ 50 ms`,
);
await Deno.remove(root, { recursive: true });
