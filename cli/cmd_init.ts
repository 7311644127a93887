/**
 * `wreg init`: writes `wreg.json` for a component project or a WIT package project. With any
 * flag, or without a terminal, it asks nothing and uses defaults: the name from the WIT
 * folder's `package` line, else `<namespace>:<folder name>`; version 0.1.0.
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { normalizeRegistryUrl, readConfig } from "./_config.ts";
import { exists, joinPath, writeFileAtomic } from "./_fs.ts";
import { MANIFEST_FILE } from "./_project.ts";
import {
  type Manifest,
  ManifestError,
  type PackageKind,
  printManifest,
  validateManifest,
} from "../lib/package/mod.ts";

const HELP = `Usage: wreg init [--name <ns:name>] [--version <v>] [--kind component|wit]
                 [--component <file.wasm>] [--wit <dir>] [--registry <url>]
                 [--description <text>] [--license <spdx>] [--yes] [--force]

Writes wreg.json for this folder: a component project (publishes a built .wasm) or a WIT
package project (publishes the WIT folder encoded as a WIT package).

On a terminal with no options it asks for each field, proposing the defaults; with any
option, or without a terminal, it asks nothing and uses them:
  name       the WIT folder's \`package\` line, else <namespace>:<this folder's name>
             (the namespace \`wreg login\` found for your token, else "local")
  version    the WIT folder's package version, else 0.1.0
  kind       wit when the folder has a wit/ folder and no .wasm, else component
  component  the only .wasm in this folder or build/ (component projects)

Options:
  --name <ns:name>        The package name
  --version <v>           The version (semver)
  --kind <kind>           component or wit
  --component <file>      The built .wasm of a component project
  --wit <dir>             The WIT folder (default wit)
  --registry <url>        The registry this project publishes to and installs from
  --description <text>    A description
  --license <spdx>        An SPDX license expression
  -y, --yes               Ask nothing, use the defaults
  --force                 Replace an existing wreg.json
  -h, --help              Show this help

Exit status: 0 written; 2 invalid value, or wreg.json exists (without --force).
`;

/** `My Project_2` → `my-project-2` (a valid label, or `app`). */
export function kebabLabel(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
    .replace(/^[0-9-]+/, "");
  return s === "" ? "app" : s;
}

/** The `package ns:name@v;` line of the `.wit` files directly in `dir`. */
async function witPackage(dir: string): Promise<{ name: string; version?: string } | undefined> {
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.endsWith(".wit")) continue;
      const text = await Deno.readTextFile(`${dir}/${e.name}`);
      const m = /^\s*package\s+([a-z][a-z0-9-]*:[a-z][a-z0-9-]*)(?:@([0-9][^\s;{]*))?\s*;/m
        .exec(text);
      if (m) return { name: m[1], version: m[2] };
    }
  } catch {
    // No WIT folder.
  }
  return undefined;
}

async function wasmFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ["", "build/"]) {
    try {
      for await (const e of Deno.readDir(joinPath(dir, sub || "."))) {
        if (e.isFile && e.name.endsWith(".wasm")) out.push(`${sub}${e.name}`);
      }
    } catch {
      // No such folder.
    }
  }
  return out.sort();
}

/** The `init` command. */
export const initCommand: Command = {
  name: "init",
  summary: "Create wreg.json for a component or WIT package project",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("init", args, {
      name: { type: "string" },
      version: { type: "string" },
      kind: { type: "string" },
      component: { type: "string" },
      wit: { type: "string" },
      registry: { type: "string" },
      description: { type: "string" },
      license: { type: "string" },
      yes: { type: "boolean", short: "y" },
      force: { type: "boolean" },
    });
    if (positionals.length > 0) {
      throw new CliError(`Unexpected argument ${JSON.stringify(positionals[0])}`, EXIT.usage);
    }
    const path = joinPath(io.cwd, MANIFEST_FILE);
    if (!values.force && await exists(path)) {
      throw new CliError(
        `${MANIFEST_FILE} already exists here; edit it, or pass --force to replace it`,
        EXIT.usage,
      );
    }
    const flags = Object.keys(values).some((k) => k !== "force");
    const ask = !flags && io.prompt !== undefined;
    const witDir = values.wit ?? "wit";
    const declared = await witPackage(joinPath(io.cwd, witDir));
    const wasm = await wasmFiles(io.cwd);
    const folder = io.cwd.replace(/\/+$/, "").split("/").pop() ?? "app";
    const namespace = (await readConfig(io)).namespace ?? "local";
    const defaults = {
      name: declared?.name ?? `${namespace}:${kebabLabel(folder)}`,
      version: declared?.version ?? "0.1.0",
      kind: (declared !== undefined && wasm.length === 0 ? "wit" : "component") as PackageKind,
    };
    const answer = (question: string, given: string | undefined, fallback: string): string => {
      if (given !== undefined) return given;
      if (!ask) return fallback;
      return io.prompt!(question, fallback) ?? fallback;
    };
    const name = answer("Package name (ns:name):", values.name, defaults.name);
    const version = answer("Version:", values.version, defaults.version);
    const kind = answer("Kind (component or wit):", values.kind, defaults.kind);
    let component = values.component;
    if (kind === "component" && component === undefined && wasm.length === 1) {
      component = answer("Built component (.wasm):", undefined, wasm[0]);
    }
    const raw: Record<string, unknown> = { name, version, kind };
    if (values.description !== undefined) raw.description = values.description;
    if (values.license !== undefined) raw.license = values.license;
    if (values.wit !== undefined) raw.wit = values.wit;
    if (kind === "component" && component !== undefined) raw.component = component;
    if (values.registry !== undefined) raw.registry = normalizeRegistryUrl(values.registry);
    let manifest: Manifest;
    try {
      manifest = validateManifest(raw);
    } catch (e) {
      if (e instanceof ManifestError) {
        throw new CliError(`Cannot write ${MANIFEST_FILE}: ${e.message}`);
      }
      throw e;
    }
    await writeFileAtomic(path, printManifest(manifest));
    const what = kind === "wit" ? "WIT package" : "component";
    io.stdout(`Wrote ${MANIFEST_FILE} for the ${what} ${name}@${version}\n`);
    if (kind === "component" && manifest.component === undefined) {
      io.stdout(
        `Set "component" in ${MANIFEST_FILE} to the path of the built .wasm before \`wreg publish\`\n`,
      );
    }
    return EXIT.ok;
  },
};
