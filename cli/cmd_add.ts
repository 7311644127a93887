/**
 * `wreg add <spec>…`: adds dependencies to `wreg.json`, resolves, fetches, and writes
 * `wreg.lock`, `wit/deps` and (in a Deno project) the bindings and import-map entries.
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { INSTALL_OPTIONS, INSTALL_OPTIONS_HELP, installOptionsOf, runInstall } from "./_install.ts";

const HELP = `Usage: wreg add <spec>... [--json] [--no-bindings]

Adds packages to wreg.json and installs them. A spec is
  ns:name          the latest version, written as a caret range (^1.4.2)
  ns:name@1.2      a bare version or prefix, written as a caret range (^1.2)
  ns:name@~1.2.0   any npm range, written as given; =1.2.3 pins one version

Resolution picks the highest version satisfying every range (yanked and pre-release
versions only when locked), transitively through WIT package and component dependencies.
An import of a component that wreg.json "fills" does not fill is looked up in the
registry's world index: one implementation is used and recorded in "fills"; several is an
error listing them and the entry to write; none leaves it an import.

Writes (each atomically):
  wreg.json, wreg.lock        the dependency, the resolved versions and their digests
  wit/deps/<ns>-<name>-<v>/   the WIT packages (wit-parser and wkg's layout), for projects
                              with a kind or a wit/ folder, or a WIT dependency
  wreg_modules/<ns>/<name>/   in a Deno project (a deno.json, or a wreg.json without
                              "kind"): each component dependency composed with the
                              components that fill its imports, as a typed ES module
  deno.json                   "imports": {"ns:name": "./wreg_modules/ns/name/mod.ts"}

Then: import { scrubPii } from "docs:scrubber";

Options:
${INSTALL_OPTIONS_HELP}

Packages come from the registry in wreg.json ("registry", "registries"), else
WREG_REGISTRY, else the one of \`wreg login\`. Downloads are cached by digest in
$WREG_CACHE_DIR/blobs (default ~/.cache/wreg/blobs) and checked on every read.

A registry with a transparency log must prove each package included in a checkpoint
signed by the log key wreg.lock pins (asked on a terminal, or --trust-log-key, the first
time), consistent with the last checkpoint this machine saw; a signed release must be
signed by a key its namespace registered. wreg.lock records each package's log index
and signer, and the namespaces seen requiring signed releases (in registries.<url>):
later, an unsigned release of one, or the registry saying it no longer requires
signatures, is exit 6 unless --accept-policy-change names it.
Registries without a log are said so in one line.

Exit status: 0 done; 2 bad spec or project file, or a log key to confirm (first use
outside a terminal); 3 registry unreachable; 4 token refused; 5 registry error (no such
package…); 6 bytes do not match their digest, or a log, checkpoint or signature check
failed (the evidence is named); 7 no resolution.
`;

/** The `add` command. */
export const addCommand: Command = {
  name: "add",
  summary: "Add dependencies to wreg.json, resolve, fetch, lock and generate bindings",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("add", args, INSTALL_OPTIONS);
    if (positionals.length === 0) {
      throw new CliError("Missing <spec>: `wreg add ns:name[@range]`", EXIT.usage);
    }
    return await runInstall(io, {
      mode: "add",
      args: positionals,
      ...installOptionsOf(values),
    });
  },
};
