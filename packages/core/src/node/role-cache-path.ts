/**
 * Where assumed-role credentials are cached: the AWS CLI's own assume-role cache, whose file names we can derive
 * exactly as botocore does (docs/protocol.md §17.5), unless moved. Dependency-free: the cache-hit path uses it.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** The environment variable that moves the assume-role cache (default `~/.aws/cli/cache`, the AWS CLI's). */
export const ROLE_CACHE_DIRECTORY_ENV = "AWSLOGIN_ROLE_CACHE_DIRECTORY";

/** The assume-role cache folder: the option, then `AWSLOGIN_ROLE_CACHE_DIRECTORY`, then `~/.aws/cli/cache`. */
export function resolveRoleCacheDirectory(
  env: Record<string, string | undefined>,
  option?: string,
  home: string = homedir(),
): string {
  if (option !== undefined && option !== "") return option;
  const fromEnv = env[ROLE_CACHE_DIRECTORY_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return join(home, ".aws", "cli", "cache");
}
