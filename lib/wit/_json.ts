/**
 * The JSON form of a {@link Resolve} that wit-parser serializes (`wasm-tools component wit
 * --json`, the `.wit.json` files of its tests): same fields, same key order, ids as numbers,
 * interface keys of worlds as `interface-N`.
 */
import type {
  Function,
  Interface,
  Package,
  Resolve,
  Stability,
  Type,
  TypeDef,
  TypeDefKind,
  TypeOwner,
  World,
  WorldItem,
} from "./model.ts";
import { formatWitPackageName } from "./model.ts";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function docs(out: Record<string, Json>, d: string | undefined): void {
  if (d !== undefined) out.docs = { contents: d };
}

function stability(out: Record<string, Json>, s: Stability): void {
  if (s.kind === "stable") {
    const v: Record<string, Json> = { since: s.since };
    if (s.deprecated !== undefined) v.deprecated = s.deprecated;
    out.stability = { stable: v };
  } else if (s.kind === "unstable") {
    const v: Record<string, Json> = { feature: s.feature };
    if (s.deprecated !== undefined) v.deprecated = s.deprecated;
    out.stability = { unstable: v };
  }
}

function optType(t: Type | undefined): Json {
  return t === undefined ? null : t;
}

function kindJson(k: TypeDefKind): Json {
  switch (k.tag) {
    case "record":
      return {
        record: {
          fields: k.fields.map((f) => {
            const o: Record<string, Json> = { name: f.name, type: f.type };
            docs(o, f.docs);
            return o;
          }),
        },
      };
    case "resource":
      return "resource";
    case "handle":
      return { handle: { [k.handle]: k.resource } };
    case "flags":
      return {
        flags: {
          flags: k.flags.map((f) => {
            const o: Record<string, Json> = { name: f.name };
            docs(o, f.docs);
            return o;
          }),
        },
      };
    case "tuple":
      return { tuple: { types: k.types } };
    case "variant":
      return {
        variant: {
          cases: k.cases.map((c) => {
            const o: Record<string, Json> = { name: c.name, type: optType(c.type) };
            docs(o, c.docs);
            return o;
          }),
        },
      };
    case "enum":
      return {
        enum: {
          cases: k.cases.map((c) => {
            const o: Record<string, Json> = { name: c.name };
            docs(o, c.docs);
            return o;
          }),
        },
      };
    case "option":
      return { option: k.type };
    case "result":
      return { result: { ok: optType(k.ok), err: optType(k.err) } };
    case "list":
      return { list: k.element };
    case "map":
      return { map: [k.key, k.value] };
    case "fixed-length-list":
      return { "fixed-length-list": [k.element, k.length] };
    case "future":
      return { future: optType(k.type) };
    case "stream":
      return { stream: optType(k.type) };
    case "type":
      return { type: k.type };
    case "unknown":
      return "unknown";
  }
}

function ownerJson(o: TypeOwner): Json {
  if (o === null) return null;
  return "world" in o ? { world: o.world } : { interface: o.interface };
}

function typeJson(t: TypeDef): Json {
  const o: Record<string, Json> = {
    name: t.name ?? null,
    kind: kindJson(t.kind),
    owner: ownerJson(t.owner),
  };
  docs(o, t.docs);
  stability(o, t.stability);
  if (t.externalId !== undefined) o.external_id = t.externalId;
  return o;
}

function functionJson(f: Function): Json {
  let kind: Json;
  switch (f.kind.tag) {
    case "freestanding":
    case "async-freestanding":
      kind = f.kind.tag;
      break;
    default:
      kind = { [f.kind.tag]: f.kind.resource };
  }
  const o: Record<string, Json> = {
    name: f.name,
    kind,
    params: f.params.map((p): Json =>
      p.name === "" ? { type: p.type } : { name: p.name, type: p.type }
    ),
  };
  if (f.result !== undefined) o.result = f.result;
  docs(o, f.docs);
  stability(o, f.stability);
  if (f.externalId !== undefined) o.external_id = f.externalId;
  return o;
}

function worldItemJson(item: WorldItem): Json {
  switch (item.tag) {
    case "interface": {
      const o: Record<string, Json> = { id: item.id };
      stability(o, item.stability);
      if (item.externalId !== undefined) o.external_id = item.externalId;
      docs(o, item.docs);
      return { interface: o };
    }
    case "function":
      return { function: functionJson(item.func) };
    case "type":
      return { type: item.id };
  }
}

function worldJson(w: World): Json {
  const items = (m: World["imports"]) => {
    const o: Record<string, Json> = {};
    for (const [k, v] of m) o[typeof k === "number" ? `interface-${k}` : k] = worldItemJson(v);
    return o;
  };
  const o: Record<string, Json> = {
    name: w.name,
    imports: items(w.imports),
    exports: items(w.exports),
    package: w.package ?? null,
  };
  docs(o, w.docs);
  stability(o, w.stability);
  return o;
}

function interfaceJson(i: Interface): Json {
  const types: Record<string, Json> = {};
  for (const [k, v] of i.types) types[k] = v;
  const functions: Record<string, Json> = {};
  for (const [k, v] of i.functions) functions[k] = functionJson(v);
  const o: Record<string, Json> = { name: i.name ?? null, types, functions };
  docs(o, i.docs);
  stability(o, i.stability);
  o.package = i.package ?? null;
  if (i.cloneOf !== undefined) o.clone_of = i.cloneOf;
  return o;
}

function packageJson(p: Package): Json {
  const o: Record<string, Json> = { name: formatWitPackageName(p.name) };
  docs(o, p.docs);
  const interfaces: Record<string, Json> = {};
  for (const [k, v] of p.interfaces) interfaces[k] = v;
  const worlds: Record<string, Json> = {};
  for (const [k, v] of p.worlds) worlds[k] = v;
  o.interfaces = interfaces;
  o.worlds = worlds;
  return o;
}

/**
 * The JSON value wit-parser serializes for `resolve`.
 *
 * @example
 * ```ts
 * import { parseWit, witToJson } from "./mod.ts";
 * const json = witToJson(parseWit("package a:b; interface i {}").resolve) as { packages: { name: string }[] };
 * console.assert(json.packages[0].name === "a:b");
 * ```
 */
export function witToJson(resolve: Resolve): Json {
  return {
    worlds: resolve.worlds.map(worldJson),
    interfaces: resolve.interfaces.map(interfaceJson),
    types: resolve.types.map(typeJson),
    packages: resolve.packages.map(packageJson),
  };
}

/** {@link witToJson} as pretty-printed text (two-space indent), like `serde_json` writes it. */
export function formatWitJson(resolve: Resolve): string {
  return JSON.stringify(witToJson(resolve), null, 2);
}
