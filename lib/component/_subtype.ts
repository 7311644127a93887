/**
 * The type-compatibility check used when a component is instantiated and when an export is
 * ascribed a type: is `actual` usable where `expected` is wanted? Value types must be equal
 * (resources compared by identity after the instantiation's resource mapping); instances may
 * have more exports than expected.
 */
import type { Budget } from "./_budget.ts";
import type { AnyType, DefKind, Entity, FuncType, ResourceId, ValType } from "./_types.ts";

/** Maps a resource of the expected side to the one it stands for on the actual side. */
export type ResourceMap = (r: ResourceId) => ResourceId;

const identity: ResourceMap = (r) => r;

/** Returns why `actual` is not a subtype of `expected`, or `undefined` when it is. */
export function entityMismatch(
  actual: Entity,
  expected: Entity,
  budget: Budget,
  map: ResourceMap = identity,
): string | undefined {
  budget.spend();
  if (actual.kind !== expected.kind) return `expected ${expected.kind}, found ${actual.kind}`;
  switch (expected.kind) {
    case "module": {
      const a = (actual as typeof expected).type;
      for (const i of a.imports) {
        const want = expected.type.imports.find((x) => x.module === i.module && x.name === i.name);
        if (want === undefined) return `missing expected import \`${i.module}::${i.name}\``;
        if (want.kind !== i.kind) return `type mismatch in import \`${i.module}::${i.name}\``;
      }
      for (const name of expected.type.exports.keys()) {
        const kind = expected.type.exports.get(name)!;
        const got = a.exports.get(name);
        if (got === undefined) return `missing expected export \`${name}\``;
        if (got !== kind) return `type mismatch in export \`${name}\``;
      }
      return undefined;
    }
    case "func":
      return funcMismatch((actual as typeof expected).type, expected.type, budget, map);
    case "value":
      return valEqual((actual as typeof expected).type, expected.type, budget, map)
        ? undefined
        : "value types differ";
    case "type":
      return typeMismatch((actual as typeof expected).referenced, expected.referenced, budget, map);
    case "instance": {
      const a = (actual as typeof expected).type;
      for (const name of expected.type.exports.keys()) {
        const item = expected.type.exports.get(name)!;
        const got = a.exports.get(name);
        if (got === undefined) return `missing expected export \`${name}\``;
        const why = entityMismatch(got.entity, item.entity, budget, map);
        if (why !== undefined) return `type mismatch in instance export \`${name}\`: ${why}`;
      }
      return undefined;
    }
    case "component": {
      // Imports are contravariant (what the actual component needs must be provided by what the
      // expected type promises to give it), exports covariant. Resources that either side takes
      // as imports or gives as exports are abstract: the two sides' resources of the same name
      // stand for each other, in both directions.
      const a = (actual as typeof expected).type;
      const e = expected.type;
      const expectedToActual = new Map<ResourceId, ResourceId>();
      const actualToExpected = new Map<ResourceId, ResourceId>();
      const pair = (ea: Entity | undefined, ee: Entity | undefined) => {
        const ra = resourceOf(ea);
        const re = resourceOf(ee);
        if (ra === undefined || re === undefined) return;
        expectedToActual.set(re, ra);
        actualToExpected.set(ra, re);
      };
      for (const name of a.imports.keys()) {
        const item = a.imports.get(name)!;
        pair(item.entity, e.imports.get(name)?.entity);
      }
      for (const name of e.exports.keys()) {
        const item = e.exports.get(name)!;
        pair(a.exports.get(name)?.entity, item.entity);
      }
      const forward: ResourceMap = (r) => expectedToActual.get(r) ?? map(r);
      const backward: ResourceMap = (r) => actualToExpected.get(r) ?? r;
      for (const name of a.imports.keys()) {
        const item = a.imports.get(name)!;
        const given = e.imports.get(name);
        if (given === undefined) return `missing import \`${name}\``;
        const why = entityMismatch(given.entity, item.entity, budget, backward);
        if (why !== undefined) return `type mismatch in import \`${name}\`: ${why}`;
      }
      for (const name of e.exports.keys()) {
        const item = e.exports.get(name)!;
        const got = a.exports.get(name);
        if (got === undefined) return `missing expected export \`${name}\``;
        const why = entityMismatch(got.entity, item.entity, budget, forward);
        if (why !== undefined) return `type mismatch in export \`${name}\`: ${why}`;
      }
      return undefined;
    }
  }
}

/** The resource a `type` entity names, if it names one. */
function resourceOf(entity: Entity | undefined): ResourceId | undefined {
  if (entity?.kind !== "type" || entity.referenced.tag !== "resource") return undefined;
  return entity.referenced.resource;
}

function typeMismatch(
  a: AnyType,
  b: AnyType,
  budget: Budget,
  map: ResourceMap,
): string | undefined {
  if (a.tag !== b.tag) return `expected ${b.tag} type, found ${a.tag} type`;
  switch (b.tag) {
    case "resource":
      return (a as typeof b).resource === map(b.resource)
        ? undefined
        : "resource types are not the same";
    case "defined":
      return valEqual(a as typeof b, b, budget, map) ? undefined : "defined types differ";
    case "func":
      return funcMismatch(a as typeof b, b, budget, map);
    case "instance":
      return entityMismatch(
        { kind: "instance", type: a as typeof b },
        { kind: "instance", type: b },
        budget,
        map,
      );
    case "component":
      return entityMismatch(
        { kind: "component", type: a as typeof b },
        { kind: "component", type: b },
        budget,
        map,
      );
  }
}

function funcMismatch(
  a: FuncType,
  b: FuncType,
  budget: Budget,
  map: ResourceMap,
): string | undefined {
  if (a.async !== b.async) return "async and sync function types differ";
  if (a.params.length !== b.params.length) {
    return `expected ${b.params.length} parameters, found ${a.params.length}`;
  }
  for (let i = 0; i < b.params.length; i++) {
    if (a.params[i].name !== b.params[i].name) {
      return `expected parameter named \`${b.params[i].name}\`, found \`${a.params[i].name}\``;
    }
    if (!valEqual(a.params[i].type, b.params[i].type, budget, map)) {
      return `type mismatch in function parameter \`${b.params[i].name}\``;
    }
  }
  if ((a.result === undefined) !== (b.result === undefined)) return "function results differ";
  if (a.result !== undefined && !valEqual(a.result, b.result!, budget, map)) {
    return "type mismatch with result type";
  }
  return undefined;
}

/** Structural equality of value types, resources by (mapped) identity. */
export function valEqual(
  a: ValType,
  b: ValType,
  budget: Budget,
  map: ResourceMap = identity,
): boolean {
  if (a === b && map === identity) return true;
  if (typeof a === "string" || typeof b === "string") {
    if (typeof a === "string" && typeof b === "string") return a === b;
    const d = typeof a === "string" ? (b as { def: DefKind }).def : (a as { def: DefKind }).def;
    const p = typeof a === "string" ? a : b as string;
    return d.k === "primitive" && d.type === p;
  }
  budget.spend();
  return defEqual(a.def, b.def, budget, map);
}

function optEqual(
  a: ValType | undefined,
  b: ValType | undefined,
  budget: Budget,
  map: ResourceMap,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return valEqual(a, b, budget, map);
}

/** Pairs of definitions found equal, per resource mapping: shared structure is compared once. */
const EQUAL = new WeakMap<ResourceMap, WeakMap<DefKind, WeakSet<DefKind>>>();

function defEqual(a: DefKind, b: DefKind, budget: Budget, map: ResourceMap): boolean {
  if (a === b && map === identity) return true;
  let known = EQUAL.get(map);
  if (known === undefined) EQUAL.set(map, known = new WeakMap());
  if (known.get(a)?.has(b)) return true;
  const r = defEqualUncached(a, b, budget, map);
  if (r) {
    let set = known.get(a);
    if (set === undefined) known.set(a, set = new WeakSet());
    set.add(b);
  }
  return r;
}

function defEqualUncached(a: DefKind, b: DefKind, budget: Budget, map: ResourceMap): boolean {
  if (a.k === "primitive" || b.k === "primitive") {
    return a.k === "primitive" && b.k === "primitive" && a.type === b.type;
  }
  if (a.k !== b.k) return false;
  switch (b.k) {
    case "record": {
      const x = a as typeof b;
      return x.fields.length === b.fields.length &&
        b.fields.every((f, i) =>
          f.name === x.fields[i].name && valEqual(x.fields[i].type, f.type, budget, map)
        );
    }
    case "variant": {
      const x = a as typeof b;
      return x.cases.length === b.cases.length &&
        b.cases.every((c, i) =>
          c.name === x.cases[i].name && optEqual(x.cases[i].type, c.type, budget, map)
        );
    }
    case "list": {
      const x = a as typeof b;
      return x.length === b.length && valEqual(x.element, b.element, budget, map);
    }
    case "tuple": {
      const x = a as typeof b;
      return x.types.length === b.types.length &&
        b.types.every((t, i) => valEqual(x.types[i], t, budget, map));
    }
    case "flags":
    case "enum": {
      const x = a as typeof b;
      return x.names.length === b.names.length && b.names.every((n, i) => n === x.names[i]);
    }
    case "option":
      return valEqual((a as typeof b).type, b.type, budget, map);
    case "result": {
      const x = a as typeof b;
      return optEqual(x.ok, b.ok, budget, map) && optEqual(x.err, b.err, budget, map);
    }
    case "own":
    case "borrow":
      return (a as typeof b).resource.resource === map(b.resource.resource);
    case "future":
    case "stream":
      return optEqual((a as typeof b).type, b.type, budget, map);
    case "map": {
      const x = a as typeof b;
      return valEqual(x.key, b.key, budget, map) && valEqual(x.value, b.value, budget, map);
    }
  }
}
