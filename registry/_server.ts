/**
 * Serving the registry over HTTP: opens the storage, seeds it if asked, binds the address with
 * the registry's own HTTP server (registry/_http_server.ts: timeouts, a cap on connections, and
 * it keeps serving when descriptors run out), logs one line per request, and shuts down cleanly
 * (in-flight requests finish, the storage closes) when asked.
 */
import {
  describeStorage,
  openConfiguredStorage,
  openMemoryStorage,
  type Storage,
  type StorageConfig,
} from "../storage/mod.ts";
import { createRegistry, type Registry } from "./_app.ts";
import type { RegistryLimits } from "./_context.ts";
import type { OciOptions } from "./oci/_state.ts";
import type { MirrorOptions } from "./_mirror.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, type HttpStats, serveHttp } from "./_http_server.ts";
import { EXAMPLE_SEED, seed, type SeedOutcome } from "./_seed.ts";
import { loadLogKey } from "./_log.ts";
import type { SignerKey } from "../lib/tlog/mod.ts";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The interface to bind (default `127.0.0.1`). */
  host?: string;
  /** The port (default 8080; 0 picks a free one). */
  port?: number;
  /** The data directory of the embedded storage (default `./wreg-data`); ignored with `memory`. */
  dataDir?: string;
  /** Keep everything in memory instead (nothing survives the process). */
  memory?: boolean;
  /**
   * The transparency log's signing key file (default `<dataDir>/log-key`, created on first start;
   * in memory: a key for this run only).
   */
  logKey?: string;
  /** Metadata in PostgreSQL (`postgres://…`) instead of `dataDir`. */
  database?: string;
  /** Blobs in an S3-compatible store (`s3://bucket/prefix?endpoint=…`) instead of `dataDir`. */
  blobs?: string;
  /** The admin token's secret. */
  adminToken?: string;
  /** Limits of the registry. */
  limits?: Partial<RegistryLimits>;
  /** How the registry speaks OCI on `/v2` (namespace prefix, upload limits). */
  oci?: Partial<OciOptions>;
  /** Namespaces mirrored from upstream registries (`--upstream`). */
  mirror?: MirrorOptions;
  /**
   * Limits of the HTTP server (timeouts, connections). `maxConnections` defaults to what the
   * process's descriptor limit leaves room for.
   */
  http?: Partial<HttpLimits>;
  /** Namespaces reserved besides `wasi` (see `AppOptions.reservedNamespaces`). */
  reservedNamespaces?: readonly string[];
  /** Seed the example packages before serving. */
  seedExamples?: boolean;
  /** The wreg checkout the example seed is read from (default: the one this file is in). */
  seedRoot?: string;
  /** Who owns what the seed publishes (default `wreg`). */
  seedOwner?: string;
  /** Log lines (seeding, lifecycle); default: none. */
  log?: (line: string) => void;
  /** Where the line of each request goes (method, path, status, milliseconds); default: none. */
  requestLog?: (line: string) => void;
  /** Server faults (with their request id); default `console.error`. */
  onServerError?: (error: unknown, request: Request, requestId: string) => void;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  /** The bound port. */
  port: number;
  /** The registry behind it. */
  registry: Registry;
  /** The storage it serves (closed by {@link RunningServer.shutdown}). */
  storage: Storage;
  /** What seeding did, when asked. */
  seeded: SeedOutcome[];
  /** Stops accepting, lets in-flight requests finish, closes the storage. Idempotent. */
  shutdown(): Promise<void>;
  /** The HTTP server's counters (connections open, shed, timed out). */
  httpStats(): HttpStats;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
}

/** The wreg checkout this module belongs to. */
export const WREG_ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Opens the storage and serves the registry on it. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const storage: Storage = options.memory ? openMemoryStorage() : await openConfiguredStorage({
    dataDir: options.dataDir ?? "./wreg-data",
    database: options.database,
    blobs: options.blobs,
  });
  try {
    let logKey: SignerKey | undefined;
    if (!options.memory || options.logKey !== undefined) {
      const path = options.logKey ?? `${options.dataDir ?? "./wreg-data"}/log-key`;
      const publicUrl = options.oci?.publicUrl;
      const origin = publicUrl !== undefined
        ? `${new URL(publicUrl).host}/log`
        : options.port
        ? `${options.host ?? "127.0.0.1"}:${options.port}/log`
        : `localhost/wreg-log-${crypto.getRandomValues(new Uint8Array(4)).toHex()}`;
      if (options.logKey === undefined) {
        await Deno.mkdir(options.dataDir ?? "./wreg-data", { recursive: true });
      }
      logKey = await loadLogKey(path, origin);
    }
    const registry = createRegistry({
      storage,
      logKey,
      adminToken: options.adminToken,
      reservedNamespaces: options.reservedNamespaces,
      limits: options.limits,
      onServerError: options.onServerError,
      oci: options.oci,
      mirror: options.mirror,
    });
    // Entries a crash left unintegrated are signed now; a checkpoint signed by another key (a
    // process with another --log-key) stops the start.
    await registry.integrateLog();
    let seeded: SeedOutcome[] = [];
    if (options.seedExamples) {
      seeded = await seed(registry, storage, EXAMPLE_SEED, {
        root: options.seedRoot ?? WREG_ROOT,
        owner: options.seedOwner ?? "wreg",
        log,
      });
    }
    const handle = registry.handle;
    const requestLog = options.requestLog;
    const logged = requestLog === undefined
      ? handle
      : (req: Request, info: Parameters<typeof handle>[1]) => {
        const t0 = performance.now();
        const line = (res: Response) => {
          const path = req.url.slice(req.url.indexOf("/", req.url.indexOf("//") + 2));
          requestLog(
            `${req.method} ${path} ${res.status} ${(performance.now() - t0).toFixed(1)}ms`,
          );
          return res;
        };
        const answer = handle(req, info);
        return answer instanceof Response ? line(answer) : answer.then(line);
      };
    const server = serveHttp({
      hostname: options.host ?? "127.0.0.1",
      port: options.port ?? 8080,
      limits: {
        maxConnections: connectionsForDescriptors(),
        ...options.http,
      },
      onError: (e) => options.onServerError?.(e, new Request("http://unknown/"), "serve"),
    }, logged);
    const addr = server.addr;
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    // Lapsed OCI uploads are swept even when no new upload comes to trigger it.
    const sweeper = setInterval(() => {
      registry.sweepOci().catch((e) =>
        options.onServerError?.(e, new Request("http://sweep/"), "oci-sweep")
      );
    }, 5 * 60 * 1000);
    Deno.unrefTimer(sweeper);
    let stopping: Promise<void> | undefined;
    const shutdown = () =>
      stopping ??= (async () => {
        clearInterval(sweeper);
        registry.drain();
        await server.shutdown();
        registry.close();
        await storage.close();
      })();
    return {
      url: `http://${host}:${addr.port}`,
      port: addr.port,
      registry,
      storage,
      seeded,
      shutdown,
      httpStats: () => server.stats(),
      finished: server.finished.then(() => stopping),
    };
  } catch (e) {
    await storage.close();
    throw e;
  }
}

/** Descriptors kept for the storage, the decoder threads, logs and the listener. */
const RESERVED_DESCRIPTORS = 64;

/**
 * How many connections the process's open-file limit leaves room for (Linux: the soft limit in
 * `/proc/self/limits`), at most {@link DEFAULT_HTTP_LIMITS}' cap; the default cap elsewhere.
 */
export function connectionsForDescriptors(): number {
  let soft: number | undefined;
  try {
    const text = Deno.readTextFileSync("/proc/self/limits");
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (m && m[1] !== "unlimited") soft = Number(m[1]);
  } catch { /* not Linux */ }
  if (soft === undefined) return DEFAULT_HTTP_LIMITS.maxConnections;
  return Math.max(16, Math.min(DEFAULT_HTTP_LIMITS.maxConnections, soft - RESERVED_DESCRIPTORS));
}

/** Where a server's storage is, for its first log line (no credentials). */
export function storageLine(options: ServerOptions): string {
  if (options.memory) return "in memory";
  const config: StorageConfig = {
    dataDir: options.dataDir ?? "./wreg-data",
    database: options.database,
    blobs: options.blobs,
  };
  return config.database === undefined && config.blobs === undefined
    ? `data ${config.dataDir}`
    : describeStorage(config);
}
