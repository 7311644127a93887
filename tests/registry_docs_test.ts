/** docs/api.md names every route of the routing table and every error code of the error table. */
import assert from "node:assert/strict";
import { REGISTRY_ERRORS, ROUTES } from "../registry/mod.ts";
import { ROOT } from "./registry_support.ts";

const doc = await Deno.readTextFile(`${ROOT}/docs/api.md`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

Deno.test("docs/api.md lists every route with its method", () => {
  for (const r of ROUTES) {
    const path = r.path.replace(/:([a-z]+)/g, "{$1}");
    const row = new RegExp(`^\\| \`${r.method}\`\\s*\\| \`${escape(path)}\`\\s*\\|`, "m");
    assert.match(doc, row, `${r.method} ${path} is not in docs/api.md`);
  }
  const rows = [...doc.matchAll(/^\| `(GET|PUT|POST|PATCH|DELETE)`\s*\| `([^`]+)`\s*\|/gm)];
  assert.equal(rows.length, ROUTES.length, "docs/api.md lists a route the table does not have");
});

Deno.test("docs/api.md lists every error code with its status", () => {
  for (const [code, { status }] of Object.entries(REGISTRY_ERRORS)) {
    const row = new RegExp(`^\\| \`${escape(code)}\`\\s*\\| ${status}\\s*\\|`, "m");
    assert.match(doc, row, `${code} (${status}) is not in docs/api.md`);
  }
});
