/**
 * lib/names' own semver against npm semver 7 (what it replaces on the CLI's start path): the same
 * answers for versions, precedence, range validity and range membership, on generated input
 * built from the range grammar's pieces, and on a list of hand-picked cases.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import semver from "semver";
import { compareSemVer, parseSemVer, Range, tryRange } from "./_semver.ts";

const ID = fc.constantFrom("0", "1", "2", "10", "x", "X", "*", "01", "3", "99999999999999999");
const PRE = fc.constantFrom(
  "",
  "-0",
  "-rc.1",
  "-alpha",
  "-alpha.1",
  "-1.2",
  "-0a",
  "-x.y-z",
  "-01",
);
const BUILD = fc.constantFrom("", "", "+b", "+build.5", "+001", "+x-y");
const version = fc.tuple(
  fc.constantFrom("", "", "v", "=", "v=", " "),
  ID,
  fc.option(fc.tuple(ID, fc.option(ID, { nil: undefined })), { nil: undefined }),
  PRE,
  BUILD,
).map(([prefix, a, rest, pre, build]) =>
  `${prefix}${a}${
    rest === undefined ? "" : `.${rest[0]}${rest[1] === undefined ? "" : `.${rest[1]}`}`
  }${pre}${build}`
);
const OP = fc.constantFrom("", "", "^", "~", "~>", ">", ">=", "<", "<=", "=", "> ", "^ ", "~ ");
const comparator = fc.tuple(OP, version).map(([op, v]) => `${op}${v}`);
const set = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(comparator, { minLength: 1, maxLength: 3 }).map((c) => c.join(" ")),
  },
  { weight: 1, arbitrary: fc.tuple(version, version).map(([a, b]) => `${a} - ${b}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("*", "", "x", "latest", "^^1", "1.2.3 -", "- 1", ">=0.0.0"),
  },
);
const range = fc.array(set, { minLength: 1, maxLength: 3 }).chain((sets) =>
  fc.constantFrom(" || ", "||", " ||").map((sep) => sets.join(sep))
);
const SAMPLE_VERSIONS = [
  "0.0.0",
  "0.0.1",
  "0.1.0",
  "0.1.1",
  "0.2.0",
  "1.0.0-0",
  "1.0.0-rc.1",
  "1.0.0",
  "1.0.1",
  "1.2.0",
  "1.2.3-alpha",
  "1.2.3",
  "1.3.0",
  "2.0.0-rc.1",
  "2.0.0",
  "10.0.0",
  "3.0.0-alpha.1",
  "0.0.1-0",
  "1.2.3-1.2",
  "99999999999999999.0.0",
];

function npmRange(text: string, includePrerelease: boolean): semver.Range | undefined {
  try {
    return new semver.Range(text, { includePrerelease });
  } catch {
    return undefined;
  }
}

function agree(text: string): void {
  for (const includePrerelease of [false, true]) {
    const ours = tryRange(text, includePrerelease);
    const theirs = npmRange(text, includePrerelease);
    assert.equal(ours !== undefined, theirs !== undefined, `validity of ${JSON.stringify(text)}`);
    if (ours === undefined || theirs === undefined) continue;
    assert.equal(
      ours.set.map((s) => s.map((c) => c.value).join(" ")).join("||"),
      theirs.range,
      `the comparators of ${JSON.stringify(text)} (includePrerelease ${includePrerelease})`,
    );
    for (const v of SAMPLE_VERSIONS) {
      assert.equal(ours.test(v), theirs.test(v), `${v} in ${JSON.stringify(text)}`);
    }
  }
}

Deno.test("ranges: the same validity, comparators and membership as npm semver", () => {
  fc.assert(fc.property(range, (text) => agree(text)), { numRuns: 3000 });
});

Deno.test("ranges: hand-picked cases agree with npm semver", () => {
  const cases = [
    "^1.2.3",
    "^0.2.3",
    "^0.0.3",
    "^1.2",
    "^0.2",
    "^0",
    "^1.x",
    "^0.0.x",
    "^1.2.3-rc.1",
    "^0.0.3-beta",
    "~1.2.3",
    "~1.2",
    "~1",
    "~0.2.3-rc.1",
    "~>1.2",
    "1.2.3",
    "=1.2.3",
    "v1.2.3",
    "1.2",
    "1",
    "1.x",
    "1.2.x",
    "*",
    "",
    "x",
    "X.x.x",
    ">1",
    ">1.2",
    ">=1.2",
    "<1.2",
    "<=1.2",
    "<=1",
    ">x",
    "<x",
    ">=x",
    ">= 1.2.3",
    "> 1.2.3 < 2",
    "1.2.3 - 2.3.4",
    "1.2 - 2.3.4",
    "1.2.3 - 2.3",
    "1.2.3 - 2",
    "1.2.3-rc.1 - 2.0.0-rc.2",
    "* - 2",
    "1 - *",
    ">=1.2.3 <2.0.0",
    "<0.0.0-0",
    "<0.0.0-0 || ^1",
    "^1 || *",
    "^1 ||",
    "|| ^1",
    "1.2.3+build",
    "^1.2.3+build.5",
    ">=1.0.0+x <2",
    "^^1",
    "latest",
    "1.2.3.4",
    "01.2.3",
    "1.02.3",
    "x.1",
    "1.x.2",
    "~ 1.2",
    "^ 1.2",
    "  ^1.2  ",
    "^1.2\t||\n~2",
    ">=0.0.0",
    ">=0.0.0-0",
    ">= 0.0.0",
    "1.2.3-",
    "1.2.3-01",
    "1.2.3-0a",
    "^99999999999999999",
    "^9007199254740991",
    "v=1.2.3",
    "= 1.2.3",
    "<=1.x",
    ">1.x",
    ">1.2.x",
    "<1.2.x",
    "1.2.3 - 2.3.4 || >=5",
    "~1.2.3-beta.2 || ^2.0.0-rc",
  ];
  for (const c of cases) agree(c);
});

Deno.test("versions: the same parse and precedence as npm semver", () => {
  const versions = fc.tuple(
    fc.constantFrom("", "v", " ", "=v"),
    fc.constantFrom("0", "1", "01", "2", "10", "9007199254740991", "9007199254740992"),
    fc.constantFrom("0", "1", "2"),
    fc.constantFrom("0", "3", "x"),
    PRE,
    BUILD,
  ).map(([p, a, b, c, pre, build]) => `${p}${a}.${b}.${c}${pre}${build}`);
  fc.assert(
    fc.property(versions, versions, (a, b) => {
      const pa = parseSemVer(a), pb = parseSemVer(b);
      assert.equal(pa?.version, semver.parse(a)?.version ?? undefined, a);
      assert.deepEqual(pa?.build, semver.parse(a)?.build ?? undefined, a);
      if (pa !== undefined && pb !== undefined) {
        assert.equal(compareSemVer(pa, pb), semver.compare(a, b), `${a} vs ${b}`);
      }
    }),
    { numRuns: 3000 },
  );
  assert.equal(parseSemVer("1.2.3-" + "a".repeat(300)), undefined);
  assert.equal(semver.parse("1.2.3-" + "a".repeat(300)), null);
});

Deno.test("a range longer than the limit is refused", () => {
  assert.equal(tryRange("^1.2.3 ".repeat(1000)), undefined);
  assert.ok(new Range("^1.2.3 ".repeat(100)).test("1.5.0"));
});
