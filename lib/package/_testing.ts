/**
 * Helpers for the resolver's tests: resolve plain data and render the outcome as one line.
 * Private to lib/package's tests.
 */
import { parseRange, parseVersion, type Version, type VersionRange } from "../names/mod.ts";
import { type MemoryIndex, memorySource, type PackageSource } from "./_source.ts";
import { ResolutionError, resolve, type ResolveOptions } from "./_resolve.ts";

/** Plain requirements → validated ones. */
export function ranges(r: Record<string, string>): Record<string, VersionRange> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, parseRange(v)]));
}

/** Plain locked versions → validated ones. */
export function versions(r: Record<string, string>): Record<string, Version> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, parseVersion(v)]));
}

/** The outcome of a resolution as text: "a:x@1.0.0 b:y@2.0.0", or "code: message". */
export async function outcome(
  index: MemoryIndex | PackageSource,
  requirements: Record<string, string>,
  options: Omit<ResolveOptions, "source" | "requirements"> = {},
): Promise<string> {
  const source = typeof (index as PackageSource).versions === "function"
    ? index as PackageSource
    : memorySource(index as MemoryIndex);
  try {
    const r = await resolve({ ...options, requirements: ranges(requirements), source });
    return r.packages.map((p) => `${p.name}@${p.version}`).join(" ");
  } catch (e) {
    if (e instanceof ResolutionError) return `${e.code}: ${e.message}`;
    throw e;
  }
}
