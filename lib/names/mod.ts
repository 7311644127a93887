/**
 * Validated names of wreg: package names (`namespace:name`), interface names
 * (`ns:pkg/iface@1.2.3`), semver versions and ranges, and `sha256:` digests.
 *
 * Every value of these types exists only after a `parseX` accepted it; invalid input throws a
 * {@link NameError} whose `code` is stable and whose `part` is the bad piece of the input.
 *
 * @example
 * ```ts
 * import { parsePackageRef, formatPackageRef } from "./mod.ts";
 * console.assert(formatPackageRef(parsePackageRef("docs:processor@0.1.0")) === "docs:processor@0.1.0");
 * ```
 *
 * @module
 */
export { NameError, type NameErrorCode } from "./_error.ts";
export { rangeMatcher, type RangeMatcherOptions, VersionTable } from "./_matcher.ts";
export { checkLabel, isLabel, isLowercaseLabel, MAX_NAME_PART } from "./_label.ts";
export {
  compareVersions,
  isPrerelease,
  isSemverCompatible,
  maxSatisfying,
  parseRange,
  parseVersion,
  sameSeries,
  sameVersion,
  satisfies,
  seriesOf,
  tryParseVersion,
  type Version,
  versionKey,
  type VersionRange,
} from "./_version.ts";
export {
  formatInterfaceName,
  formatPackageName,
  formatPackageRef,
  type InterfaceName,
  type PackageName,
  type PackageRef,
  parseInterfaceName,
  parsePackageName,
  parsePackageRef,
  tryParseInterfaceName,
  tryParsePackageName,
} from "./_package_name.ts";
export { type Digest, digestFromHex, digestOf, parseDigest, tryParseDigest } from "./_digest.ts";
