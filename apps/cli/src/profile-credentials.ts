/**
 * Fresh credentials of a profile for `export` and `exec`: core's loadProfileCredentials (cache, refresh under
 * the inter-process lock), with its warnings on stderr and the region a tool should use.
 */
import { type LoadedCredentials, loadProfileCredentials } from "@awslogin/core/node";
import type { ExportableCredentials } from "@awslogin/credential-process";
import { resolveProfileName } from "./context.js";

export interface ProfileCredentials {
  profile: string;
  credentials: ExportableCredentials;
  accountId: string;
  /** AWS_REGION, AWS_DEFAULT_REGION, then the profile's region; undefined when none is set. */
  region: string | undefined;
  loaded: LoadedCredentials;
}

export async function loadCredentialsForProfile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProfileCredentials> {
  const profile = resolveProfileName(flag, env);
  const loaded = await loadProfileCredentials({
    profile,
    env,
    onWarning: (warning) => process.stderr.write(`awslogin: warning: ${warning.message} [${warning.code}]\n`),
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
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || loaded.region,
    loaded,
  };
}
