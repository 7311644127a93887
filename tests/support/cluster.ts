/**
 * Several registry processes serving one registry: each a real `registry/main.ts` child process
 * on a free port, all on one PostgreSQL schema and one S3 key prefix of their own (from the
 * servers tools/services.mjs started), for the scale-out tests and benchmarks.
 */
import postgres from "postgres";
import { type ServerProcess, startServerProcess } from "../registry_support.ts";
import { type PostgresService, requireService, type S3Service } from "./services.ts";

/** One registry served by several processes. */
export interface Cluster {
  /** The processes, in start order. */
  nodes: ServerProcess[];
  /** `--database` as the processes got it. */
  database: string;
  /** `--blobs` as the processes got it. */
  blobs: string;
  /** The schema of `database`. */
  schema: string;
  /** The environment the processes run with (S3 credentials). */
  env: Record<string, string>;
  /** The admin token of every process. */
  adminToken: string;
  /** Starts one more process on the same storage. */
  add(): Promise<ServerProcess>;
  /** Stops every process that is still running, drops the schema and the key prefix. */
  close(): Promise<void>;
}

/** The URLs a scale-out registry is started with, for a fresh schema and key prefix. */
export function scaledStorage(
  pg: PostgresService = requireService("postgres"),
  s3: S3Service = requireService("s3"),
  options: { schema?: string; prefix?: string; presign?: number } = {},
): { database: string; blobs: string; schema: string; env: Record<string, string> } {
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const schema = options.schema ?? `c_${id}`;
  const database = `${pg.url}?schema=${schema}`;
  const q = new URLSearchParams({ endpoint: s3.endpoint, region: s3.region });
  if (options.presign) q.set("presign", String(options.presign));
  const blobs = `s3://${s3.bucket}/${options.prefix ?? `c-${id}`}?${q}`;
  return {
    database,
    blobs,
    schema,
    env: { AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey },
  };
}

/** Starts `n` registry processes on one fresh PostgreSQL schema and S3 prefix. */
export async function startCluster(
  n: number,
  options: { args?: string[]; presign?: number; storage?: ReturnType<typeof scaledStorage> } = {},
): Promise<Cluster> {
  const storage = options.storage ?? scaledStorage(undefined, undefined, options);
  const adminToken = `admin-${crypto.randomUUID()}`;
  // One log key for every process of the registry (the first to start creates it).
  const keyDir = await Deno.makeTempDir({ prefix: "wreg-cluster-key-" });
  const nodes: ServerProcess[] = [];
  const add = async () => {
    const node = await startServerProcess({
      adminToken,
      args: [
        "--quiet",
        "--database",
        storage.database,
        "--blobs",
        storage.blobs,
        "--log-key",
        `${keyDir}/log-key`,
        ...(options.args ?? []),
      ],
      env: storage.env,
    });
    nodes.push(node);
    return node;
  };
  try {
    await Promise.all(Array.from({ length: n }, add));
  } catch (e) {
    await Promise.all(nodes.map((p) => p.stop("SIGKILL")));
    throw e;
  }
  return {
    nodes,
    ...storage,
    adminToken,
    add,
    async close() {
      await Promise.all(nodes.map((p) => p.stop("SIGKILL").catch(() => {})));
      for (const p of nodes) await Deno.remove(p.dataDir, { recursive: true }).catch(() => {});
      await Deno.remove(keyDir, { recursive: true }).catch(() => {});
      await dropSchema(storage.schema).catch((e) =>
        console.error(`cannot drop ${storage.schema}:`, e)
      );
    },
  };
}

/** Drops a schema of the run's PostgreSQL (the objects under a prefix go with the run's S3 dir). */
export async function dropSchema(schema: string): Promise<void> {
  const sql = postgres(requireService("postgres").url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await sql.end();
  }
}
