/**
 * `GET /.well-known/wasm-pkg/registry.json`: where wkg (and other wasm-pkg clients) find this
 * registry's OCI side: `{"oci":{"namespacePrefix":"…","registry":"<host[:port]>"},
 * "preferredProtocol":"oci"}`. The host is the configured one, else the one the request was sent
 * to. (Plain HTTP cannot be announced here: wkg's own config chooses it, per registry name.)
 */
import { formatRegistryMetadata } from "../../lib/oci/mod.ts";
import type { Handler } from "../_handlers.ts";

/** The discovery document. */
export const wellKnown: Handler = (ctx, req) => {
  const registry = ctx.oci.options.registry ?? new URL(req.url).host;
  return new Response(formatRegistryMetadata({ registry, namespacePrefix: ctx.oci.prefix }), {
    headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
  });
};
