import { execFileSync } from "node:child_process";
import { chown, mkdtemp, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serializeTokenCache, type TokenCacheRecord } from "../token-cache.js";
import { createFileTokenStore } from "./token-store.js";

const SESSION = "arn:aws:sts::012345678901:assumed-role/Login/foo";

function record(accessKeyId = "ASIAONE"): TokenCacheRecord {
  return {
    accessToken: {
      accessKeyId,
      secretAccessKey: "secret",
      sessionToken: "session",
      accountId: "012345678901",
      expiresAt: "2025-11-19T00:15:00Z",
    },
    tokenType: "aws_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "refresh",
    idToken: "h.p.s",
    dpopKey: "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
  };
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "awslogin-store-sec-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("the file token store reads only small regular files (issue 7 §4)", () => {
  it("a FIFO as the cache file is CACHE_MALFORMED at once, without blocking on it", async () => {
    const store = createFileTokenStore({ directory });
    execFileSync("mkfifo", [store.pathFor(SESSION)]);
    await expect(store.read(SESSION)).rejects.toMatchObject({
      code: "CACHE_MALFORMED",
      message: expect.stringMatching(/not a regular file.*rm /),
    });
    const listed = await store.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]?.error?.code).toBe("CACHE_MALFORMED");
  });

  it("a 100 MB (sparse) cache file is refused by its size, without reading it", async () => {
    const store = createFileTokenStore({ directory });
    const path = store.pathFor(SESSION);
    await writeFile(path, serializeTokenCache(record()));
    await truncate(path, 100 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    await expect(store.read(SESSION)).rejects.toMatchObject({
      code: "CACHE_MALFORMED",
      message: expect.stringMatching(/larger than 1 MiB/),
    });
    // Nothing near the file's size was allocated to read it.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 1024 * 1024);
    expect((await store.list())[0]?.error?.message).toMatch(/larger than 1 MiB/);
  });
});

describe.runIf(process.getuid?.() === 0)("cache writes as root keep the file's owner (issue 7 §3)", () => {
  it("a cache file owned by uid 1234 stays 1234:1234 after root rewrites it", async () => {
    const store = createFileTokenStore({ directory });
    await store.write(SESSION, record("ASIAOLD"));
    await chown(directory, 1234, 1234);
    await chown(store.pathFor(SESSION), 1234, 1234);
    await store.write(SESSION, record("ASIANEW"));
    const info = await stat(store.pathFor(SESSION));
    expect([info.uid, info.gid]).toEqual([1234, 1234]);
    expect(info.mode & 0o777).toBe(0o600);
    expect((await store.read(SESSION))?.accessToken.accessKeyId).toBe("ASIANEW");
  });
});
