import { describe, expect, it } from "vitest";
import { createBrowserOpener, defaultBrowserCommand, spawnDetached } from "./browser.js";

const node = (script: string) => [process.execPath, "-e", script];

describe("spawnDetached", () => {
  it.each<[string, string[], boolean]>([
    ["an opener that exits 3 at once (headless xdg-open)", node("process.exit(3)"), false],
    ["an opener killed by a signal at once", node("process.kill(process.pid, 'SIGTERM')"), false],
    ["an opener that hands the URL on and exits 0", node("process.exit(0)"), true],
    ["a program that does not exist (ENOENT)", ["/nonexistent/browser", "http://127.0.0.1/"], false],
    ["an empty command", [], false],
  ])("reports %s", async (_name, argv, started) => {
    expect(await spawnDetached(argv, process.env, 5_000)).toBe(started);
  });

  it("counts a browser that keeps running as started, without waiting for it", async () => {
    const began = Date.now();
    // Runs for 3 s on its own; the answer must come after the 200 ms grace, long before that.
    expect(await spawnDetached(node("setTimeout(() => {}, 3000)"), process.env, 200)).toBe(true);
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2_500);
  });
});

describe("createBrowserOpener", () => {
  it("runs BROWSER with the URL appended and reports its early failure", async () => {
    const url = "http://127.0.0.1:1/v1/authorize?x=1";
    const failing = createBrowserOpener({
      env: {
        ...process.env,
        BROWSER: `'${process.execPath}' -e "process.exit(process.argv.at(-1) === '${url}' ? 3 : 0)"`,
      },
    });
    expect(await failing.open(url)).toBe(false);
    const working = createBrowserOpener({
      env: {
        ...process.env,
        BROWSER: `'${process.execPath}' -e "process.exit(process.argv.at(-1) === '${url}' ? 0 : 3)"`,
      },
    });
    expect(await working.open(url)).toBe(true);
  });

  it("uses the platform's opener when BROWSER is not set", () => {
    expect(defaultBrowserCommand("linux", "u")).toEqual(["xdg-open", "u"]);
    expect(defaultBrowserCommand("darwin", "u")).toEqual(["open", "u"]);
    expect(defaultBrowserCommand("win32", "u")).toEqual(["rundll32", "url.dll,FileProtocolHandler", "u"]);
  });
});
