/**
 * RFC 6962 Merkle trees (§2.1): leaf and node hashes, tree hashes, inclusion and consistency
 * proofs (making and checking them), over a store of node hashes read through a
 * {@link HashReader}, so the registry (hashes in its database) and the CLI (hashes in tiles it
 * fetched) share one implementation.
 *
 * A node is addressed by its level (0 for leaves) and its index at that level: node (k, i) is the
 * hash of the complete subtree over leaves [i·2^k, (i+1)·2^k). Such a node never changes once the
 * tree has that many leaves, which is what makes the stored hashes and the tiles append-only.
 */
import { concat, equalBytes, sha256 } from "./_bytes.ts";
import { TlogError } from "./_errors.ts";

/** The size of a SHA-256 hash in bytes. */
export const HASH_SIZE = 32;

/** A node of the tree: the complete subtree over leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  /** 0 for a leaf hash; a node at level k covers 2^k leaves. */
  readonly level: number;
  /** The node's position among the nodes of its level, from 0. */
  readonly index: number;
}

/** A node with its hash, as {@link appendLeaves} returns new ones. */
export interface StoredNode extends NodeId {
  /** The 32-byte hash. */
  readonly hash: Uint8Array;
}

/**
 * Reads stored node hashes, in the order asked. A reader may be backed by a database, by tiles,
 * or by memory; it fails (throws) when a node is not available.
 */
export type HashReader = (nodes: readonly NodeId[]) => Promise<Uint8Array[]> | Uint8Array[];

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

/** The hash of a leaf: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(LEAF_PREFIX, entry));
}

/** The hash of an interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(NODE_PREFIX, left, right));
}

/** The root hash of the empty tree: SHA-256 of no bytes. */
export function emptyTreeHash(): Promise<Uint8Array> {
  return sha256(new Uint8Array());
}

function checkSize(n: number, what: string) {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TlogError("out-of-range", `Cannot use ${what} ${n}: not a non-negative integer`);
  }
}

/**
 * The complete subtrees that make up the leaves [lo, hi), left to right, each as large as its
 * alignment allows. For the ranges RFC 6962's recursion produces, folding their hashes from the
 * right ({@link foldRight}) gives MTH(D[lo:hi]).
 */
export function subtrees(lo: number, hi: number): NodeId[] {
  const out: NodeId[] = [];
  let at = lo;
  while (at < hi) {
    let level = 0;
    // Grow while the node stays aligned and inside the range.
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= hi) level++;
    out.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return out;
}

/** h1, …, hn folded from the right: node(h1, node(h2, … node(hn-1, hn))). */
async function foldRight(hashes: Uint8Array[]): Promise<Uint8Array> {
  let h = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) h = await nodeHash(hashes[i], h);
  return h;
}

/** The largest power of two strictly less than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Hashes of each range [lo, hi), read in one batch. */
async function rangeHashes(
  ranges: [number, number][],
  read: HashReader,
): Promise<Uint8Array[]> {
  const plans = ranges.map(([lo, hi]) => subtrees(lo, hi));
  const hashes = await read(plans.flat());
  checkRead(hashes, plans.reduce((s, p) => s + p.length, 0));
  const out: Uint8Array[] = [];
  let at = 0;
  for (const plan of plans) {
    out.push(await foldRight(hashes.slice(at, at + plan.length)));
    at += plan.length;
  }
  return out;
}

function checkRead(hashes: Uint8Array[], want: number) {
  if (hashes.length !== want || hashes.some((h) => h.length !== HASH_SIZE)) {
    throw new TlogError(
      "out-of-range",
      `Cannot read node hashes: the reader returned ${hashes.length} values for ${want} nodes`,
    );
  }
}

/** The root hash of the tree of the first `n` leaves. */
export async function treeHash(n: number, read: HashReader): Promise<Uint8Array> {
  checkSize(n, "tree size");
  if (n === 0) return emptyTreeHash();
  return (await rangeHashes([[0, n]], read))[0];
}

/** The ranges whose hashes form the audit path of leaf `index` in a tree of `n` leaves. */
function inclusionRanges(index: number, lo: number, hi: number, out: [number, number][]) {
  if (hi - lo <= 1) return;
  const k = splitPoint(hi - lo);
  if (index < lo + k) {
    inclusionRanges(index, lo, lo + k, out);
    out.push([lo + k, hi]);
  } else {
    inclusionRanges(index, lo + k, hi, out);
    out.push([lo, lo + k]);
  }
}

/**
 * The inclusion proof (RFC 6962 §2.1.1 audit path, leaf side first) of leaf `index` in the tree
 * of the first `n` leaves.
 */
export async function proveInclusion(
  index: number,
  n: number,
  read: HashReader,
): Promise<Uint8Array[]> {
  checkSize(n, "tree size");
  checkSize(index, "leaf index");
  if (index >= n) {
    throw new TlogError("out-of-range", `Cannot prove inclusion of leaf ${index}: tree size ${n}`);
  }
  const ranges: [number, number][] = [];
  inclusionRanges(index, 0, n, ranges);
  return await rangeHashes(ranges, read);
}

/** RFC 6962 §2.1.2 SUBPROOF over the leaves [lo, hi), `m` the old tree's end. */
function consistencyRanges(
  m: number,
  lo: number,
  hi: number,
  complete: boolean,
  out: [number, number][],
) {
  if (m === hi) {
    if (!complete) out.push([lo, hi]);
    return;
  }
  const k = splitPoint(hi - lo);
  if (m <= lo + k) {
    consistencyRanges(m, lo, lo + k, complete, out);
    out.push([lo + k, hi]);
  } else {
    consistencyRanges(m, lo + k, hi, false, out);
    out.push([lo, lo + k]);
  }
}

/**
 * The consistency proof (RFC 6962 §2.1.2) that the tree of the first `m` leaves is a prefix of
 * the tree of the first `n`. Empty when `m` is 0 or `m` equals `n`.
 */
export async function proveConsistency(
  m: number,
  n: number,
  read: HashReader,
): Promise<Uint8Array[]> {
  checkSize(m, "tree size");
  checkSize(n, "tree size");
  if (m > n) {
    throw new TlogError("out-of-range", `Cannot prove consistency of size ${m} with smaller ${n}`);
  }
  if (m === 0 || m === n) return [];
  const ranges: [number, number][] = [];
  consistencyRanges(m, 0, n, true, ranges);
  return await rangeHashes(ranges, read);
}

const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/**
 * Checks an inclusion proof (RFC 9162 §2.1.3.2): throws a `not-included` {@link TlogError} unless
 * the leaf hash at `index` and the proof lead to `root` for a tree of `n` leaves.
 */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  n: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<void> {
  const fail = (why: string) => {
    throw new TlogError("not-included", `Cannot verify inclusion of entry ${index}: ${why}`);
  };
  checkSize(n, "tree size");
  checkSize(index, "leaf index");
  if (index >= n) fail(`the index is outside the tree of size ${n}`);
  let fn = index;
  let sn = n - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) fail(`the proof has more hashes than a tree of size ${n} needs`);
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail(`the proof has fewer hashes than a tree of size ${n} needs`);
  if (!equalBytes(r, root)) fail(`the proof does not lead to the root hash of size ${n}`);
}

/**
 * Checks a consistency proof (RFC 9162 §2.1.4.2) between a tree of `m` leaves with root `oldRoot`
 * and one of `n` leaves with root `newRoot`. Throws a {@link TlogError}:
 * - `bad-consistency-proof` when the proof is malformed or does not lead to `newRoot` (the proof
 *   or the tiles it was made from are wrong);
 * - `inconsistent` when the proof leads to `newRoot` but not to `oldRoot`: the older tree is not a
 *   prefix of the newer one (a fork, or a rewritten log).
 * Equal sizes need an empty proof and equal roots (else `inconsistent`).
 */
export async function verifyConsistency(
  m: number,
  oldRoot: Uint8Array,
  n: number,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<void> {
  const bad = (why: string) => {
    throw new TlogError(
      "bad-consistency-proof",
      `Cannot verify consistency of tree size ${m} with ${n}: ${why}`,
    );
  };
  const fork = () => {
    throw new TlogError(
      "inconsistent",
      `Cannot verify consistency of tree size ${m} with ${n}: the tree of size ${m} is not a ` +
        `prefix of the tree of size ${n} (the log was forked or rewritten)`,
    );
  };
  checkSize(m, "tree size");
  checkSize(n, "tree size");
  if (m > n) bad("the first tree is larger");
  if (m === n) {
    if (proof.length !== 0) bad("equal sizes need an empty proof");
    if (!equalBytes(oldRoot, newRoot)) fork();
    return;
  }
  if (m === 0) {
    if (proof.length !== 0) bad("a proof from the empty tree must be empty");
    return;
  }
  const path = [...proof];
  if (2 ** Math.round(Math.log2(m)) === m) path.unshift(oldRoot);
  if (path.length === 0) bad("the proof is empty");
  let fn = m - 1;
  let sn = n - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) bad("the proof has more hashes than needed");
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) bad("the proof has fewer hashes than needed");
  if (!equalBytes(sr, newRoot)) bad(`the proof does not lead to the root hash of size ${n}`);
  if (!equalBytes(fr, oldRoot)) fork();
}

/**
 * The nodes that appending leaves creates: for each new leaf at index i (from `n`), its leaf node
 * and every parent it completes. Reads the existing left siblings once, through `read`.
 */
export async function appendLeaves(
  n: number,
  leafHashes: readonly Uint8Array[],
  read: HashReader,
): Promise<StoredNode[]> {
  checkSize(n, "tree size");
  // The left siblings a new node can need are the existing complete subtrees of the tree of size
  // n (its "right edge"); nodes made by this batch are kept in `made`.
  const edge = subtrees(0, n);
  const edgeHashes = edge.length ? await read(edge) : [];
  checkRead(edgeHashes, edge.length);
  const made = new Map<string, Uint8Array>();
  const key = (level: number, index: number) => `${level}/${index}`;
  edge.forEach((node, i) => made.set(key(node.level, node.index), edgeHashes[i]));
  const out: StoredNode[] = [];
  for (let j = 0; j < leafHashes.length; j++) {
    let index = n + j;
    let level = 0;
    let hash = leafHashes[j];
    if (hash.length !== HASH_SIZE) {
      throw new TlogError("out-of-range", `Cannot append leaf ${index}: not a 32-byte hash`);
    }
    made.set(key(level, index), hash);
    out.push({ level, index, hash });
    while (odd(index)) {
      const left = made.get(key(level, index - 1));
      if (!left) {
        throw new TlogError("out-of-range", `Cannot append leaf ${n + j}: node missing`);
      }
      hash = await nodeHash(left, hash);
      index = half(index);
      level++;
      made.set(key(level, index), hash);
      out.push({ level, index, hash });
    }
  }
  return out;
}

/** A {@link HashReader} over nodes held in memory (tests, small logs, batches). */
export function memoryHashReader(nodes: Iterable<StoredNode>): HashReader {
  const map = new Map<string, Uint8Array>();
  for (const n of nodes) map.set(`${n.level}/${n.index}`, n.hash);
  return (ids) =>
    ids.map((id) => {
      const h = map.get(`${id.level}/${id.index}`);
      if (!h) {
        throw new TlogError(
          "out-of-range",
          `Cannot read node ${id.level}/${id.index}: it is not stored`,
        );
      }
      return h;
    });
}
