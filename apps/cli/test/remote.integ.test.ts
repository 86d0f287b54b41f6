import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loginCacheKey, parseTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { codeFromConfirmationPage, runCli, startCli, useEmulatorSandbox } from "./helpers.js";

const harness = useEmulatorSandbox();

const CROSS_DEVICE_URL = /(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S*cross-device\S*)/;

function cacheFiles(): string[] {
  return existsSync(harness.sandbox.cacheDir) ? readdirSync(harness.sandbox.cacheDir) : [];
}

describe("awslogin login --remote (cross-device)", () => {
  it("accepts the pasted code after refusing empty, garbled and mismatched ones, then writes the session", async () => {
    const cli = startCli(
      [
        "login",
        "--remote",
        "--profile",
        "far",
        "--region",
        "us-east-1",
        "--endpoint-url",
        harness.emulator.url,
      ],
      harness.sandbox.env,
    );
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    const authorize = new URL(url!);
    expect(authorize.searchParams.get("redirect_uri")).toBe(
      `${harness.emulator.url}/v1/sessions/confirmation`,
    );
    const code = await codeFromConfirmationPage(url!);
    expect(Buffer.from(code, "base64").toString()).toContain(`state=${authorize.searchParams.get("state")}`);

    await cli.waitForStderr(/Enter the authorization code/);
    cli.child.stdin!.write("\n");
    await cli.waitForStderr(/The code is empty/);
    cli.child.stdin!.write("%%% not base64 %%%\n");
    await cli.waitForStderr(/That code did not work/);
    const foreign = Buffer.from("state=00000000-0000-4000-8000-000000000000&code=x").toString("base64");
    cli.child.stdin!.write(`${foreign}\n`);
    await cli.waitForStderr(/another sign-in/);
    expect(cacheFiles()).toEqual([]);
    cli.child.stdin!.end(`  ${code}  \n`);

    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Signed in as ${DEFAULT_IDENTITY}`);
    const file = join(harness.sandbox.cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
    const record = parseTokenCache(readFileSync(file, "utf8"), file);
    expect(record.clientId).toBe("arn:aws:signin:::devtools/cross-device");
  });

  it("reads the code from a pipe in one go (scripts)", async () => {
    // A script that already has the code: the URL is opened first, then the code piped in.
    const cli = startCli(
      ["login", "--remote", "--region", "us-east-1", "--endpoint-url", harness.emulator.url],
      harness.sandbox.env,
    );
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    cli.child.stdin!.end(`${await codeFromConfirmationPage(url!)}\n`);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("ends clearly, writing nothing, when the input ends without a code", async () => {
    const run = await runCli(
      ["login", "--remote", "--region", "us-east-1", "--endpoint-url", harness.emulator.url],
      harness.sandbox.env,
      "",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("input ended before a code was entered");
    expect(run.stderr).toContain("LOGIN_CANCELLED");
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(harness.sandbox.configPath)).toBe(false);
  });
});

describe("hints toward --remote", () => {
  it("names --remote when no browser could be started, and keeps waiting on the loopback", async () => {
    const cli = startCli(
      ["login", "--region", "us-east-1", "--endpoint-url", harness.emulator.url, "--timeout", "20"],
      { ...harness.sandbox.env, BROWSER: "/nonexistent/browser" },
    );
    await cli.waitForStderr(/Could not start a browser/);
    await cli.waitForStderr(/no browser could be started on this machine.*awslogin login --remote/s);
    // Port forwarding case: the URL is opened elsewhere and still completes on the loopback.
    const [, url] = await cli.waitForStderr(/(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)/);
    const approved = await fetch(url!, { redirect: "manual" });
    await fetch(approved.headers.get("location")!);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
  });

  it.each<[string, NodeJS.ProcessEnv, string | undefined]>([
    [
      "an SSH session without a display",
      { SSH_CONNECTION: "10.0.0.1 50000 10.0.0.2 22" },
      "this is an SSH session without a display",
    ],
    [
      "a desktop session (no hint)",
      { SSH_CONNECTION: "10.0.0.1 50000 10.0.0.2 22", DISPLAY: ":0", AWSLOGIN_CONTAINER: "0" },
      undefined,
    ],
    ["a container without a BROWSER helper", { AWSLOGIN_CONTAINER: "1" }, "this looks like a container"],
  ])("in %s", async (_name, extraEnv, doubt) => {
    const run = await runCli(
      [
        "login",
        "--region",
        "us-east-1",
        "--endpoint-url",
        harness.emulator.url,
        "--no-browser",
        "--timeout",
        "1",
      ],
      { ...harness.sandbox.env, AWSLOGIN_CONTAINER: "0", ...extraEnv },
    );
    expect(run.stderr).toContain("Open the following URL");
    if (doubt === undefined) {
      expect(run.stderr).not.toContain("Hint:");
    } else {
      expect(run.stderr).toContain(doubt);
      expect(run.stderr).toContain("awslogin login --remote");
    }
  });
});
