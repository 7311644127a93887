/**
 * OciClient against the real CNCF distribution registry that tools/services.mjs starts: push
 * blobs and a manifest, then list, fetch and verify them.
 */
import assert from "node:assert/strict";
import { digestOf } from "../lib/names/mod.ts";
import { requireService, serviceTest } from "../tests/support/services.ts";
import { OciClient } from "./mod.ts";

const enc = new TextEncoder();

serviceTest("OciClient pushes to and reads from the distribution registry", ["oci"], async () => {
  const { registry } = requireService("oci");
  const client = new OciClient({ host: registry });
  const repo = `oci-client-test-${crypto.randomUUID().slice(0, 8)}/pkg`;
  assert.equal(await client.tags(repo), undefined);

  const layer = enc.encode("\0asm not really, but bytes");
  const layerDigest = await digestOf(layer);
  const config = enc.encode(
    JSON.stringify({
      created: "2026-01-01T00:00:00Z",
      architecture: "wasm",
      os: "wasip2",
      layerDigests: [layerDigest],
    }),
  );
  const configDigest = await digestOf(config);
  await client.pushBlob(repo, layer, layerDigest);
  await client.pushBlob(repo, config, configDigest);
  assert.equal(await client.hasBlob(repo, layerDigest), true);
  // A second push of the same blob is a HEAD only.
  await client.pushBlob(repo, layer, layerDigest);

  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.wasm.config.v0+json",
      digest: configDigest,
      size: config.length,
    },
    layers: [{ mediaType: "application/wasm", digest: layerDigest, size: layer.length }],
  }));
  const digest = await client.putManifest(
    repo,
    "1.0.0",
    manifest,
    "application/vnd.oci.image.manifest.v1+json",
  );
  await client.putManifest(
    repo,
    "2.0.0-rc.1",
    manifest,
    "application/vnd.oci.image.manifest.v1+json",
  );

  assert.deepEqual((await client.tags(repo))?.sort(), ["1.0.0", "2.0.0-rc.1"]);
  assert.equal(await client.manifestDigest(repo, "1.0.0"), digest);
  assert.equal(await client.manifestDigest(repo, "9.9.9"), undefined);
  const got = await client.manifest(repo, "1.0.0");
  assert.equal(got?.digest, digest);
  assert.deepEqual(got?.bytes, manifest);
  assert.equal(got?.contentType, "application/vnd.oci.image.manifest.v1+json");
  assert.deepEqual((await client.manifest(repo, digest))?.bytes, manifest);
  assert.equal(await client.manifest(repo, "3.0.0"), undefined);
  assert.deepEqual(await client.blob(repo, { digest: layerDigest, size: layer.length }), layer);
});
