/**
 * `awslogin exec` gives the command only the credentials it fetched: no variable of the parent may pick other
 * credentials or mix with them (issue 7 §8).
 */
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, loginProfile, readRecord } from "./session-helpers.js";

const harness = useEmulatorSandbox();

/** Variables that make SDKs take other credentials (or mix a stale token with the new keys). */
const FOREIGN = {
  AWS_PROFILE: "dev",
  AWS_DEFAULT_PROFILE: "dev",
  AWS_SESSION_TOKEN: "parent-session-token",
  AWS_SECURITY_TOKEN: "parent-security-token",
  AWS_CREDENTIAL_EXPIRATION: "2000-01-01T00:00:00Z",
  AWS_ROLE_ARN: "arn:aws:iam::999999999999:role/Other",
  AWS_ROLE_SESSION_NAME: "other",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/web-identity-token",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x",
  AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-token",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/tmp/container-token",
};

describe("awslogin exec: the command's environment", () => {
  it("clears every variable that would give the command other credentials, and keeps the rest", async () => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    const record = readRecord(cachePathOf(sandbox, DEFAULT_IDENTITY));
    const run = await runCli(
      [
        "exec",
        "--profile",
        "dev",
        "--",
        process.execPath,
        "-e",
        "process.stdout.write(JSON.stringify(process.env))",
      ],
      { ...sandbox.env, ...FOREIGN, KEEP_ME: "yes" },
    );
    expect(run.code, run.stderr).toBe(0);
    const env = JSON.parse(run.stdout) as Record<string, string>;
    const { AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, ...gone } = FOREIGN;
    for (const name of Object.keys(gone)) expect(env, name).not.toHaveProperty(name);
    // The two that exec sets again hold the new session's values, not the parent's.
    expect(env.AWS_SESSION_TOKEN).toBe(record.accessToken.sessionToken);
    expect(env.AWS_CREDENTIAL_EXPIRATION).not.toBe(AWS_CREDENTIAL_EXPIRATION);
    expect(env.AWS_ACCESS_KEY_ID).toBe(record.accessToken.accessKeyId);
    expect(env.KEEP_ME).toBe("yes");
  });
});
