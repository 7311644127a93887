/**
 * Reads WIT from disk into the in-memory sources lib/wit resolves: a `.wit` file, or a folder of
 * `.wit` files with its `deps/` folder (each entry a folder of `.wit` files, a `.wit` file, or a
 * binary WIT package `.wasm`), the layout wit-parser and wkg use.
 */
import type { Resolve, SourceFile, WitDependency, WitSources } from "../lib/wit/mod.ts";
import { CliError, EXIT } from "./_command.ts";

/** Turns the bytes of a binary WIT package (`.wasm`) into a resolve. */
export type WitPackageDecoder = (bytes: Uint8Array, path: string) => Resolve;

/** Options of {@link readWitSources}. */
export interface ReadWitOptions {
  /** Decoder for `.wasm` entries of `deps/`; without it such an entry is an error. */
  decodeWasm?: WitPackageDecoder;
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** The `.wit` files directly in `dir` (not in sub-folders), with their texts. */
async function readWitDir(dir: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".wit")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory || (entry.isSymlink && await isDirectory(path))) continue;
    files.push({ path, text: await readText(path) });
  }
  return files;
}

async function readText(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`Cannot read WIT: input file is not valid UTF-8 [${path}]`, EXIT.usage);
  }
}

async function readDeps(dir: string, options: ReadWitOptions): Promise<WitDependency[]> {
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const deps: WitDependency[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory || (entry.isSymlink && await isDirectory(path))) {
      deps.push({ name: entry.name, files: await readWitDir(path) });
    } else if (entry.name.endsWith(".wit")) {
      deps.push({ name: entry.name, files: [{ path, text: await readText(path) }] });
    } else if (entry.name.endsWith(".wasm") || entry.name.endsWith(".wat")) {
      deps.push({
        name: entry.name,
        resolve: decodeBinary(path, await Deno.readFile(path), options),
      });
    }
  }
  return deps;
}

function decodeBinary(path: string, bytes: Uint8Array, options: ReadWitOptions): Resolve {
  if (!options.decodeWasm) {
    throw new CliError(
      `Cannot read dependency "${path}": binary WIT packages are not supported yet ` +
        "(the component decoder is pending)",
      EXIT.usage,
    );
  }
  return options.decodeWasm(bytes, path);
}

/**
 * Reads the WIT at `path`: a `.wit` file (one package, possibly with nested packages), or a
 * folder whose `.wit` files form the root package, with an optional `deps/` folder.
 */
export async function readWitSources(
  path: string,
  options: ReadWitOptions = {},
): Promise<WitSources> {
  const stat = await Deno.stat(path);
  if (stat.isDirectory) {
    return { root: await readWitDir(path), deps: await readDeps(join(path, "deps"), options) };
  }
  return { root: [{ path, text: await readText(path) }] };
}
