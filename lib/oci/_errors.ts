/**
 * The OCI distribution protocol's error codes and envelope (`{"errors":[{code, message,
 * detail}]}`), for the registry that answers with them and for clients that read them.
 */

/** The error codes of the distribution spec, with the status a registry answers them with. */
export const OCI_ERROR_CODES = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
} as const;

/** A code of {@link OCI_ERROR_CODES}. */
export type OciErrorCode = keyof typeof OCI_ERROR_CODES;

/**
 * A refusal in the OCI protocol's terms: a code from the spec, a message for people ("Cannot X:
 * why"), an optional JSON `detail`, and the HTTP status (the code's usual one unless given).
 *
 * @example
 * ```ts
 * import { OciError } from "./mod.ts";
 * const e = new OciError("MANIFEST_UNKNOWN", "Cannot find manifest 1.0.0 in docs/hello");
 * console.assert(e.status === 404);
 * ```
 */
export class OciError extends Error {
  override name = "OciError";
  /** The HTTP status to answer with. */
  readonly status: number;
  constructor(
    readonly code: OciErrorCode,
    message: string,
    readonly detail?: Record<string, unknown>,
    status?: number,
  ) {
    super(message);
    this.status = status ?? OCI_ERROR_CODES[code];
  }
}

/** One entry of an error envelope. */
export interface OciErrorEntry {
  /** A code from the spec (or one a registry made up: clients must accept unknown ones). */
  code: string;
  /** What failed. */
  message: string;
  /** Anything structured the registry adds. */
  detail?: unknown;
}

/** The body of an error answer: `{"errors":[…]}`. */
export function errorEnvelope(
  ...errors: (OciError | OciErrorEntry)[]
): { errors: OciErrorEntry[] } {
  return {
    errors: errors.map((e) => {
      const entry: OciErrorEntry = { code: e.code, message: e.message };
      if (e instanceof OciError) {
        if (e.detail !== undefined) entry.detail = e.detail;
      } else if (e.detail !== undefined) entry.detail = e.detail;
      return entry;
    }),
  };
}

/**
 * The entries of an error envelope a registry sent, or `undefined` when the text is not one (an
 * HTML page from a proxy, a truncated body). Only `code` and `message` strings are kept reliably;
 * at most 16 entries are read.
 */
export function parseErrorEnvelope(text: string): OciErrorEntry[] | undefined {
  if (text.length > 1024 * 1024) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const errors = (value as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  const out: OciErrorEntry[] = [];
  for (const e of errors.slice(0, 16)) {
    if (e === null || typeof e !== "object") continue;
    const { code, message, detail } = e as Record<string, unknown>;
    if (typeof code !== "string") continue;
    const entry: OciErrorEntry = { code, message: typeof message === "string" ? message : "" };
    if (detail !== undefined) entry.detail = detail;
    out.push(entry);
  }
  return out;
}
