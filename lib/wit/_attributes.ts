/**
 * Feature gates and other attributes of an item: `@since`, `@unstable`, `@deprecated` become its
 * {@link Stability} (with wit-parser's rules and messages), `@external-id` its external id.
 */
import type * as ast from "./_ast.ts";
import type { SourceMap } from "./_error.ts";
import { NO_SPAN } from "./_error.ts";
import type { Stability } from "./model.ts";
import { UNKNOWN_STABILITY } from "./model.ts";

/** The stability the attributes give an item; throws on conflicting gates. */
export function stabilityOf(sm: SourceMap, attrs: ast.Attribute[]): Stability {
  const syntax = (m: string, s: number, e: number) => sm.error("syntax", m, s, e);
  let since: string | undefined, sinceSpan = [NO_SPAN, NO_SPAN];
  let deprecated: string | undefined, deprecatedSpan = [NO_SPAN, NO_SPAN];
  let unstable: string | undefined;
  for (const a of attrs) {
    if (a.kind === "since") {
      if (since !== undefined) throw syntax("cannot specify @since twice", a.start, a.end);
      since = a.version;
      sinceSpan = [a.start, a.end];
    } else if (a.kind === "deprecated") {
      if (deprecated !== undefined) {
        throw syntax("cannot specify @deprecated twice", a.start, a.end);
      }
      deprecated = a.version;
      deprecatedSpan = [a.start, a.end];
    } else if (a.kind === "unstable") {
      if (unstable !== undefined) {
        throw syntax("cannot specify @unstable twice", a.start, a.end);
      }
      unstable = a.feature;
    }
  }
  if (since !== undefined && unstable === undefined) {
    return deprecated === undefined
      ? { kind: "stable", since }
      : { kind: "stable", since, deprecated };
  }
  if (since === undefined && unstable !== undefined) {
    return deprecated === undefined
      ? { kind: "unstable", feature: unstable }
      : { kind: "unstable", feature: unstable, deprecated };
  }
  if (since !== undefined) {
    throw syntax("cannot specify both @since and @unstable", sinceSpan[0], sinceSpan[1]);
  }
  if (deprecated !== undefined) {
    throw syntax(
      "cannot specify both @deprecated without @since or @unstable",
      deprecatedSpan[0],
      deprecatedSpan[1],
    );
  }
  return UNKNOWN_STABILITY;
}

/** The `@external-id` of an item, if any; throws when given twice. */
export function externalIdOf(sm: SourceMap, attrs: ast.Attribute[]): string | undefined {
  const syntax = (m: string, s: number, e: number) => sm.error("syntax", m, s, e);
  let id: string | undefined;
  for (const a of attrs) {
    if (a.kind !== "external-id") continue;
    if (id !== undefined) throw syntax("cannot specify @external-id twice", a.start, a.end);
    id = a.id;
  }
  return id;
}
