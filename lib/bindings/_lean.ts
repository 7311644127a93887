/**
 * The lean glue generator: wreg's own Canonical ABI code. For a component made of core modules,
 * nested components (compositions), resources and `canon lift`/`lower`/`resource.*` definitions
 * (no async, no streams or futures), it writes an ES module that instantiates every core module
 * with `new WebAssembly.Instance` (modules come from `import source`, compiled by Deno's loader)
 * and converts values with code specialised per function (`_lean_values.ts`).
 *
 * The component is instantiated at generation time, symbolically: its definitions are walked in
 * binary order with the index spaces the component model defines, and every nested component
 * instantiation is unrolled into the same `instantiate` function (a *frame* per component
 * instance, with its own re-entry flag and handle table). One JavaScript statement is written per
 * definition that matters at run time. A call from one component of a composition to another goes
 * through JavaScript values, like a call from the host; resources keep the jco representation
 * (objects of a class per resource type for the ones a component implements, the host's own
 * objects for the ones it imports), so values cross any boundary the same way.
 *
 * Imports served by the WASI host (`naming.wasi`) are taken from the object the WASI host module
 * makes per instance; the others from the user's `imports`. Anything not covered throws
 * {@link Unsupported}; the caller then uses jco.
 */
import type {
  CanonOption,
  CheckedComponent,
  ComponentAst,
  CoreSort,
  DecodedWasm,
  Definition,
  Entity,
  FuncType,
  ResourceId,
  ResType,
  Sort,
  ValType,
} from "../component/mod.ts";
import {
  containsPointer,
  flatten,
  kindOf,
  layout,
  MAX_FLAT_PARAMS,
  MAX_FLAT_RESULTS,
} from "./_abi.ts";
import {
  checkSupported,
  FnGen,
  liftFlat,
  load,
  lowerFlat,
  plainCursor,
  RUNTIME,
  RUNTIME_RESOURCES,
  RUNTIME_STR16,
  type SharedConsts,
  store,
  type StringEncoding,
  Unsupported,
  type ValueCtx,
} from "./_lean_values.ts";
import { camelCase, pascalCase, prop, str } from "./_names.ts";

/** How the glue reaches its imports and names its exports. */
export interface LeanNaming {
  /** Import extern name → key in the user's `imports` object. */
  importKeys: Map<string, string>;
  /** Export extern name → key in the returned exports object. */
  exportKeys: Map<string, string>;
  /** Import extern names the WASI host serves (never the user's to supply). */
  wasi: ReadonlySet<string>;
  /**
   * The folder specifier of the WASI host: the glue imports `<wasiHost>/mod.ts` (and `http.ts`,
   * `sockets.ts` when it needs them).
   */
  wasiHost: string;
}

/** The generated glue: its JavaScript and the core modules it imports (`_core<N>.wasm`). */
export interface LeanGlue {
  js: string;
  modules: { path: string; bytes: Uint8Array }[];
  /** How many core module instances `instantiate` makes. */
  coreInstances: number;
  /** How many component instances (the component and the components nested in it). */
  componentInstances: number;
  /** The WASI host modules the glue imports (`@wreg/wasi/mod.ts`, `@wreg/wasi/http.ts`…). */
  wasiModules: string[];
  /** Whether the glue exports `serveIncoming` (the component exports `wasi:http/incoming-handler`). */
  servesHttp: boolean;
}

/** A component-level function, as the glue calls it. */
interface FuncRef {
  /** A JavaScript expression calling the function with JavaScript values. */
  call(args: string[]): string;
  /**
   * Whether a top-level `result` comes back as a `{ tag, val }` value (a function lifted from a
   * component) rather than as a return value or a thrown error (a host function).
   */
  raw: boolean;
  /** An expression of the function as the host sees it (an `err` result thrown). */
  hostValue(): string;
  /** How many parameters it has. */
  arity: number;
}

/** A component-level instance: one of the host's (an import), or a bag of items. */
type InstanceRef =
  | { tag: "host"; name: string; key: string; expr: string }
  | { tag: "bag"; items: Map<string, Value> };

/** A nested component, with the frame it was defined in (for outer aliases). */
interface ComponentRef {
  checked: CheckedComponent;
  frame: Frame;
}

/** An item of an index space as instantiation arguments and exports carry it. */
type Value =
  | { sort: "func"; f: FuncRef }
  | { sort: "instance"; i: InstanceRef }
  | { sort: "type" }
  | { sort: "component"; c: ComponentRef }
  | { sort: "module"; m: string };

/** A resource type at run time: the variable holding it and the instance implementing it. */
interface ResDesc {
  rt: string;
  /** The frame of the component instance that defines it; undefined for the host's. */
  local: Frame | undefined;
  name: string;
}

/** A lifted function, generated when first needed in each of its two forms. */
interface Lift {
  frame: Frame;
  type: FuncType;
  core: string;
  opts: Opts;
  base: string;
  raw?: string;
  host?: string;
}

interface Opts {
  memory?: string;
  realloc?: string;
  post?: string;
  encoding: StringEncoding;
  view?: string;
}

/** One component instance being generated. */
class Frame {
  readonly coreFuncs: string[] = [];
  readonly coreMemories: string[] = [];
  readonly coreTables: string[] = [];
  readonly coreGlobals: string[] = [];
  readonly coreInstances: string[] = [];
  readonly coreModules: string[] = [];
  readonly funcs: FuncRef[] = [];
  readonly instances: InstanceRef[] = [];
  readonly components: ComponentRef[] = [];
  readonly res = new Map<ResourceId, ResDesc>();
  readonly exports = new Map<string, Value>();
  /** The core destructor of each resource type this instance defines, by its variable. */
  readonly dtors = new Map<string, string | undefined>();
  /** Position of each definition in the index space of its sort. */
  readonly pos: Int32Array;
  readonly st: string;
  #table?: string;
  constructor(
    readonly gen: Gen,
    readonly id: number,
    readonly checked: CheckedComponent,
    /** The frame of the component this one's component was defined in. */
    readonly parent: Frame | undefined,
    /** Instantiation arguments; undefined for the root, whose imports come from the host. */
    readonly args: Map<string, Value> | undefined,
  ) {
    const ast = checked.ast;
    this.pos = new Int32Array(ast.definitions.length).fill(-1);
    for (const sort of Object.keys(ast.spaces) as Sort[]) {
      ast.spaces[sort].forEach((d, i) => {
        if (this.pos[d] === -1) this.pos[d] = i;
      });
    }
    this.st = `st${id}`;
    gen.prelude.push(`  let ${this.st} = 0;`);
  }

  get scope() {
    return this.checked.scope;
  }

  /** The handle table, declared the first time one is needed. */
  table(): string {
    if (this.#table === undefined) {
      this.#table = `tb${this.id}`;
      this.gen.usesResources = true;
      this.gen.prelude.push(`  const ${this.#table} = new _Table();`);
    }
    return this.#table;
  }

  lookupRes(id: ResourceId): ResDesc | undefined {
    return this.res.get(id) ?? this.parent?.lookupRes(id);
  }

  resource(r: ResType): ResDesc {
    const d = this.lookupRes(r.resource);
    if (d === undefined) throw new Unsupported("a resource type whose origin the glue cannot find");
    return d;
  }

  ctx(encoding: StringEncoding): ValueCtx {
    return {
      resource: (r) => {
        const d = this.resource(r);
        return { rt: d.rt, local: d.local === this };
      },
      table: () => this.table(),
      encoding,
    };
  }
}

/** Generates lean glue, or throws {@link Unsupported} saying why it cannot. */
export function generateLeanGlue(
  bytes: Uint8Array,
  decoded: DecodedWasm,
  naming: LeanNaming,
  header: string,
): LeanGlue {
  if (decoded.kind !== "component" || decoded.checked === undefined) {
    throw new Unsupported("not a component");
  }
  const gen = new Gen(bytes, naming);
  const root = new Frame(gen, gen.frames++, decoded.checked, undefined, undefined);
  gen.rootImports(root);
  gen.frame(root);
  return gen.finish(header);
}

class Gen {
  readonly prelude: string[] = [];
  readonly body: string[] = [];
  readonly hostImports: string[] = [];
  readonly shared: SharedConsts = { enums: new Map() };
  readonly exportEntries: string[] = [];
  readonly modules: { path: string; bytes: Uint8Array; var: string; used: boolean }[] = [];
  readonly wasiModules = new Set<string>();
  frames = 0;
  instantiations = 0;
  usesResources = false;
  usesStr16 = false;
  #tmp = 0;
  #views = new Map<string, string>();
  /** World-level resource classes the user supplies, by resource name. */
  readonly hostClasses = new Map<string, string>();

  constructor(readonly bytes: Uint8Array, readonly naming: LeanNaming) {}

  fresh(p: string): string {
    return `${p}${this.#tmp++}`;
  }

  emit(line: string): void {
    this.body.push(`  ${line}`);
  }

  viewOf(memory: string): string {
    let v = this.#views.get(memory);
    if (v === undefined) {
      v = `_view${this.#views.size}`;
      this.#views.set(memory, v);
      this.emit(`const ${v} = _view(${memory});`);
    }
    return v;
  }

  /** The variable of a core module, shared by identical modules. */
  moduleVar(start: number, end: number): string {
    const bytes = this.bytes.subarray(start, end);
    for (const m of this.modules) {
      if (m.bytes.length === bytes.length && m.bytes.every((b, i) => b === bytes[i])) return m.var;
    }
    const i = this.modules.length;
    this.modules.push({ path: `_core${i}.wasm`, bytes: bytes.slice(), var: `_m${i}`, used: false });
    return `_m${i}`;
  }

  // -------------------------------------------------------------------------------------------
  // The host side of the root component: imports and the resources they bring.

  /** Makes a runtime resource type for every resource the root component imports. */
  rootImports(root: Frame): void {
    const seen = new Set<ResourceId>();
    const visit = (name: string, e: Entity) => {
      if (e.kind === "type") {
        const t = e.created;
        if (t.tag === "resource" && !seen.has(t.resource)) {
          seen.add(t.resource);
          const rt = this.fresh("rt");
          this.prelude.push(`  const ${rt} = { name: ${str(name)} };`);
          root.res.set(t.resource, { rt, local: undefined, name });
        }
      } else if (e.kind === "instance") {
        for (const [n, item] of e.type.exports) visit(n, item.entity);
      }
    };
    for (const [name, item] of root.checked.type.imports) visit(name, item.entity);
  }

  /** The `instantiate` line that fetches an import from the user or the WASI host. */
  hostImport(name: string, kind: "instance" | "func" | "class"): string | undefined {
    const v = this.fresh("imp");
    if (this.naming.wasi.has(name)) {
      if (kind !== "instance") throw new Unsupported(`the WASI import ${name} is not an interface`);
      const pkg = name.slice(5, name.indexOf("/"));
      this.wasiModules.add(pkg === "http" ? "http" : pkg === "sockets" ? "sockets" : "core");
      this.hostImports.push(`  const ${v} = _wasi.get(${str(name)});`);
      return v;
    }
    const key = this.naming.importKeys.get(name);
    if (key === undefined) return undefined;
    const fn = kind === "func" ? "_importFn" : "_import";
    this.hostImports.push(`  const ${v} = ${fn}(imports, ${str(key)}, ${str(name)});`);
    return v;
  }

  // -------------------------------------------------------------------------------------------
  // One component instance.

  frame(fr: Frame): void {
    const ast = fr.checked.ast;
    let nested = 0;
    ast.definitions.forEach((def, di) => {
      switch (def.tag) {
        case "core-type":
          break;
        case "type":
          if (def.type.tag === "resource") this.resourceType(fr, def, di);
          break;
        case "core-module":
          fr.coreModules.push(this.moduleVar(def.module.range.start, def.module.range.end));
          break;
        case "core-instance":
          this.coreInstance(fr, def);
          break;
        case "component":
          fr.components.push({ checked: fr.checked.nested[nested++], frame: fr });
          break;
        case "alias":
          this.alias(fr, def);
          break;
        case "import":
          this.import(fr, def);
          break;
        case "canon":
          this.canon(fr, def, di);
          break;
        case "instance":
          this.instance(fr, def, di);
          break;
        case "export":
          this.export(fr, def, di);
          break;
        case "start":
          throw new Unsupported("it has a start function");
        case "value":
          throw new Unsupported("it has value definitions");
      }
    });
  }

  coreSpace(fr: Frame, sort: CoreSort | Sort): string[] {
    switch (sort) {
      case "func":
      case "core func":
        return fr.coreFuncs;
      case "memory":
      case "core memory":
        return fr.coreMemories;
      case "table":
      case "core table":
        return fr.coreTables;
      case "global":
      case "core global":
        return fr.coreGlobals;
      default:
        throw new Unsupported(`core ${sort} items are not supported`);
    }
  }

  resourceType(fr: Frame, def: Definition & { tag: "type" }, di: number): void {
    if (def.type.tag !== "resource") return;
    const t = fr.scope.types[fr.pos[di]];
    if (t === undefined || t.tag !== "resource") {
      throw new Unsupported("a resource type out of place");
    }
    if (def.type.rep !== "i32") throw new Unsupported(`a resource represented as ${def.type.rep}`);
    const name = resourceName(fr.checked, t.resource) ?? "resource";
    const rt = this.fresh("rt");
    let drop = "undefined";
    if (def.type.dtor !== undefined) {
      const core = fr.coreFuncs[def.type.dtor];
      drop = this.fresh("drop");
      // Called by the host (dispose, a finalizer) or another component: a call into the instance.
      this.body.push(
        `  function ${drop}(rep) {`,
        `    if (${fr.st} !== 0) _enter();`,
        `    ${fr.st} = 1;`,
        `    ${core}(rep);`,
        `    ${fr.st} = 0;`,
        `  }`,
      );
    }
    this.usesResources = true;
    this.emit(
      `const ${rt} = _localResource(${str(name)}, ${str(pascalCase(name))}, ${drop});`,
    );
    fr.res.set(t.resource, { rt, local: fr, name });
    fr.dtors.set(rt, def.type.dtor !== undefined ? fr.coreFuncs[def.type.dtor] : undefined);
  }

  coreInstance(fr: Frame, def: Definition & { tag: "core-instance" }): void {
    const d = def.def;
    const v = this.fresh("ci");
    if (d.tag === "instantiate") {
      const m = fr.coreModules[d.module];
      const mod = this.modules.find((x) => x.var === m);
      if (mod !== undefined) mod.used = true;
      const args = d.args.map((a) => `${str(a.name)}: ${fr.coreInstances[a.instance]}`);
      this.emit(`const ${v} = new WebAssembly.Instance(${m}, { ${args.join(", ")} }).exports;`);
      this.instantiations++;
    } else {
      const items = d.exports.map((e) => `${str(e.name)}: ${this.coreSpace(fr, e.sort)[e.index]}`);
      this.emit(`const ${v} = { ${items.join(", ")} };`);
    }
    fr.coreInstances.push(v);
  }

  alias(fr: Frame, def: Definition & { tag: "alias" }): void {
    const a = def.alias;
    const t = a.target;
    if (t.tag === "core-export") {
      const space = this.coreSpace(fr, a.sort);
      const v = this.fresh("c");
      this.emit(`const ${v} = ${fr.coreInstances[t.instance]}${prop(t.name)};`);
      space.push(v);
      return;
    }
    if (t.tag === "outer") {
      let outer: Frame | undefined = fr;
      for (let i = 0; i < t.count; i++) outer = outer?.parent;
      if (outer === undefined) throw new Unsupported("an outer alias past the root");
      if (a.sort === "component") fr.components.push(outer.components[t.index]);
      else if (a.sort === "core module") fr.coreModules.push(outer.coreModules[t.index]);
      else if (a.sort !== "type" && a.sort !== "core type") {
        throw new Unsupported(`outer aliases of ${a.sort}`);
      }
      return;
    }
    const inst = fr.instances[t.instance];
    if (inst.tag === "host") {
      if (a.sort === "func") {
        fr.funcs.push(this.hostMember(fr, inst, t.name, fr.scope.funcs[fr.funcs.length]));
      } else if (a.sort !== "type") {
        throw new Unsupported(`an alias of ${a.sort} ${t.name} from an imported instance`);
      }
      return;
    }
    const item = inst.items.get(t.name);
    if (a.sort === "type") return;
    if (item === undefined) throw new Unsupported(`an alias of a missing export ${t.name}`);
    this.push(fr, item);
  }

  /** Adds a value to the index space of its sort. */
  push(fr: Frame, v: Value): void {
    switch (v.sort) {
      case "func":
        fr.funcs.push(v.f);
        break;
      case "instance":
        fr.instances.push(v.i);
        break;
      case "component":
        fr.components.push(v.c);
        break;
      case "module":
        fr.coreModules.push(v.m);
        break;
      case "type":
        break;
    }
  }

  /** A value of this frame's index spaces. */
  valueOf(fr: Frame, sort: Sort, index: number): Value {
    switch (sort) {
      case "func":
        return { sort: "func", f: fr.funcs[index] };
      case "instance":
        return { sort: "instance", i: fr.instances[index] };
      case "type":
        return { sort: "type" };
      case "component":
        return { sort: "component", c: fr.components[index] };
      case "core module":
        return { sort: "module", m: fr.coreModules[index] };
      default:
        throw new Unsupported(`passing ${sort} items between components`);
    }
  }

  import(fr: Frame, def: Definition & { tag: "import" }): void {
    const imp = def.import;
    const name = imp.name.name;
    if (fr.args !== undefined) {
      const v = fr.args.get(name);
      if (v === undefined) throw new Unsupported(`the nested import ${name} has no argument`);
      this.push(fr, v);
      return;
    }
    switch (imp.desc.kind) {
      case "instance": {
        const expr = this.hostImport(name, "instance");
        if (expr === undefined) {
          // A types-only interface: nothing to call.
          fr.instances.push({ tag: "bag", items: new Map() });
        } else {
          const key = this.naming.importKeys.get(name) ?? name;
          fr.instances.push({ tag: "host", name, key, expr });
        }
        break;
      }
      case "func": {
        const t = fr.scope.funcs[fr.funcs.length];
        if (name.startsWith("[")) {
          fr.funcs.push(this.worldResourceFunc(name, t));
        } else {
          const expr = this.hostImport(name, "func");
          if (expr === undefined) throw new Unsupported(`the import ${name} has no key`);
          fr.funcs.push(hostFunc((args) => `${expr}(${args.join(", ")})`, t));
        }
        break;
      }
      case "type": {
        const key = this.naming.importKeys.get(name);
        if (key !== undefined) {
          const expr = this.hostImport(name, "class");
          if (expr !== undefined) this.hostClasses.set(name, expr);
        }
        break;
      }
      default:
        throw new Unsupported(`imports of ${imp.desc.kind}`);
    }
  }

  /** A function of a resource imported at the world level (`[method]r.m` …). */
  worldResourceFunc(name: string, t: FuncType): FuncRef {
    const parsed = resourceFuncName(name);
    if (parsed === undefined) throw new Unsupported(`the import ${name}`);
    if (parsed.kind === "method") return hostFunc((a) => methodCall(a, parsed.fn), t);
    const cls = this.hostClasses.get(parsed.resource);
    if (cls === undefined) throw new Unsupported(`the resource of ${name} is not imported`);
    if (parsed.kind === "constructor") {
      return hostFunc((a) => `new ${cls}(${a.join(", ")})`, t);
    }
    return hostFunc((a) => `${cls}${prop(camelCase(parsed.fn))}(${a.join(", ")})`, t);
  }

  /** A function of an instance the host supplies, called on the host's object. */
  hostMember(
    _fr: Frame,
    inst: InstanceRef & { tag: "host" },
    name: string,
    t: FuncType,
  ): FuncRef {
    const parsed = resourceFuncName(name);
    const where = `${str(inst.key)}, ${str(inst.name)}`;
    if (parsed === undefined) {
      const fn = camelCase(name);
      this.hostImports.push(`  _member(${inst.expr}, ${str(fn)}, ${where});`);
      return hostFunc((a) => `${inst.expr}${prop(fn)}(${a.join(", ")})`, t);
    }
    if (parsed.kind === "method") return hostFunc((a) => methodCall(a, parsed.fn), t);
    const cls = `${inst.expr}${prop(pascalCase(parsed.resource))}`;
    if (parsed.kind === "constructor") {
      this.hostImports.push(
        `  _member(${inst.expr}, ${str(pascalCase(parsed.resource))}, ${where});`,
      );
      return hostFunc((a) => `new ${cls}(${a.join(", ")})`, t);
    }
    const fn = camelCase(parsed.fn);
    this.hostImports.push(`  _static(${cls}, ${str(fn)}, ${where});`);
    return hostFunc((a) => `${cls}${prop(fn)}(${a.join(", ")})`, t);
  }

  options(fr: Frame, opts: CanonOption[]): Opts {
    const o: Opts = { encoding: "utf8" };
    for (const x of opts) {
      switch (x.tag) {
        case "memory":
          o.memory = fr.coreMemories[x.index];
          break;
        case "realloc":
          o.realloc = fr.coreFuncs[x.index];
          break;
        case "post-return":
          o.post = fr.coreFuncs[x.index];
          break;
        case "string-encoding":
          o.encoding = x.encoding;
          if (x.encoding !== "utf8") this.usesStr16 = true;
          break;
        case "async":
        case "callback":
          throw new Unsupported("it uses component model async (async lifts or lowers)");
        default:
          throw new Unsupported(`the canonical option ${x.tag}`);
      }
    }
    if (o.memory !== undefined) o.view = this.viewOf(o.memory);
    return o;
  }

  canon(fr: Frame, def: Definition & { tag: "canon" }, _di: number): void {
    const c = def.canon;
    if (c.tag === "lift") {
      const t = fr.scope.funcs[fr.funcs.length];
      checkFuncType(t, "an export");
      const o = this.options(fr, c.options);
      const lift: Lift = {
        frame: fr,
        type: t,
        core: fr.coreFuncs[c.coreFunc],
        opts: o,
        base: this.fresh("lift"),
      };
      fr.funcs.push({
        call: (a) => `${this.liftName(lift, false)}(${a.join(", ")})`,
        raw: true,
        hostValue: () => this.liftName(lift, true),
        arity: t.params.length,
      });
      return;
    }
    if (c.tag === "lower") {
      const f = fr.funcs[c.func];
      const t = fr.scope.funcs[c.func];
      checkFuncType(t, "an import");
      const o = this.options(fr, c.options);
      const name = this.fresh("lower");
      this.body.push(...lowerFunction(name, f, t, fr, o, this.shared));
      fr.coreFuncs.push(name);
      return;
    }
    // Built-ins: the resource ones; everything else belongs to async (or threads).
    const type = c.type !== undefined ? fr.scope.types[c.type] : undefined;
    if (!c.name.startsWith("resource.") || type === undefined || type.tag !== "resource") {
      throw new Unsupported(`it uses component model async (the canonical built-in ${c.name})`);
    }
    const d = fr.resource(type);
    const v = this.fresh("c");
    const tb = fr.table();
    switch (c.name) {
      case "resource.new":
        this.emit(`const ${v} = (rep) => ${tb}.add(${d.rt}, rep, true);`);
        break;
      case "resource.rep":
        this.emit(`const ${v} = (i) => ${tb}.get(i, ${d.rt});`);
        break;
      case "resource.drop": {
        const dtor = fr.dtors.get(d.rt);
        const own = d.local === fr
          ? (dtor !== undefined ? `${dtor}(rep)` : "")
          : "_disposeForeign(rep)";
        this.body.push(
          `  const ${v} = (i) => {`,
          `    const rep = ${tb}.remove(i, ${d.rt}, false);`,
          `    if (${tb}.wasOwn) {${own ? ` ${own};` : ""} } else ${tb}.nb--;`,
          `  };`,
        );
        break;
      }
      default:
        throw new Unsupported(`the canonical built-in ${c.name}`);
    }
    fr.coreFuncs.push(v);
  }

  /** The name of a lifted function in its raw or host form, generating it the first time. */
  liftName(l: Lift, host: boolean): string {
    const have = host ? l.host : l.raw;
    if (have !== undefined) return have;
    const name = `${l.base}${host ? "" : "r"}`;
    if (host) l.host = name;
    else l.raw = name;
    this.body.push(...liftFunction(name, l, host, this.shared));
    return name;
  }

  instance(fr: Frame, def: Definition & { tag: "instance" }, di: number): void {
    const d = def.def;
    if (d.tag === "exports") {
      const items = new Map<string, Value>();
      for (const e of d.exports) {
        items.set(e.name.name, this.valueOf(fr, e.item.sort, e.item.index));
      }
      fr.instances.push({ tag: "bag", items });
      return;
    }
    const c = fr.components[d.component];
    const args = new Map<string, Value>();
    for (const a of d.args) args.set(a.name, this.valueOf(fr, a.item.sort, a.item.index));
    const child = new Frame(this, this.frames++, c.checked, c.frame, args);
    // The child's imported resources are the parent's arguments'.
    for (const a of d.args) {
      const expected = c.checked.type.imports.get(a.name);
      if (expected === undefined) continue;
      const given = entityOf(fr, a.item.sort, a.item.index);
      if (given !== undefined) {
        pairEntity(expected.entity, given, (mine, theirs) => {
          if (child.res.has(mine)) return;
          const desc = fr.lookupRes(theirs);
          if (desc !== undefined) child.res.set(mine, desc);
        });
      }
    }
    this.frame(child);
    // The parent sees the child's resources under the identities its checker gave them.
    const it = fr.scope.instances[fr.pos[di]];
    if (it !== undefined) {
      for (const [name, item] of c.checked.type.exports) {
        const theirs = it.exports.get(name);
        if (theirs === undefined) continue;
        pairEntity(theirs.entity, item.entity, (mine, childId) => {
          if (fr.res.has(mine)) return;
          const desc = child.lookupRes(childId);
          if (desc !== undefined) fr.res.set(mine, desc);
        });
      }
    }
    fr.instances.push({ tag: "bag", items: child.exports });
  }

  export(fr: Frame, def: Definition & { tag: "export" }, di: number): void {
    const e = def.export;
    const name = e.name.name;
    const v = this.valueOf(fr, e.item.sort, e.item.index);
    this.push(fr, v);
    if (fr.args !== undefined) {
      fr.exports.set(name, v);
      return;
    }
    // The root: what the host gets.
    const key = this.naming.exportKeys.get(name);
    if (v.sort === "func") {
      const parsed = resourceFuncName(name);
      if (parsed !== undefined) {
        const d = this.exportedResource(fr, parsed.resource, undefined);
        this.attach(d, parsed, v.f);
      } else if (key !== undefined) this.exportEntries.push(`${str(key)}: ${v.f.hostValue()}`);
    } else if (v.sort === "instance") {
      const it = fr.scope.instances[e.item.index];
      const obj = this.instanceObject(fr, v.i, it);
      if (key !== undefined) this.exportEntries.push(`${str(key)}: ${obj}`);
    } else if (v.sort === "type") {
      const t = fr.scope.types[fr.pos[di]];
      if (t?.tag === "resource" && key !== undefined) {
        const d = fr.resource(t);
        if (d.local === undefined) {
          throw new Unsupported(`it exports the imported resource ${name}`);
        }
        this.exportEntries.push(`${str(key)}: ${d.rt}.cls`);
        this.rootResources.set(name, d);
      }
    } else {
      throw new Unsupported(`exports of ${v.sort}`);
    }
  }

  /** Resources the root exports at the world level, by name. */
  readonly rootResources = new Map<string, ResDesc>();

  /** The resource named `name` among an exported instance's types, or the world's. */
  exportedResource(
    fr: Frame,
    name: string,
    it: import("../component/mod.ts").InstanceType | undefined,
  ): ResDesc {
    if (it === undefined) {
      const d = this.rootResources.get(name);
      if (d === undefined) throw new Unsupported(`functions of a resource ${name} not exported`);
      return d;
    }
    const item = it.exports.get(name);
    if (item?.entity.kind !== "type" || item.entity.created.tag !== "resource") {
      throw new Unsupported(`functions of a resource ${name} not exported`);
    }
    const d = fr.resource(item.entity.created);
    if (d.local === undefined) {
      throw new Unsupported(`it exports functions of the imported resource ${name}`);
    }
    return d;
  }

  /** Puts a `[constructor]`, `[method]` or `[static]` function on a resource's class. */
  attach(d: ResDesc, parsed: ResourceFuncName, f: FuncRef): void {
    const fn = f.hostValue();
    if (parsed.kind === "constructor") {
      this.emit(`${d.rt}.ctor = ${fn};`);
    } else if (parsed.kind === "static") {
      this.emit(`${d.rt}.cls${prop(camelCase(parsed.fn))} = ${fn};`);
    } else {
      const params = Array.from({ length: Math.max(0, f.arity - 1) }, (_, i) => `a${i}`);
      this.emit(
        `${d.rt}.cls.prototype${prop(camelCase(parsed.fn))} = function (${
          params.join(", ")
        }) { return ${fn}(this${params.map((p) => `, ${p}`).join("")}); };`,
      );
    }
  }

  /** The object literal the host gets for an exported instance. */
  instanceObject(
    fr: Frame,
    inst: InstanceRef,
    it: import("../component/mod.ts").InstanceType | undefined,
  ): string {
    if (inst.tag === "host") return inst.expr;
    const entries: string[] = [];
    for (const [n, v] of inst.items) {
      if (v.sort === "func") {
        const parsed = resourceFuncName(n);
        if (parsed !== undefined) {
          this.attach(this.exportedResource(fr, parsed.resource, it), parsed, v.f);
        } else entries.push(`${str(camelCase(n))}: ${v.f.hostValue()}`);
      } else if (v.sort === "instance") {
        const sub = it?.exports.get(n)?.entity;
        entries.push(
          `${str(camelCase(n))}: ${
            this.instanceObject(fr, v.i, sub?.kind === "instance" ? sub.type : undefined)
          }`,
        );
      } else if (v.sort === "type") {
        const t = it?.exports.get(n)?.entity;
        if (t?.kind === "type" && t.created.tag === "resource") {
          const d = fr.resource(t.created);
          if (d.local !== undefined) entries.push(`${str(pascalCase(n))}: ${d.rt}.cls`);
        }
      }
    }
    return `{ ${entries.join(", ")} }`;
  }

  finish(header: string): LeanGlue {
    const used = this.modules.filter((m) => m.used);
    const imports = used.map((m) => `import source ${m.var} from "./${m.path}";`);
    const wasi = [...this.wasiModules].sort();
    const host = this.naming.wasiHost;
    const fs = [...this.naming.wasi].some((n) => n.startsWith("wasi:filesystem/"));
    if (wasi.length > 0) {
      imports.push(
        `import { createWasi as _createWasi${fs ? ", setPreopens as _setPreopens" : ""} } from ${
          str(`${host}/mod.ts`)
        };`,
      );
      for (const m of wasi.filter((m) => m !== "core")) {
        imports.push(`import * as _wasi_${m} from ${str(`${host}/${m}.ts`)};`);
      }
    }
    // A component serving wasi:http gets the host's adapter from `Request` to `Response`.
    const serves = this.naming.exportKeys !== undefined &&
      [...this.naming.exportKeys.keys()].some((n) =>
        n.startsWith("wasi:http/incoming-handler@0.2.")
      );
    if (serves && wasi.includes("http")) {
      imports.push(`export { serveIncoming } from ${str(`${host}/http.ts`)};`);
    }
    const enumConsts = [...this.shared.enums].map(([text, v]) =>
      `const ${v} = Object.freeze(${text});`
    );
    const wasiLine = wasi.length > 0
      ? [
        `  const _wasi = _createWasi(options?.wasi, { exit: (code) => new ComponentError(undefined, "exit", code), extensions: [${
          wasi.filter((m) => m !== "core").map((m) => `_wasi_${m}.extension`).join(", ")
        }] });`,
      ]
      : [];
    const js = [
      header,
      ...imports,
      "",
      RUNTIME,
      ...(this.usesStr16 ? ["", RUNTIME_STR16] : []),
      ...(this.usesResources ? ["", RUNTIME_RESOURCES] : []),
      IMPORT_HELPERS,
      ...enumConsts,
      ...(fs && wasi.length > 0
        ? [
          "",
          "/** Maps guest directories to host directories for instances made without `wasi.preopens`. */",
          "export function setPreopens(preopens) {",
          "  _setPreopens(preopens);",
          "}",
        ]
        : []),
      "",
      "/** Makes a new instance of the component; `imports` supplies its non-WASI imports. */",
      "export function instantiate(imports = {}, options = {}) {",
      ...wasiLine,
      ...this.hostImports,
      ...this.prelude,
      ...this.body,
      `  return { ${this.exportEntries.join(", ")} };`,
      "}",
      "",
    ].join("\n");
    return {
      js,
      modules: used.map((m) => ({ path: m.path, bytes: m.bytes })),
      coreInstances: this.instantiations,
      componentInstances: this.frames,
      wasiModules: wasi.map((m) => `${host}/${m === "core" ? "mod" : m}.ts`),
      servesHttp: serves && wasi.includes("http"),
    };
  }
}

/** A function the host supplies: `call` makes the call expression. */
function hostFunc(call: (args: string[]) => string, t: FuncType): FuncRef {
  const params = t.params.map((_, i) => `a${i}`);
  return {
    call,
    raw: false,
    hostValue: () => `((${params.join(", ")}) => ${call(params)})`,
    arity: t.params.length,
  };
}

function methodCall(args: string[], fn: string): string {
  return `${args[0]}${prop(camelCase(fn))}(${args.slice(1).join(", ")})`;
}

interface ResourceFuncName {
  kind: "constructor" | "method" | "static";
  resource: string;
  fn: string;
}

/** `[method]r.f` → method of `r` named `f`; undefined for a plain name. */
function resourceFuncName(name: string): ResourceFuncName | undefined {
  const m = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(name);
  if (m === null) return undefined;
  return { kind: m[1] as ResourceFuncName["kind"], resource: m[2], fn: m[3] ?? "" };
}

/** The name under which a component exports (or imports) a resource, for its class. */
function resourceName(c: CheckedComponent, id: ResourceId): string | undefined {
  let found: string | undefined;
  const visit = (name: string, e: Entity, depth: number) => {
    if (found !== undefined || depth > 4) return;
    if (e.kind === "type" && e.created.tag === "resource" && e.created.resource === id) {
      found = name;
    } else if (e.kind === "instance") {
      for (const [n, item] of e.type.exports) visit(n, item.entity, depth + 1);
    }
  };
  for (const [n, item] of c.type.exports) visit(n, item.entity, 0);
  if (found === undefined) {
    // Exported only through an instance made in the component.
    for (const it of c.scope.instances) {
      for (const [n, item] of it.exports) visit(n, item.entity, 1);
    }
  }
  return found;
}

/** The checked entity of an item of a frame's index spaces. */
function entityOf(fr: Frame, sort: Sort, index: number): Entity | undefined {
  const s = fr.scope;
  switch (sort) {
    case "func":
      return { kind: "func", type: s.funcs[index] };
    case "instance":
      return { kind: "instance", type: s.instances[index] };
    case "type": {
      const t = s.types[index];
      return { kind: "type", referenced: t, created: t };
    }
    default:
      return undefined;
  }
}

/**
 * Walks two entities of the same shape side by side and reports each pair of resource types
 * found at the same place (`a`'s and `b`'s identities).
 */
function pairEntity(a: Entity, b: Entity, pair: (a: ResourceId, b: ResourceId) => void): void {
  const seen = new Set<unknown>();
  const ty = (x: ValType | undefined, y: ValType | undefined) => {
    if (x === undefined || y === undefined || typeof x === "string" || typeof y === "string") {
      return;
    }
    if (seen.has(x)) return;
    seen.add(x);
    const p = x.def, q = y.def;
    if (p.k !== q.k) return;
    switch (p.k) {
      case "own":
      case "borrow":
        pair(p.resource.resource, (q as typeof p).resource.resource);
        return;
      case "record":
        p.fields.forEach((f, i) => ty(f.type, (q as typeof p).fields[i]?.type));
        return;
      case "variant":
        p.cases.forEach((c, i) => ty(c.type, (q as typeof p).cases[i]?.type));
        return;
      case "tuple":
        p.types.forEach((t, i) => ty(t, (q as typeof p).types[i]));
        return;
      case "list":
        ty(p.element, (q as typeof p).element);
        return;
      case "option":
        ty(p.type, (q as typeof p).type);
        return;
      case "result":
        ty(p.ok, (q as typeof p).ok);
        ty(p.err, (q as typeof p).err);
        return;
      default:
        return;
    }
  };
  const ent = (x: Entity, y: Entity) => {
    if (x.kind !== y.kind) return;
    if (seen.has(x)) return;
    seen.add(x);
    switch (x.kind) {
      case "type": {
        const p = x.created, q = (y as typeof x).created;
        if (p.tag === "resource" && q.tag === "resource") pair(p.resource, q.resource);
        else if (p.tag === "defined" && q.tag === "defined") ty(p, q);
        return;
      }
      case "instance":
        for (const [n, item] of x.type.exports) {
          const other = (y as typeof x).type.exports.get(n);
          if (other !== undefined) ent(item.entity, other.entity);
        }
        return;
      case "func": {
        const g = (y as typeof x).type;
        x.type.params.forEach((p, i) => ty(p.type, g.params[i]?.type));
        ty(x.type.result, g.result);
        return;
      }
      default:
        return;
    }
  };
  ent(a, b);
}

const IMPORT_HELPERS = `function _import(imports, key, name) {
  const v = imports?.[key];
  if (v === null || (typeof v !== "object" && typeof v !== "function")) {
    throw new TypeError(\`missing import \${key} (\${name}): pass it to instantiate({ \${key}: { … } })\`);
  }
  return v;
}

function _importFn(imports, key, name) {
  const v = imports?.[key];
  if (typeof v !== "function") {
    throw new TypeError(\`missing import \${key} (\${name}): pass a function to instantiate({ \${key} })\`);
  }
  return v;
}

function _member(obj, fn, key, name) {
  if (typeof obj[fn] !== "function") {
    throw new TypeError(\`missing import \${key}.\${fn} (\${name}#\${fn}): not a function\`);
  }
}

function _static(cls, fn, key, name) {
  if (typeof cls?.[fn] !== "function") {
    throw new TypeError(\`missing import \${key} static function \${fn} (\${name}): not a function\`);
  }
}

/** A host function's return value as a \`result\`: a \`{ tag, val }\` as it is, else \`ok\`. */
function _hostOk(r) {
  if (r !== null && typeof r === "object" && (r.tag === "ok" || r.tag === "err")) return r;
  return { tag: "ok", val: r };
}

/** What a host function threw, as the \`err\` of a \`result\` (an Error without \`payload\` traps). */
function _hostErr(e) {
  if (e !== null && typeof e === "object" && Object.hasOwn(e, "payload")) {
    return { tag: "err", val: e.payload };
  }
  if (e instanceof Error) throw e;
  return { tag: "err", val: e };
}
`;

function checkFuncType(t: FuncType, where: string): void {
  if (t.async) throw new Unsupported(`${where} is async`);
  for (const p of t.params) checkSupported(p.type, where);
  if (t.result !== undefined) checkSupported(t.result, where);
}

function isTopResult(t: FuncType): boolean {
  const r = t.result;
  return r !== undefined && typeof r !== "string" && r.def.k === "result";
}

/** Whether lowering a value of the type touches the instance's state (memory or handles). */
function needsInstance(t: ValType): boolean {
  if (containsPointer(t)) return true;
  return hasHandle(t);
}

function hasHandle(t: ValType | undefined): boolean {
  if (t === undefined || typeof t === "string") return false;
  const k = kindOf(t);
  if (typeof k === "string") return false;
  switch (k.k) {
    case "own":
    case "borrow":
      return true;
    case "record":
      return k.fields.some((f) => hasHandle(f.type));
    case "tuple":
      return k.types.some(hasHandle);
    case "list":
      return hasHandle(k.element);
    case "option":
      return hasHandle(k.type);
    case "result":
      return hasHandle(k.ok) || hasHandle(k.err);
    case "variant":
      return k.cases.some((c) => hasHandle(c.type));
    default:
      return false;
  }
}

/** Whether a type holds a `borrow` of a resource this instance does not implement. */
function hasForeignBorrow(t: ValType | undefined, fr: Frame): boolean {
  if (t === undefined || typeof t === "string") return false;
  const k = kindOf(t);
  if (typeof k === "string") return false;
  switch (k.k) {
    case "borrow":
      return fr.resource(k.resource).local !== fr;
    case "record":
      return k.fields.some((f) => hasForeignBorrow(f.type, fr));
    case "tuple":
      return k.types.some((x) => hasForeignBorrow(x, fr));
    case "list":
      return hasForeignBorrow(k.element, fr);
    case "option":
      return hasForeignBorrow(k.type, fr);
    case "result":
      return hasForeignBorrow(k.ok, fr) || hasForeignBorrow(k.err, fr);
    case "variant":
      return k.cases.some((c) => hasForeignBorrow(c.type, fr));
    default:
      return false;
  }
}

/**
 * A lifted function: a JavaScript function that lowers its arguments, calls the core function,
 * lifts the result and calls post-return, guarding the instance against re-entry and use after a
 * trap. The host form throws a `result`'s `err` as a ComponentError and turns anything that
 * unwinds out of the component into one (a trap); the raw form, which other components of a
 * composition call, returns the `result` as a value and lets errors through.
 */
function liftFunction(name: string, l: Lift, host: boolean, shared: SharedConsts): string[] {
  const { type: t, core, opts: o, frame: fr } = l;
  const ctx = fr.ctx(o.encoding);
  const g = new FnGen(o.memory, o.view, o.realloc, "ArgumentError", shared, "      ", ctx);
  const params = t.params.map((_, i) => `a${i}`);
  const flatParams = t.params.flatMap((p) => flatten(p.type));
  const flatResults = t.result === undefined ? [] : flatten(t.result);
  let args: string[];
  if (flatParams.length > MAX_FLAT_PARAMS) {
    // Arguments go through memory as a tuple the core function receives a pointer to.
    const types = t.params.map((p) => p.type);
    const tuple = { tag: "defined", def: { k: "tuple", types } } as const;
    const { size, align } = layout(tuple);
    const p = g.alloc(align, String(size));
    store(g, tuple, `[${params.join(", ")}]`, p, '"arguments"');
    args = [p];
  } else {
    args = t.params.flatMap((p, i) => lowerFlat(g, p.type, params[i], str(p.name)));
  }
  // Arguments that need neither memory nor handles are checked and converted before the instance
  // is entered; the others are lowered inside it (realloc runs Wasm), where a wrong value still
  // leaves the instance usable (ArgumentError) but a trap does not.
  const pre = g.lines.splice(0);
  const needsTry = flatParams.length > MAX_FLAT_PARAMS ||
    t.params.some((p) => needsInstance(p.type));
  const lowering = needsTry ? pre : [];
  const checks = needsTry ? [] : pre;
  const borrows = t.params.some((p) => hasForeignBorrow(p.type, fr));
  const r = "r";
  const call = `${core}(${args.join(", ")})`;
  let result: string | undefined;
  const g2 = new FnGen(o.memory, o.view, o.realloc, "TypeError", shared, "      ", ctx)
    .continueFrom(g);
  if (t.result !== undefined) {
    if (flatResults.length > MAX_FLAT_RESULTS) {
      g2.refresh();
      result = load(g2, t.result, r);
    } else {
      result = liftFlat(g2, t.result, plainCursor([r]));
    }
  }
  const after = g2.lines;
  const usesView = g.usesView || g2.usesView;
  const hasResult = t.result !== undefined;
  const topResult = hasResult && isTopResult(t);
  const st = fr.st;
  // `st` is 1 from entry until the call returns: a trap (any exception out of Wasm) leaves it
  // at 1, so the instance refuses later calls, and an import calling back finds it busy.
  const lines: string[] = [];
  lines.push(`  function ${name}(${params.join(", ")}) {`);
  for (const line of checks) lines.push(line.replace(/^ {6}/, "    "));
  lines.push(`    if (${st} !== 0) _enter();`);
  lines.push(`    ${st} = 1;`);
  const value = hasResult ? (flatResults.length === 0 ? "undefined" : result!) : undefined;
  const post = o.post !== undefined ? `${o.post}(${flatResults.length > 0 ? r : ""});` : undefined;
  const body: string[] = [];
  if (usesView) body.push(`let v = ${o.view}();`);
  body.push(...lowering.map((x) => x.replace(/^ {6}/, "")));
  body.push(`const ${r} = ${call};`);
  if (borrows) {
    const tb = fr.table();
    body.push(
      `if (${tb}.nb !== 0) { ${tb}.nb = 0; throw _trap("a borrowed handle was not dropped before the call returned"); }`,
    );
  }
  if (hasResult) body.push(...after.map((x) => x.replace(/^ {6}/, "")), `ret = ${value};`);
  if (post) body.push(post);
  if (needsTry || host) {
    if (hasResult) lines.push(`    let ret;`);
    lines.push(`    try {`);
    for (const b of body) lines.push(`      ${b}`);
    lines.push(`    } catch (e) {`);
    if (needsTry) lines.push(`      if (e instanceof ArgumentError) { ${st} = 0; throw e; }`);
    lines.push(host ? `      throw _trapped(e);` : `      throw e;`);
    lines.push(`    }`);
  } else {
    if (hasResult) lines.push(`    let ret;`);
    for (const b of body) lines.push(`    ${b}`);
  }
  lines.push(`    ${st} = 0;`);
  if (topResult && host) {
    // An `err` result is a value, not a trap: the instance stays usable.
    lines.push(`    if (ret.tag === "err") throw new ComponentError(ret.val);`);
    lines.push(`    return ret.val;`);
  } else if (hasResult) lines.push(`    return ret;`);
  lines.push(`  }`);
  return lines;
}

/**
 * An import, as the core function the component calls: lifts the core arguments, calls the
 * function (the host's, or another component's) and lowers its result.
 */
function lowerFunction(
  name: string,
  f: FuncRef,
  t: FuncType,
  fr: Frame,
  o: Opts,
  shared: SharedConsts,
): string[] {
  const g = new FnGen(o.memory, o.view, o.realloc, "TypeError", shared, "    ", fr.ctx(o.encoding));
  const flatParams = t.params.flatMap((p) => flatten(p.type));
  const flatResults = t.result === undefined ? [] : flatten(t.result);
  const coreParams: string[] = [];
  let args: string[];
  if (flatParams.length > MAX_FLAT_PARAMS) {
    coreParams.push("a0");
    const types = t.params.map((p) => p.type);
    const tuple = { tag: "defined", def: { k: "tuple", types } } as const;
    const tv = load(g, tuple, "a0");
    const tt = g.tmp("args");
    g.emit(`const ${tt} = ${tv};`);
    args = t.params.map((_, i) => `${tt}[${i}]`);
  } else {
    flatParams.forEach((_, i) => coreParams.push(`a${i}`));
    const cur = plainCursor(coreParams.slice());
    args = t.params.map((p) => {
      const e = liftFlat(g, p.type, cur);
      const v = g.tmp("x");
      g.emit(`const ${v} = ${e};`);
      return v;
    });
  }
  const retptr = flatResults.length > MAX_FLAT_RESULTS;
  if (retptr) coreParams.push("retptr");
  const call = f.call(args);
  const lent = g.lent.splice(0);
  const unlend = lent.map((x) => `_unlend(${x});`);
  let ret: string[] = [];
  if (t.result === undefined) {
    if (unlend.length > 0) {
      g.emit(`try { ${call}; } finally { ${unlend.join(" ")} }`);
    } else g.emit(`${call};`);
  } else {
    const hv = g.tmp("h");
    if (isTopResult(t) && !f.raw) {
      g.emit(`let ${hv};`);
      g.emit(`try { ${hv} = _hostOk(${call}); } catch (e) { ${hv} = _hostErr(e); }`);
    } else g.emit(`const ${hv} = ${call};`);
    if (unlend.length > 0) g.emit(unlend.join(" "));
    if (retptr) {
      g.refresh();
      store(g, t.result, hv, "retptr", '"the result"');
    } else {
      ret = lowerFlat(g, t.result, hv, '"the result"');
    }
  }
  const lines = [`  function ${name}(${coreParams.join(", ")}) {`];
  if (g.usesView) lines.push(`    let v = ${o.view}();`);
  lines.push(...g.lines);
  if (ret.length === 1) lines.push(`    return ${ret[0]};`);
  lines.push(`  }`);
  return lines;
}

export type { ComponentAst };
