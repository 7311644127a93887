import assert from "node:assert/strict";
import { editDistance, similarNames, SUGGESTION_WORK } from "./_suggest.ts";

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

Deno.test("similar names do bounded work on hostile input (issue 17 #4)", () => {
  // A 20,000-character name beside 1,000 similar long names used to cost 20,000² cells each.
  const long = "a".repeat(20_000);
  const candidates = Array.from({ length: 1_000 }, (_, i) => `docs:${long}${i}`);
  const work = { cells: 0 };
  assert.deepEqual(similarNames(`docs:${long}x`, candidates, 5, work), []);
  assert.ok(work.cells <= SUGGESTION_WORK, `${work.cells} cells`);
  // Many ordinary candidates: the work stays under the same bound, and near names still come.
  const many = Array.from({ length: 5_000 }, (_, i) => `ns${i}:package-name-${i}`);
  const work2 = { cells: 0 };
  similarNames("ns1:package-name-x", many, 5, work2);
  assert.ok(work2.cells <= SUGGESTION_WORK, `${work2.cells} cells`);
  const work3 = { cells: 0 };
  assert.equal(similarNames("docs:procesor", NAMES, 5, work3)[0], "docs:processor");
  assert.ok(work3.cells > 0);
  // The banded distance agrees with the full one within its bound.
  assert.equal(editDistance("a".repeat(5000), "a".repeat(4999) + "b", 3), 1);
  assert.equal(editDistance("a".repeat(5000), "b".repeat(5000), 3), 4);
});

Deno.test("the banded edit distance equals the full one, or says it is over the bound", () => {
  const naive = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        d[i][j] = Math.min(
          d[i - 1][j] + 1,
          d[i][j - 1] + 1,
          d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
    }
    return d[a.length][b.length];
  };
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const word = () => Array.from({ length: rand(12) }, () => "abc-"[rand(4)]).join("");
  for (let k = 0; k < 2000; k++) {
    const a = word();
    const b = word();
    const max = rand(6);
    const full = naive(a, b);
    assert.equal(editDistance(a, b), full, `${a} ${b}`);
    assert.equal(editDistance(a, b, max), full > max ? max + 1 : full, `${a} ${b} ${max}`);
  }
});
