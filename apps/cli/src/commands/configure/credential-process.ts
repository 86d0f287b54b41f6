import { Flags } from "@oclif/core";
import { BaseCommand } from "../../base-command.js";

export class ConfigureCredentialProcessCommand extends BaseCommand {
  static override summary =
    "Add a profile that gets a login profile's (or a role profile's) credentials through credential_process.";
  static override description =
    `For tools that do not understand login_session (Terraform, older AWS SDKs): writes a profile NAME
(default: PROFILE-process) with \`credential_process = awslogin-credential-process --profile PROFILE\` and the
login profile's region. The binary is named when it is on PATH, else run by absolute path with this node.
Comments and other profiles in the config file are kept; a profile that already gets credentials another way is
left alone.`;
  static override examples = [
    "<%= config.bin %> configure credential-process --profile dev",
    "<%= config.bin %> configure credential-process --profile dev --name dev-terraform",
    "AWS_PROFILE=dev-process terraform plan",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Login profile to use (default: AWS_PROFILE, then default).",
    }),
    name: Flags.string({ description: "Profile to write (default: PROFILE-process)." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigureCredentialProcessCommand);
    const { configureCredentialProcess } = await import("../../actions/configure/credential-process.js");
    await configureCredentialProcess(
      {
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        ...(flags.name === undefined ? {} : { name: flags.name }),
      },
      this.output,
    );
  }
}
