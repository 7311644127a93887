import assert from "node:assert/strict";
import { parseWit } from "../lib/wit/mod.ts";
import { parseVersion } from "../lib/names/mod.ts";
import {
  compareReleases,
  implementsWorld,
  nextSeries,
  type Release,
  seriesCheckTargets,
} from "./_compat.ts";

const V1 = `package docs:processor@0.1.0;
/// Shared types.
interface types {
  record metadata { id: u64, source: string }
}
interface logger {
  enum level { debug, info }
  /// Writes a line.
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

Deno.test("an identical release is compatible and needs only a patch", () => {
  const r = compareReleases(pkg(V1), pkg(V1.replace("0.1.0", "0.1.1")));
  assert.deepEqual(r, { compatible: true, bump: "patch", changes: [] });
});

Deno.test("a new function is a compatible addition that needs a minor bump", () => {
  const next = V1.replace("0.1.0", "0.1.1").replace(
    "log: func(level: level, message: string);",
    "log: func(level: level, message: string);\n  flush: func();",
  );
  const r = compareReleases(pkg(V1), pkg(next));
  assert.equal(r.compatible, true);
  assert.equal(r.bump, "minor");
  assert.deepEqual(r.changes, [{
    path: "docs:processor/logger.flush",
    kind: "added",
    breaking: false,
    new: "flush: func()",
  }]);
});

Deno.test("a removed function is breaking and names the function", () => {
  const next = V1.replace("0.1.0", "0.1.1").replace(
    "/// Writes a line.\n  log: func(level: level, message: string);",
    "",
  );
  const r = compareReleases(pkg(V1), pkg(next));
  assert.equal(r.compatible, false);
  assert.equal(r.bump, "major");
  assert.deepEqual(r.changes, [{
    path: "docs:processor/logger.log",
    kind: "removed",
    breaking: true,
    old: "log: func(level: level, message: string)",
  }]);
});

Deno.test("a changed record field and a changed parameter are each breaking", () => {
  const next = V1.replace("0.1.0", "0.1.1").replace("source: string", "source: u32").replace(
    "message: string",
    "message: list<u8>",
  );
  const r = compareReleases(pkg(V1), pkg(next));
  assert.equal(r.compatible, false);
  assert.deepEqual(r.changes.map((c) => [c.path, c.kind, c.breaking]), [
    ["docs:processor/logger.log", "changed", true],
    ["docs:processor/types.metadata", "changed", true],
  ]);
  assert.equal(r.changes[0].new, "log: func(level: level, message: list<u8>)");
});

Deno.test("a doc comment change needs only a patch", () => {
  const r = compareReleases(pkg(V1), pkg(V1.replace("Writes a line.", "Writes one line.")));
  assert.deepEqual(r, {
    compatible: true,
    bump: "patch",
    changes: [{ path: "docs:processor/logger.log", kind: "docs", breaking: false }],
  });
});

Deno.test("a world that imports more is breaking; one that exports more is not", () => {
  const next = V1.replace("0.1.0", "0.1.1").replace(
    "  import logger;",
    "  import logger;\n  import clock: func() -> u64;\n  export version: func() -> string;",
  );
  const r = compareReleases(pkg(V1), pkg(next));
  assert.deepEqual(r.changes.map((c) => [c.path, c.kind, c.breaking]), [
    ["docs:processor/processor.imports.clock", "added", true],
    ["docs:processor/processor.exports.version", "added", false],
  ]);
});

Deno.test("dependency versions in the same series compare equal", () => {
  const dep = (v: string) =>
    `package docs:app@1.0.0;
interface api { use wasi:io/streams@${v}.{input-stream}; read: func(s: borrow<input-stream>); }
package wasi:io@${v} { interface streams { resource input-stream; } }`;
  assert.equal(compareReleases(pkg(dep("0.2.0")), pkg(dep("0.2.3"))).compatible, true);
  assert.equal(compareReleases(pkg(dep("0.2.0")), pkg(dep("0.3.0"))).compatible, false);
});

Deno.test("a component whose world exports more and imports less implements the world", () => {
  const target = world(V1, "processor");
  const component = world(
    V1.replace(
      "world processor {",
      "world impl {\n  use types.{metadata};\n  export process: func(doc: string, meta: metadata) -> string;\n  export extra: func();\n}\nworld processor {",
    ),
    "impl",
  );
  assert.equal(implementsWorld(component, target).compatible, true);
});

Deno.test("a component that imports what the world does not give does not implement it", () => {
  const text = V1.replace(
    "world processor {",
    "interface net { get: func(url: string) -> string; }\nworld impl {\n  use types.{metadata};\n  import net;\n  export process: func(doc: string, meta: metadata) -> string;\n}\nworld processor {",
  );
  const r = implementsWorld(world(text, "impl"), world(text, "processor"));
  assert.equal(r.compatible, false);
  assert.deepEqual(r.changes.map((c) => c.path), ["imports.docs:processor/net"]);
  const relaxed = implementsWorld(world(text, "impl"), world(text, "processor"), {
    hostProvides: ["docs:processor"],
  });
  assert.equal(relaxed.compatible, true);
});

Deno.test("a component missing an export of the world does not implement it", () => {
  const text = V1.replace("world processor {", "world impl { import logger; }\nworld processor {");
  const r = implementsWorld(world(text, "impl"), world(text, "processor"));
  assert.equal(r.compatible, false);
  assert.deepEqual(r.changes.map((c) => [c.path, c.kind]), [["exports.process", "removed"]]);
});

Deno.test("the versions checked are the others of the series, yanked included, no pre-releases", () => {
  const v = parseVersion;
  const published = [
    { version: v("0.9.0"), yanked: false },
    { version: v("1.0.0"), yanked: true },
    { version: v("1.1.0"), yanked: false },
    { version: v("1.3.0"), yanked: false },
    { version: v("1.4.0-rc.1"), yanked: false },
    { version: v("2.0.0"), yanked: false },
  ];
  assert.deepEqual(seriesCheckTargets(v("1.2.0"), published), {
    before: ["1.0.0", "1.1.0"],
    after: ["1.3.0"],
  });
  assert.deepEqual(seriesCheckTargets(v("1.5.0-rc.1"), published), { before: [], after: [] });
});

Deno.test("the next series after a version is its major, or its minor below 1.0", () => {
  assert.equal(nextSeries(parseVersion("1.4.2")), "2.0.0");
  assert.equal(nextSeries(parseVersion("0.2.5")), "0.3.0");
  assert.equal(nextSeries(parseVersion("0.0.7")), "0.0.8");
});
