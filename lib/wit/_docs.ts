/**
 * Doc comments → docs text, exactly as wit-parser turns them: every comment before an item counts,
 * the block-comment markers are cut from block comments and leading slashes from line comments,
 * the common leading spaces are removed, and trailing blank lines dropped.
 */
import type { Docs } from "./_ast.ts";

function isAsciiWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

/** Turns the comments before an item into its docs, the way wit-parser does. */
export function docsOf(d: Docs): string | undefined {
  const comments = d.comments;
  if (comments.length === 0) return undefined;
  let docs: string[] = new Array(comments.length);
  let minWs = Infinity;
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i];
    let body: string;
    if (c.startsWith("/**")) body = c.slice(3, c.endsWith("*/") ? -2 : undefined);
    else {
      let k = 0;
      while (c.charCodeAt(k) === 0x2f) k++;
      body = c.slice(k);
    }
    body = body.trimEnd();
    docs[i] = body;
    if (body !== "") {
      let n = 0;
      while (n < body.length && isAsciiWs(body.charCodeAt(n))) n++;
      if (n < minWs) minWs = n;
    }
  }
  if (minWs !== Infinity && minWs > 0) {
    const pad = " ".repeat(minWs);
    docs = docs.map((l) => l.startsWith(pad) ? l.slice(minWs) : l);
  }
  let contents = "";
  for (const doc of docs) {
    if (doc === "") {
      contents += "\n";
    } else if (doc.indexOf("\n") < 0) {
      contents += doc + "\n";
    } else {
      for (const line of rustLines(doc)) contents += line + "\n";
    }
  }
  let end = contents.length;
  while (end > 0 && contents.charCodeAt(end - 1) === 0x0a) end--;
  return contents.slice(0, end);
}

/** Rust's `str::lines`: split on `\n`, drop one trailing `\r` per line and a last empty line. */
export function rustLines(s: string): string[] {
  const lines = s.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
}
