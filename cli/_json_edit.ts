/**
 * Edits of a JSON or JSONC text (`deno.json`, `deno.jsonc`) that keep everything the edit does not
 * touch byte for byte: the user's key order, indentation, comments and trailing commas. Used to
 * add and remove import-map entries. Pure: text in, text out.
 */

/** A parsed value with its place in the text. */
type Node =
  | { type: "object"; start: number; end: number; members: Member[] }
  | { type: "array"; start: number; end: number }
  | { type: "value"; start: number; end: number };

interface Member {
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  value: Node;
  /** Offset just after the comma that follows the value, when there is one. */
  commaEnd?: number;
}

/** A JSON text that cannot be edited (it does not parse), with the offset. */
export class JsonEditError extends SyntaxError {
  override name = "JsonEditError";
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

class Parser {
  i = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    const before = this.text.slice(0, this.i);
    const line = before.split("\n").length;
    const col = this.i - before.lastIndexOf("\n");
    throw new JsonEditError(`${what} at line ${line}, column ${col}`, this.i);
  }

  /** Skips whitespace and comments. */
  skip(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\uFEFF") this.i++;
      else if (c === "/" && t[this.i + 1] === "/") {
        while (this.i < t.length && t[this.i] !== "\n") this.i++;
      } else if (c === "/" && t[this.i + 1] === "*") {
        const end = t.indexOf("*/", this.i + 2);
        if (end < 0) this.fail("Unterminated comment");
        this.i = end + 2;
      } else return;
    }
  }

  string(): string {
    const start = this.i;
    if (this.text[this.i] !== '"') this.fail("Expected a string");
    this.i++;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === "\\") this.i += 2;
      else if (c === '"') {
        this.i++;
        return JSON.parse(this.text.slice(start, this.i));
      } else this.i++;
    }
    this.fail("Unterminated string");
  }

  value(): Node {
    this.skip();
    const start = this.i;
    const c = this.text[this.i];
    if (c === "{") return this.object();
    if (c === "[") {
      this.i++;
      this.skip();
      while (this.text[this.i] !== "]") {
        this.value();
        this.skip();
        if (this.text[this.i] === ",") {
          this.i++;
          this.skip();
        } else if (this.text[this.i] !== "]") this.fail("Expected , or ]");
      }
      this.i++;
      return { type: "array", start, end: this.i };
    }
    if (c === '"') {
      this.string();
      return { type: "value", start, end: this.i };
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.i));
    if (!m) this.fail("Expected a JSON value");
    this.i += m[0].length;
    return { type: "value", start, end: this.i };
  }

  object(): Node {
    const start = this.i;
    this.i++;
    const members: Member[] = [];
    this.skip();
    while (this.text[this.i] !== "}") {
      if (this.i >= this.text.length) this.fail("Unterminated object");
      const keyStart = this.i;
      const key = this.string();
      this.skip();
      if (this.text[this.i] !== ":") this.fail("Expected :");
      this.i++;
      const value = this.value();
      const m: Member = { key, start: keyStart, value };
      members.push(m);
      this.skip();
      if (this.text[this.i] === ",") {
        this.i++;
        m.commaEnd = this.i;
        this.skip();
      } else if (this.text[this.i] !== "}") this.fail("Expected , or }");
    }
    this.i++;
    return { type: "object", start, end: this.i, members };
  }
}

function parse(text: string): Node {
  const p = new Parser(text);
  const root = p.value();
  p.skip();
  if (p.i < text.length) p.fail("Unexpected text after the JSON value");
  return root;
}

/** Reads a JSON or JSONC text into a plain value (comments and trailing commas allowed). */
export function parseJsonc(text: string): unknown {
  parse(text);
  // The parser accepted it; strip what JSON.parse refuses.
  return JSON.parse(stripJsonc(text));
}

function stripJsonc(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 2;
    } else if (c === ",") {
      let j = i + 1;
      while (/\s/.test(text[j] ?? "")) j++;
      if (text[j] !== "}" && text[j] !== "]") out += c;
      i++;
    } else {
      out += c === "\uFEFF" ? "" : c;
      i++;
    }
  }
  return out;
}

/** The indentation unit the text uses (default two spaces). */
function indentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m) return "  ";
  return m[1].startsWith("\t") ? "\t" : " ".repeat(Math.min(m[1].length, 8));
}

/** The indentation of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function format(value: unknown, unit: string, indent: string): string {
  return JSON.stringify(value, null, unit).replaceAll("\n", `\n${indent}`);
}

function find(node: Node, key: string): Member | undefined {
  if (node.type !== "object") return undefined;
  // The last occurrence wins, as in JSON.parse.
  return node.members.findLast((m) => m.key === key);
}

/**
 * Sets `path` (keys from the root) to `value`, creating the objects on the way. An existing value
 * is replaced in place; a new key goes after the object's last member, indented like its
 * siblings.
 *
 * @throws {JsonEditError} when the text does not parse, or a parent on the path is not an object.
 */
export function setJsonValue(text: string, path: readonly string[], value: unknown): string {
  if (text.trim() === "") text = "{}\n";
  const root = parse(text);
  const unit = indentUnit(text);
  let node = root;
  for (let depth = 0; depth < path.length; depth++) {
    if (node.type !== "object") {
      throw new JsonEditError(
        `Cannot set ${path.slice(0, depth).join(".") || "the root"}: it is not an object`,
        node.start,
      );
    }
    const key = path[depth];
    const member = find(node, key);
    const rest = path.slice(depth + 1);
    if (member === undefined) {
      let v: unknown = value;
      for (let i = rest.length - 1; i >= 0; i--) v = { [rest[i]]: v };
      return insertMember(text, node, key, v, unit);
    }
    if (rest.length === 0) {
      const indent = lineIndent(text, member.start);
      return text.slice(0, member.value.start) + format(value, unit, indent) +
        text.slice(member.value.end);
    }
    node = member.value;
  }
  throw new JsonEditError("Cannot set an empty path", 0);
}

function insertMember(
  text: string,
  obj: Extract<Node, { type: "object" }>,
  key: string,
  value: unknown,
  unit: string,
): string {
  const inner = text.slice(obj.start + 1, obj.end - 1);
  const multiline = inner.includes("\n") || obj.members.length === 0;
  const last = obj.members.at(-1);
  if (last === undefined) {
    const indent = lineIndent(text, obj.start);
    const memberIndent = indent + unit;
    const entry = `${JSON.stringify(key)}: ${format(value, unit, memberIndent)}`;
    if (inner.trim() !== "") {
      // Only comments inside: keep them, add the member after.
      return `${text.slice(0, obj.end - 1).trimEnd()}\n${memberIndent}${entry}\n${indent}}` +
        text.slice(obj.end);
    }
    return `${text.slice(0, obj.start + 1)}\n${memberIndent}${entry}\n${indent}}${
      text.slice(obj.end)
    }`;
  }
  if (!multiline) {
    const entry = `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    const at = last.commaEnd ?? last.value.end;
    return `${text.slice(0, at)}${last.commaEnd === undefined ? "," : ""} ${entry}${
      last.commaEnd === undefined ? "" : ","
    }${text.slice(at)}`;
  }
  const memberIndent = lineIndent(text, last.start);
  const entry = `${JSON.stringify(key)}: ${format(value, unit, memberIndent)}`;
  if (last.commaEnd !== undefined) {
    // A trailing comma: keep the style.
    return `${text.slice(0, last.commaEnd)}\n${memberIndent}${entry},${text.slice(last.commaEnd)}`;
  }
  return `${text.slice(0, last.value.end)},\n${memberIndent}${entry}${text.slice(last.value.end)}`;
}

/**
 * Removes `path` from the text (with its comma); the text is returned unchanged when the key is
 * not there.
 */
export function removeJsonValue(text: string, path: readonly string[]): string {
  if (text.trim() === "") return text;
  let node = parse(text);
  for (let depth = 0; depth < path.length - 1; depth++) {
    const member = find(node, path[depth]);
    if (member === undefined) return text;
    node = member.value;
  }
  if (node.type !== "object") return text;
  const key = path[path.length - 1];
  const idx = node.members.findLastIndex((m) => m.key === key);
  if (idx < 0) return text;
  const m = node.members[idx];
  const next = node.members[idx + 1];
  if (next !== undefined) {
    // Up to the next member's own line (or its start when on the same line).
    const lineStart = text.lastIndexOf("\n", m.start - 1) + 1;
    const nextLineStart = text.lastIndexOf("\n", next.start - 1) + 1;
    if (text.slice(lineStart, m.start).trim() === "" && nextLineStart > m.start) {
      return text.slice(0, lineStart) + text.slice(nextLineStart);
    }
    return text.slice(0, m.start) + text.slice(next.start);
  }
  const prev = node.members[idx - 1];
  if (prev !== undefined) {
    // The last member: take it with the comma before it; a trailing comma after it stays.
    const end = m.value.end;
    return text.slice(0, prev.value.end) + text.slice(end);
  }
  // The only member: the object becomes empty.
  return text.slice(0, node.start + 1) + text.slice(node.end - 1).replace(/^\s*/, "");
}

/** The value at `path`, or `undefined`. */
export function getJsonValue(text: string, path: readonly string[]): unknown {
  let v: unknown = parseJsonc(text);
  for (const key of path) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}
