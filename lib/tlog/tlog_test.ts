import assert from "node:assert/strict";
import { parseDigest, parsePackageName, parseVersion } from "../names/mod.ts";
import {
  appendLeaves,
  decodeEntryBundle,
  encodeEntryBundle,
  encodeLogEntry,
  formatCheckpoint,
  formatLogEntry,
  formatSignerKey,
  formatTilePath,
  formatTlogProof,
  formatVerifierKey,
  type HashReader,
  leafHash,
  memoryHashReader,
  nodeHash,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseLogEntry,
  parseNote,
  parseSignerKey,
  parseTlogProof,
  parseVerifierKey,
  proveConsistency,
  proveInclusion,
  readTile,
  signNote,
  type StoredNode,
  type Tile,
  tileHashReader,
  tilesOfSize,
  TlogError,
  treeHash,
  tryParseTilePath,
  verifyConsistency,
  verifyInclusion,
  verifyTlogProof,
} from "./mod.ts";

const enc = new TextEncoder();

/** MTH by RFC 6962's recursive definition, straight from the leaves (the reference). */
async function mth(leaves: Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array()));
  }
  if (leaves.length === 1) return leafHash(leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(await mth(leaves.slice(0, k)), await mth(leaves.slice(k)));
}

async function buildLog(n: number): Promise<{ leaves: Uint8Array[]; nodes: StoredNode[] }> {
  const leaves = Array.from({ length: n }, (_, i) => enc.encode(`entry ${i}\n`));
  const nodes: StoredNode[] = [];
  // Append in uneven batches, so batch boundaries fall everywhere.
  for (let at = 0, step = 1; at < n; at += step, step = (step % 5) + 1) {
    const batch = leaves.slice(at, Math.min(n, at + step));
    nodes.push(
      ...await appendLeaves(at, await Promise.all(batch.map(leafHash)), memoryHashReader(nodes)),
    );
  }
  return { leaves, nodes };
}

const hex = (b: Uint8Array) => b.toHex();

Deno.test("treeHash() matches RFC 6962's definition and the CT test vectors", async () => {
  // The leaves of certificate-transparency's Merkle tests; root of all 8 is a known vector.
  const ct = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
  ].map((h) => Uint8Array.fromHex(h));
  const nodes = await appendLeaves(0, await Promise.all(ct.map(leafHash)), memoryHashReader([]));
  const read = memoryHashReader(nodes);
  assert.equal(
    hex(await treeHash(8, read)),
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  );
  assert.equal(
    hex(await treeHash(1, read)),
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  );
  assert.equal(
    hex(await treeHash(0, read)),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  for (let n = 1; n <= 8; n++) assert.deepEqual(await treeHash(n, read), await mth(ct.slice(0, n)));
});

Deno.test("inclusion proofs of every leaf of every tree up to 40 verify, and nothing else does", async () => {
  const { leaves, nodes } = await buildLog(40);
  const read = memoryHashReader(nodes);
  for (let n = 1; n <= 40; n++) {
    const root = await mth(leaves.slice(0, n));
    assert.deepEqual(await treeHash(n, read), root);
    for (let i = 0; i < n; i++) {
      const proof = await proveInclusion(i, n, read);
      const leaf = await leafHash(leaves[i]);
      await verifyInclusion(leaf, i, n, proof, root);
      if (n > 1) {
        // Another leaf, another index, a changed hash, a short proof: all refused.
        const other = await leafHash(leaves[(i + 1) % n]);
        await assert.rejects(verifyInclusion(other, i, n, proof, root), { code: "not-included" });
        await assert.rejects(
          verifyInclusion(leaf, (i + 1) % n, n, proof, root),
          { code: "not-included" },
        );
        const bent = proof.map((h) => h.slice());
        bent[0][0] ^= 1;
        await assert.rejects(verifyInclusion(leaf, i, n, bent, root), { code: "not-included" });
        await assert.rejects(
          verifyInclusion(leaf, i, n, proof.slice(1), root),
          { code: "not-included" },
        );
      }
    }
  }
});

Deno.test("consistency proofs between every pair of sizes up to 33 verify", async () => {
  const { leaves, nodes } = await buildLog(33);
  const read = memoryHashReader(nodes);
  const roots = [await mth([])];
  for (let n = 1; n <= 33; n++) roots.push(await mth(leaves.slice(0, n)));
  for (let n = 0; n <= 33; n++) {
    for (let m = 0; m <= n; m++) {
      const proof = await proveConsistency(m, n, read);
      await verifyConsistency(m, roots[m], n, roots[n], proof);
      if (m > 0 && m < n) {
        // The old root of another tree: a fork. A bent proof hash: a bad proof.
        const forked = roots[m].slice();
        forked[5] ^= 1;
        await assert.rejects(verifyConsistency(m, forked, n, roots[n], proof), (e) => {
          assert.ok(e instanceof TlogError);
          // When m is a power of two the old root is part of the proof, so the new root
          // cannot be reached either: the proof is then "bad", not a proven fork.
          assert.ok(e.code === "inconsistent" || e.code === "bad-consistency-proof");
          return true;
        });
        const bent = proof.map((h) => h.slice());
        bent[bent.length - 1][0] ^= 1;
        await assert.rejects(verifyConsistency(m, roots[m], n, roots[n], bent), {
          code: "bad-consistency-proof",
        });
      }
    }
  }
});

Deno.test("a fork shows as 'inconsistent': the new tree's proof cannot reach the old root", async () => {
  const { nodes } = await buildLog(20);
  const read = memoryHashReader(nodes);
  // Another history for the first 11 entries, same size, other root.
  const other = await buildLog(11);
  other.nodes.length = 0;
  const forkLeaves = Array.from({ length: 11 }, (_, i) => enc.encode(`forked ${i}\n`));
  const forkRoot = await mth(forkLeaves);
  const proof = await proveConsistency(11, 20, read);
  await assert.rejects(
    verifyConsistency(11, forkRoot, 20, await treeHash(20, read), proof),
    { code: "inconsistent" },
  );
  // Equal sizes, different roots.
  await assert.rejects(
    verifyConsistency(11, forkRoot, 11, await treeHash(11, read), []),
    { code: "inconsistent" },
  );
});

Deno.test("tile paths follow c2sp.org/tlog-tiles and parse back; odd spellings are refused", () => {
  const cases: [Tile, string][] = [
    [{ level: 0, index: 0, width: 256 }, "tile/0/000"],
    [{ level: 0, index: 1, width: 44 }, "tile/0/001.p/44"],
    [{ level: 1, index: 0, width: 1 }, "tile/1/000.p/1"],
    [{ level: 2, index: 1234067, width: 256 }, "tile/2/x001/x234/067"],
    [{ level: "entries", index: 1000, width: 7 }, "tile/entries/x001/000.p/7"],
  ];
  for (const [tile, path] of cases) {
    assert.equal(formatTilePath(tile), path);
    assert.deepEqual(tryParseTilePath(path), tile);
  }
  for (
    const bad of [
      "tile/0/1",
      "tile/00/000",
      "tile/0/x000/001",
      "tile/0/000.p/256",
      "tile/0/000.p/0",
      "tile/64/000",
      "tile/0/000/",
      "tile/0/000.p/044",
      "tiles/0/000",
    ]
  ) {
    assert.equal(tryParseTilePath(bad), undefined, bad);
  }
  // The size-300 log of the notes has exactly these hash tiles.
  assert.deepEqual(tilesOfSize(300).map(formatTilePath), [
    "tile/0/000",
    "tile/0/001.p/44",
    "tile/1/000.p/1",
  ]);
  assert.deepEqual(tilesOfSize(256).map(formatTilePath), ["tile/0/000", "tile/1/000.p/1"]);
  assert.deepEqual(tilesOfSize(0), []);
});

Deno.test("proofs made from tiles equal proofs made from stored hashes", async () => {
  const { leaves, nodes } = await buildLog(600);
  const read = memoryHashReader(nodes);
  for (const n of [1, 255, 256, 257, 511, 512, 600]) {
    let fetches = 0;
    const fromTiles: HashReader = tileHashReader(n, (tile) => {
      fetches++;
      return readTile(tile, read);
    });
    assert.deepEqual(await treeHash(n, fromTiles), await treeHash(n, read));
    for (const m of [1, 7, 200, 256, n - 1].filter((m) => m > 0 && m < n)) {
      assert.deepEqual(await proveConsistency(m, n, fromTiles), await proveConsistency(m, n, read));
    }
    assert.deepEqual(
      await proveInclusion(n - 1, n, fromTiles),
      await proveInclusion(n - 1, n, read),
    );
    assert.ok(fetches <= 6, `${fetches} tile fetches for size ${n}`);
  }
  // A tile of the wrong length is refused.
  const short = tileHashReader(600, (t) => readTile(t, read).then((b) => b.slice(1)));
  await assert.rejects(Promise.resolve().then(() => treeHash(600, short)), {
    code: "invalid-tile",
  });
  assert.equal(leaves.length, 600);
});

Deno.test("entry bundles round-trip and refuse trailing or missing bytes", () => {
  const entries = [enc.encode("a\n"), new Uint8Array(0), new Uint8Array(300).fill(7)];
  const bundle = encodeEntryBundle(entries);
  assert.deepEqual(decodeEntryBundle(bundle, 3), entries);
  assert.throws(() => decodeEntryBundle(bundle, 2), { code: "invalid-tile" });
  assert.throws(() => decodeEntryBundle(bundle.slice(0, -1), 3), { code: "invalid-tile" });
  assert.throws(() => decodeEntryBundle(new Uint8Array([...bundle, 0]), 3), {
    code: "invalid-tile",
  });
});

// Go's golang.org/x/mod/sumdb/note documentation example: the same key, the same signature.
const GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT = "If you think cryptography is the answer to your problem,\n" +
  "then you don't know what your problem is.\n";
const GO_NOTE = GO_TEXT + "\n" +
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

Deno.test("signed notes are byte-identical to Go's x/mod/sumdb/note", async () => {
  const signer = await parseSignerKey(GO_SKEY);
  assert.equal(signer.vkey, GO_VKEY);
  assert.equal(await signNote(GO_TEXT, [signer]), GO_NOTE);
  const verifier = await parseVerifierKey(GO_VKEY);
  const opened = await openNote(GO_NOTE, [verifier]);
  assert.equal(opened.text, GO_TEXT);
  assert.equal(opened.verified.length, 1);
  assert.equal(await formatSignerKey("PeterNeumann", await seedOf(GO_SKEY)), GO_SKEY);
});

function seedOf(skey: string) {
  return Uint8Array.fromBase64(skey.split("+").slice(4).join("+")).slice(1);
}

Deno.test("openNote() ignores unknown keys, refuses a bad known signature and unsigned notes", async () => {
  const a = await parseSignerKey(
    await formatSignerKey("a.example/log", new Uint8Array(32).fill(1)),
  );
  const b = await parseSignerKey(await formatSignerKey("b.example/w", new Uint8Array(32).fill(2)));
  const va = await parseVerifierKey(a.vkey);
  const vb = await parseVerifierKey(b.vkey);
  const note = await signNote("hello\n\nworld\n", [a, b]);
  assert.equal((await openNote(note, [va])).text, "hello\n\nworld\n");
  assert.equal((await openNote(note, [va, vb])).verified.length, 2);
  const edited = note.replace("world", "World");
  await assert.rejects(openNote(edited, [va]), { code: "bad-signature" });
  await assert.rejects(
    openNote(note, [
      await parseVerifierKey(
        await formatVerifierKey(
          "a.example/log",
          (await parseSignerKey(
            await formatSignerKey("a.example/log", new Uint8Array(32).fill(3)),
          )).publicKey,
        ),
      ),
    ]),
    { code: "unverified-note" },
  );
  // Same name, other key: its key ID differs, so the signature is unknown, not bad.
  for (
    const bad of [
      "no signature\n",
      "text\n\n",
      "text\n\n- a.example/log AAAA\n",
      "text\n\n— a.example/log AAAA\n",
      "text\n\n— a+b AAAAAAAA\n",
      "te\x01xt\n\n— a AAAAAAAA\n",
      "text\n\n— a AAAAAAAA",
    ]
  ) {
    assert.throws(() => parseNote(bad), { code: "invalid-note" }, JSON.stringify(bad));
  }
  await assert.rejects(parseVerifierKey(GO_VKEY.replace("c74f20a3", "c74f20a4")), {
    code: "invalid-key",
  });
});

Deno.test("checkpoints parse strictly and open only with the log's key and origin", async () => {
  const signer = await parseSignerKey(
    await formatSignerKey("wreg.example/log", new Uint8Array(32).fill(9)),
  );
  const root = new Uint8Array(32).fill(4);
  const text = formatCheckpoint({ origin: "wreg.example/log", size: 300, root });
  assert.equal(text, `wreg.example/log\n300\n${root.toBase64()}\n`);
  assert.deepEqual(parseCheckpoint(text), { origin: "wreg.example/log", size: 300, root });
  for (
    const bad of ["wreg.example/log\n0300\nAAAA\n", "o\n1\n", "o\n-1\n" + root.toBase64() + "\n"]
  ) {
    assert.throws(() => parseCheckpoint(bad), { code: "invalid-checkpoint" });
  }
  const note = await signNote(text, [signer]);
  const v = await parseVerifierKey(signer.vkey);
  const cp = await openCheckpoint(note, [v]);
  assert.equal(cp.size, 300);
  await assert.rejects(openCheckpoint(note, [v], "other.example/log"), { code: "origin-mismatch" });
});

Deno.test("tlog-proof@v1 round-trips and verifies only the logged entry", async () => {
  const { leaves, nodes } = await buildLog(300);
  const read = memoryHashReader(nodes);
  const signer = await parseSignerKey(
    await formatSignerKey("wreg.example/log", new Uint8Array(32).fill(5)),
  );
  const v = await parseVerifierKey(signer.vkey);
  const checkpoint = await signNote(
    formatCheckpoint({ origin: "wreg.example/log", size: 300, root: await treeHash(300, read) }),
    [signer],
  );
  const text = formatTlogProof({ index: 7, path: await proveInclusion(7, 300, read), checkpoint });
  assert.ok(text.startsWith("c2sp.org/tlog-proof@v1\nindex 7\n"));
  assert.equal(formatTlogProof(parseTlogProof(text)), text);
  const withExtra = formatTlogProof({ ...parseTlogProof(text), extra: enc.encode("x") });
  assert.deepEqual(parseTlogProof(withExtra).extra, enc.encode("x"));
  assert.equal((await verifyTlogProof(text, leaves[7], [v])).index, 7);
  await assert.rejects(verifyTlogProof(text, leaves[8], [v]), { code: "not-included" });
  await assert.rejects(
    verifyTlogProof(text.replace("index 7", "index 8"), leaves[7], [v]),
    { code: "not-included" },
  );
  await assert.rejects(
    verifyTlogProof(text.replace("\n300\n", "\n301\n"), leaves[7], [v]),
    { code: "bad-signature" },
  );
  for (
    const bad of ["c2sp.org/tlog-proof@v2\nindex 1\n\n", "c2sp.org/tlog-proof@v1\nindex 01\n\n"]
  ) {
    assert.throws(() => parseTlogProof(bad), { code: "invalid-proof" });
  }
});

Deno.test("log entries have one spelling and parse back to what was formatted", () => {
  const release = {
    type: "release" as const,
    package: parsePackageName("docs:hello-world"),
    version: parseVersion("1.2.3-rc.1+build.5"),
    digest: parseDigest(`sha256:${"8e".repeat(32)}`),
    signer: "a1".repeat(32),
  };
  const line = formatLogEntry(release);
  assert.equal(
    line,
    `wreg-release/v1 docs:hello-world 1.2.3-rc.1+build.5 sha256:${"8e".repeat(32)} ${
      "a1".repeat(32)
    }\n`,
  );
  assert.deepEqual(parseLogEntry(line), release);
  const unsigned = { ...release, signer: null };
  assert.ok(formatLogEntry(unsigned).endsWith(" -\n"));
  assert.deepEqual(parseLogEntry(encodeLogEntry(unsigned)), unsigned);
  const yank = {
    type: "yank" as const,
    package: release.package,
    version: release.version,
    digest: release.digest,
  };
  assert.deepEqual(parseLogEntry(formatLogEntry(yank)), yank);
  const key = {
    type: "key-add" as const,
    namespace: "docs",
    keyId: "0f".repeat(32),
    publicKey: new Uint8Array([1, 2, 3]),
  };
  assert.equal(formatLogEntry(key), `wreg-key/v1 docs add ${"0f".repeat(32)} AQID\n`);
  assert.deepEqual(parseLogEntry(formatLogEntry(key)), key);
  for (
    const bad of [
      line.slice(0, -1),
      line.replace(" ", "  "),
      line + "\n",
      line.replace("wreg-release/v1", "wreg-release/v2"),
      line.replace("1.2.3-rc.1", "01.2.3-rc.1"),
      line.replace("sha256:8e", "sha256:8E"),
      line.replace("docs:", "Docs:"),
      line.replace("a1a1", "A1A1"),
      `wreg-yank/v1 docs:a 1.0.0 sha256:${"00".repeat(32)} -\n`,
      `wreg-key/v1 docs add ${"0f".repeat(32)} AQI\n`,
      `wreg-key/v1 docs remove ${"0f".repeat(32)}\n`,
      "wreg-release/v1\tdocs:a\n",
    ]
  ) {
    assert.throws(() => parseLogEntry(bad), { code: "invalid-entry" }, JSON.stringify(bad));
  }
});
