/**
 * `status` and `doctor` print values from the config and cache files: none of them may act on the terminal
 * (issue 7 §6). A cache file is anyone's to write who can write the folder; whether a later validation refuses
 * such a record at read (then the state says malformed) or not, no raw control byte is printed.
 */
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, editRecord, loginProfile, writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox();

/** ESC, BEL, the C1 CSI/OSC introducers, and line separators that would forge a line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these bytes are what the test looks for.
const TERMINAL_CONTROL = /[\u0007\u001b\u009b\u009d\u2028\u2029\u202e]/;
const HOSTILE = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\nError: forged\u202e";

describe("status and doctor with hostile values in the files", () => {
  it("a cache record whose accountId and signInRegion hold escapes prints none of them raw", async () => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    editRecord(cachePathOf(sandbox, DEFAULT_IDENTITY), (record) => ({
      ...record,
      accessToken: { ...record.accessToken, accountId: `111122223333${HOSTILE}` },
      signInRegion: `us-east-1${HOSTILE}`,
    }));
    for (const args of [
      ["status", "--profile", "dev"],
      ["status", "--all"],
      ["doctor"],
      ["status", "--profile", "dev", "--json"],
      ["doctor", "--json"],
    ]) {
      const run = await runCli(args, sandbox.env);
      expect(run.stdout + run.stderr, args.join(" ")).not.toMatch(TERMINAL_CONTROL);
      expect(run.stdout + run.stderr, args.join(" ")).not.toMatch(/^Error: forged/m);
    }
  });

  it("a login_session and a profile name with escapes from the config file print none of them raw", async () => {
    const { sandbox } = harness;
    writeConfig(
      sandbox,
      `[profile dev]\nlogin_session = arn:aws:sts::111122223333:assumed-role/R/s${HOSTILE.replace("\n", "")}\n`,
    );
    for (const args of [
      ["status", "--profile", "dev"],
      ["status", "--all"],
      ["doctor"],
      ["logout", "--profile", "dev"],
    ]) {
      const run = await runCli(args, sandbox.env);
      expect(run.stdout + run.stderr, args.join(" ")).not.toMatch(TERMINAL_CONTROL);
    }
    const named = await runCli(["status"], { ...sandbox.env, AWS_PROFILE: `x${HOSTILE}` });
    expect(named.stdout + named.stderr).not.toMatch(TERMINAL_CONTROL);
    expect(named.stdout + named.stderr).not.toMatch(/^Error: forged/m);
  });
});
