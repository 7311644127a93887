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
}

/** The OCI options used when none are given. */
export const DEFAULT_OCI_OPTIONS: Readonly<OciOptions> = Object.freeze({
  prefix: "",
  uploadTtlMs: 60 * 60 * 1000,
  maxUploadsPerToken: 16,
  manifest: DEFAULT_MANIFEST_LIMITS,
  sweepIntervalMs: 60 * 1000,
  tokenTtlSeconds: 300,
});

/** The OCI surface's settings and caches, one per registry. */
export class OciState {
  readonly options: OciOptions;
  /** Versions' manifests by `ns:name@version` (stored once, never changed; forgotten when full). */
  readonly versionManifests = new Map<string, OciManifestRecord>();
  /** When lapsed uploads were last swept (ms since the epoch). */
  lastSweep = 0;
  /** The key that signs the token endpoint's tokens, once read from the storage. */
  tokenKey: Promise<Uint8Array> | undefined;

  constructor(options: Partial<OciOptions> = {}) {
    this.options = {
      ...DEFAULT_OCI_OPTIONS,
      ...options,
      manifest: { ...DEFAULT_OCI_OPTIONS.manifest, ...options.manifest },
    };
    checkNamespacePrefix(this.options.prefix);
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
