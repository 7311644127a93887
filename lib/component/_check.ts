/**
 * The checker: walks a {@link ComponentAst} definition by definition, building the semantic index
 * spaces, validating indices, sorts, names and type rules, and inferring the component's type
 * (its imports and exports with full types). Instantiation of nested components substitutes the
 * supplied types and resources into the exports, so identities survive composition.
 */
import type { CanonDef, CanonOption, ComponentAst, CoreModuleAst, SortIndex } from "./_ast.ts";
import {
  containsPtr,
  flatCount,
  MAX_FLAT_ASYNC_PARAMS,
  MAX_FLAT_PARAMS,
  MAX_FLAT_RESULTS,
} from "./_abi.ts";
import type { Budget } from "./_budget.ts";
import { TypeChecker } from "./_check_types.ts";
import { Scope, UniqueNames } from "./_scope.ts";
import { Remapper } from "./_remap.ts";
import { entityMismatch } from "./_subtype.ts";
import { specRuleError } from "./_spec_rules.ts";
import {
  type AnyType,
  type ComponentType,
  type CoreInstanceType,
  type CoreKind,
  type Entity,
  freshResource,
  type FuncType,
  type InstanceType,
  type Item,
  type ModuleType,
  type ResourceId,
  withUnique,
} from "./_types.ts";

/** The result of checking a component: its type and its semantic index spaces. */
export interface CheckedComponent {
  /** The syntax tree that was checked. */
  ast: ComponentAst;
  /** The component's type: imports and exports with their inferred types. */
  type: ComponentType;
  /** The semantic index spaces after the last definition. */
  scope: Scope;
  /** The checked nested components, in the order of `ast.components`. */
  nested: CheckedComponent[];
  /** The units of type-checking work ({@link Budget}) checking it took, nested components included. */
  work?: number;
}

/** Checked components by the syntax tree they were checked from: not checked again. */
export type CheckedComponents = ReadonlyMap<ComponentAst, CheckedComponent>;

class Checker extends TypeChecker {
  constructor(budget: Budget, private readonly known?: CheckedComponents) {
    super(budget);
  }

  component(ast: ComponentAst, parent: Scope | undefined): CheckedComponent {
    const work = this.budget.used;
    const scope = new Scope("component", parent);
    const nested: CheckedComponent[] = [];
    for (const def of ast.definitions) {
      const offset = def.offset;
      this.budget.offset = offset;
      this.budget.spend();
      switch (def.tag) {
        case "core-module":
          scope.coreModules.push(moduleTypeOf(def.module, this, offset));
          break;
        case "core-instance":
          scope.coreInstances.push(this.coreInstance(scope, def.def, offset));
          break;
        case "core-type":
          this.coreType(scope, def.type, offset);
          break;
        case "component": {
          // A component checked on its own checks the same nested (it cannot reach outside
          // itself), and its type is a template that each instantiation substitutes into.
          const given = this.known?.get(def.component);
          if (given?.work !== undefined) this.budget.spend(given.work);
          const c = given ?? this.component(def.component, scope);
          nested.push(c);
          scope.components.push(c.type);
          break;
        }
        case "instance":
          scope.instances.push(this.instance(scope, def.def, offset));
          break;
        case "alias":
          this.alias(scope, def.alias, offset);
          break;
        case "type":
          scope.types.push(this.typeDef(scope, def.type, offset));
          break;
        case "canon":
          this.canon(scope, def.canon, offset);
          break;
        case "start": {
          const f = this.at(scope.funcs, def.func, "function", offset);
          if (f.params.length !== def.args.length) {
            this.fail(
              "invalid-component",
              `start function requires ${f.params.length} arguments`,
              offset,
            );
          }
          for (const a of def.args) this.at(scope.values, a, "value", offset);
          const results = f.result === undefined ? 0 : 1;
          if (results !== def.results) {
            this.fail(
              "invalid-component",
              `start function results size is ${results}, not ${def.results}`,
              offset,
            );
          }
          if (f.result !== undefined) scope.values.push(f.result);
          break;
        }
        case "import": {
          const entity = this.typeRef(scope, def.import.desc, offset);
          this.addImport(scope, def.import.name, entity, offset);
          break;
        }
        case "export": {
          const e = def.export;
          let entity = this.entityOf(scope, e.item, offset, true);
          if (e.desc !== undefined) {
            const ascribed = this.typeRef(scope, e.desc, offset);
            const why = entityMismatch(entity, ascribed, this.budget);
            if (why !== undefined) {
              this.fail(
                "invalid-component",
                `ascribed type of export is not compatible with item's type: ${why}`,
                offset,
              );
            }
            entity = ascribed;
          }
          this.addExport(scope, e.name, entity, offset);
          break;
        }
        case "value":
          scope.values.push(this.valType(scope, def.type, offset));
          break;
      }
    }
    const type: ComponentType = {
      tag: "component",
      imports: scope.imports,
      exports: scope.exports,
      importedResources: scope.importedResources,
      definedResources: scope.definedResources,
      explicitResources: scope.explicitResources,
    };
    return { ast, type, scope, nested, work: this.budget.used - work };
  }

  coreInstance(
    scope: Scope,
    def: import("./_ast.ts").CoreInstanceDef,
    offset: number,
  ): CoreInstanceType {
    if (def.tag === "instantiate") {
      const mt = this.at(scope.coreModules, def.module, "module", offset);
      const args = new Map<string, CoreInstanceType>();
      for (const a of def.args) {
        if (args.has(a.name)) {
          this.fail(
            "invalid-component",
            `duplicate module instantiation argument named \`${a.name}\``,
            offset,
          );
        }
        args.set(a.name, this.at(scope.coreInstances, a.instance, "core instance", offset));
      }
      for (const imp of mt.imports) {
        const arg = args.get(imp.module);
        if (arg === undefined) {
          this.fail(
            "invalid-component",
            `missing module instantiation argument named \`${imp.module}\``,
            offset,
          );
        }
        const kind = arg.exports.get(imp.name);
        if (kind === undefined) {
          this.fail(
            "invalid-component",
            `module instantiation argument \`${imp.module}\` does not export an item named \`${imp.name}\``,
            offset,
          );
        }
        if (kind !== imp.kind) {
          this.fail(
            "invalid-component",
            `type mismatch for export \`${imp.name}\` of module instantiation argument \`${imp.module}\`: expected ${imp.kind}, found ${kind}`,
            offset,
          );
        }
      }
      return { tag: "core-instance", exports: mt.exports };
    }
    const exports = new Map<string, CoreKind>();
    for (const e of def.exports) {
      if (exports.has(e.name)) {
        this.fail("invalid-component", `export name \`${e.name}\` already defined`, offset);
      }
      switch (e.sort) {
        case "func":
          this.count(scope.coreFuncs, e.index, "core func", offset);
          break;
        case "table":
          this.count(scope.coreTables, e.index, "table", offset);
          break;
        case "memory":
          this.count(scope.coreMemories, e.index, "memory", offset);
          break;
        case "global":
          this.count(scope.coreGlobals, e.index, "global", offset);
          break;
        case "tag":
          this.count(scope.coreTags, e.index, "tag", offset);
          break;
        default:
          this.fail(
            "invalid-component",
            `core instances cannot export items of sort ${e.sort}`,
            offset,
          );
      }
      exports.set(e.name, e.sort as CoreKind);
    }
    return { tag: "core-instance", exports };
  }

  instance(scope: Scope, def: import("./_ast.ts").InstanceDef, offset: number): InstanceType {
    if (def.tag === "instantiate") {
      const ct = this.at(scope.components, def.component, "component", offset);
      const args = new Map<string, Entity>();
      for (const a of def.args) {
        if (args.has(a.name)) {
          this.fail(
            "invalid-component",
            `instantiation argument \`${a.name}\` conflicts with previous argument`,
            offset,
          );
        }
        args.set(a.name, this.entityOf(scope, a.item, offset, false));
      }
      return this.instantiate(scope, ct, args, offset);
    }
    const exports = new Map<string, Item>();
    const keys = new UniqueNames();
    const explicit = new Map<ResourceId, number[]>();
    for (const e of def.exports) {
      const entity = this.entityOf(scope, e.item, offset, false);
      this.checkName(e.name, entity, keys, "export", undefined, offset);
      if (entity.kind === "type" && entity.created.tag === "resource") {
        explicit.set(entity.created.resource, [exports.size]);
      }
      if (entity.kind === "instance") {
        for (const [r, path] of entity.type.explicitResources) {
          explicit.set(r, [exports.size, ...path]);
        }
      }
      exports.set(e.name.name, { entity, name: e.name });
    }
    return { tag: "instance", exports, definedResources: [], explicitResources: explicit };
  }

  /** Instantiates `ct` with `args`: checks the arguments and substitutes them into the exports. */
  instantiate(
    scope: Scope,
    ct: ComponentType,
    args: Map<string, Entity>,
    offset: number,
  ): InstanceType {
    const resources = new Map<ResourceId, ResourceId>();
    // Only a component that imports resources needs its imports by position.
    const importList = ct.importedResources.size > 0 ? [...ct.imports.entries()] : [];
    let entryCache: Map<Map<string, Item>, [string, Item][]> | undefined;
    for (const [res, path] of ct.importedResources) {
      const first = importList[path[0]];
      if (first === undefined) continue;
      let ty: Entity | undefined = first[1].entity;
      let arg = args.get(first[0]);
      for (let i = 1; i < path.length && ty !== undefined; i++) {
        if (ty.kind !== "instance") {
          ty = undefined;
          break;
        }
        this.budget.spend();
        const entry: [string, Item] | undefined = entriesOf(
          ty.type.exports,
          entryCache ??= new Map(),
        )[path[i]];
        if (entry === undefined) {
          ty = undefined;
          break;
        }
        ty = entry[1].entity;
        arg = arg?.kind === "instance" ? arg.type.exports.get(entry[0])?.entity : undefined;
      }
      if (arg?.kind === "type" && arg.created.tag === "resource") {
        resources.set(res, arg.created.resource);
      }
    }
    const map = (r: ResourceId) => resources.get(r) ?? r;
    const renamed = new Map<AnyType, AnyType>();
    for (const name of ct.imports.keys()) {
      const item = ct.imports.get(name)!;
      const arg = args.get(name);
      if (arg === undefined) {
        this.fail("invalid-component", `missing import named \`${name}\``, offset);
      }
      const why = entityMismatch(arg, item.entity, this.budget, map);
      if (why !== undefined) {
        this.fail("invalid-component", `type mismatch for import \`${name}\`: ${why}`, offset);
      }
      registerRenamings(arg, item.entity, renamed);
    }
    for (const r of ct.definedResources) {
      const fresh = freshResource();
      resources.set(r, fresh);
      scope.define(fresh);
    }
    const rm = new Remapper(renamed, resources, this.budget);
    const exports = rm.items(ct.exports);
    const explicit = new Map<ResourceId, number[]>();
    for (const [r, path] of ct.explicitResources) explicit.set(rm.resourceId(r), path);
    return { tag: "instance", exports, definedResources: [], explicitResources: explicit };
  }

  /** The entity a sort index names (for exports, instantiation arguments and bags of exports). */
  entityOf(scope: Scope, item: SortIndex, offset: number, unique: boolean): Entity {
    switch (item.sort) {
      case "core module":
        return { kind: "module", type: this.at(scope.coreModules, item.index, "module", offset) };
      case "func":
        return { kind: "func", type: this.at(scope.funcs, item.index, "function", offset) };
      case "value":
        return { kind: "value", type: this.at(scope.values, item.index, "value", offset) };
      case "type": {
        const referenced = this.at(scope.types, item.index, "type", offset);
        return { kind: "type", referenced, created: unique ? withUnique(referenced) : referenced };
      }
      case "instance":
        return { kind: "instance", type: this.at(scope.instances, item.index, "instance", offset) };
      case "component":
        return {
          kind: "component",
          type: this.at(scope.components, item.index, "component", offset),
        };
      default:
        this.fail(
          "invalid-component",
          `cannot export or pass an item of sort ${item.sort} here`,
          offset,
        );
    }
  }

  canon(scope: Scope, c: CanonDef, offset: number): void {
    if (c.tag === "lift") {
      this.count(scope.coreFuncs, c.coreFunc, "core func", offset);
      this.options(scope, c.options, offset);
      const has = (tag: CanonOption["tag"]) => c.options.some((o) => o.tag === tag);
      if (has("callback") && !has("async")) {
        throw specRuleError(
          "callback-needs-async",
          "`canon lift` has a `callback` option without `async`",
          offset,
        );
      }
      if (has("async") && has("post-return")) {
        throw specRuleError(
          "async-without-post-return",
          "`canon lift` has both `async` and `post-return` options",
          offset,
        );
      }
      if (has("async") && !has("callback")) {
        throw specRuleError(
          "async-lift-needs-callback",
          "`canon lift` is `async` without a `callback`",
          offset,
        );
      }
      const t = this.at(scope.types, c.type, "type", offset);
      if (t.tag !== "func") {
        this.fail("invalid-component", `type index ${c.type} is not a function type`, offset);
      }
      if (has("async") && !t.async) {
        throw specRuleError(
          "async-needs-async-type",
          "`canon lift` has the `async` option but lifts a function type that is not `async`",
          offset,
        );
      }
      this.abi("lift", t, c.options, offset);
      scope.funcs.push(t);
      return;
    }
    if (c.tag === "lower") {
      const f = this.at(scope.funcs, c.func, "function", offset);
      this.options(scope, c.options, offset);
      for (const tag of ["post-return", "callback"] as const) {
        if (c.options.some((o) => o.tag === tag)) {
          this.fail(
            "invalid-component",
            `canonical option \`${tag}\` cannot be specified for lowerings`,
            offset,
          );
        }
      }
      if (c.options.some((o) => o.tag === "async") && !f.async) {
        throw specRuleError(
          "async-needs-async-type",
          "`canon lower` has the `async` option but lowers a function that is not `async`",
          offset,
        );
      }
      this.abi("lower", f, c.options, offset);
      scope.coreFuncs++;
      return;
    }
    if (c.options) {
      this.options(scope, c.options, offset);
      for (const o of c.options) {
        if (o.tag === "post-return") {
          throw specRuleError(
            "post-return-on-lift",
            `\`${c.name}\` has a \`post-return\` option`,
            offset,
          );
        }
        if (o.tag === "callback") {
          throw specRuleError(
            "callback-needs-async",
            `\`${c.name}\` has a \`callback\` option`,
            offset,
          );
        }
        if (c.name === "task.return" && o.tag !== "memory" && o.tag !== "string-encoding") {
          throw specRuleError(
            "task-return-options",
            `\`task.return\` has a \`${o.tag}\` option`,
            offset,
          );
        }
      }
    }
    if (c.memory !== undefined) this.count(scope.coreMemories, c.memory, "memory", offset);
    if (c.table !== undefined) this.count(scope.coreTables, c.table, "table", offset);
    if (c.coreType !== undefined) this.at(scope.coreTypes, c.coreType, "core type", offset);
    if (c.result !== undefined && c.result !== null) this.valType(scope, c.result, offset);
    if (c.type !== undefined) {
      const t = this.at(scope.types, c.type, "type", offset);
      const family = c.name.slice(0, c.name.indexOf("."));
      if (family === "resource") {
        if (t.tag !== "resource") {
          this.fail("invalid-component", `type index ${c.type} is not a resource type`, offset);
        }
        if (c.name !== "resource.drop" && !scope.localResources.has(t.resource)) {
          this.fail("invalid-component", `type index ${c.type} is not a local resource`, offset);
        }
      } else if (family === "stream" || family === "future") {
        if (t.tag !== "defined" || t.def.k !== family) {
          this.fail("invalid-component", `type index ${c.type} is not a ${family} type`, offset);
        }
      }
    }
    if (c.name === "context.get" || c.name === "context.set") {
      if (c.coreValType !== "i32") {
        this.fail("invalid-component", `${c.name} only supports i32`, offset);
      }
      if ((c.slot ?? 0) > 1) {
        this.fail("invalid-component", `invalid ${c.name} slot ${c.slot}`, offset);
      }
    }
    scope.coreFuncs++;
  }

  /** The options a lifted or lowered function type needs (memory, realloc), per the Canonical ABI. */
  abi(kind: "lift" | "lower", f: FuncType, opts: CanonOption[], offset: number): void {
    let isAsync = false, memory = false, realloc = false;
    for (const o of opts) {
      if (o.tag === "gc") return;
      if (o.tag === "async") isAsync = true;
      else if (o.tag === "memory") memory = true;
      else if (o.tag === "realloc") realloc = true;
    }
    const needMemory = memory ? undefined : "memory";
    const needRealloc = needMemory ?? (realloc ? undefined : "realloc");
    const maxParams = kind === "lower" && isAsync ? MAX_FLAT_ASYNC_PARAMS : MAX_FLAT_PARAMS;
    let flat = 0;
    for (const p of f.params) {
      if (containsPtr(p.type)) this.need(kind === "lower" ? needMemory : needRealloc, offset);
      flat += flatCount(p.type);
      if (flat > maxParams) {
        this.need(kind === "lift" ? needRealloc : needMemory, offset);
        break;
      }
    }
    if (f.result === undefined) return;
    if (kind === "lower" && containsPtr(f.result)) this.need(needRealloc, offset);
    if (!isAsync) {
      if (flatCount(f.result) > MAX_FLAT_RESULTS) this.need(needMemory, offset);
    } else if (kind === "lower") {
      this.need(needMemory, offset);
    } else if (containsPtr(f.result) || flatCount(f.result) > MAX_FLAT_PARAMS) {
      this.need(needMemory, offset);
    }
  }

  /** Fails naming the canonical option that is missing, if one is. */
  private need(missing: "memory" | "realloc" | undefined, offset: number): void {
    if (missing !== undefined) {
      this.fail("invalid-component", `canonical option \`${missing}\` is required`, offset);
    }
  }

  options(scope: Scope, opts: CanonOption[], offset: number): void {
    if (opts.some((o) => o.tag === "realloc") && !opts.some((o) => o.tag === "memory")) {
      this.fail(
        "invalid-component",
        "canonical option `realloc` requires `memory` to also be specified",
        offset,
      );
    }
    // A few options (the usual case) are compared pairwise; many go through a set.
    const seen = opts.length > 8 ? new Set<string>() : undefined;
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i];
      if (seen !== undefined ? seen.has(o.tag) : tagBefore(opts, i)) {
        this.fail(
          "invalid-component",
          `canonical option \`${o.tag}\` is specified more than once`,
          offset,
        );
      }
      seen?.add(o.tag);
      switch (o.tag) {
        case "memory":
          this.count(scope.coreMemories, o.index, "memory", offset);
          break;
        case "realloc":
        case "post-return":
        case "callback":
          this.count(scope.coreFuncs, o.index, "core func", offset);
          break;
        case "core-type":
          this.at(scope.coreTypes, o.index, "core type", offset);
          break;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Types
}

/** Whether an option before `opts[i]` has its tag. */
function tagBefore(opts: CanonOption[], i: number): boolean {
  for (let j = 0; j < i; j++) if (opts[j].tag === opts[i].tag) return true;
  return false;
}

function entriesOf(
  m: Map<string, Item>,
  cache: Map<Map<string, Item>, [string, Item][]>,
): [string, Item][] {
  let e = cache.get(m);
  if (e === undefined) cache.set(m, e = [...m.entries()]);
  return e;
}

function registerRenamings(actual: Entity, expected: Entity, out: Map<AnyType, AnyType>): void {
  if (expected.kind === "type" && actual.kind === "type") {
    if (!out.has(expected.created)) out.set(expected.created, actual.created);
  } else if (expected.kind === "instance" && actual.kind === "instance") {
    for (const name of expected.type.exports.keys()) {
      const item = expected.type.exports.get(name)!;
      const a = actual.type.exports.get(name);
      if (a !== undefined) registerRenamings(a.entity, item.entity, out);
    }
  }
}

function moduleTypeOf(m: CoreModuleAst, c: Checker, offset: number): ModuleType {
  const exports = new Map<string, CoreKind>();
  for (const e of m.exports) exports.set(e.name, e.kind);
  // Import names by module name (no `module:name` string built per import).
  const seen = new Map<string, Set<string>>();
  for (const i of m.imports) {
    let names = seen.get(i.module);
    if (names === undefined) seen.set(i.module, names = new Set());
    if (names.has(i.name)) {
      c.fail("invalid-component", `duplicate import name \`${i.module}:${i.name}\``, offset);
    }
    names.add(i.name);
    if (i.desc.kind === "memory" || i.desc.kind === "table") {
      c.limits(i.desc.kind, i.desc.limits, offset);
    }
  }
  for (const l of m.memories) c.limits("memory", l, offset);
  return {
    tag: "module",
    imports: m.imports.map((i) => ({ module: i.module, name: i.name, kind: i.desc.kind })),
    exports,
  };
}

/**
 * Type-checks a parsed component and infers its type. Nested components whose syntax trees are
 * keys of `known` are taken as checked: their checked types are used, their work is spent from
 * `budget`, and they are not checked again.
 */
export function checkComponent(
  ast: ComponentAst,
  budget: Budget,
  known?: CheckedComponents,
): CheckedComponent {
  return new Checker(budget, known).component(ast, undefined);
}
