import assert from "node:assert/strict";
import { checkVersion, compareSemver } from "./_semver.ts";

Deno.test("valid semver versions pass, with pre-release and build parts", () => {
  for (const v of ["0.0.0", "1.2.3", "1.0.0-rc-2023-10-18", "1.0.1-a.1+b.01", "1.0.1--"]) {
    assert.equal(checkVersion(v), undefined, v);
  }
});

Deno.test("invalid versions get the semver crate's messages", () => {
  assert.equal(checkVersion("01.0.0"), "invalid leading zero in major version number");
  assert.equal(checkVersion("1.0.0-01"), "invalid leading zero in pre-release identifier");
  assert.equal(checkVersion("1.0.0-a..b"), "empty identifier segment in pre-release identifier");
  assert.equal(checkVersion("1.0.0+a_b"), 'unexpected character "_" while parsing build metadata');
  assert.equal(
    checkVersion("99999999999999999999.0.0"),
    "value of major version number exceeds u64::MAX",
  );
});

Deno.test("versions order as Rust's semver orders them", () => {
  const sorted = [
    "1.0.1",
    "1.0.0-11-a",
    "1.0.0",
    "1.0.1-a+a",
    "1.0.0-a1.1-a",
    "1.0.1--",
    "1.0.0-11ab",
    "1.0.1-1+1",
    "1.0.1-1a+1a",
    "0.10.0",
    "0.9.0",
  ].sort(compareSemver);
  assert.deepEqual(sorted, [
    "0.9.0",
    "0.10.0",
    "1.0.0-11-a",
    "1.0.0-11ab",
    "1.0.0-a1.1-a",
    "1.0.0",
    "1.0.1-1+1",
    "1.0.1--",
    "1.0.1-1a+1a",
    "1.0.1-a+a",
    "1.0.1",
  ]);
});
