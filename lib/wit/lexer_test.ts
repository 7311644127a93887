import assert from "node:assert/strict";
import { checkId, readStringLiteral, T, tokenize } from "./_lexer.ts";

function kinds(text: string): T[] {
  const t = tokenize(text, 0);
  return [...t.kinds.subarray(0, t.count)];
}

Deno.test("keywords, identifiers, integers and punctuation are told apart", () => {
  assert.deepEqual(kinds("a: func() -> list<u8>;"), [
    T.Id,
    T.Colon,
    T.Func,
    T.LeftParen,
    T.RightParen,
    T.RArrow,
    T.List,
    T.LessThan,
    T.U8,
    T.GreaterThan,
    T.Semicolon,
    T.Eof,
  ]);
  assert.deepEqual(kinds("%interface error-context 12 @ + - / * ="), [
    T.ExplicitId,
    T.ErrorContext,
    T.Integer,
    T.At,
    T.Plus,
    T.Minus,
    T.Slash,
    T.Star,
    T.Equals,
    T.Eof,
  ]);
});

Deno.test("identifiers are lexed loosely and checked later", () => {
  assert.deepEqual(kinds("apple--pear _a_ garçon"), [T.Id, T.Id, T.Id, T.Eof]);
  assert.deepEqual(kinds("_"), [T.Underscore, T.Eof]);
});

Deno.test("comments are kept as tokens, block comments nest", () => {
  const t = tokenize("/// doc\n/* a /* b */ c */ x", 0);
  assert.deepEqual([...t.kinds.subarray(0, t.count)], [T.Comment, T.Comment, T.Id, T.Eof]);
  assert.equal(t.text.slice(t.starts[1], t.ends[1]), "/* a /* b */ c */");
});

Deno.test("offsets are shifted by the file's base", () => {
  const t = tokenize("  x", 100);
  assert.equal(t.starts[0], 102);
  assert.equal(t.ends[0], 103);
});

Deno.test("CRLF is a line break but a lone CR is an error", () => {
  assert.deepEqual(kinds("a\r\nb"), [T.Id, T.Id, T.Eof]);
  const t = tokenize("a\rb", 0);
  assert.equal(t.kinds[t.count - 1], T.Error);
  assert.equal(t.errorMessage, "unexpected character '\\r'");
  assert.equal(t.errorAt, 1);
});

Deno.test("lexing errors end the token list and say where", () => {
  const cases: [string, string, number][] = [
    ["a /* never closed", "unterminated block comment", 2],
    ["a $", "unexpected character '$'", 2],
    ["a\u0000", "Control code '\\u{0}'", 1],
    ["a \u202e b", 'Input contains bidirectional override codepoint "\\u{202e}"', 2],
    ["\u0149", 'Codepoint "\\u{149}" is discouraged by Unicode', 0],
  ];
  for (const [text, message, at] of cases) {
    const t = tokenize(text, 0);
    assert.equal(t.kinds[t.count - 1], T.Error, text);
    assert.equal(t.errorMessage, message);
    assert.equal(t.errorAt, at);
  }
});

Deno.test("a byte order mark at the start is skipped", () => {
  assert.deepEqual(kinds("\ufeffpackage"), [T.Package, T.Eof]);
});

Deno.test("valid identifiers are kebab-case parts of one case", () => {
  for (
    const id of ["apple", "apple-pear", "a0", "APPLE-PEAR", "apple-PEAR-grape", "is-XML", "a-0"]
  ) {
    assert.equal(checkId(id), undefined, id);
  }
});

Deno.test("invalid identifiers are rejected with wit-parser's messages", () => {
  const cases: [string, string][] = [
    ["", "identifiers must have characters between '-'s"],
    ["a--b", "identifiers must have characters between '-'s"],
    ["a-", "identifiers must have characters between '-'s"],
    ["0a", "invalid character in identifier '0'"],
    ["Apple", "invalid character in identifier 'p'"],
    ["apple_pear", "invalid character in identifier '_'"],
    ["garçon", "invalid character in identifier 'ç'"],
  ];
  for (const [id, message] of cases) assert.equal(checkId(id), message, id);
});

Deno.test("string literals decode escapes and reject bad ones", () => {
  const ok = (s: string) => readStringLiteral(s, 1).value;
  assert.equal(ok('"a\\tb"'), "a\tb");
  assert.equal(ok('"\\u{1F600}"'), "😀");
  assert.equal(ok('"\\41"'), "A");
  assert.equal(readStringLiteral('"\\h"', 1).message, "invalid string escape 'h'");
  assert.equal(readStringLiteral('"abc', 1).message, "unexpected end of file");
});
