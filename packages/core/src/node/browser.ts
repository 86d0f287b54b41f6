/**
 * Opening the authorize URL in a browser: the `BROWSER` variable when set (split like a shell, run
 * without one), else the platform's opener. Started detached, output ignored, never waited for; an exit
 * with an error in its first moments is reported, so a headless `xdg-open` that fails at once counts as "no browser".
 */
import { spawn } from "node:child_process";
import { browserCommandFor } from "../command-line.js";
import type { BrowserOpener } from "../ports.js";

/** The argv that opens `url` on this platform when BROWSER is not set. */
export function defaultBrowserCommand(platform: NodeJS.Platform, url: string): string[] {
  if (platform === "darwin") return ["open", url];
  if (platform === "win32") return ["rundll32", "url.dll,FileProtocolHandler", url];
  return ["xdg-open", url];
}

/**
 * How long an opener is watched after it started. `xdg-open` on a machine without a desktop exits non-zero at once;
 * one still running after this, or exiting 0 (it handed the URL on), counts as a browser that opened.
 */
const BROWSER_EARLY_EXIT_MS = 1500;

/**
 * Starts `argv` detached. Resolves true once it started, false if it could not be started; never waits for it.
 * If it then exits non-zero (or by a signal) within `graceMs`, calls `onFailed`.
 */
export function spawnDetached(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: { graceMs?: number; onFailed?: () => void } = {},
): Promise<boolean> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { detached: true, stdio: "ignore", env, windowsHide: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        // Neither the browser nor this watch keeps the process alive: the login may end while it runs.
        child.unref();
        const onExit = (code: number | null) => {
          clearTimeout(timer);
          if (code !== 0) options.onFailed?.();
        };
        const timer = setTimeout(() => child.off("exit", onExit), options.graceMs ?? BROWSER_EARLY_EXIT_MS);
        timer.unref();
        child.once("exit", onExit);
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

/** A BrowserOpener honouring `env.BROWSER`. */
export function createBrowserOpener(options: {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): BrowserOpener {
  return {
    async open(url, onFailed) {
      const browser = options.env.BROWSER;
      const argv =
        browser !== undefined && browser.trim() !== ""
          ? browserCommandFor(browser, url)
          : defaultBrowserCommand(options.platform ?? process.platform, url);
      return spawnDetached(argv, options.env, onFailed === undefined ? {} : { onFailed });
    },
  };
}
