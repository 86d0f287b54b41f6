import { EmulatorCommand } from "./commands/emulator.js";
import { LoginCommand } from "./commands/login.js";

/** Every command of the CLI, for oclif's explicit command discovery. */
export const commands = {
  emulator: EmulatorCommand,
  login: LoginCommand,
};
