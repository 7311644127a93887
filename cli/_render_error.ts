/**
 * Turns any error a command throws into the one line the user sees and an exit code. Domain errors
 * of lib/ carry their own messages (with locations); only unexpected faults say "internal error".
 */
import { CliError, EXIT } from "./_command.ts";
import { NameError } from "../lib/names/mod.ts";
import { WitError } from "../lib/wit/mod.ts";

/** The message (without the `error: ` prefix) and exit code for an error. */
export function renderError(e: unknown): { message: string; exitCode: number } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof NameError) return { message: e.message, exitCode: EXIT.usage };
  // WIT errors show the source line and a caret under the error, like wit-parser.
  if (e instanceof WitError) return { message: e.rendered, exitCode: EXIT.usage };
  if (e instanceof Deno.errors.NotFound) {
    return { message: `Cannot read input: ${firstLine(e.message)}`, exitCode: EXIT.usage };
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return { message: `Permission denied: ${firstLine(e.message)}`, exitCode: EXIT.usage };
  }
  if (e instanceof Error && "code" in e && typeof (e as { code: unknown }).code === "string") {
    // Domain errors of lib/ (WIT, decoding, compatibility): their messages are written for users.
    return { message: firstLine(e.message), exitCode: EXIT.usage };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return {
    message: `internal error: ${firstLine(msg)} (set WREG_DEBUG=1 for a stack trace)`,
    exitCode: 70,
  };
}

function firstLine(s: string): string {
  const i = s.indexOf("\n");
  return i < 0 ? s : s.slice(0, i);
}
