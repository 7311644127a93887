/**
 * Who calls `/v2`, and the token auth OCI clients expect:
 *
 * - reads of packages are public: no credentials needed;
 * - a wreg token works as it is, as `Authorization: Bearer <token>` (what wkg sends from
 *   `WKG_REGISTRY_<NAME>_AUTH_BEARER`) or as the password of Basic credentials;
 * - `GET /v2/` without credentials, and a push without them, answer 401 with
 *   `WWW-Authenticate: Bearer realm="<origin>/v2/token",service="<host>",scope="…"`; the token
 *   endpoint takes Basic credentials (password = a wreg token; the user name is not used), or
 *   none, and answers `{"token": …, "expires_in": …}`. So `oras login`, `skopeo --creds` and
 *   docker-style clients work.
 *
 * The endpoint never hands out the wreg token. It issues a short-lived token (registry/oci/
 * _tokens.ts: HMAC-signed with a key the storage keeps, expiring after `tokenTtlSeconds`) that
 * grants, per repository asked for, the actions asked for that the login may do: `pull` to anyone,
 * `push` and `delete` only to a wreg token with scope `publish` whose owner may publish to the
 * namespace. Presented back, it is checked for its signature and expiry, then for the repository
 * and action of the request, and its wreg token must still be valid (a revoked one takes its tokens
 * with it); the namespace's rights are checked again at every push, as for a wreg token.
 */
import {
  formatBearerChallenge,
  formatScope,
  packageOfRepository,
  parseScope,
} from "../../lib/oci/mod.ts";
import type { PackageName } from "../../lib/names/mod.ts";
import { type Actor, authenticateSecret, authorizeNamespace, refuseThrottled } from "../_auth.ts";
import type { Context } from "../_context.ts";
import { RegistryError } from "../_errors.ts";
import type { Handler } from "../_handlers.ts";
import { API_VERSION_HEADER, OciRefusal } from "./_errors.ts";
import {
  grantedOn,
  looksLikeOciToken,
  type OciAccess,
  type OciTokenClaims,
  signOciToken,
  tokenKey,
  verifyOciToken,
} from "./_tokens.ts";

/** Who calls: nobody in particular, a wreg token (or the admin token), or a token of the endpoint. */
export type OciCaller =
  | { kind: "anonymous"; presented: boolean }
  | { kind: "actor"; actor: Actor }
  | { kind: "scoped"; claims: OciTokenClaims };

/** The origin a challenge's realm points at: the configured public URL, else the request's. */
export function originOf(ctx: Context, req: Request): string {
  const configured = ctx.oci.options.publicUrl;
  if (configured !== undefined) return configured.replace(/\/+$/, "");
  const url = new URL(req.url);
  return url.origin;
}

/** The `WWW-Authenticate` challenge of a request (with a scope when it concerns a repository). */
export function challengeFor(
  ctx: Context,
  req: Request,
  scope?: string,
  error?: string,
): string {
  const origin = originOf(ctx, req);
  return formatBearerChallenge({
    realm: `${origin}/v2/token`,
    service: new URL(origin).host,
    scope,
    error,
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
  if (looksLikeOciToken(secret)) {
    return { kind: "scoped", claims: await checkScoped(ctx, req, secret) };
  }
  try {
    return { kind: "actor", actor: await authenticateSecret(ctx, secret, req) };
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
 * A token of the endpoint, checked: signed with the storage's key and not expired. Refused with
 * 401 and a challenge otherwise (a client then asks the endpoint again); a forged signature counts
 * as a failed authentication for the client's throttle. The token is never part of a message.
 */
async function checkScoped(ctx: Context, req: Request, token: string): Promise<OciTokenClaims> {
  const client = refuseThrottled(ctx, req);
  const checked = verifyOciToken(
    await tokenKey(ctx),
    token,
    Math.floor(ctx.now().getTime() / 1000),
    new URL(originOf(ctx, req)).host,
  );
  if (checked.ok) return checked.claims;
  // A token of another service signed with this storage's key is no guess: not throttled.
  if (checked.fault !== "expired" && checked.fault !== "issuer") {
    ctx.authFailures.fail(client, ctx.now().getTime());
  }
  throw new OciRefusal(
    "UNAUTHORIZED",
    checked.fault === "expired"
      ? "Cannot authenticate: the token expired; get a new one from the token endpoint"
      : checked.fault === "issuer"
      ? "Cannot authenticate: the token was issued for another service; get one from this " +
        "registry's token endpoint"
      : "Cannot authenticate: the token is not one this registry issued",
    undefined,
    {
      headers: {
        "www-authenticate": challengeFor(ctx, req, undefined, "invalid_token"),
      },
    },
  );
}

/**
 * The wreg token a token of the endpoint was issued for, if it is still valid (not revoked).
 */
async function tokenBehind(
  ctx: Context,
  claims: OciTokenClaims,
): Promise<Actor & { kind: "token" } | undefined> {
  if (claims.sub === "anonymous" || typeof claims.owner !== "string") {
    return undefined;
  }
  const token = (await ctx.storage.metadata.listTokens(claims.owner)).find((t) =>
    t.id === claims.sub && t.revokedAt === null
  );
  return token === undefined ? undefined : { kind: "token", token };
}

/**
 * The token (not the admin token) that may push to (or, with `need: "delete"`, delete from) a
 * package's repository: anonymous callers get a 401 challenge for `repository:<repo>:pull,push`;
 * a token without the `publish` scope or the namespace's membership is refused (403, `DENIED`, the
 * reason in the message). A token of the endpoint must grant the action on this repository (else
 * 401 with an `insufficient_scope` challenge, so the client asks for one that does, or 403 when
 * its login could not get one anyway) and its wreg token must still be valid.
 */
export async function requirePusher(
  ctx: Context,
  req: Request,
  repository: string,
  name: PackageName,
  action: string,
  need: "push" | "delete" = "push",
): Promise<Actor & { kind: "token" }> {
  const caller = await ociCaller(ctx, req);
  const scope = formatScope({ type: "repository", name: repository, actions: ["pull", need] });
  const challenge = (error?: string) => ({
    headers: { "www-authenticate": challengeFor(ctx, req, scope, error) },
  });
  if (
    caller.kind === "anonymous" || (caller.kind === "scoped" && caller.claims.sub === "anonymous")
  ) {
    throw new OciRefusal(
      "UNAUTHORIZED",
      `Cannot ${action}: pushing needs a wreg token with scope "publish" (as a bearer token, or the password of a login)`,
      { repository },
      challenge(),
    );
  }
  // The token's scope and the namespace's membership (403 with the reason when refused).
  const authorize = async (actor: Actor) =>
    authorizeNamespace(
      actor,
      "publish",
      name.namespace,
      await ctx.storage.metadata.getNamespace(name.namespace),
      action,
    );
  let actor: Actor;
  if (caller.kind === "scoped") {
    const behind = await tokenBehind(ctx, caller.claims);
    if (behind === undefined) {
      throw new OciRefusal(
        "UNAUTHORIZED",
        `Cannot ${action}: the wreg token this token was issued for is unknown or was revoked`,
        { repository },
        challenge("invalid_token"),
      );
    }
    actor = behind;
    const granted = grantedOn(caller.claims, repository);
    if (!granted.includes(need)) {
      // A login that may not do this anyway learns why (403, below); one that may is asked to
      // get a token for this repository and action.
      await authorize(actor);
      throw new OciRefusal(
        "UNAUTHORIZED",
        `Cannot ${action}: the token grants ${
          granted.length === 0 ? "nothing" : JSON.stringify(granted.join(","))
        } on ${repository}, not "${need}"; ask the token endpoint for scope ${scope}`,
        { repository, granted, needed: need },
        challenge("insufficient_scope"),
      );
    }
  } else actor = caller.actor;
  await authorize(actor);
  return actor as Actor & { kind: "token" };
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

/** Most scopes one token request may ask for. */
const MAX_SCOPES = 32;

/**
 * `GET /v2/token?service=…&scope=…`: the token endpoint. Basic credentials whose password is a
 * wreg token, or none, get a short-lived token granting, per repository asked for, the actions
 * asked for that they may do (`pull` to anyone; `push` and `delete` to a wreg token that may
 * publish to the namespace); what they may not do is left out, as the distribution spec's token
 * servers do, and the push that follows is refused with the reason. Unknown credentials are
 * refused (401) so a login fails at once.
 */
export const token: Handler = async (ctx, req, _params, url) => {
  const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter((s) =>
    s !== ""
  );
  const parsed = scopes.map(parseScope);
  if (scopes.length > MAX_SCOPES || parsed.some((s) => s === undefined)) {
    throw new OciRefusal(
      "UNSUPPORTED",
      `Cannot issue a token: each scope must be repository:<name>:<actions> (at most ${MAX_SCOPES})`,
      undefined,
      { status: 400 },
    );
  }
  const caller = await ociCaller(ctx, req);
  // Only a login with a wreg token may get more than pulls; a token of this endpoint presented
  // here is no login (it cannot extend itself).
  const actor = caller.kind === "actor" && caller.actor.kind === "token"
    ? caller.actor as Actor & { kind: "token" }
    : undefined;
  const access: OciAccess[] = [];
  for (const s of parsed) {
    if (s === undefined || s.type !== "repository") continue;
    const name = packageOfRepository(s.name, ctx.oci.prefix);
    if (name === undefined) continue;
    const wanted = new Set(s.actions.flatMap((a) => a === "*" ? ["pull", "push", "delete"] : [a]));
    const actions: string[] = [];
    if (wanted.has("pull")) actions.push("pull");
    if (actor !== undefined && (wanted.has("push") || wanted.has("delete"))) {
      const record = await ctx.storage.metadata.getNamespace(name.namespace);
      // A reserved namespace nobody was given yet takes no publish (registry/_publish.ts).
      let may = record !== undefined || !ctx.reservedNamespaces.has(name.namespace);
      try {
        authorizeNamespace(actor, "publish", name.namespace, record, `push to ${s.name}`);
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        may = false;
      }
      if (may) { for (const a of ["push", "delete"]) if (wanted.has(a)) actions.push(a); }
    }
    const same = access.find((a) => a.name === s.name);
    if (same !== undefined) {
      for (const a of actions) if (!same.actions.includes(a)) same.actions.push(a);
    } else if (actions.length > 0) access.push({ type: "repository", name: s.name, actions });
  }
  const issuedAt = ctx.now();
  const now = Math.floor(issuedAt.getTime() / 1000);
  const ttl = ctx.oci.options.tokenTtlSeconds;
  const issued = signOciToken(await tokenKey(ctx), {
    iss: new URL(originOf(ctx, req)).host,
    sub: actor?.token.id ?? "anonymous",
    ...(actor === undefined ? {} : { owner: actor.token.owner }),
    iat: now,
    nbf: now,
    exp: now + ttl,
    jti: crypto.getRandomValues(new Uint8Array(12)).toHex(),
    access,
  });
  return new Response(
    JSON.stringify({
      token: issued,
      access_token: issued,
      expires_in: ttl,
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
