/**
 * Reads WIT from disk into the in-memory sources lib/wit resolves: a `.wit` file, or a folder of
 * `.wit` files with its `deps/` folder (each entry a folder of `.wit` files, a `.wit` file, or a
 * binary WIT package `.wasm`), the layout wit-parser and wkg use.
 */
import type { ResolvedWit, SourceFile, WitDependency, WitSources } from "../lib/wit/mod.ts";
import { CliError, EXIT } from "./_command.ts";

/**
 * Turns the bytes of a `.wasm` into a resolve and its package id. `role` says whether the file
 * is the input itself (a component is then accepted: its world's package is returned) or an entry
 * of `deps/` (which must be a WIT package).
 */
export type WitPackageDecoder = (
  bytes: Uint8Array,
  path: string,
  role: "root" | "dependency",
) => ResolvedWit;

/** Turns WebAssembly text (`.wat`) into binary. */
export type WatParser = (text: string, path: string) => Promise<Uint8Array>;

/** Options of {@link readWitSources}. */
export interface ReadWitOptions {
  /** Folder that relative paths are read from (paths in messages stay as given). */
  cwd?: string;
  /** Decoder for binary WIT packages (`.wasm`); without it such an entry is an error. */
  decodeWasm?: WitPackageDecoder;
  /** Parser for `.wat` packages; without it such an entry is an error. */
  parseWat?: WatParser;
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/** Where to read `path` (as shown to the user) from. */
function real(path: string, options: ReadWitOptions): string {
  return options.cwd === undefined || path.startsWith("/") ? path : join(options.cwd, path);
}

async function isDirectory(path: string, options: ReadWitOptions): Promise<boolean> {
  try {
    return (await Deno.stat(real(path, options))).isDirectory;
  } catch {
    return false;
  }
}

/** The `.wit` files directly in `dir` (not in sub-folders), with their texts. */
async function readWitDir(dir: string, options: ReadWitOptions): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for await (const entry of Deno.readDir(real(dir, options))) {
    if (!entry.name.endsWith(".wit")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory || (entry.isSymlink && await isDirectory(path, options))) continue;
    files.push({ path, text: await readText(path, options) });
  }
  return files;
}

async function readText(path: string, options: ReadWitOptions): Promise<string> {
  const bytes = await Deno.readFile(real(path, options));
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
    for await (const e of Deno.readDir(real(dir, options))) entries.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const deps: WitDependency[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory || (entry.isSymlink && await isDirectory(path, options))) {
      deps.push({ name: entry.name, files: await readWitDir(path, options) });
    } else if (entry.name.endsWith(".wit")) {
      deps.push({ name: entry.name, files: [{ path, text: await readText(path, options) }] });
    } else if (entry.name.endsWith(".wasm") || entry.name.endsWith(".wat")) {
      const decoded = await readBinaryPackage(path, options, "dependency");
      deps.push({ name: entry.name, resolve: decoded.resolve });
    }
  }
  return deps;
}

/** Whether `path` names a WebAssembly file (binary `.wasm` or text `.wat`). */
export function isWasmPath(path: string): boolean {
  return path.endsWith(".wasm") || path.endsWith(".wat");
}

/**
 * Reads a WIT package encoded as WebAssembly (`.wasm`, or `.wat` text) and decodes it; as the
 * input itself (`role` "root") a component is accepted too.
 */
export async function readBinaryPackage(
  path: string,
  options: ReadWitOptions,
  role: "root" | "dependency" = "root",
): Promise<ResolvedWit> {
  let bytes: Uint8Array = await Deno.readFile(real(path, options));
  if (path.endsWith(".wat")) {
    if (!options.parseWat) {
      throw new CliError(`Cannot read "${path}": no WebAssembly text parser is available`);
    }
    bytes = await options.parseWat(new TextDecoder().decode(bytes), path);
  }
  if (!options.decodeWasm) {
    throw new CliError(`Cannot read "${path}": no decoder for binary WIT packages is available`);
  }
  return options.decodeWasm(bytes, path, role);
}

/**
 * Reads the WIT at `path`: a `.wit` file (one package, possibly with nested packages), or a
 * folder whose `.wit` files form the root package, with an optional `deps/` folder.
 */
export async function readWitSources(
  path: string,
  options: ReadWitOptions = {},
): Promise<WitSources> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(real(path, options));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`Cannot read WIT at "${path}": no such file or folder`, EXIT.usage);
    }
    throw e;
  }
  if (stat.isDirectory) {
    return {
      root: await readWitDir(path, options),
      deps: await readDeps(join(path, "deps"), options),
    };
  }
  if (isWasmPath(path)) {
    return { root: await readBinaryPackage(path, options) };
  }
  return { root: [{ path, text: await readText(path, options) }] };
}
