/**
 * Replacing a file so that a reader sees the old bytes or the new bytes, never a mix, and a crash at
 * any point leaves a whole file: temp file in the same directory, fsync, rename over, fsync the directory.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isProcessAlive } from "./system.js";

export interface AtomicWriteOptions {
  /** Mode of the written file, applied exactly (not filtered by the umask). */
  mode: number;
  /** Mode of directories created on the way (filtered by the umask). */
  directoryMode: number;
  /** Owner to give the new file (when root rewrites someone else's file). */
  owner?: { uid: number; gid: number } | undefined;
  /**
   * Leave the temp file when the rename fails after it was written whole and fsynced: it may hold the only copy of
   * something the writer cannot get again (a rotated refresh token), for the next writer to adopt. Called with
   * the kept file's path.
   */
  keepCompleteTemp?: ((temp: string) => void) | undefined;
  /** Called between the fsync and the rename, with the temp file's path: fault-injection tests only. */
  beforeRename?: ((temp: string) => void | Promise<void>) | undefined;
}

/**
 * Writes `data` to `path` atomically. Rejects with the underlying Node error; on failure the temp file
 * is gone and `path` holds what it held before.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: options.directoryMode });
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", options.mode);
  let complete = false;
  try {
    try {
      if (options.owner !== undefined) await handle.chown(options.owner.uid, options.owner.gid);
      await handle.chmod(options.mode);
      await handle.writeFile(data, "utf8");
      await handle.sync();
      complete = true;
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, path);
  } catch (error) {
    if (complete && options.keepCompleteTemp !== undefined) options.keepCompleteTemp(temp);
    else await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Deletes the temp files of writes to `path` that can no longer finish: their writer is dead, or they are older
 * than `maxAgeMs` (`all` deletes every one, for logout). A writer killed between creating its temp file and the
 * rename leaves one behind, holding the same secrets as the file itself. Never throws.
 */
export async function removeTempFiles(
  path: string,
  options: { all?: boolean; maxAgeMs?: number } = {},
): Promise<void> {
  const directory = dirname(path);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const temp = join(directory, name);
    let abandoned = options.all === true || !isProcessAlive(Number(match[1]));
    if (!abandoned) {
      const info = await stat(temp).catch(() => undefined);
      abandoned = info !== undefined && Date.now() - info.mtimeMs > (options.maxAgeMs ?? 60_000);
    }
    if (abandoned) await unlink(temp).catch(() => undefined);
  }
}

/** The temp files of writes to `path` (`.<name>.<pid>.<random>.tmp`), by full path, pid of their writer. */
export async function listTempFiles(path: string): Promise<Array<{ path: string; pid: number }>> {
  const directory = dirname(path);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  const names = await readdir(directory).catch(() => [] as string[]);
  return names.flatMap((name) => {
    const match = pattern.exec(name);
    return match === null ? [] : [{ path: join(directory, name), pid: Number(match[1]) }];
  });
}

/** Makes the rename durable. Some platforms (Windows) cannot open or fsync a directory: best effort. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r").catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL/EPERM/EISDIR on file systems without directory fsync.
  } finally {
    await handle.close();
  }
}
