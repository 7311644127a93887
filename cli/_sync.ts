/**
 * The package manager's core, shared by `add`, `remove`, `install` and `update`: from the wanted
 * `wreg.json` (and the old lock) to a new lock, with every package's bytes in the cache.
 *
 * 1. Resolve: lib/package's PubGrub resolver over the registries' package indexes, preferring
 *    the locked versions (except for what is being updated); yanked and pre-release versions are
 *    left out unless locked.
 * 2. Fill: for each component in the resolution, the imports that `wreg.json` `fills` and the
 *    lock do not fill are looked up in the registry's world index
 *    (`/api/v1/implementations`); lib/package `planFills` decides: one implementation → it is
 *    used and recorded in `wreg.json` `fills` (so the choice is the user's from then on, and
 *    `install` reproduces it), several → an error listing them with the entry to write, none →
 *    a note (the import stays an import: the host, or the Deno program, supplies it). A new fill
 *    adds a package, so resolution runs again until nothing changes.
 * 3. Lock: lib/package `lockFromResolution` with each version's kind, registry and digest.
 *
 * `install` with a current lock skips 1–3 and uses the lock as it is. Either way every package
 * is then fetched through the content-addressed cache ({@link fetchLocked}).
 */
import { CliError, EXIT, type Io } from "./_command.ts";
import type { BlobCache } from "./_cache.ts";
import type { Registries } from "./_registries.ts";
import type { ImplementationDoc } from "./_client.ts";
import { DownloadProgress } from "./_progress.ts";
import { HOST_NAMESPACES, RegistrySource, type SourceContext } from "./_source.ts";
import { registryKind } from "./_oci.ts";
import { tagOfVersion } from "../lib/oci/mod.ts";
import { cachePath } from "./_cache_dir.ts";
import { readTextIfExists, writeFileAtomic } from "./_fs.ts";
import {
  checkLockCurrent,
  fillChoiceFor,
  FillError,
  type Implementation,
  importsToLookUp,
  type Lock,
  lockedVersions,
  lockFromResolution,
  type Manifest,
  planFills,
  requirementsOf,
  type Resolution,
  ResolutionError,
  resolve,
  withFill,
  withoutFill,
} from "../lib/package/mod.ts";
import {
  type Digest,
  formatInterfaceName,
  parseDigest,
  parseInterfaceName,
  tryParseVersion,
  type Version,
} from "../lib/names/mod.ts";
import { ComponentDecodeError, decodeComponent } from "../lib/component/mod.ts";
import { worldKeyName } from "../lib/wit/mod.ts";

/** What a sync run is given. */
export interface SyncContext {
  io: Io;
  registries: Registries;
  cache: BlobCache;
  progress: DownloadProgress;
  /** Packages downloaded so far in this run (the rest came from the cache). */
  downloads?: number;
  /**
   * The size the registry's index lists for each digest read in this run: a download stops past
   * it (an install from the lock uses the lock's sizes; a lock older than version 3 has none, and its
   * downloads stop at the client's limit).
   */
  sizes?: Map<Digest, number>;
}

/** What to resolve. */
export interface SyncRequest {
  /** The manifest as the user wants it (after `add`/`remove` edits). */
  manifest: Manifest;
  /** The lock as it was. */
  lock?: Lock;
  /** Ignore the lock for every package (`true`) or the named ones. */
  update?: boolean | readonly string[];
  /** Drop `fills` entries that no component of the resolution imports (after `remove`). */
  pruneFills?: boolean;
  /** The index documents fetched so far in this run (by `add`'s specs). */
  source?: RegistrySource;
}

/** What happened to one import of a component. */
export interface FillNote {
  component: string;
  import: string;
  /** The implementing package, or `undefined` when nothing fills it. */
  package?: string;
  version?: string;
  /** How it was chosen. */
  via: "wreg.json" | "wreg.lock" | "registry" | "none";
}

/** The outcome of {@link resolveProject}. */
export interface SyncPlan {
  manifest: Manifest;
  lock: Lock;
  fills: FillNote[];
  /** `fills` entries dropped (with `pruneFills`). */
  pruned: string[];
  resolution: Resolution;
  /**
   * Component → the WIT packages it imports from that no registry has (it was installed without
   * them: the component carries the types it uses).
   */
  missing: Map<string, string[]>;
  /** WIT packages left out because their registry could not be reached (package → why). */
  unreachable: Map<string, string>;
}

/** Bytes of a package, fetched through the cache. */
export interface FetchedPackage {
  name: string;
  version: string;
  kind: "component" | "wit";
  digest: Digest;
  bytes: Uint8Array;
  /** Whether it was downloaded in this run (not read from the cache). */
  downloaded: boolean;
}

const MAX_ROUNDS = 16;

/** Turns lib/package's errors into the CLI's exit codes. */
function resolutionFailure(e: unknown): never {
  if (e instanceof ResolutionError) {
    throw new CliError(
      `Cannot resolve the dependencies:\n${e.lines.map((l) => `  ${l}`).join("\n")}`,
      EXIT.resolution,
    );
  }
  if (e instanceof FillError) throw new CliError(e.message, EXIT.resolution);
  throw e;
}

/**
 * Fetches one package's bytes: from the cache (hashed again), else from its registry (no more
 * than its listed size, checked against the digest, then cached).
 */
export async function fetchPackage(
  ctx: SyncContext,
  p: {
    name: string;
    version: string;
    digest: Digest;
    registry: string;
    /** The size wreg.lock lists (the one the registry's index listed in this run wins). */
    size?: number;
    /** The OCI manifest digest, for a package from an OCI registry. */
    manifest?: Digest;
  },
): Promise<{ bytes: Uint8Array; downloaded: boolean }> {
  const label = `${p.name}@${p.version}`;
  const cached = await ctx.cache.get(p.digest, label);
  if (cached !== undefined) return { bytes: cached, downloaded: false };
  const task = ctx.progress.start(label);
  // The index read in this run (a resolution) or else the lock (an install) gives the size.
  const listed = ctx.sizes?.get(p.digest);
  const size = listed ?? p.size;
  const bytes = registryKind(p.registry) === "wreg"
    ? await ctx.registries.client(p.registry).blob(
      p.digest,
      label,
      task.update,
      size,
      listed === undefined && p.size !== undefined ? "wreg.lock lists" : undefined,
    )
    : await fetchOciLocked(ctx, { ...p, size }, label, task.update);
  await ctx.cache.put(p.digest, bytes);
  task.done(bytes.length);
  ctx.downloads = (ctx.downloads ?? 0) + 1;
  return { bytes, downloaded: true };
}

/**
 * A locked package from an OCI registry: the manifest the lock names (by digest: immutable, so it
 * is exactly what was locked), checked to hold the locked layer, then the layer by its digest
 * and descriptor size.
 */
async function fetchOciLocked(
  ctx: SyncContext,
  p: {
    name: string;
    version: string;
    digest: Digest;
    registry: string;
    manifest?: Digest;
    size?: number;
  },
  label: string,
  onProgress: (received: number, total: number | undefined) => void,
): Promise<Uint8Array> {
  const oci = ctx.registries.oci;
  const reference = p.manifest ?? tagOfVersion(p.version as Version)!;
  const v = await oci.version(p.registry, p.name, reference, label);
  if (v === undefined) {
    throw new CliError(
      `Cannot fetch ${label}: ${p.registry} has no manifest ${reference} for ${p.name} any more`,
      EXIT.registry,
    );
  }
  if (v.digest !== p.digest) {
    throw new CliError(
      `Cannot use ${label}: the manifest ${v.manifest} at ${p.registry} holds ${v.digest}, and ` +
        `wreg.lock has ${p.digest}`,
      EXIT.integrity,
    );
  }
  if (p.size !== undefined && v.size !== p.size) {
    throw new CliError(
      `Cannot use ${label}: the manifest ${v.manifest} at ${p.registry} lists ${v.size} bytes ` +
        `for ${v.digest}, and ${p.size} were listed before`,
      EXIT.integrity,
    );
  }
  return await oci.layer(p.registry, v, onProgress);
}

/** Runs `work` on every item with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (t: T) => Promise<R>,
) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

/** Fetches every package of a lock (four downloads at a time). */
export async function fetchLocked(ctx: SyncContext, lock: Lock): Promise<FetchedPackage[]> {
  const names = Object.keys(lock.packages).sort();
  try {
    return await mapLimit(names, 4, async (name) => {
      const p = lock.packages[name];
      const { bytes, downloaded } = await fetchPackage(ctx, {
        name,
        version: p.version,
        digest: p.digest,
        registry: p.registry,
        manifest: p.manifest,
        size: p.size,
      });
      return { name, version: p.version, kind: p.kind, digest: p.digest, bytes, downloaded };
    });
  } finally {
    ctx.progress.finish();
  }
}

/**
 * The interfaces a component imports that carry functions (types-only imports need no
 * implementation), by extern name (`docs:processor/logger@0.1.0`). Cached by digest in
 * `<cache>/imports/`.
 */
export async function componentImports(
  ctx: SyncContext,
  name: string,
  digest: Digest,
  bytes: Uint8Array,
): Promise<string[]> {
  const path = cachePath(ctx.io, "imports", `${digest.slice("sha256:".length)}.json`);
  const text = await readTextIfExists(path);
  if (text !== undefined) {
    try {
      const v = JSON.parse(text);
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    } catch { /* rebuilt below */ }
  }
  let d;
  try {
    d = decodeComponent(bytes);
  } catch (e) {
    if (e instanceof ComponentDecodeError) {
      throw new CliError(`Cannot read ${name} (${digest}): ${e.message}`, EXIT.registry);
    }
    throw e;
  }
  const out: string[] = [];
  if (d.kind === "component" && d.world !== undefined) {
    for (const [key, item] of d.resolve.worlds[d.world].imports) {
      if (item.tag !== "interface") continue;
      if (d.resolve.interfaces[item.id].functions.size === 0) continue;
      out.push(worldKeyName(d.resolve, key));
    }
  }
  out.sort();
  await writeFileAtomic(path, `${JSON.stringify(out)}\n`).catch(() => {});
  return out;
}

/** What a {@link RegistrySource} of this run needs. */
export function sourceContext(ctx: SyncContext, lock: Lock | undefined): SourceContext {
  return {
    cache: ctx.cache,
    progress: ctx.progress,
    io: ctx.io,
    lock,
    downloaded: () => void (ctx.downloads = (ctx.downloads ?? 0) + 1),
  };
}

/** The wreg registry whose world index fills a component's imports, if there is one. */
function worldIndexFor(ctx: SyncContext, component: string): string | undefined {
  const url = ctx.registries.urlFor(component);
  if (registryKind(url) === "wreg") return url;
  const fallback = ctx.registries.manifest.registry ?? ctx.registries.defaultUrl();
  return fallback !== undefined && registryKind(fallback) === "wreg" ? fallback : undefined;
}

function hostProvides(i: { namespace: string }): boolean {
  return HOST_NAMESPACES.has(i.namespace);
}

/**
 * Resolves the project: versions, fills, and the new lock. Component bytes are fetched (through
 * the cache) to read their imports.
 */
export async function resolveProject(ctx: SyncContext, req: SyncRequest): Promise<SyncPlan> {
  const source = req.source ?? new RegistrySource(ctx.registries, sourceContext(ctx, req.lock));
  let manifest = req.manifest;
  const oldLock = req.lock;
  const updating = (name: string) =>
    req.update === true || (Array.isArray(req.update) && req.update.includes(name));
  const pruned: string[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    ctx.registries.manifest = manifest;
    source.prefetch(Object.keys(requirementsOf(manifest)));
    let resolution: Resolution;
    try {
      resolution = await resolve({
        requirements: requirementsOf(manifest),
        source,
        locked: oldLock === undefined ? undefined : lockedVersions(oldLock),
        update: req.update,
        rootName: manifest.name ?? "the project",
      });
    } catch (e) {
      resolutionFailure(e);
    }
    // Kind, registry and digest of each chosen version.
    const origins = new Map<
      string,
      {
        kind: "component" | "wit";
        registry: string;
        digest: Digest;
        manifest?: Digest;
        size?: number;
      }
    >();
    for (const p of resolution.packages) {
      const e = await source.entry(p.name, p.version);
      if (e === undefined) {
        throw new CliError(
          `The registry's index of ${p.name} lost version ${p.version} during this run; try again`,
          EXIT.registry,
        );
      }
      const digest = parseDigest(e.digest);
      const sized = Number.isSafeInteger(e.size) && e.size >= 0;
      origins.set(p.name, {
        kind: e.kind,
        registry: e.registry,
        digest,
        ...(e.manifest === undefined ? {} : { manifest: e.manifest }),
        ...(sized ? { size: e.size } : {}),
      });
      if (sized) (ctx.sizes ??= new Map()).set(digest, e.size);
    }
    const inResolution = new Set(resolution.packages.map((p) => p.name));
    const components = resolution.packages.filter((p) => origins.get(p.name)!.kind === "component");
    let imports: string[][];
    try {
      imports = await mapLimit(components, 4, async (p) => {
        const o = origins.get(p.name)!;
        const { bytes } = await fetchPackage(ctx, {
          name: p.name,
          version: p.version,
          digest: o.digest,
          registry: o.registry,
          manifest: o.manifest,
        });
        return await componentImports(ctx, p.name, o.digest, bytes);
      });
    } finally {
      ctx.progress.finish();
    }
    if (req.pruneFills && manifest.fills) {
      const all = imports.flat();
      let changedFills = false;
      for (const key of Object.keys(manifest.fills)) {
        if (!all.some((i) => fillChoiceFor({ [key]: manifest.fills![key] }, i) !== undefined)) {
          manifest = withoutFill(manifest, key);
          pruned.push(key);
          changedFills = true;
        }
      }
      if (changedFills) continue;
    }
    const notes: FillNote[] = [];
    const lockFills: Record<string, Record<string, string>> = {};
    let added = false;
    const fillReqs = components.map((c, i) => ({
      component: c.name,
      imports: imports[i],
      fills: manifest.fills,
      locked: !updating(c.name) && oldLock?.fills[c.name] !== undefined
        ? Object.fromEntries(
          Object.entries(oldLock.fills[c.name]).filter(([, f]) =>
            inResolution.has(f.package) &&
            resolution.packages.find((p) => p.name === f.package)?.version === f.version
          ),
        )
        : undefined,
      hostProvides,
    }));
    // Every world-index question of this round at once (each asked once per registry).
    const asked = new Map<string, Promise<ImplementationDoc[]>>();
    const implementationsOf = (component: string, iface: string) => {
      // The world index of the component's registry; an OCI registry has none, so for a component
      // from one, the project's default wreg registry (if any) is asked.
      const url = worldIndexFor(ctx, component);
      if (url === undefined) return Promise.resolve<ImplementationDoc[]>([]);
      const client = ctx.registries.client(url);
      const key = `${client.url} ${iface}`;
      let p = asked.get(key);
      if (p === undefined) {
        p = client.implementations(iface);
        p.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
        asked.set(key, p);
      }
      return p;
    };
    for (const r of fillReqs) for (const i of importsToLookUp(r)) implementationsOf(r.component, i);
    for (let i = 0; i < components.length; i++) {
      const c = components[i];
      const fillReq = fillReqs[i];
      const candidates: Record<string, Implementation[]> = {};
      for (const iface of importsToLookUp(fillReq)) {
        const found = await implementationsOf(c.name, iface);
        const others = found.filter((f) => f.package !== c.name);
        const present = others.filter((f) => inResolution.has(f.package));
        candidates[iface] = (present.length > 0 ? present : others).flatMap((f) => {
          const version = tryParseVersion(f.version);
          return version === undefined ? [] : [{ package: f.package, version }];
        });
      }
      const plan = planFills({ ...fillReq, candidates });
      for (const err of plan.errors) {
        if (err.code === "ambiguous-implementation") resolutionFailure(err);
        notes.push({ component: c.name, import: err.importName, via: "none" });
      }
      for (const f of plan.filled) {
        if (f.via === "registry") {
          const key = formatInterfaceName(parseInterfaceName(f.import), false);
          const dep = manifest.dependencies?.[f.package];
          manifest = withFill(manifest, key, { package: f.package, range: dep ?? f.range });
          added = true;
          continue;
        }
        (lockFills[c.name] ??= {})[f.import] = f.package;
        const version = resolution.packages.find((p) => p.name === f.package)?.version;
        notes.push({
          component: c.name,
          import: f.import,
          package: f.package,
          version,
          via: f.via,
        });
      }
    }
    if (added) continue;
    let lock: Lock;
    try {
      lock = lockFromResolution(resolution, (p) => origins.get(p.name)!, lockFills);
    } catch (e) {
      throw new CliError(`Cannot write the lock: ${(e as Error).message}`, EXIT.resolution);
    }
    // Fills the user did not write but the registry chose in an earlier round are "registry".
    for (const n of notes) {
      if (n.via === "wreg.json" && fillChoiceFor(req.manifest.fills, n.import) === undefined) {
        n.via = "registry";
      }
    }
    notes.sort((a, b) =>
      a.component < b.component ? -1 : a.component > b.component ? 1 : a.import < b.import ? -1 : 1
    );
    return {
      manifest,
      lock,
      fills: notes,
      pruned,
      resolution,
      missing: source.missing(resolution.packages),
      unreachable: source.unreachable(),
    };
  }
  throw new CliError(
    `Cannot resolve the dependencies: the fills did not settle after ${MAX_ROUNDS} rounds`,
    EXIT.resolution,
  );
}

/**
 * Checks that the lock was made for this manifest (what `install` needs).
 *
 * @throws {CliError} (usage) listing what differs and what to run.
 */
export function requireCurrentLock(manifest: Manifest, lock: Lock): void {
  const problems = checkLockCurrent(manifest, lock);
  if (problems.length === 0) return;
  throw new CliError(
    `wreg.lock does not match wreg.json:\n${
      problems.map((p) => `  ${p.message}`).join("\n")
    }\nRun \`wreg update\` to resolve again (or \`wreg add\` / \`wreg remove\` to change ` +
      `dependencies); \`wreg install\` installs exactly what the lock says`,
    EXIT.usage,
  );
}

/** The fills of a lock as notes (for `install`, which does not resolve). */
export function lockFillNotes(lock: Lock): FillNote[] {
  const out: FillNote[] = [];
  for (const component of Object.keys(lock.fills).sort()) {
    for (
      const [iface, f] of Object.entries(lock.fills[component]).sort(([a], [b]) => a < b ? -1 : 1)
    ) {
      out.push({
        component,
        import: iface,
        package: f.package,
        version: f.version,
        via: "wreg.lock",
      });
    }
  }
  return out;
}
