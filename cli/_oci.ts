/**
 * The CLI's side of OCI registries: which OCI registry a configured registry names, one
 * {@link OciClient} per host with the user's credentials, and reading one package version the way
 * wkg publishes it (one manifest per version tag, its one `application/wasm` layer holding the
 * package's bytes), with every failure turned into the CLI's one line and exit code.
 *
 * A registry in `wreg.json`, the user config or `WREG_REGISTRY` is one of:
 *
 * | form                       | what it is                                                        |
 * | -------------------------- | ----------------------------------------------------------------- |
 * | `http(s)://host[:port]`    | a wreg registry (its JSON API)                                    |
 * | `oci://host[:port]/prefix/`| an OCI registry; `ns:name@v` is `<prefix><ns>/<name>:<v>`          |
 * | `host[:port]`              | a wasm-pkg registry name, found through its well-known document   |
 *
 * A namespace with no registry configured at all uses wkg's built-in names (`wasi` → `wasi.dev`,
 * `ba` → `bytecodealliance.org`).
 *
 * Credentials for an OCI host: the user config's `credentials[host]` (`{"username", "password"}`
 * or `{"token"}`), else the Docker `config.json` (`auths`), else none (anonymous tokens).
 */
import { CliError, EXIT } from "./_command.ts";
import { type CacheEnv, cachePath } from "./_cache_dir.ts";
import type { UserConfig } from "./_config.ts";
import {
  discoverRegistry,
  dockerCredentials,
  fileDiscoveryCache,
  formatOciRegistry,
  isOciRegistry,
  OciClient,
  OciClientError,
  type OciRegistryRef,
  parseOciRegistry,
} from "../oci/mod.ts";
import { classifyManifest, OciError, parseManifest, repositoryOf } from "../lib/oci/mod.ts";
import { type Digest, parsePackageName, tryParseDigest } from "../lib/names/mod.ts";

/** What kind of registry a configured registry text names. */
export type RegistryKind = "wreg" | "oci" | "name";

/** The kind of a registry text (already checked by lib/package or the config). */
export function registryKind(text: string): RegistryKind {
  if (isOciRegistry(text)) return "oci";
  if (/^https?:\/\//i.test(text)) return "wreg";
  return "name";
}

/** The exit code of an OCI client failure. */
export function ociExitCode(e: OciClientError): number {
  switch (e.code) {
    case "unreachable":
    case "timeout":
      return EXIT.network;
    case "unauthorized":
    case "denied":
      return EXIT.auth;
    case "integrity":
    case "too-large":
      return EXIT.integrity;
    default:
      return EXIT.registry;
  }
}

/** Runs `f`, turning OCI client failures into {@link CliError}s. */
export async function ociCall<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof OciClientError) throw new CliError(e.message, ociExitCode(e));
    throw e;
  }
}

/** One package version as an OCI registry holds it. */
export interface OciVersion {
  /** `oci://host/prefix/`. */
  registry: string;
  repository: string;
  tag: string;
  manifest: Digest;
  /** The layer: the package's bytes. */
  digest: Digest;
  size: number;
}

/** The OCI registries of one command run. */
export class OciRegistries {
  readonly #clients = new Map<string, OciClient>();
  readonly #refs = new Map<string, Promise<OciRegistryRef>>();

  constructor(
    readonly io: CacheEnv,
    readonly config: UserConfig,
    readonly timeoutMs: number | undefined,
  ) {}

  /**
   * The OCI registry a registry text names: `oci://…` as it is, a registry name through its
   * well-known document (cached under `<cache>/well-known/`).
   */
  ref(registry: string): Promise<OciRegistryRef> {
    let p = this.#refs.get(registry);
    if (p === undefined) {
      p = ociCall(async () => {
        if (isOciRegistry(registry)) {
          try {
            return parseOciRegistry(registry);
          } catch (e) {
            if (e instanceof OciClientError) throw new CliError(e.message, EXIT.usage);
            throw e;
          }
        }
        return await discoverRegistry(registry, {
          cache: fileDiscoveryCache(cachePath(this.io, "well-known")),
          timeoutMs: this.timeoutMs,
          userAgent: "wreg-cli",
        });
      });
      p.catch(() => {});
      this.#refs.set(registry, p);
    }
    return p;
  }

  /** The canonical text of the OCI registry a registry text names (`oci://host/prefix/`). */
  async canonical(registry: string): Promise<string> {
    return formatOciRegistry(await this.ref(registry));
  }

  /** The client of a host. */
  client(ref: OciRegistryRef): OciClient {
    let c = this.#clients.get(ref.host);
    if (c === undefined) {
      const host = ref.host;
      const configured = this.config.credentials?.[host];
      c = new OciClient({
        host,
        protocol: ref.protocol,
        timeoutMs: this.timeoutMs,
        userAgent: "wreg-cli",
        credentials: configured !== undefined
          ? configured
          : () => dockerCredentials(this.io.env, host),
      });
      this.#clients.set(host, c);
    }
    return c;
  }

  /** The repository of a package in a registry. */
  static repository(ref: OciRegistryRef, name: string): string {
    return repositoryOf(parsePackageName(name), ref.prefix);
  }

  /**
   * The manifest of `name` at `reference` (a tag, or a digest from a lock), checked to be one
   * Wasm package in wkg's layout; `undefined` when the registry has no such tag.
   */
  async version(
    registry: string,
    name: string,
    reference: string,
    label: string,
  ): Promise<OciVersion | undefined> {
    const ref = await this.ref(registry);
    const repository = OciRegistries.repository(ref, name);
    const client = this.client(ref);
    const where = `${ref.host}/${repository}:${reference}`;
    const m = await ociCall(() => client.manifest(repository, reference));
    if (m === undefined) return undefined;
    let layer;
    try {
      const kind = classifyManifest(parseManifest(m.bytes, { contentType: m.contentType }));
      if (kind.kind !== "package") {
        throw new CliError(
          `Cannot use ${label}: ${where} is an artifact about another manifest, not a package`,
          EXIT.registry,
        );
      }
      layer = kind.layer;
    } catch (e) {
      if (e instanceof OciError) {
        throw new CliError(`Cannot use ${label}: ${where}: ${e.message}`, EXIT.registry);
      }
      throw e;
    }
    const digest = tryParseDigest(layer.digest);
    if (digest === undefined) {
      throw new CliError(
        `Cannot use ${label}: the layer of ${where} has the digest ${layer.digest}; wreg reads ` +
          "sha256 digests",
        EXIT.registry,
      );
    }
    return {
      registry: formatOciRegistry(ref),
      repository,
      tag: reference,
      manifest: m.digest,
      digest,
      size: layer.size,
    };
  }

  /** The bytes of a version's layer, checked against its digest and size. */
  async layer(
    registry: string,
    v: { repository: string; digest: Digest; size: number },
    onProgress?: (received: number, total: number | undefined) => void,
  ): Promise<Uint8Array> {
    const ref = await this.ref(registry);
    return await ociCall(() =>
      this.client(ref).blob(v.repository, { digest: v.digest, size: v.size }, onProgress)
    );
  }
}
