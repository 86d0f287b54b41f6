import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { createSandbox, FAKE_BROWSER, runCli, startCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, loginProfile, readRecord, writeConfig } from "./session-helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";

const FILE_PAGE_BROWSER = fileURLToPath(new URL("./fixtures/file-page-browser.mjs", import.meta.url));

/** Opens a console login URL as a browser would: the redirect, then the console page with the cookie it set. */
async function followLogin(url: string): Promise<{ status: number; html: string }> {
  const redirect = await fetch(url, { redirect: "manual" });
  if (redirect.status !== 302) return { status: redirect.status, html: await redirect.text() };
  const cookie = redirect.headers.get("set-cookie")!.split(";")[0]!;
  const page = await fetch(new URL(redirect.headers.get("location")!, url), { headers: { cookie } });
  return { status: page.status, html: await page.text() };
}

describe("awslogin console, where the federation endpoint takes login-session credentials", () => {
  const harness = useEmulatorSandbox({ autoApprove: true, federationAcceptsLoginCredentials: true });

  it("--print writes a login URL for the emulator's federation endpoint that lands on the console as the principal", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const run = await runCli(["console", "--profile", "dev", "--print"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    const url = run.stdout.trim();
    expect(run.stdout).toBe(`${url}\n`);
    expect(
      url.startsWith(`${harness.emulator.url}/federation?Action=login&Issuer=awslogin&Destination=`),
    ).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get("Destination")).toBe("https://console.aws.amazon.com/console/home?region=us-east-1");
    const token = params.get("SigninToken")!;
    expect(token.length).toBeGreaterThan(20);
    expect(run.stderr).toContain(
      "Warning: this URL signs whoever opens it in to the AWS console as profile dev",
    );
    expect(run.stderr).not.toContain(token);
    // No credential reached the terminal.
    const { accessToken } = readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    expect(run.stdout + run.stderr).not.toContain(accessToken.secretAccessKey);
    expect(run.stdout + run.stderr).not.toContain(accessToken.sessionToken);

    const page = await followLogin(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-testid="principal-arn">${DEFAULT_IDENTITY}<`);
    expect(harness.emulator.stats().federation).toEqual({ signinTokens: 1, logins: 1, refused: 0 });
  });

  it("--destination takes a service name or a console URL, and refuses another host before any request", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const s3 = await runCli(["console", "-p", "dev", "--print", "--destination", "s3"], harness.sandbox.env);
    expect(s3.code, s3.stderr).toBe(0);
    expect(new URL(s3.stdout.trim()).searchParams.get("Destination")).toBe(
      "https://console.aws.amazon.com/s3/home?region=us-east-1",
    );
    const ec2 = "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:";
    const url = await runCli(["console", "-p", "dev", "--print", "-d", ec2], harness.sandbox.env);
    expect(new URL(url.stdout.trim()).searchParams.get("Destination")).toBe(ec2);
    const tokens = harness.emulator.stats().federation.signinTokens;

    const evil = await runCli(
      ["console", "-p", "dev", "--print", "-d", "https://console.aws.amazon.com.evil.invalid/"],
      harness.sandbox.env,
    );
    expect(evil.code).toBe(2);
    expect(evil.stderr).toContain("[INVALID_ARGUMENT]");
    expect(evil.stdout).toBe("");
    expect(harness.emulator.stats().federation.signinTokens).toBe(tokens);
  });

  it("without --print hands the browser a private file page, never the login URL, and it lands on the console", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const log = join(harness.sandbox.dir, "browser.log");
    const run = await runCli(["console", "--profile", "dev"], {
      ...harness.sandbox.env,
      BROWSER: `${process.execPath} ${FILE_PAGE_BROWSER}`,
      FAKE_BROWSER_LOG: log,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("Opened the AWS console as profile dev in your browser");
    const seen = JSON.parse(readFileSync(log, "utf8").trim()) as {
      argv: string[];
      modes: { file: number; folder: number };
      forward: string;
      status: number;
      body: string;
    };
    // The browser's command line holds only the page's path: no sign-in token for other users to read.
    expect(seen.argv.at(-1)).toMatch(/^file:\/\/\/.*\/awslogin-console-[^/]+\/console\.html$/);
    expect(seen.argv.join(" ")).not.toContain("SigninToken");
    expect(seen.modes).toEqual({ file: 0o600, folder: 0o700 });
    expect(seen.forward.startsWith(`${harness.emulator.url}/federation?Action=login&Issuer=awslogin&`)).toBe(
      true,
    );
    const token = new URL(seen.forward).searchParams.get("SigninToken")!;
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(seen.status).toBe(200);
    expect(seen.body).toContain(`data-testid="principal-arn">${DEFAULT_IDENTITY}<`);
    expect(harness.emulator.stats().federation.logins).toBe(1);
  });

  it("says so when no browser can be started, printing no URL", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const run = await runCli(["console", "--profile", "dev"], {
      ...harness.sandbox.env,
      BROWSER: "/nonexistent/browser",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("No browser could be started");
    expect(run.stderr).toContain("awslogin console --print");
    expect(run.stdout + run.stderr).not.toContain("SigninToken");
  });
});

describe("awslogin console, where the federation endpoint refuses login-session credentials (the emulator's default)", () => {
  const harness = useEmulatorSandbox({ autoApprove: true });

  it("says what is possible: a role profile on top of the login profile", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const run = await runCli(["console", "--profile", "dev", "--print"], harness.sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("[CONSOLE_SIGNIN_REFUSED]");
    expect(run.stderr).toContain("role_arn and source_profile = dev");
    expect(run.stderr).toContain("HTTP 403");
    const { accessToken } = readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    expect(run.stderr).not.toContain(accessToken.secretAccessKey);
    expect(run.stderr).not.toContain(accessToken.accessKeyId);
    expect(harness.emulator.stats().federation.refused).toBe(1);
  });

  it("refuses a profile without a login session as other commands do", async () => {
    const run = await runCli(["console", "--profile", "nobody", "--print"], harness.sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[PROFILE_NOT_FOUND]");
  });
});

describe("awslogin console with a role profile (the emulator refuses login-session credentials)", () => {
  const harness = useEmulatorSandbox({ autoApprove: true, roles: [ADMIN] });
  const roleEnv = () => ({
    ...harness.sandbox.env,
    AWS_ENDPOINT_URL_STS: harness.emulator.url,
    AWSLOGIN_ROLE_CACHE_DIRECTORY: join(harness.sandbox.dir, ".aws", "cli", "cache"),
  });

  it("--print signs the assumed role in through the login profile's federation endpoint", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    appendFileSync(
      harness.sandbox.configPath,
      `\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nregion = eu-west-1\n`,
    );
    const run = await runCli(["console", "--profile", "admin", "--print"], roleEnv());
    expect(run.code, run.stderr).toBe(0);
    const url = run.stdout.trim();
    expect(url.startsWith(`${harness.emulator.url}/federation?Action=login&Issuer=awslogin&`)).toBe(true);
    // The role profile's region picks the console's.
    expect(new URL(url).searchParams.get("Destination")).toBe(
      "https://console.aws.amazon.com/console/home?region=eu-west-1",
    );
    expect(run.stderr).toContain("as profile admin");
    expect(harness.emulator.stats().assumeRole.requests).toBe(1);
    expect(harness.emulator.stats().federation).toEqual({ signinTokens: 1, logins: 0, refused: 0 });
    const page = await followLogin(url);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(
      /data-testid="principal-arn">arn:aws:sts::444455556666:assumed-role\/Admin\/awslogin-[^<]+</,
    );
  });

  it("a role profile whose chain does not start at a login profile is the role chain's error, not PROFILE_NOT_LOGIN", async () => {
    writeConfig(
      harness.sandbox,
      `[profile keys]\nregion = us-east-1\n[profile ops]\nrole_arn = ${ADMIN}\nsource_profile = keys\n`,
    );
    const run = await runCli(["console", "--profile", "ops", "--print"], roleEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("[ROLE_CHAIN_NOT_LOGIN]");
    expect(run.stderr).toContain("profile keys");
    expect(run.stderr).not.toContain("PROFILE_NOT_LOGIN");
    expect(harness.emulator.stats().assumeRole.requests).toBe(0);
    expect(harness.emulator.stats().federation.signinTokens).toBe(0);
  });
});

const ALICE = "arn:aws:iam::111122223333:user/alice";

describe("awslogin console against `awslogin emulator --federation-accepts-login-credentials`", () => {
  it("signs a login profile in to the emulated console, and the flag is what lets it", async () => {
    const sandbox = createSandbox();
    const servers = [
      // Another identity than the second emulator's: one login session, one cache file.
      startCli(
        [
          "emulator",
          "--auto-approve",
          "--quiet",
          "--federation-accepts-login-credentials",
          "--identity",
          ALICE,
        ],
        sandbox.env,
      ),
      startCli(["emulator", "--auto-approve", "--quiet"], sandbox.env),
    ];
    try {
      const urls: string[] = [];
      for (const server of servers) {
        for (let waited = 0; !server.stdout().includes("\n") && waited < 20_000; waited += 50) {
          await new Promise((r) => setTimeout(r, 50));
        }
        urls.push(server.stdout().split("\n")[0]!);
      }
      const browser = { ...sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` };
      for (const [profile, url] of [
        ["open", urls[0]!],
        ["strict", urls[1]!],
      ] as const) {
        const login = await runCli(
          ["login", "-p", profile, "--region", "us-east-1", "--endpoint-url", url],
          browser,
        );
        expect(login.code, login.stderr).toBe(0);
      }
      const open = await runCli(["console", "-p", "open", "--print"], sandbox.env);
      expect(open.code, open.stderr).toBe(0);
      const page = await followLogin(open.stdout.trim());
      expect(page.html).toContain(`data-testid="principal-arn">${ALICE}<`);
      const strict = await runCli(["console", "-p", "strict", "--print"], sandbox.env);
      expect(strict.code).toBe(1);
      expect(strict.stderr).toContain("[CONSOLE_SIGNIN_REFUSED]");
    } finally {
      for (const server of servers) {
        server.child.kill("SIGINT");
        await server.done;
      }
      sandbox.cleanup();
    }
  });
});
