import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  approveInBrowser,
  cacheFiles as cacheFilesOf,
  FAKE_BROWSER,
  startCli,
  useEmulatorSandbox,
} from "./helpers.js";

const STANDIN = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "windows-opener-standin.mjs");
const harness = useEmulatorSandbox();

/**
 * A PATH holding only stand-ins named `names` (each records its argv and what URL Windows would get), and the
 * environment of a WSL session without BROWSER. Nothing else is on PATH: no real xdg-open or wslview can run.
 */
function wslEnv(names: string[], extra: NodeJS.ProcessEnv = {}) {
  const bin = join(harness.sandbox.dir, "bin");
  mkdirSync(bin, { recursive: true });
  for (const name of names) {
    const path = join(bin, name);
    writeFileSync(path, `#!/bin/sh\nexec '${process.execPath}' '${STANDIN}' "$0" '${FAKE_BROWSER}' "$@"\n`);
    chmodSync(path, 0o755);
  }
  const log = join(harness.sandbox.dir, "opener.log");
  const { BROWSER: _ignored, ...sandboxEnv } = harness.sandbox.env;
  const env: NodeJS.ProcessEnv = {
    ...sandboxEnv,
    PATH: bin,
    WSL_DISTRO_NAME: "Ubuntu",
    WSL_STANDIN_LOG: log,
    AWSLOGIN_CONTAINER: "0",
    ...extra,
  };
  const calls = () =>
    readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { name: string; argv: string[]; url?: string });
  return { env, calls };
}

const LOGIN = (url: string) => ["login", "--region", "us-east-1", "--endpoint-url", url, "--timeout", "20"];

describe("awslogin login under WSL opens the Windows browser", () => {
  it.each([
    ["wslview", ["wslview", "powershell.exe", "rundll32.exe"]],
    ["powershell.exe", ["powershell.exe", "rundll32.exe"]],
    ["rundll32.exe", ["rundll32.exe"]],
  ])("through %s, and the whole authorize URL (every & of it) arrives", async (opener, onPath) => {
    const { env, calls } = wslEnv(onPath);
    const cli = startCli(LOGIN(harness.emulator.url), env);
    const [, printed] = await cli.waitForStderr(/\n\n(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)\n\n/);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(calls()).toHaveLength(1);
    const [call] = calls();
    expect(call!.name).toBe(opener);
    expect(call!.url).toBe(printed);
    expect([...new URL(call!.url!).searchParams.keys()]).toEqual([...new URL(printed!).searchParams.keys()]);
    expect(new URL(printed!).searchParams.get("code_challenge_method")).toBe("SHA-256");
    expect(run.stderr).not.toContain("Hint:");
    expect(cacheFilesOf(harness.sandbox)).toHaveLength(1);
  });

  it("still names --remote when the Windows opener fails at once, and the printed URL completes the login", async () => {
    const { env, calls } = wslEnv(["powershell.exe"], { WSL_STANDIN_FAIL: "1" });
    const cli = startCli(LOGIN(harness.emulator.url), env);
    const [, url] = await cli.waitForStderr(/\n\n(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)\n\n/);
    await cli.waitForStderr(/The browser did not open \(its opener exited with an error\)/);
    await cli.waitForStderr(/no browser could be started on this machine.*awslogin login --remote/s);
    expect(calls()[0]!.url).toBe(url);
    expect((await approveInBrowser(url!)).status).toBe(200);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
  });

  it("lets BROWSER win over the Windows openers", async () => {
    const { env } = wslEnv(["wslview"], { BROWSER: `${process.execPath} ${FAKE_BROWSER}` });
    const run = await startCli(LOGIN(harness.emulator.url), env).done;
    expect(run.code, run.stderr).toBe(0);
    expect(() => readFileSync(env.WSL_STANDIN_LOG!, "utf8")).toThrow();
  });
});
