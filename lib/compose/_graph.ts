/**
 * The composition graph: component definitions (deduplicated by digest), and nodes that are
 * imports of the result, instantiations of a definition, or aliases of an instance's export.
 * Arguments connect a node to an import of an instantiation; each is checked when it is added
 * (kind, cycle, and the subtype relation through {@link checkFits}). Exports name nodes as
 * exports of the result. {@link CompositionGraph.encode} turns the graph into one component.
 */
import { type Entity, type InstanceType, type Item, parseExternName } from "../component/mod.ts";
import type { Digest } from "../names/mod.ts";
import { componentDigest } from "./_sha256.ts";
import { type Resolve, type WorldItem } from "../wit/mod.ts";
import { analyzeComponent, type ComponentMeta, type Definition } from "./_definition.ts";
import { ComposeError } from "./_error.ts";
import { checkFits, type FitResult, type WitItem } from "./_typecheck.ts";
import { type EncodedComposition, encodeGraph, type EncodeOptions } from "./_encode.ts";

/** Index of a node in {@link CompositionGraph.nodes}. */
export type NodeId = number;

/** Where an import node takes its type from: an import or an export of a definition. */
export interface ImportTypeSource {
  definition: Definition;
  /** The name of an import of the definition… */
  import?: string;
  /** …or of one of its exports (a type export of a function or instance type is promoted). */
  export?: string;
}

/** A node of the graph. */
export type GraphNode =
  | {
    readonly kind: "import";
    readonly name: string;
    readonly entity: Entity;
    readonly origin: { definition: Definition; side: "import" | "export"; name: string };
  }
  | {
    readonly kind: "instance";
    readonly definition: Definition;
    /** Import name → the node that fills it, in the order the arguments were added. */
    readonly args: Map<string, NodeId>;
  }
  | {
    readonly kind: "alias";
    readonly source: NodeId;
    readonly export: string;
    readonly entity: Entity;
  };

/** Kinds of items as messages name them. */
export function kindName(e: Entity): string {
  switch (e.kind) {
    case "func":
      return "a function";
    case "instance":
      return "an instance";
    case "type":
      return "a type";
    case "component":
      return "a component";
    case "module":
      return "a core module";
    case "value":
      return "a value";
  }
}

/** A type export of a function, instance or component type becomes an item of that kind. */
function promote(e: Entity): Entity {
  if (e.kind !== "type") return e;
  const t = e.created;
  if (t.tag === "func") return { kind: "func", type: t };
  if (t.tag === "instance") return { kind: "instance", type: t };
  if (t.tag === "component") return { kind: "component", type: t };
  return e;
}

function instanceTypeOf(exports: Map<string, Item>): InstanceType {
  return {
    tag: "instance",
    exports,
    definedResources: [],
    explicitResources: new Map(),
  };
}

function checkName(name: string, what: "import" | "export"): void {
  const p = parseExternName(name, true);
  if (!p.ok) {
    throw new ComposeError("invalid-name", `${what} name \`${name}\` is not valid: ${p.why}`);
  }
}

/**
 * A graph of component instances to encode as one component.
 *
 * @example
 * ```ts ignore
 * const g = new CompositionGraph();
 * const hello = await g.addComponent(helloBytes, { label: "hello.wasm" });
 * const greeter = await g.addComponent(greeterBytes, { label: "greeter.wasm" });
 * const h = g.instantiate(hello);
 * const gr = g.instantiate(greeter);
 * g.setArgument(gr, "hello", g.aliasExport(h, "hello"));
 * g.export(g.aliasExport(gr, "greet"), "greet");
 * const bytes = g.encode();
 * ```
 */
export class CompositionGraph {
  /** The registered components, in the order they were first added. */
  readonly definitions: Definition[] = [];
  /** The nodes, in the order they were added. */
  readonly nodes: GraphNode[] = [];
  /** Export name → node, in the order exports were added. */
  readonly exports = new Map<string, NodeId>();
  private readonly byDigest = new Map<Digest, Definition>();
  private readonly byPackage = new Map<string, Definition>();
  private readonly importNames = new Map<string, NodeId>();

  /**
   * Registers a component (decoded and type-checked here). Identical bytes are registered once:
   * the same {@link Definition} comes back, and the component is embedded once.
   *
   * @throws {ComposeError} `not-a-component`, `invalid-component`, or
   *   `package-already-registered` when `meta.package`@`meta.version` names other bytes.
   */
  async addComponent(bytes: Uint8Array, meta: ComponentMeta = {}): Promise<Definition> {
    return (await this.addComponents([{ ...meta, bytes }]))[0];
  }

  /**
   * Registers several components, in order (their digests are computed concurrently): the same
   * as {@link addComponent} for each.
   */
  async addComponents(
    components: readonly (ComponentMeta & { bytes: Uint8Array })[],
  ): Promise<Definition[]> {
    const digests = await Promise.all(components.map((c) => componentDigest(c.bytes)));
    return components.map((c, i) => this.register(c.bytes, digests[i], c));
  }

  private register(bytes: Uint8Array, digest: Digest, meta: ComponentMeta): Definition {
    const def = this.byDigest.get(digest) ??
      analyzeComponent(this.definitions.length, bytes, digest, meta);
    if (meta.package !== undefined) {
      const key = `${meta.package}@${meta.version ?? ""}`;
      const other = this.byPackage.get(key);
      if (other !== undefined && other.digest !== def.digest) {
        throw new ComposeError(
          "package-already-registered",
          `package \`${
            key.replace(/@$/, "")
          }\` is already registered with other bytes (${other.label})`,
        );
      }
      this.byPackage.set(key, def);
    }
    if (!this.byDigest.has(digest)) {
      this.definitions.push(def);
      this.byDigest.set(digest, def);
    }
    return def;
  }

  private node(id: NodeId, what = "node"): GraphNode {
    const n = this.nodes[id];
    if (n === undefined) throw new ComposeError("unknown-item", `there is no ${what} ${id}`);
    return n;
  }

  private owned(def: Definition): Definition {
    if (this.definitions[def.id] !== def) {
      throw new ComposeError("unknown-item", `${def.label} is not registered in this graph`);
    }
    return def;
  }

  /** The item a node provides (its kind and type). */
  entityOf(id: NodeId): Entity {
    const n = this.node(id);
    if (n.kind === "instance") {
      return { kind: "instance", type: instanceTypeOf(n.definition.type.exports) };
    }
    return n.entity;
  }

  /**
   * Adds an import of the result named `name`, with the type of an import or export of a
   * definition.
   *
   * @throws {ComposeError} `invalid-name`, `import-already-exists`, `unknown-item`
   */
  addImport(name: string, from: ImportTypeSource): NodeId {
    checkName(name, "import");
    if (this.importNames.has(name)) {
      throw new ComposeError("import-already-exists", `the result already imports \`${name}\``);
    }
    const def = this.owned(from.definition);
    const side = from.import !== undefined ? "import" : "export";
    const itemName = from.import ?? from.export;
    if (itemName === undefined) {
      throw new ComposeError("unknown-item", "an import needs the name of an import or export");
    }
    const items = side === "import" ? def.type.imports : def.type.exports;
    const item = items.get(itemName);
    if (item === undefined) {
      throw new ComposeError("unknown-item", `${def.label} has no ${side} named \`${itemName}\``);
    }
    const id = this.nodes.length;
    this.nodes.push({
      kind: "import",
      name,
      entity: promote(item.entity),
      origin: { definition: def, side, name: itemName },
    });
    this.importNames.set(name, id);
    return id;
  }

  /** Adds an instantiation of `definition`; its imports are filled with {@link setArgument}. */
  instantiate(definition: Definition): NodeId {
    const def = this.owned(definition);
    this.nodes.push({ kind: "instance", definition: def, args: new Map() });
    return this.nodes.length - 1;
  }

  /**
   * Adds a node for export `name` of an instance node (an instantiation, or an import or alias
   * of instance kind).
   *
   * @throws {ComposeError} `not-an-instance`, `export-missing`
   */
  aliasExport(instance: NodeId, name: string): NodeId {
    const source = this.entityOf(instance);
    if (source.kind !== "instance") {
      throw new ComposeError(
        "not-an-instance",
        `node ${instance} is ${kindName(source)}, not an instance: it has no exports`,
      );
    }
    const item = source.type.exports.get(name);
    if (item === undefined) {
      throw new ComposeError(
        "export-missing",
        `${this.describe(instance)} has no export named \`${name}\``,
      );
    }
    this.nodes.push({ kind: "alias", source: instance, export: name, entity: item.entity });
    return this.nodes.length - 1;
  }

  /** A readable name of a node for messages. */
  describe(id: NodeId): string {
    const n = this.node(id);
    switch (n.kind) {
      case "import":
        return `import \`${n.name}\``;
      case "instance":
        return `the instance of ${n.definition.label}`;
      case "alias":
        return `export \`${n.export}\` of ${this.describe(n.source)}`;
    }
  }

  /** The WIT item a node provides, when its component has a WIT world. */
  witOf(id: NodeId): WitItem | undefined {
    const n = this.node(id);
    if (n.kind === "import") {
      const w = n.origin.definition.wit;
      const item = (n.origin.side === "import" ? w?.imports : w?.exports)?.get(n.origin.name);
      return w === undefined || item === undefined ? undefined : { resolve: w.resolve, item };
    }
    if (n.kind === "instance") return undefined;
    const src = this.node(n.source);
    if (src.kind === "instance") {
      const w = src.definition.wit;
      const item = w?.exports.get(n.export);
      return w === undefined || item === undefined ? undefined : { resolve: w.resolve, item };
    }
    const parent = this.witOf(n.source);
    if (parent === undefined || parent.item.tag !== "interface") return undefined;
    const iface = parent.resolve.interfaces[parent.item.id];
    const func = iface.functions.get(n.export);
    if (func !== undefined) return { resolve: parent.resolve, item: { tag: "function", func } };
    const type = iface.types.get(n.export);
    if (type !== undefined) return { resolve: parent.resolve, item: { tag: "type", id: type } };
    return undefined;
  }

  /** Whether `from` depends (through arguments and aliases) on node `on`. */
  private dependsOn(from: NodeId, on: NodeId, seen = new Set<NodeId>()): boolean {
    if (from === on) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    const n = this.nodes[from];
    if (n.kind === "alias") return this.dependsOn(n.source, on, seen);
    if (n.kind === "instance") {
      for (const s of n.args.values()) if (this.dependsOn(s, on, seen)) return true;
    }
    return false;
  }

  /**
   * Fills import `name` of instantiation `instance` with node `source`, after checking that
   * the import exists and is not filled yet, that the kinds agree, that no cycle forms, and that
   * the source's type is a subtype of the import's.
   *
   * @throws {ComposeError} `not-instantiation`, `unknown-import`,
   *   `argument-already-satisfied`, `kind-mismatch`, `cycle`, `type-mismatch`
   */
  setArgument(instance: NodeId, name: string, source: NodeId): void {
    const target = this.node(instance);
    if (target.kind !== "instance") {
      throw new ComposeError(
        "not-instantiation",
        `${this.describe(instance)} is not an instantiation: it takes no arguments`,
      );
    }
    const def = target.definition;
    const imp = def.type.imports.get(name);
    if (imp === undefined) {
      throw new ComposeError(
        "unknown-import",
        `\`${name}\` is not an import of ${def.label}`,
      );
    }
    this.node(source);
    if (target.args.has(name)) {
      throw new ComposeError(
        "argument-already-satisfied",
        `import \`${name}\` of ${this.describe(instance)} is already filled by ${
          this.describe(target.args.get(name)!)
        }`,
      );
    }
    const provided = this.entityOf(source);
    if (provided.kind !== imp.entity.kind) {
      throw new ComposeError(
        "kind-mismatch",
        `${this.describe(source)} cannot fill import \`${name}\` of ${def.label}: expected ${
          kindName(imp.entity)
        }, found ${kindName(provided)}`,
      );
    }
    if (this.dependsOn(source, instance)) {
      throw new ComposeError(
        "cycle",
        `${
          this.describe(source)
        } cannot fill import \`${name}\` of ${def.label}: it depends on that instance, which would form a cycle`,
      );
    }
    const fit = this.checkArgument(source, def, name);
    if (!fit.ok) {
      const where = fit.path === "" ? "" : `${fit.path}: `;
      throw new ComposeError(
        "type-mismatch",
        `${
          this.describe(source)
        } cannot fill import \`${name}\` of ${def.label}: ${where}expected ${fit.expected}, found ${fit.found}${
          whyOf(fit)
        }`,
        { path: fit.path, expected: fit.expected, found: fit.found, reason: fit.reason },
      );
    }
    target.args.set(name, source);
  }

  /** The subtype check of one argument, on the WIT views of both sides. */
  private checkArgument(source: NodeId, def: Definition, name: string): FitResult {
    const expectedItem = def.wit?.imports.get(name);
    if (def.wit === undefined || expectedItem === undefined) return { ok: true };
    const expected: WitItem = { resolve: def.wit.resolve, item: expectedItem };
    const provided = this.witOf(source);
    if (provided !== undefined) return checkFits(provided, expected);
    const n = this.nodes[source];
    if (n.kind === "instance" && n.definition.wit !== undefined) {
      return checkWholeInstance(n.definition.wit.resolve, n.definition.wit.exports, expected);
    }
    return { ok: true };
  }

  /**
   * Exports node `id` from the result as `name`.
   *
   * @throws {ComposeError} `invalid-name`, `export-already-exists`
   */
  export(id: NodeId, name: string): void {
    this.node(id);
    checkName(name, "export");
    if (this.exports.has(name)) {
      throw new ComposeError("export-already-exists", `the result already exports \`${name}\``);
    }
    this.exports.set(name, id);
  }

  /**
   * Encodes the graph as one component (see {@link encodeGraph}): deterministic, validated.
   *
   * @throws {ComposeError} `import-conflict`, `unsupported`, `invalid-result`
   */
  encode(options: EncodeOptions = {}): Uint8Array {
    return encodeGraph(this, options).bytes;
  }

  /** Like {@link encode}, with the imports and exports of the result and what it records. */
  encodeWithInfo(options: EncodeOptions = {}): EncodedComposition {
    return encodeGraph(this, options);
  }
}

/** lib/compat's explanation without its location: ` (parameter added; function types must…)`. */
function whyOf(fit: { path: string; reason: string }): string {
  const prefix = `Type mismatch at ${fit.path}: `;
  if (!fit.reason.startsWith(prefix)) return "";
  const why = fit.reason.slice(prefix.length).replace(/ \((.*)\)$/, "; $1");
  return why === "" ? "" : ` (${why})`;
}

/**
 * Checks a whole instance (wasm-compose style: an instance fills an instance import) against
 * an interface: each function the interface has must be a function export of the instance.
 */
function checkWholeInstance(
  resolve: Resolve,
  exports: Map<string, WorldItem>,
  expected: WitItem,
): FitResult {
  if (expected.item.tag !== "interface") return { ok: true };
  const iface = expected.resolve.interfaces[expected.item.id];
  for (const name of iface.functions.keys()) {
    const func = iface.functions.get(name)!;
    const item = exports.get(name);
    if (item === undefined || item.tag !== "function") {
      return {
        ok: false,
        path: `function \`${name}\``,
        expected: "a function",
        found: item === undefined ? "nothing" : `an ${item.tag}`,
        reason: `function \`${name}\` is missing`,
      };
    }
    const fit = checkFits({ resolve, item }, {
      resolve: expected.resolve,
      item: { tag: "function", func },
    });
    if (!fit.ok) return fit;
  }
  return { ok: true };
}
