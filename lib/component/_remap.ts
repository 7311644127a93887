/**
 * Substitution over semantic types: replaces types (by identity) and resources, rebuilding only
 * what changes and keeping sharing (each object is rebuilt once per substitution).
 */
import type { Budget } from "./_budget.ts";
import type {
  AnyType,
  ComponentType,
  DefKind,
  DefType,
  Entity,
  FuncType,
  InstanceType,
  Item,
  ResourceId,
  ResType,
  ValType,
} from "./_types.ts";

/** One substitution: `types` first (by object identity), then `resources`. */
export class Remapper {
  private readonly memo = new Map<object, object>();
  constructor(
    readonly types: Map<AnyType, AnyType>,
    readonly resources: Map<ResourceId, ResourceId>,
    private readonly budget: Budget,
  ) {}

  /** Whether the substitution changes nothing. */
  get empty(): boolean {
    return this.types.size === 0 && this.resources.size === 0;
  }

  resourceId(r: ResourceId): ResourceId {
    return this.resources.get(r) ?? r;
  }

  any(t: AnyType): AnyType {
    const direct = this.types.get(t);
    if (direct !== undefined) return direct;
    const memo = this.memo.get(t);
    if (memo !== undefined) return memo as AnyType;
    let out: AnyType;
    switch (t.tag) {
      case "resource":
        out = this.res(t);
        break;
      case "defined":
        out = this.def(t);
        break;
      case "func":
        out = this.func(t);
        break;
      case "instance":
        out = this.instance(t);
        break;
      case "component":
        out = this.component(t);
        break;
    }
    this.memo.set(t, out);
    return out;
  }

  private res(t: ResType): ResType {
    if (t.aliasOf !== undefined) {
      const a = this.any(t.aliasOf) as ResType;
      if (a === t.aliasOf && !this.resources.has(t.resource)) return t;
      this.budget.spend();
      return { tag: "resource", resource: a.resource, aliasOf: a };
    }
    const mapped = this.resources.get(t.resource);
    if (mapped === undefined) return t;
    this.budget.spend();
    return { tag: "resource", resource: mapped };
  }

  private def(t: DefType): DefType {
    const def = this.defKind(t.def);
    const aliasOf = t.aliasOf === undefined ? undefined : this.any(t.aliasOf) as DefType;
    if (def === t.def && aliasOf === t.aliasOf) return t;
    this.budget.spend();
    return aliasOf === undefined ? { tag: "defined", def } : { tag: "defined", def, aliasOf };
  }

  val(t: ValType): ValType {
    return typeof t === "string" ? t : this.any(t) as DefType;
  }

  private optVal(t: ValType | undefined): ValType | undefined {
    return t === undefined ? undefined : this.val(t);
  }

  defKind(d: DefKind): DefKind {
    const memo = this.memo.get(d);
    if (memo !== undefined) return memo as DefKind;
    let out: DefKind = d;
    switch (d.k) {
      case "primitive":
      case "flags":
      case "enum":
        break;
      case "record": {
        const fields = d.fields.map((f) => ({ name: f.name, type: this.val(f.type) }));
        if (fields.some((f, i) => f.type !== d.fields[i].type)) out = { k: "record", fields };
        break;
      }
      case "variant": {
        const cases = d.cases.map((c) => ({ name: c.name, type: this.optVal(c.type) }));
        if (cases.some((c, i) => c.type !== d.cases[i].type)) out = { k: "variant", cases };
        break;
      }
      case "list": {
        const element = this.val(d.element);
        if (element !== d.element) out = { k: "list", element, length: d.length };
        break;
      }
      case "tuple": {
        const types = d.types.map((t) => this.val(t));
        if (types.some((t, i) => t !== d.types[i])) out = { k: "tuple", types };
        break;
      }
      case "option": {
        const type = this.val(d.type);
        if (type !== d.type) out = { k: "option", type };
        break;
      }
      case "result": {
        const ok = this.optVal(d.ok), err = this.optVal(d.err);
        if (ok !== d.ok || err !== d.err) out = { k: "result", ok, err };
        break;
      }
      case "own":
      case "borrow": {
        const resource = this.any(d.resource) as ResType;
        if (resource !== d.resource) out = { k: d.k, resource };
        break;
      }
      case "future":
      case "stream": {
        const type = this.optVal(d.type);
        if (type !== d.type) out = d.k === "stream" ? { k: "stream", type } : { k: "future", type };
        break;
      }
      case "map": {
        const key = this.val(d.key), value = this.val(d.value);
        if (key !== d.key || value !== d.value) out = { k: "map", key, value };
        break;
      }
    }
    if (out !== d) this.budget.spend();
    this.memo.set(d, out);
    return out;
  }

  private func(t: FuncType): FuncType {
    // Parameters are copied only once one of them changes (most functions keep theirs).
    let params: { name: string; type: ValType }[] | undefined;
    for (let i = 0; i < t.params.length; i++) {
      const p = t.params[i];
      const type = this.val(p.type);
      if (params === undefined && type !== p.type) {
        params = t.params.slice(0, i).map((q) => ({ name: q.name, type: q.type }));
      }
      params?.push({ name: p.name, type });
    }
    const result = this.optVal(t.result);
    if (result === t.result && params === undefined) return t;
    this.budget.spend();
    return {
      tag: "func",
      async: t.async,
      params: params ?? t.params.map((p) => ({ name: p.name, type: p.type })),
      result,
    };
  }

  items(m: Map<string, Item>): Map<string, Item> {
    let changed = false;
    const out = new Map<string, Item>();
    for (const k of m.keys()) {
      const v = m.get(k)!;
      const e = this.entity(v.entity);
      if (e !== v.entity) changed = true;
      out.set(k, e === v.entity ? v : { entity: e, name: v.name });
    }
    this.budget.spend(m.size);
    return changed ? out : m;
  }

  private paths(m: Map<ResourceId, number[]>): Map<ResourceId, number[]> {
    if (this.resources.size === 0) return m;
    const out = new Map<ResourceId, number[]>();
    for (const [k, v] of m) out.set(this.resourceId(k), v);
    return out;
  }

  private instance(t: InstanceType): InstanceType {
    const exports = this.items(t.exports);
    const touched = t.definedResources.some((r) => this.resources.has(r)) ||
      [...t.explicitResources.keys()].some((r) => this.resources.has(r));
    if (exports === t.exports && !touched) return t;
    return {
      tag: "instance",
      exports,
      definedResources: t.definedResources.map((r) => this.resourceId(r)),
      explicitResources: this.paths(t.explicitResources),
    };
  }

  private component(t: ComponentType): ComponentType {
    const imports = this.items(t.imports);
    const exports = this.items(t.exports);
    if (imports === t.imports && exports === t.exports) return t;
    return {
      tag: "component",
      imports,
      exports,
      importedResources: this.paths(t.importedResources),
      definedResources: t.definedResources.map((r) => this.resourceId(r)),
      explicitResources: this.paths(t.explicitResources),
    };
  }

  entity(e: Entity): Entity {
    switch (e.kind) {
      case "module":
        return e;
      case "func": {
        const type = this.any(e.type) as FuncType;
        return type === e.type ? e : { kind: "func", type };
      }
      case "value": {
        const type = this.val(e.type);
        return type === e.type ? e : { kind: "value", type };
      }
      case "type": {
        const referenced = this.any(e.referenced);
        const created = this.any(e.created);
        return referenced === e.referenced && created === e.created
          ? e
          : { kind: "type", referenced, created };
      }
      case "instance": {
        const type = this.any(e.type) as InstanceType;
        return type === e.type ? e : { kind: "instance", type };
      }
      case "component": {
        const type = this.any(e.type) as ComponentType;
        return type === e.type ? e : { kind: "component", type };
      }
    }
  }
}
