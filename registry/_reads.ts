/**
 * The read side's documents: package, package index (for the CLI's resolver), version, dependents.
 * Each is plain JSON built from storage; the package and index documents are cached as text until
 * the package changes.
 */
import {
  formatPackageName,
  isPrerelease,
  type PackageName,
  type Version,
} from "../lib/names/mod.ts";
import type { DependentRecord, PackageKind, VersionRecord } from "../storage/mod.ts";
import type { CachedJson, Context } from "./_context.ts";
import { type DependencyDoc, dependencyRanges, type VersionDocument } from "./_document.ts";
import { RegistryError } from "./_errors.ts";
import { etagOf } from "./_http.ts";

/** One version in a {@link PackageDocument}. */
export interface PackageVersionEntry {
  version: string;
  digest: string;
  size: number;
  publishedAt: string;
  publisher: string;
  yanked: boolean;
  yankedAt: string | null;
  prerelease: boolean;
}

/** `GET /api/v1/packages/{ns}/{name}`: a package and every version, highest first. */
export interface PackageDocument {
  /** `namespace:name`. */
  name: string;
  namespace: string;
  kind: PackageKind;
  description: string;
  createdAt: string;
  updatedAt: string;
  /** The highest version neither yanked nor a pre-release, or `null`. */
  latest: string | null;
  /** The owners of the namespace. */
  owners: string[];
  versions: PackageVersionEntry[];
}

/** One version in a {@link PackageIndex}. */
export interface IndexEntry {
  version: string;
  yanked: boolean;
  digest: string;
  size: number;
  kind: PackageKind;
  publishedAt: string;
  /** Package → semver range (`{"wasi:io": "^0.2.0"}`), what lib/package's resolver reads. */
  dependencies: Record<string, string>;
}

/**
 * `GET /api/v1/packages/{ns}/{name}/index`: everything the resolver needs about a package in one
 * request (lib/package's `ListedVersion` plus digest and kind), highest version first.
 */
export interface PackageIndex {
  name: string;
  kind: PackageKind;
  versions: IndexEntry[];
}

/** `GET /api/v1/packages/{ns}/{name}/{version}`: the version document with its publish record. */
export type VersionResponse = VersionDocument & {
  publishedAt: string;
  publisher: string;
  yanked: boolean;
  yankedAt: string | null;
  /** The release's entry in the transparency log: its index and exact text. */
  log?: { index: number; entry: string };
  /** Who signed the release (a publisher key ID), or `null` when it was published unsigned. */
  signature?: { keyId: string } | null;
};

function packageNotFound(name: PackageName): RegistryError {
  return new RegistryError(
    "not-found",
    `Cannot find package ${formatPackageName(name)}: nothing is published under that name`,
    { package: formatPackageName(name) },
  );
}

/** JSON text with a strong entity tag made from its content. */
export function cached(text: string): CachedJson {
  // Package documents change with every publish and yank; a hash of the text is their tag.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  const bytes = new TextEncoder().encode(text);
  return { text, bytes, etag: etagOf(`${(h >>> 0).toString(16)}-${bytes.length.toString(16)}`) };
}

/** The package document as cached JSON text. */
export async function packageDocument(ctx: Context, name: PackageName): Promise<CachedJson> {
  const key = `package:${formatPackageName(name)}`;
  const hit = ctx.responses.get(key);
  if (hit) return hit;
  const generation = ctx.generation;
  const detail = await ctx.storage.metadata.getPackage(name);
  if (detail === undefined) throw packageNotFound(name);
  const ns = await ctx.storage.metadata.getNamespace(name.namespace);
  const p = detail.package;
  const doc: PackageDocument = {
    name: p.name,
    namespace: p.namespace,
    kind: p.kind,
    description: p.description,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    latest: p.latestVersion,
    owners: ns?.members.filter((m) => m.role === "owner").map((m) => m.user) ?? [],
    versions: detail.versions.map((v) => ({
      version: v.version,
      digest: v.digest,
      size: v.size,
      publishedAt: v.publishedAt,
      publisher: v.publisher,
      yanked: v.yanked,
      yankedAt: v.yankedAt,
      prerelease: isPrerelease(v.version),
    })),
  };
  const out = cached(JSON.stringify(doc));
  if (ctx.generation === generation) ctx.responses.set(key, out);
  return out;
}

/** The package index as cached JSON text. */
export async function packageIndex(ctx: Context, name: PackageName): Promise<CachedJson> {
  const key = `index:${formatPackageName(name)}`;
  const hit = ctx.responses.get(key);
  if (hit) return hit;
  const generation = ctx.generation;
  const detail = await ctx.storage.metadata.getPackage(name);
  if (detail === undefined) throw packageNotFound(name);
  const versions: IndexEntry[] = [];
  for (const v of detail.versions) {
    const record = await ctx.storage.metadata.getVersion(name, v.version);
    const deps = (record?.document as { dependencies?: DependencyDoc[] } | undefined)
      ?.dependencies ?? [];
    versions.push({
      version: v.version,
      yanked: v.yanked,
      digest: v.digest,
      size: v.size,
      kind: v.kind,
      publishedAt: v.publishedAt,
      dependencies: dependencyRanges(deps),
    });
  }
  const doc: PackageIndex = { name: detail.package.name, kind: detail.package.kind, versions };
  const out = cached(JSON.stringify(doc));
  if (ctx.generation === generation) ctx.responses.set(key, out);
  return out;
}

/** A published version, or a `not-found` refusal that says which part is missing. */
export async function versionRecord(
  ctx: Context,
  name: PackageName,
  version: Version,
): Promise<VersionRecord> {
  const record = await ctx.storage.metadata.getVersion(name, version);
  if (record !== undefined) return record;
  const pkg = await ctx.storage.metadata.getPackage(name);
  if (pkg === undefined) throw packageNotFound(name);
  throw new RegistryError(
    "not-found",
    `Cannot find ${formatPackageName(name)}@${version}: the package has versions ${
      pkg.versions.slice(0, 10).map((v) => v.version).join(", ")
    }${pkg.versions.length > 10 ? ", …" : ""}`,
    { package: formatPackageName(name), version },
  );
}

/** The version document with the facts of its publish and yank. */
export function versionResponse(record: VersionRecord): VersionResponse {
  return {
    ...(record.document as unknown as VersionDocument),
    publishedAt: record.publishedAt,
    publisher: record.publisher,
    yanked: record.yanked,
    yankedAt: record.yankedAt,
    log: { index: record.log.index, entry: record.log.entry },
    signature: record.signature === null ? null : { keyId: record.signature.keyId },
  };
}

/** `GET …/dependents`: the packages that import from or depend on a package (published or not). */
export async function dependents(
  ctx: Context,
  name: PackageName,
  options: { version?: Version; includeYanked?: boolean },
): Promise<{ package: string; dependents: DependentRecord[] }> {
  // A package need not be published here to have dependents (wasi:io, for one).
  return {
    package: formatPackageName(name),
    dependents: await ctx.storage.metadata.dependentsOf(name, options),
  };
}
