import type { Digest } from "../names/mod.ts";
import { LockError } from "./_errors.ts";
import { fillChoiceFor } from "./_fill.ts";
import { entry } from "./_json.ts";
import type { Lock, LockedFill, LockedPackage } from "./_lock.ts";
import { type Manifest, type PackageKind, requirementsOf } from "./_manifest.ts";
import { PROJECT, type Resolution, type ResolvedPackage } from "./_resolve.ts";

/** Where a resolved package's bytes come from: what the CLI learns when it fetches the version. */
export interface PackageOrigin {
  readonly kind: PackageKind;
  readonly registry: string;
  readonly digest: Digest;
  /** The OCI manifest digest, for a package from an OCI registry. */
  readonly manifest?: Digest;
  /** The size of the bytes, when the registry lists it. */
  readonly size?: number;
}

/**
 * The lock for a resolution. `origin` gives each package's kind, registry and digest (from the
 * version documents the CLI fetched); `fills` names, per component, the package that fills each
 * import (`ns:pkg/iface@1.2.3` → `ns:name`), which must be part of the resolution.
 *
 * @throws {LockError} when a fill names a package or component the resolution does not hold.
 */
export function lockFromResolution(
  resolution: Resolution,
  origin: (pkg: ResolvedPackage) => PackageOrigin,
  fills: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Lock {
  const packages: Record<string, LockedPackage> = {};
  for (const p of resolution.packages) {
    const o = origin(p);
    packages[p.name] = {
      version: p.version,
      kind: o.kind,
      registry: o.registry,
      digest: o.digest,
      ...(o.size === undefined ? {} : { size: o.size }),
      ...(o.manifest === undefined ? {} : { manifest: o.manifest }),
      requirements: p.requirements,
      dependencies: p.dependencies,
    };
  }
  const lockFills: Record<string, Record<string, LockedFill>> = {};
  for (const [component, imports] of Object.entries(fills)) {
    if (!Object.hasOwn(packages, component)) {
      throw new LockError(
        "inconsistent",
        entry("fills", component),
        `the component ${component} is not part of the resolution`,
      );
    }
    const out: Record<string, LockedFill> = {};
    for (const [iface, pkg] of Object.entries(imports)) {
      const impl = Object.hasOwn(packages, pkg) ? packages[pkg] : undefined;
      if (impl === undefined) {
        throw new LockError(
          "inconsistent",
          entry(entry("fills", component), iface),
          `the implementation ${pkg} is not part of the resolution`,
        );
      }
      out[iface] = { package: pkg, version: impl.version, digest: impl.digest };
    }
    lockFills[component] = out;
  }
  return { packages, fills: lockFills };
}

/** Stable codes of {@link LockProblem}. */
export type LockProblemCode =
  | "missing-requirement"
  | "changed-requirement"
  | "removed-requirement"
  | "changed-fill";

/** A way in which `wreg.lock` no longer matches `wreg.json`. */
export interface LockProblem {
  readonly code: LockProblemCode;
  /** The package (or, for `changed-fill`, the component) concerned. */
  readonly package: string;
  readonly message: string;
}

/**
 * Whether the lock was made for this manifest: every requirement of `wreg.json` is locked with
 * the same range, the lock holds nothing for requirements `wreg.json` dropped, and no fill in the
 * lock contradicts a `fills` choice. Empty when the lock is current; `install` refuses otherwise.
 */
export function checkLockCurrent(manifest: Manifest, lock: Lock): LockProblem[] {
  const problems: LockProblem[] = [];
  const wanted = requirementsOf(manifest);
  for (const [name, range] of Object.entries(wanted)) {
    const p = Object.hasOwn(lock.packages, name) ? lock.packages[name] : undefined;
    const lockedRange = p?.requirements[PROJECT];
    if (lockedRange === undefined) {
      problems.push({
        code: "missing-requirement",
        package: name,
        message: `wreg.json requires ${name}@${range}, which wreg.lock does not hold`,
      });
    } else if (lockedRange !== range) {
      problems.push({
        code: "changed-requirement",
        package: name,
        message: `wreg.json requires ${name}@${range}, but wreg.lock was made for ${lockedRange}`,
      });
    }
  }
  for (const [name, p] of Object.entries(lock.packages).sort(([a], [b]) => a < b ? -1 : 1)) {
    if (p.requirements[PROJECT] !== undefined && !Object.hasOwn(wanted, name)) {
      problems.push({
        code: "removed-requirement",
        package: name,
        message: `wreg.lock holds ${name} for wreg.json, which no longer requires it`,
      });
    }
  }
  for (const component of Object.keys(lock.fills).sort()) {
    for (
      const [iface, impl] of Object.entries(lock.fills[component]).sort(([a], [b]) =>
        a < b ? -1 : 1
      )
    ) {
      const choice = fillChoiceFor(manifest.fills, iface);
      if (choice !== undefined && choice.package !== impl.package) {
        problems.push({
          code: "changed-fill",
          package: component,
          message:
            `wreg.json fills ${iface} with ${choice.package}, but wreg.lock has ${impl.package}`,
        });
      }
    }
  }
  return problems;
}
