/**
 * The shared config file on disk: where it is, reading it, and replacing it atomically without
 * changing its mode, owner or symlink. @see PROTOCOL.md §7
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { getProfile, parseConfigFile, setProfileValues } from "../config.js";
import { AwsLoginError } from "../errors.js";
import { writeFileAtomic } from "./atomic-write.js";
import { errnoCode } from "./errno.js";

/** `$AWS_CONFIG_FILE` (a leading `~/` expanded, as the SDK does) else `<home>/.aws/config`. @see PROTOCOL.md §7 */
export function resolveConfigFilePath(args: {
  env: Record<string, string | undefined>;
  homeDir: string;
}): string {
  const configured = args.env.AWS_CONFIG_FILE;
  if (!configured) return join(args.homeDir, ".aws", "config");
  if (configured.startsWith("~/") || configured.startsWith("~\\"))
    return join(args.homeDir, configured.slice(2));
  return configured;
}

/** The config file's text, "" when it does not exist; CONFIG_MALFORMED when it exists but cannot be read. @see PROTOCOL.md §7 */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") return "";
    throw new AwsLoginError(
      "CONFIG_MALFORMED",
      `The AWS config file ${path} could not be read (${code}). Check that it is a file you can read, or point AWS_CONFIG_FILE elsewhere.`,
      { path, cause: error },
    );
  }
}

/**
 * Replaces the config file atomically (temp file + rename), keeping its mode and owner and writing through a
 * symlink; a new file gets 0600, a new directory 0700. CONFIG_WRITE_FAILED leaves the old file intact. @see PROTOCOL.md §7
 */
export async function writeConfigText(path: string, text: string): Promise<void> {
  try {
    // Write where a symlinked config (dotfile managers) really lives, so the link survives.
    const target = await realpath(path).catch((error: unknown) => {
      if (errnoCode(error) === "ENOENT") return path;
      throw error;
    });
    const existing = await stat(target).catch((error: unknown) => {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw error;
    });
    const rewritesOthersFile = existing !== undefined && process.getuid?.() === 0 && existing.uid !== 0;
    await writeFileAtomic(target, text, {
      mode: existing === undefined ? 0o600 : existing.mode & 0o777,
      directoryMode: 0o700,
      owner: rewritesOthersFile ? { uid: existing.uid, gid: existing.gid } : undefined,
    });
  } catch (error) {
    throw new AwsLoginError(
      "CONFIG_WRITE_FAILED",
      `Could not update the AWS config file ${path} (${errnoCode(error)}). Check that you can write to it and to its folder; the file was left as it was.`,
      { path, cause: error },
    );
  }
}

/**
 * Reads the config, lets `guard` veto the profile (it may throw, e.g. PROFILE_HAS_OTHER_CREDENTIALS, and
 * then nothing is written), sets `values` in the profile and writes the file back. @see PROTOCOL.md §7
 */
export async function updateProfile(
  path: string,
  profileName: string,
  values: Record<string, string>,
  guard?: (profile: Record<string, string | undefined> | undefined) => void,
): Promise<void> {
  const text = await readConfigText(path);
  guard?.(getProfile(parseConfigFile(text), profileName));
  const updated = setProfileValues(text, profileName, values);
  if (updated !== text) await writeConfigText(path, updated);
}
