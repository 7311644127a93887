/**
 * Every wreg command, in the order `wreg --help` lists them. A new command is a `cmd_<name>.ts`
 * file exporting a {@link Command}, added here with its name, its summary (the one `wreg --help`
 * shows: cli/commands_test.ts checks it is the command's own) and how to load it.
 *
 * Commands are loaded when they run: `wreg --help` loads none, and `wreg add` loads what `add`
 * imports, not what `publish`, `serve` or `compose` import. Starting a process and loading its
 * modules is most of what a short command costs (BENCHMARKS.md, issue 14).
 */
import type { Command } from "./_command.ts";

/** A command as the table lists it: what `wreg --help` shows, and how to load the rest. */
export interface CommandEntry {
  /** The word after `wreg`. */
  readonly name: string;
  /** One line for `wreg --help`. */
  readonly summary: string;
  /** Loads the command's module. */
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "init",
    summary: "Create wreg.json for a component or WIT package project",
    load: async () => (await import("./cmd_init.ts")).initCommand,
  },
  {
    name: "login",
    summary: "Store a registry token in your wreg config (checked with the registry first)",
    load: async () => (await import("./cmd_login.ts")).loginCommand,
  },
  {
    name: "token",
    summary: "Create a registry token with the admin token (for login or WREG_TOKEN)",
    load: async () => (await import("./cmd_token.ts")).tokenCommand,
  },
  {
    name: "key",
    summary: "Publisher signing keys: generate, register, list, revoke; require signatures",
    load: async () => (await import("./cmd_key.ts")).keyCommand,
  },
  {
    name: "publish",
    summary: "Check a component or WIT package against its series, then upload it",
    load: async () => (await import("./cmd_publish.ts")).publishCommand,
  },
  {
    name: "add",
    summary: "Add dependencies to wreg.json, resolve, fetch, lock and generate bindings",
    load: async () => (await import("./cmd_add.ts")).addCommand,
  },
  {
    name: "remove",
    summary: "Remove dependencies from wreg.json and the lock",
    load: async () => (await import("./cmd_remove.ts")).removeCommand,
  },
  {
    name: "install",
    summary: "Install exactly what wreg.lock says (offline from the cache)",
    load: async () => (await import("./cmd_install.ts")).installCommand,
  },
  {
    name: "update",
    summary: "Resolve again and move locked versions to the newest the ranges allow",
    load: async () => (await import("./cmd_update.ts")).updateCommand,
  },
  {
    name: "verify",
    summary: "Check a project, lock or .wasm offline against the log and signatures",
    load: async () => (await import("./cmd_verify.ts")).verifyCommand,
  },
  {
    name: "search",
    summary: "Find packages by text, exported or imported interface, or world",
    load: async () => (await import("./cmd_search.ts")).searchCommand,
  },
  {
    name: "info",
    summary: "Show a package's versions, or one version's world, digest and dependencies",
    load: async () => (await import("./cmd_info.ts")).infoCommand,
  },
  {
    name: "yank",
    summary: "Hide a version from resolution (locks that hold it keep working)",
    load: async () => (await import("./cmd_yank.ts")).yankCommand,
  },
  {
    name: "unyank",
    summary: "Make a yanked version resolvable again",
    load: async () => (await import("./cmd_yank.ts")).unyankCommand,
  },
  {
    name: "wit",
    summary: "Resolve a WIT file or folder and print it as WIT or JSON",
    load: async () => (await import("./cmd_wit.ts")).witCommand,
  },
  {
    name: "inspect",
    summary: "Show what a .wasm is: kind, digest, package, imports, exports, metadata",
    load: async () => (await import("./cmd_inspect.ts")).inspectCommand,
  },
  {
    name: "check",
    summary: "Check that a new version of a WIT package or component is compatible with an old one",
    load: async () => (await import("./cmd_check.ts")).checkCommand,
  },
  {
    name: "serve",
    summary: "Run the registry server (HTTP API, blobs, search) on this machine",
    load: async () => (await import("./cmd_serve.ts")).serveCommand,
  },
  {
    name: "admin",
    summary: "Storage operations: migrate to PostgreSQL + S3, collect unreferenced blobs",
    load: async () => (await import("./cmd_admin.ts")).adminCommand,
  },
  {
    name: "plug",
    summary: "Compose a component with plugs that fill its imports (and each other's)",
    load: async () => (await import("./cmd_plug.ts")).plugCommand,
  },
  {
    name: "compose",
    summary: "Compose the project's component with its locked dependencies into one component",
    load: async () => (await import("./cmd_compose.ts")).composeCommand,
  },
  {
    name: "bindings",
    summary: "Generate a typed ES module for a component, to import it in Deno",
    load: async () => (await import("./cmd_bindings.ts")).bindingsCommand,
  },
];
