/**
 * The endpoint's token: a fresh random one per start, or one read from a file the user keeps (so that a
 * container's AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE stays valid across restarts of `awslogin serve`).
 * @see docs/protocol.md §17.2
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { AwsLoginError } from "@awslogin/core/errors";

/** Bounds of a token file's token. */
export const TOKEN_FILE_LIMITS = {
  /** Larger files are refused before they are read. */
  maxBytes: 1024,
  /** A shorter token is too easy to guess. */
  minLength: 16,
} as const;

/**
 * Visible ASCII without quotes, backslash or space: a token like this can be sent as a header by every SDK (they
 * refuse CR and LF) and printed in an `export` line.
 */
const TOKEN_PATTERN = /^[A-Za-z0-9!#$%&()*+,\-./:;<=>?@[\]^_{|}~]+$/;

/** 32 random bytes, base64url: 43 characters. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

function invalid(path: string, why: string): AwsLoginError {
  return new AwsLoginError("TOKEN_FILE_INVALID", `The token file ${path} ${why}`, { path });
}

/**
 * The token in `path`: a regular file (not a link), owned by this user, readable by no one else (mode 0600 or
 * stricter), at most 1 KiB, holding one token of 16 or more characters from TOKEN_PATTERN's set, optionally
 * followed by one line break. Anything else is TOKEN_FILE_INVALID, and the file's content is never echoed.
 */
export async function readTokenFile(path: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // No link followed, and a FIFO cannot block the start.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === "ELOOP"
      ? invalid(path, "is a symbolic link. Name the file itself.")
      : invalid(path, `cannot be read (${code ?? "error"}). Check the path.`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw invalid(path, "is not a regular file.");
    if (typeof process.getuid === "function" && info.uid !== process.getuid()) {
      throw invalid(path, "belongs to another user. Use a file of your own.");
    }
    if ((info.mode & 0o077) !== 0) {
      throw invalid(
        path,
        `can be read or written by other users (mode ${(info.mode & 0o777).toString(8)}). Run \`chmod 600\` on it.`,
      );
    }
    if (info.size > TOKEN_FILE_LIMITS.maxBytes) {
      throw invalid(
        path,
        `is larger than ${TOKEN_FILE_LIMITS.maxBytes} bytes. It must hold the token alone.`,
      );
    }
    const buffer = Buffer.alloc(TOKEN_FILE_LIMITS.maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > TOKEN_FILE_LIMITS.maxBytes) {
      throw invalid(
        path,
        `is larger than ${TOKEN_FILE_LIMITS.maxBytes} bytes. It must hold the token alone.`,
      );
    }
    const token = buffer
      .subarray(0, bytesRead)
      .toString("latin1")
      .replace(/\r?\n$/, "");
    if (!TOKEN_PATTERN.test(token)) {
      throw invalid(
        path,
        "must hold one token of letters, digits and punctuation (no spaces, quotes or backslashes), on one line.",
      );
    }
    if (token.length < TOKEN_FILE_LIMITS.minLength) {
      throw invalid(path, `holds a token shorter than ${TOKEN_FILE_LIMITS.minLength} characters.`);
    }
    return token;
  } finally {
    await handle.close();
  }
}
