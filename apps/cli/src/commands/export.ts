import type { ExportFormat } from "@awslogin/credential-process";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

/**
 * @awslogin/credential-process's EXPORT_FORMATS, copied so that help does not load that package;
 * export.test.ts checks that the two lists are the same.
 */
export const FORMAT_OPTIONS = [
  "process",
  "env",
  "env-no-export",
  "powershell",
  "windows-cmd",
  "fish",
  "json",
] as const satisfies readonly ExportFormat[];

export class ExportCommand extends BaseCommand {
  static override summary = "Print a profile's credentials for a shell or a tool, refreshing them when due.";
  static override description =
    `Prints what \`aws configure export-credentials --format FORMAT\` prints: process (the
credential_process JSON), env, env-no-export, powershell, windows-cmd or fish, with each value single-quoted for
its shell (windows-cmd: set "NAME=value") so that evaluating the output can only set variables. The json format is awslogin's own:
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
    format: Flags.option({
      char: "f",
      description: "Output format.",
      options: FORMAT_OPTIONS,
      default: "process",
    })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportCommand);
    const { exportCredentials } = await import("../actions/export.js");
    await exportCredentials(
      { ...(flags.profile === undefined ? {} : { profile: flags.profile }), format: flags.format },
      this.output,
    );
  }
}
