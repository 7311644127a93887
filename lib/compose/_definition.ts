/**
 * A component definition of a composition: its bytes and digest, its checked type (imports and
 * exports with full types, from lib/component's checker) and, when the component has a WIT world,
 * its WIT view (the {@link Resolve} and the world's items by extern name) for the subtype check.
 */
import {
  build,
  type CheckedComponent,
  ComponentDecodeError,
  type ComponentType,
  decodeComponent,
  type DecodedWasm,
} from "../component/mod.ts";
import type { Digest } from "../names/mod.ts";
import {
  type Resolve,
  type World,
  type WorldItem,
  type WorldKey,
  worldKeyName,
} from "../wit/mod.ts";
import { ComposeError } from "./_error.ts";

/** What a caller says about a component besides its bytes. */
export interface ComponentMeta {
  /** A name for messages (a file name, `ns:name@1.2.3`…). Default: the package, else the digest. */
  label?: string;
  /** The package the component was published as (`ns:name`), if known. */
  package?: string;
  /** Its version, if known. */
  version?: string;
}

/** The WIT view of a component: its world's imports and exports by extern name. */
export interface WitView {
  resolve: Resolve;
  imports: Map<string, WorldItem>;
  exports: Map<string, WorldItem>;
}

/** A component registered in a composition graph. */
export interface Definition {
  /** Index in the graph's definitions. */
  readonly id: number;
  readonly digest: Digest;
  readonly bytes: Uint8Array;
  /** The name messages use. */
  readonly label: string;
  readonly package?: string;
  readonly version?: string;
  /** The checked type: imports and exports in binary order with their types. */
  readonly type: ComponentType;
  /** The WIT view; absent when the component has no WIT world (e.g. it exports a type). */
  readonly wit?: WitView;
  /**
   * What lib/component's checker found for `bytes` (`type` is its type): a result embedding
   * them is validated without checking them again.
   */
  readonly checked: CheckedComponent;
}

const PREAMBLE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);

/**
 * Checks a component that has no WIT world: lib/component checks it as the only nested component
 * of a wrapper that imports and exports nothing (a wrapper always has a world).
 */
function checkWithoutWorld(bytes: Uint8Array): CheckedComponent {
  const wrapper = build((w) => w.bytes(PREAMBLE).section(0x04, bytes));
  const d = decodeComponent(wrapper, { metadata: false, summaries: false });
  return d.checked!.nested[0];
}

/** A {@link WitView} whose maps are made when first read (a plug's imports often never are). */
class LazyWitView implements WitView {
  #imports?: Map<string, WorldItem>;
  #exports?: Map<string, WorldItem>;
  constructor(readonly resolve: Resolve, private readonly world: World) {}

  get imports(): Map<string, WorldItem> {
    return this.#imports ??= this.byName(this.world.imports);
  }

  get exports(): Map<string, WorldItem> {
    return this.#exports ??= this.byName(this.world.exports);
  }

  private byName(items: Map<WorldKey, WorldItem>): Map<string, WorldItem> {
    const out = new Map<string, WorldItem>();
    for (const k of items.keys()) {
      const v = items.get(k)!;
      out.set(worldKeyName(this.resolve, k), v);
    }
    return out;
  }
}

function witViewOf(d: DecodedWasm): WitView | undefined {
  if (d.world === undefined) return undefined;
  return new LazyWitView(d.resolve, d.resolve.worlds[d.world]);
}

/**
 * Decodes and checks `bytes` (whose digest is `digest`); throws {@link ComposeError} unless they
 * are a valid component.
 */
export function analyzeComponent(
  id: number,
  bytes: Uint8Array,
  digest: Digest,
  meta: ComponentMeta = {},
): Definition {
  const label = meta.label ??
    (meta.package === undefined
      ? digest.slice(0, 19)
      : meta.version === undefined
      ? meta.package
      : `${meta.package}@${meta.version}`);
  let checked: CheckedComponent;
  let wit: WitView | undefined;
  try {
    const d = decodeComponent(bytes, { metadata: false, summaries: false });
    if (d.kind !== "component") {
      throw new ComposeError(
        "not-a-component",
        `${label} is a ${d.kind === "module" ? "core module" : "WIT package"}, not a component`,
      );
    }
    checked = d.checked!;
    wit = witViewOf(d);
  } catch (e) {
    if (e instanceof ComponentDecodeError && e.code === "not-representable") {
      checked = checkWithoutWorld(bytes);
    } else if (e instanceof ComponentDecodeError) {
      throw new ComposeError(
        "invalid-component",
        `${label} is not a valid component: ${e.reason} (at offset 0x${e.offset.toString(16)})`,
      );
    } else throw e;
  }
  return {
    id,
    digest,
    bytes,
    label,
    package: meta.package,
    version: meta.version,
    type: checked.type,
    wit,
    checked,
  };
}
