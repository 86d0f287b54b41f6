/**
 * Opening the authorize URL in a browser: the `BROWSER` variable when set (split like a shell, run
 * without one), else the platform's opener (under WSL, the Windows browser). Started detached, output ignored, never
 * waited for; an exit with an error in its first moments is reported, so a headless `xdg-open` that fails at once
 * counts as "no browser".
 */
import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { browserCommandFor } from "../command-line.js";
import type { BrowserOpener } from "../ports.js";

/** The argv that opens `url` on this platform when BROWSER is not set. */
export function defaultBrowserCommand(platform: NodeJS.Platform, url: string): string[] {
  if (platform === "darwin") return ["open", url];
  if (platform === "win32") return ["rundll32", "url.dll,FileProtocolHandler", url];
  return ["xdg-open", url];
}

/**
 * True under the Windows Subsystem for Linux: WSL sets `WSL_DISTRO_NAME` in every session, and its kernel's release
 * names Microsoft (`/proc/sys/kernel/osrelease`, read through `readOsRelease` so tests decide).
 */
export function isWsl(env: NodeJS.ProcessEnv, readOsRelease: () => string | undefined): boolean {
  if ((env.WSL_DISTRO_NAME ?? "") !== "") return true;
  return /microsoft/i.test(readOsRelease() ?? "");
}

/** The running kernel's release string, or undefined where there is none to read (not Linux, a sandbox). */
export function readKernelRelease(): string | undefined {
  try {
    // A procfs file of a few dozen bytes: cut anyway, it is outside text.
    return readFileSync("/proc/sys/kernel/osrelease", "utf8").slice(0, 256);
  } catch {
    return undefined;
  }
}

/** Whether `name` is an executable file in one of PATH's folders (what a shell would run for a bare name). */
export function isOnPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const folder of (env.PATH ?? "").split(delimiter)) {
    // An empty PATH entry means the current folder to a shell; a browser opener is never looked up there.
    if (folder === "" || !folder.startsWith("/")) continue;
    const candidate = join(folder, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      // Not there, or not executable: the next folder.
    }
  }
  return false;
}

/**
 * `url` as a Windows opener may get it, or undefined when it may not have it: http(s) only (a Windows opener would
 * also run a file path or any other registered scheme), serialized as a browser would parse it (WHATWG: `"`,
 * spaces and non-ASCII percent-encoded, which changes no URL a browser would load), then only printable ASCII
 * without a quote or a space, so WSL's conversion of argv into a Windows command line has nothing to quote or escape.
 */
export function urlForWindows(url: string): string | undefined {
  if (url.length > 8192) return undefined;
  let href: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    href = parsed.href;
  } catch {
    return undefined;
  }
  return /^[\x21\x23-\x7e]+$/.test(href) ? href : undefined;
}

/**
 * A PowerShell script that opens `url`, as `-EncodedCommand` takes it (base64 of UTF-16LE). The URL sits in a
 * single-quoted literal, where PowerShell expands nothing and only a quote is special (doubled; PowerShell also
 * takes the typographic single quotes as quotes, so those are doubled too). Only base64 crosses the command line, so
 * neither WSL's conversion of argv to a Windows command line nor powershell.exe's parsing of it can cut the URL at
 * `&`, `^`, `%` or a quote.
 */
export function powershellOpenScript(url: string): string {
  const literal = url.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote);
  return Buffer.from(`Start-Process -FilePath '${literal}'`, "utf16le").toString("base64");
}

/**
 * The argv that opens `url` in the Windows browser from WSL, or undefined when no Windows opener is on PATH or the
 * URL is not one to hand over. `wslview` (wslu) first, the tool WSL distributions ship for this; then
 * powershell.exe with the script of {@link powershellOpenScript}; then `rundll32.exe url.dll,FileProtocolHandler`,
 * which takes the rest of its command line as the URL and parses nothing (safe because the URL, from
 * {@link urlForWindows}, has no space or quote for WSL to wrap it in quotes). `cmd.exe /c start` is not used: its
 * `%` expansion cannot be escaped on a /c command line, and `&`, `^` and `"` would each need their own rule.
 */
export function wslBrowserCommand(rawUrl: string, onPath: (name: string) => boolean): string[] | undefined {
  const url = urlForWindows(rawUrl);
  if (url === undefined) return undefined;
  if (onPath("wslview")) return ["wslview", url];
  if (onPath("powershell.exe")) {
    return ["powershell.exe", "-NoProfile", "-NonInteractive", "-EncodedCommand", powershellOpenScript(url)];
  }
  if (onPath("rundll32.exe")) return ["rundll32.exe", "url.dll,FileProtocolHandler", url];
  return undefined;
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

/**
 * The argv that opens `url`: BROWSER when the user set it, else under WSL the Windows browser
 * ({@link wslBrowserCommand}), else the platform's opener.
 */
export function browserCommand(
  url: string,
  options: {
    env: NodeJS.ProcessEnv;
    platform: NodeJS.Platform;
    readOsRelease: () => string | undefined;
    onPath: (name: string) => boolean;
  },
): string[] {
  const browser = options.env.BROWSER;
  if (browser !== undefined && browser.trim() !== "") return browserCommandFor(browser, url);
  if (options.platform === "linux" && isWsl(options.env, options.readOsRelease)) {
    // Without a Windows opener on PATH (appendWindowsPath=false), a Linux browser may still be set up (WSLg).
    const windows = wslBrowserCommand(url, options.onPath);
    if (windows !== undefined) return windows;
  }
  return defaultBrowserCommand(options.platform, url);
}

/** A BrowserOpener honouring `env.BROWSER`, and opening the Windows browser under WSL. */
export function createBrowserOpener(options: {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The kernel release, for the WSL check (default: /proc/sys/kernel/osrelease). */
  readOsRelease?: () => string | undefined;
}): BrowserOpener {
  return {
    async open(url, onFailed) {
      const argv = browserCommand(url, {
        env: options.env,
        platform: options.platform ?? process.platform,
        readOsRelease: options.readOsRelease ?? readKernelRelease,
        onPath: (name) => isOnPath(name, options.env),
      });
      return spawnDetached(argv, options.env, onFailed === undefined ? {} : { onFailed });
    },
  };
}
