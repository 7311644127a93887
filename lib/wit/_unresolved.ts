/**
 * One package's syntax trees → an unresolved package: every name inside the package resolved,
 * references to other packages left as placeholders (foreign interfaces, worlds and `unknown`
 * types, always at the front of their arenas). Ids are allocated in wit-parser's order, anonymous
 * types (`list<u8>`, `borrow<r>`, …) interned per package as wit-parser does, so that appending
 * to a {@link Resolve} gives the same ids as wit-parser.
 */
import * as ast from "./_ast.ts";
import { NO_SPAN, type SourceMap, WitError } from "./_error.ts";
import { toposort } from "./_toposort.ts";
import type {
  FunctionKind,
  Param,
  Stability,
  Type,
  TypeDefKind,
  TypeId,
  TypeOwner,
  WitPackageName,
} from "./model.ts";
import { formatWitPackageName, UNKNOWN_STABILITY } from "./model.ts";
import { docsOf } from "./_docs.ts";
import { externalIdOf, stabilityOf } from "./_attributes.ts";
import { type LookupEntry, type TypeOrItem, TypeTable } from "./_type_table.ts";
import type {
  ForeignDep,
  UFunction,
  UInterface,
  UnresolvedPackage,
  UTypeDef,
  UWorld,
  UWorldItem,
} from "./_unresolved_types.ts";

export type * from "./_unresolved_types.ts";
export { docsOf, rustLines } from "./_docs.ts";

type ItemRef = { kind: "interface" | "world"; id: number };
type PathVisitor = (
  owner: ast.Id | undefined,
  attrs: ast.Attribute[],
  path: ast.UsePath,
  names: ast.Use["names"] | undefined,
  kind: "world" | "interface" | "unknown",
) => void;

/** Calls `f` for every path a declaration list mentions, in wit-parser's visiting order. */
function forEachPath(items: ast.AstItem[], f: PathVisitor): void {
  for (const item of items) {
    switch (item.kind) {
      case "world": {
        const world = item.value;
        const imports: ast.ImportExport[] = [];
        const exports: ast.ImportExport[] = [];
        for (const wi of world.items) {
          switch (wi.kind) {
            case "use":
              f(undefined, wi.attributes, wi.from, wi.names, "interface");
              break;
            case "include":
              f(world.name, wi.attributes, wi.from, undefined, "world");
              break;
            case "import":
              imports.push(wi);
              break;
            case "export":
              exports.push(wi);
              break;
          }
        }
        for (const ie of [...imports, ...exports]) {
          const e = ie.extern;
          if (e.kind === "interface") {
            for (const ii of e.items) {
              if (ii.kind === "use") f(undefined, ii.attributes, ii.from, ii.names, "interface");
            }
          } else if (e.kind === "path" || e.kind === "named-path") {
            f(undefined, ie.attributes, e.path, undefined, "interface");
          }
        }
        break;
      }
      case "interface":
        for (const ii of item.value.items) {
          if (ii.kind === "use") {
            f(item.value.name, ii.attributes, ii.from, ii.names, "interface");
          }
        }
        break;
      case "use":
        f(undefined, item.value.attributes, item.value.item, undefined, "unknown");
        break;
      case "package":
        forEachPath(item.value.items, f);
        break;
    }
  }
}

/** The package name as the model writes it. */
export function packageNameOf(p: ast.PackageName): WitPackageName {
  return p.version === undefined
    ? { namespace: p.namespace.name, name: p.name.name }
    : { namespace: p.namespace.name, name: p.name.name, version: p.version.text };
}

/**
 * Resolves the names inside one package (its files, or one nested `package … { }` block).
 * Push every file with {@link PackageResolver.push}, then call {@link PackageResolver.resolve}.
 */
export class PackageResolver {
  private packageName?: { name: WitPackageName; key: string; start: number; end: number };
  private packageDocs?: string;
  private declLists: ast.AstItem[][] = [];
  private readonly table: TypeTable;
  private types: UTypeDef[];
  private interfaces: UInterface[] = [];
  private worlds: UWorld[] = [];
  private curAstIndex = 0;
  private astItems: Map<string, ItemRef>[] = [];
  private packageItems = new Map<string, ItemRef>();
  private interfaceTypes: Map<string, LookupEntry>[] = [];
  private foreignDeps = new Map<string, ForeignDep>();
  private foreignInterfaces = new Set<number>();

  /** Where to point when no file names the package: the start of its first file. */
  anchor = NO_SPAN;

  constructor(private readonly sm: SourceMap) {
    this.table = new TypeTable(sm);
    this.types = this.table.types;
  }

  /** The names in scope of the interface or world being resolved. */
  private get typeLookup(): Map<string, LookupEntry> {
    return this.table.lookup;
  }
  private set typeLookup(m: Map<string, LookupEntry>) {
    this.table.lookup = m;
  }

  private syntax(message: string, start: number, end: number): WitError {
    return this.sm.error("syntax", message, start, end);
  }

  /** Adds one file (or nested block) of the package. */
  push(file: ast.PackageFile): void {
    const cur = file.packageId;
    if (cur) {
      const name = packageNameOf(cur);
      const key = formatWitPackageName(name);
      if (this.packageName && this.packageName.key !== key) {
        throw this.syntax(
          `package identifier \`${key}\` does not match previous package name of \`${this.packageName.key}\``,
          cur.start,
          cur.end,
        );
      }
      this.packageName = { name, key, start: cur.start, end: cur.end };
      const docs = docsOf(cur.docs);
      if (docs !== undefined) {
        if (this.packageDocs !== undefined) {
          throw this.syntax(
            "found doc comments on multiple 'package' items",
            cur.docs.start,
            cur.docs.end,
          );
        }
        this.packageDocs = docs;
      }
    }
    for (const item of file.items) {
      if (item.kind === "package") {
        const id = item.value.packageId!;
        throw this.syntax("nested packages must be placed at the top-level", id.start, id.end);
      }
    }
    this.declLists.push(file.items);
  }

  /** Resolves everything pushed into one unresolved package. */
  resolve(): UnresolvedPackage {
    if (!this.packageName) {
      throw this.sm.error(
        "syntax",
        "no `package` header was found in any WIT file for this package",
        this.anchor,
      );
    }
    const declLists = this.declLists;
    this.populateForeignDeps(declLists);
    const [ifaceOrder, worldOrder] = this.populateAstItems(declLists);
    this.populateForeignTypes(declLists);

    const ifaceAst = new Map<number, [ast.Interface, number]>();
    const worldAst = new Map<number, [ast.World, number]>();
    declLists.forEach((items, i) => {
      for (const item of items) {
        if (item.kind === "interface") {
          ifaceAst.set(this.astItems[i].get(item.value.name.name)!.id, [item.value, i]);
        } else if (item.kind === "world") {
          worldAst.set(this.astItems[i].get(item.value.name.name)!.id, [item.value, i]);
        }
      }
    });
    for (const id of ifaceOrder) {
      const [iface, i] = ifaceAst.get(id)!;
      this.curAstIndex = i;
      this.resolveInterface(id, iface.items, iface.docs, iface.attributes);
    }
    for (const id of worldOrder) {
      const [world, i] = worldAst.get(id)!;
      this.curAstIndex = i;
      this.resolveWorld(id, world);
    }
    const { name, key, start, end } = this.packageName;
    return {
      name,
      key,
      nameStart: start,
      nameEnd: end,
      docs: this.packageDocs,
      worlds: this.worlds,
      interfaces: this.interfaces,
      types: this.types,
      foreignDeps: this.foreignDeps,
      requiredResourceTypes: this.table.requiredResourceTypes,
    };
  }

  // ---- structure ----------------------------------------------------------------------------

  private populateForeignDeps(declLists: ast.AstItem[][]): void {
    for (const items of declLists) {
      forEachPath(items, (_owner, attrs, path, _names, kind) => {
        if (path.kind !== "package") return;
        const stability = this.stability(attrs);
        const pkgName = packageNameOf(path.pkg);
        const key = formatWitPackageName(pkgName);
        let dep = this.foreignDeps.get(key);
        if (!dep) {
          dep = { name: pkgName, start: path.pkg.start, end: path.pkg.end, items: new Map() };
          this.foreignDeps.set(key, dep);
        }
        let entry = dep.items.get(path.name.name);
        if (!entry) {
          const id = kind === "world"
            ? this.allocWorld(path.name.start, path.name.end)
            : this.allocInterface(path.name.start, path.name.end);
          entry = { kind: kind === "world" ? "world" : "interface", id, stabilities: [] };
          dep.items.set(path.name.name, entry);
        }
        entry.stabilities.push(stability);
        if (entry.kind === "interface") this.foreignInterfaces.add(entry.id);
      });
    }
  }

  private allocInterface(start: number, end: number): number {
    this.interfaceTypes.push(new Map());
    this.interfaces.push({
      types: new Map(),
      functions: new Map(),
      stability: UNKNOWN_STABILITY,
      start,
      end,
    });
    return this.interfaces.length - 1;
  }

  private allocWorld(start: number, end: number): number {
    this.worlds.push({
      name: "",
      imports: new Map(),
      exports: new Map(),
      stability: UNKNOWN_STABILITY,
      includes: [],
      start,
      end,
    });
    return this.worlds.length - 1;
  }

  private populateAstItems(declLists: ast.AstItem[][]): [number[], number[]] {
    const packageItems = new Map<string, ast.Id>();
    const names = new Map<string, "interface" | "world">();
    const order = new Map<string, ast.Id[]>();
    for (const items of declLists) {
      for (const item of items) {
        if (item.kind !== "interface" && item.kind !== "world") continue;
        const name = item.value.name;
        if (packageItems.has(name.name)) {
          throw this.syntax(`duplicate item named \`${name.name}\``, name.start, name.end);
        }
        packageItems.set(name.name, name);
        order.set(name.name, []);
        names.set(name.name, item.kind);
      }
    }

    for (const items of declLists) {
      const ns = new Map<string, { foreign: boolean; id?: ast.Id }>();
      for (const item of items) {
        let name: ast.Id;
        let src: { foreign: boolean; id?: ast.Id };
        if (item.kind === "use") {
          const u = item.value;
          name = u.as ?? ast.usePathName(u.item);
          src = u.item.kind === "id" ? { foreign: false, id: u.item.id } : { foreign: true };
        } else if (item.kind === "interface" || item.kind === "world") {
          name = item.value.name;
          src = { foreign: false, id: item.value.name };
        } else {
          continue;
        }
        if (ns.has(name.name)) {
          throw this.syntax(`duplicate name \`${name.name}\` in this file`, name.start, name.end);
        }
        ns.set(name.name, src);
      }
      forEachPath(items, (owner, _attrs, path) => {
        if (!owner) return;
        if (path.kind !== "id") return;
        const used = path.id;
        const local = ns.get(used.name);
        if (local) {
          if (!local.foreign) order.get(owner.name)!.push(local.id!);
          return;
        }
        if (packageItems.has(used.name)) {
          order.get(owner.name)!.push(used);
          return;
        }
        throw this.sm.error(
          "not-found",
          `interface or world \`${used.name}\` does not exist`,
          used.start,
          used.end,
        );
      });
    }

    const sorted = toposort(this.sm, "interface or world", order);
    const ids = new Map<string, ItemRef>();
    const ifaceOrder: number[] = [];
    const worldOrder: number[] = [];
    for (const name of sorted) {
      const span = packageItems.get(name)!;
      if (names.get(name) === "interface") {
        const id = this.allocInterface(span.start, span.end);
        this.interfaces[id].name = name;
        ids.set(name, { kind: "interface", id });
        ifaceOrder.push(id);
      } else {
        const id = this.allocWorld(span.start, span.end);
        this.worlds[id].name = name;
        ids.set(name, { kind: "world", id });
        worldOrder.push(id);
      }
    }
    for (const items of declLists) {
      const map = new Map<string, ItemRef>();
      for (const item of items) {
        let name: string;
        let ref: ItemRef;
        if (item.kind === "use") {
          const u = item.value;
          if (u.attributes.length > 0) {
            throw this.syntax("attributes not allowed on top-level use", u.start, u.end);
          }
          name = (u.as ?? ast.usePathName(u.item)).name;
          if (u.item.kind === "id") {
            const found = ids.get(u.item.id.name);
            if (!found) {
              throw this.sm.error(
                "not-found",
                `interface or world \`${u.item.id.name}\` does not exist`,
                u.item.id.start,
                u.item.id.end,
              );
            }
            ref = found;
          } else {
            const dep = this.foreignDeps.get(formatWitPackageName(packageNameOf(u.item.pkg)))!;
            ref = dep.items.get(u.item.name.name)!;
          }
        } else if (item.kind === "interface" || item.kind === "world") {
          name = item.value.name.name;
          ref = ids.get(name)!;
        } else {
          continue;
        }
        map.set(name, { kind: ref.kind, id: ref.id });
        if (item.kind !== "use") this.packageItems.set(name, ref);
      }
      this.astItems.push(map);
    }
    return [ifaceOrder, worldOrder];
  }

  private populateForeignTypes(declLists: ast.AstItem[][]): void {
    declLists.forEach((items, i) => {
      this.curAstIndex = i;
      forEachPath(items, (_owner, attrs, path, names) => {
        if (!names) return;
        const stability = this.stability(attrs);
        const externalId = this.externalId(attrs);
        const [item, name, start, end] = this.resolveAstItemPath(path);
        const iface = this.extractInterface(item, name, start, end);
        if (!this.foreignInterfaces.has(iface)) return;
        const lookup = this.interfaceTypes[iface];
        for (const n of names) {
          if (lookup.has(n.name.name)) continue;
          const t: UTypeDef = {
            name: n.name.name,
            kind: { tag: "unknown" },
            owner: { interface: iface },
            stability,
            start: n.name.start,
            end: n.name.end,
          };
          if (externalId !== undefined) t.externalId = externalId;
          this.types.push(t);
          const id = this.types.length - 1;
          lookup.set(n.name.name, { item: id, start: n.name.start, end: n.name.end });
          this.interfaces[iface].types.set(n.name.name, id);
        }
      });
    });
  }

  // ---- worlds -------------------------------------------------------------------------------

  private resolveWorld(worldId: number, world: ast.World): void {
    const w = this.worlds[worldId];
    const docs = docsOf(world.docs);
    if (docs !== undefined) w.docs = docs;
    w.stability = this.stability(world.attributes);

    const typeItems: (ast.Use | ast.TypeDef)[] = [];
    for (const item of world.items) {
      if (item.kind === "use" || item.kind === "typedef") typeItems.push(item);
    }
    this.resolveTypes({ world: worldId }, typeItems);

    for (const item of world.items) {
      if (item.kind === "include") this.resolveInclude(worldId, item);
    }

    for (const [name, entry] of this.typeLookup) {
      if (typeof entry.item !== "number") throw new Error("unreachable: item in world types");
      if (w.imports.has(name)) {
        throw this.syntax(
          `import \`${name}\` conflicts with prior import of same name`,
          entry.start,
          entry.end,
        );
      }
      w.imports.set(name, { tag: "type", id: entry.item, start: entry.start, end: entry.end });
    }

    const imported = new Set<number>();
    const exported = new Set<number>();
    for (const item of world.items) {
      if (item.kind === "typedef") {
        if (item.ty.k === "resource") {
          for (const f of item.ty.funcs) {
            const func = this.resolveResourceFunc(f, item.name);
            w.imports.set(func.name, { tag: "function", func });
          }
        }
        continue;
      }
      if (item.kind !== "import" && item.kind !== "export") continue;
      const desc = item.kind;
      const interfaces = desc === "import" ? imported : exported;
      const kind = item.extern;
      const worldItem = this.resolveWorldItem(item.docs, item.attributes, kind);
      let key: string | number;
      switch (kind.kind) {
        case "interface":
          key = kind.name.name;
          break;
        case "func":
          key = (worldItem as { func: UFunction }).func.name;
          break;
        case "path": {
          const [ref, name, start, end] = this.resolveAstItemPath(kind.path);
          key = this.extractInterface(ref, name, start, end);
          break;
        }
        case "named-path":
          key = kind.name.name;
          break;
      }
      const span = ast.externSpan(kind);
      if (typeof key === "number") {
        if (interfaces.has(key)) {
          throw this.syntax(`interface cannot be ${desc}ed more than once`, span.start, span.end);
        }
        interfaces.add(key);
      }
      const dst = desc === "import" ? w.imports : w.exports;
      const prev = dst.get(key);
      dst.set(key, worldItem);
      if (prev) {
        const what = prev.tag === "interface"
          ? "interface"
          : prev.tag === "function"
          ? "func"
          : "type";
        throw this.syntax(
          `${desc} \`${key}\` conflicts with prior ${what} of same name`,
          span.start,
          span.end,
        );
      }
    }
    this.typeLookup.clear();
  }

  private resolveWorldItem(
    docs: ast.Docs,
    attrs: ast.Attribute[],
    kind: ast.ExternKind,
  ): UWorldItem {
    switch (kind.kind) {
      case "interface": {
        const prev = this.typeLookup;
        this.typeLookup = new Map();
        const id = this.allocInterface(kind.name.start, kind.name.end);
        this.resolveInterface(id, kind.items, docs, attrs);
        this.typeLookup = prev;
        const item: UWorldItem = {
          tag: "interface",
          id,
          stability: this.interfaces[id].stability,
          start: kind.name.start,
          end: kind.name.end,
        };
        const externalId = this.externalId(attrs);
        if (externalId !== undefined) item.externalId = externalId;
        return item;
      }
      case "path":
      case "named-path": {
        const stability = this.stability(attrs);
        const externalId = this.externalId(attrs);
        const d = docsOf(docs);
        const [ref, name, start, end] = this.resolveAstItemPath(kind.path);
        const id = this.extractInterface(ref, name, start, end);
        const span = kind.kind === "path" ? { start, end } : kind.name;
        const item: UWorldItem = {
          tag: "interface",
          id,
          stability,
          start: span.start,
          end: span.end,
        };
        if (externalId !== undefined) item.externalId = externalId;
        if (d !== undefined) item.docs = d;
        return item;
      }
      case "func": {
        const func = this.resolveFunction(
          docs,
          attrs,
          kind.name.name,
          kind.name,
          kind.func,
          kind.func.async ? { tag: "async-freestanding" } : { tag: "freestanding" },
        );
        return { tag: "function", func };
      }
    }
  }

  private resolveInclude(worldId: number, inc: ast.Include): void {
    const stability = this.stability(inc.attributes);
    const [ref, name, start, end] = this.resolveAstItemPath(inc.from);
    if (ref.kind !== "world") {
      throw this.syntax(`name \`${name}\` is defined as an interface, not a world`, start, end);
    }
    this.worlds[worldId].includes.push({
      stability,
      id: ref.id,
      names: inc.names.map((n) => ({ name: n.name.name, as: n.as.name })),
      start,
      end,
    });
  }

  // ---- interfaces ---------------------------------------------------------------------------

  private resolveInterface(
    id: number,
    items: ast.InterfaceItem[],
    docs: ast.Docs,
    attrs: ast.Attribute[],
  ): void {
    const iface = this.interfaces[id];
    const d = docsOf(docs);
    if (d !== undefined) iface.docs = d;
    iface.stability = this.stability(attrs);

    const typeItems: (ast.Use | ast.TypeDef)[] = [];
    for (const item of items) if (item.kind !== "func") typeItems.push(item);
    this.resolveTypes({ interface: id }, typeItems);
    for (const [name, entry] of this.typeLookup) {
      iface.types.set(name, entry.item as TypeId);
    }

    const funcs: UFunction[] = [];
    for (const item of items) {
      if (item.kind === "func") {
        this.defineName(item.name, "function");
        funcs.push(this.resolveFunction(
          item.docs,
          item.attributes,
          item.name.name,
          item.name,
          item.func,
          item.func.async ? { tag: "async-freestanding" } : { tag: "freestanding" },
        ));
      } else if (item.kind === "typedef" && item.ty.k === "resource") {
        for (const f of item.ty.funcs) funcs.push(this.resolveResourceFunc(f, item.name));
      }
    }
    for (const f of funcs) iface.functions.set(f.name, f);
    this.interfaceTypes[id] = this.typeLookup;
    this.typeLookup = new Map();
  }

  private resolveTypes(owner: TypeOwner, items: (ast.Use | ast.TypeDef)[]): void {
    for (const item of items) if (item.kind === "use") this.resolveUse(owner, item);

    const typeDeps = new Map<string, ast.Id[]>();
    const typeDefs = new Map<string, ast.TypeDef | undefined>();
    for (const item of items) {
      if (item.kind === "typedef") {
        if (typeDefs.has(item.name.name)) {
          throw this.syntax(
            `name \`${item.name.name}\` is defined more than once`,
            item.name.start,
            item.name.end,
          );
        }
        typeDefs.set(item.name.name, item);
        const deps: ast.Id[] = [];
        collectDeps(item.ty, deps);
        typeDeps.set(item.name.name, deps);
      } else {
        for (const n of item.names) {
          const name = (n.as ?? n.name).name;
          typeDeps.set(name, []);
          typeDefs.set(name, undefined);
        }
      }
    }
    let order: string[];
    try {
      order = toposort(this.sm, "type", typeDeps);
    } catch (e) {
      throw attachOldFloatHint(e);
    }
    for (const name of order) {
      const def = typeDefs.get(name);
      typeDefs.delete(name);
      if (!def) continue;
      const docs = docsOf(def.docs);
      const stability = this.stability(def.attributes);
      const externalId = this.externalId(def.attributes);
      const kind = this.table.resolveTypeDef(def.ty, stability);
      const t: UTypeDef = {
        name: def.name.name,
        kind,
        owner,
        stability,
        start: def.name.start,
        end: def.name.end,
      };
      if (docs !== undefined) t.docs = docs;
      if (externalId !== undefined) t.externalId = externalId;
      this.types.push(t);
      this.defineName(def.name, this.types.length - 1);
    }
  }

  private resolveUse(owner: TypeOwner, u: ast.Use): void {
    const [ref, name, start, end] = this.resolveAstItemPath(u.from);
    const from = this.extractInterface(ref, name, start, end);
    const stability = this.stability(u.attributes);
    const externalId = this.externalId(u.attributes);
    for (const n of u.names) {
      const lookup = this.interfaceTypes[from];
      const entry = lookup.get(n.name.name);
      if (entry === undefined) {
        throw this.sm.error(
          "not-found",
          `name \`${n.name.name}\` does not exist`,
          n.name.start,
          n.name.end,
        );
      }
      if (typeof entry.item !== "number") {
        throw this.syntax(
          `cannot import ${entry.item} \`${n.name.name}\``,
          n.name.start,
          n.name.end,
        );
      }
      const local = n.as ?? n.name;
      const t: UTypeDef = {
        name: local.name,
        kind: { tag: "type", type: entry.item },
        owner,
        stability,
        start: n.name.start,
        end: n.name.end,
      };
      if (externalId !== undefined) t.externalId = externalId;
      this.types.push(t);
      this.defineName(local, this.types.length - 1);
    }
  }

  private resolveResourceFunc(f: ast.ResourceFunc, resource: ast.Id): UFunction {
    const entry = this.typeLookup.get(resource.name);
    if (entry === undefined || typeof entry.item !== "number") {
      throw new Error("type lookup for resource failed");
    }
    const id = entry.item;
    const nf = f.func;
    const isAsync = nf.func.async;
    let name: string;
    let kind: FunctionKind;
    switch (f.kind) {
      case "method":
        name = `[method]${resource.name}.${nf.name.name}`;
        kind = isAsync ? { tag: "async-method", resource: id } : { tag: "method", resource: id };
        break;
      case "static":
        name = `[static]${resource.name}.${nf.name.name}`;
        kind = isAsync ? { tag: "async-static", resource: id } : { tag: "static", resource: id };
        break;
      case "constructor":
        name = `[constructor]${resource.name}`;
        kind = { tag: "constructor", resource: id };
        break;
    }
    return this.resolveFunction(nf.docs, nf.attributes, name, nf.name, nf.func, kind);
  }

  private resolveFunction(
    docs: ast.Docs,
    attrs: ast.Attribute[],
    name: string,
    nameSpan: ast.Id,
    func: ast.Func,
    kind: FunctionKind,
  ): UFunction {
    const d = docsOf(docs);
    const stability = this.stability(attrs);
    const externalId = this.externalId(attrs);
    const params = this.resolveParams(func.params, kind, func.start, func.end);
    const result = this.resolveResult(func.result, kind);
    const f: UFunction = {
      name,
      kind,
      params,
      stability,
      start: nameSpan.start,
      end: nameSpan.end,
    };
    if (result !== undefined) f.result = result;
    if (d !== undefined) f.docs = d;
    if (externalId !== undefined) f.externalId = externalId;
    return f;
  }

  private resolveParams(
    params: [ast.Id, ast.AstType][],
    kind: FunctionKind,
    start: number,
    end: number,
  ): Param[] {
    const ret: Param[] = [];
    if (kind.tag === "method" || kind.tag === "async-method") {
      const k: TypeDefKind = { tag: "handle", handle: "borrow", resource: kind.resource };
      const stability = this.table.findStability(k, UNKNOWN_STABILITY);
      const shared = this.table.anonTypeDef(k, stability, start, end);
      ret.push({ name: "self", type: shared });
    }
    for (const [name, ty] of params) {
      if (ret.some((p) => p.name === name.name)) {
        throw this.syntax(`param \`${name.name}\` is defined more than once`, name.start, name.end);
      }
      ret.push({ name: name.name, type: this.table.resolveType(ty, UNKNOWN_STABILITY) });
    }
    return ret;
  }

  private resolveResult(result: ast.AstType | undefined, kind: FunctionKind): Type | undefined {
    if (kind.tag !== "constructor") {
      return result ? this.table.resolveType(result, UNKNOWN_STABILITY) : undefined;
    }
    if (!result) return kind.resource;
    const ty = this.table.resolveType(result, UNKNOWN_STABILITY);
    const def = typeof ty === "number" ? this.types[ty] : undefined;
    if (!def || def.kind.tag !== "result") {
      throw this.syntax(
        "if a constructor return type is declared it must be a `result`",
        result.start,
        result.end,
      );
    }
    if (def.kind.ok === kind.resource) return ty;
    const okSpan = result.k === "result" && result.ok ? result.ok : result;
    throw this.syntax(
      "the `ok` type must be the resource being constructed",
      okSpan.start,
      okSpan.end,
    );
  }

  // ---- names and paths ----------------------------------------------------------------------

  private resolveAstItemPath(path: ast.UsePath): [ItemRef, string, number, number] {
    if (path.kind === "id") {
      const id = path.id;
      const item = this.astItems[this.curAstIndex].get(id.name) ?? this.packageItems.get(id.name);
      if (!item) {
        throw this.sm.error(
          "not-found",
          `interface or world \`${id.name}\` does not exist`,
          id.start,
          id.end,
        );
      }
      return [item, id.name, id.start, id.end];
    }
    const dep = this.foreignDeps.get(formatWitPackageName(packageNameOf(path.pkg)))!;
    const item = dep.items.get(path.name.name)!;
    return [item, path.name.name, path.name.start, path.name.end];
  }

  private extractInterface(item: ItemRef, name: string, start: number, end: number): number {
    if (item.kind === "interface") return item.id;
    throw this.syntax(`name \`${name}\` is defined as a world, not an interface`, start, end);
  }

  private defineName(name: ast.Id, item: TypeOrItem): void {
    if (this.typeLookup.has(name.name)) {
      this.typeLookup.set(name.name, { item, start: name.start, end: name.end });
      throw this.syntax(`name \`${name.name}\` is defined more than once`, name.start, name.end);
    }
    this.typeLookup.set(name.name, { item, start: name.start, end: name.end });
  }

  // ---- types --------------------------------------------------------------------------------

  // ---- attributes ---------------------------------------------------------------------------

  private stability(attrs: ast.Attribute[]): Stability {
    return stabilityOf(this.sm, attrs);
  }

  private externalId(attrs: ast.Attribute[]): string | undefined {
    return externalIdOf(this.sm, attrs);
  }
}

function collectDeps(ty: ast.AstType, deps: ast.Id[]): void {
  switch (ty.k) {
    case "name":
      deps.push(ty.id);
      break;
    case "handle":
      deps.push(ty.resource);
      break;
    case "record":
      for (const f of ty.fields) collectDeps(f.ty, deps);
      break;
    case "tuple":
      for (const t of ty.types) collectDeps(t, deps);
      break;
    case "variant":
      for (const c of ty.cases) if (c.ty) collectDeps(c.ty, deps);
      break;
    case "option":
    case "list":
    case "fixed-list":
      collectDeps(ty.ty, deps);
      break;
    case "map":
      collectDeps(ty.key, deps);
      collectDeps(ty.value, deps);
      break;
    case "result":
      if (ty.ok) collectDeps(ty.ok, deps);
      if (ty.err) collectDeps(ty.err, deps);
      break;
    case "future":
    case "stream":
      if (ty.ty) collectDeps(ty.ty, deps);
      break;
  }
}

function attachOldFloatHint(e: unknown): unknown {
  if (!(e instanceof WitError) || e.code !== "not-found") return e;
  const m = /^type `(float32|float64)` does not exist$/.exec(e.message);
  if (!m) return e;
  const renamed = m[1] === "float32" ? "f32" : "f64";
  const message = `${e.message}\nthe \`${m[1]}\` type has been renamed to \`${renamed}\` and is ` +
    "no longer accepted, but the `WIT_REQUIRE_F32_F64=0` environment variable can be used to " +
    "temporarily disable this error";
  return new WitError(e.code, message, e.location);
}
