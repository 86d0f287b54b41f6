/**
 * A profile's credentials straight from its cache file, without core's full path: `@awslogin/core/cache-hit`, the
 * dependency-free reader that the credential_process binary and the SDK provider use. The only import of that reader in the CLI (the oclif path and the fast path in
 * bin/run.js both come through here), so that moving it is a one-line change.
 * @see docs/protocol.md §6, §8
 */
import { readCacheHit } from "@awslogin/core/cache-hit";
import type { ExportableCredentials } from "@awslogin/credential-process";

/** A profile's fresh credentials and what `export --format json` and `exec` print or pass beside them. */
export interface ProfileCredentials {
  profile: string;
  credentials: ExportableCredentials;
  accountId: string;
  /** AWS_REGION, AWS_DEFAULT_REGION, then the profile's region (core's resolveRegion); undefined when none is set. */
  region: string | undefined;
}

/**
 * The profile's credentials when its cache file certainly holds fresh ones (more than 5 minutes left, every
 * check of core's passed); undefined otherwise, and core's full path decides and explains. Never throws.
 */
export function readProfileCacheHit(profile: string, env: NodeJS.ProcessEnv): ProfileCredentials | undefined {
  // Role profiles too: the full path (core's loadCredentialsForProfile) resolves them. @see docs/protocol.md §17.1
  const hit = readCacheHit(profile, env, undefined, undefined, undefined, { roleProfiles: true });
  if (hit === undefined) return undefined;
  const { accountId, ...credentials } = hit.credentials;
  return { profile, credentials, accountId, region: hit.region };
}
