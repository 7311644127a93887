/**
 * Every wreg command, in the order `wreg --help` lists them. A new command is a `cmd_<name>.ts`
 * file exporting a {@link Command}, added here.
 */
import type { Command } from "./_command.ts";
import { witCommand } from "./cmd_wit.ts";
import { inspectCommand } from "./cmd_inspect.ts";
import { checkCommand } from "./cmd_check.ts";
import { serveCommand } from "./cmd_serve.ts";
import { adminCommand } from "./cmd_admin.ts";
import { plugCommand } from "./cmd_plug.ts";
import { composeCommand } from "./cmd_compose.ts";
import { bindingsCommand } from "./cmd_bindings.ts";
import { addCommand } from "./cmd_add.ts";
import { removeCommand } from "./cmd_remove.ts";
import { installCommand } from "./cmd_install.ts";
import { updateCommand } from "./cmd_update.ts";
import { initCommand } from "./cmd_init.ts";
import { loginCommand } from "./cmd_login.ts";
import { tokenCommand } from "./cmd_token.ts";
import { publishCommand } from "./cmd_publish.ts";
import { searchCommand } from "./cmd_search.ts";
import { infoCommand } from "./cmd_info.ts";
import { unyankCommand, yankCommand } from "./cmd_yank.ts";

export const COMMANDS: Command[] = [
  initCommand,
  loginCommand,
  tokenCommand,
  publishCommand,
  addCommand,
  removeCommand,
  installCommand,
  updateCommand,
  searchCommand,
  infoCommand,
  yankCommand,
  unyankCommand,
  witCommand,
  inspectCommand,
  checkCommand,
  serveCommand,
  adminCommand,
  plugCommand,
  composeCommand,
  bindingsCommand,
];
