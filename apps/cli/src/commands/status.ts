import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class StatusCommand extends BaseCommand {
  static override summary =
    "Show a profile's login session: account, credential and session expiry, and whether it is usable.";
  static override description =
    `Without --check, reads the config file and the token cache only: never refreshes, never writes. With --check it
asks the service about the session, refreshing due credentials first to sign the call.
States: valid; refresh-due (5 minutes or less left, or ran out, while the session lasts: the next use refreshes);
expired (past the 12-hour maximum, or the service refused the last refresh); logged-out (no login_session, or
no cache file); unreadable (the cache file cannot be used). sessionExpiresAt is the sign-in time + 12 hours, the
most AWS allows; your role's own limit may end the session sooner.
Exit status: 0 when every profile shown is valid or refresh-due, 1 otherwise (also when --all finds no login profile,
or when --check could not reach the service).`;
  static override examples = [
    "<%= config.bin %> status",
    "<%= config.bin %> status --profile dev",
    "<%= config.bin %> status --all",
    "<%= config.bin %> status --check --profile dev",
    "<%= config.bin %> status --profile dev --json | jq -r .state",
    "<%= config.bin %> status --profile dev >/dev/null || <%= config.bin %> login --profile dev",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile to show (default: AWS_PROFILE, then default).",
      exclusive: ["all"],
    }),
    all: Flags.boolean({
      description: "Show every profile that has a login_session.",
      exclusive: ["profile"],
    }),
    check: Flags.boolean({
      description: "Also ask the sign-in service whether each session is still active (a network call).",
    }),
  };
  /** --json prints one object for a profile, an array with --all: what run returns. */
  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    const { flags } = await this.parse(StatusCommand);
    const { showStatus } = await import("../actions/status.js");
    return showStatus(
      {
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        all: flags.all,
        json: this.jsonEnabled(),
        check: flags.check,
      },
      this.output,
    );
  }
}
