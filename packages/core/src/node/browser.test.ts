import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodePowershell, powershellLiteral } from "../testing/powershell.js";
import {
  browserCommand,
  createBrowserOpener,
  defaultBrowserCommand,
  isOnPath,
  isWsl,
  spawnDetached,
  wslBrowserCommand,
} from "./browser.js";

const node = (script: string) => [process.execPath, "-e", script];

describe("spawnDetached", () => {
  /** Starts `argv`: what it resolved, how soon, and whether onFailed was called within the next 800 ms. */
  async function outcome(argv: string[], graceMs = 5_000) {
    let failed = false;
    const began = Date.now();
    const started = await spawnDetached(argv, process.env, {
      graceMs,
      onFailed: () => {
        failed = true;
      },
    });
    const resolvedAfterMs = Date.now() - began;
    for (let waited = 0; waited < 800 && !failed; waited += 20) await new Promise((r) => setTimeout(r, 20));
    return { started, failed, resolvedAfterMs };
  }

  it.each<[string, string[], boolean, boolean]>([
    ["an opener that exits 3 at once (headless xdg-open)", node("process.exit(3)"), true, true],
    ["an opener killed by a signal at once", node("process.kill(process.pid, 'SIGTERM')"), true, true],
    ["an opener that hands the URL on and exits 0", node("process.exit(0)"), true, false],
    ["a program that does not exist (ENOENT)", ["/nonexistent/browser", "http://127.0.0.1/"], false, false],
    ["an empty command", [], false, false],
  ])("reports %s", async (_name, argv, started, failed) => {
    expect(await outcome(argv)).toMatchObject({ started, failed });
  });

  it("resolves once the browser started, without waiting for it, and a later exit is not a failure", async () => {
    // Runs for 1 s, then exits with an error: after the 200 ms grace, so that is the browser's business.
    const { started, failed, resolvedAfterMs } = await outcome(
      node("setTimeout(() => process.exit(1), 1000)"),
      200,
    );
    expect(started).toBe(true);
    expect(resolvedAfterMs).toBeLessThan(900);
    await new Promise((r) => setTimeout(r, 600));
    expect(failed).toBe(false);
  });
});

describe("createBrowserOpener", () => {
  it("runs BROWSER with the URL appended and reports its early failure to onFailed", async () => {
    const url = "http://127.0.0.1:1/v1/authorize?x=1";
    const failing = createBrowserOpener({
      env: {
        ...process.env,
        BROWSER: `'${process.execPath}' -e "process.exit(process.argv.at(-1) === '${url}' ? 3 : 0)"`,
      },
    });
    let failedAt: string | undefined;
    expect(await failing.open(url, () => (failedAt = url))).toBe(true);
    await expect.poll(() => failedAt, { timeout: 5_000 }).toBe(url);
    const working = createBrowserOpener({
      env: {
        ...process.env,
        BROWSER: `'${process.execPath}' -e "process.exit(process.argv.at(-1) === '${url}' ? 0 : 3)"`,
      },
    });
    let workingFailed = false;
    expect(
      await working.open(url, () => {
        workingFailed = true;
      }),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 800));
    expect(workingFailed).toBe(false);
  });

  it("uses the platform's opener when BROWSER is not set", () => {
    expect(defaultBrowserCommand("linux", "u")).toEqual(["xdg-open", "u"]);
    expect(defaultBrowserCommand("darwin", "u")).toEqual(["open", "u"]);
    expect(defaultBrowserCommand("win32", "u")).toEqual(["rundll32", "url.dll,FileProtocolHandler", "u"]);
  });
});

describe("isWsl", () => {
  it.each<[string, NodeJS.ProcessEnv, string | undefined, boolean]>([
    ["WSL_DISTRO_NAME set", { WSL_DISTRO_NAME: "Ubuntu" }, undefined, true],
    ["a WSL 2 kernel", {}, "5.15.167.4-microsoft-standard-WSL2\n", true],
    ["a WSL 1 kernel", {}, "4.4.0-19041-Microsoft\n", true],
    ["a plain Linux kernel", {}, "6.12.57+deb13-amd64\n", false],
    ["no kernel release to read", { WSL_DISTRO_NAME: "" }, undefined, false],
  ])("%s", (_name, env, release, expected) => {
    expect(isWsl(env, () => release)).toBe(expected);
  });
});

describe("browserCommand", () => {
  const url = "http://127.0.0.1:4567/v1/authorize?a=1&b=2";
  const choose = (
    env: NodeJS.ProcessEnv,
    onPath: string[],
    platform: NodeJS.Platform = "linux",
    release = "5.15.167.4-microsoft-standard-WSL2",
  ) =>
    browserCommand(url, { env, platform, readOsRelease: () => release, onPath: (n) => onPath.includes(n) });

  it("under WSL prefers wslview, then powershell.exe, then rundll32.exe, then xdg-open", () => {
    const all = ["wslview", "powershell.exe", "rundll32.exe", "xdg-open"];
    expect(choose({}, all)).toEqual(["wslview", url]);
    const powershell = choose({}, all.slice(1));
    expect(powershell.slice(0, 4)).toEqual([
      "powershell.exe",
      "-NoProfile",
      "-NonInteractive",
      "-EncodedCommand",
    ]);
    expect(powershellLiteral(decodePowershell(powershell[4]!))).toBe(url);
    expect(choose({}, all.slice(2))).toEqual(["rundll32.exe", "url.dll,FileProtocolHandler", url]);
    expect(choose({}, [])).toEqual(["xdg-open", url]);
  });

  it("lets BROWSER win under WSL", () => {
    expect(choose({ BROWSER: "firefox --new-tab" }, ["wslview"])).toEqual(["firefox", "--new-tab", url]);
  });

  it("leaves Linux without WSL, and other platforms, to their own opener", () => {
    expect(choose({}, ["wslview"], "linux", "6.12.57+deb13-amd64")).toEqual(["xdg-open", url]);
    expect(choose({ WSL_DISTRO_NAME: "Ubuntu" }, ["wslview"], "darwin")).toEqual(["open", url]);
  });

  it("hands no Windows opener a URL that is not http(s), and lets xdg-open have it", () => {
    for (const odd of [
      "file:///C:/Windows/System32/calc.exe",
      "C:\\Windows\\System32\\calc.exe",
      "javascript:alert(1)",
    ]) {
      expect(wslBrowserCommand(odd, () => true)).toBeUndefined();
    }
  });
});

describe("isOnPath", () => {
  it("finds executable files in PATH's absolute folders only", () => {
    const dir = mkdtempSync(join(tmpdir(), "awslogin-path-"));
    try {
      writeFileSync(join(dir, "wslview"), "#!/bin/sh\n", { mode: 0o755 });
      writeFileSync(join(dir, "powershell.exe"), "not executable", { mode: 0o644 });
      mkdirSync(join(dir, "rundll32.exe"));
      const env = { PATH: `relative:${dir}` };
      expect(isOnPath("wslview", env)).toBe(true);
      expect(isOnPath("powershell.exe", env)).toBe(false);
      expect(isOnPath("rundll32.exe", env)).toBe(false);
      expect(isOnPath("wslview", { PATH: "" })).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
