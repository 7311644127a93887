/**
 * lib/compat on real version pairs of the corpus (see ../shared/corpus/MANIFEST.md, "Best pairs
 * for a compatibility checker"): verdicts, the changes named, and for WASI 0.2.0 → 0.2.3 every
 * world and interface checked beside the native `wasm-tools component semver-check`.
 */
import assert from "node:assert/strict";
import {
  type Change,
  checkComponentCompat,
  checkInterfaceCompat,
  checkPackageCompat,
  checkVersions,
  checkWorldCompat,
  type CompatReport,
} from "../lib/compat/mod.ts";
import { decodeComponent, encodeWitPackage } from "../lib/component/mod.ts";
import { parseVersion } from "../lib/names/mod.ts";
import {
  CORPUS,
  loadTree,
  type NativePair,
  packageName,
  type Tree,
  writeSideBySide,
} from "./compat_support.ts";
import { runWasmTools } from "./support/wasm_tools.ts";

const tag = (c: Change) => `${c.kind} ${c.path}${c.breaking ? " !" : ""}`;

function check(a: Tree, b: Tree): CompatReport {
  return checkPackageCompat(a.resolve, a.package, b.resolve, b.package);
}

function has(r: CompatReport, ...tags: string[]) {
  const got = r.changes.map(tag);
  for (const t of tags) assert.ok(got.includes(t), `missing "${t}" in\n${got.join("\n")}`);
}

// ------------------------------------------------------------------ WASI 0.2.0 → 0.2.3

const WASI_OLD = "wasi-http/v0.2.0/wit";
const WASI_NEW = "wasi-http/v0.2.3/wit";
const WASI_PACKAGES = ["io", "clocks", "random", "filesystem", "sockets", "cli", "http"];

Deno.test("WASI 0.2.0 → 0.2.3: every package is compatible; wasi:http adds (a patch step of 0.2)", async () => {
  const [old, neu] = [await loadTree(WASI_OLD), await loadTree(WASI_NEW)];
  for (const name of WASI_PACKAGES) {
    const a = {
      resolve: old.resolve,
      package: old.resolve.packageNames.get(`wasi:${name}@0.2.0`)!,
    };
    const b = {
      resolve: neu.resolve,
      package: neu.resolve.packageNames.get(`wasi:${name}@0.2.3`)!,
    };
    const r = check(a, b);
    assert.equal(
      r.compatible,
      true,
      `wasi:${name}: ${r.changes.filter((c) => c.breaking).map(tag)}`,
    );
  }
  const http = check(old, neu);
  assert.equal(http.bump, "minor");
  has(http, "added-world wasi:http/imports", "added-type wasi:http/types.field-name");
  has(http, "deprecated wasi:http/types.field-key");
  const fieldName = http.changes.find((c) => c.path === "wasi:http/types.field-name")!;
  assert.equal(fieldName.new, "@since(version = 0.2.1) type field-name = field-key");
  // In a 0.2 series additions are a patch step: the declared versions allow them, as the
  // registry's gate does (issue 19, item 4).
  const verdict = checkVersions(parseVersion("0.2.0"), parseVersion("0.2.3"), http);
  assert.equal(verdict.allowed, true);
  assert.equal(
    verdict.message,
    "0.2.0 → 0.2.3 is a patch bump, enough: additions need a patch bump in a 0.2 series",
  );
});

Deno.test("WASI 0.2.0 → 0.2.3: @unstable additions appear only when their features are on", async () => {
  const old = await loadTree(WASI_OLD, "wasi:cli@0.2.0");
  const off = await loadTree(WASI_NEW, "wasi:cli@0.2.3");
  const on = await loadTree(WASI_NEW, "wasi:cli@0.2.3", { allFeatures: true });
  assert.ok(!check(old, off).changes.some((c) => c.path === "wasi:cli/exit.exit-with-code"));
  const r = check(old, on);
  assert.equal(r.compatible, true);
  has(r, "added-function wasi:cli/exit.exit-with-code");
});

Deno.test("WASI 0.2.0 → 0.2.3: every world and interface agrees with wasm-tools semver-check", async () => {
  const [old, neu] = [await loadTree(WASI_OLD), await loadTree(WASI_NEW)];
  const pairs: NativePair[] = [];
  const ours: boolean[] = [];
  for (const name of WASI_PACKAGES) {
    const a = old.resolve.packages[old.resolve.packageNames.get(`wasi:${name}@0.2.0`)!];
    const b = neu.resolve.packages[neu.resolve.packageNames.get(`wasi:${name}@0.2.3`)!];
    for (const [w, ow] of a.worlds) {
      const nw = b.worlds.get(w);
      if (nw === undefined) continue;
      pairs.push({ kind: "world", old: `wasi:${name}/${w}@0.2.0`, new: `wasi:${name}/${w}@0.2.3` });
      ours.push(checkWorldCompat(old.resolve, ow, neu.resolve, nw).compatible);
    }
    for (const [i, oi] of a.interfaces) {
      const ni = b.interfaces.get(i);
      if (ni === undefined) continue;
      pairs.push({
        kind: "interface",
        old: `wasi:${name}/${i}@0.2.0`,
        new: `wasi:${name}/${i}@0.2.3`,
      });
      ours.push(checkInterfaceCompat(old.resolve, oi, neu.resolve, ni).compatible);
    }
  }
  assert.ok(pairs.length >= 39, `${pairs.length} pairs`);
  const dir = await writeSideBySide(WASI_OLD, WASI_NEW, pairs);
  try {
    for (const [i, p] of pairs.entries()) {
      const out = await runWasmTools([
        "component",
        "semver-check",
        dir,
        "--prev",
        `prev-${i}`,
        "--new",
        `new-${i}`,
      ]);
      assert.equal(out.success, true, `${p.old}: ${out.stderr}`);
      assert.equal(ours[i], out.success, `${p.old} → ${p.new}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------ breaking pairs

Deno.test("spin:postgres 3.0.0 → 4.0.0 breaks, and names what changed", async () => {
  const a = await loadTree("spin/wit/deps/spin-postgres@3.0.0");
  const b = await loadTree("spin/wit/deps/spin-postgres@4.0.0");
  const r = check(a, b);
  assert.equal(r.compatible, false);
  has(
    r,
    "changed-case spin:postgres/postgres.error.query-failed !",
    "changed-type spin:postgres/postgres.db-data-type !",
    "changed-case spin:postgres/postgres.db-value.unsupported !",
    "added-case spin:postgres/postgres.db-value.uuid !",
    "added-case spin:postgres/postgres.parameter-value.jsonb !",
    "added-type spin:postgres/postgres.interval",
    "added-type spin:postgres/postgres.query-error",
  );
  const qf = r.changes.find((c) => c.path === "spin:postgres/postgres.error.query-failed")!;
  assert.equal(qf.old, "query-failed(string)");
  assert.equal(qf.new, "query-failed(query-error)");
  const v = checkVersions(parseVersion("3.0.0"), parseVersion("4.0.0"), r);
  assert.equal(v.allowed, true);
});

Deno.test("wasmcloud:keyvalue 0.1.0 → 0.2.0 breaks: u64 → s64 and a resource moved", async () => {
  const a = await loadTree("wasmCloud/rev-6a4eeca52/wit/keyvalue/wit");
  const b = await loadTree("wasmCloud/wit/keyvalue/wit");
  assert.equal(packageName(a), "wasmcloud:keyvalue@0.1.0");
  const r = check(a, b);
  assert.equal(r.compatible, false);
  has(
    r,
    "changed-param wasmcloud:keyvalue/atomics.increment.delta !",
    "changed-result wasmcloud:keyvalue/atomics.increment.result !",
    "moved-resource wasmcloud:keyvalue/store.bucket !",
    "removed-function wasmcloud:keyvalue/store.bucket.get !",
    "added-interface wasmcloud:keyvalue/types",
  );
  const delta = r.changes.find((c) => c.path === "wasmcloud:keyvalue/atomics.increment.delta")!;
  assert.deepEqual([delta.old, delta.new], ["u64", "s64"]);
  const moved = r.changes.find((c) => c.kind === "moved-resource")!;
  assert.deepEqual([moved.old, moved.new], [
    "wasmcloud:keyvalue/store.bucket",
    "wasmcloud:keyvalue/types.bucket",
  ]);
});

Deno.test("wasmcloud:keyvalue 0.2.0 exists twice with different docs: the same version changed", async () => {
  const a = await loadTree("wasmCloud/crates/wash-runtime/wit/deps/wasmcloud-keyvalue-0.2.0");
  const b = await loadTree("wasmCloud/wit/keyvalue/wit");
  const r = check(a, b);
  assert.equal(r.compatible, true);
  assert.deepEqual(r.changes.map(tag), ["changed-docs wasmcloud:keyvalue/atomics.increment"]);
  const v = checkVersions(parseVersion("0.2.0"), parseVersion("0.2.0"), r);
  assert.equal(v.sameVersionChanged, true);
});

/** Pairs of packages inside one resolution, with the verdict and a change that must be named. */
const IN_TREE: [string, string, string, boolean, string][] = [
  ["spin/wit", "fermyon:spin", "fermyon:spin@2.0.0", false, "removed-import fermyon:spin/config !"],
  [
    "spin/wit",
    "fermyon:spin@2.0.0",
    "fermyon:spin@3.0.0",
    false,
    "removed-interface fermyon:spin/key-value !",
  ],
  // 3.4.0 no longer imports WASI 0.2.3 (only 0.2.0), losing 0.2.3's `field-name`.
  [
    "spin/wit",
    "spin:up@3.2.0",
    "spin:up@3.4.0",
    false,
    "removed-type wasi:http/types.field-name !",
  ],
  // 3.5.0's http-trigger exports the 0.3 handler too: components for 3.4.0 lack it.
  ["spin/wit", "spin:up@3.4.0", "spin:up@3.5.0", false, "added-export wasi:http/handler !"],
  [
    "spin/wit",
    "wasi:http@0.2.0-rc-2023-10-18",
    "wasi:http@0.2.0-rc-2023-11-10",
    false,
    "removed-function wasi:io/poll.poll-list !",
  ],
  [
    "spin/wit",
    "wasi:http@0.2.0-rc-2023-11-10",
    "wasi:http@0.2.0",
    false,
    "changed-version wasi:io/poll !",
  ],
  ["spin/wit", "wasi:io@0.2.0-rc-2023-11-10", "wasi:io@0.2.0", true, ""],
  ["spin/wit", "wasi:cli@0.2.0", "wasi:cli@0.2.3", true, "changed-version wasi:io/streams"],
  ["jco/examples/components/http-hello-world/wit", "wasi:http@0.2.3", "wasi:http@0.2.4", true, ""],
];

for (const [root, from, to, ok, named] of IN_TREE) {
  Deno.test(`${from} → ${to} is ${ok ? "compatible" : "breaking"}`, async () => {
    const r = check(await loadTree(root, from), await loadTree(root, to));
    assert.equal(r.compatible, ok, r.changes.filter((c) => c.breaking).map(tag).join("\n"));
    if (named !== "") has(r, named);
  });
}

/** Pairs across two folders. */
const ACROSS: [string, string | undefined, string, string | undefined, boolean, string][] = [
  [
    "wasmCloud/crates/wash-runtime/wit/deps/wasmcloud-messaging-0.2.0",
    undefined,
    "wasmCloud/wit/messaging/wit",
    undefined,
    false,
    "changed-async wasmcloud:messaging/handler.handle-message !",
  ],
  [
    "wasmCloud/crates/wash-runtime/wit/deps/wasmcloud-postgres-0.1.1-draft",
    undefined,
    "wasmCloud/wit/postgres/wit",
    undefined,
    false,
    "removed-type wasmcloud:postgres/types.query-error !",
  ],
  [
    WASI_NEW,
    undefined,
    "wasi-http/v0.3.0-rc-2025-09-16/wit-0.3.0-draft",
    undefined,
    false,
    "removed-import wasi:io/poll !",
  ],
  [
    "wasi-keyvalue/v0.2.0-draft/wit",
    undefined,
    "spin/wit",
    "wasi:keyvalue@0.2.0-draft2",
    false,
    "changed-param wasi:keyvalue/atomics.increment.delta !",
  ],
  [
    "wasi-config/v0.2.0-draft/wit",
    undefined,
    "wasmCloud/crates/wash-runtime/wit/deps/wasi-config-0.2.0-rc.1",
    undefined,
    true,
    "",
  ],
  [
    "jco/examples/components/http-hello-world/wit",
    "wasi:cli@0.2.3",
    "jco/examples/components/ts-resource-export/wit",
    "wasi:cli@0.2.7",
    true,
    "",
  ],
];

for (const [ap, an, bp, bn, ok, named] of ACROSS) {
  Deno.test(`${an ?? ap} → ${bn ?? bp} is ${ok ? "compatible" : "breaking"}`, async () => {
    const a = await loadTree(ap, an), b = await loadTree(bp, bn);
    const r = check(a, b);
    assert.equal(r.compatible, ok, r.changes.filter((c) => c.breaking).map(tag).join("\n"));
    if (named !== "") has(r, named);
  });
}

Deno.test("wasi:config 0.2.0-draft and 0.2.0-rc.1 are the same interface", async () => {
  const a = await loadTree("wasi-config/v0.2.0-draft/wit");
  const b = await loadTree("wasmCloud/crates/wash-runtime/wit/deps/wasi-config-0.2.0-rc.1");
  assert.deepEqual(check(a, b).changes, []);
});

// ------------------------------------------------------------------ components

function component(path: string) {
  const d = decodeComponent(Deno.readFileSync(`${CORPUS}${path}`));
  return { resolve: d.resolve, world: d.world! };
}

Deno.test("two builds of the adder component are interchangeable", () => {
  const a = component("jco/examples/transpile/adder/adder.wasm");
  const b = component("component-docs/component-model/examples/example-host/add.wasm");
  const r = checkComponentCompat(a.resolve, a.world, b.resolve, b.world);
  assert.equal(r.compatible, true);
  assert.deepEqual(r.changes.filter((c) => c.bump !== "patch"), []);
});

Deno.test("a component that stops exporting docs:adder/add is not a successor", () => {
  const a = component("jco/examples/transpile/adder/adder.wasm");
  const b = component(
    "component-docs/component-model/examples/tutorial/jco/calculator.composed.wasm",
  );
  const r = checkComponentCompat(a.resolve, a.world, b.resolve, b.world);
  assert.equal(r.compatible, false);
  has(r, "removed-export docs:adder/add !", "added-export docs:calculator/calculate");
});

// ------------------------------------------------------------------ text and binary

Deno.test("a WIT package and its binary encoding are the same to lib/compat, both ways", async () => {
  const UI = "wasm-tools/crates/wit-parser/tests/ui";
  const roots = [
    ...[...Deno.readDirSync(`${CORPUS}${UI}`)]
      .map((e) => e.name)
      .filter((n) => n.endsWith(".wit") || (!n.includes(".") && n !== "parse-fail"))
      .map((n) => `${UI}/${n}`),
    WASI_OLD,
    WASI_NEW,
  ].sort();
  let compared = 0;
  const differences: string[] = [];
  for (const root of roots) {
    let tree: Tree;
    try {
      tree = await loadTree(root, undefined, { allFeatures: true });
    } catch {
      continue; // a case wit-parser rejects too, or that needs what lib/wit does not read
    }
    for (let p = 0; p < tree.resolve.packages.length; p++) {
      let bytes: Uint8Array;
      try {
        bytes = encodeWitPackage(tree.resolve, p);
      } catch {
        continue; // types the binary format forbids (an empty record, …)
      }
      const d = decodeComponent(bytes);
      if (d.kind !== "wit-package") continue; // an empty package encodes as a component
      const there = checkPackageCompat(tree.resolve, p, d.resolve, d.package!);
      const back = checkPackageCompat(d.resolve, d.package!, tree.resolve, p);
      for (const c of [...there.changes, ...back.changes]) {
        if (c.bump !== "patch") differences.push(`${root}: ${tag(c)}`);
      }
      compared++;
    }
  }
  assert.ok(compared >= 110, `only ${compared} packages compared`);
  assert.deepEqual(differences, []);
});
