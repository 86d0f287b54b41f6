/**
 * Opening the authorize URL in a browser: the `BROWSER` variable when set (split like a shell, run
 * without one), else the platform's opener. Started detached, output ignored; only an exit in its first
 * moments is watched for, so a headless `xdg-open` that fails at once is reported as "no browser".
 */
import { spawn } from "node:child_process";
import { browserCommandFor } from "../command-line.js";
import type { BrowserOpener } from "../login.js";

/** The argv that opens `url` on this platform when BROWSER is not set. */
export function defaultBrowserCommand(platform: NodeJS.Platform, url: string): string[] {
  if (platform === "darwin") return ["open", url];
  if (platform === "win32") return ["rundll32", "url.dll,FileProtocolHandler", url];
  return ["xdg-open", url];
}

/**
 * How long an opener gets to fail. `xdg-open` on a machine without a desktop exits non-zero at once; a
 * browser that is still running after this counts as started, and is never waited for any longer.
 */
export const BROWSER_EARLY_EXIT_MS = 1500;

/**
 * Starts `argv` detached. Resolves false if it could not be started, or exited non-zero (or by a signal)
 * within `graceMs`; true if it exited 0 by then (an opener that handed the URL on) or is still running.
 */
export function spawnDetached(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  graceMs: number = BROWSER_EARLY_EXIT_MS,
): Promise<boolean> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (started: boolean) => {
      clearTimeout(timer);
      resolve(started);
    };
    try {
      const child = spawn(command, args, { detached: true, stdio: "ignore", env, windowsHide: true });
      child.once("error", () => settle(false));
      child.once("exit", (code) => settle(code === 0));
      child.once("spawn", () => {
        // Not kept alive by the browser: the login may end (and this process exit) while it runs.
        child.unref();
        timer = setTimeout(() => settle(true), graceMs);
        timer.unref(); // nor by this watch
      });
    } catch {
      settle(false);
    }
  });
}

/** A BrowserOpener honouring `env.BROWSER`. */
export function createBrowserOpener(options: {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): BrowserOpener {
  return {
    async open(url) {
      const browser = options.env.BROWSER;
      const argv =
        browser !== undefined && browser.trim() !== ""
          ? browserCommandFor(browser, url)
          : defaultBrowserCommand(options.platform ?? process.platform, url);
      return spawnDetached(argv, options.env);
    },
  };
}
