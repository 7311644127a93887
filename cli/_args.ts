/** Argument parsing shared by the commands: `node:util` parseArgs with errors as usage errors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError, EXIT } from "./_command.ts";

/** Parses `args` with `options`; a bad flag is a usage error naming the command's help. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  args: string[],
  options: O,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(
      `Invalid arguments: ${(e as Error).message}; run \`wreg ${command} --help\``,
      EXIT.usage,
    );
  }
}
