/**
 * The OCI surface's settings and the little state it keeps beside the storage: the namespace
 * prefix, the limits of uploads and manifests, and a cache of versions' manifests (immutable once
 * stored, so never stale). Upload sessions themselves live in the storage, so that a session
 * opened on one registry process continues on another.
 */
import {
  checkNamespacePrefix,
  DEFAULT_MANIFEST_LIMITS,
  type ManifestLimits,
} from "../../lib/oci/mod.ts";
import type { OciManifestRecord } from "../../storage/mod.ts";

/** How the registry speaks OCI (`createApp({oci})`, `wreg serve --oci-prefix`). */
export interface OciOptions {
  /**
   * Prepended to `<namespace>/<name>` to make a repository name: empty (the default) or
   * components each followed by "/" (`webassembly/`), as the discovery document announces it.
   */
  prefix: string;
  /**
   * The `host[:port]` the discovery document names as the OCI registry; default: the host the
   * request was sent to.
   */
  registry?: string;
  /**
   * The registry's public origin (`https://wasm.example.com`) for the token realm in
   * challenges; default: the origin the request was sent to.
   */
  publicUrl?: string;
  /** How long an upload session, and an uploaded blob no manifest references, lives (default 1 h). */
  uploadTtlMs: number;
  /** Most upload sessions one token may have open (default 16). */
  maxUploadsPerToken: number;
  /** Limits on pushed manifests (size 4 MiB, nesting 32, 256 layers and annotations). */
  manifest: ManifestLimits;
  /** Lapsed sessions and blobs are swept at most this often, when uploads begin (default 60 s). */
  sweepIntervalMs: number;
  /** How long a token of the token endpoint lives (default 300 s). */
  tokenTtlSeconds: number;
  /**
   * Most bytes of just-uploaded components kept in memory for the manifest PUT that publishes
   * them (default 64 MiB; 0 keeps none).
   */
  recentUploadBytes: number;
}

/** The OCI options used when none are given. */
export const DEFAULT_OCI_OPTIONS: Readonly<OciOptions> = Object.freeze({
  prefix: "",
  uploadTtlMs: 60 * 60 * 1000,
  maxUploadsPerToken: 16,
  manifest: DEFAULT_MANIFEST_LIMITS,
  sweepIntervalMs: 60 * 1000,
  tokenTtlSeconds: 300,
  recentUploadBytes: 64 * 1024 * 1024,
});

/**
 * Components (`\0asm…`) just uploaded to this process, kept by digest for the manifest PUT that
 * usually follows within moments: its publish then needs neither to read the layer back from the
 * blob store nor to hash it again (these are the very bytes the blob store hashed against the
 * digest on their way in). Bounded in bytes (oldest dropped first) and in age; an entry is taken
 * once. A manifest that lands on another process reads the blob as before.
 */
export class RecentUploads {
  readonly #map = new Map<string, { bytes: Uint8Array; at: number }>();
  #bytes = 0;
  /** Bytes being copied by uploads in flight (bounded with the kept ones). */
  #reserved = 0;

  constructor(readonly maxBytes: number, readonly maxAgeMs: number) {}

  /** Whether bytes of this size are kept at all. */
  fits(size: number): boolean {
    return size <= this.maxBytes;
  }

  /**
   * Room for an upload in flight to copy `size` bytes: false when uploads in flight already
   * hold the bound (so hostile uploads that declare large bodies cannot make the registry
   * allocate more than it). Pair with {@link RecentUploads.release}.
   */
  reserve(size: number): boolean {
    if (this.#reserved + size > this.maxBytes) return false;
    this.#reserved += size;
    return true;
  }

  /** Gives back a {@link RecentUploads.reserve}. */
  release(size: number): void {
    this.#reserved = Math.max(0, this.#reserved - size);
  }

  /** Keeps an upload's bytes (dropping the oldest past the bound, and lapsed ones). */
  put(digest: string, bytes: Uint8Array, now: number): void {
    if (!this.fits(bytes.length)) return;
    this.#drop(digest);
    this.#map.set(digest, { bytes, at: now });
    this.#bytes += bytes.length;
    for (const [d, e] of this.#map) {
      if (this.#bytes <= this.maxBytes && now - e.at <= this.maxAgeMs) break;
      this.#drop(d);
    }
  }

  /** The bytes uploaded with this digest, once (`undefined` when none, or too old). */
  take(digest: string, now: number): Uint8Array | undefined {
    const e = this.#map.get(digest);
    if (e === undefined) return undefined;
    this.#drop(digest);
    return now - e.at <= this.maxAgeMs ? e.bytes : undefined;
  }

  #drop(digest: string): void {
    const e = this.#map.get(digest);
    if (e === undefined) return;
    this.#map.delete(digest);
    this.#bytes -= e.bytes.length;
  }
}

/** The OCI surface's settings and caches, one per registry. */
export class OciState {
  readonly options: OciOptions;
  /** Versions' manifests by `ns:name@version` (stored once, never changed; forgotten when full). */
  readonly versionManifests = new Map<string, OciManifestRecord>();
  /** When lapsed uploads were last swept (ms since the epoch). */
  lastSweep = 0;
  /** The key that signs the token endpoint's tokens, once read from the storage. */
  tokenKey: Promise<Uint8Array> | undefined;
  /** Components just uploaded here, for the manifest that publishes them. */
  readonly recentUploads: RecentUploads;

  constructor(options: Partial<OciOptions> = {}) {
    this.options = {
      ...DEFAULT_OCI_OPTIONS,
      ...options,
      manifest: { ...DEFAULT_OCI_OPTIONS.manifest, ...options.manifest },
    };
    checkNamespacePrefix(this.options.prefix);
    this.recentUploads = new RecentUploads(
      this.options.recentUploadBytes,
      this.options.uploadTtlMs,
    );
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /** Remembers a version's manifest. */
  rememberManifest(key: string, record: OciManifestRecord): void {
    if (this.versionManifests.size >= 1024) this.versionManifests.clear();
    this.versionManifests.set(key, record);
  }
}
