/**
 * The web index's only way to make HTML: a tagged template ({@link markup}) that escapes every
 * interpolation unless it is already {@link Html}. Everything a package brings (names, doc
 * comments, metadata, WIT text) is untrusted, so the safe way is the easy way: a string can only
 * become markup by passing through `markup` or `escapeHtml`.
 *
 * (The tag is not called `html`: `deno fmt` reformats templates tagged `html` as HTML, which
 * would change the whitespace the pages render.)
 *
 * Rules the templates follow: attribute values are always double-quoted (the escaper covers `"`
 * and `'` anyway), URLs come from the helpers here (paths built from validated names, query
 * strings from `URLSearchParams`, external links only for `http:`/`https:`), and nothing is ever
 * interpolated into a `<style>` or `<script>` (there are none).
 */

/** A piece of markup that is safe to put in a page as is. */
export class Html {
  /** The markup. */
  readonly value: string;
  /** Only {@link markup}, {@link escapeHtml} and {@link trustedHtml} make these. */
  constructor(value: string) {
    this.value = value;
  }
  /** The markup. */
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), markup, nothing, or a list of those. */
export type Interpolation =
  | Html
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | readonly Interpolation[];

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;

/**
 * Text as markup: `&`, `<`, `>`, `"` and `'` become character references, so the text is safe
 * in element content and in quoted attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./_html.ts";
 * console.assert(escapeHtml(`"><img onerror=x>`).value === "&quot;&gt;&lt;img onerror=x&gt;");
 * ```
 */
export function escapeHtml(text: string): Html {
  return new Html(escapeText(text));
}

/** {@link escapeHtml} as a plain string (for builders that join many pieces). */
export function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c]) : text;
}

function append(out: string[], value: Interpolation): void {
  if (value === null || value === undefined || value === false) return;
  if (value instanceof Html) out.push(value.value);
  else if (Array.isArray(value)) { for (const v of value) append(out, v); }
  else out.push(escapeText(String(value)));
}

/**
 * Markup from a template: the literal parts are the page's own markup; every interpolation is
 * escaped unless it is {@link Html}. Lists are joined; `null`, `undefined` and `false` add
 * nothing (so `cond && markup\`…\`` works).
 *
 * @example
 * ```ts
 * import { markup } from "./_html.ts";
 * const name = "<script>alert(1)</script>";
 * console.assert(markup`<h1>${name}</h1>`.value === "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
 * ```
 */
export function markup(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  const out: string[] = [strings[0]];
  for (let i = 0; i < values.length; i++) {
    append(out, values[i]);
    out.push(strings[i + 1]);
  }
  return new Html(out.join(""));
}

/** Joins pieces (each escaped unless markup) with a separator. */
export function join(items: readonly Interpolation[], separator: Interpolation = ""): Html {
  const out: string[] = [];
  items.forEach((item, i) => {
    if (i > 0) append(out, separator);
    append(out, item);
  });
  return new Html(out.join(""));
}

/**
 * Markup the web index wrote itself and already escaped piece by piece (the WIT highlighter's
 * output). Never pass text from a package here.
 */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}

/**
 * An external link target from untrusted metadata (`homepage`, `source`): the URL when it is
 * `http:` or `https:`, else `undefined` (no `javascript:`, `data:` or relative tricks).
 */
export function externalHref(text: unknown): string | undefined {
  if (typeof text !== "string" || text.length > 2000) return undefined;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
}

/** A query string (`?a=b&…`) from pairs; empty values are left out. */
export function queryString(pairs: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined && v !== "") params.set(k, v);
  const s = params.toString();
  return s === "" ? "" : `?${s}`;
}
