/**
 * Verification of fetched packages against their registry's transparency log and their
 * publishers' signatures (issue 16), for `add`, `install`, `update` and `verify`.
 *
 * For each package from a wreg registry with a log (its `/.well-known/wreg.json` has `log`):
 *
 * 1. The log's verifier key is the one `wreg.lock` pins for the registry; on first use it is
 *    taken only when the user confirms it on a terminal or names it (`--trust-log-key`,
 *    `WREG_TRUST_LOG_KEY`), never silently. A registry serving another key than the pinned one is
 *    refused.
 * 2. The leaf is rebuilt from what the client knows (`wreg-release/v1 <ns:name> <version>
 *    <digest> <signer>`, the signer being the key ID of the bundle the registry serves, or `-`),
 *    and the release's `c2sp.org/tlog-proof@v1` must prove it included in a checkpoint signed by
 *    the pinned key. A registry that serves other bytes than it logged, or strips a signature,
 *    fails here.
 * 3. A bundle must verify with one of the keys the namespace registered (lib/attest); a namespace
 *    that requires signatures must have one.
 * 4. Every checkpoint seen must be consistent with the latest one this user's cache saw for the
 *    log (`<cache>/trust/logs/<origin>+<key ID>/latest`, keyed by the pinned log key, not its name
 *    alone), proven from the log's tiles: a fork is exit 6, with both signed checkpoints kept under
 *    `<cache>/trust/logs/<origin>+<key ID>/evidence/` and named.
 *
 * 5. The signing policy is sticky, trusted on first use like the log key: once a namespace's keys
 *    document said `requireSignatures: true`, wreg.lock records the namespace under
 *    `registries.<url>.requireSignatures`. Afterwards a registry saying the namespace no longer
 *    requires signatures, or serving an unsigned release of it, is exit 6 (offline: the unsigned
 *    release), unless the user accepts the change (`--accept-policy-change <ns>`), which drops the
 *    namespace from the lock. The policy is not in the log (yet), so without this a registry
 *    could turn the requirement off and serve unsigned releases unnoticed.
 *
 * Proofs, bundles and the namespaces' key lists are kept in `<cache>/trust/` so that `wreg
 * verify` and `wreg install` with a warm cache check everything offline. Registries without a log
 * (OCI registries, older wreg registries) keep working: one line says so, nothing is recorded.
 */
import { CliError, EXIT, type Io } from "./_command.ts";
import { cachePath } from "./_cache_dir.ts";
import {
  type NamespaceKeyDoc,
  type NamespaceKeysDoc,
  RegistryClient,
  timeoutFromEnv,
} from "./_client.ts";
import { readTextIfExists, writeFileAtomic } from "./_fs.ts";
import { registryKind } from "./_oci.ts";
import type { Registries } from "./_registries.ts";
import { mapLimit } from "./_sync.ts";
import {
  checkCheckpointsConsistent,
  decodeEntryBundle,
  encodeLogEntry,
  formatTilePath,
  type HashReader,
  leafHash,
  type LogEntry,
  MAX_LOG_ENTRY_SIZE,
  openCheckpoint,
  parseLogEntry,
  parseTlogProof,
  parseVerifierKey,
  type SignedCheckpoint,
  tileHashReader,
  tileWidth,
  TlogError,
  type VerifierKey,
  verifyEntryAt,
  verifyInclusion,
} from "../lib/tlog/mod.ts";
import {
  AttestError,
  parseBundle,
  parsePublicKeyPem,
  publisherKeyId,
  verifyReleaseBundle,
} from "../lib/attest/mod.ts";
import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
import type { Lock, LockedPackage, LockedRegistry } from "../lib/package/mod.ts";

/** The most bytes of a checkpoint fetched from a log. */
const MAX_CHECKPOINT = 64 * 1024;
/** The most bytes of one hash tile (256 hashes). */
const MAX_TILE = 256 * 32;

/** What the user said about trusting logs. */
export interface TrustOptions {
  /** Log verifier keys the user trusts on first use (`--trust-log-key`, `WREG_TRUST_LOG_KEY`). */
  trustLogKeys: readonly string[];
  /** Never use the network (`wreg verify`): check from the cache only. */
  offline?: boolean;
  /**
   * Namespaces whose signing requirement the user accepts seeing dropped
   * (`--accept-policy-change`): see the module's documentation, point 5.
   */
  acceptPolicyChange?: readonly string[];
}

/** What was verified of one package. */
export interface PackageTrust {
  name: string;
  version: string;
  registry: string;
  /**
   * `"logged"`: inclusion (and signature) checked; `"unlogged"`: the registry has no log;
   * `"unchecked"`: installed from the cache, and the lock records no log entry for it.
   */
  status: "logged" | "unlogged" | "unchecked";
  index?: number;
  signer?: string;
  /** The checkpoint size the inclusion was proven against. */
  checkpoint?: number;
}

/** What the cache knows of a digest verified before: where it was found, under which log key. */
export async function cachedRelease(
  io: Io,
  digest: string,
): Promise<{ registry: string; name: string; version: string; log: string[] } | undefined> {
  const text = await readTextIfExists(
    cachePath(io, "trust", "by-digest", digest.slice("sha256:".length)),
  );
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text);
    if (
      typeof v.registry === "string" && typeof v.name === "string" &&
      typeof v.version === "string" && Array.isArray(v.log)
    ) return v;
  } catch { /* not ours */ }
  return undefined;
}

/** How to verify one package: see {@link TrustVerifier.verifyPackage}. */
export type VerifyHow = "fetch" | "cache" | "skip";

/** The namespaces of `--accept-policy-change` (each may be given several times or comma separated). */
export function acceptedPolicyChanges(flags: readonly string[] | undefined): string[] {
  return (flags ?? []).flatMap((f) => f.split(",")).map((n) => n.trim()).filter((n) => n !== "");
}

/** The trust keys given on the command line and in `WREG_TRUST_LOG_KEY` (space separated). */
export function trustLogKeysOf(io: Io, flags: readonly string[] | undefined): string[] {
  const env = io.env.WREG_TRUST_LOG_KEY?.trim();
  return [...(flags ?? []), ...(env ? env.split(/\s+/) : [])];
}

interface LogState {
  registry: string;
  vkeys: string[];
  verifiers: VerifierKey[];
  origin: string;
  /** The log's client (none offline). */
  log?: RegistryClient;
  /** Checkpoint note → its check against the latest seen. */
  seen: Map<string, Promise<void>>;
  /** `<namespace> <key ID>` → the check that the key's registration is in the log. */
  keysLogged: Map<string, Promise<void>>;
  /** Tree size → the hashes of that tree, from the log's tiles. */
  tiles: Map<number, HashReader>;
  /** Checkpoint note → the checkpoint once its signature verified (see `#open`). */
  opened: Map<string, Promise<SignedCheckpoint>>;
  /** Serializes updates of the latest checkpoint. */
  chain: Promise<unknown>;
  /** The latest checkpoint fetched from the log in this run. */
  current?: SignedCheckpoint;
}

function integrity(message: string): never {
  throw new CliError(message, EXIT.integrity);
}

const enc = (s: string) => encodeURIComponent(s);

/**
 * The cache folder name of a log: its origin and the key ID of the pinned verifier key
 * (`<name>+<8 hex>`, as in the vkey), so that two registries whose log keys share a name (the
 * origin) keep separate state: neither can overwrite or wedge the other's latest checkpoint.
 */
export function logDirName(v: { name: string; keyId: number }): string {
  return enc(`${v.name}+${(v.keyId >>> 0).toString(16).padStart(8, "0")}`);
}

/** The verifier of one command run. */
export class TrustVerifier {
  /** One-line notes for the report ("<registry> has no transparency log…"). */
  readonly notes: string[] = [];
  /** Registry → the log keys to pin in the lock. */
  readonly pins = new Map<string, string[]>();
  readonly #states = new Map<string, Promise<LogState | null>>();
  readonly #keys = new Map<string, Promise<NamespaceKeysDoc | undefined>>();
  readonly #noted = new Set<string>();
  readonly #keysKept = new Set<string>();
  /** Registry → namespace → whether its keys document (fetched online) requires signatures. */
  readonly #policySeen = new Map<string, Map<string, boolean>>();

  constructor(
    readonly io: Io,
    readonly registries: Registries | undefined,
    readonly lock: Lock | undefined,
    readonly options: TrustOptions,
  ) {}

  #note(key: string, line: string) {
    if (this.#noted.has(key)) return;
    this.#noted.add(key);
    this.notes.push(line);
  }

  #trustDir(...parts: string[]): string {
    return cachePath(this.io, "trust", ...parts);
  }

  #releasePath(registry: string, name: string, version: string, ext: string): string {
    const [ns, pkg] = name.split(":");
    return this.#trustDir("releases", enc(registry), ns, pkg, `${version}.${ext}`);
  }

  /** The pinned keys of a registry: the lock's. */
  #pinned(registry: string): readonly string[] | undefined {
    const r = this.lock?.registries?.[registry];
    return r !== undefined && r.log.length > 0 ? r.log : undefined;
  }

  /** Whether wreg.lock records that the namespace required signatures at the registry. */
  #sticky(registry: string, namespace: string): boolean {
    return this.lock?.registries?.[registry]?.requireSignatures?.includes(namespace) ?? false;
  }

  /**
   * The sticky signing policy (module documentation, point 5): refuses a namespace that wreg.lock
   * saw requiring signatures when the registry now says it does not (online) or serves `label`
   * unsigned, unless the user accepted the change. Records what the registry says now.
   */
  #checkPolicy(
    state: LogState,
    registry: string,
    namespace: string,
    keys: NamespaceKeysDoc | undefined,
    signed: boolean,
    label: string,
  ): void {
    const now = keys?.requireSignatures === true;
    if (state.log !== undefined) {
      let m = this.#policySeen.get(registry);
      if (m === undefined) this.#policySeen.set(registry, m = new Map());
      m.set(namespace, (m.get(namespace) ?? true) && now);
    }
    if (!this.#sticky(registry, namespace)) return;
    if (this.options.acceptPolicyChange?.includes(namespace)) {
      if ((state.log !== undefined && !now) || !signed) {
        this.#note(
          `policy ${registry} ${namespace}`,
          `accepted: namespace ${namespace} at ${registry} no longer requires signed releases ` +
            `(wreg.lock recorded that it did; the record is dropped)`,
        );
        let m = this.#policySeen.get(registry);
        if (m === undefined) this.#policySeen.set(registry, m = new Map());
        m.set(namespace, false);
      }
      return;
    }
    const accept = `if the namespace's owner really allows unsigned releases now, accept the ` +
      `change with \`wreg install --accept-policy-change ${namespace}\` (or add, update)`;
    if (state.log !== undefined && !now) {
      integrity(
        `Cannot trust ${label}: wreg.lock recorded that namespace ${namespace} at ${registry} ` +
          `requires signed releases, and the registry now says it does not (the signing policy ` +
          `is not in the log: a registry could drop it to serve unsigned releases); ${accept}`,
      );
    }
    if (!signed) {
      integrity(
        `Cannot trust ${label}: wreg.lock recorded that namespace ${namespace} at ${registry} ` +
          `requires signed releases, and ${
            state.log !== undefined ? "the registry served" : "the cache holds"
          } this release unsigned; ${accept}`,
      );
    }
  }

  /** The log of a registry (or `null`: it has none), with its key pinned, checked online. */
  state(registry: string, online: boolean): Promise<LogState | null> {
    const key = `${online ? "on" : "off"} ${registry}`;
    let s = this.#states.get(key);
    if (s === undefined) {
      s = online && !this.options.offline ? this.#online(registry) : this.#offline(registry);
      this.#states.set(key, s);
    }
    return s;
  }

  async #offline(registry: string): Promise<LogState | null> {
    const pinned = this.#pinned(registry);
    if (pinned === undefined) return null;
    return await this.#makeState(registry, [...pinned], undefined);
  }

  async #online(registry: string): Promise<LogState | null> {
    const client = this.registries!.client(registry);
    const wk = await client.wellKnown();
    const log = wk?.log as { url?: unknown; verifierKey?: unknown } | undefined;
    const pinned = this.#pinned(registry);
    if (typeof log?.url !== "string" || typeof log?.verifierKey !== "string") {
      if (pinned !== undefined) {
        integrity(
          `Cannot trust ${registry}: wreg.lock pins its transparency log key ${pinned[0]}, but ` +
            `the registry now serves no log (a downgrade); if the registry really dropped its ` +
            `log, remove registries[${JSON.stringify(registry)}] from wreg.lock`,
        );
      }
      this.#note(
        `nolog ${registry}`,
        `note: ${registry} has no transparency log: its packages are checked by digest only`,
      );
      return null;
    }
    const served = log.verifierKey;
    let vkeys: string[];
    if (pinned !== undefined) {
      if (!pinned.includes(served)) {
        integrity(
          `Cannot trust ${registry}: wreg.lock pins its transparency log key ${
            pinned.join(", ")
          }, ` +
            `but the registry now serves ${served}; if the change was announced, remove ` +
            `registries[${JSON.stringify(registry)}] from wreg.lock and pin the new key ` +
            `(--trust-log-key)`,
        );
      }
      vkeys = [...pinned];
    } else {
      vkeys = [this.#firstUse(registry, served)];
    }
    this.pins.set(registry, vkeys);
    let logUrl: string;
    try {
      const u = new URL(log.url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
      logUrl = u.href.replace(/\/+$/, "");
    } catch {
      throw new CliError(
        `Cannot use the transparency log of ${registry}: its log URL ${
          JSON.stringify(String(log.url).slice(0, 200))
        } is not an http(s) URL`,
        EXIT.registry,
      );
    }
    const state = await this.#makeState(
      registry,
      vkeys,
      new RegistryClient({ url: logUrl, timeoutMs: timeoutFromEnv(this.io.env) }),
    );
    // The log's current checkpoint: the run sees the newest tree, and a fork since the last run
    // is found even when every proof comes from the cache.
    const bytes = await state.log!.raw("/checkpoint", {
      action: `fetch the checkpoint of ${state.origin}`,
      limit: MAX_CHECKPOINT,
    });
    const cp = await this.#openCheckpoint(
      state,
      new TextDecoder().decode(bytes!),
      "its checkpoint",
    );
    state.current = cp;
    await this.#see(state, cp);
    return state;
  }

  #firstUse(registry: string, served: string): string {
    const given = this.options.trustLogKeys;
    if (given.includes(served)) {
      this.#note(`pin ${registry}`, `pinned the transparency log key of ${registry}: ${served}`);
      return served;
    }
    const name = served.split("+")[0];
    const other = given.find((k) => k.split("+")[0] === name);
    if (other !== undefined) {
      integrity(
        `Cannot trust ${registry}: it serves the transparency log key ${served}, not the key ` +
          `${other} you named`,
      );
    }
    if (this.io.prompt !== undefined) {
      const answer = this.io.prompt(
        `${registry} signs its transparency log with the key\n  ${served}\n` +
          `Trust it for this project (it is pinned in wreg.lock)? [y/N]`,
        "n",
      );
      if (answer !== null && /^y(es)?$/i.test(answer.trim())) {
        this.#note(`pin ${registry}`, `pinned the transparency log key of ${registry}: ${served}`);
        return served;
      }
      throw new CliError(
        `Not trusted: the transparency log key of ${registry} was not accepted`,
        EXIT.usage,
      );
    }
    throw new CliError(
      `Cannot trust ${registry} on first use outside a terminal: it signs its transparency log ` +
        `with ${served}; check that key out of band, then pass --trust-log-key ${served} (or set ` +
        `WREG_TRUST_LOG_KEY) to pin it in wreg.lock`,
      EXIT.usage,
    );
  }

  async #makeState(
    registry: string,
    vkeys: string[],
    log: RegistryClient | undefined,
  ): Promise<LogState> {
    let verifiers: VerifierKey[];
    try {
      verifiers = await Promise.all(vkeys.map(parseVerifierKey));
    } catch (e) {
      if (e instanceof TlogError) {
        throw new CliError(`Cannot use the log key of ${registry}: ${e.message}`, EXIT.usage);
      }
      throw e;
    }
    return {
      registry,
      vkeys,
      verifiers,
      origin: verifiers[0].name,
      log,
      seen: new Map(),
      opened: new Map(),
      keysLogged: new Map(),
      tiles: new Map(),
      chain: Promise.resolve(),
    };
  }

  /**
   * A checkpoint note opened with the pinned keys. Each distinct note's signature is checked once
   * per run: the log's current checkpoint, the latest one seen and a lock's proofs mostly share one.
   */
  #open(state: LogState, note: string): Promise<SignedCheckpoint> {
    let p = state.opened.get(note);
    if (p === undefined) {
      p = openCheckpoint(note, state.verifiers, state.origin).then(({ opened: _, ...cp }) => cp);
      p.catch(() => {});
      state.opened.set(note, p);
    }
    return p;
  }

  async #openCheckpoint(state: LogState, note: string, what: string): Promise<SignedCheckpoint> {
    try {
      return await this.#open(state, note);
    } catch (e) {
      if (e instanceof TlogError) {
        const path = await this.#evidence(state, "checkpoint", [["checkpoint", note]]);
        integrity(
          `Cannot trust ${state.registry}: ${what} is not signed by the pinned log key ` +
            `${state.vkeys.join(", ")}: ${e.message}; evidence kept in ${path}`,
        );
      }
      throw e;
    }
  }

  /** Keeps files as evidence; resolves to their folder. */
  async #evidence(
    state: LogState,
    what: string,
    files: [string, string][],
  ): Promise<string> {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const dir = this.#trustDir(
      "logs",
      logDirName(state.verifiers[0]),
      "evidence",
      `${stamp}-${what}`,
    );
    for (const [name, text] of files) await writeFileAtomic(`${dir}/${name}`, text);
    return dir;
  }

  /**
   * Checks a signed checkpoint against the latest one seen for its log (consistency proven from
   * the log's tiles) and keeps the larger as the latest.
   */
  #see(state: LogState, cp: SignedCheckpoint): Promise<void> {
    let p = state.seen.get(cp.note);
    if (p === undefined) {
      p = state.chain.then(() => this.#check(state, cp));
      state.chain = p.catch(() => {});
      state.seen.set(cp.note, p);
    }
    return p;
  }

  async #check(state: LogState, cp: SignedCheckpoint): Promise<void> {
    const path = this.#trustDir("logs", logDirName(state.verifiers[0]), "latest");
    const text = await readTextIfExists(path);
    if (text === undefined) {
      // Offline (`wreg verify`, a lock from anywhere) nothing is stored: only checkpoints fetched
      // from the registry whose key the lock pins become the latest seen.
      if (state.log !== undefined) await writeFileAtomic(path, cp.note);
      return;
    }
    let latest: SignedCheckpoint;
    try {
      latest = await this.#open(state, text);
    } catch (e) {
      if (!(e instanceof TlogError)) throw e;
      return integrity(
        `Cannot trust ${state.registry}: the latest checkpoint this machine saw (${path}) does ` +
          `not verify with the pinned log key ${state.vkeys.join(", ")} (${e.message}); if you ` +
          `pinned a new key on purpose, delete that file`,
      );
    }
    if (latest.size !== cp.size && state.log === undefined) {
      // Offline: a proof of another size cannot be compared without tiles; it was compared with
      // the latest when it was fetched.
      return;
    }
    try {
      const larger = await checkCheckpointsConsistent(
        latest,
        cp,
        (size) => this.#tiles(state, size),
      );
      if (larger === cp && cp.size > latest.size) {
        // Another process may have stored a larger one meanwhile: keep the larger.
        const again = await readTextIfExists(path);
        if (again === text) await writeFileAtomic(path, cp.note);
      }
    } catch (e) {
      if (!(e instanceof TlogError)) throw e;
      const dir = await this.#evidence(state, "fork", [
        [`checkpoint-seen-size-${latest.size}`, latest.note],
        [`checkpoint-new-size-${cp.size}`, cp.note],
      ]);
      const fork = e.code === "inconsistent";
      integrity(
        `${fork ? "SECURITY ERROR: the transparency log" : "Cannot trust the transparency log"} ` +
          `of ${state.registry} (${state.origin}) ${
            fork
              ? "was forked or rewritten"
              : "could not prove that its new checkpoint extends the one seen before"
          }: this machine saw a checkpoint of size ${latest.size}, and the registry now shows ` +
          `one of size ${cp.size} (${e.message}); both signed checkpoints are kept as evidence: ` +
          `${dir}/checkpoint-seen-size-${latest.size} and ${dir}/checkpoint-new-size-${cp.size}`,
      );
    }
  }

  /**
   * Checks that a key the registry lists for a namespace was registered in its log: the entry at
   * the key's log index is `wreg-key/v1 <namespace> add <key ID> <base64 DER key>` for exactly this
   * key, included in the log's current checkpoint (proven from its tiles). A registry cannot
   * vouch for a key it never logged (a monitor of the log sees every key it adds).
   */
  #keyLogged(
    state: LogState,
    namespace: string,
    k: NamespaceKeyDoc,
    action: "add" | "revoke" = "add",
  ): Promise<void> {
    const memo = `${namespace} ${k.keyId} ${action}`;
    let p = state.keysLogged.get(memo);
    if (p === undefined) {
      p = (async () => {
        const cp = state.current!;
        const index = action === "add" ? k.log?.index : k.revokeLog?.index;
        const not = (why: string): never =>
          integrity(
            action === "add"
              ? `Cannot trust ${state.registry}: it lists key ${k.keyId} for namespace ` +
                `${namespace}, but ${why} (a key must be registered in the transparency log)`
              : `Cannot trust ${state.registry}: it says key ${k.keyId} of namespace ` +
                `${namespace} was revoked, but ${why} (a revocation must be in the transparency log)`,
          );
        if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
          return not("gives no log index for it");
        }
        if (index >= cp.size) {
          return not(`its log index ${index} is beyond the log's checkpoint of size ${cp.size}`);
        }
        const bundleIndex = Math.floor(index / 256);
        const width = tileWidth("entries", bundleIndex, cp.size);
        const path = formatTilePath({ level: "entries", index: bundleIndex, width });
        const bytes = await state.log!.raw(`/${path}`, {
          action: `fetch ${path} of ${state.origin}`,
          limit: 256 * (MAX_LOG_ENTRY_SIZE + 2),
          allow404: true,
        });
        if (bytes === undefined) return not(`the log serves no ${path}`);
        let entry: Uint8Array;
        let parsed: LogEntry;
        try {
          entry = decodeEntryBundle(bytes, width)[index % 256];
          parsed = parseLogEntry(entry);
        } catch (e) {
          if (!(e instanceof TlogError)) throw e;
          return not(`its log entry ${index} is unreadable (${e.message})`);
        }
        let spki: Uint8Array;
        try {
          spki = parsePublicKeyPem(k.publicKey);
        } catch {
          return not("its public key is not an Ed25519 PEM key");
        }
        const matches = action === "add"
          ? parsed.type === "key-add" && parsed.namespace === namespace &&
            parsed.keyId === k.keyId && parsed.publicKey.toBase64() === spki.toBase64() &&
            await publisherKeyId(spki) === k.keyId
          : parsed.type === "key-revoke" && parsed.namespace === namespace &&
            parsed.keyId === k.keyId;
        if (!matches) {
          return not(
            `its log entry ${index} is ${
              JSON.stringify(new TextDecoder().decode(entry).trimEnd())
            }`,
          );
        }
        try {
          await verifyEntryAt(entry, index, cp, this.#tiles(state, cp.size));
        } catch (e) {
          if (!(e instanceof TlogError)) throw e;
          return not(`the log's tiles do not prove entry ${index} (${e.message})`);
        }
      })();
      p.catch(() => {});
      state.keysLogged.set(memo, p);
    }
    return p;
  }

  /** The hashes of the log's tree of `size`, read from its tiles (each fetched once). */
  #tiles(state: LogState, size: number): HashReader {
    let r = state.tiles.get(size);
    if (r === undefined) {
      r = tileHashReader(size, async (tile) => {
        const bytes = await state.log!.raw(`/${formatTilePath(tile)}`, {
          action: `fetch tile ${formatTilePath(tile)} of ${state.origin}`,
          limit: MAX_TILE,
          allow404: true,
        });
        if (bytes === undefined) {
          throw new TlogError(
            "bad-consistency-proof",
            `the log serves no tile ${formatTilePath(tile)} for its tree of size ${size}`,
          );
        }
        return bytes;
      });
      state.tiles.set(size, r);
    }
    return r;
  }

  #keysPath(state: LogState, namespace: string): string {
    return this.#trustDir("keys", enc(state.registry), `${namespace}.json`);
  }

  /**
   * The key list of a namespace (fetched once per run). It is kept in the cache for offline
   * checks only once a release verified with it ({@link #keepKeys}): a list refused online (a key
   * not in the log) never vouches offline.
   */
  #namespaceKeys(state: LogState, namespace: string): Promise<NamespaceKeysDoc | undefined> {
    // Online and offline lists apart: a release fetched now is checked against the list the
    // registry serves now, not one cached by an earlier run.
    const key = `${state.log === undefined ? "off" : "on"} ${state.registry} ${namespace}`;
    let p = this.#keys.get(key);
    if (p === undefined) {
      const path = this.#keysPath(state, namespace);
      p = (async () => {
        if (state.log === undefined) {
          const text = await readTextIfExists(path);
          return text === undefined ? undefined : JSON.parse(text) as NamespaceKeysDoc;
        }
        return await this.registries!.client(state.registry).namespaceKeys(namespace);
      })();
      this.#keys.set(key, p);
    }
    return p;
  }

  /** Caches a key list fetched online, after a release of its namespace verified with it. */
  async #keepKeys(state: LogState, namespace: string, doc: NamespaceKeysDoc | undefined) {
    if (state.log === undefined || doc === undefined) return;
    const key = `${state.registry} ${namespace}`;
    if (this.#keysKept.has(key)) return;
    this.#keysKept.add(key);
    await writeFileAtomic(this.#keysPath(state, namespace), `${JSON.stringify(doc)}\n`);
  }

  /**
   * Verifies one package (see the module's documentation). `how`: `fetch` its proof and bundle
   * from the registry; `cache`: use the cached ones when the lock pins the registry and has the
   * package's index, else fetch; `skip`: leave it as the lock has it (an `install` of a package
   * from the cache that the lock recorded no log entry for). Resolves to the package with its log
   * index and signer.
   */
  async verifyPackage(
    name: string,
    p: LockedPackage,
    how: VerifyHow,
  ): Promise<{ locked: LockedPackage; trust: PackageTrust }> {
    const label = `${name}@${p.version}`;
    const base = { name, version: p.version, registry: p.registry };
    const plain = (): { locked: LockedPackage; trust: PackageTrust } => {
      const { log: _, signer: __, ...rest } = p;
      return { locked: rest, trust: { ...base, status: "unlogged" } };
    };
    if (how === "skip") return { locked: p, trust: { ...base, status: "unchecked" } };
    if (registryKind(p.registry) !== "wreg") {
      this.#note(
        `nolog ${p.registry}`,
        `note: ${p.registry} is an OCI registry, without a transparency log: its packages are ` +
          `checked by digest only`,
      );
      return plain();
    }
    const proofPath = this.#releasePath(p.registry, name, p.version, "tlog-proof");
    const bundlePath = this.#releasePath(p.registry, name, p.version, "sigstore.json");
    let proofText = await readTextIfExists(proofPath);
    let bundleText = await readTextIfExists(bundlePath);
    // A release's proof and bundle never change: a cached proof (from any project on this
    // machine) is verified again instead of fetched. The registry itself is asked (its key, its
    // current checkpoint) when the lock pins nothing for it yet, or for what is new to the lock.
    const goOnline = !this.options.offline && proofText === undefined;
    const state = await this.state(
      p.registry,
      goOnline ||
        (!this.options.offline &&
          (how === "fetch" || this.#pinned(p.registry) === undefined || p.log === undefined)),
    );
    if (state === null) {
      if (this.options.offline && p.log !== undefined) {
        throw new CliError(
          `Cannot verify ${label} offline: wreg.lock pins no log key for ${p.registry}`,
          EXIT.usage,
        );
      }
      return plain();
    }
    if (goOnline) {
      const client = this.registries!.client(p.registry);
      proofText = await client.logProof(name, p.version);
      if (proofText === undefined) {
        integrity(
          `Cannot trust ${label}: ${p.registry} has a transparency log but serves no log proof ` +
            `for it (a release must be logged to be installed)`,
        );
      }
      bundleText = await client.signature(name, p.version);
    } else if (proofText === undefined) {
      throw new CliError(
        `Cannot verify ${label} offline: its log proof is not in the cache (${proofPath}); run ` +
          "`wreg install` online once",
        EXIT.usage,
      );
    }
    const subject = {
      package: parsePackageName(name),
      version: parseVersion(p.version),
      digest: p.digest,
    };
    // The signature: made by a key the namespace registered, naming these bytes.
    let signer: string | null = null;
    const keys = await this.#namespaceKeys(state, subject.package.namespace);
    this.#checkPolicy(
      state,
      p.registry,
      subject.package.namespace,
      keys,
      bundleText !== undefined,
      label,
    );
    if (bundleText !== undefined) {
      try {
        signer = parseBundle(bundleText).keyId;
        const listed = keys?.keys.find((k) => k.keyId === signer);
        if (listed !== undefined && state.log !== undefined) {
          await this.#keyLogged(state, subject.package.namespace, listed);
        }
        const map = new Map<string, Uint8Array>();
        for (const k of keys?.keys ?? []) {
          try {
            map.set(k.keyId, parsePublicKeyPem(k.publicKey));
          } catch { /* a key wreg cannot read verifies nothing */ }
        }
        await verifyReleaseBundle(bundleText, subject, map);
      } catch (e) {
        if (!(e instanceof AttestError)) throw e;
        const dir = await this.#evidence(state, `signature-${name}@${p.version}`, [[
          "bundle.sigstore.json",
          bundleText,
        ]]);
        integrity(
          e.code === "unknown-key"
            ? `Cannot trust ${label}: it is signed by key ${signer}, which namespace ${subject.package.namespace} at ${p.registry} never registered (or revoked); the signature is kept as evidence in ${dir}`
            : `Cannot trust ${label}: its signature does not hold (${e.message}); kept as evidence in ${dir}`,
        );
      }
    } else if (keys?.requireSignatures) {
      integrity(
        `Cannot trust ${label}: namespace ${subject.package.namespace} at ${p.registry} requires ` +
          `signed releases, and the registry served no signature for it (stripped or never made)`,
      );
    }
    // Inclusion of exactly these bytes (and this signer) in the log.
    const entry = encodeLogEntry({ type: "release", ...subject, signer });
    let index: number;
    let checkpoint: SignedCheckpoint;
    try {
      // The proof's checkpoint (its signature checked once per run), then the inclusion of this
      // entry in it.
      const proof = parseTlogProof(proofText!);
      checkpoint = await this.#open(state, proof.checkpoint);
      index = proof.index;
      await verifyInclusion(
        await leafHash(entry),
        index,
        checkpoint.size,
        proof.path,
        checkpoint.root,
      );
    } catch (e) {
      if (!(e instanceof TlogError)) throw e;
      const dir = await this.#evidence(state, `proof-${name}@${p.version}`, [
        ["entry", new TextDecoder().decode(entry)],
        ["log-proof", proofText!],
      ]);
      const why = e.code === "not-included"
        ? `the log does not hold the entry ${
          JSON.stringify(new TextDecoder().decode(entry).trimEnd())
        } (the registry serves other bytes or another signature than it logged)`
        : e.code === "unverified-note" || e.code === "bad-signature"
        ? `its proof's checkpoint is not signed by the pinned log key ${state.vkeys.join(", ")}`
        : `its log proof does not verify`;
      const from = goOnline ? `the proof ${p.registry} served` : `the proof cached in ${proofPath}`;
      integrity(`Cannot trust ${label}: ${why}: ${e.message} (${from}); evidence kept in ${dir}`);
    }
    // The signing key was registered before the release and not revoked before it.
    if (signer !== null) {
      const k = keys!.keys.find((k) => k.keyId === signer)!;
      const added = k.log?.index;
      if (typeof added === "number" && added > index) {
        integrity(
          `Cannot trust ${label}: it is signed by key ${signer}, which namespace ` +
            `${subject.package.namespace} registered at log entry ${added}, after the release ` +
            `(entry ${index})`,
        );
      }
      if (k.revoked) {
        const revokedAt = k.revokeLog?.index;
        if (typeof revokedAt !== "number" || !Number.isSafeInteger(revokedAt)) {
          integrity(
            `Cannot trust ${label}: it is signed by key ${signer}, which namespace ` +
              `${subject.package.namespace} revoked, and ${p.registry} does not say where the ` +
              `revocation is in its log`,
          );
        }
        if (state.log !== undefined) {
          await this.#keyLogged(state, subject.package.namespace, k, "revoke");
        }
        if (revokedAt < index) {
          integrity(
            `Cannot trust ${label}: it is signed by key ${signer}, which namespace ` +
              `${subject.package.namespace} revoked at log entry ${revokedAt}, before the ` +
              `release (entry ${index})`,
          );
        }
      }
    }
    if (p.log !== undefined && p.log.index !== index) {
      integrity(
        `Cannot trust ${label}: wreg.lock has it at log index ${p.log.index}, and the registry's ` +
          `proof at ${index}`,
      );
    }
    if (p.log !== undefined && (p.signer ?? null) !== signer) {
      integrity(
        `Cannot trust ${label}: wreg.lock records it ${
          p.signer ? `signed by ${p.signer}` : "unsigned"
        }, and the registry now serves it ${signer ? `signed by ${signer}` : "unsigned"}`,
      );
    }
    await this.#see(state, checkpoint);
    await this.#keepKeys(state, subject.package.namespace, keys);
    if (goOnline) {
      await writeFileAtomic(proofPath, proofText!);
      if (bundleText !== undefined) await writeFileAtomic(bundlePath, bundleText);
      await writeFileAtomic(
        this.#trustDir("by-digest", p.digest.slice("sha256:".length)),
        `${JSON.stringify({ registry: p.registry, name, version: p.version, log: state.vkeys })}\n`,
      );
    }
    const { signer: _, ...rest } = p;
    return {
      locked: { ...rest, log: { index }, ...(signer === null ? {} : { signer }) },
      trust: {
        ...base,
        status: "logged",
        index,
        ...(signer === null ? {} : { signer }),
        checkpoint: checkpoint.size,
      },
    };
  }

  /**
   * Verifies every package of a lock; resolves to the lock with each package's log index and
   * signer and the registries' pinned log keys. `how(name)`: see {@link verifyPackage}.
   */
  async verifyLock(
    lock: Lock,
    how: (name: string) => VerifyHow,
  ): Promise<{ lock: Lock; packages: PackageTrust[] }> {
    const names = Object.keys(lock.packages).sort();
    const results = await mapLimit(
      names,
      4,
      (name) => this.verifyPackage(name, lock.packages[name], how(name)),
    );
    const packages: Record<string, LockedPackage> = {};
    names.forEach((n, i) => packages[n] = results[i].locked);
    const registries: Record<string, LockedRegistry> = {};
    const used = new Set(Object.values(packages).map((p) => p.registry));
    for (const [url, r] of Object.entries(lock.registries ?? {})) {
      if (used.has(url)) registries[url] = r;
    }
    for (const [url, vkeys] of this.pins) {
      if (used.has(url)) registries[url] = { ...registries[url], log: vkeys };
    }
    // The sticky signing policies: kept, plus namespaces seen requiring signatures now, minus
    // those whose change the user accepted.
    for (const [url, r] of Object.entries(registries)) {
      const seen = this.#policySeen.get(url) ?? new Map<string, boolean>();
      const policy = new Set(r.requireSignatures ?? []);
      for (const [ns, required] of seen) {
        if (required) policy.add(ns);
        else if (this.options.acceptPolicyChange?.includes(ns)) policy.delete(ns);
      }
      const { requireSignatures: _, ...rest } = r;
      registries[url] = policy.size > 0 ? { ...rest, requireSignatures: [...policy].sort() } : rest;
    }
    return {
      lock: {
        ...(Object.keys(registries).length > 0 ? { registries } : {}),
        packages,
        fills: lock.fills,
      },
      packages: results.map((r) => r.trust),
    };
  }
}
