/**
 * The registry's OCI surface (`/v2`, registry/oci) in-process: every version is an artifact
 * whichever route published it, pushes run the one publish pipeline, uploads live in the storage,
 * hostile manifests are refused cleanly. The real clients (wkg, oras, skopeo) and the conformance
 * suite are in oci_clients_test.ts and oci_conformance_test.ts.
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import {
  classifyManifest,
  parseChallenges,
  parseManifest,
  parseWasmConfig,
} from "../lib/oci/mod.ts";
import { createApp, createRegistry } from "../registry/mod.ts";
import { openMemoryStorage, openStorage, type Storage } from "../storage/mod.ts";
import {
  basic,
  OCI_MANIFEST,
  ociCodes,
  pushBlob,
  pushPackage,
  putManifest,
  wasmConfig,
  wasmManifest,
} from "./oci_support.ts";
import {
  Client,
  componentOfSize,
  PROCESSOR_0_1_1,
  PROCESSOR_0_1_2_BREAKING,
  PROCESSOR_WIT,
  ROOT,
  SERVER_ADMIN_TOKEN,
  startServerProcess,
  storageSnapshot,
  tinyComponent,
  witPackage,
} from "./registry_support.ts";

const ADMIN = "admin-secret-for-tests";

async function fixture(options: { storage?: Storage; clock?: () => Date; oci?: object } = {}) {
  const storage = options.storage ?? openMemoryStorage();
  const app = createApp({ storage, adminToken: ADMIN, clock: options.clock, oci: options.oci });
  const client = new Client(app);
  const alice = await client.token(ADMIN, "alice");
  return { storage, client, alice, auth: `Bearer ${alice}` };
}

Deno.test("the discovery document names this host and the namespace prefix", async () => {
  const { client } = await fixture({ oci: { prefix: "webassembly/" } });
  const a = await client.call("GET", "/.well-known/wasm-pkg/registry.json");
  assert.equal(a.status, 200);
  assert.deepEqual(a.json, {
    oci: { namespacePrefix: "webassembly/", registry: "registry.test" },
    preferredProtocol: "oci",
  });
  const configured = await fixture({ oci: { registry: "oci.example.com:5000" } });
  assert.deepEqual(
    (await configured.client.call("GET", "/.well-known/wasm-pkg/registry.json")).json.oci,
    { namespacePrefix: "", registry: "oci.example.com:5000" },
  );
  assert.throws(() => createApp({ storage: openMemoryStorage(), oci: { prefix: "bad" } }));
});

Deno.test("a version published through wreg's API is an OCI artifact wkg can read", async () => {
  const { client, alice } = await fixture();
  const wit = witPackage(PROCESSOR_WIT);
  assert.equal((await client.publish(alice, "docs:processor", "0.1.0", wit)).status, 201);
  const tiny = await tinyComponent("docs:tiny@0.1.0");
  assert.equal((await client.publish(alice, "docs:tiny", "0.1.0", tiny)).status, 201);

  const m = await client.call("GET", "/v2/docs/tiny/manifests/0.1.0", {
    headers: { accept: "application/vnd.docker.distribution.manifest.v2+json, " + OCI_MANIFEST },
  });
  assert.equal(m.status, 200);
  assert.equal(m.headers.get("content-type"), OCI_MANIFEST);
  assert.equal(m.headers.get("docker-content-digest"), await digestOf(m.bytes));
  const kind = classifyManifest(parseManifest(m.bytes));
  assert.equal(kind.kind, "package");
  if (kind.kind !== "package") return;
  assert.equal(kind.layer.digest, await digestOf(tiny));
  assert.equal(kind.layer.size, tiny.length);
  assert.equal(kind.layer.annotations?.["org.opencontainers.image.title"], "tiny.wasm");
  assert.equal(kind.manifest.annotations?.["org.opencontainers.image.version"], "0.1.0");
  const version = (await client.call("GET", "/api/v1/packages/docs/tiny/0.1.0")).json;
  const config = await client.call("GET", `/v2/docs/tiny/blobs/${kind.config.digest}`, {
    headers: { accept: OCI_MANIFEST }, // wkg sends the manifest list on blobs too
  });
  assert.equal(config.status, 200);
  const c = parseWasmConfig(config.bytes);
  assert.equal(c.created, version.publishedAt, "created is the publish time");
  assert.deepEqual(c.layerDigests, [kind.layer.digest]);
  assert.deepEqual(c.component?.exports, ["run"]);
  const layer = await client.call("GET", `/v2/docs/tiny/blobs/${kind.layer.digest}`);
  assert.deepEqual(layer.bytes, tiny);
  assert.equal(layer.headers.get("docker-content-digest"), kind.layer.digest);

  // A WIT package exports its interfaces and worlds.
  const wm = JSON.parse((await client.call("GET", "/v2/docs/processor/manifests/0.1.0")).text);
  const wc = parseWasmConfig(
    (await client.call("GET", `/v2/docs/processor/blobs/${wm.config.digest}`)).bytes,
  );
  assert.ok(wc.component?.exports.includes("docs:processor/logger@0.1.0"));
  assert.deepEqual(wc.component?.imports, []);

  // By digest, HEAD, tags.
  const byDigest = await client.call(
    "GET",
    `/v2/docs/tiny/manifests/${kind.manifest && m.headers.get("docker-content-digest")}`,
  );
  assert.deepEqual(byDigest.bytes, m.bytes);
  const head = await client.call("HEAD", "/v2/docs/tiny/manifests/0.1.0");
  assert.equal(head.status, 200);
  assert.equal(head.bytes.length, 0);
  assert.equal(head.headers.get("content-length"), String(m.bytes.length));
  assert.deepEqual((await client.call("GET", "/v2/docs/tiny/tags/list")).json, {
    name: "docs/tiny",
    tags: ["0.1.0"],
  });
  // The web index shows the version's OCI reference and how to fetch it.
  const page = await client.call("GET", "/docs/tiny", { headers: { accept: "text/html" } });
  assert.match(page.text, /wkg get --registry registry\.test docs:tiny@0\.1\.0/);
  assert.match(page.text, /oras pull registry\.test\/docs\/tiny:0\.1\.0/);
});

Deno.test("a generated manifest keeps its bytes across restarts and yanks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-oci-test-" });
  try {
    let storage = await openStorage({ dataDir: dir });
    let f = await fixture({ storage });
    await f.client.publish(f.alice, "docs:tiny", "0.1.0", await tinyComponent());
    const first = await f.client.call("GET", "/v2/docs/tiny/manifests/0.1.0");
    await storage.close();
    storage = await openStorage({ dataDir: dir });
    const registry = createRegistry({ storage, adminToken: ADMIN });
    const client = new Client((req) => Promise.resolve(registry.handle(req)));
    const again = await client.call("GET", "/v2/docs/tiny/manifests/0.1.0");
    assert.deepEqual(again.bytes, first.bytes);
    // Yanked versions stay fetchable by tag and digest (locks keep working).
    const alice = await client.token(ADMIN, "alice2");
    await storage.metadata.setNamespaceMember("docs", "alice2", "member");
    assert.equal(
      (await client.call("PUT", "/api/v1/packages/docs/tiny/0.1.0/yank", { token: alice })).status,
      200,
    );
    assert.deepEqual(
      (await client.call("GET", "/v2/docs/tiny/manifests/0.1.0")).bytes,
      first.bytes,
    );
    const d = first.headers.get("docker-content-digest");
    assert.equal((await client.call("GET", `/v2/docs/tiny/manifests/${d}`)).status, 200);
    registry.close();
    await storage.close();
    f = undefined as never;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("auth: a challenge without credentials, a token endpoint for logins and anonymous pulls", async () => {
  const { client, alice } = await fixture();
  const ping = await client.call("GET", "/v2/");
  assert.equal(ping.status, 401);
  const [challenge] = parseChallenges(ping.headers.get("www-authenticate")!);
  assert.equal(challenge.scheme, "bearer");
  assert.equal(challenge.params.realm, "http://registry.test/v2/token");
  assert.equal(challenge.params.service, "registry.test");
  assert.deepEqual(ociCodes(ping), ["UNAUTHORIZED"]);

  const anon = await client.call(
    "GET",
    "/v2/token?service=registry.test&scope=repository:docs/tiny:pull",
  );
  assert.equal(anon.status, 200);
  assert.equal((await client.call("GET", "/v2/", { token: anon.json.token })).status, 200);

  const login = await client.call("GET", "/v2/token?scope=repository:docs/tiny:pull,push", {
    headers: { authorization: basic(alice) },
  });
  assert.equal(login.status, 200);
  // A short-lived token for what was asked, not the wreg token (tests/oci_tokens_test.ts).
  assert.notEqual(login.json.token, alice);
  assert.equal(login.json.access_token, login.json.token);
  assert.equal((await client.call("GET", "/v2/", { token: login.json.token })).status, 200);
  assert.equal(
    (await client.call("GET", "/v2/", { headers: { authorization: basic(alice) } })).status,
    200,
  );

  // A client without a login sends empty Basic credentials: that is anonymous.
  const empty = await client.call("GET", "/v2/token?scope=repository:docs/tiny:pull", {
    headers: { authorization: basic("", "") },
  });
  assert.equal(empty.status, 200);
  assert.equal((await client.call("GET", "/v2/", { token: empty.json.token })).status, 200);
  const wrong = await client.call("GET", "/v2/token?scope=repository:docs/tiny:push", {
    headers: { authorization: basic("wreg_not-a-token") },
  });
  assert.equal(wrong.status, 401);
  assert.deepEqual(ociCodes(wrong), ["UNAUTHORIZED"]);
  const bad = await client.call("GET", "/v2/token?scope=nonsense");
  assert.equal(bad.status, 400);
  // Reads need no credentials at all; a push without them gets a challenge with its scope.
  const tiny = await tinyComponent();
  const push = await pushBlob(client, "docs/tiny", tiny);
  assert.equal(push.status, 401);
  assert.equal(
    parseChallenges(push.headers.get("www-authenticate")!)[0].params.scope,
    "repository:docs/tiny:pull,push",
  );
});

Deno.test("a push without rights is refused, and leaves nothing", async () => {
  const { client, alice, storage } = await fixture();
  await client.publish(alice, "docs:tiny", "0.1.0", await tinyComponent());
  const before = await storageSnapshot(storage);
  const bob = await client.token(ADMIN, "bob");
  const yankOnly = await client.token(ADMIN, "alice", ["yank"]);
  const other = await client.token(ADMIN, "alice", ["publish"], ["other"]);
  for (const [who, token] of [["bob", bob], ["yank only", yankOnly], ["other ns", other]]) {
    const a = await pushBlob(client, "docs/tiny", await tinyComponent("docs:tiny@0.2.0"), {
      auth: `Bearer ${token}`,
    });
    assert.equal(a.status, 403, who);
    assert.deepEqual(ociCodes(a), ["DENIED"], who);
    assert.match(a.json.errors[0].message, /Cannot upload to docs\/tiny/);
  }
  // The admin token manages tokens; it does not publish.
  assert.equal(
    (await pushBlob(client, "docs/tiny", new Uint8Array(3), { auth: `Bearer ${ADMIN}` })).status,
    403,
  );
  // A manifest put without rights is refused before anything is read.
  const m = await putManifest(client, "docs/tiny", "0.2.0", new Uint8Array(10), {
    auth: `Bearer ${bob}`,
  });
  assert.equal(m.status, 403);
  assert.deepEqual(await storageSnapshot(storage), before);
});

Deno.test("pushing through /v2 runs the publish pipeline: the package is readable through wreg's API", async () => {
  const { client, auth } = await fixture();
  for (const mode of ["chunked", "monolithic", "single-post"] as const) {
    const version = { chunked: "0.1.0", monolithic: "0.2.0", "single-post": "0.3.0" }[mode];
    const bytes = await tinyComponent(`docs:tiny@${version}`);
    const { answer, manifest } = await pushPackage(client, "docs/tiny", version, bytes, {
      auth,
      mode,
      chunk: 100,
    } as never);
    assert.equal(answer.status, 201, `${mode}: ${answer.text}`);
    const digest = await digestOf(manifest);
    assert.equal(answer.headers.get("docker-content-digest"), digest);
    assert.equal(answer.headers.get("location"), `/v2/docs/tiny/manifests/${digest}`);
    const doc = (await client.call("GET", `/api/v1/packages/docs/tiny/${version}`)).json;
    assert.equal(doc.digest, await digestOf(bytes), mode);
    assert.equal(doc.publisher, "alice");
    assert.deepEqual(
      (await client.call("GET", `/api/v1/packages/docs/tiny/${version}/content`)).bytes,
      bytes,
    );
    // The pushed manifest is served byte for byte, by tag and by digest.
    assert.deepEqual(
      (await client.call("GET", `/v2/docs/tiny/manifests/${version}`)).bytes,
      manifest,
    );
    assert.deepEqual(
      (await client.call("GET", `/v2/docs/tiny/manifests/${digest}`)).bytes,
      manifest,
    );
  }
});

Deno.test("versions are immutable through /v2: same bytes again succeed, other bytes are refused", async () => {
  const { client, auth, alice } = await fixture();
  const bytes = await tinyComponent();
  const first = await pushPackage(client, "docs/tiny", "0.1.0", bytes, { auth });
  assert.equal(first.answer.status, 201);
  const again = await putManifest(client, "docs/tiny", "0.1.0", first.manifest, { auth });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get("docker-content-digest"), await digestOf(first.manifest));
  // The same layer with another config (wkg writes "created" = now) is another manifest.
  const other = await pushPackage(client, "docs/tiny", "0.1.0", bytes, {
    auth,
    created: "2027-01-01T00:00:00Z",
  });
  assert.equal(other.answer.status, 409);
  assert.deepEqual(ociCodes(other.answer), ["DENIED"]);
  assert.match(other.answer.json.errors[0].message, /versions are immutable/);
  assert.equal(other.answer.json.errors[0].detail.wreg, "version-exists");
  // Other bytes under a version published through the API are refused too.
  await client.publish(alice, "docs:tiny", "0.2.0", await tinyComponent("docs:tiny@0.2.0"));
  const onApi = await pushPackage(
    client,
    "docs/tiny",
    "0.2.0",
    await tinyComponent("docs:tiny@0.2.0"),
    { auth },
  );
  assert.equal(onApi.answer.status, 409);
  assert.deepEqual(
    (await client.call("GET", "/v2/docs/tiny/tags/list")).json.tags,
    ["0.1.0", "0.2.0"],
  );
});

Deno.test("a breaking release pushed through /v2 is refused with its report in the OCI envelope", async () => {
  const { client, auth } = await fixture();
  assert.equal(
    (await pushPackage(client, "docs/processor", "0.1.0", witPackage(PROCESSOR_WIT), { auth }))
      .answer.status,
    201,
  );
  assert.equal(
    (await pushPackage(client, "docs/processor", "0.1.1", witPackage(PROCESSOR_0_1_1), { auth }))
      .answer.status,
    201,
  );
  const { answer } = await pushPackage(
    client,
    "docs/processor",
    "0.1.2",
    witPackage(PROCESSOR_0_1_2_BREAKING),
    { auth },
  );
  assert.equal(answer.status, 409);
  const [e] = answer.json.errors;
  assert.equal(e.code, "DENIED");
  assert.match(
    e.message,
    /Cannot publish docs:processor@0\.1\.2: it is incompatible with 0\.1\.0, 0\.1\.1/,
  );
  assert.equal(e.detail.wreg, "incompatible-change");
  assert.equal(e.detail.requiredVersion, "0.2.0");
  const paths = e.detail.failures.flatMap((f: { changes: { path: string }[] }) =>
    f.changes.map((c) => c.path)
  );
  assert.ok(paths.includes("docs:processor/logger.log.level"), paths.join());
  assert.equal((await client.call("GET", "/api/v1/packages/docs/processor/0.1.2")).status, 404);
  // A WIT package pushed under another name is refused by the same domain rules.
  const wrong = await pushPackage(client, "docs/other", "0.1.0", witPackage(PROCESSOR_WIT), {
    auth,
  });
  assert.equal(wrong.answer.status, 400);
  assert.equal(wrong.answer.json.errors[0].detail.wreg, "package-mismatch");
});

Deno.test("versions with build metadata are tags with _ for +", async () => {
  const { client, auth, alice } = await fixture();
  await client.publish(alice, "docs:tiny", "1.0.0+build.5", await tinyComponent("docs:tiny@1.0.0"));
  assert.deepEqual((await client.call("GET", "/v2/docs/tiny/tags/list")).json.tags, [
    "1.0.0_build.5",
  ]);
  const m = await client.call("GET", "/v2/docs/tiny/manifests/1.0.0_build.5");
  assert.equal(m.status, 200);
  assert.equal(JSON.parse(m.text).annotations["org.opencontainers.image.version"], "1.0.0+build.5");
  const pushed = await pushPackage(
    client,
    "docs/tiny",
    "1.0.1_ci.7",
    await tinyComponent("docs:tiny@1.0.1"),
    { auth },
  );
  assert.equal(pushed.answer.status, 201);
  assert.equal((await client.call("GET", "/api/v1/packages/docs/tiny/1.0.1+ci.7")).status, 200);
  // A tag that is no version is refused.
  const latest = await putManifest(client, "docs/tiny", "latest", pushed.manifest, { auth });
  assert.equal(latest.status, 400);
  assert.equal(latest.json.errors[0].detail.reason, "tag-not-version");
});

Deno.test("tags are listed in semver order with n/last paging and a Link", async () => {
  const { client, alice } = await fixture();
  for (const v of ["1.10.0", "1.2.0", "1.2.0-rc.1", "0.1.0", "2.0.0"]) {
    assert.equal(
      (await client.publish(alice, "docs:tiny", v, await tinyComponent(`docs:tiny@${v}`))).status,
      201,
    );
  }
  assert.deepEqual((await client.call("GET", "/v2/docs/tiny/tags/list")).json.tags, [
    "0.1.0",
    "1.2.0-rc.1",
    "1.2.0",
    "1.10.0",
    "2.0.0",
  ]);
  const page = await client.call("GET", "/v2/docs/tiny/tags/list?n=2");
  assert.deepEqual(page.json.tags, ["0.1.0", "1.2.0-rc.1"]);
  assert.equal(
    page.headers.get("link"),
    '</v2/docs/tiny/tags/list?n=2&last=1.2.0-rc.1>; rel="next"',
  );
  const next = await client.call("GET", "/v2/docs/tiny/tags/list?n=2&last=1.2.0-rc.1");
  assert.deepEqual(next.json.tags, ["1.2.0", "1.10.0"]);
  const lastPage = await client.call("GET", "/v2/docs/tiny/tags/list?n=2&last=1.10.0");
  assert.deepEqual(lastPage.json.tags, ["2.0.0"]);
  assert.equal(lastPage.headers.get("link"), null);
  const missing = await client.call("GET", "/v2/docs/none/tags/list");
  assert.equal(missing.status, 404);
  assert.deepEqual(ociCodes(missing), ["NAME_UNKNOWN"]);
  assert.deepEqual((await client.call("GET", "/v2/_catalog")).json, {
    repositories: ["docs/tiny"],
  });
});

Deno.test("manifests honour Accept (merged lines); blobs ignore it and serve ranges", async () => {
  const { client, alice } = await fixture();
  const tiny = await tinyComponent();
  await client.publish(alice, "docs:tiny", "0.1.0", tiny);
  const docker = await client.call("GET", "/v2/docs/tiny/manifests/0.1.0", {
    headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" },
  });
  assert.equal(docker.status, 404);
  assert.deepEqual(ociCodes(docker), ["MANIFEST_UNKNOWN"]);
  // skopeo sends one line per type; the Fetch API joins them.
  const h = new Headers();
  h.append("accept", "application/vnd.docker.distribution.manifest.v2+json");
  h.append("accept", OCI_MANIFEST);
  assert.equal(
    (await client.call("GET", "/v2/docs/tiny/manifests/0.1.0", { headers: Object.fromEntries(h) }))
      .status,
    200,
  );
  const d = await digestOf(tiny);
  const part = await client.call("GET", `/v2/docs/tiny/blobs/${d}`, {
    headers: { range: "bytes=8-15" },
  });
  assert.equal(part.status, 206);
  assert.deepEqual(part.bytes, tiny.subarray(8, 16));
  assert.equal(part.headers.get("content-range"), `bytes 8-15/${tiny.length}`);
  for (const range of ["bytes=500-0", `bytes=${tiny.length}-`]) {
    const bad = await client.call("GET", `/v2/docs/tiny/blobs/${d}`, { headers: { range } });
    assert.equal(bad.status, 416, range);
  }
  const unknown = await client.call("GET", `/v2/docs/tiny/blobs/sha256:${"0".repeat(64)}`);
  assert.equal(unknown.status, 404);
  assert.deepEqual(ociCodes(unknown), ["BLOB_UNKNOWN"]);
  // A blob of another repository is not this one's.
  await client.publish(
    alice,
    "docs:other",
    "0.1.0",
    await tinyComponent("docs:other@0.1.0", "  export other: func();\n"),
  );
  assert.equal((await client.call("GET", `/v2/docs/other/blobs/${d}`)).status, 404);
  const invalid = await client.call("GET", "/v2/docs/tiny/blobs/sha256:nothex");
  assert.equal(invalid.status, 400);
  assert.deepEqual(ociCodes(invalid), ["DIGEST_INVALID"]);
  const badName = await client.call("GET", "/v2/Docs/tiny/manifests/0.1.0");
  assert.deepEqual(ociCodes(badName), ["NAME_INVALID"]);
  const deep = await client.call("GET", "/v2/a/b/c/manifests/0.1.0");
  assert.deepEqual(ociCodes(deep), ["NAME_UNKNOWN"]);
});

for (const cache of ["a layer the blob cache keeps", "a layer too large for the blob cache"]) {
  Deno.test(`a pushed layer read back from the store is hashed again beside its decode: a blob damaged there is not published (${cache})`, async () => {
    // A manifest PUT on a process the layer was not uploaded to (here: recent uploads not kept)
    // publishes the layer read back from the blob store; the blob store verified it on upload,
    // and the decoder thread hashes it once more (off the main thread) before the commit. A blob
    // file changed on disk in between is refused, and no version appears.
    const dir = await Deno.makeTempDir({ prefix: "wreg-oci-test-" });
    try {
      const storage = await openStorage({ dataDir: dir });
      const errors: unknown[] = [];
      // Too large for the cache, the layer's buffer is moved to the decoder thread and back.
      const limits = cache.includes("too large") ? { blobCacheMaxBlob: 16 } : {};
      const app = createApp({
        storage,
        adminToken: ADMIN,
        limits,
        oci: { recentUploadBytes: 0 },
        onServerError: (e) => errors.push(e),
      });
      const client = new Client(app);
      const alice = await client.token(ADMIN, "alice");
      const auth = `Bearer ${alice}`;
      const layer = await tinyComponent("docs:tiny@0.1.0");
      const config = wasmConfig(await digestOf(layer));
      for (const blob of [layer, config]) {
        assert.equal((await pushBlob(client, "docs/tiny", blob, { auth })).status, 201);
      }
      const digest = await digestOf(layer);
      const hex = digest.slice("sha256:".length);
      const damaged = layer.slice();
      damaged[damaged.length - 1] ^= 0xff;
      let path: string | undefined;
      const walk = async (d: string) => {
        for await (const e of Deno.readDir(d)) {
          if (e.isDirectory) await walk(`${d}/${e.name}`);
          else if (e.name.includes(hex)) path = `${d}/${e.name}`;
        }
      };
      await walk(`${dir}/blobs`);
      assert.ok(path, "the layer's blob file");
      await Deno.writeFile(path!, damaged);
      const manifest = await wasmManifest(config, layer);
      const a = await putManifest(client, "docs/tiny", "0.1.0", manifest, { auth });
      assert.equal(a.status, 500);
      assert.match(String(errors[0]), new RegExp(`stored blob ${digest} hashes to sha256:`));
      assert.equal((await client.call("GET", "/api/v1/packages/docs/tiny")).status, 404);
      // Put back whole, the same push publishes it, and its bytes are the layer's.
      await Deno.writeFile(path!, layer);
      const ok = await putManifest(client, "docs/tiny", "0.1.0", manifest, { auth });
      assert.equal(ok.status, 201, ok.text);
      const got = await client.call("GET", `/v2/docs/tiny/blobs/${digest}`);
      assert.deepEqual(got.bytes, layer);
      const content = await client.call("GET", "/api/v1/packages/docs/tiny/0.1.0/content");
      assert.deepEqual(content.bytes, layer);
      await storage.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a manifest PUT publishes the layer this process just received, without reading it back", async () => {
  // The bytes of a component uploaded here are kept (bounded) for the manifest that follows:
  // they were hashed against their digest on their way into the blob store, so the publish takes
  // them as they are. Shown by damaging the stored file after the upload: the version is still
  // published from the uploaded bytes (the store's damage is the store's: reading back, as
  // above, refuses it).
  const dir = await Deno.makeTempDir({ prefix: "wreg-oci-test-" });
  try {
    const storage = await openStorage({ dataDir: dir });
    const app = createApp({ storage, adminToken: ADMIN });
    const client = new Client(app);
    const auth = `Bearer ${await client.token(ADMIN, "alice")}`;
    for (const mode of ["monolithic", "chunked"] as const) {
      const version = mode === "monolithic" ? "0.1.0" : "0.2.0";
      const layer = await componentOfSize(300_000, `docs:big@${version}`);
      const config = wasmConfig(await digestOf(layer));
      for (const blob of [layer, config]) {
        const a = await pushBlob(client, "docs/big", blob, { auth, mode, chunk: 65536 });
        assert.equal(a.status, 201);
      }
      const hex = (await digestOf(layer)).slice("sha256:".length);
      const files: string[] = [];
      const walk = async (d: string) => {
        for await (const e of Deno.readDir(d)) {
          if (e.isDirectory) await walk(`${d}/${e.name}`);
          else if (e.name.includes(hex)) files.push(`${d}/${e.name}`);
        }
      };
      await walk(`${dir}/blobs`);
      assert.equal(files.length, 1);
      await Deno.writeFile(files[0], new Uint8Array(layer.length));
      const m = await putManifest(client, "docs/big", version, await wasmManifest(config, layer), {
        auth,
      });
      assert.equal(m.status, 201, `${mode}: ${m.text}`);
      const v = await client.call("GET", `/api/v1/packages/docs/big/${version}`);
      assert.equal(v.json.digest, `sha256:${hex}`);
    }
    await storage.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hostile manifests are refused cleanly and leave the registry as it was", async () => {
  const { client, auth, alice, storage } = await fixture({
    oci: { manifest: { maxBytes: 64 * 1024 } },
  });
  await client.publish(alice, "docs:tiny", "0.1.0", await tinyComponent());
  const layer = await tinyComponent("docs:tiny@0.2.0");
  const config = wasmConfig(await digestOf(layer));
  for (const blob of [layer, config]) {
    assert.equal((await pushBlob(client, "docs/tiny", blob, { auth })).status, 201);
  }
  const good = await wasmManifest(config, layer);
  const text = new TextDecoder().decode(good);
  const enc = (s: string) => new TextEncoder().encode(s);
  const cases: [string, Uint8Array, number, string, RegExp, string?][] = [
    ["huge", enc(" ".repeat(70 * 1024)), 413, "SIZE_INVALID", /limit of 65536/],
    ["deep", enc("[".repeat(30_000) + "]".repeat(30_000)), 400, "MANIFEST_INVALID", /nests deeper/],
    [
      "duplicate keys",
      enc(text.replace('{"config"', '{"layers":[],"config"')),
      400,
      "MANIFEST_INVALID",
      /appears twice/,
    ],
    ["not JSON", enc("\u0000\u0001"), 400, "MANIFEST_INVALID", /Cannot read the manifest/],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), 400, "MANIFEST_INVALID", /UTF-8/],
    [
      "wrong content type",
      good,
      400,
      "MANIFEST_INVALID",
      /sent as/,
      "application/vnd.oci.image.index.v1+json",
    ],
    [
      "unknown type",
      enc(text.replaceAll(OCI_MANIFEST, "application/x-evil")),
      415,
      "MANIFEST_INVALID",
      /x-evil/,
      "application/x-evil",
    ],
    [
      "missing layer",
      await wasmManifest(
        config,
        await tinyComponent("docs:tiny@0.3.0", "  export other: func();\n"),
      ),
      400,
      "MANIFEST_BLOB_UNKNOWN",
      /was not uploaded/,
    ],
    [
      "wrong size",
      enc(text.replace(`"size":${layer.length}`, `"size":${layer.length + 1}`)),
      400,
      "MANIFEST_INVALID",
      /bytes, not the/,
    ],
    [
      "container image",
      enc(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          digest: await digestOf(config),
          size: config.length,
        },
        layers: [{
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: await digestOf(layer),
          size: layer.length,
        }],
      })),
      400,
      "MANIFEST_INVALID",
      /Cannot accept a container image/,
    ],
    [
      "index",
      enc(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [],
        }),
      ),
      400,
      "MANIFEST_INVALID",
      /Cannot accept an image index/,
      "application/vnd.oci.image.index.v1+json",
    ],
    [
      "two layers",
      enc(text.replace(/"layers":\[(.*)\]/, (_, l) => `"layers":[${l},${l}]`)),
      400,
      "MANIFEST_INVALID",
      /exactly one application\/wasm layer/,
    ],
    [
      "wrong schema",
      enc(text.replace('"schemaVersion":2', '"schemaVersion":1')),
      400,
      "MANIFEST_INVALID",
      /schemaVersion/,
    ],
  ];
  const before = await storageSnapshot(storage);
  for (const [what, bytes, status, code, message, type] of cases) {
    const a = await putManifest(client, "docs/tiny", "0.2.0", bytes, { auth, contentType: type });
    assert.equal(a.status, status, `${what}: ${a.text.slice(0, 300)}`);
    assert.deepEqual(ociCodes(a), [code], what);
    assert.match(a.json.errors[0].message, message, what);
  }
  // A digest reference must match the bytes.
  const mismatch = await putManifest(client, "docs/tiny", `sha256:${"1".repeat(64)}`, good, {
    auth,
  });
  assert.equal(mismatch.status, 400);
  assert.deepEqual(ociCodes(mismatch), ["DIGEST_INVALID"]);
  // A component that does not decode, and a core module, are refused by the pipeline.
  const junk = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0xff]);
  const refused = await pushPackage(client, "docs/tiny", "0.3.0", junk, { auth });
  assert.equal(refused.answer.status, 400);
  assert.equal(refused.answer.json.errors[0].detail.wreg, "invalid-component");
  const after = await storageSnapshot(storage);
  assert.deepEqual(after.versions, before.versions);
  assert.deepEqual(
    await storage.metadata.listOciReferrers(
      { namespace: "docs", name: "tiny" } as never,
      await digestOf(good),
    ),
    [],
  );
  // The good manifest still goes in afterwards.
  assert.equal((await putManifest(client, "docs/tiny", "0.2.0", good, { auth })).status, 201);
});

Deno.test("artifacts about a version (subject) are stored, listed by the referrers API and deletable", async () => {
  const { client, auth, alice } = await fixture();
  const tiny = await tinyComponent();
  await client.publish(alice, "docs:tiny", "0.1.0", tiny);
  const subject = await client.call("GET", "/v2/docs/tiny/manifests/0.1.0");
  const subjectDigest = subject.headers.get("docker-content-digest")!;
  const empty = new TextEncoder().encode("{}");
  const bundle = new TextEncoder().encode(
    '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}',
  );
  for (const b of [empty, bundle]) {
    assert.equal(
      (await pushBlob(client, "docs/tiny", b, { auth, mode: "monolithic" })).status,
      201,
    );
  }
  const sig = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    config: {
      mediaType: "application/vnd.oci.empty.v1+json",
      digest: await digestOf(empty),
      size: 2,
    },
    layers: [{
      mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      digest: await digestOf(bundle),
      size: bundle.length,
    }],
    subject: { mediaType: OCI_MANIFEST, digest: subjectDigest, size: subject.bytes.length },
    annotations: { "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1" },
  }));
  const sigDigest = await digestOf(sig);
  const put = await putManifest(client, "docs/tiny", sigDigest, sig, { auth });
  assert.equal(put.status, 201, put.text);
  assert.equal(put.headers.get("oci-subject"), subjectDigest);
  const list = await client.call("GET", `/v2/docs/tiny/referrers/${subjectDigest}`);
  assert.equal(list.status, 200);
  assert.equal(list.headers.get("content-type"), "application/vnd.oci.image.index.v1+json");
  assert.deepEqual(JSON.parse(list.text), {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{
      mediaType: OCI_MANIFEST,
      digest: sigDigest,
      size: sig.length,
      artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      annotations: { "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1" },
    }],
  });
  const filtered = await client.call(
    "GET",
    `/v2/docs/tiny/referrers/${subjectDigest}?artifactType=application/spdx+json`,
  );
  assert.deepEqual(JSON.parse(filtered.text).manifests, []);
  assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
  assert.deepEqual((await client.call("GET", `/v2/docs/tiny/manifests/${sigDigest}`)).bytes, sig);
  // The signature's blobs are the repository's for good.
  assert.equal(
    (await client.call("GET", `/v2/docs/tiny/blobs/${await digestOf(bundle)}`)).status,
    200,
  );
  // A subject that is not a version's manifest is refused; so is tagging an artifact.
  const stray = new TextEncoder().encode(
    new TextDecoder().decode(sig).replace(subjectDigest, `sha256:${"9".repeat(64)}`),
  );
  const strayPut = await putManifest(client, "docs/tiny", await digestOf(stray), stray, { auth });
  assert.equal(strayPut.status, 400);
  assert.equal(strayPut.json.errors[0].detail.reason, "subject-unknown");
  assert.equal((await putManifest(client, "docs/tiny", "0.9.0", sig, { auth })).status, 400);
  // Versions' manifests are immutable; artifacts can be removed.
  const delVersion = await client.call("DELETE", `/v2/docs/tiny/manifests/${subjectDigest}`, {
    headers: { authorization: auth },
  });
  assert.equal(delVersion.status, 405);
  assert.equal(
    (await client.call("DELETE", "/v2/docs/tiny/manifests/0.1.0", {
      headers: { authorization: auth },
    })).status,
    405,
  );
  const del = await client.call("DELETE", `/v2/docs/tiny/manifests/${sigDigest}`, {
    headers: { authorization: auth },
  });
  assert.equal(del.status, 202);
  assert.deepEqual(
    JSON.parse((await client.call("GET", `/v2/docs/tiny/referrers/${subjectDigest}`)).text)
      .manifests,
    [],
  );
});

Deno.test("chunked uploads: out-of-order chunks get 416 with the range so far, a session is the token's", async () => {
  const { client, auth } = await fixture();
  const bytes = await tinyComponent();
  const start = await client.call("POST", "/v2/docs/tiny/blobs/uploads/", {
    headers: { authorization: auth },
  });
  assert.equal(start.status, 202);
  const location = start.headers.get("location")!;
  assert.match(location, /^\/v2\/docs\/tiny\/blobs\/uploads\/[0-9a-f]{32}$/);
  assert.equal(start.headers.get("range"), "0-0");
  const chunk = (from: number, to: number, target = location) =>
    client.call("PATCH", target, {
      headers: { authorization: auth, "content-range": `${from}-${to}` },
      body: bytes.slice(from, to + 1) as Uint8Array<ArrayBuffer>,
    });
  assert.equal((await chunk(0, 99)).status, 202);
  const skip = await chunk(200, 299);
  assert.equal(skip.status, 416);
  assert.equal(skip.headers.get("range"), "0-99");
  const status = await client.call("GET", location, { headers: { authorization: auth } });
  assert.equal(status.status, 204);
  assert.equal(status.headers.get("range"), "0-99");
  // Another token cannot see or continue the session.
  const bob = await client.token(ADMIN, "alice", ["publish"]);
  assert.equal(
    (await client.call("GET", location, { headers: { authorization: `Bearer ${bob}` } })).status,
    404,
  );
  // A last chunk out of order (PUT with a body) is refused the same way and ends nothing.
  const badLast = await client.call("PUT", `${location}?digest=${await digestOf(bytes)}`, {
    headers: { authorization: auth, "content-range": `150-${bytes.length - 1}` },
    body: bytes.slice(150) as Uint8Array<ArrayBuffer>,
  });
  assert.equal(badLast.status, 416);
  assert.equal(badLast.headers.get("range"), "0-99");
  assert.equal(
    (await client.call("GET", location, { headers: { authorization: auth } })).status,
    204,
  );
  assert.equal((await chunk(100, bytes.length - 1)).status, 202);
  const wrongDigest = await client.call("PUT", `${location}?digest=sha256:${"0".repeat(64)}`, {
    headers: { authorization: auth },
  });
  assert.equal(wrongDigest.status, 400);
  assert.deepEqual(ociCodes(wrongDigest), ["DIGEST_INVALID"]);
  // A refused finish ends the session.
  assert.equal(
    (await client.call("GET", location, { headers: { authorization: auth } })).status,
    404,
  );
  const cancel = await client.call("POST", "/v2/docs/tiny/blobs/uploads/", {
    headers: { authorization: auth },
  });
  const l2 = cancel.headers.get("location")!;
  assert.equal((await client.call("DELETE", l2, { headers: { authorization: auth } })).status, 204);
  assert.equal((await client.call("DELETE", l2, { headers: { authorization: auth } })).status, 404);
});

Deno.test("upload sessions are bounded in number per token and in size", async () => {
  const { client, auth } = await fixture({ oci: { maxUploadsPerToken: 2 } });
  for (let i = 0; i < 2; i++) {
    assert.equal(
      (await client.call("POST", "/v2/docs/tiny/blobs/uploads/", {
        headers: { authorization: auth },
      })).status,
      202,
    );
  }
  const third = await client.call("POST", "/v2/docs/tiny/blobs/uploads/", {
    headers: { authorization: auth },
  });
  assert.equal(third.status, 429);
  assert.deepEqual(ociCodes(third), ["TOOMANYREQUESTS"]);
  const small = await fixture({ oci: {} });
  const app = createApp({
    storage: openMemoryStorage(),
    adminToken: ADMIN,
    limits: { maxUploadBytes: 1000 },
  });
  const c = new Client(app);
  const tok = `Bearer ${await c.token(ADMIN, "alice")}`;
  const big = new Uint8Array(1500);
  for (const mode of ["chunked", "monolithic", "single-post"] as const) {
    const a = await pushBlob(c, "docs/tiny", big, { auth: tok, mode, chunk: 600 });
    assert.equal(a.status, 413, mode);
    assert.deepEqual(ociCodes(a), ["SIZE_INVALID"], mode);
  }
  assert.ok(small);
});

Deno.test("an interrupted chunked upload, and a blob no manifest took, leave nothing once they lapse", async () => {
  let now = Date.parse("2026-12-07T00:00:00Z");
  const clock = () => new Date(now);
  const { client, auth, storage, alice } = await fixture({ clock, oci: { uploadTtlMs: 60_000 } });
  await client.publish(alice, "docs:tiny", "0.1.0", await tinyComponent());
  const before = await storageSnapshot(storage);
  const bytes = await tinyComponent("docs:tiny@0.2.0");
  // Interrupted: two chunks, never finished.
  const start = await client.call("POST", "/v2/docs/tiny/blobs/uploads/", {
    headers: { authorization: auth },
  });
  const location = start.headers.get("location")!;
  const id = location.split("/").at(-1)!;
  await client.call("PATCH", location, {
    headers: { authorization: auth, "content-range": `0-99` },
    body: bytes.slice(0, 100) as Uint8Array<ArrayBuffer>,
  });
  // Finished, but no manifest ever referenced it.
  const orphan = new Uint8Array(3000).fill(7);
  assert.equal((await pushBlob(client, "docs/tiny", orphan, { auth })).status, 201);
  const orphanDigest = await digestOf(orphan);
  assert.equal((await client.call("GET", `/v2/docs/tiny/blobs/${orphanDigest}`)).status, 200);
  const parts = async () => {
    const out = [];
    for await (const p of storage.blobs.listUploadParts()) out.push(p.upload);
    return out;
  };
  assert.deepEqual(await parts(), [id]);
  now += 61_000;
  // Lapsed: the session and the link are gone at once, and the next upload sweeps the rest.
  assert.equal(
    (await client.call("GET", location, { headers: { authorization: auth } })).status,
    404,
  );
  assert.equal((await client.call("GET", `/v2/docs/tiny/blobs/${orphanDigest}`)).status, 404);
  const next = await client.call("POST", "/v2/docs/tiny/blobs/uploads/", {
    headers: { authorization: auth },
  });
  assert.equal(next.status, 202);
  await client.call("DELETE", next.headers.get("location")!, { headers: { authorization: auth } });
  assert.deepEqual(await parts(), []);
  assert.equal(await storage.metadata.getOciUpload(id), undefined);
  assert.deepEqual(await storageSnapshot(storage), before);
});

Deno.test("an upload started on one registry process continues on another over the same storage", async () => {
  const storage = openMemoryStorage();
  const a = createRegistry({ storage, adminToken: ADMIN });
  const b = createRegistry({ storage, adminToken: ADMIN });
  try {
    const ca = new Client((req) => Promise.resolve(a.handle(req)));
    const cb = new Client((req) => Promise.resolve(b.handle(req)));
    const auth = `Bearer ${await ca.token(ADMIN, "alice")}`;
    const bytes = await tinyComponent();
    const start = await ca.call("POST", "/v2/docs/tiny/blobs/uploads/", {
      headers: { authorization: auth },
    });
    let location = start.headers.get("location")!;
    const half = Math.floor(bytes.length / 2);
    for (const [c, from, to] of [[cb, 0, half - 1], [ca, half, bytes.length - 1]] as const) {
      const p = await c.call("PATCH", location, {
        headers: { authorization: auth, "content-range": `${from}-${to}` },
        body: bytes.slice(from, to + 1) as Uint8Array<ArrayBuffer>,
      });
      assert.equal(p.status, 202);
      location = p.headers.get("location")!;
    }
    const done = await cb.call("PUT", `${location}?digest=${await digestOf(bytes)}`, {
      headers: { authorization: auth },
    });
    assert.equal(done.status, 201);
    const config = wasmConfig(await digestOf(bytes));
    assert.equal((await pushBlob(cb, "docs/tiny", config, { auth })).status, 201);
    const m = await putManifest(ca, "docs/tiny", "0.1.0", await wasmManifest(config, bytes), {
      auth,
    });
    assert.equal(m.status, 201, m.text);
    assert.deepEqual(
      (await cb.call("GET", "/api/v1/packages/docs/tiny/0.1.0/content")).bytes,
      bytes,
    );
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a blob mounts from another repository that holds it; otherwise a session opens", async () => {
  const { client, auth, alice } = await fixture();
  const tiny = await tinyComponent();
  await client.publish(alice, "docs:tiny", "0.1.0", tiny);
  const d = await digestOf(tiny);
  const mount = await client.call(
    "POST",
    `/v2/docs/copy/blobs/uploads/?mount=${d}&from=docs/tiny`,
    { headers: { authorization: auth } },
  );
  assert.equal(mount.status, 201);
  assert.equal(mount.headers.get("docker-content-digest"), d);
  assert.equal((await client.call("GET", `/v2/docs/copy/blobs/${d}`)).status, 200);
  const none = await client.call(
    "POST",
    `/v2/docs/copy/blobs/uploads/?mount=sha256:${"0".repeat(64)}&from=docs/tiny`,
    { headers: { authorization: auth } },
  );
  assert.equal(none.status, 202);
  // Deleting an upload nothing references removes it; a version's bytes are immutable.
  const orphan = new Uint8Array([1, 2, 3]);
  await pushBlob(client, "docs/copy", orphan, { auth });
  const del = await client.call("DELETE", `/v2/docs/copy/blobs/${await digestOf(orphan)}`, {
    headers: { authorization: auth },
  });
  assert.equal(del.status, 202);
  assert.equal(
    (await client.call("GET", `/v2/docs/copy/blobs/${await digestOf(orphan)}`)).status,
    404,
  );
  const immutable = await client.call("DELETE", `/v2/docs/tiny/blobs/${d}`, {
    headers: { authorization: auth },
  });
  assert.equal(immutable.status, 405);
});

Deno.test("wreg serve --oci-prefix puts repositories under the prefix and announces it", async () => {
  const server = await startServerProcess({ args: ["--quiet", "--oci-prefix", "webassembly/"] });
  try {
    const client = new Client(server.url);
    const alice = await client.token(SERVER_ADMIN_TOKEN, "alice");
    // Not wasi: a reserved namespace (issue 17) takes publishes only after an admin assigns it.
    const published = await client.publish(
      alice,
      "acme:logging",
      "0.1.0",
      await tinyComponent("acme:logging@0.1.0"),
    );
    assert.equal(published.status, 201, published.text);
    const meta = await client.call("GET", "/.well-known/wasm-pkg/registry.json");
    assert.deepEqual(meta.json, {
      oci: { namespacePrefix: "webassembly/", registry: server.url.replace("http://", "") },
      preferredProtocol: "oci",
    });
    const tags = await client.call("GET", "/v2/webassembly/acme/logging/tags/list");
    assert.deepEqual(tags.json, { name: "webassembly/acme/logging", tags: ["0.1.0"] });
    assert.equal((await client.call("GET", "/v2/acme/logging/tags/list")).status, 404);
  } finally {
    await server.stop();
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  }
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/registry/main.ts`, "--oci-prefix", "WebAssembly", "--memory"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /invalid --oci-prefix "WebAssembly"/);
});
