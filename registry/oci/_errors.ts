/**
 * Refusals on `/v2` in the OCI protocol's terms: the error envelope `{"errors":[{code, message,
 * detail}]}` with the spec's codes. A refusal of the shared pipeline (a wreg `RegistryError`: the
 * compatibility gate, rights, limits) keeps its status and message; its code goes into the
 * nearest OCI code and the wreg code and details into `detail`, so a client shows the same report
 * `wreg publish` shows.
 */
import { errorEnvelope, OciError, type OciErrorCode } from "../../lib/oci/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { errorBody, type RegistryErrorCode, toRegistryError } from "../_errors.ts";

/** The header every `/v2` answer carries (clients of Docker's protocol look for it). */
export const API_VERSION_HEADER = { "docker-distribution-api-version": "registry/2.0" };

/** An {@link OciError} with response headers (a challenge, `Range`, `Location`). */
export class OciRefusal extends OciError {
  constructor(
    code: OciErrorCode,
    message: string,
    detail?: Record<string, unknown>,
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(code, message, detail, options.status);
    this.headers = options.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

/** The OCI code of each wreg code (anything missing is `UNSUPPORTED`). */
const OCI_CODE_OF: Partial<Record<RegistryErrorCode, string>> = {
  "not-found": "NAME_UNKNOWN",
  "method-not-allowed": "UNSUPPORTED",
  "invalid-path": "NAME_INVALID",
  "invalid-name": "NAME_INVALID",
  "invalid-version": "MANIFEST_INVALID",
  "invalid-digest": "DIGEST_INVALID",
  "digest-required": "DIGEST_INVALID",
  "digest-mismatch": "DIGEST_INVALID",
  "invalid-json": "MANIFEST_INVALID",
  "invalid-body": "MANIFEST_INVALID",
  "unsupported-media-type": "MANIFEST_INVALID",
  "payload-too-large": "SIZE_INVALID",
  "range-not-satisfiable": "BLOB_UPLOAD_INVALID",
  "upload-incomplete": "BLOB_UPLOAD_INVALID",
  "invalid-component": "MANIFEST_INVALID",
  "document-too-large": "MANIFEST_INVALID",
  "kind-not-allowed": "MANIFEST_INVALID",
  "package-mismatch": "MANIFEST_INVALID",
  "kind-mismatch": "DENIED",
  "version-exists": "DENIED",
  "namespace-mirrored": "DENIED",
  "incompatible-change": "DENIED",
  "unauthenticated": "UNAUTHORIZED",
  "invalid-token": "UNAUTHORIZED",
  "missing-scope": "DENIED",
  "namespace-forbidden": "DENIED",
  "not-owner": "DENIED",
  "admin-required": "DENIED",
  "admin-disabled": "DENIED",
  "last-owner": "DENIED",
  "signature-required": "DENIED",
  "unknown-signing-key": "DENIED",
  "invalid-signature": "DENIED",
  "unavailable": "UNAVAILABLE",
  "rate-limited": "TOOMANYREQUESTS",
};

/**
 * The response for what a `/v2` handler threw, or `undefined` for a server fault. `challenge`
 * makes the `WWW-Authenticate` header of a 401.
 */
export function ociErrorResponse(e: unknown, challenge: () => string): Response | undefined {
  if (e instanceof OciError) {
    const headers: Record<string, string> = {
      ...(e instanceof OciRefusal ? e.headers : {}),
    };
    if (e.status === 401 && headers["www-authenticate"] === undefined) {
      headers["www-authenticate"] = challenge();
    }
    return envelope(errorEnvelope(e), e.status, headers);
  }
  if (isStorageError(e, "limit")) {
    return envelope(
      errorEnvelope({ code: "TOOMANYREQUESTS", message: e.message, detail: { ...e.details } }),
      429,
    );
  }
  const r = toRegistryError(e);
  if (r === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (r.headers?.allow !== undefined) headers.allow = r.headers.allow;
  if (r.headers?.["retry-after"] !== undefined) headers["retry-after"] = r.headers["retry-after"];
  if (r.headers?.["content-range"] !== undefined) {
    headers["content-range"] = r.headers["content-range"];
  }
  if (r.status === 401) headers["www-authenticate"] = challenge();
  const body = errorBody(r);
  return envelope(
    errorEnvelope({
      code: OCI_CODE_OF[r.code] ?? "UNSUPPORTED",
      message: body.message,
      detail: { wreg: r.code, ...body.details },
    }),
    r.status,
    headers,
  );
}

/** The answer to a server fault on `/v2`: nothing from the exception, the request id. */
export function ociInternalError(requestId: string): Response {
  return envelope(
    errorEnvelope({
      code: "UNKNOWN",
      message:
        `The server failed while handling this request (request id ${requestId}); try again, and if it persists, report it with the request id`,
      detail: { requestId },
    }),
    500,
    { "x-request-id": requestId },
  );
}

function envelope(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...API_VERSION_HEADER, ...headers },
  });
}
