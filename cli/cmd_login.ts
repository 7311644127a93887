/**
 * `wreg login --registry URL [--token T]`: checks a token against the registry and stores it in
 * the user's config (mode 0600), making that registry the default.
 */
import { printable } from "./_terminal.ts";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { PLAIN_HTTP, RegistryClient, timeoutFromEnv } from "./_client.ts";
import { mayCarrySecrets } from "../oci/mod.ts";
import { configPath, normalizeRegistryUrl, readConfig, writeConfig } from "./_config.ts";
import { isLowercaseLabel } from "../lib/names/mod.ts";

const HELP = `Usage: wreg login --registry <url> [--token <token>] [--no-verify]

Stores a token for a registry in your wreg config and makes that registry the default for
commands run outside a project that names one. The token is checked first with the
registry (GET /api/v1/whoami) unless --no-verify.

Without --token, the token is asked for on a terminal (not echoed), or read from stdin:
  echo "$TOKEN" | wreg login --registry https://registry.example

Tokens come from the registry's admin (POST /api/v1/tokens with the admin token).

The config is $WREG_CONFIG_DIR/config.json, else $XDG_CONFIG_HOME/wreg/config.json, else
~/.config/wreg/config.json, written with mode 0600. For CI, WREG_REGISTRY overrides its
default registry, and WREG_TOKEN is the token for the registry WREG_REGISTRY names (only
that one: a wreg.json naming another registry never gets it).

Tokens are sent only over HTTPS, or over plain HTTP to this machine (a loopback address).

Options:
  --registry <url>   The registry (default: WREG_REGISTRY)
  --token <token>    The token (default: asked, or read from stdin)
  --no-verify        Store the token without asking the registry
  -h, --help         Show this help

Exit status: 0 stored; 2 bad URL or no token; 3 registry unreachable; 4 token refused.
`;

/** The `login` command. */
export const loginCommand: Command = {
  name: "login",
  summary: "Store a registry token in your wreg config (checked with the registry first)",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("login", args, {
      registry: { type: "string" },
      token: { type: "string" },
      "no-verify": { type: "boolean" },
    });
    if (positionals.length > 0) {
      throw new CliError(`Unexpected argument ${JSON.stringify(positionals[0])}`, EXIT.usage);
    }
    const given = values.registry ?? io.env.WREG_REGISTRY;
    if (given === undefined || given.trim() === "") {
      throw new CliError("Missing --registry <url>", EXIT.usage);
    }
    const url = normalizeRegistryUrl(given);
    if (!mayCarrySecrets(url)) {
      throw new CliError(`Cannot log in to ${url}: it ${PLAIN_HTTP}`, EXIT.usage);
    }
    let token = values.token;
    if (token === undefined) {
      if (io.promptSecret) token = (await io.promptSecret(`Token for ${url}: `)) ?? undefined;
      else if (io.prompt) token = io.prompt(`Token for ${url}:`) ?? undefined;
      else if (io.readStdin) token = (await io.readStdin()).trim();
    }
    token = token?.trim();
    if (token === undefined || token === "") {
      throw new CliError(
        "Missing the token: pass --token <token>, or pipe it to stdin",
        EXIT.usage,
      );
    }
    let who = "";
    let namespace: string | undefined;
    if (!values["no-verify"]) {
      const client = new RegistryClient({ url, token, timeoutMs: timeoutFromEnv(io.env) });
      const me = await client.whoami();
      const t = me.token as { owner?: string } | undefined;
      // What the registry says is shown with its controls made visible; only namespaces that are
      // names become the config's namespace.
      const namespaces = (me.namespaces as { name: string }[] | undefined)?.map((n) =>
        printable(String(n.name))
      ) ?? [];
      if (me.admin === true && t === undefined) who = " as the admin";
      else if (t?.owner) {
        who = ` as ${printable(String(t.owner))}${
          namespaces.length > 0 ? ` (namespaces ${namespaces.join(", ")})` : ""
        }`;
      }
      namespace = namespaces.find((n) => isLowercaseLabel(n)) ??
        (t?.owner && isLowercaseLabel(t.owner) ? t.owner : undefined);
    }
    const config = await readConfig(io);
    config.registry = url;
    config.tokens = { ...config.tokens, [url]: token };
    if (namespace !== undefined) config.namespace = namespace;
    await writeConfig(io, config);
    io.stdout(`Logged in to ${url}${who}; the token is stored in ${configPath(io)}\n`);
    return EXIT.ok;
  },
};
