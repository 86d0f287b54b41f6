import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { runCli, useEmulatorSandbox } from "../helpers.js";
import { loginProfile } from "../session-helpers.js";
import { hasChromium, useChromium } from "./chromium.js";

const runBrowserTests = hasChromium();

describe.skipIf(!runBrowserTests)("awslogin console in headless Chromium", () => {
  const chromium = useChromium();
  const harness = useEmulatorSandbox({ autoApprove: true, federationAcceptsLoginCredentials: true });

  it("follows the --print URL and lands on the emulated console showing the principal's ARN", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const run = await runCli(
      ["console", "--profile", "dev", "--print", "--destination", "s3"],
      harness.sandbox.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const page = await chromium.browser.newPage();
    try {
      await page.goto(run.stdout.trim());
      expect(new URL(page.url()).pathname).toBe("/console/home");
      await expect(page.getByTestId("principal-arn").textContent()).resolves.toBe(DEFAULT_IDENTITY);
      await expect(page.getByTestId("destination").textContent()).resolves.toBe(
        "https://console.aws.amazon.com/s3/home?region=us-east-1",
      );
      // The URL was single use: opening it again signs nobody in.
      const again = await page.goto(run.stdout.trim());
      expect(again?.status()).toBe(400);
    } finally {
      await page.close();
    }
  });

  it("opens the file page the CLI hands the browser, and lands on the console without the URL on a command line", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    // BROWSER only records what it was given; Chromium then opens that, as the real browser would.
    const recorder = join(harness.sandbox.dir, "recorder.mjs");
    const log = join(harness.sandbox.dir, "argv.json");
    writeFileSync(
      recorder,
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    const run = await runCli(["console", "--profile", "dev"], {
      ...harness.sandbox.env,
      BROWSER: `${process.execPath} ${recorder}`,
    });
    expect(run.code, run.stderr).toBe(0);
    const argv = JSON.parse(readFileSync(log, "utf8")) as string[];
    expect(argv).toHaveLength(1);
    expect(argv[0]).toMatch(/^file:\/\//);
    const page = await chromium.browser.newPage();
    try {
      await page.goto(argv[0]!);
      await page.waitForURL(/\/console\/home$/);
      await expect(page.getByTestId("principal-arn").textContent()).resolves.toBe(DEFAULT_IDENTITY);
    } finally {
      await page.close();
    }
  });
});

describe.skipIf(!runBrowserTests)("awslogin console with a role profile in headless Chromium", () => {
  const chromium = useChromium();
  // The emulator's default: login-session credentials are refused at getSigninToken, STS-issued ones accepted.
  const harness = useEmulatorSandbox({ autoApprove: true, roles: ["arn:aws:iam::444455556666:role/Admin"] });

  it("follows the --print URL of a role profile and lands on the console as the assumed role", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    appendFileSync(
      harness.sandbox.configPath,
      "\n[profile admin]\nrole_arn = arn:aws:iam::444455556666:role/Admin\nsource_profile = dev\nrole_session_name = alice-console\n",
    );
    const run = await runCli(["console", "--profile", "admin", "--print"], {
      ...harness.sandbox.env,
      AWS_ENDPOINT_URL_STS: harness.emulator.url,
      AWSLOGIN_ROLE_CACHE_DIRECTORY: join(harness.sandbox.dir, ".aws", "cli", "cache"),
    });
    expect(run.code, run.stderr).toBe(0);
    const page = await chromium.browser.newPage();
    try {
      await page.goto(run.stdout.trim());
      expect(new URL(page.url()).pathname).toBe("/console/home");
      await expect(page.getByTestId("principal-arn").textContent()).resolves.toBe(
        "arn:aws:sts::444455556666:assumed-role/Admin/alice-console",
      );
    } finally {
      await page.close();
    }
  });
});
