/**
 * The transparency log's rules shared by every metadata store: the exact text of the entries a
 * store appends (lib/tlog's grammar), and the checks of what callers give.
 */
import { type Digest, type PackageName, parsePackageName, type Version } from "../lib/names/mod.ts";
import { formatLogEntry } from "../lib/tlog/mod.ts";
import { StorageError } from "./_errors.ts";
import type { LogCheckpoint, LogNode, PublisherKeyRecord, ReleaseSignature } from "./_types.ts";

/** The most entries {@link MetadataStore.readLogEntries} returns at once. */
export const MAX_LOG_READ = 1024;
/** Largest signature bundle stored with a version (lib/attest MAX_BUNDLE_SIZE). */
export const MAX_SIGNATURE_BYTES = 16 * 1024;
/** Largest signed checkpoint stored. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;
/** Most active (not revoked) publisher keys of one namespace. */
export const MAX_ACTIVE_KEYS = 100;

const KEY_ID = /^[0-9a-f]{64}$/;

function invalid(message: string, details?: Record<string, unknown>): StorageError {
  return new StorageError("invalid-input", message, details);
}

/** The `wreg-release/v1` entry of a version. */
export function releaseEntry(
  name: PackageName | string,
  version: Version,
  digest: Digest,
  signer: string | null,
): string {
  const pkg = typeof name === "string" ? parsePackageName(name) : name;
  return formatLogEntry({ type: "release", package: pkg, version, digest, signer });
}

/** The `wreg-yank/v1` or `wreg-unyank/v1` entry of a version. */
export function yankEntry(pkg: string, version: Version, digest: Digest, yanked: boolean): string {
  return formatLogEntry({
    type: yanked ? "yank" : "unyank",
    package: parsePackageName(pkg),
    version,
    digest,
  });
}

/** The `wreg-key/v1 … add` entry. */
export function keyAddEntry(namespace: string, keyId: string, publicKey: Uint8Array): string {
  return formatLogEntry({ type: "key-add", namespace, keyId, publicKey });
}

/** The `wreg-key/v1 … revoke` entry. */
export function keyRevokeEntry(namespace: string, keyId: string): string {
  return formatLogEntry({ type: "key-revoke", namespace, keyId });
}

/** Checks a signature given with a publish. */
export function checkSignature(sig: ReleaseSignature | undefined): void {
  if (sig === undefined) return;
  if (!KEY_ID.test(sig.keyId)) {
    throw invalid(`Cannot store signature: key ID "${sig.keyId}" is not 64 lowercase hex`);
  }
  if (!(sig.bundle instanceof Uint8Array) || sig.bundle.length === 0) {
    throw invalid("Cannot store signature: the bundle is empty");
  }
  if (sig.bundle.length > MAX_SIGNATURE_BYTES) {
    throw invalid(`Cannot store signature: the bundle is larger than ${MAX_SIGNATURE_BYTES} bytes`);
  }
}

/** Checks a key given to addPublisherKey. */
export function checkKeyInput(input: { keyId: string; publicKey: Uint8Array }): void {
  if (!KEY_ID.test(input.keyId)) {
    throw invalid(`Cannot register key: key ID "${input.keyId}" is not 64 lowercase hex`);
  }
  if (input.publicKey.length === 0 || input.publicKey.length > 1024) {
    throw invalid("Cannot register key: the public key must have 1 to 1024 bytes");
  }
}

/** Refuses a new key when the namespace has {@link MAX_ACTIVE_KEYS} active keys already. */
export function checkKeyCount(namespace: string, active: number): void {
  if (active >= MAX_ACTIVE_KEYS) {
    throw new StorageError(
      "too-many-keys",
      `Cannot register key: namespace "${namespace}" has ${active} active keys, the most allowed ` +
        `(${MAX_ACTIVE_KEYS}); revoke one first`,
      { namespace, limit: MAX_ACTIVE_KEYS },
    );
  }
}

/** Checks a key ID given to revokePublisherKey. */
export function checkKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) {
    throw invalid(`Cannot use key ID "${keyId}": not 64 lowercase hex`);
  }
}

/** Checks a range of entries against the log's size. */
export function checkLogRange(start: number, end: number, size: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw invalid(`Cannot read log entries [${start}, ${end}): not a range`);
  }
  if (end - start > MAX_LOG_READ) {
    throw invalid(`Cannot read log entries [${start}, ${end}): at most ${MAX_LOG_READ} at once`);
  }
  if (end > size) {
    throw new StorageError(
      "not-found",
      `Cannot read log entries [${start}, ${end}): the log has ${size}`,
      { size },
    );
  }
}

/** Checks nodes given to putLogNodes. */
export function checkNodes(nodes: readonly LogNode[]): void {
  for (const n of nodes) {
    if (
      !Number.isSafeInteger(n.level) || n.level < 0 || n.level > 63 ||
      !Number.isSafeInteger(n.index) || n.index < 0 || n.hash.length !== 32
    ) throw invalid(`Cannot store log node ${n.level}/${n.index}: malformed`);
  }
}

/** Checks a checkpoint given to putCheckpoint. */
export function checkCheckpoint(cp: LogCheckpoint): void {
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw invalid(`Cannot store checkpoint of size ${cp.size}`);
  }
  if (cp.note.length === 0 || cp.note.length > MAX_CHECKPOINT_BYTES) {
    throw invalid("Cannot store checkpoint: the note is empty or too large");
  }
}

/** The refusal of a checkpoint smaller than the latest. */
export function checkpointShrinks(size: number, latest: number): StorageError {
  return new StorageError(
    "conflict",
    `Cannot store a checkpoint of size ${size}: the latest has size ${latest} (checkpoints only grow)`,
    { size, latest },
  );
}

/** A key already revoked, added again. */
export function keyRevoked(namespace: string, keyId: string): StorageError {
  return new StorageError(
    "conflict",
    `Cannot register key ${keyId} for namespace "${namespace}": it was revoked, and a revoked key stays revoked`,
    { namespace, keyId },
  );
}

/** A key that is not registered. */
export function keyNotFound(namespace: string, keyId: string): StorageError {
  return new StorageError(
    "not-found",
    `Cannot find key ${keyId} in namespace "${namespace}"`,
    { namespace, keyId },
  );
}

/**
 * The signing policy at the commit (inside its transaction, so a key revoked or a policy set by a
 * concurrent write is seen): a signature's key must be registered and not revoked; a namespace
 * that requires signatures takes no unsigned release.
 */
export function checkSigningPolicy(
  pkg: string,
  version: string,
  signer: string | undefined,
  requireSignatures: boolean,
  key: { revoked: boolean } | undefined,
): void {
  const namespace = pkg.slice(0, pkg.indexOf(":"));
  if (signer === undefined) {
    if (!requireSignatures) return;
    throw new StorageError(
      "signature-required",
      `Cannot publish ${pkg}@${version}: namespace "${namespace}" requires signed releases, and this one is unsigned`,
      { namespace, package: pkg, version },
    );
  }
  if (key === undefined || key.revoked) {
    throw new StorageError(
      "unknown-signing-key",
      `Cannot publish ${pkg}@${version}: it is signed by key ${signer}, which ${
        key === undefined ? "is not registered for" : "was revoked for"
      } namespace "${namespace}"`,
      { namespace, package: pkg, version, keyId: signer, revoked: key !== undefined },
    );
  }
}

/** A `publisher_keys` row (SQLite or PostgreSQL) as a {@link PublisherKeyRecord}. */
export function publisherKeyRecord(r: Record<string, unknown>): PublisherKeyRecord {
  return {
    namespace: r.namespace as string,
    keyId: r.key_id as string,
    publicKey: new Uint8Array(r.public_key as Uint8Array),
    addedBy: r.added_by as string,
    addedAt: r.added_at as string,
    revokedAt: r.revoked_at as string | null,
    logIndex: Number(r.log_index),
    revokeLogIndex: r.revoke_log_index === null ? null : Number(r.revoke_log_index),
  };
}
