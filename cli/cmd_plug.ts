/**
 * `wreg plug <socket.wasm> --plug <a.wasm> [--plug <b.wasm> …] -o <out.wasm>`: fills the
 * socket's imports with the plugs' exports (and the plugs' imports with each other's), type-checks
 * every connection, and writes one composed component.
 */
import { parseArgs } from "node:util";
import { CliError, type Command, EXIT, type Io } from "./_command.ts";
import { renderError } from "./_render_error.ts";
import { ComposeError, plug, type PlugResult } from "../lib/compose/mod.ts";
import { digestOf } from "../lib/names/mod.ts";

const HELP =
  `Usage: wreg plug <socket.wasm> --plug <plug.wasm> [--plug <plug.wasm> ...] -o <out.wasm>

Composes components: each import of the socket is filled by a plug that exports the same
interface (the same name, else another version of its semver series: @0.2.6 or @0.2.0
for @0.2.3, the highest first; the types decide whether it fits), and plugs fill each
other's imports too, so a chain socket <- a <- b composes in one call. Every connection is type-checked; a plug that does not fit is an error naming the
import, the function or type, what was expected and what was found. Imports nothing fills
become imports of the result; the socket's exports are its exports.

Options:
  --plug <file>              A component to plug in (repeatable, at least one)
  -o, --output <file>        Where to write the composed component (required)
  --fill <import>=<file>     Use this plug for this import when several plugs export it
                             (import with or without @version; repeatable)
  --allow-unused             Do not fail when a plug fills nothing
  --json                     Print what was done as JSON; on failure print
                             {"error": {"code", "message", "exitCode", "details"?}}
  -h, --help                 Show this help

Exit status: 0 when the component was written, 2 when the inputs cannot be composed
(with the reason on stderr).
`;

function pathOf(io: Io, file: string): string {
  return file.startsWith("/") ? file : `${io.cwd}/${file}`;
}

/** The text report of a plug or compose run. */
export async function formatComposition(
  r: PlugResult,
  out: string,
): Promise<string> {
  const lines: string[] = [];
  for (const f of r.fills) {
    const via = f.export === f.import ? "" : ` (export ${f.export})`;
    lines.push(`filled ${f.import} of ${f.consumer} with ${f.plug}${via}`);
  }
  for (const u of r.unused) lines.push(`unused: ${u} fills nothing`);
  lines.push(
    r.imports.length === 0
      ? "imports: none"
      : `imports: ${r.imports.length} (${r.imports.join(", ")})`,
  );
  lines.push(`exports: ${r.exports.length === 0 ? "none" : r.exports.join(", ")}`);
  lines.push(`wrote ${out}: ${r.bytes.length} bytes, ${await digestOf(r.bytes)}`);
  return `${lines.join("\n")}\n`;
}

/** The JSON report of a plug or compose run. */
export async function compositionJson(r: PlugResult, out: string): Promise<string> {
  return `${
    JSON.stringify(
      {
        output: out,
        size: r.bytes.length,
        digest: await digestOf(r.bytes),
        fills: r.fills,
        unused: r.unused,
        imports: r.imports,
        exports: r.exports,
        composedFrom: r.composedFrom,
      },
      null,
      2,
    )
  }\n`;
}

/**
 * The JSON error object `--json` prints on stdout when a plug or compose run fails (the one line
 * on stderr and the exit code stay as without `--json`): the stable code of a composition error
 * (`type-mismatch`, `ambiguous-plug`, …), `usage` for bad arguments, `cannot-read` for an input
 * that cannot be read, and `internal` for anything else.
 */
export function compositionErrorJson(thrown: unknown): string {
  const { message, exitCode } = renderError(thrown);
  const e = thrown instanceof CliError && thrown.cause instanceof ComposeError
    ? thrown.cause
    : thrown;
  const code = e instanceof ComposeError
    ? e.code
    : e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied
    ? "cannot-read"
    : e instanceof CliError
    ? "usage"
    : e instanceof Error && typeof (e as { code?: unknown }).code === "string"
    ? (e as unknown as { code: string }).code
    : "internal";
  const error: Record<string, unknown> = { code, message, exitCode };
  if (e instanceof ComposeError && e.mismatch !== undefined) error.details = e.mismatch;
  return `${JSON.stringify({ error }, null, 2)}\n`;
}

/**
 * Runs a command body; with `--json`, a failure also prints {@link compositionErrorJson} on
 * stdout before it propagates (so stderr and the exit code are the same as without `--json`).
 */
export async function withJsonErrors(
  args: readonly string[],
  io: Io,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (args.includes("--json")) io.stdout(compositionErrorJson(e));
    throw e;
  }
}

/** Rethrows a composition error as the one line the user sees. */
export function composeFailure(e: unknown): never {
  if (e instanceof ComposeError) {
    const err = new CliError(
      e.message,
      e.code === "missing-component" ? EXIT.integrity : EXIT.usage,
    );
    err.cause = e;
    throw err;
  }
  throw e;
}

/** The `plug` command. */
export const plugCommand: Command = {
  name: "plug",
  summary: "Compose a component with plugs that fill its imports (and each other's)",
  help: HELP,
  run(args: string[], io: Io): Promise<number> {
    return withJsonErrors(args, io, () => runPlug(args, io));
  },
};

async function runPlug(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        plug: { type: "string", multiple: true },
        output: { type: "string", short: "o" },
        fill: { type: "string", multiple: true },
        "allow-unused": { type: "boolean" },
        json: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new CliError(`Invalid arguments: ${(e as Error).message}`, EXIT.usage);
  }
  const [socket, ...extra] = parsed.positionals;
  if (socket === undefined) throw new CliError("Missing <socket.wasm>; run `wreg plug --help`");
  if (extra.length > 0) {
    throw new CliError(
      `Unexpected argument ${JSON.stringify(extra[0])}; give plugs with --plug`,
    );
  }
  const plugs = parsed.values.plug ?? [];
  if (plugs.length === 0) throw new CliError("Give at least one --plug <plug.wasm>");
  const out = parsed.values.output;
  if (out === undefined) throw new CliError("Missing -o <out.wasm>");
  const fills = new Map<string, string>();
  for (const f of parsed.values.fill ?? []) {
    const at = f.lastIndexOf("=");
    if (at <= 0 || at === f.length - 1) {
      throw new CliError(`--fill ${JSON.stringify(f)} is not <import>=<plug.wasm>`);
    }
    const file = f.slice(at + 1);
    if (!plugs.includes(file)) {
      throw new CliError(`--fill ${JSON.stringify(f)} names ${file}, which is not a --plug`);
    }
    fills.set(f.slice(0, at), file);
  }
  const socketBytes = await Deno.readFile(pathOf(io, socket));
  const plugInputs = [];
  for (const p of plugs) plugInputs.push({ bytes: await Deno.readFile(pathOf(io, p)), label: p });
  let result: PlugResult;
  try {
    result = await plug({ bytes: socketBytes, label: socket }, plugInputs, {
      allowUnusedPlugs: parsed.values["allow-unused"] ?? false,
      choose: (_consumer, importName) =>
        fills.get(importName) ?? fills.get(importName.replace(/@[^@/]*$/, "")),
    });
  } catch (e) {
    composeFailure(e);
  }
  await Deno.writeFile(pathOf(io, out), result.bytes);
  io.stdout(
    parsed.values.json ? await compositionJson(result, out) : await formatComposition(result, out),
  );
  return EXIT.ok;
}
