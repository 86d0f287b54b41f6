/**
 * The login token cache as files: `<directory>/<sha256(session)>.json`, 0600 in a 0700 directory,
 * replaced atomically. @see PROTOCOL.md §6
 */
import { chmod, mkdir, readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { AwsLoginError } from "../errors.js";
import {
  decodeTokenCache,
  isLoginTokenShaped,
  loginCacheKey,
  parseTokenCache,
  serializeTokenCache,
} from "../token-cache.js";
import type { TokenStore, TokenStoreEntry } from "../token-store.js";
import { removeTempFiles, writeFileAtomic } from "./atomic-write.js";
import { errnoCode } from "./errno.js";

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

function unreadable(path: string, error: unknown): AwsLoginError {
  return new AwsLoginError(
    "CACHE_MALFORMED",
    `The login token cache file ${path} could not be read (${errnoCode(error)}). Check that it is a file you can read, or run \`awslogin login\` to sign in again.`,
    { path, cause: error },
  );
}

/**
 * Tightens an existing cache directory to 0700 (the AWS CLI creates it with the umask's mode), but only
 * one that is ours and holds nothing but cache files: never a shared, sticky or general-purpose folder
 * that AWS_LOGIN_CACHE_DIRECTORY happens to name.
 */
async function tightenDirectory(directory: string): Promise<void> {
  if (process.platform === "win32") return;
  try {
    const info = await stat(directory);
    if ((info.mode & 0o077) === 0 || (info.mode & 0o1000) !== 0 || info.uid !== process.getuid?.()) return;
    const entries = await readdir(directory, { withFileTypes: true });
    // Cache files, their locks and temp files: `[.]<sha256>.json[.…]`.
    const onlyCacheFiles = entries.every(
      (entry) => entry.isFile() && /^\.?[0-9a-f]{64}\.json(\..*)?$/.test(entry.name),
    );
    if (onlyCacheFiles) await chmod(directory, DIRECTORY_MODE);
  } catch {
    // Best effort: the files themselves are 0600 either way.
  }
}

/** The names in the cache folder; none when it does not exist; CACHE_MALFORMED when it cannot be read. */
export async function readCacheDirectory(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return [];
    throw new AwsLoginError(
      "CACHE_MALFORMED",
      `The login token cache directory ${directory} could not be read (${errnoCode(error)}). Check its permissions.`,
      { path: directory, cause: error },
    );
  }
}

/** A {@link TokenStore} on the file system, compatible with the AWS CLI/SDK cache. @see PROTOCOL.md §6 */
export function createFileTokenStore(options: { directory: string }): TokenStore {
  const { directory } = options;
  const pathFor = (loginSession: string) => join(directory, `${loginCacheKey(loginSession)}.json`);

  async function readText(loginSession: string): Promise<string | undefined> {
    const path = pathFor(loginSession);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw unreadable(path, error);
    }
    return decodeTokenCache(bytes, path);
  }

  return {
    directory,
    pathFor,
    readText,

    async read(loginSession) {
      const text = await readText(loginSession);
      return text === undefined ? undefined : parseTokenCache(text, pathFor(loginSession));
    },

    async write(loginSession, record) {
      const path = pathFor(loginSession);
      try {
        const created = await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
        if (created === undefined) await tightenDirectory(directory);
        await writeFileAtomic(path, serializeTokenCache(record), {
          mode: FILE_MODE,
          directoryMode: DIRECTORY_MODE,
        });
        // Writers killed before their rename leave temp files holding the secrets: clear the abandoned ones.
        await removeTempFiles(path);
      } catch (error) {
        if (AwsLoginError.isInstance(error)) throw error;
        throw new AwsLoginError(
          "CACHE_WRITE_FAILED",
          `Could not write the login token cache file ${path} (${errnoCode(error)}). Check that ${directory} is a directory you can write to and that the disk is not full; the previous file, if any, is unchanged.`,
          { path, cause: error },
        );
      }
    },

    async remove(loginSession) {
      const path = pathFor(loginSession);
      try {
        await unlink(path);
        return true;
      } catch (error) {
        if (errnoCode(error) === "ENOENT") return false;
        throw new AwsLoginError(
          "CACHE_WRITE_FAILED",
          `Could not delete the login token cache file ${path} (${errnoCode(error)}). Check the permissions of ${directory}.`,
          { path, cause: error },
        );
      }
    },

    async list() {
      const names = await readCacheDirectory(directory);
      const entries: TokenStoreEntry[] = [];
      for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
        const path = join(directory, name);
        let bytes: Buffer;
        try {
          bytes = await readFile(path);
        } catch (error) {
          const code = errnoCode(error);
          if (code === "EISDIR" || code === "ENOENT") continue;
          entries.push({ path, error: unreadable(path, error) });
          continue;
        }
        let json: unknown;
        try {
          json = JSON.parse(bytes.toString("utf8"));
        } catch {
          json = undefined;
        }
        // Foreign JSON (not login-token shaped) is none of our business, as in `aws logout --all`.
        if (json !== undefined && !isLoginTokenShaped(json)) continue;
        try {
          entries.push({ path, record: parseTokenCache(bytes, path) });
        } catch (error) {
          if (!AwsLoginError.isInstance(error)) throw error;
          entries.push({ path, error });
        }
      }
      return entries;
    },
  };
}
