/**
 * `awslogin logout`: deletes a profile's token cache file, or every cached login session with --all.
 */
import { getProfile, parseConfigFile, printable } from "@awslogin/core";
import { removeAllLoginTokens, removeCacheFile } from "@awslogin/core/node";
import type { Command } from "@oclif/core";
import type { LogoutFlags } from "../commands/logout.js";
import { createContext } from "../context.js";
import { resolveProfileName } from "../profile-name.js";

const STILL_VALID =
  "Credentials already handed out (to the AWS CLI, SDKs, `awslogin export` or `exec`) stay valid until they expire, at most 15 minutes.";

export async function logOut(cli: Pick<Command, "log">, flags: LogoutFlags): Promise<void> {
  const context = createContext();

  if (flags.all) {
    const removed = await removeAllLoginTokens(context.store.directory);
    if (removed.length === 0) {
      cli.log("No cached login sessions found.");
      return;
    }
    cli.log(
      `Removed ${removed.length} cached login session${removed.length === 1 ? "" : "s"} from ${context.store.directory}.`,
    );
    cli.log(STILL_VALID);
    return;
  }

  const profile = resolveProfileName(flags.profile, context.env);
  const shown = printable(profile);
  const loginSession = getProfile(parseConfigFile(await context.config.read()), profile)?.login_session;
  if (loginSession === undefined || loginSession === "") {
    process.stderr.write(`warning: no login session found for profile '${shown}'\n`);
    return;
  }
  if (await removeCacheFile(context.store.pathFor(loginSession))) {
    cli.log(`Removed cached login credentials for profile '${shown}'.`);
    cli.log(STILL_VALID);
  } else {
    cli.log(`Profile '${shown}' has no cached login credentials (already logged out).`);
  }
}
