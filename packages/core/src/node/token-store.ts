/**
 * The login token cache as files: `<directory>/<sha256(session)>.json`, 0600 in a 0700 directory,
 * replaced atomically. @see docs/protocol.md §6
 */
import { chmod, mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PLANTED_CREDENTIALS_RISK, untrustedFolderReason } from "../cache-trust.js";
import { AwsLoginError } from "../errors.js";
import type { TokenStore, TokenStoreEntry } from "../ports.js";
import {
  decodeTokenCache,
  expiresAtMs,
  isLoginTokenShaped,
  loginCacheKey,
  parseTokenCache,
  serializeTokenCache,
  type TokenCacheRecord,
} from "../token-cache.js";
import { listTempFiles, removeTempFiles, syncDirectory, writeFileAtomic } from "./atomic-write.js";
import { describeUnsafeFile, readRegularBytes } from "./bounded-read.js";
import { errnoCode } from "./errno.js";

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

function unreadable(path: string, error: unknown): AwsLoginError {
  const unsafe = describeUnsafeFile(error);
  if (unsafe !== undefined) {
    return new AwsLoginError(
      "CACHE_MALFORMED",
      `The login token cache file ${path} was not read: ${unsafe}. Remove it (\`rm ${path}\`) and sign in again.`,
      { path, cause: error, remedy: { kind: "sign-in" } },
    );
  }
  return new AwsLoginError(
    "CACHE_MALFORMED",
    `The login token cache file ${path} could not be read (${errnoCode(error)}). Check that it is a file you can read, or sign in again.`,
    { path, cause: error, remedy: { kind: "sign-in" } },
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

/**
 * The owner of the file being replaced, when root rewrites someone else's (a refresh under `sudo -E`): the new
 * file must stay theirs, or they are locked out of their own session.
 */
async function ownerToKeep(path: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || (info.uid === 0 && info.gid === 0)) return undefined;
  return { uid: info.uid, gid: info.gid };
}

/**
 * CACHE_DIRECTORY_UNSAFE unless the cache folder and the folder above it can be trusted (not writable by other users
 * without the sticky bit, not owned by another user): called before any credentials are served from the folder.
 * A folder that does not exist yet is no risk. @see docs/protocol.md §6
 */
export async function assertTrustedCacheDirectory(directory: string): Promise<void> {
  if (process.platform === "win32") return;
  for (const folder of [directory, dirname(directory)]) {
    const info = await stat(folder).catch(() => undefined);
    if (info === undefined) continue;
    const reason = untrustedFolderReason(info, process.getuid?.());
    if (reason === undefined) continue;
    throw new AwsLoginError(
      "CACHE_DIRECTORY_UNSAFE",
      `Refusing to use the login token cache in ${directory}: ${folder} ${reason}, so ${PLANTED_CREDENTIALS_RISK}. Run \`chmod 700 ${folder}\` as its owner (and make sure you own it), then sign in again if you did not put the cached session there yourself.`,
      { path: folder, remedy: { kind: "sign-in" } },
    );
  }
}

/**
 * At a write (a login): takes write access away from group and others on the cache folder and the folder above it
 * when they are ours, so that nobody else can plant credentials in them. Best effort.
 */
async function closeFoldersToOthers(directory: string): Promise<void> {
  if (process.platform === "win32") return;
  for (const folder of [directory, dirname(directory)]) {
    try {
      const info = await stat(folder);
      const mine = info.uid === process.getuid?.();
      if (mine && (info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0) {
        await chmod(folder, info.mode & 0o7755);
      }
    } catch {
      // The files themselves are 0600; the check before serving refuses a folder that stays open.
    }
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

/** Out of space (disk or quota): said as such, never as a permissions problem. */
function isNoSpace(error: unknown): boolean {
  return errnoCode(error) === "ENOSPC" || errnoCode(error) === "EDQUOT";
}

/**
 * Rewrites an existing cache file in place, for a full disk: its blocks are already allocated, and a new record
 * (the same fields, tokens of the same length) fits in them. Not atomic, but the alternative is losing a refresh
 * token the service has already rotated. False when there is no file or it did not fit.
 */
async function overwriteInPlace(path: string, text: string): Promise<boolean> {
  const handle = await open(path, "r+").catch(() => undefined);
  if (handle === undefined) return false;
  try {
    const data = Buffer.from(text, "utf8");
    await handle.write(data, 0, data.length, 0);
    await handle.truncate(data.length);
    await handle.sync();
    return true;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/** Where {@link createFileTokenStore} keeps the records. */
export interface FileTokenStoreOptions {
  /** The cache folder (`resolveCacheDirectory`); created 0700 on the first write, refused if others can write to it. */
  directory: string;
  /** Called between a write's fsync and its rename, with the temp file's path: fault-injection tests only. */
  beforeRename?: (temp: string) => void | Promise<void>;
}

/** A {@link TokenStore} on the file system, compatible with the AWS CLI/SDK cache. @see docs/protocol.md §6 */
export function createFileTokenStore(options: FileTokenStoreOptions): TokenStore {
  const { directory } = options;
  const pathFor = (loginSession: string) => join(directory, `${loginCacheKey(loginSession)}.json`);

  async function readText(loginSession: string): Promise<string | undefined> {
    const path = pathFor(loginSession);
    let bytes: Buffer;
    try {
      bytes = await readRegularBytes(path);
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
      let kept: string | undefined;
      try {
        const created = await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
        if (created === undefined) await tightenDirectory(directory);
        await closeFoldersToOthers(directory);
        await writeFileAtomic(path, serializeTokenCache(record), {
          mode: FILE_MODE,
          directoryMode: DIRECTORY_MODE,
          owner: await ownerToKeep(path),
          keepCompleteTemp: (temp) => {
            kept = temp;
          },
          beforeRename: options.beforeRename,
        });
        // Writers killed before their rename leave temp files holding the secrets: clear the abandoned ones.
        await removeTempFiles(path);
      } catch (error) {
        if (AwsLoginError.isInstance(error)) throw error;
        if (isNoSpace(error) && (await overwriteInPlace(path, serializeTokenCache(record)))) {
          if (kept !== undefined) await unlink(kept).catch(() => undefined);
          return;
        }
        if (isNoSpace(error)) {
          throw new AwsLoginError(
            "CACHE_WRITE_FAILED",
            `Could not write the login token cache file ${path}: the disk is full (${errnoCode(error)}). Free some space on the disk that holds ${directory}. The credentials of this call work until they expire; the refreshed session could not be saved, so if the next call says the session expired, sign in again.`,
            { path, cause: error },
          );
        }
        throw new AwsLoginError(
          "CACHE_WRITE_FAILED",
          `Could not write the login token cache file ${path} (${errnoCode(error)}). Check that ${directory} is a directory you can write to; the previous file, if any, is unchanged, and a complete new one is kept beside it for the next call to pick up.`,
          { path, cause: error },
        );
      }
    },

    async adoptPending(loginSession) {
      const path = pathFor(loginSession);
      let current: TokenCacheRecord | undefined;
      try {
        const text = await readText(loginSession);
        current = text === undefined ? undefined : parseTokenCache(text, path);
      } catch {
        current = undefined;
      }
      // No file (logged out) or one we cannot judge: nothing is brought back, nothing is swept.
      if (current === undefined) return false;
      let best: { temp: string; record: TokenCacheRecord } | undefined;
      for (const { path: temp } of await listTempFiles(path)) {
        let record: TokenCacheRecord;
        try {
          record = parseTokenCache(await readRegularBytes(temp), temp);
        } catch {
          continue; // cut short by a crash or a full disk: not a token
        }
        // The same session (its DPoP key never changes across refreshes), and newer than what the file holds.
        if (record.dpopKey !== current.dpopKey) continue;
        if (expiresAtMs(record) <= expiresAtMs(best?.record ?? current)) continue;
        best = { temp, record };
      }
      if (best !== undefined) {
        await rename(best.temp, path);
        await syncDirectory(directory);
      }
      // Under the session's lock no write is in flight: every other temp file is abandoned and holds secrets.
      await removeTempFiles(path, { all: true });
      return best !== undefined;
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
          bytes = await readRegularBytes(path);
        } catch (error) {
          const code = errnoCode(error);
          if (code === "ENOENT") continue;
          // A folder named like a cache file is not one; a FIFO or a huge file is reported, never read.
          if (code === "ENOTREG" && (await stat(path).catch(() => undefined))?.isDirectory()) continue;
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
