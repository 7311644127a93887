/**
 * WIT errors and where they point: {@link WitError} (a stable `code`, the message, a
 * `file:line:col` location) and the source map that turns global offsets into locations and
 * renders the source line with a caret, the way wit-parser does.
 *
 * Offsets are UTF-16 indices into a global space where every file has its own range (one extra
 * position per file for "end of file"), so a span is just two numbers. Columns are counted in
 * UTF-8 bytes, as wit-parser counts them.
 */

/** Stable codes of {@link WitError}. */
export type WitErrorCode =
  /** The text could not be split into tokens (bad character, unterminated comment, …). */
  | "lex"
  /** The tokens do not follow the WIT grammar, or a rule within one package is broken. */
  | "syntax"
  /** A name (type, interface, world) used in a package is not defined. */
  | "not-found"
  /** A type, interface or world depends on itself. */
  | "cycle"
  /** A `use` or `include` names a package that is not among the sources. */
  | "package-not-found"
  /** A package exists but lacks the interface or world named. */
  | "item-not-found"
  /** Packages depend on each other in a cycle. */
  | "package-cycle"
  /** Two sources define the same package. */
  | "duplicate-package"
  /** A world's exports need one interface both imported and exported. */
  | "invalid-transitive-dependency"
  /** An `include` brings a name that the world already has. */
  | "shadowing"
  /** Two views of one item disagree on `@since`/`@unstable`. */
  | "stability-mismatch"
  /** Two resolves disagree on a package being merged. */
  | "merge"
  /** Any other rule across packages (gates, handles, borrows, …). */
  | "semantic";

/** A place in a source file. `line` and `column` are 1-based; `column` counts UTF-8 bytes. */
export interface WitLocation {
  path: string;
  line: number;
  column: number;
  /** The source line, without its line break. */
  lineText: string;
  /** How many characters the highlighted span covers after the first (the dashes after `^`). */
  extent: number;
}

/**
 * An error in WIT input: lexing, parsing or resolving. `message` is wit-parser's message (it may
 * have a second line with a hint); `location` says where, when the error has a place;
 * {@link WitError.rendered} is the full text with the source line and a caret.
 *
 * @example
 * ```ts
 * import { tryParseWit, parseWit, WitError } from "./mod.ts";
 * try {
 *   parseWit("package a:b;\ninterface i { type t = nope; }", { path: "x.wit" });
 * } catch (e) {
 *   console.assert(e instanceof WitError && e.code === "not-found");
 *   console.assert((e as WitError).location?.line === 2);
 * }
 * console.assert(tryParseWit("interface") === undefined);
 * ```
 */
export class WitError extends SyntaxError {
  override name = "WitError";
  /** The rendering with the source line, like wit-parser's `.wit.result` files. */
  readonly rendered: string;
  constructor(
    readonly code: WitErrorCode,
    message: string,
    readonly location?: WitLocation,
    rendered?: string,
  ) {
    super(message);
    this.rendered = rendered ?? (location ? renderLocated(message, location) : message);
  }

  /** `path:line:col`, or `undefined` when the error has no place in a file. */
  get where(): string | undefined {
    const l = this.location;
    return l ? `${l.path}:${l.line}:${l.column}` : undefined;
  }
}

/** The rendering of a WIT error: message, location, the source line and a caret. */
export function formatWitError(e: WitError): string {
  return e.rendered;
}

function renderLocated(message: string, loc: WitLocation): string {
  if (utf8Length(loc.lineText) > 500) {
    return `${loc.path}:${loc.line}:${loc.column}: ${message}`;
  }
  const lineNo = String(loc.line).padStart(4);
  const marker = "^".padStart(loc.column) + "-".repeat(loc.extent);
  return `${message}\n     --> ${loc.path}:${loc.line}:${loc.column}\n      |\n ${lineNo} | ${loc.lineText}\n      | ${marker}`;
}

/** Number of UTF-8 bytes of `s`. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** An unknown span (an item that came from a binary, or an error with no place). */
export const NO_SPAN = -1;

interface Source {
  path: string;
  text: string;
  offset: number;
}

/**
 * All source files of one resolution in one offset space. Each file gets `text.length + 1`
 * positions: the extra one is "end of file", so a span at EOF still maps to its file.
 */
export class SourceMap {
  readonly sources: Source[] = [];
  private end = 0;

  /** Adds a file; returns the global offset of its first character. */
  add(path: string, text: string): number {
    const offset = this.end;
    this.sources.push({ path, text, offset });
    this.end += text.length + 1;
    return offset;
  }

  /** The source holding global offset `pos`. */
  sourceAt(pos: number): Source {
    const s = this.sources;
    let lo = 0, hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid].offset <= pos) lo = mid;
      else hi = mid - 1;
    }
    return s[lo];
  }

  /** The location of span `[start, end)`, or `undefined` for an unknown span. */
  locate(start: number, end?: number): WitLocation | undefined {
    if (start < 0 || this.sources.length === 0 || start >= this.end) return undefined;
    const src = this.sourceAt(start);
    const contents = src.text + "\n";
    const rel = start - src.offset;
    // Lines as wit-parser counts them: split on `\n`, a `\r` stays part of the line.
    let lineStart = 0, line = 0;
    for (;;) {
      const nl = contents.indexOf("\n", lineStart);
      if (nl < 0 || nl >= rel) break;
      lineStart = nl + 1;
      line++;
    }
    let lineEnd = contents.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = contents.length;
    let lineText = contents.slice(lineStart, lineEnd);
    if (lineText.endsWith("\r")) lineText = lineText.slice(0, -1);
    const column = utf8Length(contents.slice(lineStart, rel)) + 1;
    let extent = 0;
    if (end !== undefined && end > start) {
      const relEnd = end - src.offset;
      if (relEnd <= contents.length) {
        const piece = contents.slice(rel, relEnd);
        let n = 0;
        for (const _ of piece) n++;
        extent = Math.max(0, n - 1);
      }
    }
    return { path: src.path, line: line + 1, column, lineText, extent };
  }

  /** `path:line:col` of `pos`, or `<unknown>`. */
  where(pos: number): string {
    const l = this.locate(pos);
    return l ? `${l.path}:${l.line}:${l.column}` : "<unknown>";
  }

  /** A {@link WitError} located at span `[start, end)`. */
  error(code: WitErrorCode, message: string, start: number, end?: number): WitError {
    return new WitError(code, message, this.locate(start, end));
  }
}
