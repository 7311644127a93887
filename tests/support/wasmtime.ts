/**
 * Run WebAssembly components in wasmtime, an independent runtime, from Deno tests.
 *
 * A thin wrapper over `wasmtime_run.py` (wasmtime's Python package, installed by
 * `node tools/setup.mjs`): each call starts one Python process (tools/python.ts) that validates the component,
 * instantiates it with WASI 0.2 linked and the requested host imports defined, makes the calls
 * and answers in JSON.
 *
 * ```ts
 * import { callComponent, validateComponent } from "../tests/support/wasmtime.ts";
 *
 * const bytes = await Deno.readFile("examples/dist/scrubber-c.wasm");
 * await validateComponent(bytes); // { valid: true, imports: {...}, exports: {...} }
 * const { result, hostCalls } = await callComponent(bytes, "process", [
 *   "Call 555-123-4567",
 *   { id: 7n, source: "inbox", priority: 1 },
 * ], { host: { "docs:processor/logger@0.1.0": { log: {} } } });
 * // result: "Call [REDACTED]"
 * // hostCalls: [{ import: "docs:processor/logger@0.1.0#log", args: ["info", "processed …"] }]
 * ```
 *
 * Values cross as JSON: numbers, strings, booleans; `u64`/`s64` beyond 2^53 come back as
 * `bigint` and may be passed as `bigint`; lists (also `list<u8>`) and tuples as arrays; records as
 * objects keyed by WIT field names (kebab-case); enums as case names; flags as arrays of names;
 * `option` as `null` or the value; `result` and `variant` as `{ tag, val }`. Resources are not
 * supported.
 *
 * @module
 */

import { projectPython } from "../../tools/python.ts";

const SCRIPT = new URL("./wasmtime_run.py", import.meta.url).pathname;

/** What a host function does when the component calls it; every call is recorded anyway. */
export interface HostBehaviour {
  /** The value to return (JSON, converted with the function's result type). */
  result?: unknown;
  /** Trap with this message instead of returning. */
  trap?: string;
  /**
   * Hand the call to another component (bytes or a file path): its export of the same name
   * (`iface#func`, or the function) runs, in its own instance with WASI, and its result is
   * returned. A composition made by the host, to run a component against a real implementation
   * of an import.
   */
  forward?: Uint8Array | string;
}

/**
 * Host functions for non-WASI imports. An instance import (`"docs:processor/logger@0.1.0"`)
 * maps function names to behaviours; a top-level function import maps to one behaviour.
 */
export type HostImports = Record<string, HostBehaviour | Record<string, HostBehaviour>>;

/** When to stop a call that does not return on its own: once the output holds a text. */
export interface StopOn {
  /** The stream to watch. */
  stream: "stdout" | "stderr";
  /** The text to look for. */
  text: string;
  /** How many times it must appear (default 1). */
  count?: number;
}

/** Options of {@linkcode runComponent} and {@linkcode callComponent}. */
export interface WasmtimeOptions {
  /** Host functions to define for non-WASI imports. */
  host?: HostImports;
  /**
   * Non-WASI imports `host` leaves out: `"trap"` (default) defines them as functions that trap
   * when called; `"error"` makes instantiation fail. `"stub"` is `"trap"` for components that
   * import more than the WASI 0.2 wasmtime provides: every import wasmtime does not define
   * (WASI 0.3, wasi:keyvalue, wasi:http without `wasiHttp`, fermyon:spin…) gets trapping
   * functions, and its resources are defined as host resources, so the component instantiates.
   */
  unknownImports?: "trap" | "error" | "stub";
  /** Link WASI 0.2 (default true); stdout and stderr are captured. */
  wasi?: boolean;
  /** Link wasi:http 0.2 too (default false; needs `wasi`). */
  wasiHttp?: boolean;
  /** What WASI gives the component (nothing of it by default). */
  wasiConfig?: WasiConfig;
  /**
   * Stop the call running this many seconds after the first call started (wasmtime's epoch
   * interruption): the run then succeeds with `stopped: "time"`, the output so far and the
   * earlier results. A guard for a service loop that never returns; a test asserts on what the
   * component did (see `stopOn`), never on the time.
   */
  stopAfterSeconds?: number;
  /** Stop a call once its output holds a text (`stopped: "output"`), for a service loop. */
  stopOn?: StopOn;
  /**
   * Kill the runner process after this many milliseconds, a guard against a hang (default
   * 120000, or `stopAfterSeconds` plus a minute when that is longer).
   */
  timeoutMs?: number;
}

/** Arguments, environment, standard input and preopened directories for WASI. */
export interface WasiConfig {
  argv?: string[];
  env?: Record<string, string>;
  /** Text on standard input. */
  stdin?: string;
  /** Host directories the component sees at guest paths (`mutable` default true). */
  preopens?: { host: string; guest: string; mutable?: boolean }[];
}

/** One call of an export: a top-level function name, or `interface#function`. */
export interface WasmtimeCall {
  /** `scrub-pii`, or `docs:processor/logger@0.1.0#log` (the version may be left out). */
  export: string;
  /** Arguments, in order. */
  args?: unknown[];
}

/** A host function call the component made. */
export interface HostCall {
  /** `interface#function`, or the function name for a top-level import. */
  import: string;
  /** The arguments, as JSON values. */
  args: unknown[];
}

/**
 * Imports or exports by name: a function's signature, or for an instance its functions'
 * signatures by name.
 */
export type ComponentItems = Record<string, string | Record<string, string>>;

/** What {@linkcode runComponent} returns. */
export interface WasmtimeRun {
  /** One result per call (`null` for a function without a result). */
  results: unknown[];
  /** Every call of a host function, in order. */
  hostCalls: HostCall[];
  /** What the component wrote to standard output. */
  stdout: string;
  /** What the component wrote to standard error. */
  stderr: string;
  /** The component's imports. */
  imports: ComponentItems;
  /** The component's exports. */
  exports: ComponentItems;
  /**
   * Why the run was stopped (`stopAfterSeconds` or `stopOn`): then the call that was running has
   * no result and the calls after it were not made. `undefined` when every call returned.
   */
  stopped?: "time" | "output";
  /**
   * The status the component exited with through `wasi:cli/exit` (the call that exited has no
   * result and later calls were not made); `null` when it did not exit.
   */
  exitCode?: number | null;
}

/** What {@linkcode validateComponent} returns. */
export type ComponentValidation =
  | { valid: true; imports: ComponentItems; exports: ComponentItems }
  | { valid: false; message: string };

/** wasmtime (or the runner) rejected a request; `stage` says where. */
export class WasmtimeRunError extends Error {
  /** `setup`, `request`, `validate`, `instantiate`, `call` or `internal`. */
  readonly stage: string;
  /** The runner's whole answer, with partial results, host calls and output of a failed call. */
  readonly response: Record<string, unknown>;
  /** Creates the error from the runner's answer. */
  constructor(stage: string, message: string, response: Record<string, unknown>) {
    super(`wasmtime (${stage}): ${message}`);
    this.name = "WasmtimeRunError";
    this.stage = stage;
    this.response = response;
  }
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => typeof v === "bigint" ? v.toString() : v);
}

/** JSON.parse that keeps integers beyond 2^53 exact, as bigint. */
function fromJson(text: string): Record<string, unknown> {
  return JSON.parse(text, (_key, value, context?: { source?: string }) => {
    if (
      typeof value === "number" && !Number.isSafeInteger(value) && context?.source &&
      /^-?\d+$/.test(context.source)
    ) {
      return BigInt(context.source);
    }
    return value;
  });
}

/** Writes component bytes to temporary files (recorded in `tmp`); passes paths through. */
async function componentPath(component: Uint8Array | string, tmp: string[]): Promise<string> {
  if (typeof component === "string") return component;
  const path = await Deno.makeTempFile({ prefix: "wreg-wasmtime-", suffix: ".wasm" });
  tmp.push(path);
  await Deno.writeFile(path, component);
  return path;
}

/** The host imports with every `forward` turned into a file path. */
async function hostWithPaths(host: HostImports, tmp: string[]): Promise<HostImports> {
  const withPath = async (b: HostBehaviour): Promise<HostBehaviour> =>
    b.forward === undefined ? b : { ...b, forward: await componentPath(b.forward, tmp) };
  const out: HostImports = {};
  for (const [name, spec] of Object.entries(host)) {
    const isBehaviour = ["result", "trap", "forward"].some((k) => k in spec) ||
      Object.keys(spec).length === 0;
    if (isBehaviour) {
      out[name] = await withPath(spec as HostBehaviour);
    } else {
      const funcs: Record<string, HostBehaviour> = {};
      for (const [f, b] of Object.entries(spec as Record<string, HostBehaviour>)) {
        funcs[f] = await withPath(b);
      }
      out[name] = funcs;
    }
  }
  return out;
}

async function invoke(
  component: Uint8Array | string,
  request: Record<string, unknown>,
  timeoutMs = 120_000,
): Promise<Record<string, unknown>> {
  const tmp: string[] = [];
  const python = projectPython();
  try {
    const path = await componentPath(component, tmp);
    if (request.host) {
      request = { ...request, host: await hostWithPaths(request.host as HostImports, tmp) };
    }
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(python, {
        args: [SCRIPT],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(timeoutMs),
      }).spawn();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new WasmtimeRunError(
          "setup",
          `Cannot run "${python}": it is not installed (wasmtime runs from Python; see tools/setup.mjs)`,
          {},
        );
      }
      throw e;
    }
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(toJson({ ...request, component: path })));
    await writer.close();
    const output = await child.output();
    const stdout = new TextDecoder().decode(output.stdout).trim();
    let response: Record<string, unknown>;
    try {
      response = fromJson(stdout.slice(stdout.lastIndexOf("\n") + 1));
    } catch {
      const why = output.signal
        ? `was killed by ${output.signal} (timeout ${timeoutMs} ms?)`
        : `exited with status ${output.code}`;
      throw new WasmtimeRunError(
        "internal",
        `wasmtime_run.py ${why} without an answer: ${new TextDecoder().decode(output.stderr)}`,
        {},
      );
    }
    if (response.ok !== true) {
      throw new WasmtimeRunError(
        String(response.stage ?? "internal"),
        String(response.message ?? "unknown failure"),
        response,
      );
    }
    return response;
  } finally {
    for (const path of tmp) await Deno.remove(path).catch(() => {});
  }
}

/**
 * Validates and compiles a component with wasmtime; returns its imports and exports, or why it
 * is invalid. Throws {@linkcode WasmtimeRunError} only when wasmtime itself cannot run.
 *
 * @param component the bytes, or a file path
 */
export async function validateComponent(
  component: Uint8Array | string,
): Promise<ComponentValidation> {
  try {
    const response = await invoke(component, {});
    return {
      valid: true,
      imports: response.imports as ComponentItems,
      exports: response.exports as ComponentItems,
    };
  } catch (e) {
    if (e instanceof WasmtimeRunError && e.stage === "validate") {
      return { valid: false, message: String(e.response.message) };
    }
    throw e;
  }
}

/**
 * Instantiates a component once and makes the calls in order in that one instance.
 *
 * @param component the bytes, or a file path
 * @throws {WasmtimeRunError} when the component is invalid, cannot be instantiated, or a call
 *   traps (`stage` tells which; `response` holds the results and output so far)
 */
export async function runComponent(
  component: Uint8Array | string,
  calls: WasmtimeCall[],
  options: WasmtimeOptions = {},
): Promise<WasmtimeRun> {
  const timeoutMs = options.timeoutMs ??
    Math.max(120_000, (options.stopAfterSeconds ?? 0) * 1000 + 60_000);
  const response = await invoke(component, {
    calls: calls.map((c) => ({ export: c.export, args: c.args ?? [] })),
    host: options.host ?? {},
    unknownImports: options.unknownImports ?? "trap",
    wasi: options.wasi ?? true,
    wasiHttp: options.wasiHttp ?? false,
    ...(options.stopAfterSeconds === undefined
      ? {}
      : { stopAfterSeconds: options.stopAfterSeconds }),
    ...(options.stopOn === undefined ? {} : { stopOn: options.stopOn }),
    ...(options.wasiConfig === undefined ? {} : { wasiConfig: options.wasiConfig }),
    instantiate: true,
  }, timeoutMs);
  const stopped = response.stopped as WasmtimeRun["stopped"] | null | undefined;
  return {
    ...(stopped ? { stopped } : {}),
    results: response.results as unknown[],
    hostCalls: response.hostCalls as HostCall[],
    stdout: String(response.stdout ?? ""),
    stderr: String(response.stderr ?? ""),
    imports: response.imports as ComponentItems,
    exports: response.exports as ComponentItems,
    exitCode: (response.exitCode as number | null | undefined) ?? null,
  };
}

/**
 * Calls one export of a fresh instance and returns its result with the host calls and output.
 *
 * @param exportName `scrub-pii`, or `iface#func` such as `docs:processor/logger#log`
 * @throws {WasmtimeRunError} as {@linkcode runComponent}
 */
export async function callComponent(
  component: Uint8Array | string,
  exportName: string,
  args: unknown[] = [],
  options: WasmtimeOptions = {},
): Promise<{ result: unknown; hostCalls: HostCall[]; stdout: string; stderr: string }> {
  const run = await runComponent(component, [{ export: exportName, args }], options);
  return {
    result: run.results[0],
    hostCalls: run.hostCalls,
    stdout: run.stdout,
    stderr: run.stderr,
  };
}
