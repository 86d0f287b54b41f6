/**
 * Reading a small file that anyone who can write its folder may have replaced: never block on a FIFO or a
 * device, never read more than a cap (a cache record is about 2 KB; a 100 MB one once cost 3.6 GB to parse).
 */

/**
 * node:fs without an ESM import: building its ESM namespace reads `fs.promises`, which loads Node's stream stack
 * (about 0.05× of a bare `node -e 0`), more than the rest of a cache hit (`@awslogin/core/cache-hit`) costs.
 * `fs.promises` is read only when an async reader runs.
 */
const fs = process.getBuiltinModule("node:fs");

/** The largest cache or lock file read: far above any real record, far below anything that hurts. */
export const MAX_CACHE_FILE_BYTES = 1024 * 1024;

/** The largest config or credentials file read: far above any hand-kept file, far below anything that hurts. */
export const MAX_SHARED_FILE_BYTES = 16 * 1024 * 1024;

/** A file that is not a regular file (FIFO, socket, device, folder) or is larger than the cap; `code` says which. */
export class UnsafeFileError extends Error {
  readonly code: "ENOTREG" | "EFBIG";
  constructor(code: "ENOTREG" | "EFBIG", path: string) {
    super(code === "ENOTREG" ? `${path} is not a regular file` : `${path} is too large`);
    this.name = "UnsafeFileError";
    this.code = code;
  }
}

/** Why a file was refused, for messages: what it is and what to do comes from the caller. */
export function describeUnsafeFile(error: unknown, maxBytes = MAX_CACHE_FILE_BYTES): string | undefined {
  if (!(error instanceof UnsafeFileError)) return undefined;
  if (error.code === "ENOTREG") return "it is not a regular file (a FIFO, socket, device or folder)";
  return maxBytes === MAX_CACHE_FILE_BYTES
    ? `it is larger than ${MAX_CACHE_FILE_BYTES / 1024 / 1024} MiB (a cache record is about 2 KB)`
    : `it is larger than ${maxBytes / 1024 / 1024} MiB`;
}

/** The UTF-8 text of {@link readRegularBytes}, for files whose encoding is not checked byte for byte. */
export async function readRegularFile(
  path: string,
  maxBytes = MAX_CACHE_FILE_BYTES,
  options: { noFollow?: boolean } = {},
): Promise<string> {
  return (await readRegularBytes(path, maxBytes, options)).toString("utf8");
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes`. Opened non-blocking so a FIFO cannot stall the
 * open, then checked with fstat on the opened descriptor (no race with a rename in between); `noFollow` refuses a
 * symlink (ELOOP). Rejects with the
 * Node error (ENOENT…) or an `UnsafeFileError` (not a regular file, or too large).
 */
export async function readRegularBytes(
  path: string,
  maxBytes = MAX_CACHE_FILE_BYTES,
  options: { noFollow?: boolean } = {},
): Promise<Buffer> {
  const handle = await fs.promises.open(path, openFlags(options));
  try {
    const buffer = bufferFor(await handle.stat(), path, maxBytes);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (isFull(buffer, length, path, maxBytes)) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * {@link readRegularBytes} without a promise, for the cache-hit path (`@awslogin/core/cache-hit`), which answers
 * before anything asynchronous is loaded: the same open flags, fstat checks and cap.
 */
export function readRegularBytesSync(
  path: string,
  maxBytes = MAX_CACHE_FILE_BYTES,
  options: { noFollow?: boolean } = {},
): Buffer {
  const fd = fs.openSync(path, openFlags(options));
  try {
    const buffer = bufferFor(fs.fstatSync(fd), path, maxBytes);
    let length = 0;
    for (;;) {
      const bytesRead = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (isFull(buffer, length, path, maxBytes)) break;
    }
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Non-blocking, so that a FIFO cannot stall the open; `noFollow` refuses a symlink (ELOOP). */
function openFlags(options: { noFollow?: boolean }): number {
  const noFollow = options.noFollow === true ? (fs.constants.O_NOFOLLOW ?? 0) : 0;
  return fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | noFollow;
}

/** The read buffer for an opened file, or why it is refused; one byte past the size, to notice a file that grows. */
function bufferFor(info: { isFile(): boolean; size: number }, path: string, maxBytes: number): Buffer {
  if (!info.isFile()) throw new UnsafeFileError("ENOTREG", path);
  if (info.size > maxBytes) throw new UnsafeFileError("EFBIG", path);
  return Buffer.alloc(Math.min(info.size, maxBytes) + 1);
}

/** Whether the buffer is full: the end when the file stayed within the cap, EFBIG when it grew past it. */
function isFull(buffer: Buffer, length: number, path: string, maxBytes: number): boolean {
  if (length < buffer.length) return false;
  if (length > maxBytes) throw new UnsafeFileError("EFBIG", path);
  return true;
}
