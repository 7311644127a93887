/**
 * The WIT tokenizer: text → a flat list of tokens (kind, start, end) with comments kept (they are
 * doc comments to the parser). Follows wit-parser's lexer: `\r\n` is one line break, identifiers
 * are lexed loosely and checked by {@link validateId} when the parser reads them, and a lexing
 * error is stored as the last token so that it surfaces only when the parser reaches it.
 */
import { WitError } from "./_error.ts";

/** Token kinds. Keywords follow the punctuation; `Id` is a plain identifier. */
export enum T {
  Eof,
  Comment,
  Equals,
  Comma,
  Colon,
  Period,
  Semicolon,
  LeftParen,
  RightParen,
  LeftBrace,
  RightBrace,
  LessThan,
  GreaterThan,
  RArrow,
  Star,
  At,
  Slash,
  Plus,
  Minus,
  StringLiteral,
  Use,
  Type,
  Func,
  U8,
  U16,
  U32,
  U64,
  S8,
  S16,
  S32,
  S64,
  F32,
  F64,
  Char,
  Record,
  Resource,
  Own,
  Borrow,
  Flags,
  Variant,
  Enum,
  Bool,
  String,
  Option,
  Result,
  Future,
  Stream,
  ErrorContext,
  List,
  Map,
  Underscore,
  As,
  From,
  Static,
  Interface,
  Tuple,
  Import,
  Export,
  World,
  Package,
  Constructor,
  Async,
  Include,
  With,
  Id,
  ExplicitId,
  Integer,
  /** A lexing error: the parser throws it when it reaches this token. */
  Error,
}

const KEYWORDS = new Map<string, T>([
  ["use", T.Use],
  ["type", T.Type],
  ["func", T.Func],
  ["u8", T.U8],
  ["u16", T.U16],
  ["u32", T.U32],
  ["u64", T.U64],
  ["s8", T.S8],
  ["s16", T.S16],
  ["s32", T.S32],
  ["s64", T.S64],
  ["f32", T.F32],
  ["f64", T.F64],
  ["char", T.Char],
  ["resource", T.Resource],
  ["own", T.Own],
  ["borrow", T.Borrow],
  ["record", T.Record],
  ["flags", T.Flags],
  ["variant", T.Variant],
  ["enum", T.Enum],
  ["bool", T.Bool],
  ["string", T.String],
  ["option", T.Option],
  ["result", T.Result],
  ["future", T.Future],
  ["stream", T.Stream],
  ["error-context", T.ErrorContext],
  ["list", T.List],
  ["map", T.Map],
  ["_", T.Underscore],
  ["as", T.As],
  ["from", T.From],
  ["static", T.Static],
  ["interface", T.Interface],
  ["tuple", T.Tuple],
  ["world", T.World],
  ["import", T.Import],
  ["export", T.Export],
  ["package", T.Package],
  ["constructor", T.Constructor],
  ["include", T.Include],
  ["with", T.With],
  ["async", T.Async],
]);

/** Words that must be written `%word` to be used as names (what the printer escapes). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  ...KEYWORDS.keys(),
  "float32",
  "float64",
]);

const DESCRIPTIONS: Record<number, string> = {
  [T.Eof]: "eof",
  [T.Comment]: "a comment",
  [T.Equals]: "'='",
  [T.Comma]: "','",
  [T.Colon]: "':'",
  [T.Period]: "'.'",
  [T.Semicolon]: "';'",
  [T.LeftParen]: "'('",
  [T.RightParen]: "')'",
  [T.LeftBrace]: "'{'",
  [T.RightBrace]: "'}'",
  [T.LessThan]: "'<'",
  [T.GreaterThan]: "'>'",
  [T.RArrow]: "`->`",
  [T.Star]: "`*`",
  [T.At]: "`@`",
  [T.Slash]: "`/`",
  [T.Plus]: "`+`",
  [T.Minus]: "`-`",
  [T.StringLiteral]: "a string literal",
  [T.Id]: "an identifier",
  [T.ExplicitId]: "an '%' identifier",
  [T.Integer]: "an integer",
  [T.Error]: "an invalid token",
};
for (const [word, kind] of KEYWORDS) DESCRIPTIONS[kind] = `keyword \`${word}\``;

/** How wit-parser names a token kind in "expected …, found …" messages. */
export function describeToken(kind: T): string {
  return DESCRIPTIONS[kind];
}

/** The tokens of one file. Offsets are global (the file's base offset added). */
export interface Tokens {
  /** The file text. */
  text: string;
  /** Global offset of `text[0]`. */
  base: number;
  kinds: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  count: number;
  /** The lexing error at the last token, when `kinds[count - 1] === T.Error`. */
  error?: WitError;
  /** Where the lexing error is, as a global offset. */
  errorAt?: number;
  /** Message of the lexing error (turned into a located {@link WitError} by the parser). */
  errorMessage?: string;
}

const XID_START = /\p{XID_Start}/u;
const XID_CONTINUE = /\p{XID_Continue}/u;

function isKeylikeStart(c: number, ch: string): boolean {
  if (c < 0x80) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d;
  }
  return XID_START.test(ch);
}

function isKeylikeContinue(c: number, ch: string): boolean {
  if (c < 0x80) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
      c === 0x5f || c === 0x2d;
  }
  return XID_CONTINUE.test(ch);
}

/** Rust's `{:?}` of a char: `'a'`, `'\n'`, `'\u{85}'`. */
export function debugChar(ch: string): string {
  switch (ch) {
    case "\n":
      return "'\\n'";
    case "\r":
      return "'\\r'";
    case "\t":
      return "'\\t'";
    case "\0":
      return "'\\0'";
    case "'":
      return "'\\''";
    case "\\":
      return "'\\\\'";
  }
  const c = ch.codePointAt(0)!;
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `'\\u{${c.toString(16)}}'`;
  return `'${ch}'`;
}

function escapeUnicode(c: number): string {
  return `\\u{${c.toString(16)}}`;
}

/** Code points WIT forbids anywhere: control codes, bidirectional overrides, deprecated ones. */
const FORBIDDEN = new RegExp(
  "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069" +
    "\\u0149\\u0673\\u0f77\\u0f79\\u17a3\\u17a4\\u17b4\\u17b5]",
);

/** Finds the first forbidden code point; returns `[offset, message]`, or `undefined`. */
function detectInvalidInput(text: string): [number, string] | undefined {
  const i = text.search(FORBIDDEN);
  if (i < 0) return undefined;
  const c = text.charCodeAt(i);
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return [i, `Control code '${escapeUnicode(c)}'`];
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
    return [i, `Input contains bidirectional override codepoint "${escapeUnicode(c)}"`];
  }
  return [i, `Codepoint "${escapeUnicode(c)}" is discouraged by Unicode`];
}

/**
 * Splits `text` into tokens. Whitespace is dropped; comments are kept. A lexing error ends the
 * list with a `T.Error` token whose message is in `errorMessage`.
 */
export function tokenize(text: string, base: number): Tokens {
  let cap = Math.max(16, text.length >> 2);
  let kinds = new Uint8Array(cap);
  let starts = new Uint32Array(cap);
  let ends = new Uint32Array(cap);
  let count = 0;
  const push = (k: T, s: number, e: number) => {
    if (count === cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap);
      k2.set(kinds);
      kinds = k2;
      const s2 = new Uint32Array(cap);
      s2.set(starts);
      starts = s2;
      const e2 = new Uint32Array(cap);
      e2.set(ends);
      ends = e2;
    }
    kinds[count] = k;
    starts[count] = base + s;
    ends[count] = base + e;
    count++;
  };
  const result = (): Tokens => ({ text, base, kinds, starts, ends, count });
  const fail = (at: number, message: string): Tokens => {
    push(T.Error, at, at + 1);
    return { ...result(), errorAt: base + at, errorMessage: message };
  };

  const invalid = detectInvalidInput(text);
  if (invalid) return fail(invalid[0], invalid[1]);

  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const start = i;
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x20:
      case 0x09:
      case 0x0a:
        i++;
        continue;
      case 0x0d:
        if (text.charCodeAt(i + 1) === 0x0a) {
          i += 2;
          continue;
        }
        return fail(i, `unexpected character ${debugChar("\r")}`);
      case 0x2f: // '/'
        if (text.charCodeAt(i + 1) === 0x2f) {
          const nl = text.indexOf("\n", i + 2);
          i = nl < 0 ? n : nl + 1;
          push(T.Comment, start, i);
          continue;
        }
        if (text.charCodeAt(i + 1) === 0x2a) {
          i += 2;
          let depth = 1;
          while (depth > 0) {
            if (i >= n) return fail(start, "unterminated block comment");
            const d = text.charCodeAt(i++);
            if (d === 0x2f && text.charCodeAt(i) === 0x2a) {
              i++;
              depth++;
            } else if (d === 0x2a && text.charCodeAt(i) === 0x2f) {
              i++;
              depth--;
            }
          }
          push(T.Comment, start, i);
          continue;
        }
        push(T.Slash, i, ++i);
        continue;
      case 0x3d:
        push(T.Equals, i, ++i);
        continue;
      case 0x2c:
        push(T.Comma, i, ++i);
        continue;
      case 0x3a:
        push(T.Colon, i, ++i);
        continue;
      case 0x2e:
        push(T.Period, i, ++i);
        continue;
      case 0x3b:
        push(T.Semicolon, i, ++i);
        continue;
      case 0x28:
        push(T.LeftParen, i, ++i);
        continue;
      case 0x29:
        push(T.RightParen, i, ++i);
        continue;
      case 0x7b:
        push(T.LeftBrace, i, ++i);
        continue;
      case 0x7d:
        push(T.RightBrace, i, ++i);
        continue;
      case 0x3c:
        push(T.LessThan, i, ++i);
        continue;
      case 0x3e:
        push(T.GreaterThan, i, ++i);
        continue;
      case 0x2a:
        push(T.Star, i, ++i);
        continue;
      case 0x40:
        push(T.At, i, ++i);
        continue;
      case 0x2b:
        push(T.Plus, i, ++i);
        continue;
      case 0x2d:
        if (text.charCodeAt(i + 1) === 0x3e) {
          push(T.RArrow, i, i += 2);
        } else {
          push(T.Minus, i, ++i);
        }
        continue;
      case 0x25: { // '%'
        i++;
        if (i < n) {
          const cp = text.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          if (isKeylikeStart(cp, ch)) {
            i += ch.length;
            i = scanKeylike(text, i);
          }
        }
        push(T.ExplicitId, start, i);
        continue;
      }
      case 0x22: { // '"'
        const r = scanString(text, i + 1);
        if (typeof r !== "number") return fail(r.at, r.message);
        i = r;
        push(T.StringLiteral, start, i);
        continue;
      }
    }
    if (c >= 0x30 && c <= 0x39) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d < 0x30 || d > 0x39) break;
        i++;
      }
      push(T.Integer, start, i);
      continue;
    }
    const cp = c < 0xd800 || c > 0xdbff ? c : text.codePointAt(i)!;
    const ch = c === cp ? text[i] : String.fromCodePoint(cp);
    if (isKeylikeStart(cp, ch)) {
      i = scanKeylike(text, i + ch.length);
      const word = text.slice(start, i);
      push(KEYWORDS.get(word) ?? T.Id, start, i);
      continue;
    }
    return fail(i, `unexpected character ${debugChar(ch)}`);
  }
  push(T.Eof, n, n);
  return result();
}

function scanKeylike(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
        c === 0x5f || c === 0x2d
      ) {
        i++;
        continue;
      }
      break;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!isKeylikeContinue(cp, ch)) break;
    i += ch.length;
  }
  return i;
}

/** Scans a string literal body from `i` (after the opening quote); returns the end offset. */
function scanString(text: string, i: number): number | { at: number; message: string } {
  const r = readStringLiteral(text, i);
  return typeof r.value === "string" ? r.end : { at: r.at, message: r.message };
}

/** Decodes a string literal starting after its opening quote at `i`. */
export function readStringLiteral(
  text: string,
  i: number,
): { value: string; end: number; at: number; message: string } | {
  value: undefined;
  end: number;
  at: number;
  message: string;
} {
  const n = text.length;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const err = (at: number, message: string) => ({ value: undefined, end: i, at, message });
  const hexVal = (d: number) =>
    d >= 0x30 && d <= 0x39 ? d - 0x30 : d >= 0x61 && d <= 0x66 ? d - 0x57 : d - 0x37;
  const isHex = (d: number) =>
    (d >= 0x30 && d <= 0x39) || (d >= 0x61 && d <= 0x66) || (d >= 0x41 && d <= 0x46);
  const start = i;
  for (;;) {
    if (i >= n) return err(n, "unexpected end of file");
    const pos = i;
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (ch === '"') break;
    if (ch === "\\") {
      if (i >= n) return err(n, "unexpected end of file");
      const epos = i;
      const e = text[i++];
      switch (e) {
        case '"':
        case "'":
        case "\\":
          bytes.push(e.charCodeAt(0));
          continue;
        case "t":
          bytes.push(9);
          continue;
        case "n":
          bytes.push(10);
          continue;
        case "r":
          bytes.push(13);
          continue;
        case "u": {
          if (text[i] !== "{") return err(i, "expected character '{'");
          i++;
          if (i >= n) return err(n, "unexpected end of file");
          const first = text.charCodeAt(i);
          if (!isHex(first)) return err(i, `invalid hex digit ${debugChar(text[i])}`);
          const firstPos = i;
          let v = hexVal(first);
          i++;
          let lastUnderscore = false;
          for (;;) {
            if (text[i] === "_") {
              lastUnderscore = true;
              i++;
              continue;
            }
            if (i >= n) return err(n, "unexpected end of file");
            const d = text.charCodeAt(i);
            if (!isHex(d)) break;
            lastUnderscore = false;
            v = v * 16 + hexVal(d);
            if (v > 0xffffffff) return err(i, "number is too big to fit in a u32");
            i++;
          }
          if (lastUnderscore) return err(firstPos, "trailing underscore in number");
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
            return err(epos, `invalid unicode value ${"0x" + v.toString(16)}`);
          }
          bytes.push(...enc.encode(String.fromCodePoint(v)));
          if (text[i] !== "}") return err(i, "expected character '}'");
          i++;
          continue;
        }
        default: {
          const d = e.charCodeAt(0);
          if (isHex(d)) {
            if (i >= n) return err(n, "unexpected end of file");
            const d2 = text.charCodeAt(i);
            if (!isHex(d2)) return err(i, `invalid hex digit ${debugChar(text[i])}`);
            i++;
            bytes.push(hexVal(d) * 16 + hexVal(d2));
            continue;
          }
          return err(epos, `invalid string escape ${debugChar(e)}`);
        }
      }
    }
    if (cp < 0x20 || cp === 0x7f) return err(pos, `invalid string character ${debugChar(ch)}`);
    bytes.push(...enc.encode(ch));
  }
  try {
    const value = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
    return { value, end: i, at: start, message: "" };
  } catch {
    return err(start, "invalid UTF-8");
  }
}

/**
 * Checks a WIT identifier (without `%`): kebab-case parts, each all lowercase or all uppercase
 * letters and digits, the first part starting with a letter. Returns the error message, or
 * `undefined` when valid.
 */
export function checkId(id: string): string | undefined {
  if (id.length === 0) return "identifiers must have characters between '-'s";
  // Per part: 0 = start of part, 1 = lowercase part, 2 = uppercase part, 3 = digits only so far.
  let state = 0;
  let first = true;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 0x2d) {
      if (state === 0) return "identifiers must have characters between '-'s";
      state = 0;
      first = false;
      continue;
    }
    const lower = c >= 0x61 && c <= 0x7a, upper = c >= 0x41 && c <= 0x5a;
    const digit = c >= 0x30 && c <= 0x39;
    if (state === 0) {
      if (first && !lower && !upper) return badChar(id, i);
      if (!lower && !upper && !digit) return badChar(id, i);
      state = lower ? 1 : upper ? 2 : 3;
    } else if (digit) {
      continue;
    } else if (lower) {
      if (state === 2) return badChar(id, i);
      state = 1;
    } else if (upper) {
      if (state === 1) return badChar(id, i);
      state = 2;
    } else {
      return badChar(id, i);
    }
  }
  if (state === 0) return "identifiers must have characters between '-'s";
  return undefined;
}

function badChar(id: string, i: number): string {
  return `invalid character in identifier ${debugChar(String.fromCodePoint(id.codePointAt(i)!))}`;
}

/** Whether `id` is a valid WIT identifier (kebab-case, as {@link checkId} defines it). */
export function isValidWitId(id: string): boolean {
  return checkId(id) === undefined;
}
