/** The errors both metadata stores raise, with their messages, written once. */
import type { Version } from "../lib/names/mod.ts";
import { StorageError } from "./_errors.ts";
import type { PackageKind } from "./_types.ts";

/**
 * `conflict`: the version exists, as written or as `existing`, which differs from it only in build
 * metadata (the same version).
 */
export function conflict(pkg: string, version: Version, existing: string = version): StorageError {
  if (existing !== version) {
    return new StorageError(
      "conflict",
      `Cannot publish "${pkg}@${version}": version ${existing} exists already, and versions that differ only in build metadata are the same version`,
      { package: pkg, version, existing },
    );
  }
  return new StorageError(
    "conflict",
    `Cannot publish "${pkg}@${version}": that version exists already and versions are immutable`,
    { package: pkg, version },
  );
}

/** `kind-mismatch`: the package has another kind. */
export function kindMismatch(pkg: string, stored: PackageKind, given: PackageKind): StorageError {
  return new StorageError(
    "kind-mismatch",
    `Cannot publish a ${given} to "${pkg}": the package holds ${
      stored === "component" ? "components" : "WIT packages"
    }`,
    { package: pkg, stored, given },
  );
}

/** `not-found` for a package. */
export function packageNotFound(pkg: string): StorageError {
  return new StorageError("not-found", `Cannot find package "${pkg}"`, { package: pkg });
}

/** `not-found` for a version. */
export function versionNotFound(pkg: string, version: Version): StorageError {
  return new StorageError("not-found", `Cannot find version "${pkg}@${version}"`, {
    package: pkg,
    version,
  });
}

/** `not-found` for a namespace. */
export function namespaceNotFound(name: string): StorageError {
  return new StorageError("not-found", `Cannot find namespace "${name}": nobody has claimed it`, {
    namespace: name,
  });
}

/** `not-found` for a member. */
export function memberNotFound(name: string, user: string): StorageError {
  return new StorageError(
    "not-found",
    `Cannot remove "${user}" from namespace "${name}": not a member`,
    {
      namespace: name,
      user,
    },
  );
}

/** `last-owner`. */
export function lastOwner(name: string, user: string): StorageError {
  return new StorageError(
    "last-owner",
    `Cannot remove owner "${user}" from namespace "${name}": it is the namespace's last owner`,
    { namespace: name, user },
  );
}

/** `not-found` for a token. */
export function tokenNotFound(id: string): StorageError {
  return new StorageError("not-found", `Cannot find token "${id}"`, { id });
}

/**
 * Refuses a commit whose caller checked against other versions than the package holds now
 * (`stale`); does nothing when `basedOn` is not given or matches.
 */
export function checkBasedOn(
  pkg: string,
  version: Version,
  current: readonly Version[],
  basedOn: readonly Version[] | undefined,
): void {
  if (basedOn === undefined) return;
  const seen = new Set<string>(basedOn);
  if (current.length === seen.size && current.every((v) => seen.has(v))) return;
  const added = current.filter((v) => !seen.has(v)).sort();
  throw new StorageError(
    "stale",
    `Cannot publish "${pkg}@${version}": the package changed since it was checked (${
      added.length > 0 ? `now also ${added.join(", ")}` : "versions differ"
    })`,
    { package: pkg, version, added },
  );
}
