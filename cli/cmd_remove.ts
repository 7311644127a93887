/** `wreg remove <ns:name>…`: removes dependencies and installs what remains. */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { runInstall } from "./_install.ts";

const HELP = `Usage: wreg remove <ns:name>... [--json] [--no-bindings]

Removes packages from wreg.json "dependencies", resolves what remains (keeping every other
locked version), and rewrites wreg.lock, wit/deps and the Deno bindings: the import-map
entries and wreg_modules/ folders of removed components go too. A "fills" entry that no
remaining component imports is dropped.

Options:
  --json          Print what was done as JSON
  --no-bindings   Do not touch Deno bindings or deno.json
  -h, --help      Show this help

Exit status: as \`wreg add\` (2 when a name is not a dependency).
`;

/** The `remove` command. */
export const removeCommand: Command = {
  name: "remove",
  summary: "Remove dependencies from wreg.json and the lock",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("remove", args, {
      json: { type: "boolean" },
      "no-bindings": { type: "boolean" },
    });
    if (positionals.length === 0) {
      throw new CliError("Missing <ns:name>: `wreg remove ns:name`", EXIT.usage);
    }
    return await runInstall(io, {
      mode: "remove",
      args: positionals,
      json: values.json ?? false,
      bindings: values["no-bindings"] ? false : undefined,
    });
  },
};
