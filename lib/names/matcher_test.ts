import assert from "node:assert/strict";
import { parseRange, parseVersion, rangeMatcher, satisfies } from "./mod.ts";

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
