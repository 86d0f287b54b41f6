import { ConfigureCredentialProcessCommand } from "./commands/configure/credential-process.js";
import { ConsoleCommand } from "./commands/console.js";
import { DoctorCommand } from "./commands/doctor.js";
import { EmulatorCommand } from "./commands/emulator.js";
import { ExecCommand } from "./commands/exec.js";
import { ExportCommand } from "./commands/export.js";
import { LoginCommand } from "./commands/login.js";
import { LogoutCommand } from "./commands/logout.js";
import { ServeCommand } from "./commands/serve.js";
import { StatusCommand } from "./commands/status.js";

/** Every command of the CLI, for oclif's explicit command discovery. */
export const commands = {
  "configure:credential-process": ConfigureCredentialProcessCommand,
  console: ConsoleCommand,
  doctor: DoctorCommand,
  emulator: EmulatorCommand,
  exec: ExecCommand,
  export: ExportCommand,
  login: LoginCommand,
  logout: LogoutCommand,
  serve: ServeCommand,
  status: StatusCommand,
};
