/**
 * The OpenAPI 3.1 document of /api/v1 (registry/_openapi.ts, served at /api/v1/openapi.json):
 * generated from the routing and error tables, it must fail to build when they drift from it, and
 * its statuses must be docs/api.md's; schemathesis (PyPI, in the project's Python environment)
 * then checks a live, seeded registry against it: no server error, every answer as documented.
 */
import assert from "node:assert/strict";
import {
  API_OPERATIONS,
  createApp,
  documentedStatuses,
  openApiDocument,
  openApiPath,
  REGISTRY_ERRORS,
  type Route,
  Router,
  ROUTES,
} from "../registry/mod.ts";
import { openMemoryStorage } from "../storage/mod.ts";
import { projectPython } from "../tools/python.ts";
import { ensureExamples } from "./support/examples.ts";
import { servicesRequired } from "./support/services.ts";
import { Client, ROOT, SERVER_ADMIN_TOKEN, startServerProcess } from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";
const isApi = (r: Pick<Route, "path">) => r.path === "/api/v1" || r.path.startsWith("/api/v1/");

Deno.test("the OpenAPI document has an operation for every /api/v1 route and no other", () => {
  const doc = openApiDocument(ROUTES) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)
  ).sort();
  const routes = ROUTES.filter(isApi).map((r) => `${r.method} ${openApiPath(r.path)}`).sort();
  assert.deepEqual(operations, routes);
  assert.equal(operations.length, Object.keys(API_OPERATIONS).length);
});

Deno.test("the OpenAPI document fails to build when the routing table drifts from it", () => {
  const handler = ROUTES[0].handler;
  const added: Route = { method: "GET", path: "/api/v1/secrets", access: "public", handler };
  assert.throws(
    () => openApiDocument([...ROUTES, added]),
    /GET \/api\/v1\/secrets has no description/,
  );
  const removed = ROUTES.filter((r) => r.path !== "/api/v1/stats");
  assert.throws(
    () => openApiDocument(removed),
    /describes GET \/api\/v1\/stats, which no route has/,
  );
  // Another method on a described path is another operation.
  const other: Route = { method: "DELETE", path: "/api/v1/stats", access: "admin", handler };
  assert.throws(() => openApiDocument([...ROUTES, other]), /DELETE \/api\/v1\/stats/);
});

Deno.test("the OpenAPI document's error codes are the error table's, per status", () => {
  const doc = openApiDocument(ROUTES) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    components: { schemas: { Error: { properties: { code: { enum: string[] } } } } };
  };
  assert.deepEqual(doc.components.schemas.Error.properties.code.enum, Object.keys(REGISTRY_ERRORS));
  // Each error answer names exactly the codes of the table with its status.
  const used = new Set<number>();
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      for (const [status, answer] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        used.add(Number(status));
        const codes = JSON.stringify(answer).match(/"enum":\[([^\]]*)\]/)![1];
        const want = Object.entries(REGISTRY_ERRORS).filter(([, e]) => e.status === Number(status))
          .map(([c]) => JSON.stringify(c)).join(",");
        assert.equal(codes, want, status);
      }
    }
  }
  // Every status of the error table is answered by some operation (405 by any of them: the
  // router's; 500: a fault, which schemathesis checks never happens).
  const statuses = new Set(Object.values(REGISTRY_ERRORS).map((e) => e.status));
  const missing = [...statuses].filter((s) => !used.has(s) && s !== 405 && s !== 500);
  assert.deepEqual(missing, [], "error statuses no operation documents");
});

Deno.test("the OpenAPI document's statuses are docs/api.md's, plus 503 (and 429 with a token)", async () => {
  const md = await Deno.readTextFile(`${ROOT}/docs/api.md`);
  for (const r of ROUTES.filter(isApi)) {
    const path = openApiPath(r.path);
    const row = md.split("\n").find((l) =>
      l.startsWith(`| \`${r.method}\``) && l.includes(`| \`${path}\` `)
    );
    assert.ok(row, `${r.method} ${path} is not in docs/api.md`);
    const answers = row.split("|")[4].replace(/\(.*\)/, "").split(",").map((s) => Number(s.trim()));
    const extra = r.access === "public" ? [503] : [429, 503];
    assert.deepEqual(
      documentedStatuses(r),
      [...answers, ...extra].sort((a, b) => a - b),
      `${r.method} ${path}`,
    );
  }
});

Deno.test("GET /api/v1/openapi.json serves the document, to any origin", async () => {
  const c = new Client(createApp({ storage: openMemoryStorage(), adminToken: ADMIN }));
  const res = await c.call("GET", "/api/v1/openapi.json", {
    headers: { origin: "https://editor.example" },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, openApiDocument(ROUTES));
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const info = await c.call("GET", "/api/v1");
  assert.equal(info.json.openapi, "/api/v1/openapi.json");
});

Deno.test("another method on a path a literal route names is 405, not a parameter route's refusal", () => {
  const router = new Router();
  for (const path of ["/api/v1/packages/docs/a/index", "/api/v1/packages/docs/a/dependents"]) {
    assert.throws(
      () => router.match("PUT", path),
      (e: { code?: string; headers?: Record<string, string> }) =>
        e.code === "method-not-allowed" && e.headers?.allow === "GET, HEAD",
      path,
    );
  }
  // Allow names the methods of the route the path is, not those of less specific ones.
  assert.throws(
    () => router.match("OPTIONS", "/api/v1/packages/docs/a/index"),
    (e: { headers?: Record<string, string> }) => e.headers?.allow === "GET, HEAD",
  );
  // The parameter route still takes what the literal one does not name.
  assert.equal(router.match("PUT", "/api/v1/packages/docs/a/1.0.0").route.method, "PUT");
  assert.equal(router.match("PUT", "/api/v1/namespaces/docs").route.method, "PUT");
});

Deno.test("a TRACE request is 405 with Allow, not a malformed request", async () => {
  const server = await startServerProcess({ args: ["--memory", "--quiet"] });
  try {
    const { port } = new URL(server.url);
    for (const method of ["TRACE", "TRACK"]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      await conn.write(
        new TextEncoder().encode(`${method} /api/v1/stats HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      const buf = new Uint8Array(4096);
      let text = "";
      while (!text.includes("\r\n\r\n")) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      conn.close();
      assert.match(text, /^HTTP\/1\.1 405 /, text);
      assert.match(text, /\r\nallow: GET, HEAD\r\n/i, text);
    }
  } finally {
    await server.stop();
  }
});

/** How to run schemathesis, or why it cannot run. */
function schemathesis(): { python: string } | { missing: string } {
  let python: string;
  try {
    python = projectPython();
  } catch (e) {
    return { missing: (e as Error).message };
  }
  const probe = new Deno.Command(python, {
    args: ["-c", "import importlib.metadata as m; print(m.version('schemathesis'))"],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!probe.success) {
    return { missing: `schemathesis is not installed for ${python}: run \`node tools/setup.mjs\`` };
  }
  return { python };
}

const tool = schemathesis();
if ("missing" in tool && !servicesRequired) {
  console.error(`ignored "schemathesis …": ${tool.missing}`);
}

Deno.test({
  name: "schemathesis finds no server error and no answer the document does not describe",
  // Under CI=true a missing schemathesis is a failure, never a skip.
  ignore: "missing" in tool && !servicesRequired,
  async fn() {
    if ("missing" in tool) throw new Error(tool.missing);
    await ensureExamples();
    const server = await startServerProcess({ args: ["--memory", "--seed-examples", "--quiet"] });
    try {
      const c = new Client(server.url);
      const stats = await c.call("GET", "/api/v1/stats");
      assert.ok(stats.json.versions >= 4, `seeded: ${stats.text}`);
      // A token of the examples' owner, so yanks and member changes of docs can succeed too.
      const token = await c.token(SERVER_ADMIN_TOKEN, "wreg", ["publish", "yank", "owners"]);
      const run = await new Deno.Command(tool.python, {
        args: [
          "-c",
          "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())",
          "run",
          `${server.url}/api/v1/openapi.json`,
          "--url",
          server.url,
          "-H",
          `Authorization: Bearer ${token}`,
          // Every check but two that cannot hold for this API by design: ignored_auth sends wrong
          // tokens, which the registry throttles (429 for every request with a token afterwards);
          // positive_data_acceptance expects 2xx for any schema-valid request, but a publish also
          // needs bytes that decode to a component with that digest, and a search at least one
          // of its criteria, which a schema cannot say.
          "--checks",
          "all",
          "--exclude-checks",
          "ignored_auth,positive_data_acceptance",
          "--max-time",
          "60",
          "--phases",
          "examples,coverage,fuzzing,stateful",
          "--max-examples",
          "50",
          "--request-timeout",
          "20",
          "--generation-database",
          "none",
          "--no-color",
          "--seed",
          "17",
        ],
        cwd: await Deno.makeTempDir({ prefix: "wreg-schemathesis-" }),
        env: {
          PYTHONPATH: `${ROOT}/tests/support`,
          SCHEMATHESIS_HOOKS: "schemathesis_hooks",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
      assert.equal(run.code, 0, out);
      assert.match(out, /Tested: (\d+)/, out);
      const tested = Number(/Tested: (\d+)/.exec(out)![1]);
      // Every operation but the document's own (schemathesis leaves its schema's URL out).
      assert.equal(tested, Object.keys(API_OPERATIONS).length - 1, out);
      assert.doesNotMatch(out, /\d+ failures?[, ]/, out);
      assert.doesNotMatch(server.output(), /server fault/, server.output());
    } finally {
      await server.stop();
    }
  },
});
