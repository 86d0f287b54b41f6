/**
 * `awslogin logout`: deletes a profile's token cache file, or every cached login session with --all; with --revoke,
 * revokes each session at AWS first and deletes only what was revoked.
 */
import { AwsLoginError, getProfile, mergeProfile, parseConfigFile, printable } from "@awslogin/core";
import {
  readSessionStatuses,
  removeAllLoginTokens,
  removeCacheFile,
  revokeProfileSession,
} from "@awslogin/core/node";
import { createContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
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
  /** Revoke each session at AWS before deleting its cache file (docs/protocol.md §16.5). */
  revoke?: boolean;
}

export async function logOut(options: LogoutOptions, output: Output): Promise<void> {
  const context = createContext();
  if (options.revoke === true) {
    await revokeAndLogOut(options, context.env, output);
    return;
  }

  if (options.all) {
    // Role profiles on any of these sessions lose their cached role credentials too.
    const { statuses } = await readSessionStatuses({ all: true, env: context.env, now: Date.now() });
    for (const loginSession of new Set(statuses.map((status) => status.loginSession))) {
      if (loginSession !== null && loginSession !== undefined && loginSession !== "") {
        await logOutRoles(loginSession, context.env, output);
      }
    }
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

/** What is said after a revoke; the sentence of the plain logout belongs to the shared messages. */
const REVOKED_NOTE =
  "Credentials this session handed out before the revoke keep working until they expire (15 minutes at most); no new ones can be obtained from it.";
const ENDED_NOTE =
  "Credentials a session handed out before it ended keep working until they expire (15 minutes at most); no new ones can be obtained from it.";

/** `logout --revoke`: each session revoked at AWS, then its cache file deleted; a failure deletes nothing of it. */
async function revokeAndLogOut(
  options: LogoutOptions,
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<void> {
  let profiles: string[];
  if (options.all) {
    const report = await readSessionStatuses({ all: true, env, now: Date.now() });
    // One revoke per cache file: several profiles may share a login_session.
    const seen = new Set<string>();
    profiles = [];
    for (const status of report.statuses) {
      if (status.cachePath === null || seen.has(status.cachePath) || status.state === "logged-out") continue;
      seen.add(status.cachePath);
      profiles.push(status.profile);
    }
    if (profiles.length === 0) {
      output.out("No profile has a cached login session to revoke.\n");
      return;
    }
  } else {
    profiles = [resolveProfileName(options.profile, env)];
  }
  let failed = 0;
  let revoked = 0;
  let ended = 0;
  for (const profile of profiles) {
    const shown = printable(profile);
    try {
      const result = await revokeProfileSession({ profile, env });
      // The session is gone at AWS: role credentials assumed from it must not be served from the cache either.
      if (result.outcome !== "no-session") await logOutRoles(result.loginSession, env, output);
      if (result.deleteFailure !== undefined) {
        // The session is over at AWS whatever happened to the file: say so, and leave the deleting to the user.
        if (result.outcome === "revoked") revoked += 1;
        else ended += 1;
        failed += 1;
        output.out(
          result.outcome === "revoked"
            ? `Revoked the login session of profile '${shown}' at AWS.\n`
            : `The login session of profile '${shown}' had already ended at AWS.\n`,
        );
        output.err(
          `awslogin: could not delete the cache file of profile '${shown}': ${printable(result.deleteFailure.message, 2000)} [${result.deleteFailure.code}]\n` +
            `The session no longer works; delete ${printable(result.cachePath, 1000)} by hand.\n`,
        );
      } else if (result.outcome === "revoked") {
        revoked += 1;
        output.out(
          `Revoked the login session of profile '${shown}' at AWS and removed its cached credentials.\n`,
        );
      } else if (result.outcome === "already-ended") {
        ended += 1;
        output.out(
          `The login session of profile '${shown}' had already ended at AWS; removed its cached credentials.\n`,
        );
      } else {
        output.out(`Profile '${shown}' has no cached login credentials (already logged out).\n`);
      }
    } catch (error) {
      if (!AwsLoginError.isInstance(error)) throw error;
      const { code } = error;
      if (code === "PROFILE_NOT_FOUND" || code === "PROFILE_NOT_LOGIN") {
        output.err(`warning: no login session found for profile '${shown}'\n`);
        continue;
      }
      failed += 1;
      output.err(
        `awslogin: could not revoke the session of profile '${shown}': ${printable(error.message, 2000)} [${code}]\n` +
          `Nothing was deleted. Try again, or run \`awslogin logout --local-only${profile === "default" ? "" : ` --profile ${shown}`}\` ` +
          "to delete only the local copy (the session then stays usable at AWS, by anyone holding a copy, until it ends).\n",
      );
    }
  }
  if (revoked > 0) output.out(`${REVOKED_NOTE}\n`);
  else if (ended > 0) output.out(`${ENDED_NOTE}\n`);
  if (failed > 0) process.exitCode = EXIT.failure;
}
