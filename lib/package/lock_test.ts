import assert from "node:assert/strict";
import { parseDigest } from "../names/mod.ts";
import {
  checkLockCurrent,
  type Lock,
  lockedVersions,
  LockError,
  lockFromResolution,
  memorySource,
  parseLock,
  parseManifest,
  printLock,
  requirementsOf,
  resolve,
} from "./mod.ts";

const D1 = "sha256:" + "1".repeat(64);
const D2 = "sha256:" + "2".repeat(64);
const D3 = "sha256:" + "3".repeat(64);

const LOCK = `{
  "lockVersion": 1,
  "packages": {
    "docs:logger": {
      "version": "0.1.2",
      "kind": "component",
      "registry": "http://127.0.0.1:8080",
      "digest": "${D1}",
      "requirements": {
        "wreg.json": "^0.1"
      },
      "dependencies": {
        "docs:processor": "^0.1.0"
      }
    },
    "docs:processor": {
      "version": "0.1.0",
      "kind": "wit",
      "registry": "http://127.0.0.1:8080",
      "digest": "${D2}",
      "requirements": {
        "docs:logger": "^0.1.0",
        "docs:scrubber": "^0.1",
        "wreg.json": "^0.1"
      },
      "dependencies": {}
    },
    "docs:scrubber": {
      "version": "0.2.0",
      "kind": "component",
      "registry": "http://127.0.0.1:8080",
      "digest": "${D3}",
      "requirements": {
        "wreg.json": "^0.2"
      },
      "dependencies": {
        "docs:processor": "^0.1"
      }
    }
  },
  "fills": {
    "docs:scrubber": {
      "docs:processor/logger@0.1.0": {
        "package": "docs:logger",
        "version": "0.1.2",
        "digest": "${D1}"
      }
    }
  }
}
`;

/** The lock text with one JSON edit applied. */
// deno-lint-ignore no-explicit-any
function edited(edit: (o: Record<string, any>) => void): string {
  const o = JSON.parse(LOCK);
  edit(o);
  return JSON.stringify(o);
}

function assertLockError(text: string, code: string, path: string, message: string | RegExp) {
  assert.throws(() => parseLock(text), (e: unknown) => {
    assert.ok(e instanceof LockError, `expected a LockError, got ${e}`);
    assert.equal(e.code, code);
    assert.equal(e.path, path);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

Deno.test("printLock() gives back the text parseLock() read", () => {
  const lock = parseLock(LOCK);
  assert.equal(printLock(lock), LOCK);
  assert.equal(printLock(lock), printLock(lock));
  assert.equal(lock.fills["docs:scrubber"]["docs:processor/logger@0.1.0"].version, "0.1.2");
});

Deno.test("printLock() sorts everything, whatever order the lock was built in", () => {
  const lock = parseLock(LOCK);
  const reversed = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).reverse());
  const shuffled: Lock = {
    fills: reversed(lock.fills) as Lock["fills"],
    packages: Object.fromEntries(
      Object.entries(lock.packages).reverse().map(([name, p]) => [name, {
        dependencies: reversed(p.dependencies),
        requirements: reversed(p.requirements),
        digest: p.digest,
        registry: p.registry,
        kind: p.kind,
        version: p.version,
      }]),
    ) as Lock["packages"],
  };
  assert.equal(printLock(shuffled), LOCK);
});

Deno.test("parseLock() refuses a lock of another format version", () => {
  assertLockError(
    edited((o) => o.lockVersion = 5),
    "unsupported-version",
    "lockVersion",
    "lockVersion: wreg.lock has format version 5, and this wreg reads versions up to 4 " +
      "(written by a newer wreg: upgrade wreg)",
  );
  assertLockError(
    edited((o) => delete o.lockVersion),
    "missing-field",
    "lockVersion",
    /no lock version/,
  );
  assertLockError(
    edited((o) => o.lockVersion = "1"),
    "invalid-value",
    "lockVersion",
    /positive integer/,
  );
});

Deno.test("a lock with an OCI manifest digest is version 2; without, it stays version 1", () => {
  const manifest = `sha256:${"ab".repeat(32)}`;
  const v2 = edited((o) => {
    o.lockVersion = 2;
    o.packages["docs:logger"].manifest = manifest;
    o.packages["docs:logger"].registry = "oci://127.0.0.1:5000/webassembly/";
  });
  const lock = parseLock(v2);
  assert.equal(lock.packages["docs:logger"].manifest, manifest);
  assert.equal(lock.packages["docs:logger"].registry, "oci://127.0.0.1:5000/webassembly/");
  const printed = printLock(lock);
  assert.ok(printed.startsWith('{\n  "lockVersion": 2,'), printed);
  assert.match(printed, /"digest": "sha256:[0-9a-f]{64}",\n {6}"manifest": "sha256:(ab){32}",/);
  assert.equal(printLock(parseLock(printed)), printed);
  // The field belongs to version 2: a version-1 lock may not carry it.
  assertLockError(
    edited((o) => o.packages["docs:logger"].manifest = manifest),
    "unknown-key",
    `packages["docs:logger"].manifest`,
    /manifest/,
  );
  // Without it, the lock prints as version 1, byte for byte.
  assert.equal(printLock(parseLock(LOCK)), LOCK);
});

const VKEY = "wreg.example/log+1aeca513+AW/7k46QTY0cvBwWlbTFloQHpAWr/h+KQqO3MNrDZ0Og";
const SIGNER = "99".repeat(32);

Deno.test("a lock with a pinned log key, log indexes and signers is version 3 and round-trips", () => {
  const v3 = edited((o) => {
    o.lockVersion = 3;
    o.registries = { "http://127.0.0.1:8080": { log: [VKEY] } };
    o.packages["docs:logger"].log = { index: 17 };
    o.packages["docs:logger"].signer = SIGNER;
    o.packages["docs:processor"].log = { index: 0 };
  });
  const lock = parseLock(v3);
  assert.deepEqual(lock.registries, { "http://127.0.0.1:8080": { log: [VKEY] } });
  assert.deepEqual(lock.packages["docs:logger"].log, { index: 17 });
  assert.equal(lock.packages["docs:logger"].signer, SIGNER);
  assert.equal(lock.packages["docs:scrubber"].log, undefined);
  const printed = printLock(lock);
  assert.ok(printed.startsWith('{\n  "lockVersion": 3,\n  "registries": {'), printed);
  assert.match(
    printed,
    /"digest": "sha256:1{64}",\n {6}"log": \{\n {8}"index": 17\n {6}\},\n {6}"signer": "(99){32}",/,
  );
  assert.equal(printLock(parseLock(printed)), printed);
  // A pin alone makes version 3 too; an empty pin list is not written.
  const pinOnly = printLock({
    ...parseLock(LOCK),
    registries: { "http://x.example": { log: [VKEY] } },
  });
  assert.ok(pinOnly.startsWith('{\n  "lockVersion": 3,'), pinOnly);
  assert.equal(
    printLock({ ...parseLock(LOCK), registries: { "http://x.example": { log: [] } } }),
    LOCK,
  );
  // Old locks stay readable and print byte for byte as they were.
  assert.equal(printLock(parseLock(LOCK)), LOCK);
});

Deno.test("parseLock() refuses malformed transparency fields, and v3 fields in older locks", () => {
  assertLockError(
    edited((o) => o.registries = { "http://x.example": { log: [VKEY] } }),
    "unknown-key",
    "registries",
    /registries/,
  );
  assertLockError(
    edited((o) => o.packages["docs:logger"].signer = SIGNER),
    "unknown-key",
    `packages["docs:logger"].signer`,
    /signer/,
  );
  const v3 = (f: Parameters<typeof edited>[0]) =>
    edited((o) => {
      o.lockVersion = 3;
      f(o);
    });
  assertLockError(
    v3((o) => o.registries = { "http://x.example": { log: ["not a key"] } }),
    "invalid-value",
    `registries["http://x.example"].log[0]`,
    /not a log verifier key/,
  );
  assertLockError(
    v3((o) => o.registries = { "http://x.example": { log: [] } }),
    "invalid-value",
    `registries["http://x.example"].log`,
    /non-empty/,
  );
  assertLockError(
    v3((o) => o.packages["docs:logger"].log = { index: -1 }),
    "invalid-value",
    `packages["docs:logger"].log.index`,
    /log index/,
  );
  assertLockError(
    v3((o) => o.packages["docs:logger"].signer = "ABC"),
    "invalid-value",
    `packages["docs:logger"].signer`,
    /key ID/,
  );
});

Deno.test("a lock with sticky signing policies is version 4; without, v3 prints unchanged", () => {
  const url = "http://127.0.0.1:8080";
  const v4 = edited((o) => {
    o.lockVersion = 4;
    o.registries = { [url]: { log: [VKEY], requireSignatures: ["docs", "acme-x", "docs"] } };
  });
  const lock = parseLock(v4);
  assert.deepEqual(lock.registries, {
    [url]: { log: [VKEY], requireSignatures: ["acme-x", "docs"] },
  });
  const printed = printLock(lock);
  assert.ok(printed.startsWith('{\n  "lockVersion": 4,'), printed);
  assert.match(printed, /"requireSignatures": \[\n {8}"acme-x",\n {8}"docs"\n {6}\]/);
  assert.equal(printLock(parseLock(printed)), printed);
  // An empty list is not written: the lock stays version 3.
  const v3 = printLock({ ...lock, registries: { [url]: { log: [VKEY], requireSignatures: [] } } });
  assert.ok(v3.startsWith('{\n  "lockVersion": 3,'), v3);
  assert.ok(!v3.includes("requireSignatures"), v3);
  // The field belongs to version 4; a bad namespace is refused.
  assertLockError(
    edited((o) => {
      o.lockVersion = 3;
      o.registries = { [url]: { log: [VKEY], requireSignatures: ["docs"] } };
    }),
    "unknown-key",
    `registries["${url}"].requireSignatures`,
    /requireSignatures/,
  );
  assertLockError(
    edited((o) => {
      o.lockVersion = 4;
      o.registries = { [url]: { log: [VKEY], requireSignatures: ["Docs:x"] } };
    }),
    "invalid-value",
    `registries["${url}"].requireSignatures[0]`,
    /not a namespace/,
  );
});

Deno.test("a lock with package sizes is version 3; older locks stay readable", () => {
  const v3 = edited((o) => {
    o.lockVersion = 3;
    o.packages["docs:logger"].size = 331;
    o.packages["docs:processor"].size = 0;
  });
  const lock = parseLock(v3);
  assert.equal(lock.packages["docs:logger"].size, 331);
  assert.equal(lock.packages["docs:processor"].size, 0);
  assert.equal(lock.packages["docs:scrubber"].size, undefined);
  const printed = printLock(lock);
  assert.ok(printed.startsWith('{\n  "lockVersion": 3,'), printed);
  assert.match(printed, /"digest": "sha256:1{64}",\n {6}"size": 331,\n {6}"requirements"/);
  assert.equal(printLock(parseLock(printed)), printed);
  // With an OCI manifest too: size, then manifest.
  const both = printLock({
    ...lock,
    packages: {
      ...lock.packages,
      "docs:logger": { ...lock.packages["docs:logger"], manifest: parseDigest(D3) },
    },
  });
  assert.match(both, /"size": 331,\n {6}"manifest": "sha256:3{64}",/);
  assert.equal(printLock(parseLock(both)), both);
  // Version 1 and 2 locks (no sizes) read as before and print unchanged.
  assert.equal(printLock(parseLock(LOCK)), LOCK);
  // A version-2 lock may not carry a size, and a size is a byte count.
  assertLockError(
    edited((o) => {
      o.lockVersion = 2;
      o.packages["docs:logger"].size = 1;
    }),
    "unknown-key",
    `packages["docs:logger"].size`,
    /size/,
  );
  for (const bad of [-1, 1.5, "331", null]) {
    assertLockError(
      edited((o) => {
        o.lockVersion = 3;
        o.packages["docs:logger"].size = bad;
      }),
      "invalid-value",
      `packages["docs:logger"].size`,
      /expected a byte count/,
    );
  }
});

Deno.test("lockFromResolution() records each package's size", async () => {
  const manifest = parseManifest(`{"dependencies": {"docs:processor": "^0.1"}}`);
  const source = memorySource({ "docs:processor": { "0.1.0": {} } });
  const resolution = await resolve({ requirements: requirementsOf(manifest), source });
  const lock = lockFromResolution(resolution, () => ({
    kind: "wit",
    registry: "http://127.0.0.1:8080",
    digest: parseDigest(D1),
    size: 42,
  }));
  assert.equal(lock.packages["docs:processor"].size, 42);
  assert.ok(printLock(lock).startsWith('{\n  "lockVersion": 3,'));
});

Deno.test("parseLock() names the path of each malformed field", () => {
  assertLockError("{]", "invalid-json", "", /^wreg\.lock is not valid JSON/);
  assertLockError(edited((o) => o.extra = 1), "unknown-key", "extra", /unknown key "extra"/);
  assertLockError(
    edited((o) => o.packages["docs:logger"].digest = "sha256:abc"),
    "invalid-value",
    `packages["docs:logger"].digest`,
    /invalid digest "sha256:abc": the hex part has 3 characters/,
  );
  assertLockError(
    edited((o) => o.packages["docs:logger"].kind = "module"),
    "invalid-value",
    `packages["docs:logger"].kind`,
    /expected "component" or "wit"/,
  );
  assertLockError(
    edited((o) => delete o.packages["docs:logger"].registry),
    "missing-field",
    `packages["docs:logger"].registry`,
    `packages["docs:logger"].registry: missing`,
  );
  assertLockError(
    edited((o) => o.packages["docs:logger"].version = "latest"),
    "invalid-value",
    `packages["docs:logger"].version`,
    /invalid version "latest"/,
  );
  assertLockError(
    edited((o) => o.packages["docs:logger"].requirements["wreg.json"] = "^^1"),
    "invalid-value",
    `packages["docs:logger"].requirements["wreg.json"]`,
    /invalid version range "\^\^1"/,
  );
  assertLockError(
    edited((o) => o.packages["docs:logger"].registry = "ftp://x"),
    "invalid-value",
    `packages["docs:logger"].registry`,
    /must use http, https or oci/,
  );
});

Deno.test("parseLock() refuses a lock whose parts do not fit together", () => {
  assertLockError(
    edited((o) => delete o.packages["docs:processor"]),
    "inconsistent",
    `packages["docs:logger"].dependencies["docs:processor"]`,
    /docs:processor is a dependency but is not in "packages"/,
  );
  assertLockError(
    edited((o) => o.packages["docs:processor"].requirements["docs:gone"] = "^1"),
    "inconsistent",
    `packages["docs:processor"].requirements["docs:gone"]`,
    /the requirer docs:gone is not in "packages"/,
  );
  assertLockError(
    edited((o) => o.packages["docs:scrubber"].requirements = {}),
    "inconsistent",
    `packages["docs:scrubber"].requirements`,
    /nothing requires docs:scrubber/,
  );
  assertLockError(
    edited((o) => o.fills["docs:other"] = {}),
    "inconsistent",
    `fills["docs:other"]`,
    /the component docs:other is not in "packages"/,
  );
  assertLockError(
    edited((o) => o.fills["docs:scrubber"]["docs:processor/logger@0.1.0"].version = "0.1.1"),
    "inconsistent",
    `fills["docs:scrubber"]["docs:processor/logger@0.1.0"]`,
    /docs:logger@0\.1\.1 \(sha256:1+\) differs from packages\["docs:logger"\] 0\.1\.2/,
  );
  assertLockError(
    edited((o) => {
      const f = o.fills["docs:scrubber"];
      f["docs:processor/logger"] = f["docs:processor/logger@0.1.0"];
      delete f["docs:processor/logger@0.1.0"];
    }),
    "invalid-value",
    `fills["docs:scrubber"]["docs:processor/logger"]`,
    /a locked import names its version/,
  );
});

const registryData = {
  "docs:logger": {
    "0.1.0": { dependencies: { "docs:processor": "^0.1.0" } },
    "0.1.2": { dependencies: { "docs:processor": "^0.1.0" } },
  },
  "docs:processor": { "0.1.0": {}, "0.2.0": {} },
  "docs:scrubber": { "0.2.0": { dependencies: { "docs:processor": "^0.1" } } },
};
const digests: Record<string, string> = {
  "docs:logger": D1,
  "docs:processor": D2,
  "docs:scrubber": D3,
};
const MANIFEST = parseManifest(JSON.stringify({
  name: "docs:app",
  dependencies: { "docs:processor": "^0.1", "docs:scrubber": "^0.2" },
  fills: { "docs:processor/logger": { package: "docs:logger", range: "^0.1" } },
}));

async function lockFor(manifest = MANIFEST, locked?: Lock): Promise<Lock> {
  const resolution = await resolve({
    requirements: requirementsOf(manifest),
    source: memorySource(registryData),
    locked: locked && lockedVersions(locked),
  });
  return lockFromResolution(
    resolution,
    (p) => ({
      kind: p.name === "docs:processor" ? "wit" : "component",
      registry: "http://127.0.0.1:8080",
      digest: parseDigest(digests[p.name]),
    }),
    { "docs:scrubber": { "docs:processor/logger@0.1.0": "docs:logger" } },
  );
}

Deno.test("lockFromResolution() records what was resolved, and the lock round-trips", async () => {
  const lock = await lockFor();
  assert.equal(printLock(lock), LOCK);
  assert.deepEqual(parseLock(printLock(lock)), lock);
  assert.deepEqual(lockedVersions(lock), {
    "docs:logger": "0.1.2",
    "docs:processor": "0.1.0",
    "docs:scrubber": "0.2.0",
  });
});

Deno.test("lockFromResolution() refuses a fill whose implementation was not resolved", async () => {
  const resolution = await resolve({
    requirements: requirementsOf(MANIFEST),
    source: memorySource(registryData),
  });
  assert.throws(
    () =>
      lockFromResolution(
        resolution,
        () => ({ kind: "wit", registry: "http://x.example", digest: parseDigest(D1) }),
        { "docs:scrubber": { "docs:processor/logger@0.1.0": "docs:other-logger" } },
      ),
    /the implementation docs:other-logger is not part of the resolution/,
  );
});

Deno.test("checkLockCurrent() says how the lock no longer matches wreg.json", async () => {
  const lock = await lockFor();
  assert.deepEqual(checkLockCurrent(MANIFEST, lock), []);
  const changed = parseManifest(JSON.stringify({
    dependencies: { "docs:processor": "^0.2", "docs:new": "^1" },
    fills: { "docs:processor/logger": { package: "docs:other-logger", range: "^1" } },
  }));
  assert.deepEqual(checkLockCurrent(changed, lock).map((p) => `${p.code} ${p.message}`), [
    "missing-requirement wreg.json requires docs:new@^1, which wreg.lock does not hold",
    "missing-requirement wreg.json requires docs:other-logger@^1, which wreg.lock does not hold",
    "changed-requirement wreg.json requires docs:processor@^0.2, but wreg.lock was made for ^0.1",
    "removed-requirement wreg.lock holds docs:logger for wreg.json, which no longer requires it",
    "removed-requirement wreg.lock holds docs:scrubber for wreg.json, which no longer requires it",
    "changed-fill wreg.json fills docs:processor/logger@0.1.0 with docs:other-logger, but wreg.lock has docs:logger",
  ]);
});

Deno.test("resolving again with the lock keeps its versions after the registry moves on", async () => {
  const lock = await lockFor();
  registryData["docs:logger"]["0.1.9" as "0.1.0"] = {
    dependencies: { "docs:processor": "^0.1.0" },
  };
  try {
    assert.equal(printLock(await lockFor(MANIFEST, lock)), LOCK);
    const fresh = await lockFor();
    assert.equal(fresh.packages["docs:logger"].version, "0.1.9");
  } finally {
    delete (registryData["docs:logger"] as Record<string, unknown>)["0.1.9"];
  }
});
