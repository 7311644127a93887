/**
 * `wreg token --owner NAME`: creates a registry token with the registry's admin token and prints
 * it, for `wreg login` or `WREG_TOKEN`.
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { RegistryClient, timeoutFromEnv } from "./_client.ts";
import { defaultRegistry, normalizeRegistryUrl, readConfig } from "./_config.ts";

const HELP = `Usage: wreg token --owner <name> [--scopes publish,yank] [--namespaces a,b]
                  [--description <text>] [--admin-token <T>] [--registry <url>] [--json]

Creates a token on the registry with its admin token (the one \`wreg serve\` was started
with) and prints it alone on stdout, so it can be captured:

  TOKEN=$(wreg token --owner me --admin-token "$ADMIN" --registry http://127.0.0.1:8080)
  wreg login --registry http://127.0.0.1:8080 --token "$TOKEN"

The registry shows the token only in this answer. The first publish to a namespace makes
the token's owner its owner.

Options:
  --owner <name>         Who the token acts for (required)
  --scopes <list>        publish, yank, owners (membership changes), admin
                         (default publish,yank)
  --namespaces <list>    Limit the token to these namespaces (default: any)
  --description <text>   A note stored with the token
  --admin-token <T>      The registry's admin token (default: WREG_ADMIN_TOKEN)
  --registry <url>       The registry (default: WREG_REGISTRY, \`wreg login\`)
  --json                 Print the registry's whole answer as JSON
  -h, --help             Show this help

Exit status: 0 created; 2 missing option; 3 registry unreachable; 4 admin token refused.
`;

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The `token` command. */
export const tokenCommand: Command = {
  name: "token",
  summary: "Create a registry token with the admin token (for login or WREG_TOKEN)",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("token", args, {
      owner: { type: "string" },
      scopes: { type: "string" },
      namespaces: { type: "string" },
      description: { type: "string" },
      "admin-token": { type: "string" },
      registry: { type: "string" },
      json: { type: "boolean" },
    });
    if (positionals.length > 0) {
      throw new CliError(`Unexpected argument ${JSON.stringify(positionals[0])}`, EXIT.usage);
    }
    if (values.owner === undefined || values.owner.trim() === "") {
      throw new CliError("Missing --owner <name>: who the token acts for", EXIT.usage);
    }
    const admin = values["admin-token"] ?? io.env.WREG_ADMIN_TOKEN;
    if (admin === undefined || admin === "") {
      throw new CliError(
        "Missing the admin token: pass --admin-token or set WREG_ADMIN_TOKEN",
        EXIT.usage,
      );
    }
    const url = values.registry !== undefined
      ? normalizeRegistryUrl(values.registry)
      : defaultRegistry(io, await readConfig(io));
    if (url === undefined) {
      throw new CliError(
        "No registry is configured: pass --registry <url> or set WREG_REGISTRY",
        EXIT.usage,
      );
    }
    const client = new RegistryClient({ url, token: admin, timeoutMs: timeoutFromEnv(io.env) });
    const created = await client.createToken({
      owner: values.owner,
      ...(values.scopes !== undefined ? { scopes: list(values.scopes) } : {}),
      ...(values.namespaces !== undefined ? { namespaces: list(values.namespaces) } : {}),
      ...(values.description !== undefined ? { description: values.description } : {}),
    });
    if (values.json) {
      io.stdout(`${JSON.stringify(created, null, 2)}\n`);
    } else {
      io.stdout(`${created.token}\n`);
      io.stderr(
        `Created token ${created.id} for ${created.owner} (${
          created.scopes.join(", ")
        }) at ${url}\n`,
      );
    }
    return EXIT.ok;
  },
};
