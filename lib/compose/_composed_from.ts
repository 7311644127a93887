/**
 * The `wreg:composed-from` custom section: what a composed component was made of, so a registry
 * (or `wreg inspect`) can show "composed from" without unpacking it.
 *
 * Format: a custom section named `wreg:composed-from` at the top level of the composed component,
 * whose payload is UTF-8 JSON (no byte-order mark, no trailing newline), written with keys in
 * the order shown and no insignificant whitespace:
 *
 * ```json
 * {"format":1,
 *  "components":[{"package":"docs:scrubber","version":"0.1.0","digest":"sha256:…"}, …],
 *  "fills":[{"into":0,"import":"docs:processor/logger@0.1.0","by":1,
 *            "export":"docs:processor/logger@0.1.0"}, …]}
 * ```
 *
 * - `format`: 1. A reader refuses other values.
 * - `components`: every component embedded in the result, once each, in the order they are
 *   embedded; `package` and `version` are `null` when the composer was not told them.
 * - `fills`: every import of an embedded component's instance that another instance fills, in
 *   the order the instances are created and, per instance, in its import order. `into` and `by`
 *   are indexes into `components` (the instance whose import is filled, the instance that fills
 *   it); `export` is the export of `by` that fills it, or `null` when the whole instance does.
 *   Imports left to the host are not listed: they are the imports of the composed component.
 */
import { DEFAULT_LIMITS, walkSections } from "../component/mod.ts";
import { type Digest, tryParseDigest } from "../names/mod.ts";
import { ComposeError } from "./_error.ts";

/** The custom section's name. */
export const COMPOSED_FROM_SECTION = "wreg:composed-from";

/** A component embedded in a composition. */
export interface ComposedComponent {
  package: string | null;
  version: string | null;
  digest: Digest;
}

/** One filled import. */
export interface ComposedFill {
  /** Index in {@link ComposedFrom.components} of the component whose import is filled. */
  into: number;
  /** The import's name. */
  import: string;
  /** Index in {@link ComposedFrom.components} of the component that fills it. */
  by: number;
  /** Its export that fills the import; `null` when the whole instance does. */
  export: string | null;
}

/** What the `wreg:composed-from` section records. */
export interface ComposedFrom {
  format: 1;
  components: ComposedComponent[];
  fills: ComposedFill[];
}

/** The section payload for `record` (deterministic: fixed key order, no whitespace). */
export function encodeComposedFrom(record: ComposedFrom): Uint8Array {
  const text = JSON.stringify({
    format: 1,
    components: record.components.map((c) => ({
      package: c.package,
      version: c.version,
      digest: c.digest,
    })),
    fills: record.fills.map((f) => ({
      into: f.into,
      import: f.import,
      by: f.by,
      export: f.export,
    })),
  });
  return ENCODER.encode(text);
}

const ENCODER = new TextEncoder();

function bad(why: string): never {
  throw new ComposeError("invalid-composed-from", `the ${COMPOSED_FROM_SECTION} section ${why}`);
}

function str(v: unknown, what: string, nullable: true): string | null;
function str(v: unknown, what: string, nullable: false): string;
function str(v: unknown, what: string, nullable: boolean): string | null {
  if (v === null && nullable) return null;
  if (typeof v !== "string") bad(`has a ${what} that is not a string`);
  return v;
}

function index(v: unknown, n: number, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= n) {
    bad(`has a ${what} that is not an index of "components"`);
  }
  return v;
}

/**
 * Parses a `wreg:composed-from` payload.
 *
 * @throws {ComposeError} `invalid-composed-from` when it is not the format above.
 */
export function parseComposedFrom(payload: Uint8Array): ComposedFrom {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    bad("is not UTF-8 JSON");
  }
  if (typeof value !== "object" || value === null) bad("is not a JSON object");
  const o = value as Record<string, unknown>;
  if (o.format !== 1) bad(`has format ${JSON.stringify(o.format)}; this wreg reads format 1`);
  if (!Array.isArray(o.components) || !Array.isArray(o.fills)) {
    bad('lacks "components" or "fills"');
  }
  const components = o.components.map((c: unknown): ComposedComponent => {
    if (typeof c !== "object" || c === null) bad("has a component that is not an object");
    const r = c as Record<string, unknown>;
    const digest = tryParseDigest(str(r.digest, "digest", false));
    if (digest === undefined) bad("has a component digest that is not a sha256: digest");
    return {
      package: str(r.package, "package", true),
      version: str(r.version, "version", true),
      digest,
    };
  });
  const n = components.length;
  const fills = o.fills.map((f: unknown): ComposedFill => {
    if (typeof f !== "object" || f === null) bad("has a fill that is not an object");
    const r = f as Record<string, unknown>;
    return {
      into: index(r.into, n, "fill's into"),
      import: str(r.import, "fill's import", false),
      by: index(r.by, n, "fill's by"),
      export: str(r.export, "fill's export", true),
    };
  });
  return { format: 1, components, fills };
}

const NAME = new TextEncoder().encode(COMPOSED_FROM_SECTION);

/**
 * Reads the `wreg:composed-from` section of a component (top level only); `undefined` when it
 * has none.
 *
 * @throws {ComposeError} `invalid-composed-from` when the section is malformed, or the bytes
 *   are not a component.
 */
export function decodeComposedFrom(component: Uint8Array): ComposedFrom | undefined {
  try {
    for (const s of walkSections(component, DEFAULT_LIMITS)) {
      if (s.id !== 0) continue;
      let at = s.contents.start;
      let len = 0, shift = 0, b: number;
      do {
        b = component[at++];
        len |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80 && shift < 35);
      if (len !== NAME.length || at + len > s.contents.end) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (component[at + i] !== NAME[i]) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      return parseComposedFrom(component.subarray(at + len, s.contents.end));
    }
  } catch (e) {
    if (e instanceof ComposeError) throw e;
    bad(`cannot be read: ${(e as Error).message}`);
  }
  return undefined;
}
