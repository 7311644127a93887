import assert from "node:assert/strict";
import { editDistance, similarNames } from "./_suggest.ts";

const NAMES = [
  "docs:processor",
  "docs:scrubber-c",
  "docs:scrubber-py",
  "docs:logger-js",
  "acme:greeter",
  "acme:http-router",
];

Deno.test("edit distance counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("processor", "procesor"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abcdef", "uvwxyz", 2), 3);
});

Deno.test("similar names: typos, another namespace, a part of the name, case", () => {
  assert.equal(similarNames("docs:procesor", NAMES)[0], "docs:processor");
  assert.equal(similarNames("acme:processor", NAMES)[0], "docs:processor");
  assert.deepEqual(similarNames("docs:scrubber", NAMES).slice(0, 2), [
    "docs:scrubber-c",
    "docs:scrubber-py",
  ]);
  assert.equal(similarNames("Docs:Processor", NAMES)[0], "docs:processor");
  assert.equal(similarNames("greeter", NAMES)[0], "acme:greeter");
  assert.equal(similarNames("docs:processor@9.9.9", NAMES)[0], "docs:processor");
  assert.deepEqual(similarNames("zzzzzz:qqqqqq", NAMES), []);
  assert.deepEqual(similarNames("", NAMES), []);
  assert.equal(similarNames("docs:x", NAMES, 2).length <= 2, true);
});
