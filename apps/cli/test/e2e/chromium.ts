import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/** Debian's Chromium, or the one AWSLOGIN_CHROMIUM names. Never a downloaded browser. */
export const CHROMIUM_PATH = process.env.AWSLOGIN_CHROMIUM ?? "/usr/bin/chromium";
export const INSTALL_HINT = "sudo apt-get update && sudo apt-get install -y chromium";

/** True when the browser tests can run here. When they cannot, says so loudly (once per file). */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.AWSLOGIN_REQUIRE_BROWSER === "1") {
    throw new Error(
      `Chromium is required for the browser tests but ${CHROMIUM_PATH} is missing. Install it: ${INSTALL_HINT}`,
    );
  }
  process.stderr.write(
    `\n${"!".repeat(78)}\n!! Browser tests NOT run: no Chromium at ${CHROMIUM_PATH}.\n!! Install it with: ${INSTALL_HINT}\n${"!".repeat(78)}\n\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/** One headless Chromium for the tests of the calling describe block, closed after them. */
export function useChromium(): { readonly browser: Browser } {
  const holder = {} as { browser: Browser };
  beforeAll(async () => {
    holder.browser = await launchChromium();
  });
  afterAll(async () => {
    await holder.browser?.close();
  });
  return holder;
}
