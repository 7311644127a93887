/**
 * The shape of a wreg command and the I/O it is given. Commands never call `Deno.exit` or write to
 * the console directly: they write through {@link Io} and return an exit code, so tests run them
 * in-process and compare stdout and stderr with golden files.
 */

/** Where a command reads and writes. `cwd` is the folder the user ran wreg in. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (progress bars, colours, prompts). */
  readonly isTerminal: boolean;
  /**
   * Asks the user a question and returns the answer (`defaultValue` for an empty one), or `null`
   * when input ended. Present only when stdin and stdout are terminals: commands ask nothing
   * without it.
   */
  readonly prompt?: (question: string, defaultValue?: string) => string | null;
  /**
   * Asks for a secret without echoing what is typed (a token), or `null` when input ended or was
   * interrupted. Present only when stdin and stdout are terminals.
   */
  readonly promptSecret?: (question: string) => Promise<string | null>;
  /** Reads all of stdin (for secrets piped in: `echo $T | wreg login …`), when it is not a terminal. */
  readonly readStdin?: () => Promise<string>;
}

/** A wreg subcommand. */
export interface Command {
  /** The word after `wreg`. */
  name: string;
  /** One line for `wreg --help`. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs the command on the arguments after its name; resolves to the process exit code. */
  run(args: string[], io: Io): Promise<number>;
}

/**
 * Exit codes of wreg, documented in README.md. A command that answers "no" (an incompatible
 * change) exits 1; everything the user can fix in their input or setup has its own code.
 */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is negative (e.g. `check` found a breaking change). */
  no: 1,
  /** Bad arguments or unreadable, invalid input. */
  usage: 2,
  /** The registry could not be reached. */
  network: 3,
  /** The registry refused the token or the action. */
  auth: 4,
  /** The registry answered with an error (not found, conflict, server fault). */
  registry: 5,
  /** Downloaded or cached bytes do not match their digest. */
  integrity: 6,
  /** Dependency resolution found no solution. */
  resolution: 7,
} as const;

/**
 * An error meant for the user: printed as one line (`error: <message>`) with no stack trace, and
 * the process exits with `exitCode`.
 */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
  }
}
