/**
 * `wreg publish [PATH]`: reads what to publish (a project with `wreg.json`, a WIT folder encoded
 * as a WIT package, or a `.wasm`), decodes it locally, checks it against the registry's versions
 * of the same semver series with lib/compat and shows the report, then uploads the bytes with
 * their digest (unless `--dry-run`).
 */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { BlobCache } from "./_cache.ts";
import { joinPath, relativePath } from "./_fs.ts";
import { DownloadProgress, formatBytes } from "./_progress.ts";
import { loadProject, MANIFEST_FILE } from "./_project.ts";
import { Registries } from "./_registries.ts";
import { buildWitPackage, resolveWitFolder } from "./_wit_build.ts";
import { fetchPackage, type SyncContext } from "./_sync.ts";
import { normalizeRegistryUrl } from "./_config.ts";
import { ociCall, OciRegistries, registryKind } from "./_oci.ts";
import { formatOciRegistry } from "../oci/mod.ts";
import { buildWasmArtifact, tagOfVersion, versionOfTag, wasmAnnotations } from "../lib/oci/mod.ts";
import {
  ComponentDecodeError,
  decodeComponent,
  type DecodedWasm,
  encodeWitPackage,
} from "../lib/component/mod.ts";
import {
  CHANGE_KIND_TEXT,
  checkComponentCompat,
  checkPackageCompat,
  type CompatReport,
  seriesCheckPairs,
} from "../lib/compat/mod.ts";
import {
  type Digest,
  digestOf,
  isPrerelease,
  parseDigest,
  parsePackageName,
  parseVersion,
  tryParsePackageName,
  tryParseVersion,
  type Version,
} from "../lib/names/mod.ts";
import { checkPublishable, type Manifest, witFolder } from "../lib/package/mod.ts";
import { type PublisherKey, signRelease } from "../lib/attest/mod.ts";
import { readSigningKey } from "./_keys.ts";
import { formatWitPackageName, worldKeyName } from "../lib/wit/mod.ts";

const HELP = `Usage: wreg publish [PATH] [--name <ns:name>] [--version <v>] [--registry <url>]
                    [--dry-run] [--with-deps] [--json] [--no-sign]

Publishes a component or a WIT package. PATH (default: this folder) is one of
  a project folder with wreg.json   "kind": "wit" publishes its WIT folder encoded as a
                                    WIT package; "kind": "component" its built .wasm
  a WIT folder (or .wit file)       encoded as a WIT package (with its deps/)
  a .wasm file                      a component or a binary WIT package

Before uploading, wreg decodes the bytes (a broken file never leaves your machine),
fetches the registry's published versions of the same semver series and checks that the
new version is a compatible successor of the earlier ones (and predecessor of the later
ones), printing every change with its path. A breaking change stops here: publish it in
a new series (0.2.0 after 0.1.x; 2.0.0 after 1.x). Then the bytes are uploaded with
their sha256 digest, which the registry checks.

The registry may be an OCI registry (--registry oci://host[:port]/prefix/, or a
registry name found through its well-known document): the versions are its semver
tags, and the package is pushed in the layout wkg writes (one application/wasm layer,
config v0, wasm-metadata as annotations) to <prefix><ns>/<name>:<version>. An existing
tag is never overwritten. Credentials: "credentials" in the wreg config, else the
Docker config.json, else none.

A WIT package is published under the name and version of its \`package\` line; a
component under --name/--version, else wreg.json's, else its own metadata's.

Options:
  --name <ns:name>    The package name
  --version <v>       The version
  --registry <url>    The registry: http(s)://… (wreg) or oci://host/prefix/ (default:
                      wreg.json's, WREG_REGISTRY, \`wreg login\`)
  --dry-run           Check everything but do not upload
  --with-deps         For a WIT folder: first publish the packages of its deps/ the
                      registry lacks, dependencies first, each checked like the package
                      itself; a version already published with the same content is
                      skipped, one with other content is an error naming both digests
  --json              Print the outcome as JSON ({"packages": [...]} with --with-deps)
  --no-sign           Do not sign, even with a signing key
  -h, --help          Show this help

A wreg registry needs a token with the publish scope: \`wreg login\` or WREG_TOKEN.
With a signing key (\`wreg key generate\`, or WREG_SIGNING_KEY), each release to a wreg
registry is signed (a Sigstore bundle sent with the upload, X-Wreg-Signature); the
registry refuses a key not registered for the namespace (\`wreg key register\`).

Exit status: 0 published (or would be, with --dry-run); 1 a breaking change in the series;
2 unreadable or invalid input; 3 registry unreachable; 4 token refused; 5 registry error
(the version exists…); 6 a published version's bytes do not match their digest.
`;

/** What is about to be published. */
interface Candidate {
  /** What the user pointed at, for messages. */
  source: string;
  bytes: Uint8Array;
  decoded: DecodedWasm;
  kind: "component" | "wit-package";
  name: string;
  version: Version;
  manifest?: Manifest;
}

async function statOf(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function hasWitFiles(dir: string): Promise<boolean> {
  for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".wit")) return true;
  return false;
}

function decode(bytes: Uint8Array, source: string): DecodedWasm {
  try {
    const d = decodeComponent(bytes);
    if (d.kind === "module") {
      throw new CliError(
        `Cannot publish ${source}: it is a core module; make it a component first ` +
          "(wasm-tools component new)",
        EXIT.usage,
      );
    }
    return d;
  } catch (e) {
    if (e instanceof ComponentDecodeError) {
      throw new CliError(
        `Cannot publish ${source}: it is not a valid component: ${e.reason} (at offset 0x${
          e.offset.toString(16)
        })`,
        EXIT.usage,
      );
    }
    throw e;
  }
}

/** Reads what PATH names into bytes, with the name and version it will be published under. */
async function readCandidate(
  io: Io,
  pathArg: string,
  flags: { name?: string; version?: string },
): Promise<Candidate> {
  const path = joinPath(io.cwd, pathArg);
  const stat = await statOf(path);
  if (stat === undefined) {
    throw new CliError(`Cannot publish ${pathArg}: no such file or folder`, EXIT.usage);
  }
  let manifest: Manifest | undefined;
  let bytes: Uint8Array;
  let source = relativePath(path, io.cwd);
  if (stat.isDirectory && await statOf(joinPath(path, MANIFEST_FILE))) {
    manifest = (await loadProject(path)).manifest;
    const problems = checkPublishable({
      ...manifest,
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.version ? { version: parseVersion(flags.version) } : {}),
    });
    if (problems.length > 0) {
      throw new CliError(
        `Cannot publish ${source}: ${MANIFEST_FILE}: ${problems[0].message}` +
          (problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""),
        EXIT.usage,
      );
    }
    if (manifest.kind === "wit") {
      const wit = joinPath(path, witFolder(manifest));
      bytes = (await buildWitPackage(wit, io.cwd)).bytes;
      source = relativePath(wit, io.cwd);
    } else {
      const file = joinPath(path, manifest.component!);
      source = relativePath(file, io.cwd);
      try {
        bytes = await Deno.readFile(file);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          throw new CliError(
            `Cannot publish: the component ${manifest.component} is not built (${file})`,
            EXIT.usage,
          );
        }
        throw e;
      }
    }
  } else if (stat.isDirectory) {
    if (!(await hasWitFiles(path))) {
      throw new CliError(
        `Cannot publish ${pathArg}: the folder has neither ${MANIFEST_FILE} nor .wit files`,
        EXIT.usage,
      );
    }
    bytes = (await buildWitPackage(path, io.cwd)).bytes;
  } else if (path.endsWith(".wit")) {
    bytes = (await buildWitPackage(path, io.cwd)).bytes;
  } else {
    bytes = await Deno.readFile(path);
  }
  const decoded = decode(bytes, source);
  if (decoded.kind === "wit-package") {
    const p = decoded.resolve.packages[decoded.package!].name;
    const declared = `${p.namespace}:${p.name}`;
    const wanted = flags.name ?? manifest?.name;
    if (wanted !== undefined && wanted !== declared) {
      throw new CliError(
        `Cannot publish ${source} as ${wanted}: the WIT declares package ${
          formatWitPackageName(p)
        }`,
        EXIT.usage,
      );
    }
    if (p.version === undefined) {
      throw new CliError(
        `Cannot publish ${source}: its package line has no version (package ${declared}@0.1.0;)`,
        EXIT.usage,
      );
    }
    const wantedVersion = flags.version ?? manifest?.version;
    if (wantedVersion !== undefined && wantedVersion !== p.version) {
      throw new CliError(
        `Cannot publish ${source} as version ${wantedVersion}: the WIT declares ${p.version}`,
        EXIT.usage,
      );
    }
    return {
      source,
      bytes,
      decoded,
      kind: "wit-package",
      name: declared,
      version: parseVersion(p.version),
      manifest,
    };
  }
  const metaName = decoded.metadata.name;
  const name = flags.name ?? manifest?.name ??
    (metaName !== undefined && tryParsePackageName(metaName) ? metaName : undefined);
  if (name === undefined) {
    throw new CliError(
      `Cannot publish ${source}: name the package with --name ns:name (or "name" in ${MANIFEST_FILE})`,
      EXIT.usage,
    );
  }
  parsePackageName(name);
  const versionText = flags.version ?? manifest?.version ?? decoded.metadata.version;
  const version = versionText === undefined ? undefined : tryParseVersion(versionText);
  if (version === undefined) {
    throw new CliError(
      versionText === undefined
        ? `Cannot publish ${source}: give the version with --version (or "version" in ${MANIFEST_FILE})`
        : `Cannot publish ${source}: invalid version ${JSON.stringify(versionText)}`,
      EXIT.usage,
    );
  }
  return { source, bytes, decoded, kind: "component", name, version, manifest };
}

function compare(old: DecodedWasm, next: DecodedWasm): CompatReport {
  if (old.kind === "wit-package" && next.kind === "wit-package") {
    return checkPackageCompat(old.resolve, old.package!, next.resolve, next.package!);
  }
  return checkComponentCompat(old.resolve, old.world!, next.resolve, next.world!);
}

/** One comparison of the series check. */
interface PairReport {
  old: string;
  new: string;
  report: CompatReport;
}

/** What one package's publish did, for the text and JSON outputs. */
interface Outcome {
  lines: string[];
  json: Record<string, unknown>;
  exit: number;
}

interface PublishOptions {
  dryRun: boolean;
  json: boolean;
  /** With `--with-deps`: a version the registry has is skipped when its content is identical. */
  skipIdentical: boolean;
}

/** A published version of the candidate's package, as the series check reads it. */
interface PublishedVersion {
  version: Version;
  /** Its digest, when the registry lists it without a download (a wreg registry does). */
  digest?: string;
  /** Its bytes, decoded (through the cache), and their digest. */
  fetch(): Promise<{ decoded: DecodedWasm; digest: string }>;
}

/** Where a candidate is published: a wreg registry's API, or an OCI registry. */
interface PublishTarget {
  /** The registry, for messages and the JSON (`http(s)://…`, `oci://host/prefix/`). */
  label: string;
  /** The package's published versions (and kind, when the registry says), or none. */
  list(): Promise<{ kind?: Candidate["kind"]; versions: PublishedVersion[] } | undefined>;
  /** Uploads the candidate; resolves to extra lines for the report. */
  upload(c: Candidate, digest: Digest): Promise<string[]>;
}

/**
 * Checks one candidate against its series at the registry and uploads it (see the help text).
 * Never throws for a breaking change: the outcome says so with exit 1.
 */
async function publishOne(
  target: PublishTarget,
  c: Candidate,
  options: PublishOptions,
  progress: DownloadProgress,
): Promise<Outcome> {
  const digest = await digestOf(c.bytes);
  const what = c.kind === "wit-package" ? "WIT package" : "component";
  const out: string[] = [
    `${c.name}@${c.version}: ${what} from ${c.source}, ${formatBytes(c.bytes.length)}, ${digest}`,
  ];
  const json: Record<string, unknown> = {
    package: c.name,
    version: c.version,
    kind: c.kind,
    size: c.bytes.length,
    digest,
    registry: target.label,
    checks: [] as unknown[],
    published: false,
    dryRun: options.dryRun,
  };
  const kindOf = (k: Candidate["kind"]) => (k === "component" ? "components" : "WIT packages");
  const sameKind = (k: Candidate["kind"]) => {
    if (k !== c.kind) {
      throw new CliError(
        `Cannot publish ${c.name}@${c.version}: ${c.name} holds ${kindOf(k)} at ${target.label}, ` +
          `and this is a ${what}`,
        EXIT.registry,
      );
    }
  };

  // The series check against what the registry has.
  const index = await target.list();
  const pairs: PairReport[] = [];
  if (index !== undefined) {
    if (index.kind !== undefined) sameKind(index.kind);
    const existing = index.versions.find((v) => v.version === c.version);
    if (existing !== undefined) {
      if (!options.skipIdentical) {
        throw new CliError(
          `Cannot publish ${c.name}@${c.version}: that version is already published at ` +
            `${target.label}, and versions are immutable; publish a new version`,
          EXIT.registry,
        );
      }
      // Identical bytes, or the same content encoded differently (docs included): skip it.
      let theirs = existing.digest;
      let same = theirs === digest;
      if (!same) {
        const other = await existing.fetch();
        theirs = other.digest;
        same = other.digest === digest || compare(other.decoded, c.decoded).changes.length === 0;
      }
      progress.finish();
      if (!same) {
        throw new CliError(
          `Cannot publish ${c.name}@${c.version}: ${target.label} has that version with other ` +
            `content (${theirs}, here ${digest}); versions are immutable, so publish ` +
            `this content as a new version`,
          EXIT.registry,
        );
      }
      out.push(`already published with the same content (${theirs}): skipped`);
      json.skipped = true;
      return { lines: out, json, exit: EXIT.ok };
    }
    const published = index.versions.map((v) => v.version).filter((v) => !isPrerelease(v));
    for (const pair of seriesCheckPairs(c.version, published)) {
      const other = pair.old === c.version ? pair.new : pair.old;
      const entry = index.versions.find((v) => v.version === other)!;
      const { decoded: otherDecoded } = await entry.fetch();
      sameKind(otherDecoded.kind === "wit-package" ? "wit-package" : "component");
      const report = pair.old === c.version
        ? compare(c.decoded, otherDecoded)
        : compare(otherDecoded, c.decoded);
      pairs.push({ old: pair.old, new: pair.new, report });
    }
    progress.finish();
  }
  const breaking = pairs.filter((p) => !p.report.compatible);
  if (pairs.length === 0) {
    out.push(
      index === undefined
        ? `new package: nothing to check against at ${target.label}`
        : `no other release of its series at ${target.label}: nothing to check against`,
    );
  }
  for (const p of pairs) {
    const verdict = p.report.compatible
      ? `compatible (${
        p.report.changes.length === 0 ? "no changes" : `needs a ${p.report.bump} bump`
      })`
      : "NOT compatible";
    out.push(`${p.old} -> ${p.new}: ${verdict}`);
    for (const ch of p.report.changes.filter((x) => x.breaking || x.bump !== "patch")) {
      out.push(
        `  ${ch.breaking ? "breaking" : "compatible"}: ${ch.path}: ${CHANGE_KIND_TEXT[ch.kind]}${
          ch.reason ? ` (${ch.reason})` : ""
        }`,
      );
    }
  }
  json.checks = pairs.map((p) => ({
    old: p.old,
    new: p.new,
    compatible: p.report.compatible,
    bump: p.report.bump,
    changes: p.report.changes.map((ch) => ({
      path: ch.path,
      kind: ch.kind,
      breaking: ch.breaking,
    })),
  }));
  if (breaking.length > 0) {
    out.push(
      `Not published: ${c.version} breaks ${
        breaking.map((b) => b.old === c.version ? b.new : b.old).join(", ")
      } ` +
        `of the same series; publish the change as a new series`,
    );
    return { lines: out, json, exit: EXIT.no };
  }
  if (options.dryRun) {
    out.push(`Dry run: not uploaded (would publish to ${target.label})`);
  } else {
    const extra = await target.upload(c, digest);
    json.published = true;
    out.push(`Published ${c.name}@${c.version} to ${target.label}`, ...extra);
  }
  return { lines: out, json, exit: EXIT.ok };
}

/** A wreg registry as a {@link PublishTarget}: its package index, its blobs, its publish API. */
function wregTarget(
  ctx: SyncContext,
  client: ReturnType<Registries["forPackage"]>,
  name: string,
  signer: PublisherKey | undefined,
): PublishTarget {
  return {
    label: client.url,
    async list() {
      const index = await client.packageIndex(name);
      if (index === undefined) return undefined;
      return {
        kind: index.kind === "component" ? "component" : "wit-package",
        versions: index.versions.flatMap((e) => {
          const version = tryParseVersion(e.version);
          if (version === undefined) return [];
          return [{
            version,
            digest: e.digest,
            async fetch() {
              const { bytes } = await fetchPackage(ctx, {
                name,
                version,
                digest: parseDigest(e.digest),
                registry: client.url,
                size: e.size,
              });
              return { decoded: decode(bytes, `${name}@${version}`), digest: e.digest };
            },
          }];
        }),
      };
    },
    async upload(c, digest) {
      const bundle = signer === undefined ? undefined : await signRelease({
        package: parsePackageName(c.name),
        version: parseVersion(c.version),
        digest,
      }, signer);
      const doc = await client.publish(c.name, c.version, c.bytes, digest, bundle);
      const out: string[] = [];
      if (signer !== undefined) out.push(`Signed with key ${signer.keyId}`);
      const log = (doc as { log?: { index?: unknown } }).log;
      if (typeof log?.index === "number") out.push(`Logged as entry ${log.index} of its log`);
      return out;
    },
  };
}

/**
 * An OCI registry as a {@link PublishTarget}: the repository's semver tags are the published
 * versions (each read through its manifest and layer, verified, into the cache); the candidate
 * is pushed in the layout wkg writes (its bytes as the one `application/wasm` layer, a config v0
 * with its world's imports and exports, wasm-metadata as annotations), and an existing tag is
 * never overwritten: it is looked up again just before the manifest is put.
 */
async function ociTarget(ctx: SyncContext, registry: string, name: string): Promise<PublishTarget> {
  const oci = ctx.registries.oci;
  const ref = await oci.ref(registry);
  const label = formatOciRegistry(ref);
  const repository = OciRegistries.repository(ref, name);
  const client = oci.client(ref);
  return {
    label,
    async list() {
      const tags = await ociCall(() => client.tags(repository));
      if (tags === undefined) return undefined;
      const versions: PublishedVersion[] = [];
      for (const tag of tags) {
        const version = versionOfTag(tag);
        if (version === undefined) continue;
        versions.push({
          version,
          async fetch() {
            const label = `${name}@${version}`;
            const v = await oci.version(registry, name, tag, label);
            if (v === undefined) {
              throw new CliError(
                `Cannot read ${label}: ${repository}:${tag} vanished`,
                EXIT.registry,
              );
            }
            let bytes = await ctx.cache.get(v.digest, label);
            if (bytes === undefined) {
              const task = ctx.progress.start(label);
              bytes = await oci.layer(registry, v, task.update);
              await ctx.cache.put(v.digest, bytes);
              task.done(bytes.length);
            }
            return { decoded: decode(bytes, label), digest: v.digest };
          },
        });
      }
      return { versions };
    },
    async upload(c, digest) {
      const tag = tagOfVersion(c.version);
      if (tag === undefined) {
        throw new CliError(
          `Cannot publish ${c.name}@${c.version} to ${label}: the version cannot be an OCI tag`,
          EXIT.usage,
        );
      }
      const artifact = await ociArtifact(c, digest);
      await ociCall(async () => {
        await client.pushBlob(repository, c.bytes, digest);
        await client.pushBlob(repository, artifact.config.bytes, artifact.config.digest);
      });
      // Never overwrite: a tag that appeared since the series check wins.
      const now = await ociCall(() => client.manifestDigest(repository, tag));
      if (now !== undefined) {
        throw new CliError(
          `Cannot publish ${c.name}@${c.version}: ${ref.host}/${repository}:${tag} was pushed ` +
            "by someone else meanwhile, and versions are immutable; publish a new version",
          EXIT.registry,
        );
      }
      const manifest = await ociCall(() =>
        client.putManifest(repository, tag, artifact.manifest.bytes, artifact.manifest.mediaType)
      );
      return [`  ${ref.host}/${repository}:${tag} (manifest ${manifest})`];
    },
  };
}

/** The config and manifest wkg would write for a candidate (`created` is now). */
function ociArtifact(c: Candidate, digest: Digest) {
  const r = c.decoded.resolve;
  let imports: string[] = [];
  let exports: string[] = [];
  if (c.kind === "wit-package") {
    const pkg = r.packages[c.decoded.package!];
    const id = (item: string) =>
      `${pkg.name.namespace}:${pkg.name.name}/${item}${
        pkg.name.version ? `@${pkg.name.version}` : ""
      }`;
    exports = [...[...pkg.interfaces.keys()].map(id), ...[...pkg.worlds.keys()].map(id)];
  } else {
    const world = r.worlds[c.decoded.world!];
    imports = [...world.imports.keys()].map((k) => worldKeyName(r, k));
    exports = [...world.exports.keys()].map((k) => worldKeyName(r, k));
  }
  const meta = c.decoded.metadata;
  return buildWasmArtifact({
    created: new Date().toISOString(),
    layerDigest: digest,
    layerSize: c.bytes.length,
    title: `${c.name.slice(c.name.indexOf(":") + 1)}.wasm`,
    imports,
    exports,
    annotations: wasmAnnotations({
      version: c.version,
      description: meta.description,
      licenses: meta.licenses,
      source: meta.source,
      homepage: meta.homepage,
      authors: meta.authors,
    }),
  });
}

/**
 * The packages of a WIT folder's `deps/` as candidates, dependencies first (each after the
 * packages it uses), each encoded on its own as a WIT package.
 */
async function dependencyCandidates(io: Io, c: Candidate, path: string): Promise<Candidate[]> {
  if (c.kind !== "wit-package") {
    throw new CliError(
      `Cannot publish ${c.source} --with-deps: it is a component; --with-deps publishes the ` +
        "packages of a WIT folder's deps/",
      EXIT.usage,
    );
  }
  const { resolve, package: main } = await resolveWitFolder(path, io.cwd);
  const byName = new Map<string, Candidate>();
  const needs = new Map<string, string[]>();
  resolve.packages.forEach((p, id) => {
    if (id === main) return;
    const id_ = formatWitPackageName(p.name);
    const source = `${c.source} (deps: ${id_})`;
    if (p.name.version === undefined) {
      throw new CliError(
        `Cannot publish ${source}: its package line has no version, and the registry needs one`,
        EXIT.usage,
      );
    }
    const bytes = encodeWitPackage(resolve, id);
    const decoded = decode(bytes, source);
    const name = `${p.name.namespace}:${p.name.name}`;
    byName.set(id_, {
      source,
      bytes,
      decoded,
      kind: "wit-package",
      name,
      version: parseVersion(p.name.version),
    });
    needs.set(
      id_,
      decoded.resolve.packages.flatMap((q, qid) =>
        qid === decoded.package ? [] : [formatWitPackageName(q.name)]
      ),
    );
  });
  // Dependencies first; ties in name order, so the order is the same on every machine.
  const order: Candidate[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, from: string[]) => {
    if (state.get(id) === "done" || !byName.has(id)) return;
    if (state.get(id) === "visiting") {
      throw new CliError(
        `Cannot publish ${c.source} --with-deps: its dependencies form a cycle (${
          [...from, id].join(" -> ")
        })`,
        EXIT.usage,
      );
    }
    state.set(id, "visiting");
    for (const d of [...(needs.get(id) ?? [])].sort()) visit(d, [...from, id]);
    state.set(id, "done");
    order.push(byName.get(id)!);
  };
  for (const id of [...byName.keys()].sort()) visit(id, []);
  return order;
}

/** The `publish` command. */
export const publishCommand: Command = {
  name: "publish",
  summary: "Check a component or WIT package against its series, then upload it",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("publish", args, {
      name: { type: "string" },
      version: { type: "string" },
      registry: { type: "string" },
      "dry-run": { type: "boolean" },
      "with-deps": { type: "boolean" },
      json: { type: "boolean" },
      "no-sign": { type: "boolean" },
    });
    if (positionals.length > 1) {
      throw new CliError(`Unexpected argument ${JSON.stringify(positionals[1])}`, EXIT.usage);
    }
    if (values.version !== undefined && tryParseVersion(values.version) === undefined) {
      throw new CliError(`Invalid --version ${JSON.stringify(values.version)}`, EXIT.usage);
    }
    if (values.name !== undefined) parsePackageName(values.name);
    const pathArg = positionals[0] ?? ".";
    const c = await readCandidate(io, pathArg, {
      name: values.name,
      version: values.version,
    });
    const withDeps = values["with-deps"] ?? false;
    const candidates = withDeps
      ? [...await dependencyCandidates(io, c, witPathOf(io, pathArg, c)), c]
      : [c];
    const registries = await Registries.load(io, c.manifest ?? {});
    const options: PublishOptions = {
      dryRun: values["dry-run"] ?? false,
      json: values.json ?? false,
      skipIdentical: withDeps,
    };
    const ctx: SyncContext = {
      io,
      registries,
      cache: BlobCache.of(io),
      progress: new DownloadProgress(io, { quiet: options.json }),
    };
    // The signing key is read (and checked) before anything is uploaded.
    const signer = values["no-sign"] ? undefined : (await readSigningKey(io))?.key;
    const outcomes: Outcome[] = [];
    const report = () => {
      if (outcomes.length === 0) return;
      if (values.json) {
        const docs = outcomes.map((o) => o.json);
        io.stdout(`${JSON.stringify(withDeps ? { packages: docs } : docs[0], null, 2)}\n`);
      } else {
        io.stdout(`${outcomes.map((o) => o.lines.join("\n")).join("\n\n")}\n`);
      }
    };
    let exit: number = EXIT.ok;
    try {
      for (const candidate of candidates) {
        const registry = values.registry !== undefined
          ? normalizeRegistryUrl(values.registry)
          : registries.urlFor(candidate.name);
        const target = registryKind(registry) === "wreg"
          ? wregTarget(
            ctx,
            values.registry !== undefined
              ? registries.forCommand(values.registry, `publish ${candidate.name}`)
              : registries.forPackage(candidate.name),
            candidate.name,
            signer,
          )
          : await ociTarget(ctx, registry, candidate.name);
        const outcome = await publishOne(target, candidate, options, ctx.progress);
        if (signer !== undefined && registryKind(registry) !== "wreg" && outcome.json.published) {
          outcome.lines.push(
            "note: not signed: release signatures go to wreg registries only (--no-sign hides this)",
          );
        }
        outcomes.push(outcome);
        if (outcome.exit !== EXIT.ok) {
          exit = outcome.exit;
          break;
        }
      }
    } catch (e) {
      // What was published before the failure is said before the error line.
      report();
      throw e;
    }
    report();
    return exit;
  },
};

/** The WIT folder (or file) a candidate was built from, for `--with-deps`. */
function witPathOf(io: Io, pathArg: string, c: Candidate): string {
  const path = joinPath(io.cwd, pathArg);
  return c.manifest?.kind === "wit" ? joinPath(path, witFolder(c.manifest)) : path;
}
