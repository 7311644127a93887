/**
 * The Deno side of `wreg add` / `install`: for each component the project depends on directly,
 * compose it with the components that fill its imports (as the lock says), generate its bindings
 * and map its package name in the project's import map, so that
 *
 * ```ts
 * import { scrubPii } from "docs:scrubber";
 * ```
 *
 * type-checks and runs. Layout, relative to the project:
 *
 * ```
 * wreg_modules/<namespace>/<name>/          the bindings (mod.ts, glue, core modules)
 * wreg_modules/.wasi/wasi-<digest>/          wreg's WASI host (the `wasi/` module), for lean glue of
 *                                           components that import WASI
 * wreg_modules/.shim/preview2-shim-<v>/     @bytecodealliance/preview2-shim, for jco's glue of
 *                                           components that import WASI (async components)
 * deno.json  "imports": { "docs:scrubber": "./wreg_modules/docs/scrubber/mod.ts" }
 *            "scopes":  { "./wreg_modules/": { "@wreg/wasi": …, "@bytecodealliance/preview2-shim/cli": … } }
 * ```
 *
 * Why `wreg_modules/` in the project rather than a hidden cache folder: the import map must
 * point at files, relative paths keep the project movable and reviewable, Deno's tools see a
 * plain folder, and like `node_modules/` it is one folder to ignore in git and to rebuild with
 * `wreg install` (every input is locked and cached). A package name is a valid import-map key
 * (`docs:scrubber` parses as a URL with the scheme `docs:`, which the map matches exactly).
 *
 * The shim is vendored because Deno's own npm resolver cannot install preview2-shim here (its
 * optional native packages are not all published) and a project should not need `npm install`
 * to run a component; the scope keeps its specifiers out of the user's own imports. The WASI host
 * is vendored as its TypeScript sources, in a folder named by their digest (so a wreg upgrade that
 * changes it writes a new one).
 */
import { CliError, EXIT } from "./_command.ts";
import { cachePath } from "./_cache_dir.ts";
import {
  exists,
  joinPath,
  readTextIfExists,
  readTree,
  relativePath,
  removeIfExists,
  replaceDirAtomic,
  type TreeFile,
  writeFileAtomic,
} from "./_fs.ts";
import {
  getJsonValue,
  JsonEditError,
  parseJsonc,
  removeJsonValue,
  setJsonValue,
} from "./_json_edit.ts";
import { readBindingsManifest, writeBindings } from "./cmd_bindings.ts";
import { wasiSources } from "./_wasi_host.ts";
import { composeFailure } from "./cmd_plug.ts";
import { type FetchedPackage, mapLimit, type SyncContext } from "./_sync.ts";
import {
  bindingsCacheKey,
  type BindingsManifest,
  PREVIEW2_SHIM,
  PREVIEW2_SHIM_VERSION,
  WASI_HOST,
} from "../lib/bindings/mod.ts";
import { composeFromLock, type LockView } from "../lib/compose/mod.ts";
import { type Digest, digestOf } from "../lib/names/mod.ts";
import type { Lock } from "../lib/package/mod.ts";

/** The generated folder, relative to the project. */
export const MODULES_DIR = "wreg_modules";
/** The import-map scope wreg owns in `deno.json`. */
export const MODULES_SCOPE = `./${MODULES_DIR}/`;
/** Bumped when composition inputs or output change meaning (part of the compose cache key). */
const COMPOSE_CACHE_VERSION = "wreg-compose-cache/1";
/** The preview2-shim modules generated glue may import. */
const SHIM_MODULES = ["cli", "clocks", "filesystem", "http", "io", "random", "sockets"];

/** What was done for one direct component dependency. */
export interface DenoModule {
  /** `docs:scrubber`. */
  name: string;
  version: string;
  /** The folder of its bindings, relative to the project. */
  dir: string;
  /** The import-map entry's value. */
  entry: string;
  /** The packages composed into it (besides itself), `ns:name@version`. */
  composedWith: string[];
  /** Digest of the component the bindings are for (composed, or the package itself). */
  digest: Digest;
  bindings: BindingsManifest;
  /** Whether the bindings came from the cache. */
  cached: boolean;
}

/** What {@link writeDenoModules} changed. */
export interface DenoResult {
  modules: DenoModule[];
  /** The import-map file, relative to the project (`deno.json`). */
  configFile: string;
  /** Whether the config file was created or changed. */
  configChanged: boolean;
  /** Import-map entries removed (packages no longer depended on). */
  removed: string[];
}

/** The `wreg_modules/` folder of a package: `docs:scrubber` → `wreg_modules/docs/scrubber`. */
export function moduleDir(name: string): string {
  const [ns, n] = name.split(":");
  return `${MODULES_DIR}/${ns}/${n}`;
}

/** The packages that fill `root`'s imports, transitively, by the lock's fills. */
function fillClosure(lock: Lock, root: string): string[] {
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const c = stack.pop()!;
    for (const f of Object.values(lock.fills[c] ?? {})) {
      if (f.package !== root && !seen.has(f.package)) {
        seen.add(f.package);
        stack.push(f.package);
      }
    }
  }
  return [...seen].sort();
}

/**
 * The component to generate bindings for: the package itself, or composed with the components
 * that fill its imports (cached by the inputs' digests in `<cache>/composed/`).
 */
export async function composeDependency(
  ctx: SyncContext,
  lock: Lock,
  packages: ReadonlyMap<string, FetchedPackage>,
  name: string,
): Promise<{ bytes: Uint8Array; composedWith: string[] }> {
  const root = packages.get(name)!;
  const closure = fillClosure(lock, name);
  if (closure.length === 0) return { bytes: root.bytes, composedWith: [] };
  const view: LockView = {
    packages: Object.fromEntries(closure.map((n) => [n, lock.packages[n]])),
    fills: Object.fromEntries(closure.filter((n) => lock.fills[n]).map((n) => [n, lock.fills[n]])),
  };
  const rootFills: Record<string, string> = {};
  for (const [iface, f] of Object.entries(lock.fills[name] ?? {})) rootFills[iface] = f.package;
  const composedWith = closure.map((n) => `${n}@${lock.packages[n].version}`);
  const keyText = JSON.stringify([
    COMPOSE_CACHE_VERSION,
    name,
    root.digest,
    closure.map((n) => [n, lock.packages[n].digest]),
    rootFills,
    view.fills,
  ]);
  const key = (await digestOf(new TextEncoder().encode(keyText))).slice("sha256:".length);
  const keyPath = cachePath(ctx.io, "composed", key);
  const known = (await readTextIfExists(keyPath))?.trim();
  if (known !== undefined && /^sha256:[0-9a-f]{64}$/.test(known)) {
    const bytes = await ctx.cache.get(known as Digest, `the composition of ${name}`);
    if (bytes !== undefined) return { bytes, composedWith };
  }
  let result;
  try {
    result = await composeFromLock({
      root: {
        bytes: root.bytes,
        label: `${name}@${root.version}`,
        package: name,
        version: root.version,
      },
      lock: view,
      load: async (digest) => {
        const p = [...packages.values()].find((x) => x.digest === digest);
        if (p !== undefined) return p.bytes;
        const cached = await ctx.cache.get(digest);
        if (cached === undefined) throw new Error("not in the cache");
        return cached;
      },
      rootFills,
    });
  } catch (e) {
    composeFailure(e);
  }
  const digest = await digestOf(result.bytes);
  await ctx.cache.put(digest, result.bytes);
  await writeFileAtomic(keyPath, `${digest}\n`);
  return { bytes: result.bytes, composedWith };
}

/** Finds the project's Deno config: `deno.json`, else `deno.jsonc`, else a new `deno.json`. */
async function denoConfig(dir: string): Promise<{ file: string; text: string; exists: boolean }> {
  for (const file of ["deno.json", "deno.jsonc"]) {
    const text = await readTextIfExists(joinPath(dir, file));
    if (text !== undefined) return { file, text, exists: true };
  }
  return { file: "deno.json", text: "{}\n", exists: false };
}

/** Copies the WASI host into the project (once per version of its sources); returns its folder. */
async function vendorWasiHost(projectDir: string): Promise<string> {
  const files = await wasiSources();
  const all = new Uint8Array(files.reduce((n, f) => n + f.contents.length + f.path.length + 1, 0));
  let at = 0;
  for (const f of files) {
    all.set(new TextEncoder().encode(`${f.path}\n`), at);
    at += f.path.length + 1;
    all.set(f.contents as Uint8Array, at);
    at += f.contents.length;
  }
  const digest = (await digestOf(all)).slice("sha256:".length, "sha256:".length + 16);
  const rel = `${MODULES_DIR}/.wasi/wasi-${digest}`;
  const target = joinPath(projectDir, rel);
  const stamp = `${target}/.wreg-wasi`;
  if ((await readTextIfExists(stamp)) === `${digest}\n`) return rel;
  await replaceDirAtomic(target, [...files, { path: ".wreg-wasi", contents: `${digest}\n` }]);
  // Older copies are no longer mapped.
  for await (const e of Deno.readDir(joinPath(projectDir, `${MODULES_DIR}/.wasi`))) {
    if (e.name !== `wasi-${digest}`) {
      await removeIfExists(joinPath(projectDir, `${MODULES_DIR}/.wasi/${e.name}`));
    }
  }
  return rel;
}

/** Where wreg's own copy of preview2-shim is (installed by `deno task setup`). */
function shimSource(): string {
  return new URL("../node_modules/@bytecodealliance/preview2-shim", import.meta.url).pathname;
}

/** Copies preview2-shim into the project (once per version); returns its folder (relative). */
async function vendorShim(projectDir: string): Promise<string> {
  const rel = `${MODULES_DIR}/.shim/preview2-shim-${PREVIEW2_SHIM_VERSION}`;
  const target = joinPath(projectDir, rel);
  const stamp = `${target}/.wreg-shim`;
  if ((await readTextIfExists(stamp)) === `${PREVIEW2_SHIM}@${PREVIEW2_SHIM_VERSION}\n`) return rel;
  const src = shimSource();
  let version: string | undefined;
  try {
    version = JSON.parse(await Deno.readTextFile(`${src}/package.json`)).version;
  } catch {
    throw new CliError(
      `Cannot set up ${PREVIEW2_SHIM} for the bindings: it is not installed at ${src}; run ` +
        "`deno task setup` in the wreg checkout",
      EXIT.usage,
    );
  }
  if (version !== PREVIEW2_SHIM_VERSION) {
    throw new CliError(
      `Cannot set up ${PREVIEW2_SHIM} for the bindings: wreg's node_modules has ${version}, the ` +
        `bindings are made for ${PREVIEW2_SHIM_VERSION}; run \`deno task setup\` in the wreg checkout`,
      EXIT.usage,
    );
  }
  const files: TreeFile[] = [];
  for (const f of ["package.json", "LICENSE"]) {
    if (await exists(`${src}/${f}`)) {
      files.push({ path: f, contents: await Deno.readFile(`${src}/${f}`) });
    }
  }
  for (const f of await readTree(`${src}/dist`)) files.push({ ...f, path: `dist/${f.path}` });
  files.push({ path: ".wreg-shim", contents: `${PREVIEW2_SHIM}@${PREVIEW2_SHIM_VERSION}\n` });
  await replaceDirAtomic(target, files);
  return rel;
}

/**
 * Generates the bindings of every direct component dependency into `wreg_modules/`, and points
 * the project's import map at them (removing entries of packages no longer depended on).
 */
export async function writeDenoModules(
  ctx: SyncContext,
  projectDir: string,
  lock: Lock,
  packages: ReadonlyMap<string, FetchedPackage>,
  direct: readonly string[],
): Promise<DenoResult> {
  const names = [...direct].sort().filter((n) => packages.get(n)?.kind === "component");
  // A Deno config that cannot be edited stops the command before anything is generated.
  const config = await denoConfig(projectDir);
  try {
    parseJsonc(config.text);
  } catch (e) {
    if (e instanceof JsonEditError) {
      throw new CliError(`Cannot update ${config.file}: ${e.message}`, EXIT.usage);
    }
    throw e;
  }
  // Four at a time: composition is usually a cache hit, and the rest is file I/O.
  const modules = await mapLimit(names, 4, async (name): Promise<DenoModule> => {
    const p = packages.get(name)!;
    const { bytes, composedWith } = await composeDependency(ctx, lock, packages, name);
    const dir = moduleDir(name);
    const out = joinPath(projectDir, dir);
    // The folder already holds these bindings (same component, options and generator): keep it.
    const key = await bindingsCacheKey(bytes, { name });
    const present = await readBindingsManifest(out);
    const written = present !== undefined && present.cacheKey === key
      ? { manifest: present, cached: true }
      : await writeBindings(bytes, out, { name, wasiHost: WASI_HOST }, ctx.io);
    return {
      name,
      version: p.version,
      dir,
      entry: `./${dir}/${written.manifest.entry}`,
      composedWith,
      digest: written.manifest.digest,
      bindings: written.manifest,
      cached: written.cached,
    };
  });
  let text = config.text;
  const removed: string[] = [];
  try {
    const imports = getJsonValue(text, ["imports"]);
    const wanted = new Set(modules.map((m) => m.name));
    if (typeof imports === "object" && imports !== null) {
      for (const [key, value] of Object.entries(imports as Record<string, unknown>)) {
        if (
          typeof value === "string" && value.startsWith(`./${MODULES_DIR}/`) && !wanted.has(key)
        ) {
          text = removeJsonValue(text, ["imports", key]);
          removed.push(key);
          await removeIfExists(joinPath(projectDir, moduleDir(key)));
        }
      }
    }
    for (const m of modules) {
      if (getJsonValue(text, ["imports", m.name]) !== m.entry) {
        text = setJsonValue(text, ["imports", m.name], m.entry);
      }
    }
    const needsShim = modules.some((m) => Object.hasOwn(m.bindings.npm, PREVIEW2_SHIM));
    const needsWasi = modules.some((m) => m.bindings.wasiHost !== undefined);
    const scope: Record<string, string> = {};
    if (needsWasi) {
      const wasi = await vendorWasiHost(projectDir);
      scope[`${WASI_HOST}/`] = `./${wasi}/`;
    } else await removeIfExists(joinPath(projectDir, `${MODULES_DIR}/.wasi`));
    if (needsShim) {
      const shim = await vendorShim(projectDir);
      scope[PREVIEW2_SHIM] = `./${shim}/dist/nodejs/index.js`;
      for (const m of SHIM_MODULES) {
        scope[`${PREVIEW2_SHIM}/${m}`] = `./${shim}/dist/nodejs/${m}.js`;
      }
    } else await removeIfExists(joinPath(projectDir, `${MODULES_DIR}/.shim`));
    if (needsShim || needsWasi) {
      if (JSON.stringify(getJsonValue(text, ["scopes", MODULES_SCOPE])) !== JSON.stringify(scope)) {
        text = setJsonValue(text, ["scopes", MODULES_SCOPE], scope);
      }
    } else if (getJsonValue(text, ["scopes", MODULES_SCOPE]) !== undefined) {
      text = removeJsonValue(text, ["scopes", MODULES_SCOPE]);
      const scopes = getJsonValue(text, ["scopes"]);
      if (typeof scopes === "object" && scopes !== null && Object.keys(scopes).length === 0) {
        text = removeJsonValue(text, ["scopes"]);
      }
      await removeIfExists(joinPath(projectDir, `${MODULES_DIR}/.shim`));
    }
  } catch (e) {
    if (e instanceof JsonEditError) {
      throw new CliError(`Cannot update ${config.file}: ${e.message}`, EXIT.usage);
    }
    throw e;
  }
  const configChanged = !config.exists || text !== config.text;
  if (configChanged && (modules.length > 0 || config.exists)) {
    await writeFileAtomic(joinPath(projectDir, config.file), text);
  }
  return {
    modules,
    configFile: relativePath(joinPath(projectDir, config.file), projectDir),
    configChanged: configChanged && (modules.length > 0 || config.exists),
    removed: removed.sort(),
  };
}
