/**
 * Keeps wreg's layers one-way (see ARCHITECTURE.md, "Layers").
 *
 * Reads every TypeScript file of the project, maps each relative import to the module it lands in,
 * and fails on:
 * - an edge between modules that the layer table does not allow (directly or through the table's
 *   transitive closure);
 * - a cycle between modules;
 * - an import of another module's file other than its `mod.ts`;
 * - `Deno.*`, `console.*` or a `node:` import inside `lib/` (lib/ is pure);
 * - jco imported from anywhere in lib/ other than lib/bindings.
 *
 * Usage: `deno run -A tools/check_layers.ts [root]`. Exits 1 and lists every problem found.
 *
 * @module
 */
import { checkLayers, type SourceFile } from "./_layers.ts";

const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;

async function* walk(dir: string, rel = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "generated") continue;
    const path = `${dir}/${e.name}`;
    const relPath = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) yield* walk(path, relPath);
    else if (e.isFile && /\.(ts|tsx|mts)$/.test(e.name)) yield relPath;
  }
}

const files: SourceFile[] = [];
for await (const path of walk(root)) {
  files.push({ path, text: await Deno.readTextFile(`${root}/${path}`) });
}
const problems = checkLayers(files);
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`layer check: ${problems.length} problem(s) in ${files.length} files`);
  Deno.exit(1);
}
console.log(`layer check: ${files.length} files, no forbidden edge, no cycle`);
