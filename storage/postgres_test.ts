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
