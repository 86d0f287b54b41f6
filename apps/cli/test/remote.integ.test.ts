import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loginCacheKey } from "@awslogin/core";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import {
  approveInBrowser,
  CROSS_DEVICE_URL,
  cacheFiles as cacheFilesOf,
  codeFromConfirmationPage,
  FAKE_BROWSER,
  runCli,
  startCli,
  useEmulatorSandbox,
} from "./helpers.js";
import { cachePathOf, readRecord } from "./session-helpers.js";

const harness = useEmulatorSandbox();

const cacheFiles = () => cacheFilesOf(harness.sandbox);

/** The pasted text with another `code` but the same `state`: what a truncated or mistyped paste decodes to. */
function withCode(pasted: string, code: (real: string) => string): string {
  const params = new URLSearchParams(Buffer.from(pasted, "base64").toString("utf8"));
  params.set("code", code(params.get("code")!));
  return Buffer.from(params.toString()).toString("base64");
}

const REMOTE_ARGS = ["login", "--remote", "--region", "us-east-1", "--endpoint-url"];

describe("awslogin login --remote (cross-device)", () => {
  it("accepts the pasted code after refusing empty, garbled and mismatched ones, then writes the session", async () => {
    const cli = startCli([...REMOTE_ARGS, harness.emulator.url, "--profile", "far"], harness.sandbox.env);
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
    const record = readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    expect(record.clientId).toBe("arn:aws:signin:::devtools/cross-device");
  });

  it("reads the code from a pipe in one go (scripts)", async () => {
    // A script that already has the code: the URL is opened first, then the code piped in.
    const cli = startCli([...REMOTE_ARGS, harness.emulator.url], harness.sandbox.env);
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    cli.child.stdin!.end(`${await codeFromConfirmationPage(url!)}\n`);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("asks again when AWS Sign-In refuses a truncated or overlong code (next piped line); the real code then works and the cache is written once", async () => {
    const cli = startCli([...REMOTE_ARGS, harness.emulator.url], harness.sandbox.env);
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    const code = await codeFromConfirmationPage(url!);
    const truncated = withCode(code, (real) => real.slice(0, -3));
    const overlong = withCode(code, (real) => real.repeat(40));
    // A script's pipe: every line at once; each refused code makes the CLI read the next line.
    cli.child.stdin!.end(`${truncated}\n${overlong}\n${code}\n`);

    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /That code did not work: AWS Sign-In refused it \(AUTHCODE_EXPIRED\).*paste it again \(4 tries left\)/,
    );
    expect(run.stderr).toMatch(
      /That code did not work: AWS Sign-In refused it \(INVALID_REQUEST\).*\(3 tries left\)/,
    );
    expect(run.stdout).toContain(`Signed in as ${DEFAULT_IDENTITY}`);
    // The refused pastes did not use up the real code: one success, one cache file, no secret printed.
    expect(harness.emulator.stats().tokenResults).toEqual({ AUTHCODE_EXPIRED: 1, INVALID_REQUEST: 1, ok: 1 });
    expect(cacheFiles()).toEqual([`${loginCacheKey(DEFAULT_IDENTITY)}.json`]);
    const record = readRecord(join(harness.sandbox.cacheDir, cacheFiles()[0]!));
    expect(run.stdout + run.stderr).not.toContain(record.refreshToken);
    expect(run.stdout + run.stderr).not.toContain(
      new URLSearchParams(Buffer.from(code, "base64").toString()).get("code"),
    );
  });

  it("writes nothing while a refused code waits for the next one", async () => {
    const cli = startCli([...REMOTE_ARGS, harness.emulator.url, "--profile", "far"], harness.sandbox.env);
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    const code = await codeFromConfirmationPage(url!);
    await cli.waitForStderr(/Enter the authorization code/);
    cli.child.stdin!.write(`${withCode(code, (real) => real.slice(0, 5))}\n`);
    await cli.waitForStderr(/refused it \(AUTHCODE_EXPIRED\)/);
    await cli.waitForStderr(
      /That code did not work[^\n]*\nEnter the authorization code displayed in your browser: $/,
    );
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(harness.sandbox.configPath)).toBe(false);
    cli.child.stdin!.end(`${code}\n`);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toContain("[profile far]");
  });

  it(`stops after AWS Sign-In refuses 5 codes, with the service's error code, writing nothing`, async () => {
    const cli = startCli([...REMOTE_ARGS, harness.emulator.url], harness.sandbox.env);
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    const code = await codeFromConfirmationPage(url!);
    const wrong = [1, 2, 3, 4, 5].map((n) => withCode(code, (real) => real.slice(0, -n)));
    // The real code comes sixth: it must never be sent.
    cli.child.stdin!.end(`${[...wrong, code].join("\n")}\n`);
    const run = await cli.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[AUTHCODE_EXPIRED]");
    expect(run.stderr).toContain(
      "AWS Sign-In refused 5 pasted codes, so the login stopped. Nothing was written.",
    );
    expect(run.stderr).toContain("1 try left");
    expect(harness.emulator.stats().tokenResults).toEqual({ AUTHCODE_EXPIRED: 5 });
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(harness.sandbox.configPath)).toBe(false);
  });

  it("ends clearly, writing nothing, when the input ends without a code", async () => {
    const run = await runCli([...REMOTE_ARGS, harness.emulator.url], harness.sandbox.env, "");
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
    await approveInBrowser(url!);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
  });

  it("names --remote when the opener exits non-zero at once (headless xdg-open), and keeps waiting on the loopback", async () => {
    const cli = startCli(
      ["login", "--region", "us-east-1", "--endpoint-url", harness.emulator.url, "--timeout", "20"],
      // Split like a shell: ["/bin/sh", "-c", "exit 3", URL]; the URL becomes $0 and is ignored.
      { ...harness.sandbox.env, BROWSER: '/bin/sh -c "exit 3"' },
    );
    // The URL is shown at once, as the opener starts; its failure a moment later brings the hint.
    const [, url] = await cli.waitForStderr(
      /Attempting to open your default browser[^\n]*\n[^\n]*--remote\.\n\n(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)/,
    );
    await cli.waitForStderr(/The browser did not open \(its opener exited with an error\)/);
    await cli.waitForStderr(/no browser could be started on this machine.*awslogin login --remote/s);
    const callback = await approveInBrowser(url!);
    expect(callback.status).toBe(200);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("gives no hint when the opener keeps running (a browser that started)", async () => {
    const log = join(harness.sandbox.dir, "browser.log");
    // A browser that is still running after the opener's grace period, then follows the URL.
    const slow = join(harness.sandbox.dir, "slow-browser.mjs");
    writeFileSync(
      slow,
      `import { spawnSync } from "node:child_process";\nawait new Promise((r) => setTimeout(r, 2500));\nspawnSync(process.execPath, [${JSON.stringify(FAKE_BROWSER)}, process.argv.at(-1)], { stdio: "inherit" });\n`,
    );
    const cli = startCli(
      ["login", "--region", "us-east-1", "--endpoint-url", harness.emulator.url, "--timeout", "20"],
      {
        ...harness.sandbox.env,
        AWSLOGIN_CONTAINER: "0",
        DISPLAY: ":0",
        BROWSER: `${process.execPath} ${slow}`,
        FAKE_BROWSER_LOG: log,
      },
    );
    await cli.waitForStderr(/Attempting to open your default browser/);
    // Printed before the browser finished: the opener is not waited for.
    expect(existsSync(log)).toBe(false);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("Hint:");
    expect(run.stderr).not.toContain("Could not start a browser");
    expect(readFileSync(log, "utf8")).toContain("/oauth/callback");
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
