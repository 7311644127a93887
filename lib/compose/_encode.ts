/**
 * Encodes a {@link CompositionGraph} as one component:
 *
 * 1. the imports of the result: explicit import nodes (and the imports their types come from),
 *    then every import of an instantiation that no argument fills (merged by name, and by
 *    interface across semver-compatible versions, keeping the highest, with the union of what
 *    each component needs), with their types re-encoded from the checked types. An `(eq …)`
 *    type import whose type comes from an import a plug fills is not imported: it is that type;
 * 2. each distinct component definition once, as a nested component section;
 * 3. the instantiations (with `with` arguments) and export aliases, dependencies first;
 * 4. the exports; 5. the `wreg:composed-from` section.
 *
 * Everything is written in graph order, so the same graph gives the same bytes.
 */
import {
  type CheckedComponent,
  ComponentDecodeError,
  type Entity,
  type ResourceId,
  validateOuterComponent,
} from "../component/mod.ts";
import { ComponentBuilder, type OuterSort } from "./_builder.ts";
import {
  COMPOSED_FROM_SECTION,
  type ComposedFill,
  type ComposedFrom,
  encodeComposedFrom,
} from "./_composed_from.ts";
import type { Definition } from "./_definition.ts";
import { ComposeError } from "./_error.ts";
import {
  ImportsEncoder,
  type ResultImport,
  type TypeContext,
  type TypeRef,
} from "./_encode_imports.ts";
import type { CompositionGraph, GraphNode, NodeId } from "./_graph.ts";
import { higherName, mergeKey } from "./_match.ts";
import { checkMergeable, type WitItem } from "./_typecheck.ts";

/** Options of {@link CompositionGraph.encode}. */
export interface EncodeOptions {
  /**
   * Check the result with lib/component's validator before returning it (default `true`).
   * A failure is a {@link ComposeError} `invalid-result`.
   */
  validate?: boolean;
  /** Add the `wreg:composed-from` section (default `true`). */
  composedFrom?: boolean;
}

/** Where an import of a definition's types comes from, within that definition. */
interface Origin {
  import: string;
  export?: string;
}

interface Provenance {
  types: Map<object, Origin>;
  resources: Map<ResourceId, Origin>;
}

const provenanceCache = new WeakMap<Definition, Provenance>();

/** For each type and resource a definition's imports declare: which import declares it. */
function provenanceOf(def: Definition): Provenance {
  const hit = provenanceCache.get(def);
  if (hit !== undefined) return hit;
  const types = new Map<object, Origin>();
  const resources = new Map<ResourceId, Origin>();
  const entries = [...def.type.imports.entries()];
  for (const [name, item] of entries) {
    const e = item.entity;
    if (e.kind === "type") types.set(e.created, { import: name });
    if (e.kind !== "instance") continue;
    for (const exportName of e.type.exports.keys()) {
      const exp = e.type.exports.get(exportName)!;
      if (exp.entity.kind === "type") {
        types.set(exp.entity.created, { import: name, export: exportName });
      }
    }
  }
  for (const [resource, path] of def.type.importedResources) {
    const entry = entries[path[0]];
    if (entry === undefined) continue;
    if (path.length === 1) {
      resources.set(resource, { import: entry[0] });
      continue;
    }
    const e = entry[1].entity;
    if (path.length !== 2 || e.kind !== "instance") continue;
    const exportName = [...e.type.exports.keys()][path[1]];
    if (exportName !== undefined) resources.set(resource, { import: entry[0], export: exportName });
  }
  const out = { types, resources };
  provenanceCache.set(def, out);
  return out;
}

function contextOf(def: Definition, resolveOrigin: (o: Origin) => TypeRef): TypeContext {
  const p = provenanceOf(def);
  return {
    label: def.label,
    typeRef: (t) => {
      const o = p.types.get(t);
      return o === undefined ? undefined : resolveOrigin(o);
    },
    resourceRef: (r) => {
      const o = p.resources.get(r);
      return o === undefined ? undefined : resolveOrigin(o);
    },
  };
}

function sortOf(e: Entity): OuterSort {
  return e.kind;
}

interface Member {
  instance: NodeId;
  def: Definition;
  name: string;
  entity: Entity;
}

interface Group {
  name: string;
  members: Member[];
}

/** A composed component and what it is made of. */
export interface EncodedComposition {
  /** The component. */
  bytes: Uint8Array;
  /** The imports of the result, in binary order. */
  imports: string[];
  /** The exports of the result, in binary order. */
  exports: string[];
  /** What its `wreg:composed-from` section records. */
  composedFrom: ComposedFrom;
}

/** Encodes `graph`; see the module documentation. */
export function encodeGraph(
  graph: CompositionGraph,
  options: EncodeOptions = {},
): EncodedComposition {
  const nodes = graph.nodes;
  const builder = new ComponentBuilder();

  // 1. Imports of the result.
  const explicit = new Map<string, NodeId>();
  for (let id = 0; id < nodes.length; id++) {
    const n = nodes[id];
    if (n.kind === "import") explicit.set(mergeKey(n.name), id);
  }
  const groups = new Map<string, Group>();
  /** `instance\0import` → the name of the result import that fills it. */
  const implicitName = new Map<string, string>();
  const instanceContext = (instance: NodeId, def: Definition): TypeContext =>
    contextOf(def, (o) => {
      const target = nodes[instance] as GraphNode & { kind: "instance" };
      const filler = target.args.get(o.import);
      if (filler !== undefined) {
        return {
          kind: "filled",
          description: `import \`${o.import}\`, which ${graph.describe(filler)} fills`,
          node: filler,
          export: o.export,
        };
      }
      const name = implicitName.get(`${instance}\0${o.import}`)!;
      return { kind: "result", import: name, export: o.export };
    });
  /**
   * `instance\0import` → the type an `(eq …)` type import must be, when that type comes from an
   * import a plug fills: the argument is that type itself, not an import of the result.
   */
  const determined = new Map<string, { node: NodeId; export?: string }>();
  for (let id = 0; id < nodes.length; id++) {
    const n = nodes[id];
    if (n.kind !== "instance") continue;
    for (const name of n.definition.type.imports.keys()) {
      const item = n.definition.type.imports.get(name)!;
      if (n.args.has(name)) continue;
      const e = item.entity;
      if (e.kind === "type" && e.created !== e.referenced) {
        const ctx = instanceContext(id, n.definition);
        const t = e.referenced;
        const ref = t.tag === "resource"
          ? ctx.resourceRef(t.resource)
          : t.tag === "defined"
          ? ctx.typeRef(t)
          : undefined;
        if (ref?.kind === "filled" && ref.node !== undefined) {
          determined.set(`${id}\0${name}`, { node: ref.node, export: ref.export });
          continue;
        }
      }
      const key = mergeKey(name);
      const clash = explicit.get(key);
      if (clash !== undefined) {
        throw new ComposeError(
          "import-conflict",
          `the instance of ${n.definition.label} implicitly imports \`${name}\`, which conflicts with the explicit ${
            graph.describe(clash)
          }`,
        );
      }
      let g = groups.get(key);
      if (g === undefined) {
        g = { name, members: [] };
        groups.set(key, g);
      }
      g.name = higherName(g.name, name);
      g.members.push({ instance: id, def: n.definition, name, entity: item.entity });
    }
  }
  for (const g of groups.values()) {
    for (const m of g.members) implicitName.set(`${m.instance}\0${m.name}`, g.name);
  }

  const resultNames = new Map<string, string>();
  for (const id of explicit.values()) {
    const n = nodes[id] as GraphNode & { kind: "import" };
    resultNames.set(n.name, n.name);
  }

  const imports = new Map<string, ResultImport>();
  for (const id of explicit.values()) {
    const n = nodes[id] as GraphNode & { kind: "import" };
    const def = n.origin.definition;
    // The types of an explicit import may come from imports of the component it was taken
    // from: those are imported too (under their names), unless the result has them already.
    const ctx: TypeContext = contextOf(def, (o) => {
      let name = resultNames.get(o.import) ??
        [...groups.values()].find((g) => g.members.some((m) => m.name === o.import))?.name;
      if (name === undefined) {
        const item = def.type.imports.get(o.import)!;
        imports.set(o.import, { name: o.import, parts: [{ entity: item.entity, ctx }] });
        resultNames.set(o.import, o.import);
        name = o.import;
      }
      return { kind: "result", import: name, export: o.export };
    });
    imports.set(n.name, { name: n.name, parts: [{ entity: n.entity, ctx }] });
  }
  for (const g of groups.values()) {
    const lead = g.members.find((m) => m.name === g.name)!;
    const ordered = [lead, ...g.members.filter((m) => m !== lead)];
    for (const m of ordered) {
      if (m.entity.kind !== lead.entity.kind) {
        throw new ComposeError(
          "import-conflict",
          `\`${m.name}\` is imported as ${m.entity.kind} by ${m.def.label} but as ${lead.entity.kind} by ${lead.def.label}`,
        );
      }
      if (m === lead) continue;
      const a = witItem(lead.def, lead.name), b = witItem(m.def, m.name);
      if (a !== undefined && b !== undefined) {
        const fit = checkMergeable(a, b);
        if (!fit.ok) {
          throw new ComposeError(
            "import-conflict",
            `${lead.def.label} and ${m.def.label} both import \`${g.name}\` but disagree${
              fit.path === "" ? "" : ` on ${fit.path}`
            }: ${m.def.label} expects ${fit.expected}, ${lead.def.label} expects ${fit.found}`,
            { path: fit.path, expected: fit.expected, found: fit.found, reason: fit.reason },
          );
        }
      }
    }
    imports.set(g.name, {
      name: g.name,
      parts: ordered.map((m) => ({ entity: m.entity, ctx: instanceContext(m.instance, m.def) })),
    });
  }
  const importsEncoder = new ImportsEncoder(builder, imports);
  importsEncoder.writeAll();

  // 2. One nested component per definition used.
  const componentIndex = new Map<Definition, number>();
  for (const n of nodes) {
    if (n.kind !== "instance" || componentIndex.has(n.definition)) continue;
    componentIndex.set(n.definition, builder.component(n.definition.bytes));
  }

  // 3. Instances and aliases, dependencies first.
  const emitted = new Map<NodeId, { sort: OuterSort; index: number }>();
  const emit = (id: NodeId): { sort: OuterSort; index: number } => {
    const done = emitted.get(id);
    if (done !== undefined) return done;
    const n = nodes[id];
    let out: { sort: OuterSort; index: number };
    if (n.kind === "import") out = importsEncoder.written.get(n.name)!;
    else if (n.kind === "alias") {
      const src = emit(n.source);
      out = {
        sort: sortOf(n.entity),
        index: builder.aliasExport(sortOf(n.entity), src.index, n.export),
      };
    } else {
      const args: { name: string; sort: OuterSort; index: number }[] = [];
      for (const name of n.definition.type.imports.keys()) {
        const source = n.args.get(name);
        // (Most compositions determine no type import: no key is built for them.)
        const fixed = source !== undefined || determined.size === 0
          ? undefined
          : determined.get(`${id}\0${name}`);
        let r: { sort: OuterSort; index: number };
        if (source !== undefined) r = emit(source);
        else if (fixed !== undefined) {
          const from = emit(fixed.node);
          r = fixed.export === undefined
            ? from
            : { sort: "type", index: builder.aliasExport("type", from.index, fixed.export) };
        } else r = importsEncoder.written.get(implicitName.get(`${id}\0${name}`)!)!;
        args.push({ name, sort: r.sort, index: r.index });
      }
      out = {
        sort: "instance",
        index: builder.instantiate(componentIndex.get(n.definition)!, args),
      };
    }
    emitted.set(id, out);
    return out;
  };
  for (let id = 0; id < nodes.length; id++) emit(id);

  // 4. Exports.
  for (const [name, id] of graph.exports) {
    const r = emit(id);
    builder.export(name, r.sort, r.index);
  }

  // 5. What was composed.
  const composedFrom = composedFromOf(graph, componentIndex);
  if (options.composedFrom !== false) {
    builder.custom(COMPOSED_FROM_SECTION, encodeComposedFrom(composedFrom));
  }

  const bytes = builder.finish();
  if (options.validate !== false) {
    // Each nested component was checked when it was added: the result's validation checks the
    // outer component (every instantiation against their checked types, resources by identity)
    // without parsing and checking them again.
    const nested = new Map<number, CheckedComponent>();
    for (const [def, index] of componentIndex) {
      nested.set(builder.componentOffsets[index], def.checked);
    }
    validateResult(bytes, nested);
  }
  return {
    bytes,
    imports: [...importsEncoder.written.keys()],
    exports: [...graph.exports.keys()],
    composedFrom,
  };
}

function witItem(def: Definition, importName: string): WitItem | undefined {
  const item = def.wit?.imports.get(importName);
  return item === undefined || def.wit === undefined
    ? undefined
    : { resolve: def.wit.resolve, item };
}

/** The instance node and export (if any) that a node ultimately comes from. */
function providerOf(
  graph: CompositionGraph,
  id: NodeId,
): { instance: NodeId; export: string | null } | undefined {
  const n = graph.nodes[id];
  if (n.kind === "instance") return { instance: id, export: null };
  if (n.kind === "import") return undefined;
  const src = graph.nodes[n.source];
  if (src.kind === "instance") return { instance: n.source, export: n.export };
  return providerOf(graph, n.source);
}

function composedFromOf(
  graph: CompositionGraph,
  components: Map<Definition, number>,
): ComposedFrom {
  const order = [...components.keys()];
  const fills: ComposedFill[] = [];
  for (const n of graph.nodes) {
    if (n.kind !== "instance") continue;
    for (const name of n.definition.type.imports.keys()) {
      const source = n.args.get(name);
      if (source === undefined) continue;
      const p = providerOf(graph, source);
      if (p === undefined) continue;
      const by = graph.nodes[p.instance] as GraphNode & { kind: "instance" };
      fills.push({
        into: order.indexOf(n.definition),
        import: name,
        by: order.indexOf(by.definition),
        export: p.export,
      });
    }
  }
  return {
    format: 1 as const,
    components: order.map((d) => ({
      package: d.package ?? null,
      version: d.version ?? null,
      digest: d.digest,
    })),
    fills,
  };
}

function validateResult(bytes: Uint8Array, nested: ReadonlyMap<number, CheckedComponent>): void {
  try {
    validateOuterComponent(bytes, nested);
  } catch (e) {
    if (e instanceof ComponentDecodeError) {
      throw new ComposeError(
        "invalid-result",
        `the composed component does not validate: ${e.reason} (at offset 0x${
          e.offset.toString(16)
        })`,
      );
    }
    throw e;
  }
}
