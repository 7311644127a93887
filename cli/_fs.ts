/**
 * File helpers of the package manager: every file wreg writes into a project, the cache or the
 * config goes through {@link writeFileAtomic} (a temporary sibling, then one rename), so a reader
 * (another wreg process, an editor, Deno) sees the old file or the new one, never half of one.
 */

/** `dir/name`, or `name` when it is absolute. */
export function joinPath(dir: string, name: string): string {
  if (name.startsWith("/")) return name;
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/** The folder part of a path (`/a/b/c` → `/a/b`). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** `path` relative to `base` when inside it (`./x/y`), else `path` as it is. */
export function relativePath(path: string, base: string): string {
  const b = base.replace(/\/+$/, "");
  if (path === b) return ".";
  return path.startsWith(`${b}/`) ? path.slice(b.length + 1) : path;
}

/** Whether something exists at `path` (a dangling symlink counts). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The text of a file, or `undefined` when there is none. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** A suffix for temporary names that no other process picks. */
export function tempSuffix(): string {
  return `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Writes a file atomically: the data goes to a temporary file in the same folder, which is then
 * renamed over `path` (rename within one file system is atomic). The folder is created when
 * missing. `mode` applies to the new file (e.g. `0o600` for secrets).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.wreg-tmp-${tempSuffix()}`;
  try {
    const opts = options.mode === undefined ? {} : { mode: options.mode };
    if (typeof data === "string") await Deno.writeTextFile(tmp, data, opts);
    else await Deno.writeFile(tmp, data, opts);
    // The mode given to open() is filtered by the umask; set it exactly.
    if (options.mode !== undefined && Deno.build.os !== "windows") {
      await Deno.chmod(tmp, options.mode);
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Removes a file or folder; nothing happens when it is not there. */
export async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** A file to write: its path relative to a folder, and its contents. */
export interface TreeFile {
  path: string;
  contents: string | Uint8Array;
}

/** Writes `files` (paths relative to `dir`) into `dir`, creating it and their folders. */
export async function writeTree(dir: string, files: readonly TreeFile[]): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const f of files) {
    const p = `${dir}/${f.path}`;
    await Deno.mkdir(dirname(p), { recursive: true });
    if (typeof f.contents === "string") await Deno.writeTextFile(p, f.contents);
    else await Deno.writeFile(p, f.contents);
  }
}

/** Every file under `dir` with its bytes, paths relative to `dir`, sorted by path. */
export async function readTree(dir: string, rel = ""): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await readTree(dir, p));
    else if (e.isFile) out.push({ path: p, contents: await Deno.readFile(`${dir}/${p}`) });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * Replaces the folder `dir` with the files given, atomically for readers of the folder: they are
 * written into a temporary sibling that is renamed into place (the old folder is moved aside
 * first and removed after).
 */
export async function replaceDirAtomic(
  dir: string,
  files: readonly TreeFile[],
): Promise<void> {
  const tmp = `${dir}.wreg-tmp-${tempSuffix()}`;
  try {
    await writeTree(tmp, files);
    if (await exists(dir)) {
      const old = `${dir}.wreg-old-${tempSuffix()}`;
      await Deno.rename(dir, old);
      try {
        await Deno.rename(tmp, dir);
      } catch (e) {
        await Deno.rename(old, dir);
        throw e;
      }
      await Deno.remove(old, { recursive: true });
    } else {
      await Deno.mkdir(dirname(dir), { recursive: true });
      await Deno.rename(tmp, dir);
    }
  } finally {
    await removeIfExists(tmp);
  }
}
