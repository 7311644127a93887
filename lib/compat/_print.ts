/**
 * Short WIT snippets of single items, for the `old` and `new` of a change: a type expression, a
 * type definition on one line, a function signature, a world item.
 */
import {
  type Case,
  type Field,
  type Function,
  interfaceIdOf,
  isPrimitive,
  type Resolve,
  type Stability,
  type Type,
  type TypeId,
  type WorldItem,
} from "../wit/mod.ts";

/**
 * A type as WIT writes it where it is used: `u32`, `list<string>`, `my-record`. With `qualify`,
 * named types of interfaces carry their interface (`wasi:io/streams@0.2.0.{input-stream}`), to
 * tell apart two types that print the same.
 */
export function printType(r: Resolve, t: Type, qualify = false): string {
  if (isPrimitive(t)) return t;
  const def = r.types[t];
  if (def === undefined) return `type-${t}`;
  if (qualify && def.name !== undefined && def.kind.tag === "type") {
    return printType(r, def.kind.type, true);
  }
  if (def.name !== undefined && def.owner !== null) {
    if (qualify && "interface" in def.owner) {
      const where = interfaceIdOf(r, def.owner.interface) ?? r.interfaces[def.owner.interface].name;
      if (where !== undefined) return `${where}.{${def.name}}`;
    }
    return def.name;
  }
  const p = (x: Type) => printType(r, x, qualify);
  const k = def.kind;
  switch (k.tag) {
    case "list":
      return `list<${p(k.element)}>`;
    case "fixed-length-list":
      return `list<${p(k.element)}, ${k.length}>`;
    case "map":
      return `map<${p(k.key)}, ${p(k.value)}>`;
    case "option":
      return `option<${p(k.type)}>`;
    case "result":
      if (k.ok === undefined && k.err === undefined) return "result";
      if (k.err === undefined) return `result<${p(k.ok!)}>`;
      return `result<${k.ok === undefined ? "_" : p(k.ok)}, ${p(k.err)}>`;
    case "tuple":
      return `tuple<${k.types.map((x) => p(x)).join(", ")}>`;
    case "handle": {
      const name = p(k.resource);
      return k.handle === "own" ? name : `borrow<${name}>`;
    }
    case "future":
      return k.type === undefined ? "future" : `future<${p(k.type)}>`;
    case "stream":
      return k.type === undefined ? "stream" : `stream<${p(k.type)}>`;
    case "type":
      return p(k.type);
    case "record":
    case "variant":
    case "enum":
    case "flags":
    case "resource":
    case "unknown":
      return def.name ?? k.tag;
  }
}

/** A record field: `name: type`. */
export function printField(r: Resolve, f: Field, qualify = false): string {
  return `${f.name}: ${printType(r, f.type, qualify)}`;
}

/** A variant case: `name` or `name(type)`. */
export function printCase(r: Resolve, c: Case, qualify = false): string {
  return c.type === undefined ? c.name : `${c.name}(${printType(r, c.type, qualify)})`;
}

/** The gate annotation of an item (`@since(version = 0.2.1) `), or nothing when ungated. */
export function printGate(s: Stability): string {
  const dep = "deprecated" in s && s.deprecated !== undefined
    ? ` @deprecated(version = ${s.deprecated})`
    : "";
  switch (s.kind) {
    case "unknown":
      return "";
    case "stable":
      return `@since(version = ${s.since})${dep} `;
    case "unstable":
      return `@unstable(feature = ${s.feature})${dep} `;
  }
}

/** A named type's definition on one line: `record r { a: u32, b: string }`, `type t = list<u8>`. */
export function printTypeDef(r: Resolve, id: TypeId): string {
  const def = r.types[id];
  const name = def.name ?? `type-${id}`;
  const k = def.kind;
  switch (k.tag) {
    case "record":
      return `record ${name} { ${k.fields.map((f) => printField(r, f)).join(", ")} }`;
    case "variant":
      return `variant ${name} { ${k.cases.map((c) => printCase(r, c)).join(", ")} }`;
    case "enum":
      return `enum ${name} { ${k.cases.map((c) => c.name).join(", ")} }`;
    case "flags":
      return `flags ${name} { ${k.flags.map((f) => f.name).join(", ")} }`;
    case "resource":
      return `resource ${name}`;
    case "type":
      return `type ${name} = ${qualifiedType(r, k.type, def.owner)}`;
    case "unknown":
      return `type ${name}`;
    default: {
      const anonymous = { ...def, name: undefined, owner: null };
      const copy: Resolve = { ...r, types: [...r.types] };
      copy.types[id] = anonymous;
      return `type ${name} = ${printType(copy, id)}`;
    }
  }
}

/** A type reference, with its interface when it lives elsewhere than `owner` (`use`d types). */
function qualifiedType(
  r: Resolve,
  t: Type,
  owner: { interface: number } | { world: number } | null,
) {
  if (isPrimitive(t)) return t;
  const def = r.types[t];
  if (def?.name !== undefined && def.owner !== null && "interface" in def.owner) {
    const here = owner !== null && "interface" in owner ? owner.interface : undefined;
    if (here !== def.owner.interface) {
      const iface = r.interfaces[def.owner.interface];
      const where = interfaceIdOf(r, def.owner.interface) ?? iface?.name;
      if (where !== undefined) return `${where}.{${def.name}}`;
    }
  }
  return printType(r, t);
}

/** The plain name of a function within its resource: `m` for `[method]r.m`, `constructor`. */
export function functionShortName(f: Function): string {
  if (f.kind.tag === "constructor") return "constructor";
  const dot = f.name.indexOf(".");
  if (f.name.startsWith("[") && dot >= 0) return f.name.slice(dot + 1);
  return f.name.replace(/^\[[a-z ]+\]/, "");
}

/**
 * The name of a function relative to its interface: `f`, or `r.m` for a method, static function
 * or constructor (`r.constructor`) of resource `r`.
 */
export function functionPathName(r: Resolve, f: Function): string {
  if ("resource" in f.kind) {
    const res = r.types[f.kind.resource]?.name ?? "resource";
    return `${res}.${functionShortName(f)}`;
  }
  return f.name;
}

/** A function as WIT declares it: `f: async func(x: u32) -> string`, `constructor(x: u32)`. */
export function printFunction(r: Resolve, f: Function): string {
  const k = f.kind.tag;
  const params = f.params.filter((p, i) =>
    !(i === 0 && p.name === "self" && (k === "method" || k === "async-method"))
  );
  const list = params.map((p) => `${p.name}: ${printType(r, p.type)}`).join(", ");
  if (k === "constructor") {
    const res = f.result === undefined ? undefined : r.types[f.result as number];
    const implicit = res === undefined || (res.kind.tag === "handle" && res.name === undefined);
    return `constructor(${list})${implicit ? "" : ` -> ${printType(r, f.result!)}`}`;
  }
  const async = k === "async-freestanding" || k === "async-method" || k === "async-static";
  const stat = k === "static" || k === "async-static";
  const result = f.result === undefined ? "" : ` -> ${printType(r, f.result)}`;
  const head = `${stat ? "static " : ""}${async ? "async " : ""}func`;
  const name = "resource" in f.kind ? functionShortName(f) : f.name;
  return `${name}: ${head}(${list})${result}`;
}

/** A world import or export as WIT writes it: `import wasi:io/streams@0.2.0;`, `export run: func();`. */
export function printWorldItem(
  r: Resolve,
  dir: "import" | "export",
  name: string,
  item: WorldItem,
): string {
  switch (item.tag) {
    case "interface": {
      const id = interfaceIdOf(r, item.id);
      return id !== undefined
        ? `${dir} ${id};`
        : `${dir} ${name}: interface { ${summarizeInterface(r, item.id)} }`;
    }
    case "function":
      return `${dir} ${printFunction(r, item.func)};`;
    case "type":
      return `${printTypeDef(r, item.id)}`;
  }
}

/** The items of an inline interface, on one line. */
function summarizeInterface(r: Resolve, id: number): string {
  const iface = r.interfaces[id];
  const parts: string[] = [];
  for (const t of iface.types.values()) parts.push(`${printTypeDef(r, t)};`);
  for (const f of iface.functions.values()) {
    if (!("resource" in f.kind)) parts.push(`${printFunction(r, f)};`);
  }
  return parts.join(" ");
}
