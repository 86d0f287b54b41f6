/**
 * Issue 9 §1: the Sign-In endpoint from the config file (`services = NAME` → `[services NAME]` → `signin =` →
 * `endpoint_url`, docs/protocol.md §16.1), as the AWS CLI reads it, in login, refresh (the credential_process
 * binary, `awslogin credential-process`, the official JS provider), status and doctor; and the opt-out. Everything
 * goes to the emulator; the opt-out's public host is only ever seen by a local proxy that forwards nothing there.
 */
import { writeFileSync } from "node:fs";
import { fromLoginCredentials as officialFromLoginCredentials } from "@aws-sdk/credential-provider-login";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "../../../scripts/network-fixtures.mjs";
import type { DoctorFinding } from "../src/doctor/judges.js";
import {
  CREDENTIAL_PROCESS_SCRIPT,
  FAKE_BROWSER,
  runCli,
  startCli,
  startNode,
  useEmulatorSandbox,
} from "./helpers.js";
import { cachePathOf, editRecord, readRecord, writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox({ autoApprove: true });

/** The docs/protocol.md §16.1 example, pointed at this test's emulator. */
function servicesConfig(extra = ""): string {
  return `[profile dev]\nregion = us-east-1\nservices = local\n${extra}\n[services local]\nsignin =\n  endpoint_url = ${harness.emulator.url}\n`;
}

/**
 * The sandbox's environment without its AWS_ENDPOINT_URL safety net: in the AWS CLI's order that global setting
 * comes before the services section, so it would hide what is tested here. Nothing else names the emulator.
 */
function configOnly(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { AWS_ENDPOINT_URL: _, ...env } = harness.sandbox.env;
  return { ...env, BROWSER: `${process.execPath} ${FAKE_BROWSER}`, ...extra };
}

function makeDue(): void {
  editRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), (record) => ({
    ...record,
    accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 60_000).toISOString() },
  }));
}

/** Makes the cache file look written by the AWS CLI (no awslogin object, so no recorded endpoint) and due. */
function awsCliRecord(): void {
  editRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), ({ awslogin: _, ...record }) => ({
    ...record,
    accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 60_000).toISOString() },
  }));
}

async function signIn(env: NodeJS.ProcessEnv = configOnly()): Promise<void> {
  const run = await runCli(["login", "--profile", "dev"], env);
  expect(run.code, run.stderr).toBe(0);
}

describe("a Sign-In endpoint in the config file's services section (issue 9 §1)", () => {
  it("awslogin login signs in at it, with no flag and no endpoint variable", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    await signIn();
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(1);
    expect(readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY)).accessToken.accountId).toMatch(
      /^\d{12}$/,
    );
  });

  it("login reads services from the credentials file's section too (the SDKs' merged view)", async () => {
    writeConfig(
      harness.sandbox,
      `[profile dev]\nregion = us-east-1\n\n[services local]\nsignin =\n  endpoint_url = ${harness.emulator.url}\n`,
    );
    writeFileSync(harness.sandbox.env.AWS_SHARED_CREDENTIALS_FILE!, "[dev]\nservices = local\n");
    await signIn();
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(1);
  });

  it("refreshes go there: the credential_process binary and `awslogin credential-process`", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    await signIn();
    makeDue();
    // The sandbox's safety net is back: a refresh that lost the services endpoint would fail on port 9.
    const binary = await startNode(CREDENTIAL_PROCESS_SCRIPT, ["--profile", "dev"], harness.sandbox.env, "")
      .done;
    expect(binary.code, binary.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
    makeDue();
    const viaCli = await runCli(["credential-process", "--profile", "dev"], harness.sandbox.env);
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(2);
  });

  it("a record the AWS CLI wrote (no awslogin object) is refreshed there too", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    await signIn();
    editRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), ({ awslogin: _, ...record }) => ({
      ...record,
      accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 60_000).toISOString() },
    }));
    const run = await startNode(CREDENTIAL_PROCESS_SCRIPT, ["--profile", "dev"], configOnly(), "").done;
    expect(run.code, run.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("the profile's own endpoint_url routes a refresh of a record the AWS CLI wrote", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    await signIn();
    awsCliRecord();
    writeConfig(
      harness.sandbox,
      `[profile dev]\nregion = us-east-1\nlogin_session = ${DEFAULT_IDENTITY}\nendpoint_url = ${harness.emulator.url}\n`,
    );
    const run = await startNode(CREDENTIAL_PROCESS_SCRIPT, ["--profile", "dev"], configOnly(), "").done;
    expect(run.code, run.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("the official JS provider follows the services section of the profile it is pointed at by AWS_PROFILE", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    await signIn();
    makeDue();
    const saved = { ...process.env };
    try {
      // Its Sign-In client reads endpoint settings for AWS_PROFILE (it is not handed the provider's profile).
      for (const key of [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SIGNIN",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
      ]) {
        delete process.env[key];
      }
      process.env.AWS_PROFILE = "dev";
      process.env.AWS_CONFIG_FILE = harness.sandbox.configPath;
      process.env.AWS_SHARED_CREDENTIALS_FILE = harness.sandbox.env.AWS_SHARED_CREDENTIALS_FILE;
      process.env.AWS_LOGIN_CACHE_DIRECTORY = harness.sandbox.cacheDir;
      const credentials = await officialFromLoginCredentials({ profile: "dev" })();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
    } finally {
      process.env = saved;
    }
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("doctor checks that host", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    await signIn();
    const run = await runCli(["doctor", "--json", "--profile", "dev"], harness.sandbox.env);
    const findings = JSON.parse(run.stdout) as DoctorFinding[];
    const endpoint = findings.filter((f) => f.check === "endpoint");
    expect(endpoint.map((f) => f.status)).toEqual(["ok"]);
    expect(endpoint[0]?.message).toContain(harness.emulator.url);
  });

  it("doctor before any login checks the host login would use", async () => {
    writeConfig(harness.sandbox, servicesConfig());
    const run = await runCli(["doctor", "--json", "--profile", "dev"], configOnly());
    const findings = JSON.parse(run.stdout) as DoctorFinding[];
    expect(findings.find((f) => f.check === "endpoint")?.message).toContain(harness.emulator.url);
  });

  it("a profile naming a services section that does not exist: login refuses it, saying what to add, nothing sent", async () => {
    writeConfig(harness.sandbox, "[profile dev]\nregion = us-east-1\nservices = nowhere\n");
    const run = await runCli(["login", "--profile", "dev"], configOnly());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[CONFIG_MALFORMED]");
    expect(run.stderr).toContain("[services nowhere]");
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(0);
    const doctor = await runCli(["doctor", "--json", "--profile", "dev"], configOnly());
    const failure = (JSON.parse(doctor.stdout) as DoctorFinding[]).find((f) => f.check === "endpoint");
    expect(failure).toMatchObject({ status: "fail", message: expect.stringContaining("[services nowhere]") });
  });
});

describe("the opt-out sends Sign-In to the public endpoint (issue 9 §1)", () => {
  let proxy: TestProxy;
  beforeEach(async () => {
    proxy = await startTestProxy();
  });
  afterEach(async () => {
    await proxy.close();
  });

  it.each([
    ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "", { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }],
    ["ignore_configured_endpoint_urls = true", "ignore_configured_endpoint_urls = true", {}],
  ] as const)("%s: doctor checks the public host (seen only by the local proxy)", async (_, line, env) => {
    writeConfig(harness.sandbox, servicesConfig(line));
    const run = await runCli(
      ["doctor", "--json", "--profile", "dev"],
      configOnly({ ...env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }),
    );
    const endpoint = (JSON.parse(run.stdout) as DoctorFinding[]).find((f) => f.check === "endpoint");
    expect(endpoint?.message).toContain("https://us-east-1.signin.aws.amazon.com");
    expect(endpoint?.message).not.toContain(harness.emulator.url);
    expect(proxy.log.map((entry) => entry.target)).toEqual(["us-east-1.signin.aws.amazon.com:443"]);
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(0);
  });

  it.each([
    ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "", { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }],
    ["ignore_configured_endpoint_urls = true", "ignore_configured_endpoint_urls = true", {}],
  ] as const)(
    "%s: the binary refreshes a record the AWS CLI wrote at the public host, not the services one",
    async (_, line, env) => {
      writeConfig(harness.sandbox, servicesConfig());
      await signIn();
      awsCliRecord();
      writeConfig(harness.sandbox, servicesConfig(`login_session = ${DEFAULT_IDENTITY}\n${line}`));
      const run = await startNode(
        CREDENTIAL_PROCESS_SCRIPT,
        ["--profile", "dev"],
        configOnly({ ...env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }),
        "",
      ).done;
      // The refresh fails (the proxy forwards nothing), and the binary serves the credentials still valid, warning.
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("Could not reach us-east-1.signin.aws.amazon.com");
      expect(run.stderr).toContain("[NETWORK]");
      const targets = proxy.log.map((entry) => entry.target);
      expect(targets.length).toBeGreaterThan(0);
      expect(new Set(targets)).toEqual(new Set(["us-east-1.signin.aws.amazon.com:443"]));
      expect(harness.emulator.stats().tokenRequests.refresh_token ?? 0).toBe(0);
    },
  );

  it.each([
    ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "", { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }],
    ["ignore_configured_endpoint_urls = true", "ignore_configured_endpoint_urls = true", {}],
  ] as const)("%s: login signs in at the public host, not the services one", async (_, line, env) => {
    writeConfig(harness.sandbox, servicesConfig(line));
    // --remote: the URL is printed, not opened, and the pasted code goes to the token endpoint (the local proxy).
    const cli = startCli(
      ["login", "--remote", "--profile", "dev"],
      configOnly({ ...env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url }),
    );
    const [, url] = await cli.waitForStderr(/(https?:\/\/\S+\/v1\/authorize\?\S*cross-device\S*)/);
    const authorize = new URL(url!);
    expect(authorize.host).toBe("us-east-1.signin.aws.amazon.com");
    const state = authorize.searchParams.get("state")!;
    cli.child.stdin!.end(`${Buffer.from(`state=${state}&code=never-sent-anywhere`).toString("base64")}\n`);
    const run = await cli.done;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Could not reach us-east-1.signin.aws.amazon.com");
    expect(new Set(proxy.log.map((entry) => entry.target))).toEqual(
      new Set(["us-east-1.signin.aws.amazon.com:443"]),
    );
    expect(harness.emulator.stats().tokenRequests.authorization_code ?? 0).toBe(0);
  });
});
