import {
  type Digest,
  parseDigest,
  parseInterfaceName,
  parsePackageName,
  parseRange,
  parseVersion,
  tryParsePackageName,
  type Version,
  type VersionRange,
} from "../names/mod.ts";
import { LockError } from "./_errors.ts";
import {
  checkKeys,
  checkUrl,
  entry,
  expectObject,
  expectString,
  type Fail,
  field,
  parseJson,
  parseName,
  sorted,
} from "./_json.ts";
import type { PackageKind } from "./_manifest.ts";
import { PROJECT } from "./_resolve.ts";

/**
 * The newest format version of `wreg.lock` this code reads and writes. Versions are additive: each
 * adds optional fields, and a lock is written with the lowest version that can hold it (a lock
 * without OCI packages or sizes is still version 1, byte for byte), so an older wreg reads every lock it
 * can understand and refuses the others as "written by a newer wreg".
 *
 * | version | adds |
 * | ------- | ---- |
 * | 1 | packages (version, kind, registry, digest, requirements, dependencies) and fills |
 * | 2 | `manifest`: the OCI manifest digest of a package from an OCI registry |
 * | 3 | transparency: `registries` (per registry the pinned log verifier keys), and per package `log` (its index in that log) and `signer` (the publisher key ID); per package `size` (its bytes, where a download from the lock stops) |
 * | 4 | `registries.<url>.requireSignatures`: the namespaces seen requiring signed releases there (sticky: a registry cannot silently turn the requirement off) |
 */
export const LOCK_VERSION = 4;

/** What the lock pins about one registry (v3). */
export interface LockedRegistry {
  /**
   * The verifier keys of the registry's transparency log (c2sp.org/signed-note vkeys,
   * `<name>+<8 hex>+<base64>`), pinned on first use: a checkpoint must be signed by one of them.
   */
  readonly log: readonly string[];
  /**
   * The namespaces this project saw requiring signed releases at the registry (v4), trusted on
   * first use like the log key: the CLI refuses an unsigned release of one of them, or the
   * registry saying the namespace no longer requires signatures, unless the user accepts the
   * change (`--accept-policy-change <ns>`). Absent: none seen.
   */
  readonly requireSignatures?: readonly string[];
}

/** One package held by the lock. */
export interface LockedPackage {
  readonly version: Version;
  readonly kind: PackageKind;
  /** The registry the package comes from. */
  readonly registry: string;
  /**
   * The `sha256:` digest of the package's bytes (for a package from an OCI registry, its layer
   * digest, which is what wkg locks too).
   */
  readonly digest: Digest;
  /**
   * The size of the package's bytes (v3): `wreg install` stops a download past it. Locks written
   * before version 3 have none (their downloads stop at the client's limit).
   */
  readonly size?: number;
  /** For a package from an OCI registry: the digest of the manifest its tag pointed at (v2). */
  readonly manifest?: Digest;
  /** Where the release is in its registry's transparency log, when the registry has one (v3). */
  readonly log?: { readonly index: number };
  /** The key ID (64 lowercase hex) of the publisher key that signed the release, if signed (v3). */
  readonly signer?: string;
  /** Who requires it, with which range: package name, or `"wreg.json"` for the project. */
  readonly requirements: Readonly<Record<string, VersionRange>>;
  /** Its own dependencies, as the version declares them. */
  readonly dependencies: Readonly<Record<string, VersionRange>>;
}

/** The implementation that fills one import of a component. */
export interface LockedFill {
  readonly package: string;
  readonly version: Version;
  readonly digest: Digest;
}

/** The lock file, `wreg.lock`. */
export interface Lock {
  /** Registry URL → its pinned transparency log keys (v3; absent or empty: none pinned). */
  readonly registries?: Readonly<Record<string, LockedRegistry>>;
  /** Package name → what is locked. */
  readonly packages: Readonly<Record<string, LockedPackage>>;
  /** Component package → imported interface (`ns:pkg/iface@1.2.3`) → implementation. */
  readonly fills: Readonly<Record<string, Readonly<Record<string, LockedFill>>>>;
}

const PACKAGE_KEYS = ["version", "kind", "registry", "digest", "requirements", "dependencies"];
/** Optional package keys, with the lock version that introduced each. */
const OPTIONAL_PACKAGE_KEYS: Readonly<Record<string, number>> = {
  manifest: 2,
  log: 3,
  signer: 3,
  size: 3,
};
/** The lock version that introduced `registries`. */
const REGISTRIES_VERSION = 3;
/** The lock version that introduced `registries.<url>.requireSignatures`. */
const POLICY_VERSION = 4;
/** A note verifier key: `<name>+<8 hex key ID>+<base64 of type byte and key>`. */
const VKEY = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/;
/** A publisher key ID: lowercase hex SHA-256. */
const KEY_ID = /^[0-9a-f]{64}$/;
const FILL_KEYS = ["package", "version", "digest"];

const fail: Fail = (code, path, detail) => {
  throw new LockError(code, path, detail);
};

/**
 * Parses and validates `wreg.lock`: every field present and well-formed, no unknown key, every
 * dependency and requirer locked too, every package required by someone, every fill's
 * implementation locked at the same version and digest.
 *
 * @throws {LockError} naming the JSON path of the first bad part.
 */
export function parseLock(text: string): Lock {
  return validateLock(parseJson(text, "wreg.lock", fail));
}

/** Validates a lock already parsed from JSON (see {@link parseLock}). */
export function validateLock(value: unknown): Lock {
  const o = expectObject(value, "", fail);
  checkKeys(
    o,
    [
      "lockVersion",
      "packages",
      "fills",
      ...(typeof o.lockVersion === "number" && o.lockVersion >= REGISTRIES_VERSION
        ? ["registries"]
        : []),
    ],
    "",
    fail,
  );
  const v = o.lockVersion;
  if (v === undefined) fail("missing-field", "lockVersion", "wreg.lock has no lock version");
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    fail("invalid-value", "lockVersion", `expected a positive integer, found ${JSON.stringify(v)}`);
  }
  if ((v as number) > LOCK_VERSION) {
    fail(
      "unsupported-version",
      "lockVersion",
      `wreg.lock has format version ${v}, and this wreg reads versions up to ${LOCK_VERSION}` +
        " (written by a newer wreg: upgrade wreg)",
    );
  }
  for (const key of ["packages", "fills"]) {
    if (o[key] === undefined) fail("missing-field", key, `wreg.lock has no ${JSON.stringify(key)}`);
  }
  const registries = o.registries === undefined
    ? undefined
    : readRegistries(o.registries, v as number);
  const packages: Record<string, LockedPackage> = {};
  for (const [name, p] of Object.entries(expectObject(o.packages, "packages", fail))) {
    packages[name] = readPackage(name, p, v as number);
  }
  for (const [name, p] of Object.entries(packages)) {
    const path = entry("packages", name);
    for (const dep of Object.keys(p.dependencies)) {
      if (!Object.hasOwn(packages, dep)) {
        fail(
          "inconsistent",
          entry(field(path, "dependencies"), dep),
          `${dep} is a dependency but is not in "packages"`,
        );
      }
    }
    for (const by of Object.keys(p.requirements)) {
      if (by !== PROJECT && !Object.hasOwn(packages, by)) {
        fail(
          "inconsistent",
          entry(field(path, "requirements"), by),
          `the requirer ${by} is not in "packages"`,
        );
      }
    }
    if (Object.keys(p.requirements).length === 0) {
      fail("inconsistent", field(path, "requirements"), `nothing requires ${name}`);
    }
  }
  const fills: Record<string, Record<string, LockedFill>> = {};
  for (const [component, f] of Object.entries(expectObject(o.fills, "fills", fail))) {
    const path = entry("fills", component);
    parseName(parsePackageName, component, path, fail);
    if (!Object.hasOwn(packages, component)) {
      fail("inconsistent", path, `the component ${component} is not in "packages"`);
    }
    const out: Record<string, LockedFill> = {};
    for (const [iface, impl] of Object.entries(expectObject(f, path, fail))) {
      out[iface] = readFill(entry(path, iface), iface, impl, packages);
    }
    fills[component] = out;
  }
  return registries === undefined ? { packages, fills } : { registries, packages, fills };
}

function readRegistries(value: unknown, lockVersion: number): Record<string, LockedRegistry> {
  const out: Record<string, LockedRegistry> = {};
  for (const [url, r] of Object.entries(expectObject(value, "registries", fail))) {
    const path = entry("registries", url);
    checkUrl(url, path, fail);
    const o = expectObject(r, path, fail);
    checkKeys(
      o,
      ["log", ...(lockVersion >= POLICY_VERSION ? ["requireSignatures"] : [])],
      path,
      fail,
    );
    required(o, ["log"], path);
    if (!Array.isArray(o.log) || o.log.length === 0) {
      fail("invalid-value", field(path, "log"), "expected a non-empty array of log verifier keys");
    }
    const keys = (o.log as unknown[]).map((k, i) => {
      const at = `${field(path, "log")}[${i}]`;
      const text = expectString(k, at, fail);
      if (!VKEY.test(text)) {
        fail(
          "invalid-value",
          at,
          `${JSON.stringify(text)} is not a log verifier key (name+hex+base64)`,
        );
      }
      return text;
    });
    let policy: string[] | undefined;
    if (o.requireSignatures !== undefined) {
      const at = field(path, "requireSignatures");
      if (!Array.isArray(o.requireSignatures)) {
        fail("invalid-value", at, "expected an array of namespaces");
      }
      policy = (o.requireSignatures as unknown[]).map((n, i) => {
        const text = expectString(n, `${at}[${i}]`, fail);
        if (tryParsePackageName(`${text}:x`)?.namespace !== text) {
          fail("invalid-value", `${at}[${i}]`, `${JSON.stringify(text)} is not a namespace`);
        }
        return text;
      });
    }
    out[url] = policy === undefined || policy.length === 0
      ? { log: keys }
      : { log: keys, requireSignatures: [...new Set(policy)].sort() };
  }
  return out;
}

function required(o: Record<string, unknown>, keys: readonly string[], path: string): void {
  for (const key of keys) {
    if (o[key] === undefined) fail("missing-field", field(path, key), `missing`);
  }
}

function readPackage(name: string, value: unknown, lockVersion: number): LockedPackage {
  const path = entry("packages", name);
  parseName(parsePackageName, name, path, fail);
  const p = expectObject(value, path, fail);
  checkKeys(
    p,
    [
      ...PACKAGE_KEYS,
      ...Object.keys(OPTIONAL_PACKAGE_KEYS).filter((k) => OPTIONAL_PACKAGE_KEYS[k] <= lockVersion),
    ],
    path,
    fail,
  );
  required(p, PACKAGE_KEYS, path);
  const at = (key: string) => field(path, key);
  const kind = expectString(p.kind, at("kind"), fail);
  if (kind !== "component" && kind !== "wit") {
    fail(
      "invalid-value",
      at("kind"),
      `expected "component" or "wit", found ${JSON.stringify(kind)}`,
    );
  }
  const manifest = p.manifest === undefined ? undefined : parseName(
    parseDigest,
    expectString(p.manifest, at("manifest"), fail),
    at("manifest"),
    fail,
  );
  let log: { index: number } | undefined;
  if (p.log !== undefined) {
    const l = expectObject(p.log, at("log"), fail);
    checkKeys(l, ["index"], at("log"), fail);
    const index = l.index;
    if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
      fail("invalid-value", field(at("log"), "index"), "expected a log index (an integer ≥ 0)");
    }
    log = { index: index as number };
  }
  let signer: string | undefined;
  if (p.signer !== undefined) {
    signer = expectString(p.signer, at("signer"), fail);
    if (!KEY_ID.test(signer)) {
      fail("invalid-value", at("signer"), "expected a key ID (64 lowercase hex digits)");
    }
  }
  const size = p.size;
  if (size !== undefined && (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)) {
    fail("invalid-value", at("size"), `expected a byte count, found ${JSON.stringify(size)}`);
  }
  return {
    ...(size === undefined ? {} : { size: size as number }),
    ...(manifest === undefined ? {} : { manifest }),
    ...(log === undefined ? {} : { log }),
    ...(signer === undefined ? {} : { signer }),
    version: parseName(
      parseVersion,
      expectString(p.version, at("version"), fail),
      at("version"),
      fail,
    ),
    kind,
    registry: checkUrl(expectString(p.registry, at("registry"), fail), at("registry"), fail),
    digest: parseName(parseDigest, expectString(p.digest, at("digest"), fail), at("digest"), fail),
    requirements: readRanges(p.requirements, at("requirements"), true),
    dependencies: readRanges(p.dependencies, at("dependencies"), false),
  };
}

function readRanges(
  value: unknown,
  path: string,
  allowProject: boolean,
): Record<string, VersionRange> {
  const out: Record<string, VersionRange> = {};
  for (const [name, range] of Object.entries(expectObject(value, path, fail))) {
    const p = entry(path, name);
    if (!(allowProject && name === PROJECT)) parseName(parsePackageName, name, p, fail);
    out[name] = parseName(parseRange, expectString(range, p, fail), p, fail);
  }
  return out;
}

function readFill(
  path: string,
  iface: string,
  value: unknown,
  packages: Record<string, LockedPackage>,
): LockedFill {
  const i = parseName(parseInterfaceName, iface, path, fail);
  if (i.version === undefined) {
    fail("invalid-value", path, `a locked import names its version ("${iface}@1.2.3")`);
  }
  const f = expectObject(value, path, fail);
  checkKeys(f, FILL_KEYS, path, fail);
  required(f, FILL_KEYS, path);
  const at = (key: string) => field(path, key);
  const pkg = expectString(f.package, at("package"), fail);
  parseName(parsePackageName, pkg, at("package"), fail);
  const version = parseName(
    parseVersion,
    expectString(f.version, at("version"), fail),
    at("version"),
    fail,
  );
  const digest = parseName(
    parseDigest,
    expectString(f.digest, at("digest"), fail),
    at("digest"),
    fail,
  );
  const locked = Object.hasOwn(packages, pkg) ? packages[pkg] : undefined;
  if (locked === undefined) {
    fail("inconsistent", at("package"), `the implementation ${pkg} is not in "packages"`);
  } else if (locked.version !== version || locked.digest !== digest) {
    fail(
      "inconsistent",
      path,
      `${pkg}@${version} (${digest}) differs from packages[${JSON.stringify(pkg)}] ` +
        `${locked.version} (${locked.digest})`,
    );
  }
  return { package: pkg, version, digest };
}

/**
 * Writes `wreg.lock`: `lockVersion`, then `packages` and `fills`, every record sorted by key,
 * fixed field order, two-space indentation, a trailing newline. The same lock always prints to
 * the same bytes, and `printLock(parseLock(t)) === t` for any `t` it printed.
 */
export function printLock(lock: Lock): string {
  const packages: Record<string, unknown> = {};
  let version = 1;
  for (const [name, p] of Object.entries(sorted(lock.packages))) {
    packages[name] = {
      version: p.version,
      kind: p.kind,
      registry: p.registry,
      digest: p.digest,
      ...(p.size === undefined ? {} : { size: p.size }),
      ...(p.manifest === undefined ? {} : { manifest: p.manifest }),
      ...(p.log === undefined ? {} : { log: { index: p.log.index } }),
      ...(p.signer === undefined ? {} : { signer: p.signer }),
      requirements: sorted(p.requirements),
      dependencies: sorted(p.dependencies),
    };
    if (p.manifest !== undefined) version = Math.max(version, OPTIONAL_PACKAGE_KEYS.manifest);
    if (p.log !== undefined || p.signer !== undefined) {
      version = Math.max(version, OPTIONAL_PACKAGE_KEYS.log);
    }
    if (p.size !== undefined) version = Math.max(version, OPTIONAL_PACKAGE_KEYS.size);
  }
  const registries: Record<string, unknown> = {};
  for (const [url, r] of Object.entries(sorted(lock.registries ?? {}))) {
    if (r.log.length === 0) continue;
    const policy = [...new Set(r.requireSignatures ?? [])].sort();
    registries[url] = {
      log: [...r.log],
      ...(policy.length > 0 ? { requireSignatures: policy } : {}),
    };
    version = Math.max(version, policy.length > 0 ? POLICY_VERSION : REGISTRIES_VERSION);
  }
  const fills: Record<string, unknown> = {};
  for (const [component, f] of Object.entries(sorted(lock.fills))) {
    const out: Record<string, unknown> = {};
    for (const [iface, impl] of Object.entries(sorted(f))) {
      out[iface] = { package: impl.package, version: impl.version, digest: impl.digest };
    }
    fills[component] = out;
  }
  return JSON.stringify(
    {
      lockVersion: version,
      ...(Object.keys(registries).length > 0 ? { registries } : {}),
      packages,
      fills,
    },
    null,
    2,
  ) + "\n";
}

/** The locked version of every package, for {@link ResolveOptions.locked}. */
export function lockedVersions(lock: Lock): Record<string, Version> {
  const out: Record<string, Version> = {};
  for (const [name, p] of Object.entries(sorted(lock.packages))) out[name] = p.version;
  return out;
}
