import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class LogoutCommand extends BaseCommand {
  static override summary =
    "Remove a profile's cached login credentials, or every cached login session with --all.";
  static override description =
    `Deletes the session's token cache file (and a stale lock beside it), as \`aws logout\` does. The
profile keeps its login_session in the config file, so \`awslogin login\` signs in again with the same settings.
Nothing is revoked at AWS: credentials already handed out stay valid until they expire (at most 15 minutes).
--all deletes every file in the cache folder that holds a login token (JSON whose accessToken has accessKeyId)
and nothing else. A profile without a session only gets a warning (exit 0).`;
  static override examples = [
    "<%= config.bin %> logout",
    "<%= config.bin %> logout --profile dev",
    "<%= config.bin %> logout --all",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile to log out (default: AWS_PROFILE, then default).",
      exclusive: ["all"],
    }),
    all: Flags.boolean({
      description: "Remove every cached login session in the cache folder.",
      exclusive: ["profile"],
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LogoutCommand);
    const { logOut } = await import("../actions/logout.js");
    await logOut(
      { ...(flags.profile === undefined ? {} : { profile: flags.profile }), all: flags.all },
      this.output,
    );
  }
}
