/**
 * Where the hot path looks: the config file and the login cache folder, resolved as core resolves them
 * (tests hold them equal). Forms core expands in ways not worth copying answer undefined: core decides.
 * @see docs/protocol.md §6, §7
 */
import { join } from "node:path";

/** A file-path variable as the SDK reads it (a leading `~/` expanded), else the default under ~/.aws. */
function sharedFilePath(configured: string | undefined, home: string, fallback: string): string {
  if (!configured) return join(home, ".aws", fallback);
  return configured.startsWith("~/") || configured.startsWith("~\\")
    ? join(home, configured.slice(2))
    : configured;
}

/** The config file, as core's `resolveConfigFilePath`: AWS_CONFIG_FILE (a leading `~/` expanded), else ~/.aws/config. */
export function configPathOf(env: NodeJS.ProcessEnv, home: string): string {
  return sharedFilePath(env.AWS_CONFIG_FILE, home, "config");
}

/** The credentials file, as the SDK resolves it: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
export function credentialsPathOf(env: NodeJS.ProcessEnv, home: string): string {
  return sharedFilePath(env.AWS_SHARED_CREDENTIALS_FILE, home, "credentials");
}

/** The cache folder, as core's `resolveLoginCacheDirectory`; undefined for `$VAR` and `~user` forms, left to core. */
export function cacheDirectoryOf(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const configured = env.AWS_LOGIN_CACHE_DIRECTORY;
  if (!configured) return join(home, ".aws", "login", "cache");
  if (configured.includes("$")) return undefined;
  if (!configured.startsWith("~")) return configured;
  const rest = configured.slice(1);
  if (rest !== "" && !rest.startsWith("/") && !rest.startsWith("\\")) return undefined;
  return home.replace(/[/\\]+$/, "") + rest || "/";
}
