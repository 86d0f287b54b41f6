/**
 * `awslogin logout`: deletes a profile's token cache file, or every cached login session with --all.
 */
import { getProfile, mergeProfile, parseConfigFile, printable } from "@awslogin/core";
import { removeAllLoginTokens, removeCacheFile } from "@awslogin/core/node";
import { createContext } from "../context.js";
import type { Output } from "../output.js";
import { resolveProfileName } from "../profile-name.js";
import { logOutRoles } from "../role-logout.js";

// What `aws logout` says (docs/protocol.md §7), in our words, with where credentials may have gone.
const STILL_VALID =
  "Note: tools that already loaded these credentials (the AWS CLI, SDKs, `awslogin export` or `exec`) may keep using them until they expire, at most 15 minutes.";

export interface LogoutOptions {
  /** The profile to log out (default: AWS_PROFILE, then `default`); ignored with `all`. */
  profile?: string;
  /** Every cached login session in the cache folder. */
  all: boolean;
}

export async function logOut(options: LogoutOptions, output: Output): Promise<void> {
  const context = createContext();

  if (options.all) {
    const removed = await removeAllLoginTokens(context.store.directory);
    if (removed.length === 0) {
      output.out("No cached login sessions found.\n");
      return;
    }
    output.out(
      `Removed ${removed.length} cached login session${removed.length === 1 ? "" : "s"} from ${context.store.directory}.\n`,
    );
    output.out(`${STILL_VALID}\n`);
    return;
  }

  const profile = resolveProfileName(options.profile, context.env);
  const shown = printable(profile);
  // The SDKs' view of the profile, as status and refresh read it: the credentials file's keys over the config file's.
  const loginSession = mergeProfile(
    getProfile(parseConfigFile(await context.config.read()), profile),
    await context.config.readCredentialsSection?.(profile),
  )?.login_session;
  if (loginSession === undefined || loginSession === "") {
    output.err(`warning: no login session found for profile '${shown}'\n`);
    return;
  }
  await logOutRoles(loginSession, context.env, output);
  if (await removeCacheFile(context.store.pathFor(loginSession))) {
    output.out(`Removed cached login credentials for profile '${shown}'.\n`);
    output.out(`${STILL_VALID}\n`);
  } else {
    output.out(`Profile '${shown}' has no cached login credentials (already logged out).\n`);
  }
}
