/**
 * Test support for the WIT front end: where the corpus is, how binary WIT packages are read
 * (the same decoder the CLI uses), and a canonical form of a whole resolve (every package by
 * name) for comparing resolves regardless of ids. The native wasm-tools, the oracle, is run
 * through tests/support/wasm_tools.ts.
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
