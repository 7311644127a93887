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
