/** `wreg install`: installs exactly what `wreg.lock` says. */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { INSTALL_OPTIONS, INSTALL_OPTIONS_HELP, installOptionsOf, runInstall } from "./_install.ts";

const HELP = `Usage: wreg install [--json] [--no-bindings]

Installs exactly what wreg.lock says: every locked package is taken from the cache (hashed
again) or downloaded from the registry the lock names and checked against its digest;
then wit/deps and the Deno bindings are written as \`wreg add\` writes them. Nothing is
resolved, so the result is the same on every machine, and with a warm cache it needs no
network at all.

A lock that no longer matches wreg.json (a dependency added, removed or given another
range by hand) is refused with what differs: run \`wreg update\` to resolve again. Without
a wreg.lock, install resolves wreg.json and writes one.

Options:
${INSTALL_OPTIONS_HELP}

Each downloaded package is checked against its registry's transparency log with the log
key the lock pins (as \`wreg add\` does); one from the cache whose lock entry has a log
index is checked again from its cached proof, offline.

Exit status: 0 done; 2 the lock does not match wreg.json, or a log key to confirm; 3 a
package is not cached and the registry is unreachable; 6 a cached or downloaded file does
not match its digest (the message names the file), or a log, checkpoint or signature
check failed (the evidence is named).
`;

/** The `install` command. */
export const installCommand: Command = {
  name: "install",
  summary: "Install exactly what wreg.lock says (offline from the cache)",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("install", args, INSTALL_OPTIONS);
    if (positionals.length > 0) {
      throw new CliError(
        `Unexpected argument ${JSON.stringify(positionals[0])}; to add a package run ` +
          `\`wreg add ${positionals[0]}\``,
        EXIT.usage,
      );
    }
    return await runInstall(io, {
      mode: "install",
      args: [],
      ...installOptionsOf(values),
    });
  },
};
