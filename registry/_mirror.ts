/**
 * Upstream namespaces, mirrored: `wreg serve --upstream wasi=oci://ghcr.io/webassembly/` makes the
 * packages of namespace `wasi` this registry's, as far as reading goes. A package of a mirrored
 * namespace is fetched from its upstream when it is first asked for (or found in the upstream's
 * catalog, where it has one): every semver tag's manifest is checked (one Wasm layer, config v0),
 * the layer is fetched and verified, and the version is committed through the same publish
 * pipeline as a local one (decode, documents, search rows, the one commit point), with the
 * upstream's own manifest, so that `/v2` serves the same bytes the upstream did. From then on it is
 * indexed like any local package: search, the world index, implementations, the web pages (which
 * say where it is mirrored from).
 *
 * - **Immutable**: the first bytes seen for a version win. An upstream tag that later points at
 *   other bytes is reported (the log, `GET /api/v1/mirror`, the package page) and never served.
 * - **Closed to publishing**: nobody publishes into a mirrored namespace here; the upstream is
 *   where its packages are published.
 * - **Available**: what was mirrored is served when the upstream is down; a refresh that fails
 *   only leaves a note.
 * - **Bounded**: a package's tags are read again at most once per `refreshSeconds` (in the
 *   background once the package has been mirrored), at most `maxVersions` versions (the newest)
 *   and `maxPackages` catalog entries per upstream, through one OCI client per upstream host with
 *   its connection limit and timeouts (oci/).
 */
import {
  BUILTIN_NAMESPACE_REGISTRIES,
  discoverRegistry,
  formatOciRegistry,
  isOciRegistry,
  memoryDiscoveryCache,
  OciClient,
  OciClientError,
  type OciRegistryRef,
  parseOciRegistry,
} from "../oci/mod.ts";
import {
  classifyManifest,
  OciError,
  packageOfRepository,
  parseManifest,
  repositoryOf,
  tagOfVersion,
  versionOfTag,
} from "../lib/oci/mod.ts";
import {
  compareVersions,
  type Digest,
  formatPackageName,
  isLabel,
  type PackageName,
  sameVersion,
  tryParseDigest,
  type Version,
} from "../lib/names/mod.ts";
import type { Context } from "./_context.ts";
import { RegistryError } from "./_errors.ts";
import { publishVersion } from "./_publish.ts";

/** Who mirrored versions are published by (and who their namespaces belong to). */
export const MIRROR_PUBLISHER = "wreg-mirror";

/** One mirrored namespace: where its packages come from. */
export interface Upstream {
  namespace: string;
  /** `oci://host[:port]/prefix/`, or a wasm-pkg registry name (its well-known document). */
  registry: string;
}

/** Options of the mirror. */
export interface MirrorOptions {
  upstreams: Upstream[];
  /** Least time between two reads of one package's tags (or of a catalog), in s (default 60). */
  refreshSeconds?: number;
  /** Most versions mirrored per package, the newest (default 100). */
  maxVersions?: number;
  /** Most packages taken from an upstream's catalog (default 1000). */
  maxPackages?: number;
  /** Timeout of each upstream request, in ms (default 10 s). */
  timeoutMs?: number;
  /** Where notes go (a changed tag, an upstream that cannot be reached); default: none. */
  log?: (line: string) => void;
}

/**
 * Parses `--upstream` values: `ns=oci://host/prefix/`, `ns=registry.name`, or a bare namespace
 * with a built-in registry (`wasi`, `ba`).
 *
 * @throws {Error} naming what is wrong.
 */
export function parseUpstream(text: string): Upstream {
  const eq = text.indexOf("=");
  const namespace = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (!isLabel(namespace)) {
    throw new Error(
      `invalid --upstream ${JSON.stringify(text)}: ${JSON.stringify(namespace)} is not a namespace`,
    );
  }
  const registry = eq < 0 ? BUILTIN_NAMESPACE_REGISTRIES[namespace] : text.slice(eq + 1).trim();
  if (registry === undefined || registry === "") {
    throw new Error(
      `invalid --upstream ${
        JSON.stringify(text)
      }: name the registry (${namespace}=oci://host/prefix/)`,
    );
  }
  if (isOciRegistry(registry)) {
    try {
      return { namespace, registry: formatOciRegistry(parseOciRegistry(registry)) };
    } catch (e) {
      throw new Error(`invalid --upstream ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  }
  if (!/^[a-z0-9.-]+(?::\d{1,5})?$/.test(registry)) {
    throw new Error(
      `invalid --upstream ${
        JSON.stringify(text)
      }: expected oci://host[:port]/prefix/ or a registry name`,
    );
  }
  return { namespace, registry };
}

/** A version whose upstream tag now points at other bytes than the ones mirrored. */
export interface ChangedTag {
  package: string;
  version: string;
  /** Where: `host/repository:tag`. */
  reference: string;
  /** The digest served here (the first bytes seen). */
  mirrored: string;
  /** The digest the tag's manifest now names, and the manifest. */
  upstream: string;
  manifest: string;
  seenAt: string;
}

interface PackageState {
  refreshedAt: number;
  inFlight?: Promise<void>;
}

interface UpstreamState {
  upstream: Upstream;
  ref?: Promise<OciRegistryRef>;
  catalogAt: number;
  catalogInFlight?: Promise<void>;
  lastRefresh?: string;
  lastError?: string;
}

/** The mirror of a registry's upstream namespaces. */
export class Mirror {
  readonly #ctx: Context;
  readonly #upstreams = new Map<string, UpstreamState>();
  readonly #packages = new Map<string, PackageState>();
  readonly #clients = new Map<string, OciClient>();
  readonly #changed = new Map<string, ChangedTag>();
  readonly #skipped = new Map<string, string>();
  readonly #discovery = memoryDiscoveryCache();
  readonly refreshMs: number;
  readonly maxVersions: number;
  readonly maxPackages: number;
  readonly timeoutMs: number;
  readonly #log: (line: string) => void;

  constructor(ctx: Context, options: MirrorOptions) {
    this.#ctx = ctx;
    for (const u of options.upstreams) {
      this.#upstreams.set(u.namespace, { upstream: u, catalogAt: 0 });
    }
    this.refreshMs = (options.refreshSeconds ?? 60) * 1000;
    this.maxVersions = options.maxVersions ?? 100;
    this.maxPackages = options.maxPackages ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#log = options.log ?? (() => {});
  }

  /** The registry a namespace is mirrored from (as configured), or `undefined`. */
  upstreamOf(namespace: string): string | undefined {
    return this.#upstreams.get(namespace)?.upstream.registry;
  }

  /** The versions of a package whose upstream tag changed after they were mirrored. */
  changedTags(pkg: string): ChangedTag[] {
    return [...this.#changed.values()].filter((c) => c.package === pkg);
  }

  /** What `GET /api/v1/mirror` answers. */
  status() {
    return {
      upstreams: [...this.#upstreams.values()].map((u) => ({
        namespace: u.upstream.namespace,
        registry: u.upstream.registry,
        lastRefresh: u.lastRefresh ?? null,
        lastError: u.lastError ?? null,
      })),
      changedTags: [...this.#changed.values()],
      skipped: [...this.#skipped].map(([version, reason]) => ({ version, reason })),
      refreshSeconds: this.refreshMs / 1000,
      maxVersions: this.maxVersions,
    };
  }

  /**
   * Refuses a publish into a mirrored namespace (the mirror's own commits excepted).
   *
   * @throws {RegistryError} `namespace-mirrored`.
   */
  checkPublish(name: PackageName, version: string, fromUpstream: boolean): void {
    const registry = this.upstreamOf(name.namespace);
    if (registry === undefined || fromUpstream) return;
    throw new RegistryError(
      "namespace-mirrored",
      `Cannot publish ${
        formatPackageName(name)
      }@${version}: namespace ${name.namespace} is mirrored ` +
        `here from ${registry}, and only its upstream publishes into it`,
      { namespace: name.namespace, upstream: registry },
    );
  }

  async #ref(u: UpstreamState): Promise<OciRegistryRef> {
    u.ref ??= (async () => {
      const registry = u.upstream.registry;
      if (isOciRegistry(registry)) return parseOciRegistry(registry);
      return await discoverRegistry(registry, {
        cache: this.#discovery,
        timeoutMs: this.timeoutMs,
        userAgent: "wreg-mirror",
      });
    })();
    try {
      return await u.ref;
    } catch (e) {
      u.ref = undefined; // try the discovery again next time
      throw e;
    }
  }

  #client(ref: OciRegistryRef): OciClient {
    let c = this.#clients.get(ref.host);
    if (c === undefined) {
      c = new OciClient({
        host: ref.host,
        protocol: ref.protocol,
        timeoutMs: this.timeoutMs,
        userAgent: "wreg-mirror",
      });
      this.#clients.set(ref.host, c);
    }
    return c;
  }

  /**
   * Brings a package of a mirrored namespace up to date with its upstream, at most once per
   * refresh interval. The first time, the caller waits (so the answer includes what the upstream
   * has); later refreshes run in the background while what is stored is served. Never throws for
   * the upstream's failures.
   */
  async ensure(name: PackageName): Promise<void> {
    const u = this.#upstreams.get(name.namespace);
    if (u === undefined) return;
    const key = formatPackageName(name);
    let st = this.#packages.get(key);
    if (st === undefined) this.#packages.set(key, st = { refreshedAt: 0 });
    const first = st.refreshedAt === 0;
    if (st.inFlight !== undefined) {
      if (first) await st.inFlight;
      return;
    }
    if (!first && Date.now() - st.refreshedAt < this.refreshMs) return;
    const state = st;
    state.inFlight = this.#refresh(u, name).finally(() => {
      state.refreshedAt = Date.now();
      state.inFlight = undefined;
    });
    if (first) await state.inFlight;
  }

  /**
   * Mirrors what the upstreams' catalogs list (where they have one), at most once per refresh
   * interval; the first time, the caller waits.
   */
  async ensureAll(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const u of this.#upstreams.values()) {
      const first = u.catalogAt === 0;
      if (u.catalogInFlight !== undefined) {
        if (first) waits.push(u.catalogInFlight);
        continue;
      }
      if (!first && Date.now() - u.catalogAt < this.refreshMs) continue;
      u.catalogInFlight = this.#syncCatalog(u).finally(() => {
        u.catalogAt = Date.now();
        u.catalogInFlight = undefined;
      });
      if (first) waits.push(u.catalogInFlight);
    }
    await Promise.all(waits);
  }

  async #syncCatalog(u: UpstreamState): Promise<void> {
    let names: PackageName[];
    try {
      const ref = await this.#ref(u);
      const repositories = await this.#client(ref).catalog();
      if (repositories === undefined) return; // no catalog: packages come as they are asked for
      names = repositories.flatMap((r) => {
        const name = packageOfRepository(r, ref.prefix);
        return name !== undefined && name.namespace === u.upstream.namespace ? [name] : [];
      }).slice(0, this.maxPackages);
    } catch (e) {
      this.#failed(u, e);
      return;
    }
    for (const name of names) await this.ensure(name);
  }

  #failed(u: UpstreamState, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (u.lastError !== message) {
      this.#log(`mirror: ${u.upstream.namespace} from ${u.upstream.registry}: ${message}`);
    }
    u.lastError = message;
  }

  async #refresh(u: UpstreamState, name: PackageName): Promise<void> {
    const pkg = formatPackageName(name);
    let ref: OciRegistryRef;
    let client: OciClient;
    let repository: string;
    let versions: Version[];
    try {
      ref = await this.#ref(u);
      client = this.#client(ref);
      repository = repositoryOf(name, ref.prefix);
      const tags = await client.tags(repository);
      versions = (tags ?? []).flatMap((t) => {
        const v = versionOfTag(t);
        return v === undefined ? [] : [v];
      }).sort(compareVersions).slice(-this.maxVersions);
    } catch (e) {
      this.#failed(u, e);
      return;
    }
    const detail = await this.#ctx.storage.metadata.getPackage(name);
    const stored = new Map<string, string>(
      (detail?.versions ?? []).map((v) => [v.version as string, v.digest as string]),
    );
    // Oldest first: each version's document compares it with the one below.
    for (const version of versions) {
      try {
        await this.#mirrorVersion(u, ref, client, repository, name, version, stored);
      } catch (e) {
        if (e instanceof OciClientError) {
          this.#failed(u, e);
          return; // the upstream went away: what is stored keeps being served
        }
        throw e;
      }
    }
    u.lastRefresh = new Date().toISOString();
    u.lastError = undefined;
    void pkg;
  }

  async #mirrorVersion(
    u: UpstreamState,
    ref: OciRegistryRef,
    client: OciClient,
    repository: string,
    name: PackageName,
    version: Version,
    stored: Map<string, string>,
  ): Promise<void> {
    const pkg = formatPackageName(name);
    const key = `${pkg}@${version}`;
    if (this.#skipped.has(key)) return;
    const tag = tagOfVersion(version)!;
    const reference = `${ref.host}/${repository}:${tag}`;
    const m = await client.manifest(repository, tag);
    if (m === undefined) return;
    let layer: { digest: string; size: number };
    let config: { digest: string; size: number };
    let mediaType: string;
    try {
      const kind = classifyManifest(parseManifest(m.bytes, { contentType: m.contentType }));
      if (kind.kind !== "package") return;
      layer = kind.layer;
      config = kind.config;
      mediaType = kind.manifest.mediaType ?? m.contentType;
    } catch (e) {
      if (e instanceof OciError) return this.#skip(key, `${reference}: ${e.message}`);
      throw e;
    }
    const digest = tryParseDigest(layer.digest);
    if (digest === undefined) return this.#skip(key, `${reference}: layer digest ${layer.digest}`);
    const have = [...stored].find(([v]) => sameVersion(v as Version, version));
    if (have !== undefined) {
      if (have[1] !== digest) this.#changedTag(pkg, have[0], reference, have[1], digest, m.digest);
      return;
    }
    if (layer.size > this.#ctx.limits.maxUploadBytes) {
      return this.#skip(key, `${reference}: ${layer.size} bytes, over the upload limit`);
    }
    const bytes = await client.blob(repository, layer);
    const configDigest = tryParseDigest(config.digest);
    const blobs: Digest[] = [digest];
    if (configDigest !== undefined && config.size <= 1024 * 1024) {
      const configBytes = await client.blob(repository, config);
      await this.#ctx.storage.blobs.put(configBytes, { digest: configDigest });
      blobs.unshift(configDigest);
    }
    try {
      await publishVersion(this.#ctx, {
        name,
        version,
        body: bytes,
        digest,
        authorize: () => MIRROR_PUBLISHER,
        upstream: u.upstream.registry,
        oci: configDigest !== undefined && blobs.length === 2
          ? { digest: m.digest as Digest, mediaType, bytes: m.bytes, blobs }
          : undefined,
      });
      stored.set(version, digest);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      if (e.code === "version-exists") {
        // Another process (or request) mirrored it meanwhile: its bytes won.
        const now = (await this.#ctx.storage.metadata.getPackage(name))?.versions.find((v) =>
          sameVersion(v.version, version)
        );
        if (now !== undefined && now.digest !== digest) {
          this.#changedTag(pkg, now.version, reference, now.digest, digest, m.digest);
        }
        return;
      }
      this.#skip(key, `${reference}: ${e.message}`);
    }
  }

  #skip(key: string, reason: string): void {
    if (!this.#skipped.has(key)) this.#log(`mirror: not mirroring ${key}: ${reason}`);
    this.#skipped.set(key, reason);
  }

  #changedTag(
    pkg: string,
    version: string,
    reference: string,
    mirrored: string,
    upstream: string,
    manifest: string,
  ): void {
    const key = `${pkg}@${version} ${upstream}`;
    if (this.#changed.has(key)) return;
    this.#changed.set(key, {
      package: pkg,
      version,
      reference,
      mirrored,
      upstream,
      manifest,
      seenAt: new Date().toISOString(),
    });
    this.#log(
      `mirror: the upstream tag ${reference} now points at ${upstream} (manifest ${manifest}); ` +
        `${pkg}@${version} stays ${mirrored} here`,
    );
  }
}
