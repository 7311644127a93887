/**
 * Test support for the WIT front end: where the corpus is, how binary WIT packages are read
 * (the same decoder the CLI uses), the native wasm-tools as an optional oracle, and a canonical
 * form of a whole resolve (every package by name) for comparing resolves regardless of ids.
 */
import { binaryWitOptions, type ReadWitOptions } from "../cli/mod.ts";
import { type CanonicalPackage, canonicalPackage, type Resolve } from "../lib/wit/mod.ts";

/** Root of the shared corpus (read in place, never copied). */
import { CORPUS } from "../tools/corpus.ts";
export { CORPUS };

/** wit-parser's UI test folder. */
export const UI = `${CORPUS}wasm-tools/crates/wit-parser/tests/ui`;

/** How tests read WIT from disk: binary deps decoded by lib/component, `.wat` via jco. */
export const READ_OPTIONS: ReadWitOptions = binaryWitOptions("/");

/** Path of the native wasm-tools CLI, or `undefined` when it is not installed. */
export const WASM_TOOLS: string | undefined = (() => {
  const p = `${Deno.env.get("HOME")}/.cargo/bin/wasm-tools`;
  try {
    return Deno.statSync(p).isFile ? p : undefined;
  } catch {
    return undefined;
  }
})();

/** Runs the native wasm-tools; returns its stdout, or the first line of stderr on failure. */
export function wasmTools(args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const out = new Deno.Command(WASM_TOOLS!, { args }).outputSync();
  const dec = new TextDecoder();
  return { ok: out.success, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Every package of `resolve` in canonical form, keyed by package name, docs and gates kept. */
export function canonicalResolve(resolve: Resolve): Record<string, CanonicalPackage> {
  const out: Record<string, CanonicalPackage> = {};
  resolve.packages.forEach((_, id) => {
    const c = canonicalPackage(resolve, id, { docs: true, stability: true });
    out[c.name] = c;
  });
  return out;
}

/** The entries of a folder, sorted by name. */
export function sortedEntries(dir: string): Deno.DirEntry[] {
  return [...Deno.readDirSync(dir)].sort((
    a,
    b,
  ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
