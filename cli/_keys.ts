/**
 * The user's publisher signing key: one Ed25519 private key as PEM PKCS#8 in the user config
 * folder (`<config>/keys/signing-key.pem`, mode 0600, its folder 0700), or the file that
 * `WREG_SIGNING_KEY` names (for CI, where the key comes from a secret). `wreg key generate` makes
 * it, `wreg publish` signs with it (lib/attest `signRelease`), `wreg key register` sends its
 * public half to a registry.
 */
import { CliError, EXIT } from "./_command.ts";
import type { CacheEnv } from "./_cache_dir.ts";
import { configDir } from "./_config.ts";
import { joinPath, readTextIfExists, writeFileAtomic } from "./_fs.ts";
import {
  AttestError,
  formatPrivateKeyPem,
  importPrivateKeyPem,
  type PublisherKey,
} from "../lib/attest/mod.ts";

/** The most bytes of a key file read (a PEM Ed25519 key is about 120). */
const MAX_KEY_FILE = 16 * 1024;

/** Where the signing key is read from: `WREG_SIGNING_KEY`, else the config folder's file. */
export function signingKeyPath(io: CacheEnv): string {
  const env = io.env.WREG_SIGNING_KEY;
  if (env !== undefined && env.trim() !== "") return joinPath(io.cwd, env.trim());
  return `${configDir(io)}/keys/signing-key.pem`;
}

/** The signing key with its path, or `undefined` when there is none. */
export async function readSigningKey(
  io: CacheEnv,
): Promise<{ key: PublisherKey; path: string } | undefined> {
  const path = signingKeyPath(io);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      if (io.env.WREG_SIGNING_KEY?.trim()) {
        throw new CliError(
          `Cannot read the signing key ${path} (WREG_SIGNING_KEY): no such file`,
          EXIT.usage,
        );
      }
      return undefined;
    }
    throw e;
  }
  if (info.size > MAX_KEY_FILE) {
    throw new CliError(`Cannot read the signing key ${path}: it is larger than 16 KiB`, EXIT.usage);
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    throw new CliError(
      `Cannot use the signing key ${path}: others can read it (mode ${
        (info.mode & 0o777).toString(8)
      }); run \`chmod 600 ${path}\``,
      EXIT.usage,
    );
  }
  const text = (await readTextIfExists(path)) ?? "";
  try {
    return { key: await importPrivateKeyPem(text), path };
  } catch (e) {
    if (e instanceof AttestError) {
      throw new CliError(`Cannot use the signing key ${path}: ${e.message}`, EXIT.usage);
    }
    throw e;
  }
}

/**
 * Makes a new Ed25519 signing key and writes it (0600). Refuses to replace an existing key
 * unless `force` (a key registered for a namespace would be lost).
 */
export async function generateSigningKey(
  io: CacheEnv,
  force: boolean,
): Promise<{ key: PublisherKey; path: string }> {
  const path = signingKeyPath(io);
  if (!force) {
    const existing = await readTextIfExists(path).catch(() => undefined);
    if (existing !== undefined) {
      throw new CliError(
        `Cannot generate a signing key: ${path} already holds one; keep it, or pass --force to ` +
          `replace it (releases signed with the old key then need it registered to verify)`,
        EXIT.usage,
      );
    }
  }
  const pair = await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const pem = formatPrivateKeyPem(
    new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
  );
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, pem, { mode: 0o600 });
  return { key: await importPrivateKeyPem(pem), path };
}
