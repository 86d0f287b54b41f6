import * as fsPromises from "node:fs/promises";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loginCacheKey, serializeTokenCache, type TokenCacheRecord } from "../token-cache.js";
import { createFileTokenStore } from "./token-store.js";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, rename: vi.fn(actual.rename) };
});

const SESSION = "arn:aws:sts::012345678901:assumed-role/Login/foo";
const OTHER = "arn:aws:iam::000000000000:user/PowerUser";

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

let root: string;
let directory: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "awslogin-store-"));
  directory = join(root, "home", ".aws", "login", "cache");
});

afterEach(async () => {
  vi.mocked(fsPromises.rename).mockReset();
  const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
  vi.mocked(fsPromises.rename).mockImplementation(actual.rename);
  await chmod(root, 0o700).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

describe("createFileTokenStore", () => {
  it("names files after the SHA-256 of the session (docs/protocol.md §6)", () => {
    const store = createFileTokenStore({ directory });
    expect(store.directory).toBe(directory);
    expect(store.pathFor(SESSION)).toBe(join(directory, `${loginCacheKey(SESSION)}.json`));
    expect(store.pathFor(SESSION)).toBe(
      join(directory, "dc20b77cf4a41221fdcca546aac37c90023c4604971fcdd6df3ed8cec002a312.json"),
    );
  });

  it("writes the CLI's bytes with mode 0600 in a new 0700 directory, and reads them back", async () => {
    const store = createFileTokenStore({ directory });
    await store.write(SESSION, record());
    const path = store.pathFor(SESSION);
    expect(await readFile(path, "utf8")).toBe(serializeTokenCache(record()));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, "home", ".aws"))).mode & 0o777).toBe(0o700);
    expect(await store.read(SESSION)).toEqual(record());
    expect(await store.readText?.(SESSION)).toBe(serializeTokenCache(record()));
    expect(await readdir(directory)).toEqual([`${loginCacheKey(SESSION)}.json`]);
  });

  it("replaces an existing file and gives it mode 0600", async () => {
    const store = createFileTokenStore({ directory });
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeFile(store.pathFor(SESSION), serializeTokenCache(record()), { mode: 0o644 });
    await store.write(SESSION, record("ASIATWO"));
    expect((await store.read(SESSION))?.accessToken.accessKeyId).toBe("ASIATWO");
    expect((await stat(store.pathFor(SESSION))).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toHaveLength(1);
  });

  it("tightens an existing cache directory that holds only cache files", async () => {
    await mkdir(directory, { recursive: true });
    await chmod(directory, 0o755);
    await writeFile(join(directory, `${"a".repeat(64)}.json`), "{}");
    await writeFile(join(directory, `${"b".repeat(64)}.json.lock`), "1");
    await createFileTokenStore({ directory }).write(SESSION, record());
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
  });

  it("leaves the mode of a folder that holds other things alone", async () => {
    const shared = join(root, "shared");
    await mkdir(join(shared, "project"), { recursive: true });
    await chmod(shared, 0o755);
    await createFileTokenStore({ directory: shared }).write(SESSION, record());
    expect((await stat(shared)).mode & 0o777).toBe(0o755);
    const other = join(root, "other");
    await mkdir(other);
    await chmod(other, 0o755);
    await writeFile(join(other, "package.json"), "{}");
    await createFileTokenStore({ directory: other }).write(SESSION, record());
    expect((await stat(other)).mode & 0o777).toBe(0o755);
  });

  it("read: undefined when there is no file, and never creates the directory", async () => {
    const store = createFileTokenStore({ directory });
    expect(await store.read(SESSION)).toBeUndefined();
    expect(await store.readText?.(SESSION)).toBeUndefined();
    await expect(stat(directory)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("read: a malformed file is CACHE_MALFORMED and stays untouched", async () => {
    const store = createFileTokenStore({ directory });
    await mkdir(directory, { recursive: true });
    const text = serializeTokenCache(record()).slice(0, 90);
    await writeFile(store.pathFor(SESSION), text, { mode: 0o600 });
    const before = await stat(store.pathFor(SESSION));
    await expect(store.read(SESSION)).rejects.toMatchObject({
      code: "CACHE_MALFORMED",
      path: store.pathFor(SESSION),
    });
    expect(await readFile(store.pathFor(SESSION), "utf8")).toBe(text);
    expect((await stat(store.pathFor(SESSION))).mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(directory)).toHaveLength(1);
  });

  it("read: a path that is a directory is CACHE_MALFORMED, not 'absent'", async () => {
    const store = createFileTokenStore({ directory });
    await mkdir(store.pathFor(SESSION), { recursive: true });
    await expect(store.read(SESSION)).rejects.toMatchObject({
      code: "CACHE_MALFORMED",
      message: expect.stringContaining("not a regular file"),
    });
  });

  it("write: CACHE_WRITE_FAILED when the directory cannot be created (its parent is a file)", async () => {
    const blocker = join(root, "not-a-dir");
    await writeFile(blocker, "x");
    const store = createFileTokenStore({ directory: join(blocker, "cache") });
    const failing = store.write(SESSION, record());
    await expect(failing).rejects.toMatchObject({
      code: "CACHE_WRITE_FAILED",
      path: store.pathFor(SESSION),
      message: expect.stringContaining("is a directory you can write to"),
    });
    await expect(failing).rejects.toMatchObject({ message: expect.not.stringContaining("secret") });
    expect(await readFile(blocker, "utf8")).toBe("x");
  });

  it("write: a failed rename leaves the old file intact and the complete new one beside it, for adoptPending", async () => {
    const store = createFileTokenStore({ directory });
    await store.write(SESSION, record("ASIAOLD"));
    const old = await readFile(store.pathFor(SESSION), "utf8");
    vi.mocked(fsPromises.rename).mockRejectedValueOnce(Object.assign(new Error("i/o"), { code: "EIO" }));
    const newer = {
      ...record("ASIANEW"),
      accessToken: { ...record().accessToken, accessKeyId: "ASIANEW", expiresAt: "2025-11-19T01:15:00Z" },
    };
    const failing = store.write(SESSION, newer);
    await expect(failing).rejects.toMatchObject({
      code: "CACHE_WRITE_FAILED",
      message: expect.stringContaining("EIO"),
    });
    await expect(failing).rejects.toThrow("kept beside it");
    expect(await readFile(store.pathFor(SESSION), "utf8")).toBe(old);
    expect(await readdir(directory)).toHaveLength(2);
    expect(await store.adoptPending?.(SESSION)).toBe(true);
    expect((await store.read(SESSION))?.accessToken.accessKeyId).toBe("ASIANEW");
    expect(await readdir(directory)).toEqual([`${loginCacheKey(SESSION)}.json`]);
  });

  it("write: a rename that meets a full disk rewrites the file in place, keeping the new record, no temp left", async () => {
    const store = createFileTokenStore({ directory });
    await store.write(SESSION, record("ASIAOLD"));
    vi.mocked(fsPromises.rename).mockRejectedValueOnce(
      Object.assign(new Error("no space"), { code: "ENOSPC" }),
    );
    await store.write(SESSION, record("ASIANEW"));
    expect((await store.read(SESSION))?.accessToken.accessKeyId).toBe("ASIANEW");
    expect((await stat(store.pathFor(SESSION))).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual([`${loginCacheKey(SESSION)}.json`]);
  });

  it("adoptPending ignores temp files of another session, older ones and cut-short ones, and sweeps them", async () => {
    const store = createFileTokenStore({ directory });
    await store.write(SESSION, record("ASIACURRENT"));
    const name = `${loginCacheKey(SESSION)}.json`;
    const later = "2025-11-19T01:15:00Z";
    const other = {
      ...record("ASIAOTHER"),
      dpopKey: "-----BEGIN EC PRIVATE KEY-----\nBBBB\n-----END EC PRIVATE KEY-----\n",
    };
    other.accessToken = { ...other.accessToken, expiresAt: later };
    await writeFile(join(directory, `.${name}.1.aa.tmp`), serializeTokenCache(other));
    await writeFile(join(directory, `.${name}.1.bb.tmp`), serializeTokenCache(record("ASIAOLDER")));
    await writeFile(
      join(directory, `.${name}.1.cc.tmp`),
      serializeTokenCache(record("ASIACUT")).slice(0, 100),
    );
    expect(await store.adoptPending?.(SESSION)).toBe(false);
    expect((await store.read(SESSION))?.accessToken.accessKeyId).toBe("ASIACURRENT");
    expect(await readdir(directory)).toEqual([name]);
  });

  it("many concurrent writers leave one whole file and no temp files", async () => {
    const store = createFileTokenStore({ directory });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write(SESSION, record(`ASIA${i}`))));
    const read = await store.read(SESSION);
    expect(read?.accessToken.accessKeyId).toMatch(/^ASIA\d+$/);
    expect(await readdir(directory)).toEqual([`${loginCacheKey(SESSION)}.json`]);
  });

  it("remove: true when a file was deleted, false when there was none", async () => {
    const store = createFileTokenStore({ directory });
    await store.write(SESSION, record());
    expect(await store.remove(SESSION)).toBe(true);
    expect(await store.remove(SESSION)).toBe(false);
    expect(await store.read(SESSION)).toBeUndefined();
  });

  it("list: login tokens and broken *.json files; foreign JSON and other files are skipped", async () => {
    const store = createFileTokenStore({ directory });
    expect(await store.list()).toEqual([]);
    await store.write(SESSION, record());
    await store.write(OTHER, record("ASIAOTHER"));
    await writeFile(join(directory, "broken.json"), '{"accessToken": {"acc');
    await writeFile(join(directory, "shaped-but-bad.json"), '{"accessToken": {"accessKeyId": "A"}}');
    await writeFile(join(directory, "sso.json"), '{"startUrl": "https://x", "accessToken": "t"}');
    await writeFile(join(directory, "notes.txt"), "hello");
    await mkdir(join(directory, "dir.json"));
    const entries = await store.list();
    expect(entries.map((entry) => entry.path)).toEqual(
      [
        store.pathFor(OTHER),
        store.pathFor(SESSION),
        join(directory, "broken.json"),
        join(directory, "shaped-but-bad.json"),
      ].sort(),
    );
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    expect(byPath.get(store.pathFor(SESSION))?.record).toEqual(record());
    expect(byPath.get(store.pathFor(OTHER))?.record?.accessToken.accessKeyId).toBe("ASIAOTHER");
    expect(byPath.get(join(directory, "broken.json"))?.error?.code).toBe("CACHE_MALFORMED");
    expect(byPath.get(join(directory, "shaped-but-bad.json"))?.error?.message).toContain("lacks");
    expect(await readFile(join(directory, "broken.json"), "utf8")).toBe('{"accessToken": {"acc');
  });

  it("list: a cache directory that is a file lists nothing", async () => {
    await writeFile(join(root, "file"), "x");
    expect(await createFileTokenStore({ directory: join(root, "file") }).list()).toEqual([]);
  });
});
