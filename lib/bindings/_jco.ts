/**
 * The jco path: `@bytecodealliance/jco-transpile` generates the glue (every component it supports:
 * compositions, resources, WASI, async), and wreg wraps it so that it has the same shape as lean
 * glue. The known problems of jco's output are handled here, each with a test in
 * `jco_test.ts` that fails when a jco upgrade changes them:
 *
 * 1. The glue reads `process.env.JCO_DEBUG` on every call (node-compat `process` costs ~150 ms on
 *    the first call in Deno, then a read per call, and it needs `--allow-env`): the read is patched
 *    out; output that still reads `process.env` is refused (`jco-output-changed`).
 * 2. The `.d.ts` files jco writes are not picked up by Deno for the `.js` (and import each other as
 *    `./x.js`): wreg does not use them; `mod.ts` carries its own declarations (`_ts_types.ts`).
 * 3. preview2-shim starts with no filesystem preopens: wreg never hands jco a path (bytes only), and
 *    components that import `wasi:filesystem` get a `setPreopens` export in their `mod.ts`.
 * 4. jco 0.15's glue reads imports by unversioned names (`docs:processor/logger`) while its
 *    `.d.ts` names them with versions: the wrapper passes each import under both names.
 */
import { BindingsError } from "./_error.ts";
import { externParts, prop, str } from "./_names.ts";
import { COMPONENT_ERROR_JS } from "./_lean_values.ts";

/** The read jco's glue does on every call, exactly as jco 0.15 writes it. */
export const JCO_ENV_READ = "if (!globalThis?.process?.env?.JCO_DEBUG) { return; }";

/** What the wrapper needs to know about the component. */
export interface JcoWrapInput {
  bytes: Uint8Array;
  /** Extern name → key of every import the user supplies. */
  userImports: Map<string, string>;
  /** The user imports that are world-level functions or resources (not interfaces). */
  worldItems?: Set<string>;
  /** Extern names of the WASI imports served by preview2-shim. */
  wasiImports: string[];
  /** Extern name → key of every export. */
  exportKeys: Map<string, string>;
  /** Export keys (top-level functions) and paths (`iface.fn`) whose result is a `result`. */
  resultFunctions: { key: string; fn?: string }[];
  /** Specifier prefix of preview2-shim (`@bytecodealliance/preview2-shim`). */
  shim: string;
  header: string;
  /** Whether to export `setPreopens` (the component imports `wasi:filesystem`). */
  filesystem: boolean;
}

/** jco's files (under `_jco/`) and the wrapper `_glue.js`. */
export interface JcoGlue {
  files: { path: string; contents: Uint8Array | string }[];
  js: string;
  /** The import names jco's glue reads. */
  jcoImports: string[];
}

/** Removes the per-call `process.env` read from jco's glue; refuses glue that still reads it. */
export function patchJcoGlue(js: string): string {
  const patched = js.replaceAll(JCO_ENV_READ, "return;");
  if (/process\s*\??\.\s*env/.test(patched)) {
    throw new BindingsError(
      "jco-output-changed",
      "jco's glue reads process.env in a way wreg does not know how to patch " +
        "(it would need --allow-env); check lib/bindings/_jco.ts against this jco version",
    );
  }
  return patched;
}

/** Turns an extern name into the name of the preview2-shim module and its export. */
export function shimTarget(name: string): { module: string; export: string } | undefined {
  const p = externParts(name);
  if (p.kind !== "interface" || p.namespace !== "wasi") return undefined;
  const camel = p.base.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return { module: p.package!, export: camel };
}

/** Runs jco and writes the wrapper. */
export async function generateJcoGlue(input: JcoWrapInput): Promise<JcoGlue> {
  // Loaded only for the components that need it: jco's module start compiles its own Wasm and
  // loads preview2-shim (which reads the environment), so lean-only generation skips all that.
  const { transpileBytes } = await import("@bytecodealliance/jco-transpile");
  let result;
  try {
    result = await transpileBytes(input.bytes, {
      name: "component",
      instantiation: "sync",
      emitTypescriptDeclarations: false,
      noComponentErrorWrapping: true,
    });
  } catch (e) {
    const message = String(e);
    // jco-transpile keeps one instance of its bindgen component per process; once it trapped,
    // every later call fails with this (a jco bug): only a new process helps.
    const poisoned = /cannot enter component instance/.test(message);
    throw new BindingsError(
      "jco-failed",
      poisoned
        ? "jco failed on an earlier component in this process and cannot be used again in it " +
          "(a jco bug); generate in a new process"
        : `jco could not transpile it: ${message.split("\n")[0]}`,
    );
  }
  const files: { path: string; contents: Uint8Array | string }[] = [];
  const modules: string[] = [];
  for (const [path, contents] of Object.entries(result.files).sort(([a], [b]) => a < b ? -1 : 1)) {
    if (path.endsWith(".d.ts")) continue;
    if (path === "component.js") {
      const js = patchJcoGlue(new TextDecoder().decode(contents));
      files.push({ path: `_jco/${path}`, contents: js });
    } else {
      files.push({ path: `_jco/${path}`, contents });
      if (path.endsWith(".wasm")) modules.push(path);
    }
  }
  if (!files.some((f) => f.path === "_jco/component.js")) {
    throw new BindingsError("jco-output-changed", "jco wrote no component.js");
  }

  // Every name jco's glue reads must be one wreg can supply.
  const supply = new Map<string, string>();
  const byBare = new Map<string, string>();
  for (const [name, k] of input.userImports) {
    // jco reads a world-level function or resource import as the `default` of an object.
    const plain = input.worldItems?.has(name) === true;
    const expr = plain ? `{ default: user${byBare.size} }` : `user${byBare.size}`;
    supply.set(name, expr);
    byBare.set(name.replace(/@[^/]*$/, ""), expr);
    void k;
  }
  const shimModules = new Set<string>(input.wasiImports.length > 0 ? ["cli", "filesystem"] : []);
  for (const name of input.wasiImports) {
    const t = shimTarget(name)!;
    shimModules.add(t.module);
    const expr = `_wasi_${t.module}${prop(t.export)}`;
    supply.set(name, expr);
    byBare.set(name.replace(/@[^/]*$/, ""), expr);
  }
  const entries: string[] = [];
  for (const jcoName of [...result.imports].sort()) {
    const expr = supply.get(jcoName) ?? byBare.get(jcoName.replace(/@[^/]*$/, ""));
    if (expr === undefined) {
      throw new BindingsError(
        "jco-output-changed",
        `jco's glue reads the import ${jcoName}, which the component does not declare`,
      );
    }
    entries.push(`    ${str(jcoName)}: ${expr},`);
  }
  // Also under the extern names themselves, in case jco reads those.
  for (const [name, expr] of supply) {
    if (!result.imports.includes(name)) entries.push(`    ${str(name)}: ${expr},`);
  }

  const userLines: string[] = [];
  let i = 0;
  for (const [name, k] of input.userImports) {
    userLines.push(`  const user${i++} = _import(imports, ${str(k)}, ${str(name)});`);
  }
  const wrapped = new Set(input.resultFunctions.map((r) => `${r.key}${r.fn ? `.${r.fn}` : ""}`));
  const exportLines: string[] = [];
  for (const [name, k] of input.exportKeys) {
    const candidates = [...new Set([name, name.replace(/@[^/]*$/, ""), k, jcoExportName(name)])];
    const src = candidates.map((c) => `e[${str(c)}]`).join(" ?? ");
    exportLines.push(`  const x_${safe(k)} = ${src};`);
    const fns = input.resultFunctions.filter((r) => r.key === k && r.fn !== undefined);
    if (wrapped.has(k)) {
      exportLines.push(`  out[${str(k)}] = _wrapErr(x_${safe(k)});`);
    } else if (fns.length > 0) {
      exportLines.push(
        `  out[${str(k)}] = { ...x_${safe(k)}, ${
          fns.map((f) => `${str(f.fn!)}: _wrapErr(x_${safe(k)}[${str(f.fn!)}])`).join(", ")
        } };`,
      );
    } else exportLines.push(`  out[${str(k)}] = x_${safe(k)};`);
  }

  const js = [
    input.header,
    ...modules.map((m, j) => `import source _m${j} from "./_jco/${m}";`),
    `import { instantiate as _jcoInstantiate } from "./_jco/component.js";`,
    ...[...shimModules].sort().map((m) => `import * as _wasi_${m} from "${input.shim}/${m}";`),
    "",
    `const _MODULES = { ${modules.map((m, j) => `${str(m)}: _m${j}`).join(", ")} };`,
    "",
    COMPONENT_ERROR_JS,
    WRAP_HELPERS,
    ...(input.wasiImports.length > 0 ? [SHIM_OPTIONS] : []),
    ...(input.filesystem
      ? [
        "/** Maps guest directories to host directories for `wasi:filesystem` (none by default). */",
        "export function setPreopens(preopens) {",
        "  _wasi_filesystem._setPreopens(preopens);",
        "}",
        "",
      ]
      : []),
    "/** Makes a new instance of the component; `imports` supplies its non-WASI imports. */",
    "export function instantiate(imports = {}, options = {}) {",
    ...(input.wasiImports.length > 0 ? ["  _shimOptions(options?.wasi);"] : []),
    ...userLines,
    "  const e = _jcoInstantiate((path) => _MODULES[path], {",
    ...entries,
    "  });",
    "  const out = {};",
    ...exportLines,
    "  return out;",
    "}",
    "",
  ].join("\n");
  return { files, js, jcoImports: [...result.imports] };
}

/** The key jco's instantiate gives an export: the camel-case function or interface name. */
function jcoExportName(name: string): string {
  const p = externParts(name);
  return (p.kind === "interface" ? p.base : name).replace(
    /-([a-z0-9])/gi,
    (_, c: string) => c.toUpperCase(),
  );
}

function safe(k: string): string {
  return k.replace(/[^A-Za-z0-9_$]/g, "_");
}

/** \`instantiate\`'s WASI options, as far as preview2-shim takes them (for the whole program). */
const SHIM_OPTIONS = `function _shimOptions(wasi) {
  if (wasi === undefined) return;
  for (const k of ["stdin", "stdout", "stderr", "network"]) {
    if (wasi[k] !== undefined) {
      throw new TypeError(\`the wasi option \${k} needs wreg's lean glue; this component's bindings use jco's\`);
    }
  }
  if (wasi.args !== undefined) _wasi_cli._setArgs(wasi.args);
  if (wasi.env !== undefined) _wasi_cli._setEnv(wasi.env);
  if (wasi.cwd !== undefined) _wasi_cli._setCwd(wasi.cwd);
  if (wasi.preopens !== undefined) {
    const p = {};
    for (const [guest, host] of Object.entries(wasi.preopens)) p[guest] = typeof host === "string" ? host : host.path;
    _wasi_filesystem._setPreopens(p);
  }
}
`;

const WRAP_HELPERS = `function _import(imports, key, name) {
  const v = imports?.[key];
  if (v === null || (typeof v !== "object" && typeof v !== "function")) {
    throw new TypeError(\`missing import \${key} (\${name}): pass it to instantiate({ \${key}: … })\`);
  }
  return v;
}

/** jco throws a \`result\`'s error value as it is; wreg throws a ComponentError carrying it. */
function _wrapErr(f) {
  return function (...args) {
    try {
      return f.apply(this, args);
    } catch (e) {
      if (e instanceof Error && !(e.constructor?.name === "ComponentError" && "payload" in e)) throw e;
      throw new ComponentError(e instanceof Error ? e.payload : e);
    }
  };
}
`;
