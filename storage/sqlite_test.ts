import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { parseDigest, parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { metadataStoreContract } from "./_contract.ts";
import {
  hashTokenSecret,
  isStorageError,
  newTokenSecret,
  SCHEMA_VERSION,
  SqliteMetadataStore,
} from "./mod.ts";

metadataStoreContract("sqlite", async ({ now }) => {
  const dir = await Deno.makeTempDir({ prefix: "wreg-sqlite-" });
  return {
    store: await SqliteMetadataStore.open(`${dir}/metadata.sqlite`, { now }),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

async function withDb(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wreg-sqlite-" });
  try {
    await body(`${dir}/metadata.sqlite`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readIfExists(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch {
    return new Uint8Array();
  }
}

Deno.test("sqlite metadata store: token secrets never reach the database files, only their hashes", () =>
  withDb(async (path) => {
    const store = await SqliteMetadataStore.open(path);
    const secret = newTokenSecret();
    const t = await store.createToken(secret, {
      owner: "alice",
      scopes: ["publish"],
      namespaces: null,
    });
    await store.touchToken(t.id);
    // Read the bytes while the store is open (the WAL holds the latest pages) and after close.
    const files = async () =>
      new TextDecoder("latin1").decode(
        new Uint8Array([
          ...(await readIfExists(path)),
          ...(await readIfExists(`${path}-wal`)),
        ]),
      );
    const open = await files();
    await store.close();
    const closed = await files();
    for (const text of [open, closed]) {
      assert.ok(!text.includes(secret), "the secret is in the database files");
      assert.ok(!text.includes(secret.slice(5, 25)), "part of the secret is in the database files");
    }
    assert.ok(open.includes(hashTokenSecret(secret)) || closed.includes(hashTokenSecret(secret)));
  }));

Deno.test("sqlite metadata store: data survives closing and opening again, migrations run once", () =>
  withDb(async (path) => {
    const a = await SqliteMetadataStore.open(path);
    assert.equal(a.schemaVersion(), SCHEMA_VERSION);
    await a.claimNamespace("docs", "alice");
    await a.close();
    const b = await SqliteMetadataStore.open(path);
    assert.equal(b.schemaVersion(), SCHEMA_VERSION);
    assert.equal((await b.getNamespace("docs"))?.members[0].user, "alice");
    await b.close();
    const raw = new DatabaseSync(path);
    const journal = raw.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    raw.close();
    assert.equal(journal.journal_mode, "wal");
  }));

Deno.test("sqlite metadata store: a database written by a newer schema is refused untouched", () =>
  withDb(async (path) => {
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    await assert.rejects(
      SqliteMetadataStore.open(path),
      (e) => isStorageError(e, "schema-too-new"),
    );
    const check = new DatabaseSync(path);
    const tables = check.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
    check.close();
    assert.equal(tables.n, 0);
  }));

Deno.test("sqlite metadata store: two connections to one file see each other's commits", () =>
  withDb(async (path) => {
    const a = await SqliteMetadataStore.open(path);
    const b = await SqliteMetadataStore.open(path);
    const input = {
      name: parsePackageName("docs:two"),
      version: parseVersion("1.0.0"),
      kind: "component" as const,
      digest: parseDigest(`sha256:${"0".repeat(64)}`),
      size: 1,
      publisher: "alice",
      document: {},
      searchRows: [],
    };
    await a.commitVersion(input);
    assert.equal((await b.getVersion(input.name, input.version))?.size, 1);
    await assert.rejects(b.commitVersion(input), (e) => isStorageError(e, "conflict"));
    await a.close();
    await b.close();
  }));

Deno.test("migration 4 logs the versions published before the log, in publish order, unsigned", async () => {
  const { MIGRATIONS } = await import("./_migrations.ts");
  await withDb(async (path) => {
    const raw = new DatabaseSync(path);
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) raw.exec(m.sql);
    raw.exec("PRAGMA user_version = 3");
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const rows = [
      ["docs:b", "1.0.0", d("b"), "2025-01-02T00:00:00.000Z"],
      ["docs:a", "2.0.0", d("a"), "2025-01-01T00:00:00.000Z"],
      ["docs:a", "1.0.0", d("c"), "2025-01-01T00:00:00.000Z"],
    ];
    for (const [pkg, version, digest, at] of rows) {
      raw.prepare(
        `INSERT OR IGNORE INTO packages (name, namespace, kind, description, search_text, created_at, updated_at)
         VALUES (?, 'docs', 'wit-package', '', ?, ?, ?)`,
      ).run(pkg, pkg, at, at);
      raw.prepare(
        `INSERT INTO versions (package, version, kind, digest, size, published_at, publisher, yanked_at, document)
         VALUES (?, ?, 'wit-package', ?, 1, ?, 'alice', NULL, '{}')`,
      ).run(pkg, version, digest, at);
    }
    raw.close();
    const store = await SqliteMetadataStore.open(path);
    try {
      assert.equal(await store.logSize(), 3);
      const entries = (await store.readLogEntries(0, 3)).map((e) => new TextDecoder().decode(e));
      assert.deepEqual(entries, [
        `wreg-release/v1 docs:a 1.0.0 ${d("c")} -\n`,
        `wreg-release/v1 docs:a 2.0.0 ${d("a")} -\n`,
        `wreg-release/v1 docs:b 1.0.0 ${d("b")} -\n`,
      ]);
      const v = await store.getVersion(parsePackageName("docs:b"), parseVersion("1.0.0"));
      assert.deepEqual(v?.log, { index: 2, entry: entries[2] });
      assert.equal(v?.signature, null);
      // The next commit appends after them.
      const next = await store.commitVersion({
        name: parsePackageName("docs:c"),
        version: parseVersion("1.0.0"),
        kind: "wit-package",
        digest: parseDigest(d("e")),
        size: 1,
        publisher: "alice",
        document: {},
        searchRows: [],
      });
      assert.equal(next.log.index, 3);
    } finally {
      await store.close();
    }
  });
});
