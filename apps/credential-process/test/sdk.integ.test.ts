import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import {
  formatExpiresAt,
  getProfile,
  parseConfigFile,
  parseTokenCache,
  serializeTokenCache,
} from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, runNode, type Sandbox, signIn } from "./helpers.js";

/** The built CLI (the test task depends on `@awslogin/cli#build`, see turbo.json). */
const CLI_BIN = fileURLToPath(new URL("../../cli/bin/run.js", import.meta.url));
/** This package's own bin, `awslogin-credential-process` (built by this package's build). */
const OWN_BIN = fileURLToPath(new URL("../dist/main.cjs", import.meta.url));

let emulator: Emulator;
let sandbox: Sandbox;
const savedEnv = { ...process.env };

beforeEach(async () => {
  sandbox = createSandbox();
  // `pnpm exec` puts the workspace's node_modules/.bin (with awslogin-credential-process) on PATH: take it off,
  // and keep node's own folder for the shims' `#!/usr/bin/env node`.
  sandbox.env.PATH = [dirname(process.execPath), ...(sandbox.env.PATH ?? "").split(delimiter)]
    .filter(
      (directory) =>
        directory !== "" &&
        !existsSync(join(directory, "awslogin-credential-process")) &&
        !existsSync(join(directory, "awslogin")),
    )
    .join(delimiter);
  emulator = await startEmulator({ autoApprove: true });
});

afterEach(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await emulator.close();
  sandbox.cleanup();
});

/** The SDK runs credential_process as a child of this process: give it the sandbox's environment. */
function useSandboxEnvironment(extra: NodeJS.ProcessEnv = {}): void {
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
  Object.assign(process.env, sandbox.env, extra);
}

async function configure(args: string[], env: NodeJS.ProcessEnv = sandbox.env): Promise<string> {
  const run = await runNode(CLI_BIN, ["configure", "credential-process", ...args], env);
  expect(run.code, run.stderr).toBe(0);
  return (
    getProfile(parseConfigFile(readFileSync(sandbox.configPath, "utf8")), "dev-process")
      ?.credential_process ?? ""
  );
}

async function callerIdentity(profile: string): Promise<string | undefined> {
  const sts = new STSClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: fromIni({ profile }),
  });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    sts.destroy();
  }
}

describe("the official AWS SDK for JavaScript runs awslogin-credential-process", () => {
  it("fromIni on a profile written by `awslogin configure credential-process` (node + script by path); STS accepts the credentials", async () => {
    const { record } = await signIn(sandbox, emulator, "dev");
    expect(await configure(["--profile", "dev"])).toMatch(/^".+" ".+main\.cjs" --profile dev$/);
    useSandboxEnvironment();

    const credentials = await fromIni({ profile: "dev-process" })();
    expect(credentials.accessKeyId).toBe(record.accessToken.accessKeyId);
    expect(credentials.secretAccessKey).toBe(record.accessToken.secretAccessKey);
    expect(credentials.sessionToken).toBe(record.accessToken.sessionToken);
    expect(credentials.expiration?.getTime()).toBe(Date.parse(record.accessToken.expiresAt));

    expect(await callerIdentity("dev-process")).toBe(DEFAULT_IDENTITY);
    expect(emulator.stats().sts.ok).toBe(1);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
  });

  it.each([
    ["awslogin-credential-process", OWN_BIN, "awslogin-credential-process --profile dev"],
    ["awslogin", CLI_BIN, "awslogin credential-process --profile dev"],
  ])("by name through %s on PATH, refreshing credentials that are due", async (name, target, line) => {
    const { record } = await signIn(sandbox, emulator, "dev");
    const bin = join(sandbox.dir, "bin");
    mkdirSync(bin);
    symlinkSync(target, join(bin, name));
    const env = { ...sandbox.env, PATH: `${bin}${delimiter}${sandbox.env.PATH}` };
    expect(await configure(["--profile", "dev"], env)).toBe(line);

    const cachePath = sandbox.cacheFile(DEFAULT_IDENTITY);
    record.accessToken.expiresAt = formatExpiresAt(Date.now() + 60_000);
    writeFileSync(cachePath, serializeTokenCache(record));
    useSandboxEnvironment({ PATH: env.PATH });

    expect(await callerIdentity("dev-process")).toBe(DEFAULT_IDENTITY);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
    const refreshed = parseTokenCache(readFileSync(cachePath, "utf8"), cachePath);
    expect(refreshed.accessToken.accessKeyId).not.toBe(record.accessToken.accessKeyId);
    const credentials = await fromIni({ profile: "dev-process" })();
    expect(credentials.accessKeyId).toBe(refreshed.accessToken.accessKeyId);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("fromIni reports the binary's one line when the session has ended", async () => {
    const { record } = await signIn(sandbox, emulator, "dev");
    await configure(["--profile", "dev"]);
    record.accessToken.expiresAt = formatExpiresAt(Date.now() - 60_000);
    writeFileSync(sandbox.cacheFile(DEFAULT_IDENTITY), serializeTokenCache(record));
    emulator.injectFault({ count: 1, error: "TOKEN_EXPIRED" });
    useSandboxEnvironment();
    await expect(fromIni({ profile: "dev-process" })()).rejects.toThrow(/TOKEN_EXPIRED/);
  });
});
