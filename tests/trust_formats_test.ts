/**
 * wreg's log and signature formats, checked by verifiers nobody on wreg wrote: a log of 300
 * release entries made with lib/tlog, written out as static tiles, is accepted by the Go oracle
 * (x/mod sumdb + transparency-dev), and every tampered copy is refused; a release bundle made with
 * lib/attest is accepted by @sigstore/verify, and every tampered case refused.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { parseDigest, parsePackageName, parseVersion } from "../lib/names/mod.ts";
import {
  appendLeaves,
  encodeEntryBundle,
  encodeLogEntry,
  entryBundlesOfSize,
  formatCheckpoint,
  formatSignerKey,
  formatTilePath,
  formatTlogProof,
  leafHash,
  memoryHashReader,
  parseSignerKey,
  proveInclusion,
  readTile,
  type ReleaseEntry,
  signNote,
  type StoredNode,
  tilesOfSize,
  treeHash,
} from "../lib/tlog/mod.ts";
import { formatPublicKeyPem, signRelease } from "../lib/attest/mod.ts";
import { oracle, sigstoreVerify } from "./support/trust_verifiers.ts";
import { newPublisherKey } from "./support/trust_proxy.ts";

const ORIGIN = "wreg.example/log";

function release(i: number, signer: string | null = null): ReleaseEntry {
  return {
    type: "release",
    package: parsePackageName(`demo:pkg${i % 17}`),
    version: parseVersion(`0.${Math.floor(i / 17)}.0`),
    digest: parseDigest(`sha256:${(i.toString(16).padStart(2, "0")).repeat(32).slice(0, 64)}`),
    signer,
  };
}

/** A log of `n` entries written out as static files: checkpoint, tiles, entry bundles. */
async function writeLog(dir: string, n: number, seed: number) {
  const entries = Array.from({ length: n }, (_, i) => encodeLogEntry(release(i)));
  const nodes: StoredNode[] = [];
  nodes.push(
    ...await appendLeaves(0, await Promise.all(entries.map(leafHash)), memoryHashReader(nodes)),
  );
  const read = memoryHashReader(nodes);
  const signer = await parseSignerKey(await formatSignerKey(ORIGIN, new Uint8Array(32).fill(seed)));
  const checkpointAt = async (size: number) =>
    await signNote(
      formatCheckpoint({ origin: ORIGIN, size, root: await treeHash(size, read) }),
      [signer],
    );
  const write = async (path: string, bytes: Uint8Array | string) => {
    await Deno.mkdir(dirname(join(dir, path)), { recursive: true });
    await (typeof bytes === "string"
      ? Deno.writeTextFile(join(dir, path), bytes)
      : Deno.writeFile(join(dir, path), bytes));
  };
  const checkpoint = await checkpointAt(n);
  await write("checkpoint", checkpoint);
  for (const tile of tilesOfSize(n)) await write(formatTilePath(tile), await readTile(tile, read));
  for (const b of entryBundlesOfSize(n)) {
    const first = b.index * 256;
    await write(formatTilePath(b), encodeEntryBundle(entries.slice(first, first + b.width)));
  }
  return { entries, read, signer, checkpoint, checkpointAt };
}

Deno.test("the Go oracle accepts wreg's tiles, checkpoints and proofs and refuses tampered ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-oracle-" });
  try {
    const log = await writeLog(join(dir, "log"), 300, 1);
    const vkey = log.signer.vkey;
    const old = await log.checkpointAt(200);
    await Deno.writeTextFile(join(dir, "old.checkpoint"), old);

    const tiles = await oracle(
      "tiles",
      "-log",
      vkey,
      "-dir",
      join(dir, "log"),
      "-old",
      join(dir, "old.checkpoint"),
    );
    assert.ok(tiles.ok, tiles.output);
    assert.match(tiles.output, /OK consistency 200 -> 300/);
    assert.match(
      tiles.output,
      /OK tiles of wreg\.example\/log size 300: 3 hash tiles, 300 entries/,
    );

    for (const index of [0, 7, 255, 256, 299]) {
      const proof = formatTlogProof({
        index,
        path: await proveInclusion(index, 300, log.read),
        checkpoint: log.checkpoint,
      });
      await Deno.writeTextFile(join(dir, `p${index}`), proof);
      await Deno.writeFile(join(dir, `e${index}`), log.entries[index]);
      const inc = await oracle(
        "inclusion",
        "-log",
        vkey,
        "-entry",
        join(dir, `e${index}`),
        "-proof",
        join(dir, `p${index}`),
      );
      assert.ok(inc.ok, inc.output);
    }

    // A changed digest in the entry: not included.
    await Deno.writeFile(
      join(dir, "changed"),
      encodeLogEntry({ ...release(7), digest: parseDigest(`sha256:${"ee".repeat(32)}`) }),
    );
    let r = await oracle(
      "inclusion",
      "-log",
      vkey,
      "-entry",
      join(dir, "changed"),
      "-proof",
      join(dir, "p7"),
    );
    assert.ok(!r.ok && /invalid transparency proof|inclusion/i.test(r.output), r.output);
    // Entry 8 with the proof of 7.
    r = await oracle(
      "inclusion",
      "-log",
      vkey,
      "-entry",
      join(dir, "e256"),
      "-proof",
      join(dir, "p7"),
    );
    assert.ok(!r.ok, r.output);

    // An edited checkpoint (size changed): the log's signature no longer verifies.
    const edited = log.checkpoint.replace("\n300\n", "\n301\n");
    await Deno.writeTextFile(join(dir, "edited"), edited);
    r = await oracle("checkpoint", "-log", vkey, "-file", join(dir, "edited"));
    assert.ok(!r.ok && /signature/i.test(r.output), r.output);
    const good = await oracle("checkpoint", "-log", vkey, "-file", join(dir, "log", "checkpoint"));
    assert.ok(good.ok, good.output);

    // Another key under the same name.
    const other = await parseSignerKey(await formatSignerKey(ORIGIN, new Uint8Array(32).fill(2)));
    r = await oracle("checkpoint", "-log", other.vkey, "-file", join(dir, "log", "checkpoint"));
    assert.ok(!r.ok && /no verifiable signatures|signature/i.test(r.output), r.output);

    // One byte of a hash tile flipped.
    const tilePath = join(dir, "log", "tile/0/000");
    const tile = await Deno.readFile(tilePath);
    tile[100] ^= 1;
    await Deno.writeFile(tilePath, tile);
    r = await oracle("tiles", "-log", vkey, "-dir", join(dir, "log"));
    assert.ok(!r.ok && /inconsistent tile|tree hash/i.test(r.output), r.output);
    tile[100] ^= 1;
    await Deno.writeFile(tilePath, tile);

    // One byte of an entry bundle changed.
    const bundlePath = join(dir, "log", "tile/entries/001.p/44");
    const bundle = await Deno.readFile(bundlePath);
    bundle[20] ^= 1;
    await Deno.writeFile(bundlePath, bundle);
    r = await oracle("tiles", "-log", vkey, "-dir", join(dir, "log"));
    assert.ok(!r.ok && /does not match its leaf hash/.test(r.output), r.output);
    bundle[20] ^= 1;
    await Deno.writeFile(bundlePath, bundle);

    // A fork: a validly signed size-200 checkpoint of another history is not consistent.
    const forkDir = join(dir, "fork");
    const fork = await writeForkedLog(forkDir, 200, log.signer.vkey);
    await Deno.writeTextFile(join(dir, "forked.checkpoint"), fork);
    r = await oracle(
      "tiles",
      "-log",
      vkey,
      "-dir",
      join(dir, "log"),
      "-old",
      join(dir, "forked.checkpoint"),
    );
    assert.ok(!r.ok && /invalid transparency proof|consistency/i.test(r.output), r.output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A checkpoint of size `n` over other entries, signed with the same log key (seed 1). */
async function writeForkedLog(dir: string, n: number, vkey: string): Promise<string> {
  const entries = Array.from({ length: n }, (_, i) => encodeLogEntry(release(i + 1000)));
  const nodes = await appendLeaves(
    0,
    await Promise.all(entries.map(leafHash)),
    memoryHashReader([]),
  );
  const signer = await parseSignerKey(await formatSignerKey(ORIGIN, new Uint8Array(32).fill(1)));
  assert.equal(signer.vkey, vkey);
  await Deno.mkdir(dir, { recursive: true });
  return signNote(
    formatCheckpoint({ origin: ORIGIN, size: n, root: await treeHash(n, memoryHashReader(nodes)) }),
    [signer],
  );
}

Deno.test("@sigstore/verify accepts wreg's release bundles and refuses tampered ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-sigstore-" });
  try {
    const key = await newPublisherKey();
    const stranger = await newPublisherKey();
    const artifact = new TextEncoder().encode("\0asm component bytes");
    const digest = parseDigest(
      `sha256:${new Uint8Array(await crypto.subtle.digest("SHA-256", artifact)).toHex()}`,
    );
    const subject = {
      package: parsePackageName("demo:pkg7"),
      version: parseVersion("0.0.2"),
      digest,
    };
    const bundle = await signRelease(subject, key);
    const p = (f: string) => join(dir, f);
    await Deno.writeTextFile(p("bundle.json"), bundle);
    await Deno.writeFile(p("artifact.wasm"), artifact);
    await Deno.writeFile(p("other.wasm"), new TextEncoder().encode("other bytes"));
    await Deno.writeTextFile(p("key.pem"), formatPublicKeyPem(key.spki));
    await Deno.writeTextFile(p("stranger.pem"), formatPublicKeyPem(stranger.spki));

    const ok = await sigstoreVerify(
      p("bundle.json"),
      p("artifact.wasm"),
      p("key.pem"),
      "demo:pkg7@0.0.2",
    );
    assert.ok(ok.ok, ok.output);

    const refusals: [string, Promise<{ ok: boolean; output: string }>, RegExp][] = [
      [
        "other bytes",
        sigstoreVerify(p("bundle.json"), p("other.wasm"), p("key.pem"), "demo:pkg7@0.0.2"),
        /does not name/,
      ],
      [
        "another version",
        sigstoreVerify(p("bundle.json"), p("artifact.wasm"), p("key.pem"), "demo:pkg7@0.0.3"),
        /does not name/,
      ],
      [
        "another key",
        sigstoreVerify(p("bundle.json"), p("artifact.wasm"), p("stranger.pem"), "demo:pkg7@0.0.2"),
        /PUBLIC_KEY_ERROR/,
      ],
      [
        "another key under the bundle's key ID",
        sigstoreVerify(p("bundle.json"), p("artifact.wasm"), p("stranger.pem"), "demo:pkg7@0.0.2", {
          fileUnderHint: true,
        }),
        /SIGNATURE_ERROR/,
      ],
    ];
    // The statement edited after signing (another digest), same signature.
    const json = JSON.parse(bundle);
    const statement = JSON.parse(
      new TextDecoder().decode(Uint8Array.fromBase64(json.dsseEnvelope.payload)),
    );
    statement.subject[0].digest.sha256 = "00".repeat(32);
    json.dsseEnvelope.payload = new TextEncoder().encode(JSON.stringify(statement)).toBase64();
    await Deno.writeTextFile(p("edited.json"), JSON.stringify(json));
    refusals.push([
      "edited statement",
      sigstoreVerify(p("edited.json"), p("artifact.wasm"), p("key.pem"), "demo:pkg7@0.0.2"),
      /SIGNATURE_ERROR/,
    ]);
    for (const [what, run, why] of refusals) {
      const r = await run;
      assert.ok(!r.ok, `${what}: ${r.output}`);
      assert.match(r.output, why, what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
