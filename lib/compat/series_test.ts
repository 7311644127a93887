import assert from "node:assert/strict";
import { parseVersion, type Version } from "../names/mod.ts";
import {
  bumpBetween,
  checkVersions,
  type CompatReport,
  seriesCheckPairs,
  seriesCheckTargets,
} from "./mod.ts";

const v = (s: string): Version => parseVersion(s);
const vs = (...s: string[]): Version[] => s.map(v);

const PUBLISHED = vs(
  "0.0.1",
  "0.0.2",
  "0.1.0",
  "0.2.0",
  "0.2.1",
  "0.2.2-rc.1",
  "0.3.0",
  "1.0.0",
  "1.2.0",
  "1.4.0",
  "2.0.0",
);

Deno.test("a 1.x release is checked against the earlier 1.x releases", () => {
  assert.deepEqual(seriesCheckTargets(v("1.3.0"), PUBLISHED), vs("1.0.0", "1.2.0"));
});

Deno.test("a 0.Y.Z release is checked against the earlier 0.Y releases, pre-releases left out", () => {
  assert.deepEqual(seriesCheckTargets(v("0.2.3"), PUBLISHED), vs("0.2.0", "0.2.1"));
});

Deno.test("a new series (2.0.0, 0.4.0, any 0.0.Z) is checked against nothing", () => {
  assert.deepEqual(seriesCheckTargets(v("3.0.0"), PUBLISHED), []);
  assert.deepEqual(seriesCheckTargets(v("0.4.0"), PUBLISHED), []);
  assert.deepEqual(seriesCheckTargets(v("0.0.3"), PUBLISHED), []);
});

Deno.test("a pre-release is checked against nothing", () => {
  assert.deepEqual(seriesCheckTargets(v("1.5.0-rc.1"), PUBLISHED), []);
  assert.deepEqual(seriesCheckPairs(v("1.5.0-rc.1"), PUBLISHED), []);
});

Deno.test("a backport is checked against the later releases of its series too", () => {
  assert.deepEqual(seriesCheckPairs(v("1.3.0"), PUBLISHED), [
    { old: v("1.0.0"), new: v("1.3.0") },
    { old: v("1.2.0"), new: v("1.3.0") },
    { old: v("1.3.0"), new: v("1.4.0") },
  ]);
});

Deno.test("bumpBetween names the step two versions make", () => {
  const table: [string, string, string][] = [
    ["1.2.3", "1.2.3", "same"],
    ["1.2.3", "1.2.4", "patch"],
    ["1.2.3", "1.3.0", "minor"],
    ["1.2.3", "2.0.0", "major"],
    ["0.2.0", "0.2.3", "patch"],
    ["0.2.3", "0.3.0", "major"],
    ["0.0.1", "0.0.2", "major"],
    ["0.9.0", "1.0.0", "major"],
    ["1.0.0-rc.1", "1.0.0", "major"],
    ["1.2.0", "1.1.9", "downgrade"],
  ];
  for (const [a, b, want] of table) assert.equal(bumpBetween(v(a), v(b)), want, `${a} → ${b}`);
});

const report = (bump: "patch" | "minor" | "major", n = 1): CompatReport => ({
  compatible: bump !== "major",
  bump,
  changes: Array.from({ length: n }, () => ({
    path: "a:b/i.f",
    kind: "added-function" as const,
    breaking: bump === "major",
    bump,
  })),
});

Deno.test("checkVersions says when the declared bump is too small", () => {
  const ok = checkVersions(v("1.2.0"), v("1.3.0"), report("minor"));
  assert.equal(ok.allowed, true);
  assert.equal(ok.message, "1.2.0 → 1.3.0 is a minor bump, enough: additions need a minor bump");
  const small = checkVersions(v("1.2.0"), v("1.2.1"), report("minor"));
  assert.equal(small.allowed, false);
  assert.equal(
    small.message,
    "1.2.0 → 1.2.1 is a patch bump but additions need a minor bump (1.3.0)",
  );
  assert.equal(checkVersions(v("3.0.0"), v("4.0.0"), report("major")).allowed, true);
  const breaking = checkVersions(v("3.0.0"), v("3.1.0"), report("major"));
  assert.equal(breaking.allowed, false);
  assert.equal(
    breaking.message,
    "3.0.0 → 3.1.0 is a minor bump but breaking changes need a major bump (4.0.0)",
  );
});

Deno.test("checkVersions follows the 0.Y series rules of the gate: additions are a patch step", () => {
  // WASI 0.2.0 → 0.2.3 adds functions and types: a patch release of the 0.2 series.
  const wasi = checkVersions(v("0.2.0"), v("0.2.3"), report("minor"));
  assert.equal(wasi.allowed, true);
  assert.deepEqual(
    { part: wasi.step.part, next: wasi.step.next, series: wasi.step.series },
    { part: "patch", next: "0.2.1", series: "0.2" },
  );
  assert.equal(
    wasi.message,
    "0.2.0 → 0.2.3 is a patch bump, enough: additions need a patch bump in a 0.2 series",
  );
  const over = checkVersions(v("0.2.0"), v("0.3.0"), report("minor"));
  assert.equal(over.allowed, true);
  assert.equal(
    over.message,
    "0.2.0 → 0.3.0 is a minor bump (a new series), enough: additions need a patch bump in a 0.2 series",
  );
  const breaking = checkVersions(v("0.2.0"), v("0.2.3"), report("major"));
  assert.equal(breaking.allowed, false);
  assert.equal(
    breaking.message,
    "0.2.0 → 0.2.3 is a patch bump but breaking changes need the next minor in a 0.2 series (0.3.0)",
  );
  const next = checkVersions(v("0.2.3"), v("0.3.0"), report("major"));
  assert.equal(next.allowed, true);
  assert.equal(next.step.part, "minor");
  // In 0.0.Z every release is a series of its own.
  const tiny = checkVersions(v("0.0.1"), v("0.0.2"), report("major"));
  assert.equal(tiny.allowed, true);
  assert.equal(tiny.step.next, "0.0.2");
});

Deno.test("checkVersions agrees with the gate on breaking changes and on 0.Y series", () => {
  // The gate (seriesCheckPairs + compatible) accepts a release when it is compatible with the
  // earlier releases of its series, or starts a new series.
  const cases: [string, string, "patch" | "minor" | "major"][] = [
    ["0.2.0", "0.2.3", "minor"],
    ["0.2.0", "0.2.1", "patch"],
    ["0.2.0", "0.2.1", "major"],
    ["0.2.0", "0.3.0", "major"],
    ["1.0.0", "1.0.1", "major"],
    ["1.0.0", "2.0.0", "major"],
    ["0.0.3", "0.0.4", "major"],
  ];
  for (const [a, b, bump] of cases) {
    const sameSeriesPair = seriesCheckPairs(v(b), [v(a)]).length > 0;
    const gateAccepts = !sameSeriesPair || bump !== "major";
    assert.equal(checkVersions(v(a), v(b), report(bump)).allowed, gateAccepts, `${a} → ${b}`);
  }
});

Deno.test("checkVersions reports the same version with different content", () => {
  const r = checkVersions(v("0.1.0"), v("0.1.0"), report("patch", 2));
  assert.equal(r.sameVersionChanged, true);
  assert.equal(r.allowed, false);
  assert.match(r.message, /both sides are version 0\.1\.0 but their content differs \(2 changes\)/);
  const same = checkVersions(v("0.1.0"), v("0.1.0"), {
    compatible: true,
    bump: "patch",
    changes: [],
  });
  assert.equal(same.sameVersionChanged, false);
  assert.equal(same.allowed, true);
});
