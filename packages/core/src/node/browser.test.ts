import { describe, expect, it } from "vitest";
import { createBrowserOpener, defaultBrowserCommand, spawnDetached } from "./browser.js";

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
