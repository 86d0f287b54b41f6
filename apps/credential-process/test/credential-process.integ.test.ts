import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatExpiresAt, parseTokenCache, serializeTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, createSandbox, runCredentialProcess, type Sandbox, signIn } from "./helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = createSandbox();
  emulator = await startEmulator({ autoApprove: true });
});

afterEach(async () => {
  await emulator.close();
  sandbox.cleanup();
});

/** What `aws configure export-credentials --format process` prints for a cache record, built by hand. */
function expectedProcessOutput(text: string): string {
  const { accessToken } = parseTokenCache(text, "cache");
  // botocore: `%Y-%m-%dT%H:%M:%SZ` in the cache, `datetime.isoformat()` (+00:00) on output.
  expect(accessToken.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return (
    "{\n" +
    '  "Version": 1,\n' +
    `  "AccessKeyId": "${accessToken.accessKeyId}",\n` +
    `  "SecretAccessKey": "${accessToken.secretAccessKey}",\n` +
    `  "SessionToken": "${accessToken.sessionToken}",\n` +
    `  "Expiration": "${accessToken.expiresAt.replace(/Z$/, "+00:00")}"\n` +
    "}\n"
  );
}

/** Moves the cached credentials' expiry to `msFromNow`, keeping everything else. */
function setExpiry(path: string, msFromNow: number): string {
  const record = parseTokenCache(readFileSync(path, "utf8"), path);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + msFromNow);
  const text = serializeTokenCache(record);
  writeFileSync(path, text);
  return text;
}

function expectOneErrorLine(
  run: { code: number | null; stdout: string; stderr: string },
  code: string,
): string {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe("");
  expect(lines[0]).toMatch(new RegExp(`^awslogin-credential-process: .+ \\[${code}\\]$`));
  return lines[0]!;
}

describe("awslogin-credential-process, cache hit", () => {
  it("prints exactly the credential_process JSON of the cache, without a token call", async () => {
    await signIn(sandbox, emulator, "dev");
    const cachePath = sandbox.cacheFile(DEFAULT_IDENTITY);
    const cacheText = readFileSync(cachePath, "utf8");

    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(expectedProcessOutput(cacheText));
    const parsed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      "Version",
      "AccessKeyId",
      "SecretAccessKey",
      "SessionToken",
      "Expiration",
    ]);
    expect(parsed.Version).toBe(1);
    expect(parsed.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
    expect(readFileSync(cachePath, "utf8")).toBe(cacheText);
  });

  it("takes the profile from --profile=P, then AWS_PROFILE, then default", async () => {
    await signIn(sandbox, emulator, "default");
    const expected = expectedProcessOutput(readFileSync(sandbox.cacheFile(DEFAULT_IDENTITY), "utf8"));
    // A second profile on the same session.
    writeFileSync(
      sandbox.configPath,
      `${readFileSync(sandbox.configPath, "utf8")}\n[profile other]\nlogin_session = ${DEFAULT_IDENTITY}\n`,
    );

    expect((await runCredentialProcess([], sandbox.env)).stdout).toBe(expected);
    expect((await runCredentialProcess([], { ...sandbox.env, AWS_PROFILE: "other" })).stdout).toBe(expected);
    expect(
      (await runCredentialProcess(["--profile=other"], { ...sandbox.env, AWS_PROFILE: "nope" })).stdout,
    ).toBe(expected);
    const missing = await runCredentialProcess([], { ...sandbox.env, AWS_PROFILE: "nope" });
    expectOneErrorLine(missing, "PROFILE_NOT_FOUND");
    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
  });

  it("serves credentials with more than 5 minutes left from the cache", async () => {
    await signIn(sandbox, emulator, "dev");
    const text = setExpiry(sandbox.cacheFile(DEFAULT_IDENTITY), 6 * 60_000);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(expectedProcessOutput(text));
    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
  });
});

/** Runs the binary with a preload that records, at exit, the files it required and Node's internal modules. */
async function loadedModules(
  args: string[],
  env: NodeJS.ProcessEnv = sandbox.env,
): Promise<{ files: string[]; builtins: string[] }> {
  const out = join(sandbox.dir, "modules.json");
  const probe = join(sandbox.dir, "probe.cjs");
  writeFileSync(
    probe,
    `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));\n`,
  );
  const run = await runCredentialProcess(args, { ...env, NODE_OPTIONS: `--require ${probe}` });
  expect(run.code, run.stderr).toBe(0);
  const { files, builtins } = JSON.parse(readFileSync(out, "utf8")) as {
    files: string[];
    builtins: string[];
  };
  return { files: files.filter((file) => file !== probe), builtins };
}

describe("awslogin-credential-process, what it loads", () => {
  it("a cache hit loads no file but its own and neither crypto nor streams", async () => {
    await signIn(sandbox, emulator, "dev");
    const { files, builtins } = await loadedModules(["--profile", "dev"]);
    expect(files).toEqual([BIN]);
    for (const heavy of ["crypto", "stream", "net", "tty", "zlib", "http"]) {
      expect(builtins, heavy).not.toContain(`NativeModule ${heavy}`);
    }
  });

  it("a role profile's cache hit (fresh role cache entry) loads no file but its own, nor crypto or streams", async () => {
    const admin = "arn:aws:iam::444455556666:role/Admin";
    await emulator.close();
    emulator = await startEmulator({ autoApprove: true, roles: [admin] });
    await signIn(sandbox, emulator, "dev");
    writeFileSync(
      sandbox.configPath,
      `${readFileSync(sandbox.configPath, "utf8")}\n[profile admin]\nrole_arn = ${admin}\nsource_profile = dev\n`,
    );
    const env = {
      ...sandbox.env,
      AWS_ENDPOINT_URL_STS: emulator.url,
      AWSLOGIN_ROLE_CACHE_DIRECTORY: join(sandbox.dir, ".aws", "cli", "cache"),
    };
    // The first call assumes the role and writes the cache entry; the second is the hit measured.
    const first = await runCredentialProcess(["--profile", "admin"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(emulator.stats().assumeRole.ok).toBe(1);
    const { files, builtins } = await loadedModules(["--profile", "admin"], env);
    expect(emulator.stats().assumeRole.requests).toBe(1);
    expect(files).toEqual([BIN]);
    for (const heavy of ["crypto", "stream", "net", "tty", "zlib", "http"]) {
      expect(builtins, heavy).not.toContain(`NativeModule ${heavy}`);
    }
  });

  it("a refresh loads core's path from refresh.cjs", async () => {
    await signIn(sandbox, emulator, "dev");
    setExpiry(sandbox.cacheFile(DEFAULT_IDENTITY), 60_000);
    const { files } = await loadedModules(["--profile", "dev"]);
    expect(files).toEqual([BIN, join(dirname(BIN), "refresh.cjs")]);
  });
});

describe("awslogin-credential-process, refresh", () => {
  it("refreshes once when 5 minutes or less are left, prints the new credentials and rewrites the cache", async () => {
    const { record: first } = await signIn(sandbox, emulator, "dev");
    const cachePath = sandbox.cacheFile(DEFAULT_IDENTITY);
    setExpiry(cachePath, 4 * 60_000);

    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);

    const rewritten = readFileSync(cachePath, "utf8");
    const record = parseTokenCache(rewritten, cachePath);
    expect(record.accessToken.accessKeyId).not.toBe(first.accessToken.accessKeyId);
    expect(record.refreshToken).not.toBe(first.refreshToken);
    expect(record.dpopKey).toBe(first.dpopKey);
    expect(Date.parse(record.accessToken.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(run.stdout).toBe(expectedProcessOutput(rewritten));

    // The next call is a cache hit again.
    const again = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(again.stdout).toBe(run.stdout);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("refreshes expired credentials", async () => {
    await signIn(sandbox, emulator, "dev");
    setExpiry(sandbox.cacheFile(DEFAULT_IDENTITY), -60_000);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(Date.parse(JSON.parse(run.stdout).Expiration)).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  });
});

describe("awslogin-credential-process, failures: non-zero exit, one line on stderr, nothing on stdout", () => {
  it("a profile that is not in the config file", async () => {
    sandbox.writeConfig("[profile dev]\nregion = us-east-1\n");
    const line = expectOneErrorLine(
      await runCredentialProcess(["--profile", "nope"], sandbox.env),
      "PROFILE_NOT_FOUND",
    );
    expect(line).toContain(
      "Run `aws login --profile nope` (AWS CLI 2.32+) or `awslogin login --profile nope`",
    );
  });

  it("no config file at all", async () => {
    expectOneErrorLine(await runCredentialProcess(["--profile", "dev"], sandbox.env), "PROFILE_NOT_FOUND");
  });

  it("a profile without login_session", async () => {
    sandbox.writeConfig("[profile keys]\nregion = us-east-1\noutput = json\n");
    const line = expectOneErrorLine(
      await runCredentialProcess(["--profile", "keys"], sandbox.env),
      "PROFILE_NOT_LOGIN",
    );
    expect(line).toContain(
      "Run `aws login --profile keys` (AWS CLI 2.32+) or `awslogin login --profile keys`",
    );
  });

  it("no cache file for the session", async () => {
    sandbox.writeConfig(`[profile dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-east-1\n`);
    const line = expectOneErrorLine(
      await runCredentialProcess(["--profile", "dev"], sandbox.env),
      "CACHE_MISSING",
    );
    expect(line).toContain("Run `aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`");
  });

  it("a cache file that is not JSON, left untouched", async () => {
    sandbox.writeConfig(`[profile dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-east-1\n`);
    const path = sandbox.cacheFile(DEFAULT_IDENTITY);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"accessToken": {"accessKeyId": "ASIA');
    const line = expectOneErrorLine(
      await runCredentialProcess(["--profile", "dev"], sandbox.env),
      "CACHE_MALFORMED",
    );
    expect(line).toContain(path);
    expect(readFileSync(path, "utf8")).toBe('{"accessToken": {"accessKeyId": "ASIA');
  });

  it("a cache file without refreshToken, left untouched, secrets not echoed", async () => {
    await signIn(sandbox, emulator, "dev");
    const path = sandbox.cacheFile(DEFAULT_IDENTITY);
    const record = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    delete record.refreshToken;
    const text = JSON.stringify(record);
    writeFileSync(path, text);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    const line = expectOneErrorLine(run, "CACHE_MALFORMED");
    expect(line).toContain("refreshToken");
    expect(line).not.toContain((record.accessToken as Record<string, string>).secretAccessKey);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
  });

  it("a session the service ended (TOKEN_EXPIRED): says to log in again, credentials in the cache kept", async () => {
    await signIn(sandbox, emulator, "dev");
    const path = sandbox.cacheFile(DEFAULT_IDENTITY);
    const text = setExpiry(path, 60_000);
    emulator.injectFault({ count: 1, error: "TOKEN_EXPIRED" });
    const line = expectOneErrorLine(
      await runCredentialProcess(["--profile", "dev"], sandbox.env),
      "TOKEN_EXPIRED",
    );
    expect(line).toBe(
      "awslogin-credential-process: Your login session has ended. Sign in again. Run `aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`, then run your command again. [TOKEN_EXPIRED]",
    );
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
    // Core may note the refusal for `awslogin status`; the credentials and refresh token stay as they were.
    const before = parseTokenCache(text, path);
    const after = parseTokenCache(readFileSync(path, "utf8"), path);
    expect(after.accessToken).toEqual(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
  });

  it("a bad argument: exit 2 with the usage", async () => {
    const run = await runCredentialProcess(["--profle", "dev"], sandbox.env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'awslogin-credential-process: unknown argument "--profle". Usage: awslogin-credential-process [--profile PROFILE] [INVALID_ARGUMENT]\n',
    );
    const empty = await runCredentialProcess(["--profile"], sandbox.env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--profile needs a profile name");
  });

  it("--help prints the usage on stdout", async () => {
    const run = await runCredentialProcess(["--help"], sandbox.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: awslogin-credential-process [--profile PROFILE]");
    expect(run.stdout).toContain("A role profile (role_arn + source_profile down to a login profile)");
    expect(run.stdout).toContain("credential_process = awslogin-credential-process --profile dev");
  });
});
