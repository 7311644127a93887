/**
 * The wasm-pkg discovery document, `/.well-known/wasm-pkg/registry.json`: which OCI registry
 * and namespace prefix hold a registry's packages (what wkg fetches to map `ns:name` to
 * `<registry>/<prefix>ns/name`).
 */

/** Where the document is served. */
export const WELL_KNOWN_PATH = "/.well-known/wasm-pkg/registry.json";

/** What the document says about OCI. */
export interface RegistryMetadata {
  /** The OCI registry (`host[:port]`); absent: the registry's own host. */
  registry?: string;
  /** Prepended to `ns/name` (ends with "/"); empty when none. */
  namespacePrefix: string;
  /** The protocol the document prefers (`oci`), when it says. */
  preferredProtocol?: string;
}

/**
 * The document's text, as wreg serves it:
 * `{"oci":{"namespacePrefix":"…","registry":"…"},"preferredProtocol":"oci"}`.
 */
export function formatRegistryMetadata(
  meta: { registry: string; namespacePrefix: string },
): string {
  return JSON.stringify({
    oci: { namespacePrefix: meta.namespacePrefix, registry: meta.registry },
    preferredProtocol: "oci",
  });
}

/**
 * Reads a discovery document: the current form (`{"preferredProtocol":"oci","oci":{…}}`) or
 * the older one (`{"ociRegistry":…,"ociNamespacePrefix":…}`). `undefined` when it names no OCI
 * registry settings at all (another protocol only, or not an object).
 *
 * @example
 * ```ts
 * import { parseRegistryMetadata } from "./mod.ts";
 * const m = parseRegistryMetadata({ ociRegistry: "ghcr.io", ociNamespacePrefix: "webassembly/" });
 * console.assert(m?.registry === "ghcr.io" && m.namespacePrefix === "webassembly/");
 * ```
 */
export function parseRegistryMetadata(doc: unknown): RegistryMetadata | undefined {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const preferred = str(d.preferredProtocol);
  const oci = d.oci;
  if (oci !== null && typeof oci === "object" && !Array.isArray(oci)) {
    const o = oci as Record<string, unknown>;
    const out: RegistryMetadata = { namespacePrefix: str(o.namespacePrefix) ?? "" };
    const registry = str(o.registry);
    if (registry !== undefined) out.registry = registry;
    if (preferred !== undefined) out.preferredProtocol = preferred;
    return out;
  }
  if (typeof d.ociRegistry === "string" || typeof d.ociNamespacePrefix === "string") {
    const out: RegistryMetadata = { namespacePrefix: str(d.ociNamespacePrefix) ?? "" };
    if (typeof d.ociRegistry === "string") out.registry = d.ociRegistry;
    if (preferred !== undefined) out.preferredProtocol = preferred;
    return out;
  }
  return undefined;
}
