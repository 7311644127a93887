/**
 * Helpers for the compatibility tests and benchmark: read a WIT tree of the corpus into one
 * resolve and pick a package by name, and lay two trees side by side in one WIT folder so the
 * native `wasm-tools component semver-check` (which compares two worlds of one package) can check
 * a world or interface of one against the other.
 *
 * @module
 */
import { binaryWitOptions, readWitSources } from "../cli/mod.ts";
import {
  formatWitPackageName,
  type PackageId,
  type Resolve,
  resolveWit,
  type ResolveWitOptions,
} from "../lib/wit/mod.ts";
import { CORPUS } from "./component_support.ts";

export { CORPUS };

/** A resolved tree and the package of interest in it. */
export interface Tree {
  resolve: Resolve;
  package: PackageId;
}

/** Reads a WIT file or folder (with deps/) of the corpus; `pkg` picks another package of it. */
export async function loadTree(
  path: string,
  pkg?: string,
  options: ResolveWitOptions = {},
): Promise<Tree> {
  const sources = await readWitSources(path, binaryWitOptions(CORPUS.replace(/\/$/, "")));
  const w = resolveWit(sources, options);
  if (pkg === undefined) return w;
  const id = w.resolve.packageNames.get(pkg);
  if (id === undefined) {
    const known = w.resolve.packages.map((p) => formatWitPackageName(p.name)).join(", ");
    throw new Error(`no package ${pkg} in ${path}: ${known}`);
  }
  return { resolve: w.resolve, package: id };
}

/** `ns:name@version` of a tree's package. */
export function packageName(t: Tree): string {
  return formatWitPackageName(t.resolve.packages[t.package].name);
}

/** The folders (relative to the corpus) of a WIT tree: the root and each entry of its deps/. */
function treeFolders(root: string): string[] {
  const folders = [root];
  try {
    for (const e of Deno.readDirSync(`${CORPUS}${root}/deps`)) {
      if (e.isDirectory) folders.push(`${root}/deps/${e.name}`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return folders.sort();
}

/** The `package ns:name@version;` a folder's .wit files declare. */
function declaredPackage(folder: string): string | undefined {
  for (const e of Deno.readDirSync(`${CORPUS}${folder}`)) {
    if (!e.name.endsWith(".wit")) continue;
    const text = Deno.readTextFileSync(`${CORPUS}${folder}/${e.name}`);
    const m = /^\s*package\s+([^;\s{]+)\s*;/m.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** One pair for the native tool: a world of each side, or an interface of each side. */
export type NativePair =
  | { kind: "world"; old: string; new: string }
  | { kind: "interface"; old: string; new: string };

/**
 * Writes a WIT folder whose root package `wreg:semver-check` has, for pair `i`, worlds `prev-i`
 * and `new-i`: a world pair includes the two worlds (`include ns:pkg/w@v;`), an interface pair
 * imports the two interfaces (the import direction, where additions are compatible). Both trees
 * are linked into its deps/. Returns the folder; remove it when done.
 */
export async function writeSideBySide(
  oldRoot: string,
  newRoot: string,
  pairs: NativePair[],
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-side-by-side-" });
  await Deno.mkdir(`${dir}/deps`);
  let n = 0;
  const seen = new Set<string>();
  for (const folder of [...treeFolders(oldRoot), ...treeFolders(newRoot)]) {
    // The same package (same folder, or a copy at the same version) is linked once.
    const key = declaredPackage(folder) ?? folder;
    if (seen.has(key)) continue;
    seen.add(key);
    await Deno.symlink(`${CORPUS}${folder}`, `${dir}/deps/d${n++}`);
  }
  const worlds = pairs.map((p, i) =>
    p.kind === "world"
      ? `world prev-${i} { include ${p.old}; }\nworld new-${i} { include ${p.new}; }`
      : `world prev-${i} { import ${p.old}; }\nworld new-${i} { import ${p.new}; }`
  );
  await Deno.writeTextFile(
    `${dir}/root.wit`,
    `package wreg:semver-check;\n\n${worlds.join("\n\n")}\n`,
  );
  return dir;
}
