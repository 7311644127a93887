/**
 * What the registry derives from a version's bytes at publish time: the version document (the
 * JSON the read API, the CLI and the web index show), the package's description, its
 * dependencies, and its rows in the search index. Pure: decoded bytes in, plain data out.
 */
import { DEFAULT_LIMITS, type Metadata, walkSections } from "../lib/component/mod.ts";
import {
  dependencyRanges as witDependencyRanges,
  type InterfaceId,
  interfaceIdOf,
  packageDependencies,
  type PackageDependency,
  type PackageId,
  printWit,
  printWitPackage,
  type Resolve,
  type WorldId,
  type WorldItem,
  worldKeyName,
} from "../lib/wit/mod.ts";
import {
  type Digest,
  formatPackageName,
  isLabel,
  type PackageName,
  tryParseVersion,
  type Version,
} from "../lib/names/mod.ts";
import type { JsonObject, PackageKind, SearchRowInput } from "../storage/mod.ts";
import { printFunction } from "../lib/compat/mod.ts";
import {
  COMPOSED_FROM_SECTION,
  type ComposedFrom,
  decodeComposedFrom,
} from "../lib/compose/mod.ts";
import type { CompatReport } from "./_compat.ts";
import type { Decoded } from "./_decoder.ts";

/** The version of the document format; bumped when a field changes meaning. */
export const DOCUMENT_SCHEMA = 1;

/** Longest package description kept (the storage layer's limit). */
const MAX_DESCRIPTION = 4096;

/** A package a version depends on: a package its WIT or its world names (lib/wit). */
export type DependencyDoc = PackageDependency;

/** One import or export of a world. */
export interface ItemDoc {
  /** The extern name: `docs:processor/logger@0.1.0`, or a plain name (`process`). */
  name: string;
  /** What it is. */
  kind: "interface" | "function" | "type";
  /** For a named interface: its package (`docs:processor`), name and version. */
  interface?: { package: string; name: string; version: string | null };
  /** For a function: its signature as WIT (`process: func(doc: string) -> string`). */
  signature?: string;
  /** The item's doc comment. */
  docs?: string;
}

/** A world: what a component imports and exports. */
export interface WorldDoc {
  /** The world's name (`root` for a component's own world). */
  name: string;
  /** `ns:pkg/world@version` for a world of a WIT package; `null` for a component's world. */
  id: string | null;
  /** Its doc comment. */
  docs?: string;
  imports: ItemDoc[];
  exports: ItemDoc[];
}

/** An interface of a WIT package. */
export interface InterfaceDoc {
  /** The interface's name. */
  name: string;
  /** `ns:pkg/name@version`. */
  id: string;
  /** Its doc comment. */
  docs?: string;
  /** Its functions with their signatures. */
  functions: { name: string; signature: string; docs?: string }[];
  /** Its types with what they are (`record`, `enum`, `resource`…). */
  types: { name: string; kind: string; docs?: string }[];
}

/** The compatibility report of a version against the version before it. */
export interface CompatDoc extends CompatReport {
  /** The version compared with. */
  against: string;
}

/**
 * The version document: everything the API and the web index show about one version, derived
 * from its bytes once, at publish time.
 */
export interface VersionDocument {
  schema: number;
  /** `namespace:name`. */
  package: string;
  version: string;
  kind: PackageKind;
  digest: string;
  size: number;
  /** The description given by the bytes (wasm-metadata, or the WIT package's doc comment). */
  description: string | null;
  /** The WIT: the package itself, or the component's world with the packages it uses. */
  wit: string;
  /** A WIT package's worlds, or the component's one world. */
  worlds: WorldDoc[];
  /** A WIT package's interfaces (empty for a component). */
  interfaces: InterfaceDoc[];
  /** The packages this version names, sorted. */
  dependencies: DependencyDoc[];
  /** The report against the highest lower version, or `null` for the first version. */
  compat: CompatDoc | null;
  /** The custom-section metadata (producers, licenses, source, homepage, authors…). */
  metadata: JsonObject;
  /**
   * For a composed component: its `wreg:composed-from` record (lib/compose), what it was made
   * of and which component fills which import. Absent otherwise.
   */
  composedFrom?: ComposedFrom;
}

/** Everything derived at publish time. */
export interface Derived {
  document: VersionDocument;
  /** The description for the package row (from the bytes; empty when none). */
  description: string;
  /** The version's rows in the search index. */
  searchRows: SearchRowInput[];
}

/** What {@link deriveDocument} needs besides the decoded bytes. */
export interface DeriveInput {
  name: PackageName;
  version: Version;
  digest: Digest;
  size: number;
  decoded: Decoded;
  compat: CompatDoc | null;
  /** The component's `wreg:composed-from` record ({@link readComposedFrom}), when it has one. */
  composedFrom?: ComposedFrom;
}

/** Derives the version document, description and search rows of a decoded component or WIT package. */
export function deriveDocument(input: DeriveInput): Derived {
  const { decoded } = input;
  const r = decoded.resolve;
  const kind: PackageKind = decoded.kind === "wit-package" ? "wit-package" : "component";
  const main = decoded.package!;
  const worlds: WorldDoc[] = [];
  const interfaces: InterfaceDoc[] = [];
  let wit: string;
  if (kind === "wit-package") {
    const pkg = r.packages[main];
    for (const [, id] of pkg.interfaces) interfaces.push(interfaceDoc(r, id));
    for (const [, id] of pkg.worlds) worlds.push(worldDoc(r, id, true));
    wit = printWitPackage(r, main);
  } else {
    worlds.push(worldDoc(r, decoded.world!, false));
    wit = printWit(r, { main });
  }
  const dependencies = packageDependencies(r, main);
  const description = descriptionOf(decoded, kind, main);
  const document: VersionDocument = {
    schema: DOCUMENT_SCHEMA,
    package: formatPackageName(input.name),
    version: input.version,
    kind,
    digest: input.digest,
    size: input.size,
    description: description === "" ? null : description,
    wit,
    worlds,
    interfaces,
    dependencies,
    compat: input.compat,
    metadata: metadataDoc(decoded.metadata),
  };
  if (kind === "component" && input.composedFrom !== undefined) {
    document.composedFrom = input.composedFrom;
  }
  return { document, description, searchRows: searchRowsOf(r, kind, main, decoded, dependencies) };
}

/**
 * The `wreg:composed-from` record of a component's bytes (a walk over its top-level sections),
 * or `undefined` when it has none or a malformed one (the record only informs the web index).
 */
export function readComposedFrom(bytes: Uint8Array): ComposedFrom | undefined {
  try {
    return decodeComposedFrom(bytes);
  } catch {
    return undefined;
  }
}

/** What a decoder worker needs to derive a version's document beside the decode. */
export interface DeriveRequest {
  name: PackageName;
  version: Version;
  /** The digest the publisher declared (the blob store refuses bytes that hash otherwise). */
  digest: Digest;
  /** The limit of the version document, checked before the main thread sees it. */
  maxDocumentBytes: number;
}

/**
 * What a decoder worker derived: the document without the compatibility report (the main thread
 * adds it under the package's lock) and its serialized size; or only the size of what is too
 * large, so that the main thread never parses, builds or serializes it (issue 17 #7).
 */
export type PreDerived =
  | (Derived & { documentBytes: number; tooLarge?: undefined })
  | { tooLarge: number; part: "wreg:composed-from section" | "version document" };

/**
 * Derives a version's document in the decoder's thread: the `wreg:composed-from` section's size
 * is checked before its JSON is parsed, and the document's size before it is handed over.
 */
export function preDerive(decoded: Decoded, bytes: Uint8Array, req: DeriveRequest): PreDerived {
  let composedFrom: ComposedFrom | undefined;
  if (decoded.kind === "component") {
    const raw = customSectionSize(bytes, COMPOSED_FROM_SECTION);
    if (raw !== undefined && raw > req.maxDocumentBytes) {
      return { tooLarge: raw, part: "wreg:composed-from section" };
    }
    if (raw !== undefined) composedFrom = readComposedFrom(bytes);
  }
  const derived = deriveDocument({
    name: req.name,
    version: req.version,
    digest: req.digest,
    size: bytes.length,
    decoded,
    compat: null,
    composedFrom,
  });
  const documentBytes = JSON.stringify(derived.document).length;
  if (documentBytes > req.maxDocumentBytes) {
    return { tooLarge: documentBytes, part: "version document" };
  }
  return { ...derived, documentBytes };
}

/** The payload size of the first top-level custom section named `name`, or `undefined`. */
function customSectionSize(bytes: Uint8Array, name: string): number | undefined {
  const want = new TextEncoder().encode(name);
  for (const s of walkSections(bytes, DEFAULT_LIMITS)) {
    if (s.id !== 0) continue;
    let at = s.contents.start;
    let len = 0, shift = 0, b: number;
    do {
      b = bytes[at++];
      len |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 35);
    const name = at;
    if (len !== want.length || name + len > s.contents.end) continue;
    if (want.every((c, i) => bytes[name + i] === c)) return s.contents.end - (name + len);
  }
  return undefined;
}

/** The dependencies of a version as the CLI's resolver reads them (lib/wit). */
export const dependencyRanges = witDependencyRanges;

// ---------------------------------------------------------------------------------------------

function descriptionOf(decoded: Decoded, kind: PackageKind, main: PackageId): string {
  const text = decoded.metadata.description ??
    (kind === "wit-package" ? decoded.resolve.packages[main].docs : undefined) ?? "";
  const trimmed = text.trim();
  return trimmed.length > MAX_DESCRIPTION ? trimmed.slice(0, MAX_DESCRIPTION) : trimmed;
}

function metadataDoc(m: Metadata): JsonObject {
  const out: JsonObject = {};
  for (
    const key of [
      "name",
      "description",
      "licenses",
      "source",
      "homepage",
      "version",
      "authors",
      "revision",
    ] as const
  ) {
    const v = m[key];
    if (typeof v === "string") out[key] = v;
  }
  if (m.producers !== undefined) {
    const producers: JsonObject = {};
    for (const [field, tools] of Object.entries(m.producers)) {
      producers[field] = tools.map((t) => ({ name: t.name, version: t.version }));
    }
    out.producers = producers;
  }
  return out;
}

function itemDoc(r: Resolve, key: string | number, item: WorldItem): ItemDoc {
  const name = worldKeyName(r, key);
  if (item.tag === "interface") {
    const doc: ItemDoc = { name, kind: "interface" };
    const iface = r.interfaces[item.id];
    if (iface.name !== undefined && iface.package !== undefined) {
      const p = r.packages[iface.package].name;
      doc.interface = {
        package: `${p.namespace}:${p.name}`,
        name: iface.name,
        version: p.version ?? null,
      };
    }
    const docs = item.docs ?? iface.docs;
    if (docs !== undefined) doc.docs = docs;
    return doc;
  }
  if (item.tag === "function") {
    const doc: ItemDoc = { name, kind: "function", signature: printFunction(r, item.func) };
    if (item.func.docs !== undefined) doc.docs = item.func.docs;
    return doc;
  }
  const doc: ItemDoc = { name, kind: "type" };
  const docs = r.types[item.id].docs;
  if (docs !== undefined) doc.docs = docs;
  return doc;
}

function worldDoc(r: Resolve, id: WorldId, named: boolean): WorldDoc {
  const w = r.worlds[id];
  const pkg = w.package === undefined ? undefined : r.packages[w.package].name;
  const worldId = named && pkg !== undefined
    ? `${pkg.namespace}:${pkg.name}/${w.name}${pkg.version === undefined ? "" : `@${pkg.version}`}`
    : null;
  const doc: WorldDoc = {
    name: w.name,
    id: worldId,
    imports: [...w.imports].map(([k, v]) => itemDoc(r, k, v)),
    exports: [...w.exports].map(([k, v]) => itemDoc(r, k, v)),
  };
  if (w.docs !== undefined) doc.docs = w.docs;
  return doc;
}

function interfaceDoc(r: Resolve, id: InterfaceId): InterfaceDoc {
  const iface = r.interfaces[id];
  const doc: InterfaceDoc = {
    name: iface.name!,
    id: interfaceIdOf(r, id)!,
    functions: [...iface.functions].map(([name, f]) => {
      const out: { name: string; signature: string; docs?: string } = {
        name,
        signature: printFunction(r, f),
      };
      if (f.docs !== undefined) out.docs = f.docs;
      return out;
    }),
    types: [...iface.types].map(([name, t]) => {
      const def = r.types[t];
      const out: { name: string; kind: string; docs?: string } = {
        name,
        kind: def.kind.tag === "type" ? "alias" : def.kind.tag,
      };
      if (def.docs !== undefined) out.docs = def.docs;
      return out;
    }),
  };
  if (iface.docs !== undefined) doc.docs = iface.docs;
  return doc;
}

function searchRowsOf(
  r: Resolve,
  kind: PackageKind,
  main: PackageId,
  decoded: Decoded,
  dependencies: readonly DependencyDoc[],
): SearchRowInput[] {
  const rows: SearchRowInput[] = [];
  const target = (pkgId: PackageId, name: string | null) => {
    const p = r.packages[pkgId].name;
    return {
      namespace: p.namespace,
      package: p.name,
      name,
      version: p.version === undefined ? null : tryParseVersion(p.version) ?? null,
    };
  };
  const ok = (t: { namespace: string; package: string; name: string | null }) =>
    isLabel(t.namespace) && isLabel(t.package) && (t.name === null || isLabel(t.name));
  if (kind === "wit-package") {
    const pkg = r.packages[main];
    for (const name of [...pkg.interfaces.keys(), ...pkg.worlds.keys()]) {
      const t = target(main, name);
      if (ok(t)) rows.push({ relation: "defines", ...t });
    }
  } else {
    const w = r.worlds[decoded.world!];
    for (const [relation, items] of [["imports", w.imports], ["exports", w.exports]] as const) {
      for (const [key, item] of items) {
        if (typeof key !== "number" || item.tag !== "interface") continue;
        const iface = r.interfaces[key];
        if (iface.name === undefined || iface.package === undefined) continue;
        const t = target(iface.package, iface.name);
        if (ok(t)) rows.push({ relation, ...t });
      }
    }
  }
  for (const d of dependencies) {
    const [namespace, pkg] = d.package.split(":");
    const version = d.version === null ? null : tryParseVersion(d.version) ?? null;
    rows.push({ relation: "depends-on", namespace, package: pkg, name: null, version });
  }
  return rows;
}
