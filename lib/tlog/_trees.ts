/**
 * A client's check of two signed checkpoints of one log (what Go's sumdb client does in
 * `checkTrees`): the smaller tree must be a prefix of the larger one. The consistency proof is
 * computed from the larger tree's hashes (fetched tiles, untrusted: the proof is checked against
 * both signed roots, so a wrong tile fails as `bad-consistency-proof`, a fork as `inconsistent`).
 */
import type { Checkpoint } from "./_checkpoint.ts";
import {
  type HashReader,
  leafHash,
  proveConsistency,
  proveInclusion,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from "./_merkle.ts";
import { TlogError } from "./_errors.ts";

/**
 * Checks that checkpoints `a` and `b` (same origin, signatures already verified) describe one
 * append-only log. `readLarger(size)` gives the hashes of the tree of that size (the larger of
 * the two). Resolves to the larger checkpoint (the one to keep as the latest seen).
 *
 * @throws {TlogError} `inconsistent` when the two cannot both be true (a fork or a rewritten log);
 *   `bad-consistency-proof` when the hashes read do not lead to the larger root;
 *   `origin-mismatch` when the origins differ.
 */
export async function checkCheckpointsConsistent<C extends Checkpoint>(
  a: C,
  b: C,
  readLarger: (size: number) => HashReader,
): Promise<C> {
  if (a.origin !== b.origin) {
    throw new TlogError(
      "origin-mismatch",
      `Cannot compare checkpoints of ${JSON.stringify(a.origin)} and ${JSON.stringify(b.origin)}`,
    );
  }
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size === large.size || small.size === 0) {
    await verifyConsistency(small.size, small.root, large.size, large.root, []);
    return large;
  }
  const read = readLarger(large.size);
  const proof = await proveConsistency(small.size, large.size, read);
  try {
    await verifyConsistency(small.size, small.root, large.size, large.root, proof);
  } catch (e) {
    if (!(e instanceof TlogError) || e.code !== "bad-consistency-proof") throw e;
    // When the smaller size is a power of two its root seeds the proof, so a fork shows as a proof
    // that leads nowhere. Tell a fork from bad hashes: if the hashes read are the larger tree's
    // (they lead to its signed root), the larger tree's own prefix differs from the smaller one.
    const [n, m] = await Promise.all([treeHash(large.size, read), treeHash(small.size, read)]);
    if (equal(n, large.root) && !equal(m, small.root)) {
      throw new TlogError(
        "inconsistent",
        `Cannot verify consistency of tree size ${small.size} with ${large.size}: the tree of ` +
          `size ${large.size} begins with another tree of size ${small.size} than the one signed ` +
          `before (the log was forked or rewritten)`,
      );
    }
    throw e;
  }
  return large;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks that `entry` is the log's entry at `index` in the tree of checkpoint `cp` (signature
 * already verified): its inclusion proof is computed from `read` (untrusted hashes, such as
 * fetched tiles) and checked against the signed root.
 *
 * @throws {TlogError} `not-included` when the entry is not at that index; `out-of-range` when the
 *   index is not below the checkpoint's size.
 */
export async function verifyEntryAt(
  entry: Uint8Array,
  index: number,
  cp: Checkpoint,
  read: HashReader,
): Promise<void> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= cp.size) {
    throw new TlogError(
      "out-of-range",
      `Cannot find entry ${index} in ${cp.origin}: its checkpoint has ${cp.size} entries`,
    );
  }
  const proof = await proveInclusion(index, cp.size, read);
  await verifyInclusion(await leafHash(entry), index, cp.size, proof, cp.root);
}
