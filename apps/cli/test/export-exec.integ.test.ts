import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatExpiresAt, serializeTokenCache, type TokenCacheRecord } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, FAKE_BROWSER, type RunningCli, runCli, type Sandbox, startCli } from "./helpers.js";
import { cachePathOf, readRecord } from "./session-helpers.js";

// One login for the whole file: every test reads (and some refresh) the same session.
let emulator: Emulator;
let sandbox: Sandbox;
let cachePath: string;

beforeAll(async () => {
  emulator = await startEmulator({ autoApprove: true });
  sandbox = createSandbox();
  cachePath = cachePathOf(sandbox, DEFAULT_IDENTITY);
  const login = await runCli(
    ["login", "--profile", "dev", "--region", "eu-west-1", "--endpoint-url", emulator.url],
    {
      ...sandbox.env,
      BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
    },
  );
  expect(login.code, login.stderr).toBe(0);
});

afterAll(async () => {
  await emulator?.close();
  sandbox?.cleanup();
});

let record: TokenCacheRecord;
beforeEach(() => {
  record = readRecord(cachePath);
});

/** The expiry as the AWS CLI prints it: `datetime.isoformat()` of the cache's `…Z` time. */
function expiration(r: TokenCacheRecord): string {
  expect(r.accessToken.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return r.accessToken.expiresAt.replace(/Z$/, "+00:00");
}

describe("awslogin export: the formats of `aws configure export-credentials` (docs/protocol.md §9)", () => {
  it("every format, byte for byte, without a token call while the cache is fresh", async () => {
    const { accessKeyId: id, secretAccessKey: secret, sessionToken: token } = record.accessToken;
    const exp = expiration(record);
    const expected: Record<string, string> = {
      process: `{\n  "Version": 1,\n  "AccessKeyId": "${id}",\n  "SecretAccessKey": "${secret}",\n  "SessionToken": "${token}",\n  "Expiration": "${exp}"\n}\n`,
      env: `export AWS_ACCESS_KEY_ID='${id}'\nexport AWS_SECRET_ACCESS_KEY='${secret}'\nexport AWS_SESSION_TOKEN='${token}'\nexport AWS_CREDENTIAL_EXPIRATION='${exp}'\n`,
      "env-no-export": `AWS_ACCESS_KEY_ID='${id}'\nAWS_SECRET_ACCESS_KEY='${secret}'\nAWS_SESSION_TOKEN='${token}'\nAWS_CREDENTIAL_EXPIRATION='${exp}'\n`,
      powershell: `$Env:AWS_ACCESS_KEY_ID='${id}'\n$Env:AWS_SECRET_ACCESS_KEY='${secret}'\n$Env:AWS_SESSION_TOKEN='${token}'\n$Env:AWS_CREDENTIAL_EXPIRATION='${exp}'\n`,
      "windows-cmd": `set "AWS_ACCESS_KEY_ID=${id}"\nset "AWS_SECRET_ACCESS_KEY=${secret}"\nset "AWS_SESSION_TOKEN=${token}"\nset "AWS_CREDENTIAL_EXPIRATION=${exp}"\n`,
      fish: `set -gx AWS_ACCESS_KEY_ID '${id}'\nset -gx AWS_SECRET_ACCESS_KEY '${secret}'\nset -gx AWS_SESSION_TOKEN '${token}'\nset -gx AWS_CREDENTIAL_EXPIRATION '${exp}'\n`,
      json: `{"Version":1,"AccessKeyId":"${id}","SecretAccessKey":"${secret}","SessionToken":"${token}","Expiration":"${exp}","AccountId":"111122223333","Region":"eu-west-1"}\n`,
    };
    const before = emulator.stats().tokenRequests.refresh_token;
    for (const [format, text] of Object.entries(expected)) {
      const run = await runCli(["export", "--profile", "dev", "--format", format], sandbox.env);
      expect(run.stderr, format).toBe("");
      expect(run.code, format).toBe(0);
      expect(run.stdout, format).toBe(text);
    }
    // process is the default; AWS_PROFILE picks the profile.
    const byDefault = await runCli(["export"], { ...sandbox.env, AWS_PROFILE: "dev" });
    expect(byDefault.stdout).toBe(expected.process);
    expect(Object.keys(JSON.parse(byDefault.stdout))).toEqual([
      "Version",
      "AccessKeyId",
      "SecretAccessKey",
      "SessionToken",
      "Expiration",
    ]);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(before);
  });

  it("json: Region from AWS_REGION when set", async () => {
    const run = await runCli(["export", "--profile", "dev", "--format", "json"], {
      ...sandbox.env,
      AWS_REGION: "ap-south-1",
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ AccountId: "111122223333", Region: "ap-south-1" });
  });

  it("a cache hit (read without core) prints the same bytes as core's full path, credentials file merged", async () => {
    // The credentials file's section overrides the config's region, as the SDKs merge them.
    const credentialsFile = sandbox.env.AWS_SHARED_CREDENTIALS_FILE!;
    writeFileSync(credentialsFile, "[dev]\nregion = ca-central-1\n");
    try {
      // A `$VAR` cache folder is one the hot path leaves to core, which expands it: the same files, core's path.
      const viaCore: NodeJS.ProcessEnv = {
        ...sandbox.env,
        AWSLOGIN_TEST_CACHE: sandbox.cacheDir,
        AWS_LOGIN_CACHE_DIRECTORY: "$AWSLOGIN_TEST_CACHE",
      };
      const before = emulator.stats().tokenRequests.refresh_token;
      for (const format of ["json", "process", "env"]) {
        const hit = await runCli(["export", "--profile", "dev", "--format", format], sandbox.env);
        const core = await runCli(["export", "--profile", "dev", "--format", format], viaCore);
        expect([hit.code, core.code], `${hit.stderr}${core.stderr}`).toEqual([0, 0]);
        expect(hit.stdout, format).toBe(core.stdout);
      }
      const json = await runCli(["export", "--profile", "dev", "--format", "json"], sandbox.env);
      expect(JSON.parse(json.stdout)).toMatchObject({ Region: "ca-central-1" });
      expect(emulator.stats().tokenRequests.refresh_token).toBe(before);
    } finally {
      writeFileSync(credentialsFile, "");
    }
  });

  it("export and exec serve a cache hit without loading core; a due one goes through core", async () => {
    const forbidCore = {
      ...sandbox.env,
      NODE_OPTIONS: `--import ${fileURLToPath(new URL("./fixtures/forbid-core.mjs", import.meta.url))}`,
    };
    const exported = await runCli(["export", "--profile", "dev", "--format", "env-no-export"], forbidCore);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`AWS_ACCESS_KEY_ID='${record.accessToken.accessKeyId}'\n`);
    const executed = await runCli(
      [
        "exec",
        "--profile",
        "dev",
        "--",
        process.execPath,
        "-e",
        "process.stdout.write(process.env.AWS_ACCESS_KEY_ID)",
      ],
      forbidCore,
    );
    expect(executed.code, executed.stderr).toBe(0);
    expect(executed.stdout).toBe(record.accessToken.accessKeyId);

    const due = {
      ...record,
      accessToken: { ...record.accessToken, expiresAt: formatExpiresAt(Date.now() + 60_000) },
    };
    writeFileSync(cachePath, serializeTokenCache(due));
    try {
      const refresh = await runCli(["export", "--profile", "dev"], forbidCore);
      expect(refresh.code).not.toBe(0);
      expect(refresh.stderr).toContain("core was loaded: @awslogin/core/node");
    } finally {
      writeFileSync(cachePath, serializeTokenCache(record));
    }
  });

  it("refreshes credentials with 5 minutes or less left, once, and prints the new ones", async () => {
    record.accessToken.expiresAt = formatExpiresAt(Date.now() + 60_000);
    writeFileSync(cachePath, serializeTokenCache(record));
    const before = emulator.stats().tokenRequests.refresh_token;
    const run = await runCli(["export", "--profile", "dev", "--format", "env-no-export"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(before + 1);
    const fresh = readRecord(cachePath);
    expect(fresh.accessToken.accessKeyId).not.toBe(record.accessToken.accessKeyId);
    expect(run.stdout).toContain(`AWS_ACCESS_KEY_ID='${fresh.accessToken.accessKeyId}'\n`);
    expect(run.stdout).toContain(`AWS_CREDENTIAL_EXPIRATION='${expiration(fresh)}'\n`);
  });

  it("fails with one line naming what to do, and a usage error for an unknown format", async () => {
    const missing = await runCli(["export", "--profile", "nope"], sandbox.env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(
      /^awslogin: Profile nope is in neither .+config nor .+credentials\. Sign in with it to create it\. Run `awslogin login --profile nope`\. \[PROFILE_NOT_FOUND\]\n$/,
    );
    const bad = await runCli(["export", "--profile", "dev", "--format", "yaml"], sandbox.env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("Expected --format=yaml to be one of: process, env, env-no-export,");
  });
});

describe("awslogin exec", () => {
  const printEnv = "process.stdout.write(JSON.stringify({ env: process.env, argv: process.argv.slice(1) }))";

  it("runs the command with the credentials in its environment, AWS_PROFILE removed, arguments as given", async () => {
    const run = await runCli(
      ["exec", "--profile", "dev", "--", process.execPath, "-e", printEnv, "dev", "--profile", "dev", "--"],
      {
        ...sandbox.env,
        AWS_PROFILE: "dev",
        AWS_DEFAULT_PROFILE: "dev",
        KEEP_ME: "yes",
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const { env, argv } = JSON.parse(run.stdout) as { env: Record<string, string>; argv: string[] };
    expect(argv).toEqual(["dev", "--profile", "dev", "--"]);
    expect(env.AWS_ACCESS_KEY_ID).toBe(record.accessToken.accessKeyId);
    expect(env.AWS_SECRET_ACCESS_KEY).toBe(record.accessToken.secretAccessKey);
    expect(env.AWS_SESSION_TOKEN).toBe(record.accessToken.sessionToken);
    expect(env.AWS_CREDENTIAL_EXPIRATION).toBe(expiration(record));
    expect(env.AWS_REGION).toBe("eu-west-1");
    expect(env).not.toHaveProperty("AWS_PROFILE");
    expect(env).not.toHaveProperty("AWS_DEFAULT_PROFILE");
    expect(env.KEEP_ME).toBe("yes");
  });

  it("takes the command without -- when it has no flags of its own", async () => {
    const run = await runCli(["exec", "-p", "dev", process.execPath, "-e", printEnv], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).env.AWS_ACCESS_KEY_ID).toBe(record.accessToken.accessKeyId);
  });

  it("exits with the command's exit code", async () => {
    const run = await runCli(
      ["exec", "--profile", "dev", "--", process.execPath, "-e", "process.exit(3)"],
      sandbox.env,
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toBe("");
  });

  it("exits with 128 + N when signal N ended the command", async () => {
    const run = await runCli(
      ["exec", "--profile", "dev", "--", process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"],
      sandbox.env,
    );
    expect(run.code).toBe(143);
  });

  it("passes SIGTERM on to the command and exits as the command does", async () => {
    const script =
      "process.on('SIGTERM', () => { process.stdout.write('child got SIGTERM\\n'); process.exit(7); });" +
      "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
    const cli = await startExec(script);
    cli.child.kill("SIGTERM");
    const run = await cli.done;
    expect(run.stdout).toBe("ready\nchild got SIGTERM\n");
    expect(run.code).toBe(7);
  });

  it("passes SIGINT and SIGHUP on too", async () => {
    for (const [signal, number] of [
      ["SIGINT", 2],
      ["SIGHUP", 1],
    ] as const) {
      const script = "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
      const cli = await startExec(script);
      cli.child.kill(signal);
      const run = await cli.done;
      // The command died of the signal: 128 + its number.
      expect(run.code, signal).toBe(128 + number);
    }
  });

  it("passes SIGQUIT, SIGUSR1 and SIGUSR2 on; each leaves awslogin waiting for the command's exit code", async () => {
    for (const [signal, exitCode] of [
      ["SIGQUIT", 11],
      ["SIGUSR1", 12],
      ["SIGUSR2", 13],
    ] as const) {
      // The command gives up on its own after 15 s, so an awslogin that died of the signal leaves nothing behind.
      const script =
        `process.on('${signal}', () => { process.stdout.write('child got ${signal}\\n'); process.exit(${exitCode}); });` +
        "process.stdout.write('ready\\n'); setTimeout(() => process.exit(99), 15_000);";
      const cli = await startExec(script);
      cli.child.kill(signal);
      const run = await cli.done;
      expect(run.stdout, signal).toBe(`ready\nchild got ${signal}\n`);
      expect(run.signal, signal).toBeNull();
      expect(run.code, signal).toBe(exitCode);
      // SIGUSR1 did not start awslogin's inspector ("Debugger listening on ws://…").
      expect(run.stderr, signal).toBe("");
    }
  });

  it("passes repeated signals on while the command runs", async () => {
    const script =
      "let n = 0; process.on('SIGUSR2', () => { n++; process.stdout.write('USR2 ' + n + '\\n'); if (n === 3) process.exit(20 + n); });" +
      "process.stdout.write('ready\\n'); setTimeout(() => process.exit(99), 15_000);";
    const cli = await startExec(script);
    for (const n of [1, 2, 3]) {
      cli.child.kill("SIGUSR2");
      if (n < 3) await until(() => cli.stdout().includes(`USR2 ${n}\n`));
    }
    const run = await cli.done;
    expect(run.stdout).toBe("ready\nUSR2 1\nUSR2 2\nUSR2 3\n");
    expect(run.code).toBe(23);
  });

  it("exits 127 with a clear message when the command is not found", async () => {
    const run = await runCli(["exec", "--profile", "dev", "--", "no-such-command-awslogin"], sandbox.env);
    expect(run.code).toBe(127);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("awslogin: no-such-command-awslogin: command not found\n");
  });

  it("needs a command (exit 2) and a login profile (exit 1, nothing run)", async () => {
    const none = await runCli(["exec", "--profile", "dev"], sandbox.env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("[INVALID_ARGUMENT]");
    const marker = join(sandbox.dir, "ran");
    const missing = await runCli(
      [
        "exec",
        "--profile",
        "nope",
        "--",
        process.execPath,
        "-e",
        `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`,
      ],
      sandbox.env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("[PROFILE_NOT_FOUND]");
    expect(() => readFileSync(marker)).toThrow();
  });

  it("--help shows examples", async () => {
    for (const command of [["exec"], ["export"], ["configure", "credential-process"]]) {
      const run = await runCli([...command, "--help"], sandbox.env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("EXAMPLES");
    }
  });
});

/** `awslogin exec` running `node -e script`, once the script has printed its "ready" line. */
async function startExec(script: string): Promise<RunningCli> {
  const cli = startCli(["exec", "--profile", "dev", "--", process.execPath, "-e", script], sandbox.env);
  await until(() => cli.stdout().includes("ready\n"));
  return cli;
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
