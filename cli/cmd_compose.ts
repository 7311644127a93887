/**
 * `wreg compose [-o out.wasm]`: in a project, composes the project's component (`component` in
 * `wreg.json`) with its dependency tree as `wreg.lock` resolved it, into one component.
 *
 * The locked components' bytes are read by digest from blob folders laid out like the registry's
 * (`sha256/<first two hex digits>/<hex>`, or flat `<hex>` / `<hex>.wasm`): the `--blobs`
 * folders, `$WREG_CACHE`, `.wreg/blobs` in the project, then the package cache that `wreg add` and
 * `wreg install` fill (`<cache>/blobs`, see `_cache_dir.ts`).
 */
import { parseArgs } from "node:util";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { composeFailure, compositionJson, formatComposition, withJsonErrors } from "./cmd_plug.ts";
import { cachePath } from "./_cache_dir.ts";
import { composeFromLock, type PlugResult } from "../lib/compose/mod.ts";
import type { Digest } from "../lib/names/mod.ts";
import { parseLock, parseManifest } from "../lib/package/mod.ts";

const HELP = `Usage: wreg compose [-o <out.wasm>] [--blobs <dir> ...] [--json]

Composes the project's component (\`component\` in wreg.json) with the component packages
locked in wreg.lock: the project's imports are filled by the locked components that export
them (wreg.json \`fills\` chooses when several do), each dependency's imports as the lock's
\`fills\` say. WASI imports stay imports of the result. Every connection is type-checked.

Options:
  -o, --output <file>   Where to write the result (default: <component>.composed.wasm)
  --blobs <dir>         A folder of locked components by digest (repeatable; searched first)
  --json                Print what was done as JSON; on failure print
                        {"error": {"code", "message", "exitCode", "details"?}}
  -h, --help            Show this help

Locked components are found by digest in sha256/<hex[0..2]>/<hex>, <hex> or <hex>.wasm under
the --blobs folders, $WREG_CACHE, .wreg/blobs in the project and the package cache
($WREG_CACHE_DIR/blobs, default ~/.cache/wreg/blobs, filled by \`wreg install\`).

Exit status: 0 when written; 2 when the project cannot be composed; 6 when a locked
component is missing or its bytes do not match the lock.
`;

function join(dir: string, file: string): string {
  return file.startsWith("/") ? file : `${dir.replace(/\/$/, "")}/${file}`;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`Cannot compose: ${what} not found (${path})`, EXIT.usage);
    }
    throw e;
  }
}

/** A loader that finds blobs by digest in `dirs`. */
export function blobLoader(dirs: string[]): (digest: Digest) => Promise<Uint8Array> {
  return async (digest) => {
    const hex = digest.slice("sha256:".length);
    const tried: string[] = [];
    for (const dir of dirs) {
      for (const name of [`sha256/${hex.slice(0, 2)}/${hex}`, hex, `${hex}.wasm`]) {
        const path = join(dir, name);
        tried.push(path);
        try {
          return await Deno.readFile(path);
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
      }
    }
    throw new Error(`not found in ${dirs.join(", ") || "any blob folder"}`);
  };
}

/** The `compose` command. */
export const composeCommand: Command = {
  name: "compose",
  summary: "Compose the project's component with its locked dependencies into one component",
  help: HELP,
  run(args: string[], io: Io): Promise<number> {
    return withJsonErrors(args, io, () => runCompose(args, io));
  },
};

async function runCompose(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        output: { type: "string", short: "o" },
        blobs: { type: "string", multiple: true },
        json: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
  }
  const manifest = parseManifest(await readText(join(io.cwd, "wreg.json"), "wreg.json"));
  if (manifest.component === undefined) {
    throw new CliError(
      'Cannot compose: wreg.json has no "component" (the path of the project\'s built .wasm)',
    );
  }
  const lock = parseLock(await readText(join(io.cwd, "wreg.lock"), "wreg.lock"));
  const rootPath = join(io.cwd, manifest.component);
  let root: Uint8Array;
  try {
    root = await Deno.readFile(rootPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(
        `Cannot compose: the project's component ${manifest.component} is not built (${rootPath})`,
      );
    }
    throw e;
  }
  const dirs = [
    ...(parsed.values.blobs ?? []).map((d) => join(io.cwd, d)),
    ...(io.env.WREG_CACHE ? [io.env.WREG_CACHE] : []),
    join(io.cwd, ".wreg/blobs"),
    cachePath(io, "blobs"),
  ];
  const rootFills: Record<string, string> = {};
  for (const [iface, choice] of Object.entries(manifest.fills ?? {})) {
    rootFills[iface] = choice.package;
  }
  let result: PlugResult;
  try {
    result = await composeFromLock({
      root: {
        bytes: root,
        label: manifest.name ?? manifest.component,
        package: manifest.name,
        version: manifest.version,
      },
      lock,
      load: blobLoader(dirs),
      rootFills,
    });
  } catch (e) {
    composeFailure(e);
  }
  const out = parsed.values.output ??
    manifest.component.replace(/\.wasm$/, "") + ".composed.wasm";
  await Deno.writeFile(join(io.cwd, out), result.bytes);
  io.stdout(
    parsed.values.json ? await compositionJson(result, out) : await formatComposition(result, out),
  );
  return EXIT.ok;
}
