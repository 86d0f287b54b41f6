import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseConfigFile } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { FAKE_BROWSER, runCli, useEmulatorSandbox } from "./helpers.js";

describe("config edits are never lost or forced (issue 7 §3)", () => {
  const harness = useEmulatorSandbox();

  function loginArgs(profile: string): string[] {
    return ["login", "--profile", profile, "--region", "us-east-1", "--endpoint-url", harness.emulator.url];
  }

  it("24 logins to different profiles at the same time all succeed and every profile is in the config", async () => {
    const env = { ...harness.sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` };
    const profiles = Array.from({ length: 24 }, (_, i) => `p${i}`);
    const runs = await Promise.all(profiles.map((profile) => runCli(loginArgs(profile), env)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const config = parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8"));
    for (const profile of profiles) {
      expect(config[profile]?.login_session, `profile ${profile}`).toBeTruthy();
      expect(config[profile]?.region).toBe("us-east-1");
    }
  }, 120_000);

  it("a read-only (0444) config file is refused with CONFIG_WRITE_FAILED and left byte for byte, even as root", async () => {
    const { configPath } = harness.sandbox;
    mkdirSync(dirname(configPath), { recursive: true });
    const text = "[profile other]\nregion = eu-west-1\n";
    writeFileSync(configPath, text);
    chmodSync(configPath, 0o444);
    const before = statSync(configPath);
    const run = await runCli(loginArgs("dev"), {
      ...harness.sandbox.env,
      BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/read-only/);
    expect(run.stderr).toMatch(/chmod u\+w/);
    expect(readFileSync(configPath, "utf8")).toBe(text);
    const after = statSync(configPath);
    expect(after.ino).toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o444);
  });
});
