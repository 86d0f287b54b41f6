/**
 * Opening the authorize URL in a browser: the `BROWSER` variable when set (split like a shell, run
 * without one), else the platform's opener. Started detached, output ignored, never waited for.
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

/** Starts `argv` detached; resolves true once it started, false if it could not be started. */
export function spawnDetached(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { detached: true, stdio: "ignore", env, windowsHide: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
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
