/** `wreg update [ns:name…]`: resolves again, ignoring the lock for the named packages (or all). */
import { type Command, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { runInstall } from "./_install.ts";

const HELP = `Usage: wreg update [ns:name...] [--json] [--no-bindings]

Resolves wreg.json again and rewrites wreg.lock: with names, only those packages may move
(to the highest version their ranges allow) and every other locked version is kept; with
none, every package is resolved afresh and the registry's world index is asked again for
imports that wreg.json does not fill. Then installs as \`wreg install\` does.

Options:
  --json          Print what was done as JSON
  --no-bindings   Do not generate Deno bindings or touch deno.json
  --trust-log-key <vkey>
                  Pin this transparency log key for a registry used the first time
                  (also WREG_TRUST_LOG_KEY; on a terminal wreg asks instead)
  --accept-policy-change <ns>
                  Accept that namespace <ns> no longer requires signed releases, though
                  wreg.lock recorded that it did (without it: exit 6); repeatable
  -h, --help      Show this help

Exit status: as \`wreg add\`.
`;

/** The `update` command. */
export const updateCommand: Command = {
  name: "update",
  summary: "Resolve again and move locked versions to the newest the ranges allow",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("update", args, {
      json: { type: "boolean" },
      "no-bindings": { type: "boolean" },
      "trust-log-key": { type: "string", multiple: true },
      "accept-policy-change": { type: "string", multiple: true },
    });
    return await runInstall(io, {
      mode: "update",
      args: positionals,
      json: values.json ?? false,
      bindings: values["no-bindings"] ? false : undefined,
      trustLogKeys: values["trust-log-key"],
      acceptPolicyChange: values["accept-policy-change"],
    });
  },
};
