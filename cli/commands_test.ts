import assert from "node:assert/strict";
import { COMMANDS } from "./commands.ts";

Deno.test("each command table entry loads the command of its name, with the summary it lists", async () => {
  const names = new Set<string>();
  for (const entry of COMMANDS) {
    assert.ok(!names.has(entry.name), `${entry.name} listed twice`);
    names.add(entry.name);
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, `the summary of ${entry.name}`);
  }
});
