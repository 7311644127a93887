import { NameError } from "./_error.ts";
import { checkLabel, clip, isLabel } from "./_label.ts";
import { parseVersion, type Version } from "./_version.ts";

declare const packageNameBrand: unique symbol;

/**
 * A registry package name `namespace:name`, only made by {@link parsePackageName}: both parts are
 * lowercase kebab labels (`docs:processor`, `wasi:http`).
 */
export interface PackageName {
  readonly [packageNameBrand]: true;
  readonly namespace: string;
  readonly name: string;
}

/** A package name with an optional version, as WIT writes it: `wasi:http@0.2.3`. */
export interface PackageRef {
  readonly name: PackageName;
  readonly version?: Version;
}

/**
 * Parses `namespace:name`. Refuses upper case, empty parts, path characters and anything else the
 * component model's label grammar does not allow, naming the bad part.
 *
 * @example
 * ```ts
 * import { parsePackageName, formatPackageName } from "./mod.ts";
 * const n = parsePackageName("docs:processor");
 * console.assert(n.namespace === "docs" && formatPackageName(n) === "docs:processor");
 * ```
 */
export function parsePackageName(text: string): PackageName {
  const colon = text.indexOf(":");
  if (colon < 0) {
    throw new NameError(
      "invalid-package-name",
      `Invalid package name ${JSON.stringify(clip(text, 140))}: expected "namespace:name" ` +
        `(for example "docs:processor")`,
      clip(text, 150),
      clip(text, 100),
    );
  }
  const namespace = checkLabel(text.slice(0, colon), "namespace", text);
  const name = checkLabel(text.slice(colon + 1), "package name", text);
  return { namespace, name } as PackageName;
}

/** Like {@link parsePackageName}, but returns `undefined` for invalid input. */
export function tryParsePackageName(text: string): PackageName | undefined {
  try {
    return parsePackageName(text);
  } catch {
    return undefined;
  }
}

/** `namespace:name`. */
export function formatPackageName(n: PackageName): string {
  return `${n.namespace}:${n.name}`;
}

/**
 * Parses `namespace:name` or `namespace:name@version`.
 *
 * @example
 * ```ts
 * import { parsePackageRef } from "./mod.ts";
 * console.assert(parsePackageRef("wasi:http@0.2.3").version === "0.2.3");
 * ```
 */
export function parsePackageRef(text: string): PackageRef {
  const at = text.indexOf("@");
  if (at < 0) return { name: parsePackageName(text) };
  return { name: parsePackageName(text.slice(0, at)), version: parseVersion(text.slice(at + 1)) };
}

/** `namespace:name` or `namespace:name@version`. */
export function formatPackageRef(r: PackageRef): string {
  return r.version ? `${formatPackageName(r.name)}@${r.version}` : formatPackageName(r.name);
}

/**
 * An interface name as it appears in component imports and exports: `ns:pkg/iface@1.2.3`.
 * The interface part follows the component model's label grammar (acronyms allowed); the
 * namespace and package may be any label too, since real components carry names wreg itself would
 * not register.
 */
export interface InterfaceName {
  readonly namespace: string;
  readonly package: string;
  readonly interface: string;
  readonly version?: Version;
}

/**
 * Parses `ns:pkg/iface` or `ns:pkg/iface@version`; returns `undefined` for a plain name such as
 * `run` or `[method]r.f` (a world-level item, not an interface).
 *
 * @example
 * ```ts
 * import { tryParseInterfaceName } from "./mod.ts";
 * const i = tryParseInterfaceName("wasi:http/incoming-handler@0.2.0");
 * console.assert(i?.interface === "incoming-handler" && i.version === "0.2.0");
 * console.assert(tryParseInterfaceName("greet") === undefined);
 * ```
 */
export function tryParseInterfaceName(text: string): InterfaceName | undefined {
  const m = /^([^:/@]+):([^:/@]+)\/([^:/@]+)(?:@(.+))?$/.exec(text);
  if (!m || !isLabel(m[1]) || !isLabel(m[2]) || !isLabel(m[3])) return undefined;
  let version: Version | undefined;
  if (m[4] !== undefined) {
    try {
      version = parseVersion(m[4]);
    } catch {
      return undefined;
    }
  }
  return { namespace: m[1], package: m[2], interface: m[3], version };
}

/** Like {@link tryParseInterfaceName}, but throws a {@link NameError} naming the bad part. */
export function parseInterfaceName(text: string): InterfaceName {
  const r = tryParseInterfaceName(text);
  if (r) return r;
  throw new NameError(
    "invalid-interface-name",
    `Invalid interface name ${
      JSON.stringify(clip(text, 140))
    }: expected "namespace:package/interface" ` +
      `with an optional "@version" (for example "wasi:http/incoming-handler@0.2.0")`,
    clip(text, 150),
    clip(text, 100),
  );
}

/** `ns:pkg/iface` or `ns:pkg/iface@version`. */
export function formatInterfaceName(i: InterfaceName, withVersion = true): string {
  const base = `${i.namespace}:${i.package}/${i.interface}`;
  return withVersion && i.version ? `${base}@${i.version}` : base;
}
