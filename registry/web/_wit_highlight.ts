/**
 * WIT text as highlighted, linked markup. The text is a version document's `wit` (printed by
 * lib/wit at publish time), but it is treated as untrusted: the lexer is total (any input gives
 * tokens, nothing throws), every token is escaped, and links are built only from names that
 * parse as WIT names.
 *
 * Two passes over the tokens:
 * 1. scopes: for each interface and world, the types it defines and the names its `use`
 *    statements bring in (so a type used before its definition still links);
 * 2. markup: keywords, built-in types, doc comments, comments, annotations and package references
 *    get classes; definitions get anchors (`logger`, `logger.level`; in nested packages
 *    `wasi:io@0.2.12/streams.input-stream`); references link to their definition on this page,
 *    or to the page of the package that defines them when it is published here.
 *
 * The top-level interfaces and worlds of the main package are also returned one by one (without
 * their leading doc comment, which the page shows as prose), for a page that shows each with what
 * implements it.
 */
import { escapeText, type Html, trustedHtml } from "./_html.ts";

/** How the highlighter links to other packages. */
export interface WitLinks {
  /**
   * The page of a package (`ns:name`) at a version, when it is published here; `undefined`
   * leaves references to it unlinked.
   */
  packageHref(pkg: string, version: string | null): string | undefined;
}

/** The highlighted text. */
export interface HighlightedWit {
  /** The whole text. */
  html: Html;
  /** The main package's top-level interfaces and worlds by name (leading docs left out). */
  items: Map<string, Html>;
  /** The nested `package … { }` blocks (a component's WIT carries the packages it uses). */
  nested: { name: string; html: Html }[];
}

/** Texts longer than this are shown escaped but not highlighted. */
export const MAX_HIGHLIGHT_CHARS = 1 << 20;

const KEYWORDS = new Set([
  "package",
  "interface",
  "world",
  "use",
  "import",
  "export",
  "include",
  "with",
  "as",
  "func",
  "record",
  "variant",
  "enum",
  "flags",
  "resource",
  "type",
  "constructor",
  "static",
  "async",
  "own",
  "borrow",
]);

const BUILTINS = new Set([
  "bool",
  "s8",
  "s16",
  "s32",
  "s64",
  "u8",
  "u16",
  "u32",
  "u64",
  "f32",
  "f64",
  "float32",
  "float64",
  "char",
  "string",
  "list",
  "option",
  "result",
  "tuple",
  "future",
  "stream",
  "error-context",
  "_",
]);

const TYPE_DEFS = new Set(["record", "variant", "enum", "flags", "resource", "type"]);

type Kind =
  | "ws"
  | "doc"
  | "comment"
  | "ident"
  | "keyword"
  | "builtin"
  | "pkgref"
  | "annotation"
  | "number"
  | "punct";

interface Token {
  kind: Kind;
  text: string;
}

const IDENT_START = /[A-Za-z%_]/;
const IDENT_CHAR = /[A-Za-z0-9-]/;
const PKGREF =
  /^%?[a-z][a-z0-9-]*(?::%?[a-z][a-z0-9-]*)+(?:\/%?[a-z][a-z0-9-]*)*(?:@[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]*[0-9A-Za-z])?)?/;

/** Splits WIT text into tokens; total: every character ends up in exactly one token. */
export function lexWit(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const start = i;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      while (i < n && /[ \t\n\r]/.test(text[i])) i++;
      out.push({ kind: "ws", text: text.slice(start, i) });
    } else if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end;
      const body = text.slice(start, i);
      const doc = body.startsWith("///") && !body.startsWith("////");
      out.push({ kind: doc ? "doc" : "comment", text: body });
    } else if (c === "/" && text[i + 1] === "*") {
      // Block comments nest in WIT.
      let depth = 0;
      while (i < n) {
        if (text[i] === "/" && text[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (text[i] === "*" && text[i + 1] === "/") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      const body = text.slice(start, i);
      const doc = body.startsWith("/**") && !body.startsWith("/**/");
      out.push({ kind: doc ? "doc" : "comment", text: body });
    } else if (c === "@" && /[a-z]/.test(text[i + 1] ?? "")) {
      i++;
      while (i < n && IDENT_CHAR.test(text[i])) i++;
      if (text[i] === "(") {
        const close = text.indexOf(")", i);
        const eol = text.indexOf("\n", i);
        if (close >= 0 && (eol < 0 || close < eol)) i = close + 1;
      }
      out.push({ kind: "annotation", text: text.slice(start, i) });
    } else if (IDENT_START.test(c)) {
      const m = PKGREF.exec(text.slice(i, i + 400));
      if (m !== null && m[0].includes(":")) {
        i += m[0].length;
        out.push({ kind: "pkgref", text: m[0] });
        continue;
      }
      i++;
      while (i < n && IDENT_CHAR.test(text[i])) i++;
      const word = text.slice(start, i);
      const kind: Kind = KEYWORDS.has(word) ? "keyword" : BUILTINS.has(word) ? "builtin" : "ident";
      out.push({ kind, text: word });
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9.]/.test(text[i])) i++;
      out.push({ kind: "number", text: text.slice(start, i) });
    } else if (c === "-" && text[i + 1] === ">") {
      i += 2;
      out.push({ kind: "punct", text: "->" });
    } else {
      i++;
      out.push({ kind: "punct", text: c });
    }
  }
  return out;
}

/** A WIT package reference split up: `wasi:io/streams@0.2.0`. */
interface PkgRef {
  /** `wasi:io` (nested namespaces joined as written). */
  pkg: string;
  /** The interface or world, when named. */
  item: string | null;
  version: string | null;
}

function parsePkgRef(text: string): PkgRef {
  const at = text.indexOf("@");
  const version = at < 0 ? null : text.slice(at + 1);
  const body = (at < 0 ? text : text.slice(0, at)).replace(/%/g, "");
  const slash = body.indexOf("/");
  return slash < 0
    ? { pkg: body, item: null, version }
    : { pkg: body.slice(0, slash), item: body.slice(slash + 1), version };
}

/** A package as it appears in the text (`wasi:io` and its version). */
interface PkgCtx {
  pkg: string;
  version: string | null;
  /** Whether this is the text's first (`package …;`) package. */
  main: boolean;
}

/** What a local name in a scope points at. */
interface Target {
  pkg: PkgCtx | { pkg: string; version: string | null; main: false; foreign: true };
  item: string;
  type: string | null;
}

/** A top-level interface or world of some package in the text. */
interface Scope {
  pkg: PkgCtx;
  name: string;
  names: Map<string, Target>;
}

function pkgKey(p: { pkg: string; version: string | null }): string {
  return p.version === null ? p.pkg : `${p.pkg}@${p.version}`;
}

/** The anchor of an item or a type on the page that prints its package. */
function anchorOf(p: PkgCtx, item: string, type: string | null): string {
  const local = type === null ? item : `${item}.${type}`;
  return p.main ? local : `${pkgKey(p)}/${local}`;
}

function bare(ident: string): string {
  return ident.startsWith("%") ? ident.slice(1) : ident;
}

/** The next token that is not whitespace or a comment, from index `i` (inclusive). */
function nextSignificant(tokens: Token[], i: number): number {
  while (
    i < tokens.length &&
    (tokens[i].kind === "ws" || tokens[i].kind === "comment" || tokens[i].kind === "doc")
  ) i++;
  return i;
}

interface Analysis {
  /** The scope each token belongs to (interfaces and worlds only). */
  scopeOf: (Scope | undefined)[];
  /** Token index → anchor, for definitions. */
  anchors: Map<number, string>;
  /** Token index → link target, for references. */
  refs: Map<number, Target | { href: string }>;
  /** Token index → what a package reference means. */
  pkgRefs: Map<number, { ref: PkgRef }>;
  /** Token index → in-page package of a nested `package … {` header or the `package …;` line. */
  pkgHeaders: Map<number, PkgCtx>;
  /** Top-level items of the main package: [first token, last token, name]. */
  items: [number, number, string][];
  /** Nested package blocks: [first token, last token, `ns:name@version`]. */
  nested: [number, number, string][];
  /** Packages the text defines, by key. */
  defined: Map<string, PkgCtx>;
}

type Block =
  | { kind: "package"; pkg: PkgCtx; start: number }
  | { kind: "item"; scope: Scope; start: number }
  | { kind: "typedef"; typeKind: string }
  | { kind: "other" };

function analyze(tokens: Token[]): Analysis {
  const a: Analysis = {
    scopeOf: new Array(tokens.length),
    anchors: new Map(),
    refs: new Map(),
    pkgRefs: new Map(),
    pkgHeaders: new Map(),
    items: [],
    nested: [],
    defined: new Map(),
  };
  let mainPkg: PkgCtx | undefined;
  const stack: Block[] = [];
  const currentPkg = (): PkgCtx => {
    for (let j = stack.length - 1; j >= 0; j--) {
      const b = stack[j];
      if (b.kind === "package") return b.pkg;
    }
    return mainPkg ?? { pkg: "", version: null, main: true };
  };
  const currentScope = (): Scope | undefined => {
    for (let j = stack.length - 1; j >= 0; j--) {
      const b = stack[j];
      if (b.kind === "item") return b.scope;
    }
    return undefined;
  };
  const scopes: Scope[] = [];
  // Pending: what the next "{" opens.
  let pending: Block | undefined;
  // Where the current top-level item's tokens start (its annotations), at depth 0 of main.
  let itemStart = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const scope = currentScope();
    a.scopeOf[i] = scope;
    if (t.kind === "ws" || t.kind === "comment" || t.kind === "doc") continue;
    const atMainTop = stack.length === 0;
    if (t.kind === "annotation" && atMainTop && itemStart < 0) itemStart = i;
    if (t.kind === "keyword" && t.text === "package") {
      const j = nextSignificant(tokens, i + 1);
      if (tokens[j]?.kind === "pkgref") {
        const ref = parsePkgRef(tokens[j].text);
        const k = nextSignificant(tokens, j + 1);
        const nested = tokens[k]?.text === "{";
        const ctx: PkgCtx = { pkg: ref.pkg, version: ref.version, main: !nested };
        if (!nested && mainPkg === undefined) mainPkg = ctx;
        if (nested && mainPkg !== undefined && pkgKey(mainPkg) === pkgKey(ctx)) ctx.main = true;
        a.defined.set(pkgKey(ctx), ctx);
        a.pkgHeaders.set(j, ctx);
        if (nested) pending = { kind: "package", pkg: ctx, start: i };
        i = j;
        a.scopeOf[j] = scope;
      }
      continue;
    }
    if (t.kind === "keyword" && (t.text === "interface" || t.text === "world")) {
      const j = nextSignificant(tokens, i + 1);
      const k = nextSignificant(tokens, j + 1);
      if (tokens[j]?.kind === "ident" && tokens[k]?.text === "{" && scope === undefined) {
        const pkg = currentPkg();
        const name = bare(tokens[j].text);
        const s: Scope = { pkg, name, names: new Map() };
        scopes.push(s);
        a.anchors.set(j, anchorOf(pkg, name, null));
        pending = { kind: "item", scope: s, start: atMainTop && itemStart >= 0 ? itemStart : i };
        a.scopeOf[j] = s;
        i = j;
      }
      itemStart = -1;
      continue;
    }
    if (t.kind === "keyword" && TYPE_DEFS.has(t.text) && scope !== undefined) {
      const j = nextSignificant(tokens, i + 1);
      if (tokens[j]?.kind === "ident") {
        const name = bare(tokens[j].text);
        scope.names.set(name, { pkg: scope.pkg, item: scope.name, type: name });
        a.anchors.set(j, anchorOf(scope.pkg, scope.name, name));
        a.scopeOf[j] = scope;
        const k = nextSignificant(tokens, j + 1);
        if (tokens[k]?.text === "{") pending = { kind: "typedef", typeKind: t.text };
        i = j;
      }
      continue;
    }
    if (t.kind === "keyword" && t.text === "use" && scope !== undefined) {
      i = analyzeUse(tokens, i, scope, a, currentPkg());
      continue;
    }
    if (t.text === "{") {
      stack.push(pending ?? { kind: "other" });
      pending = undefined;
      continue;
    }
    if (t.text === "}") {
      const b = stack.pop();
      if (b?.kind === "item" && stack.length === 0 && b.scope.pkg.main) {
        a.items.push([b.start, i, b.scope.name]);
      }
      if (b?.kind === "package" && stack.length === 0) a.nested.push([b.start, i, pkgKey(b.pkg)]);
      continue;
    }
    if (t.text === ";") {
      pending = undefined;
      if (atMainTop) itemStart = -1;
    }
  }
  // Second pass: references, now that every scope knows its names.
  const byKey = new Map(scopes.map((s) => [`${pkgKey(s.pkg)}/${s.name}`, s]));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "pkgref") {
      if (!a.pkgHeaders.has(i)) a.pkgRefs.set(i, { ref: parsePkgRef(t.text) });
      continue;
    }
    if (t.kind !== "ident" || a.anchors.has(i) || a.refs.has(i)) continue;
    const scope = a.scopeOf[i];
    if (scope === undefined) continue;
    const name = bare(t.text);
    const next = tokens[nextSignificant(tokens, i + 1)];
    const prev = tokens[previousSignificant(tokens, i - 1)];
    // `name:` declares (a field, a parameter, a function, a named import); `case(` or `case,`
    // after `{`/`,` inside enums, flags and variants declare cases.
    if (next?.text === ":") continue;
    if (isCasePosition(tokens, i, prev)) continue;
    // `import logger;`, `export logger;`, `include other;`: an item of this package.
    if (
      prev?.kind === "keyword" && ["import", "export", "include"].includes(prev.text) &&
      (next?.text === ";" || next?.text === "with")
    ) {
      if (byKey.has(`${pkgKey(scope.pkg)}/${name}`)) {
        a.refs.set(i, { pkg: scope.pkg, item: name, type: null });
      }
      continue;
    }
    const target = scope.names.get(name);
    if (target !== undefined) a.refs.set(i, target);
  }
  return a;
}

function previousSignificant(tokens: Token[], i: number): number {
  while (
    i >= 0 &&
    (tokens[i].kind === "ws" || tokens[i].kind === "comment" || tokens[i].kind === "doc" ||
      tokens[i].kind === "annotation")
  ) i--;
  return i;
}

/** Whether an identifier names a case of an enum, flags or variant (after `{` or `,`). */
function isCasePosition(tokens: Token[], i: number, prev: Token | undefined): boolean {
  if (prev === undefined || (prev.text !== "{" && prev.text !== ",")) return false;
  // Find the block this comma or brace belongs to: walk back to the unmatched "{".
  let depth = 0;
  let parens = 0;
  for (let j = i - 1; j >= 0; j--) {
    const x = tokens[j].text;
    if (x === ")" || x === ">") parens++;
    else if (x === "(" || x === "<") {
      if (parens === 0) return false; // inside a payload or generic list
      parens--;
    } else if (x === "}") depth++;
    else if (x === "{") {
      if (depth === 0) {
        const name = previousSignificant(tokens, j - 1);
        const kw = previousSignificant(tokens, name - 1);
        return kw >= 0 && ["enum", "flags", "variant"].includes(tokens[kw].text);
      }
      depth--;
    }
  }
  return false;
}

/** `use path.{a, b as c};` inside an interface or world: records the names, links the path. */
function analyzeUse(tokens: Token[], i: number, scope: Scope, a: Analysis, pkg: PkgCtx): number {
  const j = nextSignificant(tokens, i + 1);
  const path = tokens[j];
  if (path === undefined) return i;
  let target: Target["pkg"];
  let item: string;
  if (path.kind === "pkgref") {
    const ref = parsePkgRef(path.text);
    if (ref.item === null) return j;
    target = { pkg: ref.pkg, version: ref.version, main: false, foreign: true };
    item = ref.item;
    a.pkgRefs.set(j, { ref });
  } else if (path.kind === "ident") {
    target = pkg;
    item = bare(path.text);
    a.refs.set(j, { pkg, item, type: null });
  } else return j;
  let k = nextSignificant(tokens, j + 1);
  if (tokens[k]?.text !== ".") return k - 1;
  k = nextSignificant(tokens, k + 1);
  if (tokens[k]?.text !== "{") return k - 1;
  k++;
  while (k < tokens.length) {
    k = nextSignificant(tokens, k);
    const tok = tokens[k];
    if (tok === undefined || tok.text === "}") break;
    if (tok.kind === "ident") {
      const name = bare(tok.text);
      const resolved: Target = { pkg: target, item, type: name };
      a.refs.set(k, resolved);
      a.scopeOf[k] = scope;
      let local = name;
      const asAt = nextSignificant(tokens, k + 1);
      if (tokens[asAt]?.text === "as") {
        const alias = nextSignificant(tokens, asAt + 1);
        if (tokens[alias]?.kind === "ident") {
          local = bare(tokens[alias].text);
          a.refs.set(alias, resolved);
          k = alias;
        }
      }
      scope.names.set(local, resolved);
    }
    k++;
  }
  return k;
}

function hrefOf(
  target: Target | { href: string },
  a: Analysis,
  links: WitLinks,
): string | undefined {
  if ("href" in target) return target.href;
  const p = target.pkg;
  const key = pkgKey(p);
  const here = a.defined.get(key);
  if (here !== undefined) return `#${anchorOf(here, target.item, target.type)}`;
  const page = links.packageHref(p.pkg, p.version);
  if (page === undefined) return undefined;
  return `${page}#${target.type === null ? target.item : `${target.item}.${target.type}`}`;
}

function pkgRefHref(ref: PkgRef, a: Analysis, links: WitLinks): string | undefined {
  const here = a.defined.get(pkgKey(ref));
  if (here !== undefined && ref.item !== null) return `#${anchorOf(here, ref.item, null)}`;
  const page = links.packageHref(ref.pkg, ref.version);
  if (page === undefined) return undefined;
  return ref.item === null ? page : `${page}#${ref.item}`;
}

const CLASS: Partial<Record<Kind, string>> = {
  doc: "w-doc",
  comment: "w-com",
  keyword: "w-kw",
  builtin: "w-ty",
  annotation: "w-ann",
  number: "w-num",
  pkgref: "w-pkg",
};

/**
 * Highlights WIT text with anchors and links (see the module docs).
 *
 * @example
 * ```ts
 * import { highlightWit } from "./_wit_highlight.ts";
 * const out = highlightWit("package a:b;\ninterface i {\n  type t = u32;\n  f: func(x: t);\n}\n", {
 *   packageHref: () => undefined,
 * });
 * console.assert(out.html.value.includes('<a class="w-ref" href="#i.t">t</a>'));
 * ```
 */
export function highlightWit(text: string, links: WitLinks): HighlightedWit {
  if (text.length > MAX_HIGHLIGHT_CHARS) {
    return { html: trustedHtml(escapeText(text)), items: new Map(), nested: [] };
  }
  const tokens = lexWit(text);
  const a = analyze(tokens);
  const parts: string[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const body = escapeText(t.text);
    const anchor = a.anchors.get(i);
    if (anchor !== undefined) {
      const id = escapeText(anchor);
      parts[i] = `<a class="w-def" id="${id}" href="#${id}">${body}</a>`;
      continue;
    }
    const ref = a.refs.get(i);
    if (ref !== undefined) {
      const href = hrefOf(ref, a, links);
      parts[i] = href === undefined
        ? `<span class="w-ref">${body}</span>`
        : `<a class="w-ref" href="${escapeText(href)}">${body}</a>`;
      continue;
    }
    const header = a.pkgHeaders.get(i);
    if (header !== undefined) {
      const href = header.main ? undefined : links.packageHref(header.pkg, header.version);
      parts[i] = href === undefined
        ? `<span class="w-pkg">${body}</span>`
        : `<a class="w-pkg" href="${escapeText(href)}">${body}</a>`;
      continue;
    }
    const pr = a.pkgRefs.get(i);
    if (pr !== undefined) {
      const href = pkgRefHref(pr.ref, a, links);
      parts[i] = href === undefined
        ? `<span class="w-pkg" title="not published in this registry">${body}</span>`
        : `<a class="w-pkg" href="${escapeText(href)}">${body}</a>`;
      continue;
    }
    const cls = CLASS[t.kind];
    parts[i] = cls === undefined ? body : `<span class="${cls}">${body}</span>`;
  }
  const items = new Map<string, Html>();
  for (const [start, end, name] of a.items) {
    items.set(name, trustedHtml(parts.slice(start, end + 1).join("")));
  }
  const nested = a.nested.map(([start, end, name]) => ({
    name,
    html: trustedHtml(parts.slice(start, end + 1).join("")),
  }));
  return { html: trustedHtml(parts.join("")), items, nested };
}
