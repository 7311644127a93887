/**
 * Issue 17, the registry's side: each defect an attacker found, reproduced in-process against
 * the fetch handler (memory storage unless the storage's own rule is what is tested). Defects that
 * need a real socket or a process limit live in tests/registry_server_limits_test.ts.
 */
import assert from "node:assert/strict";
import { createApp } from "../registry/mod.ts";
import { openMemoryStorage, type Storage } from "../storage/mod.ts";
import { Client, PROCESSOR_WIT, processorAt, witPackage } from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";

function app(storage: Storage = openMemoryStorage()) {
  return { client: new Client(createApp({ storage, adminToken: ADMIN })), storage };
}

Deno.test("a publish or yank token of an owner cannot change the namespace's members (issue 17 #3)", async () => {
  const { client: c } = app();
  const alice = await c.token(ADMIN, "alice", ["publish", "yank"]);
  assert.equal(
    (await c.publish(alice, "docs:processor", "0.1.0", witPackage(PROCESSOR_WIT))).status,
    201,
  );
  for (const scopes of [["publish"], ["yank"], ["publish", "yank"]]) {
    const t = await c.token(ADMIN, "alice", scopes);
    const add = await c.call("PUT", "/api/v1/namespaces/docs/members/mallory", {
      token: t,
      json: { role: "owner" },
    });
    assert.equal(add.status, 403, `${scopes}: ${add.text}`);
    assert.equal(add.json.code, "missing-scope");
    assert.match(add.json.message, /"owners"/);
    const remove = await c.call("DELETE", "/api/v1/namespaces/docs/members/alice", { token: t });
    assert.equal(remove.status, 403, `${scopes}: ${remove.text}`);
    assert.equal(remove.json.code, "missing-scope");
  }
  const ns = await c.call("GET", "/api/v1/namespaces/docs");
  assert.deepEqual(ns.json.members.map((m: { user: string }) => m.user), ["alice"]);

  // The owners scope (of an owner) and an admin token can.
  const owners = await c.token(ADMIN, "alice", ["owners"]);
  const added = await c.call("PUT", "/api/v1/namespaces/docs/members/bob", {
    token: owners,
    json: { role: "owner" },
  });
  assert.equal(added.status, 200, added.text);
  // ... but an owners token of someone who is not an owner cannot.
  const carol = await c.token(ADMIN, "carol", ["owners"]);
  const notOwner = await c.call("DELETE", "/api/v1/namespaces/docs/members/bob", { token: carol });
  assert.equal(notOwner.status, 403);
  assert.equal(notOwner.json.code, "not-owner");
  const byAdmin = await c.call("DELETE", "/api/v1/namespaces/docs/members/bob", { token: ADMIN });
  assert.equal(byAdmin.status, 200, byAdmin.text);
  // An owners token cannot publish.
  const publish = await c.publish(
    owners,
    "docs:processor",
    "0.1.1",
    witPackage(processorAt("0.1.1")),
  );
  assert.equal(publish.status, 403);
  assert.equal(publish.json.code, "missing-scope");
});
