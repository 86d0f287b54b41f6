import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class LogoutCommand extends BaseCommand {
  static override summary =
    "Remove a profile's cached login credentials, or every cached login session with --all.";
  static override description =
    `Deletes the session's token cache file (and a stale lock beside it), as \`aws logout\` does. The
profile keeps its login_session in the config file, so \`awslogin login\` signs in again with the same settings.
Without --revoke nothing is revoked at AWS: credentials already handed out stay valid until they expire (at most 15
minutes), and a copy of the cache file keeps working until the session ends.
--all deletes every file in the cache folder that holds a login token (JSON whose accessToken has accessKeyId)
and nothing else. A profile without a session only gets a warning (exit 0).
--revoke first revokes the session at AWS (RevokeOAuth2TokenWithIAM, signed with the session's credentials, refreshed
first if due), under the session's lock, then deletes the cache file; with --all, the session of every profile. A
failed revoke deletes nothing and exits 1. --local-only says explicitly that only the local copy is deleted (today's
default).`;
  static override examples = [
    "<%= config.bin %> logout",
    "<%= config.bin %> logout --profile dev",
    "<%= config.bin %> logout --all",
    "<%= config.bin %> logout --revoke --profile dev",
    "<%= config.bin %> logout --revoke --all",
    "<%= config.bin %> logout --local-only --profile dev",
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
    revoke: Flags.boolean({
      description:
        "Revoke the session at AWS before deleting the cache file; nothing is deleted if that fails.",
      exclusive: ["local-only"],
    }),
    "local-only": Flags.boolean({
      description: "Only delete the local cache file, without revoking (the default for now).",
      exclusive: ["revoke"],
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LogoutCommand);
    const { logOut } = await import("../actions/logout.js");
    await logOut(
      {
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        all: flags.all,
        revoke: flags.revoke,
      },
      this.output,
    );
  }
}
