/** `wreg info <ns:name[@version]> [--json]`: a package's versions, or one version's world. */
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { parseCommandArgs } from "./_args.ts";
import { loadProject } from "./_project.ts";
import { Registries } from "./_registries.ts";
import { formatBytes } from "./_progress.ts";
import { table } from "./cmd_search.ts";
import { parsePackageName, parseVersion, tryParseVersion } from "../lib/names/mod.ts";
import { type OciFetchLines, ociFetchLines, parseRegistryMetadata } from "../lib/oci/mod.ts";
import type { RegistryClient } from "./_client.ts";
import { printable, terminalJson } from "./_terminal.ts";

const HELP = `Usage: wreg info <ns:name[@version]> [--wit] [--registry <url>] [--json]

Shows a package: its kind, description, owners and every version (yanked ones marked),
then the latest version's imports and exports. With @version, that version: digest, size,
publisher, dependencies, what it imports and exports, and its compatibility with the
version before it.

Options:
  --wit               Print the version's WIT instead
  --registry <url>    The registry (default: wreg.json's, WREG_REGISTRY, \`wreg login\`)
  --json              Print the registry's documents as JSON
  -h, --help          Show this help

Exit status: 0 found; 2 bad name; 3 registry unreachable; 5 no such package or version.
`;

/** The `info` command. */
export const infoCommand: Command = {
  name: "info",
  summary: "Show a package's versions, or one version's world, digest and dependencies",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs("info", args, {
      registry: { type: "string" },
      wit: { type: "boolean" },
      json: { type: "boolean" },
    });
    if (positionals.length !== 1) {
      throw new CliError("Give one package: `wreg info ns:name[@version]`", EXIT.usage);
    }
    const ref = positionals[0];
    const at = ref.indexOf("@");
    const name = at < 0 ? ref : ref.slice(0, at);
    parsePackageName(name);
    let version = at < 0 ? undefined : ref.slice(at + 1);
    if (version !== undefined && tryParseVersion(version) === undefined) {
      throw new CliError(`Invalid version ${JSON.stringify(version)} in ${JSON.stringify(ref)}`);
    }
    const project = await loadProject(io.cwd);
    const registries = await Registries.load(io, project.manifest);
    const client = values.registry !== undefined
      ? registries.forCommand(values.registry, `look up ${name}`)
      : registries.forPackage(name);
    const pkg = await client.packageDocument(name);
    if (pkg === undefined) {
      throw new CliError(
        `Cannot find ${name}: the registry at ${client.url} has no such package`,
        EXIT.registry,
      );
    }
    version ??= pkg.latest ?? pkg.versions[0]?.version;
    const doc = version === undefined ? undefined : await client.versionDocument(name, version);
    if (version !== undefined && doc === undefined) {
      throw new CliError(
        `Cannot find ${name}@${version} at ${client.url}; it has ${
          pkg.versions.map((v) => v.version).join(", ")
        }`,
        EXIT.registry,
      );
    }
    if (values.json) {
      io.stdout(`${terminalJson(at < 0 ? { package: pkg, version: doc ?? null } : doc)}\n`);
      return EXIT.ok;
    }
    if (values.wit) {
      const wit = printable(doc?.wit ?? "", true);
      io.stdout(wit.endsWith("\n") ? wit : `${wit}\n`);
      return EXIT.ok;
    }
    const out: string[] = [];
    const kind = pkg.kind === "wit-package" ? "WIT package" : "component";
    if (at < 0) {
      out.push(`${pkg.name} (${kind})`);
      if (pkg.description) out.push(oneLine(pkg.description));
      out.push(`latest:   ${pkg.latest ?? "none"}`);
      if (pkg.owners.length > 0) out.push(`owners:   ${pkg.owners.join(", ")}`);
      out.push(`registry: ${client.url}`, "", "versions:");
      // Cells are made printable before the table measures them.
      const rows = pkg.versions.map((v) =>
        [
          `  ${v.version}`,
          String(v.publishedAt).slice(0, 10),
          v.publisher,
          v.yanked ? "yanked" : v.prerelease ? "pre-release" : "",
        ].map((c) => printable(c))
      );
      if (rows.length > 0) out.push(table(rows));
      if (doc !== undefined) out.push("", `${name}@${doc.version}:`);
    } else {
      out.push(`${name}@${doc!.version} (${kind})${doc!.yanked ? " (yanked)" : ""}`);
      if (doc!.description) out.push(oneLine(doc!.description));
    }
    if (doc !== undefined) {
      out.push(`  digest:    ${doc.digest}`, `  size:      ${formatBytes(doc.size)}`);
      out.push(`  published: ${doc.publishedAt} by ${doc.publisher}`);
      const oci = await ociLines(client, name, doc.version);
      if (oci !== undefined) {
        out.push(
          `  oci:       ${oci.reference}`,
          `  fetch:     ${oci.wkg}`,
          `             ${oci.oras}`,
        );
      }
      if (doc.dependencies.length > 0) {
        out.push(
          `  depends on: ${doc.dependencies.map((d) => `${d.package}@${d.range}`).join(", ")}`,
        );
      }
      if (doc.compat) {
        out.push(
          `  against ${doc.compat.against}: ${
            doc.compat.compatible ? `compatible (${doc.compat.bump})` : "breaking"
          }`,
        );
      }
      for (const w of doc.worlds) {
        const label = w.id ?? "world";
        const imports = w.imports.filter((i) => i.kind !== "type").map((i) => i.name);
        const exports = w.exports.filter((i) => i.kind !== "type").map((i) => i.name);
        out.push(`  ${label}:`);
        out.push(`    imports: ${imports.length === 0 ? "none" : imports.join(", ")}`);
        out.push(`    exports: ${exports.length === 0 ? "none" : exports.join(", ")}`);
      }
      if (doc.interfaces.length > 0) {
        out.push(`  interfaces: ${doc.interfaces.map((i) => i.id).join(", ")}`);
      }
    }
    // Every line holds registry-supplied text: printed with its controls made visible (a line
    // may hold a table's line feeds, which are wreg's own).
    io.stdout(`${out.map((l) => l.split("\n").map((x) => printable(x)).join("\n")).join("\n")}\n`);
    return EXIT.ok;
  },
};

/** A registry's description on one line (its line breaks and runs of blanks become one space). */
function oneLine(text: string): string {
  return String(text).replace(/\s+/g, " ").trim();
}

/**
 * The version's OCI reference and the `wkg get` / `oras pull` lines, from the registry's
 * discovery document (`/.well-known/wasm-pkg/registry.json`); `undefined` when the registry
 * serves none (an older wreg) or it cannot be read: the lines only inform.
 */
async function ociLines(
  client: RegistryClient,
  name: string,
  version: string,
): Promise<OciFetchLines | undefined> {
  let doc: unknown;
  try {
    doc = await client.json<unknown>("/.well-known/wasm-pkg/registry.json", {
      action: "look up the registry's OCI side",
      allow404: true,
    });
  } catch {
    return undefined;
  }
  const meta = parseRegistryMetadata(doc);
  if (meta === undefined) return undefined;
  const registry = meta.registry ?? new URL(client.url).host;
  return ociFetchLines(
    registry,
    meta.namespacePrefix,
    parsePackageName(name),
    parseVersion(version),
  );
}
