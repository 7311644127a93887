/**
 * Builds the C PII scrubber (`docs:processor/processor`) into a component.
 *
 * 1. Debian's clang compiles `pii.c` and `glue.c` for freestanding `wasm32` (no libc, no WASI)
 *    and wasm-ld (Debian's lld) links them into a core module with the exports wit-component
 *    expects.
 * 2. jco's Wasm build of wasm-tools embeds the world (`componentEmbed`) and wraps the module
 *    into a component (`componentNew`); no adapter is needed because the module imports nothing
 *    from WASI.
 *
 * @module
 */
import { componentEmbed, componentNew } from "@bytecodealliance/jco-transpile/wasm-tools";
import { EXAMPLES_DIR, PROCESSOR_WIT, runTool } from "../_build_support.ts";

/** Sources of the scrubber, relative to this folder. */
export const SCRUBBER_C_SOURCES: readonly string[] = ["pii.c", "glue.c"];

/** The clang flags: freestanding wasm32, optimised, every warning an error. */
export const SCRUBBER_C_FLAGS: readonly string[] = [
  "--target=wasm32",
  "-O2",
  "-std=c11",
  "-ffreestanding",
  "-Wall",
  "-Wextra",
  "-Werror",
];

/** The wasm-ld flags: a library-like module with no start function and no libc. */
export const SCRUBBER_C_LINK_FLAGS: readonly string[] = ["--no-entry"];

/** What building the scrubber produced. */
export interface ScrubberCBuild {
  /** The core module clang and wasm-ld made. */
  core: Uint8Array;
  /** The component. */
  component: Uint8Array;
  /** The compiler that built it, e.g. `Debian clang version 14.0.6`. */
  toolchain: string;
}

/**
 * Compiles the scrubber and returns the component bytes. `tmpDir` receives the core module.
 *
 * @throws {ExampleBuildError} when clang or wasm-ld is missing or the compilation fails
 */
export async function buildScrubberC(tmpDir: string): Promise<ScrubberCBuild> {
  const dir = `${EXAMPLES_DIR}scrubber-c`;
  const hint = "run `node tools/setup.mjs`, which installs Debian's clang and lld";
  const version = await runTool("clang", ["--version"], { hint });
  // Compile and link as separate steps: when clang drives the link with optimisation on, it
  // also runs any `wasm-opt` it finds on PATH (inside `deno task`, binaryen's from
  // node_modules/.bin), so the output would depend on PATH.
  const objects: string[] = [];
  for (const source of SCRUBBER_C_SOURCES) {
    const object = `${tmpDir}/${source.replace(/\.c$/, ".o")}`;
    await runTool("clang", [...SCRUBBER_C_FLAGS, "-c", "-o", object, source], { cwd: dir, hint });
    objects.push(object);
  }
  const corePath = `${tmpDir}/scrubber-c.core.wasm`;
  await runTool("wasm-ld", [...SCRUBBER_C_LINK_FLAGS, "-o", corePath, ...objects], { hint });
  const core = await Deno.readFile(corePath);
  const embedded = await componentEmbed({
    binary: core,
    witSource: await Deno.readTextFile(PROCESSOR_WIT),
    world: "processor",
  });
  const component = await componentNew(embedded, []);
  return { core, component, toolchain: version.split("\n")[0].trim() };
}
