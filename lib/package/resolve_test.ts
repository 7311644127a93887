import assert from "node:assert/strict";
import { parseRange, parseVersion, type Version } from "../names/mod.ts";
import {
  type ListedVersion,
  type MemoryIndex,
  memorySource,
  type PackageSource,
  PROJECT,
  ResolutionError,
  resolve,
} from "./mod.ts";
import { outcome, ranges, versions } from "./_testing.ts";

const plain = (v: string) => ({ [v]: {} });
const deps = (d: Record<string, string>) => ({ dependencies: d });

Deno.test("resolve() picks the highest version in the range", async () => {
  const index = { "a:x": { "1.0.0": {}, "1.4.0": {}, "1.10.0": {}, "2.0.0": {} } };
  assert.equal(await outcome(index, { "a:x": "^1" }), "a:x@1.10.0");
  assert.equal(await outcome(index, { "a:x": "~1.4.0" }), "a:x@1.4.0");
  assert.equal(await outcome(index, { "a:x": "*" }), "a:x@2.0.0");
});

Deno.test("resolve() follows dependencies transitively and selects nothing else", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "b:y": "^2" }) },
    "b:y": { "2.0.0": deps({ "c:z": "~0.3.1" }), "2.1.0": deps({ "c:z": "~0.3.1" }) },
    "c:z": { "0.3.0": {}, "0.3.1": {}, "0.3.9": {}, "0.4.0": {} },
    "d:unused": plain("1.0.0"),
  };
  assert.equal(await outcome(index, { "a:x": "^1" }), "a:x@1.0.0 b:y@2.1.0 c:z@0.3.9");
});

Deno.test("resolve() meets every range of a diamond with the highest common version", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "c:z": "^1.1" }) },
    "b:y": { "1.0.0": deps({ "c:z": ">=1.2.0 <1.5.0" }) },
    "c:z": { "1.0.0": {}, "1.1.0": {}, "1.2.0": {}, "1.4.3": {}, "1.5.0": {}, "2.0.0": {} },
  };
  assert.equal(
    await outcome(index, { "a:x": "^1", "b:y": "^1" }),
    "a:x@1.0.0 b:y@1.0.0 c:z@1.4.3",
  );
});

Deno.test("resolve() backtracks from a version whose dependencies conflict", async () => {
  // The greedy choice a:x@2.0.0 needs b:y@^2, which the project excludes: a:x@1.x must be used.
  const index = {
    "a:x": {
      "1.0.0": deps({ "b:y": "^1" }),
      "1.1.0": deps({ "b:y": "^1" }),
      "2.0.0": deps({ "b:y": "^2" }),
    },
    "b:y": { "1.0.0": {}, "1.3.0": {}, "2.0.0": {} },
  };
  assert.equal(await outcome(index, { "a:x": "*", "b:y": "^1" }), "a:x@1.1.0 b:y@1.3.0");
});

Deno.test("resolve() backtracks when the conflict shows up two levels down", async () => {
  // a:x@2 → c:z@^2 → d:w@^2, but b:y needs d:w@^1; only a:x@1 (c:z@^1 → d:w@^1) works.
  const index = {
    "a:x": { "1.0.0": deps({ "c:z": "^1" }), "2.0.0": deps({ "c:z": "^2" }) },
    "b:y": { "1.0.0": deps({ "d:w": "^1" }) },
    "c:z": { "1.0.0": deps({ "d:w": "^1" }), "2.0.0": deps({ "d:w": "^2" }) },
    "d:w": { "1.0.0": {}, "2.0.0": {} },
  };
  assert.equal(
    await outcome(index, { "a:x": "*", "b:y": "^1" }),
    "a:x@1.0.0 b:y@1.0.0 c:z@1.0.0 d:w@1.0.0",
  );
});

Deno.test("resolve() handles dependency cycles", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "b:y": "^1" }) },
    "b:y": { "1.0.0": deps({ "a:x": "^1" }) },
  };
  assert.equal(await outcome(index, { "a:x": "^1" }), "a:x@1.0.0 b:y@1.0.0");
});

Deno.test("resolve() keeps a locked version that still satisfies the ranges", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "b:y": "^1" }), "1.2.0": deps({ "b:y": "^1" }) },
    "b:y": { "1.0.0": {}, "1.1.0": {}, "1.5.0": {} },
  };
  const locked = versions({ "a:x": "1.0.0", "b:y": "1.1.0" });
  assert.equal(await outcome(index, { "a:x": "^1" }, { locked }), "a:x@1.0.0 b:y@1.1.0");
  const r = await resolve({
    requirements: ranges({ "a:x": "^1" }),
    source: memorySource(index),
    locked,
  });
  assert.deepEqual(r.packages.map((p) => p.locked), [true, true]);
});

Deno.test("resolve() replaces a locked version the ranges no longer allow", async () => {
  const index = { "a:x": { "1.0.0": {}, "1.2.0": {}, "2.0.0": {}, "2.1.0": {} } };
  const locked = versions({ "a:x": "1.2.0" });
  assert.equal(await outcome(index, { "a:x": "^2" }, { locked }), "a:x@2.1.0");
});

Deno.test("resolve() with update unlocks every package, or only the named ones", async () => {
  const index = {
    "a:x": { "1.0.0": {}, "1.9.0": {} },
    "b:y": { "1.0.0": {}, "1.9.0": {} },
  };
  const locked = versions({ "a:x": "1.0.0", "b:y": "1.0.0" });
  const reqs = { "a:x": "^1", "b:y": "^1" };
  assert.equal(await outcome(index, reqs, { locked }), "a:x@1.0.0 b:y@1.0.0");
  assert.equal(await outcome(index, reqs, { locked, update: true }), "a:x@1.9.0 b:y@1.9.0");
  assert.equal(await outcome(index, reqs, { locked, update: ["b:y"] }), "a:x@1.0.0 b:y@1.9.0");
});

Deno.test("resolve() leaves yanked versions out unless locked or allowed", async () => {
  const index = { "a:x": { "1.0.0": {}, "1.1.0": { yanked: true } } };
  assert.equal(await outcome(index, { "a:x": "^1" }), "a:x@1.0.0");
  assert.equal(
    await outcome(index, { "a:x": "^1" }, { locked: versions({ "a:x": "1.1.0" }) }),
    "a:x@1.1.0",
  );
  assert.equal(await outcome(index, { "a:x": "^1" }, { yanked: ["a:x"] }), "a:x@1.1.0");
  // Updating drops the lock, and with it the permission to keep the yanked version.
  assert.equal(
    await outcome(index, { "a:x": "^1" }, { locked: versions({ "a:x": "1.1.0" }), update: true }),
    "a:x@1.0.0",
  );
});

Deno.test("resolve() leaves pre-releases out unless a range, the lock or the options ask", async () => {
  const index = { "a:x": { "1.0.0": {}, "1.1.0-rc.1": {}, "2.0.0-beta.2": {} } };
  assert.equal(await outcome(index, { "a:x": "^1" }), "a:x@1.0.0");
  assert.equal(await outcome(index, { "a:x": "*" }), "a:x@1.0.0");
  // A range naming a pre-release of a version asks for pre-releases of that version (npm).
  assert.equal(await outcome(index, { "a:x": "^1.1.0-rc.0" }), "a:x@1.1.0-rc.1");
  assert.equal(await outcome(index, { "a:x": "^1" }, { prerelease: ["a:x"] }), "a:x@1.1.0-rc.1");
  assert.equal(await outcome(index, { "a:x": "*" }, { prerelease: true }), "a:x@2.0.0-beta.2");
  assert.equal(
    await outcome(index, { "a:x": "^1" }, { locked: versions({ "a:x": "1.1.0-rc.1" }) }),
    "a:x@1.1.0-rc.1",
  );
});

Deno.test("resolve() reports who requires each package and their ranges", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "c:z": "^1.1" }) },
    "b:y": { "1.0.0": deps({ "c:z": "^1" }) },
    "c:z": plain("1.2.0"),
  };
  const r = await resolve({
    requirements: ranges({ "b:y": "^1", "a:x": "^1", "c:z": "1.2.0" }),
    source: memorySource(index),
  });
  assert.deepEqual(r.packages.map((p) => p.name), ["a:x", "b:y", "c:z"]);
  assert.deepEqual(r.packages[2].requirements, { "a:x": "^1.1", "b:y": "^1", [PROJECT]: "1.2.0" });
  assert.deepEqual(Object.keys(r.packages[2].requirements), ["a:x", "b:y", PROJECT]);
  assert.deepEqual(r.packages[0].dependencies, { "c:z": "^1.1" });
});

/** A copy of the data with packages, versions and dependencies listed in a shuffled order. */
function shuffled(index: MemoryIndex, seed: number): PackageSource {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const shuffle = <T>(a: T[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const table = new Map<string, ListedVersion[]>();
  for (const name of shuffle(Object.keys(index))) {
    table.set(
      name,
      shuffle(Object.entries(index[name])).map(([v, info]) => ({
        version: parseVersion(v),
        yanked: info.yanked,
        dependencies: Object.fromEntries(
          shuffle(Object.entries(info.dependencies ?? {})).map(([d, r]) => [d, parseRange(r)]),
        ),
      })),
    );
  }
  return { versions: (name) => table.get(name) };
}

const tangled: MemoryIndex = {
  "a:x": {
    "1.0.0": deps({ "c:z": "^1", "d:w": "^1" }),
    "1.1.0": deps({ "c:z": "^1", "d:w": "^2" }),
    "2.0.0": deps({ "c:z": "^2" }),
  },
  "b:y": { "1.0.0": deps({ "d:w": "^1" }), "1.1.0": deps({ "d:w": "^2", "c:z": "^1" }) },
  "c:z": { "1.0.0": deps({ "e:v": "^1" }), "1.5.0": deps({ "e:v": "^2" }), "2.0.0": {} },
  "d:w": { "1.0.0": {}, "2.0.0": deps({ "e:v": "^1" }) },
  "e:v": { "1.0.0": {}, "2.0.0": {} },
};

Deno.test("resolve() gives the same result whatever order the source lists things in", async () => {
  const cases: [Record<string, string>, string][] = [
    [{ "a:x": "^1", "b:y": "*" }, "a:x@1.1.0 b:y@1.1.0 c:z@1.0.0 d:w@2.0.0 e:v@1.0.0"],
    [{ "a:x": "*", "b:y": "*", "e:v": "^2" }, "a:x@2.0.0 b:y@1.0.0 c:z@2.0.0 d:w@1.0.0 e:v@2.0.0"],
    [
      { "a:x": "^2", "b:y": "^1.1" },
      "conflict: Because a:x@2.0.0 depends on c:z@^2 and b:y@1.1.0 depends on c:z@^1, " +
      "a:x@2.0.0 is incompatible with b:y@1.1.0\n" +
      "So, because the project depends on both a:x@^2 and b:y@^1.1, resolution failed",
    ],
  ];
  for (const [reqs, expected] of cases) {
    const first = await outcome(tangled, reqs);
    assert.equal(first, expected);
    for (let seed = 1; seed <= 20; seed++) {
      assert.equal(await outcome(shuffled(tangled, seed), reqs), first, `seed ${seed}`);
    }
  }
});

Deno.test("resolve() explains a diamond conflict by naming both requirements", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "c:z": "^1" }), "1.1.0": deps({ "c:z": "^1" }) },
    "b:y": { "2.0.0": deps({ "c:z": "^2" }) },
    "c:z": { "1.0.0": {}, "2.0.0": {} },
  };
  assert.equal(
    await outcome(index, { "a:x": "^1", "b:y": "^2" }, { rootName: "docs:app" }),
    [
      "conflict: Because every version of b:y depends on c:z@^2 and every version of a:x " +
      "depends on c:z@^1, b:y is incompatible with a:x",
      "So, because docs:app depends on both a:x@^1 and b:y@^2, resolution failed",
    ].join("\n"),
  );
});

Deno.test("resolve() explains a conflict between the project and a transitive range", async () => {
  const index = {
    "a:x": {
      "1.0.0": deps({ "c:z": "^1" }),
      "1.2.0": deps({ "c:z": "^1" }),
      "2.0.0": deps({ "c:z": "^3" }),
    },
    "c:z": { "1.0.0": {}, "2.0.0": {}, "3.0.0": {} },
  };
  assert.equal(
    await outcome(index, { "a:x": "^1", "c:z": "^2" }),
    [
      "conflict: Because every version of a:x@^1 depends on c:z@^1 and the project depends on " +
      "a:x@^1, the project requires c:z@^1",
      "So, because the project depends on c:z@^2, resolution failed",
    ].join("\n"),
  );
});

Deno.test("resolve() explains a failure with two branches using numbered lines", async () => {
  const index = {
    "r:foo": {
      "1.0.0": deps({ "r:a": "^1", "r:b": "^1" }),
      "1.1.0": deps({ "r:x": "^1", "r:y": "^1" }),
    },
    "r:a": { "1.0.0": deps({ "r:b": "^2" }) },
    "r:b": { "1.0.0": {}, "2.0.0": {} },
    "r:x": { "1.0.0": deps({ "r:y": "^2" }) },
    "r:y": { "1.0.0": {}, "2.0.0": {} },
  };
  const text = await outcome(index, { "r:foo": "^1" });
  assert.equal(
    text,
    [
      "conflict: Because every version of r:a depends on r:b@^2 and r:foo@1.0.0 depends on " +
      "r:a@^1, r:foo@1.0.0 requires r:b@^2",
      "(1) And because r:foo@1.0.0 depends on r:b@^1, r:foo@1.0.0 cannot be used",
      "",
      "Because every version of r:x depends on r:y@^2 and r:foo@1.1.0 depends on r:x@^1, " +
      "r:foo@1.1.0 requires r:y@^2",
      "And because r:foo@1.1.0 depends on r:y@^1, r:foo@1.1.0 cannot be used",
      "And because r:foo@1.0.0 cannot be used (1), no version of r:foo can be used",
      "So, because the project depends on r:foo@^1, resolution failed",
    ].join("\n"),
  );
});

Deno.test("resolve() says which package does not exist", async () => {
  const err = await resolve({
    requirements: ranges({ "a:x": "^1", "d:zz": "^3" }),
    source: memorySource({ "a:x": plain("1.0.0") }),
  }).catch((e) => e);
  assert.ok(err instanceof ResolutionError);
  assert.equal(err.code, "package-not-found");
  assert.equal(err.message, "The project depends on d:zz@^3 but no package named d:zz exists");
  assert.deepEqual(err.packages, ["d:zz"]);
});

Deno.test("resolve() lists the available versions when none matches", async () => {
  const index = {
    "c:z": { "1.0.0": {}, "2.1.0": {}, "3.0.0": { yanked: true }, "3.1.0-rc.1": {} },
  };
  assert.equal(
    await outcome(index, { "c:z": "^3" }),
    "no-matching-version: The project depends on c:z@^3 but no version of c:z matches ^3 " +
      "(available: 1.0.0, 2.1.0, 3.1.0-rc.1; 3.0.0 is yanked; 3.1.0-rc.1 is a pre-release, " +
      "not chosen unless asked for)",
  );
  const many: MemoryIndex = {
    "c:z": Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`1.${i}.0`, {}])),
  };
  assert.match(
    await outcome(many, { "c:z": "^2" }),
    /\(available: 1\.0\.0, 1\.1\.0, …, 1\.8\.0, 1\.9\.0, 1\.10\.0, 1\.11\.0 \(12 versions\)\)$/,
  );
});

Deno.test("resolve() explains a missing version deeper in the graph", async () => {
  const index = {
    "a:x": { "1.0.0": deps({ "b:y": "^5" }), "1.1.0": deps({ "b:y": "^5" }) },
    "b:y": plain("1.0.0"),
  };
  assert.equal(
    await outcome(index, { "a:x": "^1" }),
    "no-matching-version: Because every version of a:x depends on b:y@^5 but no version of " +
      "b:y matches ^5 (available: 1.0.0), and the project depends on a:x@^1, resolution failed",
  );
});

Deno.test("resolve() reads an asynchronous source and fetches only the versions it tries", async () => {
  const data: MemoryIndex = {
    "a:x": { "1.0.0": deps({ "b:y": "^1" }), "2.0.0": deps({ "b:y": "^2" }) },
    "b:y": { "1.0.0": {}, "1.5.0": {}, "2.0.0": deps({ "z:missing": "^1" }) },
  };
  const asked: string[] = [];
  const source: PackageSource = {
    versions: (name) =>
      Promise.resolve(
        data[name] &&
          Object.entries(data[name]).map(([v, info]) => ({
            version: parseVersion(v),
            yanked: info.yanked,
          })),
      ),
    dependencies: (name, version: Version) => {
      asked.push(`${name}@${version}`);
      return Promise.resolve(ranges(data[name][version].dependencies ?? {}));
    },
  };
  assert.equal(await outcome(source, { "a:x": "*" }), "a:x@1.0.0 b:y@1.5.0");
  assert.deepEqual(asked.sort(), ["a:x@1.0.0", "a:x@2.0.0", "b:y@1.5.0", "b:y@2.0.0"]);
});

Deno.test("resolve() refuses a source that cannot give dependencies it did not list", async () => {
  const source: PackageSource = { versions: () => [{ version: parseVersion("1.0.0") }] };
  await assert.rejects(
    resolve({ requirements: ranges({ "a:x": "^1" }), source }),
    /listed a:x@1\.0\.0 without dependencies/,
  );
});
