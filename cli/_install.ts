/**
 * The flow `add`, `remove`, `install` and `update` share: edit the manifest, resolve (or take the
 * lock as it is), fetch every package through the cache, write `wit/deps`, the Deno bindings and
 * import map, then `wreg.lock` and `wreg.json` (each file atomically, the lock and the manifest
 * last, so a failure earlier leaves them as they were), and report.
 */
import { CliError, EXIT, type Io } from "./_command.ts";
import { BlobCache } from "./_cache.ts";
import type { DenoResult } from "./_deno.ts";
import { exists, joinPath } from "./_fs.ts";
import { DownloadProgress } from "./_progress.ts";
import { loadProject, saveLock, saveManifest } from "./_project.ts";
import { Registries } from "./_registries.ts";
import { latestVersion, RegistrySource } from "./_source.ts";
import {
  type FetchedPackage,
  fetchLocked,
  type FillNote,
  lockFillNotes,
  requireCurrentLock,
  resolveProject,
  sourceContext,
  type SyncContext,
} from "./_sync.ts";
import { witDepFiles, type WitDepsResult, writeWitDeps } from "./_wit_deps.ts";
import {
  acceptedPolicyChanges,
  type PackageTrust,
  trustLogKeysOf,
  TrustVerifier,
} from "./_trust.ts";
import {
  caretRange,
  type Lock,
  type LockedPackage,
  type Manifest,
  parseDependencySpec,
  PROJECT,
  SpecError,
  witFolder,
  withDependency,
  withoutDependency,
} from "../lib/package/mod.ts";

/** What the user asked for. */
export interface InstallRequest {
  mode: "add" | "remove" | "install" | "update";
  /** `add`: the specs; `remove` / `update`: package names. */
  args: string[];
  json: boolean;
  /** `false` with `--no-bindings`; `undefined`: decide from the project. */
  bindings?: boolean;
  /** Transparency log keys to trust on first use (`--trust-log-key`). */
  trustLogKeys?: readonly string[];
  /** Namespaces whose dropped signing requirement the user accepts (`--accept-policy-change`). */
  acceptPolicyChange?: readonly string[];
}

/**
 * The options `add`, `install` and `update` share, parsed with {@link parseCommandArgs}, and
 * {@link INSTALL_OPTIONS_HELP}, their lines of each command's help.
 */
export const INSTALL_OPTIONS = {
  json: { type: "boolean" },
  "no-bindings": { type: "boolean" },
  "trust-log-key": { type: "string", multiple: true },
  "accept-policy-change": { type: "string", multiple: true },
} as const;

/** The help lines of {@link INSTALL_OPTIONS} (and `--help`). */
export const INSTALL_OPTIONS_HELP = `  --json          Print what was done as JSON
  --no-bindings   Do not generate Deno bindings or touch deno.json
  --trust-log-key <vkey>
                  Pin this transparency log key for a registry used the first time
                  (also WREG_TRUST_LOG_KEY; on a terminal wreg asks instead)
  --accept-policy-change <ns>
                  Accept that namespace <ns> no longer requires signed releases, though
                  wreg.lock recorded that it did (without it: exit 6); repeatable
  -h, --help      Show this help`;

/** The part of an {@link InstallRequest} that {@link INSTALL_OPTIONS} give. */
export function installOptionsOf(values: {
  json?: boolean;
  "no-bindings"?: boolean;
  "trust-log-key"?: string[];
  "accept-policy-change"?: string[];
}): Pick<InstallRequest, "json" | "bindings" | "trustLogKeys" | "acceptPolicyChange"> {
  return {
    json: values.json ?? false,
    bindings: values["no-bindings"] ? false : undefined,
    trustLogKeys: values["trust-log-key"],
    acceptPolicyChange: values["accept-policy-change"],
  };
}

/**
 * The lock with what the old lock knew about the transparency log kept for every package it holds
 * unchanged (same version, digest and registry), and its pinned registries.
 */
function carryTrust(old: Lock | undefined, next: Lock): Lock {
  if (old === undefined) return next;
  const packages: Record<string, LockedPackage> = {};
  for (const [name, p] of Object.entries(next.packages)) {
    const o = Object.hasOwn(old.packages, name) ? old.packages[name] : undefined;
    const same = o !== undefined && o.version === p.version && o.digest === p.digest &&
      o.registry === p.registry;
    packages[name] = same && o.log !== undefined
      ? { ...p, log: o.log, ...(o.signer === undefined ? {} : { signer: o.signer }) }
      : p;
  }
  return {
    ...(old.registries === undefined ? {} : { registries: old.registries }),
    packages,
    fills: next.fills,
  };
}

/** One package of the report. */
interface PackageLine {
  name: string;
  version: string;
  kind: "component" | "wit";
  digest: string;
  /** `added`, `changed` (with the old version), `removed`, or `kept`. */
  change: "added" | "changed" | "removed" | "kept";
  previous?: string;
  /** Who requires it: `wreg.json`, package names. */
  requiredBy: string[];
}

function diffLocks(old: Lock | undefined, next: Lock): PackageLine[] {
  const out: PackageLine[] = [];
  for (const [name, p] of Object.entries(next.packages)) {
    const before = old?.packages[name];
    out.push({
      name,
      version: p.version,
      kind: p.kind,
      digest: p.digest,
      change: before === undefined
        ? "added"
        : before.version !== p.version || before.digest !== p.digest
        ? "changed"
        : "kept",
      ...(before !== undefined && before.version !== p.version ? { previous: before.version } : {}),
      requiredBy: Object.keys(p.requirements).sort(),
    });
  }
  for (const [name, p] of Object.entries(old?.packages ?? {})) {
    if (!Object.hasOwn(next.packages, name)) {
      out.push({
        name,
        version: p.version,
        kind: p.kind,
        digest: p.digest,
        change: "removed",
        requiredBy: [],
      });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function hasDenoConfig(dir: string): Promise<boolean> {
  return (await exists(joinPath(dir, "deno.json"))) || (await exists(joinPath(dir, "deno.jsonc")));
}

/** Reads `add`'s specs into the manifest (a missing range is the caret of the latest version). */
async function addSpecs(
  source: RegistrySource,
  manifest: Manifest,
  specs: readonly string[],
): Promise<{ manifest: Manifest; names: string[] }> {
  const parsed = specs.map((text) => {
    try {
      return parseDependencySpec(text);
    } catch (e) {
      if (e instanceof SpecError) throw new CliError(e.message, EXIT.usage);
      throw e;
    }
  });
  for (const spec of parsed) {
    if (spec.name === manifest.name) {
      throw new CliError(`Cannot add ${spec.name}: it is this project's own package`, EXIT.usage);
    }
  }
  source.registries.manifest = manifest;
  source.prefetch(parsed.map((s) => s.name));
  const names: string[] = [];
  for (const spec of parsed) {
    const index = await source.index(spec.name);
    if (index === undefined) {
      throw new CliError(
        `Cannot add ${spec.name}: the registry at ${
          source.registries.urlFor(spec.name)
        } has no package ${spec.name}`,
        EXIT.registry,
      );
    }
    let range = spec.range;
    if (range === undefined) {
      const latest = latestVersion(index);
      if (latest === undefined) {
        throw new CliError(
          `Cannot add ${spec.name}: it has no version that is neither yanked nor a pre-release; ` +
            `name one (${spec.name}@<version>)`,
          EXIT.resolution,
        );
      }
      range = caretRange(latest);
    }
    manifest = withDependency(manifest, spec.name, range);
    names.push(spec.name);
  }
  return { manifest, names };
}

/** Runs one of the four commands; resolves to the exit code. */
export async function runInstall(io: Io, req: InstallRequest): Promise<number> {
  const project = await loadProject(io.cwd);
  const oldLock = project.lock;
  const registries = await Registries.load(io, project.manifest);
  const ctx: SyncContext = {
    io,
    registries,
    cache: BlobCache.of(io),
    progress: new DownloadProgress(io, { quiet: req.json }),
  };
  if (!project.hasManifest && project.lock === undefined && req.mode !== "add") {
    throw new CliError(
      `No wreg.json in ${io.cwd}: nothing to ${req.mode}; add a dependency with ` +
        "`wreg add ns:name`, or run wreg in the project's folder",
      EXIT.usage,
    );
  }
  let manifest = project.manifest;
  let lock: Lock;
  let fills: FillNote[];
  let pruned: string[] = [];
  let missing = new Map<string, string[]>();
  let unreachable = new Map<string, string>();
  let resolved = true;
  if (req.mode === "install" && project.lock !== undefined) {
    requireCurrentLock(manifest, project.lock);
    lock = project.lock;
    fills = lockFillNotes(lock);
    resolved = false;
  } else {
    let update: boolean | string[] | undefined;
    const source = new RegistrySource(registries, sourceContext(ctx, project.lock));
    if (req.mode === "add") {
      const added = await addSpecs(source, manifest, req.args);
      manifest = added.manifest;
      update = added.names;
    } else if (req.mode === "remove") {
      for (const name of req.args) {
        if (!Object.hasOwn(manifest.dependencies ?? {}, name)) {
          const known = Object.keys(manifest.dependencies ?? {});
          throw new CliError(
            `Cannot remove ${name}: it is not a dependency in wreg.json${
              known.length > 0 ? ` (it has ${known.join(", ")})` : ""
            }`,
            EXIT.usage,
          );
        }
        manifest = withoutDependency(manifest, name);
      }
    } else if (req.mode === "update") {
      for (const name of req.args) {
        if (project.lock?.packages[name] === undefined) {
          throw new CliError(
            `Cannot update ${name}: wreg.lock does not hold it; run \`wreg add ${name}\` to add it`,
            EXIT.usage,
          );
        }
      }
      update = req.args.length > 0 ? req.args : true;
    }
    const plan = await resolveProject(ctx, {
      manifest,
      lock: project.lock,
      update,
      pruneFills: req.mode === "remove",
      source,
    });
    manifest = plan.manifest;
    lock = plan.lock;
    fills = plan.fills;
    pruned = plan.pruned;
    missing = plan.missing;
    unreachable = plan.unreachable;
  }

  const fetched = await fetchLocked(ctx, lock);
  // Every package against its registry's transparency log and its publisher's signature.
  const trust = new TrustVerifier(io, registries, project.lock, {
    trustLogKeys: trustLogKeysOf(io, req.trustLogKeys),
    acceptPolicyChange: acceptedPolicyChanges(req.acceptPolicyChange),
  });
  const downloadedNow = new Set(fetched.filter((f) => f.downloaded).map((f) => f.name));
  const carried = carryTrust(project.lock, lock);
  const verified = await trust.verifyLock(
    carried,
    (name) =>
      downloadedNow.has(name)
        ? "fetch"
        : carried.packages[name].log !== undefined
        ? "cache"
        : req.mode === "install"
        ? "skip"
        : "fetch",
  );
  lock = verified.lock;
  const byName = new Map<string, FetchedPackage>(fetched.map((p) => [p.name, p]));
  const direct = Object.keys(manifest.dependencies ?? {}).sort();

  const wantBindings = req.bindings ??
    ((await hasDenoConfig(project.dir)) || manifest.kind === undefined);
  let deno: DenoResult | undefined;
  if (wantBindings) {
    // Bindings need jco, composition and the WASI host: loaded only for a project that has them.
    const { writeDenoModules } = await import("./_deno.ts");
    deno = await writeDenoModules(
      ctx,
      project.dir,
      lock,
      byName,
      direct.filter((n) => byName.get(n)?.kind === "component"),
    );
  }

  const witDir = joinPath(project.dir, witFolder(manifest));
  const wantWitDeps = manifest.kind !== undefined || (await exists(witDir)) ||
    direct.some((n) => byName.get(n)?.kind === "wit");
  let witDeps: WitDepsResult | undefined;
  if (wantWitDeps) witDeps = await writeWitDeps(witDir, witDepFiles(fetched, manifest.name));

  const wrote: string[] = [];
  if (deno?.configChanged) wrote.push(deno.configFile);
  if (await saveLock(project, lock)) wrote.push("wreg.lock");
  if (await saveManifest(project, manifest)) wrote.push("wreg.json");
  wrote.sort();

  const lines = diffLocks(resolved ? oldLock : lock, lock);
  const downloaded = ctx.downloads ?? 0;
  if (req.json) {
    io.stdout(
      `${
        JSON.stringify(
          {
            packages: lines,
            fills,
            prunedFills: pruned,
            missingWitPackages: Object.fromEntries(missing),
            ...(unreachable.size > 0
              ? { unreachableWitPackages: Object.fromEntries(unreachable) }
              : {}),
            downloaded,
            bindings: deno?.modules.map((m) => ({
              package: m.name,
              version: m.version,
              entry: m.entry,
              composedWith: m.composedWith,
              digest: m.digest,
              glue: m.bindings.glue,
              exports: m.bindings.exports.map((e) => e.key),
              imports: m.bindings.imports.map((i) => i.key),
              permissions: m.bindings.permissions,
              cached: m.cached,
            })) ?? [],
            importMapRemoved: deno?.removed ?? [],
            trust: { packages: verified.packages, notes: trust.notes },
            witDeps: witDeps === undefined ? [] : [...witDeps.written, ...witDeps.unchanged].sort(),
            wrote,
          },
          null,
          2,
        )
      }\n`,
    );
    return EXIT.ok;
  }
  io.stdout(
    formatReport({
      req,
      lines,
      fills,
      pruned,
      missing,
      unreachable,
      deno,
      witDeps,
      wrote,
      downloaded,
      lock,
      trust: trustLines(trust, verified.packages),
    }),
  );
  return EXIT.ok;
}

/** The report's lines about the transparency log: notes, then one line per log. */
function trustLines(trust: TrustVerifier, packages: PackageTrust[]): string[] {
  const out = [...trust.notes];
  const byRegistry = new Map<string, PackageTrust[]>();
  for (const p of packages) {
    if (p.status !== "logged") continue;
    const list = byRegistry.get(p.registry) ?? [];
    list.push(p);
    byRegistry.set(p.registry, list);
  }
  for (const [registry, list] of byRegistry) {
    const signed = list.filter((p) => p.signer !== undefined).length;
    const size = Math.max(...list.map((p) => p.checkpoint ?? 0));
    out.push(
      `verified ${list.length} package${list.length === 1 ? "" : "s"} in the transparency log of ` +
        `${registry} (checkpoint size ${size}; ${signed} signed by a key of their namespace)`,
    );
  }
  return out;
}

const KIND = { component: "component", wit: "WIT package" } as const;
const MARK = { added: "+", changed: "~", removed: "-", kept: " " } as const;

function formatReport(r: {
  missing: Map<string, string[]>;
  unreachable: Map<string, string>;
  req: InstallRequest;
  lines: PackageLine[];
  fills: FillNote[];
  pruned: string[];
  deno?: DenoResult;
  witDeps?: WitDepsResult;
  wrote: string[];
  downloaded: number;
  lock: Lock;
  trust: string[];
}): string {
  const out: string[] = [];
  const count = Object.keys(r.lock.packages).length;
  out.push(
    count === 0
      ? (r.lines.length > 0 ? "No dependencies left:" : "No dependencies.")
      : `${r.req.mode === "install" ? "Installed" : "Resolved"} ${count} package${
        count === 1 ? "" : "s"
      } (${r.downloaded} downloaded, ${count - r.downloaded} from the cache):`,
  );
  for (const l of r.lines) {
    const version = l.previous !== undefined ? `${l.previous} -> ${l.version}` : l.version;
    const by = l.requiredBy.map((x) => (x === PROJECT ? "wreg.json" : x)).join(", ");
    out.push(
      `${MARK[l.change]} ${l.name}@${version} (${KIND[l.kind]}${
        l.change === "removed" ? ", removed" : by ? `, required by ${by}` : ""
      })`,
    );
  }
  for (const f of r.fills) {
    if (f.via === "none") {
      out.push(
        `note: nothing in the registry implements ${f.import}, imported by ${f.component}; ` +
          `it stays an import (the host or your program supplies it)`,
      );
      continue;
    }
    const how = f.via === "registry"
      ? ' (the registry\'s only implementation; recorded in wreg.json "fills")'
      : f.via === "wreg.json"
      ? ' (chosen in wreg.json "fills")'
      : "";
    out.push(`fills ${f.import} of ${f.component} with ${f.package}@${f.version}${how}`);
  }
  for (const p of r.pruned) out.push(`dropped wreg.json fills entry ${p} (nothing imports it now)`);
  if (r.missing.size > 0) {
    const parts = [...r.missing].map(([c, pkgs]) => `${pkgs.join(", ")} (imported by ${c})`);
    out.push(
      `note: no registry has the WIT package${
        [...r.missing.values()].flat().length === 1 ? "" : "s"
      } ${parts.join("; ")}: installed without ${
        [...r.missing.values()].flat().length === 1 ? "it" : "them"
      }, from the types the component carries`,
    );
  }
  if (r.unreachable.size > 0) {
    const first = [...r.unreachable.values()][0];
    out.push(
      `note: left out ${[...r.unreachable.keys()].join(", ")}, not needed to use what imports ` +
        `${r.unreachable.size === 1 ? "it" : "them"}: ${first.replace(/^Cannot [^:]*: /, "")}`,
    );
  }

  out.push(...r.trust);
  if (r.witDeps) {
    for (const w of r.witDeps.written) out.push(`wrote wit/deps/${w}/package.wit`);
    for (const w of r.witDeps.removed) out.push(`removed wit/deps/${w}`);
  }
  for (const m of r.deno?.modules ?? []) {
    const composed = m.composedWith.length > 0
      ? `, composed with ${m.composedWith.join(", ")}`
      : "";
    out.push(`bindings ${m.name} -> ${m.entry} (${m.bindings.glue} glue${composed})`);
    const keys = m.bindings.exports.map((e) => e.key);
    if (m.bindings.ready) {
      out.push(`  import { ${keys.join(", ")} } from ${JSON.stringify(m.name)};`);
    } else {
      out.push(
        `  import { instantiate } from ${JSON.stringify(m.name)};  // then instantiate({ ${
          m.bindings.imports.map((i) => `${i.key}: …`).join(", ")
        } })`,
      );
    }
    if (m.bindings.permissions.length > 0) {
      out.push(`  run with: deno run ${m.bindings.permissions.join(" ")} <program>`);
    }
  }
  for (const name of r.deno?.removed ?? []) out.push(`removed the import-map entry ${name}`);
  out.push(
    r.wrote.length > 0 ? `wrote ${r.wrote.join(", ")}` : "wreg.json and wreg.lock are unchanged",
  );
  return `${out.join("\n")}\n`;
}
