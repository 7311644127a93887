/**
 * Builds the Python PII scrubber (`docs:processor/processor`) into a component with
 * componentize-py (from PyPI, installed by `node tools/setup.mjs`), which bundles CPython and the
 * application's modules into one component.
 *
 * componentize-py is run through the project's Python (tools/python.ts: `WREG_PYTHON`, else the
 * `.tools/venv` that setup creates), not its console script, so the build does not depend on PATH.
 *
 * @module
 */
import { EXAMPLES_DIR, runTool } from "../_build_support.ts";
import { projectPython } from "../../tools/python.ts";

/** The componentize-py version tools/setup.mjs installs. */
export const COMPONENTIZE_PY_VERSION = "0.25.1";

/**
 * Builds the scrubber and returns the component bytes; `tmpDir` receives the output file.
 *
 * @throws {ExampleBuildError} when Python or componentize-py is missing or the build fails
 */
export async function buildScrubberPy(tmpDir: string): Promise<Uint8Array> {
  const python = projectPython();
  const out = `${tmpDir}/scrubber-py.wasm`;
  await runTool(python, [
    "-c",
    "import sys; from componentize_py import script; sys.argv[0] = 'componentize-py'; sys.exit(script())",
    "--wit-path",
    `${EXAMPLES_DIR}processor/wit`,
    "--world",
    "processor",
    "componentize",
    "--python-path",
    `${EXAMPLES_DIR}scrubber-py`,
    "scrubber",
    "--output",
    out,
  ], { hint: "run `node tools/setup.mjs`, which installs componentize-py from PyPI" });
  return await Deno.readFile(out);
}
