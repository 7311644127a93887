/**
 * Metadata carried in custom sections: the `producers` section, the component `name` section
 * (`component-name`) and the core `name` section's module name, and wasm-metadata's registry
 * sections (`description`, `licenses`, `source`, `homepage`, `version`, `authors`, `revision`,
 * `.dep-v0`). Custom sections need not be valid: a malformed one is reported as absent.
 */
import type { CustomSection, Sort } from "./_ast.ts";
import { DEFAULT_LIMITS } from "./_limits.ts";
import { readSort } from "./_parse_types.ts";
import { Reader } from "./_reader.ts";

/** The `producers` section: field (`language`, `processed-by`, `sdk`) → tool → version. */
export type Producers = Record<string, { name: string; version: string }[]>;

/** What the custom sections of one component or module say. */
export interface Metadata {
  /** From the `component-name` (or core `name`) section. */
  name?: string;
  /** The `producers` section. */
  producers?: Producers;
  /** The `description` section. */
  description?: string;
  /** The `licenses` section (an SPDX expression). */
  licenses?: string;
  /** The `source` section (a URL). */
  source?: string;
  /** The `homepage` section (a URL). */
  homepage?: string;
  /** The `version` section. */
  version?: string;
  /** The `authors` section. */
  authors?: string;
  /** The `revision` section (a VCS revision). */
  revision?: string;
  /** The JSON of a `.dep-v0` section (dependencies of the build), as text. */
  dependencies?: string;
  /** Names given to items by the component name section, by sort and index. */
  itemNames?: Partial<Record<Sort, Record<number, string>>>;
}

const TEXT_SECTIONS = [
  "description",
  "licenses",
  "source",
  "homepage",
  "version",
  "authors",
  "revision",
] as const;

/** Reads the metadata sections among `customs` (others are ignored). */
export function readMetadata(
  bytes: Uint8Array,
  customs: CustomSection[],
  layer: "component" | "module",
): Metadata {
  const out: Metadata = {};
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  for (const c of customs) {
    const data = bytes.subarray(c.data.start, c.data.end);
    try {
      if (c.name === "producers") out.producers = readProducers(bytes, c);
      else if (c.name === "component-name" && layer === "component") {
        readComponentNames(bytes, c, out);
      } else if (c.name === "name" && layer === "module") readModuleName(bytes, c, out);
      else if (c.name === ".dep-v0") out.dependencies = utf8.decode(data);
      else if ((TEXT_SECTIONS as readonly string[]).includes(c.name)) {
        (out as Record<string, string>)[c.name] = utf8.decode(data);
      }
    } catch {
      // Custom sections are allowed to be malformed; treat this one as absent.
    }
  }
  return out;
}

function reader(bytes: Uint8Array, c: CustomSection): Reader {
  return new Reader(bytes, DEFAULT_LIMITS, c.data.start, c.data.end);
}

function readProducers(bytes: Uint8Array, c: CustomSection): Producers {
  const r = reader(bytes, c);
  const out: Producers = {};
  const nf = r.count("producers field", 2);
  for (let i = 0; i < nf; i++) {
    const field = r.name();
    const nv = r.count("producer", 2);
    const list: { name: string; version: string }[] = [];
    for (let j = 0; j < nv; j++) list.push({ name: r.name(), version: r.name() });
    out[field] = list;
  }
  r.expectEnd("producers section");
  return out;
}

function readComponentNames(bytes: Uint8Array, c: CustomSection, out: Metadata): void {
  const r = reader(bytes, c);
  while (!r.eof()) {
    const id = r.u8();
    const size = r.u32();
    const sub = r.sub(size);
    r.skip(size);
    if (id === 0) out.name = sub.name();
    else if (id === 1) {
      const sort = readSort(sub);
      const n = sub.count("name", 2);
      const names: Record<number, string> = {};
      for (let i = 0; i < n; i++) {
        const idx = sub.u32();
        names[idx] = sub.name();
      }
      (out.itemNames ??= {})[sort] = names;
    }
  }
}

function readModuleName(bytes: Uint8Array, c: CustomSection, out: Metadata): void {
  const r = reader(bytes, c);
  while (!r.eof()) {
    const id = r.u8();
    const size = r.u32();
    const sub = r.sub(size);
    r.skip(size);
    if (id === 0) {
      out.name = sub.name();
      return;
    }
  }
}
