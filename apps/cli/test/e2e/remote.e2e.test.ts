import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigFile } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { CROSS_DEVICE_URL, cacheFiles, startCli, useEmulatorSandbox } from "../helpers.js";
import { cachePathOf, readRecord } from "../session-helpers.js";
import { hasChromium, useChromium } from "./chromium.js";

const ALICE = "arn:aws:iam::111122223333:user/alice";
const BOB = "arn:aws:sts::444455556666:assumed-role/Admin/bob";
const runBrowserTests = hasChromium();

describe.skipIf(!runBrowserTests)("login --remote with the confirmation page in headless Chromium", () => {
  const chromium = useChromium();
  const harness = useEmulatorSandbox({ identities: [ALICE, BOB] });

  it("picks an identity, Continue, copies #verification-code with Copy; pasted into the CLI's stdin it completes the login", async () => {
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

    // The person copies the code with the page's Copy button and pastes it into the terminal.
    const context = await chromium.browser.newContext();
    let code: string;
    let pasted: string;
    try {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: harness.emulator.url });
      const page = await context.newPage();
      const scriptErrors: string[] = [];
      page.on("pageerror", (error) => scriptErrors.push(error.message));
      page.on("console", (message) => {
        // Where a Content-Security-Policy refusal of the copy script shows up.
        if (/content security policy/i.test(message.text())) scriptErrors.push(message.text());
      });
      await page.goto(url!);
      await expect(page.title()).resolves.toMatch(/sign in/i);
      await page.getByTestId("identity-1").check();
      await page.getByTestId("continue").click();
      await page.waitForURL(/\/v1\/sessions\/confirmation/);
      code = (await page.locator("#verification-code").textContent())!.trim();
      await expect(page.getByTestId("copy").textContent()).resolves.toBe("Copy");
      await page.getByTestId("copy").click();
      // The button says so.
      await page
        .getByTestId("copy")
        .filter({ hasText: /^Copied$/ })
        .waitFor();
      // Page scripts as strings: this file is type-checked without the DOM library.
      pasted = await page.evaluate<string>("navigator.clipboard.readText()");
      await page.screenshot({ path: join(harness.sandbox.dir, "confirmation.png") });
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
    expect(pasted).toBe(code);
    const state = new URL(url!).searchParams.get("state");
    expect(Buffer.from(code, "base64").toString()).toMatch(new RegExp(`(^|&)state=${state}(&|$)`));
    // Nothing is written until the code arrives.
    expect(cacheFiles(harness.sandbox)).toEqual([]);

    cli.child.stdin!.write(`${pasted}\n`);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Signed in as ${BOB}`);
    const record = readRecord(cachePathOf(harness.sandbox, BOB));
    expect(record.clientId).toBe("arn:aws:signin:::devtools/cross-device");
    expect(record.accessToken.accountId).toBe("444455556666");
    expect(parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8")).far).toEqual({
      login_session: BOB,
      region: "eu-west-1",
    });
    expect(harness.emulator.stats().authorize.approved).toBe(1);
  });

  it("Copy selects the code where the page has no clipboard (navigator.clipboard missing, as on an insecure origin)", async () => {
    const context = await chromium.browser.newContext();
    try {
      await context.addInitScript('Object.defineProperty(navigator, "clipboard", { value: undefined })');
      const page = await context.newPage();
      await page.goto(`${harness.emulator.url}/v1/sessions/confirmation?code=c0de&state=st4te`);
      const code = (await page.locator("#verification-code").textContent())!.trim();
      expect(Buffer.from(code, "base64").toString()).toBe("state=st4te&code=c0de");
      await expect(page.evaluate<string>("String(window.getSelection())")).resolves.toBe("");
      await page.getByTestId("copy").click();
      await expect(page.evaluate<string>("String(window.getSelection()).trim()")).resolves.toBe(code);
      await expect(page.getByTestId("copy").textContent()).resolves.toBe("Copy");
    } finally {
      await context.close();
    }
  });
});
