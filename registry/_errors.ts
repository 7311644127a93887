/**
 * Every refusal of the registry as data: one table of stable code → HTTP status → what it means
 * and what to do. A handler throws {@link RegistryError} with a code and a message; the app renders
 * it once as `{code, message, details?}`. Anything else thrown is a server fault: logged with its
 * stack, answered with a generic 500 that leaks nothing.
 */
import { ComponentDecodeError } from "../lib/component/mod.ts";
import { NameError } from "../lib/names/mod.ts";
import { isStorageError, type StorageError } from "../storage/mod.ts";

/**
 * The user errors (4xx) and the few server states (5xx) the API answers with. `hint` is the "what
 * to do" that docs/api.md lists beside each code; messages built at the throw site say the
 * specifics (which name, which offset, which version).
 */
export const REGISTRY_ERRORS = {
  // --- requests
  "not-found": { status: 404, hint: "Check the path against docs/api.md" },
  "method-not-allowed": { status: 405, hint: "Use one of the methods in the Allow header" },
  "invalid-path": { status: 400, hint: "Remove percent-encoding and dot segments from the path" },
  "invalid-name": {
    status: 400,
    hint: 'Use lowercase words of a-z and 0-9 joined by "-" (for example "docs:processor")',
  },
  "invalid-version": { status: 400, hint: "Use a semver version such as 1.2.3" },
  "invalid-digest": {
    status: 400,
    hint: "Compute it with `sha256sum` (or `wreg inspect`) and send sha256:<hex>",
  },
  "invalid-query": { status: 400, hint: "Fix the query parameter named in the message" },
  "invalid-json": { status: 400, hint: "Send a JSON object with Content-Type: application/json" },
  "invalid-body": { status: 400, hint: "Fix the field named in the message" },
  "unsupported-media-type": {
    status: 415,
    hint: "Send the bytes with the Content-Type named in the message",
  },
  "payload-too-large": { status: 413, hint: "Send a smaller body; the limit is in the details" },
  "range-not-satisfiable": { status: 416, hint: "Ask for a range inside the blob's size" },
  // --- publish
  "digest-required": {
    status: 400,
    hint: 'Send the digest of the bytes in "X-Wreg-Digest: sha256:<hex>"',
  },
  "digest-mismatch": {
    status: 400,
    hint: "The upload was damaged or the digest is wrong; compute it again and retry",
  },
  "upload-incomplete": { status: 400, hint: "The body ended early; send the whole file again" },
  "invalid-component": {
    status: 400,
    hint: "Check the file with `wreg inspect`; the offset says where decoding stopped",
  },
  "document-too-large": {
    status: 400,
    hint: "Shorten the doc comments or metadata; the limit is in the details",
  },
  "kind-not-allowed": {
    status: 400,
    hint: "Publish a component or a WIT package; turn a core module into a component first",
  },
  "package-mismatch": {
    status: 400,
    hint: "Publish the WIT package under the name and version its `package` line declares",
  },
  "kind-mismatch": {
    status: 409,
    hint: "A package holds either components or WIT packages; publish under another name",
  },
  "namespace-mirrored": {
    status: 403,
    hint:
      "The namespace is mirrored from an upstream registry: publish there, and the mirror takes it from there",
  },
  "version-exists": {
    status: 409,
    hint: "Versions are immutable; publish a new version number",
  },
  "incompatible-change": {
    status: 409,
    hint: "Publish the change in a new series (the details name the version), or restore the items",
  },
  // --- signatures (issue 16)
  "invalid-signature": {
    status: 400,
    hint:
      "Sign the exact package, version and bytes with `wreg publish` (a Sigstore bundle v0.3 in X-Wreg-Signature, standard base64)",
  },
  "signature-required": {
    status: 403,
    hint: "The namespace requires signed releases: publish with a key registered for it",
  },
  "unknown-signing-key": {
    status: 403,
    hint:
      "Register the key with `wreg key register` (POST /api/v1/namespaces/{namespace}/keys), or sign with a key that is not revoked",
  },
  "too-many-keys": {
    status: 409,
    hint:
      "Revoke keys no longer used (DELETE /api/v1/namespaces/{namespace}/keys/{key}) before registering another",
  },
  "invalid-key": {
    status: 400,
    hint:
      "Send an Ed25519 public key as PEM (SubjectPublicKeyInfo), as `wreg key generate` prints it",
  },
  // --- auth
  "unauthenticated": {
    status: 401,
    hint: 'Send "Authorization: Bearer <token>"; an admin creates tokens with POST /api/v1/tokens',
  },
  "invalid-token": {
    status: 401,
    hint: "The token is unknown or revoked; ask an admin for a new one",
  },
  "missing-scope": { status: 403, hint: "Use a token with the scope named in the message" },
  "namespace-forbidden": {
    status: 403,
    hint: "Ask an owner of the namespace to add you, or publish under your own namespace",
  },
  "not-owner": { status: 403, hint: "Only an owner of the namespace can do this" },
  "namespace-reserved": {
    status: 403,
    hint:
      "An admin gives a reserved namespace to its owners with PUT /api/v1/namespaces/{namespace}",
  },
  "admin-required": { status: 403, hint: "Use the server's admin token" },
  "admin-disabled": {
    status: 403,
    hint: "Start the server with --admin-token or WREG_ADMIN_TOKEN",
  },
  "last-owner": { status: 409, hint: "Add another owner first" },
  "rate-limited": {
    status: 429,
    hint: "Wait the seconds Retry-After names, and check the token before trying again",
  },
  // --- server
  "unavailable": { status: 503, hint: "Try again in a moment" },
  "internal": { status: 500, hint: "Try again; if it persists, report it with the request id" },
} as const satisfies Record<string, { status: number; hint: string }>;

/** The stable codes of {@link RegistryError}: keys of {@link REGISTRY_ERRORS}. */
export type RegistryErrorCode = keyof typeof REGISTRY_ERRORS;

/**
 * A refusal with a stable code, a message for people ("Cannot publish …: why"), and details safe
 * to show (names, versions, limits, the compatibility report).
 */
export class RegistryError extends Error {
  override name = "RegistryError";
  /** The HTTP status of {@link RegistryError.code}. */
  readonly status: number;
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers (`Allow`, `WWW-Authenticate`, `Content-Range`). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = REGISTRY_ERRORS[code].status;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  /** A stable code from {@link REGISTRY_ERRORS}. */
  code: RegistryErrorCode;
  /** What failed and why, then what to do. */
  message: string;
  /** Structured fields (names, limits, offsets, the compatibility report). */
  details?: Record<string, unknown>;
}

const STORAGE_TO_REGISTRY: Partial<Record<StorageError["code"], RegistryErrorCode>> = {
  "conflict": "version-exists",
  "kind-mismatch": "kind-mismatch",
  "last-owner": "last-owner",
  "not-found": "not-found",
  "digest-mismatch": "digest-mismatch",
  "too-large": "payload-too-large",
  "aborted": "upload-incomplete",
  "invalid-range": "range-not-satisfiable",
  "invalid-input": "invalid-body",
  "locked": "unavailable",
  "closed": "unavailable",
  "unavailable": "unavailable",
  "stale": "unavailable",
  "unknown-signing-key": "unknown-signing-key",
  "signature-required": "signature-required",
  "too-many-keys": "too-many-keys",
};

/** Seconds a client waits before retrying when the storage is away (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Turns what a handler threw into a user error, or `undefined` for a server fault. Storage,
 * decoder and name errors carry stable codes of their own and map onto the table; their messages
 * are already written for users.
 */
export function toRegistryError(e: unknown): RegistryError | undefined {
  if (e instanceof RegistryError) return e;
  if (isStorageError(e)) {
    const code = STORAGE_TO_REGISTRY[e.code];
    if (code === undefined) return undefined;
    const headers = code === "unavailable"
      ? { "retry-after": String(RETRY_AFTER_SECONDS) }
      : undefined;
    return new RegistryError(code, e.message, { ...e.details }, headers);
  }
  if (e instanceof ComponentDecodeError) {
    return new RegistryError("invalid-component", e.message, {
      decodeError: e.code,
      offset: e.offset,
    });
  }
  if (e instanceof NameError) {
    const code: RegistryErrorCode = e.code === "invalid-version"
      ? "invalid-version"
      : e.code === "invalid-digest"
      ? "invalid-digest"
      : "invalid-name";
    return new RegistryError(code, e.message, { input: e.input, part: e.part });
  }
  return undefined;
}

/** The body of an error response for a user error. */
export function errorBody(e: RegistryError): ErrorBody {
  const message = `${e.message}. ${REGISTRY_ERRORS[e.code].hint}`;
  const body: ErrorBody = { code: e.code, message };
  if (e.details !== undefined && Object.keys(e.details).length > 0) body.details = e.details;
  return body;
}

/** The body of a server fault: nothing from the exception reaches the client. */
export function internalErrorBody(requestId: string): ErrorBody {
  return {
    code: "internal",
    message:
      `The server failed while handling this request (request id ${requestId}). ${REGISTRY_ERRORS.internal.hint}`,
    details: { requestId },
  };
}
