/**
 * `deno task bench`: runs every benchmark script in bench/ (each beside its peer, each printing
 * markdown tables) one after another in separate processes, so one's warm state never helps
 * another. Pass names to run a subset: `deno task bench wit_parse storage` (a name also runs the
 * scripts named after it: `oci` runs oci.ts and oci_registry.ts).
 *
 * Results are printed and also written to bench/results/latest.md; BENCHMARKS.md records the
 * figures with the machine and date they were measured on.
 *
 * @module
 */
const here = new URL(".", import.meta.url).pathname;
const filter = Deno.args;
const scripts: string[] = [];
for await (const e of Deno.readDir(here)) {
  if (!e.isFile || !e.name.endsWith(".ts") || e.name.startsWith("_") || e.name === "main.ts") {
    continue;
  }
  const name = e.name.replace(/\.ts$/, "");
  // A name also runs its family: `oci` runs oci.ts and oci_registry.ts.
  if (filter.length === 0 || filter.some((f) => name === f || name.startsWith(`${f}_`))) {
    scripts.push(name);
  }
}
scripts.sort();
if (scripts.length === 0) {
  console.error(`no benchmark matches ${filter.join(", ")}`);
  Deno.exit(2);
}

const report: string[] = [
  `# wreg benchmarks`,
  "",
  `Run at ${
    new Date().toISOString()
  } on ${Deno.build.target}, ${navigator.hardwareConcurrency} cores.`,
  "",
];
let failed = 0;
for (const name of scripts) {
  console.error(`bench: ${name}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${here}${name}.ts`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  console.log(text);
  report.push(`## ${name}`, "", text.trim(), "");
  if (!out.success) {
    failed++;
    report.push(`(${name} failed with exit code ${out.code})`, "");
  }
}
await Deno.mkdir(`${here}results`, { recursive: true });
await Deno.writeTextFile(`${here}results/latest.md`, report.join("\n"));
console.error(`bench: wrote bench/results/latest.md${failed ? `; ${failed} failed` : ""}`);
Deno.exit(failed ? 1 : 0);
