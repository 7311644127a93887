/**
 * The package cache: every downloaded package's bytes, content-addressed by digest, shared by all
 * projects of the user and by concurrent wreg processes:
 *
 * ```
 * <cache>/blobs/sha256/<first two hex digits>/<hex>
 * ```
 *
 * where `<cache>` is `$WREG_CACHE_DIR`, else the user cache folder (see `_cache_dir.ts`). The
 * layout is the registry's blob layout, which `wreg compose` reads too.
 *
 * Writes go to a temporary file in the same folder and are renamed into place, so two processes
 * filling the same entry both succeed and a reader never sees half a file. Every read from disk is
 * hashed again (once per command run): a file that does not match its name stops the command
 * (exit 6) and names the file.
 */
import { CliError, EXIT } from "./_command.ts";
import { type CacheEnv, cachePath } from "./_cache_dir.ts";
import { dirname, writeFileAtomic } from "./_fs.ts";
import { type Digest, digestOf } from "../lib/names/mod.ts";

/** The content-addressed blob cache. */
export class BlobCache {
  /** The `blobs` folder. */
  readonly dir: string;
  /**
   * Bytes this instance already read from disk and verified, so that one command run reads and
   * hashes each blob once however many steps ask for it (resolution, composition, bindings).
   */
  readonly #verified = new Map<Digest, Uint8Array>();

  constructor(dir: string) {
    this.dir = dir.replace(/\/+$/, "");
  }

  /** The cache of the user (or of `WREG_CACHE_DIR`). */
  static of(io: CacheEnv): BlobCache {
    return new BlobCache(cachePath(io, "blobs"));
  }

  /** Where the blob of `digest` lives. */
  pathOf(digest: Digest): string {
    const hex = digest.slice("sha256:".length);
    return `${this.dir}/sha256/${hex.slice(0, 2)}/${hex}`;
  }

  /**
   * The cached bytes of `digest`, hashed again; `undefined` when not cached.
   *
   * @throws {CliError} integrity (6), naming the file, when the bytes do not match.
   */
  async get(digest: Digest, label?: string): Promise<Uint8Array | undefined> {
    const seen = this.#verified.get(digest);
    if (seen !== undefined) return seen;
    const path = this.pathOf(digest);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
    const actual = await digestOf(bytes);
    if (actual !== digest) {
      throw new CliError(
        `Cannot use ${label ?? digest}: the cached file ${path} hashes to ${actual}, not ` +
          `${digest}; it was changed on disk: delete it and run the command again`,
        EXIT.integrity,
      );
    }
    this.#verified.set(digest, bytes);
    return bytes;
  }

  /**
   * Stores bytes under their digest (checked first). Safe when another process stores the same
   * digest at the same time.
   */
  async put(digest: Digest, bytes: Uint8Array): Promise<string> {
    const actual = await digestOf(bytes);
    if (actual !== digest) {
      throw new CliError(
        `Cannot cache ${digest}: the bytes hash to ${actual}`,
        EXIT.integrity,
      );
    }
    const path = this.pathOf(digest);
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    // Verified: a later read in this run needs neither the disk nor another hash.
    this.#verified.set(digest, bytes);
    return path;
  }
}
