/**
 * The config and credentials files are read by every command and by apps through the provider: a FIFO must not hang
 * them, and a file without end must not fill memory (issue 7 §4, the class of the cache-file fix).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readConfigText } from "./config-files.js";
import { readCredentialsSection } from "./shared-files.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-config-files-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  return path;
}

function huge(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, "[default]\nregion = us-east-1\n");
  truncateSync(path, 200 * 1024 * 1024); // sparse: no disk used, but 200 MB to read
  return path;
}

describe("config and credentials files that are FIFOs or huge (issue 7 §4)", () => {
  it("a FIFO as the config file is CONFIG_MALFORMED at once, saying what it is", async () => {
    await expect(readConfigText(fifo("config"))).rejects.toMatchObject({
      code: "CONFIG_MALFORMED",
      message: expect.stringContaining("not a regular file"),
    });
  });

  it("a config file past the cap is CONFIG_MALFORMED without being read", async () => {
    await expect(readConfigText(huge("config"))).rejects.toMatchObject({
      code: "CONFIG_MALFORMED",
      message: expect.stringContaining("larger than 16 MiB"),
    });
  });

  it("a FIFO or a huge credentials file reads as empty, as an unreadable one does for the SDKs", async () => {
    await expect(readCredentialsSection(fifo("credentials"), "default")).resolves.toBeUndefined();
    await expect(readCredentialsSection(huge("credentials-big"), "default")).resolves.toBeUndefined();
  });

  it("a regular config file still reads", async () => {
    const path = join(dir, "ok");
    writeFileSync(path, "[profile dev]\nregion = eu-west-1\n");
    await expect(readConfigText(path)).resolves.toBe("[profile dev]\nregion = eu-west-1\n");
  });
});
