/**
 * Golden tests of `wreg check`: stdout, stderr and exit code of runs on the corpus, compared with
 * the files in tests/golden/check/. Refresh them with `WREG_UPDATE_GOLDEN=1 deno test -A
 * tests/compat_cli_golden_test.ts` and review the diff. Also: `ns:name@version` inputs fetched
 * from a registry served in-process (document, content, digest check, errors).
 */
import assert from "node:assert/strict";
import { type Io, runWreg } from "../cli/mod.ts";
import { encodeWitPackage } from "../lib/component/mod.ts";
import { digestOf } from "../lib/names/mod.ts";
import { CORPUS, loadTree } from "./compat_support.ts";

const GOLDEN = new URL("./golden/check/", import.meta.url).pathname;
const UPDATE = Deno.env.get("WREG_UPDATE_GOLDEN") === "1";

const KV_OLD = "wasmCloud/rev-6a4eeca52/wit/keyvalue/wit";
const KV_NEW = "wasmCloud/wit/keyvalue/wit";
const KV_COPY = "wasmCloud/crates/wash-runtime/wit/deps/wasmcloud-keyvalue-0.2.0";
const PG3 = "spin/wit/deps/spin-postgres@3.0.0";
const PG4 = "spin/wit/deps/spin-postgres@4.0.0";
const ADDER = "jco/examples/transpile/adder/adder.wasm";

/** Case name → arguments after `wreg`. */
const CASES: Record<string, string[]> = {
  "help": ["check", "--help"],
  "wasi-0.2.0-to-0.2.3": ["check", "wasi-http/v0.2.0/wit", "wasi-http/v0.2.3/wit"],
  "wasi-0.2.0-to-0.2.3-json": ["check", "--json", "wasi-http/v0.2.0/wit", "wasi-http/v0.2.3/wit"],
  "wasi-world-proxy-verbose": [
    "check",
    "--verbose",
    "--world",
    "proxy",
    "wasi-http/v0.2.0/wit",
    "wasi-http/v0.2.3/wit",
  ],
  "wasi-interface-types": [
    "check",
    "--interface",
    "types",
    "wasi-http/v0.2.0/wit",
    "wasi-http/v0.2.3/wit",
  ],
  "spin-postgres-3-to-4": ["check", PG3, PG4],
  "spin-postgres-3-to-4-json": ["check", "--json", PG3, PG4],
  "spin-postgres-4-to-3": ["check", PG4, PG3],
  "keyvalue-0.1.0-to-0.2.0": ["check", KV_OLD, KV_NEW],
  "keyvalue-same-version-changed": ["check", KV_COPY, KV_NEW],
  "keyvalue-same-version-changed-json": ["check", "--json", KV_COPY, KV_NEW],
  "identical": ["check", PG4, PG4],
  "select-package": ["check", "spin/wit#spin:up@3.2.0", "spin/wit#spin:up@3.4.0"],
  "binary-wit-package-vs-text": [
    "check",
    "spin/crates/compose/deny-all/wit/deps/wasi/clocks.wasm",
    "wasi-http/v0.2.3/wit#wasi:clocks",
  ],
  "components-compatible": [
    "check",
    ADDER,
    "component-docs/component-model/examples/example-host/add.wasm",
  ],
  "components-breaking": [
    "check",
    ADDER,
    "component-docs/component-model/examples/tutorial/jco/calculator.composed.wasm",
  ],
  "error-no-arguments": ["check"],
  "error-missing-file": ["check", "no/such/dir", PG4],
  "error-component-vs-wit": ["check", ADDER, PG4],
  "error-registry-not-configured": ["check", "spin:postgres@3.0.0", PG4],
  "error-unknown-package": ["check", "spin/wit#spin:nothing", PG4],
  "error-ambiguous-package": ["check", "spin/wit#spin:up", PG4],
  "error-world-and-interface": ["check", "--world", "w", "--interface", "i", PG3, PG4],
  "error-unknown-world": ["check", "--world", "nope", PG3, PG4],
  "error-invalid-wit": [
    "check",
    "wasm-tools/crates/wit-parser/tests/ui/parse-fail/bad-list2.wit",
    PG4,
  ],
};

function captureIo(env: Record<string, string> = {}): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      cwd: CORPUS.replace(/\/$/, ""),
      env,
      isTerminal: false,
    },
    out,
    err,
  };
}

for (const [name, args] of Object.entries(CASES)) {
  Deno.test(`wreg ${args.join(" ")} prints what tests/golden/check/${name}.txt holds`, async () => {
    const { io, out, err } = captureIo();
    const code = await runWreg(args, io);
    const actual = `$ wreg ${args.join(" ")}\nexit: ${code}\n--- stdout\n${out.join("")}` +
      `--- stderr\n${err.join("")}`;
    const file = `${GOLDEN}${name}.txt`;
    if (UPDATE) {
      await Deno.mkdir(GOLDEN, { recursive: true });
      await Deno.writeTextFile(file, actual);
      return;
    }
    const expected = await Deno.readTextFile(file);
    assert.equal(actual, expected, `golden ${name}.txt differs; refresh with WREG_UPDATE_GOLDEN=1`);
  });
}

Deno.test("wreg check --json prints exactly compatible, bump, release, versions and changes of path, kind, breaking, old, new", async () => {
  const { io, out } = captureIo();
  const code = await runWreg(["check", "--json", PG3, PG4], io);
  assert.equal(code, 1);
  const json = JSON.parse(out.join(""));
  assert.deepEqual(Object.keys(json), ["compatible", "bump", "release", "versions", "changes"]);
  assert.equal(json.compatible, false);
  assert.equal(json.bump, "major");
  assert.deepEqual(json.release, {
    part: "major",
    next: "4.0.0",
    series: "3",
    advice: "breaking changes need a major bump",
  });
  assert.equal(json.versions.allowed, true);
  for (const c of json.changes) {
    assert.deepEqual(Object.keys(c), ["path", "kind", "breaking", "old", "new"]);
  }
});

Deno.test("wreg check of WASI 0.2.0 → 0.2.3: compatible, a patch release of the 0.2 series", async () => {
  const { io, out } = captureIo();
  const code = await runWreg(
    ["check", "--json", `${CORPUS}wasi-http/v0.2.0/wit`, `${CORPUS}wasi-http/v0.2.3/wit`],
    io,
  );
  assert.equal(code, 0);
  const json = JSON.parse(out.join(""));
  assert.equal(json.compatible, true);
  assert.equal(json.release.part, "patch");
  assert.equal(json.release.series, "0.2");
  assert.equal(json.versions.allowed, true);
  assert.doesNotMatch(json.versions.message, / but /);
});

// ------------------------------------------------------------------ registry inputs

/** Serves one package version like the registry's API, with the digest it lists. */
async function withRegistry(
  digestFor: (bytes: Uint8Array) => Promise<string>,
  f: (base: string) => Promise<void>,
): Promise<void> {
  const tree = await loadTree(PG3);
  const bytes = encodeWitPackage(tree.resolve, tree.package);
  const digest = await digestFor(bytes);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/v1/packages/spin/postgres/3.0.0") {
      return Response.json({ package: "spin:postgres", version: "3.0.0", digest });
    }
    if (path === "/api/v1/packages/spin/postgres/3.0.0/content") {
      return new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": "application/wasm" },
      });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  });
  try {
    await f(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("wreg check fetches ns:name@version from WREG_REGISTRY and checks its digest", async () => {
  await withRegistry(digestOf, async (base) => {
    const { io, out, err } = captureIo({ WREG_REGISTRY: base });
    const code = await runWreg(["check", "spin:postgres@3.0.0", PG4], io);
    assert.equal(err.join(""), "");
    assert.equal(code, 1);
    const text = out.join("");
    assert.match(text, /^old: spin:postgres@3\.0\.0 \(WIT package\)/);
    assert.match(text, /spin:postgres\/postgres\.error\.query-failed: case payload changed/);
    assert.match(text, /Versions: 3\.0\.0 → 4\.0\.0 is a major bump/);
  });
});

Deno.test("wreg check refuses registry bytes that do not match the listed digest", async () => {
  await withRegistry(() => Promise.resolve(`sha256:${"0".repeat(64)}`), async (base) => {
    const { io, err } = captureIo({ WREG_REGISTRY: base });
    const code = await runWreg(["check", "spin:postgres@3.0.0", PG4], io);
    assert.equal(code, 6);
    assert.match(err.join(""), /its bytes hash to sha256:[0-9a-f]{64} but the registry lists/);
  });
});

Deno.test("wreg check reports a version the registry does not have", async () => {
  await withRegistry(digestOf, async (base) => {
    const { io, err } = captureIo({ WREG_REGISTRY: base });
    const code = await runWreg(["check", "spin:postgres@9.0.0", PG4], io);
    assert.equal(code, 5);
    assert.equal(
      err.join(""),
      'error: Cannot fetch "spin:postgres@9.0.0": the registry answered 404 (no such package version)\n',
    );
  });
});

Deno.test("wreg check says when the registry cannot be reached", async () => {
  const { io, err } = captureIo({ WREG_REGISTRY: "http://127.0.0.1:9" });
  const code = await runWreg(["check", "spin:postgres@3.0.0", PG4], io);
  assert.equal(code, 3);
  assert.match(err.join(""), /^error: Cannot reach the registry at http:\/\/127\.0\.0\.1:9/);
});
