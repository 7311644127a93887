/** `wreg update [ns:name…]`: resolves again, ignoring the lock for the named packages (or all). */
import { type Command, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { INSTALL_OPTIONS, INSTALL_OPTIONS_HELP, installOptionsOf, runInstall } from "./_install.ts";

const HELP = `Usage: wreg update [ns:name...] [--json] [--no-bindings]

Resolves wreg.json again and rewrites wreg.lock: with names, only those packages may move
(to the highest version their ranges allow) and every other locked version is kept; with
none, every package is resolved afresh and the registry's world index is asked again for
imports that wreg.json does not fill. Then installs as \`wreg install\` does.

Options:
${INSTALL_OPTIONS_HELP}

Exit status: as \`wreg add\`.
`;

/** The `update` command. */
export const updateCommand: Command = {
  name: "update",
  summary: "Resolve again and move locked versions to the newest the ranges allow",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("update", args, INSTALL_OPTIONS);
    return await runInstall(io, {
      mode: "update",
      args: positionals,
      ...installOptionsOf(values),
    });
  },
};
