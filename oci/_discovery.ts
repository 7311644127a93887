/**
 * wasm-pkg registry discovery, as wkg does it: a registry *name* (`wasi.dev`, `example.com:8443`)
 * publishes `/.well-known/wasm-pkg/registry.json` saying which OCI registry and repository prefix
 * hold its packages:
 *
 * ```json
 * {"preferredProtocol": "oci", "oci": {"registry": "ghcr.io", "namespacePrefix": "webassembly/"}}
 * ```
 *
 * (also the older `{"ociRegistry": …, "ociNamespacePrefix": …}`). The document is fetched over
 * HTTPS (plain HTTP only for `localhost` and `127.0.0.1`); a 404 means "the name is the OCI
 * registry itself, no prefix". Answers are cached with the usual HTTP rules: fresh for
 * `Cache-Control: max-age` (or until `Expires`), then revalidated with `If-None-Match` /
 * `If-Modified-Since`; `no-store` is not stored.
 *
 * Namespaces with no registry configured use wkg's built-in names: `wasi` → `wasi.dev`, `ba` →
 * `bytecodealliance.org` ({@link BUILTIN_NAMESPACE_REGISTRIES}).
 */
import { parseRegistryMetadata, WELL_KNOWN_PATH } from "../lib/oci/mod.ts";
import { OciClientError } from "./_errors.ts";
import { isLoopbackHost } from "./_body.ts";
import { fetchHead, readLimited } from "./_http.ts";
import {
  normalizeHost,
  normalizePrefix,
  type OciRegistryRef,
  protocolFor,
} from "./_registry_ref.ts";

/** The registries wkg uses for namespaces nothing else configures. */
export const BUILTIN_NAMESPACE_REGISTRIES: Readonly<Record<string, string>> = {
  wasi: "wasi.dev",
  ba: "bytecodealliance.org",
};

const MAX_DOCUMENT = 64 << 10;

/** One cached answer. */
export interface CachedDiscovery {
  /** The registry the name points at, or `null` for a 404 (the name itself, no prefix). */
  oci: { registry: string; namespacePrefix: string } | null;
  /** When it was fetched or last revalidated (ms since the epoch). */
  storedAt: number;
  /** Until when it is fresh (ms since the epoch). */
  freshUntil: number;
  etag?: string;
  lastModified?: string;
}

/** Where answers are kept between runs (a folder of files for the CLI, memory for a server). */
export interface DiscoveryCache {
  get(name: string): Promise<CachedDiscovery | undefined>;
  put(name: string, entry: CachedDiscovery): Promise<void>;
}

/** A {@link DiscoveryCache} in memory. */
export function memoryDiscoveryCache(): DiscoveryCache {
  const m = new Map<string, CachedDiscovery>();
  return {
    get: (name) => Promise.resolve(m.get(name)),
    put: (name, entry) => {
      m.set(name, entry);
      return Promise.resolve();
    },
  };
}

/** A {@link DiscoveryCache} of one JSON file per name in `dir` (written atomically). */
export function fileDiscoveryCache(dir: string): DiscoveryCache {
  const path = (name: string) => `${dir}/${encodeURIComponent(name)}.json`;
  return {
    async get(name) {
      try {
        const v = JSON.parse(await Deno.readTextFile(path(name)));
        if (typeof v?.storedAt === "number" && typeof v?.freshUntil === "number" && "oci" in v) {
          return v as CachedDiscovery;
        }
      } catch { /* absent or unreadable: fetch again */ }
      return undefined;
    },
    async put(name, entry) {
      try {
        await Deno.mkdir(dir, { recursive: true });
        const tmp = `${path(name)}.${crypto.randomUUID()}.tmp`;
        await Deno.writeTextFile(tmp, JSON.stringify(entry));
        await Deno.rename(tmp, path(name));
      } catch { /* a cache that cannot be written only costs a fetch next time */ }
    },
  };
}

/** Options of {@link discoverRegistry}. */
export interface DiscoveryOptions {
  cache?: DiscoveryCache;
  timeoutMs?: number;
  userAgent?: string;
  /** The clock (ms since the epoch); tests move it. */
  now?: () => number;
}

/**
 * Reads the document's OCI block (lib/oci `parseRegistryMetadata`, both forms) and checks it: no
 * block means the name itself is the registry.
 *
 * @throws {OciClientError} (`invalid`) naming what is wrong.
 */
export function parseDiscoveryDocument(
  text: string,
  where: string,
  host: string,
): { registry: string; namespacePrefix: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new OciClientError("invalid", `Cannot read ${where}: it is not JSON`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new OciClientError("invalid", `Cannot read ${where}: expected a JSON object`);
  }
  const meta = parseRegistryMetadata(doc);
  if (meta === undefined) {
    const preferred = (doc as Record<string, unknown>).preferredProtocol;
    throw new OciClientError(
      "invalid",
      preferred !== undefined && preferred !== "oci"
        ? `Cannot use ${where}: it prefers protocol ${
          JSON.stringify(preferred)
        }, and wreg speaks OCI`
        : `Cannot use ${where}: it has no "oci" block`,
    );
  }
  return {
    registry: meta.registry === undefined || meta.registry === ""
      ? host
      : normalizeHost(meta.registry, where),
    namespacePrefix: normalizePrefix(meta.namespacePrefix, where),
  };
}

function freshness(res: Response, now: number): number {
  const cc = (res.headers.get("cache-control") ?? "").toLowerCase();
  if (/\bno-cache\b/.test(cc)) return now;
  const maxAge = /\bmax-age\s*=\s*"?(\d+)/.exec(cc);
  if (maxAge) return now + Math.min(Number(maxAge[1]), 365 * 86400) * 1000;
  const expires = res.headers.get("expires");
  if (expires !== null) {
    const t = Date.parse(expires);
    const date = Date.parse(res.headers.get("date") ?? "");
    if (!Number.isNaN(t)) return now + Math.max(0, t - (Number.isNaN(date) ? now : date));
    return now;
  }
  // Heuristic freshness (RFC 9111 §4.2.2): a tenth of the time since it last changed, ≤ 1 day.
  const lastModified = Date.parse(res.headers.get("last-modified") ?? "");
  if (!Number.isNaN(lastModified)) {
    return now + Math.min(Math.max(0, (now - lastModified) / 10), 86400_000);
  }
  return now;
}

/**
 * The OCI registry a registry name points at, through its well-known document (cached).
 *
 * @throws {OciClientError} when the document cannot be fetched (other than a 404) or is invalid.
 */
export async function discoverRegistry(
  name: string,
  options: DiscoveryOptions = {},
): Promise<OciRegistryRef> {
  const host = normalizeHost(name, "a registry name");
  const now = options.now ?? Date.now;
  const toRef = (oci: CachedDiscovery["oci"]): OciRegistryRef =>
    oci === null
      ? { host, prefix: "", protocol: protocolFor(host) }
      : { host: oci.registry, prefix: oci.namespacePrefix, protocol: protocolFor(oci.registry) };
  const cached = await options.cache?.get(host);
  if (cached !== undefined && cached.freshUntil > now()) return toRef(cached.oci);

  // wkg: http only for exactly localhost and 127.0.0.1 (other loopback hosts too, here).
  const hostname = new URL(`http://${host}`).hostname;
  const url = `${isLoopbackHost(hostname) ? "http:" : "https:"}//${host}${WELL_KNOWN_PATH}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const abort = new AbortController();
  const what = `discover the registry of ${host}`;
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": options.userAgent ?? "wreg",
  };
  if (cached?.etag) headers["if-none-match"] = cached.etag;
  if (cached?.lastModified) headers["if-modified-since"] = cached.lastModified;
  try {
    const res = await fetchHead(url, { headers, redirect: "follow" }, abort, timeoutMs, what, url);
    if (res.url !== "" && url.startsWith("https:") && !res.url.startsWith("https:")) {
      await res.body?.cancel().catch(() => {});
      throw new OciClientError(
        "insecure",
        `Cannot ${what}: ${url} redirected from HTTPS to HTTP`,
        url,
      );
    }
    const t = now();
    const store = async (oci: CachedDiscovery["oci"]) => {
      if (/\bno-store\b/i.test(res.headers.get("cache-control") ?? "")) return;
      await options.cache?.put(host, {
        oci,
        storedAt: t,
        freshUntil: freshness(res, t),
        ...(res.headers.get("etag") ? { etag: res.headers.get("etag")! } : {}),
        ...(res.headers.get("last-modified")
          ? { lastModified: res.headers.get("last-modified")! }
          : {}),
      });
    };
    if (res.status === 304 && cached !== undefined) {
      await res.body?.cancel().catch(() => {});
      await store(cached.oci);
      return toRef(cached.oci);
    }
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      await store(null);
      return toRef(null);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new OciClientError(
        "refused",
        `Cannot ${what}: ${url} answered ${res.status}`,
        url,
        res.status,
      );
    }
    const body = await readLimited(res, abort, timeoutMs, { limit: MAX_DOCUMENT }, what, url);
    const oci = parseDiscoveryDocument(new TextDecoder().decode(body), url, host);
    await store(oci);
    return toRef(oci);
  } finally {
    abort.abort();
  }
}
