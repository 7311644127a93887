/**
 * Builds the JavaScript logger (exports `docs:processor/logger`) into a component with
 * componentize-qjs, which embeds the QuickJS engine and snapshots the initialised module.
 *
 * componentize-qjs takes a WIT path, so the build writes one folder: this example's world
 * (`wit/logger.wit`) in the root, and the packages it uses (`docs:processor` and the subset of
 * WASI in `wit/deps/`) under `deps/`.
 *
 * @module
 */
import {
  ExampleBuildError,
  EXAMPLES_DIR,
  PROCESSOR_WIT,
  writeWitFolder,
} from "../_build_support.ts";

/** The version of componentize-qjs in package.json, recorded in the build report. */
export const COMPONENTIZE_QJS_VERSION = "0.4.5";

/**
 * Builds the logger and returns the component bytes. `tmpDir` receives the assembled WIT folder.
 *
 * The component uses the non-async runtime (`sync`): componentize-qjs' default runtime needs
 * the component-model async ABI, which wasmtime-py and jco's default output do not enable.
 */
export async function buildLoggerJs(tmpDir: string): Promise<Uint8Array> {
  const dir = `${EXAMPLES_DIR}logger-js`;
  const witDir = `${tmpDir}/logger-js-wit`;
  await writeWitFolder(witDir, {
    "logger.wit": await Deno.readTextFile(`${dir}/wit/logger.wit`),
    "deps/wasi-io.wit": await Deno.readTextFile(`${dir}/wit/deps/wasi-io.wit`),
    "deps/wasi-cli.wit": await Deno.readTextFile(`${dir}/wit/deps/wasi-cli.wit`),
    "deps/processor.wit": await Deno.readTextFile(PROCESSOR_WIT),
  });
  // Imported here rather than at the top: it loads a 40 MB native addon, which only this build
  // needs.
  const { componentize } = await import("componentize-qjs");
  try {
    const { component } = await componentize({
      witPath: witDir,
      jsSource: await Deno.readTextFile(`${dir}/logger.js`),
      world: "stderr-logger",
      sync: true,
    });
    return new Uint8Array(component);
  } catch (e) {
    throw new ExampleBuildError(
      "tool-failed",
      `Cannot build logger-js: componentize-qjs failed: ${(e as Error).message}`,
    );
  }
}
