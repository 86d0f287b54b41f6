import * as fsPromises from "node:fs/promises";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { assertLoginCapableProfile } from "../config.js";
import { readConfigText, resolveConfigFilePath, updateProfile, writeConfigText } from "./config-files.js";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, rename: vi.fn(actual.rename) };
});

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "awslogin-config-files-"));
});

afterEach(async () => {
  const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
  vi.mocked(fsPromises.rename).mockReset();
  vi.mocked(fsPromises.rename).mockImplementation(actual.rename);
  await rm(root, { recursive: true, force: true });
});

const COMMENTED = "# mine\n[default]\nregion = us-east-1 ; keep\n\n[profile work]\nsso_session = corp\n";

describe("resolveConfigFilePath (docs/protocol.md §7)", () => {
  it("uses AWS_CONFIG_FILE, expanding a leading ~/ like the SDK", () => {
    expect(resolveConfigFilePath({ env: {}, homeDir: "/home/u" })).toBe("/home/u/.aws/config");
    expect(resolveConfigFilePath({ env: { AWS_CONFIG_FILE: "" }, homeDir: "/home/u" })).toBe(
      "/home/u/.aws/config",
    );
    expect(resolveConfigFilePath({ env: { AWS_CONFIG_FILE: "~/cfg/aws" }, homeDir: "/home/u" })).toBe(
      "/home/u/cfg/aws",
    );
    expect(resolveConfigFilePath({ env: { AWS_CONFIG_FILE: "/etc/aws" }, homeDir: "/home/u" })).toBe(
      "/etc/aws",
    );
  });
});

describe("readConfigText", () => {
  it("returns the text, or an empty string when there is no file", async () => {
    expect(await readConfigText(join(root, "missing", "config"))).toBe("");
    await writeFile(join(root, "config"), COMMENTED);
    expect(await readConfigText(join(root, "config"))).toBe(COMMENTED);
  });

  it("is CONFIG_MALFORMED when the path cannot be read as a file", async () => {
    await mkdir(join(root, "config"));
    await expect(readConfigText(join(root, "config"))).rejects.toMatchObject({
      code: "CONFIG_MALFORMED",
      path: join(root, "config"),
      message: expect.stringContaining("not a regular file"),
    });
  });
});

describe("writeConfigText", () => {
  it("creates a 0600 file in a new 0700 directory", async () => {
    const path = join(root, "home", ".aws", "config");
    await writeConfigText(path, "[default]\nregion = r\n");
    expect(await readFile(path, "utf8")).toBe("[default]\nregion = r\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, "home", ".aws"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(root, "home", ".aws"))).toEqual(["config"]);
  });

  it("keeps the mode of an existing file", async () => {
    const path = join(root, "config");
    await writeFile(path, "old");
    await chmod(path, 0o644);
    await writeConfigText(path, "new");
    expect(await readFile(path, "utf8")).toBe("new");
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it("writes through a symlink and keeps the link", async () => {
    const real = join(root, "dotfiles", "aws-config");
    await mkdir(join(root, "dotfiles"));
    await writeFile(real, "old");
    await chmod(real, 0o640);
    const link = join(root, "config");
    await symlink(real, link);
    await writeConfigText(link, "new");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(await readFile(real, "utf8")).toBe("new");
    expect((await stat(real)).mode & 0o777).toBe(0o640);
    expect(await readdir(join(root, "dotfiles"))).toEqual(["aws-config"]);
  });

  it("fails with CONFIG_WRITE_FAILED when the folder cannot be created (its parent is a file)", async () => {
    await writeFile(join(root, "file"), "x");
    await expect(writeConfigText(join(root, "file", "config"), "new")).rejects.toMatchObject({
      code: "CONFIG_WRITE_FAILED",
      path: join(root, "file", "config"),
      message: expect.stringContaining("left as it was"),
    });
  });

  it("a failed rename leaves the old file intact and no temp file behind", async () => {
    const path = join(root, "config");
    await writeFile(path, COMMENTED);
    vi.mocked(fsPromises.rename).mockRejectedValueOnce(Object.assign(new Error("io"), { code: "EIO" }));
    await expect(writeConfigText(path, "new")).rejects.toMatchObject({
      code: "CONFIG_WRITE_FAILED",
      message: expect.stringContaining("EIO"),
    });
    expect(await readFile(path, "utf8")).toBe(COMMENTED);
    expect(await readdir(root)).toEqual(["config"]);
  });
});

describe("updateProfile", () => {
  it("sets keys in the profile and keeps everything else byte for byte", async () => {
    const path = join(root, "config");
    await writeFile(path, COMMENTED);
    await updateProfile(path, "default", { login_session: "arn:aws:iam::0123456789012:user/Admin" });
    expect(await readFile(path, "utf8")).toBe(
      "# mine\n[default]\nregion = us-east-1 ; keep\nlogin_session = arn:aws:iam::0123456789012:user/Admin\n\n[profile work]\nsso_session = corp\n",
    );
  });

  it("creates the file and the profile when neither exists", async () => {
    const path = join(root, ".aws", "config");
    await updateProfile(path, "dev", { login_session: "arn", region: "us-west-2" });
    expect(await readFile(path, "utf8")).toBe("[profile dev]\nlogin_session = arn\nregion = us-west-2\n");
  });

  it("passes the SDK's view of the profile to the guard", async () => {
    const path = join(root, "config");
    await writeFile(path, COMMENTED);
    const seen: unknown[] = [];
    await updateProfile(path, "default", { region: "eu-west-1" }, (profile) => seen.push(profile));
    await updateProfile(path, "other", { region: "eu-west-1" }, (profile) => seen.push(profile));
    expect(seen).toEqual([{ region: "us-east-1" }, undefined]);
  });

  it("leaves the file untouched when the guard refuses the profile", async () => {
    const path = join(root, "config");
    const refused = `${COMMENTED}sso_role_name = Admin\n`;
    await writeFile(path, refused);
    const before = await stat(path);
    await expect(
      updateProfile(path, "work", { login_session: "arn" }, (profile) =>
        assertLoginCapableProfile("work", profile),
      ),
    ).rejects.toMatchObject({
      code: "PROFILE_HAS_OTHER_CREDENTIALS",
      message: expect.stringContaining("sso_role_name"),
    });
    expect(await readFile(path, "utf8")).toBe(refused);
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
    expect((await stat(path)).ino).toBe(before.ino);
  });

  it("does not rewrite the file when nothing changes", async () => {
    const path = join(root, "config");
    await writeFile(path, COMMENTED);
    const before = await stat(path);
    await updateProfile(path, "default", { region: "us-east-1" });
    expect((await stat(path)).ino).toBe(before.ino);
  });
});
