/**
 * Every failure of the storage layer as data: a stable code, the HTTP status a server would answer
 * with, and what the code means. Surfaces (API JSON, CLI, HTML) render a {@link StorageError} once,
 * from this table; they never parse messages.
 */
export const STORAGE_ERRORS = {
  "conflict": { status: 409, meaning: "The row already exists (a version is immutable)" },
  "kind-mismatch": {
    status: 409,
    meaning: "The package exists with another kind (component or WIT package)",
  },
  "last-owner": { status: 409, meaning: "A namespace must keep at least one owner" },
  "not-found": { status: 404, meaning: "No such blob, package, version, namespace or token" },
  "digest-mismatch": { status: 400, meaning: "The bytes do not hash to the declared digest" },
  "too-large": { status: 413, meaning: "The stream is longer than the size limit" },
  "aborted": { status: 400, meaning: "The input stream failed before its end" },
  "invalid-range": { status: 416, meaning: "The byte range lies outside the blob" },
  "invalid-input": { status: 400, meaning: "A value given to the store is malformed" },
  "stale": {
    status: 409,
    meaning: "The package changed since the caller read it (another process committed); read again",
  },
  "unknown-signing-key": {
    status: 403,
    meaning: "The release is signed by a key its namespace has not registered, or has revoked",
  },
  "signature-required": {
    status: 403,
    meaning: "The namespace requires signed releases and this one is unsigned",
  },
  "too-many-keys": {
    status: 409,
    meaning: "The namespace has as many active publisher keys as allowed; revoke one first",
  },
  "limit": { status: 429, meaning: "An owner has as many open upload sessions as allowed" },
  "locked": { status: 503, meaning: "Another process holds the data directory" },
  "unavailable": {
    status: 503,
    meaning: "The database or the object store does not answer; try again in a moment",
  },
  "closed": { status: 503, meaning: "The store was used after close()" },
  "schema-too-new": {
    status: 500,
    meaning: "The database was written by a newer wreg; refusing to touch it",
  },
  "io": { status: 500, meaning: "The file system or database failed" },
} as const satisfies Record<string, { status: number; meaning: string }>;

/** The stable codes of {@link StorageError}: keys of {@link STORAGE_ERRORS}. */
export type StorageErrorCode = keyof typeof STORAGE_ERRORS;

/**
 * A storage operation that failed. `code` is stable and is what callers branch on; `status` is the
 * HTTP status a server should answer with; `details` holds structured fields (the package and
 * version of a conflict, the expected and actual digest of a mismatch, …) safe to show to users.
 *
 * @example
 * ```ts
 * import { StorageError } from "./mod.ts";
 * const e = new StorageError("not-found", `Cannot find blob "sha256:00…"`);
 * console.assert(e.status === 404 && e.code === "not-found");
 * ```
 */
export class StorageError extends Error {
  /** Always `"StorageError"`. */
  override name = "StorageError";
  /** The HTTP status that matches {@link StorageError.code}. */
  readonly status: number;
  /** Makes an error with a stable code, a message for people, and structured details. */
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = STORAGE_ERRORS[code].status;
  }
}

/** Whether `e` is a {@link StorageError}, optionally with the given code. */
export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}

/** Wraps an unexpected failure of the file system or database as an `io` {@link StorageError}. */
export function ioError(what: string, cause: unknown): StorageError {
  if (cause instanceof StorageError) return cause;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StorageError("io", `Cannot ${what}: ${why}`, {}, { cause });
}

/**
 * Runs a synchronous body as a promise, so that a throw becomes a rejection (the stores' methods
 * are async in the interface even where the work is synchronous).
 */
export function settle<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (e) {
    return Promise.reject(e);
  }
}
