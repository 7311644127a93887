/**
 * Builds every example component from source.
 *
 * ```sh
 * deno task examples                               # set-up, then this script
 * deno run -A examples/build.ts [--out DIR] [--only NAME,...] [--json]
 * ```
 *
 * Output goes to `examples/dist/` by default (git-ignored): one `<name>.wasm` per example. The
 * script prints what it built with sizes, digests and build times; `--json` prints the same as
 * JSON. Tests import {@linkcode buildExamples}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  addWasmMetadata,
  ExampleBuildError,
  EXAMPLES_DIR,
  type WasmMetadata,
} from "./_build_support.ts";
import { digestOf } from "../lib/names/mod.ts";
import { buildScrubberC } from "./scrubber-c/build.ts";
import { buildLoggerJs, COMPONENTIZE_QJS_VERSION } from "./logger-js/build.ts";
import { buildScrubberPy, COMPONENTIZE_PY_VERSION } from "./scrubber-py/build.ts";

export { ExampleBuildError } from "./_build_support.ts";

/** One built example. */
export interface BuiltExample {
  /** File stem and name used with `--only`: `scrubber-c`, `logger-js`, `scrubber-py`. */
  name: string;
  /** The source language. */
  language: string;
  /** The world it targets. */
  world: string;
  /** Path of the written component. */
  path: string;
  /** The component bytes. */
  bytes: Uint8Array;
  /** `sha256:<hex>` of the bytes. */
  digest: string;
  /** Wall-clock build time in milliseconds. */
  buildMs: number;
  /** The tools that built it. */
  toolchain: string;
}

/** Options of {@linkcode buildExamples}. */
export interface BuildExamplesOptions {
  /** Output folder, created when missing; default `examples/dist`. */
  outDir?: string;
  /** Names of the examples to build; default all. */
  only?: string[];
  /** Called once per example when it is built. */
  onBuilt?: (example: BuiltExample) => void;
}

/** The version every example component carries in its metadata. */
export const EXAMPLES_VERSION = "0.1.0";

/**
 * The license recorded in the examples' metadata. The project has no LICENSE file yet; this
 * states the intent for the example code and changes with it.
 */
export const EXAMPLES_LICENSE = "Apache-2.0";

interface ExampleRecipe {
  name: string;
  language: string;
  world: string;
  description: string;
  build(tmpDir: string): Promise<{ component: Uint8Array; toolchain: string }>;
}

const RECIPES: ExampleRecipe[] = [
  {
    name: "scrubber-c",
    language: "C",
    world: "docs:processor/processor@0.1.0",
    description:
      "Redacts US social security numbers, email addresses and US phone numbers; logs through docs:processor/logger",
    async build(tmpDir) {
      const { component, toolchain } = await buildScrubberC(tmpDir);
      return { component, toolchain: `${toolchain}, wasm-ld, jco-transpile wasm-tools` };
    },
  },
  {
    name: "logger-js",
    language: "JavaScript",
    world: "docs:logger-js/stderr-logger@0.1.0",
    description: "Implements docs:processor/logger: writes `[level] message` lines to stderr",
    async build(tmpDir) {
      return {
        component: await buildLoggerJs(tmpDir),
        toolchain: `componentize-qjs ${COMPONENTIZE_QJS_VERSION} (QuickJS, sync runtime)`,
      };
    },
  },
  {
    name: "scrubber-py",
    language: "Python",
    world: "docs:processor/processor@0.1.0",
    description:
      "Redacts US social security numbers, email addresses and US phone numbers (Python); logs through docs:processor/logger",
    async build(tmpDir) {
      return {
        component: await buildScrubberPy(tmpDir),
        toolchain: `componentize-py ${COMPONENTIZE_PY_VERSION} (CPython)`,
      };
    },
  },
];

/** The names of all examples, in build order. */
export const EXAMPLE_NAMES: readonly string[] = RECIPES.map((r) => r.name);

/**
 * Builds the examples from source, writes `<outDir>/<name>.wasm` for each and returns what was
 * built. Each component gets wasm-metadata (description, version, licenses).
 *
 * @throws {ExampleBuildError} when a toolchain is missing or a build fails
 */
export async function buildExamples(options: BuildExamplesOptions = {}): Promise<BuiltExample[]> {
  const outDir = options.outDir ?? `${EXAMPLES_DIR}dist`;
  const unknown = (options.only ?? []).filter((n) => !EXAMPLE_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new ExampleBuildError(
      "build-failed",
      `Cannot build "${unknown.join('", "')}": the examples are ${EXAMPLE_NAMES.join(", ")}`,
    );
  }
  const recipes = RECIPES.filter((r) => !options.only || options.only.includes(r.name));
  await Deno.mkdir(outDir, { recursive: true });
  const tmpDir = await Deno.makeTempDir({ prefix: "wreg-examples-" });
  const built: BuiltExample[] = [];
  try {
    for (const recipe of recipes) {
      const start = performance.now();
      const { component, toolchain } = await recipe.build(tmpDir);
      const metadata: WasmMetadata = {
        description: recipe.description,
        licenses: EXAMPLES_LICENSE,
        version: EXAMPLES_VERSION,
      };
      const bytes = addWasmMetadata(component, metadata);
      const path = `${outDir}/${recipe.name}.wasm`;
      await Deno.writeFile(path, bytes);
      const example: BuiltExample = {
        name: recipe.name,
        language: recipe.language,
        world: recipe.world,
        path,
        bytes,
        digest: await digestOf(bytes),
        buildMs: Math.round(performance.now() - start),
        toolchain,
      };
      built.push(example);
      options.onBuilt?.(example);
    }
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
  return built;
}

function formatSize(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      only: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno run -A examples/build.ts [--out DIR] [--only NAME,...] [--json]\n" +
        `Examples: ${EXAMPLE_NAMES.join(", ")}`,
    );
    return 0;
  }
  try {
    const built = await buildExamples({
      outDir: values.out,
      only: values.only?.split(",").map((s) => s.trim()).filter(Boolean),
      onBuilt: (e) => {
        if (values.json) return;
        console.log(
          `${e.name.padEnd(12)} ${e.language.padEnd(11)} ${
            formatSize(e.bytes.length).padStart(10)
          }` +
            `  ${String(e.buildMs).padStart(6)} ms  ${e.digest}  ${e.path}`,
        );
      },
    });
    if (values.json) {
      console.log(JSON.stringify(
        built.map(({ bytes, ...rest }) => ({ ...rest, size: bytes.length })),
        null,
        2,
      ));
    }
    return 0;
  } catch (e) {
    if (e instanceof ExampleBuildError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
