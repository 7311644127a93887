/**
 * Where wreg keeps its per-user cache: `$WREG_CACHE_DIR` when set (relative to the working
 * folder if relative), otherwise `$XDG_CACHE_HOME/wreg` when that is set, otherwise
 * `~/.cache/wreg`. Every command that caches uses these helpers, each under its own sub-folder
 * (`bindings/`, `blobs/`…), so one variable moves all of it. Pass the command's `Io` (it has `env`
 * and `cwd`).
 */

/** What the helpers read: the environment and the working folder (an `Io` has both). */
export interface CacheEnv {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

/** The wreg cache folder (absolute path, no trailing slash). */
export function cacheDir(io: CacheEnv): string {
  const { env, cwd } = io;
  const explicit = env.WREG_CACHE_DIR;
  if (explicit !== undefined && explicit !== "") return absolute(explicit, cwd);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith("/")) return `${trim(xdg)}/wreg`;
  const home = env.HOME ?? env.USERPROFILE;
  if (home === undefined || home === "") return absolute(".wreg-cache", cwd);
  return `${trim(home)}/.cache/wreg`;
}

/** A path inside the cache: `cachePath(io, "bindings", key)`. */
export function cachePath(io: CacheEnv, ...segments: string[]): string {
  return [cacheDir(io), ...segments].join("/");
}

function trim(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

function absolute(p: string, cwd: string): string {
  return trim(p.startsWith("/") ? p : `${trim(cwd)}/${p}`);
}
