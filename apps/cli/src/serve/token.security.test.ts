import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomToken, readTokenFile } from "./token.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-token-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tokenFile(content: string | Buffer, mode = 0o600): string {
  const path = join(dir, "token");
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

async function refusal(path: string): Promise<{ code: string; message: string }> {
  try {
    await readTokenFile(path);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("the token file was accepted");
}

describe("readTokenFile", () => {
  it("reads one token, with or without a final line break", async () => {
    const token = "Abcdefghijklmnop-0123456789_~.";
    expect(await readTokenFile(tokenFile(`${token}\n`))).toBe(token);
    expect(await readTokenFile(tokenFile(`${token}\r\n`))).toBe(token);
    expect(await readTokenFile(tokenFile(token, 0o400))).toBe(token);
  });

  it.each([
    ["group-readable", 0o640],
    ["world-readable", 0o644],
    ["group-writable", 0o620],
  ])("refuses a %s file, never echoing the token", async (_name, mode) => {
    const secret = "Secret-token-0123456789";
    const error = await refusal(tokenFile(secret, mode));
    expect(error.code).toBe("TOKEN_FILE_INVALID");
    expect(error.message).toContain("chmod 600");
    expect(error.message).not.toContain(secret);
  });

  it.each([
    ["a space", "token with spaces 0123"],
    ["a quote", "token'quote-0123456789"],
    ["a backslash", "token\\backslash-012345"],
    ["two lines", "first-line-0123456789\nsecond-line-012345678"],
    ["a NUL", "token\0nul-0123456789ab"],
    ["a control character", "token\u001b[31m-0123456789"],
    ["non-ASCII", "tokén-0123456789abcdef"],
    ["nothing", ""],
    ["a short token", "short-token"],
  ])("refuses a token with %s, never echoing it", async (_name, content) => {
    const error = await refusal(tokenFile(content));
    expect(error.code).toBe("TOKEN_FILE_INVALID");
    if (content.length > 0) expect(error.message).not.toContain(content);
  });

  it("refuses a file larger than 1 KiB before reading it", async () => {
    const error = await refusal(tokenFile("a".repeat(1025)));
    expect(error).toMatchObject({ code: "TOKEN_FILE_INVALID" });
    expect(error.message).toContain("larger than 1024 bytes");
  });

  it("refuses a symbolic link (even to a good file), a folder, a FIFO (without blocking) and a missing file", async () => {
    const good = tokenFile("Abcdefghijklmnop-0123456789");
    const link = join(dir, "link");
    symlinkSync(good, link);
    expect((await refusal(link)).message).toContain("symbolic link");
    expect((await refusal(dir)).code).toBe("TOKEN_FILE_INVALID");
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    expect((await refusal(fifo)).message).toContain("not a regular file");
    expect((await refusal(join(dir, "missing"))).message).toContain("ENOENT");
  });
});

describe("randomToken", () => {
  it("is 43 base64url characters, new each time", () => {
    const tokens = new Set(Array.from({ length: 100 }, () => randomToken()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
