/**
 * From checked component types to the WIT model: a component's world (in a synthesized
 * `root:component` package, with the interfaces it imports and exports in their own packages), or
 * the package(s) of a WIT package encoded as a binary. Follows the conventions of wit-parser's
 * decoder so that what wasm-tools prints for a binary and what wreg decodes agree.
 */
import {
  type Case,
  type Field,
  type Function as WitFunction,
  type FunctionKind,
  type Interface,
  type InterfaceId,
  type Package,
  type PackageId,
  type Resolve,
  type Type,
  type TypeDefKind,
  type TypeId,
  type TypeOwner,
  UNKNOWN_STABILITY,
  type WitPackageName,
  type World,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../wit/mod.ts";
import { type ParsedExternName, parseExternName } from "./_extern_name.ts";
import { ComponentDecodeError } from "./_error.ts";
import { injectDocs, type PackageDocs } from "./_package_docs.ts";
import type { AnyType, ComponentType, DefKind, Entity, FuncType, Item, ValType } from "./_types.ts";

/** A top-level import or export, in binary order. */
export interface Extern {
  kind: "import" | "export";
  name: string;
  item: Item;
  /** Offset of the import or export in the input, for errors. */
  offset: number;
}

interface PendingPackage {
  name: WitPackageName;
  /** `formatName(name)`, when already known. */
  key?: string;
  docs?: string;
  interfaces: Map<string, InterfaceId>;
  worlds: Map<string, WorldId>;
}

function fail(reason: string): never {
  throw new ComponentDecodeError("not-representable", reason, -1);
}

/** Runs `f`, giving errors without an offset the offset of `ext`. */
function at<T>(ext: Extern, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ComponentDecodeError && e.offset < 0) {
      throw new ComponentDecodeError(e.code, e.reason, ext.offset);
    }
    throw e;
  }
}

function ownerKey(o: TypeOwner): string {
  if (o === null) return "none";
  return "world" in o ? `w${o.world}` : `i${o.interface}`;
}

/** Converts checked types into a {@link Resolve}. */
export class WitDecoder {
  readonly resolve: Resolve = {
    packages: [],
    interfaces: [],
    worlds: [],
    types: [],
    packageNames: new Map(),
  };
  private readonly foreign = new Map<string, PendingPackage>();
  private readonly ifaceToPackage = new Map<InterfaceId, string>();
  // Made on first use: most components have no package interfaces and no resources.
  private namedInterfaces?: Map<string, InterfaceId>;
  private resources?: Map<string, Map<string, TypeId>>;
  private readonly typeMap = new Map<object, TypeId>();

  // -------------------------------------------------------------------------------------------
  // Entry points

  /** A component's world: `root:component` with world `root`. */
  decodeComponent(externs: Extern[]): { world: WorldId; package: PackageId } {
    const worldId = this.resolve.worlds.length;
    const world: World = {
      name: "root",
      imports: new Map(),
      exports: new Map(),
      stability: UNKNOWN_STABILITY,
      includes: [],
    };
    this.resolve.worlds.push(world);
    const pkg: PendingPackage = {
      name: { namespace: "root", name: "component" },
      key: "root:component",
      interfaces: new Map(),
      worlds: new Map([["root", worldId]]),
    };
    const owner: TypeOwner = { world: worldId };
    for (const ext of externs) {
      at(ext, () => {
        const e = ext.item.entity;
        if (ext.kind === "import") {
          let pair: [WorldKey, WorldItem] | undefined;
          if (e.kind === "instance") pair = this.worldInstance(ext.name, ext.item, pkg);
          else if (e.kind === "func") {
            pair = [ext.name, { tag: "function", func: this.func(ext.name, e.type, owner) }];
          } else if (e.kind === "type") {
            pair = [ext.name, { tag: "type", id: this.typeExport(ext.name, e, owner) }];
          }
          if (pair !== undefined) world.imports.set(pair[0], pair[1]);
        } else {
          let pair: [WorldKey, WorldItem];
          if (e.kind === "func") {
            pair = [ext.name, { tag: "function", func: this.func(ext.name, e.type, owner) }];
          } else if (e.kind === "instance") {
            pair = this.worldInstance(ext.name, ext.item, pkg);
          } else fail(`component export \`${ext.name}\` was not a function or instance`);
          world.exports.set(pair[0], pair[1]);
        }
      });
    }
    const id = this.finish(pkg);
    return { world: worldId, package: id };
  }

  /** A WIT package binary (v2: one export per interface or world). */
  decodePackageV2(externs: Extern[], docs: PackageDocs | undefined): PackageId {
    let pkg: PendingPackage | undefined;
    const interfaces = new Map<string, InterfaceId>();
    const worlds = new Map<string, WorldId>();
    for (const ext of externs) {
      at(ext, () => {
        const ct = (ext.item.entity as Entity & { kind: "type" }).created as ComponentType;
        if (ct.exports.size !== 1) {
          fail(`expected a single export in \`${ext.name}\`, but found ${ct.exports.size} instead`);
        }
        const [name, item] = [...ct.exports.entries()][0];
        const parsed = this.interfaceName(name, "world or interface");
        const pkgName = packageNameOf(parsed, item.name.versionSuffix);
        const fields: PendingPackage = pkg ?? { name: pkgName, interfaces, worlds };
        if (pkg !== undefined && formatName(pkg.name) !== formatName(pkgName)) {
          fail("item defined with mismatched package name");
        }
        pkg = fields;
        if (item.entity.kind === "component") {
          this.world(parsed.interface, item.entity.type, fields);
        } else if (item.entity.kind === "instance") {
          for (const [iname, iitem] of ct.imports) this.registerImport(iname, iitem);
          this.registerInterface(name, item, fields);
        } else fail(`export \`${name}\` is neither a world nor an interface`);
      });
    }
    if (pkg === undefined) fail("no exported component type found");
    const id = this.finish(pkg);
    if (docs !== undefined) injectDocs(this.resolve, id, docs);
    return id;
  }

  /** A WIT package binary of the older v1 form (one `ns:pkg/wit` export). */
  decodePackageV1(externs: Extern[], docs: PackageDocs | undefined): PackageId {
    if (externs.length !== 1) fail("more than one top-level exported component type found");
    const ext = externs[0];
    return at(ext, () => this.packageV1(ext, docs));
  }

  private packageV1(ext: Extern, docs: PackageDocs | undefined): PackageId {
    const ct = (ext.item.entity as Entity & { kind: "type" }).created as ComponentType;
    for (const [name, item] of ct.imports) this.registerImport(name, item);
    const parsed = this.interfaceName(ext.name, "package");
    const pkg: PendingPackage = {
      name: packageNameOf(parsed, ext.item.name.versionSuffix),
      interfaces: new Map(),
      worlds: new Map(),
    };
    for (const [name, item] of ct.exports) {
      if (item.entity.kind === "instance") this.registerInterface(name, item, pkg);
      else if (item.entity.kind === "component") {
        const p = this.interfaceName(name, "world");
        this.world(p.interface, item.entity.type, pkg);
      } else fail(`component export \`${name}\` is not an instance or component`);
    }
    const id = this.finish(pkg);
    if (docs !== undefined) injectDocs(this.resolve, id, docs);
    return id;
  }

  // -------------------------------------------------------------------------------------------
  // Worlds and interfaces

  private interfaceName(name: string, what: string): ParsedExternName & { kind: "interface" } {
    const p = parseExternName(name, true);
    if (!p.ok || p.name.kind !== "interface") {
      fail(`expected ${what} name \`${name}\` to be fully qualified`);
    }
    return p.name;
  }

  private world(name: string, ct: ComponentType, pkg: PendingPackage): WorldId {
    const id = this.resolve.worlds.length;
    const owner: TypeOwner = { world: id };
    const world: World = {
      name,
      imports: new Map(),
      exports: new Map(),
      stability: UNKNOWN_STABILITY,
      includes: [],
    };
    // Reserve the id now: nested conversions never allocate worlds.
    this.resolve.worlds.push(world);
    for (const [iname, item] of ct.imports) {
      const e = item.entity;
      let pair: [WorldKey, WorldItem];
      if (e.kind === "instance") pair = this.worldInstance(iname, item, pkg);
      else if (e.kind === "type") {
        pair = [iname, { tag: "type", id: this.typeExport(iname, e, owner) }];
      } else if (e.kind === "func") {
        pair = [iname, { tag: "function", func: this.func(iname, e.type, owner) }];
      } else fail(`component import \`${iname}\` is not an instance, func, or type`);
      world.imports.set(pair[0], pair[1]);
    }
    for (const [ename, item] of ct.exports) {
      const e = item.entity;
      let pair: [WorldKey, WorldItem];
      if (e.kind === "instance") pair = this.worldInstance(ename, item, pkg);
      else if (e.kind === "func") {
        pair = [ename, { tag: "function", func: this.func(ename, e.type, owner) }];
      } else fail(`component export \`${ename}\` is not an instance or function`);
      world.exports.set(pair[0], pair[1]);
    }
    if (pkg.worlds.has(name)) fail(`duplicate world \`${name}\``);
    pkg.worlds.set(name, id);
    return id;
  }

  private worldInstance(name: string, item: Item, pkg: PendingPackage): [WorldKey, WorldItem] {
    let key: WorldKey;
    let id: InterfaceId;
    if (item.name.implements !== undefined) {
      id = this.registerImport(item.name.implements, item);
      key = name;
    } else {
      const p = parseExternName(name, true);
      if (p.ok && p.name.kind === "interface") {
        id = this.registerImport(name, item);
        key = id;
      } else {
        [key, id] = this.registerInterface(name, item, pkg);
      }
    }
    return [key, { tag: "interface", id, stability: UNKNOWN_STABILITY }];
  }

  /** An interface from another package (or one of this package already defined). */
  private registerImport(name: string, item: Item): InterfaceId {
    const e = item.entity;
    if (e.kind !== "instance") fail(`import \`${name}\` is not an instance`);
    const local = this.namedInterfaces?.get(name);
    const id = local ?? this.depInterface(name, item);
    const iface = this.resolve.interfaces[id];
    const owner: TypeOwner = { interface: id };
    for (const ename of e.type.exports.keys()) {
      const eitem = e.type.exports.get(ename)!;
      const x = eitem.entity;
      if (x.kind === "type") {
        const existing = iface.types.get(ename);
        if (existing !== undefined) {
          if (x.referenced.tag === "defined") this.register(existing, x.referenced.def);
          if (!this.typeMap.has(x.created)) this.typeMap.set(x.created, existing);
        } else {
          if (local !== undefined) {
            fail(`instance type export \`${ename}\` not defined in interface`);
          }
          const tid = this.typeExport(ename, x, owner);
          iface.types.set(ename, tid);
        }
      } else if (x.kind === "func") {
        if (iface.functions.has(ename)) continue;
        if (local !== undefined) {
          fail(`instance function export \`${ename}\` not defined in interface`);
        }
        iface.functions.set(ename, this.func(ename, x.type, owner));
      } else fail(`instance type export \`${ename}\` is not a type`);
    }
    return id;
  }

  private depInterface(name: string, item: Item): InterfaceId {
    const parsed = this.interfaceName(name, "interface");
    const suffix = item.name.versionSuffix;
    const key = suffix === undefined
      ? packageKey(parsed)
      : formatName(packageNameOf(parsed, suffix));
    let pkg = this.foreign.get(key);
    if (pkg === undefined) {
      pkg = { name: packageNameOf(parsed, suffix), key, interfaces: new Map(), worlds: new Map() };
      this.foreign.set(key, pkg);
    }
    let id = pkg.interfaces.get(parsed.interface);
    if (id === undefined) {
      id = this.resolve.interfaces.length;
      this.resolve.interfaces.push({
        name: parsed.interface,
        types: new Map(),
        functions: new Map(),
        stability: UNKNOWN_STABILITY,
      });
      pkg.interfaces.set(parsed.interface, id);
    }
    this.ifaceToPackage.set(id, key);
    return id;
  }

  /** An interface defined here: inline in a world (plain name) or of this package (an id). */
  private registerInterface(
    name: string,
    item: Item,
    pkg: PendingPackage,
  ): [WorldKey, InterfaceId] {
    if (this.namedInterfaces?.has(name)) {
      const id = this.registerImport(name, item);
      return [id, id];
    }
    const e = item.entity as Entity & { kind: "instance" };
    const p = parseExternName(name, true);
    if (!p.ok) fail(`cannot extract item name from: ${name}`);
    let ifaceName: string | undefined;
    if (p.name.kind === "interface") ifaceName = p.name.interface;
    else if (p.name.kind !== "label") fail(`cannot extract item name from: ${name}`);
    const iface: Interface = {
      name: ifaceName,
      types: new Map(),
      functions: new Map(),
      stability: UNKNOWN_STABILITY,
    };
    const id = this.resolve.interfaces.length;
    this.resolve.interfaces.push(iface);
    const owner: TypeOwner = { interface: id };
    for (const ename of e.type.exports.keys()) {
      const eitem = e.type.exports.get(ename)!;
      const x = eitem.entity;
      if (x.kind === "type") iface.types.set(ename, this.typeExport(ename, x, owner));
      else if (x.kind === "func") iface.functions.set(ename, this.func(ename, x.type, owner));
      else fail(`instance type export \`${ename}\` is not a type or function`);
    }
    if (ifaceName !== undefined) {
      if (pkg.interfaces.has(ifaceName)) fail(`duplicate interface added for \`${name}\``);
      pkg.interfaces.set(ifaceName, id);
      (this.namedInterfaces ??= new Map()).set(name, id);
      return [id, id];
    }
    return [name, id];
  }

  // -------------------------------------------------------------------------------------------
  // Types and functions

  private findAlias(t: AnyType): TypeId | undefined {
    let cur: AnyType | undefined = t;
    while (cur !== undefined) {
      const hit = this.typeMap.get(cur);
      if (hit !== undefined) return hit;
      cur = cur.tag === "defined" || cur.tag === "resource" ? cur.aliasOf : undefined;
    }
    return undefined;
  }

  private typeExport(name: string, e: Entity & { kind: "type" }, owner: TypeOwner): TypeId {
    const prev = this.findAlias(e.referenced);
    let kind: TypeDefKind;
    if (prev !== undefined) kind = { tag: "type", type: prev };
    else if (e.referenced.tag === "defined") kind = this.defined(e.referenced.def);
    else if (e.referenced.tag === "resource") kind = { tag: "resource" };
    else fail(`type export \`${name}\` is not a value type or resource`);
    const id = this.resolve.types.length;
    this.resolve.types.push({ name, kind, owner, stability: UNKNOWN_STABILITY });
    if (kind.tag === "resource") {
      const k = ownerKey(owner);
      const resources = this.resources ??= new Map();
      let m = resources.get(k);
      if (m === undefined) resources.set(k, m = new Map());
      m.set(name, id);
    }
    if (this.typeMap.has(e.created)) {
      fail(
        `cannot represent this component in WIT: the type \`${name}\` appears more than once ` +
          `(for example, when an imported instance is re-exported under a new name)`,
      );
    }
    this.typeMap.set(e.created, id);
    return id;
  }

  private func(name: string, f: FuncType, owner: TypeOwner): WitFunction {
    const p = parseExternName(name);
    if (!p.ok) fail(`invalid function name \`${name}\``);
    const params = f.params.map((x) => ({ name: x.name, type: this.valType(x.type) }));
    const result = f.result === undefined ? undefined : this.valType(f.result);
    const resource = (r: string): TypeId => {
      const id = this.resources?.get(ownerKey(owner))?.get(r);
      if (id === undefined) fail(`function \`${name}\` refers to an unknown resource \`${r}\``);
      return id;
    };
    let kind: FunctionKind;
    switch (p.name.kind) {
      case "label":
        kind = f.async ? { tag: "async-freestanding" } : { tag: "freestanding" };
        break;
      case "async":
        kind = { tag: "async-freestanding" };
        break;
      case "constructor":
        kind = { tag: "constructor", resource: resource(p.name.resource) };
        break;
      case "method":
        kind = f.async || p.name.async
          ? { tag: "async-method", resource: resource(p.name.resource) }
          : { tag: "method", resource: resource(p.name.resource) };
        break;
      case "static":
        kind = f.async || p.name.async
          ? { tag: "async-static", resource: resource(p.name.resource) }
          : { tag: "static", resource: resource(p.name.resource) };
        break;
      default:
        fail(`function name \`${name}\` is not a plain name`);
    }
    const out: WitFunction = { name, kind, params, stability: UNKNOWN_STABILITY };
    if (result !== undefined) out.result = result;
    return out;
  }

  private valType(v: ValType): Type {
    if (typeof v === "string") return v;
    const hit = this.typeMap.get(v);
    if (hit !== undefined) return hit;
    const kind = this.defined(v.def);
    switch (kind.tag) {
      case "record":
      case "variant":
      case "enum":
      case "flags":
      case "resource":
        fail(`unexpected unnamed type of kind '${kind.tag}'`);
    }
    const id = this.resolve.types.length;
    this.resolve.types.push({ kind, owner: null, stability: UNKNOWN_STABILITY });
    this.typeMap.set(v, id);
    return id;
  }

  private optType(v: ValType | undefined): Type | undefined {
    return v === undefined ? undefined : this.valType(v);
  }

  private defined(d: DefKind): TypeDefKind {
    switch (d.k) {
      case "primitive":
        return { tag: "type", type: d.type };
      case "record":
        return {
          tag: "record",
          fields: d.fields.map((f): Field => ({ name: f.name, type: this.valType(f.type) })),
        };
      case "variant":
        return {
          tag: "variant",
          cases: d.cases.map((c): Case => {
            const out: Case = { name: c.name };
            if (c.type !== undefined) out.type = this.valType(c.type);
            return out;
          }),
        };
      case "list":
        return d.length === undefined
          ? { tag: "list", element: this.valType(d.element) }
          : { tag: "fixed-length-list", element: this.valType(d.element), length: d.length };
      case "tuple":
        return { tag: "tuple", types: d.types.map((t) => this.valType(t)) };
      case "flags":
        return { tag: "flags", flags: d.names.map((name) => ({ name })) };
      case "enum":
        return { tag: "enum", cases: d.names.map((name) => ({ name })) };
      case "option":
        return { tag: "option", type: this.valType(d.type) };
      case "result": {
        const out: TypeDefKind & { tag: "result" } = { tag: "result" };
        const ok = this.optType(d.ok), err = this.optType(d.err);
        if (ok !== undefined) out.ok = ok;
        if (err !== undefined) out.err = err;
        return out;
      }
      case "own":
      case "borrow": {
        const id = this.typeMap.get(d.resource);
        if (id === undefined) fail(`a \`${d.k}\` handle refers to a resource without a name`);
        return { tag: "handle", handle: d.k, resource: id };
      }
      case "future":
      case "stream": {
        const t = this.optType(d.type);
        return t === undefined ? { tag: d.k } : { tag: d.k, type: t };
      }
      case "map":
        return { tag: "map", key: this.valType(d.key), value: this.valType(d.value) };
    }
  }

  /** Records that the anonymous parts of `def` correspond to those of the WIT type `id`. */
  private register(id: TypeId, def: DefKind): void {
    const kind = this.resolve.types[id].kind;
    const pair = (wasm: ValType | undefined, wit: Type | undefined) => {
      if (
        wasm === undefined || wit === undefined || typeof wasm === "string" ||
        typeof wit === "string"
      ) return;
      if (this.typeMap.has(wasm)) return;
      this.typeMap.set(wasm, wit);
      this.register(wit, wasm.def);
    };
    if (kind.tag === "type") return;
    switch (def.k) {
      case "list":
        if (kind.tag === "list" || kind.tag === "fixed-length-list") {
          pair(def.element, kind.element);
        }
        break;
      case "option":
        if (kind.tag === "option") pair(def.type, kind.type);
        break;
      case "result":
        if (kind.tag === "result") {
          pair(def.ok, kind.ok);
          pair(def.err, kind.err);
        }
        break;
      case "tuple":
        if (kind.tag === "tuple") def.types.forEach((t, i) => pair(t, kind.types[i]));
        break;
      case "record":
        if (kind.tag === "record") def.fields.forEach((f, i) => pair(f.type, kind.fields[i]?.type));
        break;
      case "variant":
        if (kind.tag === "variant") def.cases.forEach((c, i) => pair(c.type, kind.cases[i]?.type));
        break;
      case "future":
      case "stream":
        if (kind.tag === def.k) pair(def.type, kind.type);
        break;
      case "map":
        if (kind.tag === "map") {
          pair(def.key, kind.key);
          pair(def.value, kind.value);
        }
        break;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Packages

  private finish(main: PendingPackage): PackageId {
    const keys = [...this.foreign.keys()];
    if (keys.length <= 1) {
      // One package of dependencies (or none): nothing to order.
      for (const k of keys) this.insertPackage(this.foreign.get(k)!);
      return this.insertPackage(main);
    }
    const order: string[] = [];
    const done = new Set<string>();
    const visiting = new Set<string>();
    const visit = (key: string): void => {
      if (done.has(key) || visiting.has(key)) return;
      visiting.add(key);
      const pkg = this.foreign.get(key)!;
      const ifaces = [...pkg.interfaces.values()];
      for (const w of pkg.worlds.values()) {
        const world = this.resolve.worlds[w];
        for (const item of [...world.imports.values(), ...world.exports.values()]) {
          if (item.tag === "interface") ifaces.push(item.id);
        }
      }
      for (const iface of ifaces) {
        for (const dep of this.directDeps(iface)) {
          const depKey = this.ifaceToPackage.get(dep);
          if (depKey !== undefined && depKey !== key) visit(depKey);
        }
      }
      visiting.delete(key);
      done.add(key);
      order.push(key);
    };
    for (const k of keys) visit(k);
    for (const k of order) this.insertPackage(this.foreign.get(k)!);
    return this.insertPackage(main);
  }

  private directDeps(iface: InterfaceId): InterfaceId[] {
    const out: InterfaceId[] = [];
    for (const tid of this.resolve.interfaces[iface].types.values()) {
      const k = this.resolve.types[tid].kind;
      if (k.tag !== "type" || typeof k.type === "string") continue;
      const owner = this.resolve.types[k.type].owner;
      if (
        owner !== null && "interface" in owner && owner.interface !== iface &&
        !out.includes(owner.interface)
      ) {
        out.push(owner.interface);
      }
    }
    return out;
  }

  private insertPackage(p: PendingPackage): PackageId {
    const key = p.key ?? formatName(p.name);
    let id = this.resolve.packageNames.get(key);
    if (id === undefined) {
      // A new package takes over the pending package's maps (it is not used after this).
      id = this.resolve.packages.length;
      const pkg: Package = { name: p.name, interfaces: p.interfaces, worlds: p.worlds };
      if (p.docs !== undefined) pkg.docs = p.docs;
      this.resolve.packages.push(pkg);
      this.resolve.packageNames.set(key, id);
    }
    const pkg = this.resolve.packages[id];
    for (const name of p.interfaces.keys()) {
      const iid = p.interfaces.get(name)!;
      if (pkg.interfaces !== p.interfaces) pkg.interfaces.set(name, iid);
      this.resolve.interfaces[iid].package = id;
    }
    for (const name of p.worlds.keys()) {
      const wid = p.worlds.get(name)!;
      if (pkg.worlds !== p.worlds) pkg.worlds.set(name, wid);
      const world = this.resolve.worlds[wid];
      world.package = id;
      for (const items of [world.imports, world.exports]) {
        for (const k of items.keys()) {
          const item = items.get(k)!;
          if (typeof k === "string" && item.tag === "interface") {
            const iface = this.resolve.interfaces[item.id];
            if (iface.name === undefined) iface.package = id;
          }
        }
      }
    }
    return id;
  }
}

function packageNameOf(
  p: ParsedExternName & { kind: "interface" },
  suffix: string | undefined,
): WitPackageName {
  const out: WitPackageName = { namespace: p.namespace, name: p.package };
  if (p.version !== undefined) out.version = suffix === undefined ? p.version : p.version + suffix;
  return out;
}

/**
 * `formatName(packageNameOf(p, undefined))`, kept per parsed name: parsed names are shared (lib
 * component's parse cache), and a key built once is hashed once.
 */
function packageKey(p: ParsedExternName & { kind: "interface" }): string {
  let key = PACKAGE_KEYS.get(p);
  if (key === undefined) PACKAGE_KEYS.set(p, key = formatName(packageNameOf(p, undefined)));
  return key;
}

const PACKAGE_KEYS = new WeakMap<object, string>();

function formatName(n: WitPackageName): string {
  return n.version === undefined
    ? `${n.namespace}:${n.name}`
    : `${n.namespace}:${n.name}@${n.version}`;
}
