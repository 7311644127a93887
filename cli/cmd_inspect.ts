/**
 * `wreg inspect <file.wasm> [--json]`: what a `.wasm` is (component, WIT package or core module),
 * its size and digest, its package name and version where known, its imports and exports, and
 * the producers and registry metadata of its custom sections.
 */
import { parseArgs } from "node:util";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import {
  ComponentDecodeError,
  decodeComponent,
  type DecodedWasm,
  type ExternSummary,
} from "../lib/component/mod.ts";
import { digestOf } from "../lib/names/mod.ts";

const HELP = `Usage: wreg inspect <file.wasm> [--json]

Decodes a WebAssembly binary and prints what it is: a component, a WIT package encoded
as a binary, or a core module; its size and sha256 digest; its package name and version
where known; its imports and exports (extern names); and the producers and metadata of
its custom sections (description, licenses, source, homepage, version, authors, revision).

Options:
  --json      Print one JSON object: {"kind", "digest", "size", "package", "version",
              "imports", "exports", "producers", "metadata", ...}
  -h, --help  Show this help

A binary that is not WebAssembly, is truncated or is malformed exits with status 2 and
one line saying what failed, why, and at which byte offset.
`;

/** The JSON form of `wreg inspect --json`. */
export interface InspectReport {
  file: string;
  kind: DecodedWasm["kind"];
  digest: string;
  size: number;
  /** The WIT package name (`ns:name`), for WIT packages. */
  package: string | null;
  /** The package version, or the `version` metadata of a component. */
  version: string | null;
  /** The name from the component's (or module's) name section. */
  name: string | null;
  imports: string[];
  exports: string[];
  /** Imports and exports with their kinds. */
  externs: { imports: ExternSummary[]; exports: ExternSummary[] };
  /** Set when the component is valid but WIT cannot describe its world, saying why. */
  world?: string;
  /** Interfaces and worlds of a WIT package. */
  interfaces?: string[];
  worlds?: string[];
  producers: Record<string, { name: string; version: string }[]> | null;
  metadata: Record<string, string>;
}

/** Builds the report for `bytes` read from `file`. */
export async function inspectBytes(file: string, bytes: Uint8Array): Promise<InspectReport> {
  let d: DecodedWasm;
  let noWorld: string | undefined;
  try {
    d = decodeComponent(bytes);
  } catch (e) {
    // A valid component that WIT cannot describe (it exports types or modules) still has a kind,
    // imports and exports worth showing.
    if (!(e instanceof ComponentDecodeError) || e.code !== "not-representable") throw e;
    d = decodeComponent(bytes, { wit: false });
    noWorld = e.reason;
  }
  const digest = await digestOf(bytes);
  let pkgName: string | null = null;
  let version: string | null = d.metadata.version ?? null;
  let interfaces: string[] | undefined;
  let worlds: string[] | undefined;
  if (d.kind === "wit-package" && d.package !== undefined) {
    const p = d.resolve.packages[d.package];
    pkgName = `${p.name.namespace}:${p.name.name}`;
    version = p.name.version ?? version;
    interfaces = [...p.interfaces.keys()];
    worlds = [...p.worlds.keys()];
  }
  const metadata: Record<string, string> = {};
  for (
    const k of [
      "description",
      "licenses",
      "source",
      "homepage",
      "version",
      "authors",
      "revision",
    ] as const
  ) {
    const v = d.metadata[k];
    if (v !== undefined) metadata[k] = v;
  }
  const report: InspectReport = {
    file,
    kind: d.kind,
    digest,
    size: d.size,
    package: pkgName,
    version,
    name: d.metadata.name ?? null,
    imports: d.imports.map((i) => i.name),
    exports: d.exports.map((e) => e.name),
    externs: { imports: d.imports, exports: d.exports },
    producers: d.metadata.producers ?? null,
    metadata,
  };
  if (noWorld !== undefined) report.world = `not expressible in WIT: ${noWorld}`;
  if (interfaces !== undefined) report.interfaces = interfaces;
  if (worlds !== undefined) report.worlds = worlds;
  return report;
}

function externLines(list: ExternSummary[]): string[] {
  if (list.length === 0) return ["  (none)"];
  const width = Math.min(Math.max(...list.map((e) => e.name.length)), 60);
  return list.map((e) => `  ${e.name.padEnd(width)}  ${e.kind}`);
}

/** The text form of a report. */
export function formatInspect(r: InspectReport): string {
  const lines = [
    `file:     ${r.file}`,
    `kind:     ${r.kind}`,
    `size:     ${r.size} bytes`,
    `digest:   ${r.digest}`,
  ];
  if (r.package !== null) lines.push(`package:  ${r.package}`);
  if (r.version !== null) lines.push(`version:  ${r.version}`);
  if (r.name !== null) lines.push(`name:     ${r.name}`);
  if (r.world !== undefined) lines.push(`world:    ${r.world}`);
  if (r.interfaces !== undefined) lines.push(`interfaces: ${r.interfaces.join(", ") || "(none)"}`);
  if (r.worlds !== undefined) lines.push(`worlds:   ${r.worlds.join(", ") || "(none)"}`);
  lines.push(`imports:  ${r.imports.length}`, ...externLines(r.externs.imports));
  lines.push(`exports:  ${r.exports.length}`, ...externLines(r.externs.exports));
  if (r.producers !== null) {
    lines.push("producers:");
    for (const [field, tools] of Object.entries(r.producers)) {
      lines.push(`  ${field}: ${tools.map((t) => `${t.name} ${t.version}`.trim()).join(", ")}`);
    }
  }
  const meta = Object.entries(r.metadata);
  if (meta.length > 0) {
    lines.push("metadata:");
    for (const [k, v] of meta) lines.push(`  ${k}: ${v.split("\n")[0]}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The `inspect` command. */
export const inspectCommand: Command = {
  name: "inspect",
  summary: "Show what a .wasm is: kind, digest, package, imports, exports, metadata",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
    } catch (e) {
      throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
    }
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw new CliError("Missing <file.wasm>; run `wreg inspect --help`");
    if (extra.length > 0) {
      throw new CliError(
        `Unexpected argument ${JSON.stringify(extra[0])}; wreg inspect takes one file`,
      );
    }
    const path = file.startsWith("/") ? file : `${io.cwd}/${file}`;
    const bytes = await Deno.readFile(path);
    let report: InspectReport;
    try {
      report = await inspectBytes(file, bytes);
    } catch (e) {
      if (e instanceof ComponentDecodeError) {
        throw new CliError(
          `Cannot decode ${JSON.stringify(file)}: ${e.reason} (at offset 0x${
            e.offset.toString(16)
          })`,
          EXIT.usage,
        );
      }
      throw e;
    }
    if (parsed.values.json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout(formatInspect(report));
    }
    return EXIT.ok;
  },
};
