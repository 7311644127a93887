/** `wreg search <text> [--exports I] [--imports I] [--world W] [--json]`: finds packages. */
import { printable, terminalJson } from "./_terminal.ts";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { loadProject } from "./_project.ts";
import { Registries } from "./_registries.ts";

const HELP = `Usage: wreg search [<text>] [--exports <iface>] [--imports <iface>] [--world <world>]
                   [--kind component|wit] [--limit N] [--registry <url>] [--json]

Finds packages by words of their name or description, by an interface they export or
import (ns:pkg/iface, with an optional @version), or by a world they implement (components
that export what the world exports and import no more than it imports). A version stands
for its whole semver series, lower versions too, and the types decide: a component that
exports wasi:http/incoming-handler@0.2.0 implements wasi:http/proxy@0.2.3 when its world
fits; MATCHED names the export that answered. Filters combine; give at least one.

Examples:
  wreg search scrub
  wreg search --exports docs:processor/logger
  wreg search --world docs:processor/processor@0.1.0

Options:
  --exports <iface>   Packages that export this interface
  --imports <iface>   Packages that import this interface
  --world <world>     Components that implement this world
  --kind <kind>       component or wit
  --limit <N>         Most results (default 20)
  --registry <url>    The registry (default: wreg.json's, WREG_REGISTRY, \`wreg login\`)
  --json              Print the registry's answer as JSON
  -h, --help          Show this help
`;

/** Fixed-width columns. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join("  ").trimEnd()
  )
    .join("\n");
}

/** The `search` command. */
export const searchCommand: Command = {
  name: "search",
  summary: "Find packages by text, exported or imported interface, or world",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("search", args, {
      exports: { type: "string" },
      imports: { type: "string" },
      world: { type: "string" },
      kind: { type: "string" },
      limit: { type: "string" },
      registry: { type: "string" },
      json: { type: "boolean" },
    });
    const text = positionals.join(" ").trim();
    if (text === "" && !values.exports && !values.imports && !values.world) {
      throw new CliError(
        "Give words to search for, or --exports, --imports or --world",
        EXIT.usage,
      );
    }
    let kind = values.kind;
    if (kind !== undefined) {
      if (kind === "wit") kind = "wit-package";
      if (kind !== "component" && kind !== "wit-package") {
        throw new CliError(`--kind must be component or wit, not ${JSON.stringify(kind)}`);
      }
    }
    if (values.limit !== undefined && !/^[1-9]\d*$/.test(values.limit)) {
      throw new CliError(`--limit must be a positive number, not ${JSON.stringify(values.limit)}`);
    }
    const project = await loadProject(io.cwd);
    const client = (await Registries.load(io, project.manifest)).forCommand(
      values.registry,
      "search",
    );
    const doc = await client.search({
      q: text || undefined,
      exports: values.exports,
      imports: values.imports,
      world: values.world,
      kind,
      limit: values.limit,
    });
    if (values.json) {
      io.stdout(`${terminalJson(doc)}\n`);
      return EXIT.ok;
    }
    if (doc.results.length === 0) {
      io.stdout(`No packages found at ${client.url}\n`);
      return EXIT.ok;
    }
    const withMatched = doc.results.some((r) => r.matched !== undefined);
    const rows = [[
      "PACKAGE",
      "VERSION",
      "KIND",
      ...(withMatched ? ["MATCHED"] : []),
      "DESCRIPTION",
    ]];
    for (const r of doc.results) {
      // Every cell is registry-supplied: its controls are made visible before the table
      // measures it.
      const desc = printable(String(r.description ?? "").replace(/\s+/g, " "));
      rows.push([
        r.package,
        r.version ?? r.latest ?? "-",
        r.kind === "wit-package" ? "wit" : r.kind,
        ...(withMatched ? [(r.matched ?? []).join(", ") || "-"] : []),
        desc.length > 70 ? `${desc.slice(0, 69)}…` : desc,
      ].map((c) => printable(String(c))));
    }
    const head = doc.world ? `Implementations of ${printable(doc.world.id)}:\n` : "";
    io.stdout(`${head}${table(rows)}\n`);
    return EXIT.ok;
  },
};
