/**
 * Role profiles through the real binary: a role profile whose source_profile chain ends at a login profile, against
 * the emulator's STS AssumeRole; the real AWS SDK as the client of the credentials it prints.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, createSandbox, type Run, runCredentialProcess, type Sandbox, signIn } from "./helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const DEPLOY = "arn:aws:iam::777788889999:role/Deploy";

let emulator: Emulator | undefined;
let sandbox: Sandbox | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox?.cleanup();
  sandbox = undefined;
});

async function setUp(
  roles: Parameters<typeof startEmulator>[0] extends infer O
    ? O extends { roles?: infer R }
      ? R
      : never
    : never,
  config: string,
) {
  emulator = await startEmulator({ autoApprove: true, roles });
  sandbox = createSandbox();
  await signIn(sandbox, emulator, "dev");
  // signIn wrote [profile dev]; the role profiles go after it.
  writeFileSync(sandbox.configPath, `${readFileSync(sandbox.configPath, "utf8")}\n${config}`);
  const env = {
    ...sandbox.env,
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWSLOGIN_ROLE_CACHE_DIRECTORY: join(sandbox.dir, ".aws", "cli", "cache"),
  };
  return { emulator, sandbox, env };
}

function processJson(run: Run): {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
} {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

async function callerArn(url: string, out: ReturnType<typeof processJson>): Promise<string | undefined> {
  const client = new STSClient({
    endpoint: url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: {
      accessKeyId: out.AccessKeyId,
      secretAccessKey: out.SecretAccessKey,
      sessionToken: out.SessionToken,
    },
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}

function errorLine(run: Run, code: string): string {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(new RegExp(`^awslogin-credential-process: .+ \\[${code}\\]\\n$`));
  return run.stderr;
}

/** Runs the binary in a new session (setsid): no controlling terminal at all, as under a daemon or in CI. */
function runWithoutTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("awslogin-credential-process, role profiles", () => {
  it("assumes the role with the login session's credentials; the SDK sees the assumed-role ARN; then a cache hit", async () => {
    const { emulator, env } = await setUp(
      [ADMIN],
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
    );
    const first = processJson(await runCredentialProcess(["--profile", "admin"], env));
    expect(await callerArn(emulator.url, first)).toBe(
      "arn:aws:sts::444455556666:assumed-role/Admin/awslogin-awslogin-demo",
    );
    expect(emulator.stats().assumeRole.ok).toBe(1);
    const cacheDir = env.AWSLOGIN_ROLE_CACHE_DIRECTORY!;
    const files = readdirSync(cacheDir).filter((f) => f.endsWith(".json"));
    // botocore's key for {"RoleArn": ADMIN} (see core's role-profile.test.ts): the AWS CLI finds the same file.
    expect(files).toEqual(["8f01d106254b612ca59634860cece07809d48c2e.json"]);
    expect(statSync(join(cacheDir, files[0]!)).mode & 0o777).toBe(0o600);
    const second = processJson(await runCredentialProcess(["--profile", "admin"], env));
    expect(second).toEqual(first);
    expect(emulator.stats().assumeRole.requests).toBe(1);
  });

  it("follows a chain two roles deep, with role_session_name, external_id and duration_seconds", async () => {
    const { emulator, env } = await setUp(
      [
        { arn: ADMIN, externalId: "tenant-42" },
        { arn: DEPLOY, trustedPrincipals: ["arn:aws:sts::444455556666:assumed-role/Admin/*"] },
      ],
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nexternal_id = tenant-42\n` +
        `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = admin\nrole_session_name = ci-deploy\nduration_seconds = 900\n`,
    );
    const out = processJson(await runCredentialProcess(["--profile", "deploy"], env));
    expect(await callerArn(emulator.url, out)).toBe(
      "arn:aws:sts::777788889999:assumed-role/Deploy/ci-deploy",
    );
    expect(Date.parse(out.Expiration) - Date.now()).toBeLessThanOrEqual(900_000);
    const events = emulator.events().filter((e) => e.eventName === "AssumeRole");
    expect(events.map((e) => e.requestParameters)).toEqual([
      { roleArn: ADMIN, roleSessionName: "awslogin-awslogin-demo", externalId: "tenant-42" },
      { roleArn: DEPLOY, roleSessionName: "ci-deploy", durationSeconds: 900 },
    ]);
  });

  it("finds STS through the profile's services section (sts = endpoint_url), as the SDKs do", async () => {
    const { emulator, env } = await setUp([ADMIN], "");
    writeFileSync(
      sandbox!.configPath,
      `${readFileSync(sandbox!.configPath, "utf8")}\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nservices = local\n` +
        `[services local]\nsts =\n  endpoint_url = ${emulator.url}\n`,
    );
    const { AWS_ENDPOINT_URL_STS: _sts, AWS_ENDPOINT_URL: _all, ...rest }: NodeJS.ProcessEnv = env;
    const out = processJson(await runCredentialProcess(["--profile", "admin"], rest));
    expect(await callerArn(emulator.url, out)).toBe(
      "arn:aws:sts::444455556666:assumed-role/Admin/awslogin-awslogin-demo",
    );
  });

  it("a trust failure is ROLE_ACCESS_DENIED, naming the role", async () => {
    const { env } = await setUp(
      [{ arn: ADMIN, trustedPrincipals: ["arn:aws:iam::111122223333:user/someone-else"] }],
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
    );
    expect(
      errorLine(await runCredentialProcess(["--profile", "admin"], env), "ROLE_ACCESS_DENIED"),
    ).toContain(ADMIN);
  });

  it("a wrong external_id is ROLE_ACCESS_DENIED", async () => {
    const { env } = await setUp(
      [{ arn: ADMIN, externalId: "tenant-42" }],
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nexternal_id = tenant-41\n`,
    );
    errorLine(await runCredentialProcess(["--profile", "admin"], env), "ROLE_ACCESS_DENIED");
  });

  it("mfa_serial without a terminal is MFA_CODE_REQUIRED, and no AssumeRole call is made", async () => {
    const { emulator, env } = await setUp(
      [
        {
          arn: ADMIN,
          mfaSerial: "arn:aws:iam::111122223333:mfa/alice",
          mfaSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        },
      ],
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nmfa_serial = arn:aws:iam::111122223333:mfa/alice\n`,
    );
    errorLine(await runWithoutTerminal(["--profile", "admin"], env), "MFA_CODE_REQUIRED");
    expect(emulator.stats().assumeRole.requests).toBe(0);
  });

  it("a cycle and a missing source profile are typed errors naming the profiles", async () => {
    const { env } = await setUp(
      [ADMIN],
      `[profile a]\nrole_arn = ${ADMIN}\nsource_profile = b\n[profile b]\nrole_arn = ${ADMIN}\nsource_profile = a\n` +
        `[profile lost]\nrole_arn = ${ADMIN}\nsource_profile = nowhere\n`,
    );
    expect(errorLine(await runCredentialProcess(["--profile", "a"], env), "ROLE_CHAIN_CYCLE")).toContain(
      "a → b → a",
    );
    expect(
      errorLine(await runCredentialProcess(["--profile", "lost"], env), "ROLE_SOURCE_MISSING"),
    ).toContain("nowhere");
  });

  it("web identity and a profile that is its own source with static keys are ROLE_CHAIN_NOT_LOGIN", async () => {
    const { emulator, env } = await setUp(
      [ADMIN],
      `[profile ci]\nrole_arn = ${ADMIN}\nweb_identity_token_file = /nonexistent.invalid/token\n` +
        `[profile self]\nrole_arn = ${ADMIN}\nsource_profile = self\naws_access_key_id = AKIASELFSELFSELFSELF\naws_secret_access_key = self-secret\n`,
    );
    expect(errorLine(await runCredentialProcess(["--profile", "ci"], env), "ROLE_CHAIN_NOT_LOGIN")).toContain(
      "web_identity_token_file",
    );
    const self = errorLine(await runCredentialProcess(["--profile", "self"], env), "ROLE_CHAIN_NOT_LOGIN");
    expect(self).toContain("own static keys");
    expect(self).not.toContain("self-secret");
    expect(emulator.stats().assumeRole.requests).toBe(0);
  });

  it("an ended login session gives TOKEN_EXPIRED with what to do, and no AssumeRole call", async () => {
    // A one-second login session: over by the time the binary refreshes.
    emulator = await startEmulator({ autoApprove: true, roles: [ADMIN], sessionDuration: 1 });
    sandbox = createSandbox();
    await signIn(sandbox, emulator, "dev");
    const ended = Date.now() + 1100;
    writeFileSync(
      sandbox.configPath,
      `${readFileSync(sandbox.configPath, "utf8")}\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
    );
    const loginFile = sandbox.cacheFile(DEFAULT_IDENTITY);
    const record = JSON.parse(readFileSync(loginFile, "utf8"));
    record.accessToken.expiresAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    writeFileSync(loginFile, JSON.stringify(record));
    while (Date.now() < ended) await new Promise((resolve) => setTimeout(resolve, 50));
    const env = {
      ...sandbox.env,
      AWS_ENDPOINT_URL_STS: emulator.url,
      AWSLOGIN_ROLE_CACHE_DIRECTORY: join(sandbox.dir, ".aws", "cli", "cache"),
    };
    const line = errorLine(await runCredentialProcess(["--profile", "admin"], env), "TOKEN_EXPIRED");
    expect(line).toMatch(/login --profile dev/);
    expect(emulator.stats().assumeRole.requests).toBe(0);
  });

  it("storm: 40 processes, login and role credentials both due → one CreateOAuth2Token, one AssumeRole, no failure", async () => {
    const { emulator, sandbox, env } = await setUp(
      [ADMIN],
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
    );
    // Make the login credentials due: within the 5-minute window.
    const loginFile = sandbox.cacheFile(DEFAULT_IDENTITY);
    const record = JSON.parse(readFileSync(loginFile, "utf8"));
    record.accessToken.expiresAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    writeFileSync(loginFile, JSON.stringify(record));
    // And the role credentials due too: a cached record that expires in one minute.
    const roleFile = join(
      env.AWSLOGIN_ROLE_CACHE_DIRECTORY!,
      "8f01d106254b612ca59634860cece07809d48c2e.json",
    );
    processJson(await runCredentialProcess(["--profile", "admin"], env));
    const cached = JSON.parse(readFileSync(roleFile, "utf8"));
    cached.Credentials.Expiration = new Date(Date.now() + 60_000).toISOString();
    writeFileSync(roleFile, JSON.stringify(cached));
    // The first run above refreshed the login too (its credentials were due); make it due again.
    const again = JSON.parse(readFileSync(loginFile, "utf8"));
    again.accessToken.expiresAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    writeFileSync(loginFile, JSON.stringify(again));
    const before = emulator.stats();
    const runs = await Promise.all(
      Array.from({ length: 40 }, () => runCredentialProcess(["--profile", "admin"], env)),
    );
    const outputs = runs.map(processJson);
    const after = emulator.stats();
    expect(after.tokenRequests.refresh_token - before.tokenRequests.refresh_token).toBe(1);
    expect(after.assumeRole.requests - before.assumeRole.requests).toBe(1);
    expect(new Set(outputs.map((o) => o.AccessKeyId)).size).toBe(1);
    expect(await callerArn(emulator.url, outputs[0]!)).toBe(
      "arn:aws:sts::444455556666:assumed-role/Admin/awslogin-awslogin-demo",
    );
  }, 60_000);
});
