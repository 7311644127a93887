/**
 * The WIT printer: a {@link Resolve} → WIT text that parses back to an equal resolve (docs and
 * feature gates kept). The layout is the one of `wasm-tools component wit`: the main package as a
 * file-level `package …;`, other packages as nested `package … { }` blocks, two-space indent,
 * world items grouped as interfaces, types, functions, then exports.
 */
import { RESERVED_WORDS } from "./_lexer.ts";
import { rustLines } from "./_docs.ts";
import { sameOwner } from "./_clone.ts";
import { sameStability } from "./_append.ts";
import type {
  Function,
  InterfaceId,
  PackageId,
  Resolve,
  Stability,
  Type,
  TypeDefKind,
  TypeId,
  TypeOwner,
  WorldId,
  WorldItem,
  WorldKey,
} from "./model.ts";

/** Options of {@link printWit}. */
export interface PrintWitOptions {
  /** The package printed first, as `package …;` (default: the last package of the resolve). */
  main?: PackageId;
  /**
   * Other packages printed after it as nested `package … { }` blocks (default: every other
   * package, in id order).
   */
  nested?: PackageId[];
  /** Print doc comments (default `true`). */
  docs?: boolean;
}

class Out {
  text = "";
  private indent = 0;
  private needsIndent = false;

  private indentIfNeeded(): void {
    if (this.needsIndent) {
      this.text += "  ".repeat(this.indent);
      this.needsIndent = false;
    }
  }
  str(s: string): void {
    this.indentIfNeeded();
    this.text += s;
  }
  newline(): void {
    this.text += "\n";
    this.needsIndent = true;
  }
  semicolon(): void {
    this.text += ";";
    this.newline();
  }
  open(): void {
    this.text += " {";
    this.indent++;
    this.newline();
  }
  close(): void {
    this.indent = Math.max(0, this.indent - 1);
    this.indentIfNeeded();
    this.text += "}";
    this.newline();
  }
  doc(line: string): void {
    this.indentIfNeeded();
    this.text += line === "" ? "///" : `/// ${line}`;
    this.newline();
  }
}

function escape(name: string): string {
  return RESERVED_WORDS.has(name) ? `%${name}` : name;
}

class Printer {
  readonly out = new Out();
  private anyItems = false;

  constructor(private readonly resolve: Resolve, private readonly emitDocs: boolean) {}

  printPackage(id: PackageId, isMain: boolean): void {
    const pkg = this.resolve.packages[id];
    const o = this.out;
    this.docs(pkg.docs);
    const v = pkg.name.version === undefined ? "" : `@${pkg.name.version}`;
    o.str(`package ${escape(pkg.name.namespace)}:${escape(pkg.name.name)}${v}`);
    if (isMain) {
      o.semicolon();
      o.newline();
    } else {
      o.open();
    }
    for (const [name, iid] of pkg.interfaces) {
      const iface = this.resolve.interfaces[iid];
      this.docs(iface.docs);
      this.stability(iface.stability);
      o.str(`interface ${escape(name)}`);
      o.open();
      this.printInterface(iid);
      o.close();
      if (isMain) o.newline();
    }
    for (const [name, wid] of pkg.worlds) {
      const world = this.resolve.worlds[wid];
      this.docs(world.docs);
      this.stability(world.stability);
      o.str(`world ${escape(name)}`);
      o.open();
      this.printWorld(wid);
      o.close();
    }
    if (!isMain) o.close();
  }

  private newItem(): void {
    if (this.anyItems) this.out.newline();
    this.anyItems = true;
  }

  private printInterface(id: InterfaceId): void {
    const prev = this.anyItems;
    this.anyItems = false;
    const iface = this.resolve.interfaces[id];
    const resourceFuncs = new Map<TypeId, Function[]>();
    const freestanding: Function[] = [];
    for (const f of iface.functions.values()) {
      if ("resource" in f.kind) {
        const list = resourceFuncs.get(f.kind.resource) ?? [];
        list.push(f);
        resourceFuncs.set(f.kind.resource, list);
      } else {
        freestanding.push(f);
      }
    }
    this.printTypes({ interface: id }, [...iface.types], resourceFuncs);
    for (const f of freestanding) {
      this.newItem();
      this.docs(f.docs);
      this.stability(f.stability);
      this.externalId(f.externalId);
      this.out.str(`${escape(f.name)}: `);
      this.printFunction(f);
      this.out.semicolon();
    }
    this.anyItems = prev;
  }

  private printTypes(
    owner: TypeOwner,
    types: [string, TypeId][],
    resourceFuncs: Map<TypeId, Function[]>,
  ): void {
    const r = this.resolve;
    const toDeclare: TypeId[] = [];
    const toImport: { owner: TypeOwner; ty: TypeId; names: [string, string][] }[] = [];
    for (const [name, id] of types) {
      const ty = r.types[id];
      if (ty.kind.tag === "type" && typeof ty.kind.type === "number") {
        const other = r.types[ty.kind.type];
        if (other.owner !== null && !sameOwner(owner, other.owner)) {
          const otherName = other.name;
          if (otherName === undefined) throw new Error("cannot import unnamed type");
          const last = toImport[toImport.length - 1];
          if (
            last && sameOwner(last.owner, other.owner) &&
            sameStability(ty.stability, r.types[last.ty].stability) &&
            ty.externalId === r.types[last.ty].externalId
          ) {
            last.names.push([name, otherName]);
          } else {
            toImport.push({ owner: other.owner, ty: id, names: [[name, otherName]] });
          }
          continue;
        }
      }
      toDeclare.push(id);
    }
    const myPkg = owner !== null && "interface" in owner
      ? r.interfaces[owner.interface].package
      : owner !== null
      ? r.worlds[owner.world].package
      : undefined;
    for (const imp of toImport) {
      this.anyItems = true;
      const ty = r.types[imp.ty];
      this.stability(ty.stability);
      this.externalId(ty.externalId);
      const from = imp.owner as { interface: InterfaceId };
      const names = imp.names.map(([mine, other]) =>
        mine === other ? escape(mine) : `${escape(other)} as ${escape(mine)}`
      );
      this.out.str(`use ${this.pathTo(from.interface, myPkg)}.{${names.join(", ")}}`);
      this.out.semicolon();
    }
    for (const id of toDeclare) {
      this.newItem();
      const ty = r.types[id];
      this.docs(ty.docs);
      this.stability(ty.stability);
      this.externalId(ty.externalId);
      if (ty.kind.tag === "resource") this.printResource(id, resourceFuncs.get(id) ?? []);
      else this.declareType(ty.name!, ty.kind);
    }
  }

  private printResource(id: TypeId, funcs: Function[]): void {
    const o = this.out;
    o.str(`resource ${escape(this.resolve.types[id].name!)}`);
    if (funcs.length === 0) {
      o.semicolon();
      return;
    }
    o.open();
    for (const f of funcs) {
      this.docs(f.docs);
      this.stability(f.stability);
      this.externalId(f.externalId);
      const item = f.name.slice(f.name.indexOf(".") + 1);
      switch (f.kind.tag) {
        case "method":
        case "async-method":
          o.str(`${escape(item)}: `);
          break;
        case "static":
        case "async-static":
          o.str(`${escape(item)}: static `);
          break;
      }
      this.printFunction(f);
      o.semicolon();
    }
    o.close();
  }

  private printFunction(f: Function): void {
    const k = f.kind.tag;
    let s = k === "async-freestanding" || k === "async-method" || k === "async-static"
      ? "async "
      : "";
    s += k === "constructor" ? "constructor(" : "func(";
    const params = k === "method" || k === "async-method" ? f.params.slice(1) : f.params;
    s += params.map((p) => `${escape(p.name)}: ${this.typeName(p.type)}`).join(", ");
    s += ")";
    if (f.result !== undefined && !this.isConstructorShorthand(f)) {
      s += ` -> ${this.typeName(f.result)}`;
    }
    this.out.str(s);
  }

  private isConstructorShorthand(f: Function): boolean {
    if (f.kind.tag !== "constructor" || typeof f.result !== "number") return false;
    const k = this.resolve.types[f.result].kind;
    return k.tag === "handle" && k.handle === "own" && k.resource === f.kind.resource;
  }

  private printWorld(id: WorldId): void {
    const prev = this.anyItems;
    this.anyItems = false;
    const world = this.resolve.worlds[id];
    const pkg = world.package;
    const types: [string, TypeId][] = [];
    const resourceFuncs = new Map<TypeId, Function[]>();
    const functions: [WorldKey, WorldItem][] = [];
    for (const [name, item] of world.imports) {
      if (item.tag === "type") {
        types.push([name as string, item.id]);
      } else if (item.tag === "function") {
        if ("resource" in item.func.kind) {
          const list = resourceFuncs.get(item.func.kind.resource) ?? [];
          list.push(item.func);
          resourceFuncs.set(item.func.kind.resource, list);
        } else {
          functions.push([name, item]);
        }
      } else {
        this.printWorldItem(name, item, pkg, "import");
        this.anyItems = true;
      }
    }
    this.printTypes({ world: id }, types, resourceFuncs);
    for (const [name, item] of functions) {
      this.printWorldItem(name, item, pkg, "import");
      this.anyItems = true;
    }
    if (world.exports.size > 0) this.newItem();
    for (const [name, item] of world.exports) this.printWorldItem(name, item, pkg, "export");
    this.anyItems = prev;
  }

  private printWorldItem(
    key: WorldKey,
    item: WorldItem,
    pkg: PackageId | undefined,
    keyword: string,
  ): void {
    const r = this.resolve;
    const o = this.out;
    if (item.tag === "interface") {
      if (item.docs !== undefined) this.docs(item.docs);
      else if (typeof key === "string") this.docs(r.interfaces[item.id].docs);
      this.stability(item.stability);
      this.externalId(item.externalId);
    } else if (item.tag === "function") {
      this.docs(item.func.docs);
      this.stability(item.func.stability);
      this.externalId(item.func.externalId);
    }
    o.str(`${keyword} `);
    if (typeof key === "string") {
      if (item.tag === "interface") {
        o.str(`${escape(key)}: `);
        if (r.interfaces[item.id].name === undefined) {
          o.str("interface");
          o.open();
          this.printInterface(item.id);
          o.close();
        } else {
          o.str(this.pathTo(item.id, pkg));
          o.semicolon();
        }
      } else if (item.tag === "function") {
        o.str(`${escape(item.func.name)}: `);
        this.printFunction(item.func);
        o.semicolon();
      }
    } else {
      o.str(this.pathTo(key, pkg));
      o.semicolon();
    }
  }

  private pathTo(id: InterfaceId, cur: PackageId | undefined): string {
    const iface = this.resolve.interfaces[id];
    if (iface.package === cur) return escape(iface.name!);
    const p = this.resolve.packages[iface.package!].name;
    const v = p.version === undefined ? "" : `@${p.version}`;
    return `${escape(p.namespace)}:${escape(p.name)}/${escape(iface.name!)}${v}`;
  }

  typeName(t: Type): string {
    if (typeof t === "string") return t;
    const ty = this.resolve.types[t];
    if (ty.name !== undefined) return escape(ty.name);
    const k = ty.kind;
    switch (k.tag) {
      case "handle": {
        const res = escape(this.resolve.types[k.resource].name ?? "");
        return k.handle === "own" ? res : `borrow<${res}>`;
      }
      case "tuple":
        return `tuple<${k.types.map((x) => this.typeName(x)).join(", ")}>`;
      case "option":
        return `option<${this.typeName(k.type)}>`;
      case "result":
        return this.resultName(k);
      case "list":
        return `list<${this.typeName(k.element)}>`;
      case "map":
        return `map<${this.typeName(k.key)}, ${this.typeName(k.value)}>`;
      case "fixed-length-list":
        return `list<${this.typeName(k.element)}, ${k.length}>`;
      case "type":
        return this.typeName(k.type);
      case "future":
      case "stream":
        return k.type === undefined ? k.tag : `${k.tag}<${this.typeName(k.type)}>`;
      default:
        throw new Error(`cannot print an unnamed ${k.tag} type`);
    }
  }

  private resultName(k: TypeDefKind & { tag: "result" }): string {
    if (k.ok !== undefined && k.err !== undefined) {
      return `result<${this.typeName(k.ok)}, ${this.typeName(k.err)}>`;
    }
    if (k.err !== undefined) return `result<_, ${this.typeName(k.err)}>`;
    if (k.ok !== undefined) return `result<${this.typeName(k.ok)}>`;
    return "result";
  }

  private declareType(name: string, k: TypeDefKind): void {
    const o = this.out;
    const n = escape(name);
    const body = (items: { docs?: string; text: string }[]) => {
      o.open();
      for (const it of items) {
        this.docs(it.docs);
        o.str(`${it.text},`);
        o.newline();
      }
      o.close();
    };
    switch (k.tag) {
      case "handle": {
        const res = escape(this.resolve.types[k.resource].name ?? "");
        o.str(`type ${n} = ${k.handle}<${res}>`);
        o.semicolon();
        return;
      }
      case "record":
        o.str(`record ${n}`);
        body(k.fields.map((f) => ({
          docs: f.docs,
          text: `${escape(f.name)}: ${this.typeName(f.type)}`,
        })));
        return;
      case "flags":
        o.str(`flags ${n}`);
        body(k.flags.map((f) => ({ docs: f.docs, text: escape(f.name) })));
        return;
      case "variant":
        o.str(`variant ${n}`);
        body(k.cases.map((c) => ({
          docs: c.docs,
          text: c.type === undefined
            ? escape(c.name)
            : `${escape(c.name)}(${this.typeName(c.type)})`,
        })));
        return;
      case "enum":
        o.str(`enum ${n}`);
        body(k.cases.map((c) => ({ docs: c.docs, text: escape(c.name) })));
        return;
      case "type":
        o.str(`type ${n} = ${this.typeName(k.type)}`);
        o.semicolon();
        return;
      case "tuple":
      case "option":
      case "result":
      case "list":
      case "map":
      case "fixed-length-list":
      case "future":
      case "stream":
        o.str(`type ${n} = ${this.anonymousName(k)}`);
        o.semicolon();
        return;
      default:
        throw new Error(`cannot declare a ${k.tag} type`);
    }
  }

  private anonymousName(k: TypeDefKind): string {
    switch (k.tag) {
      case "tuple":
        return `tuple<${k.types.map((x) => this.typeName(x)).join(", ")}>`;
      case "option":
        return `option<${this.typeName(k.type)}>`;
      case "result":
        return this.resultName(k);
      case "list":
        return `list<${this.typeName(k.element)}>`;
      case "map":
        return `map<${this.typeName(k.key)}, ${this.typeName(k.value)}>`;
      case "fixed-length-list":
        return `list<${this.typeName(k.element)}, ${k.length}>`;
      case "future":
      case "stream":
        return k.type === undefined ? k.tag : `${k.tag}<${this.typeName(k.type)}>`;
      default:
        throw new Error(`unreachable: ${k.tag}`);
    }
  }

  private docs(d: string | undefined): void {
    if (!this.emitDocs || d === undefined) return;
    for (const line of rustLines(d)) this.out.doc(line);
  }

  private stability(s: Stability): void {
    const o = this.out;
    if (s.kind === "stable") {
      o.str(`@since(version = ${s.since})`);
      o.newline();
    } else if (s.kind === "unstable") {
      o.str(`@unstable(feature = ${s.feature})`);
      o.newline();
    } else {
      return;
    }
    if (s.deprecated !== undefined) {
      o.str(`@deprecated(version = ${s.deprecated})`);
      o.newline();
    }
  }

  private externalId(id: string | undefined): void {
    if (id === undefined) return;
    let s = "";
    for (const ch of id) {
      if (/[A-Za-z0-9\-_./: ]/.test(ch)) s += ch;
      else if (ch === "\\") s += "\\\\";
      else if (ch === '"') s += '\\"';
      else if (ch === "\n") s += "\\n";
      else if (ch === "\r") s += "\\r";
      else if (ch === "\t") s += "\\t";
      else s += `\\u{${ch.codePointAt(0)!.toString(16)}}`;
    }
    this.out.str(`@external-id("${s}")`);
    this.out.newline();
  }
}

/**
 * Prints packages of `resolve` as one WIT text: the main package first (`package …;`), then the
 * others as nested `package … { }` blocks. The text resolves to the same packages again.
 *
 * @example
 * ```ts
 * import { parseWit, printWit } from "./mod.ts";
 * const { resolve } = parseWit("package a:b; interface i { f: func() -> list<u8>; }");
 * console.assert(printWit(resolve) === "package a:b;\n\ninterface i {\n  f: func() -> list<u8>;\n}\n\n");
 * ```
 */
export function printWit(resolve: Resolve, options: PrintWitOptions = {}): string {
  if (resolve.packages.length === 0) return "";
  const main = options.main ?? resolve.packages.length - 1;
  const nested = options.nested ??
    resolve.packages.map((_, i) => i).filter((i) => i !== main);
  const p = new Printer(resolve, options.docs ?? true);
  p.printPackage(main, true);
  nested.forEach((id, i) => {
    if (i > 0) {
      p.out.newline();
      p.out.newline();
    }
    p.printPackage(id, false);
  });
  return p.out.text;
}

/** Prints one package of `resolve` as a WIT file (`package …;` and its items). */
export function printWitPackage(resolve: Resolve, id: PackageId, docs = true): string {
  return printWit(resolve, { main: id, nested: [], docs });
}
