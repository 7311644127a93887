/**
 * `wreg verify [path|.]`: checks a project, a lock or a `.wasm` offline, from what the cache
 * holds (blobs, log proofs, signatures, namespace keys, the latest checkpoint of each log), and
 * prints what it checked.
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { BlobCache } from "./_cache.ts";
import { joinPath } from "./_fs.ts";
import { LOCK_FILE, parseLockFile } from "./_project.ts";
import { cachedRelease, type PackageTrust, TrustVerifier } from "./_trust.ts";
import { digestOf, parseRange, parseVersion } from "../lib/names/mod.ts";
import type { Lock } from "../lib/package/mod.ts";

const HELP = `Usage: wreg verify [PATH] [--json]

Checks offline, from the cache, what PATH holds (default: this folder):
  a project folder or a wreg.lock   every locked package: its cached bytes hash to the
                                    locked digest; its log proof (cached when it was
                                    installed) proves the release included in a checkpoint
                                    signed by the log key the lock pins, at the locked
                                    index; its signature (if any) verifies with a key
                                    its namespace registered; the checkpoint is
                                    consistent with the latest one this machine saw
  a .wasm file                      the release with that digest verified before on this
                                    machine, checked the same way

Nothing is fetched. Prints one line per package, saying what was checked.

Options:
  --json          Print the result as JSON
  -h, --help      Show this help

Exit status: 0 everything checked holds; 2 bad arguments, or something needed is not
in the cache (the message says what to run); 6 a check failed (tampered bytes, a proof
or signature that does not hold, a forked log, an unsigned release of a namespace
wreg.lock records as requiring signatures: accept that change with
\`wreg update --accept-policy-change <ns>\`), naming the evidence.
`;

/** The `verify` command. */
export const verifyCommand: Command = {
  name: "verify",
  summary: "Check a project, lock or .wasm offline against the log and signatures",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("verify", args, {
      json: { type: "boolean" },
    });
    if (positionals.length > 1) {
      throw new CliError(`Unexpected argument ${JSON.stringify(positionals[1])}`, EXIT.usage);
    }
    const path = joinPath(io.cwd, positionals[0] ?? ".");
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(path);
    } catch {
      throw new CliError(`Cannot verify ${path}: no such file or folder`, EXIT.usage);
    }
    let lock: Lock;
    let what: string;
    // A .wasm argument: its own bytes were just hashed, so they are the bytes checked (the cache
    // need not hold a copy).
    let given: string | undefined;
    if (stat.isFile && path.endsWith(".wasm")) {
      const bytes = await Deno.readFile(path);
      const digest = await digestOf(bytes);
      const seen = await cachedRelease(io, digest);
      if (seen === undefined) {
        throw new CliError(
          `Cannot verify ${path} (${digest}): no release with these bytes was verified on this ` +
            "machine; install it with `wreg add` first",
          EXIT.usage,
        );
      }
      what = `${path} (${digest}, ${seen.name}@${seen.version} from ${seen.registry})`;
      given = seen.name;
      lock = {
        registries: { [seen.registry]: { log: seen.log } },
        packages: {
          [seen.name]: {
            version: parseVersion(seen.version),
            kind: "component",
            registry: seen.registry,
            digest,
            requirements: { "wreg.json": parseRange(`=${seen.version}`) },
            dependencies: {},
          },
        },
        fills: {},
      };
    } else {
      const file = stat.isDirectory ? joinPath(path, LOCK_FILE) : path;
      let text: string;
      try {
        text = await Deno.readTextFile(file);
      } catch {
        throw new CliError(`Cannot verify ${path}: there is no ${file}`, EXIT.usage);
      }
      lock = parseLockFile(text, file);
      what = file;
    }
    const cache = BlobCache.of(io);
    const bytes: Record<string, "ok" | "not cached"> = {};
    for (const [name, p] of Object.entries(lock.packages)) {
      bytes[name] = name === given ||
          (await cache.get(p.digest, `${name}@${p.version}`)) !== undefined
        ? "ok"
        : "not cached";
    }
    const trust = new TrustVerifier(io, undefined, lock, { trustLogKeys: [], offline: true });
    const { packages } = await trust.verifyLock(lock, () => "cache");
    if (values.json) {
      io.stdout(
        `${
          JSON.stringify(
            { verified: what, packages: packages.map((p) => ({ ...p, bytes: bytes[p.name] })) },
            null,
            2,
          )
        }\n`,
      );
      return EXIT.ok;
    }
    const lines = [`Verified ${what} offline:`];
    for (const p of packages) lines.push(line(p, bytes[p.name]));
    const logged = packages.filter((p) => p.status === "logged").length;
    lines.push(
      `${packages.length} package${packages.length === 1 ? "" : "s"}: ${logged} in a ` +
        `transparency log, ${packages.filter((p) => p.signer).length} signed`,
    );
    io.stdout(`${lines.join("\n")}\n`);
    return EXIT.ok;
  },
};

function line(p: PackageTrust, bytes: string): string {
  const head = `  ${p.name}@${p.version}: bytes ${
    bytes === "ok" ? "match the digest" : "not cached (not checked)"
  }`;
  if (p.status !== "logged") return `${head}; ${p.registry} has no transparency log (not checked)`;
  return `${head}; included at log index ${p.index} (checkpoint size ${p.checkpoint}, signed by ` +
    `the pinned log key); ${
      p.signer ? `signature by namespace key ${p.signer} verified` : "unsigned"
    }`;
}
