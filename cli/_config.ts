/**
 * The user's wreg configuration: which registry to use by default and the token for each
 * registry, in one JSON file readable by its owner only (mode 0600):
 *
 * - `$WREG_CONFIG_DIR/config.json` when `WREG_CONFIG_DIR` is set,
 * - else `$XDG_CONFIG_HOME/wreg/config.json`,
 * - else `~/.config/wreg/config.json`.
 *
 * ```json
 * {
 *   "registry": "http://127.0.0.1:8080",
 *   "tokens": { "http://127.0.0.1:8080": "wreg_…" }
 * }
 * ```
 *
 * `WREG_REGISTRY` overrides `registry`, and `WREG_TOKEN` is the token for the registry
 * `WREG_REGISTRY` names (for that one only, see {@link tokenFor}), so CI needs no file.
 */
import { CliError, EXIT } from "./_command.ts";
import { joinPath, readTextIfExists, writeFileAtomic } from "./_fs.ts";
import type { CacheEnv } from "./_cache_dir.ts";
import {
  formatOciRegistry,
  isOciRegistry,
  normalizeHost,
  OciClientError,
  type OciCredentials,
  parseOciRegistry,
} from "../oci/mod.ts";

/** The contents of `config.json`. */
export interface UserConfig {
  /** The default registry (a normalised URL, see {@link normalizeRegistryUrl}). */
  registry?: string;
  /** Registry URL → token. */
  tokens?: Record<string, string>;
  /** The namespace `wreg init` proposes (set by `wreg login` from the token's owner). */
  namespace?: string;
  /**
   * Credentials for OCI registries by host (`ghcr.io`, `127.0.0.1:5000`): a user name and
   * password (or access token as password), or a ready bearer token. Without an entry, the
   * Docker `config.json` is read, else the registry is asked anonymously.
   */
  credentials?: Record<string, OciCredentials>;
}

/** The folder of the config file (absolute). */
export function configDir(io: CacheEnv): string {
  const { env, cwd } = io;
  const explicit = env.WREG_CONFIG_DIR;
  if (explicit !== undefined && explicit !== "") return joinPath(cwd, explicit);
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg.replace(/\/+$/, "")}/wreg`;
  const home = env.HOME ?? env.USERPROFILE;
  if (home === undefined || home === "") return joinPath(cwd, ".wreg-config");
  return `${home.replace(/\/+$/, "")}/.config/wreg`;
}

/** The config file's path. */
export function configPath(io: CacheEnv): string {
  return `${configDir(io)}/config.json`;
}

/**
 * A registry in the one form wreg stores and compares: a wreg registry as
 * `http(s)://host[:port][/path]` with no trailing slash, query or fragment; an OCI registry as
 * `oci://host[:port]/prefix/`; a wasm-pkg registry name as `host[:port]` in lower case.
 *
 * @throws {CliError} (usage) when it is none of these.
 */
export function normalizeRegistryUrl(text: string, what = "registry URL"): string {
  const t = text.trim();
  if (isOciRegistry(t)) {
    try {
      return formatOciRegistry(parseOciRegistry(t));
    } catch (e) {
      if (e instanceof OciClientError) throw new CliError(e.message, EXIT.usage);
      throw e;
    }
  }
  if (!t.includes("://")) {
    try {
      const host = normalizeHost(t.toLowerCase(), what);
      if (host.includes(".") || host.includes(":") || host === "localhost") return host;
    } catch { /* the message below */ }
    throw new CliError(
      `Invalid ${what} ${JSON.stringify(text)}: expected http(s)://host[:port] (a wreg ` +
        "registry), oci://host[:port]/prefix/ (an OCI registry) or a registry name (host[:port])",
      EXIT.usage,
    );
  }
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw new CliError(
      `Invalid ${what} ${JSON.stringify(text)}: expected http://host:port or https://host`,
      EXIT.usage,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(
      `Invalid ${what} ${
        JSON.stringify(text)
      }: only http(s) (wreg) and oci registries are supported`,
      EXIT.usage,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new CliError(
      `Invalid ${what} ${JSON.stringify(text)}: put the token in \`wreg login\`, not in the URL`,
      EXIT.usage,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** Reads the config file; an absent file is an empty config. */
export async function readConfig(io: CacheEnv): Promise<UserConfig> {
  const path = configPath(io);
  const text = await readTextIfExists(path);
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `Cannot read the wreg config ${path}: it is not JSON (${(e as Error).message})`,
      EXIT.usage,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError(`Cannot read the wreg config ${path}: expected a JSON object`, EXIT.usage);
  }
  const o = value as Record<string, unknown>;
  const config: UserConfig = {};
  if (typeof o.registry === "string") config.registry = o.registry;
  if (typeof o.namespace === "string") config.namespace = o.namespace;
  const credentials = readCredentials(o.credentials);
  if (credentials !== undefined) config.credentials = credentials;
  if (typeof o.tokens === "object" && o.tokens !== null && !Array.isArray(o.tokens)) {
    config.tokens = {};
    for (const [k, v] of Object.entries(o.tokens)) {
      if (typeof v === "string") config.tokens[k] = v;
    }
  }
  return config;
}

/** Writes the config file atomically, readable and writable by its owner only. */
export async function writeConfig(io: CacheEnv, config: UserConfig): Promise<string> {
  const path = configPath(io);
  const out: UserConfig = {};
  if (config.registry !== undefined) out.registry = config.registry;
  if (config.namespace !== undefined) out.namespace = config.namespace;
  if (config.credentials !== undefined) {
    out.credentials = Object.fromEntries(
      Object.entries(config.credentials).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
  if (config.tokens !== undefined) {
    out.tokens = Object.fromEntries(
      Object.entries(config.tokens).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
  await Deno.mkdir(configDir(io), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** The registry to use when the project names none: `WREG_REGISTRY`, else the config's. */
export function defaultRegistry(io: CacheEnv, config: UserConfig): string | undefined {
  const env = io.env.WREG_REGISTRY;
  if (env !== undefined && env.trim() !== "") return normalizeRegistryUrl(env, "WREG_REGISTRY");
  return config.registry === undefined ? undefined : normalizeRegistryUrl(config.registry);
}

/**
 * The token for a registry, identified by its normalised URL: `WREG_TOKEN` when `WREG_REGISTRY`
 * names this very registry, else the one `wreg login` stored for that URL. The environment's token
 * is bound to the environment's registry, so a project's `wreg.json` (which anyone who sends a
 * pull request can edit) cannot send CI's token to a registry of its choosing.
 */
export function tokenFor(
  io: CacheEnv,
  config: UserConfig,
  registry: string,
): string | undefined {
  const env = io.env.WREG_TOKEN?.trim();
  if (env !== undefined && env !== "" && envRegistry(io) === registry) return env;
  return config.tokens?.[registry];
}

/** The registry `WREG_REGISTRY` names (normalised), if any. */
function envRegistry(io: CacheEnv): string | undefined {
  const named = io.env.WREG_REGISTRY;
  if (named === undefined || named.trim() === "") return undefined;
  return normalizeRegistryUrl(named, "WREG_REGISTRY");
}

/**
 * What to do when a registry has no token (the end of an error line): log in, or set WREG_TOKEN
 * with WREG_REGISTRY; when WREG_TOKEN is set but bound to another registry, says so.
 */
export function noTokenAdvice(io: CacheEnv, registry: string): string {
  const login = `run \`wreg login --registry ${registry} --token <token>\``;
  const env = io.env.WREG_TOKEN?.trim();
  if (env === undefined || env === "") {
    return `${login}, or set WREG_TOKEN with WREG_REGISTRY=${registry}`;
  }
  const named = envRegistry(io);
  return `WREG_TOKEN is sent only to the registry WREG_REGISTRY names${
    named === undefined ? ", and WREG_REGISTRY is not set" : ` (${named})`
  }; set WREG_REGISTRY=${registry} to use it here, or ${login}`;
}

/** Credentials of the user config for an OCI host, when well-formed. */
export function readCredentials(value: unknown): Record<string, OciCredentials> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, OciCredentials> = {};
  for (const [host, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "object" || v === null) continue;
    const c = v as Record<string, unknown>;
    if (typeof c.token === "string" && c.token !== "") out[host.toLowerCase()] = { token: c.token };
    else if (typeof c.username === "string" && typeof c.password === "string") {
      out[host.toLowerCase()] = { username: c.username, password: c.password };
    }
  }
  return out;
}
