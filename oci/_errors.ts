/**
 * Errors of the OCI client as data (the protocol's own error envelope is lib/oci's `OciError`): a stable {@link OciErrorCode}, the URL concerned, and the
 * HTTP status when there was an answer. Each surface renders them once (the CLI as one line with
 * its exit code, the registry's mirror as an API error).
 */

/** Stable codes of {@link OciClientError}. */
export type OciClientErrorCode =
  /** The host could not be reached (refused, DNS, TLS) or stopped answering. */
  | "unreachable"
  /** No answer, or no progress in a download, within the time allowed. */
  | "timeout"
  /** 401: credentials are missing or were refused. */
  | "unauthorized"
  /** 403: the credentials do not allow the action. */
  | "denied"
  /** 404: no such repository, tag, manifest or blob. */
  | "not-found"
  /** Any other error answer (4xx, 5xx), with the registry's own code when it gave one. */
  | "refused"
  /** Bytes that do not hash to the digest they were asked or announced by. */
  | "integrity"
  /** An answer larger than allowed, or than its descriptor says. */
  | "too-large"
  /** An answer that is not what the protocol says (bad JSON, bad manifest, bad header). */
  | "invalid"
  /** Plain HTTP to a host that is not loopback, or a redirect from HTTPS to HTTP. */
  | "insecure";

/** A failure of the OCI client. */
export class OciClientError extends Error {
  override name = "OciClientError";
  constructor(
    readonly code: OciClientErrorCode,
    message: string,
    /** The URL of the request that failed (never with credentials). */
    readonly url?: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
    /** The registry's error code (`NAME_UNKNOWN`, `DENIED`, …), when it gave one. */
    readonly registryCode?: string,
  ) {
    super(message);
  }
}
