/**
 * The registry as a real server process on 127.0.0.1 (a free port, a temporary data directory):
 * publish and read back over HTTP, clean stop and restart, concurrent publishes of one version
 * and of one package, `wreg serve` through the CLI, and seeding.
 */
import assert from "node:assert/strict";
import { startServer } from "../registry/mod.ts";
import { openStorage, verifyStorage } from "../storage/mod.ts";
import {
  Client,
  component,
  digest,
  PROCESSOR_0_1_1,
  PROCESSOR_WIT,
  ROOT,
  startServerProcess,
  storageSnapshot,
  witPackage,
} from "./registry_support.ts";

const ADMIN = "test-admin-secret-0123";

async function offline<T>(
  dataDir: string,
  body: (s: Awaited<ReturnType<typeof openStorage>>) => Promise<T>,
) {
  const storage = await openStorage({ dataDir });
  try {
    return await body(storage);
  } finally {
    await storage.close();
  }
}

Deno.test("a real server publishes and serves, stops cleanly on SIGTERM and keeps everything across a restart", async () => {
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  try {
    const c = new Client(server.url);
    const alice = await c.token(ADMIN, "alice");
    const wit = witPackage(PROCESSOR_WIT);
    const scrubber = await component(PROCESSOR_WIT, "processor");
    assert.equal((await c.publish(alice, "docs:processor", "0.1.0", wit)).status, 201);
    assert.equal((await c.publish(alice, "docs:scrubber", "0.1.0", scrubber)).status, 201);
    const blob = await c.call("GET", `/api/v1/blobs/${await digest(scrubber)}`);
    assert.deepEqual(blob.bytes, scrubber);
    const range = await c.call("GET", `/api/v1/blobs/${await digest(scrubber)}`, {
      headers: { range: "bytes=0-7" },
    });
    assert.equal(range.status, 206);
    assert.deepEqual(range.bytes, scrubber.subarray(0, 8));
    const world = await c.call("GET", "/api/v1/search?world=docs:processor/processor");
    assert.deepEqual(world.json.results.map((r: { package: string }) => r.package), [
      "docs:scrubber",
    ]);
    assert.equal(await server.stop("SIGTERM"), 0);
    assert.match(server.output(), /wreg registry stopping/);
    assert.match(
      server.output(),
      /GET \/api\/v1\/search\?world=docs:processor\/processor 200 [\d.]+ms/,
    );

    server = await startServerProcess({ dataDir });
    const again = new Client(server.url);
    const pkg = await again.call("GET", "/api/v1/packages/docs/scrubber");
    assert.equal(pkg.json.versions[0].digest, await digest(scrubber));
    const stillAlice = await again.publish(
      alice,
      "docs:processor",
      "0.1.1",
      witPackage(PROCESSOR_0_1_1),
    );
    assert.equal(stillAlice.status, 201, "tokens survive a restart");
    assert.equal(await server.stop("SIGINT"), 0);
  } finally {
    await server.stop("SIGKILL");
  }
  await offline(dataDir, async (storage) => {
    const report = await verifyStorage(storage, { rehash: true });
    assert.equal(report.versions, 3);
    assert.deepEqual([report.missing, report.corrupt], [[], []]);
  });
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("concurrent publishes of one version: exactly one succeeds, the rest get 409, storage stays consistent", async () => {
  const server = await startServerProcess({ args: ["--quiet"] });
  try {
    const c = new Client(server.url);
    const alice = await c.token(ADMIN, "alice");
    // 12 different uploads of docs:processor@0.1.0 (doc comments differ) and 12 identical ones
    // of docs:processor@0.1.1.
    const variants = Array.from(
      { length: 12 },
      (_, i) =>
        witPackage(
          PROCESSOR_WIT.replace("/// Types shared", `/// Variant ${i}.\n/// Types shared`),
        ),
    );
    const same = witPackage(PROCESSOR_0_1_1);
    const answers = await Promise.all([
      ...variants.map((b) => c.publish(alice, "docs:processor", "0.1.0", b)),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(
      statuses,
      [201, ...Array(11).fill(409)],
      answers.map((a) => a.text).join("\n"),
    );
    for (const a of answers.filter((a) => a.status === 409)) {
      assert.equal(a.json.code, "version-exists");
    }
    const winner = answers.find((a) => a.status === 201)!.json.digest;
    const sameAnswers = await Promise.all(
      Array.from({ length: 12 }, () => c.publish(alice, "docs:processor", "0.1.1", same)),
    );
    assert.deepEqual(sameAnswers.map((a) => a.status).sort(), [201, ...Array(11).fill(409)]);

    const pkg = await c.call("GET", "/api/v1/packages/docs/processor");
    assert.deepEqual(pkg.json.versions.map((v: { version: string }) => v.version), [
      "0.1.1",
      "0.1.0",
    ]);
    assert.equal(pkg.json.versions[1].digest, winner);
    const served = await c.call("GET", `/api/v1/blobs/${winner}`);
    assert.equal(await digest(served.bytes), winner);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  await offline(server.dataDir, async (storage) => {
    const snap = await storageSnapshot(storage);
    assert.deepEqual(snap.versions, ["docs:processor@0.1.0", "docs:processor@0.1.1"]);
    assert.equal(snap.blobs.length, 2, "the losers' blobs were removed");
    const report = await verifyStorage(storage, { rehash: true });
    assert.deepEqual([report.missing, report.corrupt], [[], []]);
  });
  await Deno.remove(server.dataDir, { recursive: true });
});

Deno.test("concurrent publishes of one package are gated one at a time", async () => {
  const server = await startServerProcess({ args: ["--quiet"] });
  try {
    const c = new Client(server.url);
    const alice = await c.token(ADMIN, "alice");
    const base = "package docs:api@VERSION;\ninterface api {\n  run: func();\nEXTRA}\n";
    const at = (v: string, extra = "") =>
      witPackage(base.replace("VERSION", v).replace("EXTRA", extra));
    assert.equal((await c.publish(alice, "docs:api", "1.0.0", at("1.0.0"))).status, 201);
    // 1.1.0 adds f, 1.2.0 adds g but not f: whichever commits second breaks the other.
    const [a, b] = await Promise.all([
      c.publish(alice, "docs:api", "1.1.0", at("1.1.0", "  f: func();\n")),
      c.publish(alice, "docs:api", "1.2.0", at("1.2.0", "  g: func();\n")),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409], `${a.text}\n${b.text}`);
    const refused = a.status === 409 ? a : b;
    assert.equal(refused.json.code, "incompatible-change");
    // Compatible versions published at once all succeed.
    const many = await Promise.all(
      Array.from({ length: 8 }, (_, i) => c.publish(alice, "docs:api", `3.0.${i}`, at(`3.0.${i}`))),
    );
    assert.deepEqual(many.map((m) => m.status), Array(8).fill(201));
  } finally {
    assert.equal(await server.stop(), 0);
    await Deno.remove(server.dataDir, { recursive: true });
  }
});

Deno.test("`wreg serve` runs the registry as a child process and forwards SIGTERM and the exit code", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "wreg-serve-cli-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${ROOT}/deno.json`,
      `${ROOT}/cli/main.ts`,
      "serve",
      "--port",
      "0",
      "--data",
      dataDir,
      "--admin-token",
      ADMIN,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (!/listening on (http:\S+)/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const url = /listening on (http:\/\/[0-9.:]+)/.exec(out)![1];
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 0);
    await fetch(`${url}/healthz`).then(
      () => assert.fail("the server still answers after the CLI stopped"),
      () => {},
    );
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await reader.cancel();
    await child.stderr.cancel();
    await child.status;
    await Deno.remove(dataDir, { recursive: true });
  }
  const bad = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${ROOT}/deno.json`,
      `${ROOT}/cli/main.ts`,
      "serve",
      "--port",
      "x",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /invalid --port "x"/);
});

Deno.test("seeding publishes the example packages once; a restart finds them and reads no file", async () => {
  const root = await Deno.makeTempDir({ prefix: "wreg-seed-root-" });
  const dataDir = await Deno.makeTempDir({ prefix: "wreg-seed-data-" });
  try {
    await Deno.mkdir(`${root}/examples/processor/wit`, { recursive: true });
    await Deno.mkdir(`${root}/examples/dist`, { recursive: true });
    await Deno.writeTextFile(`${root}/examples/processor/wit/processor.wit`, PROCESSOR_WIT);
    await Deno.writeFile(
      `${root}/examples/dist/scrubber-c.wasm`,
      await component(PROCESSOR_WIT, "processor"),
    );
    await Deno.writeFile(
      `${root}/examples/dist/logger-js.wasm`,
      await component(PROCESSOR_WIT, "log-sink"),
    );
    // scrubber-py is missing and cannot be built here (no examples/build.ts in this root).
    const lines: string[] = [];
    const first = await startServer({
      port: 0,
      dataDir,
      adminToken: ADMIN,
      seedExamples: true,
      seedRoot: root,
      log: (l) => lines.push(l),
    });
    try {
      assert.deepEqual(first.seeded.map((s) => [s.name, s.status]), [
        ["docs:processor", "published"],
        ["docs:scrubber-c", "published"],
        ["docs:logger-js", "published"],
        ["docs:scrubber-py", "missing"],
      ]);
      assert.ok(lines.some((l) => /deno task examples/.test(l)), lines.join("\n"));
      const c = new Client(first.url);
      const world = await c.call("GET", "/api/v1/search?world=docs:processor/processor@0.1.0");
      assert.deepEqual(world.json.results.map((r: { package: string }) => r.package), [
        "docs:scrubber-c",
      ]);
      const ns = await c.call("GET", "/api/v1/namespaces/docs");
      assert.deepEqual(ns.json.members.map((m: { user: string }) => m.user), ["wreg"]);
    } finally {
      await first.shutdown();
    }
    // Already seeded: nothing is read again (the files are gone) and nothing fails.
    await Deno.remove(`${root}/examples`, { recursive: true });
    const second = await startServer({
      port: 0,
      dataDir,
      adminToken: ADMIN,
      seedExamples: true,
      seedRoot: root,
    });
    try {
      assert.deepEqual(second.seeded.map((s) => s.status), [
        "present",
        "present",
        "present",
        "missing",
      ]);
      const stats = await new Client(second.url).call("GET", "/api/v1/stats");
      assert.equal(stats.json.versions, 3);
    } finally {
      await second.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a second server on the same data directory refuses to start", async () => {
  const server = await startServerProcess({ args: ["--quiet"] });
  try {
    await assert.rejects(
      startServerProcess({ dataDir: server.dataDir }),
      /another wreg process is using it/,
    );
  } finally {
    assert.equal(await server.stop(), 0);
    await Deno.remove(server.dataDir, { recursive: true });
  }
});
