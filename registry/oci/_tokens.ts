/**
 * The short-lived tokens of the OCI token endpoint (`GET /v2/token`): a JWT signed with HMAC-SHA256
 * by a key the storage keeps (`MetadataStore.serverSecret("oci-token")`, the same for every
 * process sharing the storage), granting actions on repositories until it expires:
 *
 * ```json
 * {"iss":"<service>","sub":"tok_…","owner":"alice","iat":…,"nbf":…,"exp":…,"jti":"…",
 *  "access":[{"type":"repository","name":"docs/hello","actions":["pull","push"]}]}
 * ```
 *
 * `sub` is the id of the wreg token the login presented (not its secret), or `anonymous`; the
 * token itself carries no secret of the caller, so a leaked one grants what it says on the
 * repositories it names, and only until `exp`. A JWT because wkg (oci-client) reads `exp` to
 * know when to ask again (it assumes 60 s for opaque tokens and ignores `expires_in`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "../_context.ts";

/** Actions on one repository a token grants. */
export interface OciAccess {
  type: "repository";
  /** The repository name (`<prefix><ns>/<name>`). */
  name: string;
  /** `pull`, `push`, `delete`. */
  actions: string[];
}

/** The claims of a token the endpoint issues. */
export interface OciTokenClaims {
  /** The service (the registry's host). */
  iss: string;
  /** The wreg token's id the login presented, or `anonymous`. */
  sub: string;
  /** The wreg token's owner (absent for `anonymous`). */
  owner?: string;
  /** Issued at, not before, expires at: seconds since the epoch. */
  iat: number;
  nbf: number;
  exp: number;
  /** A random id. */
  jti: string;
  access: OciAccess[];
}

/** Why a presented token was refused. */
export type OciTokenFault = "malformed" | "signature" | "expired" | "issuer";

/** Longest token text looked at. */
const MAX_TOKEN = 8192;
const HEADER = b64(new TextEncoder().encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
const SECRET_NAME = "oci-token";

function b64(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

function mac(key: Uint8Array, text: string): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(text).digest());
}

/** Whether a presented secret has the shape of a token of this endpoint (a JWT), not a wreg token. */
export function looksLikeOciToken(secret: string): boolean {
  return secret.length <= MAX_TOKEN && /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(secret);
}

/** Signs claims into a token. */
export function signOciToken(key: Uint8Array, claims: OciTokenClaims): string {
  const body = `${HEADER}.${b64(new TextEncoder().encode(JSON.stringify(claims)))}`;
  return `${body}.${b64(mac(key, body))}`;
}

/**
 * The claims of a token signed with `key` that is valid at `nowSeconds` and was issued by
 * `issuer` (the service host the endpoint writes into `iss`), or why not. The signature is checked
 * (in constant time) before anything in the token is read.
 */
export function verifyOciToken(
  key: Uint8Array,
  token: string,
  nowSeconds: number,
  issuer: string,
): { ok: true; claims: OciTokenClaims } | { ok: false; fault: OciTokenFault } {
  if (!looksLikeOciToken(token)) return { ok: false, fault: "malformed" };
  const [header, payload, signature] = token.split(".");
  let given: Uint8Array;
  try {
    given = Uint8Array.fromBase64(signature, { alphabet: "base64url" });
  } catch {
    return { ok: false, fault: "malformed" };
  }
  const expected = mac(key, `${header}.${payload}`);
  if (header !== HEADER || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, fault: "signature" };
  }
  let claims: OciTokenClaims;
  try {
    claims = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.fromBase64(payload, { alphabet: "base64url" }),
      ),
    );
  } catch {
    return { ok: false, fault: "malformed" };
  }
  if (
    typeof claims !== "object" || claims === null || typeof claims.exp !== "number" ||
    typeof claims.nbf !== "number" || typeof claims.sub !== "string" ||
    typeof claims.iss !== "string" || !Array.isArray(claims.access)
  ) return { ok: false, fault: "malformed" };
  // Processes of two registries over one storage (or a copy of it) share the key: a token is
  // taken only by the service it was issued for.
  if (claims.iss !== issuer) return { ok: false, fault: "issuer" };
  // A little leeway for processes whose clocks differ by a moment.
  if (nowSeconds >= claims.exp || nowSeconds + 5 < claims.nbf) {
    return { ok: false, fault: "expired" };
  }
  return { ok: true, claims };
}

/** The actions a token grants on a repository (none when it does not name it). */
export function grantedOn(claims: OciTokenClaims, repository: string): string[] {
  return claims.access
    .filter((a) => a && a.type === "repository" && a.name === repository)
    .flatMap((a) => (Array.isArray(a.actions) ? a.actions : []));
}

/**
 * The signing key, from the storage (created by the first process that needs it), kept by the
 * OCI state once read.
 */
export function tokenKey(ctx: Context): Promise<Uint8Array> {
  return ctx.oci.tokenKey ??= ctx.storage.metadata.serverSecret(
    SECRET_NAME,
    crypto.getRandomValues(new Uint8Array(32)),
  ).catch((e) => {
    ctx.oci.tokenKey = undefined; // ask again next time
    throw e;
  });
}
