import assert from "node:assert/strict";
import fc from "fast-check";
import { diffLines, hunks, MAX_DIFF_CELLS } from "./_line_diff.ts";

const kinds = (a: string, b: string) =>
  diffLines(a, b)!.map((l) => `${l.kind[0]}${l.text}`).join(" ");

Deno.test("a line diff marks added, removed and unchanged lines with their numbers", () => {
  assert.equal(kinds("a\nb\nc", "a\nb\nc"), "sa sb sc");
  assert.equal(kinds("a\nb\nc", "a\nc"), "sa db sc");
  assert.equal(kinds("a\nc", "a\nb\nc"), "sa ab sc");
  assert.equal(kinds("a\nb\nc", "a\nx\nc"), "sa db ax sc");
  const d = diffLines("a\nb\nc", "a\nx\ny\nc")!;
  assert.deepEqual(d.map((l) => [l.oldLine, l.newLine]), [
    [1, 1],
    [2, undefined],
    [undefined, 2],
    [undefined, 3],
    [3, 4],
  ]);
});

Deno.test("applying a diff gives both texts back", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("a", "b", "c", "}", ""), { maxLength: 30 }),
      fc.array(fc.constantFrom("a", "b", "c", "}", ""), { maxLength: 30 }),
      (x, y) => {
        const a = x.join("\n");
        const b = y.join("\n");
        const d = diffLines(a, b)!;
        assert.equal(d.filter((l) => l.kind !== "add").map((l) => l.text).join("\n"), a);
        assert.equal(d.filter((l) => l.kind !== "del").map((l) => l.text).join("\n"), b);
      },
    ),
    { seed: 3, numRuns: 500 },
  );
});

Deno.test("a diff too large to compare is refused rather than computed slowly", () => {
  const n = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 10;
  const a = Array.from({ length: n }, (_, i) => `a${i}`).join("\n");
  const b = Array.from({ length: n }, (_, i) => `b${i}`).join("\n");
  assert.equal(diffLines(a, b), undefined);
  // A long text with a small change is fine: the common start and end are trimmed first.
  const long = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
  const changed = [...long];
  changed[25_000] = "changed";
  assert.equal(
    diffLines(long.join("\n"), changed.join("\n"))!.filter((l) => l.kind !== "same").length,
    2,
  );
});

Deno.test("hunks keep context around changes and fold the rest", () => {
  const a = Array.from({ length: 20 }, (_, i) => `l${i}`);
  const b = [...a];
  b[10] = "x";
  const h = hunks(diffLines(a.join("\n"), b.join("\n"))!, 2);
  assert.deepEqual(
    h.map((x) => (x.kind === "fold" ? `fold ${x.count}` : `lines ${x.lines.length}`)),
    [
      "fold 8",
      "lines 6",
      "fold 7",
    ],
  );
});
