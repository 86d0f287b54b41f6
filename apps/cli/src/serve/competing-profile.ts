/**
 * The profile an SDK would read before the container endpoint: the JS SDK's default chain (fromEnv, fromSSO,
 * fromIni, fromProcess, fromTokenFile, then the container) and botocore's both try the shared files' profile first,
 * so credentials there win over what `serve` hands out, and a tool quietly works in another account.
 * @see docs/protocol.md §17.2
 */
import { homedir } from "node:os";
import { findOtherCredentialKeys } from "@awslogin/core/config";
import { profileOf, readSharedFiles, resolveSharedFilePaths } from "@awslogin/core/node";
import { printable } from "@awslogin/core/printable";

/** A profile that gives SDKs credentials before the endpoint, and the keys that do it. */
export interface CompetingProfile {
  profile: string;
  keys: string[];
}

/**
 * Keys that make the SDKs take a profile's credentials: those `aws login` refuses, and `login_session` itself
 * (written by `aws login` and `awslogin login`).
 */
function credentialKeys(values: Record<string, string | undefined>): string[] {
  const keys = findOtherCredentialKeys(values);
  if (values.login_session !== undefined) keys.unshift("login_session");
  return keys;
}

/**
 * The profile `reader` would read (the SDKs' AWS_PROFILE, else `default`) when it holds credentials of its own and
 * is not the served profile itself (whose credentials are the served ones); undefined otherwise. Files that cannot
 * be read count as empty, as the SDKs treat them.
 */
export async function findCompetingProfile(
  served: string,
  readerProfile: string,
  env: NodeJS.ProcessEnv,
): Promise<CompetingProfile | undefined> {
  if (readerProfile === served) return undefined;
  const files = await readSharedFiles(resolveSharedFilePaths({}, env, homedir()));
  const values = profileOf(files, readerProfile);
  if (values === undefined) return undefined;
  const keys = credentialKeys(values);
  return keys.length === 0 ? undefined : { profile: readerProfile, keys };
}

/** The warning line for `exec --serve` or `serve` (`how` says what to do instead). */
export function competingProfileWarning(competing: CompetingProfile, served: string, how: string): string {
  const name = printable(competing.profile, 200);
  return `awslogin: warning: profile ${name} has credentials (${competing.keys.join(", ")}), and the AWS SDKs read it before the endpoint: tools would use profile ${name}'s account, not profile ${printable(served, 200)}'s. ${how}\n`;
}
