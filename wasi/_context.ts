/**
 * One component instance's WASI: what it was granted (arguments, environment, preopened
 * directories, standard streams, network), and the interface objects made from it on demand.
 */
import {
  type ByteSink,
  bytesSource,
  emptySource,
  InputStream,
  ioInterfaces,
  OutputStream,
  readyPollable,
  writeAll,
} from "./_io.ts";

/**
 * What the component may use of the host through WASI. It gets nothing else: no files, no
 * environment, no network, unless granted here (clocks, randomness and standard output and error
 * need no grant). Deno's own permissions still apply on top: what the program may not do fails
 * inside the component, as WASI says (an error code), never as a prompt.
 */
export interface WasiOptions {
  /** Command-line arguments (`wasi:cli/environment`); none unless given. */
  args?: string[];
  /** Environment variables; none unless given (`Deno.env.toObject()` shares the program's). */
  env?: Record<string, string>;
  /** The working directory the component is told it starts in (`initial-cwd`); none unless given. */
  cwd?: string;
  /**
   * Directories the component may use, by the path it sees them at (`{ "/data": "./data" }`, or
   * `{ "/data": { path: "./data", readonly: true } }`). None unless given or set with
   * `setPreopens`.
   */
  preopens?: Record<string, string | { path: string; readonly?: boolean }>;
  /** Standard input: bytes to read, or `"inherit"` for the program's own; empty unless given. */
  stdin?: Uint8Array | "inherit";
  /** Standard output: `"inherit"` (the default), `"ignore"`, or a function given each chunk. */
  stdout?: "inherit" | "ignore" | ((chunk: Uint8Array) => void);
  /** Standard error, like `stdout`. */
  stderr?: "inherit" | "ignore" | ((chunk: Uint8Array) => void);
  /**
   * Network access for `wasi:sockets` and `wasi:http`: `true` for every host Deno's permissions
   * allow, or the hosts (`example.com`, `127.0.0.1:8080`) the component may reach; none unless
   * given.
   */
  network?: boolean | string[];
}

/** What generated glue gives the WASI host besides the options. */
export interface WasiHooks {
  /** The error to throw when the component exits (it unwinds the component's call). */
  exit(code: number): unknown;
  /** Interfaces of other WASI packages (`@wreg/wasi/http`, `@wreg/wasi/sockets`). */
  extensions?: WasiExtension[];
}

/** More WASI interfaces: each made once per instance, from its context. */
export interface WasiExtension {
  interfaces: Record<string, (ctx: WasiContext) => object>;
}

/** A preopened directory as granted: the host path, and whether it may be changed. */
export interface Preopen {
  guest: string;
  host: string;
  readonly: boolean;
}

let defaultPreopens: Preopen[] = [];

/**
 * Sets the directories instances made without `wasi.preopens` get (none until this is called).
 * Takes effect for instances that have not listed their preopens yet.
 */
export function setPreopens(preopens: WasiOptions["preopens"]): void {
  defaultPreopens = preopensOf(preopens ?? {});
}

function preopensOf(p: NonNullable<WasiOptions["preopens"]>): Preopen[] {
  if (p === null || typeof p !== "object") {
    throw new TypeError("wasi.preopens must be an object of guest path → host path");
  }
  return Object.entries(p).map(([guest, v]) => {
    const host = typeof v === "string" ? v : v?.path;
    if (typeof host !== "string" || host === "") {
      throw new TypeError(`wasi.preopens[${JSON.stringify(guest)}]: expected a host path`);
    }
    return { guest, host, readonly: typeof v === "object" && v.readonly === true };
  });
}

function sinkOf(
  what: WasiOptions["stdout"],
  std: { writeSync(p: Uint8Array): number },
  name: string,
): ByteSink {
  if (what === undefined || what === "inherit") return { write: (b) => writeAll(std, b) };
  if (what === "ignore") return { write: () => {} };
  if (typeof what === "function") return { write: (b) => what(b.slice()) };
  throw new TypeError(`wasi.${name} must be "inherit", "ignore" or a function`);
}

/** The WASI state of one component instance. */
export class WasiContext {
  readonly args: string[];
  readonly env: [string, string][];
  readonly cwd: string | undefined;
  readonly #preopens: Preopen[] | undefined;
  readonly stdout: ByteSink;
  readonly stderr: ByteSink;
  readonly stdinKind: "bytes" | "inherit" | "none";
  readonly #stdin: Uint8Array | undefined;
  #stdinStream: InputStream | undefined;
  /** `true`: any host; a set: those hosts (`name` or `name:port`); empty: none. */
  readonly network: true | Set<string>;
  readonly #interfaces = new Map<string, object>();
  readonly #factories = new Map<string, (ctx: WasiContext) => object>();
  /** State of extensions (the HTTP and socket modules keep theirs here). */
  readonly state = new Map<string, unknown>();

  constructor(options: WasiOptions | undefined, readonly hooks: WasiHooks) {
    const o = options ?? {};
    if (typeof o !== "object" || o === null) throw new TypeError("wasi options must be an object");
    if (
      o.args !== undefined && (!Array.isArray(o.args) || o.args.some((a) => typeof a !== "string"))
    ) {
      throw new TypeError("wasi.args must be an array of strings");
    }
    this.args = [...(o.args ?? [])];
    if (o.env !== undefined && (o.env === null || typeof o.env !== "object")) {
      throw new TypeError("wasi.env must be an object of strings");
    }
    this.env = Object.entries(o.env ?? {}).map(([k, v]) => [k, String(v)]);
    this.cwd = o.cwd;
    this.#preopens = o.preopens === undefined ? undefined : preopensOf(o.preopens);
    this.stdout = sinkOf(o.stdout, Deno.stdout, "stdout");
    this.stderr = sinkOf(o.stderr, Deno.stderr, "stderr");
    if (o.stdin === "inherit") this.stdinKind = "inherit";
    else if (o.stdin instanceof Uint8Array) {
      this.stdinKind = "bytes";
      this.#stdin = o.stdin;
    } else if (o.stdin === undefined) this.stdinKind = "none";
    else throw new TypeError('wasi.stdin must be a Uint8Array or "inherit"');
    const net = o.network;
    if (net === true) this.network = true;
    else if (net === undefined || net === false) this.network = new Set();
    else if (Array.isArray(net)) this.network = new Set(net.map((h) => String(h).toLowerCase()));
    else throw new TypeError("wasi.network must be a boolean or an array of hosts");
    for (const e of hooks.extensions ?? []) {
      for (const [name, f] of Object.entries(e.interfaces)) this.#factories.set(name, f);
    }
  }

  /** The preopened directories (fixed the first time the component asks). */
  preopens(): Preopen[] {
    return this.#preopens ?? defaultPreopens;
  }

  /** The stream standard input reads from (one for the instance). */
  stdin(): InputStream {
    if (this.#stdinStream === undefined) {
      const source = this.stdinKind === "bytes"
        ? bytesSource(this.#stdin!)
        : this.stdinKind === "inherit"
        ? {
          read: (n: number) => {
            const buf = new Uint8Array(n);
            const got = Deno.stdin.readSync(buf);
            return got === null ? undefined : buf.subarray(0, got);
          },
          subscribe: readyPollable,
        }
        : emptySource();
      this.#stdinStream = new InputStream(source);
    }
    return this.#stdinStream;
  }

  /** Whether the component may connect to `host` (a name or address) on `port`. */
  mayReach(host: string, port?: number): boolean {
    if (this.network === true) return true;
    const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
    return this.network.has(h) || (port !== undefined && this.network.has(`${h}:${port}`)) ||
      (port !== undefined && this.network.has(`[${h}]:${port}`));
  }

  /** The object implementing one interface (`wasi:cli/environment@0.2.3`: any 0.2 version). */
  get(name: string): object {
    const bare = name.replace(/@.*$/, "");
    let obj = this.#interfaces.get(bare);
    if (obj === undefined) {
      const f = CORE[bare] ?? this.#factories.get(bare);
      if (f === undefined) {
        throw new TypeError(`wreg's WASI host does not implement ${name}`);
      }
      obj = f(this);
      this.#interfaces.set(bare, obj);
    }
    return obj;
  }
}

/** Makers of the interfaces this module serves, by unversioned name. */
export const CORE: Record<string, (ctx: WasiContext) => object> = {};

/** Registers interface makers (the parts of this module fill {@link CORE}). */
export function register(makers: Record<string, (ctx: WasiContext) => object>): void {
  Object.assign(CORE, makers);
}

for (const [name, obj] of Object.entries(ioInterfaces())) CORE[name] = () => obj;

/** Makes an output stream for standard output or error (a new one per `get-stdout`). */
export function stdStream(sink: ByteSink): OutputStream {
  return new OutputStream(sink);
}
