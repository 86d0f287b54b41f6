/**
 * Where the cache-hit path looks: the config and credentials files, resolved as core's full readers resolve them
 * (tests hold them equal), without loading them, and the login cache folder from core's one resolver
 * (`resolveCacheDirectory`). A file path form that core's readers expand differently answers undefined: the full
 * path decides.
 * @see docs/protocol.md §6, §7
 */
import { join } from "node:path";
import { resolveCacheDirectory } from "./resolve.js";

/** The files and the folder of a cache hit. */
export interface CacheHitFiles {
  /** The shared config file. */
  configPath: string;
  /** The shared credentials file, whose section of the profile wins over the config file's. */
  credentialsPath: string;
  /** The login cache folder, where `<sha256(login_session)>.json` is read. */
  cacheDirectory: string;
}

/** The SDK options naming the shared files (`fromLoginCredentials`'s `configFilepath` and `filepath`). */
export interface SharedFileOptions {
  /** The config file, instead of AWS_CONFIG_FILE or ~/.aws/config. */
  configFilepath?: string | undefined;
  /** The credentials file, instead of AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
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
  if (configPath === undefined || credentialsPath === undefined) return undefined;
  return { configPath, credentialsPath, cacheDirectory: resolveCacheDirectory({ env, homeDir: home }).value };
}
