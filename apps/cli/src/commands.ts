import { ConfigureCredentialProcessCommand } from "./commands/configure/credential-process.js";
import { EmulatorCommand } from "./commands/emulator.js";
import { ExecCommand } from "./commands/exec.js";
import { ExportCommand } from "./commands/export.js";
import { LoginCommand } from "./commands/login.js";

/** Every command of the CLI, for oclif's explicit command discovery. */
export const commands = {
  "configure:credential-process": ConfigureCredentialProcessCommand,
  emulator: EmulatorCommand,
  exec: ExecCommand,
  export: ExportCommand,
  login: LoginCommand,
};
