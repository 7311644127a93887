/**
 * Bindings for Deno: from a component's bytes, an ES module with TypeScript declarations that a
 * Deno program imports in one line and calls with full types, in-process.
 *
 * {@link generateBindings} returns files (`{ path, contents }`) to write into one folder; writing
 * and caching them is the caller's job (`wreg bindings`, `wreg add`). The folder's `mod.ts` is the
 * entry: map a specifier to it in the project's import map (`"docs:scrubber":
 * "./generated/docs-scrubber/mod.ts"`) and
 *
 * - a component with no imports to supply is instantiated when first imported:
 *   `import { scrubPii } from "docs:scrubber";` (also `export default` the instance);
 * - a component with imports exports `instantiate(imports)`:
 *   `import { instantiate } from "docs:scrubber";`
 *   `const { process } = instantiate({ logger: { log: (level, message) => … } });`
 *
 * Either way `mod.ts` exports `instantiate`, the `Imports`/`Exports` interfaces, every WIT type
 * the user meets, and `ComponentError` (thrown when a function returning `result` returns `err`,
 * when the component traps, and when it exits through `wasi:cli/exit`). WASI imports never appear
 * in `Imports`: lean glue takes them from wreg's WASI host (`@wreg/wasi`, the `wasi/` module of
 * this repository, given only what `instantiate(imports, { wasi })` grants), jco's glue from
 * `@bytecodealliance/preview2-shim`.
 *
 * Two kinds of glue, chosen per component (see {@link chooseGlue}):
 * - **lean**: wreg's own code for components made of core modules, nested components
 *   (compositions), resources and synchronous `canon lift`/`lower`: core modules instantiated with
 *   `new WebAssembly.Instance`, values converted by code specialised per function;
 * - **jco**: `@bytecodealliance/jco-transpile` for what lean glue does not cover (component model
 *   async: streams, futures, async functions), with its known problems patched (see `_jco.ts`).
 *
 * @example
 * ```ts
 * import { generateBindings } from "./mod.ts";
 * const bytes = await Deno.readFile("examples/dist/scrubber-c.wasm");
 * const b = await generateBindings(bytes, { name: "docs:scrubber" });
 * // b.glue === "lean"; b.files: mod.ts, _glue.js, _glue.d.ts, _core0.wasm, …
 * ```
 *
 * @module
 */
import { ComponentDecodeError, decodeComponent, type DecodedWasm } from "../component/mod.ts";
import { type Digest, digestOf } from "../names/mod.ts";
import { dealias, type Resolve, type Type, type WorldId, worldKeyName } from "../wit/mod.ts";
import { BindingsError } from "./_error.ts";
import { entryModule, glueDeclarations } from "./_entry.ts";
import { generateJcoGlue, shimTarget } from "./_jco.ts";
import { generateLeanGlue } from "./_lean.ts";
import { Unsupported } from "./_lean_values.ts";
import { assignKeys, camelCase, pascalCase } from "./_names.ts";
import { tsDeclarations } from "./_ts_types.ts";

export { BindingsError, type BindingsErrorCode } from "./_error.ts";
export { JCO_ENV_READ, patchJcoGlue } from "./_jco.ts";
export { WASI_OPTIONS_TS } from "./_entry.ts";

/** The generator's version; part of every cache key, bumped when the output changes. */
export const GENERATOR_VERSION = "wreg-bindings/2";
/**
 * The folder specifier lean glue imports wreg's WASI host from (`@wreg/wasi/mod.ts`): the
 * project maps `@wreg/wasi/` to the `wasi/` module (`wreg add` vendors it into `wreg_modules/`).
 */
export const WASI_HOST = "@wreg/wasi";
/** The jco-transpile version the jco path is written and tested against. */
export const JCO_TRANSPILE_VERSION = "0.15.0";
/** The preview2-shim version generated bindings of WASI components import. */
export const PREVIEW2_SHIM_VERSION = "0.26.1";
/** The npm package generated bindings import for WASI (the default `shim`). */
export const PREVIEW2_SHIM = "@bytecodealliance/preview2-shim";

/** WASI packages the WASI hosts implement; imports of these are never the user's to supply. */
const SHIM_PACKAGES = new Set(["cli", "clocks", "filesystem", "http", "io", "random", "sockets"]);

/** Which glue to generate: chosen per component (`auto`), or forced. */
export type GlueChoice = "auto" | "lean" | "jco";

/** Options of {@link generateBindings}. */
export interface BindingsOptions {
  /**
   * The name the user imports the bindings by (`docs:scrubber`): used in the generated
   * documentation and example, not in file names.
   */
  name: string;
  /** `auto` (default): lean glue where it applies, jco otherwise. */
  glue?: GlueChoice;
  /**
   * The specifier generated code imports preview2-shim by (default
   * `@bytecodealliance/preview2-shim`, which the importing project must resolve).
   */
  shim?: string;
  /**
   * The folder lean glue imports wreg's WASI host from: `<wasiHost>/mod.ts`, `…/http.ts`,
   * `…/sockets.ts`. Default `@wreg/wasi`, which the importing project maps (`"@wreg/wasi/":
   * "…/wasi/"`; `wreg add` vendors the module into `wreg_modules/`); `./_wasi` for a copy beside
   * the glue (`wreg bindings`).
   */
  wasiHost?: string;
}

/** One generated file, its path relative to the output folder. */
export interface GeneratedFile {
  path: string;
  contents: Uint8Array | string;
}

/** An import or export of the component and its key in `Imports`/`Exports`. */
export interface BindingsExtern {
  /** The extern name (`docs:processor/logger@0.1.0`, `scrub-pii`). */
  name: string;
  /** The key (`logger`, `scrubPii`). */
  key: string;
}

/** Generated bindings. */
export interface Bindings {
  /** Every file, sorted by path; `mod.ts` is the entry. */
  files: GeneratedFile[];
  /** The entry's path: `mod.ts`. */
  entry: string;
  /** The component's digest. */
  digest: Digest;
  /** Digest of the component plus everything that shapes the output: the cache key. */
  cacheKey: string;
  glue: "lean" | "jco";
  /** Why jco was used (absent for lean glue). */
  reason?: string;
  /** Imports the user supplies to `instantiate`. */
  imports: BindingsExtern[];
  /** WASI imports, served by wreg's WASI host (lean) or preview2-shim (jco). */
  wasi: string[];
  /** The specifier of wreg's WASI host when the glue imports it (lean glue with WASI imports). */
  wasiHost?: string;
  exports: BindingsExtern[];
  /** Whether importing `mod.ts` instantiates the component (it has no imports to supply). */
  ready: boolean;
  /** npm packages the generated code imports, with versions (for the project to install). */
  npm: Record<string, string>;
  /** Deno permissions a program running the bindings needs (`--allow-env`…). */
  permissions: string[];
}

/** `wreg-bindings.json`: everything in {@link Bindings} but the files, with the generator. */
export type BindingsManifest = Omit<Bindings, "files"> & {
  /** {@link GENERATOR_VERSION} of the generator that wrote the folder. */
  generator: string;
  /** The `name` option. */
  name: string;
};

/** How a component's world splits into user imports, WASI imports and exports. */
export interface WorldSurface {
  imports: string[];
  wasi: string[];
  exports: string[];
  /** Which of those names are resources of the world itself (their key is a class name). */
  resources: Set<string>;
}

/** Whether an interface name is one the WASI hosts serve (WASI 0.2; not 0.3's async WASI). */
function servedByWasiHost(name: string): boolean {
  const target = shimTarget(name);
  if (target === undefined || !SHIM_PACKAGES.has(target.module)) return false;
  const version = name.includes("@") ? name.slice(name.indexOf("@") + 1) : undefined;
  return version === undefined || version.startsWith("0.2.");
}

function isResource(resolve: Resolve, t: Type): boolean {
  const d = dealias(resolve, t);
  return typeof d === "number" && resolve.types[d].kind.tag === "resource";
}

/**
 * Classifies the world's imports and exports. Types-only interfaces appear in none; functions of
 * world-level resources (`[constructor]r`, `[method]r.f`) belong to their resource.
 */
export function worldSurface(resolve: Resolve, world: WorldId): WorldSurface {
  const w = resolve.worlds[world];
  const imports: string[] = [], wasi: string[] = [], exports: string[] = [];
  const resources = new Set<string>();
  const side = (map: typeof w.imports, out: string[], isImport: boolean) => {
    for (const [k, item] of map) {
      const name = worldKeyName(resolve, k);
      if (item.tag === "function") {
        if (!name.startsWith("[")) out.push(name);
      } else if (item.tag === "interface") {
        if (isImport && servedByWasiHost(name)) wasi.push(name);
        else if (!isImport || resolve.interfaces[item.id].functions.size > 0) out.push(name);
      } else if (isResource(resolve, item.id)) {
        out.push(name);
        resources.add(name);
      }
    }
  };
  side(w.imports, imports, true);
  side(w.exports, exports, false);
  return { imports, wasi, exports, resources };
}

function decode(bytes: Uint8Array): DecodedWasm {
  let d: DecodedWasm;
  try {
    d = decodeComponent(bytes);
  } catch (e) {
    if (e instanceof ComponentDecodeError) {
      throw new BindingsError("not-a-component", `it does not decode: ${e.message}`);
    }
    throw e;
  }
  if (d.kind !== "component" || d.world === undefined) {
    throw new BindingsError(
      "not-a-component",
      d.kind === "module"
        ? "it is a core module, not a component"
        : "it is a WIT package, not a component",
    );
  }
  return d;
}

/** Keys: exports avoid names the entry module declares itself. */
const RESERVED_EXPORTS = ["instantiate", "ComponentError", "setPreopens", "instance"];

/**
 * Which glue {@link generateBindings} generates for a component under `auto`, and why jco when
 * it is jco: lean glue covers everything but component model async (async functions, streams,
 * futures and their built-ins).
 */
export function chooseGlue(bytes: Uint8Array): { glue: "lean" | "jco"; reason?: string } {
  const d = decode(bytes);
  const surface = worldSurface(d.resolve, d.world!);
  try {
    leanGlue(bytes, d, surface, WASI_HOST);
    return { glue: "lean" };
  } catch (e) {
    if (e instanceof Unsupported) return { glue: "jco", reason: e.message };
    throw e;
  }
}

function keysOf(surface: WorldSurface) {
  // World-level resources are classes: `R`, like jco names them.
  const keys = (names: string[], reserved: string[]) => {
    const classes = names.filter((n) => surface.resources.has(n));
    const classKeys = new Map(classes.map((n) => [n, pascalCase(n)]));
    const rest = assignKeys(names.filter((n) => !surface.resources.has(n)), [
      ...reserved,
      ...classKeys.values(),
    ]);
    return new Map(names.map((n) => [n, classKeys.get(n) ?? rest.get(n)!]));
  };
  return {
    importKeys: keys(surface.imports, []),
    exportKeys: keys(surface.exports, RESERVED_EXPORTS),
  };
}

function leanGlue(
  bytes: Uint8Array,
  d: DecodedWasm,
  surface: WorldSurface,
  wasiHost: string,
  header = "",
) {
  return generateLeanGlue(bytes, d, {
    ...keysOf(surface),
    wasi: new Set(surface.wasi),
    wasiHost,
  }, header);
}

/**
 * Generates the bindings of a component. Deterministic: the same bytes and options give the same
 * files. Throws {@link BindingsError}.
 */
export async function generateBindings(
  bytes: Uint8Array,
  options: BindingsOptions,
): Promise<Bindings> {
  if (
    typeof options.name !== "string" || options.name.trim() === "" || /[\n\r*]/.test(options.name)
  ) {
    throw new BindingsError(
      "invalid-option",
      `the name ${JSON.stringify(options.name)} is not usable`,
    );
  }
  const choice = options.glue ?? "auto";
  if (!["auto", "lean", "jco"].includes(choice)) {
    throw new BindingsError("invalid-option", `unknown glue ${JSON.stringify(choice)}`);
  }
  const shim = options.shim ?? PREVIEW2_SHIM;
  const wasiHost = options.wasiHost ?? WASI_HOST;
  const d = decode(bytes);
  const digest = await digestOf(bytes);
  const surface = worldSurface(d.resolve, d.world!);
  const { importKeys, exportKeys } = keysOf(surface);
  const ts = tsDeclarations({ resolve: d.resolve, world: d.world!, importKeys, exportKeys });

  const header = `// Generated by ${GENERATOR_VERSION} for ${digest}. Do not edit.`;
  const files: GeneratedFile[] = [];
  let glue: "lean" | "jco" = "jco";
  let reason: string | undefined;
  let glueNote: string;
  let usesWasiHost = false;
  let servesHttp = false;
  if (choice !== "jco") {
    try {
      const lean = leanGlue(
        bytes,
        d,
        surface,
        wasiHost,
        `${header}\n// Glue: lean (wreg's own Canonical ABI code).`,
      );
      files.push({ path: "_glue.js", contents: lean.js });
      for (const m of lean.modules) files.push({ path: m.path, contents: m.bytes });
      glue = "lean";
      usesWasiHost = lean.wasiModules.length > 0;
      servesHttp = lean.servesHttp;
      const nested = lean.componentInstances > 1
        ? ` in ${lean.componentInstances} component instances`
        : "";
      glueNote = `Glue: lean. wreg's own Canonical ABI code: ${lean.coreInstances} core module ` +
        `instance(s)${nested} made with \`new WebAssembly.Instance\`\nfrom modules Deno compiles ` +
        `at import (\`import source\`), values converted by code specialised per function.` +
        (usesWasiHost
          ? `\nWASI comes from wreg's WASI host (${wasiHost}), with only what \`instantiate\`'s ` +
            "`wasi` option grants."
          : "");
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      if (choice === "lean") {
        throw new BindingsError("lean-unsupported", `lean glue does not cover it: ${e.message}`);
      }
      reason = e.message;
      glueNote = "";
    }
  } else {
    reason = "jco was asked for";
    glueNote = "";
  }
  const fs = surface.wasi.some((n) => n.startsWith("wasi:filesystem/"));
  if (glue === "jco") {
    const jco = await generateJcoGlue({
      bytes,
      userImports: new Map(surface.imports.map((n) => [n, importKeys.get(n)!])),
      worldItems: worldLevelImports(d),
      wasiImports: surface.wasi,
      exportKeys,
      resultFunctions: resultFunctions(d, exportKeys),
      shim,
      header:
        `${header}\n// Glue: jco (@bytecodealliance/jco-transpile ${JCO_TRANSPILE_VERSION}), wrapped.`,
      filesystem: fs,
    });
    files.push({ path: "_glue.js", contents: jco.js }, ...jco.files);
    glueNote =
      `Glue: jco. @bytecodealliance/jco-transpile ${JCO_TRANSPILE_VERSION}, wrapped by wreg, ` +
      `because lean glue does not cover this\ncomponent: ${reason}.`;
  }
  const options_ = glue === "lean"
    ? (usesWasiHost ? "wasi" : "none")
    : surface.wasi.length > 0
    ? "shim"
    : "none";
  files.push({ path: "_glue.d.ts", contents: glueDeclarations(fs, options_, servesHttp) });
  const httpHandler = servesHttp
    ? [...exportKeys].find(([n]) => n.startsWith("wasi:http/incoming-handler@0.2."))?.[1]
    : undefined;
  files.push({
    path: "mod.ts",
    contents: entryModule({
      name: options.name,
      digest,
      glueNote: glueNote!,
      declarations: ts.text,
      exportKeys: ts.exportKeys,
      needsImports: surface.imports.length > 0,
      importsExample: importsExample(d, importKeys),
      filesystem: fs,
      wasi: options_,
      wasiHost,
      ...(httpHandler !== undefined ? { httpHandler } : {}),
      generator: GENERATOR_VERSION,
    }),
  });
  const npm: Record<string, string> = surface.wasi.length > 0 && glue === "jco"
    ? { [PREVIEW2_SHIM]: PREVIEW2_SHIM_VERSION }
    : {};
  // preview2-shim reads the environment and the working directory when it loads; wreg's WASI
  // host reads nothing it was not given (and asks Deno before it touches what it was given).
  const permissions = surface.wasi.length > 0 && glue === "jco"
    ? ["--allow-env", "--allow-read"]
    : [];
  const result: Bindings = {
    files: [],
    entry: "mod.ts",
    digest,
    cacheKey: await cacheKeyOf(digest, options.name, choice, shim, wasiHost),
    glue,
    ...(reason !== undefined ? { reason } : {}),
    imports: surface.imports.map((name) => ({ name, key: importKeys.get(name)! })),
    wasi: surface.wasi,
    ...(usesWasiHost ? { wasiHost } : {}),
    exports: surface.exports.map((name) => ({ name, key: exportKeys.get(name)! })),
    ready: surface.imports.length === 0,
    npm,
    permissions,
  };
  const manifest: BindingsManifest = {
    generator: GENERATOR_VERSION,
    name: options.name,
    ...result,
  };
  delete (manifest as Partial<Bindings>).files;
  files.push({ path: MANIFEST, contents: JSON.stringify(manifest, null, 2) + "\n" });
  result.files = files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return result;
}

/** The manifest file every output folder has: what was generated from what. */
export const MANIFEST = "wreg-bindings.json";

async function cacheKeyOf(
  digest: string,
  name: string,
  glue: string,
  shim: string,
  wasiHost: string,
) {
  const text = JSON.stringify([
    GENERATOR_VERSION,
    JCO_TRANSPILE_VERSION,
    digest,
    name,
    glue,
    shim,
    wasiHost,
  ]);
  return (await digestOf(new TextEncoder().encode(text))).slice("sha256:".length);
}

/**
 * The key {@link generateBindings} will report as `cacheKey` for these bytes and options,
 * without generating anything: hex SHA-256 of the generator and jco versions, the component's
 * digest and the options. Equal keys mean equal output.
 */
export async function bindingsCacheKey(
  bytes: Uint8Array,
  options: BindingsOptions,
): Promise<string> {
  return cacheKeyOf(
    await digestOf(bytes),
    options.name,
    options.glue ?? "auto",
    options.shim ?? PREVIEW2_SHIM,
    options.wasiHost ?? WASI_HOST,
  );
}

/** `{ logger: { log: … } }`: each import's key, with the first function of an interface. */
function importsExample(d: DecodedWasm, importKeys: Map<string, string>): string {
  const resolve = d.resolve;
  const parts: string[] = [];
  for (const [k, item] of resolve.worlds[d.world!].imports) {
    const key = importKeys.get(worldKeyName(resolve, k));
    if (key === undefined) continue;
    if (item.tag === "interface") {
      const f = [...resolve.interfaces[item.id].functions.values()].find((f) =>
        f.kind.tag === "freestanding"
      );
      parts.push(f ? `${key}: { ${camelCase(f.name)}: … }` : `${key}: { … }`);
    } else parts.push(`${key}: …`);
  }
  return `{ ${parts.join(", ")} }`;
}

/** Imports of the world that are functions or resources rather than interfaces. */
function worldLevelImports(d: DecodedWasm): Set<string> {
  const out = new Set<string>();
  for (const [k, item] of d.resolve.worlds[d.world!].imports) {
    if (item.tag !== "interface") out.add(worldKeyName(d.resolve, k));
  }
  return out;
}

/** Exports whose result is a `result` (jco throws its error value raw; the wrapper wraps it). */
function resultFunctions(d: DecodedWasm, exportKeys: Map<string, string>) {
  const resolve = d.resolve;
  const w = resolve.worlds[d.world!];
  const isResult = (t: Type | undefined): boolean => {
    if (t === undefined || typeof t === "string") return false;
    const k = resolve.types[t].kind;
    if (k.tag === "type") return isResult(k.type);
    return k.tag === "result";
  };
  const out: { key: string; fn?: string }[] = [];
  for (const [k, item] of w.exports) {
    const key = exportKeys.get(worldKeyName(resolve, k));
    if (key === undefined) continue;
    if (item.tag === "function" && isResult(item.func.result)) out.push({ key });
    if (item.tag === "interface") {
      for (const f of resolve.interfaces[item.id].functions.values()) {
        if (f.kind.tag === "freestanding" && isResult(f.result)) {
          out.push({ key, fn: camelCase(f.name) });
        }
      }
    }
  }
  return out;
}
