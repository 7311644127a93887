/**
 * Storage side of "publish a 1 MiB component": the blob put (hash while writing, fsync, rename,
 * fsync the directory) plus the version commit (one SQLite transaction, fsynced), beside the floor
 * the issue sets: SHA-256 of the same bytes plus a synced write of them. Every publish writes new
 * bytes (a counter in the first 8 bytes), so no put is skipped as already stored.
 *
 * Run: `deno run -A bench/storage.ts` (or `deno task bench storage`). Prints markdown tables.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
import {
  type EmbeddedStorage,
  openMemoryStorage,
  openStorage,
  type PublishInput,
  type SearchRowInput,
  type Storage,
} from "../storage/mod.ts";
import {
  hasCommand,
  interleaved,
  pairedRatio,
  run,
  summarize,
  table,
  type Timing,
} from "./_harness.ts";

const SIZE = 1 << 20;
const CHUNK = 64 * 1024; // what an HTTP request body typically yields
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 60);

const root = await Deno.makeTempDir({ prefix: "wreg-bench-storage-" });
const base = new Uint8Array(SIZE);
for (let i = 0; i < SIZE; i += 65536) crypto.getRandomValues(base.subarray(i, i + 65536));
let counter = 0;
/** Fresh bytes for each run: the same buffer with a new counter in front. */
function nextBytes(): Uint8Array {
  new DataView(base.buffer).setFloat64(0, ++counter);
  return base;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + CHUNK)); // a copy, as a network read would be
      at += CHUNK;
    },
  });
}

// A realistic version document (~4 KiB of JSON) and search rows.
const document = {
  kind: "component",
  worlds: [{ name: "root", imports: [] as string[], exports: [] as string[] }],
  wit: "package docs:bench@1.0.0;\n" +
    "interface api { run: func(input: string) -> string; }\n".repeat(60),
  metadata: { producers: { language: ["Rust"], "processed-by": [["wit-component", "0.220.0"]] } },
};
const searchRows: SearchRowInput[] = [
  ...["stdout", "stderr", "environment", "exit"].map((name) => ({
    relation: "imports" as const,
    namespace: "wasi",
    package: "cli",
    name,
    version: parseVersion("0.2.3"),
  })),
  ...["types", "preopens"].map((name) => ({
    relation: "imports" as const,
    namespace: "wasi",
    package: "filesystem",
    name,
    version: parseVersion("0.2.3"),
  })),
  {
    relation: "exports",
    namespace: "docs",
    package: "bench",
    name: "api",
    version: parseVersion("1.0.0"),
  },
  {
    relation: "targets-world",
    namespace: "docs",
    package: "bench",
    name: "root",
    version: parseVersion("1.0.0"),
  },
  {
    relation: "depends-on",
    namespace: "wasi",
    package: "cli",
    name: null,
    version: parseVersion("0.2.3"),
  },
];

let versions = 0;
function publishInput(put: { digest: PublishInput["digest"]; size: number }): PublishInput {
  return {
    name: parsePackageName(`bench:pkg${versions % 50}`),
    version: parseVersion(`1.0.${versions++}`),
    kind: "component",
    digest: put.digest,
    size: put.size,
    publisher: "bench",
    description: "A package for the storage benchmark",
    document,
    searchRows,
  };
}

async function publish(storage: Storage): Promise<void> {
  const put = await storage.blobs.put(streamOf(nextBytes()));
  await storage.metadata.commitVersion(publishInput(put));
}

async function syncDir(dir: string): Promise<void> {
  const d = await Deno.open(dir, { read: true });
  await d.sync();
  d.close();
}

const fsType = (await run("stat", ["-f", "-c", "%T", root])).trim();

try {
  const floorDir = `${root}/floor`;
  await Deno.mkdir(floorDir);
  let n = 0;
  /** The floor, in this process: hash + write + fsync of a new file (+ fsync of its directory). */
  const floor = async (withDirSync: boolean) => {
    const bytes = nextBytes();
    createHash("sha256").update(bytes).digest("hex");
    const f = await Deno.open(`${floorDir}/${n++}`, { write: true, createNew: true });
    for (let at = 0; at < bytes.length;) at += await f.write(bytes.subarray(at));
    await f.sync();
    f.close();
    if (withDirSync) await syncDir(floorDir);
  };
  const src = `${root}/src.bin`;
  await Deno.writeFile(src, base);
  const shell = await hasCommand("sha256sum") && await hasCommand("dd");

  const full: EmbeddedStorage = await openStorage({ dataDir: `${root}/full` });
  const normal: EmbeddedStorage = await openStorage({
    dataDir: `${root}/normal`,
    synchronous: "normal",
  });
  const memory = openMemoryStorage();
  const blobsForCommits: { digest: PublishInput["digest"]; size: number }[] = [];
  for (let i = 0; i < 2 * (RUNS + 3); i++) {
    blobsForCommits.push(await memory.blobs.put(nextBytes()));
  }
  let c = 0;

  const FLOOR = "floor: sha256 + write + fsync, in process";
  const WREG = "wreg publish: blob put + version commit (default, synchronous=full)";
  const variants: [string, () => Promise<unknown>][] = [
    [FLOOR, () => floor(false)],
    ["floor + fsync of the directory (a durable new file)", () => floor(true)],
    [WREG, () => publish(full)],
    ["wreg publish, synchronous=normal (survives kill -9, not power loss)", () => publish(normal)],
    ["  of which: blob put (stream of 64 KiB chunks)", () => full.blobs.put(streamOf(nextBytes()))],
    [
      "  of which: version commit (synchronous=full)",
      () => full.metadata.commitVersion(publishInput(blobsForCommits[c++])),
    ],
    [
      "  version commit (synchronous=normal)",
      () => normal.metadata.commitVersion(publishInput(blobsForCommits[c++])),
    ],
    ["memory storage publish (for server tests)", () => publish(memory)],
  ];
  if (shell) {
    variants.push(["floor: `sha256sum` + `dd conv=fsync`, as processes", async () => {
      await run("sha256sum", [src]);
      await run("dd", [
        `if=${src}`,
        `of=${floorDir}/dd${n++}`,
        "bs=1M",
        "conv=fsync",
        "status=none",
      ]);
    }]);
  }
  const samples = await interleaved(variants, RUNS);
  await full.close();
  await normal.close();
  await memory.close();

  const rows: Timing[] = variants.map(([name]) => summarize(name, samples.get(name)!));
  console.log(
    table(`Publish of a 1 MiB blob + version commit, storage only (temp dir on ${fsType})`, rows),
  );
  const ours = samples.get(WREG)!;
  const lines = variants
    .filter(([name]) => name.startsWith("floor"))
    .map(([name]) => {
      const paired = pairedRatio(ours, samples.get(name)!);
      return `- wreg publish / ${name}: ${paired.toFixed(2)}× (median of ${RUNS} paired rounds)`;
    });
  console.log(lines.join("\n"));
  console.log("\nGoal (issue 5, for the whole publish): ≤ 1.3× the floor.");
} finally {
  await Deno.remove(root, { recursive: true });
}
