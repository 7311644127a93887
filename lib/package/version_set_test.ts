import assert from "node:assert/strict";
import { VersionSet } from "./_version_set.ts";

Deno.test("VersionSet operations agree with sets of indices across word boundaries", () => {
  for (const size of [1, 29, 30, 31, 50, 61, 90, 200]) {
    const a = VersionSet.of(size, (i) => i % 3 === 0);
    const b = VersionSet.span(size, Math.floor(size / 4), size - 1);
    const ai = new Set(a.indices()), bi = new Set(b.indices());
    const all = [...Array(size).keys()];
    assert.deepEqual(a.intersect(b).indices(), all.filter((i) => ai.has(i) && bi.has(i)));
    assert.deepEqual(a.union(b).indices(), all.filter((i) => ai.has(i) || bi.has(i)));
    assert.deepEqual(a.minus(b).indices(), all.filter((i) => ai.has(i) && !bi.has(i)));
    assert.deepEqual(a.complement().indices(), all.filter((i) => !ai.has(i)));
    assert.equal(a.count(), ai.size);
    assert.equal(VersionSet.full(size).count(), size);
    assert.ok(VersionSet.full(size).isFull() && VersionSet.empty(size).isEmpty());
    assert.ok(VersionSet.full(size).complement().isEmpty());
    assert.equal(b.last(), size - 1);
    assert.equal(VersionSet.empty(size).last(), -1);
    assert.ok(a.intersect(b).isSubsetOf(a) && a.minus(b).isDisjointFrom(b));
    assert.ok(a.union(b).equals(b.union(a)) && a.key() === a.intersect(a).key());
  }
});
