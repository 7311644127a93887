/**
 * Shared pieces of the example builds: running a tool, assembling a WIT folder, adding
 * wasm-metadata. Used by the per-example `build.ts` files and `examples/build.ts`.
 *
 * @module
 */
import { build } from "../lib/component/mod.ts";

const UTF8 = new TextEncoder();

/** The examples folder, as a path with a trailing slash. */
export const EXAMPLES_DIR: string = new URL(".", import.meta.url).pathname;

/** The seed's WIT package `docs:processor`, the one file every example builds against. */
export const PROCESSOR_WIT: string = `${EXAMPLES_DIR}processor/wit/processor.wit`;

/** A build step failed: the tool, its exit status and what it printed. */
export class ExampleBuildError extends Error {
  /** Stable error code. */
  readonly code: string;
  /** Creates the error; `code` is `tool-missing`, `tool-failed` or `build-failed`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "ExampleBuildError";
    this.code = code;
  }
}

/**
 * Runs a command to completion and returns its standard output; throws an
 * {@linkcode ExampleBuildError} with the command's standard error when it fails or is missing.
 *
 * @param hint what to do when the command is not installed
 */
export async function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; hint?: string } = {},
): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ExampleBuildError(
        "tool-missing",
        `Cannot run "${command}": it is not installed${options.hint ? ` (${options.hint})` : ""}`,
      );
    }
    throw e;
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new ExampleBuildError(
      "tool-failed",
      `Cannot build: "${command} ${args.join(" ")}" exited with status ${output.code}\n` +
        decoder.decode(output.stderr),
    );
  }
  return decoder.decode(output.stdout);
}

/**
 * Writes a WIT folder (`files` maps relative paths to contents) into `dir`, which must exist.
 * Tools that take a WIT path get one folder with the world in the root and its packages in
 * `deps/`.
 */
export async function writeWitFolder(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
}

/**
 * The fields of the wasm-metadata custom sections (what `wasm-tools metadata add` writes): each
 * is a custom section of that name holding the UTF-8 text.
 */
export interface WasmMetadata {
  /** Who is responsible for the component. */
  authors?: string;
  /** A human-readable description. */
  description?: string;
  /** An SPDX license expression. */
  licenses?: string;
  /** A URL of the source code. */
  source?: string;
  /** A URL with more information. */
  homepage?: string;
  /** A source-control revision. */
  revision?: string;
  /** The version of the packaged software. */
  version?: string;
}

const METADATA_ORDER: (keyof WasmMetadata)[] = [
  "authors",
  "description",
  "licenses",
  "source",
  "homepage",
  "revision",
  "version",
];

/**
 * Returns `wasm` (a module or component) with wasm-metadata custom sections inserted right after
 * the header, in the order `wasm-tools metadata add` uses. Sections already present are not
 * looked for: call it once, on a fresh build.
 *
 * @example
 * ```ts
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]); // (component)
 * const out = addWasmMetadata(empty, { version: "0.1.0" });
 * // out = header, then section 0 "version" "0.1.0"
 * ```
 */
export function addWasmMetadata(wasm: Uint8Array, metadata: WasmMetadata): Uint8Array {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73) {
    throw new ExampleBuildError("build-failed", "Cannot add metadata: not a WebAssembly binary");
  }
  const sections = build((w) => {
    for (const key of METADATA_ORDER) {
      const value = metadata[key];
      if (value !== undefined) w.section(0, build((c) => c.name(key).bytes(UTF8.encode(value))));
    }
  });
  const out = new Uint8Array(wasm.length + sections.length);
  out.set(wasm.subarray(0, 8), 0);
  out.set(sections, 8);
  out.set(wasm.subarray(8), 8 + sections.length);
  return out;
}
