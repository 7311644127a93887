/**
 * The data of a compatibility check: the closed set of change kinds, a change, the report, and the
 * result of a subtype test.
 */

/** A semver bump: what a set of changes needs, or what two declared versions allow. */
export type Bump = "major" | "minor" | "patch";

/**
 * What changed, one of a closed set:
 *
 * | kind | what |
 * |---|---|
 * | `changed-package` | the package name (`namespace:name`) differs |
 * | `added-world`, `removed-world` | a world of the package |
 * | `added-interface`, `removed-interface` | an interface of the package |
 * | `added-import`, `removed-import`, `changed-import` | a world import (interface, function or type) appears, disappears, or changes its kind |
 * | `added-export`, `removed-export`, `changed-export` | the same for a world export |
 * | `changed-version` | a world imports or exports another version of a foreign interface |
 * | `added-function`, `removed-function` | a function (or resource method) of an interface |
 * | `changed-async` | a function became `async` or stopped being `async` |
 * | `added-param`, `removed-param`, `renamed-param`, `changed-param`, `reordered-params` | function parameters |
 * | `changed-result` | a function's result type (including gaining or losing one) |
 * | `added-type`, `removed-type` | a named type of an interface or world |
 * | `added-resource`, `removed-resource`, `moved-resource` | a resource appears, disappears, or moves to another interface |
 * | `changed-type` | a type is different (another kind of type, another alias target, another resource) |
 * | `added-field`, `removed-field`, `changed-field`, `reordered-fields` | record fields |
 * | `added-case`, `removed-case`, `changed-case`, `reordered-cases` | variant and enum cases |
 * | `added-flag`, `removed-flag`, `reordered-flags` | flags |
 * | `changed-docs` | documentation only (patch level) |
 * | `changed-stability`, `deprecated` | feature-gate annotations (patch level) |
 */
export type ChangeKind =
  | "changed-package"
  | "added-world"
  | "removed-world"
  | "added-interface"
  | "removed-interface"
  | "added-import"
  | "removed-import"
  | "changed-import"
  | "added-export"
  | "removed-export"
  | "changed-export"
  | "changed-version"
  | "added-function"
  | "removed-function"
  | "changed-async"
  | "added-param"
  | "removed-param"
  | "renamed-param"
  | "changed-param"
  | "reordered-params"
  | "changed-result"
  | "added-type"
  | "removed-type"
  | "added-resource"
  | "removed-resource"
  | "moved-resource"
  | "changed-type"
  | "added-field"
  | "removed-field"
  | "changed-field"
  | "reordered-fields"
  | "added-case"
  | "removed-case"
  | "changed-case"
  | "reordered-cases"
  | "added-flag"
  | "removed-flag"
  | "reordered-flags"
  | "changed-docs"
  | "changed-stability"
  | "deprecated";

/** Every {@link ChangeKind}, in the order of the table above. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  "changed-package",
  "added-world",
  "removed-world",
  "added-interface",
  "removed-interface",
  "added-import",
  "removed-import",
  "changed-import",
  "added-export",
  "removed-export",
  "changed-export",
  "changed-version",
  "added-function",
  "removed-function",
  "changed-async",
  "added-param",
  "removed-param",
  "renamed-param",
  "changed-param",
  "reordered-params",
  "changed-result",
  "added-type",
  "removed-type",
  "added-resource",
  "removed-resource",
  "moved-resource",
  "changed-type",
  "added-field",
  "removed-field",
  "changed-field",
  "reordered-fields",
  "added-case",
  "removed-case",
  "changed-case",
  "reordered-cases",
  "added-flag",
  "removed-flag",
  "reordered-flags",
  "changed-docs",
  "changed-stability",
  "deprecated",
];

/**
 * One difference between the old and the new side.
 *
 * `path` names the item: `ns:pkg/iface` for an interface, `ns:pkg/iface.func`,
 * `ns:pkg/iface.func.param`, `ns:pkg/iface.func.result`, `ns:pkg/iface.type.field`,
 * `ns:pkg/iface.resource.method`, `ns:pkg/world` and `ns:pkg/world.name` for world items (an
 * inline interface's items continue from there). Package names in paths carry no version.
 */
export interface Change {
  path: string;
  kind: ChangeKind;
  /** Whether this change breaks users of the old side. */
  breaking: boolean;
  /** The bump this change needs on its own: `major` when breaking, `patch` for docs. */
  bump: Bump;
  /** The old item as a WIT snippet (absent for an addition). */
  old?: string;
  /** The new item as a WIT snippet (absent for a removal). */
  new?: string;
  /** Why the change breaks, or why it does not, in a few words. */
  reason?: string;
}

/** The verdict of a compatibility check. */
export interface CompatReport {
  /** True when no change is breaking. */
  compatible: boolean;
  /** The smallest bump the changes need (`patch` when nothing changed). */
  bump: Bump;
  /** Every change, in the order the walk met them (old side order, additions after). */
  changes: Change[];
}

/** A failed subtype test: where, what was expected, what was found, and why. */
export interface SubtypeMismatch {
  ok: false;
  /** Where the first mismatch is, named like {@link Change.path}. */
  path: string;
  /** The kind of the first breaking change. */
  kind: ChangeKind;
  /** The expected item as WIT (empty when the found side has something the expected lacks). */
  expected: string;
  /** The found item as WIT (empty when it is missing). */
  found: string;
  /** A sentence: what failed, then why. */
  reason: string;
}

/** The answer of a subtype test: `{ ok: true }`, or where and why not. */
export type SubtypeResult = { ok: true } | SubtypeMismatch;
