import {
  isLowercaseLabel,
  parseInterfaceName,
  parsePackageName,
  parseRange,
  parseVersion,
  type Version,
  type VersionRange,
} from "../names/mod.ts";
import { ManifestError } from "./_errors.ts";
import {
  checkKeys,
  checkUrl,
  entry,
  expectObject,
  expectString,
  type Fail,
  field,
  parseJson,
  parseName,
  sorted,
} from "./_json.ts";

/** What a package is: a component (a `.wasm` that runs) or a WIT package (interfaces only). */
export type PackageKind = "component" | "wit";

/** The package that fills an import of a component, chosen by the user. */
export interface FillChoice {
  /** The implementing package, `ns:name`. */
  readonly package: string;
  /** The versions of it to use. */
  readonly range: VersionRange;
}

/**
 * The project manifest, `wreg.json`. Every field is optional: a project that only uses packages
 * needs none; publishing needs `name`, `version` and `kind` (see {@link checkPublishable}).
 */
export interface Manifest {
  /** The package this project publishes, `ns:name`. */
  readonly name?: string;
  readonly version?: Version;
  readonly kind?: PackageKind;
  readonly description?: string;
  /** An SPDX license expression, as written. */
  readonly license?: string;
  /** The WIT folder, relative to the project. Default `"wit"` (see {@link witFolder}). */
  readonly wit?: string;
  /** The built `.wasm` of a component project, relative to the project. */
  readonly component?: string;
  /** The registry this project uses (http or https URL). */
  readonly registry?: string;
  /** Registries for particular namespaces: namespace → URL (overrides `registry`). */
  readonly registries?: Readonly<Record<string, string>>;
  /**
   * Dependencies: `ns:name` → semver range in npm syntax. A bare version here means exactly that
   * version, as in npm; `wreg add` writes caret ranges (see {@link parseDependencySpec}).
   */
  readonly dependencies?: Readonly<Record<string, VersionRange>>;
  /**
   * The user's choice of implementation for imports of component dependencies: interface name
   * (`ns:pkg/iface`, any version; or `ns:pkg/iface@1.2.3`, that version only) → package and
   * range.
   */
  readonly fills?: Readonly<Record<string, FillChoice>>;
}

/** The keys of `wreg.json`, in the order {@link printManifest} writes them. */
export const MANIFEST_KEYS = [
  "name",
  "version",
  "kind",
  "description",
  "license",
  "wit",
  "component",
  "registry",
  "registries",
  "dependencies",
  "fills",
] as const;

const fail: Fail = (code, path, detail) => {
  throw new ManifestError(code, path, detail);
};

/**
 * Parses and validates `wreg.json`. Unknown keys are refused (with a "did you mean" for typos)
 * rather than kept: a misspelt `dependencies` silently ignored would resolve the wrong graph.
 *
 * @throws {ManifestError} naming the JSON path of the first bad part.
 *
 * @example
 * ```ts
 * import { parseManifest } from "./mod.ts";
 * const m = parseManifest(`{"name": "docs:app", "dependencies": {"docs:processor": "^0.1"}}`);
 * console.assert(m.dependencies?.["docs:processor"] === "^0.1");
 * ```
 */
export function parseManifest(text: string): Manifest {
  return validateManifest(parseJson(text, "wreg.json", fail));
}

/** Validates a manifest already parsed from JSON (see {@link parseManifest}). */
export function validateManifest(value: unknown): Manifest {
  const o = expectObject(value, "", fail);
  checkKeys(o, MANIFEST_KEYS, "", fail, {
    plugs: "fills",
    deps: "dependencies",
    "registry-url": "registry",
  });
  const m: Record<string, unknown> = {};
  const str = (key: string) => expectString(o[key], key, fail);
  if (o.name !== undefined) {
    m.name = formatChecked(parseName(parsePackageName, str("name"), "name", fail));
  }
  if (o.version !== undefined) m.version = parseName(parseVersion, str("version"), "version", fail);
  if (o.kind !== undefined) {
    const kind = str("kind");
    if (kind !== "component" && kind !== "wit") {
      fail("invalid-value", "kind", `expected "component" or "wit", found ${JSON.stringify(kind)}`);
    }
    m.kind = kind;
  }
  if (o.description !== undefined) m.description = str("description");
  if (o.license !== undefined) {
    const license = str("license");
    if (license.trim() === "") fail("invalid-value", "license", "the license is empty");
    m.license = license;
  }
  if (o.wit !== undefined) m.wit = checkPath(str("wit"), "wit");
  if (o.component !== undefined) {
    if (o.kind === "wit") {
      fail(
        "inconsistent",
        "component",
        `only a component project has a built .wasm ("kind" is "wit")`,
      );
    }
    m.component = checkPath(str("component"), "component");
  }
  if (o.registry !== undefined) m.registry = checkUrl(str("registry"), "registry", fail);
  if (o.registries !== undefined) {
    const r = expectObject(o.registries, "registries", fail);
    const out: Record<string, string> = {};
    for (const [ns, url] of Object.entries(r)) {
      const path = entry("registries", ns);
      if (!isLowercaseLabel(ns)) {
        fail(
          "invalid-value",
          path,
          `invalid namespace ${JSON.stringify(ns)}: expected a lowercase label`,
        );
      }
      out[ns] = checkUrl(expectString(url, path, fail), path, fail);
    }
    m.registries = out;
  }
  if (o.dependencies !== undefined) {
    const d = expectObject(o.dependencies, "dependencies", fail);
    const out: Record<string, VersionRange> = {};
    for (const [name, range] of Object.entries(d)) {
      const path = entry("dependencies", name);
      parseName(parsePackageName, name, path, fail);
      out[name] = parseName(parseRange, expectString(range, path, fail), path, fail);
    }
    m.dependencies = out;
  }
  if (o.fills !== undefined) {
    m.fills = readFills(o.fills, m.dependencies as Manifest["dependencies"]);
  }
  return m as Manifest;
}

function readFills(
  value: unknown,
  dependencies: Manifest["dependencies"],
): Record<string, FillChoice> {
  const f = expectObject(value, "fills", fail);
  const out: Record<string, FillChoice> = {};
  const chosen = new Map<string, { range: VersionRange; path: string }>();
  for (const [iface, choice] of Object.entries(f)) {
    const path = entry("fills", iface);
    parseName(parseInterfaceName, iface, path, fail);
    const c = expectObject(choice, path, fail);
    checkKeys(c, ["package", "range"], path, fail, { version: "range", name: "package" });
    for (const key of ["package", "range"]) {
      if (c[key] === undefined) {
        fail(
          "missing-field",
          path,
          `a fill needs "package" and "range" (missing ${JSON.stringify(key)})`,
        );
      }
    }
    const pkgPath = field(path, "package"), rangePath = field(path, "range");
    const pkg = expectString(c.package, pkgPath, fail);
    parseName(parsePackageName, pkg, pkgPath, fail);
    const range = parseName(parseRange, expectString(c.range, rangePath, fail), rangePath, fail);
    const dep = dependencies?.[pkg];
    if (dep !== undefined && dep !== range) {
      fail(
        "inconsistent",
        rangePath,
        `${JSON.stringify(range)} differs from dependencies[${JSON.stringify(pkg)}] ` +
          `${JSON.stringify(dep)}; use one range for a package`,
      );
    }
    const other = chosen.get(pkg);
    if (other !== undefined && other.range !== range) {
      fail(
        "inconsistent",
        rangePath,
        `${JSON.stringify(range)} differs from ${other.path} ${JSON.stringify(other.range)}; ` +
          `use one range for a package`,
      );
    }
    chosen.set(pkg, { range, path: rangePath });
    out[iface] = { package: pkg, range };
  }
  return out;
}

function formatChecked(n: { namespace: string; name: string }): string {
  return `${n.namespace}:${n.name}`;
}

/** A project-relative path: not empty, `/` separators, not absolute. */
function checkPath(p: string, path: string): string {
  let why: string | undefined;
  if (p.trim() === "") why = "the path is empty";
  else if (p.includes("\\")) why = `use "/" to separate folders`;
  else if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) {
    why = "the path must be relative to the project";
  } else if (p.includes("\0")) why = "the path contains a NUL character";
  if (why !== undefined) fail("invalid-value", path, `invalid path ${JSON.stringify(p)}: ${why}`);
  return p;
}

/**
 * Writes `wreg.json`: keys in the order of {@link MANIFEST_KEYS}, records sorted by key, two-space
 * indentation, a trailing newline. Printing is stable: `printManifest(parseManifest(t))` is `t`
 * for any `t` it printed.
 *
 * @example
 * ```ts
 * import { parseRange } from "../names/mod.ts";
 * import { printManifest } from "./mod.ts";
 * const text = printManifest({ name: "docs:app", dependencies: { "docs:processor": parseRange("^0.1") } });
 * console.assert(text === '{\n  "name": "docs:app",\n  "dependencies": {\n    "docs:processor": "^0.1"\n  }\n}\n');
 * ```
 */
export function printManifest(m: Manifest): string {
  const out: Record<string, unknown> = {};
  for (const key of MANIFEST_KEYS) {
    const v = m[key];
    if (v === undefined) continue;
    if (key === "fills") {
      const fills: Record<string, FillChoice> = {};
      for (const [iface, c] of Object.entries(sorted(v as Record<string, FillChoice>))) {
        fills[iface] = { package: c.package, range: c.range };
      }
      out.fills = fills;
    } else if (key === "registries" || key === "dependencies") {
      out[key] = sorted(v as Record<string, string>);
    } else out[key] = v;
  }
  return JSON.stringify(out, null, 2) + "\n";
}

/** The WIT folder of the project (`"wit"` unless the manifest says otherwise). */
export function witFolder(m: Manifest): string {
  return m.wit ?? "wit";
}

/**
 * The registry for a package: the one its namespace maps to in `registries`, else `registry`;
 * `undefined` when the manifest names none (the CLI then uses its configured default).
 */
export function registryFor(m: Manifest, packageName: string): string | undefined {
  const ns = packageName.slice(0, packageName.indexOf(":"));
  return (m.registries && Object.hasOwn(m.registries, ns) ? m.registries[ns] : undefined) ??
    m.registry;
}

/**
 * What the project requires, for {@link resolve}: its dependencies and the packages its `fills`
 * choose (validation made sure a package has one range), sorted by name.
 */
export function requirementsOf(m: Manifest): Record<string, VersionRange> {
  const out: Record<string, VersionRange> = { ...m.dependencies };
  for (const c of Object.values(m.fills ?? {})) out[c.package] = c.range;
  return sorted(out);
}

/**
 * What stops this manifest from being published: missing `name`, `version` or `kind`, or a
 * component project without `component`. Empty when it can be published.
 */
export function checkPublishable(m: Manifest): ManifestError[] {
  const problems: ManifestError[] = [];
  for (const key of ["name", "version", "kind"] as const) {
    if (m[key] === undefined) {
      problems.push(
        new ManifestError("missing-field", key, `publishing needs ${JSON.stringify(key)}`),
      );
    }
  }
  if (m.kind === "component" && m.component === undefined) {
    problems.push(
      new ManifestError(
        "missing-field",
        "component",
        `publishing a component project needs "component", the path of its built .wasm`,
      ),
    );
  }
  return problems;
}
