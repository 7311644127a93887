/**
 * The resolver's view of the registries: a lib/package `PackageSource` over every kind of
 * registry a project names, each package read once per run.
 *
 * - A **wreg registry** lists a package in one index document (`GET …/index`): every version with
 *   its kind, digest, size and dependencies.
 * - An **OCI registry** lists a package as the semver tags of its repository (others ignored);
 *   what a version is and depends on is read from its bytes when the resolver asks: the tag's
 *   manifest (checked to be one Wasm package in wkg's layout), its layer (fetched through the
 *   content-addressed cache, checked against its digest), decoded once per digest.
 *
 * Dependencies that are not needed to use a package are dropped when no registry has them:
 *
 * - a package of the host's namespaces (`wasi`), which the host provides;
 * - a WIT package a **component** imports from: the component carries every type it uses, so it
 *   installs without it (its imports are still filled from the world index), and the run says in
 *   one line what was not found ({@link RegistrySource.missing}).
 *
 * A version the lock holds is checked against the lock as it is read: a registry whose tag or
 * index now gives other bytes for it stops the run (exit 6, what changed and where), and the lock
 * is never rewritten to the new bytes.
 */
import { CliError, EXIT } from "./_command.ts";
import type { BlobCache } from "./_cache.ts";
import { cachePath } from "./_cache_dir.ts";
import type { IndexEntry, PackageIndexDoc } from "./_client.ts";
import { readTextIfExists, writeFileAtomic } from "./_fs.ts";
import { ociCall, OciRegistries, type OciVersion, registryKind } from "./_oci.ts";
import type { DownloadProgress } from "./_progress.ts";
import type { Registries } from "./_registries.ts";
import {
  compareVersions,
  type Digest,
  isPrerelease,
  parseDigest,
  parseRange,
  tryParseVersion,
  type Version,
  type VersionRange,
} from "../lib/names/mod.ts";
import type { ListedVersion, Lock, PackageSource } from "../lib/package/mod.ts";
import { tagOfVersion, versionOfTag } from "../lib/oci/mod.ts";
import { ComponentDecodeError, decodeComponent } from "../lib/component/mod.ts";
import { dependencyRanges, packageDependencies } from "../lib/wit/mod.ts";

/** Namespaces whose packages the host provides when no registry has them. */
export const HOST_NAMESPACES: ReadonlySet<string> = new Set(["wasi"]);

function namespaceOf(name: string): string {
  return name.slice(0, name.indexOf(":"));
}

/** A package as a registry lists it. */
export interface PackageListing {
  name: string;
  /** The registry, in the form the lock records (`http(s)://…` or `oci://host/prefix/`). */
  registry: string;
  /** `component` or `wit` when the registry says (a wreg registry does; an OCI registry not). */
  kind?: "component" | "wit";
  /** Every version, yanked flags included (an OCI registry has no yanking). */
  versions: { version: string; yanked: boolean }[];
  /** The wreg index document, for a wreg registry. */
  wreg?: PackageIndexDoc;
}

/** One version: what the lock records about it, and what it depends on. */
export interface VersionEntry {
  version: string;
  kind: "component" | "wit";
  /** As in {@link PackageListing.registry}. */
  registry: string;
  /** The package's bytes (for OCI, the layer). */
  digest: Digest;
  size: number;
  /** The manifest its tag pointed at, for an OCI registry. */
  manifest?: Digest;
  /** Package → range, as the version declares them (nothing dropped). */
  dependencies: Record<string, string>;
}

/** What the source needs besides the registries to read OCI packages: the cache and progress. */
export interface SourceContext {
  cache: BlobCache;
  progress: DownloadProgress;
  io: { env: Record<string, string | undefined>; cwd: string };
  /** The lock as it was: versions it holds are checked against it. */
  lock?: Lock;
  /** Counts the packages downloaded while reading versions. */
  downloaded?: () => void;
}

/** What a package version decodes to (cached by digest under `<cache>/package-meta/`). */
interface PackageMeta {
  kind: "component" | "wit";
  /** `ns:name@version` of a WIT package. */
  declares?: string;
  dependencies: Record<string, string>;
}

/** A `PackageSource` over wreg and OCI registries. */
export class RegistrySource implements PackageSource {
  readonly #listings = new Map<string, Promise<PackageListing | undefined>>();
  readonly #oci = new Map<string, Promise<VersionEntry>>();
  readonly #missing = new Map<string, Set<string>>();
  readonly #unreachable = new Map<string, string>();

  constructor(readonly registries: Registries, readonly ctx?: SourceContext) {}

  /** How a package is listed (fetched once), or `undefined` when its registry has no such package. */
  index(name: string): Promise<PackageListing | undefined> {
    let p = this.#listings.get(name);
    if (p === undefined) {
      p = this.#list(name);
      p.catch(() => {}); // a prefetch nobody awaits must not be an unhandled rejection
      this.#listings.set(name, p);
    }
    return p;
  }

  async #list(name: string): Promise<PackageListing | undefined> {
    const url = this.registries.urlFor(name);
    if (registryKind(url) === "wreg") {
      const doc = await this.registries.client(url).packageIndex(name);
      if (doc === undefined) return undefined;
      return {
        name,
        registry: url,
        kind: doc.kind === "component" ? "component" : "wit",
        versions: doc.versions.map((v) => ({ version: v.version, yanked: v.yanked })),
        wreg: doc,
      };
    }
    const oci = this.registries.oci;
    const ref = await oci.ref(url);
    const repository = OciRegistries.repository(ref, name);
    const tags = await ociCall(() => oci.client(ref).tags(repository));
    if (tags === undefined) return undefined;
    const versions: { version: string; yanked: boolean }[] = [];
    for (const t of tags) {
      const v = versionOfTag(t);
      if (v !== undefined) versions.push({ version: v, yanked: false });
    }
    return { name, registry: await oci.canonical(url), versions };
  }

  /**
   * The listing of a dependency that may be left out: none when it exists nowhere (or no
   * registry is configured for it), or `unreachable` with the reason when its registry cannot be
   * reached (a package that is not needed must not stop the run for want of a network).
   */
  async #lookup(name: string): Promise<{ listing?: PackageListing; unreachable?: string }> {
    try {
      return { listing: await this.index(name) };
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      // No registry is configured for its namespace: then it exists nowhere wreg can see.
      if (e.exitCode === EXIT.usage && /No registry is configured/.test(e.message)) return {};
      if (e.exitCode === EXIT.network) return { unreachable: e.message };
      throw e;
    }
  }

  /** Starts fetching listings that will likely be asked for (the resolver asks one at a time). */
  prefetch(names: Iterable<string>): void {
    for (const n of names) {
      try {
        this.index(n);
      } catch {
        // No registry for it: the resolver's own request will say so.
      }
    }
  }

  /**
   * The dependencies the resolver should follow: what `deps` names, minus what is not needed
   * and exists nowhere (see the module comment).
   */
  async #usable(
    name: string,
    version: string,
    kind: "component" | "wit",
    deps: Record<string, string>,
  ): Promise<Record<string, VersionRange>> {
    const out: Record<string, VersionRange> = {};
    for (const [dep, range] of Object.entries(deps)) {
      if (dep === name) continue;
      const host = HOST_NAMESPACES.has(namespaceOf(dep));
      if (host || kind === "component") {
        const found = await this.#lookup(dep);
        if (found.listing === undefined) {
          if (found.unreachable !== undefined) this.#unreachable.set(dep, found.unreachable);
          else if (!host) {
            const key = `${name}@${version}`;
            let s = this.#missing.get(key);
            if (s === undefined) this.#missing.set(key, s = new Set());
            s.add(dep);
          }
          continue;
        }
      }
      out[dep] = parseRange(range);
    }
    return out;
  }

  /**
   * The WIT packages a component version imports from that no registry has (dropped from its
   * dependencies), for the versions resolved: `ns:name@version` → package names, sorted.
   */
  missing(resolved: Iterable<{ name: string; version: string }>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const p of resolved) {
      const s = this.#missing.get(`${p.name}@${p.version}`);
      if (s !== undefined && s.size > 0) out.set(p.name, [...s].sort());
    }
    return out;
  }

  /**
   * Dependencies left out because their registry could not be reached (package → why), sorted.
   * Only packages that are not needed are left out so: a component's WIT packages and the host's.
   */
  unreachable(): Map<string, string> {
    return new Map([...this.#unreachable].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  async versions(name: string): Promise<readonly ListedVersion[] | undefined> {
    const listing = await this.index(name);
    if (listing === undefined) return undefined;
    const out: ListedVersion[] = [];
    if (listing.wreg !== undefined) {
      // The dependencies of the newest versions are what the resolver will ask about next.
      this.prefetch(
        listing.wreg.versions.slice(0, 3).flatMap((e) => Object.keys(e.dependencies ?? {})),
      );
      for (const e of listing.wreg.versions) {
        const version = tryParseVersion(e.version);
        if (version === undefined) continue;
        const kind = e.kind === "component" ? "component" : "wit";
        const dependencies = await this.#usable(name, version, kind, e.dependencies ?? {});
        out.push({ version, yanked: e.yanked, dependencies });
      }
    } else {
      for (const v of listing.versions) {
        const version = tryParseVersion(v.version);
        if (version !== undefined) out.push({ version, yanked: v.yanked });
      }
    }
    return out.sort((a, b) => compareVersions(a.version, b.version));
  }

  /** The dependencies of a version listed without them (an OCI registry's). */
  async dependencies(name: string, version: Version): Promise<Record<string, VersionRange>> {
    const e = await this.entry(name, version);
    if (e === undefined) return {};
    return await this.#usable(name, version, e.kind, e.dependencies);
  }

  /**
   * One version (after {@link versions} listed it): what the lock records and its dependencies;
   * `undefined` when the registry no longer lists it. A version the lock holds from the same
   * registry must still be the same bytes.
   *
   * @throws {CliError} integrity (6) when the registry now gives other bytes for a locked version.
   */
  async entry(name: string, version: string): Promise<VersionEntry | undefined> {
    const listing = await this.index(name);
    if (listing === undefined) return undefined;
    if (listing.wreg !== undefined) {
      const e: IndexEntry | undefined = listing.wreg.versions.find((v) => v.version === version);
      if (e === undefined) return undefined;
      const entry: VersionEntry = {
        version,
        kind: e.kind === "component" ? "component" : "wit",
        registry: listing.registry,
        digest: parseDigest(e.digest),
        size: e.size,
        dependencies: e.dependencies ?? {},
      };
      this.#checkLocked(name, entry);
      return entry;
    }
    if (!listing.versions.some((v) => v.version === version)) return undefined;
    const key = `${name}@${version}`;
    let p = this.#oci.get(key);
    if (p === undefined) {
      p = this.#readOci(listing, version);
      p.catch(() => {});
      this.#oci.set(key, p);
    }
    return await p;
  }

  /** Stops when the lock holds this version from this registry with other bytes. */
  #checkLocked(name: string, e: VersionEntry, where?: OciVersion): void {
    const locked = this.ctx?.lock?.packages[name];
    if (
      locked === undefined || locked.version !== e.version || locked.registry !== e.registry ||
      locked.digest === e.digest
    ) {
      return;
    }
    const at = where !== undefined
      ? `${e.registry} (${where.repository}:${where.tag})`
      : e.registry;
    const was = `${locked.digest}${locked.manifest ? ` (manifest ${locked.manifest})` : ""}`;
    const now = `${e.digest}${e.manifest ? ` (manifest ${e.manifest})` : ""}`;
    throw new CliError(
      `Cannot use ${name}@${e.version}: the registry now gives other bytes for this version than ` +
        `wreg.lock holds\n  where:     ${at}\n  wreg.lock: ${was}\n  now:       ${now}\n` +
        "A published version should never change; wreg.lock is left as it is. Ask the " +
        "registry's owner; to take the new bytes anyway, delete wreg.lock and run `wreg update`",
      EXIT.integrity,
    );
  }

  async #readOci(listing: PackageListing, version: string): Promise<VersionEntry> {
    const name = listing.name;
    const label = `${name}@${version}`;
    const oci = this.registries.oci;
    const tag = tagOfVersion(version as Version)!;
    const v = await oci.version(listing.registry, name, tag, label);
    if (v === undefined) {
      throw new CliError(
        `Cannot use ${label}: ${listing.registry} listed the tag ${tag} and then had no manifest ` +
          "for it; try again",
        EXIT.registry,
      );
    }
    const entryOf = (meta?: PackageMeta): VersionEntry => ({
      version,
      kind: meta?.kind ?? "wit",
      registry: v.registry,
      digest: v.digest,
      size: v.size,
      manifest: v.manifest,
      dependencies: meta?.dependencies ?? {},
    });
    // Before any byte is read: a locked version must be the locked bytes.
    this.#checkLocked(name, entryOf(), v);
    const meta = await this.#meta(label, v);
    if (meta.kind === "wit" && meta.declares !== undefined && meta.declares !== label) {
      throw new CliError(
        `Cannot use ${label}: ${v.registry} (${v.repository}:${tag}) holds the WIT package ` +
          `${meta.declares}`,
        EXIT.registry,
      );
    }
    return entryOf(meta);
  }

  /** Decodes a version's bytes (fetched through the cache) into its kind and dependencies. */
  async #meta(label: string, v: OciVersion): Promise<PackageMeta> {
    const ctx = this.ctx;
    if (ctx === undefined) throw new Error("RegistrySource: reading OCI packages needs a context");
    const path = cachePath(ctx.io, "package-meta", `${v.digest.slice("sha256:".length)}.json`);
    const text = await readTextIfExists(path);
    if (text !== undefined) {
      try {
        const m = JSON.parse(text);
        if ((m.kind === "component" || m.kind === "wit") && typeof m.dependencies === "object") {
          return m as PackageMeta;
        }
      } catch { /* decoded again below */ }
    }
    let bytes = await ctx.cache.get(v.digest, label);
    if (bytes === undefined) {
      const task = ctx.progress.start(label);
      bytes = await this.registries.oci.layer(v.registry, v, task.update);
      await ctx.cache.put(v.digest, bytes);
      task.done(bytes.length);
      ctx.downloaded?.();
    }
    let d;
    try {
      d = decodeComponent(bytes);
    } catch (e) {
      if (e instanceof ComponentDecodeError) {
        throw new CliError(
          `Cannot use ${label} from ${v.registry}: it is not a valid component or WIT package: ` +
            `${e.reason} (at offset 0x${e.offset.toString(16)})`,
          EXIT.registry,
        );
      }
      throw e;
    }
    if (d.kind === "module" || d.package === undefined) {
      throw new CliError(
        `Cannot use ${label} from ${v.registry}: it is a core module, not a component or WIT package`,
        EXIT.registry,
      );
    }
    const p = d.resolve.packages[d.package].name;
    const meta: PackageMeta = {
      kind: d.kind === "component" ? "component" : "wit",
      ...(d.kind === "wit-package"
        ? { declares: `${p.namespace}:${p.name}${p.version ? `@${p.version}` : ""}` }
        : {}),
      dependencies: dependencyRanges(packageDependencies(d.resolve, d.package)),
    };
    await writeFileAtomic(path, `${JSON.stringify(meta)}\n`).catch(() => {});
    return meta;
  }
}

/** The version `wreg add ns:name` pins with a caret: the highest neither yanked nor pre-release. */
export function latestVersion(
  doc: { versions: { version: string; yanked: boolean }[] },
): Version | undefined {
  let best: Version | undefined;
  for (const e of doc.versions) {
    const v = tryParseVersion(e.version);
    if (v === undefined || e.yanked || isPrerelease(v)) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}
