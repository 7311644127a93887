import assert from "node:assert/strict";
import { checkImplementations, checkPackageIndex, WireError } from "./_wire.ts";

const DIGEST = `sha256:${"a".repeat(64)}`;
const entry = (o: Record<string, unknown> = {}) => ({
  version: "1.0.0",
  yanked: false,
  digest: DIGEST,
  size: 10,
  kind: "component",
  dependencies: { "docs:base": "^1.0.0" },
  ...o,
});

function refuses(f: () => unknown, pattern: RegExp) {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof WireError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("a well-formed index passes as it is", () => {
  const doc = {
    name: "docs:x",
    kind: "component",
    versions: [entry(), entry({ version: "0.1.0" })],
  };
  assert.equal(checkPackageIndex(doc, "docs:x"), doc);
});

Deno.test("an index with a name, version, range, digest, size or kind that is wrong is refused", () => {
  const index = (e: Record<string, unknown>) => ({ name: "docs:x", versions: [entry(e)] });
  refuses(() => checkPackageIndex([], "docs:x"), /not a JSON object/);
  refuses(() => checkPackageIndex({ name: "docs:y", versions: [] }, "docs:x"), /index of "docs:y"/);
  refuses(() => checkPackageIndex({ name: "docs:x" }, "docs:x"), /"versions" is not a list/);
  for (const dep of ["../../x:y", "Docs:Base", "docs:base/iface", "docs", "x:y\n"]) {
    refuses(
      () => checkPackageIndex(index({ dependencies: { [dep]: "^1" } }), "docs:x"),
      /lists dependency .*, which is not a package name/,
    );
  }
  refuses(
    () => checkPackageIndex(index({ dependencies: { "docs:base": 1 } }), "docs:x"),
    /with range 1$/,
  );
  refuses(() => checkPackageIndex(index({ version: "../1" }), "docs:x"), /not a semver version/);
  refuses(() => checkPackageIndex(index({ digest: "sha256:../x" }), "docs:x"), /has digest/);
  for (const size of [-1, 1.5, "10", 2 ** 60]) {
    refuses(() => checkPackageIndex(index({ size }), "docs:x"), /not a byte count/);
  }
  refuses(() => checkPackageIndex(index({ kind: "exe" }), "docs:x"), /has kind "exe"/);
  refuses(() => checkPackageIndex(index({ yanked: "no" }), "docs:x"), /has yanked "no"/);
});

Deno.test("implementations name packages, versions and digests that parse", () => {
  const ok = { implementations: [{ package: "docs:logger", version: "0.1.0", digest: DIGEST }] };
  assert.deepEqual(checkImplementations(ok), ok.implementations);
  refuses(() => checkImplementations({}), /"implementations" is not a list/);
  refuses(
    () =>
      checkImplementations({ implementations: [{ ...ok.implementations[0], package: "../x:y" }] }),
    /names "\.\.\/x:y", which is not a package name/,
  );
  refuses(
    () => checkImplementations({ implementations: [{ ...ok.implementations[0], version: "v1" }] }),
    /has version "v1"/,
  );
  refuses(
    () =>
      checkImplementations({ implementations: [{ ...ok.implementations[0], digest: "md5:x" }] }),
    /has digest "md5:x"/,
  );
});
