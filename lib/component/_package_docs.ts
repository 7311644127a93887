/**
 * The `package-docs` custom section of WIT package binaries: a version byte (0 or 1) and JSON
 * holding the docs and `@since`/`@unstable` gates that the binary format has no place for.
 */
import type {
  Function as WitFunction,
  InterfaceId,
  PackageId,
  Resolve,
  Stability,
  TypeId,
  WorldId,
} from "../wit/mod.ts";
import { ComponentDecodeError } from "./_error.ts";

/** The section's name. */
export const PACKAGE_DOCS_SECTION = "package-docs";

type Json = Record<string, unknown>;

/** The parsed JSON of the section. */
export interface PackageDocs {
  docs?: string;
  worlds?: Record<string, Json>;
  interfaces?: Record<string, Json>;
}

/** Parses the section payload; throws `invalid-component` on an unknown version or bad JSON. */
export function decodePackageDocs(data: Uint8Array, offset: number): PackageDocs {
  const v = data[0];
  if (v !== 0 && v !== 1) {
    throw new ComponentDecodeError(
      "invalid-component",
      `expected package-docs version 1, got ${v}`,
      offset,
    );
  }
  try {
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(1)));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("not an object");
    }
    return parsed as PackageDocs;
  } catch (e) {
    throw new ComponentDecodeError(
      "invalid-component",
      `invalid package-docs section: ${e instanceof Error ? e.message : String(e)}`,
      offset,
    );
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function obj(v: unknown): Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Record<string, Json> : {};
}

/** Reads a serde-encoded stability (`{"stable": {"since": …}}`, `{"unstable": {"feature": …}}`). */
export function stabilityFromJson(v: unknown): Stability {
  const o = obj(v) as Json;
  const stable = o.stable as Json | undefined;
  if (stable && typeof stable === "object") {
    const s: Stability = { kind: "stable", since: str(stable.since) ?? "0.0.0" };
    const d = str(stable.deprecated);
    return d === undefined ? s : { ...s, deprecated: d };
  }
  const unstable = o.unstable as Json | undefined;
  if (unstable && typeof unstable === "object") {
    const s: Stability = { kind: "unstable", feature: str(unstable.feature) ?? "" };
    const d = str(unstable.deprecated);
    return d === undefined ? s : { ...s, deprecated: d };
  }
  return { kind: "unknown" };
}

/** Writes a stability in the serde form, or `undefined` when unknown. */
export function stabilityToJson(s: Stability): Json | undefined {
  if (s.kind === "stable") {
    const inner: Json = { since: s.since };
    if (s.deprecated !== undefined) inner.deprecated = s.deprecated;
    return { stable: inner };
  }
  if (s.kind === "unstable") {
    const inner: Json = { feature: s.feature };
    if (s.deprecated !== undefined) inner.deprecated = s.deprecated;
    return { unstable: inner };
  }
  return undefined;
}

function fail(reason: string): never {
  throw new ComponentDecodeError("invalid-component", `invalid package-docs section: ${reason}`, 0);
}

/** Applies the section to package `pkg` of `resolve`. */
export function injectDocs(resolve: Resolve, pkg: PackageId, docs: PackageDocs): void {
  const p = resolve.packages[pkg];
  for (const [name, data] of Object.entries(obj(docs.worlds))) {
    const id = p.worlds.get(name);
    if (id === undefined) fail(`missing world ${JSON.stringify(name)}`);
    injectWorld(resolve, id, data);
  }
  for (const [name, data] of Object.entries(obj(docs.interfaces))) {
    const id = p.interfaces.get(name);
    if (id === undefined) fail(`missing interface ${JSON.stringify(name)}`);
    injectInterface(resolve, id, data);
  }
  const d = str(docs.docs);
  if (d !== undefined) p.docs = d;
}

function injectInterface(resolve: Resolve, id: InterfaceId, data: Json): void {
  const iface = resolve.interfaces[id];
  for (const [name, t] of Object.entries(obj(data.types))) {
    const tid = iface.types.get(name);
    if (tid === undefined) fail(`missing type ${JSON.stringify(name)}`);
    injectType(resolve, tid, t);
  }
  for (const [name, f] of Object.entries(obj(data.funcs))) {
    const func = iface.functions.get(name);
    if (func === undefined) fail(`missing func ${JSON.stringify(name)}`);
    injectFunc(func, f);
  }
  const d = str(data.docs);
  if (d !== undefined) iface.docs = d;
  iface.stability = stabilityFromJson(data.stability);
}

function injectFunc(f: WitFunction, data: unknown): void {
  if (typeof data === "string" || data === null) {
    if (typeof data === "string") f.docs = data;
    return;
  }
  const o = obj(data) as Json;
  const d = str(o.docs);
  if (d !== undefined) f.docs = d;
  f.stability = stabilityFromJson(o.stability);
}

function injectType(resolve: Resolve, id: TypeId, data: Json): void {
  const t = resolve.types[id];
  const items = obj(data.items) as Record<string, unknown>;
  const entries = Object.entries(items);
  if (entries.length > 0) {
    const k = t.kind;
    const list: { name: string; docs?: string }[] = k.tag === "record"
      ? k.fields
      : k.tag === "flags"
      ? k.flags
      : k.tag === "variant" || k.tag === "enum"
      ? k.cases
      : fail(`got 'items' for a type without items`);
    let used = 0;
    for (const item of list) {
      const d = str(items[item.name]);
      if (d !== undefined) {
        item.docs = d;
        used++;
      }
    }
    if (used !== entries.length) fail("not all 'items' match type items");
  }
  const d = str(data.docs);
  if (d !== undefined) t.docs = d;
  t.stability = stabilityFromJson(data.stability);
}

function injectWorld(resolve: Resolve, id: WorldId, data: Json): void {
  const world = resolve.worlds[id];
  const named = (m: unknown, exportsOnly: boolean) => {
    for (const [name, d] of Object.entries(obj(m))) {
      const item = exportsOnly
        ? world.exports.get(name)
        : world.imports.get(name) ?? world.exports.get(name);
      if (item === undefined || item.tag !== "interface") {
        fail(`missing interface ${JSON.stringify(name)}`);
      }
      item.stability = stabilityFromJson((d as Json).stability);
      injectInterface(resolve, item.id, d as Json);
    }
  };
  named(data.interfaces, false);
  named(data.interface_exports, true);
  for (const [name, d] of Object.entries(obj(data.types))) {
    const item = world.imports.get(name);
    if (item === undefined || item.tag !== "type") fail(`missing type ${JSON.stringify(name)}`);
    injectType(resolve, item.id, d as Json);
  }
  const byName = (import_: boolean) => {
    const m = new Map<string, ReturnType<typeof world.imports.get>>();
    for (const [k, item] of import_ ? world.imports : world.exports) {
      if (item.tag !== "interface") continue;
      const key = typeof k === "number" ? interfaceKey(resolve, k) : k;
      m.set(key, item);
    }
    return m;
  };
  for (
    const [field, isImport] of [["interface_import_stability", true], [
      "interface_export_stability",
      false,
    ]] as const
  ) {
    const m = byName(isImport);
    for (const [name, s] of Object.entries(obj(data[field]))) {
      const item = m.get(name);
      if (item === undefined || item.tag !== "interface") fail(`missing interface \`${name}\``);
      item.stability = stabilityFromJson(s);
    }
  }
  const funcs = (m: unknown, exportsOnly: boolean) => {
    for (const [name, d] of Object.entries(obj(m))) {
      const item = exportsOnly
        ? world.exports.get(name)
        : world.imports.get(name) ?? world.exports.get(name);
      if (item === undefined || item.tag !== "function") {
        fail(`missing func ${JSON.stringify(name)}`);
      }
      injectFunc(item.func, d);
    }
  };
  funcs(data.funcs, false);
  funcs(data.func_exports, true);
  const d = str(data.docs);
  if (d !== undefined) world.docs = d;
  world.stability = stabilityFromJson(data.stability);
}

function interfaceKey(resolve: Resolve, id: InterfaceId): string {
  const iface = resolve.interfaces[id];
  if (iface.name === undefined || iface.package === undefined) return `interface-${id}`;
  const n = resolve.packages[iface.package].name;
  const base = `${n.namespace}:${n.name}/${iface.name}`;
  return n.version === undefined ? base : `${base}@${n.version}`;
}

// -----------------------------------------------------------------------------------------------
// Extraction (for the encoder)

function isUnknown(s: Stability): boolean {
  return s.kind === "unknown";
}

function setIf(o: Json, k: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) {
    return;
  }
  o[k] = v;
}

function typeMeta(resolve: Resolve, id: TypeId): Json {
  const t = resolve.types[id];
  const out: Json = {};
  setIf(out, "docs", t.docs);
  setIf(out, "stability", stabilityToJson(t.stability));
  const k = t.kind;
  const list: { name: string; docs?: string }[] = k.tag === "record"
    ? k.fields
    : k.tag === "flags"
    ? k.flags
    : k.tag === "variant" || k.tag === "enum"
    ? k.cases
    : [];
  const items: Json = {};
  for (const i of list) if (i.docs !== undefined) items[i.name] = i.docs;
  setIf(out, "items", items);
  return out;
}

function funcMeta(f: WitFunction): Json {
  const out: Json = {};
  setIf(out, "docs", f.docs);
  setIf(out, "stability", stabilityToJson(f.stability));
  return out;
}

function interfaceMeta(resolve: Resolve, id: InterfaceId): Json {
  const iface = resolve.interfaces[id];
  const out: Json = {};
  setIf(out, "docs", iface.docs);
  setIf(out, "stability", stabilityToJson(iface.stability));
  const funcs: Json = {};
  for (const [name, f] of iface.functions) {
    const m = funcMeta(f);
    if (Object.keys(m).length > 0) funcs[name] = m;
  }
  setIf(out, "funcs", funcs);
  const types: Json = {};
  for (const [name, tid] of iface.types) {
    const m = typeMeta(resolve, tid);
    if (Object.keys(m).length > 0) types[name] = m;
  }
  setIf(out, "types", types);
  return out;
}

function worldMeta(resolve: Resolve, id: WorldId): Json {
  const world = resolve.worlds[id];
  const interfaces: Json = {},
    interfaceExports: Json = {},
    types: Json = {},
    funcs: Json = {},
    funcExports: Json = {};
  const importStab: Json = {}, exportStab: Json = {};
  for (const [isImport, m] of [[true, world.imports], [false, world.exports]] as const) {
    for (const [key, item] of m) {
      if (typeof key === "string") {
        if (item.tag === "interface") {
          if (resolve.interfaces[item.id].name !== undefined) {
            const s = stabilityToJson(item.stability);
            if (s !== undefined) (isImport ? importStab : exportStab)[key] = s;
            continue;
          }
          const data = interfaceMeta(resolve, item.id);
          const s = stabilityToJson(item.stability);
          if (s !== undefined) data.stability = s;
          if (Object.keys(data).length === 0) continue;
          (isImport ? interfaces : interfaceExports)[key] = data;
        } else if (item.tag === "type") {
          const data = typeMeta(resolve, item.id);
          if (Object.keys(data).length > 0) types[key] = data;
        } else {
          const data = funcMeta(item.func);
          if (Object.keys(data).length === 0) continue;
          (isImport ? funcs : funcExports)[key] = data;
        }
      } else if (item.tag === "interface") {
        const s = stabilityToJson(item.stability);
        if (s !== undefined) (isImport ? importStab : exportStab)[interfaceKey(resolve, key)] = s;
      }
    }
  }
  const out: Json = {};
  setIf(out, "docs", world.docs);
  setIf(out, "stability", stabilityToJson(world.stability));
  setIf(out, "interfaces", interfaces);
  setIf(out, "types", types);
  setIf(out, "funcs", funcs);
  setIf(out, "interface_exports", interfaceExports);
  setIf(out, "func_exports", funcExports);
  setIf(out, "interface_import_stability", importStab);
  setIf(out, "interface_export_stability", exportStab);
  return out;
}

/** The section payload for package `pkg` (version byte 1 and JSON). */
export function encodePackageDocs(resolve: Resolve, pkg: PackageId): Uint8Array {
  const p = resolve.packages[pkg];
  const out: Json = {};
  setIf(out, "docs", p.docs);
  const worlds: Json = {};
  for (const [name, id] of p.worlds) {
    const m = worldMeta(resolve, id);
    if (Object.keys(m).length > 0) worlds[name] = m;
  }
  setIf(out, "worlds", worlds);
  const interfaces: Json = {};
  for (const [name, id] of p.interfaces) {
    const m = interfaceMeta(resolve, id);
    if (Object.keys(m).length > 0) interfaces[name] = m;
  }
  setIf(out, "interfaces", interfaces);
  const json = new TextEncoder().encode(JSON.stringify(out));
  const bytes = new Uint8Array(json.length + 1);
  bytes[0] = 1;
  bytes.set(json, 1);
  return bytes;
}

export { isUnknown };
