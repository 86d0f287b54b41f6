/**
 * The shared config and credentials files, read as the AWS SDK for JavaScript reads them (`parseKnownFiles`): a
 * profile's keys from `~/.aws/config`, overridden by those of the same section in `~/.aws/credentials`. The
 * provider, credential_process, export/exec and the login's profile guard all see this merged view, as the AWS
 * CLI does. @see docs/protocol.md §7
 */
import { join } from "node:path";
import {
  getCredentialsSection,
  getProfile,
  mergeProfile,
  type ParsedConfig,
  type ProfileValues,
  parseConfigFile,
  parseCredentialsFile,
} from "../config.js";
import { MAX_SHARED_FILE_BYTES, readRegularFile } from "./bounded-read.js";

export type { ProfileValues };

/** Where the shared config and credentials files are, as the SDKs resolve them. */
export interface SharedFilePaths {
  /** The config file (`AWS_CONFIG_FILE`, else `~/.aws/config`). */
  configPath: string;
  /** The credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`). */
  credentialsPath: string;
}

/** The SDK's `~/` expansion of a file path (only a leading `~/`). */
function expandHome(path: string, homeDir: string): string {
  return path.startsWith("~/") ? join(homeDir, path.slice(2)) : path;
}

/** Option, then `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/…`, as the SDK resolves them. */
export function resolveSharedFilePaths(
  options: { filepath?: string | undefined; configFilepath?: string | undefined },
  env: Record<string, string | undefined>,
  homeDir: string,
): SharedFilePaths {
  const configPath = options.configFilepath ?? (env.AWS_CONFIG_FILE || join(homeDir, ".aws", "config"));
  const credentialsPath =
    options.filepath ?? (env.AWS_SHARED_CREDENTIALS_FILE || join(homeDir, ".aws", "credentials"));
  return {
    configPath: expandHome(configPath, homeDir),
    credentialsPath: expandHome(credentialsPath, homeDir),
  };
}

/**
 * The file's text; "" when it cannot be read, as the SDK swallows every read error of these files. A FIFO or a file
 * larger than the cap counts as unreadable rather than blocking or filling memory.
 */
async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readRegularFile(path, MAX_SHARED_FILE_BYTES);
  } catch {
    return "";
  }
}

/** The credentials file's section named `profile` (read as the SDK reads it: unreadable means empty). */
export async function readCredentialsSection(
  path: string,
  profile: string,
): Promise<ProfileValues | undefined> {
  return getCredentialsSection(await readOrEmpty(path), profile);
}

/** Both files, parsed (each read as the SDK reads it: unreadable means empty). */
export async function readSharedFiles(
  paths: SharedFilePaths,
): Promise<{ config: ParsedConfig; credentials: Record<string, ProfileValues> }> {
  const [configText, credentialsText] = await Promise.all([
    readOrEmpty(paths.configPath),
    readOrEmpty(paths.credentialsPath),
  ]);
  return { config: parseConfigFile(configText), credentials: parseCredentialsFile(credentialsText) };
}

/** The profile's keys from both files (the credentials file wins), or undefined when neither has it. */
export function profileOf(
  files: { config: ParsedConfig; credentials: Record<string, ProfileValues> },
  profile: string,
): ProfileValues | undefined {
  return mergeProfile(
    getProfile(files.config, profile),
    Object.hasOwn(files.credentials, profile) ? files.credentials[profile] : undefined,
  );
}

/** The profile's keys from both files (the credentials file wins), or undefined when neither has it. */
export async function readProfile(
  paths: SharedFilePaths,
  profile: string,
): Promise<ProfileValues | undefined> {
  return profileOf(await readSharedFiles(paths), profile);
}

/** The whole credentials file, parsed (read as the SDK reads it: unreadable means empty). */
export async function readCredentialsFile(path: string): Promise<Record<string, ProfileValues>> {
  return parseCredentialsFile(await readOrEmpty(path));
}
