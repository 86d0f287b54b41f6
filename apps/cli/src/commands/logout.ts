import { getProfile, parseConfigFile } from "@awslogin/core";
import { removeAllLoginTokens, removeCacheFile } from "@awslogin/core/node";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";
import { createContext, resolveProfileName } from "../context.js";

const STILL_VALID =
  "Credentials already handed out (to the AWS CLI, SDKs, `awslogin export` or `exec`) stay valid until they expire, at most 15 minutes.";

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
    const context = createContext();

    if (flags.all) {
      const removed = await removeAllLoginTokens(context.store.directory);
      if (removed.length === 0) {
        this.log("No cached login sessions found.");
        return;
      }
      this.log(
        `Removed ${removed.length} cached login session${removed.length === 1 ? "" : "s"} from ${context.store.directory}.`,
      );
      this.log(STILL_VALID);
      return;
    }

    const profile = resolveProfileName(flags.profile, context.env);
    const loginSession = getProfile(parseConfigFile(await context.config.read()), profile)?.login_session;
    if (loginSession === undefined || loginSession === "") {
      process.stderr.write(`warning: no login session found for profile '${profile}'\n`);
      return;
    }
    if (await removeCacheFile(context.store.pathFor(loginSession))) {
      this.log(`Removed cached login credentials for profile '${profile}'.`);
      this.log(STILL_VALID);
    } else {
      this.log(`Profile '${profile}' has no cached login credentials (already logged out).`);
    }
  }
}
