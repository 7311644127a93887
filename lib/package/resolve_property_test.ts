import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRange, parseVersion, rangeMatcher, type Version } from "../names/mod.ts";
import {
  type ListedVersion,
  type MemoryIndex,
  memorySource,
  type PackageSource,
  ResolutionError,
  resolve,
  type ResolveOptions,
} from "./mod.ts";

const NAMES = ["p:a", "p:b", "p:c", "p:d", "p:e"];
const VERSIONS = ["0.1.0", "0.2.0", "1.0.0", "1.1.0", "1.2.0-rc.1", "1.2.0", "2.0.0", "2.1.0"];
const RANGES = [
  "^0.1",
  "^1",
  "^1.1",
  "~1.0",
  "^2",
  "*",
  ">=1.1.0",
  "<2.0.0",
  "1.0.0",
  "^1.2.0-rc.0",
  ">=0.2.0 <2.0.0",
  "^1 || ^2",
  "^3",
];

interface Case {
  index: Record<string, Record<string, { yanked: boolean; dependencies: Record<string, string> }>>;
  requirements: Record<string, string>;
  locked: Record<string, string>;
  prerelease: string[];
  yanked: string[];
}

const arbCase: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 5 }).chain((n) => {
  const names = NAMES.slice(0, n);
  // Dependencies may name a package that does not exist.
  const depName = fc.oneof(
    { arbitrary: fc.constantFrom(...names), weight: 12 },
    { arbitrary: fc.constant("p:missing"), weight: 1 },
  );
  const deps = fc.dictionary(depName, fc.constantFrom(...RANGES), { maxKeys: 2 });
  const yanked = fc.oneof(
    { arbitrary: fc.constant(false), weight: 6 },
    { arbitrary: fc.constant(true), weight: 1 },
  );
  const version = fc.record({ yanked, dependencies: deps });
  const pkg = fc.dictionary(fc.constantFrom(...VERSIONS), version, { minKeys: 1, maxKeys: 5 });
  return fc.record({
    index: fc.record(Object.fromEntries(names.map((name) => [name, pkg]))),
    requirements: fc.dictionary(fc.constantFrom(...names), fc.constantFrom(...RANGES), {
      minKeys: 1,
      maxKeys: 2,
    }),
    locked: fc.dictionary(fc.constantFrom(...names), fc.constantFrom(...VERSIONS), { maxKeys: 3 }),
    prerelease: fc.subarray(names, { maxLength: 2 }),
    yanked: fc.subarray(names, { maxLength: 1 }),
  });
});

/** The resolver's rule for a version in a range, written independently from its bitsets. */
function allows(c: Case, name: string, v: string, range: string): boolean {
  const loose = rangeMatcher(parseRange(range), { includePrerelease: true });
  const strict = rangeMatcher(parseRange(range), {
    includePrerelease: c.prerelease.includes(name),
  });
  return strict(v as Version) || (c.locked[name] === v && loose(v as Version));
}

/** Versions that may be chosen at all: yanked ones only when locked or allowed. */
function usable(c: Case, name: string): string[] {
  return Object.entries(c.index[name] ?? {})
    .filter(([v, info]) => !info.yanked || c.locked[name] === v || c.yanked.includes(name))
    .map(([v]) => v);
}

/** Whether choosing `chosen` (name → version) meets every requirement of the case. */
function valid(c: Case, chosen: Map<string, string>): boolean {
  const meets = (name: string, range: string) => {
    const v = chosen.get(name);
    return v !== undefined && allows(c, name, v, range);
  };
  for (const [name, range] of Object.entries(c.requirements)) if (!meets(name, range)) return false;
  for (const [name, v] of chosen) {
    for (const [dep, range] of Object.entries(c.index[name][v].dependencies)) {
      if (!meets(dep, range)) return false;
    }
  }
  return true;
}

/** Tries every combination of (absent or a usable version) per package. */
function exhaustiveHasSolution(c: Case): boolean {
  const names = Object.keys(c.index).sort();
  const chosen = new Map<string, string>();
  const go = (i: number): boolean => {
    if (i === names.length) return valid(c, chosen);
    if (go(i + 1)) return true;
    for (const v of usable(c, names[i])) {
      chosen.set(names[i], v);
      if (go(i + 1)) return true;
      chosen.delete(names[i]);
    }
    return false;
  };
  return go(0);
}

function options(c: Case): Omit<ResolveOptions, "source"> {
  return {
    requirements: Object.fromEntries(
      Object.entries(c.requirements).map(([k, v]) => [k, parseRange(v)]),
    ),
    locked: Object.fromEntries(Object.entries(c.locked).map(([k, v]) => [k, parseVersion(v)])),
    prerelease: c.prerelease,
    yanked: c.yanked,
  };
}

function reversedSource(index: MemoryIndex): PackageSource {
  const inner = memorySource(index);
  return {
    versions: (name) => {
      const list = inner.versions(name) as readonly ListedVersion[] | undefined;
      return list && [...list].reverse().map((e) => ({
        ...e,
        dependencies: Object.fromEntries(Object.entries(e.dependencies ?? {}).reverse()),
      }));
    },
  };
}

async function run(c: Case, source: PackageSource): Promise<Map<string, string> | ResolutionError> {
  try {
    const r = await resolve({ ...options(c), source });
    return new Map(r.packages.map((p) => [p.name, p.version]));
  } catch (e) {
    if (e instanceof ResolutionError) return e;
    throw e;
  }
}

Deno.test("resolve() on random graphs: a solution meets every range, uses only allowed versions, and selects only what is required; no solution means none exists", async () => {
  let solved = 0, failed = 0;
  await fc.assert(
    fc.asyncProperty(arbCase, async (c) => {
      const result = await run(c, memorySource(c.index));
      if (result instanceof ResolutionError) {
        failed++;
        assert.equal(exhaustiveHasSolution(c), false, `resolver failed:\n${result.message}`);
        assert.ok(result.message.length > 0 && !result.message.includes("undefined"));
      } else {
        solved++;
        assert.ok(valid(c, result), "the solution breaks a requirement");
        for (const [name, v] of result) {
          assert.ok(usable(c, name).includes(v), `${name}@${v} is yanked and not allowed`);
        }
        // Nothing extra: every selected package is required by the project or a selected one.
        const required = new Set(Object.keys(c.requirements));
        for (const [name, v] of result) {
          for (const dep of Object.keys(c.index[name][v].dependencies)) required.add(dep);
        }
        for (const name of result.keys()) assert.ok(required.has(name), `${name} is not required`);
      }
      // The order of the source's lists does not change the outcome.
      const again = await run(c, reversedSource(c.index));
      if (result instanceof ResolutionError) {
        assert.ok(again instanceof ResolutionError);
        assert.equal(again.message, result.message);
      } else assert.deepEqual(again, result);
    }),
    { numRuns: 1000, seed: 20250611 },
  );
  // The generator must exercise both outcomes.
  assert.ok(solved > 200 && failed > 200, `solved ${solved}, failed ${failed}`);
});
