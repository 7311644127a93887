/**
 * The behaviour every metadata store shares, as pure functions: input checks, semver-compatible
 * matching of search rows, text ranking, the choice of a latest version, token hashing. Each
 * backend narrows candidates its own way (SQL, maps) and then applies these, so their answers agree.
 */
import { createHash } from "node:crypto";
import {
  compareVersions,
  isLabel,
  isLowercaseLabel,
  isPrerelease,
  isSemverCompatible,
  MAX_NAME_PART,
  sameSeries,
  seriesOf,
  tryParseInterfaceName,
  tryParseVersion,
  type Version,
} from "../lib/names/mod.ts";
import { StorageError } from "./_errors.ts";
import {
  type JsonObject,
  type NamespaceRole,
  type PackageKind,
  type PublishInput,
  REQUIRING_RELATIONS,
  type SearchRelation,
  type SearchRowInput,
  type SearchTarget,
  type TargetQuery,
  TOKEN_SCOPES as SCOPES,
  type TokenInput,
  type TokenScope,
  type VersionSummary,
} from "./_types.ts";

const KINDS: readonly PackageKind[] = ["component", "wit-package"];
const RELATIONS: readonly SearchRelation[] = [
  "exports",
  "imports",
  "targets-world",
  "defines",
  "depends-on",
];
/** Longest package description kept. */
export const MAX_DESCRIPTION = 4096;
/** Longest user or owner name kept. */
export const MAX_USER = 200;
/** Most search rows one version may have. */
export const MAX_SEARCH_ROWS = 10_000;

function invalid(message: string, details: Record<string, unknown> = {}): StorageError {
  return new StorageError("invalid-input", message, details);
}

/** Checks a namespace name (a lowercase label). */
export function checkNamespace(name: string): string {
  if (typeof name !== "string" || name.length > MAX_NAME_PART || !isLowercaseLabel(name)) {
    const shown = typeof name === "string" && name.length > MAX_NAME_PART
      ? `${name.slice(0, 32)}…`
      : name;
    throw invalid(
      `Invalid namespace ${
        JSON.stringify(shown)
      }: expected at most ${MAX_NAME_PART} characters of lowercase words of a-z and 0-9 joined by "-"`,
      { namespace: shown },
    );
  }
  return name;
}

/**
 * A user name: visible characters, single spaces between words (none at either end), nothing a
 * reader cannot see or tell apart from a space: no control or format characters (zero-width
 * joiners, direction marks), no other spaces or separators, no default-ignorable code points
 * (fillers that render as nothing), no private-use or unassigned code points, no lone surrogates,
 * and not the blank Braille pattern (U+2800).
 */
const USER_NAME = /^[^\p{C}\p{Z}\p{DI}\p{M}\u2800](?:[^\p{C}\p{Z}\p{DI}\u2800]| (?! ))*$/u;

/**
 * Checks a user name: 1 to {@link MAX_USER} characters that can all be seen (see
 * {@link USER_NAME}); blank and invisible names are refused.
 */
export function checkUser(user: string, what = "user"): string {
  if (
    typeof user !== "string" || user.length === 0 || user.length > MAX_USER ||
    !USER_NAME.test(user) || user.endsWith(" ")
  ) {
    const shown = typeof user === "string" ? user.slice(0, MAX_USER) : user;
    throw invalid(
      `Invalid ${what} ${
        JSON.stringify(shown)
      }: expected 1 to ${MAX_USER} visible characters, words separated by single spaces`,
      { [what]: shown },
    );
  }
  return user;
}

/** Checks a description's length. */
export function checkDescription(text: string): string {
  if (typeof text !== "string" || text.length > MAX_DESCRIPTION) {
    throw invalid(`Invalid description: expected at most ${MAX_DESCRIPTION} characters`);
  }
  return text;
}

/** Checks a package kind. */
export function checkKind(kind: PackageKind): PackageKind {
  if (!KINDS.includes(kind)) {
    throw invalid(
      `Invalid package kind ${JSON.stringify(kind)}: expected "component" or "wit-package"`,
    );
  }
  return kind;
}

/** Checks one search row. Target names follow the component model's label grammar. */
export function checkSearchRow(row: SearchRowInput): SearchRowInput {
  if (!RELATIONS.includes(row.relation)) {
    throw invalid(
      `Invalid search relation ${JSON.stringify(row.relation)}: expected one of ${
        RELATIONS.join(", ")
      }`,
    );
  }
  const okName = row.name === null || (typeof row.name === "string" && isLabel(row.name));
  if (!isLabel(row.namespace) || !isLabel(row.package) || !okName) {
    throw invalid(
      `Invalid search target ${
        JSON.stringify(formatTarget(row))
      }: namespace, package and name must be labels`,
    );
  }
  return {
    relation: row.relation,
    namespace: row.namespace,
    package: row.package,
    name: row.name,
    version: row.version ?? null,
  };
}

/** Checks everything a publish carries that its types do not already guarantee. */
export function checkPublish(input: PublishInput): void {
  checkKind(input.kind);
  checkUser(input.publisher, "publisher");
  if (input.description !== undefined) checkDescription(input.description);
  if (!Number.isSafeInteger(input.size) || input.size < 0) {
    throw invalid(`Invalid size ${input.size}: expected a whole number of bytes`);
  }
  checkDocument(input.document);
  if (input.searchRows.length > MAX_SEARCH_ROWS) {
    throw invalid(`Too many search rows (${input.searchRows.length}): at most ${MAX_SEARCH_ROWS}`);
  }
}

/** Checks that a version document is a JSON object. */
export function checkDocument(doc: JsonObject): void {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw invalid("Invalid version document: expected a JSON object");
  }
}

/** Checks token scopes, namespaces and owner; returns them deduplicated and sorted. */
export function checkToken(
  input: TokenInput,
): { scopes: TokenScope[]; namespaces: string[] | null } {
  checkUser(input.owner, "owner");
  if (input.description !== undefined) checkDescription(input.description);
  for (const s of input.scopes) {
    if (!SCOPES.includes(s)) {
      throw invalid(
        `Invalid token scope ${JSON.stringify(s)}: expected one of ${SCOPES.join(", ")}`,
      );
    }
  }
  const namespaces = input.namespaces === null
    ? null
    : [...new Set(input.namespaces.map(checkNamespace))].sort();
  return { scopes: [...new Set(input.scopes)].sort(), namespaces };
}

/** `ns:pkg/name@version` or `ns:pkg@version` of a target. */
export function formatTarget(t: SearchTarget): string {
  const base = t.name === null
    ? `${t.namespace}:${t.package}`
    : `${t.namespace}:${t.package}/${t.name}`;
  return t.version === null ? base : `${base}@${t.version}`;
}

/**
 * Splits `ns:pkg/iface@1.2.3` (an interface or world) or `ns:pkg@1.2.3` (a package) into a
 * {@link SearchTarget}; `undefined` when it is neither.
 *
 * @example
 * ```ts
 * import { parseSearchTarget } from "./mod.ts";
 * const t = parseSearchTarget("wasi:http/incoming-handler@0.2.0");
 * console.assert(t?.name === "incoming-handler" && t.version === "0.2.0");
 * console.assert(parseSearchTarget("wasi:http")?.name === null);
 * ```
 */
export function parseSearchTarget(text: string): SearchTarget | undefined {
  if (text.includes("/")) {
    const i = tryParseInterfaceName(text);
    return i && {
      namespace: i.namespace,
      package: i.package,
      name: i.interface,
      version: i.version ?? null,
    };
  }
  const m = /^([^:/@]+):([^:/@]+)(?:@(.+))?$/.exec(text);
  if (!m || !isLabel(m[1]) || !isLabel(m[2])) return undefined;
  const version = m[3] === undefined ? null : tryParseVersion(m[3]);
  if (version === undefined) return undefined;
  return { namespace: m[1], package: m[2], name: null, version };
}

/** The series a target version belongs to (`""` for none): rows that can match share it. */
export function seriesKey(version: Version | null): string {
  return version === null ? "" : seriesOf(version);
}

/**
 * Whether a row's target version answers a query (see `TargetQuery.version`; `match` is
 * `TargetQuery.exact`'s and `TargetQuery.series`'s choice).
 */
export function versionMatches(
  relation: SearchRelation,
  rowVersion: Version | null,
  wanted: Version | undefined,
  match: boolean | "exact" | "series" | "fills" = false,
): boolean {
  if (wanted === undefined) return true;
  if (rowVersion === null) return false;
  if (match === true || match === "exact") return rowVersion === wanted;
  if (match === "series") {
    return isPrerelease(rowVersion) || isPrerelease(wanted)
      ? rowVersion === wanted
      : sameSeries(rowVersion, wanted);
  }
  return REQUIRING_RELATIONS.includes(relation)
    ? isSemverCompatible(rowVersion, wanted) // the row needs rowVersion; `wanted` must fill it
    : isSemverCompatible(wanted, rowVersion); // the row provides rowVersion for `wanted`
}

/** How a {@link TargetQuery} matches versions (see `exact` and `series`). */
export function matchOf(query: TargetQuery): "exact" | "series" | "fills" {
  return query.exact ? "exact" : query.series ? "series" : "fills";
}

/** Highest first. */
export function byVersionDesc(a: { version: Version }, b: { version: Version }): number {
  return compareVersions(b.version, a.version);
}

/** The highest version that is not yanked (nor a pre-release unless asked), or `undefined`. */
export function pickLatest<T extends { version: Version; yanked: boolean }>(
  versions: readonly T[],
  includePrerelease = false,
): T | undefined {
  let best: T | undefined;
  for (const v of versions) {
    if (v.yanked || (!includePrerelease && isPrerelease(v.version))) continue;
    if (best === undefined || compareVersions(v.version, best.version) > 0) best = v;
  }
  return best;
}

/** The lowercase words of a text query, without duplicates. */
export function textTerms(text: string): string[] {
  const terms = [...new Set(text.toLowerCase().split(/\s+/).filter((w) => w !== ""))];
  if (terms.length > MAX_TERMS) {
    throw invalid(
      `Invalid search text: it has ${terms.length} words, at most ${MAX_TERMS} are allowed`,
    );
  }
  return terms;
}

/** Most words in a text query. */
export const MAX_TERMS = 32;

/** The lowercase text that text search looks in. */
export function searchableText(name: string, description: string): string {
  return `${name}\n${description}`.toLowerCase();
}

/** Whether every term occurs in the searchable text. */
export function matchesTerms(text: string, terms: readonly string[]): boolean {
  return terms.every((t) => text.includes(t));
}

/**
 * The rank of a text match, lower is better: 0 the query is the name (`docs:processor` or
 * `processor`), 1 every term is in the name, 2 otherwise.
 */
export function textRank(name: string, terms: readonly string[]): number {
  const lower = name.toLowerCase();
  const query = terms.join(" ");
  if (query === lower || query === lower.slice(lower.indexOf(":") + 1)) return 0;
  return terms.every((t) => lower.includes(t)) ? 1 : 2;
}

/** Orders text results: by rank, then by name. */
export function byTextRank<T extends { name: string }>(terms: readonly string[]) {
  return (a: T, b: T): number =>
    textRank(a.name, terms) - textRank(b.name, terms) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Keeps the first row of each package (rows come highest version first). */
export function firstPerPackage<T extends { fromPackage: string }>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.fromPackage) && seen.add(r.fromPackage) !== undefined);
}

/** Orders search rows by package, then version high to low. */
export function byPackageThenVersion(
  a: { fromPackage: string; fromVersion: Version },
  b: { fromPackage: string; fromVersion: Version },
): number {
  if (a.fromPackage !== b.fromPackage) return a.fromPackage < b.fromPackage ? -1 : 1;
  return compareVersions(b.fromVersion, a.fromVersion);
}

/** The limit of a query: a positive whole number, at most 1000, 100 by default. */
export function clampLimit(limit: number | undefined, fallback = 100): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw invalid(`Invalid limit ${limit}: expected a positive whole number`);
  }
  return Math.min(limit, 1000);
}

// ---------------------------------------------------------------------------------------------
// Tokens

/**
 * The stored form of a token secret: `sha256:` and the hex SHA-256 of its UTF-8 bytes. Secrets are
 * 256 random bits, so a fast hash is enough; only this hash reaches the database.
 */
export function hashTokenSecret(secret: string): string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw invalid("Invalid token secret: it is empty");
  }
  return `sha256:${createHash("sha256").update(secret, "utf8").digest("hex")}`;
}

/**
 * A new random token secret: `wreg_` and 43 base64url characters (256 bits).
 *
 * @example
 * ```ts
 * import { newTokenSecret } from "./mod.ts";
 * console.assert(/^wreg_[A-Za-z0-9_-]{43}$/.test(newTokenSecret()));
 * ```
 */
export function newTokenSecret(): string {
  return `wreg_${
    crypto.getRandomValues(new Uint8Array(32)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    })
  }`;
}

/** A new token id (public, shown in token lists): `tok_` and 16 hex digits. */
export function newTokenId(): string {
  return `tok_${crypto.getRandomValues(new Uint8Array(8)).toHex()}`;
}

/** Sorts version summaries highest first (a copy). */
export function sortVersions<T extends VersionSummary>(versions: readonly T[]): T[] {
  return [...versions].sort(byVersionDesc);
}

/** Members, owners first, then by user. */
export function sortMembers<T extends { user: string; role: NamespaceRole }>(members: T[]): T[] {
  return members.sort((a, b) =>
    a.role !== b.role
      ? (a.role === "owner" ? -1 : 1)
      : a.user < b.user
      ? -1
      : a.user > b.user
      ? 1
      : 0
  );
}

/** Checks a namespace role. */
export function checkRole(role: NamespaceRole): NamespaceRole {
  if (role !== "owner" && role !== "member") {
    throw new StorageError(
      "invalid-input",
      `Invalid role ${JSON.stringify(role)}: expected "owner" or "member"`,
    );
  }
  return role;
}

/** Checks, normalizes and deduplicates the search rows of a version (first occurrence kept). */
export function normalizeSearchRows(rows: readonly SearchRowInput[]): SearchRowInput[] {
  const seen = new Set<string>();
  const out: SearchRowInput[] = [];
  for (const row of rows) {
    const r = checkSearchRow(row);
    const key = `${r.relation} ${formatTarget(r)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** Refuses a server secret's name or candidate that {@link MetadataStore.serverSecret} does not take. */
export function checkServerSecret(name: string, candidate: Uint8Array): void {
  if (!/^[a-z0-9-]{1,64}$/.test(name)) {
    throw new StorageError(
      "invalid-input",
      `Cannot keep server secret ${JSON.stringify(name)}: names are 1 to 64 of a-z, 0-9 and -`,
    );
  }
  if (!(candidate instanceof Uint8Array) || candidate.length < 16 || candidate.length > 1024) {
    throw new StorageError(
      "invalid-input",
      "Cannot keep a server secret: it must have 16 to 1024 bytes",
    );
  }
}
