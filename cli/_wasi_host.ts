/**
 * wreg's WASI host (the `wasi/` module of this checkout) as files to copy next to generated
 * bindings: into a project's `wreg_modules/.wasi/` (`wreg add`), or into a bindings folder's
 * `_wasi/` (`wreg bindings`), so that lean glue of a component importing WASI finds it.
 */
import type { TreeFile } from "./_fs.ts";

/** The WASI host's sources (`wasi/*.ts`, tests left out), sorted by path. */
export async function wasiSources(): Promise<TreeFile[]> {
  const dir = new URL("../wasi/", import.meta.url).pathname;
  const files: TreeFile[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      files.push({ path: e.name, contents: await Deno.readFile(`${dir}${e.name}`) });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The folder `wreg bindings` copies the WASI host into, and the specifier its glue uses. */
export const LOCAL_WASI_DIR = "_wasi";
export const LOCAL_WASI_HOST = `./${LOCAL_WASI_DIR}`;
