/**
 * Checks of the documents a registry sends, at the edge: before the resolver, the lock, the cache
 * or a file name sees a package name, version, range, digest or size from the network, it is
 * parsed here. A registry that sends anything else (a dependency named `../../x:y`, a digest that
 * is not one) is refused as a whole with one line naming the field (exit 5), and nothing is
 * written. The checked documents keep their shapes (cli/_client.ts); only their contents are
 * vouched for.
 */
import type { ImplementationDoc, IndexEntry, PackageIndexDoc } from "./_client.ts";
import {
  formatPackageName,
  parsePackageName,
  parseRange,
  tryParseDigest,
  tryParseVersion,
} from "../lib/names/mod.ts";

/** A document that is not what it should be; the message says which field and why. */
export class WireError extends Error {
  override name = "WireError";
}

const KINDS = new Set(["component", "wit-package"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Whether `text` is a package name in its one written form (`ns:name`). */
function packageNameProblem(text: unknown): string | undefined {
  if (typeof text !== "string") return "not a string";
  try {
    const canonical = formatPackageName(parsePackageName(text));
    return canonical === text ? undefined : `not written as ${canonical}`;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Checks the package index of `name` (`GET …/index`).
 *
 * @throws {WireError} naming the first field that is wrong.
 */
export function checkPackageIndex(doc: unknown, name: string): PackageIndexDoc {
  if (!isObject(doc)) throw new WireError("it is not a JSON object");
  if (doc.name !== name) throw new WireError(`it is the index of ${show(doc.name)}`);
  if (!Array.isArray(doc.versions)) throw new WireError(`"versions" is not a list`);
  for (const e of doc.versions as unknown[]) checkEntry(e);
  return doc as unknown as PackageIndexDoc;
}

function checkEntry(e: unknown): asserts e is IndexEntry {
  if (!isObject(e)) throw new WireError(`a version is ${show(e)}, not an object`);
  const version = e.version;
  if (typeof version !== "string" || tryParseVersion(version) === undefined) {
    throw new WireError(`the version ${show(version)} is not a semver version`);
  }
  const at = `version ${version}`;
  if (typeof e.digest !== "string" || tryParseDigest(e.digest) === undefined) {
    throw new WireError(`${at} has digest ${show(e.digest)}, not sha256: and 64 hex digits`);
  }
  if (typeof e.size !== "number" || !Number.isSafeInteger(e.size) || e.size < 0) {
    throw new WireError(`${at} has size ${show(e.size)}, not a byte count`);
  }
  if (typeof e.yanked !== "boolean") throw new WireError(`${at} has yanked ${show(e.yanked)}`);
  if (typeof e.kind !== "string" || !KINDS.has(e.kind)) {
    throw new WireError(`${at} has kind ${show(e.kind)}, not component or wit-package`);
  }
  const deps = e.dependencies ?? {};
  if (!isObject(deps)) throw new WireError(`${at} has dependencies ${show(deps)}`);
  for (const [dep, range] of Object.entries(deps)) {
    const problem = packageNameProblem(dep);
    if (problem !== undefined) {
      throw new WireError(`${at} lists dependency ${show(dep)}, which is not a package name`);
    }
    try {
      if (typeof range !== "string") throw new Error("not a string");
      parseRange(range);
    } catch {
      throw new WireError(`${at} lists dependency ${dep} with range ${show(range)}`);
    }
  }
}

/**
 * Checks the implementations of an interface (`GET /api/v1/implementations`): each one's package
 * name becomes a `fills` entry of `wreg.json`.
 *
 * @throws {WireError} naming the first field that is wrong.
 */
export function checkImplementations(doc: unknown): ImplementationDoc[] {
  if (!isObject(doc) || !Array.isArray(doc.implementations)) {
    throw new WireError(`"implementations" is not a list`);
  }
  for (const i of doc.implementations as unknown[]) {
    if (!isObject(i)) throw new WireError(`an implementation is ${show(i)}, not an object`);
    if (packageNameProblem(i.package) !== undefined) {
      throw new WireError(
        `an implementation names ${show(i.package)}, which is not a package name`,
      );
    }
    if (typeof i.version !== "string" || tryParseVersion(i.version) === undefined) {
      throw new WireError(`${i.package} has version ${show(i.version)}, not a semver version`);
    }
    if (typeof i.digest !== "string" || tryParseDigest(i.digest) === undefined) {
      throw new WireError(`${i.package}@${i.version} has digest ${show(i.digest)}`);
    }
  }
  return doc.implementations as ImplementationDoc[];
}
