/**
 * `wreg admin migrate` and `wreg admin gc` on real storage: an embedded registry seeded through
 * its API is moved into PostgreSQL + S3 and compared through the API of a server on each; gc
 * removes only what nothing references or holds.
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import {
  collectGarbage,
  openConfiguredStorage,
  openPostgresMetadataStore,
  verifyStorage,
} from "../storage/mod.ts";
import { runWreg } from "../cli/mod.ts";
import {
  Client,
  component,
  startServerProcess,
  withCustomSections,
  witPackage,
} from "./registry_support.ts";
import { dropSchema, scaledStorage, startCluster } from "./support/cluster.ts";
import { serviceTest } from "./support/services.ts";

const NEEDS: ("postgres" | "s3")[] = ["postgres", "s3"];

async function wreg(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const code = await runWreg(args, {
    cwd: Deno.cwd(),
    env: { ...Deno.env.toObject(), ...env },
    isTerminal: false,
    stdout: (s) => out.push(s),
    stderr: (s) => out.push(s),
  });
  return { code, out: out.join("") };
}

const WIT = `package docs:moved@1.0.0;

interface greet {
  hello: func() -> string;
}

world greeter {
  export greet;
}
`;

/** Every answer a client can see of the seeded registry, for comparison. */
async function snapshot(c: Client, admin: string, tokens: Record<string, string>) {
  const get = async (path: string, token?: string) => {
    const a = await c.call("GET", path, { token });
    return { status: a.status, body: a.json ?? a.text, etag: a.headers.get("etag") };
  };
  const out: Record<string, unknown> = {};
  for (const p of ["docs/moved", "docs/greeter", "acme/tool"]) {
    out[`package ${p}`] = await get(`/api/v1/packages/${p}`);
    out[`index ${p}`] = await get(`/api/v1/packages/${p}/index`);
    const doc = (await c.call("GET", `/api/v1/packages/${p}`)).json;
    for (const v of doc.versions) {
      out[`version ${p}@${v.version}`] = await get(`/api/v1/packages/${p}/${v.version}`);
      const blob = await c.call("GET", `/api/v1/blobs/${v.digest}`);
      out[`blob ${v.digest}`] = await digestOf(blob.bytes);
    }
  }
  for (const ns of ["docs", "acme"]) out[`namespace ${ns}`] = await get(`/api/v1/namespaces/${ns}`);
  for (const owner of ["alice", "bob"]) {
    out[`tokens ${owner}`] = await get(`/api/v1/tokens?owner=${owner}`, admin);
  }
  for (const [who, t] of Object.entries(tokens)) {
    out[`whoami ${who}`] = await get("/api/v1/whoami", t);
  }
  out.search = await get("/api/v1/search?q=docs");
  out.world = await get("/api/v1/search?world=docs:moved/greeter@1.0.0");
  out.stats = await get("/api/v1/stats");
  out.oci = await get("/v2/docs/greeter/manifests/1.0.0");
  return out;
}

serviceTest(
  "wreg admin migrate moves a seeded embedded registry into PostgreSQL + S3, identical through the API; a second run moves nothing",
  NEEDS,
  async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "wreg-migrate-" });
    const target = scaledStorage();
    const admin = "migrate-admin-token-0123";
    let embedded = await startServerProcess({ dataDir, adminToken: admin, args: ["--quiet"] });
    try {
      // Seed: a WIT package, components over two versions, a yank, members, a revoked token.
      const c = new Client(embedded.url);
      const alice = await c.token(admin, "alice");
      const bob = await c.token(admin, "bob", ["publish"], ["acme"]);
      const gone = await c.token(admin, "bob");
      assert.equal((await c.publish(alice, "docs:moved", "1.0.0", witPackage(WIT))).status, 201);
      const impl = await component(WIT, "greeter");
      assert.equal((await c.publish(alice, "docs:greeter", "1.0.0", impl)).status, 201);
      const impl11 = withCustomSections(impl, { note: "1.1" });
      assert.equal((await c.publish(alice, "docs:greeter", "1.1.0", impl11)).status, 201);
      assert.equal(
        (await c.call("PUT", "/api/v1/packages/docs/greeter/1.0.0/yank", { token: alice })).status,
        200,
      );
      const tool = withCustomSections(impl, { note: "tool" });
      assert.equal((await c.publish(bob, "acme:tool", "0.1.0", tool)).status, 201);
      assert.equal(
        (await c.call("PUT", "/api/v1/namespaces/docs/members/carol", {
          token: admin,
          json: { role: "member" },
        })).status,
        200,
      );
      const revokeId = (await c.call("GET", "/api/v1/whoami", { token: gone })).json.token.id;
      assert.equal(
        (await c.call("DELETE", `/api/v1/tokens/${revokeId}`, { token: admin })).status,
        200,
      );
      // An OCI manifest generated and stored when first asked for.
      assert.equal((await c.call("GET", "/v2/docs/greeter/manifests/1.0.0")).status, 200);
      const before = await snapshot(c, admin, { alice, bob });
      const checkpoint = (await c.call("GET", "/log/checkpoint")).text;
      await embedded.stop();

      const env = target.env;
      const first = await wreg(
        ["admin", "migrate", "--from", dataDir, "--to", target.database, target.blobs],
        env,
      );
      assert.equal(first.code, 0, first.out);
      // 27 rows of packages, members, tokens and OCI, and the log: 5 entries, 8 nodes, the latest
      // checkpoint.
      assert.match(first.out, /moved 41 rows and 5 blobs/);
      assert.match(first.out, /the target is identical to the source/);
      assert.ok(!first.out.includes(env.AWS_SECRET_ACCESS_KEY));
      assert.ok(!first.out.includes(new URL(target.database).password));

      const second = await wreg(
        ["admin", "migrate", "--from", dataDir, "--to", target.database, "--blobs", target.blobs],
        env,
      );
      assert.equal(second.code, 0, second.out);
      assert.match(
        second.out,
        /moved 0 rows and 0 blobs \(0 bytes\); 5 blobs were there already; 5 verified/,
      );

      // The log moves with its key: the scaled processes sign with the embedded registry's key.
      const scaled = await startServerProcess({
        adminToken: admin,
        args: [
          "--quiet",
          "--database",
          target.database,
          "--blobs",
          target.blobs,
          "--log-key",
          `${dataDir}/log-key`,
        ],
        env,
      });
      try {
        const after = await snapshot(new Client(scaled.url), admin, { alice, bob });
        assert.deepEqual(after, before);
        assert.equal(
          (await new Client(scaled.url).call("GET", "/log/checkpoint")).text,
          checkpoint,
          "the log moved as it was",
        );
        // The revoked token stays revoked; tokens still work for publishing.
        assert.equal(
          (await new Client(scaled.url).call("GET", "/api/v1/whoami", { token: gone })).status,
          401,
        );
        assert.equal(
          (await new Client(scaled.url).publish(
            alice,
            "docs:greeter",
            "1.2.0",
            withCustomSections(impl, { n: "2" }),
          ))
            .status,
          201,
        );
      } finally {
        await scaled.stop();
      }
      // The source is untouched and serves as before.
      embedded = await startServerProcess({ dataDir, adminToken: admin, args: ["--quiet"] });
      assert.deepEqual(await snapshot(new Client(embedded.url), admin, { alice, bob }), before);
    } finally {
      await embedded.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await dropSchema(target.schema);
    }
  },
);

serviceTest(
  "wreg admin gc removes unreferenced old blobs, never a referenced, recent or held one",
  NEEDS,
  async () => {
    const target = scaledStorage();
    const env = (k: string) => target.env[k] ?? Deno.env.get(k);
    const storage = await openConfiguredStorage({
      database: target.database,
      blobs: target.blobs,
      env,
    });
    const other = await openPostgresMetadataStore({ url: target.database });
    try {
      const referenced = await storage.blobs.put(new TextEncoder().encode("referenced"));
      await storage.metadata.commitVersion({
        name: { namespace: "gc", name: "kept" } as never,
        version: "1.0.0" as never,
        kind: "component",
        digest: referenced.digest,
        size: referenced.size,
        publisher: "alice",
        document: {},
        searchRows: [],
      });
      const garbage = await storage.blobs.put(new TextEncoder().encode("garbage"));
      const inFlight = await storage.blobs.put(new TextEncoder().encode("in flight"));
      // Another process (a registry) holds the digest of a publish in flight.
      const hold = await other.holdDigest(inFlight.digest);
      const args = ["admin", "gc", "--database", target.database, "--blobs", target.blobs];
      const kept = await wreg([...args, "--dry-run"], target.env);
      assert.equal(kept.code, 0, kept.out);
      assert.match(kept.out, /would remove 0 blobs .* 3 recent/); // default grace: a day
      const run = await wreg([...args, "--grace", "0"], target.env);
      assert.equal(run.code, 0, run.out);
      assert.match(
        run.out,
        /removed 1 blobs \(7 bytes\) of 3; kept 1 referenced, 0 recent, 1 held/,
      );
      assert.equal(await storage.blobs.has(garbage.digest), false);
      assert.equal(await storage.blobs.has(referenced.digest), true);
      assert.equal(await storage.blobs.has(inFlight.digest), true);
      await hold.release();
      const again = await wreg([...args, "--grace", "0"], target.env);
      assert.match(
        again.out,
        /removed 1 blobs \(9 bytes\) of 2; kept 1 referenced, 0 recent, 0 held/,
      );
    } finally {
      await other.close();
      await storage.close();
      await dropSchema(target.schema);
    }
  },
);

serviceTest(
  "wreg admin gc never removes the blob of a real publish in flight, even one already stored and older than the grace period",
  NEEDS,
  async () => {
    const cluster = await startCluster(1);
    const env = (k: string) => cluster.env[k] ?? Deno.env.get(k);
    const storage = await openConfiguredStorage({
      database: cluster.database,
      blobs: cluster.blobs,
      env,
    });
    try {
      const client = new Client(cluster.nodes[0].url);
      const token = await client.token(cluster.adminToken, "alice");
      const bytes = withCustomSections(await component(WIT, "greeter"), { n: "in flight" });
      const digest = await digestOf(bytes);
      // The bytes are in the store already, referenced by nothing (an earlier publish refused
      // after its upload, say): garbage, unless a publish is about to reference them. This
      // publish's upload of them will find them there and not write them again.
      await storage.blobs.put(bytes);
      // The publish starts, sends half of its body and waits: in flight on the registry process.
      const { promise: rest, resolve: sendRest } = Promise.withResolvers<void>();
      const half = Math.floor(bytes.length / 2);
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(bytes.slice(0, half));
          await rest;
          controller.enqueue(bytes.slice(half));
          controller.close();
        },
      });
      const publish = fetch(`${cluster.nodes[0].url}/api/v1/packages/docs/inflight/1.0.0`, {
        method: "PUT",
        body,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/wasm",
          "content-length": String(bytes.length),
          "x-wreg-digest": digest,
        },
      });
      publish.catch(() => {}); // awaited below, unless an assertion fails first
      // Wait until the process holds the digest (gc, in a dry run, sees it held).
      const until = Date.now() + 20_000;
      while ((await collectGarbage(storage, { graceMs: 0, dryRun: true })).held === 0) {
        assert.ok(Date.now() < until, "the publish in flight never held its digest");
        await new Promise((r) => setTimeout(r, 20));
      }
      const args = ["admin", "gc", "--database", cluster.database, "--blobs", cluster.blobs];
      const gc = await wreg([...args, "--grace", "0"], cluster.env);
      assert.equal(gc.code, 0, gc.out);
      assert.match(gc.out, /removed 0 blobs \(0 bytes\) of 1; kept 0 referenced, 0 recent, 1 held/);
      assert.equal(await storage.blobs.has(digest), true);
      sendRest();
      const res = await publish;
      assert.equal(res.status, 201, await res.text());
      // The version references whole bytes, and gc keeps them now as referenced.
      const report = await verifyStorage(storage, { rehash: true });
      assert.deepEqual([report.versions, report.missing, report.corrupt], [1, [], []]);
      assert.deepEqual((await client.call("GET", `/api/v1/blobs/${digest}`)).bytes, bytes);
      const after = await wreg([...args, "--grace", "0"], cluster.env);
      assert.match(
        after.out,
        /removed 0 blobs \(0 bytes\) of 1; kept 1 referenced, 0 recent, 0 held/,
      );
    } finally {
      await storage.close();
      await cluster.close();
    }
  },
);

serviceTest(
  "wreg admin migrate cut off midway (a blob it could not read) resumes where it stopped on the next run",
  NEEDS,
  async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "wreg-migrate-cut-" });
    const target = scaledStorage();
    const admin = "migrate-admin-token-0123";
    const embedded = await startServerProcess({ dataDir, adminToken: admin, args: ["--quiet"] });
    const digests: string[] = [];
    try {
      const c = new Client(embedded.url);
      const alice = await c.token(admin, "alice");
      const impl = await component(WIT, "greeter");
      for (const v of ["1.0.0", "1.1.0", "1.2.0"]) {
        const bytes = withCustomSections(impl, { v });
        digests.push(await digestOf(bytes));
        assert.equal((await c.publish(alice, "docs:cut", v, bytes)).status, 201);
      }
    } finally {
      await embedded.stop();
    }
    // The second version's blob cannot be read: the run moves 1.0.0 (blob, then row) and stops.
    const hex = digests[1].slice("sha256:".length);
    const found: string[] = [];
    for await (const e of Deno.readDir(`${dataDir}/blobs/sha256/${hex.slice(0, 2)}`)) {
      if (e.name.startsWith(hex)) {
        found.push(`${dataDir}/blobs/sha256/${hex.slice(0, 2)}/${e.name}`);
      }
    }
    assert.equal(found.length, 1, `the blob file of ${digests[1]}`);
    const args = ["admin", "migrate", "--from", dataDir, "--to", target.database, target.blobs];
    try {
      await Deno.rename(found[0], `${found[0]}.away`);
      const cut = await wreg(args, target.env);
      assert.notEqual(cut.code, 0, cut.out);
      const pg = await openPostgresMetadataStore({ url: target.database });
      try {
        const moved = (await pg.getPackage({ namespace: "docs", name: "cut" } as never))?.versions
          .map((v) => v.version);
        assert.deepEqual(moved, ["1.0.0"]);
      } finally {
        await pg.close();
      }
      await Deno.rename(`${found[0]}.away`, found[0]);
      const resumed = await wreg(args, target.env);
      assert.equal(resumed.code, 0, resumed.out);
      // 1.1.0 and 1.2.0 with their search rows; 1.0.0's blob is there already.
      assert.match(
        resumed.out,
        /and 2 blobs \(\d+ bytes\); 1 blobs were there already; 3 verified/,
      );
      assert.doesNotMatch(resumed.out, /moved 0 rows/);
      assert.match(resumed.out, /the target is identical to the source/);
      const again = await wreg(args, target.env);
      assert.match(again.out, /moved 0 rows and 0 blobs \(0 bytes\); 3 blobs were there already/);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await dropSchema(target.schema);
    }
  },
);
