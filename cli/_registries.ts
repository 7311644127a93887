/**
 * Which registry serves which package, and one client per registry: a {@link RegistryClient} for
 * a wreg registry, the {@link OciRegistries} of the run for OCI registries (`oci://…`, or a
 * wasm-pkg registry name found through its well-known document; see cli/_oci.ts).
 *
 * The registry of a package is, in order: the project's `wreg.json` (`registries[namespace]`,
 * then `registry`), `WREG_REGISTRY`, the default of the user's config (`wreg login`), then wkg's
 * built-in names (`wasi` → `wasi.dev`, `ba` → `bytecodealliance.org`). The token for a wreg
 * registry is `WREG_TOKEN` when `WREG_REGISTRY` names that registry, else the one stored by
 * `wreg login` for that URL.
 */
import { CliError, EXIT } from "./_command.ts";
import type { CacheEnv } from "./_cache_dir.ts";
import { RegistryClient, timeoutFromEnv } from "./_client.ts";
import {
  defaultRegistry,
  normalizeRegistryUrl,
  noTokenAdvice,
  readConfig,
  tokenFor,
  type UserConfig,
} from "./_config.ts";
import { OciRegistries, registryKind } from "./_oci.ts";
import { BUILTIN_NAMESPACE_REGISTRIES } from "../oci/mod.ts";
import { type Manifest, registryFor } from "../lib/package/mod.ts";

/** The registries of one command run. */
export class Registries {
  readonly #clients = new Map<string, RegistryClient>();
  readonly #timeout: number | undefined;
  /** The OCI registries of this run. */
  readonly oci: OciRegistries;

  constructor(
    readonly io: CacheEnv,
    readonly config: UserConfig,
    /** The project's manifest (for `registry` and `registries`); may be replaced as it changes. */
    public manifest: Manifest = {},
  ) {
    this.#timeout = timeoutFromEnv(io.env);
    this.oci = new OciRegistries(io, config, this.#timeout);
  }

  /** Reads the user's config and makes the registries of a run. */
  static async load(io: CacheEnv, manifest: Manifest = {}): Promise<Registries> {
    return new Registries(io, await readConfig(io), manifest);
  }

  /** The default registry (no project setting), or `undefined`. */
  defaultUrl(): string | undefined {
    return defaultRegistry(this.io, this.config);
  }

  /**
   * The registry for a package, as configured (a wreg URL, `oci://…`, or a registry name).
   *
   * @throws {CliError} (usage) when nothing names a registry.
   */
  urlFor(name: string): string {
    const fromManifest = registryFor(this.manifest, name);
    if (fromManifest !== undefined) return normalizeRegistryUrl(fromManifest);
    const url = this.defaultUrl() ?? BUILTIN_NAMESPACE_REGISTRIES[name.slice(0, name.indexOf(":"))];
    if (url === undefined) {
      throw new CliError(
        `No registry is configured for ${name}: run \`wreg login --registry <url>\`, set ` +
          `WREG_REGISTRY, or add "registry" to wreg.json`,
        EXIT.usage,
      );
    }
    return url;
  }

  /** Whether the registry of a package is an OCI registry (directly or by name). */
  isOci(name: string): boolean {
    return registryKind(this.urlFor(name)) !== "wreg";
  }

  /**
   * The client of a wreg registry URL.
   *
   * @throws {CliError} (usage) for an OCI registry: what needs a wreg registry's API says so.
   */
  client(url: string): RegistryClient {
    const key = normalizeRegistryUrl(url);
    if (registryKind(key) !== "wreg") {
      throw new CliError(
        `${key} is an OCI registry, and this needs a wreg registry (its JSON API): name one ` +
          'with --registry, WREG_REGISTRY or "registry" in wreg.json',
        EXIT.usage,
      );
    }
    let c = this.#clients.get(key);
    if (c === undefined) {
      c = new RegistryClient({
        url: key,
        token: tokenFor(this.io, this.config, key),
        noTokenAdvice: noTokenAdvice(this.io, key),
        timeoutMs: this.#timeout,
      });
      this.#clients.set(key, c);
    }
    return c;
  }

  /** The client of the registry that serves `name`. */
  forPackage(name: string): RegistryClient {
    return this.client(this.urlFor(name));
  }

  /** The client of the default registry, or of `--registry` when given. */
  forCommand(flag: string | undefined, what: string): RegistryClient {
    if (flag !== undefined) return this.client(normalizeRegistryUrl(flag));
    const fromManifest = this.manifest.registry;
    const url = fromManifest !== undefined ? normalizeRegistryUrl(fromManifest) : this.defaultUrl();
    if (url === undefined) {
      throw new CliError(
        `Cannot ${what}: no registry is configured; pass --registry <url>, run ` +
          `\`wreg login --registry <url>\`, or set WREG_REGISTRY`,
        EXIT.usage,
      );
    }
    return this.client(url);
  }
}
