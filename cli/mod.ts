/**
 * The public surface of cli/ for tests and benchmarks (only a module's `mod.ts` is imported from
 * outside it): running wreg in-process with captured I/O, the command shape, and the WIT file
 * reader.
 *
 * @module
 */
export { CliError, type Command, EXIT, type Io } from "./_command.ts";
export { mainHelp, processIo, runWreg } from "./main.ts";
export {
  isWasmPath,
  readBinaryPackage,
  type ReadWitOptions,
  readWitSources,
  type WatParser,
  type WitPackageDecoder,
} from "./_wit_files.ts";
export { binaryWitOptions, witCommand } from "./cmd_wit.ts";
export {
  getJsonValue,
  JsonEditError,
  parseJsonc,
  removeJsonValue,
  setJsonValue,
} from "./_json_edit.ts";
