/**
 * The registry's use of lib/compat: which versions the gate pairs, the direction of each check,
 * implements-world with host-provided imports, and the version a breaking change needs. The
 * relation itself is lib/compat's and tested there.
 */
import assert from "node:assert/strict";
import { parseWit } from "../lib/wit/mod.ts";
import { parseVersion } from "../lib/names/mod.ts";
import {
  compareReleases,
  gatePairs,
  implementsWorld,
  nextSeries,
  type Release,
} from "./_compat.ts";

const V1 = `package docs:processor@0.1.0;
interface types {
  record metadata { id: u64, source: string }
}
interface logger {
  enum level { debug, info }
  log: func(level: level, message: string);
}
world processor {
  use types.{metadata};
  import logger;
  export process: func(doc: string, meta: metadata) -> string;
}
`;

function pkg(text: string): Release {
  const { resolve, package: id } = parseWit(text);
  return { kind: "wit-package", resolve, package: id };
}

function world(text: string, name: string) {
  const { resolve, package: id } = parseWit(text);
  return { resolve, world: resolve.packages[id].worlds.get(name)! };
}

Deno.test("a release that adds a function is compatible; one that removes it is not", () => {
  const added = V1.replace("0.1.0", "0.1.1").replace(
    "  log: func(level: level, message: string);",
    "  log: func(level: level, message: string);\n  flush: func();",
  );
  const ok = compareReleases(pkg(V1), pkg(added));
  assert.equal(ok.compatible, true);
  assert.equal(ok.bump, "minor");
  assert.deepEqual(ok.changes.map((c) => [c.path, c.kind]), [[
    "docs:processor/logger.flush",
    "added-function",
  ]]);
  const removed = compareReleases(pkg(added), pkg(V1.replace("0.1.0", "0.1.2")));
  assert.equal(removed.compatible, false);
  assert.equal(removed.bump, "major");
});

Deno.test("components compare in the component direction: exporting more is fine, importing more is not", () => {
  const text = `package docs:app@1.0.0;
interface host { now: func() -> u64; }
world a { export run: func(); }
world b { export run: func(); export stop: func(); }
world c { import host; export run: func(); }`;
  const as = (name: string): Release => ({ kind: "component", ...world(text, name) });
  assert.equal(compareReleases(as("a"), as("b")).compatible, true);
  assert.equal(compareReleases(as("b"), as("a")).compatible, false);
  assert.equal(compareReleases(as("a"), as("c")).compatible, false);
  assert.equal(compareReleases(as("a"), pkg(V1)).compatible, false, "kinds never compare");
});

Deno.test("the gate pairs every other version of the series, yanked or not, and skips pre-releases", () => {
  const v = parseVersion;
  const published = ["0.9.0", "1.0.0", "1.1.0", "1.3.0", "1.4.0-rc.1", "2.0.0"].map((x) => ({
    version: v(x),
  }));
  assert.deepEqual(gatePairs(v("1.2.0"), published), [
    { old: "1.0.0", new: "1.2.0" },
    { old: "1.1.0", new: "1.2.0" },
    { old: "1.2.0", new: "1.3.0" },
  ]);
  assert.deepEqual(gatePairs(v("1.5.0-rc.1"), published), []);
});

Deno.test("a component implements a world when it exports what the world exports and imports no more", () => {
  const text = V1.replace(
    "world processor {",
    `interface net { get: func(url: string) -> string; }
world good {
  use types.{metadata};
  export process: func(doc: string, meta: metadata) -> string;
  export extra: func();
}
world greedy {
  use types.{metadata};
  import logger;
  import net;
  export process: func(doc: string, meta: metadata) -> string;
}
world lazy { import logger; }
world processor {`,
  );
  const target = world(text, "processor");
  assert.equal(implementsWorld(world(text, "good"), target).compatible, true);
  const greedy = implementsWorld(world(text, "greedy"), target);
  assert.equal(greedy.compatible, false);
  assert.deepEqual(greedy.changes.map((c) => [c.path, c.kind]), [[
    "docs:processor/net",
    "added-import",
  ]]);
  assert.equal(
    implementsWorld(world(text, "greedy"), target, { hostProvides: ["docs:processor"] }).compatible,
    true,
  );
  assert.equal(
    implementsWorld(world(text, "greedy"), target, { hostProvides: ["docs"] }).compatible,
    true,
  );
  const lazy = implementsWorld(world(text, "lazy"), target);
  assert.equal(lazy.compatible, false);
  assert.ok(lazy.changes.every((c) => c.breaking));
});

Deno.test("the next series after a version is its major, or its minor below 1.0", () => {
  assert.equal(nextSeries(parseVersion("1.4.2")), "2.0.0");
  assert.equal(nextSeries(parseVersion("0.2.5")), "0.3.0");
  assert.equal(nextSeries(parseVersion("0.0.7")), "0.0.8");
});
