/**
 * JSON the way manifests need it: a strict parser for what clients push (a size limit, a nesting
 * limit checked while parsing, duplicate keys refused so that every reader sees the same
 * document), and a canonical writer (keys sorted, no spaces) so that what the registry generates
 * has bytes, and so a digest, that never change.
 */
import { OciError, type OciErrorCode } from "./_errors.ts";

/** A JSON value as the parser returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Limits of {@link parseJson}. */
export interface JsonLimits {
  /** Most bytes (default 4 MiB, what the distribution spec asks registries to accept). */
  maxBytes: number;
  /** Deepest nesting of arrays and objects (default 32; an OCI manifest needs 4). */
  maxDepth: number;
}

/** The limits used when none are given. */
export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 32,
});

/**
 * Parses UTF-8 JSON bytes strictly. Refuses (as an {@link OciError} with `code`, default
 * `MANIFEST_INVALID`) more than `maxBytes`, invalid UTF-8, nesting deeper than `maxDepth`,
 * duplicate keys and anything `JSON.parse` would refuse, naming the byte offset.
 *
 * @example
 * ```ts
 * import { parseJson } from "./mod.ts";
 * const v = parseJson(new TextEncoder().encode('{"a":[1,2]}'));
 * console.assert(JSON.stringify(v) === '{"a":[1,2]}');
 * ```
 */
export function parseJson(
  bytes: Uint8Array,
  limits: Partial<JsonLimits> = {},
  what = "the manifest",
  code: OciErrorCode = "MANIFEST_INVALID",
): Json {
  const { maxBytes, maxDepth } = { ...DEFAULT_JSON_LIMITS, ...limits };
  if (bytes.length > maxBytes) {
    throw new OciError(
      "SIZE_INVALID",
      `Cannot read ${what}: it has ${bytes.length} bytes, more than the limit of ${maxBytes}`,
      { size: bytes.length, limit: maxBytes },
      413,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new OciError(code, `Cannot read ${what}: it is not valid UTF-8`);
  }
  return new Parser(text, maxDepth, what, code).document();
}

class Parser {
  #at = 0;
  constructor(
    readonly text: string,
    readonly maxDepth: number,
    readonly what: string,
    readonly code: OciErrorCode,
  ) {}

  document(): Json {
    this.#space();
    const v = this.#value(0);
    this.#space();
    if (this.#at !== this.text.length) this.#fail("unexpected text after the JSON value");
    return v;
  }

  #fail(why: string): never {
    // The offset is in UTF-16 units of the decoded text; for the ASCII that JSON syntax is made
    // of, that is the byte offset.
    throw new OciError(
      this.code,
      `Cannot read ${this.what}: ${why} (at offset 0x${this.#at.toString(16)})`,
      { offset: this.#at },
    );
  }

  #space(): void {
    const t = this.text;
    while (this.#at < t.length) {
      const c = t.charCodeAt(this.#at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.#at++;
      else break;
    }
  }

  #value(depth: number): Json {
    const t = this.text;
    const c = t[this.#at];
    if (c === "{" || c === "[") {
      if (depth >= this.maxDepth) {
        this.#fail(`it nests deeper than ${this.maxDepth} levels`);
      }
      return c === "{" ? this.#object(depth + 1) : this.#array(depth + 1);
    }
    if (c === '"') return this.#string();
    if (c === "t" && t.startsWith("true", this.#at)) return (this.#at += 4, true);
    if (c === "f" && t.startsWith("false", this.#at)) return (this.#at += 5, false);
    if (c === "n" && t.startsWith("null", this.#at)) return (this.#at += 4, null);
    if (c === "-" || (c >= "0" && c <= "9")) return this.#number();
    if (c === undefined) this.#fail("the JSON ends early");
    this.#fail(`unexpected ${JSON.stringify(c)}`);
  }

  #object(depth: number): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    const seen = new Set<string>();
    this.#at++; // {
    this.#space();
    if (this.text[this.#at] === "}") return (this.#at++, out);
    while (true) {
      this.#space();
      if (this.text[this.#at] !== '"') this.#fail("expected a key in quotes");
      const keyAt = this.#at;
      const key = this.#string();
      if (seen.has(key)) {
        this.#at = keyAt;
        this.#fail(`the key ${JSON.stringify(key)} appears twice in one object`);
      }
      seen.add(key);
      this.#space();
      if (this.text[this.#at] !== ":") this.#fail('expected ":" after a key');
      this.#at++;
      this.#space();
      // Defined as an own data property, so a key "__proto__" is a plain key.
      Object.defineProperty(out, key, {
        value: this.#value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#space();
      const c = this.text[this.#at];
      if (c === ",") {
        this.#at++;
        continue;
      }
      if (c === "}") return (this.#at++, out);
      this.#fail('expected "," or "}" in an object');
    }
  }

  #array(depth: number): Json[] {
    const out: Json[] = [];
    this.#at++; // [
    this.#space();
    if (this.text[this.#at] === "]") return (this.#at++, out);
    while (true) {
      this.#space();
      out.push(this.#value(depth));
      this.#space();
      const c = this.text[this.#at];
      if (c === ",") {
        this.#at++;
        continue;
      }
      if (c === "]") return (this.#at++, out);
      this.#fail('expected "," or "]" in an array');
    }
  }

  #string(): string {
    const t = this.text;
    const start = this.#at;
    let i = start + 1;
    let escaped = false;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 0x22) break; // "
      if (c === 0x5c) { // \
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20) {
        this.#at = i;
        this.#fail("a control character inside a string");
      }
      i++;
    }
    if (i >= t.length) this.#fail("a string is not closed");
    this.#at = i + 1;
    if (!escaped) return t.slice(start + 1, i);
    try {
      return JSON.parse(t.slice(start, i + 1));
    } catch {
      this.#at = start;
      this.#fail("a string has an invalid escape");
    }
  }

  #number(): number {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.#at;
    const found = m.exec(this.text);
    if (found === null) this.#fail("an invalid number");
    this.#at += found[0].length;
    return Number(found[0]);
  }
}

/**
 * The canonical JSON text of a value: object keys sorted by UTF-16 code units, no whitespace,
 * strings escaped as `JSON.stringify` does. The same value always gives the same text, so the
 * bytes of a generated manifest (and its digest) never change. Refuses values JSON cannot hold
 * (`undefined` inside arrays, functions, non-finite numbers).
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./mod.ts";
 * console.assert(canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as JSON`);
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`Cannot write a ${typeof value} as JSON`);
  }
}
