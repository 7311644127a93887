import assert from "node:assert/strict";
import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { metadataStoreContract, type Register, sharedMetadataStoreContract } from "./_contract.ts";
import { PG_SCHEMA_VERSION } from "./_postgres_schema.ts";
import { PostgresMetadataStore } from "./_postgres_metadata_store.ts";
import { isStorageError } from "./mod.ts";
import { requireService, serviceIfAvailable, serviceTest } from "../tests/support/services.ts";
import postgres from "postgres";

const register: Register = (name, fn) => serviceTest(name, ["postgres"], fn);

/** A schema of its own for each test, dropped afterwards. */
function freshSchema(): string {
  return `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

async function dropSchema(schema: string): Promise<void> {
  const pg = serviceIfAvailable("postgres");
  if (!pg) return;
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await sql.end();
  }
}

metadataStoreContract("postgres", async ({ now }) => {
  const schema = freshSchema();
  const store = await PostgresMetadataStore.open({
    url: requireService("postgres").url,
    schema,
    now,
  });
  return { store, cleanup: () => dropSchema(schema) };
}, register);

sharedMetadataStoreContract("postgres", async () => {
  const schema = freshSchema();
  const url = requireService("postgres").url;
  const a = await PostgresMetadataStore.open({ url, schema });
  const b = await PostgresMetadataStore.open({ url, schema });
  return { a, b, cleanup: () => dropSchema(schema) };
}, register);

serviceTest(
  "postgres metadata store: processes opening a new schema together migrate it once",
  ["postgres"],
  async () => {
    const schema = freshSchema();
    const url = requireService("postgres").url;
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => PostgresMetadataStore.open({ url, schema })),
      );
      assert.deepEqual(
        stores.map((s) => s.appliedMigrations).sort(),
        [0, 0, 0, PG_SCHEMA_VERSION],
      );
      assert.equal(await stores[0].schemaVersion(), PG_SCHEMA_VERSION);
      for (const s of stores) await s.close();
      const again = await PostgresMetadataStore.open({ url, schema });
      assert.equal(again.appliedMigrations, 0);
      await again.close();
    } finally {
      await dropSchema(schema);
    }
  },
);

serviceTest(
  "postgres metadata store: a database written by a newer schema is refused untouched",
  ["postgres"],
  async () => {
    const schema = freshSchema();
    const url = requireService("postgres").url;
    try {
      (await PostgresMetadataStore.open({ url, schema })).close();
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql.unsafe(
        `INSERT INTO "${schema}".wreg_migrations (version, why) VALUES (${
          PG_SCHEMA_VERSION + 1
        }, 'from the future')`,
      );
      await sql.end();
      await assert.rejects(
        PostgresMetadataStore.open({ url, schema }),
        (e) => isStorageError(e, "schema-too-new"),
      );
    } finally {
      await dropSchema(schema);
    }
  },
);

serviceTest(
  "postgres metadata store: a server that does not answer is unavailable, never the password",
  ["postgres"],
  async () => {
    const pg = requireService("postgres");
    const u = new URL(pg.url);
    // A port nobody listens on: the same credentials, refused connection.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    u.port = String(port);
    const err = await PostgresMetadataStore.open({ url: u.href, connectTimeoutSeconds: 2 })
      .then(() => undefined, (e) => e);
    assert.ok(isStorageError(err, "unavailable"), String(err));
    assert.ok(!String(err.message).includes(decodeURIComponent(u.password)));
    assert.ok(!JSON.stringify(err.details).includes(decodeURIComponent(u.password)));
  },
);

serviceTest(
  "postgres metadata store: versions page in byte order whatever the database collation",
  ["postgres"],
  async () => {
    const schema = freshSchema();
    const store = await PostgresMetadataStore.open({ url: requireService("postgres").url, schema });
    try {
      for (const [n, v] of [["a:b-c", "1.0.0"], ["a:b", "1.0.0"], ["a:B0", "1.0.0"]] as const) {
        await store.commitVersion({
          name: parsePackageName(n.toLowerCase()),
          version: parseVersion(v),
          kind: "component",
          digest: `sha256:${"1".repeat(64)}` as never,
          size: 1,
          publisher: "p",
          document: {},
          searchRows: [],
        });
      }
      const names = (await store.listVersions({ limit: 10 })).map((v) => v.package);
      assert.deepEqual(names, [...names].sort());
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  },
);

serviceTest(
  "postgres metadata store: a commit that waited for the package row checks basedOn against the versions committed meanwhile",
  ["postgres"],
  async () => {
    // The gate's second line (issue 15): when a package lock was lost with its connection, two
    // processes may gate against the same versions; the commit that comes second waits for the
    // package row and must then see the first one's version and refuse as stale.
    const schema = freshSchema();
    const url = requireService("postgres").url;
    const store = await PostgresMetadataStore.open({ url, schema });
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    try {
      const digest = `sha256:${"1".repeat(64)}` as never;
      const input = (version: string, basedOn?: string[]) => ({
        name: parsePackageName("race:pkg"),
        version: parseVersion(version),
        kind: "component" as const,
        digest,
        size: 1,
        publisher: "p",
        document: {},
        searchRows: [],
        basedOn: basedOn?.map(parseVersion),
      });
      await store.commitVersion(input("1.0.0"));
      // Another process commits 1.1.0 and holds the package row until told to finish.
      const { promise: finish, resolve: finishOther } = Promise.withResolvers<void>();
      const { promise: holding, resolve: onHolding } = Promise.withResolvers<void>();
      const other = sql.begin(async (tx) => {
        await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
        await tx`UPDATE packages SET updated_at = updated_at WHERE name = 'race:pkg'`;
        await tx`INSERT INTO versions
            (package, version, kind, digest, size, published_at, publisher, yanked_at, document)
          VALUES ('race:pkg', '1.1.0', 'component', ${digest}, 1, '2025-01-01T00:00:00.000Z',
                  'q', NULL, '{}')`;
        onHolding();
        await finish;
      });
      await holding;
      // This process commits 1.2.0, gated against 1.0.0 only: it waits for the row.
      const mine = store.commitVersion(input("1.2.0", ["1.0.0"])).then(() => undefined, (e) => e);
      const until = Date.now() + 10_000;
      while (
        (await sql`SELECT count(*)::int AS n FROM pg_stat_activity
                   WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'`)[0].n === 0
      ) {
        assert.ok(Date.now() < until, "the commit never waited for the package row");
        await new Promise((r) => setTimeout(r, 10));
      }
      finishOther();
      await other;
      const err = await mine;
      assert.ok(isStorageError(err, "stale"), `committed over 1.1.0: ${err}`);
      const versions = (await store.getPackage(parsePackageName("race:pkg")))!.versions
        .map((v) => v.version).sort();
      assert.deepEqual(versions, ["1.0.0", "1.1.0"]);
    } finally {
      await sql.end();
      await store.close();
      await dropSchema(schema);
    }
  },
);
