/**
 * An ecosystem on loopback for the OCI tests: the CNCF distribution registry that
 * tools/services.mjs starts, seeded the way the ecosystem publishes (real WASI WIT packages
 * encoded by wreg's own encoder and published with the real `wkg publish`; real components pushed
 * with `wkg oci push` or `oras push`), a stoppable TCP proxy in front of it (the shared registry
 * itself must keep running for other tests), and a tiny server answering
 * `/.well-known/wasm-pkg/registry.json` for a test registry name.
 *
 * Every test works under its own repository prefix, so tests never see each other's tags.
 *
 * @module
 */
import { readWitSources } from "../../cli/mod.ts";
import { encodeWitPackage } from "../../lib/component/mod.ts";
import { formatWitPackageName, resolveWit } from "../../lib/wit/mod.ts";
import { peerPath } from "../../tools/peers.ts";
import { CORPUS } from "../../tools/corpus.ts";
import { binaryWitOptions } from "../../cli/mod.ts";

/** The WASI releases the tests seed (each wasi-http tag carries the whole WASI set). */
export const WASI_TAGS = ["v0.2.0", "v0.2.3"] as const;

/** One encoded WIT package. */
export interface WitPackageFile {
  /** `wasi:io@0.2.3`. */
  id: string;
  name: string;
  version: string;
  bytes: Uint8Array;
}

/**
 * The WASI WIT packages of a wasi-http release in the corpus (http and its deps: cli, clocks,
 * filesystem, io, random, sockets), each encoded as a binary WIT package by lib/component.
 */
export async function wasiWitPackages(tag: (typeof WASI_TAGS)[number]): Promise<WitPackageFile[]> {
  const dir = `${CORPUS}wasi-http/${tag}/wit`;
  const { resolve } = resolveWit(await readWitSources(dir, binaryWitOptions("/")));
  const out: WitPackageFile[] = [];
  resolve.packages.forEach((p, id) => {
    out.push({
      id: formatWitPackageName(p.name),
      name: `${p.name.namespace}:${p.name.name}`,
      version: p.name.version!,
      bytes: encodeWitPackage(resolve, id),
    });
  });
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A fresh repository prefix for one test (`t1a2b3c4d/`). */
export function uniquePrefix(): string {
  return `t${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}/`;
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const text = `${dec.decode(out.stdout)}${dec.decode(out.stderr)}`;
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${text}`);
  return text;
}

/**
 * A wkg config file whose `namespaces` live in `registry` (plain HTTP) under `prefix`, with the
 * metadata inline (no well-known lookup), and a cache folder of its own.
 */
export async function wkgConfig(
  dir: string,
  registry: string,
  prefix: string,
  namespaces: string[],
): Promise<{ config: string; cache: string }> {
  await Deno.mkdir(dir, { recursive: true });
  const meta =
    `{ preferredProtocol = "oci", oci = { registry = "${registry}", namespacePrefix = "${prefix}" } }`;
  const text = [
    `default_registry = "wreg-test"`,
    "",
    "[namespace_registries]",
    ...namespaces.map((ns) => `${ns} = { registry = "wreg-test", metadata = ${meta} }`),
    "",
    `[registry."wreg-test".oci]`,
    `protocol = "http"`,
    "",
  ].join("\n");
  const config = `${dir}/wkg.toml`;
  await Deno.writeTextFile(config, text);
  return { config, cache: `${dir}/wkg-cache` };
}

/**
 * `wkg publish` of a file (a binary WIT package) with a config from {@link wkgConfig}. wkg's own
 * series check is skipped: wkg 0.16.1 finds WASI 0.2.3's `wasi:http/proxy` incompatible with
 * 0.2.0's (the import of `wasi:http/types` gained `field-name`), and the WASI releases are what
 * they are.
 */
export async function wkgPublish(file: string, cfg: { config: string; cache: string }) {
  return await run(peerPath("wkg"), [
    "publish",
    "--skip-semver-check",
    file,
    "--config",
    cfg.config,
    "--cache",
    cfg.cache,
  ]);
}

/** `wkg get` of `spec` into `out` (a folder ending in `/`, or a file) as a binary. */
export async function wkgGet(spec: string, out: string, cfg: { config: string; cache: string }) {
  return await run(peerPath("wkg"), [
    "get",
    spec,
    "--config",
    cfg.config,
    "--cache",
    cfg.cache,
    "--format",
    "wasm",
    "--overwrite",
    "-o",
    out,
  ]);
}

/** `wkg oci push` of a component to `registry/repository:tag` over plain HTTP. */
export async function wkgOciPush(registry: string, reference: string, file: string) {
  return await run(peerPath("wkg"), [
    "oci",
    "push",
    "--insecure",
    registry,
    `${registry}/${reference}`,
    file,
  ]);
}

/**
 * `oras push` of a .wasm as a Wasm artifact (config v0 with the fields wkg requires, one
 * `application/wasm` layer) over plain HTTP; `layerDigest` must be the file's.
 */
export async function orasPush(
  registry: string,
  reference: string,
  file: string,
  layerDigest: string,
) {
  const dir = await Deno.makeTempDir({ prefix: "wreg-oras-" });
  try {
    const config = `${dir}/config.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        created: "2026-12-07T00:00:00Z",
        architecture: "wasm",
        os: "wasip2",
        layerDigests: [layerDigest],
      }),
    );
    const name = file.slice(file.lastIndexOf("/") + 1);
    await Deno.copyFile(file, `${dir}/${name}`);
    const orasHome = `${dir}/home`;
    await Deno.mkdir(orasHome);
    return await run(
      peerPath("oras"),
      [
        "push",
        "--plain-http",
        "--disable-path-validation",
        "--config",
        `${config}:application/vnd.wasm.config.v0+json`,
        `${registry}/${reference}`,
        `${name}:application/wasm`,
      ],
      { HOME: orasHome, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      dir,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Writes each package to `dir` and publishes it with `wkg publish`; returns the files. */
export async function publishWithWkg(
  dir: string,
  packages: WitPackageFile[],
  cfg: { config: string; cache: string },
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const p of packages) {
    const file = `${dir}/${p.name.replace(":", "-")}-${p.version}.wasm`;
    await Deno.writeFile(file, p.bytes);
    await wkgPublish(file, cfg);
  }
}

/** A loopback TCP proxy to `target` that can be stopped (and started again on its port). */
export class TcpProxy {
  #listener: Deno.Listener | undefined;
  readonly #conns = new Set<Deno.Conn>();
  port = 0;

  constructor(readonly target: { hostname: string; port: number }) {}

  /** Starts listening (on `port`, or a free one the first time). */
  start(port = this.port): this {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    (async () => {
      for await (const conn of listener) {
        this.#conns.add(conn);
        this.#pipe(conn).finally(() => this.#conns.delete(conn));
      }
    })().catch(() => {});
    return this;
  }

  async #pipe(conn: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect(this.target);
    } catch {
      conn.close();
      return;
    }
    this.#conns.add(upstream);
    await Promise.allSettled([
      conn.readable.pipeTo(upstream.writable),
      upstream.readable.pipeTo(conn.writable),
    ]);
    this.#conns.delete(upstream);
    try {
      conn.close();
    } catch { /* closed */ }
    try {
      upstream.close();
    } catch { /* closed */ }
  }

  /** `127.0.0.1:<port>`. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Stops listening and closes every connection. */
  stop(): void {
    try {
      this.#listener?.close();
    } catch { /* closed */ }
    this.#listener = undefined;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    this.#conns.clear();
  }
}

/** A server answering the wasm-pkg well-known document (and counting requests). */
export function wellKnownServer(doc: { registry: string; namespacePrefix: string }) {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests++;
    if (new URL(req.url).pathname !== "/.well-known/wasm-pkg/registry.json") {
      return new Response("not found", { status: 404 });
    }
    return Response.json({ preferredProtocol: "oci", oci: doc }, {
      headers: { "cache-control": "max-age=300" },
    });
  });
  return {
    /** `localhost:<port>`: a registry name wkg and wreg both fetch over plain HTTP. */
    name: `localhost:${server.addr.port}`,
    get requests() {
      return requests;
    },
    stop: () => server.shutdown(),
  };
}
