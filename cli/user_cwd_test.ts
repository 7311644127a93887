import assert from "node:assert/strict";
import { userCwd } from "./main.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("userCwd() takes INIT_CWD when deno task runs wreg in its own checkout", () => {
  assert.equal(userCwd(root, { INIT_CWD: "/home/me/project" }), "/home/me/project");
  assert.equal(userCwd(`${root}/`, { INIT_CWD: "/home/me/project" }), "/home/me/project");
});

Deno.test("userCwd() keeps the working folder anywhere else or without INIT_CWD", () => {
  assert.equal(userCwd("/tmp/project", { INIT_CWD: root }), "/tmp/project");
  assert.equal(userCwd(root, {}), root);
});
