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
  const r = checkVersions(v("0.2.0"), v("0.2.3"), report("minor"));
  assert.equal(r.allowed, false);
  assert.equal(r.message, "0.2.0 → 0.2.3 is a patch bump but the changes need minor");
  const ok = checkVersions(v("1.2.0"), v("1.3.0"), report("minor"));
  assert.equal(ok.allowed, true);
  assert.equal(ok.message, "1.2.0 → 1.3.0 is a minor bump, enough for changes that need minor");
  assert.equal(checkVersions(v("3.0.0"), v("4.0.0"), report("major")).allowed, true);
  assert.equal(checkVersions(v("3.0.0"), v("3.1.0"), report("major")).allowed, false);
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
