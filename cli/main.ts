/**
 * The wreg command line: `deno task wreg <command> [args]`, or
 * `deno run -A --config <wreg>/deno.json <wreg>/cli/main.ts <command>` from any folder.
 *
 * @module
 */
import { type Command, EXIT, type Io } from "./_command.ts";
import { type CommandEntry, COMMANDS } from "./commands.ts";
import { printable } from "./_terminal.ts";

/** A command to run: loaded already, or an entry of the table that loads it. */
type AnyCommand = Command | CommandEntry;

/** The top-level help text. */
export function mainHelp(commands: readonly AnyCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "wreg: a registry and package manager for WebAssembly components",
    "",
    "Usage: wreg <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `wreg <command> --help` for a command's options.",
    "",
  ].join("\n");
}

/** Runs wreg on `args` with the given I/O; resolves to the exit code. Never throws. */
export async function runWreg(
  args: string[],
  io: Io,
  commands: readonly AnyCommand[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`error: unknown command ${JSON.stringify(name)}; run \`wreg --help\` for the list\n`);
    return EXIT.usage;
  }
  try {
    // Only the command that runs is loaded (with what it imports).
    const command = "load" in entry ? await entry.load() : entry;
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(command.help.endsWith("\n") ? command.help : `${command.help}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (e) {
    // Loaded on a failure only: it knows lib's error classes, which the start does not need.
    const { renderError } = await import("./_render_error.ts");
    const { message, exitCode } = renderError(e);
    // A message may quote what a registry sent: its controls are shown, never acted on.
    io.stderr(`error: ${printable(message, true)}\n`);
    if (io.env.WREG_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return exitCode;
  }
}

/** Writes every byte (a pipe may take a large write in parts). */
function writeAll(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += w.writeSync(bytes.subarray(at));
}

/** The wreg checkout this file belongs to (where `deno task wreg` runs). */
const WREG_ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * The folder the user ran wreg in. `deno task` always runs tasks in the folder of its deno.json
 * and passes the user's folder as `INIT_CWD`, so `deno task --config <wreg>/deno.json wreg add x`
 * acts on the user's project. `INIT_CWD` is only trusted when the process really runs in the wreg
 * checkout, so a wreg started elsewhere (tests, a global install) uses its own working folder.
 */
export function userCwd(cwd: string, env: Record<string, string | undefined>): string {
  const init = env.INIT_CWD;
  return init && cwd.replace(/\/$/, "") === WREG_ROOT ? init : cwd;
}

/** The process's real I/O. */
export function processIo(): Io {
  const enc = new TextEncoder();
  const interactive = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  return {
    stdout: (t) => writeAll(Deno.stdout, enc.encode(t)),
    stderr: (t) => writeAll(Deno.stderr, enc.encode(t)),
    cwd: userCwd(Deno.cwd(), Deno.env.toObject()),
    env: Deno.env.toObject(),
    isTerminal: Deno.stdout.isTerminal(),
    ...(interactive
      ? { prompt: (q: string, d?: string) => prompt(q, d), promptSecret: readSecret }
      : { readStdin: async () => await new Response(Deno.stdin.readable).text() }),
  };
}

/**
 * Reads a line from the terminal with echo off (raw mode), so a token never shows on screen or in
 * a terminal's scrollback. Backspace edits; Enter ends; Ctrl-C and Ctrl-D give `null`.
 */
async function readSecret(question: string): Promise<string | null> {
  const enc = new TextEncoder();
  writeAll(Deno.stderr, enc.encode(question));
  const bytes: number[] = [];
  const buf = new Uint8Array(256);
  Deno.stdin.setRaw(true);
  try {
    for (;;) {
      const n = await Deno.stdin.read(buf);
      if (n === null) return null;
      for (const b of buf.subarray(0, n)) {
        if (b === 0x0d || b === 0x0a) return new TextDecoder().decode(new Uint8Array(bytes));
        if (b === 0x03 || b === 0x04) return null;
        if (b === 0x7f || b === 0x08) bytes.pop();
        else if (b >= 0x20 || b === 0x09) bytes.push(b);
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    writeAll(Deno.stderr, enc.encode("\n"));
  }
}

if (import.meta.main) {
  Deno.exit(await runWreg(Deno.args, processIo()));
}
