/**
 * One registry, several processes: real `registry/main.ts` processes on one PostgreSQL and one S3
 * server (tools/services.mjs), checked through the HTTP API as clients see them. Each test has a
 * schema and a key prefix of its own.
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import { openConfiguredStorage, verifyStorage } from "../storage/mod.ts";
import {
  type Answer,
  Client,
  component,
  componentOfSize,
  startServerProcess,
  withCustomSections,
  witPackage,
} from "./registry_support.ts";
import { pushBlob, putManifest, wasmConfig, wasmManifest } from "./oci_support.ts";
import { AwsClient } from "aws4fetch";
import { type Cluster, dropSchema, scaledStorage, startCluster } from "./support/cluster.ts";
import { requireService, type S3Service, serviceTest } from "./support/services.ts";
import { runWreg } from "../cli/mod.ts";

const NEEDS: ("postgres" | "s3")[] = ["postgres", "s3"];

/** A component exporting the functions named (world `w` of package docs:fns). */
function exportsFns(...names: string[]): Promise<Uint8Array> {
  return component(
    `package docs:fns@0.1.0;\nworld w {\n${
      names.map((n) => `  export ${n}: func();\n`).join("")
    }}\n`,
    "w",
  );
}

async function withCluster(n: number, body: (c: Cluster, clients: Client[]) => Promise<void>) {
  const cluster = await startCluster(n);
  try {
    await body(cluster, cluster.nodes.map((p) => new Client(p.url)));
  } catch (e) {
    for (const [i, p] of cluster.nodes.entries()) {
      console.error(`--- process ${i}:\n${p.output().slice(-4000)}`);
    }
    throw e;
  } finally {
    await cluster.close();
  }
}

/** Opens the cluster's storage directly (PostgreSQL + S3), for checks behind the API. */
async function openClusterStorage(c: Cluster) {
  return await openConfiguredStorage({
    database: c.database,
    blobs: c.blobs,
    env: (k) => c.env[k] ?? Deno.env.get(k),
  });
}

/** A publish that may meet a dead process: the answer, or the network error. */
async function tryPublish(
  client: Client,
  token: string,
  name: string,
  version: string,
  bytes: Uint8Array,
): Promise<Answer | Error> {
  try {
    return await client.publish(token, name, version, bytes);
  } catch (e) {
    return e as Error;
  }
}

serviceTest(
  "three processes: 30 concurrent publishes of one version, exactly one 201",
  NEEDS,
  () =>
    withCluster(3, async (c, clients) => {
      const token = await clients[0].token(c.adminToken, "alice");
      const base = await exportsFns("run");
      const variants = Array.from(
        { length: 30 },
        (_, i) => withCustomSections(base, { n: `${i}` }),
      );
      const answers = await Promise.all(
        variants.map((bytes, i) => clients[i % 3].publish(token, "race:one", "1.0.0", bytes)),
      );
      const statuses = answers.map((a) => a.status);
      assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses}`);
      assert.ok(
        answers.every((a) => a.status === 201 || a.json.code === "version-exists"),
        JSON.stringify(answers.filter((a) => a.status !== 201).map((a) => a.json).slice(0, 3)),
      );
      const winner = variants[statuses.indexOf(201)];
      for (const client of clients) {
        const doc = await client.call("GET", "/api/v1/packages/race/one");
        assert.deepEqual(doc.json.versions.map((v: { version: string }) => v.version), ["1.0.0"]);
        assert.equal(doc.json.versions[0].digest, await digestOf(winner));
        const blob = await client.call("GET", `/api/v1/blobs/${await digestOf(winner)}`);
        assert.deepEqual(blob.bytes, winner);
      }
    }),
);

serviceTest(
  "three processes: a compatible 1.1.0 and a 1.2.0 breaking only against 1.1.0 are never both committed",
  NEEDS,
  () =>
    withCluster(3, async (c, clients) => {
      const token = await clients[0].token(c.adminToken, "alice");
      const v100 = await exportsFns("a");
      const v110 = await exportsFns("a", "b"); // adds b: compatible with 1.0.0
      const v120 = await exportsFns("a", "c"); // adds c: compatible with 1.0.0, drops 1.1.0's b
      const outcomes: string[] = [];
      for (let round = 0; round < 8; round++) {
        const pkg = `gate:r${round}`;
        assert.equal((await clients[round % 3].publish(token, pkg, "1.0.0", v100)).status, 201);
        const [a, b] = await Promise.all([
          clients[(round + 1) % 3].publish(token, pkg, "1.1.0", v110),
          clients[(round + 2) % 3].publish(token, pkg, "1.2.0", v120),
        ]);
        const won = [a, b].filter((x) => x.status === 201);
        assert.equal(won.length, 1, `round ${round}: ${a.status} ${b.status}`);
        const lost = a.status === 201 ? b : a;
        assert.equal(lost.status, 409);
        assert.equal(lost.json.code, "incompatible-change");
        const versions = (await clients[round % 3].call("GET", `/api/v1/packages/gate/r${round}`))
          .json.versions.map((v: { version: string }) => v.version);
        assert.equal(versions.length, 2, `round ${round}: ${versions}`);
        outcomes.push(a.status === 201 ? "1.1.0" : "1.2.0");
      }
      console.log(`  winners by round: ${outcomes.join(" ")}`);
    }),
);

serviceTest(
  "three processes: a publish on A is found by search --world and implementations on B",
  NEEDS,
  () =>
    withCluster(3, async (c, [a, b]) => {
      const token = await a.token(c.adminToken, "alice");
      const wit = `package docs:scalewit@1.0.0;

interface greet {
  hello: func() -> string;
}

world greeter {
  export greet;
}
`;
      assert.equal((await a.publish(token, "docs:scalewit", "1.0.0", witPackage(wit))).status, 201);
      const world = "/api/v1/search?world=docs:scalewit/greeter@1.0.0";
      const impls = "/api/v1/implementations?interface=docs:scalewit/greet@1.0.0";
      // B has answered (and cached) both before the publish.
      assert.deepEqual((await b.call("GET", world)).json.results ?? [], []);
      assert.deepEqual((await b.call("GET", impls)).json.implementations, []);
      const bytes = await component(wit, "greeter");
      const t0 = performance.now();
      assert.equal((await a.publish(token, "docs:greeter-impl", "1.0.0", bytes)).status, 201);
      const found = async () => {
        const w = await b.call("GET", world);
        const i = await b.call("GET", impls);
        return JSON.stringify(w.json).includes("docs:greeter-impl") &&
          i.json.implementations.some((x: { package: string }) =>
            x.package === "docs:greeter-impl"
          );
      };
      // There is no time-to-live anywhere: only the change signal makes B drop its answers. The
      // bound is for a hung test, not a claim about speed; the time taken is printed.
      const until = Date.now() + 10_000;
      while (!(await found())) {
        assert.ok(Date.now() < until, "B never saw the publish");
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(
        `  visible on B after ${(performance.now() - t0).toFixed(0)} ms (from A's 201 request)`,
      );
      // The CLI's `wreg search --world` against B finds it too.
      const out: string[] = [];
      const code = await runWreg(
        [
          "search",
          "--world",
          "docs:scalewit/greeter@1.0.0",
          "--registry",
          c.nodes[1].url,
          "--json",
        ],
        {
          cwd: await Deno.makeTempDir(),
          env: { HOME: await Deno.makeTempDir(), WREG_CACHE_DIR: await Deno.makeTempDir() },
          isTerminal: false,
          stdout: (s: string) => out.push(s),
          stderr: (s: string) => out.push(s),
        },
      );
      assert.equal(code, 0, out.join(""));
      assert.match(out.join(""), /docs:greeter-impl/);
    }),
);

serviceTest(
  "three processes: kill -9 of one under publish load loses no acknowledged publish and leaves no partial version",
  NEEDS,
  () =>
    withCluster(3, async (c, clients) => {
      const token = await clients[0].token(c.adminToken, "alice");
      const base = await exportsFns("run");
      const acked: { name: string; version: string; digest: string }[] = [];
      let killed = false;
      const worker = async (w: number) => {
        for (let i = 0; i < 12; i++) {
          const node = (w + i) % 3;
          const bytes = withCustomSections(base, { w: `${w}-${i}` });
          const name = `load:w${w}`;
          const version = `1.${i}.0`;
          const res = await tryPublish(clients[node], token, name, version, bytes);
          if (!(res instanceof Error) && res.status === 201) {
            acked.push({ name, version, digest: await digestOf(bytes) });
          }
          if (!killed && acked.length >= 8) {
            killed = true;
            c.nodes[2].child.kill("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
      assert.ok(killed);
      assert.ok(acked.length >= 20, `only ${acked.length} publishes acknowledged`);
      for (const v of acked) {
        const [ns, n] = v.name.split(":");
        const doc = await clients[0].call("GET", `/api/v1/packages/${ns}/${n}/${v.version}`);
        assert.equal(doc.status, 200, `${v.name}@${v.version} lost`);
        assert.equal(doc.json.digest, v.digest);
        const blob = await clients[1].call("GET", `/api/v1/blobs/${v.digest}`);
        assert.equal(await digestOf(blob.bytes), v.digest);
      }
      // Behind the API: every committed version (acknowledged or cut off) has its whole blob.
      const storage = await openClusterStorage(c);
      try {
        const report = await verifyStorage(storage, { rehash: true });
        assert.deepEqual({ missing: report.missing, corrupt: report.corrupt }, {
          missing: [],
          corrupt: [],
        });
        assert.ok(report.versions >= acked.length);
      } finally {
        await storage.close();
      }
    }),
);

/** Runs a PostgreSQL control command as the cluster's owner (`postgres` when we are root). */
async function pgCtl(args: string[]): Promise<void> {
  const pg = requireService("postgres");
  const cmd = `${pg.bin}/pg_ctl`;
  const asRoot = Deno.uid() === 0;
  const out = await new Deno.Command(asRoot ? "runuser" : cmd, {
    args: asRoot ? ["-u", "postgres", "--", cmd, "-D", pg.data, ...args] : ["-D", pg.data, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`pg_ctl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Starts the run's PostgreSQL again with the options it was started with (postmaster.opts). */
async function pgStart(): Promise<void> {
  const data = requireService("postgres").data;
  const opts = await Deno.readTextFile(`${data}/postmaster.opts`);
  const args = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  const rest = args.filter((_, i) => args[i] !== "-D" && args[i - 1] !== "-D");
  await pgCtl(["start", "-w", "-t", "30", "-l", `${data}/../server.log`, "-o", rest.join(" ")]);
}

serviceTest(
  "two processes: PostgreSQL restarted under load gives 503 with Retry-After, then recovery without a registry restart",
  NEEDS,
  () =>
    withCluster(2, async (c, [a, b]) => {
      const token = await a.token(c.adminToken, "alice");
      const base = await exportsFns("run");
      assert.equal((await a.publish(token, "pgr:warm", "1.0.0", base)).status, 201);
      const statuses = new Map<number, number>();
      let retryAfter = 0;
      let stop = false;
      let n = 0;
      const load = async (client: Client, w: number) => {
        while (!stop) {
          const i = n++;
          const res = i % 2
            ? await tryPublish(
              client,
              token,
              `pgr:w${w}`,
              `1.${i}.0`,
              withCustomSections(base, { i: `${i}` }),
            )
            : await client.call("GET", `/api/v1/packages/pgr/w${w}/index`).catch((e) => e as Error);
          if (res instanceof Error) continue;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 503 && res.headers.get("retry-after") !== null) retryAfter++;
          if (res.status === 500) console.error("500:", res.text);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const loads = [load(a, 0), load(b, 1), load(a, 2), load(b, 3)];
      await new Promise((r) => setTimeout(r, 500));
      await pgCtl(["stop", "-m", "fast", "-w"]);
      await new Promise((r) => setTimeout(r, 1500));
      const down = await a.call("GET", "/readyz");
      await pgStart();
      const upAt = Date.now();
      // Recovery: both processes publish again, and a change on A reaches B.
      const recovered = async (client: Client, name: string) => {
        while (Date.now() - upAt < 20_000) {
          const res = await tryPublish(
            client,
            token,
            name,
            "1.0.0",
            withCustomSections(base, { r: name }),
          );
          if (!(res instanceof Error) && res.status === 201) return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      };
      assert.ok(await recovered(a, "pgr:after-a"), "A did not recover");
      assert.ok(await recovered(b, "pgr:after-b"), "B did not recover");
      stop = true;
      await Promise.all(loads);
      console.log(`  statuses during the restart: ${JSON.stringify(Object.fromEntries(statuses))}`);
      assert.equal(down.status, 503);
      assert.equal(down.json.code, "unavailable");
      assert.ok(down.headers.get("retry-after"));
      assert.ok((statuses.get(503) ?? 0) > 0, "no 503 while PostgreSQL was down");
      assert.ok(retryAfter === statuses.get(503), "a 503 without Retry-After");
      assert.equal(statuses.get(500) ?? 0, 0, "server faults while PostgreSQL was down");
      assert.equal((await a.call("GET", "/readyz")).status, 200);
      assert.equal((await b.call("GET", "/api/v1/packages/pgr/after-a")).status, 200);
      // B's listener came back: a yank on A drops B's cached package document.
      await b.call("GET", "/api/v1/packages/pgr/after-b");
      assert.equal(
        (await a.call("PUT", "/api/v1/packages/pgr/after-b/1.0.0/yank", { token })).status,
        200,
      );
      const until = Date.now() + 10_000;
      while (!(await b.call("GET", "/api/v1/packages/pgr/after-b")).json.versions[0].yanked) {
        assert.ok(Date.now() < until, "B never heard of the yank after the restart");
        await new Promise((r) => setTimeout(r, 20));
      }
      const storage = await openClusterStorage(c);
      try {
        const report = await verifyStorage(storage, { rehash: true });
        assert.deepEqual([report.missing, report.corrupt], [[], []]);
      } finally {
        await storage.close();
      }
    }),
);

/** A versitygw of this test's own (the run's shared one is never stopped), on a fixed port. */
async function ownS3(): Promise<
  { service: S3Service; start(): Promise<void>; stop(): Promise<void> }
> {
  const shared = requireService("s3");
  const dir = await Deno.makeTempDir({ prefix: "wreg-own-s3-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const service: S3Service = {
    ...shared,
    endpoint: `http://127.0.0.1:${port}`,
    bucket: "wreg-own",
    secretKey: crypto.randomUUID(),
    dir,
  };
  let child: Deno.ChildProcess | undefined;
  const start = async () => {
    child = new Deno.Command(shared.bin, {
      args: ["--port", `127.0.0.1:${port}`, "posix", dir],
      env: { ROOT_ACCESS_KEY_ID: service.accessKey, ROOT_SECRET_ACCESS_KEY: service.secretKey },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const until = Date.now() + 20_000;
    while (true) {
      try {
        const r = await fetch(`${service.endpoint}/`);
        await r.body?.cancel();
        if (r.status === 403) break;
      } catch { /* not yet */ }
      if (Date.now() > until) throw new Error("versitygw did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await start();
  const aws = new AwsClient({
    accessKeyId: service.accessKey,
    secretAccessKey: service.secretKey,
    service: "s3",
    region: service.region,
    retries: 0,
  });
  const made = await aws.fetch(`${service.endpoint}/${service.bucket}`, {
    method: "PUT",
    headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  await made.body?.cancel();
  if (made.status !== 200) throw new Error(`creating the bucket answered ${made.status}`);
  return {
    service,
    start,
    async stop() {
      child?.kill("SIGKILL");
      await child?.status;
    },
  };
}

serviceTest(
  "two processes: the S3 server stopped refuses publishes with 503, writes nothing half, and recovers when it returns",
  NEEDS,
  async () => {
    const s3 = await ownS3();
    const cluster = await startCluster(2, {
      storage: scaledStorage(requireService("postgres"), s3.service),
    });
    const [a, b] = cluster.nodes.map((p) => new Client(p.url));
    try {
      const token = await a.token(cluster.adminToken, "alice");
      const base = await exportsFns("run");
      const first = withCustomSections(base, { n: "before" });
      assert.equal((await a.publish(token, "s3down:pkg", "1.0.0", first)).status, 201);
      const before = await b.call("GET", "/api/v1/packages/s3down/pkg");
      await s3.stop();
      for (const [i, client] of [a, b].entries()) {
        const res = await client.publish(
          token,
          "s3down:pkg",
          `1.${i + 1}.0`,
          withCustomSections(base, { n: `${i}` }),
        );
        assert.equal(res.status, 503, res.text);
        assert.equal(res.json.code, "unavailable");
        assert.equal(res.headers.get("retry-after"), "2");
        assert.ok(!res.text.includes(s3.service.secretKey));
      }
      const ready = await a.call("GET", "/readyz");
      assert.equal(ready.status, 503);
      assert.match(ready.json.message, /blobs/);
      // Nothing half-written: the package is as it was, on both processes.
      assert.deepEqual((await b.call("GET", "/api/v1/packages/s3down/pkg")).json, before.json);
      assert.deepEqual(
        (await a.call("GET", "/api/v1/packages/s3down/pkg/index")).json.versions.length,
        1,
      );
      await s3.start();
      assert.equal((await a.call("GET", "/readyz")).status, 200);
      const again = withCustomSections(base, { n: "after" });
      assert.equal((await b.publish(token, "s3down:pkg", "1.1.0", again)).status, 201);
      assert.deepEqual(
        (await a.call("GET", `/api/v1/blobs/${await digestOf(again)}`)).bytes,
        again,
      );
      const storage = await openConfiguredStorage({
        database: cluster.database,
        blobs: cluster.blobs,
        env: (k) => cluster.env[k],
      });
      try {
        const report = await verifyStorage(storage, { rehash: true });
        assert.deepEqual([report.versions, report.missing, report.corrupt], [2, [], []]);
      } finally {
        await storage.close();
      }
      const out = cluster.nodes.map((p) => p.output()).join("\n");
      assert.ok(!out.includes(s3.service.secretKey), "the S3 secret is in the output");
      const pgPassword = decodeURIComponent(new URL(requireService("postgres").url).password);
      assert.ok(!out.includes(pgPassword), "the PostgreSQL password is in the output");
    } finally {
      await cluster.close();
      await s3.stop();
      await Deno.remove(s3.service.dir, { recursive: true }).catch(() => {});
    }
  },
);

serviceTest(
  "credentials are never printed: a wrong database password and a wrong S3 secret fail without showing them",
  NEEDS,
  async () => {
    const pg = requireService("postgres");
    const u = new URL(pg.url);
    const wrongPassword = `wrong-${crypto.randomUUID()}`;
    u.password = wrongPassword;
    const storage = scaledStorage(pg, requireService("s3"));
    const failed = await startServerProcess({
      args: ["--database", u.href, "--blobs", storage.blobs],
      env: storage.env,
    }).then(() => undefined, (e) => (e as Error).message);
    assert.ok(failed !== undefined, "the server started with a wrong password");
    assert.match(failed, /password authentication failed|28P01/);
    assert.ok(!failed.includes(wrongPassword));
    // Through the environment, with a wrong S3 secret: the server starts (S3 is not needed to
    // start), refuses publishes with an error naming the cause, and never prints the secret.
    const wrongSecret = `secret-${crypto.randomUUID()}`;
    const node = await startServerProcess({
      args: ["--admin-token", "adm-secret-0123456789"],
      adminToken: "adm-secret-0123456789",
      env: {
        ...storage.env,
        AWS_SECRET_ACCESS_KEY: wrongSecret,
        WREG_DATABASE_URL: storage.database,
        WREG_BLOBS_URL: storage.blobs,
      },
    });
    try {
      const client = new Client(node.url);
      const token = await client.token("adm-secret-0123456789", "alice");
      const res = await client.publish(token, "creds:x", "1.0.0", await exportsFns("run"));
      assert.equal(res.status, 500);
      const ready = await client.call("GET", "/readyz");
      assert.equal(ready.status, 503);
      assert.match(ready.text, /403: access denied/);
      for (const text of [res.text, ready.text, node.output()]) {
        assert.ok(!text.includes(wrongSecret));
        assert.ok(!text.includes(decodeURIComponent(new URL(pg.url).password)));
      }
      assert.match(node.output(), /SignatureDoesNotMatch/);
    } finally {
      await node.stop("SIGKILL");
      await dropSchema(storage.schema);
    }
  },
);

serviceTest(
  "three processes: an OCI chunked upload whose requests land on different processes completes, and the push is one version",
  NEEDS,
  () =>
    withCluster(3, async (c, clients) => {
      const auth = `Bearer ${await clients[0].token(c.adminToken, "alice")}`;
      const bytes = await componentOfSize(300_000, "docs:spread@1.0.0");
      const digest = await digestOf(bytes);
      // The session opens on process 0; each chunk goes to another process; process 0 ends it.
      const start = await clients[0].call("POST", "/v2/docs/spread/blobs/uploads/", {
        headers: { authorization: auth },
      });
      assert.equal(start.status, 202, start.text);
      let location = start.headers.get("location")!;
      const third = Math.ceil(bytes.length / 3);
      for (const [i, at] of [0, third, 2 * third].entries()) {
        const part = bytes.slice(at, Math.min(at + third, bytes.length));
        const p = await clients[(i + 1) % 3].call("PATCH", location, {
          headers: {
            authorization: auth,
            "content-type": "application/octet-stream",
            "content-range": `${at}-${at + part.length - 1}`,
          },
          body: part as Uint8Array<ArrayBuffer>,
        });
        assert.equal(p.status, 202, `chunk ${i} on process ${(i + 1) % 3}: ${p.text}`);
        assert.equal(p.headers.get("range"), `0-${at + part.length - 1}`);
        location = p.headers.get("location")!;
      }
      const done = await clients[2].call("PUT", `${location}?digest=${digest}`, {
        headers: { authorization: auth },
      });
      assert.equal(done.status, 201, done.text);
      // The config through process 1, the manifest through process 0.
      const config = wasmConfig(digest);
      assert.equal(
        (await pushBlob(clients[1], "docs/spread", config, { auth, mode: "monolithic" })).status,
        201,
      );
      const manifest = await wasmManifest(config, bytes);
      const m = await putManifest(clients[0], "docs/spread", "1.0.0", manifest, { auth });
      assert.equal(m.status, 201, m.text);
      for (const client of clients) {
        const pulled = await client.call("GET", "/v2/docs/spread/manifests/1.0.0", {
          headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
        });
        assert.equal(pulled.status, 200);
        assert.deepEqual(pulled.bytes, manifest);
        assert.deepEqual(
          (await client.call("GET", `/v2/docs/spread/blobs/${digest}`)).bytes,
          bytes,
        );
        const doc = await client.call("GET", "/api/v1/packages/docs/spread/1.0.0");
        assert.equal(doc.json.digest, digest);
      }
      // Behind the API: one version, its blob whole (the parts were joined in the right order).
      const storage = await openClusterStorage(c);
      try {
        const report = await verifyStorage(storage, { rehash: true });
        assert.deepEqual([report.versions, report.missing, report.corrupt], [1, [], []]);
      } finally {
        await storage.close();
      }
    }),
);

serviceTest(
  "presign=SECONDS: blob and content downloads redirect to a short-lived URL of the object store that serves the bytes and ranges without credentials",
  NEEDS,
  async () => {
    const cluster = await startCluster(1, { presign: 60 });
    try {
      const client = new Client(cluster.nodes[0].url);
      const token = await client.token(cluster.adminToken, "alice");
      const bytes = await exportsFns("run");
      const digest = await digestOf(bytes);
      assert.equal((await client.publish(token, "presign:pkg", "1.0.0", bytes)).status, 201);
      const secret = cluster.env.AWS_SECRET_ACCESS_KEY;
      for (
        const path of [`/api/v1/blobs/${digest}`, "/api/v1/packages/presign/pkg/1.0.0/content"]
      ) {
        const res = await fetch(`${cluster.nodes[0].url}${path}`, { redirect: "manual" });
        await res.body?.cancel();
        assert.equal(res.status, 307, path);
        const location = res.headers.get("location")!;
        assert.ok(location.startsWith(requireService("s3").endpoint), location);
        assert.match(location, /X-Amz-Expires=60/);
        assert.ok(!location.includes(secret), "the secret is in the URL");
        assert.equal(res.headers.get("etag"), `"${digest}"`);
        const whole = await fetch(location);
        assert.equal(whole.status, 200);
        assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), bytes);
        const part = await fetch(location, { headers: { range: "bytes=8-15" } });
        assert.equal(part.status, 206);
        assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.subarray(8, 16));
      }
      // HEAD answers itself (no redirect); a missing blob is 404, not a URL to nothing.
      const head = await fetch(`${cluster.nodes[0].url}/api/v1/blobs/${digest}`, {
        method: "HEAD",
        redirect: "manual",
      });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(bytes.length));
      const missing = await fetch(
        `${cluster.nodes[0].url}/api/v1/blobs/sha256:${"0".repeat(64)}`,
        { redirect: "manual" },
      );
      await missing.body?.cancel();
      assert.equal(missing.status, 404);
    } finally {
      await cluster.close();
    }
  },
);
