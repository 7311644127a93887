/**
 * `wit/deps/`: the WIT packages of the lock, where wit-parser (wasm-tools, wit-bindgen, jco,
 * componentize-*) and wkg look for a project's WIT dependencies. The layout is wkg's default
 * (`wkg wit fetch`): one folder per package, named `<namespace>-<name>-<version>` (`:` and `@`
 * replaced by `-`), holding the package printed as WIT text in `package.wit`:
 *
 * ```
 * wit/deps/docs-processor-0.1.0/package.wit
 * ```
 *
 * The locked WIT packages are decoded and merged into one resolve first, so a package they use
 * but the registry does not publish (a WASI interface, say) is written from the definitions the
 * binary packages carry, as wkg does. Each file starts with a comment saying wreg wrote it;
 * folders of such files that the lock no longer holds are removed, anything else in `deps/` is
 * left alone.
 */
import { CliError, EXIT } from "./_command.ts";
import { exists, joinPath, readTextIfExists, removeIfExists, writeFileAtomic } from "./_fs.ts";
import type { FetchedPackage } from "./_sync.ts";
import { decodeComponent } from "../lib/component/mod.ts";
import {
  formatWitPackageName,
  mergeResolve,
  printWitPackage,
  type Resolve,
  WitError,
} from "../lib/wit/mod.ts";

/** The first line of every `package.wit` wreg writes. */
export const WIT_DEPS_MARKER = "// Written by wreg from wreg.lock";

/** The folder name of a package in `deps/`: `docs:processor@0.1.0` → `docs-processor-0.1.0`. */
export function depsFolderName(packageId: string): string {
  return packageId.replace(/[:@]/g, "-");
}

/** One file wreg wants in `deps/`. */
export interface WitDepFile {
  /** `docs-processor-0.1.0`. */
  folder: string;
  /** `docs:processor@0.1.0`. */
  id: string;
  text: string;
}

/** The `deps/` files for the lock's WIT packages (pure). */
export function witDepFiles(packages: readonly FetchedPackage[], own?: string): WitDepFile[] {
  const wit = packages.filter((p) => p.kind === "wit").sort((a, b) => a.name < b.name ? -1 : 1);
  if (wit.length === 0) return [];
  let merged: Resolve | undefined;
  for (const p of wit) {
    const d = decodeComponent(p.bytes);
    if (d.kind !== "wit-package") {
      throw new CliError(
        `Cannot write wit/deps: ${p.name}@${p.version} is locked as a WIT package but its bytes ` +
          `are a ${d.kind}`,
        EXIT.registry,
      );
    }
    if (merged === undefined) merged = d.resolve;
    else {
      try {
        mergeResolve(merged, d.resolve);
      } catch (e) {
        if (e instanceof WitError) {
          throw new CliError(
            `Cannot write wit/deps: ${p.name}@${p.version} disagrees with another locked ` +
              `package about a shared package (${e.message.split("\n")[0]})`,
            EXIT.resolution,
          );
        }
        throw e;
      }
    }
  }
  const out: WitDepFile[] = [];
  const r = merged!;
  r.packages.forEach((pkg, id) => {
    const name = `${pkg.name.namespace}:${pkg.name.name}`;
    if (name === own) return;
    const pid = formatWitPackageName(pkg.name);
    const locked = wit.find((p) => p.name === name);
    const origin = locked !== undefined && pkg.name.version === locked.version
      ? ` (${pid}, ${locked.digest})`
      : ` (${pid}, as used by the locked packages)`;
    out.push({
      folder: depsFolderName(pid),
      id: pid,
      text: `${WIT_DEPS_MARKER}${origin}.\n// Do not edit: \`wreg install\` writes it again.\n\n${
        printWitPackage(r, id)
      }`,
    });
  });
  return out.sort((a, b) => a.folder < b.folder ? -1 : 1);
}

/** What {@link writeWitDeps} changed. */
export interface WitDepsResult {
  written: string[];
  removed: string[];
  unchanged: string[];
}

/** Writes `deps/` under `witDir` (each file atomically); removes what wreg wrote before. */
export async function writeWitDeps(
  witDir: string,
  files: readonly WitDepFile[],
): Promise<WitDepsResult> {
  const deps = joinPath(witDir, "deps");
  const result: WitDepsResult = { written: [], removed: [], unchanged: [] };
  const wanted = new Set(files.map((f) => f.folder));
  if (await exists(deps)) {
    for await (const e of Deno.readDir(deps)) {
      if (!e.isDirectory || wanted.has(e.name)) continue;
      const text = await readTextIfExists(`${deps}/${e.name}/package.wit`);
      if (text?.startsWith(WIT_DEPS_MARKER)) {
        await removeIfExists(`${deps}/${e.name}`);
        result.removed.push(e.name);
      }
    }
  }
  for (const f of files) {
    const path = `${deps}/${f.folder}/package.wit`;
    if ((await readTextIfExists(path)) === f.text) {
      result.unchanged.push(f.folder);
      continue;
    }
    await writeFileAtomic(path, f.text);
    result.written.push(f.folder);
  }
  result.removed.sort();
  return result;
}
