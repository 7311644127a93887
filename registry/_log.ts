/**
 * The registry's transparency log (issue 16; lib/tlog for the formats). Entries are appended by
 * the storage in the transaction of each change (a release, a yank or unyank, a key registered
 * or revoked), so the log and the rows never disagree, in any process. This module integrates
 * them: under the log's lock (`MetadataStore.withLock("log")`, one holder across every process
 * sharing the storage) it hashes the new entries, stores the new node hashes (from which the
 * tiles are served: they are immutable once stored), and only then signs the checkpoint of the
 * new size with the log key and stores it.
 *
 * Before signing, the stored nodes must reproduce the root of the latest signed checkpoint (which
 * must verify with this process's key): a log is never signed in two inconsistent versions. A
 * crash between a commit and its integration leaves entries that the next integration (at start,
 * or after any write in any process) takes in.
 */
import {
  appendLeaves,
  encodeEntryBundle,
  formatCheckpoint,
  formatSignerKey,
  formatTlogProof,
  type HashReader,
  leafHash,
  type NodeId,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  proveInclusion,
  readTile,
  type SignerKey,
  signNote,
  type StoredNode,
  type Tile,
  tileExists,
  treeHash,
  type VerifierKey,
} from "../lib/tlog/mod.ts";
import type { LogCheckpoint, MetadataStore } from "../storage/mod.ts";

/** Entries hashed per read while integrating. */
const BATCH = 1024;
/** Node hashes kept in memory (they never change once stored). */
const NODE_CACHE = 500_000;

/** The log of one registry process. */
export class RegistryLog {
  readonly #metadata: MetadataStore;
  readonly #signer: Promise<SignerKey>;
  #verifier: Promise<VerifierKey> | undefined;
  readonly #nodes = new Map<string, Uint8Array>();
  /** Checkpoint sizes already checked against this key and the stored nodes. */
  #trusted = -1;
  #running: Promise<LogCheckpoint> | undefined;
  #pending: Promise<LogCheckpoint> | undefined;
  #latest: { checkpoint: LogCheckpoint; at: number } | undefined;
  /** The read of the stored checkpoint under way (concurrent requests share it). */
  #reading: Promise<LogCheckpoint | undefined> | undefined;

  constructor(metadata: MetadataStore, signer: Promise<SignerKey>) {
    this.#metadata = metadata;
    this.#signer = signer;
    signer.catch(() => {}); // reported where it is used
  }

  /** The note verifier key clients pin (`<origin>+<key ID>+<base64 key>`). */
  async verifierKey(): Promise<string> {
    return (await this.#signer).vkey;
  }

  /** Reads stored node hashes (cached: they never change); a node not stored fails. */
  readonly reader: HashReader = async (ids: readonly NodeId[]) => {
    const out: (Uint8Array | undefined)[] = ids.map((id) =>
      this.#nodes.get(`${id.level}/${id.index}`)
    );
    const missing = ids.filter((_, i) => out[i] === undefined);
    if (missing.length > 0) {
      const read = await this.#metadata.readLogNodes(missing);
      let j = 0;
      for (let i = 0; i < ids.length; i++) {
        if (out[i] !== undefined) continue;
        const h = read[j++];
        if (h === undefined) {
          throw new Error(`log node ${ids[i].level}/${ids[i].index} is not stored`);
        }
        this.#remember(ids[i], h);
        out[i] = h;
      }
    }
    return out as Uint8Array[];
  };

  #remember(id: NodeId, hash: Uint8Array) {
    if (this.#nodes.size >= NODE_CACHE) this.#nodes.clear();
    this.#nodes.set(`${id.level}/${id.index}`, hash);
  }

  /**
   * Integrates every entry appended so far and returns the latest checkpoint. Calls while one
   * runs are served by one more run after it (so a burst of publishes signs few checkpoints).
   */
  integrate(): Promise<LogCheckpoint> {
    if (this.#running !== undefined) {
      this.#pending ??= this.#running.catch(() => {}).then(() => {
        this.#pending = undefined;
        return this.integrate();
      });
      return this.#pending;
    }
    const run = this.#metadata.withLock("log", () => this.#integrateOnce());
    this.#running = run.finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #integrateOnce(): Promise<LogCheckpoint> {
    const signer = await this.#signer;
    this.#verifier ??= parseVerifierKey(signer.vkey);
    const verifier = await this.#verifier;
    const latest = await this.#metadata.latestCheckpoint();
    const from = latest?.size ?? 0;
    if (latest !== undefined && latest.size !== this.#trusted) {
      let opened;
      try {
        opened = await openCheckpoint(latest.note, [verifier]);
      } catch (e) {
        throw new Error(
          `the log's latest checkpoint (size ${latest.size}) does not verify with this process's log key ${signer.vkey} (${
            (e as Error).message
          }): every process serving this storage must use the same --log-key`,
        );
      }
      const root = await treeHash(latest.size, this.reader);
      if (!equalHashes(root, opened.root)) {
        throw new Error(
          `the stored log nodes do not reproduce the root of the signed checkpoint of size ${latest.size}: refusing to sign`,
        );
      }
      this.#trusted = latest.size;
    }
    const size = await this.#metadata.logSize();
    if (latest !== undefined && size === latest.size) return this.#seen(latest);
    // New node hashes, batch by batch; all but the last batch's are stored at once (a long
    // backlog is not held in memory), the last with the checkpoint, in one transaction.
    let pending: StoredNode[] = [];
    for (let start = from; start < size; start += BATCH) {
      if (pending.length > 0) await this.#metadata.putLogNodes(pending);
      const end = Math.min(size, start + BATCH);
      const entries = await this.#metadata.readLogEntries(start, end);
      const hashes = await Promise.all(entries.map((e) => leafHash(e)));
      pending = await appendLeaves(start, hashes, this.reader);
      for (const n of pending) this.#remember(n, n.hash);
    }
    const root = await treeHash(size, this.reader);
    const note = await signNote(formatCheckpoint({ origin: signer.name, size, root }), [signer]);
    const checkpoint = { size, note };
    await this.#metadata.putCheckpoint(checkpoint, pending);
    this.#trusted = size;
    return this.#seen(checkpoint);
  }

  #seen(checkpoint: LogCheckpoint): LogCheckpoint {
    if (this.#latest === undefined || this.#latest.checkpoint.size <= checkpoint.size) {
      this.#latest = { checkpoint, at: Date.now() };
    }
    return checkpoint;
  }

  /**
   * The latest checkpoint, at most `maxAgeMs` old as seen by this process (other processes sign
   * too); integrates first when it does not cover `atLeast` entries.
   */
  async checkpoint(atLeast = 0, maxAgeMs = 1000): Promise<LogCheckpoint> {
    const cached = this.#latest;
    if (
      cached !== undefined && cached.checkpoint.size >= atLeast &&
      Date.now() - cached.at <= maxAgeMs
    ) return cached.checkpoint;
    const stored = await (this.#reading ??= this.#metadata.latestCheckpoint().finally(() => {
      this.#reading = undefined;
    }));
    if (stored !== undefined && stored.size >= atLeast) return this.#seen(stored);
    return await this.integrate();
  }

  /** The c2sp.org/tlog-proof@v1 of entry `index`, against the latest checkpoint. */
  async proof(index: number): Promise<string> {
    const checkpoint = await this.checkpoint(index + 1);
    const path = await proveInclusion(index, checkpoint.size, this.reader);
    return formatTlogProof({ index, path, checkpoint: checkpoint.note });
  }

  /** A tile's bytes, or `undefined` when the latest checkpoint's tree has no such tile. */
  async tile(tile: Tile): Promise<Uint8Array | undefined> {
    let checkpoint = await this.checkpoint();
    if (!tileExists(tile, checkpoint.size)) {
      // Another process may have signed a larger tree a moment ago.
      checkpoint = await this.checkpoint(0, 0);
      if (!tileExists(tile, checkpoint.size)) return undefined;
    }
    if (tile.level === "entries") {
      const start = tile.index * 256;
      return encodeEntryBundle(await this.#metadata.readLogEntries(start, start + tile.width));
    }
    return await readTile(tile, this.reader);
  }
}

function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A new log key (an x/mod note signer key) named `origin`. */
export async function generateLogKey(origin: string): Promise<string> {
  return await formatSignerKey(origin, crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Reads the log key from `path`, or creates it there (mode 0600, written whole before it is
 * used) named `origin` when the file does not exist. The key is never logged.
 */
export async function loadLogKey(path: string, origin: string): Promise<SignerKey> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    const skey = await generateLogKey(origin);
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
    try {
      await file.write(new TextEncoder().encode(`${skey}\n`));
      await file.sync();
    } finally {
      file.close();
    }
    try {
      // link, not rename: a key another process created meanwhile wins, and this one is dropped.
      await Deno.link(tmp, path);
    } catch (e2) {
      if (!(e2 instanceof Deno.errors.AlreadyExists)) throw e2;
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
    text = await Deno.readTextFile(path);
  }
  try {
    return await parseSignerKey(text.trim());
  } catch (e) {
    throw new Error(`Cannot read the log key in ${path}: ${(e as Error).message}`);
  }
}

/** An ephemeral log key (a registry in memory). */
export async function ephemeralLogKey(): Promise<SignerKey> {
  const id = crypto.getRandomValues(new Uint8Array(4)).toHex();
  return await parseSignerKey(await generateLogKey(`localhost/wreg-log-${id}`));
}
