/**
 * Import and export names of the component model: plain labels, `[constructor]r`,
 * `[method]r.f`, `[static]r.f` (and the older `[async]…` forms), interface ids
 * `ns:pkg/iface@version`, and the `locked-dep=`/`unlocked-dep=`/`url=`/`integrity=` forms.
 */
/** Whether `v` is a valid semver 2.0 version (build metadata included). */
export function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const tryParseVersion = (v: string) => (isSemver(v) ? v : undefined);

/** What an extern name says, after parsing. */
export type ParsedExternName =
  | { kind: "label"; label: string }
  | { kind: "constructor"; resource: string }
  | { kind: "method"; resource: string; func: string; async: boolean }
  | { kind: "static"; resource: string; func: string; async: boolean }
  | { kind: "async"; label: string }
  | {
    kind: "interface";
    /** `ns` of `ns:pkg/iface` (`a:b` of the nested form `a:b:c/d`). */
    namespace: string;
    /** `pkg` of `ns:pkg/iface`. */
    package: string;
    /** `iface` of `ns:pkg/iface`. */
    interface: string;
    /** Further projections of the nested form (`e` of `a:b/d/e`). */
    projections: string[];
    /** The text after `@`, if any. */
    version?: string;
  }
  | { kind: "dependency" | "url" | "hash"; raw: string };

/**
 * A kebab-case label: words of lower-case letters and digits or of upper-case letters and digits,
 * joined by single hyphens, the first starting with a letter.
 */
export function isKebab(s: string): boolean {
  const hit = KEBAB.get(s);
  if (hit !== undefined) return hit;
  const r = kebab(s);
  if (KEBAB.size >= 10_000) KEBAB.clear();
  KEBAB.set(s, r);
  return r;
}

const KEBAB = new Map<string, boolean>();

function kebab(s: string): boolean {
  if (s.length === 0) return false;
  let lower = false, upper = false, first = true, digit = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isLower = c >= 0x61 && c <= 0x7a;
    const isUpper = c >= 0x41 && c <= 0x5a;
    const isDigit = c >= 0x30 && c <= 0x39;
    if (isLower && !lower && !upper) lower = true;
    else if (isUpper && !lower && !upper) upper = true;
    else if (isDigit && !lower && !upper && !first) digit = true;
    else if (isLower && lower) { /* continue the word */ }
    else if (isUpper && upper) { /* continue the acronym */ }
    else if (isDigit && (lower || upper)) digit = true;
    else if (c === 0x2d && (lower || upper || digit)) {
      lower = upper = digit = false;
      first = false;
    } else return false;
  }
  return s.charCodeAt(s.length - 1) !== 0x2d;
}

function isLowerKebab(s: string): boolean {
  return isKebab(s) && !/[A-Z]/.test(s);
}

/** Why a name is invalid, or the parsed name. */
export type ExternNameResult = { ok: true; name: ParsedExternName } | { ok: false; why: string };

/**
 * Parses an extern name. `allowNested` accepts the nested namespaces and projections of 🪺.
 *
 * @example
 * ```ts
 * const r = parseExternName("wasi:http/types@0.2.0");
 * console.assert(r.ok && r.name.kind === "interface" && r.name.version === "0.2.0");
 * ```
 */
export function parseExternName(name: string, allowNested = false): ExternNameResult {
  const cache = allowNested ? NESTED_CACHE : CACHE;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const out = parseUncached(name, allowNested);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, out);
  return out;
}

// Names repeat a lot (every component imports the same WASI interfaces): parse each once.
const CACHE = new Map<string, ExternNameResult>();
const NESTED_CACHE = new Map<string, ExternNameResult>();
const CACHE_LIMIT = 10_000;

function parseUncached(name: string, allowNested: boolean): ExternNameResult {
  const fail = (why: string): ExternNameResult => ({ ok: false, why });
  for (const [prefix, isAsync, kind] of RESOURCE_PREFIXES) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    if (kind === "constructor") {
      if (!isKebab(rest)) return fail(`\`${rest}\` is not in kebab case`);
      return { ok: true, name: { kind: "constructor", resource: rest } };
    }
    if (kind === "async") {
      if (!isKebab(rest)) return fail(`\`${rest}\` is not in kebab case`);
      return { ok: true, name: { kind: "async", label: rest } };
    }
    const dot = rest.indexOf(".");
    if (dot < 0) return fail("failed to find `.` character");
    const resource = rest.slice(0, dot), func = rest.slice(dot + 1);
    if (!isKebab(resource)) return fail(`\`${resource}\` is not in kebab case`);
    if (!isKebab(func)) return fail(`\`${func}\` is not in kebab case`);
    return { ok: true, name: { kind, resource, func, async: isAsync } };
  }
  for (const prefix of ["unlocked-dep=", "locked-dep=", "url=", "integrity="]) {
    if (!name.startsWith(prefix)) continue;
    const why = checkDependencyName(name, prefix);
    if (why !== undefined) return fail(why);
    const kind = prefix === "url=" ? "url" : prefix === "integrity=" ? "hash" : "dependency";
    return { ok: true, name: { kind, raw: name } };
  }
  if (name.includes(":")) return parseInterfaceId(name, allowNested);
  if (!isKebab(name)) return fail(`\`${name}\` is not in kebab case`);
  return { ok: true, name: { kind: "label", label: name } };
}

const RESOURCE_PREFIXES: [string, boolean, "constructor" | "method" | "static" | "async"][] = [
  ["[constructor]", false, "constructor"],
  ["[method]", false, "method"],
  ["[static]", false, "static"],
  ["[async method]", true, "method"],
  ["[async static]", true, "static"],
  ["[async]", true, "async"],
];

function parseInterfaceId(name: string, allowNested: boolean): ExternNameResult {
  const fail = (why: string): ExternNameResult => ({ ok: false, why });
  const at = name.indexOf("@");
  const path = at < 0 ? name : name.slice(0, at);
  const version = at < 0 ? undefined : name.slice(at + 1);
  const slash = path.indexOf("/");
  if (slash < 0) return fail("expected `/` after package name");
  const pkgPath = path.slice(0, slash).split(":");
  const projections = path.slice(slash + 1).split("/");
  if (pkgPath.length < 2) return fail("expected `:` in package name");
  if (!allowNested && pkgPath.length > 2) return fail("nested namespaces are not enabled");
  if (!allowNested && projections.length > 1) return fail("nested projections are not enabled");
  for (const part of pkgPath) {
    if (!isKebab(part)) return fail(`\`${part}\` is not in kebab case`);
    if (!isLowerKebab(part)) {
      return fail(`\`${part}\` is not lowercase in package name/namespace`);
    }
  }
  for (const part of projections) {
    if (!isKebab(part)) return fail(`\`${part}\` is not in kebab case`);
  }
  if (version !== undefined && tryParseVersion(version) === undefined && !isCanonVersion(version)) {
    return fail(`\`${version}\` is not a valid semver`);
  }
  return {
    ok: true,
    name: {
      kind: "interface",
      namespace: pkgPath.slice(0, -1).join(":"),
      package: pkgPath[pkgPath.length - 1],
      interface: projections[0],
      projections: projections.slice(1),
      version,
    },
  };
}

/** A canonical version (`1`, `0.2`, `0.0.3`), as written when a `versionsuffix` is split off. */
export function isCanonVersion(v: string): boolean {
  return /^(?:[1-9][0-9]*|0\.[1-9][0-9]*|0\.0\.[1-9][0-9]*|0\.0\.0)$/.test(v);
}

function checkDependencyName(name: string, prefix: string): string | undefined {
  const rest = name.slice(prefix.length);
  if (!rest.startsWith("<")) return `expected \`<\` at \`${rest}\``;
  let close = -1;
  for (let i = 1, depth = 0; i < rest.length; i++) {
    if (rest[i] === "{") depth++;
    else if (rest[i] === "}") depth--;
    else if (rest[i] === ">" && depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return "failed to find `>` character";
  const inner = rest.slice(1, close);
  const tail = rest.slice(close + 1);
  if (prefix === "url=" && inner.includes("<")) return "url cannot contain `<`";
  if (prefix === "integrity=") {
    if (tail !== "") return `trailing characters found: \`${tail}\``;
    return checkIntegrity(inner);
  }
  if (prefix === "locked-dep=" || prefix === "unlocked-dep=") {
    const at = inner.indexOf("@");
    const path = at < 0 ? inner : inner.slice(0, at);
    const parts = path.split(":");
    if (parts.length < 2 || !parts.every(isLowerKebab)) return `\`${path}\` is not a package name`;
    if (at >= 0) {
      const v = inner.slice(at + 1);
      if (prefix === "locked-dep=" && tryParseVersion(v) === undefined) {
        return `\`${v}\` is not a valid semver`;
      }
    }
  }
  if (tail === "") return undefined;
  if (!tail.startsWith(",integrity=<") || !tail.endsWith(">")) {
    return `trailing characters found: \`${tail}\``;
  }
  return checkIntegrity(tail.slice(",integrity=<".length, -1));
}

function checkIntegrity(s: string): string | undefined {
  const hashes = s.split(/\s+/).filter((h) => h !== "");
  if (hashes.length === 0) return "integrity hash cannot be empty";
  for (const h of hashes) {
    const m = /^(sha256|sha384|sha512)-([A-Za-z0-9+/]*={0,2})(\?.*)?$/.exec(h);
    if (!m) return `unrecognized hash: \`${h}\``;
  }
  return undefined;
}

/**
 * The key under which names must be unique in one scope ("strongly unique"): lower-cased, with
 * `[method]l.l`/`[static]l.l` reduced to `l` and annotations other than `[constructor]` dropped.
 */
export function uniquenessKey(raw: string, parsed: ParsedExternName): string {
  switch (parsed.kind) {
    case "label":
      return parsed.label.toLowerCase();
    case "async":
      return parsed.label.toLowerCase();
    case "constructor":
      return `[constructor]${parsed.resource.toLowerCase()}`;
    case "method":
    case "static": {
      const r = parsed.resource.toLowerCase(), f = parsed.func.toLowerCase();
      return r === f ? r : `${r}.${f}`;
    }
    default:
      return raw.toLowerCase();
  }
}
