/**
 * Support for the OCI tests: pushing blobs and manifests the ways real clients do (wkg's chunked
 * PATCHes, oras's POST then PUT, one POST with ?digest=), Wasm manifests and configs as wkg writes
 * them, and the real clients' set-up (a wkg config with `protocol = "http"` keyed by the registry
 * name, an isolated HOME for oras and skopeo).
 */
import { digestOf } from "../lib/names/mod.ts";
import { canonicalJson } from "../lib/oci/mod.ts";
import type { Answer, Client } from "./registry_support.ts";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** The basic credentials header for a wreg token (the user name is not used). */
export function basic(token: string, user = "wreg"): string {
  return `Basic ${new TextEncoder().encode(`${user}:${token}`).toBase64()}`;
}

/** How a blob is pushed. */
export type PushMode = "chunked" | "monolithic" | "single-post";

/**
 * Pushes a blob to a repository: `chunked` as wkg does (POST, PATCH chunks of at most `chunk`
 * bytes with `Content-Range: a-b`, PUT ?digest= with no body), `monolithic` as oras does (POST,
 * then PUT with the whole body), `single-post` (POST ?digest= with the body).
 */
export async function pushBlob(
  client: Client,
  repository: string,
  bytes: Uint8Array,
  options: { auth?: string; mode?: PushMode; chunk?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = options.auth ? { authorization: options.auth } : {};
  const digest = await digestOf(bytes);
  const mode = options.mode ?? "chunked";
  if (mode === "single-post") {
    return await client.call("POST", `/v2/${repository}/blobs/uploads/?digest=${digest}`, {
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
  }
  const start = await client.call("POST", `/v2/${repository}/blobs/uploads/`, { headers });
  if (start.status !== 202) return start;
  let location = start.headers.get("location")!;
  if (mode === "monolithic") {
    return await client.call("PUT", `${location}?digest=${digest}`, {
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
  }
  const chunk = options.chunk ?? 4 * 1024 * 1024;
  for (let at = 0; at < bytes.length; at += chunk) {
    const part = bytes.subarray(at, Math.min(at + chunk, bytes.length));
    const patch = await client.call("PATCH", location, {
      headers: {
        ...headers,
        "content-type": "application/octet-stream",
        "content-range": `${at}-${at + part.length - 1}`,
      },
      body: part.slice() as Uint8Array<ArrayBuffer>,
    });
    if (patch.status !== 202) return patch;
    location = patch.headers.get("location")!;
  }
  return await client.call("PUT", `${location}?digest=${digest}`, { headers });
}

/** A Wasm config v0 as wkg writes it (field order and all). */
export function wasmConfig(
  layerDigest: string,
  options: { created?: string; imports?: string[]; exports?: string[]; os?: string } = {},
): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    created: options.created ?? "2026-12-07T04:57:09.746176537Z",
    author: null,
    architecture: "wasm",
    os: options.os ?? "wasip2",
    layerDigests: [layerDigest],
    component: { exports: options.exports ?? [], imports: options.imports ?? [], target: null },
  }));
}

/** A Wasm package manifest over a config and a layer, as canonical JSON (wkg's form). */
export async function wasmManifest(
  config: Uint8Array,
  layer: Uint8Array,
  options: {
    title?: string;
    annotations?: Record<string, string>;
    extra?: Record<string, unknown>;
  } = {},
): Promise<Uint8Array> {
  const m: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: "application/vnd.wasm.config.v0+json",
      digest: await digestOf(config),
      size: config.length,
    },
    layers: [{
      mediaType: "application/wasm",
      digest: await digestOf(layer),
      size: layer.length,
      annotations: { "org.opencontainers.image.title": options.title ?? "app.wasm" },
    }],
    ...options.extra,
  };
  if (options.annotations) m.annotations = options.annotations;
  return new TextEncoder().encode(canonicalJson(m));
}

/** Puts a manifest under a tag or digest. */
export async function putManifest(
  client: Client,
  repository: string,
  reference: string,
  bytes: Uint8Array,
  options: { auth?: string; contentType?: string } = {},
): Promise<Answer> {
  return await client.call("PUT", `/v2/${repository}/manifests/${reference}`, {
    headers: {
      "content-type": options.contentType ?? OCI_MANIFEST,
      ...(options.auth ? { authorization: options.auth } : {}),
    },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}

/**
 * Pushes a Wasm package the way wkg does: layer, config (chunked), manifest by tag. Returns the
 * manifest's answer and bytes.
 */
export async function pushPackage(
  client: Client,
  repository: string,
  tag: string,
  layer: Uint8Array,
  options: { auth?: string; mode?: PushMode; created?: string; title?: string } = {},
): Promise<{ answer: Answer; manifest: Uint8Array; config: Uint8Array }> {
  const config = wasmConfig(await digestOf(layer), { created: options.created });
  for (const blob of [layer, config]) {
    const a = await pushBlob(client, repository, blob, options);
    if (a.status !== 201) throw new Error(`blob push: ${a.status} ${a.text}`);
  }
  const manifest = await wasmManifest(config, layer, { title: options.title });
  const answer = await putManifest(client, repository, tag, manifest, options);
  return { answer, manifest, config };
}

/** The OCI error codes of an answer. */
export function ociCodes(a: Answer): string[] {
  return (a.json?.errors ?? []).map((e: { code: string }) => e.code);
}
