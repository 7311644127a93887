/**
 * The state one registry process keeps beside its storage: options and limits, the clock, and
 * caches of immutable things (decoded releases and hot blob bytes, by digest) and of derived
 * responses (package and index documents, search answers), dropped whenever the storage signals a
 * change.
 *
 * Nothing here needs the process to be alone: what must hold across processes lives in the
 * storage contract (the per-package lock, the digests held by publishes in flight, and the change
 * signal that drops these caches, from this process's writes at once and from other processes'
 * within moments). Several registry processes can serve one PostgreSQL + S3 storage.
 */
import type { DecodeLimits } from "../lib/component/mod.ts";
import { type Digest, parsePackageName } from "../lib/names/mod.ts";
import type { Storage, StoreChange } from "../storage/mod.ts";
import type { Release } from "./_compat.ts";
import { DEFAULT_THROTTLE_LIMITS, FailureThrottle, type ThrottleLimits } from "./_throttle.ts";
import {
  acquireDecoder,
  type Decoded,
  type DecodedWithDocument,
  type DecoderPool,
  releaseDecoder,
} from "./_decoder.ts";
import type { DeriveRequest } from "./_document.ts";
import { concat } from "./_http.ts";
import { type OciOptions, OciState } from "./oci/_state.ts";
import type { Mirror, MirrorOptions } from "./_mirror.ts";
import type { SignerKey } from "../lib/tlog/mod.ts";
import { ephemeralLogKey, RegistryLog } from "./_log.ts";

/** Namespaces no publish may claim on any registry: the WebAssembly System Interface's. */
export const ALWAYS_RESERVED: readonly string[] = ["wasi"];

/** Shortest admin token accepted (a short one could be guessed; failures are throttled too). */
export const MIN_ADMIN_TOKEN = 16;

/** Limits on what clients may send and ask for. */
export interface RegistryLimits {
  /** Largest publish body, in bytes (default 256 MiB). */
  maxUploadBytes: number;
  /** Largest JSON request body, in bytes (default 64 KiB). */
  maxJsonBytes: number;
  /** Limits of the component decoder for published bytes (missing fields: its defaults). */
  decode: Partial<DecodeLimits>;
  /** Longest one decode may take, in ms (default 30 s); an overrun is refused as a limit. */
  decodeTimeoutMs: number;
  /** How many decoder worker threads run at once (default 2). */
  decodeWorkers: number;
  /** Largest version document (WIT text, docs, metadata) as JSON, in bytes (default 8 MiB). */
  maxDocumentBytes: number;
  /** Bytes of blobs kept in memory for downloads (default 128 MiB; 0 turns the cache off). */
  blobCacheBytes: number;
  /** Largest blob the cache keeps (default 8 MiB); larger ones stream from storage. */
  blobCacheMaxBlob: number;
}

/** The limits used when none are given. */
export const DEFAULT_REGISTRY_LIMITS: Readonly<RegistryLimits> = Object.freeze({
  maxUploadBytes: 256 * 1024 * 1024,
  maxJsonBytes: 64 * 1024,
  decode: {},
  decodeTimeoutMs: 30_000,
  decodeWorkers: 2,
  maxDocumentBytes: 8 * 1024 * 1024,
  blobCacheBytes: 128 * 1024 * 1024,
  blobCacheMaxBlob: 8 * 1024 * 1024,
});

/** Options of `createApp` and `createRegistry`. */
export interface AppOptions {
  /** Where packages live: `openStorage` (embedded) or `openMemoryStorage` (tests). */
  storage: Storage;
  /**
   * The admin token's secret: it creates and revokes tokens and manages any namespace. Without
   * one, those routes answer `admin-disabled`.
   */
  adminToken?: string;
  /** Limits; missing fields take {@link DEFAULT_REGISTRY_LIMITS}. */
  limits?: Partial<RegistryLimits>;
  /** How failed authentication is throttled per client (registry/_throttle.ts). */
  throttle?: Partial<ThrottleLimits>;
  /**
   * Namespaces a first publish may not claim, besides `wasi` (always reserved): an admin gives
   * them to their owners with `PUT /api/v1/namespaces/{namespace}`.
   */
  reservedNamespaces?: readonly string[];
  /** The clock (tests); the storage stamps its own rows. */
  clock?: () => Date;
  /**
   * Called with every server fault (a 5xx answer) and its request id; default: `console.error`.
   */
  onServerError?: (error: unknown, request: Request, requestId: string) => void;
  /** How the registry speaks OCI on `/v2` (registry/oci): namespace prefix, upload limits. */
  oci?: Partial<OciOptions>;
  /** Namespaces mirrored from upstream OCI registries (registry/_mirror.ts). */
  mirror?: MirrorOptions;
  /**
   * The transparency log's signing key (registry/_log.ts `loadLogKey`); without one, a key is
   * made for this registry object only (fine in memory, wrong for a storage that outlives it).
   */
  logKey?: SignerKey | Promise<SignerKey>;
}

/** A decoded release kept in memory, by digest. */
export type CachedRelease = Release & { digest: Digest };

/** A small least-recently-used map. */
export class Lru<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly capacity: number) {}
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as K);
  }
  delete(key: K): void {
    this.#map.delete(key);
  }
  clear(): void {
    this.#map.clear();
  }
}

/**
 * Blob bytes kept in memory, least recently used out first, bounded by their total size. Blobs
 * are immutable, so a cached one is never stale; downloads of hot packages skip the file system.
 */
export class BlobCache {
  readonly #map = new Map<string, Uint8Array>();
  #bytes = 0;
  constructor(readonly maxBytes: number, readonly maxBlob: number) {}
  /** Whether a blob of this size is worth keeping. */
  fits(size: number): boolean {
    return size <= this.maxBlob && size <= this.maxBytes;
  }
  get(digest: string): Uint8Array | undefined {
    const v = this.#map.get(digest);
    if (v !== undefined) {
      this.#map.delete(digest);
      this.#map.set(digest, v);
    }
    return v;
  }
  set(digest: string, bytes: Uint8Array): void {
    if (!this.fits(bytes.length) || this.#map.has(digest)) return;
    this.#map.set(digest, bytes);
    this.#bytes += bytes.length;
    for (const [k, v] of this.#map) {
      if (this.#bytes <= this.maxBytes) break;
      this.#map.delete(k);
      this.#bytes -= v.length;
    }
  }
  delete(digest: string): void {
    const v = this.#map.get(digest);
    if (v === undefined) return;
    this.#map.delete(digest);
    this.#bytes -= v.length;
  }
}

/**
 * A bounded map that forgets everything when full: reads cost one lookup (no reordering), for
 * caches that are dropped on every change anyway.
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly capacity: number) {}
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  set(key: K, value: V): void {
    if (this.#map.size >= this.capacity && !this.#map.has(key)) this.#map.clear();
    this.#map.set(key, value);
  }
  clear(): void {
    this.#map.clear();
  }
}

/** A cached JSON response: its text, the same as UTF-8, and its entity tag. */
export interface CachedJson {
  text: string;
  bytes: Uint8Array;
  etag: string;
}

/** Everything a handler needs. */
export class Context {
  readonly storage: Storage;
  readonly limits: RegistryLimits;
  readonly now: () => Date;
  readonly adminToken: string | undefined;
  readonly onServerError: NonNullable<AppOptions["onServerError"]>;
  /** The decoder threads. */
  readonly decoder: DecoderPool;
  /** Decoded releases by digest (immutable, so never stale). */
  readonly releases = new Lru<string, CachedRelease>(64);
  /**
   * Verdicts of the world index and of interface searches ("does the component with digest D
   * implement world W of the WIT package with digest E"), keyed by digests: facts that never go
   * stale, so they are kept across changes (bounded).
   */
  readonly verdicts = new Lru<string, { ok: boolean; matched: string[] }>(200_000);
  /** Package documents, index documents and search answers; dropped on every change. */
  readonly responses = new BoundedCache<string, CachedJson>(4096);
  /** Hot blob bytes for downloads. */
  readonly blobs: BlobCache;
  /** The OCI surface's settings and caches (registry/oci). */
  readonly oci: OciState;
  /** The transparency log (registry/_log.ts). */
  readonly log: RegistryLog;
  /** The mirror of upstream namespaces, when any is configured (set by createRegistry). */
  mirror: Mirror | undefined;
  /** Bumped on every change the storage signals; search caches key on it. */
  generation = 0;
  readonly #touched = new Map<string, number>();
  readonly #unsubscribe: () => void;
  /** Set when the server starts draining: new writes are refused with 503 (registry/_app.ts). */
  draining = false;
  /** Namespaces only an admin can create (`wasi` and `AppOptions.reservedNamespaces`). */
  readonly reservedNamespaces: ReadonlySet<string>;
  /** Failed authentication per client (registry/_auth.ts). */
  readonly authFailures: FailureThrottle;
  /** The client of each request being answered, when it came over TCP (registry/_app.ts). */
  readonly clients = new WeakMap<Request, string>();
  #closed = false;

  constructor(options: AppOptions) {
    this.storage = options.storage;
    this.limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
    this.now = options.clock ?? (() => new Date());
    this.adminToken = options.adminToken === "" ? undefined : options.adminToken;
    if (this.adminToken !== undefined && this.adminToken.length < MIN_ADMIN_TOKEN) {
      throw new Error(
        `Cannot use the admin token: it has ${this.adminToken.length} characters, at least ${MIN_ADMIN_TOKEN} are needed`,
      );
    }
    this.reservedNamespaces = new Set([
      ...ALWAYS_RESERVED,
      ...(options.reservedNamespaces ?? []).map((n) => parsePackageName(`${n}:x`).namespace),
    ]);
    this.authFailures = new FailureThrottle({ ...DEFAULT_THROTTLE_LIMITS, ...options.throttle });
    this.onServerError = options.onServerError ??
      ((e, req, id) => console.error(`[${id}] ${req.method} ${new URL(req.url).pathname}:`, e));
    this.decoder = acquireDecoder(this.limits.decodeWorkers);
    this.blobs = new BlobCache(this.limits.blobCacheBytes, this.limits.blobCacheMaxBlob);
    this.oci = new OciState(options.oci);
    this.log = new RegistryLog(
      this.storage.metadata,
      Promise.resolve(options.logKey ?? ephemeralLogKey()),
    );
    this.#unsubscribe = this.storage.metadata.onChange((change) => this.changed(change));
  }

  /** Decodes bytes off the main thread, with the configured limits. */
  decode(bytes: Uint8Array): Promise<Decoded> {
    return this.decoder.decode(bytes, this.limits.decode, this.limits.decodeTimeoutMs);
  }

  /**
   * {@link decode}, deriving the version document in the decoder's thread too (a publish); with
   * `verifyDigest`, the thread first checks that the bytes hash to it; with `returned`, the
   * bytes are moved to the thread (the caller owns their buffer) and handed back to it.
   */
  decodeForPublish(
    bytes: Uint8Array,
    derive: Omit<DeriveRequest, "maxDocumentBytes">,
    verifyDigest?: string,
    returned?: (bytes: Uint8Array) => void,
  ): Promise<DecodedWithDocument> {
    return this.decoder.decode(
      bytes,
      this.limits.decode,
      this.limits.decodeTimeoutMs,
      { ...derive, maxDocumentBytes: this.limits.maxDocumentBytes },
      verifyDigest,
      returned,
    );
  }

  /** Releases the decoder threads (the storage is the caller's). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    releaseDecoder(this.decoder);
  }

  /** The client a request comes from (`local` when it did not come over TCP). */
  clientOf(req: Request): string {
    return this.clients.get(req) ?? "local";
  }

  /** Whether a token's last use should be recorded now (at most once a minute per token). */
  shouldTouch(tokenId: string): boolean {
    const t = this.now().getTime();
    const last = this.#touched.get(tokenId);
    if (last !== undefined && t - last < 60_000) return false;
    this.#touched.set(tokenId, t);
    return true;
  }

  /**
   * Forgets every derived response: the storage signalled a publish, a yank or a membership
   * change (this process's or another's), or that signals may have been missed.
   */
  changed(_change?: StoreChange): void {
    this.generation++;
    this.responses.clear();
  }

  /** The bytes of a stored blob (from the cache when there). */
  async readBlob(digest: Digest): Promise<Uint8Array> {
    const hit = this.blobs.get(digest);
    if (hit !== undefined) return hit;
    const body = await this.storage.blobs.get(digest);
    const chunks: Uint8Array[] = [];
    for await (const c of body.stream) chunks.push(c);
    const bytes = concat(chunks, body.size);
    this.blobs.set(digest, bytes);
    return bytes;
  }

  /** A published version's bytes, decoded (cached by digest). */
  async release(digest: Digest): Promise<CachedRelease> {
    const hit = this.releases.get(digest);
    if (hit) return hit;
    const decoded = await this.decode(await this.readBlob(digest));
    const release: CachedRelease = decoded.kind === "wit-package"
      ? { kind: "wit-package", resolve: decoded.resolve, package: decoded.package!, digest }
      : { kind: "component", resolve: decoded.resolve, world: decoded.world!, digest };
    this.releases.set(digest, release);
    return release;
  }
}
