import assert from "node:assert/strict";
import { parseRange, parseVersion } from "../names/mod.ts";
import {
  caretRange,
  parseDependencySpec,
  parseManifest,
  printManifest,
  SpecError,
  withDependency,
  withFill,
  withoutDependency,
  withoutFill,
} from "./mod.ts";

Deno.test("parseDependencySpec() turns a bare version into a caret range", () => {
  const cases: [string, string | undefined][] = [
    ["docs:processor", undefined],
    ["docs:processor@1.2.3", "^1.2.3"],
    ["docs:processor@1.2", "^1.2"],
    ["docs:processor@1", "^1"],
    ["docs:processor@0.2.0-rc.1", "^0.2.0-rc.1"],
    ["docs:processor@^1.2", "^1.2"],
    ["docs:processor@~1.2.3", "~1.2.3"],
    ["docs:processor@=1.2.3", "=1.2.3"],
    ["docs:processor@>=1 <3", ">=1 <3"],
    ["docs:processor@*", "*"],
  ];
  for (const [spec, range] of cases) {
    const s = parseDependencySpec(spec);
    assert.equal(s.name, "docs:processor", spec);
    assert.equal(s.range, range, spec);
  }
});

Deno.test("parseDependencySpec() refuses bad specs, naming the spec and the reason", () => {
  const bad: [string, RegExp][] = [
    ["Docs:processor", /^Invalid dependency "Docs:processor": invalid namespace "Docs"/],
    ["processor@1", /^Invalid dependency "processor@1": invalid package name "processor"/],
    ["docs:processor@", /nothing after "@" \(write "docs:processor" for the latest version/],
    ["docs:processor@^^1", /^Invalid dependency "docs:processor@\^\^1": invalid version range/],
  ];
  for (const [spec, message] of bad) {
    assert.throws(() => parseDependencySpec(spec), (e: unknown) => {
      assert.ok(e instanceof SpecError);
      assert.equal(e.code, "invalid-spec");
      assert.equal(e.input, spec);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("caretRange() is the range wreg add writes for the latest version", () => {
  assert.equal(caretRange(parseVersion("0.3.1")), "^0.3.1");
});

Deno.test("withDependency() adds or replaces a dependency, sorted, and keeps fills consistent", () => {
  const m = parseManifest(JSON.stringify({
    name: "docs:app",
    dependencies: { "docs:z": "^1" },
    fills: { "docs:processor/logger": { package: "docs:logger", range: "^0.1" } },
  }));
  const added = withDependency(m, "docs:a", parseRange("^2"));
  assert.deepEqual(Object.keys(added.dependencies!), ["docs:a", "docs:z"]);
  const replaced = withDependency(added, "docs:logger", parseRange("^0.2"));
  assert.equal(replaced.fills!["docs:processor/logger"].range, "^0.2");
  // The result is a valid manifest: printing and parsing it again succeeds.
  assert.deepEqual(parseManifest(printManifest(replaced)), replaced);
  assert.deepEqual(withoutDependency(replaced, "docs:a").dependencies, {
    "docs:logger": "^0.2",
    "docs:z": "^1",
  });
  assert.equal(withoutDependency(m, "docs:none"), m);
  assert.equal(m.dependencies!["docs:a"], undefined, "the input manifest is not changed");
});

Deno.test("withFill records a fill choice and aligns a dependency on the same package", () => {
  const m = withFill(
    { dependencies: { "docs:logger": parseRange("^0.1.0") } },
    "docs:processor/logger",
    { package: "docs:logger", range: parseRange("^0.2.0") },
  );
  assert.deepEqual(m, {
    dependencies: { "docs:logger": "^0.2.0" },
    fills: { "docs:processor/logger": { package: "docs:logger", range: "^0.2.0" } },
  });
  assert.equal(parseManifest(printManifest(m)).fills?.["docs:processor/logger"].range, "^0.2.0");
  const choice = { package: "docs:logger", range: parseRange("^0.1.0") };
  assert.throws(() => withFill({}, "not an interface", choice));
});

Deno.test("withoutFill drops one entry, and the fills key with the last", () => {
  const choice = { package: "docs:logger", range: parseRange("^0.1.0") };
  const two = withFill(withFill({}, "docs:a/x", choice), "docs:b/y", choice);
  assert.deepEqual(Object.keys(withoutFill(two, "docs:a/x").fills!), ["docs:b/y"]);
  assert.deepEqual(withoutFill(withoutFill(two, "docs:a/x"), "docs:b/y"), {});
  assert.equal(withoutFill(two, "docs:c/z"), two);
});
