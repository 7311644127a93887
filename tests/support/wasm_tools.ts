/**
 * The native wasm-tools CLI (from crates.io, installed by `node tools/setup.mjs`) as a second
 * independent validator beside wasmtime. The one place tests (and benchmarks) find and run it:
 * a test that needs wasm-tools calls these, and fails with what to do when it is not installed.
 *
 * @module
 */
import { peerPath } from "../../tools/peers.ts";

/**
 * The path of the wasm-tools binary tools/setup.mjs built or accepted (tools/peers.ts).
 * Throws with what to do when it is not installed.
 */
export function findWasmToolsSync(): string {
  return peerPath("wasm-tools");
}

/**
 * The path of wasm-tools, or `undefined` when it is not installed: for optional peers only (a
 * benchmark's comparison rows). A test uses {@linkcode findWasmToolsSync} and fails without it.
 */
export function wasmToolsIfInstalled(): string | undefined {
  try {
    return findWasmToolsSync();
  } catch {
    return undefined;
  }
}

/** {@linkcode findWasmToolsSync}, for async callers. */
export function findWasmTools(): Promise<string> {
  try {
    return Promise.resolve(findWasmToolsSync());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** What one run of wasm-tools did. */
export interface WasmToolsRun {
  /** Whether it exited with status 0. */
  success: boolean;
  /** Its exit status. */
  code: number;
  /** Standard output, as text. */
  stdout: string;
  /** Standard error, as text. */
  stderr: string;
}

const decoder = new TextDecoder();

function commandOf(args: string[], input: Uint8Array | undefined): Deno.Command {
  return new Deno.Command(findWasmToolsSync(), {
    args,
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

function runOf(out: Deno.CommandOutput): WasmToolsRun {
  return {
    success: out.success,
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Runs `wasm-tools <args>` with `input` on stdin; returns its exit status and output. */
export async function runWasmTools(args: string[], input?: Uint8Array): Promise<WasmToolsRun> {
  const child = commandOf(args, input).spawn();
  if (input) {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  }
  return runOf(await child.output());
}

/**
 * Runs `wasm-tools <args>` and waits for it, blocking (for tests that read many files in a tight
 * loop); returns its exit status and output. No stdin: pass files by path.
 */
export function runWasmToolsSync(args: string[]): WasmToolsRun {
  return runOf(commandOf(args, undefined).outputSync());
}

/**
 * Validates a module or component with `wasm-tools validate` (all proposals wasm-tools enables
 * by default); returns `undefined` when valid, else the error text.
 */
export async function wasmToolsValidate(bytes: Uint8Array): Promise<string | undefined> {
  const r = await runWasmTools(["validate", "-"], bytes);
  return r.success ? undefined : r.stderr.trim();
}
