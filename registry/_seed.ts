/**
 * Seeding: publishes a list of packages through the registry's own pipeline, so a fresh server has
 * something to browse. Idempotent and cheap when already done: a version that exists is skipped
 * before any file is read (versions are immutable; the JS and Python examples do not build
 * byte-for-byte the same twice, so an existing version is never compared or replaced).
 *
 * The default list is the seed scenario of examples/: the `docs:processor` WIT package (its WIT
 * folder, encoded here as a binary WIT package) and the three example components built by
 * examples/build.ts into examples/dist/. Missing components are built once by running that script
 * as a subprocess; when that fails (a toolchain missing), the others are still seeded.
 */
import { encodeWitPackage } from "../lib/component/mod.ts";
import { parsePackageName, parseVersion } from "../lib/names/mod.ts";
import { resolveWit, type SourceFile, type WitDependency } from "../lib/wit/mod.ts";
import type { Storage } from "../storage/mod.ts";
import type { Registry } from "./_app.ts";

/** One package version to seed. Paths are relative to the seed's root folder. */
export interface SeedEntry {
  /** `namespace:name`. */
  name: string;
  version: string;
  /** A WIT folder (its `.wit` files, with `deps/`), encoded as a WIT package. */
  wit?: string;
  /** A component file. */
  wasm?: string;
  /** The example to build with examples/build.ts when `wasm` is missing. */
  example?: string;
}

/** The example packages of the seed scenario (examples/README.md), in publish order. */
export const EXAMPLE_SEED: readonly SeedEntry[] = [
  { name: "docs:processor", version: "0.1.0", wit: "examples/processor/wit" },
  {
    name: "docs:scrubber-c",
    version: "0.1.0",
    wasm: "examples/dist/scrubber-c.wasm",
    example: "scrubber-c",
  },
  {
    name: "docs:logger-js",
    version: "0.1.0",
    wasm: "examples/dist/logger-js.wasm",
    example: "logger-js",
  },
  {
    name: "docs:scrubber-py",
    version: "0.1.0",
    wasm: "examples/dist/scrubber-py.wasm",
    example: "scrubber-py",
  },
];

/** Options of {@link seed}. */
export interface SeedOptions {
  /** The folder entry paths are relative to (the wreg checkout for {@link EXAMPLE_SEED}). */
  root: string;
  /** Who publishes (and owns the namespaces it claims). */
  owner: string;
  /** Build missing example components with examples/build.ts (default true). */
  build?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What {@link seed} did with each entry. */
export interface SeedOutcome {
  name: string;
  version: string;
  status: "published" | "present" | "missing" | "failed";
  detail?: string;
}

/** Publishes every entry that is not published yet. Never throws for one entry's failure. */
export async function seed(
  registry: Registry,
  storage: Storage,
  entries: readonly SeedEntry[],
  options: SeedOptions,
): Promise<SeedOutcome[]> {
  const log = options.log ?? (() => {});
  const todo: SeedEntry[] = [];
  const outcomes = new Map<SeedEntry, SeedOutcome>();
  for (const e of entries) {
    const present = await storage.metadata.getVersion(
      parsePackageName(e.name),
      parseVersion(e.version),
    );
    if (present) outcomes.set(e, { name: e.name, version: e.version, status: "present" });
    else todo.push(e);
  }
  const missing = [];
  for (const e of todo) {
    if (
      e.wasm !== undefined && e.example !== undefined && !(await exists(join(options.root, e.wasm)))
    ) {
      missing.push(e.example);
    }
  }
  if (missing.length > 0 && options.build !== false) {
    log(`seed: building ${missing.join(", ")} with examples/build.ts (once)`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(options.root, "examples/build.ts"), "--only", missing.join(",")],
      cwd: options.root,
      stdout: "piped",
      stderr: "piped",
    }).output().catch((e) => ({ success: false, stderr: new TextEncoder().encode(String(e)) }));
    if (!out.success) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
      log(`seed: building examples failed (${why}); run \`deno task examples\` to build them`);
    }
  }
  for (const e of todo) {
    const ref = `${e.name}@${e.version}`;
    try {
      const bytes = await bytesOf(e, options.root);
      if (bytes === undefined) {
        outcomes.set(e, {
          name: e.name,
          version: e.version,
          status: "missing",
          detail: `${e.wasm} is missing; run \`deno task examples\``,
        });
        log(`seed: skipped ${ref}: ${e.wasm} is missing (run \`deno task examples\`)`);
        continue;
      }
      await registry.publish({
        name: parsePackageName(e.name),
        version: parseVersion(e.version),
        bytes,
        publisher: options.owner,
      });
      outcomes.set(e, { name: e.name, version: e.version, status: "published" });
      log(`seed: published ${ref} (${bytes.length} bytes)`);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      outcomes.set(e, { name: e.name, version: e.version, status: "failed", detail });
      log(`seed: cannot publish ${ref}: ${detail}`);
    }
  }
  return entries.map((e) => outcomes.get(e)!);
}

async function bytesOf(e: SeedEntry, root: string): Promise<Uint8Array | undefined> {
  if (e.wit !== undefined) {
    const dir = join(root, e.wit);
    const { resolve, package: id } = resolveWit({
      root: await readWitFiles(dir),
      deps: await readDeps(join(dir, "deps")),
    });
    return encodeWitPackage(resolve, id);
  }
  if (e.wasm !== undefined) {
    try {
      return await Deno.readFile(join(root, e.wasm));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  }
  throw new Error(`Seed entry ${e.name} has neither "wit" nor "wasm"`);
}

async function readWitFiles(dir: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".wit")) continue;
    const path = join(dir, entry.name);
    files.push({ path, text: await Deno.readTextFile(path) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function readDeps(dir: string): Promise<WitDependency[]> {
  if (!(await exists(dir))) return [];
  const deps: WitDependency[] = [];
  const entries = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) deps.push({ name: entry.name, files: await readWitFiles(path) });
    else if (entry.name.endsWith(".wit")) {
      deps.push({ name: entry.name, files: [{ path, text: await Deno.readTextFile(path) }] });
    }
  }
  return deps;
}

function join(a: string, b: string): string {
  return b.startsWith("/") ? b : `${a.replace(/\/+$/, "")}/${b}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
