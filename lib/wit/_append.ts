/**
 * Appending an unresolved package to a {@link Resolve} (wit-parser's `Remap::append`): references
 * to other packages are connected, items whose feature gate is off are dropped, references to a
 * resource become `own` handles, `include`s are copied in and worlds elaborated. The order of
 * every step is wit-parser's, so ids come out the same.
 */
import { Cloner, cloneWorldItem } from "./_clone.ts";
import { elaborateWorld } from "./_elaborate.ts";
import { NO_SPAN, type SourceMap, WitError, type WitErrorCode } from "./_error.ts";
import { compareSemver } from "./_semver.ts";
import type {
  Span,
  UInclude,
  UInterface,
  UnresolvedPackage,
  UWorld,
  UWorldItem,
} from "./_unresolved_types.ts";
import type {
  Field,
  Function,
  Interface,
  PackageId,
  Resolve,
  Stability,
  Type,
  TypeDef,
  TypeDefKind,
  TypeId,
  World,
  WorldId,
  WorldItem,
  WorldKey,
} from "./model.ts";
import { formatWitPackageName, UNKNOWN_STABILITY } from "./model.ts";

/** What a resolution is configured with. */
export interface Gates {
  /** Enabled `@unstable` features. */
  features: ReadonlySet<string>;
  /** Enable every `@unstable` feature. */
  allFeatures: boolean;
}

/** Throws a located error (or an unlocated one when the span is unknown). */
export function fail(
  sm: SourceMap | undefined,
  code: WitErrorCode,
  message: string,
  start: number = NO_SPAN,
  end?: number,
): never {
  throw sm ? sm.error(code, message, start, end) : new WitError(code, message);
}

function formatStability(s: Stability): string {
  switch (s.kind) {
    case "unknown":
      return "Unknown";
    case "stable":
      return `Stable { since: ${s.since}, deprecated: ${s.deprecated ?? "None"} }`;
    case "unstable":
      return `Unstable { feature: ${JSON.stringify(s.feature)}, deprecated: ${
        s.deprecated ?? "None"
      } }`;
  }
}

/** Whether two stabilities are the same. */
export function sameStability(a: Stability, b: Stability): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "stable" && b.kind === "stable") {
    return a.since === b.since && a.deprecated === b.deprecated;
  }
  if (a.kind === "unstable" && b.kind === "unstable") {
    return a.feature === b.feature && a.deprecated === b.deprecated;
  }
  return true;
}

/** The stability to keep when two views of one item meet (wit-parser's `update_stability`). */
export function mergeStability(
  sm: SourceMap | undefined,
  from: Stability,
  into: Stability,
  start: number = NO_SPAN,
  end?: number,
): Stability {
  if (from.kind === "unknown" || sameStability(from, into)) return into;
  if (into.kind === "unknown") return from;
  fail(
    sm,
    "stability-mismatch",
    `mismatch in stability from '${formatStability(from)}' to '${formatStability(into)}'`,
    start,
    end,
  );
}

/** Whether an item with `stability` is kept in package `pkg` (errors on bad `@since`). */
export function includeStability(
  sm: SourceMap | undefined,
  gates: Gates,
  resolve: Resolve,
  stability: Stability,
  pkg: PackageId,
  start: number,
  end: number,
): boolean {
  switch (stability.kind) {
    case "unknown":
      return true;
    case "stable": {
      const p = resolve.packages[pkg];
      if (!p) return true;
      const name = formatWitPackageName(p.name);
      const version = p.name.version;
      if (version === undefined) {
        fail(
          sm,
          "semantic",
          `package [${name}] contains a feature gate with a version specifier, so it must have a version`,
          start,
          end,
        );
      }
      if (compareSemver(stability.since, version) > 0) {
        fail(
          sm,
          "semantic",
          `feature gate cannot reference unreleased version ${stability.since} of package [${name}] (current version ${version})`,
          start,
          end,
        );
      }
      return true;
    }
    case "unstable":
      return gates.allFeatures || gates.features.has(stability.feature);
  }
}

/** `name` renamed by `include … with { a as b }`, or `undefined` when the rename does not apply. */
export function renameIncluded(original: string, inc: { name: string; as: string }) {
  if (original === inc.name) return inc.as;
  const close = original.indexOf("]");
  if (close < 0) return undefined;
  const kind = original.slice(0, close);
  const rest = original.slice(close + 1);
  const dot = rest.indexOf(".");
  if (dot >= 0 && rest.slice(0, dot) === inc.name) {
    return `${kind}]${inc.as}.${rest.slice(dot + 1)}`;
  }
  if (rest === inc.name) return `${kind}]${inc.as}`;
  return undefined;
}

/** Whether a type contains a `borrow` handle, memoized per resolve. */
export class BorrowFinder {
  private readonly cache: (boolean | undefined)[] = [];
  constructor(private readonly resolve: Resolve) {}

  has(t: Type | undefined): boolean {
    if (typeof t !== "number") return false;
    // Follow `type a = b` aliases without recursing: chains of aliases can be long.
    const chain: number[] = [];
    let cur = t;
    let k = this.resolve.types[cur].kind;
    while (this.cache[cur] === undefined && k.tag === "type" && typeof k.type === "number") {
      chain.push(cur);
      cur = k.type;
      k = this.resolve.types[cur].kind;
    }
    let r = this.cache[cur];
    if (r === undefined) {
      r = k.tag === "type" ? false : this.kind(k);
      this.cache[cur] = r;
    }
    for (const id of chain) this.cache[id] = r;
    return r;
  }

  private kind(k: TypeDefKind): boolean {
    switch (k.tag) {
      case "type":
      case "option":
        return this.has(k.type);
      case "variant":
        return k.cases.some((c) => this.has(c.type));
      case "handle":
        return k.handle === "borrow";
      case "record":
        return k.fields.some((f) => this.has(f.type));
      case "tuple":
        return k.types.some((t) => this.has(t));
      case "list":
      case "fixed-length-list":
        return this.has(k.element);
      case "future":
      case "stream":
        return this.has(k.type);
      case "map":
        return this.has(k.key) || this.has(k.value);
      case "result":
        return this.has(k.ok) || this.has(k.err);
      default:
        return false;
    }
  }
}

/**
 * Id mappings of one append or merge: ids of the incoming package(s) → ids in the resolve
 * (`null` when gated off).
 */
export class Remap {
  types: (TypeId | null)[] = [];
  interfaces: (number | null)[] = [];
  worlds: (WorldId | null)[] = [];
  private ownHandles = new Map<TypeId, TypeId>();
  private borrows: BorrowFinder;
  /** Spans of types moved in by this append, by their new id. */
  private typeSpans = new Map<TypeId, [number, number]>();
  /** New ids of the packages of a merged resolve. */
  packages: number[] = [];

  constructor(
    private readonly sm: SourceMap | undefined,
    private readonly gates: Gates,
    private readonly resolve: Resolve,
  ) {
    this.borrows = new BorrowFinder(resolve);
  }

  private apply(map: (number | null)[], id: number, desc: string, start: number, end?: number) {
    const v = map[id];
    if (v === undefined) {
      throw new Error(`request to remap a ${desc} that has not yet been registered`);
    }
    if (v === null) {
      fail(
        this.sm,
        "semantic",
        `found a reference to a ${desc} which is excluded due to its feature not being activated`,
        start,
        end,
      );
    }
    return v;
  }

  /** The new id of type `id`; errors when it was gated off. */
  mapType(id: TypeId, start = NO_SPAN, end?: number): TypeId {
    return this.apply(this.types, id, "type", start, end);
  }
  /** The new id of interface `id`; errors when it was gated off. */
  mapInterface(id: number, start = NO_SPAN, end?: number): number {
    return this.apply(this.interfaces, id, "interface", start, end);
  }
  /** The new id of world `id`; errors when it was gated off. */
  mapWorld(id: number, start = NO_SPAN, end?: number): WorldId {
    return this.apply(this.worlds, id, "world", start, end);
  }

  /** Whether an item with `stability` is kept in package `pkg`. */
  include(stability: Stability, pkg: PackageId, start = NO_SPAN, end = NO_SPAN): boolean {
    return includeStability(this.sm, this.gates, this.resolve, stability, pkg, start, end);
  }

  /** Appends `u` to the resolve; returns its package id. */
  append(u: UnresolvedPackage): PackageId {
    const resolve = this.resolve;
    const pkg = resolve.packages.length;
    resolve.packages.push({
      name: u.name,
      ...(u.docs !== undefined ? { docs: u.docs } : {}),
      interfaces: new Map(),
      worlds: new Map(),
    });
    resolve.packageNames.set(u.key, pkg);
    this.processForeignDeps(u, pkg);

    const foreignTypes = this.types.length;
    const foreignInterfaces = this.interfaces.length;
    const foreignWorlds = this.worlds.length;

    for (let id = foreignTypes; id < u.types.length; id++) {
      const ty = u.types[id];
      if (!this.include(ty.stability, pkg, ty.start, ty.end)) {
        this.types.push(null);
        continue;
      }
      const def = this.updateTypeDef(ty);
      resolve.types.push(def);
      let newId = resolve.types.length - 1;
      this.typeSpans.set(newId, [ty.start, ty.end]);
      if (
        def.name === undefined && def.owner === null && def.kind.tag === "handle" &&
        def.kind.handle === "own"
      ) {
        const prev = this.ownHandles.get(def.kind.resource);
        if (prev !== undefined) newId = prev;
        else this.ownHandles.set(def.kind.resource, newId);
      }
      this.types.push(newId);
    }

    for (let id = foreignInterfaces; id < u.interfaces.length; id++) {
      const iface = u.interfaces[id];
      if (!this.include(iface.stability, pkg, iface.start, iface.end)) {
        this.interfaces.push(null);
        continue;
      }
      resolve.interfaces.push(this.updateInterface(iface, pkg));
      this.interfaces.push(resolve.interfaces.length - 1);
    }

    for (let i = foreignTypes; i < this.types.length; i++) {
      const id = this.types[i];
      if (id === null) continue;
      const t = resolve.types[id];
      if (t.owner !== null && "interface" in t.owner) {
        const [s, e] = this.typeSpans.get(id) ?? [NO_SPAN, NO_SPAN];
        try {
          t.owner = { interface: this.mapInterface(t.owner.interface, s, e) };
        } catch (err) {
          throw gatedOwner(err, "interface");
        }
      }
    }

    const newWorlds: [WorldId, UWorld][] = [];
    for (let id = foreignWorlds; id < u.worlds.length; id++) {
      const world = u.worlds[id];
      if (!this.include(world.stability, pkg, world.start, world.end)) {
        this.worlds.push(null);
        continue;
      }
      resolve.worlds.push(this.updateWorld(world, pkg));
      const newId = resolve.worlds.length - 1;
      this.worlds.push(newId);
      newWorlds.push([newId, world]);
    }

    for (let i = foreignTypes; i < this.types.length; i++) {
      const id = this.types[i];
      if (id === null) continue;
      const t = resolve.types[id];
      if (t.owner !== null && "world" in t.owner) {
        const [s, e] = this.typeSpans.get(id) ?? [NO_SPAN, NO_SPAN];
        try {
          t.owner = { world: this.mapWorld(t.owner.world, s, e) };
        } catch (err) {
          throw gatedOwner(err, "world");
        }
      }
    }

    for (const [id, world] of newWorlds) {
      this.processWorldIncludes(id, world.includes, pkg);
      elaborateWorld(this.sm, resolve, id, world.start, world.end);
    }

    for (let i = foreignInterfaces; i < this.interfaces.length; i++) {
      const id = this.interfaces[i];
      if (id === null) continue;
      const iface = resolve.interfaces[id];
      iface.package = pkg;
      if (iface.name !== undefined) resolve.packages[pkg].interfaces.set(iface.name, id);
    }
    for (const [id] of newWorlds) {
      const world = resolve.worlds[id];
      world.package = pkg;
      resolve.packages[pkg].worlds.set(world.name, id);
    }
    return pkg;
  }

  // ---- foreign references -------------------------------------------------------------------

  private processForeignDeps(u: UnresolvedPackage, pkg: PackageId): void {
    const resolve = this.resolve;
    type Ref = {
      pkgKey: string;
      name: string;
      start: number;
      end: number;
      stabilities: Stability[];
    };
    const ifaceRefs = new Map<number, Ref>();
    const worldRefs = new Map<number, Ref>();
    for (const [pkgKey, dep] of u.foreignDeps) {
      for (const [name, item] of dep.items) {
        const ref = { pkgKey, name, start: dep.start, end: dep.end, stabilities: item.stabilities };
        (item.kind === "interface" ? ifaceRefs : worldRefs).set(item.id, ref);
      }
    }
    const lookupPackage = (ref: Ref): PackageId => {
      const id = resolve.packageNames.get(ref.pkgKey);
      if (id !== undefined) return id;
      const known = [...resolve.packageNames.keys()];
      const message = known.length === 0
        ? `package '${ref.pkgKey}' not found`
        : `package '${ref.pkgKey}' not found. known packages:${
          known.map((k) => `\n    ${k}`).join("")
        }`;
      fail(this.sm, "package-not-found", message, ref.start, ref.end);
    };
    const enabled = (ref: Ref, start: number, end: number) =>
      ref.stabilities.some((s) => this.include(s, pkg, start, end));

    for (let id = 0; id < u.interfaces.length; id++) {
      const ref = ifaceRefs.get(id);
      if (!ref) break;
      const target = resolve.packages[lookupPackage(ref)];
      const iface = u.interfaces[id];
      if (!enabled(ref, iface.start, iface.end)) {
        this.interfaces.push(null);
        continue;
      }
      const found = target.interfaces.get(ref.name);
      if (found === undefined) {
        fail(
          this.sm,
          "item-not-found",
          `interface '${ref.name}' not found in package '${formatWitPackageName(target.name)}'`,
          iface.start,
          iface.end,
        );
      }
      this.interfaces.push(found);
    }
    for (let id = 0; id < u.worlds.length; id++) {
      const ref = worldRefs.get(id);
      if (!ref) break;
      const target = resolve.packages[lookupPackage(ref)];
      const world = u.worlds[id];
      if (!enabled(ref, world.start, world.end)) {
        this.worlds.push(null);
        continue;
      }
      const found = target.worlds.get(ref.name);
      if (found === undefined) {
        fail(
          this.sm,
          "item-not-found",
          `world '${ref.name}' not found in package '${formatWitPackageName(target.name)}'`,
          world.start,
          world.end,
        );
      }
      this.worlds.push(found);
    }
    for (const ty of u.types) {
      if (ty.kind.tag !== "unknown") break;
      if (!this.include(ty.stability, pkg, ty.start, ty.end)) {
        this.types.push(null);
        continue;
      }
      const owner = ty.owner as { interface: number };
      const ifaceId = this.mapInterface(owner.interface);
      const found = resolve.interfaces[ifaceId].types.get(ty.name!);
      if (found === undefined) {
        fail(
          this.sm,
          "semantic",
          `type \`${ty.name}\` not defined in interface`,
          ty.start,
          ty.end,
        );
      }
      this.types.push(found);
    }
    for (const req of u.requiredResourceTypes) {
      // A type gated off is not checked: any use of it is an error anyway.
      const mapped = this.types[req.id];
      if (mapped === null || mapped === undefined) continue;
      let id: TypeId = mapped;
      for (;;) {
        const k = resolve.types[id].kind;
        if (k.tag === "type" && typeof k.type === "number") id = k.type;
        else if (k.tag === "resource") break;
        else {
          fail(this.sm, "semantic", "type used in a handle must be a resource", req.start, req.end);
        }
      }
    }
  }

  // ---- items --------------------------------------------------------------------------------

  /** The type with its references mapped (before its owner is known). */
  updateTypeDef(ty: TypeDef & Partial<Span>): TypeDef {
    const s = ty.start ?? NO_SPAN, e = ty.end ?? NO_SPAN;
    const k = ty.kind;
    let kind: TypeDefKind;
    switch (k.tag) {
      case "handle":
        kind = { tag: "handle", handle: k.handle, resource: this.mapType(k.resource, s, e) };
        break;
      case "resource":
      case "flags":
      case "enum":
        kind = k;
        break;
      case "record":
        kind = {
          tag: "record",
          fields: k.fields.map((f) => {
            const span = f as Partial<Span>;
            const field: Field = {
              name: f.name,
              type: this.updateTy(f.type, span.start ?? s, span.end ?? e),
            };
            if (f.docs !== undefined) field.docs = f.docs;
            return field;
          }),
        };
        break;
      case "tuple":
        kind = { tag: "tuple", types: k.types.map((t) => this.updateTy(t, s, e)) };
        break;
      case "variant":
        kind = {
          tag: "variant",
          cases: k.cases.map((c) =>
            c.type === undefined ? { ...c } : { ...c, type: this.updateTy(c.type, s, e) }
          ),
        };
        break;
      case "option":
        kind = { tag: "option", type: this.updateTy(k.type, s, e) };
        break;
      case "list":
        kind = { tag: "list", element: this.updateTy(k.element, s, e) };
        break;
      case "fixed-length-list":
        kind = { tag: k.tag, element: this.updateTy(k.element, s, e), length: k.length };
        break;
      case "future":
      case "stream":
        kind = k.type === undefined
          ? { tag: k.tag }
          : { tag: k.tag, type: this.updateTy(k.type, s, e) };
        break;
      case "map":
        kind = { tag: "map", key: this.updateTy(k.key, s, e), value: this.updateTy(k.value, s, e) };
        break;
      case "result": {
        const r: TypeDefKind = { tag: "result" };
        if (k.ok !== undefined) r.ok = this.updateTy(k.ok, s, e);
        if (k.err !== undefined) r.err = this.updateTy(k.err, s, e);
        kind = r;
        break;
      }
      case "type":
        kind = typeof k.type === "number" ? { tag: "type", type: this.mapType(k.type, s, e) } : k;
        break;
      case "unknown":
        throw new Error("unreachable: unknown type in package");
    }
    const def: TypeDef = { kind, owner: ty.owner, stability: ty.stability };
    if (ty.name !== undefined) def.name = ty.name;
    if (ty.docs !== undefined) def.docs = ty.docs;
    if (ty.externalId !== undefined) def.externalId = ty.externalId;
    return def;
  }

  /** Maps a type reference; a reference to a resource becomes an anonymous `own` handle. */
  updateTy(t: Type, start: number, end: number): Type {
    if (typeof t !== "number") return t;
    const id = this.mapType(t, start, end);
    let cur = id;
    for (;;) {
      const k = this.resolve.types[cur].kind;
      if (k.tag === "type" && typeof k.type === "number") cur = k.type;
      else if (k.tag === "resource") break;
      else return id;
    }
    let own = this.ownHandles.get(id);
    if (own === undefined) {
      this.resolve.types.push({
        kind: { tag: "handle", handle: "own", resource: id },
        owner: null,
        stability: UNKNOWN_STABILITY,
      });
      own = this.resolve.types.length - 1;
      this.ownHandles.set(id, own);
    }
    return own;
  }

  /** The function with its types mapped; rejects a result that contains a `borrow`. */
  updateFunction(f: Function & Partial<Span>): Function {
    const s = f.start ?? NO_SPAN, e = f.end ?? NO_SPAN;
    const kind = "resource" in f.kind
      ? { ...f.kind, resource: this.mapType(f.kind.resource, s, e) }
      : f.kind;
    const out: Function = {
      name: f.name,
      kind,
      params: f.params.map((p) => ({ name: p.name, type: this.updateTy(p.type, s, e) })),
      stability: f.stability,
    };
    if (f.result !== undefined) out.result = this.updateTy(f.result, s, e);
    if (f.docs !== undefined) out.docs = f.docs;
    if (f.externalId !== undefined) out.externalId = f.externalId;
    if (this.borrows.has(out.result)) {
      fail(
        this.sm,
        "semantic",
        `function \`${f.name}\` returns a type which contains a \`borrow<T>\` which is not supported`,
        s,
        e,
      );
    }
    return out;
  }

  private updateInterface(iface: UInterface, pkg: PackageId): Interface {
    const types = new Map<string, TypeId>();
    for (const [name, t] of iface.types) {
      if (this.types[t] === null) continue;
      types.set(name, this.mapType(t, iface.start, iface.end));
    }
    const functions = new Map<string, Function>();
    for (const [name, f] of iface.functions) {
      if (!this.include(f.stability, pkg, f.start, f.end)) continue;
      functions.set(name, this.updateFunction(f));
    }
    const out: Interface = {
      types,
      functions,
      stability: iface.stability,
      package: pkg,
    };
    if (iface.name !== undefined) out.name = iface.name;
    if (iface.docs !== undefined) out.docs = iface.docs;
    return out;
  }

  private updateWorld(world: UWorld, pkg: PackageId): World {
    const out: World = {
      name: world.name,
      imports: new Map(),
      exports: new Map(),
      stability: world.stability,
      includes: [],
    };
    if (world.docs !== undefined) out.docs = world.docs;
    const all: [string | number, UWorldItem, boolean][] = [];
    for (const [k, v] of world.imports) all.push([k, v, true]);
    for (const [k, v] of world.exports) all.push([k, v, false]);
    for (const [key, item, isImport] of all) {
      const [s, e] = item.tag === "function"
        ? [item.func.start, item.func.end]
        : [item.start, item.end];
      let typeId: TypeId | undefined;
      if (item.tag === "type") typeId = this.mapType(item.id, s, e);
      const stability = item.tag === "interface"
        ? item.stability
        : item.tag === "function"
        ? item.func.stability
        : this.resolve.types[typeId!].stability;
      if (!this.include(stability, pkg, s, e)) continue;
      const newKey: WorldKey = typeof key === "number" ? this.mapInterface(key, s, e) : key;
      let newItem: WorldItem;
      switch (item.tag) {
        case "interface": {
          newItem = { tag: "interface", id: this.mapInterface(item.id, s, e), stability };
          if (item.docs !== undefined) newItem.docs = item.docs;
          if (item.externalId !== undefined) newItem.externalId = item.externalId;
          break;
        }
        case "function":
          newItem = { tag: "function", func: this.updateFunction(item.func) };
          break;
        case "type":
          newItem = { tag: "type", id: typeId! };
          break;
      }
      (isImport ? out.imports : out.exports).set(newKey, newItem);
    }
    return out;
  }

  // ---- includes -----------------------------------------------------------------------------

  private processWorldIncludes(id: WorldId, includes: UInclude[], pkg: PackageId): void {
    for (const inc of includes) {
      if (!this.include(inc.stability, pkg, inc.start, inc.end)) continue;
      this.resolveInclude(id, inc, pkg);
    }
    const world = this.resolve.worlds[id];
    const check = (items: Map<WorldKey, WorldItem>, what: string) => {
      const seen = new Map<string, string>();
      for (const key of items.keys()) {
        if (typeof key !== "string") continue;
        const lower = key.toLowerCase();
        const existing = seen.get(lower);
        if (existing !== undefined && existing !== key) {
          fail(
            this.sm,
            "semantic",
            `${what} \`${key}\` in world \`${world.name}\` conflicts with ${what} \`${existing}\` (kebab-case identifiers are case-insensitive)`,
          );
        }
        seen.set(lower, key);
      }
    };
    check(world.imports, "import");
    check(world.exports, "export");
  }

  private resolveInclude(id: WorldId, inc: UInclude, pkg: PackageId): void {
    const resolve = this.resolve;
    const world = resolve.worlds[id];
    const includedId = this.mapWorld(inc.id, inc.start, inc.end);
    const included = resolve.worlds[includedId];
    const importsSnapshot = [...included.imports];
    const exportsSnapshot = [...included.exports];
    let pending = [...inc.names];
    for (const [key] of [...importsSnapshot, ...exportsSnapshot]) {
      if (typeof key === "string") {
        pending = pending.filter((n) => renameIncluded(key, n) === undefined);
      }
    }
    if (pending.length > 0) {
      fail(
        this.sm,
        "semantic",
        `no import or export kebab-name \`${
          pending[0].name
        }\`. Note that an ID does not support renaming`,
        inc.start,
        inc.end,
      );
    }
    const isExternal = world.package !== included.package;
    const cloner = new Cloner(
      resolve,
      { types: new Map(), interfaces: new Map() },
      { world: includedId },
      { world: id },
      pkg,
    );
    const copy = (
      entries: [WorldKey, WorldItem][],
      dst: Map<WorldKey, WorldItem>,
      what: string,
    ) => {
      for (const [key, item] of entries) {
        if (typeof key === "string") {
          let n = key;
          for (const name of inc.names) {
            const r = renameIncluded(key, name);
            if (r !== undefined) {
              n = r;
              break;
            }
          }
          const newItem = cloneWorldItem(item);
          cloner.worldItem(n, newItem);
          if (newItem.tag === "function") newItem.func.name = n;
          else if (newItem.tag === "type") resolve.types[newItem.id].name = n;
          const prev = dst.has(n);
          dst.set(n, newItem);
          if (prev) {
            fail(
              this.sm,
              "shadowing",
              `${what} of \`${n}\` shadows previously ${what}ed items`,
              inc.start,
              inc.end,
            );
          }
        } else {
          if (item.tag !== "interface") throw new Error("unreachable: non-interface id key");
          let target = dst.get(key);
          if (target === undefined) {
            target = { ...item };
            dst.set(key, target);
          }
          if (target.tag !== "interface") throw new Error("unreachable: non-interface id item");
          target.stability = isExternal && item.stability.kind === "stable"
            ? UNKNOWN_STABILITY
            : mergeStability(this.sm, item.stability, target.stability, inc.start, inc.end);
        }
      }
    };
    copy(importsSnapshot, world.imports, "import");
    copy(exportsSnapshot, world.exports, "export");
  }
}

function gatedOwner(err: unknown, what: string): unknown {
  if (!(err instanceof WitError)) return err;
  return new WitError(
    err.code,
    `${err.message}; this type is not gated by a feature but its ${what} is`,
    err.location,
  );
}

/** Appends one unresolved package to `resolve`; returns its id. */
export function appendPackage(
  sm: SourceMap,
  gates: Gates,
  resolve: Resolve,
  u: UnresolvedPackage,
): PackageId {
  return new Remap(sm, gates, resolve).append(u);
}
