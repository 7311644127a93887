import assert from "node:assert/strict";
import {
  appendLeaves,
  checkCheckpointsConsistent,
  leafHash,
  memoryHashReader,
  type StoredNode,
  TlogError,
  treeHash,
  verifyEntryAt,
} from "./mod.ts";

async function tree(entries: string[]) {
  let nodes: StoredNode[] = [];
  for (let i = 0; i < entries.length; i++) {
    const added = await appendLeaves(
      i,
      [await leafHash(new TextEncoder().encode(entries[i]))],
      memoryHashReader(nodes),
    );
    nodes = [...nodes, ...added];
  }
  const read = memoryHashReader(nodes);
  const at = async (size: number) => ({
    origin: "example.com/log",
    size,
    root: await treeHash(size, read),
  });
  return { read, at };
}

const isCode = (code: string) => (e: unknown) => e instanceof TlogError && e.code === code;

Deno.test("checkCheckpointsConsistent() accepts a prefix in either order and keeps the larger", async () => {
  const entries = Array.from({ length: 300 }, (_, i) => `entry ${i}\n`);
  const { read, at } = await tree(entries);
  for (const [m, n] of [[0, 5], [1, 2], [7, 300], [256, 300], [300, 300], [13, 13]]) {
    const small = await at(m), large = await at(n);
    const asked: number[] = [];
    const reader = (size: number) => (asked.push(size), read);
    assert.equal(await checkCheckpointsConsistent(small, large, reader), large);
    assert.deepEqual(await checkCheckpointsConsistent(large, small, reader), large);
    assert.ok(asked.every((s) => s === n), `hashes asked of the larger tree only: ${asked}`);
  }
});

Deno.test("checkCheckpointsConsistent() refuses a fork, a rewritten history and bad hashes", async () => {
  const honest = await tree(Array.from({ length: 20 }, (_, i) => `entry ${i}\n`));
  // Restored from a backup of size 11, then appended differently.
  const forked = await tree([
    ...Array.from({ length: 11 }, (_, i) => `entry ${i}\n`),
    ...Array.from({ length: 9 }, (_, i) => `other ${i}\n`),
  ]);
  // Same size, other root.
  await assert.rejects(
    checkCheckpointsConsistent(await honest.at(20), await forked.at(20), () => forked.read),
    isCode("inconsistent"),
  );
  // The client saw 15 of the honest log; the forked log shows 20: its hashes lead to its own
  // root, not to the root the client saw.
  await assert.rejects(
    checkCheckpointsConsistent(await honest.at(15), await forked.at(20), () => forked.read),
    isCode("inconsistent"),
  );
  // A power-of-two old size: its root seeds the proof, and the fork is still told apart.
  await assert.rejects(
    checkCheckpointsConsistent(await honest.at(16), await forked.at(20), () => forked.read),
    isCode("inconsistent"),
  );
  // Up to the restore point the two agree.
  await checkCheckpointsConsistent(await honest.at(11), await forked.at(20), () => forked.read);
  // Hashes that lead nowhere (tiles of another tree) fail as a bad proof.
  await assert.rejects(
    checkCheckpointsConsistent(await honest.at(15), await honest.at(20), () => forked.read),
    (e) =>
      e instanceof TlogError && (e.code === "bad-consistency-proof" || e.code === "inconsistent"),
  );
  await assert.rejects(
    checkCheckpointsConsistent(
      await honest.at(3),
      { ...(await honest.at(5)), origin: "x/y" },
      () => honest.read,
    ),
    isCode("origin-mismatch"),
  );
});

Deno.test("verifyEntryAt() finds an entry at its index under a checkpoint, and nothing else", async () => {
  const entries = Array.from({ length: 40 }, (_, i) => `entry ${i}\n`);
  const { read, at } = await tree(entries);
  const cp = await at(40);
  const bytes = (s: string) => new TextEncoder().encode(s);
  await verifyEntryAt(bytes("entry 17\n"), 17, cp, read);
  await assert.rejects(verifyEntryAt(bytes("entry 17\n"), 18, cp, read), isCode("not-included"));
  await assert.rejects(verifyEntryAt(bytes("entry 99\n"), 17, cp, read), isCode("not-included"));
  await assert.rejects(verifyEntryAt(bytes("entry 17\n"), 40, cp, read), isCode("out-of-range"));
  // Hashes of another tree cannot vouch for it.
  const other = await tree(entries.map((e) => `x${e}`));
  await assert.rejects(
    verifyEntryAt(bytes("entry 17\n"), 17, cp, other.read),
    isCode("not-included"),
  );
});
