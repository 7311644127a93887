/**
 * `wreg wit <path>`: resolves the WIT at a `.wit` file or a folder (with its `deps/`) and prints
 * the packages as WIT text, or with `--json` as the JSON wit-parser serializes.
 */
import { parseArgs } from "node:util";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { type ReadWitOptions, readWitSources } from "./_wit_files.ts";
import { buildWitPackage } from "./_wit_build.ts";
import { formatWitJson, printWit, resolveWit } from "../lib/wit/mod.ts";
import { decodeComponent } from "../lib/component/mod.ts";

const HELP = `Usage: wreg wit <path> [--json] [--features a,b] [--all-features]
       wreg wit build <path> -o <package.wasm>

Resolves the WIT at <path> and prints it.

<path> is a .wit file (one package, possibly with nested \`package … { }\` blocks), a
folder of .wit files forming one package with an optional deps/ folder of packages
(each a folder of .wit files, a .wit file, or a binary WIT package .wasm/.wat), or
a .wasm/.wat file: a binary WIT package, or a component (its world is printed).

Options:
  --json            Print the JSON form wit-parser serializes (wasm-tools component wit --json)
  --features a,b    Enable these @unstable features (repeatable)
  --all-features    Enable every @unstable feature
  -h, --help        Show this help

The root package is printed first; the others follow as nested \`package … { }\` blocks.
Invalid WIT exits with status 2 and shows the source line of the error.

\`wreg wit build <path> -o <package.wasm>\` encodes the root package at <path> as a binary
WIT package (what the registry stores and wasm-tools and wkg read). To print a folder that is
itself named "build", write it as ./build.
`;

/** Reading options for binary packages: lib/component decodes, jco turns `.wat` into binary. */
export function binaryWitOptions(cwd: string): ReadWitOptions {
  return {
    cwd,
    decodeWasm(bytes, path, role) {
      const decoded = decodeComponent(bytes);
      const ok = decoded.kind === "wit-package" ||
        (role === "root" && decoded.kind === "component");
      if (!ok || decoded.resolve === undefined || decoded.package === undefined) {
        const wanted = role === "root"
          ? "a component or an encoded WIT package"
          : "an encoded WIT package";
        throw new CliError(`Cannot read "${path}": found a ${decoded.kind} instead of ${wanted}`);
      }
      return { resolve: decoded.resolve, package: decoded.package };
    },
    async parseWat(text) {
      const { parse } = await import("@bytecodealliance/jco-transpile/wasm-tools");
      return await parse(text);
    },
  };
}

function featureList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v);
}

/** The `wit` command. */
export const witCommand: Command = {
  name: "wit",
  summary: "Resolve a WIT file or folder and print it as WIT or JSON",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    if (args[0] === "build") return await runBuild(args.slice(1), io);
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: "boolean" },
          features: { type: "string", multiple: true },
          "all-features": { type: "boolean" },
        },
      });
    } catch (e) {
      throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
    }
    const [path, ...extra] = parsed.positionals;
    if (path === undefined) throw new CliError("Missing <path>; run `wreg wit --help`");
    if (extra.length > 0) {
      throw new CliError(
        `Unexpected argument ${JSON.stringify(extra[0])}; wreg wit takes one path`,
      );
    }
    const sources = await readWitSources(path, binaryWitOptions(io.cwd));
    const { resolve, package: main } = resolveWit(sources, {
      features: featureList(parsed.values.features),
      allFeatures: parsed.values["all-features"] ?? false,
    });
    io.stdout(parsed.values.json ? `${formatWitJson(resolve)}\n` : printWit(resolve, { main }));
    return EXIT.ok;
  },
};

async function runBuild(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: "string", short: "o" } },
    });
  } catch (e) {
    throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
  }
  const [path, ...extra] = parsed.positionals;
  const out = parsed.values.out;
  if (path === undefined || out === undefined) {
    throw new CliError("Usage: wreg wit build <path> -o <package.wasm>");
  }
  if (extra.length > 0) {
    throw new CliError(
      `Unexpected argument ${JSON.stringify(extra[0])}; wreg wit build takes one path`,
    );
  }
  const built = await buildWitPackage(path, io.cwd);
  const target = out.startsWith("/") ? out : `${io.cwd}/${out}`;
  const tmp = `${target}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(tmp, built.bytes);
    await Deno.rename(tmp, target);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new CliError(`Cannot write ${JSON.stringify(out)}: ${(e as Error).message}`);
  }
  io.stderr(`wrote ${out}: WIT package ${built.id}, ${built.bytes.length} bytes\n`);
  return EXIT.ok;
}
