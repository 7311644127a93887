import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareVersions,
  parseRange,
  parseVersion,
  rangeMatcher,
  satisfies,
  VersionTable,
} from "./mod.ts";

const versions = ["0.9.0", "1.0.0", "1.2.0", "1.3.0-rc.1", "1.9.9", "2.0.0-beta", "2.0.0"].map(
  parseVersion,
);

Deno.test("rangeMatcher() agrees with satisfies() by default", () => {
  for (const text of ["^1.2", "~1.2.0", "*", ">=1.0.0 <2.0.0", "1.x || 2.0.0", "^1.3.0-rc.0"]) {
    const range = parseRange(text);
    const test = rangeMatcher(range);
    for (const v of versions) assert.equal(test(v), satisfies(v, range), `${v} in ${text}`);
  }
});

Deno.test("rangeMatcher() lets pre-releases match by their tuple when asked", () => {
  const test = rangeMatcher(parseRange("^1.2"), { includePrerelease: true });
  assert.equal(test(parseVersion("1.3.0-rc.1")), true);
  assert.equal(test(parseVersion("2.0.0-beta")), false);
  assert.equal(rangeMatcher(parseRange("^1.2"))(parseVersion("1.3.0-rc.1")), false);
});

Deno.test("VersionTable sorts its versions once and matches ranges like satisfies()", () => {
  const table = new VersionTable([...versions].reverse());
  assert.deepEqual(table.versions, [...versions].sort((a, b) => compareVersions(a, b)));
  for (const text of ["^1.2", "*", "^1.3.0-rc.0", ">=1.0.0 <2.0.0"]) {
    const range = parseRange(text);
    assert.deepEqual(table.matches(range), table.versions.map((v) => satisfies(v, range)), text);
  }
  assert.deepEqual(
    table.matches(parseRange("^1.2"), { includePrerelease: true }),
    table.versions.map((v) => rangeMatcher(parseRange("^1.2"), { includePrerelease: true })(v)),
  );
});

Deno.test("VersionTable.matches() agrees with satisfies() on random versions and ranges", () => {
  const part = fc.integer({ min: 0, max: 3 });
  const pre = fc.option(fc.constantFrom("rc.1", "alpha", "0", "beta.2"), { nil: undefined });
  const version = fc.tuple(part, part, part, pre).map(([a, b, c, p]) =>
    parseVersion(`${a}.${b}.${c}${p ? `-${p}` : ""}`)
  );
  const op = fc.constantFrom("", "^", "~", ">=", "<", ">", "<=", "=");
  const comparator = fc.tuple(op, version).map(([o, v]) => `${o}${v}`);
  const partial = fc.tuple(fc.constantFrom("^", "~", ""), part, fc.option(part)).map((
    [o, a, b],
  ) => `${o}${a}${b === null ? "" : `.${b}`}`);
  const rangeText = fc.oneof(
    comparator,
    partial,
    fc.tuple(comparator, comparator).map(([a, b]) => `${a} ${b}`),
    fc.tuple(comparator, partial).map(([a, b]) => `${a} || ${b}`),
    fc.constantFrom("*", "1.x", "1.2.x", "1.0.0 - 2.1.0"),
  );
  fc.assert(
    fc.property(fc.array(version, { maxLength: 12 }), rangeText, fc.boolean(), (vs, text, pre) => {
      const range = parseRange(text);
      const table = new VersionTable(vs);
      const test = rangeMatcher(range, { includePrerelease: pre });
      assert.deepEqual(
        table.matches(range, { includePrerelease: pre }),
        table.versions.map((v) => test(v)),
        text,
      );
      for (let i = 1; i < table.versions.length; i++) {
        assert.ok(compareVersions(table.versions[i - 1], table.versions[i]) < 0);
      }
    }),
    { numRuns: 2000 },
  );
});
