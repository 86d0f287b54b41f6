/**
 * `awslogin serve` and `exec --serve` as real processes, read by the official clients: the JS SDK's container
 * provider (@aws-sdk/credential-provider-http) and botocore's, each calling STS on the emulator with what it got.
 * @see docs/protocol.md §17.2
 */
import { execFile, execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp } from "@aws-sdk/credential-provider-http";
import { formatExpiresAt } from "@awslogin/core";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startCli, useEmulatorSandbox } from "./helpers.js";
import { eventually, type RunningServe, rawRequest, startServe } from "./serve-helpers.js";
import { cachePathOf, editRecord, loginProfile, readRecord } from "./session-helpers.js";

const harness = useEmulatorSandbox();
const running: RunningServe[] = [];
afterEach(async () => {
  for (const serve of running.splice(0)) await serve.stop();
});

async function serveProfile(...args: string[]): Promise<RunningServe> {
  const serve = await startServe(args, harness.sandbox.env);
  running.push(serve);
  return serve;
}

function cachePath(): string {
  return cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
}

const BOTOCORE_INSTALL_HINT = "sudo apt-get install -y python3-botocore";

/** True when python3 can import botocore. Without it, says so loudly, or fails under AWSLOGIN_REQUIRE_BOTOCORE=1. */
function hasBotocore(): boolean {
  try {
    execFileSync("python3", ["-c", "import botocore"], { stdio: "ignore" });
    return true;
  } catch {
    // not installed
  }
  if (process.env.AWSLOGIN_REQUIRE_BOTOCORE === "1") {
    throw new Error(
      `botocore is required for the container endpoint tests (AWSLOGIN_REQUIRE_BOTOCORE=1) but python3 cannot import it. Install it: ${BOTOCORE_INSTALL_HINT}`,
    );
  }
  process.stderr.write(
    `\n${"!".repeat(78)}\n!! botocore tests NOT run: python3 cannot import botocore.\n!! Install it with: ${BOTOCORE_INSTALL_HINT}\n${"!".repeat(78)}\n\n`,
  );
  return false;
}

/**
 * botocore's default chain with only the endpoint's variables (and no config file, so no profile competes): the
 * credentials it resolves, their method, and the identity STS on the emulator answers for them; or its error.
 */
const BOTOCORE_SCRIPT = `
import json, sys
import botocore.session
session = botocore.session.get_session()
try:
    creds = session.get_credentials()
    frozen = creds.get_frozen_credentials()
    sts = session.create_client("sts", region_name="us-east-1", endpoint_url=sys.argv[1])
    arn = sts.get_caller_identity()["Arn"]
    print(json.dumps({"method": creds.method, "accessKeyId": frozen.access_key, "token": frozen.token, "arn": arn}))
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
`;

async function runBotocore(serve: RunningServe): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)("python3", ["-c", BOTOCORE_SCRIPT, harness.emulator.url], {
    env: {
      PATH: process.env.PATH,
      HOME: harness.sandbox.dir,
      AWS_CONFIG_FILE: join(harness.sandbox.dir, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(harness.sandbox.dir, "no-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: serve.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: serve.token,
    },
  });
  return JSON.parse(stdout) as Record<string, string>;
}

describe("awslogin serve", () => {
  it("prints the endpoint's variables; the JS SDK's fromHttp gets the cached credentials and STS answers for them", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const record = readRecord(cachePath());
    const serve = await serveProfile("--profile", "dev");
    expect(Object.keys(serve.variables)).toEqual([
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/profiles\/dev$/);
    expect(serve.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token is printed once, on stdout: never in the log on stderr.
    expect(serve.cli.stderr()).not.toContain(serve.token);

    const provider = fromHttp({
      awsContainerCredentialsFullUri: serve.url,
      awsContainerAuthorizationToken: serve.token,
    });
    const credentials = await provider();
    expect(credentials).toMatchObject({
      accessKeyId: record.accessToken.accessKeyId,
      secretAccessKey: record.accessToken.secretAccessKey,
      sessionToken: record.accessToken.sessionToken,
    });
    expect(credentials.expiration?.toISOString().replace(/\.000Z$/, "Z")).toBe(record.accessToken.expiresAt);

    const sts = new STSClient({ region: "us-east-1", endpoint: harness.emulator.url, credentials: provider });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(DEFAULT_IDENTITY);
    // The cache was fresh: served without a token call.
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(0);

    // A new random token at each start.
    const second = await serveProfile("--profile", "dev");
    expect(second.token).not.toBe(serve.token);
    expect(second.port).not.toBe(serve.port);
  });

  it.runIf(hasBotocore())(
    "botocore's container provider gets them too, and STS answers for them",
    async () => {
      await loginProfile(harness.sandbox, harness.emulator, "dev");
      const record = readRecord(cachePath());
      const serve = await serveProfile("--profile", "dev");
      const answer = await runBotocore(serve);
      expect(answer).toEqual({
        method: "container-role",
        accessKeyId: record.accessToken.accessKeyId,
        token: record.accessToken.sessionToken,
        arn: DEFAULT_IDENTITY,
      });
    },
  );

  it("refreshes in the background before the credentials are due, with no request waiting", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    // Due in 4 seconds (5 minutes before the expiry): served from the cache at start, refreshed after.
    editRecord(cachePath(), (r) => ({
      ...r,
      accessToken: { ...r.accessToken, expiresAt: formatExpiresAt(Date.now() + 5 * 60_000 + 4_000) },
    }));
    const old = readRecord(cachePath());
    const serve = await serveProfile("--profile", "dev");
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(0);
    await eventually(
      () => (harness.emulator.stats().tokenRequests.refresh_token === 1 ? true : undefined),
      "the background refresh",
    );
    // The record is written before the server holds the new credentials: the served ones change soon after.
    const served = await eventually(async () => {
      const answer = await rawRequest(serve.port, "/profiles/dev", {
        headers: { host: `127.0.0.1:${serve.port}`, authorization: serve.token },
      });
      const body = JSON.parse(answer.body) as { AccessKeyId: string };
      return body.AccessKeyId === old.accessToken.accessKeyId ? undefined : body;
    }, "the refreshed credentials");
    expect(served.AccessKeyId).toBe(readRecord(cachePath()).accessToken.accessKeyId);
    // One refresh in all.
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("a refused session answers TOKEN_EXPIRED as JSON the SDKs show; a new login heals it without a restart", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    editRecord(cachePath(), (r) => ({
      ...r,
      accessToken: { ...r.accessToken, expiresAt: formatExpiresAt(Date.now() + 60_000) },
    }));
    harness.emulator.injectFault({ count: 1000, error: "TOKEN_EXPIRED" });
    const serve = await serveProfile("--profile", "dev");

    const raw = await eventually(async () => {
      const answer = await rawRequest(serve.port, "/profiles/dev", {
        headers: { host: `127.0.0.1:${serve.port}`, authorization: serve.token },
      });
      return answer.status === 403 ? answer : undefined;
    }, "the refusal");
    expect(raw.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(raw.body) as { Code: string; Message: string };
    expect(body.Code).toBe("TOKEN_EXPIRED");
    expect(body.Message).toContain("profile dev");
    expect(body.Message).toContain("Run `awslogin login --profile dev`.");

    // The JS SDK attaches Code and Message to its error.
    const sdkError = await fromHttp({
      awsContainerCredentialsFullUri: serve.url,
      awsContainerAuthorizationToken: serve.token,
      maxRetries: 0,
    })().then(
      () => undefined,
      (error: unknown) => error as { Code?: string; Message?: string; message: string },
    );
    expect(sdkError).toMatchObject({ Code: "TOKEN_EXPIRED", message: "Server responded with status: 403" });
    expect(sdkError?.Message).toContain("awslogin login --profile dev");

    if (hasBotocore()) {
      const answer = await runBotocore(serve);
      expect(answer.error).toBe("CredentialRetrievalError");
      expect(answer.message).toContain("TOKEN_EXPIRED");
      expect(answer.message).toContain("awslogin login --profile dev");
    }

    // The server told its own terminal once, and kept running.
    expect(serve.cli.stderr().match(/\[TOKEN_EXPIRED\]/g)).toHaveLength(1);
    expect(serve.cli.child.exitCode).toBeNull();

    harness.emulator.clearFaults();
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const record = readRecord(cachePath());
    const healed = await eventually(async () => {
      const answer = await rawRequest(serve.port, "/profiles/dev", {
        headers: { host: `127.0.0.1:${serve.port}`, authorization: serve.token },
      });
      return answer.status === 200 ? answer : undefined;
    }, "the healed endpoint");
    expect(JSON.parse(healed.body)).toMatchObject({
      AccessKeyId: record.accessToken.accessKeyId,
      AccountId: "111122223333",
    });
    await serve.cli.waitForStderr(/profile dev has credentials again/);
  });

  it("serves each --profile at its own path; a profile it was not started with is not found", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    await loginProfile(harness.sandbox, harness.emulator, "ops");
    const serve = await serveProfile("--profile", "dev", "--profile", "ops");
    expect(serve.url).toMatch(/\/profiles\/dev$/);
    const headers = { host: `127.0.0.1:${serve.port}`, authorization: serve.token };
    for (const profile of ["dev", "ops"]) {
      const answer = await rawRequest(serve.port, `/profiles/${profile}`, { headers });
      expect(answer.status, profile).toBe(200);
    }
    for (const path of [
      "/profiles/default",
      "/profiles/",
      "/",
      "/profiles/dev/extra",
      "/profiles/%E0%A4%A",
    ]) {
      const answer = await rawRequest(serve.port, path, { headers });
      expect(answer.status, path).toBe(404);
    }
  });

  it("fails at start with TOKEN_FILE_INVALID for a token file others can read, without printing it", async () => {
    const tokenPath = join(harness.sandbox.dir, "token");
    const secret = "Shared-secret-0123456789";
    execFileSync("sh", ["-c", `printf '%s' '${secret}' > '${tokenPath}' && chmod 644 '${tokenPath}'`]);
    const run = await runCli(["serve", "--profile", "dev", "--token-file", tokenPath], harness.sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("[TOKEN_FILE_INVALID]");
    expect(run.stderr).toContain("chmod 600");
    expect(run.stderr).not.toContain(secret);

    execFileSync("chmod", ["600", tokenPath]);
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const serve = await serveProfile("--profile", "dev", "--token-file", tokenPath);
    expect(serve.token).toBe(secret);
  });

  it("a taken --port is ENDPOINT_LISTEN_FAILED with what to do", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const first = await serveProfile("--profile", "dev");
    const run = await runCli(
      ["serve", "--profile", "dev", "--port", String(first.port)],
      harness.sandbox.env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Port ${first.port} on 127.0.0.1 is in use. Pick another --port`);
    expect(run.stderr).toContain("[ENDPOINT_LISTEN_FAILED]");
  });
});

describe("awslogin exec --serve", () => {
  const require = createRequire(import.meta.url);
  const fromHttpModule = require.resolve("@aws-sdk/credential-provider-http");
  /** The command: what it has in its environment, and what the JS SDK's fromHttp() gets from it (env only). */
  const childScript = `
const { fromHttp } = require(${JSON.stringify(fromHttpModule)});
fromHttp({ maxRetries: 0 })().then((c) => {
  const pick = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"];
  const env = Object.fromEntries(pick.filter((n) => n in process.env).map((n) => [n, process.env[n]]));
  process.stdout.write(JSON.stringify({ env, accessKeyId: c.accessKeyId }));
  process.exit(5);
}, (e) => { process.stderr.write(String(e)); process.exit(9); });`;

  it("gives the command the endpoint instead of static keys, passes its exit code, and stops with it", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const record = readRecord(cachePath());
    const run = await runCli(
      ["exec", "--serve", "--profile", "dev", "--", process.execPath, "-e", childScript],
      {
        ...harness.sandbox.env,
        AWS_PROFILE: "dev",
        AWS_ACCESS_KEY_ID: "AKIAPARENTPARENTPARE",
        AWS_SECRET_ACCESS_KEY: "parent-secret",
        AWS_SESSION_TOKEN: "parent-token",
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(5);
    const { env, accessKeyId } = JSON.parse(run.stdout) as {
      env: Record<string, string>;
      accessKeyId: string;
    };
    expect(accessKeyId).toBe(record.accessToken.accessKeyId);
    expect(Object.keys(env).sort()).toEqual([
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_REGION",
    ]);
    expect(env.AWS_REGION).toBe("us-east-1");
    // Stopped with the command: nothing listens there any more.
    const port = Number(new URL(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!).port);
    await expect(rawRequest(port, "/profiles/dev")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("the JS SDK's default chain in the command (no credentials given) finds the endpoint; STS answers", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const sts = require.resolve("@aws-sdk/client-sts");
    // No credentials option: the client's default chain (@aws-sdk/credential-provider-node) reads the environment.
    const script = `
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(sts)});
new STSClient({ region: process.env.AWS_REGION, endpoint: process.argv[1] })
  .send(new GetCallerIdentityCommand({}))
  .then((identity) => process.stdout.write(identity.Arn), (e) => { process.stderr.write(String(e)); process.exit(9); });`;
    const run = await runCli(
      ["exec", "--serve", "--profile", "dev", "--", process.execPath, "-e", script, harness.emulator.url],
      { ...harness.sandbox.env, AWS_PROFILE: "dev" },
    );
    // stderr may hold the SDK's warning about this Node version.
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(DEFAULT_IDENTITY);
  });

  it("warns when profile default holds credentials the command's SDK reads before the endpoint, and runs it", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    // As `aws login` leaves it: the JS SDK's fromIni takes this before the container provider.
    appendFileSync(
      harness.sandbox.configPath,
      `\n[default]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-east-1\n`,
    );
    const script = "process.stdout.write('ran')";
    const run = await runCli(
      ["exec", "--serve", "--profile", "dev", "--", process.execPath, "-e", script],
      harness.sandbox.env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("ran");
    expect(run.stderr).toBe(
      "awslogin: warning: profile default has credentials (login_session), and the AWS SDKs read it before the endpoint: tools would use profile default's account, not profile dev's. Move those keys to a named profile, or run `awslogin exec` without --serve.\n",
    );
    // Serving profile default itself: its own credentials are the served ones, no warning.
    const own = await runCli(
      ["exec", "--serve", "--profile", "default", "--", process.execPath, "-e", script],
      harness.sandbox.env,
    );
    expect(own.code, own.stderr).toBe(0);
    expect(own.stderr).toBe("");
  });

  it("serve warns about AWS_PROFILE's profile with static keys, which the shell's SDKs read first", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    appendFileSync(
      harness.sandbox.configPath,
      "\n[profile other]\naws_access_key_id = AKIAOTHEROTHEROTHERO\naws_secret_access_key = other-secret\n",
    );
    const serve = await serveProfile("--profile", "dev");
    expect(serve.cli.stderr()).not.toContain("warning");
    await serve.stop();
    const withEnv = await startServe(["--profile", "dev"], { ...harness.sandbox.env, AWS_PROFILE: "other" });
    running.push(withEnv);
    expect(withEnv.cli.stderr()).toContain(
      "awslogin: warning: profile other has credentials (aws_access_key_id), and the AWS SDKs read it before the endpoint: tools would use profile other's account, not profile dev's. Unset AWS_PROFILE where you set these variables.\n",
    );
  });

  it("passes SIGTERM on to the command and exits as it does", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const script =
      "process.on('SIGTERM', () => process.exit(7)); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
    const cli = startCli(
      ["exec", "--serve", "-p", "dev", "--", process.execPath, "-e", script],
      harness.sandbox.env,
    );
    await eventually(() => (cli.stdout().includes("ready\n") ? true : undefined), "the command");
    cli.child.kill("SIGTERM");
    const run = await cli.done;
    expect(run.code).toBe(7);
  });

  it("a session that needs a new sign-in fails before the command runs, as exec does", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    editRecord(cachePath(), (r) => ({
      ...r,
      accessToken: { ...r.accessToken, expiresAt: formatExpiresAt(Date.now() + 60_000) },
    }));
    harness.emulator.injectFault({ count: 10, error: "TOKEN_EXPIRED" });
    const run = await runCli(
      ["exec", "--serve", "--profile", "dev", "--", process.execPath, "-e", "process.stdout.write('ran')"],
      harness.sandbox.env,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/Run `awslogin login --profile dev`\. \[TOKEN_EXPIRED\]\n$/);
  });
});
