import { EXPORT_FORMATS, formatCredentials } from "@awslogin/credential-process";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";

export class ExportCommand extends BaseCommand {
  static override summary = "Print a profile's credentials for a shell or a tool, refreshing them when due.";
  static override description =
    `Prints exactly what \`aws configure export-credentials --format FORMAT\` prints: process (the
credential_process JSON), env, env-no-export, powershell, windows-cmd or fish. The json format is awslogin's own:
the process object plus AccountId and Region, on one line. Credentials are refreshed when 5 minutes or less are left.`;
  static override examples = [
    "<%= config.bin %> export --profile dev",
    'eval "$(<%= config.bin %> export --profile dev --format env)"',
    "<%= config.bin %> export --profile dev --format powershell | Invoke-Expression",
    "<%= config.bin %> export --format json | jq -r .AccountId",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile to export (default: AWS_PROFILE, then default).",
    }),
    format: Flags.string({
      char: "f",
      description: "Output format.",
      options: [...EXPORT_FORMATS],
      default: "process",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportCommand);
    const format = EXPORT_FORMATS.find((name) => name === flags.format) ?? "process";
    const { credentials, accountId, region } = await loadCredentialsForProfile(flags.profile);
    process.stdout.write(formatCredentials(credentials, format, { accountId, region }));
  }
}
