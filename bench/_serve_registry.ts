/**
 * A registry process for bench/hardening.ts's server comparison: the same registry (memory
 * storage, the processor WIT package published) served by wreg's own HTTP server
 * (`own`: registry/_http_server.ts through `startServer`) or by `Deno.serve` (`deno`), which it
 * replaced. Prints `listening on http://HOST:PORT` and serves until killed.
 *
 * @module
 */
import { createRegistry, startServer } from "../registry/mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";
import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { PROCESSOR_WIT, witPackage } from "../tests/registry_support.ts";

const which = Deno.args[0];
const ADMIN = "bench-admin-secret-0123";
const input = {
  name: parsePackageName("docs:processor"),
  version: parseVersion("0.1.0"),
  bytes: witPackage(PROCESSOR_WIT),
  publisher: "bench",
};

if (which === "own") {
  const server = await startServer({ memory: true, port: 0, adminToken: ADMIN });
  await server.registry.publish(input);
  console.log(`listening on ${server.url}`);
} else if (which === "deno") {
  const registry = createRegistry({ storage: openMemoryStorage(), adminToken: ADMIN });
  await registry.publish(input);
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  }, (req, info) => registry.handle(req, { remoteAddr: info.remoteAddr as Deno.NetAddr }));
} else {
  console.error("usage: _serve_registry.ts own|deno");
  Deno.exit(2);
}
