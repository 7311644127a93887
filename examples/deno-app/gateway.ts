/**
 * A small HTTP gateway that scrubs personal data with the PII scrubber component, in-process: one
 * component call per request, no sidecar, no JSON hop.
 *
 *   POST /scrub             body: text            → the text with PII replaced by [REDACTED]
 *   POST /process?id=&source=&priority=  body: text → the processed text (logged by the logger)
 *   GET  /healthz                                 → ok
 *
 * Run: deno run --allow-env --allow-read --allow-net gateway.ts [--port 8000]
 *
 * @module
 */
import { process, scrubPii } from "docs:scrubber";
import { parseArgs } from "node:util";

const MAX_BODY = 1 << 20;

/** Handles one request; exported so it can be called without a server. */
export async function handle(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (req.method === "GET" && url.pathname === "/healthz") return new Response("ok\n");
  if (url.pathname !== "/scrub" && url.pathname !== "/process") {
    return new Response("not found: POST /scrub or /process\n", { status: 404 });
  }
  if (req.method !== "POST") {
    return new Response("method not allowed: use POST\n", {
      status: 405,
      headers: { allow: "POST" },
    });
  }
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY) return new Response("body too large (1 MiB at most)\n", { status: 413 });
  const text = await req.text();
  if (text.length > MAX_BODY) {
    return new Response("body too large (1 MiB at most)\n", { status: 413 });
  }
  if (url.pathname === "/scrub") return new Response(scrubPii(text));
  const id = url.searchParams.get("id") ?? "0";
  const priority = url.searchParams.get("priority") ?? "0";
  if (!/^\d{1,20}$/.test(id) || !/^\d{1,10}$/.test(priority) || Number(priority) > 0xffffffff) {
    return new Response("id and priority must be unsigned integers\n", { status: 400 });
  }
  if (BigInt(id) > 0xffffffffffffffffn) {
    return new Response("id must fit in 64 bits\n", { status: 400 });
  }
  const source = url.searchParams.get("source") ?? "gateway";
  return new Response(process(text, { id: BigInt(id), source, priority: Number(priority) }));
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { port: { type: "string" } } });
  const port = Number(values.port ?? Deno.env.get("PORT") ?? "8000");
  Deno.serve({ port, hostname: "127.0.0.1" }, handle);
}
