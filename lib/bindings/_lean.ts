/**
 * The lean glue generator: for a component whose top level is core modules, core instances,
 * aliases and `canon lift`/`canon lower` of functions over value types (no nested components, no
 * resources, no async, UTF-8 strings), it writes an ES module that instantiates the core modules
 * with `new WebAssembly.Instance` (modules come from `import source`, compiled by Deno's loader)
 * and converts values with code specialised per function (`_lean_values.ts`).
 *
 * It walks the component's definitions in binary order, keeping the index spaces the way the
 * component model defines them, and emits one JavaScript statement per definition that matters at
 * run time. Anything it does not cover throws {@link Unsupported}; the caller then uses jco.
 */
import type {
  CanonOption,
  ComponentAst,
  CoreSort,
  DecodedWasm,
  FuncType,
  Sort,
} from "../component/mod.ts";
import { containsPointer, flatten, layout, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from "./_abi.ts";
import {
  checkSupported,
  FnGen,
  liftFlat,
  load,
  lowerFlat,
  plainCursor,
  RUNTIME,
  type SharedConsts,
  store,
  Unsupported,
} from "./_lean_values.ts";
import { camelCase, prop, str } from "./_names.ts";

/** How the glue reaches the user's imports and names the exports. */
export interface LeanNaming {
  /** Import extern name → key in the user's `imports` object. */
  importKeys: Map<string, string>;
  /** Export extern name → key in the returned exports object. */
  exportKeys: Map<string, string>;
}

/** The generated glue: its JavaScript and the core modules it imports (`_core<N>.wasm`). */
export interface LeanGlue {
  js: string;
  modules: { path: string; bytes: Uint8Array }[];
  /** How many core modules are instantiated. */
  coreInstances: number;
}

/** A component-level function: a JS expression evaluating to a JS function, and its type. */
interface FuncRef {
  expr: string;
  type: FuncType;
  /** For a function of an imported instance: the instance and the function's name. */
  member?: { inst: InstanceRef & { tag: "import" }; name: string };
}

/** A component-level instance: an imported one (its key) or a bag of items. */
type InstanceRef =
  | { tag: "import"; name: string; key: string; expr: string }
  | { tag: "bag"; funcs: Map<string, FuncRef>; instances: Map<string, InstanceRef> };

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
  const ast = decoded.ast as ComponentAst;
  const scope = decoded.checked.scope;
  if (ast.components.length > 0) {
    throw new Unsupported("it contains nested components (a composition)");
  }
  // Without lowered imports no JavaScript runs while the component does, so finding the instance
  // busy can only mean it trapped earlier: the error says so.
  const canCallOut = ast.definitions.some((d) => d.tag === "canon" && d.canon.tag === "lower");

  const shared: SharedConsts = { enums: new Map() };
  const body: string[] = [];
  const emit = (line: string) => body.push(`  ${line}`);
  const modules: { path: string; bytes: Uint8Array }[] = [];
  const moduleVars: string[] = [];
  const usedModules = new Set<number>();

  // Core index spaces: JS expressions.
  const coreFuncs: string[] = [];
  const coreMemories: string[] = [];
  const coreTables: string[] = [];
  const coreGlobals: string[] = [];
  const coreInstances: string[] = [];
  let instantiations = 0;
  // Component index spaces.
  const funcs: FuncRef[] = [];
  const instances: InstanceRef[] = [];
  const userImports: string[] = [];
  const exportEntries: string[] = [];
  const viewFns = new Map<string, string>();
  let tmp = 0;
  const fresh = (p: string) => `${p}${tmp++}`;

  const coreSpace = (sort: CoreSort | Sort): string[] => {
    switch (sort) {
      case "func":
      case "core func":
        return coreFuncs;
      case "memory":
      case "core memory":
        return coreMemories;
      case "table":
      case "core table":
        return coreTables;
      case "global":
      case "core global":
        return coreGlobals;
      default:
        throw new Unsupported(`core ${sort} items are not supported`);
    }
  };

  const viewOf = (memory: string): string => {
    let v = viewFns.get(memory);
    if (v === undefined) {
      v = `_view${viewFns.size}`;
      viewFns.set(memory, v);
      emit(`const ${v} = _view(${memory});`);
    }
    return v;
  };

  const options = (opts: CanonOption[]) => {
    let memory: string | undefined, realloc: string | undefined, post: string | undefined;
    for (const o of opts) {
      switch (o.tag) {
        case "memory":
          memory = coreMemories[o.index];
          break;
        case "realloc":
          realloc = coreFuncs[o.index];
          break;
        case "post-return":
          post = coreFuncs[o.index];
          break;
        case "string-encoding":
          if (o.encoding !== "utf8") throw new Unsupported(`strings are ${o.encoding}`);
          break;
        default:
          throw new Unsupported(`canonical option ${o.tag}`);
      }
    }
    return { memory, realloc, post };
  };

  for (const def of ast.definitions) {
    switch (def.tag) {
      case "type":
      case "core-type":
        break;
      case "core-module": {
        const i = moduleVars.length;
        moduleVars.push(`_m${i}`);
        modules.push({
          path: `_core${i}.wasm`,
          bytes: bytes.slice(def.module.range.start, def.module.range.end),
        });
        break;
      }
      case "core-instance": {
        const d = def.def;
        const v = `ci${coreInstances.length}`;
        if (d.tag === "instantiate") {
          usedModules.add(d.module);
          const args = d.args.map((a) => `${str(a.name)}: ${coreInstances[a.instance]}`);
          emit(
            `const ${v} = new WebAssembly.Instance(${moduleVars[d.module]}, { ${
              args.join(", ")
            } }).exports;`,
          );
          instantiations++;
        } else {
          const items = d.exports.map((e) => `${str(e.name)}: ${coreSpace(e.sort)[e.index]}`);
          emit(`const ${v} = { ${items.join(", ")} };`);
        }
        coreInstances.push(v);
        break;
      }
      case "alias": {
        const a = def.alias;
        if (a.target.tag === "core-export") {
          const space = coreSpace(a.sort);
          const v = fresh("c");
          emit(`const ${v} = ${coreInstances[a.target.instance]}${prop(a.target.name)};`);
          space.push(v);
        } else if (a.target.tag === "export") {
          const inst = instances[a.target.instance];
          if (a.sort === "func") {
            funcs.push(instanceFunc(inst, a.target.name, scope.funcs[funcs.length]));
          } else if (a.sort === "instance") {
            const sub = inst.tag === "bag" ? inst.instances.get(a.target.name) : undefined;
            if (sub === undefined) throw new Unsupported("an instance nested in an import");
            instances.push(sub);
          } else if (a.sort !== "type") {
            throw new Unsupported(`aliases of ${a.sort}`);
          }
        } else if (a.sort !== "type" && a.sort !== "core type") {
          throw new Unsupported(`outer aliases of ${a.sort}`);
        }
        break;
      }
      case "import": {
        const imp = def.import;
        const name = imp.name.name;
        const key = naming.importKeys.get(name);
        switch (imp.desc.kind) {
          case "instance": {
            if (key === undefined) {
              instances.push({ tag: "bag", funcs: new Map(), instances: new Map() });
              break;
            }
            const v = `imp${instances.length}`;
            userImports.push(`  const ${v} = _import(imports, ${str(key)}, ${str(name)});`);
            instances.push({ tag: "import", name, key, expr: v });
            break;
          }
          case "func": {
            if (name.startsWith("[")) throw new Unsupported("it uses resources");
            if (key === undefined) throw new Unsupported(`the import ${name} has no key`);
            const v = `imp${instances.length}_${funcs.length}`;
            userImports.push(
              `  const ${v} = _importFn(imports, ${str(key)}, ${str(name)});`,
            );
            funcs.push({ expr: v, type: scope.funcs[funcs.length] });
            break;
          }
          case "type":
            break;
          default:
            throw new Unsupported(`imports of ${imp.desc.kind}`);
        }
        break;
      }
      case "canon": {
        const c = def.canon;
        if (c.tag === "lift") {
          const t = scope.funcs[funcs.length];
          const name = `lift${funcs.length}`;
          const o = options(c.options);
          const core = coreFuncs[c.coreFunc];
          const view = o.memory !== undefined ? viewOf(o.memory) : undefined;
          body.push(...liftFunction(name, t, core, o, view, shared));
          funcs.push({ expr: name, type: t });
        } else if (c.tag === "lower") {
          const f = funcs[c.func];
          const o = options(c.options);
          const view = o.memory !== undefined ? viewOf(o.memory) : undefined;
          const name = `lower${coreFuncs.length}`;
          body.push(...lowerFunction(name, f, o, view, shared));
          coreFuncs.push(name);
        } else {
          throw new Unsupported(`the canonical built-in ${c.name}`);
        }
        break;
      }
      case "instance": {
        const d = def.def;
        if (d.tag === "instantiate") throw new Unsupported("it instantiates components");
        const bag: InstanceRef = { tag: "bag", funcs: new Map(), instances: new Map() };
        for (const e of d.exports) {
          if (e.item.sort === "func") bag.funcs.set(e.name.name, funcs[e.item.index]);
          else if (e.item.sort === "instance") {
            bag.instances.set(e.name.name, instances[e.item.index]);
          } else if (e.item.sort !== "type") {
            throw new Unsupported(`instances exporting ${e.item.sort}`);
          }
        }
        instances.push(bag);
        break;
      }
      case "export": {
        const e = def.export;
        const name = e.name.name;
        const key = naming.exportKeys.get(name);
        if (e.item.sort === "func") {
          const f = funcs[e.item.index];
          funcs.push(f);
          if (key !== undefined) exportEntries.push(`${str(key)}: ${f.expr}`);
        } else if (e.item.sort === "instance") {
          const inst = instances[e.item.index];
          instances.push(inst);
          if (key !== undefined) exportEntries.push(`${str(key)}: ${instanceObject(inst)}`);
        } else if (e.item.sort !== "type") {
          throw new Unsupported(`exports of ${e.item.sort}`);
        }
        break;
      }
      case "start":
        throw new Unsupported("it has a start function");
      case "value":
        throw new Unsupported("it has value definitions");
      case "component":
        throw new Unsupported("it contains nested components (a composition)");
    }
  }

  const imports = moduleVars.flatMap((v, i) =>
    usedModules.has(i) ? [`import source ${v} from "./_core${i}.wasm";`] : []
  );
  const enumConsts = [...shared.enums].map(([text, v]) => `const ${v} = Object.freeze(${text});`);
  const js = [
    header,
    ...imports,
    "",
    RUNTIME,
    IMPORT_HELPERS,
    ...enumConsts,
    "",
    "/** Makes a new instance of the component; `imports` supplies its non-WASI imports. */",
    "export function instantiate(imports = {}) {",
    ...userImports,
    "  let st = 0;",
    "  const _enter = () => {",
    canCallOut
      ? '    throw new Error("component instance cannot be entered: it is running (an import called back into it, which the component model forbids: it cannot be re-entered) or it trapped earlier (then make a new instance)");'
      : '    throw new Error("component instance trapped earlier and cannot be used again; make a new instance");',
    "  };",
    ...body,
    `  return { ${exportEntries.join(", ")} };`,
    "}",
    "",
  ].join("\n");
  return {
    js,
    modules: modules.filter((_, i) => usedModules.has(i)),
    coreInstances: instantiations,
  };
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

function _hostResult(f) {
  try {
    const r = f();
    if (r !== null && typeof r === "object" && (r.tag === "ok" || r.tag === "err")) return r;
    return { tag: "ok", val: r };
  } catch (e) {
    if (e !== null && typeof e === "object" && Object.hasOwn(e, "payload")) {
      return { tag: "err", val: e.payload };
    }
    if (e instanceof Error) throw e;
    return { tag: "err", val: e };
  }
}
`;

function instanceFunc(inst: InstanceRef, name: string, type: FuncType): FuncRef {
  if (inst.tag === "bag") {
    const f = inst.funcs.get(name);
    if (f === undefined) throw new Unsupported(`an alias of a missing function ${name}`);
    return f;
  }
  // A function of an imported instance: called as a method of the user's object.
  return { expr: `${inst.expr}${prop(camelCase(name))}`, type, member: { inst, name } };
}

function instanceObject(inst: InstanceRef): string {
  if (inst.tag === "import") return inst.expr;
  const entries = [...inst.funcs].map(([n, f]) => `${str(camelCase(n))}: ${f.expr}`);
  for (const [n, i] of inst.instances) entries.push(`${str(camelCase(n))}: ${instanceObject(i)}`);
  return `{ ${entries.join(", ")} }`;
}

function checkFuncType(t: FuncType, where: string): void {
  if (t.async) throw new Unsupported(`${where} is async`);
  for (const p of t.params) checkSupported(p.type, where);
  if (t.result !== undefined) checkSupported(t.result, where);
}

function isTopResult(t: FuncType): boolean {
  const r = t.result;
  return r !== undefined && typeof r !== "string" && r.def.k === "result";
}

/**
 * An export: a JavaScript function that lowers its arguments, calls the core function, lifts the
 * result and calls post-return, guarding the instance against re-entry and use after a trap.
 */
function liftFunction(
  name: string,
  t: FuncType,
  core: string,
  o: { memory?: string; realloc?: string; post?: string },
  view: string | undefined,
  shared: SharedConsts,
): string[] {
  checkFuncType(t, "an export");
  const g = new FnGen(o.memory, view, o.realloc, "ArgumentError", shared, "      ");
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
  // Arguments that need no memory are checked and converted before the instance is entered;
  // the others are lowered inside it (realloc runs Wasm), where a wrong value still leaves the
  // instance usable (ArgumentError) but a trap does not.
  const pre = g.lines.splice(0);
  const needsTry = flatParams.length > MAX_FLAT_PARAMS ||
    t.params.some((p) => containsPointer(p.type));
  const lowering = needsTry ? pre : [];
  const checks = needsTry ? [] : pre;
  const r = "r";
  const call = `${core}(${args.join(", ")})`;
  let result: string | undefined;
  const after: string[] = [];
  const g2 = new FnGen(o.memory, view, o.realloc, "TypeError", shared, "      ").continueFrom(g);
  if (t.result !== undefined) {
    if (flatResults.length > MAX_FLAT_RESULTS) {
      g2.refresh();
      result = load(g2, t.result, r);
    } else {
      result = liftFlat(g2, t.result, plainCursor([r]));
    }
  }
  after.push(...g2.lines);
  const usesView = g.usesView || g2.usesView;
  const hasResult = t.result !== undefined;
  const topResult = hasResult && isTopResult(t);
  // `st` is 1 from entry until the call returns: a trap (any exception out of Wasm) leaves it
  // at 1, so the instance refuses later calls, and an import calling back finds it busy. No
  // try/catch around the core call, because one keeps V8 from inlining the call into the caller
  // (a scalar call then costs about what calling the core export does). Only lowering that runs
  // realloc has a try, so that a wrong argument found halfway leaves the instance usable.
  const lines: string[] = [];
  lines.push(`  function ${name}(${params.join(", ")}) {`);
  for (const l of checks) lines.push(l.replace(/^ {6}/, "    "));
  lines.push(`    if (st !== 0) _enter();`);
  lines.push(`    st = 1;`);
  const value = hasResult ? (flatResults.length === 0 ? "undefined" : result!) : undefined;
  const post = o.post !== undefined ? `${o.post}(${flatResults.length > 0 ? r : ""});` : undefined;
  if (needsTry) {
    if (hasResult) lines.push(`    let ret;`);
    lines.push(`    try {`);
    if (usesView) lines.push(`      let v = ${view}();`);
    lines.push(...lowering);
    lines.push(`      const ${r} = ${call};`);
    if (hasResult) lines.push(...after, `      ret = ${value};`);
    if (post) lines.push(`      ${post}`);
    lines.push(`    } catch (e) {`);
    lines.push(`      if (e instanceof ArgumentError) st = 0;`);
    lines.push(`      throw e;`);
    lines.push(`    }`);
  } else {
    if (usesView) lines.push(`    let v = ${view}();`);
    lines.push(`    const ${r} = ${call};`);
    if (hasResult) {
      for (const l of after) lines.push(l.replace(/^ {6}/, "    "));
      lines.push(`    const ret = ${value};`);
    }
    if (post) lines.push(`    ${post}`);
  }
  lines.push(`    st = 0;`);
  if (topResult) {
    // An `err` result is a value, not a trap: the instance stays usable.
    lines.push(`    if (ret.tag === "err") throw new ComponentError(ret.val);`);
    lines.push(`    return ret.val;`);
  } else if (hasResult) lines.push(`    return ret;`);
  lines.push(`  }`);
  return lines;
}

/**
 * An import, as the core function the component calls: lifts the core arguments, calls the
 * user's JavaScript function and lowers its result.
 */
function lowerFunction(
  name: string,
  f: FuncRef,
  o: { memory?: string; realloc?: string },
  view: string | undefined,
  shared: SharedConsts,
): string[] {
  const t = f.type;
  checkFuncType(t, "an import");
  const g = new FnGen(o.memory, view, o.realloc, "TypeError", shared, "    ");
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
  const call = `${f.expr}(${args.join(", ")})`;
  let ret: string[] = [];
  if (t.result === undefined) {
    g.emit(`${call};`);
  } else {
    const hv = g.tmp("h");
    if (isTopResult(t)) g.emit(`const ${hv} = _hostResult(() => ${call});`);
    else g.emit(`const ${hv} = ${call};`);
    if (retptr) {
      g.refresh();
      store(g, t.result, hv, "retptr", '"the result"');
    } else {
      ret = lowerFlat(g, t.result, hv, '"the result"');
    }
  }
  const lines = [`  function ${name}(${coreParams.join(", ")}) {`];
  if (g.usesView) lines.push(`    let v = ${view}();`);
  lines.push(...g.lines);
  if (ret.length === 1) lines.push(`    return ${ret[0]};`);
  lines.push(`  }`);
  if (f.member !== undefined) {
    const { inst, name: fn } = f.member;
    lines.unshift(
      `  _member(${inst.expr}, ${str(camelCase(fn))}, ${str(inst.key)}, ${str(inst.name)});`,
    );
  }
  return lines;
}
