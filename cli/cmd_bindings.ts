/**
 * `wreg bindings <file.wasm> -o DIR [--name NAME] [--glue auto|lean|jco]`: generates the Deno
 * bindings of a component (lib/bindings) into DIR, atomically (a temporary sibling folder renamed
 * into place), through a cache keyed by the component's digest and the options under
 * `<cache>/bindings/<key>/` (see `_cache_dir.ts`).
 *
 * {@link writeBindings} is the same without argument parsing, for `wreg add`.
 */
import { parseArgs } from "node:util";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { type CacheEnv, cachePath } from "./_cache_dir.ts";
import {
  exists,
  readTextIfExists,
  readTree,
  replaceDirAtomic,
  tempSuffix,
  writeTree,
} from "./_fs.ts";
import {
  bindingsCacheKey,
  type BindingsManifest,
  type BindingsOptions,
  generateBindings,
  type GeneratedFile,
  type GlueChoice,
  MANIFEST,
} from "../lib/bindings/mod.ts";
import { LOCAL_WASI_DIR, LOCAL_WASI_HOST, wasiSources } from "./_wasi_host.ts";

const HELP = `Usage: wreg bindings <file.wasm> -o <dir> [--name <name>] [--glue auto|lean|jco]

Generates an ES module with TypeScript declarations for a component, so that a Deno
program imports it in one line and calls it with full types, in-process:

  <dir>/mod.ts              the entry: types, instantiate(), and (for components with no
                            imports to supply) the exported functions themselves
  <dir>/_glue.js, …         the glue and the component's core modules
  <dir>/_wasi/              wreg's WASI host, for a component that imports WASI (it gets no
                            files, environment or network unless instantiate's wasi option
                            grants them)
  <dir>/wreg-bindings.json  what was generated, from which component, with which glue

Map a specifier to <dir>/mod.ts in deno.json ("imports": {"<name>": "./<dir>/mod.ts"}), then
  import { scrubPii } from "<name>";                 (no imports to supply)
  import { instantiate } from "<name>";              (imports to supply)
  const { process } = instantiate({ logger: { log(level, message) { … } } });

Options:
  -o, --out <dir>   Folder to write (replaced as a whole; refused if it holds other files)
  --name <name>     The specifier users import it by, for the docs (default: the file name)
  --glue <kind>     auto (default): wreg's lean glue where it applies (everything but
                    component model async), jco otherwise (the reason is printed);
                    lean: fail if lean glue does not apply; jco: always jco
  --no-cache        Neither read nor write the cache
  --json            Print what was generated as JSON
  -h, --help        Show this help

The cache is $WREG_CACHE_DIR/bindings (default ~/.cache/wreg/bindings), keyed by the
component's digest, the options and the generator version.
`;

/** Options of {@link writeBindings}. */
export interface WriteBindingsOptions extends BindingsOptions {
  /** Read and write the cache (default true). */
  cache?: boolean;
}

/** What {@link writeBindings} did. */
export interface WriteBindingsResult {
  /** The output folder (absolute). */
  dir: string;
  manifest: BindingsManifest;
  /** Whether the files came from the cache. */
  cached: boolean;
}

/** The `wreg-bindings.json` of a bindings folder, when it has one that parses. */
export async function readBindingsManifest(dir: string): Promise<BindingsManifest | undefined> {
  const text = await readTextIfExists(`${dir}/${MANIFEST}`);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as BindingsManifest;
  } catch {
    return undefined;
  }
}

/**
 * Generates (or takes from the cache) the bindings of `bytes` and writes them to `outDir`,
 * replacing a previous output there atomically. Refuses a non-empty `outDir` that is not a
 * previous output (no `wreg-bindings.json`).
 */
export async function writeBindings(
  bytes: Uint8Array,
  outDir: string,
  options: WriteBindingsOptions,
  io: CacheEnv,
): Promise<WriteBindingsResult> {
  const dir = outDir.startsWith("/") ? outDir : `${io.cwd}/${outDir}`;
  if (await exists(dir)) {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new CliError(`${outDir} exists and is not a folder`);
    let empty = true;
    for await (const _ of Deno.readDir(dir)) {
      empty = false;
      break;
    }
    if (!empty && (await readBindingsManifest(dir)) === undefined) {
      throw new CliError(
        `${outDir} already holds files that wreg did not generate (no ${MANIFEST}); ` +
          `choose another folder or empty it`,
      );
    }
  }
  const useCache = options.cache ?? true;
  const key = await bindingsCacheKey(bytes, options);
  const cached = cachePath(io, "bindings", key);
  let files: GeneratedFile[] | undefined;
  if (useCache) {
    const m = await readBindingsManifest(cached);
    if (m?.cacheKey === key) files = await readTree(cached);
  }
  const hit = files !== undefined;
  if (files === undefined) {
    const b = await generateBindings(bytes, options);
    files = b.files;
    if (useCache) {
      await Deno.mkdir(cachePath(io, "bindings"), { recursive: true });
      const tmp = `${cached}.wreg-tmp-${tempSuffix()}`;
      try {
        await writeTree(tmp, files);
        if (!(await exists(cached))) await Deno.rename(tmp, cached);
      } catch {
        // The cache is an optimisation: a failure to fill it never fails the command.
      } finally {
        await Deno.remove(tmp, { recursive: true }).catch(() => {});
      }
    }
  }
  // Lean glue of a component importing WASI imports the WASI host from a copy beside it.
  const text = files.find((f) => f.path === MANIFEST)?.contents;
  const m = text === undefined
    ? undefined
    : JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text));
  if (m?.wasiHost === LOCAL_WASI_HOST) {
    for (const f of await wasiSources()) files.push({ ...f, path: `${LOCAL_WASI_DIR}/${f.path}` });
  }
  await replaceDirAtomic(dir, files);
  const manifest = await readBindingsManifest(dir);
  if (manifest === undefined) throw new CliError(`${outDir}/${MANIFEST} was not written`);
  return { dir, manifest, cached: hit };
}

function relative(dir: string, cwd: string): string {
  if (dir.startsWith(`${cwd}/`)) return `./${dir.slice(cwd.length + 1)}`;
  return dir;
}

/** The text `wreg bindings` prints. */
export function formatBindings(r: WriteBindingsResult, file: string, cwd: string): string {
  const m = r.manifest;
  const entry = `${relative(r.dir, cwd)}/${m.entry}`;
  const first = m.exports[0]?.key ?? "instantiate";
  const lines = [
    `Generated bindings for ${file} in ${relative(r.dir, cwd)}${r.cached ? " (from cache)" : ""}`,
    `  glue:     ${m.glue}${m.reason ? ` (${m.reason})` : ""}`,
    `  exports:  ${m.exports.map((e) => e.key).join(", ") || "(none)"}`,
  ];
  if (m.imports.length > 0) {
    lines.push(
      `  imports:  ${m.imports.map((i) => `${i.key} (${i.name})`).join(", ")}`,
    );
  }
  if (m.wasi.length > 0) {
    const by = m.wasiHost !== undefined
      ? `wreg's WASI host (${m.wasiHost}), granting only what instantiate's wasi option gives`
      : Object.keys(m.npm).join(", ");
    lines.push(`  wasi:     ${m.wasi.length} interfaces, served by ${by}`);
  }
  if (m.permissions.length > 0) lines.push(`  run with: deno run ${m.permissions.join(" ")} …`);
  lines.push(
    "",
    `Add to deno.json: "imports": { ${JSON.stringify(m.name)}: ${JSON.stringify(entry)} }`,
    m.ready
      ? `Then: import { ${first} } from ${JSON.stringify(m.name)};`
      : `Then: import { instantiate } from ${JSON.stringify(m.name)};\n` +
        `      const { ${first} } = instantiate({ ${
          m.imports.map((i) => `${i.key}: { … }`).join(", ")
        } });`,
    "",
  );
  return lines.join("\n");
}

/** The `bindings` command. */
export const bindingsCommand: Command = {
  name: "bindings",
  summary: "Generate a typed ES module for a component, to import it in Deno",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          out: { type: "string", short: "o" },
          name: { type: "string" },
          glue: { type: "string" },
          "no-cache": { type: "boolean" },
          json: { type: "boolean" },
        },
      });
    } catch (e) {
      throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
    }
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw new CliError("Missing <file.wasm>; run `wreg bindings --help`");
    if (extra.length > 0) {
      throw new CliError(
        `Unexpected argument ${JSON.stringify(extra[0])}; wreg bindings takes one file`,
      );
    }
    const out = parsed.values.out;
    if (out === undefined || out === "") throw new CliError("Missing -o <dir>");
    const glue = (parsed.values.glue ?? "auto") as GlueChoice;
    if (!["auto", "lean", "jco"].includes(glue)) {
      throw new CliError(`--glue must be auto, lean or jco, not ${JSON.stringify(glue)}`);
    }
    const path = file.startsWith("/") ? file : `${io.cwd}/${file}`;
    const bytes = await Deno.readFile(path);
    const base = file.split("/").pop()!.replace(/\.wasm$/, "");
    const name = parsed.values.name ?? base;
    const result = await writeBindings(bytes, out, {
      name,
      glue,
      wasiHost: LOCAL_WASI_HOST,
      cache: !parsed.values["no-cache"],
    }, io);
    if (parsed.values.json) {
      io.stdout(
        `${
          JSON.stringify({ dir: result.dir, cached: result.cached, ...result.manifest }, null, 2)
        }\n`,
      );
    } else {
      io.stdout(formatBindings(result, file, io.cwd));
    }
    return EXIT.ok;
  },
};
