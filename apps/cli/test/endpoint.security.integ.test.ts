/**
 * The CLI as a real process and the endpoint rules of issue 7: plain http only to loopback unless opted in (§2),
 * endpoint URLs redacted and blamed on their real source, a bad value from a file being exit 1 (§6). Anything that
 * would leave the machine goes to a local logging proxy that forwards only to 127.0.0.1.
 */
import { existsSync } from "node:fs";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "../../../scripts/network-fixtures.mjs";
import type { DoctorFinding } from "../src/doctor/judges.js";
import { cacheFiles, FAKE_BROWSER, runCli, startCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, editRecord, loginProfile } from "./session-helpers.js";

const harness = useEmulatorSandbox();
let proxy: TestProxy;
const SECRET = "planted-secret-value";

beforeEach(async () => {
  proxy = await startTestProxy();
});
afterEach(async () => {
  await proxy.close();
});

/** The sandbox's environment with every request routed to the logging proxy. */
function proxied(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...harness.sandbox.env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, ...extra };
}

describe("awslogin login refuses plain http beyond loopback (issue 7 §2)", () => {
  it.each([
    ["--endpoint-url", ["--endpoint-url", "http://signin.invalid"], {}],
    ["AWS_ENDPOINT_URL_SIGNIN", [], { AWS_ENDPOINT_URL_SIGNIN: "http://signin.invalid" }],
    ["AWS_ENDPOINT_URL", [], { AWS_ENDPOINT_URL: "http://signin.invalid:8080" }],
  ] as const)(
    "from %s: exit 1, INSECURE_ENDPOINT naming it, nothing sent or stored",
    async (where, args, env) => {
      const run = await runCli(
        ["login", "--profile", "dev", "--region", "us-east-1", "--no-browser", ...args],
        proxied(env),
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`(${where})`);
      expect(run.stderr).toContain("[INSECURE_ENDPOINT]");
      expect(run.stderr).toContain("AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT");
      expect(proxy.log).toEqual([]);
      expect(cacheFiles(harness.sandbox)).toEqual([]);
      expect(existsSync(harness.sandbox.configPath)).toBe(false);
    },
  );

  it("with --allow-insecure-http-endpoint it warns before anything is sent", async () => {
    const cli = startCli(
      [
        "login",
        "--profile",
        "dev",
        "--region",
        "us-east-1",
        "--no-browser",
        "--endpoint-url",
        "http://signin.invalid",
        "--allow-insecure-http-endpoint",
      ],
      proxied(),
    );
    try {
      await cli.waitForStderr(/Warning:.*"http:\/\/signin\.invalid" \(--endpoint-url\) is plain http/);
      await cli.waitForStderr(/Later refreshes are refused unless AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT=1/);
      expect(proxy.log).toEqual([]);
    } finally {
      cli.child.kill();
      await cli.done;
    }
  });

  it("http://127.0.0.1 (the emulator) needs no opt-in and prints no warning", async () => {
    const run = await runCli(
      ["login", "--profile", "dev", "--region", "us-east-1", "--endpoint-url", harness.emulator.url],
      { ...harness.sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("Warning");
    expect(cacheFiles(harness.sandbox)).toHaveLength(1);
  });
});

describe("endpoint URLs in errors (issue 7 §6)", () => {
  it("a planted ?token= in --endpoint-url is never printed (usage error, exit 2)", async () => {
    const run = await runCli(
      [
        "login",
        "--region",
        "us-east-1",
        "--no-browser",
        "--endpoint-url",
        `https://signin.invalid/?token=${SECRET}`,
      ],
      proxied(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--endpoint-url must be");
    expect(run.stderr).not.toContain(SECRET);
    expect(proxy.log).toEqual([]);
  });

  it("a bad endpoint recorded in the cache file: exit 1, CACHE_MALFORMED, blamed on the file, redacted", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    editRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), (record) => ({
      ...record,
      accessToken: { ...record.accessToken, expiresAt: "2020-01-01T00:00:00Z" },
      awslogin: { ...record.awslogin, endpoint: `https://signin.invalid/?token=${SECRET}` },
    }));
    const run = await runCli(["export", "--profile", "dev"], proxied());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[CACHE_MALFORMED]");
    expect(run.stderr).toContain("recorded in the cache file at login");
    expect(run.stderr).not.toContain("--endpoint-url");
    expect(run.stderr).not.toContain(SECRET);
    expect(proxy.log).toEqual([]);
  });

  it("a refresh against a recorded http://signin.invalid: exit 1 with INSECURE_ENDPOINT; the opt-in warns on every refresh", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const path = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    const expire = () =>
      editRecord(path, (record) => ({
        ...record,
        accessToken: { ...record.accessToken, expiresAt: "2020-01-01T00:00:00Z" },
        awslogin: { ...record.awslogin, endpoint: "http://signin.invalid" },
      }));
    expire();
    const refused = await runCli(["export", "--profile", "dev"], proxied());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("[INSECURE_ENDPOINT]");
    expect(proxy.log).toEqual([]);

    for (let i = 1; i <= 2; i++) {
      expire();
      const run = await runCli(
        ["export", "--profile", "dev"],
        proxied({ AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: "1" }),
      );
      expect(run.stderr).toMatch(
        /awslogin: warning: the Sign-In endpoint "http:\/\/signin\.invalid".*\[INSECURE_ENDPOINT\]/,
      );
      // The proxy forwards only to 127.0.0.1: it refused, and nothing left the machine.
      expect(proxy.log).toHaveLength(i);
    }
  });
});

describe("awslogin doctor and a recorded plain-http endpoint (issue 7 §2)", () => {
  it("reports it as a failure with its fix, without probing it", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    editRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), (record) => ({
      ...record,
      awslogin: { ...record.awslogin, endpoint: "http://signin.invalid" },
    }));
    const run = await runCli(["doctor", "--json", "--profile", "dev"], proxied());
    expect(run.code).toBe(1);
    const findings = JSON.parse(run.stdout) as DoctorFinding[];
    const failure = findings.find((f) => f.check === "endpoint" && f.status === "fail");
    expect(failure?.message).toContain('"http://signin.invalid"');
    expect(failure?.message).toContain("recorded in its cache file at login");
    expect(failure?.fix).toContain("awslogin login --profile dev --endpoint-url https://");
    expect(proxy.log.filter((entry) => entry.target.includes("signin.invalid"))).toEqual([]);
  });
});
