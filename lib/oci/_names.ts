/**
 * Names in the OCI protocol and how wreg's names map onto them:
 *
 * - a repository is `<prefix><namespace>/<name>` (the wasm-pkg layout: wkg joins the prefix and
 *   the package as strings, so a prefix ends with "/");
 * - a tag is the version; semver build metadata (`1.0.0+build.5`) cannot be a tag (`+` is outside
 *   the tag grammar), so `+` is written `_` (`1.0.0_build.5`), which no semver version contains,
 *   so the mapping goes both ways; a version longer than a tag may be (128 characters) has no tag;
 * - a reference is `registry/repository[:tag][@digest]`.
 */
import {
  type PackageName,
  parsePackageName,
  tryParsePackageName,
  tryParseVersion,
  type Version,
} from "../names/mod.ts";
import { OciError } from "./_errors.ts";

const COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Longest repository name accepted (what most registries allow with their host). */
export const MAX_REPOSITORY_LENGTH = 255;

/** Whether `text` is a repository name of the distribution spec (and not too long). */
export function isRepositoryName(text: string): boolean {
  return text.length <= MAX_REPOSITORY_LENGTH && REPOSITORY.test(text);
}

/** Whether `text` is a tag of the distribution spec. */
export function isTag(text: string): boolean {
  return TAG.test(text);
}

/**
 * Whether `text` has the form of a digest in the distribution spec (`algorithm:encoded`, any
 * algorithm); a registry may still not support the algorithm.
 */
export function isDigestLike(text: string): boolean {
  return text.length <= 256 && DIGEST.test(text);
}

/**
 * The tag of a version: the version itself, with `+` (build metadata) written `_`. `undefined`
 * when the result would be longer than a tag may be.
 *
 * @example
 * ```ts
 * import { tagOfVersion } from "./mod.ts";
 * import { parseVersion } from "../names/mod.ts";
 * console.assert(tagOfVersion(parseVersion("1.0.0+build.5")) === "1.0.0_build.5");
 * ```
 */
export function tagOfVersion(version: Version): string | undefined {
  const tag = version.replace("+", "_");
  return isTag(tag) ? tag : undefined;
}

/** The version a tag stands for (see {@link tagOfVersion}), or `undefined` when it is none. */
export function versionOfTag(tag: string): Version | undefined {
  if (!isTag(tag)) return undefined;
  const underscore = tag.indexOf("_");
  if (underscore !== tag.lastIndexOf("_")) return undefined;
  const text = underscore < 0 ? tag : `${tag.slice(0, underscore)}+${tag.slice(underscore + 1)}`;
  const v = tryParseVersion(text);
  return v !== undefined && v === text ? v : undefined;
}

/**
 * Checks a namespace prefix: empty, or repository components each followed by "/"
 * (`webassembly/`). Throws {@link OciError} `NAME_INVALID` otherwise.
 */
export function checkNamespacePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  if (!prefix.endsWith("/") || !isRepositoryName(prefix.slice(0, -1))) {
    throw new OciError(
      "NAME_INVALID",
      `Invalid namespace prefix ${
        JSON.stringify(prefix)
      }: expected lowercase repository components, each followed by "/" (for example "webassembly/")`,
      { prefix },
    );
  }
  return prefix;
}

/**
 * The repository of a package: `<prefix><namespace>/<name>`.
 *
 * @example
 * ```ts
 * import { repositoryOf } from "./mod.ts";
 * import { parsePackageName } from "../names/mod.ts";
 * console.assert(repositoryOf(parsePackageName("wasi:http"), "webassembly/") === "webassembly/wasi/http");
 * ```
 */
export function repositoryOf(name: PackageName, prefix = ""): string {
  return `${prefix}${name.namespace}/${name.name}`;
}

/**
 * The package a repository holds under a prefix, or `undefined` when the repository is outside
 * the prefix or is not `<namespace>/<name>` with valid parts.
 */
export function packageOfRepository(repository: string, prefix = ""): PackageName | undefined {
  if (!repository.startsWith(prefix)) return undefined;
  const rest = repository.slice(prefix.length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || rest.indexOf("/", slash + 1) >= 0) return undefined;
  return tryParsePackageName(`${rest.slice(0, slash)}:${rest.slice(slash + 1)}`);
}

/** A reference to content in an OCI registry. */
export interface OciReference {
  /** `host[:port]`. */
  registry: string;
  /** The repository inside it. */
  repository: string;
  /** The tag, when given. */
  tag?: string;
  /** The digest, when given (it wins over the tag). */
  digest?: string;
}

/**
 * Parses `registry/repository[:tag][@digest]` (`ghcr.io/webassembly/wasi/http:0.2.3`). The
 * registry part is required (the first component must contain `.` or `:`, or be `localhost`):
 * there is no default registry. Throws {@link OciError} `NAME_INVALID`.
 *
 * @example
 * ```ts
 * import { parseReference } from "./mod.ts";
 * const r = parseReference("127.0.0.1:5000/docs/hello:1.0.0");
 * console.assert(r.registry === "127.0.0.1:5000" && r.repository === "docs/hello" && r.tag === "1.0.0");
 * ```
 */
export function parseReference(text: string): OciReference {
  const bad = (why: string) =>
    new OciError("NAME_INVALID", `Invalid OCI reference ${JSON.stringify(text)}: ${why}`, {
      reference: text,
    });
  if (text.length > 1024) throw bad("it is longer than 1024 characters");
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigestLike(digest)) throw bad(`${JSON.stringify(digest)} is not a digest`);
  }
  const slash = rest.indexOf("/");
  if (slash <= 0) throw bad("expected registry/repository (for example ghcr.io/org/name:1.0.0)");
  const registry = rest.slice(0, slash);
  if (!(registry.includes(".") || registry.includes(":") || registry === "localhost")) {
    throw bad(`${JSON.stringify(registry)} is not a registry host (it needs a "." or a port)`);
  }
  if (
    !/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(registry) &&
    !/^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(registry)
  ) {
    throw bad(`${JSON.stringify(registry)} is not a host[:port]`);
  }
  let repository = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = repository.lastIndexOf(":");
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
    if (!isTag(tag)) throw bad(`${JSON.stringify(tag)} is not a tag`);
  }
  if (!isRepositoryName(repository)) {
    throw bad(
      `${
        JSON.stringify(repository)
      } is not a repository name (lowercase components separated by "/")`,
    );
  }
  const ref: OciReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The text of a reference: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? "" : `:${ref.tag}`}${
    ref.digest === undefined ? "" : `@${ref.digest}`
  }`;
}

/**
 * Sorts tags for a listing: versions first, in semver order (pre-releases before their release),
 * then the other tags in code-unit order.
 */
export function sortTags(
  tags: readonly string[],
  compare: (a: Version, b: Version) => number,
): string[] {
  const versions: [string, Version][] = [];
  const others: string[] = [];
  for (const t of tags) {
    const v = versionOfTag(t);
    if (v === undefined) others.push(t);
    else versions.push([t, v]);
  }
  versions.sort((a, b) => compare(a[1], b[1]));
  others.sort();
  return [...versions.map(([t]) => t), ...others];
}

/** `parsePackageName` for the repository of a prefix, refusing with `NAME_UNKNOWN`. */
export function packageOfRepositoryOrFail(repository: string, prefix = ""): PackageName {
  const name = packageOfRepository(repository, prefix);
  if (name !== undefined) return name;
  if (!isRepositoryName(repository)) {
    throw new OciError(
      "NAME_INVALID",
      `Invalid repository name ${
        JSON.stringify(repository)
      }: expected lowercase components separated by "/"`,
      { repository },
    );
  }
  // Name the part that does not fit, with lib/names' explanation when the parts are there.
  const rest = repository.startsWith(prefix) ? repository.slice(prefix.length) : undefined;
  let why = prefix === ""
    ? "repositories here are <namespace>/<name>"
    : `repositories here are ${prefix}<namespace>/<name>`;
  if (rest !== undefined && rest.split("/").length === 2) {
    try {
      parsePackageName(rest.replace("/", ":"));
    } catch (e) {
      why = (e as Error).message;
    }
  }
  throw new OciError(
    "NAME_UNKNOWN",
    `Cannot find repository ${JSON.stringify(repository)}: ${why}`,
    { repository },
  );
}

/** How a version is fetched with OCI clients, as the web index and `wreg info` show it. */
export interface OciFetchLines {
  /** `registry/repository:tag`. */
  reference: string;
  /** `wkg get --registry <registry> ns:name@version`. */
  wkg: string;
  /** `oras pull <reference>`. */
  oras: string;
}

/**
 * The OCI reference of a version and the `wkg get` / `oras pull` lines that fetch it, or
 * `undefined` when the version has no tag (longer than a tag may be).
 *
 * @example
 * ```ts
 * import { ociFetchLines } from "./mod.ts";
 * import { parsePackageName, parseVersion } from "../names/mod.ts";
 * const l = ociFetchLines("wasm.example.com", "", parsePackageName("docs:hello"), parseVersion("1.0.0"));
 * console.assert(l?.oras === "oras pull wasm.example.com/docs/hello:1.0.0");
 * ```
 */
export function ociFetchLines(
  registry: string,
  prefix: string,
  name: PackageName,
  version: Version,
): OciFetchLines | undefined {
  const tag = tagOfVersion(version);
  if (tag === undefined) return undefined;
  const reference = `${registry}/${repositoryOf(name, prefix)}:${tag}`;
  return {
    reference,
    wkg: `wkg get --registry ${registry} ${name.namespace}:${name.name}@${version}`,
    oras: `oras pull ${reference}`,
  };
}
