/**
 * kill -9 during a stream of publishes: a real server takes publishes from several clients at once
 * and is killed with SIGKILL while they are in flight, three times over on one data directory.
 * After each restart: the server starts cleanly, every publish that was acknowledged (201) is
 * there with bytes that hash to its digest, and every version the API shows is whole; and the
 * transparency log agrees with the versions (issue 16): the restarted server's signed checkpoint
 * covers every entry, each version has exactly one release entry (with its digest, at the index
 * its document names) and each release entry is a version the API shows.
 */
import assert from "node:assert/strict";
import { openStorage, verifyStorage } from "../storage/mod.ts";
import { Client, digest, startServerProcess, witPackage } from "./registry_support.ts";
import { decodeEntryBundle, entryBundlesOfSize, formatTilePath } from "../lib/tlog/mod.ts";

const ADMIN = "test-admin-secret-0123";
const WORKERS = 4;
const ROUNDS = 3;

/** A WIT package of about 128 KiB (a long doc comment), distinct per version. */
function release(version: string): Uint8Array {
  const filler = `/// ${version} `.repeat(128 * 1024 / (version.length + 5));
  return witPackage(
    `package docs:crash@${version};\n${filler}\ninterface api {\n  run: func(input: string) -> string;\n}\n`,
  );
}

Deno.test("after kill -9 mid-publish, every acknowledged publish survives whole and the server restarts cleanly", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "wreg-crash-" });
  const acknowledged = new Map<string, string>(); // version → digest
  let next = 0;
  let token = "";
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServerProcess({ dataDir, args: ["--quiet"] });
      const c = new Client(server.url);
      if (token === "") token = await c.token(ADMIN, "alice");
      let stop = false;
      let attempted = 0;
      const worker = async () => {
        while (!stop) {
          const version = `0.1.${next++}`;
          const bytes = release(version);
          attempted++;
          try {
            const a = await c.publish(token, "docs:crash", version, bytes);
            if (a.status === 201) acknowledged.set(version, a.json.digest);
            else assert.fail(`publish ${version}: ${a.status} ${a.text}`);
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e;
            return; // the connection died with the server
          }
        }
      };
      const before = acknowledged.size;
      const workers = Array.from({ length: WORKERS }, worker);
      // Let a few publishes land, then kill in the middle of the stream.
      while (acknowledged.size < before + 8 + round * 4) {
        await new Promise((r) => setTimeout(r, 5));
      }
      server.child.kill("SIGKILL");
      stop = true;
      await Promise.all(workers);
      const code = await server.stop("SIGKILL");
      assert.notEqual(code, 0, "the server was killed");
      assert.ok(attempted > acknowledged.size - before, "publishes were in flight at the kill");

      // Restart on the same data directory and check what survived.
      const again = await startServerProcess({ dataDir, args: ["--quiet"] });
      try {
        const r = new Client(again.url);
        const pkg = await r.call("GET", "/api/v1/packages/docs/crash");
        assert.equal(pkg.status, 200);
        const listed = new Map<string, string>(
          pkg.json.versions.map((v: { version: string; digest: string }) => [v.version, v.digest]),
        );
        for (const [version, d] of acknowledged) {
          assert.equal(listed.get(version), d, `acknowledged ${version} is listed with its digest`);
        }
        for (const [version, d] of listed) {
          const doc = await r.call("GET", `/api/v1/packages/docs/crash/${version}`);
          assert.equal(doc.status, 200);
          assert.equal(doc.json.digest, d);
          const blob = await r.call("GET", `/api/v1/blobs/${d}`);
          assert.equal(blob.status, 200, `the blob of visible ${version} is there`);
          assert.equal(await digest(blob.bytes), d, `the blob of visible ${version} is whole`);
        }
        // No entry without its version, no version without its entry.
        const size = Number((await r.call("GET", "/log/checkpoint")).text.split("\n")[1]);
        const entries: string[] = [];
        for (const t of entryBundlesOfSize(size)) {
          const b = await r.call("GET", `/log/${formatTilePath(t)}`);
          assert.equal(b.status, 200);
          for (const e of decodeEntryBundle(b.bytes, t.width)) {
            entries.push(new TextDecoder().decode(e));
          }
        }
        const released = new Map<string, string>();
        for (const e of entries) {
          const m = /^wreg-release\/v1 docs:crash (\S+) (\S+) -\n$/.exec(e);
          assert.ok(m, `an entry of this log is a release of docs:crash: ${e}`);
          assert.ok(!released.has(m[1]), `one entry per version (${m[1]})`);
          released.set(m[1], m[2]);
        }
        assert.deepEqual(released, listed, "the log's releases are the versions listed");
        for (const version of [...listed.keys()].slice(0, 5)) {
          const doc = await r.call("GET", `/api/v1/packages/docs/crash/${version}`);
          assert.equal(entries[doc.json.log.index], doc.json.log.entry);
        }
        // The registry keeps working after the crash.
        const v = `0.1.${next++}`;
        const after = await r.publish(token, "docs:crash", v, release(v));
        assert.equal(after.status, 201, after.text);
        acknowledged.set(v, after.json.digest);
      } finally {
        assert.equal(await again.stop(), 0);
      }
    }
    const storage = await openStorage({ dataDir });
    try {
      const report = await verifyStorage(storage, { rehash: true });
      assert.ok(report.versions >= acknowledged.size);
      assert.deepEqual([report.missing, report.corrupt], [[], []]);
    } finally {
      await storage.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
