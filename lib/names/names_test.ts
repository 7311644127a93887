import assert from "node:assert/strict";
import {
  digestOf,
  formatPackageRef,
  isSemverCompatible,
  MAX_NAME_PART,
  NameError,
  parseDigest,
  parseInterfaceName,
  parsePackageName,
  parsePackageRef,
  parseRange,
  parseVersion,
  sameVersion,
  satisfies,
  seriesOf,
  tryParseInterfaceName,
  versionKey,
} from "./mod.ts";

function assertNameError(fn: () => unknown, code: string, part: string, message: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof NameError, `expected NameError, got ${e}`);
    assert.equal(e.code, code);
    assert.equal(e.part, part);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("parsePackageName() accepts lowercase kebab labels", () => {
  for (const ok of ["docs:processor", "wasi:http", "a1:b2-c3", "my-org:my-pkg"]) {
    const n = parsePackageName(ok);
    assert.equal(`${n.namespace}:${n.name}`, ok);
  }
});

Deno.test("parsePackageName() names the bad part of an invalid name", () => {
  assertNameError(() => parsePackageName("Docs:processor"), "invalid-label", "Docs", /upper-case/);
  assertNameError(() => parsePackageName("docs:pro_cessor"), "invalid-label", "pro_cessor", /"_"/);
  assertNameError(() => parsePackageName("docs:-x"), "invalid-label", "-x", /hyphen/);
  assertNameError(() => parsePackageName("docs:a--b"), "invalid-label", "a--b", /two hyphens/);
  assertNameError(() => parsePackageName("docs:1abc"), "invalid-label", "1abc", /digit/);
  assertNameError(() => parsePackageName(":x"), "invalid-label", "", /empty/);
  assertNameError(() => parsePackageName("docs"), "invalid-package-name", "docs", /namespace:name/);
});

Deno.test("parsePackageName() refuses path tricks and look-alikes", () => {
  for (const bad of ["docs:../x", "docs:%2e%2e", "docs:x/y", "dоcs:x", /* Cyrillic о */ "a:b:c"]) {
    assert.throws(() => parsePackageName(bad), NameError, bad);
  }
});

Deno.test("parsePackageName() caps each part's length (issue 17 #4)", () => {
  const max = "a".repeat(MAX_NAME_PART);
  assert.equal(parsePackageName(`${max}:${max}`).name, max);
  for (const text of [`docs:${"a".repeat(60_000)}`, `${"n".repeat(5_000)}:x`]) {
    assert.throws(() => parsePackageName(text), (e: unknown) => {
      assert.ok(e instanceof NameError);
      assert.equal(e.code, "invalid-label");
      assert.match(e.message, /characters, at most 64/);
      // The error stays small: it does not carry the whole input.
      assert.ok(e.message.length < 400, e.message);
      assert.ok(e.input.length < 200 && e.part.length < 200);
      return true;
    });
  }
});

Deno.test("parsePackageRef() reads an optional version", () => {
  assert.equal(formatPackageRef(parsePackageRef("wasi:http@0.2.3")), "wasi:http@0.2.3");
  assert.equal(parsePackageRef("wasi:http").version, undefined);
  assertNameError(() => parsePackageRef("wasi:http@0.2"), "invalid-version", "0.2", /semver/);
});

Deno.test("parseVersion() takes canonical semver only", () => {
  assert.equal(parseVersion("0.2.0-rc-2023-10-18"), "0.2.0-rc-2023-10-18");
  assert.equal(parseVersion("0.0.0+abcd"), "0.0.0+abcd");
  assert.equal(parseVersion("1.2.3-rc.1+build.5"), "1.2.3-rc.1+build.5");
  for (const bad of ["v1.2.3", " 1.2.3", "1.2", "01.2.3", "", "1.2.3+", "=1.2.3"]) {
    assert.throws(() => parseVersion(bad), NameError, bad);
  }
  // Plain versions skip npm's parser; its integer limit still holds.
  for (const plain of ["0.0.0", "1.2.3", "10.20.30", "999999999999999.0.0"]) {
    assert.equal(parseVersion(plain), plain);
  }
  for (const bad of ["9999999999999999.0.0", "1.2.3\n", "1.02.3", "1.2.3.4"]) {
    assert.throws(() => parseVersion(bad), NameError, bad);
  }
});

Deno.test("versions that differ only in build metadata are the same version (issue 17 #2)", () => {
  const v = parseVersion;
  assert.equal(versionKey(v("1.0.0+evil")), "1.0.0");
  assert.equal(versionKey(v("1.2.3-rc.1+build.5")), "1.2.3-rc.1");
  assert.equal(versionKey(v("1.2.3")), "1.2.3");
  assert.ok(sameVersion(v("1.0.0"), v("1.0.0+evil")));
  assert.ok(sameVersion(v("1.0.0+a"), v("1.0.0+b")));
  assert.ok(!sameVersion(v("1.0.0"), v("1.0.0-rc.1+evil")));
  assert.ok(!sameVersion(v("1.0.0"), v("1.0.1")));
});

Deno.test("parseRange() takes npm ranges and rejects nonsense", () => {
  assert.ok(satisfies(parseVersion("1.4.0"), parseRange("^1.2")));
  assert.ok(!satisfies(parseVersion("2.0.0"), parseRange("^1.2")));
  assert.ok(satisfies(parseVersion("1.2.3"), parseRange("1.2.3")));
  assertNameError(() => parseRange("^^1"), "invalid-range", "^^1", /range/);
  assertNameError(() => parseRange(""), "invalid-range", "", /range/);
});

Deno.test("seriesOf() follows the X / 0.Y / 0.0.Z rule", () => {
  assert.equal(seriesOf(parseVersion("3.1.4")), "3");
  assert.equal(seriesOf(parseVersion("0.2.9")), "0.2");
  assert.equal(seriesOf(parseVersion("0.0.4")), "0.0.4");
});

Deno.test("isSemverCompatible() lets a newer version in the series fill an older import", () => {
  const v = parseVersion;
  assert.ok(isSemverCompatible(v("1.0.0"), v("1.2.0")));
  assert.ok(!isSemverCompatible(v("1.2.0"), v("1.0.0")));
  assert.ok(!isSemverCompatible(v("1.0.0"), v("2.0.0")));
  assert.ok(isSemverCompatible(v("0.2.0"), v("0.2.3")));
  assert.ok(!isSemverCompatible(v("0.2.0"), v("0.3.0")));
  assert.ok(!isSemverCompatible(v("0.0.1"), v("0.0.2")));
  assert.ok(!isSemverCompatible(v("0.3.0-rc-1"), v("0.3.0")));
});

Deno.test("parseInterfaceName() reads ns:pkg/iface@version", () => {
  const i = parseInterfaceName("wasi:http/incoming-handler@0.2.0");
  assert.deepEqual({ ...i }, {
    namespace: "wasi",
    package: "http",
    interface: "incoming-handler",
    version: "0.2.0",
  });
  assert.equal(tryParseInterfaceName("greet"), undefined);
  assert.equal(tryParseInterfaceName("[method]r.f"), undefined);
  assert.throws(() => parseInterfaceName("wasi:http/x@1"), NameError);
});

Deno.test("parseDigest() explains what is wrong", () => {
  const hex = "ab".repeat(32);
  assert.equal(parseDigest(`sha256:${hex}`), `sha256:${hex}`);
  assertNameError(() => parseDigest(hex), "invalid-digest", hex, /no "sha256:" prefix/);
  assertNameError(() => parseDigest(`md5:${hex}`), "invalid-digest", "md5", /not supported/);
  assertNameError(() => parseDigest("sha256:abc"), "invalid-digest", "abc", /3 characters/);
  assertNameError(
    () => parseDigest(`sha256:${hex.toUpperCase()}`),
    "invalid-digest",
    hex.toUpperCase(),
    /lowercase/,
  );
});

Deno.test("digestOf() hashes with SHA-256", async () => {
  const d = await digestOf(new TextEncoder().encode("abc"));
  assert.equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
