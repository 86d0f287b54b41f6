/**
 * Issue 9 §2: the profiles the AWS CLI accepts. A profile that only names an `sso_session` signs in (login writes
 * `login_session` to it); other credential kinds stay refused with the config file byte for byte. A `login_session`
 * in the credentials file is read by status (fast path and full reader), logout and doctor alike, as the SDKs merge
 * the two files.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import type { DoctorFinding } from "../src/doctor/judges.js";
import { FAKE_BROWSER, runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, loginProfile, writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox();

function login(profile: string) {
  return runCli(
    ["login", "--profile", profile, "--region", "us-east-1", "--endpoint-url", harness.emulator.url],
    {
      ...harness.sandbox.env,
      BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
    },
  );
}

describe("a profile that only names an sso_session (issue 9 §2)", () => {
  it("signs in, and login_session is written to it beside its keys", async () => {
    const original =
      "# team\n[profile dev]\nsso_session = corp\nregion = us-east-1\n\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.invalid/start\n";
    writeConfig(harness.sandbox, original);
    const run = await login("dev");
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(
      original.replace("region = us-east-1\n", `region = us-east-1\nlogin_session = ${DEFAULT_IDENTITY}\n`),
    );
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(true);
  });

  it.each([
    ["sso_account_id", "sso_session = corp\nsso_account_id = 111122223333\n"],
    ["sso_role_name", "sso_session = corp\nsso_role_name = Admin\n"],
    ["sso_start_url", "sso_start_url = https://corp.invalid/start\n"],
  ])("with %s it is refused before the sign-in, the config file byte for byte", async (key, lines) => {
    const original = `[profile dev]\n${lines}region = us-east-1 ; mine\n`;
    writeConfig(harness.sandbox, original);
    const run = await login("dev");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[PROFILE_HAS_OTHER_CREDENTIALS]");
    expect(run.stderr).toContain(key);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(original);
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(0);
  });
});

describe("login_session in the credentials file (issue 9 §2)", () => {
  /** Signs in, then moves the profile's login_session from the config file to the credentials file. */
  async function sessionInCredentialsFile(): Promise<void> {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    writeConfig(harness.sandbox, "[profile dev]\nregion = us-east-1\n");
    writeFileSync(
      harness.sandbox.env.AWS_SHARED_CREDENTIALS_FILE!,
      `[dev]\nlogin_session = ${DEFAULT_IDENTITY}\n`,
    );
  }

  it("status (one profile, --all, text) sees it", async () => {
    await sessionInCredentialsFile();
    const one = await runCli(["status", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({
      profile: "dev",
      loginSession: DEFAULT_IDENTITY,
      state: "valid",
    });
    const all = await runCli(["status", "--all", "--json"], harness.sandbox.env);
    expect(all.code, all.stderr).toBe(0);
    expect((JSON.parse(all.stdout) as Array<{ profile: string }>).map((s) => s.profile)).toEqual(["dev"]);
    const text = await runCli(["status", "--profile", "dev"], harness.sandbox.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("valid");
  });

  it("logout removes its cache file, leaving both files as they were", async () => {
    await sessionInCredentialsFile();
    const config = readFileSync(harness.sandbox.configPath, "utf8");
    const run = await runCli(["logout", "--profile", "dev"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Removed cached login credentials for profile 'dev'.");
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(config);
  });

  it("login again with a different session refuses, even with --force: the credentials file's value would win", async () => {
    const other = "arn:aws:iam::999988887777:user/other";
    writeConfig(harness.sandbox, "[profile dev]\nregion = us-east-1\n");
    const credentialsPath = harness.sandbox.env.AWS_SHARED_CREDENTIALS_FILE!;
    writeFileSync(credentialsPath, `[dev]\nlogin_session = ${other}\n`);
    const run = await runCli(
      [
        "login",
        "--profile",
        "dev",
        "--region",
        "us-east-1",
        "--endpoint-url",
        harness.emulator.url,
        "--force",
      ],
      { ...harness.sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("SESSION_CONFLICT");
    expect(run.stderr).toContain(credentialsPath);
    expect(run.stderr).toContain("login_session");
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe("[profile dev]\nregion = us-east-1\n");
    expect(readFileSync(credentialsPath, "utf8")).toBe(`[dev]\nlogin_session = ${other}\n`);

    // The same session there: the login refreshes it, as before.
    writeFileSync(credentialsPath, "");
    await sessionInCredentialsFile();
    await loginProfile(harness.sandbox, harness.emulator, "dev");
  });

  it("the credentials file's login_session wins over the config file's, in status and logout", async () => {
    await sessionInCredentialsFile();
    writeConfig(
      harness.sandbox,
      "[profile dev]\nregion = us-east-1\nlogin_session = arn:aws:iam::999988887777:user/other\n",
    );
    const status = await runCli(["status", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(JSON.parse(status.stdout)).toMatchObject({ loginSession: DEFAULT_IDENTITY, state: "valid" });
    const run = await runCli(["logout", "--profile", "dev"], harness.sandbox.env);
    expect(run.stdout).toContain("Removed cached login credentials");
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);
  });

  it("doctor judges its session and checks its endpoint", async () => {
    await sessionInCredentialsFile();
    const run = await runCli(["doctor", "--json"], harness.sandbox.env);
    const findings = JSON.parse(run.stdout) as DoctorFinding[];
    const profiles = findings.filter((f) => f.check === "profile-cache");
    expect(profiles.map((f) => [f.status, f.message.split(":")[0]])).toEqual([["ok", "Profile dev"]]);
    expect(findings.find((f) => f.check === "endpoint")?.message).toContain(harness.emulator.url);
  });
});
