import {
  NameError,
  parseInterfaceName,
  parsePackageName,
  parseRange,
  type Version,
  type VersionRange,
} from "../names/mod.ts";
import { SpecError } from "./_errors.ts";
import { sorted } from "./_json.ts";
import type { FillChoice, Manifest } from "./_manifest.ts";

/** A dependency as given on the command line, read by {@link parseDependencySpec}. */
export interface DependencySpec {
  /** `ns:name`. */
  readonly name: string;
  /**
   * The range to write in `wreg.json`; `undefined` when the spec named no version: the CLI then
   * asks the registry for the latest version and writes {@link caretRange} of it.
   */
  readonly range?: VersionRange;
}

// A version or a version prefix with nothing else: 1, 1.2, 1.2.3, 1.2.3-rc.1, 1.2.3+build.
const BARE_VERSION = /^\d+(?:\.\d+(?:\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$/;

/**
 * Reads a dependency spec of `wreg add`: `ns:name`, `ns:name@RANGE` or `ns:name@VERSION`.
 *
 * The rule: a bare version (`1.2.3`, or a prefix of one: `1.2`, `1`) becomes a caret range
 * (`^1.2.3`, `^1.2`, `^1`): any later version that semver says is compatible. Anything else after
 * the `@` is a range in npm syntax, written as given (`~1.2`, `>=1 <3`, `*`); `=1.2.3` pins one
 * version. With no `@`, the range is left to the CLI (the caret of the latest version).
 *
 * @throws {SpecError} for a bad name or range, naming the spec.
 *
 * @example
 * ```ts
 * import { parseDependencySpec } from "./mod.ts";
 * console.assert(parseDependencySpec("docs:processor@1.2.3").range === "^1.2.3");
 * console.assert(parseDependencySpec("docs:processor@~1.2").range === "~1.2");
 * console.assert(parseDependencySpec("docs:processor").range === undefined);
 * ```
 */
export function parseDependencySpec(text: string): DependencySpec {
  const at = text.indexOf("@");
  const nameText = at < 0 ? text : text.slice(0, at);
  try {
    parsePackageName(nameText);
    if (at < 0) return { name: nameText };
    const rangeText = text.slice(at + 1).trim();
    if (rangeText === "") {
      throw new SpecError(
        "invalid-spec",
        `Invalid dependency ${JSON.stringify(text)}: nothing after "@" ` +
          `(write "${nameText}" for the latest version, or "${nameText}@^1.2")`,
        text,
      );
    }
    const range = BARE_VERSION.test(rangeText) ? `^${rangeText}` : rangeText;
    return { name: nameText, range: parseRange(range) };
  } catch (e) {
    if (e instanceof NameError) {
      throw new SpecError(
        "invalid-spec",
        `Invalid dependency ${JSON.stringify(text)}: ${e.message[0].toLowerCase()}${
          e.message.slice(1)
        }`,
        text,
      );
    }
    throw e;
  }
}

/** The caret range of a version: `^1.2.3`, what {@link parseDependencySpec} writes for `ns:name@1.2.3`. */
export function caretRange(v: Version): VersionRange {
  return parseRange(`^${v}`);
}

/**
 * The manifest with `name` required in `range` (added, or its range replaced). A `fills` choice
 * of the same package takes the new range too, since a package has one range in a manifest.
 */
export function withDependency(m: Manifest, name: string, range: VersionRange): Manifest {
  parsePackageName(name);
  const out: Manifest = { ...m, dependencies: sorted({ ...m.dependencies, [name]: range }) };
  if (!m.fills) return out;
  const fills = Object.fromEntries(
    Object.entries(m.fills).map(([iface, c]) => [iface, c.package === name ? { ...c, range } : c]),
  );
  return { ...out, fills };
}

/** The manifest without the dependency `name` (unchanged when it has none). */
export function withoutDependency(m: Manifest, name: string): Manifest {
  if (!m.dependencies || !Object.hasOwn(m.dependencies, name)) return m;
  const rest = { ...m.dependencies };
  delete rest[name];
  return { ...m, dependencies: rest };
}

/**
 * The manifest with `iface` (`ns:pkg/iface`, any version, or `ns:pkg/iface@1.2.3`) filled by
 * `choice`: what `wreg add` records when the registry's world index names the only
 * implementation of an import. A dependency on the same package takes the choice's range, since a
 * package has one range in a manifest.
 *
 * @example
 * ```ts
 * import { parseRange } from "../names/mod.ts";
 * import { withFill } from "./mod.ts";
 * const m = withFill({}, "docs:processor/logger", { package: "docs:logger", range: parseRange("^0.1.0") });
 * console.assert(m.fills?.["docs:processor/logger"].package === "docs:logger");
 * ```
 */
export function withFill(m: Manifest, iface: string, choice: FillChoice): Manifest {
  parseInterfaceName(iface);
  parsePackageName(choice.package);
  const fills: Record<string, FillChoice> = {};
  for (const [k, c] of Object.entries(m.fills ?? {})) {
    fills[k] = c.package === choice.package ? { ...c, range: choice.range } : c;
  }
  fills[iface] = { package: choice.package, range: choice.range };
  const out: Manifest = { ...m, fills: sorted(fills) };
  if (m.dependencies && Object.hasOwn(m.dependencies, choice.package)) {
    return { ...out, dependencies: { ...m.dependencies, [choice.package]: choice.range } };
  }
  return out;
}

/** The manifest without the `fills` entry `iface` (unchanged when it has none). */
export function withoutFill(m: Manifest, iface: string): Manifest {
  if (!m.fills || !Object.hasOwn(m.fills, iface)) return m;
  const rest = { ...m.fills };
  delete rest[iface];
  if (Object.keys(rest).length === 0) {
    const out: Record<string, unknown> = { ...m };
    delete out.fills;
    return out as Manifest;
  }
  return { ...m, fills: rest };
}
