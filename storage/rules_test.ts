import assert from "node:assert/strict";
import { parseVersion } from "../lib/names/mod.ts";
import { formatTarget, seriesKey, textRank, textTerms, versionMatches } from "./_rules.ts";
import { formatSearchTarget, hashTokenSecret, newTokenSecret, parseSearchTarget } from "./mod.ts";

const V = parseVersion;

Deno.test("search targets split interface, world and package names with their versions", () => {
  assert.deepEqual(parseSearchTarget("wasi:http/incoming-handler@0.2.0"), {
    namespace: "wasi",
    package: "http",
    name: "incoming-handler",
    version: "0.2.0",
  });
  assert.deepEqual(parseSearchTarget("docs:processor"), {
    namespace: "docs",
    package: "processor",
    name: null,
    version: null,
  });
  assert.equal(parseSearchTarget("wasi:http@0.2"), undefined);
  assert.equal(parseSearchTarget("run"), undefined);
  assert.equal(parseSearchTarget("../x:y"), undefined);
  for (const text of ["wasi:http/incoming-handler@0.2.0", "wasi:cli@0.2.0-rc.1", "a:b/c", "a:b"]) {
    assert.equal(formatSearchTarget(parseSearchTarget(text)!), text);
    assert.equal(formatTarget(parseSearchTarget(text)!), text);
  }
});

Deno.test("version matching: providers fill equal or newer wants in one series, requirers the reverse", () => {
  const table: [string, string, string, boolean][] = [
    // relation, row version, wanted version, matches
    ["exports", "0.2.3", "0.2.1", true],
    ["exports", "0.2.0", "0.2.1", false],
    ["exports", "0.3.0", "0.2.1", false],
    ["exports", "1.4.0", "1.0.0", true],
    ["exports", "2.0.0", "1.9.0", false],
    ["exports", "0.0.2", "0.0.1", false],
    ["exports", "1.0.0-rc.1", "1.0.0-rc.1", true],
    ["exports", "1.0.0", "1.0.0-rc.1", false],
    ["imports", "0.2.0", "0.2.5", true],
    ["imports", "0.2.5", "0.2.0", false],
    ["depends-on", "1.0.0", "1.3.0", true],
  ];
  for (const [rel, row, wanted, want] of table) {
    assert.equal(
      versionMatches(rel as "exports", V(row), V(wanted)),
      want,
      `${rel} ${row} for ${wanted}`,
    );
  }
  assert.equal(versionMatches("exports", null, V("1.0.0")), false);
  assert.equal(versionMatches("exports", null, undefined), true);
  assert.equal(versionMatches("exports", V("1.2.0"), V("1.0.0"), true), false);
  assert.equal(seriesKey(V("0.2.3")), "0.2");
  assert.equal(seriesKey(null), "");
});

Deno.test("text queries are lowercase distinct words, and an exact name ranks first", () => {
  assert.deepEqual(textTerms("  Docs  processor docs "), ["docs", "processor"]);
  assert.deepEqual(textTerms(""), []);
  assert.throws(() => textTerms(Array.from({ length: 33 }, (_, i) => `w${i}`).join(" ")));
  assert.equal(textRank("docs:processor", ["processor"]), 0);
  assert.equal(textRank("docs:processor", ["docs:processor"]), 0);
  assert.equal(textRank("docs:processor", ["proc"]), 1);
  assert.equal(textRank("docs:processor", ["documents"]), 2);
});

Deno.test("token secrets are 256 random bits and hash to a fixed sha256 form", () => {
  const a = newTokenSecret();
  const b = newTokenSecret();
  assert.match(a, /^wreg_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.equal(
    hashTokenSecret("wreg_test"),
    // the same as `printf wreg_test | sha256sum`
    "sha256:d14ccd62644384b728f60f245114b9040a4eefe98a1d33c87711bc5d54f6a7b6",
  );
  assert.equal(hashTokenSecret(a), hashTokenSecret(a));
  assert.throws(() => hashTokenSecret(""));
});
