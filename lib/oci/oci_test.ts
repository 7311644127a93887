import assert from "node:assert/strict";
import { parsePackageName, parseVersion } from "../names/mod.ts";
import {
  acceptsMediaType,
  buildWasmArtifact,
  buildWasmManifest,
  canonicalJson,
  checkNamespacePrefix,
  checkWasmConfig,
  classifyManifest,
  digestWith,
  errorEnvelope,
  formatBearerChallenge,
  formatReference,
  formatRegistryMetadata,
  matchesDigest,
  OCI_EMPTY_DIGEST,
  OciError,
  ociFetchLines,
  packageOfRepository,
  packageOfRepositoryOrFail,
  parseChallenges,
  parseErrorEnvelope,
  parseJson,
  parseManifest,
  parseOciDigest,
  parseReference,
  parseRegistryMetadata,
  parseScope,
  parseWasmConfig,
  repositoryOf,
  sortTags,
  tagOfVersion,
  versionOfTag,
  wasmAnnotations,
} from "./mod.ts";
import { compareVersions } from "../names/mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** The manifest `wkg publish` wrote (notes/OCI.md, byte-exact). */
const WKG_MANIFEST =
  '{"annotations":{"org.opencontainers.image.authors":"Example Author <author@example.invalid>","org.opencontainers.image.description":"Demo WIT package depending on wasi:logging","org.opencontainers.image.licenses":"Apache-2.0","org.opencontainers.image.source":"https://example.invalid/wreg.git","org.opencontainers.image.url":"https://example.invalid/wreg","org.opencontainers.image.version":"0.1.0"},"config":{"digest":"sha256:7694526f2aec30a6d7b77465c7325a5fca0514b0228ba69e5f280079faa5f488","mediaType":"application/vnd.wasm.config.v0+json","size":282},"layers":[{"annotations":{"org.opencontainers.image.title":"app.wasm"},"digest":"sha256:0a403c2510c70d3b0edfda2fd4d60057f72b92347205a453842e4400ad17fee1","mediaType":"application/wasm","size":641}],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}';

/** Config blobs `wkg publish` wrote (notes/OCI.md). */
const WKG_CONFIG_WIT =
  '{"created":"2026-12-07T04:57:09.746176537Z","author":null,"architecture":"wasm","os":"wasip2","layerDigests":["sha256:bcaf0d837761394bd09f76cca8a86bb53e44b753f34856fecbd0bec9b0415ff0"],"component":{"exports":["wasi:logging/imports@0.1.0-draft","wasi:logging/logging@0.1.0-draft"],"imports":[],"target":null}}';

const d = (c: string) => `sha256:${c.repeat(64)}`;

function image(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.wasm.config.v0+json", digest: d("1"), size: 10 },
    layers: [{ mediaType: "application/wasm", digest: d("2"), size: 20 }],
    ...extra,
  };
}

const parseObj = (v: unknown, contentType?: string) =>
  parseManifest(enc(JSON.stringify(v)), { contentType });

function refusal(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof OciError, `expected an OciError, got ${e}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("buildWasmManifest gives wkg's bytes for wkg's inputs", async () => {
  const built = await buildWasmManifest({
    config: {
      digest: "sha256:7694526f2aec30a6d7b77465c7325a5fca0514b0228ba69e5f280079faa5f488" as never,
      size: 282,
    },
    layer: {
      digest: "sha256:0a403c2510c70d3b0edfda2fd4d60057f72b92347205a453842e4400ad17fee1" as never,
      size: 641,
      title: "app.wasm",
    },
    annotations: wasmAnnotations({
      version: "0.1.0",
      description: "Demo WIT package depending on wasi:logging",
      licenses: "Apache-2.0",
      source: "https://example.invalid/wreg.git",
      homepage: "https://example.invalid/wreg",
      authors: "Example Author <author@example.invalid>",
    }),
  });
  assert.equal(new TextDecoder().decode(built.bytes), WKG_MANIFEST);
  assert.equal(built.digest, await digestWith(enc(WKG_MANIFEST)));
  assert.equal(built.size, WKG_MANIFEST.length);
});

Deno.test("buildWasmArtifact is deterministic and its manifest passes the checks wkg makes", async () => {
  const input = {
    created: "2026-12-07T04:57:09.746Z",
    layerDigest: d("a") as never,
    layerSize: 1234,
    title: "hello.wasm",
    imports: ["wasi:cli/environment@0.2.3"],
    exports: ["wasi:cli/run@0.2.3"],
    annotations: wasmAnnotations({ version: "1.0.0", description: null, licenses: "MIT" }),
  };
  const a = await buildWasmArtifact(input);
  const b = await buildWasmArtifact({ ...input, imports: [...input.imports] });
  assert.deepEqual(a.manifest.bytes, b.manifest.bytes);
  assert.equal(a.manifest.digest, b.manifest.digest);
  assert.equal(a.config.digest, b.config.digest);
  // A different publish time is a different artifact.
  const c = await buildWasmArtifact({ ...input, created: "2026-12-07T04:57:09.747Z" });
  assert.notEqual(c.config.digest, a.config.digest);
  assert.notEqual(c.manifest.digest, a.manifest.digest);

  const kind = classifyManifest(parseManifest(a.manifest.bytes));
  assert.equal(kind.kind, "package");
  if (kind.kind !== "package") return;
  assert.equal(kind.config.digest, a.config.digest);
  assert.equal(kind.config.size, a.config.size);
  assert.equal(kind.layer.digest, input.layerDigest);
  assert.equal(kind.layer.annotations?.["org.opencontainers.image.title"], "hello.wasm");
  assert.deepEqual(kind.manifest.annotations, {
    "org.opencontainers.image.version": "1.0.0",
    "org.opencontainers.image.licenses": "MIT",
  });
  const config = parseWasmConfig(a.config.bytes);
  checkWasmConfig(config, kind.layer);
  assert.deepEqual(config, {
    created: input.created,
    author: null,
    architecture: "wasm",
    os: "wasip2",
    layerDigests: [input.layerDigest],
    component: { imports: input.imports, exports: input.exports, target: null },
  });
  // The config is canonical JSON too.
  const text = new TextDecoder().decode(a.config.bytes);
  assert.equal(text, canonicalJson(JSON.parse(text)));
});

Deno.test("wkg's own config and manifest are accepted", () => {
  const config = parseWasmConfig(enc(WKG_CONFIG_WIT));
  assert.equal(config.os, "wasip2");
  assert.deepEqual(config.component?.imports, []);
  const kind = classifyManifest(parseManifest(enc(WKG_MANIFEST)));
  assert.equal(kind.kind, "package");
  // The smallest config wkg accepted (notes/OCI.md).
  parseWasmConfig(enc(
    `{"created":"2026-01-01T00:00:00Z","architecture":"wasm","os":"wasip2","layerDigests":["${
      d("1")
    }"]}`,
  ));
});

Deno.test("canonicalJson sorts keys at every level and writes no spaces", () => {
  assert.equal(
    canonicalJson({ b: [{ z: 1, a: "x" }], a: null, c: { y: true, x: false }, u: undefined }),
    '{"a":null,"b":[{"a":"x","z":1}],"c":{"x":false,"y":true}}',
  );
  assert.equal(canonicalJson("é\n\u0001"), '"é\\n\\u0001"');
  assert.throws(() => canonicalJson({ a: Number.NaN }));
  assert.throws(() => canonicalJson({ a: () => 1 }));
});

Deno.test("parseJson refuses what could read two ways, or costs too much", () => {
  assert.deepEqual(parseJson(enc(' {"a" : [1, -2.5e3, "x\\u0041", true, null]} ')), {
    a: [1, -2500, "xA", true, null],
  });
  refusal(() => parseJson(enc('{"a":1,"a":2}')), "MANIFEST_INVALID", /"a" appears twice/);
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  refusal(() => parseJson(enc(deep)), "MANIFEST_INVALID", /nests deeper than 32 levels/);
  refusal(
    () => parseJson(enc(`{"a":"${"x".repeat(100)}"}`), { maxBytes: 50 }),
    "SIZE_INVALID",
    /more than the limit of 50/,
  );
  assert.equal(
    (() => {
      try {
        parseJson(enc("x".repeat(60)), { maxBytes: 50 });
      } catch (e) {
        return (e as OciError).status;
      }
    })(),
    413,
  );
  refusal(() => parseJson(new Uint8Array([0x7b, 0xff, 0x7d])), "MANIFEST_INVALID", /UTF-8/);
  refusal(
    () => parseJson(enc("{} x")),
    "MANIFEST_INVALID",
    /after the JSON value \(at offset 0x3\)/,
  );
  refusal(() => parseJson(enc('{"a":')), "MANIFEST_INVALID", /ends early/);
  refusal(() => parseJson(enc('{"a":"\t"}')), "MANIFEST_INVALID", /control character/);
  refusal(() => parseJson(enc('{"a":01}')), "MANIFEST_INVALID", /expected ","/);
  refusal(() => parseJson(enc('{"a":"\\x"}')), "MANIFEST_INVALID", /invalid escape/);
  // "__proto__" is an ordinary key, not a prototype.
  const v = parseJson(enc('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.keys(v), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("parseManifest checks every field and names the bad one", () => {
  const ok = parseObj(image());
  assert.equal(ok.kind, "image");
  refusal(
    () => parseObj({ ...image(), schemaVersion: 1 }),
    "MANIFEST_INVALID",
    /schemaVersion must be 2/,
  );
  refusal(() => parseObj([]), "MANIFEST_INVALID", /must be a JSON object/);
  refusal(
    () => parseObj(image(), "application/vnd.oci.image.index.v1+json"),
    "MANIFEST_INVALID",
    /sent as "application\/vnd.oci.image.index.v1\+json"/,
  );
  refusal(
    () => parseObj(image({ layers: [{ mediaType: "application/wasm", digest: "nope", size: 1 }] })),
    "MANIFEST_INVALID",
    /layers\[0\].digest "nope" is not a digest/,
  );
  refusal(
    () =>
      parseObj(image({ layers: [{ mediaType: "application/wasm", digest: d("2"), size: -1 }] })),
    "MANIFEST_INVALID",
    /layers\[0\].size must be a whole number/,
  );
  refusal(
    () => parseObj(image({ config: { mediaType: "not a type", digest: d("1"), size: 1 } })),
    "MANIFEST_INVALID",
    /config.mediaType "not a type" is not a media type/,
  );
  refusal(() => parseObj(image({ layers: {} })), "MANIFEST_INVALID", /layers must be a list/);
  refusal(
    () => parseObj(image({ annotations: { a: 1 } })),
    "MANIFEST_INVALID",
    /manifest.annotations\["a"\] must be a string/,
  );
  refusal(
    () =>
      parseManifest(enc(JSON.stringify(image({ layers: Array(3).fill(image().layers) }))), {
        limits: { maxLayers: 2 },
      }),
    "MANIFEST_INVALID",
    /layers has 3 entries, more than 2/,
  );
  // No mediaType field: the Content-Type says which.
  const { mediaType: _, ...bare } = image();
  assert.equal(
    parseObj(bare, "application/vnd.oci.image.manifest.v1+json").mediaType,
    "application/vnd.oci.image.manifest.v1+json",
  );
  refusal(
    () => parseObj({ ...bare, mediaType: "application/json" }),
    "MANIFEST_INVALID",
    /Cannot accept a manifest of type "application\/json"/,
  );
  refusal(
    () => parseObj({ ...image(), mediaType: "application/vnd.oci.artifact.manifest.v1+json" }),
    "MANIFEST_INVALID",
    /withdrawn/,
  );
});

Deno.test("classifyManifest refuses what is not a Wasm package, with the reason", () => {
  const reason = (v: unknown) => {
    try {
      classifyManifest(parseObj(v));
    } catch (e) {
      assert.ok(e instanceof OciError);
      assert.equal(e.code, "MANIFEST_INVALID");
      return (e.detail as { reason: string }).reason;
    }
    return "accepted";
  };
  assert.equal(
    reason(image({
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("1"), size: 1 },
      layers: [{
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: d("2"),
        size: 1,
      }],
    })),
    "container-image",
  );
  assert.equal(
    reason({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [],
    }),
    "index",
  );
  assert.equal(
    reason(image({ layers: [...(image().layers as unknown[]), ...(image().layers as unknown[])] })),
    "layers",
  );
  assert.equal(reason(image({ layers: [] })), "layers");
  assert.equal(
    reason(image({
      config: { mediaType: "application/vnd.wasm.config.v1+json", digest: d("1"), size: 1 },
    })),
    "legacy-wasm",
  );
  assert.equal(
    reason(
      image({
        config: {
          mediaType: "application/vnd.oci.empty.v1+json",
          digest: OCI_EMPTY_DIGEST,
          size: 2,
        },
      }),
    ),
    "not-wasm",
  );
  assert.equal(
    reason({ ...image(), mediaType: "application/vnd.docker.distribution.manifest.v2+json" }),
    "manifest-type",
  );
  assert.equal(
    reason(image({
      layers: [{ mediaType: "application/wasm", digest: `sha512:${"a".repeat(128)}`, size: 1 }],
    })),
    "digest-algorithm",
  );
  // An artifact about a package's manifest is a referrer, whatever its content.
  const sig = classifyManifest(parseObj(image({
    artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: OCI_EMPTY_DIGEST, size: 2 },
    layers: [{
      mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      digest: d("3"),
      size: 9,
    }],
    subject: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("4"), size: 400 },
  })));
  assert.equal(sig.kind, "referrer");
  if (sig.kind === "referrer") {
    assert.equal(sig.artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
    assert.equal(sig.subject.digest, d("4"));
  }
  assert.equal(
    reason(image({
      subject: { mediaType: "application/vnd.oci.image.index.v1+json", digest: d("4"), size: 400 },
    })),
    "subject-type",
  );
});

Deno.test("parseWasmConfig requires what wkg requires", () => {
  const base = {
    created: "2026-01-01T00:00:00Z",
    architecture: "wasm",
    os: "wasip2",
    layerDigests: [d("2")],
  };
  const cfg = (v: unknown) => parseWasmConfig(enc(JSON.stringify(v)));
  cfg(base);
  refusal(
    () => cfg({ ...base, created: undefined }),
    "MANIFEST_INVALID",
    /created must be an RFC 3339/,
  );
  refusal(
    () => cfg({ ...base, created: "yesterday" }),
    "MANIFEST_INVALID",
    /created must be an RFC 3339/,
  );
  refusal(() => cfg({ ...base, created: "2026-13-45T00:00:00Z" }), "MANIFEST_INVALID", /RFC 3339/);
  refusal(
    () => cfg({ ...base, layerDigests: ["x"] }),
    "MANIFEST_INVALID",
    /layerDigests must be a list of digests/,
  );
  refusal(
    () => cfg({ ...base, component: { imports: [1] } }),
    "MANIFEST_INVALID",
    /component.imports/,
  );
  refusal(() => cfg({ ...base, os: 2 }), "MANIFEST_INVALID", /os must be a string/);
  const layer = { mediaType: "application/wasm", digest: d("2"), size: 1 };
  checkWasmConfig(cfg(base), layer);
  refusal(
    () => checkWasmConfig(cfg({ ...base, architecture: "amd64" }), layer),
    "MANIFEST_INVALID",
    /architecture is "amd64"/,
  );
  refusal(
    () => checkWasmConfig(cfg({ ...base, layerDigests: [d("3")] }), layer),
    "MANIFEST_INVALID",
    /does not list the layer/,
  );
});

Deno.test("tags are versions, with build metadata written with _", () => {
  for (const v of ["1.0.0", "0.2.0-rc-2023-10-18", "1.0.0+build.5", "1.0.0-alpha.1+sha.abc-def"]) {
    const tag = tagOfVersion(parseVersion(v));
    assert.ok(tag !== undefined && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag), v);
    assert.equal(versionOfTag(tag), v);
  }
  assert.equal(tagOfVersion(parseVersion("1.0.0+build.5")), "1.0.0_build.5");
  assert.equal(tagOfVersion(parseVersion(`1.0.0-${"a".repeat(130)}`)), undefined);
  for (const t of ["latest", "v1.0.0", "1.0", "sha256-abc", "1.0.0_a_b", "01.0.0", "1.0.0+x"]) {
    assert.equal(versionOfTag(t), undefined, t);
  }
  assert.deepEqual(
    sortTags(["latest", "1.10.0", "1.2.0", "1.2.0-rc.1", "0.1.0_b", "abc"], compareVersions),
    ["0.1.0_b", "1.2.0-rc.1", "1.2.0", "1.10.0", "abc", "latest"],
  );
});

Deno.test("repositories are <prefix><namespace>/<name>", () => {
  const name = parsePackageName("wasi:http");
  assert.equal(repositoryOf(name), "wasi/http");
  assert.equal(repositoryOf(name, "webassembly/"), "webassembly/wasi/http");
  assert.deepEqual(packageOfRepository("webassembly/wasi/http", "webassembly/"), name);
  assert.equal(packageOfRepository("wasi/http", "webassembly/"), undefined);
  assert.equal(packageOfRepository("a/b/c"), undefined);
  assert.equal(packageOfRepository("a"), undefined);
  assert.equal(packageOfRepository("conformance/repo1")?.name, "repo1");
  refusal(() => packageOfRepositoryOrFail("Bad/Name"), "NAME_INVALID", /lowercase/);
  refusal(() => packageOfRepositoryOrFail("a/b/c"), "NAME_UNKNOWN", /<namespace>\/<name>/);
  refusal(() => packageOfRepositoryOrFail("a/b_c"), "NAME_UNKNOWN", /b_c/);
  assert.equal(checkNamespacePrefix(""), "");
  assert.equal(checkNamespacePrefix("webassembly/"), "webassembly/");
  assert.equal(checkNamespacePrefix("a/b/"), "a/b/");
  refusal(() => checkNamespacePrefix("webassembly"), "NAME_INVALID", /followed by "\/"/);
  refusal(() => checkNamespacePrefix("/"), "NAME_INVALID", /prefix/);
  refusal(() => checkNamespacePrefix("Up/"), "NAME_INVALID", /prefix/);
});

Deno.test("references are registry/repository[:tag][@digest]", () => {
  const r = parseReference(`ghcr.io/webassembly/wasi/http:0.2.3@${d("a")}`);
  assert.deepEqual(r, {
    registry: "ghcr.io",
    repository: "webassembly/wasi/http",
    tag: "0.2.3",
    digest: d("a"),
  });
  assert.equal(formatReference(r), `ghcr.io/webassembly/wasi/http:0.2.3@${d("a")}`);
  assert.deepEqual(parseReference("localhost/a/b"), { registry: "localhost", repository: "a/b" });
  assert.deepEqual(parseReference("127.0.0.1:5000/a:1.0.0_b"), {
    registry: "127.0.0.1:5000",
    repository: "a",
    tag: "1.0.0_b",
  });
  refusal(() => parseReference("docs/hello:1.0.0"), "NAME_INVALID", /not a registry host/);
  refusal(() => parseReference("ghcr.io/Docs/hello"), "NAME_INVALID", /not a repository name/);
  refusal(() => parseReference("ghcr.io/a:1.0.0+b"), "NAME_INVALID", /not a tag/);
  refusal(() => parseReference("ghcr.io/a@sha256"), "NAME_INVALID", /not a digest/);
  refusal(() => parseReference("ghcr.io"), "NAME_INVALID", /registry\/repository/);
});

Deno.test("challenges and scopes, as registries write them", () => {
  const header = formatBearerChallenge({
    realm: "http://127.0.0.1:5000/v2/token",
    service: "127.0.0.1:5000",
    scope: "repository:docs/hello:pull,push",
  });
  assert.equal(
    header,
    'Bearer realm="http://127.0.0.1:5000/v2/token",service="127.0.0.1:5000",scope="repository:docs/hello:pull,push"',
  );
  assert.deepEqual(parseChallenges(header), [{
    scheme: "bearer",
    params: {
      realm: "http://127.0.0.1:5000/v2/token",
      service: "127.0.0.1:5000",
      scope: "repository:docs/hello:pull,push",
    },
  }]);
  assert.deepEqual(parseChallenges('Basic realm="x y", Bearer realm=r,error="invalid_token"'), [
    { scheme: "basic", params: { realm: "x y" } },
    { scheme: "bearer", params: { realm: "r", error: "invalid_token" } },
  ]);
  assert.deepEqual(parseChallenges('Bearer realm="a\\"b"')[0].params.realm, 'a"b');
  assert.deepEqual(parseScope("repository:a/b:pull,push"), {
    type: "repository",
    name: "a/b",
    actions: ["pull", "push"],
  });
  assert.deepEqual(parseScope("registry:catalog:*")?.actions, ["*"]);
  assert.equal(parseScope("repository:a/b"), undefined);
  assert.equal(parseScope("repository::pull"), undefined);
  assert.equal(parseScope("repository:a:pull;rm"), undefined);
});

Deno.test("the discovery document in both forms wkg reads", () => {
  const text = formatRegistryMetadata({
    registry: "127.0.0.1:25011",
    namespacePrefix: "webassembly/",
  });
  assert.equal(
    text,
    '{"oci":{"namespacePrefix":"webassembly/","registry":"127.0.0.1:25011"},"preferredProtocol":"oci"}',
  );
  assert.deepEqual(parseRegistryMetadata(JSON.parse(text)), {
    registry: "127.0.0.1:25011",
    namespacePrefix: "webassembly/",
    preferredProtocol: "oci",
  });
  assert.deepEqual(parseRegistryMetadata({ ociRegistry: "ghcr.io" }), {
    registry: "ghcr.io",
    namespacePrefix: "",
  });
  assert.equal(parseRegistryMetadata({ warg: { url: "x" } }), undefined);
  assert.equal(parseRegistryMetadata([]), undefined);
});

Deno.test("Accept lists, merged from repeated lines", () => {
  const oci = "application/vnd.oci.image.manifest.v1+json";
  assert.ok(acceptsMediaType(null, oci));
  assert.ok(acceptsMediaType("", oci));
  assert.ok(acceptsMediaType("application/vnd.docker.distribution.manifest.v2+json, " + oci, oci));
  assert.ok(acceptsMediaType("*/*", oci));
  assert.ok(acceptsMediaType("application/*;q=0.5", oci));
  assert.ok(!acceptsMediaType(`${oci};q=0`, oci));
  assert.ok(!acceptsMediaType("application/vnd.docker.distribution.manifest.v2+json", oci));
});

Deno.test("digests of both registered algorithms", async () => {
  assert.equal(await digestWith(enc("{}")), OCI_EMPTY_DIGEST);
  assert.ok(await matchesDigest(enc("{}"), OCI_EMPTY_DIGEST));
  assert.ok(!(await matchesDigest(enc("{} "), OCI_EMPTY_DIGEST)));
  const s512 = await digestWith(enc("{}"), "sha512");
  assert.ok(s512.startsWith("sha512:") && s512.length === 7 + 128);
  assert.ok(await matchesDigest(enc("{}"), s512));
  refusal(() => parseOciDigest("md5:abc"), "DIGEST_INVALID", /not sha256 or sha512/);
  refusal(() => parseOciDigest("sha256:ABC"), "DIGEST_INVALID", /64 lowercase hex/);
  refusal(() => parseOciDigest("sha256"), "DIGEST_INVALID", /algorithm:hex/);
});

Deno.test("the error envelope, written and read back", () => {
  const body = errorEnvelope(
    new OciError("MANIFEST_UNKNOWN", "Cannot find manifest 1.0.0", { tag: "1.0.0" }),
  );
  assert.deepEqual(body, {
    errors: [{
      code: "MANIFEST_UNKNOWN",
      message: "Cannot find manifest 1.0.0",
      detail: { tag: "1.0.0" },
    }],
  });
  assert.deepEqual(parseErrorEnvelope(JSON.stringify(body)), body.errors);
  assert.equal(parseErrorEnvelope("<html>"), undefined);
  assert.equal(parseErrorEnvelope('{"errors":{}}'), undefined);
  assert.equal(new OciError("UNAUTHORIZED", "x").status, 401);
  assert.equal(new OciError("DENIED", "x", undefined, 409).status, 409);
});

Deno.test("the lines that fetch a version with OCI clients", () => {
  assert.deepEqual(
    ociFetchLines(
      "127.0.0.1:5000",
      "webassembly/",
      parsePackageName("wasi:http"),
      parseVersion("0.2.3"),
    ),
    {
      reference: "127.0.0.1:5000/webassembly/wasi/http:0.2.3",
      wkg: "wkg get --registry 127.0.0.1:5000 wasi:http@0.2.3",
      oras: "oras pull 127.0.0.1:5000/webassembly/wasi/http:0.2.3",
    },
  );
  assert.equal(
    ociFetchLines("r", "", parsePackageName("a:b"), parseVersion("1.0.0+b.1"))?.reference,
    "r/a/b:1.0.0_b.1",
  );
  assert.equal(
    ociFetchLines("r", "", parsePackageName("a:b"), parseVersion(`1.0.0-${"x".repeat(130)}`)),
    undefined,
  );
});
