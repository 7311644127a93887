/**
 * Who calls `/v2`, and the token auth OCI clients expect:
 *
 * - reads of packages are public: no credentials needed;
 * - a wreg token works as it is, as `Authorization: Bearer <token>` (what wkg sends from
 *   `WKG_REGISTRY_<NAME>_AUTH_BEARER`) or as the password of Basic credentials;
 * - `GET /v2/` without credentials, and a push without them, answer 401 with
 *   `WWW-Authenticate: Bearer realm="<origin>/v2/token",service="<host>",scope="…"`; the token
 *   endpoint takes Basic credentials (password = a wreg token; the user name is not used) and
 *   answers `{"token": …}`, or answers an anonymous token without credentials. So `oras login`,
 *   `skopeo --creds` and docker-style clients work.
 *
 * The token the endpoint gives back is the wreg token itself (or the anonymous one): every request
 * is checked against the repository and the action (pull is public; push needs a token with
 * scope `publish` whose owner may publish to the namespace), so a token never grants more than
 * its wreg token, wherever it came from.
 */
import { formatBearerChallenge, formatScope, parseScope } from "../../lib/oci/mod.ts";
import type { PackageName } from "../../lib/names/mod.ts";
import { type Actor, authenticateSecret, authorizeNamespace } from "../_auth.ts";
import type { Context } from "../_context.ts";
import { RegistryError } from "../_errors.ts";
import type { Handler } from "../_handlers.ts";
import { API_VERSION_HEADER, OciRefusal } from "./_errors.ts";

/** The token the endpoint gives anonymous callers: it grants pulls, which need none anyway. */
export const ANONYMOUS_TOKEN = "wreg-anonymous-pull";

/** Who calls: nobody in particular, or a wreg token (or the admin token). */
export type OciCaller =
  | { kind: "anonymous"; presented: boolean }
  | { kind: "actor"; actor: Actor; secret: string };

/** The origin a challenge's realm points at: the configured public URL, else the request's. */
export function originOf(ctx: Context, req: Request): string {
  const configured = ctx.oci.options.publicUrl;
  if (configured !== undefined) return configured.replace(/\/+$/, "");
  const url = new URL(req.url);
  return url.origin;
}

/** The `WWW-Authenticate` challenge of a request (with a scope when it concerns a repository). */
export function challengeFor(ctx: Context, req: Request, scope?: string): string {
  const origin = originOf(ctx, req);
  return formatBearerChallenge({
    realm: `${origin}/v2/token`,
    service: new URL(origin).host,
    scope,
  });
}

/**
 * The caller of a `/v2` request. Refuses (401) credentials that name no token, and a header it
 * cannot read; no credentials is an anonymous caller.
 */
export async function ociCaller(ctx: Context, req: Request): Promise<OciCaller> {
  const header = req.headers.get("authorization");
  if (header === null) return { kind: "anonymous", presented: false };
  const m = /^\s*(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!m) {
    throw new OciRefusal(
      "UNAUTHORIZED",
      'Cannot read the Authorization header: expected "Bearer <token>" or "Basic <base64 user:token>"',
    );
  }
  let secret = m[2];
  if (m[1].toLowerCase() === "basic") {
    let text = "";
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.fromBase64(secret));
    } catch { /* refused below */ }
    const colon = text.indexOf(":");
    if (colon < 0) {
      throw new OciRefusal(
        "UNAUTHORIZED",
        "Cannot read the Basic credentials: expected base64 of user:password, with a wreg token as the password",
      );
    }
    secret = text.slice(colon + 1);
    // Empty credentials (what a client without a login sends) are nobody in particular.
    if (secret === "") return { kind: "anonymous", presented: true };
  }
  if (secret === ANONYMOUS_TOKEN) return { kind: "anonymous", presented: true };
  try {
    return { kind: "actor", actor: await authenticateSecret(ctx, secret, req), secret };
  } catch (e) {
    if (e instanceof RegistryError && e.code === "invalid-token") {
      throw new OciRefusal(
        "UNAUTHORIZED",
        "Cannot authenticate: the token is unknown or was revoked",
        undefined,
        { headers: { "www-authenticate": challengeFor(ctx, req) } },
      );
    }
    throw e;
  }
}

/**
 * The token (not the admin token) that may push to a package's repository: anonymous callers get
 * a 401 challenge for `repository:<repo>:pull,push`; a token without the `publish` scope or the
 * namespace's membership is refused (403, `DENIED`, the reason in the message).
 */
export async function requirePusher(
  ctx: Context,
  req: Request,
  repository: string,
  name: PackageName,
  action: string,
): Promise<Actor & { kind: "token" }> {
  const caller = await ociCaller(ctx, req);
  if (caller.kind === "anonymous") {
    const scope = formatScope({ type: "repository", name: repository, actions: ["pull", "push"] });
    throw new OciRefusal(
      "UNAUTHORIZED",
      `Cannot ${action}: pushing needs a wreg token with scope "publish" (as a bearer token, or the password of a login)`,
      { repository },
      { headers: { "www-authenticate": challengeFor(ctx, req, scope) } },
    );
  }
  authorizeNamespace(
    caller.actor,
    "publish",
    name.namespace,
    await ctx.storage.metadata.getNamespace(name.namespace),
    action,
  );
  return caller.actor as Actor & { kind: "token" };
}

/** `GET /v2/`: 200 for any valid credentials, 401 with a challenge without any. */
export const ping: Handler = async (ctx, req) => {
  const caller = await ociCaller(ctx, req);
  if (caller.kind === "anonymous" && !caller.presented) {
    throw new OciRefusal(
      "UNAUTHORIZED",
      "Authentication required: get a token from the realm (anonymous tokens pull; a wreg token as password pushes)",
    );
  }
  return new Response("{}", {
    headers: { "content-type": "application/json", ...API_VERSION_HEADER },
  });
};

/**
 * `GET /v2/token?service=…&scope=…`: the token endpoint. Basic credentials whose password is a
 * wreg token get that token back; no credentials get the anonymous token. Unknown credentials
 * are refused (401) so a login fails at once.
 */
export const token: Handler = async (ctx, req, _params, url) => {
  const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter((s) =>
    s !== ""
  );
  if (scopes.length > 32 || scopes.some((s) => parseScope(s) === undefined)) {
    throw new OciRefusal(
      "UNSUPPORTED",
      "Cannot issue a token: each scope must be repository:<name>:<actions> (at most 32)",
      undefined,
      { status: 400 },
    );
  }
  const caller = await ociCaller(ctx, req);
  const secret = caller.kind === "actor" ? caller.secret : ANONYMOUS_TOKEN;
  const issuedAt = ctx.now();
  return new Response(
    JSON.stringify({
      token: secret,
      access_token: secret,
      expires_in: 3600,
      issued_at: issuedAt.toISOString(),
    }),
    {
      headers: {
        "content-type": "application/json",
        "cache-control": "no-store",
        ...API_VERSION_HEADER,
      },
    },
  );
};
