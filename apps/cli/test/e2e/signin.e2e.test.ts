import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigFile } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { AUTHORIZE_URL, cacheFiles, startCli, useEmulatorSandbox } from "../helpers.js";
import { cachePathOf } from "../session-helpers.js";
import { hasChromium, useChromium } from "./chromium.js";

const ALICE = "arn:aws:iam::111122223333:user/alice";
const BOB = "arn:aws:sts::444455556666:assumed-role/Admin/bob";
const runBrowserTests = hasChromium();

describe.skipIf(!runBrowserTests)("sign-in page in headless Chromium", () => {
  const chromium = useChromium();
  const harness = useEmulatorSandbox({ identities: [ALICE, BOB] });

  it("picks an identity, presses Continue, and the CLI completes the login", async () => {
    const cli = startCli(
      [
        "login",
        "--profile",
        "e2e",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        harness.emulator.url,
        "--no-browser",
      ],
      harness.sandbox.env,
    );
    const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
    const page = await chromium.browser.newPage();
    try {
      await page.goto(url!);
      await expect(page.title()).resolves.toMatch(/sign in/i);
      await page.getByTestId("identity-1").check();
      await page.getByTestId("continue").click();
      // The harness.emulator redirects to the CLI's loopback listener, which shows the result page.
      await page.waitForURL(/127\.0\.0\.1:\d+\/oauth\/callback\?/);
      await expect(page.locator("#result").getAttribute("data-result")).resolves.toBe("success");
      await page.screenshot({ path: join(harness.sandbox.dir, "success.png") });
    } finally {
      await page.close();
    }
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Signed in as ${BOB}`);
    expect(existsSync(cachePathOf(harness.sandbox, BOB))).toBe(true);
    const config = parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8"));
    expect(config.e2e).toEqual({ login_session: BOB, region: "eu-west-1" });
  });

  it("Cancel ends the login with access_denied and writes nothing", async () => {
    const cli = startCli(
      ["login", "--region", "us-east-1", "--endpoint-url", harness.emulator.url, "--no-browser"],
      harness.sandbox.env,
    );
    const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
    const page = await chromium.browser.newPage();
    try {
      await page.goto(url!);
      await page.getByTestId("cancel").click();
      await page.waitForURL(/\/oauth\/callback\?/);
      await expect(page.locator("#result").getAttribute("data-result")).resolves.toBe("error");
    } finally {
      await page.close();
    }
    const run = await cli.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("access_denied");
    expect(cacheFiles(harness.sandbox)).toEqual([]);
    expect(existsSync(harness.sandbox.configPath)).toBe(false);
  });
});
