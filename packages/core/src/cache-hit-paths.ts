/**
 * Where the cache-hit path looks: the config and credentials files and the login cache folder, resolved as core's
 * full readers resolve them (tests hold them equal), without loading them. Forms that core's readers expand
 * differently, or in ways not worth copying, answer undefined: the full path decides.
 * @see PROTOCOL.md §6, §7
 */
import { join } from "node:path";

/** The files and the folder of a cache hit. */
export interface CacheHitFiles {
  configPath: string;
  credentialsPath: string;
  cacheDirectory: string;
}

/** The SDK options naming the shared files (`fromLoginCredentials`'s `configFilepath` and `filepath`). */
export interface SharedFileOptions {
  configFilepath?: string | undefined;
  filepath?: string | undefined;
}

/**
 * A file path as the SDK reads it (option, then variable, a leading `~/` expanded), else the default under ~/.aws;
 * undefined for a leading `~\`, which core's config reader expands and its credentials reader does not.
 */
function sharedFilePath(
  option: string | undefined,
  variable: string | undefined,
  home: string,
  fallback: string,
): string | undefined {
  const configured = option ?? (variable || undefined);
  if (configured === undefined) return join(home, ".aws", fallback);
  if (configured.startsWith("~\\")) return undefined;
  return configured.startsWith("~/") ? join(home, configured.slice(2)) : configured;
}

/** The config file, as core's `resolveSharedFilePaths` and `resolveConfigFilePath`: option, AWS_CONFIG_FILE, ~/.aws/config. */
export function configPathOf(
  env: NodeJS.ProcessEnv,
  home: string,
  options: SharedFileOptions = {},
): string | undefined {
  return sharedFilePath(options.configFilepath, env.AWS_CONFIG_FILE, home, "config");
}

/** The credentials file, as core's `resolveSharedFilePaths`: option, AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials. */
export function credentialsPathOf(
  env: NodeJS.ProcessEnv,
  home: string,
  options: SharedFileOptions = {},
): string | undefined {
  return sharedFilePath(options.filepath, env.AWS_SHARED_CREDENTIALS_FILE, home, "credentials");
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

/**
 * The config file, the credentials file and the cache folder a cache hit reads, when they are certainly those
 * core's full path reads; undefined otherwise (core resolves them).
 */
export function resolveCacheHitFiles(
  env: NodeJS.ProcessEnv,
  home: string,
  options: SharedFileOptions = {},
): CacheHitFiles | undefined {
  const configPath = configPathOf(env, home, options);
  const credentialsPath = credentialsPathOf(env, home, options);
  const cacheDirectory = cacheDirectoryOf(env, home);
  if (configPath === undefined || credentialsPath === undefined || cacheDirectory === undefined)
    return undefined;
  return { configPath, credentialsPath, cacheDirectory };
}
