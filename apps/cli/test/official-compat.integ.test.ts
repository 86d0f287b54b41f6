import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromLoginCredentials as officialFromLoginCredentials } from "@aws-sdk/credential-provider-login";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { CLI_BIN, type CliRun, runCli, startNode, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, editRecord, loginProfile, readRecord } from "./session-helpers.js";

// Compatibility both ways between the official JS provider and the awslogin-credential-process binary
// as @awslogin/cli runs it (`awslogin credential-process`, docs/protocol.md §6, §15): each refreshes a token the other
// wrote, and each reads what the other wrote back without a token call of its own.
const BINARY = fileURLToPath(new URL("../bin/run.js", import.meta.url));
const harness = useEmulatorSandbox({ autoApprove: true });

function runBinary(profile: string): Promise<CliRun> {
  return startNode(BINARY, ["credential-process", "--profile", profile], harness.sandbox.env).done;
}

/** The official provider, with the sandbox's files and the emulator as its Sign-In endpoint. */
function official(profile: string) {
  const { sandbox, emulator } = harness;
  const saved = { ...process.env };
  process.env.AWS_CONFIG_FILE = sandbox.configPath;
  process.env.AWS_LOGIN_CACHE_DIRECTORY = sandbox.cacheDir;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sandbox.env.AWS_SHARED_CREDENTIALS_FILE;
  return officialFromLoginCredentials({ profile, clientConfig: { endpoint: emulator.url } })().finally(() => {
    process.env = saved;
  });
}

function makeDue(path: string): void {
  editRecord(path, (record) => ({
    ...record,
    accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 60_000).toISOString() },
  }));
}

describe("the official provider and awslogin-credential-process share one cache", () => {
  it("the official provider refreshes a token the CLI wrote; the binary then reads its file without a token call", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    makeDue(file);
    const theirs = await official("dev");
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
    // The official writer's form: 2-space indented JSON, .000Z timestamps; our keys survive it.
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^\{\n {2}"accessToken"/);
    expect(readRecord(file).awslogin?.sessionStartedAt).toBeDefined();

    const run = await runBinary("dev");
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { AccessKeyId: string; Expiration: string };
    expect(printed.AccessKeyId).toBe(theirs.accessKeyId);
    expect(printed.Expiration).toMatch(/\+00:00$/);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("the binary refreshes a token; the official provider reads it, then refreshes the rotated token itself", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    makeDue(file);
    const run = await runBinary("dev");
    expect(run.code, run.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
    const ours = JSON.parse(run.stdout) as { AccessKeyId: string };

    const theirs = await official("dev");
    expect(theirs.accessKeyId).toBe(ours.AccessKeyId);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);

    // The DPoP key binding holds across writers: the official provider refreshes what we rotated.
    makeDue(file);
    const again = await official("dev");
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(2);
    expect(again.accessKeyId).not.toBe(ours.AccessKeyId);
    // And `awslogin export` agrees with what the official provider wrote.
    const exported = await runCli(["export", "--profile", "dev", "--format", "json"], harness.sandbox.env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).AccessKeyId).toBe(again.accessKeyId);
  });
});

describe("a login_session in the credentials file, as the SDKs read it", () => {
  it("export and the credential_process binary find it (config and credentials files merged)", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const { sandbox } = harness;
    writeFileSync(sandbox.configPath, "");
    writeFileSync(
      sandbox.env.AWS_SHARED_CREDENTIALS_FILE!,
      `[dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-east-1\n`,
    );
    const record = readRecord(cachePathOf(sandbox, DEFAULT_IDENTITY));

    const run = await runBinary("dev");
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).AccessKeyId).toBe(record.accessToken.accessKeyId);
    const exported = await runCli(["export", "--profile", "dev", "--format", "json"], sandbox.env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      AccessKeyId: record.accessToken.accessKeyId,
      Region: "us-east-1",
    });
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(0);
  });
});

describe("awslogin emulator (the command)", () => {
  it("prints its URL first, applies its flags, serves until SIGTERM and exits 0", async () => {
    const cli = spawn(
      process.execPath,
      [CLI_BIN, "emulator", "--auto-approve", "--quiet", "--expires-in", "120"],
      { env: harness.sandbox.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      cli.stdout.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.split("\n")[0]!);
      });
      cli.on("exit", (code) => reject(new Error(`emulator exited early (${code})`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as { tokenRequests: unknown };
    expect(stats.tokenRequests).toMatchObject({ authorization_code: 0, refresh_token: 0 });

    // A login through the command-line emulator gets its --expires-in.
    // Bounded by values read back from the record (its login time and expiry), not by the wall clock: a loaded
    // machine once took 2.6 s between `before` and the token answer.
    const before = Date.now();
    await loginProfile(harness.sandbox, { url } as typeof harness.emulator, "cmd");
    const record = readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    const loggedInAt = Date.parse(record.awslogin?.sessionStartedAt ?? "");
    const lifetime = Date.parse(record.accessToken.expiresAt) - loggedInAt;
    expect(loggedInAt).toBeGreaterThanOrEqual(before);
    // expiresAt is written in whole seconds, the login time in milliseconds.
    expect(lifetime).toBeGreaterThan(119_000);
    expect(lifetime).toBeLessThanOrEqual(120_000);

    const exited = new Promise<number | null>((resolve) => cli.on("exit", resolve));
    cli.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
