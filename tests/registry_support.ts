/**
 * Support for the registry's scenario tests: fixtures built from WIT by the project's own code (WIT
 * packages with lib/component's encoder; components with jco's dummy-module embedding), a small
 * client over a fetch handler or a real server, and a server process on 127.0.0.1 with a free
 * port and a temporary data directory.
 */
import { componentEmbed, componentNew } from "@bytecodealliance/jco-transpile/wasm-tools";
import { build, encodeWitPackage } from "../lib/component/mod.ts";
import { type Digest, digestOf } from "../lib/names/mod.ts";
import { parseWit } from "../lib/wit/mod.ts";
import type { Storage } from "../storage/mod.ts";

/** The root of the wreg checkout. */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The seed's WIT package, as written in examples/. */
export const PROCESSOR_WIT = await Deno.readTextFile(
  `${ROOT}/examples/processor/wit/processor.wit`,
);

/** `docs:processor` at another version with the same API. */
export function processorAt(version: string, text = PROCESSOR_WIT): string {
  return text.replace("package docs:processor@0.1.0;", `package docs:processor@${version};`);
}

/** 0.1.1 of `docs:processor`: adds an interface `clock` (compatible, a minor change). */
export const PROCESSOR_0_1_1 = processorAt("0.1.1").replace(
  "/// A sink for log lines",
  "/// Wall-clock time.\ninterface clock {\n  /// Nanoseconds since the epoch.\n  now: func() -> u64;\n}\n\n/// A sink for log lines",
);

/** 0.1.2 of `docs:processor`: drops `log`'s level and `metadata.priority` (breaking). */
export const PROCESSOR_0_1_2_BREAKING = processorAt("0.1.2").replace(
  "  log: func(level: level, message: string);",
  "  log: func(message: string);",
).replace("    priority: u32,\n", "");

/** Encodes a WIT text's package as a binary WIT package. */
export function witPackage(text: string): Uint8Array {
  const { resolve, package: id } = parseWit(text);
  return encodeWitPackage(resolve, id);
}

/** A component targeting `world` of the WIT text (a dummy core module, lifted by jco). */
export async function component(text: string, world: string): Promise<Uint8Array> {
  return await componentNew(await componentEmbed({ dummy: true, witSource: text, world }));
}

/** A small component with its own world: `world` exports `run` and imports nothing. */
export async function tinyComponent(pkg = "docs:tiny@0.1.0", extra = ""): Promise<Uint8Array> {
  return await component(
    `package ${pkg};\nworld w {\n  export run: func() -> string;\n${extra}}\n`,
    "w",
  );
}

/**
 * A component of about `size` bytes exporting `run: func() -> u32` in package `pkg`: a core module
 * whose data segment holds `size` random bytes (what dominates real components' size besides
 * code), lifted by jco.
 */
export async function componentOfSize(size: number, pkg = "docs:big@1.0.0"): Promise<Uint8Array> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const core = build((w) => {
    w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    w.section(1, new Uint8Array([1, 0x60, 0, 1, 0x7f])); // type: () -> i32
    w.section(3, new Uint8Array([1, 0])); // func 0 of that type
    w.section(5, build((m) => m.u8(1).u8(0).u32(Math.ceil(size / 65536) + 1))); // memory
    w.section(7, build((e) => e.u8(2).name("memory").u8(2).u8(0).name("run").u8(0).u8(0)));
    w.section(10, new Uint8Array([1, 4, 0, 0x41, 0x2a, 0x0b])); // run: i32.const 42
    w.section(
      11,
      build((d) => d.bytes(new Uint8Array([1, 0, 0x41, 0, 0x0b])).u32(size).bytes(data)),
    );
  });
  const witSource = `package ${pkg};\nworld app {\n  export run: func() -> u32;\n}\n`;
  return await componentNew(await componentEmbed({ binary: core, witSource, world: "app" }));
}

/** `bytes` (a module or component) with top-level custom sections appended (name → payload). */
export function withCustomSections(
  bytes: Uint8Array,
  sections: Record<string, string | Uint8Array>,
): Uint8Array {
  return build((w) => {
    w.bytes(bytes);
    for (const [name, payload] of Object.entries(sections)) {
      const body = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
      w.section(0, build((c) => c.name(name).bytes(body)));
    }
  });
}

/** A fetch handler, or a server's base URL. */
export type Target = ((req: Request) => Promise<Response>) | string;

/** An answer read whole. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
  bytes: Uint8Array;
}

/** Options of {@link Client.call}. */
export interface CallOptions {
  token?: string;
  body?: BodyInit | null;
  headers?: Record<string, string>;
  json?: unknown;
}

/** Calls the API of an in-process app or a real server the same way. */
export class Client {
  constructor(readonly target: Target) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    const init: RequestInit = { method, headers, body };
    const res = typeof this.target === "string"
      ? await fetch(`${this.target}${path}`, init)
      : await this.target(new Request(`http://registry.test${path}`, init));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    let json: unknown = undefined;
    if (text !== "" && (res.headers.get("content-type") ?? "").startsWith("application/json")) {
      json = JSON.parse(text);
    }
    return { status: res.status, headers: res.headers, text, json, bytes };
  }

  /** Publishes bytes with their digest (or the one given) and `application/wasm`. */
  async publish(
    token: string | undefined,
    name: string,
    version: string,
    bytes: Uint8Array,
    options: { digest?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const [ns, n] = name.split(":");
    return await this.call("PUT", `/api/v1/packages/${ns}/${n}/${version}`, {
      token,
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: {
        "content-type": options.contentType ?? "application/wasm",
        "x-wreg-digest": options.digest ?? await digestOf(bytes),
        ...options.headers,
      },
    });
  }

  /** Creates a token with the admin token; returns its secret. */
  async token(
    admin: string,
    owner: string,
    scopes: string[] = ["publish", "yank"],
    namespaces: string[] | null = null,
  ): Promise<string> {
    const a = await this.call("POST", "/api/v1/tokens", {
      token: admin,
      json: { owner, scopes, namespaces },
    });
    if (a.status !== 201) throw new Error(`token: ${a.status} ${a.text}`);
    return a.json.token;
  }
}

/** Everything a storage holds, for "nothing was stored" assertions. */
export async function storageSnapshot(storage: Storage) {
  const blobs: string[] = [];
  for await (const b of storage.blobs.list()) blobs.push(b.digest);
  const versions = await storage.metadata.listVersions({ limit: 1000 });
  const totals = await storage.metadata.totals();
  return {
    blobs: blobs.sort(),
    versions: versions.map((v) => `${v.package}@${v.version}`).sort(),
    totals,
  };
}

/** The SHA-256 digest of bytes. */
export function digest(bytes: Uint8Array): Promise<Digest> {
  return digestOf(bytes);
}

/** A registry server process on 127.0.0.1. */
export interface ServerProcess {
  url: string;
  dataDir: string;
  child: Deno.ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and waits for the exit; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/**
 * The transparency log keys of the registry processes tests started ({@linkcode startServerProcess}
 * reads each one's `/.well-known/wreg.json`). The CLI sandboxes of tests/cli_support.ts trust
 * them as CI would, with `WREG_TRUST_LOG_KEY`: wreg pins a log key on first use only when told to.
 */
export const TRUSTED_LOG_KEYS = new Set<string>();

/** The admin token of servers {@linkcode startServerProcess} starts (16 characters at least). */
export const SERVER_ADMIN_TOKEN = "test-admin-secret-0123";

/**
 * Starts `registry/main.ts` on a free port (`--port 0`) with a data directory (a new temporary one
 * unless given); waits for its "listening" line.
 */
export async function startServerProcess(
  options: {
    dataDir?: string;
    args?: string[];
    adminToken?: string;
    /** Runs it under `ulimit -n` of this many open files. */
    maxOpenFiles?: number;
    env?: Record<string, string>;
  } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "wreg-registry-test-" });
  const limited = options.maxOpenFiles !== undefined;
  const child = new Deno.Command(limited ? "sh" : Deno.execPath(), {
    args: [
      ...(limited
        ? ["-c", `ulimit -n ${options.maxOpenFiles} && exec "$0" "$@"`, Deno.execPath()]
        : []),
      "run",
      "-A",
      "--config",
      `${ROOT}/deno.json`,
      `${ROOT}/registry/main.ts`,
      "--port",
      "0",
      "--data",
      dataDir,
      "--admin-token",
      options.adminToken ?? SERVER_ADMIN_TOKEN,
      ...(options.args ?? []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  let out = "";
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      out += dec.decode(chunk, { stream: true });
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (m) resolve(m[1]);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  // The exit can be seen before the pumps have read the last output: wait for them, so the error
  // carries what the server said (the reason it exited).
  child.status.then(async (s) => {
    await pumps.catch(() => {});
    reject(new Error(`the server exited with ${s.code}:\n${out}`));
  });
  const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 60_000);
  let url: string;
  try {
    url = await listening;
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await pumps;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  try {
    const wk = await fetch(`${url}/.well-known/wreg.json`, { signal: AbortSignal.timeout(10_000) });
    const doc = wk.ok ? await wk.json() : (await wk.body?.cancel(), undefined);
    if (typeof doc?.log?.verifierKey === "string") TRUSTED_LOG_KEYS.add(doc.log.verifierKey);
  } catch { /* a registry without the document has no log */ }
  return {
    url,
    dataDir,
    child,
    output: () => out,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await pumps;
      return status.code;
    },
  };
}
