/**
 * Fresh credentials of a profile for `export` and `exec`. A cache hit is read the way the credential_process
 * binary reads it, without loading core; otherwise core's loadCredentialsForProfile (a login profile refreshed under
 * the inter-process lock, a role profile's roles assumed under the assume-role cache's locks, an MFA code asked for on
 * the terminal; every check and message), with its warnings on stderr.
 */
import { type ProfileCredentials, readProfileCacheHit } from "./cache-hit.js";
import type { Output } from "./output.js";
import { resolveProfileName } from "./profile-name.js";

export async function loadCredentialsForProfile(
  flag: string | undefined,
  output: Output,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProfileCredentials> {
  const profile = resolveProfileName(flag, env);
  const hit = readProfileCacheHit(profile, env);
  if (hit !== undefined) return hit;
  const [{ loadCredentialsForProfile: load, createTerminalMfaPrompt }, { printable }] = await Promise.all([
    import("@awslogin/core/node"),
    import("@awslogin/core/printable"),
  ]);
  const loaded = await load({
    profile,
    env,
    mfaPrompt: createTerminalMfaPrompt(),
    onWarning: (warning) =>
      output.err(`awslogin: warning: ${printable(warning.message, 2000)} [${warning.code}]\n`),
  });
  const { credentials } = loaded;
  return {
    profile,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration.getTime(),
    },
    accountId: credentials.accountId,
    region: loaded.region,
  };
}
