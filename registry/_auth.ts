/**
 * Who is asking and what they may do. Reads are public; writes need a bearer token. The admin
 * token (given at start) creates tokens and manages namespaces; tokens are random secrets stored
 * only as hashes, scoped (`publish`, `yank`, `owners`, `admin`) and optionally limited to namespaces.
 * Publishing to an unclaimed namespace claims it for the token's owner (at the commit); a claimed
 * namespace takes publishes and yanks from its members only.
 */
import { timingSafeEqual } from "node:crypto";
import {
  hashTokenSecret,
  type NamespaceRecord,
  type TokenRecord,
  type TokenScope,
} from "../storage/mod.ts";
import type { Context } from "./_context.ts";
import { RegistryError } from "./_errors.ts";
import { bearerToken } from "./_http.ts";

/** The caller of a write. */
export type Actor =
  | { kind: "admin" }
  | { kind: "token"; token: TokenRecord };

const CHALLENGE = { "www-authenticate": 'Bearer realm="wreg"' };

/** The caller of a request, or `undefined` when it carries no token. Refuses unknown tokens. */
export async function authenticate(ctx: Context, req: Request): Promise<Actor | undefined> {
  const secret = bearerToken(req.headers);
  if (secret === undefined) return undefined;
  return await authenticateSecret(ctx, secret, req);
}

/**
 * The caller a token secret stands for, however it arrived (a bearer token, the password of the
 * OCI surface's Basic credentials). Refuses unknown and revoked tokens; a client that failed too
 * often lately is refused with `429 rate-limited` and `Retry-After` before its secret is looked
 * at (registry/_throttle.ts).
 */
export async function authenticateSecret(
  ctx: Context,
  secret: string,
  req: Request,
): Promise<Actor> {
  const client = refuseThrottled(ctx, req);
  if (ctx.adminToken !== undefined && sameSecret(secret, ctx.adminToken)) return { kind: "admin" };
  const token = await ctx.storage.metadata.findTokenBySecret(secret);
  if (token === undefined) {
    ctx.authFailures.fail(client, ctx.now().getTime());
    throw new RegistryError(
      "invalid-token",
      "Cannot authenticate: the token is unknown or was revoked",
      undefined,
      { "www-authenticate": 'Bearer realm="wreg", error="invalid_token"' },
    );
  }
  if (ctx.shouldTouch(token.id)) await ctx.storage.metadata.touchToken(token.id);
  return { kind: "token", token };
}

/**
 * The client of `req` (for {@link Context.authFailures}), or `429 rate-limited` with `Retry-After`
 * when it failed to authenticate too often lately: checked before any secret is looked at.
 */
export function refuseThrottled(ctx: Context, req: Request): string {
  const client = ctx.clientOf(req);
  const wait = ctx.authFailures.blockedFor(client, ctx.now().getTime());
  if (wait > 0) {
    throw new RegistryError(
      "rate-limited",
      `Cannot authenticate: too many failed attempts from this client; try again in ${wait} s`,
      { retryAfter: wait },
      { "retry-after": String(wait) },
    );
  }
  return client;
}

/** Like {@link authenticate}, but a missing token is refused. */
export async function requireActor(ctx: Context, req: Request, action: string): Promise<Actor> {
  const actor = await authenticate(ctx, req);
  if (actor === undefined) {
    throw new RegistryError(
      "unauthenticated",
      `Cannot ${action}: the request carries no token`,
      undefined,
      CHALLENGE,
    );
  }
  return actor;
}

/** Refuses anyone but the admin (the admin token, or a token with the `admin` scope). */
export function requireAdmin(ctx: Context, actor: Actor, action: string): void {
  if (actor.kind === "admin") return;
  if (actor.token.scopes.includes("admin")) return;
  if (ctx.adminToken === undefined) {
    throw new RegistryError("admin-disabled", `Cannot ${action}: this server has no admin token`);
  }
  throw new RegistryError(
    "admin-required",
    `Cannot ${action}: it needs the admin token, and token ${actor.token.id} of ${
      JSON.stringify(actor.token.owner)
    } is not one`,
  );
}

/**
 * Checks that a token may act on a namespace with a scope: it has the scope, its namespace list
 * (if any) names the namespace, and its owner is a member of the namespace when it is claimed.
 * Returns the owner, who claims the namespace when it is unclaimed.
 */
export function authorizeNamespace(
  actor: Actor,
  scope: TokenScope,
  namespace: string,
  record: NamespaceRecord | undefined,
  action: string,
): string {
  if (actor.kind === "admin") {
    throw new RegistryError(
      "missing-scope",
      `Cannot ${action}: the admin token only manages tokens and namespaces; create a token with ` +
        `scope "${scope}" (POST /api/v1/tokens) and use that`,
    );
  }
  const t = actor.token;
  if (!t.scopes.includes(scope)) {
    throw new RegistryError(
      "missing-scope",
      `Cannot ${action}: token ${t.id} has scopes ${JSON.stringify(t.scopes)}, not "${scope}"`,
      { tokenId: t.id, scopes: t.scopes, needed: scope },
    );
  }
  if (t.namespaces !== null && !t.namespaces.includes(namespace)) {
    throw new RegistryError(
      "namespace-forbidden",
      `Cannot ${action}: token ${t.id} is limited to namespaces ${
        JSON.stringify(t.namespaces)
      }, not "${namespace}"`,
      { tokenId: t.id, namespaces: t.namespaces, namespace },
    );
  }
  if (record !== undefined && !record.members.some((m) => m.user === t.owner)) {
    throw new RegistryError(
      "namespace-forbidden",
      `Cannot ${action}: namespace "${namespace}" belongs to ${
        record.members.filter((m) => m.role === "owner").map((m) => JSON.stringify(m.user)).join(
          ", ",
        )
      }, and ${JSON.stringify(t.owner)} is not a member`,
      { namespace, owners: record.members.filter((m) => m.role === "owner").map((m) => m.user) },
    );
  }
  return t.owner;
}

/**
 * Refuses anyone but an owner of the namespace acting with a token of scope `owners` (or the
 * admin): a CI token that publishes or yanks must not be able to give the namespace away.
 */
export function requireOwner(
  actor: Actor,
  namespace: string,
  record: NamespaceRecord,
  action: string,
): void {
  if (actor.kind === "admin" || actor.token.scopes.includes("admin")) return;
  const t = actor.token;
  if (!t.scopes.includes("owners")) {
    throw new RegistryError(
      "missing-scope",
      `Cannot ${action}: token ${t.id} has scopes ${
        JSON.stringify(t.scopes)
      }, not "owners" (membership changes need a token of their own)`,
      { tokenId: t.id, scopes: t.scopes, needed: "owners" },
    );
  }
  if (t.namespaces !== null && !t.namespaces.includes(namespace)) {
    throw new RegistryError(
      "namespace-forbidden",
      `Cannot ${action}: token ${t.id} is limited to namespaces ${JSON.stringify(t.namespaces)}`,
    );
  }
  if (!record.members.some((m) => m.user === t.owner && m.role === "owner")) {
    throw new RegistryError(
      "not-owner",
      `Cannot ${action}: ${JSON.stringify(t.owner)} is not an owner of namespace "${namespace}"`,
      { namespace },
    );
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(hashTokenSecret(given));
  const b = new TextEncoder().encode(hashTokenSecret(expected));
  return a.length === b.length && timingSafeEqual(a, b);
}
