/**
 * The example components (examples/, the seed scenario) for tests that use them as inputs:
 * `examples/dist/<name>.wasm`, built from source with examples/build.ts when missing or older than
 * its sources, so the suite works from a clean clone (where examples/dist does not exist yet)
 * and never runs a stale build. A build that cannot run fails the test with what to do.
 *
 * examples/examples_test.ts is the test of the builds themselves: it builds into a temporary
 * folder instead, every run.
 *
 * ```ts
 * import { example, exampleWasm } from "../tests/support/examples.ts";
 *
 * const scrubber = await exampleWasm("scrubber-c");
 * const { path } = await example("logger-js"); // examples/dist/logger-js.wasm
 * ```
 *
 * @module
 */
import { buildExamples, EXAMPLE_NAMES, ExampleBuildError } from "../../examples/build.ts";

/** The examples examples/build.ts builds. */
export type ExampleName = "scrubber-c" | "logger-js" | "scrubber-py";

/** The examples folder, ending in `/`. */
const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

/** Where the built examples are (git-ignored), ending in `/`: what `deno task examples` writes. */
export const EXAMPLES_DIST = `${EXAMPLES}dist/`;

/** A built example component. */
export interface Example {
  name: ExampleName;
  /** `examples/dist/<name>.wasm` (absolute). */
  path: string;
  /** Its bytes. */
  bytes: Uint8Array;
}

/** The sources a build of `name` reads: its folder, the shared WIT and the build scripts. */
function sourcesOf(name: string): string[] {
  return [
    `${EXAMPLES}${name}`,
    `${EXAMPLES}processor/wit`,
    `${EXAMPLES}build.ts`,
    `${EXAMPLES}_build_support.ts`,
  ];
}

/** The newest modification time of the files under `path` (caches and outputs left out). */
function newestMtime(path: string): number {
  const info = Deno.statSync(path);
  if (!info.isDirectory) return info.mtime?.getTime() ?? 0;
  let newest = 0;
  for (const e of Deno.readDirSync(path)) {
    if (e.name === "__pycache__" || e.name === "generated" || e.name.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(`${path}/${e.name}`));
  }
  return newest;
}

/** Whether examples/dist/<name>.wasm exists and is newer than every source of it. */
function upToDate(name: string): boolean {
  let built: number;
  try {
    built = Deno.statSync(`${EXAMPLES_DIST}${name}.wasm`).mtime?.getTime() ?? 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  return sourcesOf(name).every((p) => newestMtime(p) <= built);
}

/**
 * Builds the examples in `names` into examples/dist. Each is written to a temporary folder inside
 * examples/dist first and renamed into place, so a reader (another test process, or the registry
 * seeding from examples/dist) never sees a half-written file.
 */
async function build(names: ExampleName[]): Promise<void> {
  await Deno.mkdir(EXAMPLES_DIST, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: EXAMPLES_DIST, prefix: ".build-" });
  try {
    await buildExamples({ outDir: tmp, only: names });
    for (const name of names) {
      await Deno.rename(`${tmp}/${name}.wasm`, `${EXAMPLES_DIST}${name}.wasm`);
    }
  } catch (e) {
    if (!(e instanceof ExampleBuildError)) throw e;
    throw new Error(
      `Cannot build the example ${names.join(", ")} (examples/dist is missing it or older than ` +
        `its sources): ${e.message}. Run \`node tools/setup.mjs\` (it installs clang, lld and the ` +
        `Python environment with componentize-py), then \`deno task examples\``,
      { cause: e },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

const ready = new Map<ExampleName, Promise<Example>>();

/**
 * Makes sure the examples are built and current in examples/dist (building the missing or stale
 * ones together, once per test process) and returns them in the order asked.
 */
export function ensureExamples(
  names: readonly ExampleName[] = EXAMPLE_NAMES as ExampleName[],
): Promise<Example[]> {
  const todo = names.filter((n) => !ready.has(n));
  if (todo.length > 0) {
    const stale = todo.filter((n) => !upToDate(n));
    const built = stale.length > 0 ? build(stale) : Promise.resolve();
    for (const name of todo) {
      const path = `${EXAMPLES_DIST}${name}.wasm`;
      const p = built.then(async () => ({ name, path, bytes: await Deno.readFile(path) }));
      // A failed build is reported to every caller, and tried again by the next one.
      p.catch(() => ready.delete(name));
      ready.set(name, p);
    }
  }
  return Promise.all(names.map((n) => ready.get(n)!));
}

/** One example, built when missing or stale (see {@linkcode ensureExamples}). */
export async function example(name: ExampleName): Promise<Example> {
  const [e] = await ensureExamples([name]);
  return e;
}

/** The bytes of one example, built when missing or stale. */
export async function exampleWasm(name: ExampleName): Promise<Uint8Array> {
  return (await example(name)).bytes;
}
