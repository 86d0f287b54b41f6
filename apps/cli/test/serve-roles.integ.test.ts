/**
 * `awslogin serve` and `exec --serve` with a role profile: the assumed role's credentials, served through the
 * assume-role cache and its single-flight rule, refreshed ahead of expiry; read by the JS SDK's container provider.
 * @see docs/protocol.md §17.2, §17.5
 */

import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp } from "@aws-sdk/credential-provider-http";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, useEmulatorSandbox } from "./helpers.js";
import { eventually, type RunningServe, rawRequest, startServe } from "./serve-helpers.js";
import { loginProfile } from "./session-helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const ASSUMED = "arn:aws:sts::444455556666:assumed-role/Admin/serve-test";

const harness = useEmulatorSandbox({ autoApprove: true, roles: [ADMIN] });
const running: RunningServe[] = [];
afterEach(async () => {
  for (const serve of running.splice(0)) await serve.stop();
});

function roleCacheDir(): string {
  return join(harness.sandbox.dir, ".aws", "cli", "cache");
}

function roleEnv(): NodeJS.ProcessEnv {
  return {
    ...harness.sandbox.env,
    AWS_ENDPOINT_URL_STS: harness.emulator.url,
    AWSLOGIN_ROLE_CACHE_DIRECTORY: roleCacheDir(),
  };
}

async function setUp(): Promise<void> {
  await loginProfile(harness.sandbox, harness.emulator, "dev");
  appendFileSync(
    harness.sandbox.configPath,
    `\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\nrole_session_name = serve-test\n`,
  );
}

async function serveProfile(...args: string[]): Promise<RunningServe> {
  const serve = await startServe(args, roleEnv());
  running.push(serve);
  return serve;
}

describe("awslogin serve --profile ROLE_PROFILE", () => {
  it("serves the assumed role's credentials, assumed once for many concurrent requests; STS answers the role's ARN", async () => {
    await setUp();
    const serve = await serveProfile("--profile", "admin");
    expect(serve.url).toMatch(/\/profiles\/admin$/);
    const providers = Array.from({ length: 20 }, () =>
      fromHttp({ awsContainerCredentialsFullUri: serve.url, awsContainerAuthorizationToken: serve.token })(),
    );
    const all = await Promise.all(providers);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    // One AssumeRole for the start-up load and the 20 requests.
    expect(harness.emulator.stats().assumeRole.requests).toBe(1);
    const [entry] = readdirSync(roleCacheDir()).filter((name) => name.endsWith(".json"));
    const cached = JSON.parse(readFileSync(join(roleCacheDir(), entry!), "utf8")) as {
      Credentials: { AccessKeyId: string };
    };
    expect(all[0]!.accessKeyId).toBe(cached.Credentials.AccessKeyId);

    const sts = new STSClient({
      region: "us-east-1",
      endpoint: harness.emulator.url,
      credentials: fromHttp({
        awsContainerCredentialsFullUri: serve.url,
        awsContainerAuthorizationToken: serve.token,
      }),
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(ASSUMED);
  });

  it("assumes the role again in the background before the cached role credentials are due", async () => {
    await setUp();
    const exported = await runCli(["export", "--profile", "admin", "--format", "json"], roleEnv());
    expect(exported.code, exported.stderr).toBe(0);
    const [entry] = readdirSync(roleCacheDir()).filter((name) => name.endsWith(".json"));
    const path = join(roleCacheDir(), entry!);
    // Due in 4 seconds (5 minutes before the expiry): served from the cache at start, assumed again after.
    const record = JSON.parse(readFileSync(path, "utf8")) as { Credentials: Record<string, string> };
    record.Credentials.Expiration = new Date(Date.now() + 5 * 60_000 + 4_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    writeFileSync(path, JSON.stringify(record), { mode: 0o600 });
    const old = record.Credentials.AccessKeyId;
    const before = harness.emulator.stats().assumeRole.requests;

    const serve = await serveProfile("--profile", "admin");
    const first = await rawRequest(serve.port, "/profiles/admin", {
      headers: { host: `127.0.0.1:${serve.port}`, authorization: serve.token },
    });
    expect((JSON.parse(first.body) as { AccessKeyId: string }).AccessKeyId).toBe(old);
    await eventually(
      () => (harness.emulator.stats().assumeRole.requests === before + 1 ? true : undefined),
      "the background AssumeRole",
    );
    const served = await eventually(async () => {
      const answer = await rawRequest(serve.port, "/profiles/admin", {
        headers: { host: `127.0.0.1:${serve.port}`, authorization: serve.token },
      });
      const body = JSON.parse(answer.body) as { AccessKeyId: string };
      return body.AccessKeyId === old ? undefined : body;
    }, "the new role credentials");
    const rewritten = JSON.parse(readFileSync(path, "utf8")) as { Credentials: { AccessKeyId: string } };
    expect(served.AccessKeyId).toBe(rewritten.Credentials.AccessKeyId);
    expect(harness.emulator.stats().assumeRole.requests).toBe(before + 1);
  });
});

describe("awslogin exec --serve --profile ROLE_PROFILE", () => {
  const require = createRequire(import.meta.url);
  const script = `
const { fromHttp } = require(${JSON.stringify(require.resolve("@aws-sdk/credential-provider-http"))});
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(require.resolve("@aws-sdk/client-sts"))});
new STSClient({ region: "us-east-1", endpoint: process.argv[1], credentials: fromHttp({ maxRetries: 0 }) })
  .send(new GetCallerIdentityCommand({}))
  .then((identity) => process.stdout.write(identity.Arn), (e) => { process.stderr.write(String(e)); process.exit(9); });`;

  it("gives the command an endpoint serving the assumed role; STS answers the role's ARN", async () => {
    await setUp();
    const run = await runCli(
      ["exec", "--serve", "--profile", "admin", "--", process.execPath, "-e", script, harness.emulator.url],
      roleEnv(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(ASSUMED);
    expect(harness.emulator.stats().assumeRole.requests).toBe(1);
  });
});
