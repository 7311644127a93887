/**
 * Encodes a WIT file or folder (with its `deps/`) as a binary WIT package, the form the registry
 * stores and `wkg`/`wasm-tools` read. Used by `wreg wit build` and `wreg publish`.
 */
import { encodeWitPackage } from "../lib/component/mod.ts";
import {
  formatWitPackageName,
  type PackageId,
  type Resolve,
  resolveWit,
  type WitPackageName,
} from "../lib/wit/mod.ts";
import { readWitSources } from "./_wit_files.ts";
import { binaryWitOptions } from "./cmd_wit.ts";

/** A WIT package encoded as a binary, with the name and version its `package` line declares. */
export interface BuiltWitPackage {
  bytes: Uint8Array;
  name: WitPackageName;
  /** `ns:name@version`, as WIT writes it. */
  id: string;
}

/** Resolves the WIT at `path` (relative to `cwd`): every package, and the root one. */
export async function resolveWitFolder(
  path: string,
  cwd: string,
): Promise<{ resolve: Resolve; package: PackageId }> {
  return resolveWit(await readWitSources(path, binaryWitOptions(cwd)));
}

/** Resolves the WIT at `path` (relative to `cwd`) and encodes its root package. */
export async function buildWitPackage(path: string, cwd: string): Promise<BuiltWitPackage> {
  const { resolve, package: main } = await resolveWitFolder(path, cwd);
  const name = resolve.packages[main].name;
  return { bytes: encodeWitPackage(resolve, main), name, id: formatWitPackageName(name) };
}
