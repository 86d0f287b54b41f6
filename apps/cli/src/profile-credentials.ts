/**
 * Fresh credentials of a profile for `export` and `exec`. A cache hit is read the way the credential_process
 * binary reads it, without loading core; otherwise core's loadProfileCredentials (refresh under the
 * inter-process lock, every check and message), with its warnings on stderr.
 */
import { readCacheHit } from "@awslogin/core/cache-hit";
import { printable } from "@awslogin/core/printable";
import type { ExportableCredentials } from "@awslogin/credential-process";
import { resolveProfileName } from "./profile-name.js";

export interface ProfileCredentials {
  profile: string;
  credentials: ExportableCredentials;
  accountId: string;
  /** AWS_REGION, AWS_DEFAULT_REGION, then the profile's region; undefined when none is set. */
  region: string | undefined;
}

export async function loadCredentialsForProfile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProfileCredentials> {
  const profile = resolveProfileName(flag, env);
  const regionFromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const hit = readCacheHit(profile, env);
  if (hit !== undefined) {
    const { accountId, ...credentials } = hit.credentials;
    return { profile, credentials, accountId, region: regionFromEnv ?? hit.region };
  }
  const { loadProfileCredentials } = await import("@awslogin/core/node");
  const loaded = await loadProfileCredentials({
    profile,
    env,
    onWarning: (warning) =>
      process.stderr.write(`awslogin: warning: ${printable(warning.message, 2000)} [${warning.code}]\n`),
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
    region: regionFromEnv ?? loaded.region,
  };
}
