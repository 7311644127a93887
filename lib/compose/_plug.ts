/**
 * `plug`: fill a socket component's imports with the exports of plug components, like
 * `wac plug`, except that plugs may fill each other's imports too, so a chain
 * (socket ← a ← b) composes in one call.
 *
 * Rules:
 * - The socket is instantiated once; each plug at most once, when it first fills something.
 *   Identical plugs (same digest) count once. A plug never fills its own imports, and the
 *   socket fills nothing.
 * - Imports are visited breadth-first from the socket (each instance's imports in their binary
 *   order, then the imports of the plugs that filled them), so the result is the same for the
 *   same inputs.
 * - An import is filled by a plug export of the same name, or of the same interface at another
 *   version of its semver series, lower ones too (`@0.2.6` and `@0.2.0` both fill `@0.2.3`): the
 *   types decide whether it fits, as wasmtime links. Within one plug an exact name wins, then
 *   the highest version of the series.
 * - If several plugs export what an import needs, composition stops with `ambiguous-plug`
 *   naming them, unless the caller chose one ({@link PlugOptions.choose}).
 * - A plug whose export matches by name but whose type does not fit is an error
 *   (`type-mismatch`), never skipped. A plug that fills nothing is an error (`unused-plug`)
 *   unless allowed. A cycle between plugs is an error (`cycle`).
 * - Type imports, and imports of interfaces that have only types (no functions), are never
 *   filled: types have no implementation to plug, and the exports that use them must keep
 *   naming them through the import.
 * - Imports nothing fills become imports of the result (merged, see {@link encodeGraph});
 *   the socket's exports become the result's exports.
 */
import type { Definition } from "./_definition.ts";
import type { EncodedComposition, EncodeOptions } from "./_encode.ts";
import { ComposeError } from "./_error.ts";
import { CompositionGraph, type NodeId } from "./_graph.ts";
import { nearMiss, sameSeriesVersion, type VersionedName, versionedName } from "./_match.ts";
import { compareVersions, type Version } from "../names/mod.ts";

/** A component given to {@link plug}. */
export interface PlugInput {
  bytes: Uint8Array;
  /** The name messages use (a file name…); default the package, else the digest. */
  label?: string;
  /** The package it was published as, recorded in the `wreg:composed-from` section. */
  package?: string;
  version?: string;
}

/** Identifies a consumer in {@link PlugOptions.choose}. */
export interface Consumer {
  /** `socket`, or the plug's position in the `plugs` list. */
  role: "socket" | number;
  label: string;
  package?: string;
}

/** Options of {@link plug}. */
export interface PlugOptions {
  /**
   * Chooses the plug for an import several plugs could fill (or for any import): return a
   * plug's label or package, or `undefined` for no choice. A choice that names no plug exporting
   * the import is an `invalid-choice` error.
   */
  choose?: (consumer: Consumer, importName: string) => string | undefined;
  /** Imports never filled by a plug (left to the host), e.g. WASI. Default: none. */
  leaveToHost?: (importName: string) => boolean;
  /** Do not fail when a plug fills nothing (default `false`). */
  allowUnusedPlugs?: boolean;
  /** Options of the encoding. */
  encode?: EncodeOptions;
}

/** One import a plug filled. */
export interface PlugFill {
  consumer: string;
  import: string;
  plug: string;
  export: string;
}

/** What {@link plug} made. */
export interface PlugResult extends EncodedComposition {
  /** The imports filled, in the order they were filled. */
  fills: PlugFill[];
  /** Labels of plugs that filled nothing (only with `allowUnusedPlugs`). */
  unused: string[];
  /** The graph, for inspection. */
  graph: CompositionGraph;
}

interface Plug {
  role: number;
  def: Definition;
  node?: NodeId;
  aliases: Map<string, NodeId>;
  index: ExportIndex;
}

/** A plug's exports by interface (`ns:pkg/iface` without version) or plain name. */
type ExportIndex = Map<string, { name: string; version?: Version; kind: string }[]>;

function indexExports(def: Definition): ExportIndex {
  const index: ExportIndex = new Map();
  for (const name of def.type.exports.keys()) {
    const item = def.type.exports.get(name)!;
    const v = versionedName(name);
    const key = v?.base ?? name;
    let list = index.get(key);
    if (list === undefined) index.set(key, list = []);
    list.push({ name, version: v?.version, kind: item.entity.kind });
  }
  return index;
}

/** The export that best fills `importName`: the exact name, else the highest of its series. */
function bestExport(
  index: ExportIndex,
  importName: string,
  wanted: VersionedName | undefined,
  kind: string,
): string | undefined {
  const list = index.get(wanted?.base ?? importName);
  if (list === undefined) return undefined;
  let best: { name: string; version?: Version } | undefined;
  for (const e of list) {
    if (e.kind !== kind) continue;
    if (e.name === importName) return e.name;
    if (wanted?.version === undefined || e.version === undefined) continue;
    if (!sameSeriesVersion(wanted.version, e.version)) continue;
    if (best === undefined || compareVersions(e.version, best.version!) > 0) best = e;
  }
  return best?.name;
}

/**
 * Plugs `plugs` into `socket` (see the module documentation for the rules) and encodes the
 * result.
 *
 * @throws {ComposeError} `ambiguous-plug`, `type-mismatch`, `unused-plug`, `cycle`,
 *   `invalid-choice`, and the errors of {@link CompositionGraph}
 */
export async function plug(
  socket: PlugInput,
  plugs: readonly PlugInput[],
  options: PlugOptions = {},
): Promise<PlugResult> {
  const g = new CompositionGraph();
  const [socketDef, ...plugDefs] = await g.addComponents(
    [socket, ...plugs].map((c) => ({ ...meta(c), bytes: c.bytes })),
  );
  const list: Plug[] = [];
  const seen = new Set<Definition>();
  for (let i = 0; i < plugDefs.length; i++) {
    const def = plugDefs[i];
    if (seen.has(def)) continue;
    seen.add(def);
    list.push({ role: i, def, aliases: new Map(), index: indexExports(def) });
  }
  // Which plugs export something under each key of their indexes, in plug order: an import
  // looks at those plugs only, not at every plug.
  const byKey = new Map<string, Plug[]>();
  for (const p of list) {
    for (const key of p.index.keys()) {
      const plugs = byKey.get(key);
      if (plugs === undefined) byKey.set(key, [p]);
      else plugs.push(p);
    }
  }
  const socketNode = g.instantiate(socketDef);
  const fills: PlugFill[] = [];
  /** Imports no plug filled, for the near misses an unused plug's error names. */
  const unfilled: { consumer: string; importName: string; kind: string }[] = [];
  const queue: { node: NodeId; def: Definition; consumer: Consumer }[] = [{
    node: socketNode,
    def: socketDef,
    consumer: { role: "socket", label: socketDef.label, package: socketDef.package },
  }];
  while (queue.length > 0) {
    const { node, def, consumer } = queue.shift()!;
    for (const importName of def.type.imports.keys()) {
      const item = def.type.imports.get(importName)!;
      if (options.leaveToHost?.(importName)) continue;
      const e = item.entity;
      if (
        e.kind === "type" ||
        e.kind === "instance" && e.type.exports.size > 0 && onlyTypes(e.type.exports)
      ) {
        continue;
      }
      let candidates: { plug: Plug; export: string }[] = [];
      const wanted = versionedName(importName);
      for (const p of byKey.get(wanted?.base ?? importName) ?? []) {
        if (p.node === node) continue;
        const e = bestExport(p.index, importName, wanted, item.entity.kind);
        if (e !== undefined) candidates.push({ plug: p, export: e });
      }
      const chosen = options.choose?.(consumer, importName);
      if (chosen !== undefined) {
        const picked = candidates.filter((c) =>
          c.plug.def.label === chosen || c.plug.def.package === chosen
        );
        if (picked.length === 0) {
          throw new ComposeError(
            "invalid-choice",
            `the choice of ${chosen} for import \`${importName}\` of ${consumer.label} names no plug that exports it`,
          );
        }
        candidates = picked.slice(0, 1);
      }
      if (candidates.length === 0) {
        unfilled.push({ consumer: consumer.label, importName, kind: item.entity.kind });
        continue;
      }
      if (candidates.length > 1) {
        throw new ComposeError(
          "ambiguous-plug",
          `import \`${importName}\` of ${consumer.label} can be filled by ${
            candidates.map((c) => `${c.plug.def.label} (export \`${c.export}\`)`).join(" and ")
          }: choose one`,
        );
      }
      const { plug: p, export: exportName } = candidates[0];
      if (p.node === undefined) {
        p.node = g.instantiate(p.def);
        queue.push({
          node: p.node,
          def: p.def,
          consumer: { role: p.role, label: p.def.label, package: p.def.package },
        });
      }
      let alias = p.aliases.get(exportName);
      if (alias === undefined) {
        alias = g.aliasExport(p.node, exportName);
        p.aliases.set(exportName, alias);
      }
      g.setArgument(node, importName, alias);
      fills.push({
        consumer: consumer.label,
        import: importName,
        plug: p.def.label,
        export: exportName,
      });
    }
  }
  const unusedPlugs = list.filter((p) => p.node === undefined);
  const unused = unusedPlugs.map((p) => p.def.label);
  if (unused.length > 0 && !options.allowUnusedPlugs) {
    const misses = unusedPlugs.flatMap((p) =>
      nearMisses(p, unfilled, unusedPlugs.length === 1 ? "its" : `${p.def.label}'s`)
    );
    throw new ComposeError(
      "unused-plug",
      `${unused.join(" and ")} ${
        unused.length === 1 ? "fills" : "fill"
      } no import of ${socketDef.label}${list.length > 1 ? " or of the other plugs" : ""}${
        misses.length === 0
          ? ""
          : `: ${misses.slice(0, 3).join("; ")}${
            misses.length > 3 ? ` (and ${misses.length - 3} more)` : ""
          }`
      }`,
    );
  }
  for (const name of socketDef.type.exports.keys()) {
    g.export(g.aliasExport(socketNode, name), name);
  }
  return { ...g.encodeWithInfo(options.encode), fills, unused, graph: g };
}

/**
 * Why an unused plug's exports do not fill the imports left unfilled that name the same interface
 * (or the same name with another kind of item): "its export `a:b/c@2.0.0` nearly matches import
 * `a:b/c@1.0.0` of s, but 2.0.0 is another major version than 1.0.0".
 */
function nearMisses(
  p: Plug,
  unfilled: readonly { consumer: string; importName: string; kind: string }[],
  whose: string,
): string[] {
  const out: string[] = [];
  for (const u of unfilled) {
    for (const e of p.index.get(versionedName(u.importName)?.base ?? u.importName) ?? []) {
      const why = e.kind !== u.kind
        ? `the import is ${article(u.kind)} and the export ${article(e.kind)}`
        : nearMiss(u.importName, e.name);
      if (why === undefined) continue;
      out.push(
        `${whose} export \`${e.name}\` nearly matches import \`${u.importName}\` of ${u.consumer}, ` +
          `but ${why}`,
      );
    }
  }
  return out;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** Whether every export of an instance type is a type. */
function onlyTypes(exports: ReadonlyMap<string, { entity: { kind: string } }>): boolean {
  for (const x of exports.values()) if (x.entity.kind !== "type") return false;
  return true;
}

function meta(p: PlugInput) {
  return { label: p.label, package: p.package, version: p.version };
}
