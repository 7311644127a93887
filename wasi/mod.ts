/**
 * wreg's WASI 0.2 host for Deno: the WASI imports of a component, implemented on Deno's own APIs
 * for the glue `wreg bindings` generates (`lib/bindings`), and nothing else. It is I/O, so it
 * lives outside `lib/`; `wreg add` copies it into a project as `wreg_modules/.wasi/` and maps
 * `@wreg/wasi` to it.
 *
 * A component gets only what the program grants it when it instantiates it ({@link WasiOptions}):
 * no files, environment variables or network unless given; clocks, randomness and standard output
 * and error (the program's, unless redirected) need no grant. On top of that, Deno's permissions
 * are asked before every file or network access, never prompting: what the program may not do
 * fails inside the component with the WASI error code (`access`), as it would on any WASI host.
 *
 * Served here: `wasi:cli` (environment, exit, stdin/stdout/stderr, terminal-*), `wasi:clocks`,
 * `wasi:random`, `wasi:io` (error, poll, streams) and `wasi:filesystem`, versions 0.2.x. In their
 * own modules, imported by glue only when the component needs them: `wasi:http` over `fetch`
 * (`./http.ts`) and `wasi:sockets` (`./sockets.ts`).
 *
 * Values and resources follow the JavaScript conventions of the generated glue (jco's): each
 * interface is an object of camel-case functions and resource classes, a `result`'s error is
 * thrown as its payload.
 *
 * @example
 * ```ts
 * import { createWasi } from "./mod.ts";
 * const wasi = createWasi({ args: ["x"], env: { LANG: "C" } }, { exit: (c) => new Error(`exit ${c}`) });
 * const env = wasi.get("wasi:cli/environment@0.2.3") as { getArguments(): string[] };
 * console.assert(env.getArguments()[0] === "x");
 * ```
 *
 * @module
 */
import { WasiContext, type WasiHooks, type WasiOptions } from "./_context.ts";
import "./_cli.ts";
import "./_filesystem.ts";

export {
  type Preopen,
  setPreopens,
  WasiContext,
  type WasiExtension,
  type WasiHooks,
  type WasiOptions,
} from "./_context.ts";
export {
  type ByteSink,
  type ByteSource,
  failed,
  InputStream,
  IoError,
  OutputStream,
  poll,
  Pollable,
  type StreamError,
  type Waiter,
} from "./_io.ts";
export { Descriptor, DirectoryEntryStream } from "./_filesystem.ts";
export { TerminalInput, TerminalOutput } from "./_cli.ts";

/** The version of this host; the folder `wreg add` vendors it into carries it. */
export const WASI_HOST_VERSION = "0.1.0";

/**
 * The WASI of one component instance, given what it may use (`options`) and the glue's hooks.
 * `get(name)` returns the object implementing an interface (`wasi:io/streams@0.2.0`).
 */
export function createWasi(options: WasiOptions | undefined, hooks: WasiHooks): WasiContext {
  return new WasiContext(options, hooks);
}
