/**
 * wreg's transparency log formats, pure: RFC 6962 Merkle trees (hashes, inclusion and
 * consistency proofs, made and checked), signed notes with Ed25519 keys (c2sp.org/signed-note),
 * checkpoints (c2sp.org/tlog-checkpoint), tiles and entry bundles (c2sp.org/tlog-tiles),
 * per-entry proofs (c2sp.org/tlog-proof@v1), and the grammar of wreg's log entries.
 *
 * Hashing and signatures use WebCrypto (SHA-256, Ed25519); keys come in as arguments, node
 * hashes through a {@link HashReader} (a database on the registry, fetched tiles in the CLI).
 *
 * @example
 * ```ts
 * import {
 *   appendLeaves, encodeLogEntry, formatCheckpoint, leafHash, memoryHashReader, parseSignerKey,
 *   proveInclusion, signNote, treeHash, verifyTlogProof, formatTlogProof, formatSignerKey,
 *   parseVerifierKey,
 * } from "./mod.ts";
 * import { parseDigest, parsePackageName, parseVersion } from "../names/mod.ts";
 *
 * const entry = encodeLogEntry({
 *   type: "release", package: parsePackageName("docs:hello"), version: parseVersion("1.0.0"),
 *   digest: parseDigest("sha256:" + "ab".repeat(32)), signer: null,
 * });
 * const nodes = await appendLeaves(0, [await leafHash(entry)], memoryHashReader([]));
 * const read = memoryHashReader(nodes);
 * const signer = await parseSignerKey(await formatSignerKey("example.com/log", new Uint8Array(32)));
 * const checkpoint = await signNote(
 *   formatCheckpoint({ origin: "example.com/log", size: 1, root: await treeHash(1, read) }),
 *   [signer],
 * );
 * const proof = formatTlogProof({ index: 0, path: await proveInclusion(0, 1, read), checkpoint });
 * const { index } = await verifyTlogProof(proof, entry, [await parseVerifierKey(signer.vkey)]);
 * console.assert(index === 0);
 * ```
 *
 * @module
 */
export { TlogError, type TlogErrorCode } from "./_errors.ts";
export {
  appendLeaves,
  emptyTreeHash,
  HASH_SIZE,
  type HashReader,
  leafHash,
  memoryHashReader,
  nodeHash,
  type NodeId,
  proveConsistency,
  proveInclusion,
  type StoredNode,
  subtrees,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from "./_merkle.ts";
export {
  ED25519_TYPE,
  formatNote,
  formatSignatureLine,
  formatSignerKey,
  formatVerifierKey,
  hex8,
  importEd25519Seed,
  isKeyName,
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_SIZE,
  type Note,
  noteKeyId,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  type SignerKey,
  signNote,
  type VerifierKey,
} from "./_note.ts";
export {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  type SignedCheckpoint,
} from "./_checkpoint.ts";
export {
  decodeEntryBundle,
  encodeEntryBundle,
  entryBundlesOfSize,
  formatTilePath,
  MAX_ENTRY_SIZE,
  readTile,
  type Tile,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileExists,
  tileHashReader,
  tileNodes,
  tileOfNode,
  tilesOfSize,
  tileWidth,
  tryParseTilePath,
} from "./_tiles.ts";
export { checkCheckpointsConsistent, verifyEntryAt } from "./_trees.ts";
export {
  formatTlogProof,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  type TlogProof,
  verifyTlogProof,
} from "./_proof.ts";
export {
  encodeLogEntry,
  formatLogEntry,
  type KeyAddEntry,
  type KeyRevokeEntry,
  type LogEntry,
  MAX_LOG_ENTRY_SIZE,
  parseLogEntry,
  type ReleaseEntry,
  type YankEntry,
} from "./_entry.ts";
