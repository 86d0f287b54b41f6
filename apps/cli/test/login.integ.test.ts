import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { loginCacheKey, parseConfigFile, parseTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AUTHORIZE_URL,
  approveInBrowser,
  cacheFiles as cacheFilesOf,
  createSandbox,
  FAKE_BROWSER,
  runCli,
  type Sandbox,
  startCli,
} from "./helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = createSandbox();
});

afterEach(async () => {
  await emulator?.close();
  sandbox.cleanup();
});

function browserEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}`, ...extra };
}

function writeConfig(text: string): void {
  mkdirSync(dirname(sandbox.configPath), { recursive: true });
  writeFileSync(sandbox.configPath, text);
}

const cacheFiles = () => cacheFilesOf(sandbox);

/** Listens on 127.0.0.1 at a free port; `close` frees it again. */
async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("awslogin login against the emulator (auto-approve)", () => {
  beforeEach(async () => {
    emulator = await startEmulator({ autoApprove: true });
  });

  it("signs in through BROWSER, writes the AWS CLI cache and profile, and the credentials work with STS", async () => {
    const log = join(sandbox.dir, "browser.log");
    const run = await runCli(
      ["login", "--profile", "demo", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv({ FAKE_BROWSER_LOG: log }),
    );
    expect(run.stderr).toContain(
      "/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Signed in as ${DEFAULT_IDENTITY}`);

    // The browser got the success page from the loopback listener.
    const pages = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const callback = pages.find((p) => typeof p.url === "string" && p.url.includes("/oauth/callback"));
    expect(callback.status).toBe(200);
    expect(callback.body).toContain('data-result="success"');

    // Cache file: sha256(login_session).json, 0600 in a 0700 folder, AWS CLI fields.
    const file = join(sandbox.cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(sandbox.cacheDir).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, "utf8");
    const record = parseTokenCache(text, file);
    expect(record.clientId).toBe("arn:aws:signin:::devtools/same-device");
    expect(record.tokenType).toBe("aws_sigv4");
    expect(record.accessToken.accountId).toBe("111122223333");
    expect(record.accessToken.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(record.dpopKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(record.signInRegion).toBe("us-east-1");
    expect(text).toMatch(/^\{"accessToken": \{"accessKeyId": "ASIA/);
    // No secret reached the terminal.
    expect(run.stdout + run.stderr).not.toContain(record.refreshToken);
    expect(run.stdout + run.stderr).not.toContain(record.accessToken.secretAccessKey);

    // Config: the profile now points at the session, with the region.
    const config = parseConfigFile(readFileSync(sandbox.configPath, "utf8"));
    expect(config.demo).toMatchObject({ login_session: DEFAULT_IDENTITY, region: "us-east-1" });

    const sts = new STSClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: {
        accessKeyId: record.accessToken.accessKeyId,
        secretAccessKey: record.accessToken.secretAccessKey,
        sessionToken: record.accessToken.sessionToken,
      },
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(DEFAULT_IDENTITY);
    expect(identity.Account).toBe("111122223333");
    expect(emulator.stats().tokenRequests.authorization_code).toBe(1);
  });

  it("replaces %s in BROWSER with the URL and keeps the other words", async () => {
    const log = join(sandbox.dir, "browser.log");
    const run = await runCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv({
        BROWSER: `'${process.execPath}' "${FAKE_BROWSER}" --new-window %s`,
        FAKE_BROWSER_LOG: log,
      }),
    );
    expect(run.code, run.stderr).toBe(0);
    const first = JSON.parse(readFileSync(log, "utf8").split("\n")[0]!);
    expect(first.argv[0]).toBe("--new-window");
    expect(first.argv[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?/);
    // The default profile gets [default].
    expect(readFileSync(sandbox.configPath, "utf8")).toContain("[default]");
  });

  it("ignores a forged callback and completes with the real one", async () => {
    const cli = startCli(
      ["login", "--profile", "p", "--region", "us-east-1", "--endpoint-url", emulator.url, "--no-browser"],
      sandbox.env,
    );
    const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
    const authorize = new URL(url!);
    const redirect = new URL(authorize.searchParams.get("redirect_uri")!);
    const forged = await fetch(
      `${redirect.origin}/oauth/callback?code=forged&state=00000000-0000-4000-8000-000000000000`,
    );
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('data-result="not-this-login"');
    const other = await fetch(`${redirect.origin}/favicon.ico`);
    expect(other.status).toBe(404);
    // The real browser step: the emulator redirects to the loopback with code and state.
    const callback = await approveInBrowser(url!);
    expect(callback.status).toBe(200);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("ends with the callback's error when the state matches, writing nothing", async () => {
    const cli = startCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url, "--no-browser"],
      sandbox.env,
    );
    const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
    const authorize = new URL(url!);
    const redirect = authorize.searchParams.get("redirect_uri")!;
    const state = authorize.searchParams.get("state")!;
    const page = await fetch(
      `${redirect}?error=access_denied&error_description=User+cancelled&state=${state}`,
    );
    expect(page.status).toBe(400);
    const run = await cli.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AUTHORIZATION_DENIED");
    expect(run.stderr).toContain("User cancelled");
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(sandbox.configPath)).toBe(false);
  });

  it("--no-browser opens nothing, even with BROWSER set; the printed URL completes the login", async () => {
    const log = join(sandbox.dir, "browser.log");
    const cli = startCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url, "--no-browser"],
      browserEnv({ FAKE_BROWSER_LOG: log }),
    );
    const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
    expect(cli.stderr()).toContain(
      "Open the following URL in a browser on this machine.\nIf you cannot open the URL on this device, run this command again with --remote.",
    );
    expect(cli.stderr()).not.toContain("Attempting to open your default browser");
    // The person opens the URL themselves (here: the emulator approves and redirects to the loopback).
    const callback = await approveInBrowser(url!);
    expect(callback.status).toBe(200);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
    // BROWSER was never run: its first act would have been to append its argv to the log.
    expect(existsSync(log)).toBe(false);
    expect(emulator.stats().authorize.requests).toBe(1);
  });

  it("--redirect-port puts the loopback on that port: the redirect_uri names it and the login completes through it", async () => {
    const free = await holdPort();
    await free.close();
    const cli = startCli(
      [
        "login",
        "--region",
        "us-east-1",
        "--endpoint-url",
        emulator.url,
        "--no-browser",
        "--redirect-port",
        String(free.port),
      ],
      sandbox.env,
    );
    const [, url] = await cli.waitForStderr(AUTHORIZE_URL);
    const redirectUri = `http://127.0.0.1:${free.port}/oauth/callback`;
    expect(new URL(url!).searchParams.get("redirect_uri")).toBe(redirectUri);
    const approved = await fetch(url!, { redirect: "manual" });
    const location = approved.headers.get("location")!;
    expect(location.startsWith(`${redirectUri}?`)).toBe(true);
    const callback = await fetch(location);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('data-result="success"');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("--redirect-port on a port already in use fails with CALLBACK_LISTENER_FAILED, saying what to do, before signing in", async () => {
    const taken = await holdPort();
    try {
      const run = await runCli(
        [
          "login",
          "--region",
          "us-east-1",
          "--endpoint-url",
          emulator.url,
          "--redirect-port",
          String(taken.port),
        ],
        browserEnv(),
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("[CALLBACK_LISTENER_FAILED]");
      expect(run.stderr).toContain(
        `Port ${taken.port} on 127.0.0.1 is in use. Pick another --redirect-port, or leave it out to use a free port.`,
      );
      expect(run.stderr).not.toContain("/v1/authorize");
      expect(emulator.stats().authorize.requests).toBe(0);
      expect(cacheFiles()).toEqual([]);
      expect(existsSync(sandbox.configPath)).toBe(false);
    } finally {
      await taken.close();
    }
  });

  it("stops after --timeout with a clear message and writes nothing", async () => {
    const run = await runCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url, "--no-browser", "--timeout", "1"],
      sandbox.env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("LOGIN_TIMEOUT");
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(sandbox.configPath)).toBe(false);
  });

  it("reports a refused code exchange and writes nothing", async () => {
    emulator.injectFault({ count: 1, error: "AUTHCODE_EXPIRED" });
    const run = await runCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AUTHCODE_EXPIRED");
    expect(cacheFiles()).toEqual([]);
  });

  it("retries a 500 from the token endpoint and succeeds", async () => {
    emulator.injectFault({ count: 1, status: 500 });
    const run = await runCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.stats().tokenRequests.authorization_code).toBe(2);
  });

  it("refuses a profile with other credentials and leaves the config byte for byte", async () => {
    const original =
      "# mine\n[profile keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x ; note\n";
    writeConfig(original);
    const run = await runCli(
      ["login", "--profile", "keys", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("PROFILE_HAS_OTHER_CREDENTIALS");
    expect(run.stderr).toContain("aws_access_key_id");
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(original);
    expect(emulator.stats().tokenRequests.authorization_code).toBe(0);
  });

  it("refuses a profile whose keys are in the credentials file (the SDKs' merged view), writing nothing", async () => {
    const credentials = "[keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n";
    mkdirSync(dirname(sandbox.configPath), { recursive: true });
    writeFileSync(sandbox.env.AWS_SHARED_CREDENTIALS_FILE!, credentials);
    const run = await runCli(
      ["login", "--profile", "keys", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("PROFILE_HAS_OTHER_CREDENTIALS");
    expect(readFileSync(sandbox.env.AWS_SHARED_CREDENTIALS_FILE!, "utf8")).toBe(credentials);
    expect(existsSync(sandbox.configPath)).toBe(false);
    expect(emulator.stats().tokenRequests.authorization_code).toBe(0);
  });

  it("refuses to replace another login_session without a terminal unless --force", async () => {
    const original =
      "[profile dev]\nlogin_session = arn:aws:iam::999988887777:user/other\nregion = eu-west-1\n";
    writeConfig(original);
    const args = ["login", "--profile", "dev", "--endpoint-url", emulator.url];
    const refused = await runCli(args, browserEnv());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("SESSION_CONFLICT");
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(original);
    expect(cacheFiles()).toEqual([]);

    const forced = await runCli([...args, "--force"], browserEnv());
    expect(forced.code, forced.stderr).toBe(0);
    const config = parseConfigFile(readFileSync(sandbox.configPath, "utf8"));
    // The profile's region is kept; the session is replaced.
    expect(config.dev).toEqual({ login_session: DEFAULT_IDENTITY, region: "eu-west-1" });
  });

  it("fails with --expect-account for another account and writes nothing", async () => {
    const run = await runCli(
      ["login", "--region", "us-east-1", "--endpoint-url", emulator.url, "--expect-account", "444455556666"],
      browserEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ACCOUNT_MISMATCH");
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(sandbox.configPath)).toBe(false);
  });

  it("refuses a profile name the SDKs could not read before signing in, writing nothing", async () => {
    const run = await runCli(
      ["login", "--profile", "my profile", "--region", "us-east-1", "--endpoint-url", emulator.url],
      browserEnv(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("INVALID_ARGUMENT");
    expect(emulator.stats().tokenRequests.authorization_code).toBe(0);
    expect(cacheFiles()).toEqual([]);
    expect(existsSync(sandbox.configPath)).toBe(false);
  });

  it("needs a region when there is no terminal to ask", async () => {
    const run = await runCli(["login", "--endpoint-url", emulator.url], browserEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("NO_REGION");
  });

  it("honours AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL_SIGNIN", async () => {
    const run = await runCli(
      ["login"],
      browserEnv({
        AWS_PROFILE: "from-env",
        AWS_REGION: "eu-central-1",
        AWS_ENDPOINT_URL_SIGNIN: emulator.url,
      }),
    );
    expect(run.code, run.stderr).toBe(0);
    const config = parseConfigFile(readFileSync(sandbox.configPath, "utf8"));
    expect(config["from-env"]).toMatchObject({ login_session: DEFAULT_IDENTITY, region: "eu-central-1" });
  });
});
