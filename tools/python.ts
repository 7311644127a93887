/**
 * The Python that tests and example builds run: `WREG_PYTHON` when set, else the project's own
 * virtual environment `.tools/venv` that `node tools/setup.mjs` creates (with wasmtime,
 * componentize-py and schemathesis in it). Never the system's `python3`: under `npx`, PATH starts
 * with the folder of the node binary, whose `python3` may be Debian's, without those packages.
 *
 * @module
 */

/** Path of the project's virtual environment's Python. */
export const VENV_PYTHON = new URL("../.tools/venv/bin/python", import.meta.url).pathname;

/** The Python to run; throws with what to do when the environment is missing. */
export function projectPython(): string {
  const fromEnv = Deno.env.get("WREG_PYTHON");
  if (fromEnv) return fromEnv;
  try {
    Deno.statSync(VENV_PYTHON);
  } catch {
    throw new Error(
      `Cannot find the project's Python at ${VENV_PYTHON}: run \`node tools/setup.mjs\` ` +
        `(or set WREG_PYTHON to a Python with wasmtime and componentize-py installed)`,
    );
  }
  return VENV_PYTHON;
}
