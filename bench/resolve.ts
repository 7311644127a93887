/**
 * Resolving a generated registry of 1,000 packages × 50 versions with wreg's PubGrub resolver
 * (lib/package), beside a naive resolver built on npm `semver.maxSatisfying` (the highest version
 * for each range as it is met, breadth first, no backtracking, no check that later ranges still
 * hold), in the same run.
 *
 * The graphs are deterministic (a seeded generator). Versions 1.0.0 … 5.9.0; each version depends
 * on 3–8 packages further down the list (within the next 120) with caret ranges `^M.m.0`. Within
 * a major, a package's dependencies are on the same major; for 22% of edges, the first minors still
 * require the major before (the package upgraded mid-way). 2% of versions are yanked. The project
 * requires 12 packages at `^5`, which reach about 960 packages.
 *
 * Two graphs:
 * - **consistent**: the newest versions fit together, so no backtracking is needed; the naive
 *   resolver's answer is right too.
 * - **regressions**: for 2% of edges, the newest minor of a major goes back to requiring the major
 *   before (a release that pins an old dependency). The highest versions conflict: PubGrub must
 *   backtrack; the naive resolver returns a selection that breaks hundreds of ranges.
 *
 * Usage: `deno run -A bench/resolve.ts [--runs N] [--json]`: markdown tables (ratio to the naive
 * resolver; > 1 means wreg is slower), or JSON.
 *
 * @module
 */
import semver from "semver";
import { summarize, table, type Timing } from "./_harness.ts";
import { parseRange, parseVersion, type VersionRange } from "../lib/names/mod.ts";
import {
  type ListedVersion,
  type PackageSource,
  type Resolution,
  ResolutionError,
  resolve,
} from "../lib/package/mod.ts";

const PACKAGES = 1000;
const MAJORS = 5;
const MINORS = 10;
const SEED = 0x5eed;

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RawVersion {
  version: string;
  yanked: boolean;
  dependencies: Record<string, string>;
}

interface Graph {
  index: Map<string, RawVersion[]>;
  root: Record<string, string>;
}

/** The generated registry; `regressions` is the share of edges whose newest minor goes back. */
function generate(regressions: number): Graph {
  const rand = prng(SEED);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const name = (i: number) => `bench:p${String(i).padStart(4, "0")}`;
  const index = new Map<string, RawVersion[]>();
  for (let i = 0; i < PACKAGES; i++) {
    const pool: number[] = [];
    for (let j = i + 1; j < Math.min(PACKAGES, i + 120); j++) pool.push(j);
    const fanout = Math.min(pool.length, int(3, 8));
    const deps: number[] = [];
    while (deps.length < fanout) deps.push(pool.splice(int(0, pool.length - 1), 1)[0]);
    // Per edge and major of the depender: the minor from which it requires the dependency's
    // same major (before it, the major before), and the minor from which it goes back.
    const upgradeAt = deps.map(() =>
      Array.from({ length: MAJORS + 1 }, () => rand() < 0.22 ? int(1, 5) : 0)
    );
    const regressAt = deps.map(() =>
      Array.from({ length: MAJORS + 1 }, () => rand() < regressions ? MINORS - 1 : MINORS)
    );
    const versions: RawVersion[] = [];
    for (let major = 1; major <= MAJORS; major++) {
      for (let minor = 0; minor < MINORS; minor++) {
        const dependencies: Record<string, string> = {};
        deps.forEach((j, k) => {
          const current = minor >= upgradeAt[k][major] && minor < regressAt[k][major];
          const m = Math.max(1, current ? major : major - 1);
          dependencies[name(j)] = `^${m}.${int(0, Math.min(minor, 5))}.0`;
        });
        versions.push({ version: `${major}.${minor}.0`, yanked: rand() < 0.02, dependencies });
      }
    }
    index.set(name(i), versions);
  }
  const root: Record<string, string> = {};
  for (let i = 0; i < 12; i++) root[name(i * 3)] = `^${MAJORS}`;
  return { index, root };
}

/** The registry as package documents give it: one listing per package, with dependencies. */
function sourceOf(index: Map<string, RawVersion[]>, async: boolean): PackageSource {
  const table = new Map<string, ListedVersion[]>();
  for (const [name, versions] of index) {
    table.set(
      name,
      versions.map((v) => ({
        version: parseVersion(v.version),
        yanked: v.yanked,
        dependencies: Object.fromEntries(
          Object.entries(v.dependencies).map(([d, r]) => [d, parseRange(r)]),
        ),
      })),
    );
  }
  return async
    ? { versions: (name) => Promise.resolve(table.get(name)) }
    : { versions: (name) => table.get(name) };
}

/** The peer: the highest version per range, first come first served, no backtracking. */
function naive(
  available: Map<string, string[]>,
  deps: Map<string, Record<string, string>>,
  root: Record<string, string>,
): Map<string, string> {
  const chosen = new Map<string, string>();
  const queue: [string, string][] = Object.entries(root);
  for (let k = 0; k < queue.length; k++) {
    const [name, range] = queue[k];
    if (chosen.has(name)) continue;
    const v = semver.maxSatisfying(available.get(name)!, range);
    if (v === null) continue;
    chosen.set(name, v);
    for (const entry of Object.entries(deps.get(`${name}@${v}`)!)) queue.push(entry);
  }
  return chosen;
}

/** How many ranges (of the project and of the chosen versions) a selection breaks. */
function broken(
  chosen: Map<string, string>,
  deps: Map<string, Record<string, string>>,
  root: Record<string, string>,
): number {
  let bad = 0;
  const check = (name: string, range: string) => {
    const v = chosen.get(name);
    if (v === undefined || !semver.satisfies(v, range)) bad++;
  };
  for (const [n, r] of Object.entries(root)) check(n, r);
  for (const [n, v] of chosen) {
    for (const [d, r] of Object.entries(deps.get(`${n}@${v}`)!)) check(d, r);
  }
  return bad;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Outcome {
  medianMs: number;
  selected: number;
  brokenRanges: number;
}

async function scenario(label: string, graph: Graph, runs: number) {
  const sync = sourceOf(graph.index, false);
  const async = sourceOf(graph.index, true);
  const available = new Map<string, string[]>();
  const depsOf = new Map<string, Record<string, string>>();
  for (const [name, versions] of graph.index) {
    available.set(name, versions.filter((v) => !v.yanked).map((v) => v.version));
    for (const v of versions) depsOf.set(`${name}@${v.version}`, v.dependencies);
  }
  const requirements: Record<string, VersionRange> = Object.fromEntries(
    Object.entries(graph.root).map(([k, v]) => [k, parseRange(v)]),
  );
  const times = { wreg: [] as number[], wregAsync: [] as number[], naive: [] as number[] };
  let resolution: Resolution | undefined;
  let greedy = new Map<string, string>();
  // Two warm-up rounds, then `runs` measured rounds; the three take turns within a round.
  for (let r = 0; r < runs + 2; r++) {
    const a = performance.now();
    try {
      resolution = await resolve({ requirements, source: sync });
    } catch (e) {
      if (!(e instanceof ResolutionError)) throw e;
      throw new Error(`the ${label} graph has no solution:\n${e.message}`);
    }
    const b = performance.now();
    await resolve({ requirements, source: async });
    const c = performance.now();
    greedy = naive(available, depsOf, graph.root);
    const d = performance.now();
    if (r >= 2) {
      times.wreg.push(b - a);
      times.wregAsync.push(c - b);
      times.naive.push(d - c);
    }
  }
  const chosen = new Map(resolution!.packages.map((p) => [p.name, p.version as string]));
  const wreg: Outcome & { stats: Resolution["stats"] } = {
    medianMs: +median(times.wreg).toFixed(2),
    selected: chosen.size,
    brokenRanges: broken(chosen, depsOf, graph.root),
    stats: resolution!.stats,
  };
  const naiveOutcome: Outcome = {
    medianMs: +median(times.naive).toFixed(2),
    selected: greedy.size,
    brokenRanges: broken(greedy, depsOf, graph.root),
  };
  return {
    label,
    timings: [
      summarize("naive semver.maxSatisfying (greedy)", times.naive),
      summarize("wreg resolve (PubGrub)", times.wreg),
      summarize("wreg resolve, async source", times.wregAsync),
    ] as Timing[],
    dependencyEdges: [...depsOf.values()].reduce((n, d) => n + Object.keys(d).length, 0),
    wreg,
    wregAsyncSourceMs: +median(times.wregAsync).toFixed(2),
    naive: naiveOutcome,
    ratio: +(wreg.medianMs / naiveOutcome.medianMs).toFixed(2),
  };
}

const args = Deno.args;
const at = args.indexOf("--runs");
const runs = at >= 0 ? Number(args[at + 1]) : 9;
const results = [
  await scenario("consistent", generate(0), runs),
  await scenario("regressions", generate(0.02), runs),
];

if (args.includes("--json")) {
  const data = results.map(({ timings: _, ...r }) => r);
  console.log(
    JSON.stringify({ packages: PACKAGES, versions: MAJORS * MINORS, runs, results: data }, null, 2),
  );
} else {
  for (const r of results) {
    const s = r.wreg.stats;
    console.log(
      table(
        `Resolve ${PACKAGES} packages × ${MAJORS * MINORS} versions, ${r.label} graph ` +
          `(${r.dependencyEdges} dependency edges)`,
        r.timings,
      ),
    );
    console.log(
      `wreg: ${r.wreg.selected} packages, ${r.wreg.brokenRanges} ranges broken, ` +
        `${s.decisions} decisions, ${s.conflicts} conflicts. ` +
        `naive: ${r.naive.selected} packages, ${r.naive.brokenRanges} ranges broken.\n`,
    );
  }
}
