/**
 * WIT, the component model's interface language: the shared arena model ({@link Resolve}) that
 * WIT text and component binaries both land in, and (in the files beside it) the parser,
 * resolver, printer and JSON writer.
 *
 * @module
 */
export * from "./model.ts";
