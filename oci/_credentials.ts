/**
 * Credentials for OCI registries: a user name and password (sent to a token endpoint as Basic, or
 * to a Basic-challenging registry), or a ready bearer token. The caller finds them in its own
 * configuration first; {@link dockerCredentials} reads the user's Docker `config.json` as the
 * fallback that `docker login`, `oras login` and `skopeo login` fill.
 *
 * Credential helpers (`credsStore`, `credHelpers`) are not run: a registry whose credentials live
 * only in a helper is reached anonymously.
 */

/** What to authenticate with. */
export type OciCredentials =
  | { readonly username: string; readonly password: string }
  | { readonly token: string };

const MAX_CONFIG = 1 << 20;

/** The path of the Docker config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Record<string, string | undefined>): string | undefined {
  const dir = env.DOCKER_CONFIG;
  if (dir !== undefined && dir !== "") return `${dir.replace(/\/+$/, "")}/config.json`;
  const home = env.HOME ?? env.USERPROFILE;
  return home === undefined || home === ""
    ? undefined
    : `${home.replace(/\/+$/, "")}/.docker/config.json`;
}

/** The host part of an `auths` key (`https://ghcr.io/v1/` → `ghcr.io`). */
function hostOfKey(key: string): string {
  let k = key.trim().toLowerCase();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  const slash = k.indexOf("/");
  return slash < 0 ? k : k.slice(0, slash);
}

/** Reads the credentials for `host` (`host[:port]`) from a Docker config text. */
export function credentialsFromDockerConfig(
  text: string,
  host: string,
): OciCredentials | undefined {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return undefined;
  }
  const auths = (config as { auths?: unknown })?.auths;
  if (typeof auths !== "object" || auths === null) return undefined;
  const wanted = host.toLowerCase();
  for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
    if (hostOfKey(key) !== wanted || typeof value !== "object" || value === null) continue;
    const v = value as Record<string, unknown>;
    if (typeof v.registrytoken === "string" && v.registrytoken !== "") {
      return { token: v.registrytoken };
    }
    if (typeof v.username === "string" && typeof v.password === "string") {
      return { username: v.username, password: v.password };
    }
    if (typeof v.auth === "string" && v.auth !== "") {
      let decoded: string;
      try {
        decoded = new TextDecoder().decode(Uint8Array.fromBase64(v.auth));
      } catch {
        continue;
      }
      const colon = decoded.indexOf(":");
      if (colon <= 0) continue;
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  return undefined;
}

/** The user's Docker credentials for `host`, or `undefined` (no file, no entry, unreadable). */
export async function dockerCredentials(
  env: Record<string, string | undefined>,
  host: string,
): Promise<OciCredentials | undefined> {
  const path = dockerConfigPath(env);
  if (path === undefined) return undefined;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || info.size > MAX_CONFIG) return undefined;
    return credentialsFromDockerConfig(await Deno.readTextFile(path), host);
  } catch {
    return undefined;
  }
}
