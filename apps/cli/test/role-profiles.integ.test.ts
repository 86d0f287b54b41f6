/**
 * Role profiles through `awslogin export` and `exec` (real processes, the emulator's STS AssumeRole, the AWS SDK as
 * the client of the printed credentials), and the MFA prompt on a real terminal (tmux).
 * @see docs/protocol.md §17.1
 */
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type Emulator, startEmulator, totpCodeFor } from "@awslogin/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_BIN, createSandbox, FAKE_BROWSER, runCli, type Sandbox } from "./helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const GUARDED = "arn:aws:iam::444455556666:role/Guarded";
const MFA_SERIAL = "arn:aws:iam::111122223333:mfa/alice";
const MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

let emulator: Emulator;
let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator({
    autoApprove: true,
    roles: [ADMIN, { arn: GUARDED, mfaSerial: MFA_SERIAL, mfaSecret: MFA_SECRET }],
  });
  sandbox = createSandbox();
  env = {
    ...sandbox.env,
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWSLOGIN_ROLE_CACHE_DIRECTORY: join(sandbox.dir, ".aws", "cli", "cache"),
  };
  const login = await runCli(
    ["login", "--profile", "dev", "--region", "us-east-1", "--endpoint-url", emulator.url],
    {
      ...sandbox.env,
      BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
    },
  );
  expect(login.code, login.stderr).toBe(0);
  appendFileSync(
    sandbox.configPath,
    `\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nregion = eu-west-1\n` +
      `[profile guarded]\nrole_arn = ${GUARDED}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\n` +
      `[profile wrong]\nrole_arn = ${GUARDED}\nsource_profile = dev\nmfa_serial = ${MFA_SERIAL}\nrole_session_name = wrong\n` +
      `[profile noregion]\nrole_arn = ${ADMIN}\nsource_profile = dev\nrole_session_name = noregion\n`,
  );
});

afterAll(async () => {
  await emulator?.close();
  sandbox?.cleanup();
});

async function arnOf(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) {
  const sts = new STSClient({ region: "us-east-1", endpoint: emulator.url, credentials, maxAttempts: 1 });
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
}

describe("awslogin export and exec with a role profile", () => {
  it("export --format json prints the assumed role's credentials, the role's account and the profile's region", async () => {
    const run = await runCli(["export", "--profile", "admin", "--format", "json"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.AccountId).toBe("444455556666");
    expect(out.Region).toBe("eu-west-1");
    expect(
      await arnOf({
        accessKeyId: out.AccessKeyId,
        secretAccessKey: out.SecretAccessKey,
        sessionToken: out.SessionToken,
      }),
    ).toBe("arn:aws:sts::444455556666:assumed-role/Admin/awslogin-awslogin-demo");
  });

  it("a role profile without region prints the same region on a miss and on a cache hit", async () => {
    const before = emulator.stats().assumeRole.requests;
    const regionOf = (stdout: string) => (JSON.parse(stdout) as { Region?: string }).Region;
    const miss = await runCli(["export", "--profile", "noregion", "--format", "json"], env);
    expect(miss.code, miss.stderr).toBe(0);
    expect(emulator.stats().assumeRole.requests).toBe(before + 1);
    const hit = await runCli(["export", "--profile", "noregion", "--format", "json"], env);
    expect(hit.code, hit.stderr).toBe(0);
    expect(emulator.stats().assumeRole.requests).toBe(before + 1);
    // Nothing configured for the role profile: no region on either path (STS's us-east-1 stays internal).
    expect(regionOf(miss.stdout)).toBeUndefined();
    expect(regionOf(hit.stdout)).toBe(regionOf(miss.stdout));
  });

  it("exec gives the command the same role credentials, from the cache", async () => {
    const before = emulator.stats().assumeRole.requests;
    const exported = JSON.parse(
      (await runCli(["export", "--profile", "admin", "--format", "json"], env)).stdout,
    );
    const run = await runCli(
      [
        "exec",
        "--profile",
        "admin",
        "--",
        process.execPath,
        "-e",
        "process.stdout.write(process.env.AWS_ACCESS_KEY_ID)",
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(exported.AccessKeyId);
    expect(emulator.stats().assumeRole.requests).toBe(before);
  });

  it("status shows the chain, the login session and each role's cache entry (JSON and text)", async () => {
    await runCli(["export", "--profile", "admin"], env);
    const json = await runCli(["status", "--profile", "admin", "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({ roleProfile: "admin", profile: "dev", state: expect.any(String) });
    expect(status.roles).toEqual([
      {
        profile: "admin",
        roleArn: ADMIN,
        cacheFile: join(env.AWSLOGIN_ROLE_CACHE_DIRECTORY!, "8f01d106254b612ca59634860cece07809d48c2e.json"),
        state: "fresh",
        expiresAt: expect.stringMatching(/Z$/),
        assumedRoleArn: "arn:aws:sts::444455556666:assumed-role/Admin/awslogin-awslogin-demo",
      },
    ]);
    expect(json.stdout).not.toContain("SecretAccessKey");
    const text = await runCli(["status", "--profile", "guarded"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Chain:");
    expect(text.stdout).toContain("dev → guarded");
    expect(text.stdout).toContain("not cached");
  });

  it("without a terminal, a role with mfa_serial fails with MFA_CODE_REQUIRED", async () => {
    // A new session (setsid): no controlling terminal even when the tests run from one.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [CLI_BIN, "export", "--profile", "guarded"], {
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
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("MFA_CODE_REQUIRED");
  });
});

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.AWSLOGIN_REQUIRE_TMUX === "1")
      throw new Error("tmux is required (AWSLOGIN_REQUIRE_TMUX=1).");
    process.stderr.write("\n!! MFA terminal tests NOT run: tmux is not installed.\n\n");
    return false;
  }
}

const SOCKET = `awslogin-mfa-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function startInTmux(name: string, args: string[]): void {
  const script = join(sandbox.dir, `${name}.sh`);
  const vars = Object.entries({ ...env, TERM: "xterm-256color" })
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${quote(value!)}`);
  writeFileSync(
    script,
    `#!/bin/sh\nenv -i ${vars.join(" ")} ${quote(process.execPath)} ${quote(CLI_BIN)} ${args.map(quote).join(" ")} > ${quote(join(sandbox.dir, `${name}.out`))}\necho "[exit $?]"\nsleep 600\n`,
    { mode: 0o700 },
  );
  tmux("new-session", "-d", "-x", "200", "-y", "50", "-s", name, script);
}

async function waitForScreen(name: string, pattern: RegExp): Promise<RegExpMatchArray> {
  const started = Date.now();
  for (;;) {
    const text = tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name);
    const match = text.match(pattern);
    if (match) return match;
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${pattern}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(hasTmux())("the MFA prompt on a terminal", () => {
  afterAll(() => {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
  });

  it("asks for the code on the terminal; the right code assumes the role", async () => {
    startInTmux("mfa-right", ["export", "--profile", "guarded", "--format", "json"]);
    await waitForScreen("mfa-right", new RegExp(`Enter MFA code for ${MFA_SERIAL.replaceAll("/", "\\/")}: `));
    const code = totpCodeFor(MFA_SECRET);
    tmux("send-keys", "-t", "mfa-right", "-l", code);
    tmux("send-keys", "-t", "mfa-right", "Enter");
    await waitForScreen("mfa-right", /\[exit 0\]/);
    // Not echoed, as getpass does not.
    expect(tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "mfa-right")).not.toContain(code);
    const events = emulator
      .events()
      .filter((e) => e.eventName === "AssumeRole" && e.requestParameters.roleArn === GUARDED);
    expect(events.at(-1)?.errorCode).toBeUndefined();
    expect(events.at(-1)?.userIdentity.arn).toBe(
      "arn:aws:sts::111122223333:assumed-role/Developer/awslogin-demo",
    );
  });

  it("a wrong code is MFA_CODE_INVALID", async () => {
    startInTmux("mfa-wrong", ["export", "--profile", "wrong"]);
    await waitForScreen("mfa-wrong", /Enter MFA code for /);
    const right = Number(totpCodeFor(MFA_SECRET));
    tmux("send-keys", "-t", "mfa-wrong", "-l", String((right + 500_000) % 1_000_000).padStart(6, "0"));
    tmux("send-keys", "-t", "mfa-wrong", "Enter");
    await waitForScreen("mfa-wrong", /MFA_CODE_INVALID[\s\S]*\[exit 1\]/);
  });
});
