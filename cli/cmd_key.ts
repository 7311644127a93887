/**
 * `wreg key generate | register | list | require-signatures`: the publisher's signing key and
 * its registration with a registry's namespace (issue 16).
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { generateSigningKey, readSigningKey, signingKeyPath } from "./_keys.ts";
import { loadProject } from "./_project.ts";
import { Registries } from "./_registries.ts";
import { formatPublicKeyPem } from "../lib/attest/mod.ts";
import { tryParsePackageName } from "../lib/names/mod.ts";

const HELP = `Usage: wreg key generate [--force]
       wreg key register [--namespace <ns>] [--registry <url>]
       wreg key list [--namespace <ns>] [--registry <url>] [--json]
       wreg key require-signatures [--off] [--namespace <ns>] [--registry <url>]
       wreg key revoke <key ID> [--namespace <ns>] [--registry <url>]

Publisher keys sign releases: \`wreg publish\` signs each release with your key (a
Sigstore bundle v0.3, public-key mode, naming ns:name@version and its sha256), and
\`wreg add\`/\`install\`/\`update\` check the signature against the keys registered
for the namespace.

  generate             make an Ed25519 key in the user config folder
                       (<config>/keys/signing-key.pem, mode 0600; WREG_SIGNING_KEY names
                       another file) and print its public key as PEM (SubjectPublicKeyInfo)
  register             send the public key to the registry for a namespace you own
                       (a token with the owners scope)
  list                 your key, and the keys the registry has for the namespace
  require-signatures   make the namespace refuse unsigned releases (--off: allow them)
  revoke               withdraw a key from the namespace (logged): releases it signed
                       before stay valid, later ones are refused

The namespace is --namespace, else that of wreg.json's "name", else the one of
\`wreg login\`. The registry is --registry, else wreg.json's, WREG_REGISTRY or
\`wreg login\`'s.

Options:
  --force              generate: replace an existing key
  --namespace <ns>     The namespace
  --registry <url>     The registry
  --off                require-signatures: allow unsigned releases again
  --json               list: print JSON
  -h, --help           Show this help

Exit status: 0 done; 2 bad arguments or key file; 3 registry unreachable; 4 token
refused; 5 registry error.
`;

function namespaceOf(flag: string | undefined, registries: Registries): string {
  if (flag !== undefined) {
    if (tryParsePackageName(`${flag}:x`)?.namespace !== flag) {
      throw new CliError(`Invalid --namespace ${JSON.stringify(flag)}`, EXIT.usage);
    }
    return flag;
  }
  const name = registries.manifest.name;
  if (name !== undefined) return name.slice(0, name.indexOf(":"));
  if (registries.config.namespace !== undefined) return registries.config.namespace;
  throw new CliError(
    "No namespace: pass --namespace <ns> (or run in a project whose wreg.json has a name)",
    EXIT.usage,
  );
}

/** The `key` command. */
export const keyCommand: Command = {
  name: "key",
  summary: "Publisher signing keys: generate, register, list, revoke; require signatures",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("key", args, {
      force: { type: "boolean" },
      namespace: { type: "string" },
      registry: { type: "string" },
      off: { type: "boolean" },
      json: { type: "boolean" },
    });
    const [sub, ...rest] = positionals;
    if (sub === "revoke") {
      const [keyId, ...more] = rest;
      if (keyId === undefined || !/^[0-9a-f]{64}$/.test(keyId)) {
        throw new CliError(
          "Missing or invalid <key ID>: `wreg key revoke <64 hex digits>` (see `wreg key list`)",
          EXIT.usage,
        );
      }
      if (more.length > 0) {
        throw new CliError(`Unexpected argument ${JSON.stringify(more[0])}`, EXIT.usage);
      }
      const project = await loadProject(io.cwd);
      const registries = await Registries.load(io, project.manifest);
      const ns = namespaceOf(values.namespace, registries);
      const client = registries.forCommand(values.registry, `revoke a key of ${ns}`);
      const doc = await client.revokeKey(ns, keyId);
      io.stdout(
        `Revoked key ${keyId} of namespace ${ns} at ${client.url}${
          doc.revokeLog ? ` (log entry ${doc.revokeLog.index})` : ""
        }\n`,
      );
      return EXIT.ok;
    }
    if (rest.length > 0) {
      throw new CliError(`Unexpected argument ${JSON.stringify(rest[0])}`, EXIT.usage);
    }
    if (sub === "generate") {
      const { key, path } = await generateSigningKey(io, values.force ?? false);
      io.stderr(`Wrote a new Ed25519 signing key to ${path} (key ID ${key.keyId})\n`);
      io.stderr("Register it with `wreg key register --namespace <ns>`\n");
      io.stdout(formatPublicKeyPem(key.spki));
      return EXIT.ok;
    }
    const project = await loadProject(io.cwd);
    const registries = await Registries.load(io, project.manifest);
    if (sub === "register") {
      const mine = await readSigningKey(io);
      if (mine === undefined) {
        throw new CliError(
          `Cannot register a key: there is none at ${
            signingKeyPath(io)
          }; run \`wreg key generate\``,
          EXIT.usage,
        );
      }
      const ns = namespaceOf(values.namespace, registries);
      const client = registries.forCommand(values.registry, `register a key for ${ns}`);
      const doc = await client.registerKey(ns, formatPublicKeyPem(mine.key.spki));
      if (doc.keyId !== mine.key.keyId) {
        throw new CliError(
          `The registry at ${client.url} registered key ${doc.keyId}, not ${mine.key.keyId}`,
          EXIT.registry,
        );
      }
      io.stdout(
        `Registered key ${doc.keyId} for namespace ${ns} at ${client.url}${
          doc.log ? ` (log entry ${doc.log.index})` : ""
        }\n`,
      );
      return EXIT.ok;
    }
    if (sub === "require-signatures") {
      const ns = namespaceOf(values.namespace, registries);
      const client = registries.forCommand(values.registry, `set the policy of ${ns}`);
      const doc = await client.setRequireSignatures(ns, !(values.off ?? false));
      io.stdout(
        `Namespace ${ns} at ${client.url} ${
          doc.requireSignatures ? "now refuses unsigned releases" : "accepts unsigned releases"
        }\n`,
      );
      return EXIT.ok;
    }
    if (sub === "list") {
      const mine = await readSigningKey(io);
      let registered: unknown = null;
      const lines: string[] = [
        mine === undefined
          ? `No signing key (${signingKeyPath(io)}); run \`wreg key generate\``
          : `Your signing key: ${mine.key.keyId} (${mine.path})`,
      ];
      let ns: string | undefined;
      try {
        ns = namespaceOf(values.namespace, registries);
      } catch {
        ns = undefined;
      }
      if (ns !== undefined) {
        const client = registries.forCommand(values.registry, `list the keys of ${ns}`);
        const doc = await client.namespaceKeys(ns);
        registered = doc ?? null;
        if (doc === undefined) {
          lines.push(`${client.url} has no namespace ${ns}`);
        } else {
          lines.push(
            `Keys of namespace ${ns} at ${client.url} (${
              doc.requireSignatures ? "signatures required" : "signatures optional"
            }):`,
          );
          if (doc.keys.length === 0) lines.push("  none");
          for (const k of doc.keys) {
            lines.push(
              `  ${k.keyId}${k.revoked ? " (revoked)" : ""}${
                k.keyId === mine?.key.keyId ? " (yours)" : ""
              }${k.addedBy ? ` added by ${k.addedBy}` : ""}${
                k.log ? `, log entry ${k.log.index}` : ""
              }`,
            );
          }
        }
      }
      if (values.json) {
        io.stdout(
          `${
            JSON.stringify(
              {
                signingKey: mine === undefined ? null : { keyId: mine.key.keyId, path: mine.path },
                namespace: ns ?? null,
                registered,
              },
              null,
              2,
            )
          }\n`,
        );
      } else io.stdout(`${lines.join("\n")}\n`);
      return EXIT.ok;
    }
    throw new CliError(
      sub === undefined
        ? "Missing subcommand: `wreg key generate|register|list|require-signatures|revoke`"
        : `Unknown subcommand ${
          JSON.stringify(sub)
        }: expected generate, register, list, require-signatures or revoke`,
      EXIT.usage,
    );
  },
};
