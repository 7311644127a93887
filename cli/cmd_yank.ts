/**
 * `wreg yank <ns:name@version>` and `wreg unyank`: hide a version from resolution (it stays
 * downloadable, so locks that hold it keep working), or show it again.
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { loadProject } from "./_project.ts";
import { Registries } from "./_registries.ts";
import { parsePackageName, tryParseVersion } from "../lib/names/mod.ts";

function help(verb: "yank" | "unyank"): string {
  const what = verb === "yank"
    ? `Yanks a version: resolution no longer picks it for new locks, but its bytes stay
downloadable and projects whose wreg.lock holds it still install it. Use it for a
release with a bug or a security problem; publish a fixed version beside it.`
    : `Unyanks a version that was yanked: resolution may pick it again.`;
  return `Usage: wreg ${verb} <ns:name@version> [--registry <url>] [--json]

${what}

Needs a token with the yank scope for the package's namespace (\`wreg login\` or WREG_TOKEN).

Options:
  --registry <url>    The registry (default: wreg.json's, WREG_REGISTRY, \`wreg login\`)
  --json              Print the registry's answer as JSON
  -h, --help          Show this help

Exit status: 0 done; 2 bad name; 3 registry unreachable; 4 token refused; 5 no such version.
`;
}

function command(verb: "yank" | "unyank"): Command {
  return {
    name: verb,
    summary: verb === "yank"
      ? "Hide a version from resolution (locks that hold it keep working)"
      : "Make a yanked version resolvable again",
    help: help(verb),
    async run(args: string[], io: Io): Promise<number> {
      const { values, positionals } = parseCommandArgs(verb, args, {
        registry: { type: "string" },
        json: { type: "boolean" },
      });
      const ref = positionals[0];
      const at = ref?.indexOf("@") ?? -1;
      if (positionals.length !== 1 || at < 0) {
        throw new CliError(`Give one version: \`wreg ${verb} ns:name@1.2.3\``, EXIT.usage);
      }
      const name = ref.slice(0, at), version = ref.slice(at + 1);
      parsePackageName(name);
      if (tryParseVersion(version) === undefined) {
        throw new CliError(`Invalid version ${JSON.stringify(version)} in ${JSON.stringify(ref)}`);
      }
      const project = await loadProject(io.cwd);
      const registries = await Registries.load(io, project.manifest);
      const client = values.registry !== undefined
        ? registries.forCommand(values.registry, `${verb} ${ref}`)
        : registries.forPackage(name);
      const r = await client.setYanked(name, version, verb === "yank");
      if (values.json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
      else io.stdout(`${r.yanked ? "Yanked" : "Unyanked"} ${name}@${version} at ${client.url}\n`);
      return EXIT.ok;
    },
  };
}

/** The `yank` command. */
export const yankCommand: Command = command("yank");
/** The `unyank` command. */
export const unyankCommand: Command = command("unyank");
