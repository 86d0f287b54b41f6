/**
 * What reaches `awslogin login` from outside (the callback's query, the config file, its own flags) cannot act on
 * the terminal, mislead the user, or make it report a profile no AWS tool can find (issue 7 §6, §8).
 */
import { existsSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import {
  AUTHORIZE_URL,
  approveInBrowser,
  cacheFiles,
  FAKE_BROWSER,
  runCli,
  startCli,
  useEmulatorSandbox,
} from "./helpers.js";
import { writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox();

/** A terminal acts on ESC (CSI/OSC), BEL and the C1 controls; a raw line feed would start a forged line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these bytes are what the test looks for.
const TERMINAL_CONTROL = /[\u0007\u001b\u009b\u009d]/;

function loginArgs(...extra: string[]): string[] {
  return ["login", "--region", "us-east-1", "--endpoint-url", harness.emulator.url, ...extra];
}

/** Starts a login that prints its URL (no browser) and returns the callback address and state it waits for. */
async function waitingLogin(...extra: string[]) {
  const cli = startCli(loginArgs("--no-browser", ...extra), harness.sandbox.env);
  const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
  const params = new URL(url!).searchParams;
  return { cli, state: params.get("state")!, redirectUri: params.get("redirect_uri")! };
}

describe("login: a hostile callback", () => {
  it("an error_description with OSC 52, CSI and a forged line reaches stderr escaped, on one line", async () => {
    const { cli, state, redirectUri } = await waitingLogin();
    const callback = new URL(redirectUri);
    callback.searchParams.set("state", state);
    callback.searchParams.set("error", "access_denied\u001b[31m");
    callback.searchParams.set(
      "error_description",
      `\u001b]52;c;ZXZpbA==\u0007\u001b[2J\nError: forged\r\u009b2J${"x".repeat(3000)}`,
    );
    const page = await fetch(callback);
    expect(await page.text()).not.toMatch(TERMINAL_CONTROL);
    const run = await cli.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AUTHORIZATION_DENIED");
    expect(run.stderr + run.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(run.stderr).not.toMatch(/^Error: forged/m);
    expect(run.stderr).toContain("\\u001b]52;c;ZXZpbA==\\u0007");
    // Bounded: 3000 characters of the attacker's text are not echoed.
    expect(run.stderr.length).toBeLessThan(2000);
  });

  it("a bogus code with the right state says what happened, not that a code expired", async () => {
    const { cli, state, redirectUri } = await waitingLogin();
    const callback = new URL(redirectUri);
    callback.searchParams.set("state", state);
    callback.searchParams.set("code", "bogus-code-from-someone-else");
    await fetch(callback);
    const run = await cli.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AUTHCODE_EXPIRED");
    expect(run.stderr).toContain("refused the authorization code that reached this login's callback");
    expect(run.stderr).toContain("someone else on this machine may have sent it");
    expect(run.stderr).toContain("--expect-account");
    expect(run.stderr).not.toContain("Sign in again and finish promptly");
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(1);
    expect(cacheFiles(harness.sandbox)).toEqual([]);
    expect(existsSync(harness.sandbox.configPath)).toBe(false);
  });
});

describe("login: a flooded loopback listener", () => {
  it("200 idle and half-sent connections do not keep the real callback from completing the login", async () => {
    const { cli, redirectUri } = await waitingLogin();
    const port = Number(new URL(redirectUri).port);
    const flood: Socket[] = [];
    try {
      await Promise.all(
        Array.from(
          { length: 200 },
          (_, i) =>
            new Promise<void>((resolve) => {
              const socket = connect(port, "127.0.0.1", () => {
                if (i % 2 === 0) socket.write("GET /oauth/callback?state=x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                resolve();
              });
              socket.on("error", () => resolve());
              flood.push(socket);
            }),
        ),
      );
      const [, url] = cli.stderr().match(AUTHORIZE_URL)!;
      const page = await approveInBrowser(url!);
      expect(page.status).toBe(200);
      const run = await cli.done;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Signed in as ${DEFAULT_IDENTITY}`);
    } finally {
      for (const socket of flood) socket.destroy();
    }
  });
});

describe("login: --expect-account", () => {
  it.each(["12345", "1111222233334", "11112222333a", "", " 111122223333"])(
    "%j is a usage error before any browser opens or request is sent",
    async (account) => {
      const log = join(harness.sandbox.dir, "browser.log");
      const run = await runCli(loginArgs("--expect-account", account), {
        ...harness.sandbox.env,
        BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
        FAKE_BROWSER_LOG: log,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("--expect-account must be an AWS account ID: exactly 12 digits");
      expect(run.stderr).toContain("INVALID_ARGUMENT");
      expect(existsSync(log)).toBe(false);
      expect(harness.emulator.stats().authorize.requests).toBe(0);
      expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(0);
    },
  );

  it("is checked even before the region is asked for", async () => {
    const { AWS_REGION: _, ...env } = harness.sandbox.env;
    const run = await runCli(
      ["login", "--endpoint-url", harness.emulator.url, "--expect-account", "nope"],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--expect-account must be an AWS account ID");
  });
});

describe("login: profile names and files that play with prototypes", () => {
  it.each(["constructor", "hasOwnProperty", "toString"])(
    "a login into profile %s is then found by status",
    async (profile) => {
      const env = { ...harness.sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` };
      const login = await runCli(loginArgs("--profile", profile), env);
      expect(login.code, login.stderr).toBe(0);
      const status = await runCli(["status", "--profile", profile, "--json"], env);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        profile,
        state: "valid",
        loginSession: DEFAULT_IDENTITY,
      });
      const all = await runCli(["status", "--all", "--json"], env);
      expect(JSON.parse(all.stdout).map((s: { profile: string }) => s.profile)).toEqual([profile]);
    },
  );

  it.each(["[__proto__]\nx = y\n", "[profile __proto__]\n"])(
    "a config file with %j (the SDKs read no profile from it) is refused before the sign-in, untouched",
    async (text) => {
      writeConfig(harness.sandbox, `[profile other]\nregion = eu-west-1\n${text}`);
      const before = readFileSync(harness.sandbox.configPath, "utf8");
      const run = await runCli(loginArgs("--profile", "dev"), {
        ...harness.sandbox.env,
        BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("CONFIG_MALFORMED");
      expect(run.stderr).toContain("[__proto__] section");
      expect(run.stdout).not.toContain("Signed in");
      expect(harness.emulator.stats().authorize.requests).toBe(0);
      expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(before);
      expect(cacheFiles(harness.sandbox)).toEqual([]);
    },
  );

  it("the login (and a refusal) is never reported for __proto__ itself", async () => {
    const run = await runCli(loginArgs("--profile", "__proto__"), harness.sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain("Signed in");
  });
});
