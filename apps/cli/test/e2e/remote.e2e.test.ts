import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loginCacheKey, parseConfigFile, parseTokenCache } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { startCli, useEmulatorSandbox } from "../helpers.js";
import { hasChromium, useChromium } from "./chromium.js";

const ALICE = "arn:aws:iam::111122223333:user/alice";
const BOB = "arn:aws:sts::444455556666:assumed-role/Admin/bob";
const CROSS_DEVICE_URL = /(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S*cross-device\S*)/;
const runBrowserTests = hasChromium();

describe.skipIf(!runBrowserTests)("login --remote with the confirmation page in headless Chromium", () => {
  const chromium = useChromium();
  const harness = useEmulatorSandbox({ identities: [ALICE, BOB] });

  it("picks an identity, Continue, reads #verification-code; the code typed into the CLI's stdin completes the login", async () => {
    const cli = startCli(
      [
        "login",
        "--remote",
        "--profile",
        "far",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        harness.emulator.url,
      ],
      harness.sandbox.env,
    );
    const [, url] = await cli.waitForStderr(CROSS_DEVICE_URL);
    await cli.waitForStderr(/Enter the authorization code displayed in your browser: /);

    const page = await chromium.browser.newPage();
    let code: string;
    try {
      await page.goto(url!);
      await expect(page.title()).resolves.toMatch(/sign in/i);
      await page.getByTestId("identity-1").check();
      await page.getByTestId("continue").click();
      await page.waitForURL(/\/v1\/sessions\/confirmation/);
      code = (await page.locator("#verification-code").textContent())!.trim();
      await page.screenshot({ path: join(harness.sandbox.dir, "confirmation.png") });
    } finally {
      await page.close();
    }
    const state = new URL(url!).searchParams.get("state");
    expect(Buffer.from(code, "base64").toString()).toMatch(new RegExp(`(^|&)state=${state}(&|$)`));
    // Nothing is written until the code arrives.
    expect(existsSync(harness.sandbox.cacheDir) ? readdirSync(harness.sandbox.cacheDir) : []).toEqual([]);

    cli.child.stdin!.write(`${code}\n`);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Signed in as ${BOB}`);
    const file = join(harness.sandbox.cacheDir, `${loginCacheKey(BOB)}.json`);
    const record = parseTokenCache(readFileSync(file, "utf8"), file);
    expect(record.clientId).toBe("arn:aws:signin:::devtools/cross-device");
    expect(record.accessToken.accountId).toBe("444455556666");
    expect(parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8")).far).toEqual({
      login_session: BOB,
      region: "eu-west-1",
    });
    expect(harness.emulator.stats().authorize.approved).toBe(1);
  });
});
