/**
 * `awslogin-credential-process` reads the config and credentials files on every call: a FIFO in their place must end
 * the call at once with a typed error, not hang every tool that runs the binary (issue 7 §4).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, runCredentialProcess, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
  mkdirSync(dirname(sandbox.configPath), { recursive: true });
});
afterEach(() => sandbox.cleanup());

describe("a FIFO in place of a shared file (issue 7 §4)", () => {
  it("the config file: CONFIG_MALFORMED saying it is not a regular file, nothing on stdout", async () => {
    execFileSync("mkfifo", [sandbox.configPath]);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/not a regular file.*\[CONFIG_MALFORMED\]/);
  });

  it("the credentials file: read as empty, as the SDKs treat an unreadable one", async () => {
    execFileSync("mkfifo", [sandbox.env.AWS_SHARED_CREDENTIALS_FILE as string]);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[PROFILE_NOT_FOUND]");
  });
});
