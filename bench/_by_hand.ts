/**
 * A component's core modules instantiated "by hand", the baseline of bench/bindings.ts: what an
 * embedder writing no glue at all would do. Core modules are compiled once; `instantiate()` makes
 * every core instance in the component's order with import objects of the previous instances'
 * exports, and the component's imports as plain functions: the few WASI functions the benchmarked
 * calls use are written by hand (the bytes written to standard error), any other throws, so a call
 * that needed more would fail instead of measuring the wrong thing. No value conversion, no
 * handle table, no re-entry flag: calls are made on the core exports directly, with the
 * marshalling written out in `rawString`.
 */
import { type ComponentAst, decodeComponent } from "../lib/component/mod.ts";

/** A lifted export: its core function and canonical options, by the export's name. */
export interface RawExport {
  core: (...args: number[]) => number;
  memory?: WebAssembly.Memory;
  realloc?: (a: number, b: number, c: number, d: number) => number;
  post?: (...args: number[]) => void;
}

/** What an instantiation by hand gives: the lifted exports by name (`f`, `iface#f`). */
export interface ByHand {
  exports: Map<string, RawExport>;
}

/** Hand-written WASI for the benchmarked calls, by function name. */
function wasiStub(
  name: string,
  memory: () => WebAssembly.Memory | undefined,
  realloc: () => ((a: number, b: number, c: number, d: number) => number) | undefined,
) {
  if (/^get-(insecure-)?random-bytes$/.test(name)) {
    return (len: bigint, ret: number) => {
      const n = Number(len);
      const p = realloc()!(0, 0, 1, n);
      crypto.getRandomValues(new Uint8Array(memory()!.buffer, p, n));
      const v = new DataView(memory()!.buffer);
      v.setUint32(ret, p, true);
      v.setUint32(ret + 4, n, true);
    };
  }
  if (/^get-std(out|err)$/.test(name)) return () => 1;
  if (/^get-(environment|arguments)$/.test(name)) {
    return (ret: number) => {
      const v = new DataView(memory()!.buffer);
      v.setUint32(ret, 0, true);
      v.setUint32(ret + 4, 0, true);
    };
  }
  if (/blocking-write-and-flush$/.test(name)) {
    // Standard output and error: the bytes are written (by the benchmark to /dev/null).
    return (_h: number, p: number, n: number, ret: number) => {
      const bytes = new Uint8Array(memory()!.buffer, p, n);
      let off = 0;
      while (off < n) off += Deno.stderr.writeSync(bytes.subarray(off));
      new DataView(memory()!.buffer).setUint8(ret, 0);
    };
  }
  if (/^\[resource-drop\]/.test(name)) return () => {};
  return () => {
    throw new Error(`by-hand baseline: unexpected call of ${name}`);
  };
}

/** A component-level function: lifted from a core function, or one of the host's. */
interface Func {
  name: string;
  lifted?: RawExport;
}

/** A component-level value passed between nested components. */
type Value =
  | { sort: "func"; f: Func }
  | { sort: "instance"; items: Map<string, Value> }
  | { sort: "component"; c: ComponentAst; outer: Scope }
  | { sort: "module"; m: WebAssembly.Module }
  | { sort: "type" };

/** The index spaces of one component instance. */
interface Scope {
  funcs: Func[];
  instances: Map<string, Value>[];
  components: { c: ComponentAst; outer: Scope }[];
  modules: WebAssembly.Module[];
  parent?: Scope;
}

/**
 * Prepares the by-hand instantiation of a component (modules compiled here, once). Nested
 * components are instantiated in place; a function one of them lifts is handed to another as its
 * core function (no adapter: the benchmarked calls do not cross components with pointers).
 */
export function byHand(bytes: Uint8Array): () => ByHand {
  const d = decodeComponent(bytes);
  if (d.kind !== "component") throw new Error("not a component");
  const root = d.ast as ComponentAst;
  const compiled = new Map<number, WebAssembly.Module>();
  const compile = (c: ComponentAst) => {
    for (const m of c.modules) {
      compiled.set(m.range.start, new WebAssembly.Module(bytes.slice(m.range.start, m.range.end)));
    }
    for (const n of c.components) compile(n);
  };
  compile(root);
  return () => {
    const exports = new Map<string, RawExport>();
    instantiate(root, undefined, undefined, exports);
    return { exports };
  };

  function instantiate(
    ast: ComponentAst,
    outer: Scope | undefined,
    args: Map<string, Value> | undefined,
    rootExports: Map<string, RawExport> | undefined,
  ): Map<string, Value> {
    const coreFuncs: unknown[] = [];
    const coreMemories: WebAssembly.Memory[] = [];
    const coreTables: unknown[] = [];
    const coreGlobals: unknown[] = [];
    const coreInstances: Record<string, unknown>[] = [];
    const sc: Scope = { funcs: [], instances: [], components: [], modules: [], parent: outer };
    const out = new Map<string, Value>();
    const space = (sort: string): unknown[] =>
      sort.endsWith("func")
        ? coreFuncs
        : sort.endsWith("memory")
        ? coreMemories
        : sort.endsWith("table")
        ? coreTables
        : coreGlobals;
    const valueOf = (sort: string, i: number): Value =>
      sort === "func"
        ? { sort: "func", f: sc.funcs[i] }
        : sort === "instance"
        ? { sort: "instance", items: sc.instances[i] }
        : sort === "component"
        ? { sort: "component", ...sc.components[i] }
        : sort === "core module"
        ? { sort: "module", m: sc.modules[i] }
        : { sort: "type" };
    const push = (v: Value | undefined) => {
      if (v === undefined) return;
      if (v.sort === "func") sc.funcs.push(v.f);
      else if (v.sort === "instance") sc.instances.push(v.items);
      else if (v.sort === "component") sc.components.push({ c: v.c, outer: v.outer });
      else if (v.sort === "module") sc.modules.push(v.m);
    };
    let nested = 0;
    for (const def of ast.definitions) {
      switch (def.tag) {
        case "core-module":
          sc.modules.push(compiled.get(def.module.range.start)!);
          break;
        case "component":
          sc.components.push({ c: ast.components[nested++], outer: sc });
          break;
        case "core-instance": {
          const c = def.def;
          if (c.tag === "instantiate") {
            const a: Record<string, unknown> = {};
            for (const x of c.args) a[x.name] = coreInstances[x.instance];
            coreInstances.push(
              new WebAssembly.Instance(sc.modules[c.module], a as WebAssembly.Imports)
                .exports as Record<string, unknown>,
            );
          } else {
            const o: Record<string, unknown> = {};
            for (const e of c.exports) o[e.name] = space(e.sort)[e.index];
            coreInstances.push(o);
          }
          break;
        }
        case "alias": {
          const a = def.alias;
          const t = a.target;
          if (t.tag === "core-export") {
            space(a.sort).push(coreInstances[t.instance][t.name]);
          } else if (t.tag === "export") {
            const item = sc.instances[t.instance].get(t.name);
            if (a.sort === "func") push(item ?? { sort: "func", f: { name: t.name } });
            else if (a.sort === "instance") push(item ?? { sort: "instance", items: new Map() });
            else push(item);
          } else if (t.tag === "outer") {
            let o: Scope | undefined = sc;
            for (let i = 0; i < t.count; i++) o = o?.parent;
            if (a.sort === "component") sc.components.push(o!.components[t.index]);
            if (a.sort === "core module") sc.modules.push(o!.modules[t.index]);
          }
          break;
        }
        case "import": {
          const name = def.import.name.name;
          const v = args?.get(name);
          if (v !== undefined) push(v);
          else if (def.import.desc.kind === "instance") sc.instances.push(new Map());
          else if (def.import.desc.kind === "func") sc.funcs.push({ name });
          break;
        }
        case "canon": {
          const c = def.canon;
          if (c.tag === "lower") {
            const f = sc.funcs[c.func];
            const mem = c.options.find((o) => o.tag === "memory");
            const re = c.options.find((o) => o.tag === "realloc");
            coreFuncs.push(
              f.lifted !== undefined ? (...a: number[]) => f.lifted!.core(...a) : wasiStub(
                f.name,
                () => mem?.tag === "memory" ? coreMemories[mem.index] : undefined,
                () => re?.tag === "realloc" ? coreFuncs[re.index] as never : undefined,
              ),
            );
          } else if (c.tag === "lift") {
            const o: RawExport = { core: coreFuncs[c.coreFunc] as RawExport["core"] };
            for (const opt of c.options) {
              if (opt.tag === "memory") o.memory = coreMemories[opt.index];
              if (opt.tag === "realloc") o.realloc = coreFuncs[opt.index] as RawExport["realloc"];
              if (opt.tag === "post-return") o.post = coreFuncs[opt.index] as RawExport["post"];
            }
            sc.funcs.push({ name: "(lifted)", lifted: o });
          } else {
            // Resource built-ins: a counter for new, the identity for rep, nothing for drop.
            let next = 1;
            coreFuncs.push(
              c.name === "resource.new"
                ? () => next++
                : c.name === "resource.rep"
                ? (i: number) => i
                : () => {},
            );
          }
          break;
        }
        case "instance": {
          const items = new Map<string, Value>();
          if (def.def.tag === "exports") {
            for (const e of def.def.exports) {
              items.set(e.name.name, valueOf(e.item.sort, e.item.index));
            }
            sc.instances.push(items);
          } else {
            const child = sc.components[def.def.component];
            const childArgs = new Map<string, Value>();
            for (const a of def.def.args) childArgs.set(a.name, valueOf(a.item.sort, a.item.index));
            sc.instances.push(instantiate(child.c, child.outer, childArgs, undefined));
          }
          break;
        }
        case "export": {
          const e = def.export;
          const v = valueOf(e.item.sort, e.item.index);
          push(v);
          out.set(e.name.name, v);
          if (rootExports !== undefined) {
            if (v.sort === "func" && v.f.lifted) rootExports.set(e.name.name, v.f.lifted);
            if (v.sort === "instance") {
              for (const [n, x] of v.items) {
                if (x.sort === "func" && x.f.lifted) {
                  rootExports.set(`${e.name.name}#${n}`, x.f.lifted);
                }
              }
            }
          }
          break;
        }
        case "type":
        case "core-type":
          break;
        default:
          throw new Error(`by hand: ${def.tag}`);
      }
    }
    return out;
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Calls a lifted export taking `(string)` or `(…scalars, string)` and returning a string, the
 * Canonical ABI written out: realloc, encode, call, read the return area, decode, post-return.
 */
export function rawString(e: RawExport, s: string, before: number[] = []): string {
  const mem = e.memory!;
  const max = s.length * 3;
  const p = e.realloc!(0, 0, 1, max);
  const n = enc.encodeInto(s, new Uint8Array(mem.buffer, p, max)).written;
  const r = e.core(...before, p, n);
  const view = new DataView(mem.buffer);
  const out = dec.decode(
    new Uint8Array(mem.buffer, view.getUint32(r, true), view.getUint32(r + 4, true)),
  );
  e.post?.(r);
  return out;
}

/** Calls a lifted export taking `(…scalars, string)` and returning nothing. */
export function rawStringVoid(e: RawExport, s: string, before: number[] = []): void {
  const mem = e.memory!;
  const max = s.length * 3;
  const p = e.realloc!(0, 0, 1, max);
  const n = enc.encodeInto(s, new Uint8Array(mem.buffer, p, max)).written;
  e.core(...before, p, n);
  e.post?.();
}

const dec16 = new TextDecoder("utf-16le");

/** `rawString` for a component whose strings are UTF-16 (`string-encoding=utf16`). */
export function rawString16(e: RawExport, s: string): string {
  const mem = e.memory!;
  const n = s.length;
  const p = e.realloc!(0, 0, 2, n * 2);
  const units = new Uint16Array(mem.buffer, p, n);
  for (let i = 0; i < n; i++) units[i] = s.charCodeAt(i);
  const r = e.core(p, n);
  const view = new DataView(mem.buffer);
  const out = dec16.decode(
    new Uint8Array(mem.buffer, view.getUint32(r, true), view.getUint32(r + 4, true) * 2),
  );
  e.post?.(r);
  return out;
}
