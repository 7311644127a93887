/**
 * Matching extern names across components: an export fills an import of the same name, or of the
 * same interface at another version of its semver series, lower ones too (`@1.2.0` and `@1.0.0`
 * fill each other, as do `@0.2.5` and `@0.2.1`; `@2.0.0` does not fill `@1.0.0`; pre-releases
 * only match exactly). The versions only find the candidate: the types decide whether it fits,
 * as wasmtime's linker does.
 */
import { parseExternName } from "../component/mod.ts";
import {
  compareVersions,
  isPrerelease,
  sameSeries,
  seriesOf,
  tryParseVersion,
  type Version,
} from "../names/mod.ts";

/** An interface name split into its unversioned part and its version. */
export interface VersionedName {
  /** `ns:pkg/iface` (nested projections included). */
  base: string;
  version?: Version;
}

/** Splits an interface extern name; `undefined` for other names or unparsable versions. */
export function versionedName(name: string): VersionedName | undefined {
  const hit = VERSIONED.get(name);
  if (hit !== undefined) return hit === null ? undefined : hit;
  const out = splitName(name);
  if (VERSIONED.size >= 10_000) VERSIONED.clear();
  VERSIONED.set(name, out ?? null);
  return out;
}

// Every import and export name is split several times per composition (matching, merging).
const VERSIONED = new Map<string, VersionedName | null>();

function splitName(name: string): VersionedName | undefined {
  const p = parseExternName(name, true);
  if (!p.ok || p.name.kind !== "interface") return undefined;
  const n = p.name;
  const base = `${n.namespace}:${n.package}/${[n.interface, ...n.projections].join("/")}`;
  if (n.version === undefined) return { base };
  const version = tryParseVersion(n.version);
  if (version === undefined) return undefined;
  return { base, version };
}

/**
 * How export `provided` matches import `wanted`: `exact` (same name), `compatible` (same
 * interface, another version of the same semver series, higher or lower), or `undefined`.
 */
export function matchName(wanted: string, provided: string): "exact" | "compatible" | undefined {
  if (wanted === provided) return "exact";
  const w = versionedName(wanted), p = versionedName(provided);
  if (w === undefined || p === undefined || w.base !== p.base) return undefined;
  if (w.version === undefined || p.version === undefined) return undefined;
  return sameSeriesVersion(w.version, p.version) ? "compatible" : undefined;
}

/** Whether two versions are of one semver series (pre-releases: only when equal). */
export function sameSeriesVersion(a: Version, b: Version): boolean {
  if (isPrerelease(a) || isPrerelease(b)) return a === b;
  return sameSeries(a, b);
}

/**
 * Why export `provided` does not fill import `wanted` although both name the same interface
 * (`a:b/c@2.0.0` for `a:b/c@1.0.0`: "2.0.0 is another major version than 1.0.0"), or `undefined`
 * when they are different interfaces or it does fill (any version of the same series does).
 */
export function nearMiss(wanted: string, provided: string): string | undefined {
  const w = versionedName(wanted), p = versionedName(provided);
  if (w === undefined || p === undefined || w.base !== p.base) return undefined;
  if (matchName(wanted, provided) !== undefined) return undefined;
  if (w.version === undefined) return "the import names no version";
  if (p.version === undefined) return "the export names no version";
  if (isPrerelease(w.version) || isPrerelease(p.version)) {
    return `a pre-release is filled only by its own version (${p.version} for ${w.version})`;
  }
  if (!sameSeries(w.version, p.version)) {
    const ws = seriesOf(w.version), ps = seriesOf(p.version);
    if (!ws.startsWith("0.") || !ps.startsWith("0.")) {
      return `${p.version} is another major version than ${w.version}`;
    }
    return `${p.version} and ${w.version} are in different 0.x series (${ps} and ${ws}), ` +
      `which semver treats as incompatible`;
  }
  // The same series fills in both directions (the types decide): matchName said so above.
  return undefined;
}

/**
 * The key under which imports of the result merge: the name itself, or for a versioned
 * interface its base and semver series, so `wasi:io/error@0.2.3` and `@0.2.6` merge.
 */
export function mergeKey(name: string): string {
  const v = versionedName(name);
  if (v === undefined || v.version === undefined) return name;
  if (isPrerelease(v.version)) return `${v.base}@${v.version}`;
  return `${v.base}@series:${seriesOf(v.version)}`;
}

/** Of two names with one merge key, the one with the higher version (the first on a tie). */
export function higherName(a: string, b: string): string {
  const va = versionedName(a)?.version, vb = versionedName(b)?.version;
  if (va === undefined || vb === undefined || !sameSeries(va, vb)) return a;
  return compareVersions(vb, va) > 0 ? b : a;
}
