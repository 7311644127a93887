/**
 * The entries of wreg's log: one line of printable ASCII per event, single spaces, ending in a
 * newline, the first token naming the entry type and its version. The log is forever, so this
 * grammar is fixed; a new kind of event gets a new first token, never a change to these.
 *
 * ```
 * wreg-release/v1 <ns:name> <version> sha256:<64 hex> <signer>     signer: publisher key ID or "-"
 * wreg-yank/v1 <ns:name> <version> sha256:<64 hex>
 * wreg-unyank/v1 <ns:name> <version> sha256:<64 hex>
 * wreg-key/v1 <namespace> add <key ID> <base64 DER SubjectPublicKeyInfo>
 * wreg-key/v1 <namespace> revoke <key ID>
 * ```
 *
 * `<ns:name>` and `<version>` are spelled as lib/names prints them (the canonical forms); a key ID
 * is the lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo.
 */
import {
  type Digest,
  formatPackageName,
  type PackageName,
  tryParseDigest,
  tryParsePackageName,
  tryParseVersion,
  type Version,
} from "../names/mod.ts";
import { fromUtf8, tryFromBase64, utf8 } from "./_bytes.ts";
import { TlogError } from "./_errors.ts";

/** The longest entry wreg writes or accepts, in bytes. */
export const MAX_LOG_ENTRY_SIZE = 4096;

/** A release: the bytes a package version names, and who signed them (`null`: unsigned). */
export interface ReleaseEntry {
  readonly type: "release";
  readonly package: PackageName;
  readonly version: Version;
  readonly digest: Digest;
  /** The publisher key ID (64 lowercase hex), or `null` for an unsigned release. */
  readonly signer: string | null;
}

/** A version hidden from resolution (`yank`) or shown again (`unyank`). */
export interface YankEntry {
  readonly type: "yank" | "unyank";
  readonly package: PackageName;
  readonly version: Version;
  readonly digest: Digest;
}

/** A publisher key registered for a namespace. */
export interface KeyAddEntry {
  readonly type: "key-add";
  readonly namespace: string;
  /** Lowercase hex SHA-256 of `publicKey`. */
  readonly keyId: string;
  /** The key's DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
}

/** A publisher key withdrawn from a namespace: releases after this entry may not use it. */
export interface KeyRevokeEntry {
  readonly type: "key-revoke";
  readonly namespace: string;
  readonly keyId: string;
}

/** One event of wreg's log. */
export type LogEntry = ReleaseEntry | YankEntry | KeyAddEntry | KeyRevokeEntry;

const KEY_ID = /^[0-9a-f]{64}$/;

/** The entry as its exact text (with the final newline). */
export function formatLogEntry(e: LogEntry): string {
  switch (e.type) {
    case "release":
      return `wreg-release/v1 ${formatPackageName(e.package)} ${e.version} ${e.digest} ${
        e.signer ?? "-"
      }\n`;
    case "yank":
    case "unyank":
      return `wreg-${e.type}/v1 ${formatPackageName(e.package)} ${e.version} ${e.digest}\n`;
    case "key-add":
      return `wreg-key/v1 ${e.namespace} add ${e.keyId} ${e.publicKey.toBase64()}\n`;
    case "key-revoke":
      return `wreg-key/v1 ${e.namespace} revoke ${e.keyId}\n`;
  }
}

/** The entry as bytes, as they are hashed into the log. */
export function encodeLogEntry(e: LogEntry): Uint8Array {
  const bytes = utf8(formatLogEntry(e));
  if (bytes.length > MAX_LOG_ENTRY_SIZE) {
    throw new TlogError("invalid-entry", `Cannot log an entry of ${bytes.length} bytes`);
  }
  return bytes;
}

/**
 * Parses an entry, strictly: anything but the exact canonical text of an entry is refused, so
 * that the bytes a client rebuilds are the bytes the log hashed. (That a key ID is the hash of
 * the key is checked where the key is used, since hashing is asynchronous.)
 */
export function parseLogEntry(input: string | Uint8Array): LogEntry {
  let text: string;
  try {
    text = typeof input === "string" ? input : fromUtf8(input);
  } catch {
    throw new TlogError("invalid-entry", "Cannot read log entry: it is not valid UTF-8");
  }
  const shown = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  const bad = (why: string): never => {
    throw new TlogError("invalid-entry", `Cannot read log entry ${shown}: ${why}`);
  };
  if (utf8(text).length > MAX_LOG_ENTRY_SIZE) bad(`it is longer than ${MAX_LOG_ENTRY_SIZE} bytes`);
  if (!/^[\x21-\x7e]+(?: [\x21-\x7e]+)*\n$/.test(text)) {
    bad("expected printable ASCII words separated by single spaces, ending in one newline");
  }
  const [type, ...args] = text.slice(0, -1).split(" ");
  const pkg = (s: string) => tryParsePackageName(s) ?? bad(`${s} is not a package name`);
  const version = (s: string) => tryParseVersion(s) ?? bad(`${s} is not a canonical version`);
  const digest = (s: string) => tryParseDigest(s) ?? bad(`${s} is not a sha256: digest`);
  const keyId = (s: string) => KEY_ID.test(s) ? s : bad(`${s} is not a key ID (64 lowercase hex)`);
  const arity = (n: number) => {
    if (args.length !== n) bad(`${type} takes ${n} fields, found ${args.length}`);
  };
  let entry: LogEntry;
  switch (type) {
    case "wreg-release/v1":
      arity(4);
      entry = {
        type: "release",
        package: pkg(args[0]),
        version: version(args[1]),
        digest: digest(args[2]),
        signer: args[3] === "-" ? null : keyId(args[3]),
      };
      break;
    case "wreg-yank/v1":
    case "wreg-unyank/v1":
      arity(3);
      entry = {
        type: type === "wreg-yank/v1" ? "yank" : "unyank",
        package: pkg(args[0]),
        version: version(args[1]),
        digest: digest(args[2]),
      };
      break;
    case "wreg-key/v1": {
      if (tryParsePackageName(`${args[0]}:x`)?.namespace !== args[0]) {
        bad(`${args[0]} is not a namespace`);
      }
      if (args[1] === "add") {
        arity(4);
        const key = tryFromBase64(args[3]) ?? bad("the key is not standard base64");
        if (key.length === 0) bad("the key is empty");
        entry = { type: "key-add", namespace: args[0], keyId: keyId(args[2]), publicKey: key };
      } else if (args[1] === "revoke") {
        arity(3);
        entry = { type: "key-revoke", namespace: args[0], keyId: keyId(args[2]) };
      } else {
        return bad(`${args[1]} is not a key action (add, revoke)`);
      }
      break;
    }
    default:
      return bad(`${type} is not an entry type wreg knows`);
  }
  // One spelling per entry: whatever the parsers accepted must print back to the same text.
  if (formatLogEntry(entry) !== text) bad("it is not written in its canonical form");
  return entry;
}
