/**
 * Text from a registry, made safe to print on the user's terminal. A registry is not trusted:
 * descriptions, names, owners, publishers, WIT and error messages it supplies may hold escape
 * sequences (ESC, CSI) that rewrite the screen, the window title or the clipboard, carriage
 * returns and backspaces that overwrite what wreg printed, or bidirectional controls that show text
 * in another order than it is. At the output edge every such character is shown as a visible
 * escape (`\x1b`, `\u202e`) instead, so nothing a registry sends drives the terminal and nothing is
 * silently hidden.
 */

/**
 * The characters a terminal acts on or that reorder text: C0 and C1 controls and DEL (`\p{Cc}`),
 * the line and paragraph separators, and the bidirectional marks, embeddings, overrides and
 * isolates.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escape(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control character shown as a visible escape. With `multiline`, line feeds
 * and tabs are kept (WIT text, multi-line messages); without, they are escaped too, so a value
 * stays on its line.
 *
 * @example
 * ```ts
 * import { printable } from "./_terminal.ts";
 * console.assert(printable("ok\x1b]0;pwned\x07") === "ok\\x1b]0;pwned\\x07");
 * console.assert(printable("a\nb", true) === "a\nb");
 * ```
 */
export function printable(text: string, multiline = false): string {
  return String(text).replace(
    UNSAFE,
    (c) => multiline && (c === "\n" || c === "\t") ? c : escape(c),
  );
}

/** Characters JSON.stringify leaves raw that a terminal acts on (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as indented JSON for a terminal: the same JSON as `JSON.stringify(value, null, 2)`
 * (it parses to the same value), with DEL, C1 controls and bidirectional controls written as
 * `\u` escapes, which JSON.stringify would print raw.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
