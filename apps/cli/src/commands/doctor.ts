import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class DoctorCommand extends BaseCommand {
  static override summary =
    "Check the config file, the token cache, the Sign-In endpoint, the clock and lock files.";
  static override description =
    `Checks: the config file is readable and not writable by group or others; the cache folder is
yours, usable by you and 0700, its files 0600, yours, readable and writable, and login token records; each login
profile's cached session can be read; the Sign-In endpoint the profile refreshes against (with no login profile
yet, the one \`awslogin login\` would use: AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL, or the region's from
AWS_REGION, AWS_DEFAULT_REGION or the profile's region) answers (one GET without credentials) and its Date header
agrees with this machine's clock (warn beyond 60 s, fail beyond 5 minutes); no stale lock (holder gone, or older
than 90 s).
Each finding has a check, a status (ok, warn, fail), a message and a fix. Writes nothing.
Exit status: 1 when any check fails, else 0 (warnings included).`;
  static override examples = [
    "<%= config.bin %> doctor",
    "<%= config.bin %> doctor --profile dev",
    "<%= config.bin %> doctor --json | jq '.[] | select(.status != \"ok\")'",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Check only this profile (default: every profile with a login_session).",
    }),
  };
  /** --json prints the findings, a JSON array: what run returns. */
  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DoctorCommand);
    const { diagnose } = await import("../actions/doctor.js");
    return diagnose(
      { ...(flags.profile === undefined ? {} : { profile: flags.profile }), json: this.jsonEnabled() },
      this.output,
    );
  }
}
