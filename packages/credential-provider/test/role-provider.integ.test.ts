/**
 * `fromLoginRoleCredentials` with the real STS client of the AWS SDK against the emulator: a role profile on top of a
 * login session, chains, a chain not rooted in a login profile (tryNextLink), and `fromLoginCredentials` unchanged.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromLoginCredentials, fromLoginRoleCredentials } from "../src/index.js";
import { createSandbox, providerRejection, type Sandbox, signIn } from "./helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const DEPLOY = "arn:aws:iam::777788889999:role/Deploy";

let emulator: Emulator | undefined;
let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox();
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox.cleanup();
});

async function setUp(config: string): Promise<Emulator> {
  emulator = await startEmulator({ autoApprove: true, roles: [ADMIN, DEPLOY] });
  sandbox.activate({
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWSLOGIN_ROLE_CACHE_DIRECTORY: join(sandbox.dir, ".aws", "cli", "cache"),
  });
  await signIn(emulator, sandbox, { profile: "dev" });
  appendFileSync(sandbox.configPath, `\n${config}`);
  return emulator;
}

describe("fromLoginRoleCredentials", () => {
  it("gives the SDK's STS client the assumed role's credentials, two roles deep, assumed once", async () => {
    const emu = await setUp(
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n` +
        `[profile deploy]\nrole_arn = ${DEPLOY}\nsource_profile = admin\nrole_session_name = sdk\n`,
    );
    const sts = new STSClient({
      region: "us-east-1",
      endpoint: emu.url,
      credentials: fromLoginRoleCredentials({ profile: "deploy" }),
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      "arn:aws:sts::777788889999:assumed-role/Deploy/sdk",
    );
    // A second provider (a new process, say) is answered from the assume-role cache.
    const again = await fromLoginRoleCredentials({ profile: "deploy" })();
    expect(again.accountId).toBe("777788889999");
    expect(emu.stats().assumeRole.ok).toBe(2);
    expect(emu.stats().assumeRole.requests).toBe(2);
  });

  it("serves a login profile as fromLoginCredentials does", async () => {
    await setUp("");
    const role = await fromLoginRoleCredentials({ profile: "dev" })();
    const login = await fromLoginCredentials({ profile: "dev" })();
    expect(role.accessKeyId).toBe(login.accessKeyId);
  });

  it("a chain that does not end at a login profile rejects with tryNextLink", async () => {
    await setUp(
      `[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n` +
        `[profile other]\nrole_arn = ${ADMIN}\nsource_profile = keys\n`,
    );
    const error = await providerRejection(fromLoginRoleCredentials({ profile: "other" })());
    expect(error.code).toBe("ROLE_CHAIN_NOT_LOGIN");
    expect(error.tryNextLink).toBe(true);
    // Web identity and a profile that is its own source with static keys are chains of other kinds too.
    appendFileSync(
      sandbox.configPath,
      `[profile ci]\nrole_arn = ${ADMIN}\nweb_identity_token_file = /nonexistent.invalid/token\n` +
        `[profile self]\nrole_arn = ${ADMIN}\nsource_profile = self\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n`,
    );
    for (const profile of ["ci", "self"]) {
      const other = await providerRejection(fromLoginRoleCredentials({ profile })());
      expect(other.code, profile).toBe("ROLE_CHAIN_NOT_LOGIN");
      expect(other.tryNextLink, profile).toBe(true);
    }
  });

  it("a cycle rejects with ROLE_CHAIN_CYCLE and tryNextLink false", async () => {
    await setUp(
      `[profile a]\nrole_arn = ${ADMIN}\nsource_profile = b\n[profile b]\nrole_arn = ${ADMIN}\nsource_profile = a\n`,
    );
    const error = await providerRejection(fromLoginRoleCredentials({ profile: "a" })());
    expect(error.code).toBe("ROLE_CHAIN_CYCLE");
    expect(error.tryNextLink).toBe(false);
  });

  it("fromLoginCredentials keeps leaving role profiles to the next provider, even with role credentials cached", async () => {
    await setUp(`[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`);
    await fromLoginRoleCredentials({ profile: "admin" })();
    const error = await providerRejection(fromLoginCredentials({ profile: "admin" })());
    expect(error.code).toBe("PROFILE_NOT_LOGIN");
    expect(error.tryNextLink).toBe(true);
    expect(readFileSync(sandbox.configPath, "utf8")).toContain("role_arn");
  });

  it("a role due within 5 minutes is assumed again, and the cache entry is replaced", async () => {
    const emu = await setUp(`[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`);
    const first = await fromLoginRoleCredentials({ profile: "admin" })();
    expect(emu.stats().assumeRole.ok).toBe(1);
    const cacheDir = join(sandbox.dir, ".aws", "cli", "cache");
    const [entry] = readdirSync(cacheDir).filter((name) => name.endsWith(".json"));
    const path = join(cacheDir, entry!);
    const record = JSON.parse(readFileSync(path, "utf8"));
    // Four minutes left: inside the 5-minute window.
    record.Credentials.Expiration = new Date(Date.now() + 4 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    writeFileSync(path, JSON.stringify(record), { mode: 0o600 });
    const second = await fromLoginRoleCredentials({ profile: "admin" })();
    expect(emu.stats().assumeRole.ok).toBe(2);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.expiration!.getTime() - Date.now()).toBeGreaterThan(5 * 60_000);
    expect(JSON.parse(readFileSync(path, "utf8")).Credentials.AccessKeyId).toBe(second.accessKeyId);
  });

  it("concurrent calls in one process share one AssumeRole", async () => {
    const emu = await setUp(`[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`);
    const provider = fromLoginRoleCredentials({ profile: "admin" });
    const other = fromLoginRoleCredentials({ profile: "admin" });
    const results = await Promise.all([provider(), provider(), other(), other(), provider()]);
    expect(emu.stats().assumeRole.requests).toBe(1);
    expect(new Set(results.map((credentials) => credentials.accessKeyId)).size).toBe(1);
  });
});
