/**
 * The registry's view of compatibility, over lib/compat (the one subtype relation of wreg): the
 * publish gate ({@link compareReleases} for each pair of {@link gatePairs}) and the world index
 * ({@link implementsWorld}). Everything else in registry/ calls these and reads lib/compat's
 * `CompatReport`.
 */
import {
  type Bump,
  type Change,
  checkComponentCompat,
  checkPackageCompat,
  type CompatReport,
  maxBump,
  seriesCheckPairs,
} from "../lib/compat/mod.ts";
import type { Version } from "../lib/names/mod.ts";
import type { PackageId, Resolve, WorldId } from "../lib/wit/mod.ts";

export type { Bump, Change, CompatReport };

/** A release as the gate compares it: a WIT package, or a component's world. */
export type Release =
  | { kind: "wit-package"; resolve: Resolve; package: PackageId }
  | { kind: "component"; resolve: Resolve; world: WorldId };

/**
 * Compares two releases of one package: is `next` a compatible successor of `old`? WIT packages
 * with lib/compat's package check (each world in the direction of `wasm-tools component
 * semver-check`, each other interface in the interface direction); components in the component
 * direction (the new one may import less and export more).
 */
export function compareReleases(old: Release, next: Release): CompatReport {
  if (old.kind === "wit-package" && next.kind === "wit-package") {
    return checkPackageCompat(old.resolve, old.package, next.resolve, next.package);
  }
  if (old.kind === "component" && next.kind === "component") {
    return checkComponentCompat(old.resolve, old.world, next.resolve, next.world);
  }
  const change: Change = {
    path: "",
    kind: "changed-type",
    breaking: true,
    bump: "major",
    old: old.kind,
    new: next.kind,
    reason: "a package holds either components or WIT packages",
  };
  return { compatible: false, bump: "major", changes: [change] };
}

/**
 * The (old, new) pairs a new version takes part in within its semver series: each earlier
 * release against it, and it against each later one. Every published version counts, yanked ones
 * included: a yank hides a version from resolution, but lock files still name it, and a yank must
 * not open a way around the gate. Pre-releases are neither checked nor checked against.
 */
export function gatePairs(
  version: Version,
  published: readonly { version: Version }[],
): { old: Version; new: Version }[] {
  return seriesCheckPairs(version, published.map((p) => p.version));
}

/** Options of {@link implementsWorld}. */
export interface ImplementsOptions {
  /**
   * Imports the host provides besides the world's: a component may import interfaces of these
   * namespaces (`wasi`) or packages (`wasi:cli`) that the world does not import.
   */
  hostProvides?: readonly string[];
}

/**
 * Whether a component implements a world: it exports everything the world exports and imports
 * nothing the world does not import (lib/compat's component direction, with the world as the old
 * side). The report keeps only what is missing or extra; `compatible` is the answer.
 */
export function implementsWorld(
  component: { resolve: Resolve; world: WorldId },
  target: { resolve: Resolve; world: WorldId },
  options: ImplementsOptions = {},
): CompatReport {
  const report = checkComponentCompat(
    target.resolve,
    target.world,
    component.resolve,
    component.world,
  );
  const provided = options.hostProvides ?? [];
  const problems = report.changes.filter((c) =>
    c.breaking && !(c.kind === "added-import" && isHostProvided(c.path, provided))
  );
  return {
    compatible: problems.length === 0,
    bump: problems.reduce<Bump>((b, c) => maxBump(b, c.bump), "patch"),
    changes: problems,
  };
}

/** Whether an interface path (`wasi:cli/stdout`) belongs to a namespace or package listed. */
function isHostProvided(path: string, provided: readonly string[]): boolean {
  const slash = path.indexOf("/");
  if (slash < 0) return false;
  const pkg = path.slice(0, slash);
  const ns = pkg.slice(0, pkg.indexOf(":"));
  return provided.includes(ns) || provided.includes(pkg);
}

/**
 * The first version of the next semver series after `version` (what a breaking change needs):
 * `2.0.0` after `1.4.2`, `0.3.0` after `0.2.5`, `0.0.8` after `0.0.7`.
 */
export function nextSeries(version: Version): string {
  const [major, minor, patch] = version.split(/[.+-]/).map(Number);
  if (major > 0) return `${major + 1}.0.0`;
  if (minor > 0) return `0.${minor + 1}.0`;
  return `0.0.${patch + 1}`;
}
