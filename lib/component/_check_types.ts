/**
 * The type half of the checker: type definitions, component and instance types, aliases, and the
 * rules for imports and exports (names, resources, external visibility). `_check.ts` builds the
 * walk over whole components on top of it.
 */
import { isKebab, type ParsedExternName, parseExternName, uniquenessKey } from "./_extern_name.ts";
import type {
  Alias,
  ComponentDecl,
  CoreLimits,
  CoreTypeDef,
  DefinedTypeDef,
  ExternDesc,
  ExternName,
  InstanceDecl,
  TypeDef,
  ValTypeRef,
} from "./_ast.ts";
import { containsBorrow, layout, MAX_ELEM_SIZE } from "./_abi.ts";
import { Budget } from "./_budget.ts";
import { type CoreTypeEntry, EMPTY_NAMES, Scope, type UniqueNames } from "./_scope.ts";
import { allNamed, funcNamed, onlyPrimitives, valNamed } from "./_visibility.ts";
import { ComponentDecodeError, type ComponentDecodeErrorCode } from "./_error.ts";
import { Remapper } from "./_remap.ts";
import {
  type AnyType,
  type ComponentType,
  type CoreKind,
  type DefKind,
  type DefType,
  type Entity,
  freshResource,
  type FuncType,
  type InstanceType,
  type ModuleType,
  type ResourceId,
  type ResType,
  type ValType,
  withUnique,
} from "./_types.ts";

/** Checks types, aliases, imports and exports of one scope at a time. */
export class TypeChecker {
  constructor(readonly budget: Budget) {}

  fail(code: ComponentDecodeErrorCode, reason: string, offset: number): never {
    throw new ComponentDecodeError(code, reason, offset);
  }

  at<T>(space: T[], index: number, what: string, offset: number): T {
    if (index >= space.length) {
      this.fail(
        "index-out-of-bounds",
        `unknown ${what} ${index}: ${what} index out of bounds`,
        offset,
      );
    }
    return space[index];
  }

  count(n: number, index: number, what: string, offset: number): void {
    if (index >= n) {
      this.fail(
        "index-out-of-bounds",
        `unknown ${what} ${index}: ${what} index out of bounds`,
        offset,
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Components

  coreType(scope: Scope, t: CoreTypeDef, offset: number): void {
    if (t.tag === "rec") {
      for (const s of t.types) scope.coreTypes.push(s);
      return;
    }
    scope.coreTypes.push(this.moduleTypeDecl(scope, t, offset));
  }

  moduleTypeDecl(scope: Scope, t: CoreTypeDef & { tag: "module" }, offset: number): ModuleType {
    const inner: CoreTypeEntry[] = [];
    const imports: ModuleType["imports"][number][] = [];
    const exports = new Map<string, CoreKind>();
    const importNames = new Set<string>();
    for (const d of t.decls) {
      switch (d.tag) {
        case "type":
          if (d.type.tag === "module") {
            this.fail(
              "invalid-component",
              "module types cannot be nested inside module types",
              offset,
            );
          }
          for (const s of d.type.types) inner.push(s);
          break;
        case "alias": {
          let target: Scope | undefined = scope;
          for (let i = 0; i < d.count - 1 && target !== undefined; i++) target = target.parent;
          if (d.count === 0 || target === undefined) {
            this.fail("invalid-component", `invalid outer alias count of ${d.count}`, offset);
          }
          const ty = this.at(target.coreTypes, d.index, "core type", offset);
          if (ty.tag === "module") {
            this.fail(
              "invalid-component",
              "module types cannot be aliased into module types",
              offset,
            );
          }
          inner.push(ty);
          break;
        }
        case "import":
          if (d.desc.kind === "func" || d.desc.kind === "tag") {
            this.at(inner, d.desc.type, "type", offset);
          }
          if (importNames.has(`${d.module}\0${d.name}`)) {
            this.fail(
              "invalid-component",
              `duplicate import name \`${d.module}:${d.name}\``,
              offset,
            );
          }
          if (d.desc.kind === "memory" || d.desc.kind === "table") {
            this.limits(d.desc.kind, d.desc.limits, offset);
          }
          importNames.add(`${d.module}\0${d.name}`);
          imports.push({ module: d.module, name: d.name, kind: d.desc.kind });
          break;
        case "export":
          if (exports.has(d.name)) {
            this.fail("invalid-component", `duplicate export name \`${d.name}\``, offset);
          }
          if (d.desc.kind === "func" || d.desc.kind === "tag") {
            this.at(inner, d.desc.type, "type", offset);
          }
          exports.set(d.name, d.desc.kind);
          break;
      }
    }
    return { tag: "module", imports, exports };
  }

  alias(scope: Scope, alias: Alias, offset: number): void {
    const t = alias.target;
    if (t.tag === "export") {
      const inst = this.at(scope.instances, t.instance, "instance", offset);
      const item = inst.exports.get(t.name);
      if (item === undefined) {
        this.fail(
          "invalid-component",
          `instance ${t.instance} has no export named \`${t.name}\``,
          offset,
        );
      }
      const want = SORT_OF_KIND[item.entity.kind];
      if (want !== alias.sort) {
        this.fail(
          "invalid-component",
          `export \`${t.name}\` for instance ${t.instance} is not a ${alias.sort}`,
          offset,
        );
      }
      if (scope.kind !== "component" && alias.sort !== "type" && alias.sort !== "instance") {
        this.fail(
          "invalid-component",
          `export aliases in types can only alias types and instances`,
          offset,
        );
      }
      this.push(scope, item.entity);
      return;
    }
    if (t.tag === "core-export") {
      if (scope.kind !== "component") {
        this.fail("invalid-component", "core export aliases are not allowed in types", offset);
      }
      const inst = this.at(scope.coreInstances, t.instance, "core instance", offset);
      const kind = inst.exports.get(t.name);
      if (kind === undefined) {
        this.fail(
          "invalid-component",
          `core instance ${t.instance} has no export named \`${t.name}\``,
          offset,
        );
      }
      if (`core ${kind}` !== alias.sort) {
        this.fail(
          "invalid-component",
          `export \`${t.name}\` for core instance ${t.instance} is not a ${alias.sort}`,
          offset,
        );
      }
      switch (kind) {
        case "func":
          scope.coreFuncs++;
          break;
        case "table":
          scope.coreTables++;
          break;
        case "memory":
          scope.coreMemories++;
          break;
        case "global":
          scope.coreGlobals++;
          break;
        case "tag":
          scope.coreTags++;
          break;
      }
      return;
    }
    // Outer alias: count scopes outward, 0 being this one.
    let target: Scope | undefined = scope;
    let crossesComponent = false;
    for (let i = 0; i < t.count; i++) {
      if (target === undefined) break;
      if (target.kind === "component") crossesComponent = true;
      target = target.parent;
    }
    if (target === undefined) {
      this.fail("invalid-component", `invalid outer alias count of ${t.count}`, offset);
    }
    switch (alias.sort) {
      case "type": {
        const ty = this.at(target.types, t.index, "type", offset);
        if (crossesComponent && mentionsResource(ty, new Set())) {
          this.fail(
            "invalid-component",
            "refers to resources not defined in the current component",
            offset,
          );
        }
        scope.types.push(ty);
        break;
      }
      case "core type":
        scope.coreTypes.push(this.at(target.coreTypes, t.index, "core type", offset));
        break;
      case "core module":
        if (scope.kind !== "component") {
          this.fail("invalid-component", "outer aliases in types can only alias types", offset);
        }
        scope.coreModules.push(this.at(target.coreModules, t.index, "module", offset));
        break;
      case "component":
        if (scope.kind !== "component") {
          this.fail("invalid-component", "outer aliases in types can only alias types", offset);
        }
        scope.components.push(this.at(target.components, t.index, "component", offset));
        break;
      default:
        this.fail("invalid-component", `outer aliases cannot alias ${alias.sort}`, offset);
    }
  }

  /** Pushes an entity into its index space (an alias; no import/export bookkeeping). */
  push(scope: Scope, e: Entity): void {
    switch (e.kind) {
      case "module":
        scope.coreModules.push(e.type);
        break;
      case "func":
        scope.funcs.push(e.type);
        break;
      case "value":
        scope.values.push(e.type);
        break;
      case "type":
        scope.types.push(e.created);
        break;
      case "instance":
        scope.instances.push(e.type);
        break;
      case "component":
        scope.components.push(e.type);
        break;
    }
  }

  /** Checks the limits of a core memory or table. */
  limits(kind: "memory" | "table", l: CoreLimits, offset: number): void {
    if (l.max !== undefined && l.min > l.max) {
      this.fail("invalid-component", "size minimum must not be greater than maximum", offset);
    }
    if (kind === "memory" && !l.is64 && (l.min > 65536 || (l.max ?? 0) > 65536)) {
      this.fail("invalid-component", "memory size must be at most 65536 pages (4GiB)", offset);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Canonical definitions

  typeDef(scope: Scope, td: TypeDef, offset: number): AnyType {
    this.budget.spend();
    switch (td.tag) {
      case "defined": {
        const t: DefType = { tag: "defined", def: this.defined(scope, td.def, offset) };
        if (AGGREGATES.has(t.def.k) && layout(t)[0] >= MAX_ELEM_SIZE) {
          this.fail("invalid-component", "type exceeds maximum byte size of 2^28 bytes", offset);
        }
        return t;
      }
      case "func":
        return this.funcType(scope, td, offset);
      case "component":
        return this.componentType(scope, td.decls, offset);
      case "instance":
        return this.instanceType(scope, td.decls, offset);
      case "resource": {
        if (scope.kind !== "component") {
          this.fail(
            "invalid-component",
            "resources can only be defined within a concrete component",
            offset,
          );
        }
        if (td.rep !== "i32") {
          this.fail("invalid-component", "resources can only be represented by `i32`", offset);
        }
        if (td.dtor !== undefined) this.count(scope.coreFuncs, td.dtor, "core func", offset);
        const resource = freshResource();
        scope.define(resource);
        scope.localResources.add(resource);
        return { tag: "resource", resource };
      }
    }
  }

  valType(scope: Scope, v: ValTypeRef, offset: number): ValType {
    if (typeof v === "string") return v;
    const t = this.at(scope.types, v, "type", offset);
    if (t.tag !== "defined") {
      this.fail("invalid-component", `type index ${v} is not a defined type`, offset);
    }
    return t;
  }

  private resourceAt(scope: Scope, index: number, offset: number): ResType {
    const t = this.at(scope.types, index, "type", offset);
    if (t.tag !== "resource") {
      this.fail("invalid-component", `type index ${index} is not a resource type`, offset);
    }
    return t;
  }

  private labels(names: readonly string[], what: string, offset: number): void {
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      if (!isKebab(n)) {
        this.fail("invalid-name", `${what} name \`${n}\` is not in kebab case`, offset);
      }
    }
    if (names.length < 2) return;
    const seen = new Map<string, string>();
    for (const n of names) {
      const key = n.toLowerCase();
      const prev = seen.get(key);
      if (prev !== undefined) {
        this.fail(
          "invalid-name",
          `${what} name \`${n}\` conflicts with previous ${what} name \`${prev}\``,
          offset,
        );
      }
      seen.set(key, n);
    }
  }

  defined(scope: Scope, d: DefinedTypeDef, offset: number): DefKind {
    const v = (t: ValTypeRef) => this.valType(scope, t, offset);
    const ov = (t: ValTypeRef | undefined) => t === undefined ? undefined : v(t);
    switch (d.tag) {
      case "primitive":
        return { k: "primitive", type: d.type };
      case "record":
        this.labels(d.fields.map((f) => f.name), "record field", offset);
        return { k: "record", fields: d.fields.map((f) => ({ name: f.name, type: v(f.type) })) };
      case "variant":
        this.labels(d.cases.map((c) => c.name), "variant case", offset);
        return { k: "variant", cases: d.cases.map((c) => ({ name: c.name, type: ov(c.type) })) };
      case "list":
        return { k: "list", element: v(d.element) };
      case "fixed-length-list":
        if (d.length === 0) {
          this.fail(
            "invalid-component",
            "fixed-length list must have a length greater than 0",
            offset,
          );
        }
        return { k: "list", element: v(d.element), length: d.length };
      case "tuple":
        return { k: "tuple", types: d.types.map(v) };
      case "flags":
        this.labels(d.names, "flag", offset);
        return { k: "flags", names: d.names };
      case "enum":
        this.labels(d.names, "enum tag", offset);
        return { k: "enum", names: d.names };
      case "option":
        return { k: "option", type: v(d.type) };
      case "result":
        return { k: "result", ok: ov(d.ok), err: ov(d.err) };
      case "own":
      case "borrow":
        return { k: d.tag, resource: this.resourceAt(scope, d.type, offset) };
      case "stream":
      case "future": {
        const type = ov(d.type);
        if (type !== undefined && containsBorrow(type)) {
          this.fail(
            "invalid-component",
            `${d.tag} payload cannot contain a \`borrow\` type`,
            offset,
          );
        }
        if (d.tag === "stream" && type === "char") {
          this.fail("invalid-component", "`stream<char>` is not valid at this time", offset);
        }
        return d.tag === "stream" ? { k: "stream", type } : { k: "future", type };
      }
      case "map":
        return { k: "map", key: v(d.key), value: v(d.value) };
    }
  }

  funcType(scope: Scope, f: import("./_ast.ts").FuncTypeDef, offset: number): FuncType {
    this.labels(f.params.map((p) => p.name), "function parameter", offset);
    const params = f.params.map((p) => ({
      name: p.name,
      type: this.valType(scope, p.type, offset),
    }));
    const result = f.result === undefined ? undefined : this.valType(scope, f.result, offset);
    if (result !== undefined && containsBorrow(result)) {
      this.fail("invalid-component", "function result cannot contain a `borrow` type", offset);
    }
    return { tag: "func", async: f.async, params, result };
  }

  componentType(parent: Scope, decls: ComponentDecl[], offset: number): ComponentType {
    const scope = new Scope("component-type", parent);
    for (const d of decls) {
      this.budget.spend();
      const at = d.offset ?? offset;
      if (d.tag === "import") {
        this.addImport(scope, d.name, this.typeRef(scope, d.desc, at), at);
      } else this.instanceDecl(scope, d, at);
    }
    return {
      tag: "component",
      imports: scope.imports,
      exports: scope.exports,
      importedResources: scope.importedResources,
      definedResources: scope.definedResources,
      explicitResources: scope.explicitResources,
    };
  }

  instanceType(parent: Scope, decls: InstanceDecl[], offset: number): InstanceType {
    const scope = new Scope("instance-type", parent);
    for (const d of decls) {
      this.budget.spend();
      this.instanceDecl(scope, d, d.offset ?? offset);
    }
    return {
      tag: "instance",
      exports: scope.exports,
      definedResources: scope.definedResources,
      explicitResources: scope.explicitResources,
    };
  }

  instanceDecl(scope: Scope, d: InstanceDecl, offset: number): void {
    switch (d.tag) {
      case "core-type":
        this.coreType(scope, d.type, offset);
        break;
      case "type":
        scope.types.push(this.typeDef(scope, d.type, offset));
        break;
      case "alias":
        this.alias(scope, d.alias, offset);
        break;
      case "export":
        this.addExport(scope, d.name, this.typeRef(scope, d.desc, offset), offset);
        break;
    }
  }

  /** The entity an `externtype` describes. */
  typeRef(scope: Scope, desc: ExternDesc, offset: number): Entity {
    switch (desc.kind) {
      case "module": {
        const t = this.at(scope.coreTypes, desc.type, "core type", offset);
        if (t.tag !== "module") {
          this.fail(
            "invalid-component",
            `core type index ${desc.type} is not a module type`,
            offset,
          );
        }
        return { kind: "module", type: t };
      }
      case "func": {
        const t = this.at(scope.types, desc.type, "type", offset);
        if (t.tag !== "func") {
          this.fail("invalid-component", `type index ${desc.type} is not a function type`, offset);
        }
        return { kind: "func", type: t };
      }
      case "value": {
        const b = desc.bound;
        const type = "eq" in b
          ? this.at(scope.values, b.eq, "value", offset)
          : this.valType(scope, b.type, offset);
        return { kind: "value", type };
      }
      case "type": {
        if (desc.bound === "sub-resource") {
          const r: ResType = { tag: "resource", resource: freshResource() };
          return { kind: "type", referenced: r, created: r };
        }
        const referenced = this.at(scope.types, desc.bound.eq, "type", offset);
        return { kind: "type", referenced, created: withUnique(referenced) };
      }
      case "instance": {
        const t = this.at(scope.types, desc.type, "type", offset);
        if (t.tag !== "instance") {
          this.fail("invalid-component", `type index ${desc.type} is not an instance type`, offset);
        }
        return { kind: "instance", type: t };
      }
      case "component": {
        const t = this.at(scope.types, desc.type, "type", offset);
        if (t.tag !== "component") {
          this.fail("invalid-component", `type index ${desc.type} is not a component type`, offset);
        }
        return { kind: "component", type: t };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Imports and exports

  addImport(scope: Scope, name: ExternName, entity: Entity, offset: number): void {
    const parsed = this.checkName(name, entity, scope.importKeys, "import", scope, offset);
    let e = entity;
    const index = scope.imports.size;
    if (e.kind === "instance" && e.type.definedResources.length > 0) {
      // Each import of an instance type gets its own copies of the resources the type defines.
      const mapping = new Map<ResourceId, ResourceId>();
      for (const old of e.type.definedResources) {
        const fresh = freshResource();
        mapping.set(old, fresh);
        scope.importedResources.set(fresh, [index, ...(e.type.explicitResources.get(old) ?? [])]);
      }
      const rm = new Remapper(new Map(), mapping, this.budget);
      const explicit = new Map<ResourceId, number[]>();
      for (const [r, p] of e.type.explicitResources) explicit.set(rm.resourceId(r), p);
      e = {
        kind: "instance",
        type: {
          tag: "instance",
          exports: rm.items(e.type.exports),
          definedResources: [],
          explicitResources: explicit,
        },
      };
    }
    if (e.kind === "type" && e.created.tag === "resource") {
      if (e.created === e.referenced) scope.importedResources.set(e.created.resource, [index]);
      if (parsed.kind === "label") {
        scope.importNames.add(e.created, parsed.label);
      }
    }
    if (!this.named(scope, "import", e)) {
      this.fail("invalid-component", `${e.kind} not valid to be used as import`, offset);
    }
    this.push(scope, e);
    scope.imports.set(name.name, { entity: e, name });
  }

  addExport(scope: Scope, name: ExternName, entity: Entity, offset: number): void {
    const parsed = this.checkName(name, entity, scope.exportKeys, "export", scope, offset);
    let e = entity;
    const index = scope.exports.size;
    if (e.kind === "instance") {
      if (e.type.definedResources.length > 0) {
        const mapping = new Map<ResourceId, ResourceId>();
        for (const old of e.type.definedResources) {
          const fresh = freshResource();
          mapping.set(old, fresh);
          scope.define(fresh);
        }
        const rm = new Remapper(new Map(), mapping, this.budget);
        const explicit = new Map<ResourceId, number[]>();
        for (const [r, p] of e.type.explicitResources) explicit.set(rm.resourceId(r), p);
        e = {
          kind: "instance",
          type: {
            tag: "instance",
            exports: rm.items(e.type.exports),
            definedResources: [],
            explicitResources: explicit,
          },
        };
      }
      for (const [r, path] of e.type.explicitResources) {
        if (!scope.explicitResources.has(r)) scope.explicitResources.set(r, [index, ...path]);
      }
    }
    if (e.kind === "type" && e.created.tag === "resource") {
      if (e.created === e.referenced) scope.define(e.created.resource);
      // A resource exported under several names (`type headers = fields`) is found at its
      // first export, the one that declares it: an alias's `(eq …)` always comes later.
      if (!scope.explicitResources.has(e.created.resource)) {
        scope.explicitResources.set(e.created.resource, [index]);
      }
      if (parsed.kind === "label") {
        scope.exportNames.add(e.created, parsed.label);
      }
    }
    if (scope.kind === "component" && e.kind === "type" && scope.parent === undefined) {
      // nothing more to check: a concrete export of a type
    }
    if (!this.named(scope, "export", e)) {
      this.fail("invalid-component", `${e.kind} not valid to be used as export`, offset);
    }
    this.push(scope, e);
    scope.exports.set(name.name, { entity: e, name });
  }

  /**
   * The "external visibility" rule: the types an import or export refers to must themselves be
   * imported or exported (by name) first. Registers the types this item makes nameable.
   */
  named(scope: Scope, kind: "import" | "export", e: Entity): boolean {
    if (scope.kind === "instance-type") return true;
    // A function of primitives needs no named types: the sets of them are made only when needed.
    if (e.kind === "func" && onlyPrimitives(e.type)) return true;
    switch (e.kind) {
      case "type": {
        if (!allNamed(e.referenced, namedSet(scope, kind))) return false;
        if (kind === "import") scope.importedTypes.add(e.created);
        scope.exportedTypes.add(e.created);
        return true;
      }
      case "instance":
        for (const item of e.type.exports.values()) {
          if (!this.named(scope, kind, item.entity)) return false;
        }
        return true;
      case "func":
        return funcNamed(e.type, namedSet(scope, kind));
      case "value":
        return valNamed(e.type, namedSet(scope, kind));
      default:
        return true;
    }
  }

  /**
   * Validates an extern name: its syntax, its uniqueness among `keys`, and the rules tying
   * `[constructor]`/`[method]`/`[static]` names to resources of the same scope.
   */
  checkName(
    name: ExternName,
    entity: Entity,
    keys: UniqueNames,
    kind: "import" | "export",
    scope: Scope | undefined,
    offset: number,
  ): ParsedExternName {
    const r = parseExternName(name.name);
    if (!r.ok) {
      this.fail(
        "invalid-name",
        `${kind} name \`${name.name}\` is not a valid extern name: ${r.why}`,
        offset,
      );
    }
    const p = r.name;
    const key = uniquenessKey(name.name, p);
    const prev = keys.claim(key, name.name);
    if (prev !== undefined) {
      this.fail(
        "invalid-name",
        `${kind} name \`${name.name}\` conflicts with previous name \`${prev}\``,
        offset,
      );
    }
    if (name.implements !== undefined) {
      if (entity.kind !== "instance") {
        this.fail(
          "invalid-name",
          `name \`${name.name}\` with \`implements\` must be an instance`,
          offset,
        );
      }
      if (p.kind !== "label") {
        this.fail(
          "invalid-name",
          `name \`${name.name}\` with \`implements\` must be a plain name`,
          offset,
        );
      }
      const i = parseExternName(name.implements);
      if (!i.ok || i.name.kind !== "interface") {
        this.fail("invalid-name", `\`${name.implements}\` is not a valid interface name`, offset);
      }
    }
    if (
      p.kind === "constructor" || p.kind === "method" || p.kind === "static" || p.kind === "async"
    ) {
      if (entity.kind !== "func") {
        this.fail("invalid-name", `${kind} name \`${name.name}\` is not a function`, offset);
      }
      const ctx = scope === undefined
        ? EMPTY_NAMES
        : kind === "import"
        ? scope.importNames
        : scope.exportNames;
      const f = entity.type;
      const resourceOf = (t: ValType | undefined, k: "own" | "borrow") =>
        t !== undefined && typeof t !== "string" && t.def.k === k ? t.def.resource : undefined;
      const checkName = (r: ResType | undefined, resource: string, what: string) => {
        if (r === undefined) this.fail("invalid-component", `function should ${what}`, offset);
        const expected = ctx.byType.get(r);
        if (expected === undefined) {
          this.fail(
            "invalid-component",
            "resource used in function does not have a name in this context",
            offset,
          );
        }
        if (expected !== resource) {
          this.fail(
            "invalid-component",
            `function does not match expected resource name \`${expected}\``,
            offset,
          );
        }
      };
      if (p.kind === "constructor") {
        if (f.async) this.fail("invalid-component", "constructor function cannot be async", offset);
        let r = resourceOf(f.result, "own");
        if (r === undefined && f.result !== undefined && typeof f.result !== "string") {
          const d = f.result.def;
          if (d.k === "result") r = resourceOf(d.ok, "own");
        }
        checkName(r, p.resource, "return `(own $T)` or `(result (own $T))`");
      } else if (p.kind === "method") {
        const self = f.params[0];
        if (self === undefined || self.name !== "self") {
          this.fail(
            "invalid-component",
            "function should have a first argument called `self`",
            offset,
          );
        }
        checkName(
          resourceOf(self.type, "borrow"),
          p.resource,
          "take a first argument of `(borrow $T)`",
        );
      } else if (p.kind === "static" && !ctx.names.has(p.resource)) {
        this.fail("invalid-component", "static resource name is not known in this context", offset);
      }
    }
    return p;
  }
}

const SORT_OF_KIND: Record<Entity["kind"], string> = {
  module: "core module",
  func: "func",
  value: "value",
  type: "type",
  instance: "instance",
  component: "component",
};

/** Kinds whose element size can grow past the limit (the others are at most 16 bytes). */
const AGGREGATES = new Set(["record", "variant", "tuple", "option", "result", "list"]);

function mentionsResource(t: AnyType, seen: Set<object>): boolean {
  if (seen.has(t)) return false;
  seen.add(t);
  const val = (v: ValType | undefined): boolean =>
    v !== undefined && typeof v !== "string" && mentionsResource(v, seen);
  switch (t.tag) {
    case "resource":
      return true;
    case "defined":
      return defMentions(t.def, seen);
    case "func":
      return t.params.some((p) => val(p.type)) || val(t.result);
    case "instance":
      return [...t.exports.values()].some((i) => entityMentions(i.entity, seen));
    case "component":
      return [...t.imports.values(), ...t.exports.values()].some((i) =>
        entityMentions(i.entity, seen)
      );
  }
}

function defMentions(d: DefKind, seen: Set<object>): boolean {
  const val = (v: ValType | undefined): boolean =>
    v !== undefined && typeof v !== "string" && mentionsResource(v, seen);
  switch (d.k) {
    case "own":
    case "borrow":
      return true;
    case "record":
      return d.fields.some((f) => val(f.type));
    case "variant":
      return d.cases.some((c) => val(c.type));
    case "list":
      return val(d.element);
    case "option":
      return val(d.type);
    case "tuple":
      return d.types.some(val);
    case "result":
      return val(d.ok) || val(d.err);
    case "future":
    case "stream":
      return val(d.type);
    case "map":
      return val(d.key) || val(d.value);
    default:
      return false;
  }
}

function entityMentions(e: Entity, seen: Set<object>): boolean {
  switch (e.kind) {
    case "type":
      return mentionsResource(e.created, seen);
    case "func":
    case "instance":
    case "component":
      return mentionsResource(e.type, seen);
    case "value":
      return typeof e.type !== "string" && mentionsResource(e.type, seen);
    default:
      return false;
  }
}

/** The types an import (or export) of `scope` may refer to. */
function namedSet(scope: Scope, kind: "import" | "export"): Set<AnyType> {
  return kind === "import" ? scope.importedTypes : scope.exportedTypes;
}
