/**
 * Tiles (c2sp.org/tlog-tiles): paths, which tiles a tree size has, the bytes of a hash tile made
 * from stored node hashes, entry bundles, and a {@link HashReader} over fetched tiles (so the CLI
 * computes consistency proofs from a log's static tiles with the same code the registry uses).
 */
import { concat } from "./_bytes.ts";
import { TlogError } from "./_errors.ts";
import { HASH_SIZE, type HashReader, nodeHash, type NodeId } from "./_merkle.ts";

/** Levels of the Merkle tree one tile spans. */
export const TILE_HEIGHT = 8;
/** Hashes (or entries) in a full tile. */
export const TILE_WIDTH = 256;
/** The largest entry an entry bundle can hold (uint16 length prefix). */
export const MAX_ENTRY_SIZE = 65535;

/** A hash tile (`level` a number) or an entry bundle (`level` "entries"). */
export interface Tile {
  /** The tile level (hashes at tree level 8·level), or "entries" for an entry bundle. */
  readonly level: number | "entries";
  /** The tile's index within its level. */
  readonly index: number;
  /** How many hashes or entries it holds: 256 for a full tile, 1–255 for a partial one. */
  readonly width: number;
}

function encodeIndex(n: number): string {
  let s = String(n % 1000).padStart(3, "0");
  for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000)) {
    s = `x${String(n % 1000).padStart(3, "0")}/${s}`;
  }
  return s;
}

/** The path of a tile under the log's prefix: `tile/<L>/<N>[.p/<W>]`. */
export function formatTilePath(tile: Tile): string {
  const w = tile.width === TILE_WIDTH ? "" : `.p/${tile.width}`;
  return `tile/${tile.level}/${encodeIndex(tile.index)}${w}`;
}

/** Parses a tile path (`tile/0/x001/234.p/5`, `tile/entries/000`), strictly; undefined if not one. */
export function tryParseTilePath(path: string): Tile | undefined {
  const m =
    /^tile\/(0|[1-9][0-9]?|entries)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/
      .exec(path);
  if (!m) return undefined;
  const level = m[1] === "entries" ? "entries" : Number(m[1]);
  if (typeof level === "number" && level > 63) return undefined;
  const groups = [...m[2].split("/").filter(Boolean).map((g) => g.slice(1)), m[3]];
  if (groups.length > 1 && groups[0] === "000") return undefined; // one spelling per index
  if (groups.length > 5) return undefined;
  const index = groups.reduce((acc, g) => acc * 1000 + Number(g), 0);
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (m[4] !== undefined && width >= TILE_WIDTH) return undefined;
  return { level, index, width };
}

/** How many hashes of tile level `level` a tree of `n` leaves has (its complete nodes there). */
function hashesAtLevel(level: number, n: number): number {
  return Math.floor(n / TILE_WIDTH ** level);
}

/**
 * The width of tile `index` at `level` (or the entry bundle) for a tree of `n` leaves, or 0 when
 * the tree has no such tile.
 */
export function tileWidth(level: number | "entries", index: number, n: number): number {
  const count = hashesAtLevel(level === "entries" ? 0 : level, n);
  const start = index * TILE_WIDTH;
  if (start >= count) return 0;
  return Math.min(TILE_WIDTH, count - start);
}

/** Every hash tile of a tree of `n` leaves (full and partial), level by level. */
export function tilesOfSize(n: number): Tile[] {
  const out: Tile[] = [];
  for (let level = 0; level <= 63 && hashesAtLevel(level, n) > 0; level++) {
    const count = hashesAtLevel(level, n);
    for (let index = 0; index * TILE_WIDTH < count; index++) {
      out.push({ level, index, width: tileWidth(level, index, n) });
    }
  }
  return out;
}

/** Every entry bundle of a tree of `n` leaves. */
export function entryBundlesOfSize(n: number): Tile[] {
  const out: Tile[] = [];
  for (let index = 0; index * TILE_WIDTH < n; index++) {
    out.push({ level: "entries", index, width: tileWidth("entries", index, n) });
  }
  return out;
}

/**
 * Whether a tree of `n` leaves can serve this tile: any width up to what the size gives, since a
 * partial tile of width W holds the first W hashes of the full one and never changes (clients
 * holding an older checkpoint still ask for the partial tiles of its size).
 */
export function tileExists(tile: Tile, n: number): boolean {
  return tile.width >= 1 && tile.width <= tileWidth(tile.level, tile.index, n);
}

/** The stored nodes a hash tile holds, in order. */
export function tileNodes(tile: Tile): NodeId[] {
  if (tile.level === "entries") {
    throw new TlogError("invalid-tile", "Cannot list the nodes of an entry bundle");
  }
  const level = tile.level * TILE_HEIGHT;
  const first = tile.index * TILE_WIDTH;
  return Array.from({ length: tile.width }, (_, i) => ({ level, index: first + i }));
}

/** The bytes of a hash tile: its hashes concatenated, read through `read`. */
export async function readTile(tile: Tile, read: HashReader): Promise<Uint8Array> {
  return concat(...await read(tileNodes(tile)));
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) {
      throw new TlogError("invalid-tile", `Cannot bundle an entry of ${e.length} bytes`);
    }
    parts.push(new Uint8Array([e.length >> 8, e.length & 0xff]), e);
  }
  return concat(...parts);
}

/** The entries of an entry bundle; its width must be `width` and nothing may trail. */
export function decodeEntryBundle(bytes: Uint8Array, width: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) break;
    const len = (bytes[at] << 8) | bytes[at + 1];
    if (at + 2 + len > bytes.length) break;
    out.push(bytes.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  if (at !== bytes.length || out.length !== width) {
    throw new TlogError(
      "invalid-tile",
      `Cannot read entry bundle: expected ${width} length-prefixed entries in ${bytes.length} ` +
        `bytes (at offset 0x${at.toString(16)})`,
    );
  }
  return out;
}

/** Where a node's hash comes from in the tiles of a tree: the tile, and the slice of it. */
export function tileOfNode(node: NodeId, n: number): { tile: Tile; offset: number; count: number } {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const count = 2 ** (node.level - level * TILE_HEIGHT);
  const first = node.index * count;
  const index = Math.floor(first / TILE_WIDTH);
  const width = tileWidth(level, index, n);
  const offset = first - index * TILE_WIDTH;
  if (offset + count > width) {
    throw new TlogError(
      "out-of-range",
      `Cannot read node ${node.level}/${node.index} from the tiles of a tree of size ${n}`,
    );
  }
  return { tile: { level, index, width }, offset, count };
}

/** The root of a complete subtree over `hashes` (a power of two of them). */
async function completeRoot(hashes: Uint8Array[]): Promise<Uint8Array> {
  let row = hashes;
  while (row.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(await nodeHash(row[i], row[i + 1]));
    row = next;
  }
  return row[0];
}

/**
 * A {@link HashReader} over the hash tiles of a tree of `n` leaves, fetched through `fetchTile`
 * (each tile once). A node above a tile's level is hashed from the tile's row. The tiles are not
 * trusted: a proof made from them is checked against signed root hashes, which any wrong byte fails.
 */
export function tileHashReader(
  n: number,
  fetchTile: (tile: Tile) => Promise<Uint8Array>,
): HashReader {
  const fetched = new Map<string, Promise<Uint8Array>>();
  const get = (tile: Tile) => {
    const key = formatTilePath(tile);
    let p = fetched.get(key);
    if (!p) {
      p = fetchTile(tile).then((bytes) => {
        if (bytes.length !== tile.width * HASH_SIZE) {
          throw new TlogError(
            "invalid-tile",
            `Cannot use tile ${key}: it has ${bytes.length} bytes, expected ${
              tile.width * HASH_SIZE
            }`,
          );
        }
        return bytes;
      });
      fetched.set(key, p);
    }
    return p;
  };
  return async (nodes) => {
    const places = nodes.map((node) => tileOfNode(node, n));
    const tiles = await Promise.all(places.map((p) => get(p.tile)));
    const out: Uint8Array[] = [];
    for (let i = 0; i < places.length; i++) {
      const { offset, count } = places[i];
      const row: Uint8Array[] = [];
      for (let j = 0; j < count; j++) {
        row.push(tiles[i].slice((offset + j) * HASH_SIZE, (offset + j + 1) * HASH_SIZE));
      }
      out.push(await completeRoot(row));
    }
    return out;
  };
}
