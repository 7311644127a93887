/**
 * TypeScript declarations for a component's world, from the WIT model: one named type per WIT
 * type the user can meet, an `Imports` interface (what `instantiate` must be given) and an
 * `Exports` interface (what it returns). Values are described the way jco and the lean glue
 * represent them (see `_lean_values.ts`), so the same declarations fit both kinds of glue.
 */
import {
  type Function as WitFunction,
  type Interface,
  isPrimitive,
  type Resolve,
  type Type,
  type TypeId,
  type WorldId,
  worldKeyName,
} from "../wit/mod.ts";
import { camelCase, jsIdent, key, pascalCase } from "./_names.ts";

/** TS names the declarations themselves use or declare, which WIT types must not take. */
const RESERVED_TYPES = [
  "Imports",
  "Exports",
  "Option",
  "Result",
  "ComponentError",
  "Array",
  "Uint8Array",
  "Int8Array",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "BigUint64Array",
  "BigInt64Array",
  "Float32Array",
  "Float64Array",
  "Error",
  "Record",
  "Promise",
  "Partial",
  "Symbol",
  "Object",
  "String",
  "Number",
  "Boolean",
  "BigInt",
  "Function",
  "WebAssembly",
];

const TYPED: Partial<Record<string, string>> = {
  u8: "Uint8Array",
  s8: "Int8Array",
  u16: "Uint16Array",
  s16: "Int16Array",
  u32: "Uint32Array",
  s32: "Int32Array",
  u64: "BigUint64Array",
  s64: "BigInt64Array",
  f32: "Float32Array",
  f64: "Float64Array",
};

/** The user-facing world items, with the keys they have in `Imports` and `Exports`. */
export interface TsSurfaceInput {
  resolve: Resolve;
  world: WorldId;
  /** Extern name → key, for the imports the user supplies. Other imports are not in `Imports`. */
  importKeys: Map<string, string>;
  /** Extern name → key, for the exports. */
  exportKeys: Map<string, string>;
}

/** The declarations, and what `Exports` has at its top level. */
export interface TsSurface {
  /** Type declarations, `Imports` and `Exports` (TypeScript source, no imports). */
  text: string;
  /** Keys of `Exports`, in world order. */
  exportKeys: string[];
}

function docComment(docs: string | undefined, indent: string, extra: string[] = []): string[] {
  const lines = [...(docs ?? "").split("\n").filter((l, i, a) => l !== "" || i < a.length - 1)];
  const all = [...(docs ? lines : []), ...extra];
  if (all.length === 0) return [];
  if (all.length === 1) return [`${indent}/** ${all[0].replaceAll("*/", "*\\/")} */`];
  return [
    `${indent}/**`,
    ...all.map((l) => `${indent} *${l ? ` ${l.replaceAll("*/", "*\\/")}` : ""}`),
    `${indent} */`,
  ];
}

/** Builds the declarations. */
export function tsDeclarations(input: TsSurfaceInput): TsSurface {
  const { resolve } = input;
  const world = resolve.worlds[input.world];
  const out: string[] = [];
  const names = new Map<TypeId, string>();
  const needed = new Set<TypeId>();
  let usesOption = false, usesResult = false;

  // Follows `use` aliases (a `type` definition with the same name as its target) to the target.
  const canonical = (id: TypeId): TypeId => {
    let cur = id;
    for (let i = 0; i < resolve.types.length; i++) {
      const d = resolve.types[cur];
      if (d.kind.tag !== "type" || isPrimitive(d.kind.type)) return cur;
      const target = resolve.types[d.kind.type];
      if (target.name === undefined || target.name !== d.name) return cur;
      cur = d.kind.type;
    }
    return cur;
  };

  const visit = (t: Type | undefined): void => {
    if (t === undefined || isPrimitive(t)) return;
    const id = canonical(t);
    const d = resolve.types[id];
    if (d.name !== undefined) {
      if (needed.has(id)) return;
      needed.add(id);
    }
    const k = d.kind;
    switch (k.tag) {
      case "record":
        k.fields.forEach((f) => visit(f.type));
        break;
      case "tuple":
        k.types.forEach(visit);
        break;
      case "variant":
        k.cases.forEach((c) => visit(c.type));
        break;
      case "option":
      case "list":
      case "type":
        visit(k.tag === "list" ? k.element : k.type);
        break;
      case "result":
        visit(k.ok);
        visit(k.err);
        break;
      case "handle":
        visit(k.resource);
        break;
      case "map":
        visit(k.key);
        visit(k.value);
        break;
      case "fixed-length-list":
        visit(k.element);
        break;
      case "future":
      case "stream":
        visit(k.type);
        break;
      default:
        break;
    }
  };
  const visitFunc = (f: WitFunction) => {
    f.params.forEach((p) => visit(p.type));
    visit(f.result);
  };
  const visitInterface = (iface: Interface) => {
    for (const id of iface.types.values()) visit(id);
    for (const f of iface.functions.values()) visitFunc(f);
  };

  type Entry = {
    name: string;
    key: string;
    item: typeof world.imports extends Map<unknown, infer V> ? V : never;
  };
  const imports: Entry[] = [];
  const exports: Entry[] = [];
  for (const [wk, item] of world.imports) {
    const name = worldKeyName(resolve, wk);
    const k = input.importKeys.get(name);
    if (k !== undefined) imports.push({ name, key: k, item });
  }
  for (const [wk, item] of world.exports) {
    const name = worldKeyName(resolve, wk);
    const k = input.exportKeys.get(name);
    if (k !== undefined) exports.push({ name, key: k, item });
  }
  for (const e of [...imports, ...exports]) {
    if (e.item.tag === "interface") visitInterface(resolve.interfaces[e.item.id]);
    else if (e.item.tag === "function") visitFunc(e.item.func);
    else visit(e.item.id);
  }

  // Names: the type's own name, qualified by its interface, then by its package, then numbered.
  const ids = [...needed].sort((a, b) => a - b);
  const candidates = (id: TypeId): string[] => {
    const d = resolve.types[id];
    const base = d.name!;
    const out = [pascalCase(base)];
    const owner = d.owner;
    if (owner !== null && "interface" in owner) {
      const iface = resolve.interfaces[owner.interface];
      if (iface.name !== undefined) out.push(pascalCase(`${iface.name}-${base}`));
      if (iface.package !== undefined) {
        const p = resolve.packages[iface.package].name;
        out.push(pascalCase(`${p.namespace}-${p.name}-${iface.name ?? ""}-${base}`));
      }
    }
    out.push(`${pascalCase(base)}${id}`);
    return out;
  };
  const all = ids.map(candidates);
  const taken = new Set(RESERVED_TYPES);
  ids.forEach((id, i) => {
    let chosen: string | undefined;
    for (let level = 0; level < all[i].length; level++) {
      const c = all[i][level];
      const clash = all.some((o, j) => j !== i && o.slice(0, level + 1).includes(c));
      if (!clash && !taken.has(c)) {
        chosen = c;
        break;
      }
    }
    let n = chosen ?? all[i][all[i].length - 1];
    while (taken.has(n)) n = `${n}_`;
    taken.add(n);
    names.set(id, n);
  });

  const isNullable = (t: Type): boolean => {
    if (isPrimitive(t)) return false;
    const d = resolve.types[t];
    if (d.kind.tag === "type") return isNullable(d.kind.type);
    if (d.kind.tag !== "option") return false;
    return !isNullable(d.kind.type);
  };

  const ts = (t: Type | undefined): string => {
    if (t === undefined) return "void";
    if (isPrimitive(t)) {
      switch (t) {
        case "bool":
          return "boolean";
        case "u64":
        case "s64":
          return "bigint";
        case "char":
        case "string":
          return "string";
        case "error-context":
          return "unknown";
        default:
          return "number";
      }
    }
    const id = canonical(t);
    const named = names.get(id);
    if (named !== undefined) return named;
    return structural(id);
  };

  const structural = (id: TypeId): string => {
    const k = resolve.types[id].kind;
    switch (k.tag) {
      case "list": {
        const e = k.element;
        if (isPrimitive(e) && TYPED[e] !== undefined) return TYPED[e]!;
        return `Array<${ts(e)}>`;
      }
      case "fixed-length-list":
        return `Array<${ts(k.element)}>`;
      case "option":
        if (isNullable(id)) return `${ts(k.type)} | undefined`;
        usesOption = true;
        return `Option<${ts(k.type)}>`;
      case "result":
        usesResult = true;
        return `Result<${ts(k.ok)}, ${ts(k.err)}>`;
      case "tuple":
        return `[${k.types.map(ts).join(", ")}]`;
      case "handle":
        return ts(k.resource);
      case "type":
        return ts(k.type);
      case "record":
        return `{ ${k.fields.map((f) => `${key(camelCase(f.name))}: ${ts(f.type)}`).join("; ")} }`;
      case "variant":
        return k.cases.map((c) =>
          c.type === undefined
            ? `{ tag: ${JSON.stringify(c.name)} }`
            : `{ tag: ${JSON.stringify(c.name)}; val: ${ts(c.type)} }`
        ).join(" | ");
      case "enum":
        return k.cases.map((c) => JSON.stringify(c.name)).join(" | ");
      case "flags":
        return `{ ${k.flags.map((f) => `${key(camelCase(f.name))}?: boolean`).join("; ")} }`;
      case "map":
        return `Map<${ts(k.key)}, ${ts(k.value)}>`;
      default:
        return "unknown";
    }
  };

  // Functions of resources, found in the interfaces that define them.
  const resourceFuncs = new Map<TypeId, WitFunction[]>();
  const addResourceFuncs = (fs: Iterable<WitFunction>) => {
    for (const f of fs) {
      const k = f.kind;
      if ("resource" in k) {
        const list = resourceFuncs.get(k.resource) ?? [];
        list.push(f);
        resourceFuncs.set(k.resource, list);
      }
    }
  };
  for (const iface of resolve.interfaces) addResourceFuncs(iface.functions.values());
  for (const [, item] of [...world.imports, ...world.exports]) {
    if (item.tag === "function") addResourceFuncs([item.func]);
  }

  const params = (f: WitFunction, skipSelf: boolean) =>
    (skipSelf ? f.params.slice(1) : f.params).map((p) => `${jsIdent(p.name)}: ${ts(p.type)}`)
      .join(", ");
  const isResultType = (t: Type | undefined): t is TypeId => {
    if (t === undefined || isPrimitive(t)) return false;
    const d = resolve.types[t];
    if (d.kind.tag === "type") return isResultType(d.kind.type);
    return d.kind.tag === "result";
  };
  const okOf = (t: TypeId): Type | undefined => {
    const d = resolve.types[t];
    if (d.kind.tag === "type") return okOf(d.kind.type as TypeId);
    return d.kind.tag === "result" ? d.kind.ok : undefined;
  };
  /** Result type of a function as seen from JavaScript: `result<T, E>` becomes `T` (throws E). */
  const returns = (f: WitFunction): { type: string; throws?: string } => {
    if (isResultType(f.result)) {
      const d = resolve.types[canonical(f.result)];
      const err = d.kind.tag === "result" ? d.kind.err : undefined;
      return { type: ts(okOf(f.result)), throws: ts(err) };
    }
    return { type: ts(f.result) };
  };
  const member = (f: WitFunction, indent: string, name: string): string[] => {
    const r = returns(f);
    const extra = r.throws !== undefined
      ? [
        `@throws {ComponentError} when the component returns an error (\`payload\`: \`${r.throws}\`).`,
      ]
      : [];
    return [
      ...docComment(f.docs, indent, extra),
      `${indent}${key(name)}: (${params(f, false)}) => ${r.type};`,
    ];
  };

  // Named types.
  for (const id of ids) {
    const d = resolve.types[id];
    const n = names.get(id)!;
    const k = d.kind;
    out.push(...docComment(d.docs, ""));
    switch (k.tag) {
      case "record":
        out.push(`export interface ${n} {`);
        for (const f of k.fields) {
          out.push(...docComment(f.docs, "  "));
          out.push(`  ${key(camelCase(f.name))}: ${ts(f.type)};`);
        }
        out.push("}");
        break;
      case "flags":
        out.push(`export interface ${n} {`);
        for (const f of k.flags) {
          out.push(...docComment(f.docs, "  "));
          out.push(`  ${key(camelCase(f.name))}?: boolean;`);
        }
        out.push("}");
        break;
      case "variant":
        out.push(`export type ${n} =`);
        for (const c of k.cases) {
          const doc = c.docs ? ` // ${c.docs.split("\n")[0]}` : "";
          out.push(
            c.type === undefined
              ? `  | { tag: ${JSON.stringify(c.name)} }${doc}`
              : `  | { tag: ${JSON.stringify(c.name)}; val: ${ts(c.type)} }${doc}`,
          );
        }
        out[out.length - 1] += ";";
        break;
      case "enum":
        out.push(`export type ${n} = ${k.cases.map((c) => JSON.stringify(c.name)).join(" | ")};`);
        break;
      case "resource": {
        out.push(`export interface ${n} {`);
        for (const f of resourceFuncs.get(id) ?? []) {
          if (f.kind.tag !== "method" && f.kind.tag !== "async-method") continue;
          const method = camelCase(f.name.slice(f.name.indexOf(".") + 1));
          const r = returns(f);
          out.push(...docComment(f.docs, "  "));
          out.push(`  ${key(method)}(${params(f, true)}): ${r.type};`);
        }
        out.push("}");
        break;
      }
      default:
        out.push(`export type ${n} = ${structural(id)};`);
    }
  }

  /** The class side of a resource: its constructor and static functions. */
  const resourceClass = (id: TypeId): string => {
    const n = names.get(canonical(id)) ?? "unknown";
    const fs = resourceFuncs.get(canonical(id)) ?? [];
    const ctor = fs.find((f) => f.kind.tag === "constructor");
    const parts = [
      ctor ? `new (${params(ctor, false)}) => ${n}` : `new (...args: never[]) => ${n}`,
    ];
    const statics = fs.filter((f) => f.kind.tag === "static" || f.kind.tag === "async-static");
    if (statics.length > 0) {
      parts.push(
        `{ ${
          statics.map((f) =>
            `${key(camelCase(f.name.slice(f.name.indexOf(".") + 1)))}: (${params(f, false)}) => ${
              returns(f).type
            }`
          ).join("; ")
        } }`,
      );
    }
    return parts.map((p) => `(${p})`).join(" & ");
  };

  const interfaceBody = (iface: Interface, indent: string): string[] => {
    const lines: string[] = [];
    for (const f of iface.functions.values()) {
      if (f.kind.tag !== "freestanding" && f.kind.tag !== "async-freestanding") continue;
      lines.push(...member(f, indent, camelCase(f.name)));
    }
    for (const [tn, id] of iface.types) {
      const d = resolve.types[canonical(id)];
      if (d.kind.tag === "resource") {
        lines.push(`${indent}${key(pascalCase(tn))}: ${resourceClass(id)};`);
      }
    }
    return lines;
  };

  const section = (title: string, doc: string, entries: Entry[]) => {
    out.push("", ...docComment(doc, ""), `export interface ${title} {`);
    for (const e of entries) {
      const item = e.item;
      if (item.tag === "interface") {
        const iface = resolve.interfaces[item.id];
        out.push(...docComment(iface.docs, "  ", [`\`${e.name}\``]));
        out.push(`  ${key(e.key)}: {`, ...interfaceBody(iface, "    "), "  };");
      } else if (item.tag === "function") {
        out.push(...member(item.func, "  ", e.key));
      } else if (resolve.types[canonical(item.id)].kind.tag === "resource") {
        out.push(`  ${key(e.key)}: ${resourceClass(item.id)};`);
      }
    }
    out.push("}");
  };
  section(
    "Imports",
    "What the component needs from its host: pass these to `instantiate`. WASI imports are " +
      "not listed: the glue serves them (lean glue from wreg's WASI host, with what " +
      "`instantiate`'s `wasi` option grants; jco's glue from `@bytecodealliance/preview2-shim`).",
    imports,
  );
  section("Exports", "What an instance of the component provides.", exports);

  const helpers: string[] = [];
  if (usesOption) {
    helpers.push(
      "/** An `option` whose payload is itself optional (so `undefined` would be ambiguous). */",
      'export type Option<T> = { tag: "none" } | { tag: "some"; val: T };',
    );
  }
  if (usesResult) {
    helpers.push(
      "/** A WIT `result` inside another value. */",
      'export type Result<T, E> = { tag: "ok"; val: T } | { tag: "err"; val: E };',
    );
  }
  return {
    text: [...helpers, ...(helpers.length ? [""] : []), ...out].join("\n") + "\n",
    exportKeys: exports.map((e) => e.key),
  };
}
