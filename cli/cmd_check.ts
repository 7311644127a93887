/**
 * `wreg check <old> <new> [--json]`: is `new` a compatible successor of `old`? Each side is a WIT
 * file or folder, a `.wasm` (component or WIT package), or `ns:name@version` from the registry
 * named by `WREG_REGISTRY`. Prints the changes, the bump they need, and whether the declared
 * versions allow it; exits 0 when compatible, 1 when not, 2 on a usage or input error.
 */
import { parseArgs } from "node:util";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { isWasmPath, readWitSources } from "./_wit_files.ts";
import { binaryWitOptions } from "./cmd_wit.ts";
import { Registries } from "./_registries.ts";
import {
  formatWitPackageName,
  type PackageId,
  type Resolve,
  resolveWit,
  type WorldId,
} from "../lib/wit/mod.ts";
import { decodeComponent } from "../lib/component/mod.ts";
import {
  type Change,
  CHANGE_KIND_TEXT,
  checkComponentCompat,
  checkInterfaceCompat,
  checkPackageCompat,
  checkVersions,
  checkWorldCompat,
  type CompatReport,
  releaseStep,
} from "../lib/compat/mod.ts";
import { digestOf, tryParseVersion, type Version } from "../lib/names/mod.ts";

const HELP =
  `Usage: wreg check <old> <new> [--json] [--verbose] [--world <name> | --interface <name>]
                  [--features a,b] [--all-features]

Checks whether <new> is a compatible successor of <old>: prints each change with its
path (ns:pkg/iface.func.param), whether it breaks users of <old>, the release the
changes need after <old>'s version, and whether the versions the two sides declare
allow it. The series rules are the registry's: in X.* (X >= 1) documentation changes
need a patch bump, compatible additions a minor bump and breaking changes a major one;
in a 0.Y.* series compatible changes (additions too) need a patch bump and breaking
changes the next minor (0.Y+1.0); each 0.0.Z is a series of its own.

Each side is one of:
  a .wit file, or a folder of .wit files with an optional deps/ folder
  <folder>#<ns:name@version>   a package of that folder's resolution (e.g. one of its deps)
  a .wasm file: a WIT package encoded as a binary, or a component
  ns:name@version               that version from the registry named by WREG_REGISTRY

WIT packages are compared world by world in the direction of \`wasm-tools component
semver-check\` (a new world may import more and export less), and interfaces no world
covers in the interface direction (additions are compatible, removals and changes break).
Components are compared as implementations: the new one may import less and export more.

Options:
  --json            Print {"compatible", "bump" (patch: docs only, minor: additions,
                    major: breaking), "release": {"part", "next", "series", "advice"},
                    "versions": {"old", "new", "allowed", "message"}, "changes": [{"path",
                    "kind", "breaking", "old", "new"}]} (release/versions null when the
                    versions are not declared)
  --verbose, -v     Also list documentation and feature-gate changes one by one
  --world <name>    Compare only this world of the two packages
  --interface <name>
                    Compare only this interface (in the interface direction)
  --features a,b    Enable these @unstable features when reading WIT (repeatable)
  --all-features    Enable every @unstable feature
  -h, --help        Show this help

Exit status: 0 when compatible, 1 when a change breaks (or both sides declare the same
version but differ), 2 on a usage or input error, 3 when the registry cannot be reached,
5 when it answers with an error, 6 when downloaded bytes do not match their digest.
`;

/** One side of a comparison, read and decoded. */
interface Input {
  /** What the user typed. */
  arg: string;
  kind: "wit-package" | "component";
  resolve: Resolve;
  package?: PackageId;
  world?: WorldId;
  /** `ns:name@version` of a WIT package, or the component's name and version when known. */
  name?: string;
  version?: Version;
}

const REGISTRY_REF = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)@([0-9][0-9A-Za-z.+-]*)$/;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function resolvePath(cwd: string, path: string): string {
  return path.startsWith("/") ? path : `${cwd.replace(/\/$/, "")}/${path}`;
}

function fromBytes(arg: string, bytes: Uint8Array): Input {
  const d = decodeComponent(bytes);
  if (d.kind === "module") {
    throw new CliError(
      `Cannot check "${arg}": it is a core module, not a component or WIT package`,
      EXIT.usage,
    );
  }
  if (d.kind === "wit-package") {
    const p = d.resolve.packages[d.package!];
    return {
      arg,
      kind: "wit-package",
      resolve: d.resolve,
      package: d.package,
      name: formatWitPackageName(p.name),
      version: p.name.version === undefined ? undefined : tryParseVersion(p.name.version),
    };
  }
  const version = d.metadata.version === undefined
    ? undefined
    : tryParseVersion(d.metadata.version);
  return {
    arg,
    kind: "component",
    resolve: d.resolve,
    world: d.world,
    name: d.metadata.name,
    version,
  };
}

/**
 * Fetches `ns:name@version` from the registry (the CLI's shared client, cli/_client.ts): the
 * version document, then its bytes, checked against the digest the document lists.
 */
async function fromRegistry(arg: string, m: RegExpExecArray, io: Io): Promise<Input> {
  const registries = await Registries.load(io);
  const base = registries.defaultUrl();
  if (base === undefined) {
    throw new CliError(
      `Cannot fetch "${arg}": no registry is configured; set WREG_REGISTRY to its URL ` +
        `(or run \`wreg login\`), or pass a WIT file, a folder or a .wasm`,
      EXIT.usage,
    );
  }
  const [, ns, name, version] = m;
  const client = registries.client(base);
  const doc = await client.versionDocument(`${ns}:${name}`, version);
  const bytes = doc === undefined ? undefined : await client.versionContent(
    `${ns}:${name}`,
    version,
    Number.isSafeInteger(doc.size) && doc.size >= 0 ? doc.size : undefined,
  );
  if (doc === undefined || bytes === undefined) {
    throw new CliError(
      `Cannot fetch "${arg}": the registry answered 404 (no such package version)`,
      EXIT.registry,
    );
  }
  if (typeof doc.digest === "string") {
    const got = await digestOf(bytes);
    if (got !== doc.digest) {
      throw new CliError(
        `Cannot use "${arg}": its bytes hash to ${got} but the registry lists ${doc.digest}`,
        EXIT.integrity,
      );
    }
  }
  return fromBytes(arg, bytes);
}

/** Reads one side. */
async function readInput(
  arg: string,
  io: Io,
  features: { features: string[]; allFeatures: boolean },
): Promise<Input> {
  const hash = arg.lastIndexOf("#");
  const path = hash > 0 ? arg.slice(0, hash) : arg;
  const select = hash > 0 ? arg.slice(hash + 1) : undefined;
  const full = resolvePath(io.cwd, path);
  const ref = REGISTRY_REF.exec(arg);
  if (ref !== null && !(await exists(full))) return await fromRegistry(arg, ref, io);
  if (!(await exists(full))) {
    throw new CliError(`Cannot read "${path}": no such file or folder`, EXIT.usage);
  }
  const stat = await Deno.stat(full);
  if (stat.isFile && path.endsWith(".wasm") && select === undefined) {
    return fromBytes(arg, await Deno.readFile(full));
  }
  if (stat.isFile && isWasmPath(path) && select === undefined) {
    // A `.wat` WIT package.
    const sources = await readWitSources(path, binaryWitOptions(io.cwd));
    return witInput(arg, resolveWit(sources, features));
  }
  const sources = await readWitSources(path, binaryWitOptions(io.cwd));
  const resolved = resolveWit(sources, features);
  if (select === undefined) return witInput(arg, resolved);
  const r = resolved.resolve;
  let id = r.packageNames.get(select);
  if (id === undefined) {
    const matches = r.packages
      .map((p, i) => [formatWitPackageName(p.name), i] as const)
      .filter(([n]) => n === select || n.startsWith(`${select}@`));
    if (matches.length === 1) id = matches[0][1];
    else {
      const known = r.packages.map((p) => formatWitPackageName(p.name)).join(", ");
      throw new CliError(
        matches.length === 0
          ? `Cannot find package "${select}" in "${path}"; it has ${known}`
          : `Package "${select}" is ambiguous in "${path}": ${
            matches.map(([n]) => n).join(", ")
          }; add the version`,
        EXIT.usage,
      );
    }
  }
  return witInput(arg, { resolve: r, package: id });
}

function witInput(arg: string, w: { resolve: Resolve; package: PackageId }): Input {
  const p = w.resolve.packages[w.package].name;
  return {
    arg,
    kind: "wit-package",
    resolve: w.resolve,
    package: w.package,
    name: formatWitPackageName(p),
    version: p.version === undefined ? undefined : tryParseVersion(p.version),
  };
}

function lookup<T>(map: Map<string, T>, name: string, what: string, side: Input): T {
  const v = map.get(name);
  if (v === undefined) {
    throw new CliError(
      `Cannot find ${what} "${name}" in ${side.name ?? side.arg}; it has ${
        [...map.keys()].join(", ") || "none"
      }`,
      EXIT.usage,
    );
  }
  return v;
}

const KIND_TEXT = { component: "a component", "wit-package": "a WIT package" } as const;

/** Runs the check the two inputs call for. */
function compare(
  a: Input,
  b: Input,
  only: { world?: string; interface?: string },
): CompatReport {
  if (a.kind !== b.kind) {
    throw new CliError(
      `Cannot compare ${KIND_TEXT[a.kind]} ("${a.arg}") with ${KIND_TEXT[b.kind]} ("${b.arg}"); ` +
        `compare two WIT packages or two components`,
      EXIT.usage,
    );
  }
  if (a.kind === "component") {
    if (only.world !== undefined || only.interface !== undefined) {
      throw new CliError("--world and --interface apply to WIT packages, not components");
    }
    return checkComponentCompat(a.resolve, a.world!, b.resolve, b.world!);
  }
  const pa = a.resolve.packages[a.package!], pb = b.resolve.packages[b.package!];
  if (only.world !== undefined) {
    return checkWorldCompat(
      a.resolve,
      lookup(pa.worlds, only.world, "world", a),
      b.resolve,
      lookup(pb.worlds, only.world, "world", b),
    );
  }
  if (only.interface !== undefined) {
    return checkInterfaceCompat(
      a.resolve,
      lookup(pa.interfaces, only.interface, "interface", a),
      b.resolve,
      lookup(pb.interfaces, only.interface, "interface", b),
    );
  }
  return checkPackageCompat(a.resolve, a.package!, b.resolve, b.package!);
}

function indent(text: string, prefix: string): string {
  return text.split("\n").map((l) => `${prefix}${l}`).join("\n");
}

function changeLines(c: Change, full: boolean): string[] {
  const why = c.reason === undefined ? "" : ` (${c.reason})`;
  const lines = [`  ${c.path}: ${CHANGE_KIND_TEXT[c.kind]}${why}`];
  if (!full) return lines;
  if (c.old !== undefined) lines.push(indent(c.old, "      - "));
  if (c.new !== undefined) lines.push(indent(c.new, "      + "));
  return lines;
}

function describe(i: Input): string {
  const what = i.kind === "component" ? "component" : "WIT package";
  const name = i.kind === "component" && i.name !== undefined && i.version !== undefined
    ? `${i.name}@${i.version}`
    : i.name;
  return name === undefined || name === i.arg ? `${i.arg} (${what})` : `${i.arg} (${what} ${name})`;
}

/** The text form of a check. */
function formatCheck(
  a: Input,
  b: Input,
  report: CompatReport,
  verbose: boolean,
): { text: string; exit: number } {
  const out: string[] = [`old: ${describe(a)}`, `new: ${describe(b)}`, ""];
  const breaking = report.changes.filter((c) => c.breaking);
  const compatible = report.changes.filter((c) => !c.breaking && c.bump !== "patch");
  const patch = report.changes.filter((c) => !c.breaking && c.bump === "patch");
  if (breaking.length > 0) {
    out.push(`Breaking changes (${breaking.length}):`);
    for (const c of breaking) out.push(...changeLines(c, true));
    out.push("");
  }
  if (compatible.length > 0) {
    out.push(`Compatible changes (${compatible.length}):`);
    for (const c of compatible) out.push(...changeLines(c, true));
    out.push("");
  }
  if (patch.length > 0) {
    if (verbose) {
      out.push(`Documentation and feature-gate changes (${patch.length}):`);
      for (const c of patch) out.push(...changeLines(c, c.kind !== "changed-docs"));
    } else {
      out.push(
        `Documentation and feature-gate changes: ${patch.length} (listed with --verbose)`,
      );
    }
    out.push("");
  }
  if (report.changes.length === 0) out.push("No changes.", "");
  // With the old version known, the advice is in its series' terms (0.Y: additions are a patch).
  const step = a.version === undefined ? undefined : releaseStep(a.version, report);
  const count = `${breaking.length} breaking change${breaking.length === 1 ? "" : "s"}`;
  out.push(
    step === undefined
      ? report.compatible
        ? `Compatible: the changes need a ${report.bump} bump.`
        : `Not compatible: ${count}; they need a major bump (a new semver series).`
      : report.changes.length === 0
      ? "Compatible: nothing changed."
      : report.compatible
      ? `Compatible: ${step.advice} (${step.next} or later).`
      : `Not compatible: ${count}; they ${step.need} (${step.next}).`,
  );
  let exit: number = report.compatible ? EXIT.ok : EXIT.no;
  if (a.version !== undefined && b.version !== undefined) {
    const v = checkVersions(a.version, b.version, report);
    out.push(`Versions: ${v.message}.`);
    if (v.sameVersionChanged) exit = EXIT.no;
  } else {
    out.push("Versions: not declared on both sides.");
  }
  return { text: `${out.join("\n")}\n`, exit };
}

function featureList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v);
}

/** The `check` command. */
export const checkCommand: Command = {
  name: "check",
  summary: "Check that a new version of a WIT package or component is compatible with an old one",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: "boolean" },
          verbose: { type: "boolean", short: "v" },
          world: { type: "string" },
          interface: { type: "string" },
          features: { type: "string", multiple: true },
          "all-features": { type: "boolean" },
        },
      });
    } catch (e) {
      throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
    }
    const [oldArg, newArg, ...extra] = parsed.positionals;
    if (oldArg === undefined || newArg === undefined) {
      throw new CliError("Missing <old> and <new>; run `wreg check --help`", EXIT.usage);
    }
    if (extra.length > 0) {
      throw new CliError(
        `Unexpected argument ${JSON.stringify(extra[0])}; wreg check takes two inputs`,
        EXIT.usage,
      );
    }
    if (parsed.values.world !== undefined && parsed.values.interface !== undefined) {
      throw new CliError("Pass --world or --interface, not both", EXIT.usage);
    }
    const features = {
      features: featureList(parsed.values.features),
      allFeatures: parsed.values["all-features"] ?? false,
    };
    const a = await readInput(oldArg, io, features);
    const b = await readInput(newArg, io, features);
    const report = compare(a, b, {
      world: parsed.values.world,
      interface: parsed.values.interface,
    });
    if (parsed.values.json) {
      const step = a.version === undefined ? undefined : releaseStep(a.version, report);
      const verdict = a.version !== undefined && b.version !== undefined
        ? checkVersions(a.version, b.version, report)
        : undefined;
      const json = {
        compatible: report.compatible,
        bump: report.bump,
        release: step === undefined
          ? null
          : { part: step.part, next: step.next, series: step.series, advice: step.advice },
        versions: verdict === undefined
          ? null
          : { old: a.version, new: b.version, allowed: verdict.allowed, message: verdict.message },
        changes: report.changes.map((c) => ({
          path: c.path,
          kind: c.kind,
          breaking: c.breaking,
          old: c.old ?? null,
          new: c.new ?? null,
        })),
      };
      io.stdout(`${JSON.stringify(json, null, 2)}\n`);
      let exit: number = report.compatible ? EXIT.ok : EXIT.no;
      if (verdict?.sameVersionChanged) exit = EXIT.no;
      return exit;
    }
    const { text, exit } = formatCheck(a, b, report, parsed.values.verbose ?? false);
    io.stdout(text);
    return exit;
  },
};
