/**
 * Helpers to read and write the JSON formats: paths of values, checks of JSON types with errors
 * that name the path, and sorted records.
 */
import { NameError } from "../names/mod.ts";
import type { FormatErrorCode } from "./_errors.ts";

/** Throws the format's error class. */
export type Fail = (code: FormatErrorCode, path: string, detail: string) => never;

/** The path of a fixed field: `name`, `fills["x"].package`. */
export function field(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** The path of an entry of a record keyed by data: `dependencies["docs:processor"]`. */
export function entry(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The JSON type of a value, for messages ("an array", "a number"). */
export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  if (typeof v === "boolean") return "a boolean";
  return typeof v;
}

/** Parses JSON text, reporting a syntax error through `fail`. */
export function parseJson(text: string, what: string, fail: Fail): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail("invalid-json", "", `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export function expectObject(v: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    fail("invalid-type", path, `expected an object, found ${jsonType(v)}`);
  }
  return v as Record<string, unknown>;
}

export function expectString(v: unknown, path: string, fail: Fail): string {
  if (typeof v !== "string") fail("invalid-type", path, `expected a string, found ${jsonType(v)}`);
  return v as string;
}

/**
 * Refuses keys outside `allowed`, suggesting the closest allowed key for a likely typo, or the
 * key that `aliases` maps a known other spelling to.
 */
export function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  fail: Fail,
  aliases: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const near = Object.hasOwn(aliases, key)
      ? [aliases[key]]
      : allowed.filter((a) => distance(a, key) <= Math.max(1, Math.floor(a.length / 4)));
    const hint = near.length ? `; did you mean ${JSON.stringify(near[0])}?` : "";
    fail(
      "unknown-key",
      field(path, key),
      `unknown key ${JSON.stringify(key)} (known keys: ${allowed.join(", ")})${hint}`,
    );
  }
}

/** Runs a lib/names parser, turning its NameError into the format's error at `path`. */
export function parseName<T>(
  parse: (text: string) => T,
  text: string,
  path: string,
  fail: Fail,
): T {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof NameError) return fail("invalid-value", path, lowerFirst(e.message));
    throw e;
  }
}

const REGISTRY_NAME =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$/;

/**
 * Checks a registry as `wreg.json` and `wreg.lock` write it: a wreg registry's `http(s)://` URL,
 * an OCI registry `oci://host[:port]/prefix/`, or a wasm-pkg registry name `host[:port]` (found
 * through its `/.well-known/wasm-pkg/registry.json`; it needs a dot, a port or to be
 * `localhost`). Never with credentials.
 */
export function checkUrl(text: string, path: string, fail: Fail): string {
  if (
    REGISTRY_NAME.test(text) && (text.includes(".") || text.includes(":") || text === "localhost")
  ) {
    return text;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(
      "invalid-value",
      path,
      `invalid registry ${JSON.stringify(text)}: expected an http(s):// URL, ` +
        `oci://host[:port]/prefix/, or a registry name (host[:port])`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol !== "oci:") {
    fail("invalid-value", path, `registry URL ${JSON.stringify(text)} must use http, https or oci`);
  }
  if (url.username || url.password) {
    fail(
      "invalid-value",
      path,
      `registry URL ${JSON.stringify(text)} must not contain credentials (use "wreg login")`,
    );
  }
  if (url.protocol === "oci:" && (url.host === "" || url.search !== "" || url.hash !== "")) {
    fail(
      "invalid-value",
      path,
      `invalid OCI registry ${JSON.stringify(text)}: expected oci://host[:port]/prefix/`,
    );
  }
  return text;
}

/** A copy of a record with its keys in code-unit order (stable across machines and locales). */
export function sorted<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

export function lowerFirst(s: string): string {
  return s.length ? s[0].toLowerCase() + s.slice(1) : s;
}

/** Levenshtein distance (short keys only). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
