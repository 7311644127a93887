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
    // With its length, as oras sends it (an in-process Request has no Content-Length of its own).
    return await client.call("PUT", `${location}?digest=${digest}`, {
      headers: {
        ...headers,
        "content-type": "application/octet-stream",
        "content-length": String(bytes.length),
      },
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

/** What a tool printed and how it ended. */
export interface ToolRun {
  code: number;
  output: string;
}

/** Runs a peer tool with a clean environment (plus `env`), in `cwd`, within `timeoutMs`. */
export async function runTool(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ToolRun> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
      ...options.env,
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, output: `${dec.decode(out.stdout)}${dec.decode(out.stderr)}` };
}

/** Like {@link runTool}, failing with the output when the tool does not exit 0. */
export async function mustRun(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await runTool(cmd, args, options);
  if (r.code !== 0) {
    throw new Error(`${cmd.split("/").at(-1)} ${args.join(" ")} exited ${r.code}:\n${r.output}`);
  }
  return r.output;
}

/**
 * A wkg config for a wreg registry on plain-HTTP loopback: the registry name is its `host:port`
 * (wkg then fetches the discovery document from it, over HTTP because the host is 127.0.0.1), and
 * `protocol = "http"` keyed by that name, which the discovery document cannot say. With a token,
 * wkg logs in with it as a Basic password (the token endpoint's flow).
 */
export async function wregWkgConfig(
  dir: string,
  host: string,
  token?: string,
): Promise<{ args: string[]; env: Record<string, string> }> {
  await Deno.mkdir(dir, { recursive: true });
  const lines = [
    `default_registry = "${host}"`,
    "",
    `[registry."${host}".oci]`,
    `protocol = "http"`,
  ];
  if (token !== undefined) lines.push(`auth = { username = "wreg", password = "${token}" }`);
  await Deno.writeTextFile(`${dir}/wkg.toml`, `${lines.join("\n")}\n`);
  return {
    args: ["--config", `${dir}/wkg.toml`, "--cache", `${dir}/cache`],
    env: { HOME: dir, XDG_CACHE_HOME: `${dir}/xdg-cache`, XDG_CONFIG_HOME: `${dir}/xdg-config` },
  };
}

/** The variable wkg reads a bearer token from for a registry name. */
export function wkgBearerVariable(registry: string): string {
  return `WKG_REGISTRY_${registry.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_AUTH_BEARER`;
}
