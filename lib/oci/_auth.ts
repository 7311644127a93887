/**
 * The token auth of OCI registries (Docker's token scheme): `WWW-Authenticate` challenges, the
 * `scope` strings (`repository:<name>:pull,push`), and the token endpoint's answer. Pure text in,
 * values out, for the registry that sends challenges and for clients that answer them.
 */

/** One challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** `bearer` or `basic`, lowercase. */
  scheme: string;
  /** Its parameters (`realm`, `service`, `scope`, `error`), names lowercase. */
  params: Record<string, string>;
}

/**
 * The challenges of a `WWW-Authenticate` header (RFC 9110 §11.6.1): `Bearer realm="…",
 * service="…", scope="…"`, possibly several, with quoted or bare parameter values. Malformed
 * parts are skipped.
 *
 * @example
 * ```ts
 * import { parseChallenges } from "./mod.ts";
 * const [c] = parseChallenges('Bearer realm="https://r.example/token",service="r.example"');
 * console.assert(c.scheme === "bearer" && c.params.realm === "https://r.example/token");
 * ```
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header.slice(0, 8192);
  const token = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
  const skip = () => {
    while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === ",")) i++;
  };
  let current: Challenge | undefined;
  while (i < s.length) {
    skip();
    token.lastIndex = i;
    const m = token.exec(s);
    if (m === null) {
      i++;
      continue;
    }
    const name = m[0];
    i += name.length;
    while (s[i] === " ") i++;
    if (s[i] === "=" && current !== undefined && s[i + 1] !== "=") {
      i++;
      while (s[i] === " ") i++;
      let value = "";
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < s.length) i++;
          value += s[i++];
        }
        i++;
      } else {
        token.lastIndex = i;
        const v = token.exec(s);
        value = v === null ? "" : v[0];
        i += value.length;
      }
      current.params[name.toLowerCase()] = value;
    } else {
      // A new scheme (token68 credentials after it are ignored).
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

/** A `Bearer` challenge's text; values are quoted (and `"`, `\` escaped). */
export function formatBearerChallenge(params: {
  realm: string;
  service?: string;
  scope?: string;
  error?: string;
}): string {
  const q = (v: string) => `"${v.replace(/[\\"]/g, "\\$&")}"`;
  const parts = [`realm=${q(params.realm)}`];
  if (params.service !== undefined) parts.push(`service=${q(params.service)}`);
  if (params.scope !== undefined) parts.push(`scope=${q(params.scope)}`);
  if (params.error !== undefined) parts.push(`error=${q(params.error)}`);
  return `Bearer ${parts.join(",")}`;
}

/** One scope of a token request: a resource and the actions wanted on it. */
export interface Scope {
  /** `repository` (or `registry` for `registry:catalog:*`). */
  type: string;
  /** The repository name. */
  name: string;
  /** `pull`, `push`, `delete`, `*`. */
  actions: string[];
}

/**
 * Parses `repository:<name>:<action>[,<action>…]`, or `undefined` when malformed. Several
 * scopes may come space-separated in one `scope` parameter: split them first.
 *
 * @example
 * ```ts
 * import { parseScope } from "./mod.ts";
 * const s = parseScope("repository:docs/hello:pull,push");
 * console.assert(s?.name === "docs/hello" && s.actions.length === 2);
 * ```
 */
export function parseScope(text: string): Scope | undefined {
  if (text.length > 1024) return undefined;
  const first = text.indexOf(":");
  const last = text.lastIndexOf(":");
  if (first <= 0 || last <= first + 1) return undefined;
  const actions = text.slice(last + 1).split(",").filter((a) => a !== "");
  if (actions.length === 0 || !actions.every((a) => /^[a-z*]+$/.test(a))) return undefined;
  return { type: text.slice(0, first), name: text.slice(first + 1, last), actions };
}

/** The text of a scope: `repository:<name>:pull,push`. */
export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(",")}`;
}

/**
 * The token in a token endpoint's JSON answer (`token`, or OAuth's `access_token`), or
 * `undefined` when there is none.
 */
export function tokenOfResponse(body: unknown): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const { token, access_token } = body as Record<string, unknown>;
  if (typeof token === "string" && token !== "") return token;
  if (typeof access_token === "string" && access_token !== "") return access_token;
  return undefined;
}
