/**
 * The servers tools/services.mjs starts once per test run (PostgreSQL, an S3 server, an OCI
 * registry), as tests see them. A test that needs one declares it with {@linkcode serviceTest}
 * (or reads it with {@linkcode requireService}):
 *
 * - started: the test runs with its addresses;
 * - missing under `CI=true`: the test runs and fails, naming what is missing and why (never a
 *   silent skip);
 * - missing on a developer's machine: the test is ignored, and the run says why.
 *
 * @module
 */

/** PostgreSQL: a private cluster, the `wreg` database, SCRAM password auth. */
export interface PostgresService {
  /** `postgres://wreg:<password>@127.0.0.1:<port>/wreg`. */
  url: string;
  /** Debian's PostgreSQL server binaries (pg_ctl, …). */
  bin: string;
  /** The cluster's data folder (for tests that stop and restart it). */
  data: string;
}

/** A real S3 server (versitygw) with one bucket. */
export interface S3Service {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The signing region. */
  region: string;
  /** The bucket the run may use (one key prefix per test). */
  bucket: string;
  /** Access key ID. */
  accessKey: string;
  /** Secret access key. */
  secretKey: string;
  /** The server binary (for tests that stop and restart it). */
  bin: string;
  /** Its data folder. */
  dir: string;
}

/** A plain OCI registry (the CNCF distribution registry). */
export interface OciService {
  /** `127.0.0.1:<port>` (plain HTTP). */
  registry: string;
}

/** SeaweedFS's S3 gateway: started only when asked for or already built (tools/services.mjs). */
export interface SeaweedService {
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

interface Services {
  postgres: PostgresService;
  s3: S3Service;
  oci: OciService;
  seaweedfs: SeaweedService;
}

const env = (k: string) => Deno.env.get(k);

function read<K extends keyof Services>(name: K): Services[K] | undefined {
  switch (name) {
    case "postgres": {
      const url = env("WREG_TEST_PG_URL");
      return url
        ? { url, bin: env("WREG_TEST_PG_BIN")!, data: env("WREG_TEST_PG_DATA")! } as Services[K]
        : undefined;
    }
    case "s3": {
      const endpoint = env("WREG_TEST_S3_ENDPOINT");
      return endpoint
        ? {
          endpoint,
          region: env("WREG_TEST_S3_REGION")!,
          bucket: env("WREG_TEST_S3_BUCKET")!,
          accessKey: env("WREG_TEST_S3_ACCESS_KEY")!,
          secretKey: env("WREG_TEST_S3_SECRET_KEY")!,
          bin: env("WREG_TEST_S3_BIN")!,
          dir: env("WREG_TEST_S3_DIR")!,
        } as Services[K]
        : undefined;
    }
    case "seaweedfs": {
      const endpoint = env("WREG_TEST_SEAWEEDFS_ENDPOINT");
      return endpoint
        ? {
          endpoint,
          region: env("WREG_TEST_SEAWEEDFS_REGION")!,
          bucket: env("WREG_TEST_SEAWEEDFS_BUCKET")!,
          accessKey: env("WREG_TEST_SEAWEEDFS_ACCESS_KEY")!,
          secretKey: env("WREG_TEST_SEAWEEDFS_SECRET_KEY")!,
        } as Services[K]
        : undefined;
    }
    case "oci": {
      const registry = env("WREG_TEST_OCI_REGISTRY");
      return registry ? { registry } as Services[K] : undefined;
    }
  }
  return undefined;
}

/** Why a service is missing, as tools/services.mjs reported it. */
export function whyMissing(name: keyof Services): string {
  if (env("WREG_TEST_SERVICES_DIR") === undefined) {
    return "the tests were not started through tools/services.mjs (`deno task test` does that)";
  }
  const line = (env("WREG_TEST_SERVICES_FAILED") ?? "").split("\n")
    .find((l) => l.startsWith(`${name}:`));
  return line ?? `${name} did not start`;
}

/** Whether missing services fail tests (CI) rather than ignore them. */
export const servicesRequired = env("CI") === "true";

/** The service, or a thrown error naming what is missing and why. */
export function requireService<K extends keyof Services>(name: K): Services[K] {
  const s = read(name);
  if (!s) throw new Error(`This test needs ${name}, which is not available: ${whyMissing(name)}`);
  return s;
}

/** The service, or undefined when it is not available. */
export function serviceIfAvailable<K extends keyof Services>(name: K): Services[K] | undefined {
  return read(name);
}

/**
 * `Deno.test` for a test that needs services: ignored (with the reason printed once) when one is
 * missing on a developer's machine, run and failed when one is missing under CI=true.
 */
export function serviceTest(
  name: string,
  needs: (keyof Services)[],
  fn: (t: Deno.TestContext) => void | Promise<void>,
  options: Omit<Deno.TestDefinition, "name" | "fn" | "ignore"> = {},
): void {
  const missing = needs.filter((n) => read(n) === undefined);
  const ignore = missing.length > 0 && !servicesRequired;
  if (ignore) {
    console.error(
      `ignored "${name}": needs ${missing.map((m) => `${m} (${whyMissing(m)})`).join(", ")}`,
    );
  }
  Deno.test({
    ...options,
    name,
    ignore,
    fn: async (t) => {
      for (const m of missing) requireService(m);
      await fn(t);
    },
  });
}
