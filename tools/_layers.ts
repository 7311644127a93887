/**
 * The layer rules of wreg as data, and a pure checker over source texts.
 * The command-line wrapper is tools/check_layers.ts; tests are in tools/_layers_test.ts.
 */

/** One source file: a path relative to the project root, with `/` separators, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/**
 * The allowed direct edges between modules. An edge is also allowed when the table reaches it
 * transitively (cli → lib/compose → lib/wit lets cli import lib/wit).
 * Modules not listed here (tests, bench, tools, examples) may import anything and are imported by
 * nothing in the product.
 */
export const LAYERS: Record<string, string[]> = {
  "registry": ["storage", "oci", "lib/*"],
  "cli": ["oci", "lib/*"],
  "oci": ["lib/oci", "lib/names"],
  "storage": ["lib/package", "lib/names", "lib/tlog"],
  "lib/compose": ["lib/component", "lib/compat", "lib/wit"],
  "lib/bindings": ["lib/component"],
  "lib/component": ["lib/wit"],
  "lib/compat": ["lib/wit"],
  "lib/wit": ["lib/names"],
  "lib/package": ["lib/names"],
  "lib/oci": ["lib/names"],
  "lib/tlog": ["lib/names"],
  "lib/attest": ["lib/names"],
  "lib/names": [],
  // wreg's WASI host: copied into projects next to generated glue, so it imports nothing of wreg.
  "wasi": [],
};

/**
 * Folders outside the product: they may import any module, and no product module imports them
 * (a product module's `_test.ts` files may: tests are not product code).
 */
const FREE = ["tests", "bench", "tools", "examples"];

/** Module of a project path: `lib/wit/_parse.ts` → `lib/wit`, `cli/commands/x.ts` → `cli`. */
export function moduleOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "lib" && parts.length > 2) return `lib/${parts[1]}`;
  return parts[0];
}

function expand(targets: string[], modules: string[]): string[] {
  return targets.flatMap((t) =>
    t.endsWith("/*") ? modules.filter((m) => m.startsWith(t.slice(0, -1))) : [t]
  );
}

/** The allowed set of targets for each product module (transitive closure of {@link LAYERS}). */
export function allowedEdges(): Map<string, Set<string>> {
  const modules = Object.keys(LAYERS);
  const direct = new Map(modules.map((m) => [m, expand(LAYERS[m], modules)]));
  const closure = new Map<string, Set<string>>();
  for (const m of modules) {
    const seen = new Set<string>();
    const stack = [...direct.get(m)!];
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      stack.push(...(direct.get(t) ?? []));
    }
    closure.set(m, seen);
  }
  return closure;
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s*(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

/**
 * Every import specifier of a source text (static, re-exports, and literal dynamic imports).
 * Comments are skipped, so JSDoc examples (which run as doc tests, not product code) don't count.
 */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(text).matchAll(IMPORT_RE)) out.push(m[1] ?? m[2]);
  return out;
}

/** The text with `//` line comments and block comments blanked out (string contents kept). */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

function resolveRelative(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "." || seg === "") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.join("/");
}

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  return i < 0 ? 1 : text.slice(0, i).split("\n").length;
}

/** Checks the layer rules over a set of files; returns one readable line per problem. */
export function checkLayers(files: SourceFile[]): string[] {
  const problems: string[] = [];
  const allowed = allowedEdges();
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = moduleOf(file.path);
    const isLib = from.startsWith("lib/");
    const isProduct = from in LAYERS || isLib;
    if (isLib) {
      const body = stripComments(file.text);
      for (
        const [re, what] of [
          [/\bDeno\./, "Deno.*"],
          [/\bconsole\./, "console.*"],
        ] as const
      ) {
        if (re.test(body) && !file.path.endsWith("_test.ts")) {
          problems.push(
            `${file.path}: ${what} used inside lib/ (lib/ is pure; do I/O at the edges)`,
          );
        }
      }
    }
    for (const spec of importsOf(file.text)) {
      const line = lineOf(file.text, spec);
      const where = `${file.path}:${line}`;
      if (isLib && !file.path.endsWith("_test.ts")) {
        if (spec.startsWith("node:")) {
          problems.push(`${where}: "${spec}" imported inside lib/ (lib/ is pure)`);
        }
        if (spec.includes("@bytecodealliance/") && from !== "lib/bindings") {
          problems.push(`${where}: jco imported by ${from} (only lib/bindings may use jco)`);
        }
      }
      if (!spec.startsWith(".")) continue;
      const target = resolveRelative(file.path, spec);
      const to = moduleOf(target);
      if (to === from) continue;
      if (FREE.includes(to)) {
        // A module's own tests (`x_test.ts` beside the code) are not product code: they may use
        // the test support in tests/ (wasm-tools, wasmtime), as the tests in tests/ do.
        if (isProduct && !file.path.endsWith("_test.ts")) {
          problems.push(`${where}: ${from} imports ${to} (${to}/ is not product code)`);
        }
        continue;
      }
      const base = target.split("/").pop();
      if (base !== "mod.ts") {
        problems.push(
          `${where}: imports "${spec}", a file inside ${to}; import ${to}/mod.ts instead`,
        );
      }
      if (isProduct) {
        if (!allowed.get(from)?.has(to)) {
          problems.push(`${where}: ${from} → ${to} is not an edge the layer table allows`);
        }
        if (!graph.has(from)) graph.set(from, new Set());
        graph.get(from)!.add(to);
      }
    }
  }
  problems.push(...findCycles(graph));
  return problems;
}

/** Cycles in a module graph, each reported once as `a → b → a`. */
export function findCycles(graph: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) {
        const cycle = [...stack.slice(stack.indexOf(m)), m];
        out.push(`cycle between modules: ${cycle.join(" → ")}`);
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return out;
}
