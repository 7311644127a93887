import assert from "node:assert/strict";
import { parseDigest, parseVersion } from "../names/mod.ts";
import type { LockedFill } from "./mod.ts";
import {
  FillError,
  type FillRequest,
  type Implementation,
  importsToLookUp,
  parseManifest,
  planFills,
} from "./mod.ts";

const LOGGER = "docs:processor/logger@0.1.0";
const impl = (pkg: string, version: string, hex = "a"): Implementation => ({
  package: pkg,
  version: parseVersion(version),
  digest: parseDigest("sha256:" + hex.repeat(64)),
});
const base: FillRequest = {
  component: "docs:scrubber",
  imports: [LOGGER, "wasi:cli/stdout@0.2.0", "wasi:io/streams@0.2.0", "run"],
};

Deno.test("planFills() uses the one package the registry knows, at its highest release", () => {
  const plan = planFills({
    ...base,
    candidates: {
      [LOGGER]: [
        impl("docs:logger", "0.1.0"),
        impl("docs:logger", "0.1.4"),
        impl("docs:logger", "0.2.0-rc.1"),
      ],
    },
  });
  assert.deepEqual(plan.filled, [{
    import: LOGGER,
    via: "registry",
    package: "docs:logger",
    version: "0.1.4",
    digest: impl("docs:logger", "0.1.4").digest,
    range: "^0.1.4",
  }]);
  assert.deepEqual(plan.host, ["wasi:cli/stdout@0.2.0", "wasi:io/streams@0.2.0"]);
  assert.deepEqual(plan.errors, []);
});

Deno.test("planFills() lists several implementations and the exact fills entry that chooses one", () => {
  const plan = planFills({
    ...base,
    candidates: { [LOGGER]: [impl("docs:logger", "0.1.0"), impl("acme:logger", "1.2.0")] },
  });
  assert.equal(plan.filled.length, 0);
  const [err] = plan.errors;
  assert.ok(err instanceof FillError);
  assert.equal(err.code, "ambiguous-implementation");
  assert.equal(err.importName, LOGGER);
  assert.deepEqual(err.candidates.map((c) => c.package), ["acme:logger", "docs:logger"]);
  assert.equal(
    err.message,
    `Import "docs:processor/logger@0.1.0" of docs:scrubber has 2 implementations ` +
      `(acme:logger@1.2.0, docs:logger@0.1.0): choose one in wreg.json with ` +
      `"fills": {"docs:processor/logger": {"package": "acme:logger", "range": "^1.2.0"}} ` +
      `(or "docs:logger" with "^0.1.0")`,
  );
  // The suggested entry is valid wreg.json, and with it the import is filled as chosen.
  const entry = err.message.match(/("fills": \{.*\}\})/)![1];
  const fills = parseManifest(`{${entry}}`).fills;
  const chosen = planFills({ ...base, fills, candidates: { [LOGGER]: err.candidates } });
  assert.deepEqual(chosen.filled, [{
    import: LOGGER,
    via: "wreg.json",
    package: "acme:logger",
    range: "^1.2.0",
  }]);
  assert.deepEqual(chosen.errors, []);
});

Deno.test("planFills() says when nothing implements an import", () => {
  const [err] = planFills({ ...base, candidates: {} }).errors;
  assert.equal(err.code, "no-implementation");
  assert.equal(
    err.message,
    `Import "docs:processor/logger@0.1.0" of docs:scrubber has no implementation in the ` +
      `registry: publish a component that exports it, or choose a package in wreg.json with ` +
      `"fills": {"docs:processor/logger": {"package": "ns:name", "range": "^1.0.0"}}`,
  );
});

Deno.test("planFills() prefers wreg.json, then the lock, then the registry", () => {
  const locked: Record<string, LockedFill> = {
    [LOGGER]: impl("docs:logger", "0.1.2") as LockedFill,
  };
  const candidates = { [LOGGER]: [impl("docs:logger", "0.1.9")] };
  // The lock wins over the registry.
  assert.equal(planFills({ ...base, locked, candidates }).filled[0].via, "wreg.lock");
  // A wreg.json choice of the same package that the locked version satisfies keeps the lock.
  const same = parseManifest(
    `{"fills": {"docs:processor/logger": {"package": "docs:logger", "range": "^0.1"}}}`,
  ).fills;
  assert.deepEqual(planFills({ ...base, fills: same, locked }).filled[0], {
    import: LOGGER,
    via: "wreg.lock",
    ...locked[LOGGER],
  });
  // A wreg.json choice of another package, or a range the lock misses, overrides the lock.
  const other = parseManifest(
    `{"fills": {"docs:processor/logger": {"package": "acme:logger", "range": "^1"}}}`,
  ).fills;
  assert.equal(planFills({ ...base, fills: other, locked }).filled[0].package, "acme:logger");
  const newer = parseManifest(
    `{"fills": {"docs:processor/logger": {"package": "docs:logger", "range": "^0.2"}}}`,
  ).fills;
  assert.equal(planFills({ ...base, fills: newer, locked }).filled[0].via, "wreg.json");
});

Deno.test("planFills() lets a fills key with a version win over one without", () => {
  const fills = parseManifest(JSON.stringify({
    fills: {
      "docs:processor/logger": { package: "docs:logger", range: "^0.1" },
      "docs:processor/logger@0.1.0": { package: "acme:logger", range: "^1" },
    },
  })).fills;
  const plan = planFills({ ...base, imports: [LOGGER, "docs:processor/logger@0.1.5"], fills });
  assert.deepEqual(plan.filled.map((f) => `${f.import} ${f.package}`), [
    "docs:processor/logger@0.1.0 acme:logger",
    "docs:processor/logger@0.1.5 docs:logger",
  ]);
});

Deno.test("importsToLookUp() lists only the imports nothing fills yet", () => {
  assert.deepEqual(importsToLookUp(base), [LOGGER]);
  const fills = parseManifest(
    `{"fills": {"docs:processor/logger": {"package": "docs:logger", "range": "^0.1"}}}`,
  ).fills;
  assert.deepEqual(importsToLookUp({ ...base, fills }), []);
  // A host that provides nothing: WASI imports need packages too.
  assert.deepEqual(importsToLookUp({ ...base, fills, hostProvides: () => false }), [
    "wasi:cli/stdout@0.2.0",
    "wasi:io/streams@0.2.0",
  ]);
});
