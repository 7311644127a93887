/**
 * Test support for lib/component: the corpus, a reader of wit-parser's JSON form (what the native
 * wasm-tools CLI prints; run it with tests/support/wasm_tools.ts) into wreg's model, and a
 * canonical structural form of a Resolve that ignores arena ids (so two decoders, or WIT text and
 * a binary, can be compared).
 */
import type {
  Function as WitFunction,
  InterfaceId,
  Resolve,
  Stability,
  Type,
  TypeDefKind,
  TypeOwner,
  WorldId,
  WorldItem,
} from "../lib/wit/mod.ts";

/** Root of the shared corpus (read in place). */
import { CORPUS } from "../tools/corpus.ts";
export { CORPUS };

/** One record of the corpus index. */
export interface CorpusEntry {
  file: string;
  kind: string;
  size: number;
  witOk: boolean;
  witPackage: boolean | null;
  packages: string[] | null;
  pkgItems: { id: string; kind: string }[] | null;
  worlds: { name: string; imports: string[]; exports: string[] }[] | null;
}

/** The corpus index. */
export function corpusIndex(): CorpusEntry[] {
  return JSON.parse(Deno.readTextFileSync(`${CORPUS}index.json`));
}

// ---------------------------------------------------------------------------------------------
// wit-parser JSON → model

type J = Record<string, unknown>;

function jType(t: unknown): Type {
  return (typeof t === "number" ? t : t) as Type;
}

function jStability(s: unknown): Stability {
  if (s === undefined || s === null || s === "unknown") return { kind: "unknown" };
  const o = s as J;
  if (o.stable) {
    const st = o.stable as J;
    return st.deprecated
      ? { kind: "stable", since: st.since as string, deprecated: st.deprecated as string }
      : { kind: "stable", since: st.since as string };
  }
  const u = o.unstable as J;
  return u.deprecated
    ? { kind: "unstable", feature: u.feature as string, deprecated: u.deprecated as string }
    : { kind: "unstable", feature: u.feature as string };
}

function jDocs(d: unknown): string | undefined {
  return d && typeof d === "object" ? (d as J).contents as string | undefined : undefined;
}

function jKind(k: unknown): TypeDefKind {
  if (k === "resource") return { tag: "resource" };
  if (k === "unknown") return { tag: "unknown" };
  const o = k as J;
  const [tag, v] = Object.entries(o)[0];
  const vv = v as J;
  switch (tag) {
    case "record":
      return {
        tag: "record",
        fields: (vv.fields as J[]).map((f) => {
          const out = { name: f.name as string, type: jType(f.type) } as {
            name: string;
            type: Type;
            docs?: string;
          };
          const d = jDocs(f.docs);
          if (d !== undefined) out.docs = d;
          return out;
        }),
      };
    case "variant":
      return {
        tag: "variant",
        cases: (vv.cases as J[]).map((c) => {
          const out: { name: string; type?: Type; docs?: string } = { name: c.name as string };
          if (c.type !== null && c.type !== undefined) out.type = jType(c.type);
          const d = jDocs(c.docs);
          if (d !== undefined) out.docs = d;
          return out;
        }),
      };
    case "enum":
      return {
        tag: "enum",
        cases: (vv.cases as J[]).map((c) => {
          const d = jDocs(c.docs);
          return d === undefined ? { name: c.name as string } : { name: c.name as string, docs: d };
        }),
      };
    case "flags":
      return {
        tag: "flags",
        flags: (vv.flags as J[]).map((c) => {
          const d = jDocs(c.docs);
          return d === undefined ? { name: c.name as string } : { name: c.name as string, docs: d };
        }),
      };
    case "tuple":
      return { tag: "tuple", types: (vv.types as unknown[]).map(jType) };
    case "handle": {
      const [h, r] = Object.entries(vv)[0];
      return { tag: "handle", handle: h as "own" | "borrow", resource: r as number };
    }
    case "option":
      return { tag: "option", type: jType(v) };
    case "list":
      return { tag: "list", element: jType(v) };
    case "map":
      return { tag: "map", key: jType((v as unknown[])[0]), value: jType((v as unknown[])[1]) };
    case "fixed-length-list":
      return {
        tag: "fixed-length-list",
        element: jType((v as unknown[])[0]),
        length: (v as number[])[1],
      };
    case "result": {
      const out: TypeDefKind & { tag: "result" } = { tag: "result" };
      if (vv.ok !== null && vv.ok !== undefined) out.ok = jType(vv.ok);
      if (vv.err !== null && vv.err !== undefined) out.err = jType(vv.err);
      return out;
    }
    case "future":
      return v === null ? { tag: "future" } : { tag: "future", type: jType(v) };
    case "stream":
      return v === null ? { tag: "stream" } : { tag: "stream", type: jType(v) };
    case "type":
      return { tag: "type", type: jType(v) };
  }
  throw new Error(`unknown kind ${JSON.stringify(k)}`);
}

function jFunc(f: J): WitFunction {
  const k = f.kind;
  let kind: WitFunction["kind"];
  if (typeof k === "string") kind = { tag: k } as WitFunction["kind"];
  else {
    const [tag, res] = Object.entries(k as J)[0];
    kind = { tag, resource: res } as WitFunction["kind"];
  }
  const out: WitFunction = {
    name: f.name as string,
    kind,
    params: (f.params as J[]).map((p) => ({ name: p.name as string, type: jType(p.type) })),
    stability: jStability(f.stability),
  };
  if (f.result !== undefined && f.result !== null) out.result = jType(f.result);
  const d = jDocs(f.docs);
  if (d !== undefined) out.docs = d;
  return out;
}

function jOwner(o: unknown): TypeOwner {
  if (o === null || o === undefined) return null;
  const x = o as J;
  return "interface" in x ? { interface: x.interface as number } : { world: x.world as number };
}

function jWorldItem(v: J, keyName: string): [string | number, WorldItem] {
  const [tag, body] = Object.entries(v)[0];
  if (tag === "interface") {
    const b = body as J;
    const key = keyName.startsWith("interface-") ? b.id as number : keyName;
    return [key, { tag: "interface", id: b.id as number, stability: jStability(b.stability) }];
  }
  if (tag === "function") return [keyName, { tag: "function", func: jFunc(body as J) }];
  return [keyName, { tag: "type", id: body as number }];
}

/** Reads the JSON that `wasm-tools component wit --json` prints into wreg's model. */
export function resolveFromWasmToolsJson(text: string): Resolve {
  const j = JSON.parse(text) as J;
  const r: Resolve = {
    packages: [],
    interfaces: [],
    worlds: [],
    types: [],
    packageNames: new Map(),
  };
  for (const p of j.packages as J[]) {
    const full = p.name as string;
    const at = full.indexOf("@");
    const base = at < 0 ? full : full.slice(0, at);
    const [namespace, name] = base.split(":");
    const pkg = {
      name: at < 0 ? { namespace, name } : { namespace, name, version: full.slice(at + 1) },
      interfaces: new Map(Object.entries(p.interfaces as J) as [string, number][]),
      worlds: new Map(Object.entries(p.worlds as J) as [string, number][]),
    } as Resolve["packages"][number];
    const d = jDocs(p.docs);
    if (d !== undefined) pkg.docs = d;
    r.packageNames.set(full, r.packages.length);
    r.packages.push(pkg);
  }
  for (const i of j.interfaces as J[]) {
    const iface: Resolve["interfaces"][number] = {
      name: (i.name ?? undefined) as string | undefined,
      types: new Map(Object.entries(i.types as J) as [string, number][]),
      functions: new Map(Object.entries(i.functions as J).map(([k, f]) => [k, jFunc(f as J)])),
      stability: jStability(i.stability),
    };
    if (i.package !== undefined && i.package !== null) iface.package = i.package as number;
    const d = jDocs(i.docs);
    if (d !== undefined) iface.docs = d;
    r.interfaces.push(iface);
  }
  for (const w of j.worlds as J[]) {
    const world: Resolve["worlds"][number] = {
      name: w.name as string,
      imports: new Map(Object.entries(w.imports as J).map(([k, v]) => jWorldItem(v as J, k))),
      exports: new Map(Object.entries(w.exports as J).map(([k, v]) => jWorldItem(v as J, k))),
      stability: jStability(w.stability),
      includes: [],
    };
    if (w.package !== undefined && w.package !== null) world.package = w.package as number;
    const d = jDocs(w.docs);
    if (d !== undefined) world.docs = d;
    r.worlds.push(world);
  }
  for (const t of j.types as J[]) {
    const def: Resolve["types"][number] = {
      kind: jKind(t.kind),
      owner: jOwner(t.owner),
      stability: jStability(t.stability),
    };
    if (t.name !== undefined && t.name !== null) def.name = t.name as string;
    const d = jDocs(t.docs);
    if (d !== undefined) def.docs = d;
    r.types.push(def);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Canonical structural form

/** Options of the canonical form. */
export interface CanonOptions {
  /** Include docs (default false). */
  docs?: boolean;
  /** Include stability gates (default false). */
  stability?: boolean;
}

class Canon {
  private readonly anonNames = new Map<InterfaceId, string>();
  constructor(readonly r: Resolve, readonly opts: CanonOptions) {
    r.worlds.forEach((w, wi) => {
      for (const [dir, m] of [["import", w.imports], ["export", w.exports]] as const) {
        for (const [k, item] of m) {
          if (item.tag === "interface" && typeof k === "string") {
            this.anonNames.set(item.id, `${this.worldName(wi)}/${dir} ${k}`);
          }
        }
      }
    });
  }

  pkgName(id: number | undefined): string {
    if (id === undefined) return "?";
    const n = this.r.packages[id].name;
    return n.version === undefined
      ? `${n.namespace}:${n.name}`
      : `${n.namespace}:${n.name}@${n.version}`;
  }

  worldName(id: WorldId): string {
    const w = this.r.worlds[id];
    return `${this.pkgName(w.package)}/world ${w.name}`;
  }

  ifaceName(id: InterfaceId): string {
    const i = this.r.interfaces[id];
    if (i.name === undefined) return this.anonNames.get(id) ?? `anonymous-${id}`;
    return `${this.pkgName(i.package)}/${i.name}`;
  }

  owner(o: TypeOwner): string {
    if (o === null) return "-";
    return "interface" in o ? this.ifaceName(o.interface) : this.worldName(o.world);
  }

  ref(t: Type): unknown {
    if (typeof t === "string") return t;
    const def = this.r.types[t];
    if (def === undefined) return `?${t}`;
    if (def.name !== undefined) return `${this.owner(def.owner)}.${def.name}`;
    return this.kind(def.kind);
  }

  kind(k: TypeDefKind): unknown {
    const docs = (
      x: { docs?: string },
    ) => (this.opts.docs && x.docs !== undefined ? { docs: x.docs } : {});
    switch (k.tag) {
      case "record":
        return {
          record: k.fields.map((f) => ({ name: f.name, type: this.ref(f.type), ...docs(f) })),
        };
      case "variant":
        return {
          variant: k.cases.map((c) => ({
            name: c.name,
            type: c.type === undefined ? null : this.ref(c.type),
            ...docs(c),
          })),
        };
      case "enum":
        return { enum: k.cases.map((c) => ({ name: c.name, ...docs(c) })) };
      case "flags":
        return { flags: k.flags.map((c) => ({ name: c.name, ...docs(c) })) };
      case "tuple":
        return { tuple: k.types.map((t) => this.ref(t)) };
      case "handle":
        return { [k.handle]: this.ref(k.resource) };
      case "option":
        return { option: this.ref(k.type) };
      case "list":
        return { list: this.ref(k.element) };
      case "map":
        return { map: [this.ref(k.key), this.ref(k.value)] };
      case "fixed-length-list":
        return { list: this.ref(k.element), length: k.length };
      case "result":
        return {
          result: [
            k.ok === undefined ? null : this.ref(k.ok),
            k.err === undefined ? null : this.ref(k.err),
          ],
        };
      case "future":
      case "stream":
        return { [k.tag]: k.type === undefined ? null : this.ref(k.type) };
      case "type":
        return { alias: this.ref(k.type) };
      case "resource":
        return "resource";
      case "unknown":
        return "unknown";
    }
  }

  stab(s: Stability): Record<string, unknown> {
    return this.opts.stability && s.kind !== "unknown" ? { stability: s } : {};
  }

  func(f: WitFunction): unknown {
    const kind = "resource" in f.kind ? { [f.kind.tag]: this.ref(f.kind.resource) } : f.kind.tag;
    return {
      name: f.name,
      kind,
      params: f.params.map((p) => [p.name, this.ref(p.type)]),
      result: f.result === undefined ? null : this.ref(f.result),
      ...(this.opts.docs && f.docs !== undefined ? { docs: f.docs } : {}),
      ...this.stab(f.stability),
    };
  }

  iface(id: InterfaceId): unknown {
    const i = this.r.interfaces[id];
    return {
      name: this.ifaceName(id),
      types: [...i.types].map(([n, t]) => {
        const def = this.r.types[t];
        return {
          name: n,
          kind: this.kind(def.kind),
          ...(this.opts.docs && def.docs !== undefined ? { docs: def.docs } : {}),
          ...this.stab(def.stability),
        };
      }),
      functions: [...i.functions].map(([, f]) => this.func(f)),
      ...(this.opts.docs && i.docs !== undefined ? { docs: i.docs } : {}),
      ...this.stab(i.stability),
    };
  }

  item(key: string | number, item: WorldItem): unknown {
    const name = typeof key === "number" ? this.ifaceName(key) : key;
    switch (item.tag) {
      case "interface":
        return {
          name,
          interface: typeof key === "number" ? this.ifaceName(item.id) : this.iface(item.id),
          ...this.stab(item.stability),
        };
      case "function":
        return { name, function: this.func(item.func) };
      case "type": {
        const def = this.r.types[item.id];
        return { name, type: this.kind(def.kind) };
      }
    }
  }

  world(id: WorldId): unknown {
    const w = this.r.worlds[id];
    return {
      name: this.worldName(id),
      imports: [...w.imports].map(([k, v]) => this.item(k, v)),
      exports: [...w.exports].map(([k, v]) => this.item(k, v)),
      ...(this.opts.docs && w.docs !== undefined ? { docs: w.docs } : {}),
      ...this.stab(w.stability),
    };
  }

  /** Every package, sorted by name, with its named interfaces and worlds. */
  all(): unknown {
    const pkgs = this.r.packages.map((p, id) => ({
      name: this.pkgName(id),
      interfaces: [...p.interfaces].map(([, i]) => this.iface(i)),
      worlds: [...p.worlds].map(([, w]) => this.world(w)),
      ...(this.opts.docs && p.docs !== undefined ? { docs: p.docs } : {}),
    }));
    pkgs.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return pkgs;
  }
}

/** The canonical form of a whole resolve (every package, by name). */
export function canonicalResolve(r: Resolve, opts: CanonOptions = {}): unknown {
  return new Canon(r, opts).all();
}

/** The canonical form of one world, with the interfaces it names. */
export function canonicalWorld(r: Resolve, world: WorldId, opts: CanonOptions = {}): unknown {
  return new Canon(r, opts).world(world);
}

/** The canonical form of one package. */
export function canonicalPackage(r: Resolve, pkg: number, opts: CanonOptions = {}): unknown {
  const c = new Canon(r, opts);
  const p = r.packages[pkg];
  return {
    name: c.pkgName(pkg),
    interfaces: [...p.interfaces].map(([, i]) => c.iface(i)),
    worlds: [...p.worlds].map(([, w]) => c.world(w)),
    ...(opts.docs && p.docs !== undefined ? { docs: p.docs } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// WIT sources on disk

import type { SourceFile, WitDependency, WitSources } from "../lib/wit/mod.ts";

/**
 * Reads WIT sources the way wit-parser does: a file, or a folder with an optional `deps/` whose
 * entries are folders, `.wit` files, or binary packages (`.wasm`, or `.wat` made binary by jco).
 */
export async function readWitTree(
  path: string,
  decodeWasm: (bytes: Uint8Array) => Resolve,
): Promise<WitSources> {
  const witFiles = (dir: string): SourceFile[] =>
    [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".wit"))
      .map((e) => ({ path: `${dir}/${e.name}`, text: Deno.readTextFileSync(`${dir}/${e.name}`) }));
  if (!Deno.statSync(path).isDirectory) {
    return { root: [{ path, text: Deno.readTextFileSync(path) }] };
  }
  const deps: WitDependency[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(`${path}/deps`)].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  } catch {
    // no deps/
  }
  for (const e of entries) {
    const p = `${path}/deps/${e.name}`;
    if (e.isDirectory) deps.push({ name: e.name, files: witFiles(p) });
    else if (e.name.endsWith(".wit")) {
      deps.push({ name: e.name, files: [{ path: p, text: Deno.readTextFileSync(p) }] });
    } else if (e.name.endsWith(".wasm")) {
      deps.push({ name: e.name, resolve: decodeWasm(Deno.readFileSync(p)) });
    } else if (e.name.endsWith(".wat")) {
      const { parse } = await import("@bytecodealliance/jco-transpile/wasm-tools");
      deps.push({ name: e.name, resolve: decodeWasm(await parse(Deno.readTextFileSync(p))) });
    }
  }
  return { root: witFiles(path), deps };
}

/** The WIT package sources of the corpus: wit-parser's UI cases and the WASI trees. */
export function witCorpusSources(): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  const ui = `${CORPUS}wasm-tools/crates/wit-parser/tests/ui`;
  for (const e of [...Deno.readDirSync(ui)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (e.name === "parse-fail") continue;
    if (e.isDirectory || e.name.endsWith(".wit")) {
      out.push({ name: `ui/${e.name}`, path: `${ui}/${e.name}` });
    }
  }
  for (
    const p of [
      "wasi-http/v0.2.0/wit",
      "wasi-http/v0.2.3/wit",
      "wasi-http/v0.3.0-rc-2025-09-16/wit-0.3.0-draft",
      "wasi-keyvalue/v0.2.0-draft/wit",
      "wasi-config/v0.2.0-draft/wit",
      "wasi-logging/wit",
      "spin/wit",
      "wasmCloud/crates/wash-runtime/wit",
      ...[...Deno.readDirSync(`${CORPUS}wasmCloud/wit`)].filter((e) => e.isDirectory).map((e) =>
        `wasmCloud/wit/${e.name}/wit`
      ).sort(),
    ]
  ) out.push({ name: p, path: CORPUS + p });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparing packages across an encode/decode round trip

import { canonicalInterface, canonicalWorld as witCanonicalWorld } from "../lib/wit/mod.ts";

/**
 * What a WIT package binary carries of package `id`: its interfaces with docs and gates, and its
 * worlds (docs and gates of the world and of its items, and structure). Docs and gates of other
 * packages' interfaces are not in the binary, so worlds compare structurally without them.
 */
export function packageForRoundTrip(r: Resolve, id: number): unknown {
  const p = r.packages[id];
  const o = { docs: true, stability: true };
  return {
    name: p.name,
    docs: p.docs,
    interfaces: Object.fromEntries(
      [...p.interfaces].map(([n, i]) => [n, canonicalInterface(r, i, o)]),
    ),
    worlds: Object.fromEntries([...p.worlds].map(([n, w]) => {
      const world = r.worlds[w];
      const gates = [...world.imports.values(), ...world.exports.values()].map((i) =>
        i.tag === "interface" ? i.stability : null
      );
      return [n, {
        docs: world.docs,
        stability: world.stability,
        gates,
        structure: witCanonicalWorld(r, w),
      }];
    })),
  };
}

/** `ns:name@version`. */
export function packageKey(r: Resolve, id: number): string {
  const n = r.packages[id].name;
  return n.version === undefined
    ? `${n.namespace}:${n.name}`
    : `${n.namespace}:${n.name}@${n.version}`;
}
