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
    const err = e as Error & { code?: string };
    const option = /option '([^']+)'/i.exec(err.message)?.[1];
    const what = err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option !== undefined
      ? `Unknown option ${option}`
      : err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined
      ? `Option ${option.replace(/^-\w, /, "").replace(/ <value>$/, "")} needs a value`
      : `Invalid arguments: ${err.message.split(". ")[0]}`;
    throw new CliError(`${what}; run \`wreg ${command} --help\``, EXIT.usage);
  }
}
