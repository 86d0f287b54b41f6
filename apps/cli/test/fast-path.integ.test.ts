/**
 * bin/run.js answers `--version`, `export` and `exec` on a cache hit, and `status --json` of one profile, without
 * oclif (dist/fast-path.cjs). Both
 * paths must print the same bytes and exit alike: each case runs twice, once as users run it and once with
 * AWSLOGIN_NO_FAST_PATH=1 (internal: the oclif commands only), and the two runs are compared whole.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatExpiresAt, serializeTokenCache, type TokenCacheRecord } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, createSandbox, FAKE_BROWSER, runCli, type Sandbox } from "./helpers.js";
import { cachePathOf, editRecord, readRecord } from "./session-helpers.js";

const FORMATS = ["process", "env", "env-no-export", "powershell", "windows-cmd", "fish", "json"];
const forbidOclif = `--import ${fileURLToPath(new URL("./fixtures/forbid-oclif.mjs", import.meta.url))}`;

/** The run as users get it, and the oclif path's, of the same command line. */
async function bothPaths(
  args: string[],
  env: NodeJS.ProcessEnv,
  beforeEach: () => void = () => {},
): Promise<{ fast: CliRun; oclif: CliRun }> {
  beforeEach();
  const fast = await runCli(args, env);
  beforeEach();
  const oclif = await runCli(args, { ...env, AWSLOGIN_NO_FAST_PATH: "1" });
  return { fast, oclif };
}

const shape = ({ code, stdout, stderr }: CliRun) => ({ code, stdout, stderr });

async function login(sandbox: Sandbox, emulator: Emulator): Promise<void> {
  const run = await runCli(
    ["login", "--profile", "dev", "--region", "eu-west-1", "--endpoint-url", emulator.url],
    { ...sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
  );
  expect(run.code, run.stderr).toBe(0);
}

describe("the fast path and the oclif path print the same bytes", () => {
  let emulator: Emulator;
  let sandbox: Sandbox;
  let record: TokenCacheRecord;
  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    sandbox = createSandbox();
    await login(sandbox, emulator);
    record = readRecord(cachePathOf(sandbox, DEFAULT_IDENTITY));
  });
  afterAll(async () => {
    await emulator?.close();
    sandbox?.cleanup();
  });

  it("export, every format, on a cache hit: answered without oclif, same bytes as oclif's", async () => {
    const before = emulator.stats().tokenRequests.refresh_token;
    for (const format of FORMATS) {
      for (const args of [
        ["export", "--profile", "dev", "--format", format],
        ["export", `--format=${format}`, "-p", "dev"],
      ]) {
        const { fast, oclif } = await bothPaths(args, sandbox.env);
        expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
        expect(fast.code, fast.stderr).toBe(0);
        expect(fast.stdout).toContain(record.accessToken.accessKeyId);
        const withoutOclif = await runCli(args, { ...sandbox.env, NODE_OPTIONS: forbidOclif });
        expect(shape(withoutOclif), args.join(" ")).toEqual(shape(fast));
      }
    }
    // The profile from AWS_PROFILE, the region from AWS_REGION, process by default.
    const env = { ...sandbox.env, AWS_PROFILE: "dev", AWS_REGION: "ap-south-1" };
    for (const args of [["export"], ["export", "-f", "json"]]) {
      const { fast, oclif } = await bothPaths(args, env);
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
      expect(fast.code).toBe(0);
    }
    expect(emulator.stats().tokenRequests.refresh_token).toBe(before);
  });

  it("export's errors: a missing profile, a bad flag, a bad format, --help", async () => {
    const cases = [
      ["export", "--profile", "nope"],
      ["export", "--profile", "dev", "--bogus"],
      ["export", "--profile", "dev", "--format", "yaml"],
      ["export", "--profile"],
      ["export", "--profile", "dev", "--profile", "dev"],
      ["export", "--profile", "dev", "extra"],
      ["export", "--help"],
    ];
    for (const args of cases) {
      const { fast, oclif } = await bothPaths(args, sandbox.env);
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
    }
    const missing = await runCli(["export", "--profile", "nope"], sandbox.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[PROFILE_NOT_FOUND\]\n$/);
    const badFormat = await runCli(["export", "--profile", "dev", "--format", "yaml"], sandbox.env);
    expect(badFormat.code).toBe(2);
  });

  it("exec: output, environment and exit status alike on both paths; usage errors from oclif", async () => {
    const script =
      "process.stdout.write(process.env.AWS_ACCESS_KEY_ID + ' ' + process.env.AWS_REGION); process.exit(5)";
    for (const args of [
      ["exec", "--profile", "dev", "--", process.execPath, "-e", script],
      ["exec", "-p", "dev", process.execPath, "-e", script],
    ]) {
      const { fast, oclif } = await bothPaths(args, sandbox.env);
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
      expect(fast.code).toBe(5);
      expect(fast.stdout).toBe(`${record.accessToken.accessKeyId} eu-west-1`);
      const withoutOclif = await runCli(args, { ...sandbox.env, NODE_OPTIONS: forbidOclif });
      expect(shape(withoutOclif)).toEqual(shape(fast));
    }
    for (const args of [
      ["exec", "--profile", "dev"],
      ["exec", "--profile", "dev", "--bogus", "--", "true"],
      ["exec", "--profile", "nope", "--", "true"],
      ["exec", "--profile", "dev", "--", "awslogin-no-such-command"],
      ["exec", "--profile", "dev", "true", "--help"],
    ]) {
      const { fast, oclif } = await bothPaths(args, sandbox.env);
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
    }
  });

  it("--version: the same line as oclif's, without oclif", async () => {
    const { fast, oclif } = await bothPaths(["--version"], sandbox.env);
    expect(shape(fast)).toEqual(shape(oclif));
    expect(fast.stdout).toMatch(/^@awslogin\/cli\/\S+ \S+-\S+ node-v\d+\.\d+\.\d+\n$/);
    const withoutOclif = await runCli(["--version"], { ...sandbox.env, NODE_OPTIONS: forbidOclif });
    expect(shape(withoutOclif)).toEqual(shape(fast));
  });

  it("status --json: the same object and exit status on both paths, answered without oclif", async () => {
    const cachePath = cachePathOf(sandbox, DEFAULT_IDENTITY);
    const original = readFileSync(cachePath);
    appendFileSync(sandbox.configPath, "\n[profile plain]\nregion = us-east-1\n");
    const before = emulator.stats().tokenRequests.refresh_token;
    /** Both paths alike, and the fast one never loads oclif; the parsed object for the caller to judge. */
    const same = async (args: string[], env: NodeJS.ProcessEnv = sandbox.env) => {
      const { fast, oclif } = await bothPaths(args, env);
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
      const withoutOclif = await runCli(args, { ...env, NODE_OPTIONS: forbidOclif });
      expect(shape(withoutOclif), args.join(" ")).toEqual(shape(fast));
      return { code: fast.code, status: JSON.parse(fast.stdout) as Record<string, unknown> };
    };
    try {
      for (const [args, env] of [
        [["status", "--profile", "dev", "--json"], sandbox.env],
        [["status", "--json", "-p", "dev"], sandbox.env],
        [["status", "--json", "--profile=dev"], sandbox.env],
        [["status", "--json"], { ...sandbox.env, AWS_PROFILE: "dev" }],
      ] as const) {
        const { code, status } = await same([...args], env);
        expect(code).toBe(0);
        expect(status).toMatchObject({ profile: "dev", state: "valid", region: "eu-west-1" });
        expect(status.accountId).toBe(record.accessToken.accountId);
      }
      // Not usable: exit status 1, with the judge's reason.
      const plain = await same(["status", "--profile", "plain", "--json"]);
      expect(plain.code).toBe(1);
      expect(plain.status).toMatchObject({
        state: "logged-out",
        reason: "profile plain has no login_session",
      });
      const missing = await same(["status", "--profile", "nope", "--json"]);
      expect(missing.status).toMatchObject({ state: "logged-out", cachePath: null });
      editRecord(cachePath, (current) => ({
        ...current,
        accessToken: { ...current.accessToken, expiresAt: formatExpiresAt(Date.now() + 60_000) },
      }));
      const due = await same(["status", "--profile", "dev", "--json"]);
      expect(due.code).toBe(0);
      expect(due.status.state).toBe("refresh-due");
      editRecord(cachePath, (current) => ({
        ...current,
        awslogin: {
          ...current.awslogin,
          refreshRefused: { code: "TOKEN_EXPIRED", at: "2026-01-01T00:00:00Z" },
        },
      }));
      const refused = await same(["status", "--profile", "dev", "--json"]);
      expect(refused.code).toBe(1);
      expect(refused.status.state).toBe("expired");
      // A cache file that fails the quick check: oclif and core's full reader explain it, on both paths.
      writeFileSync(cachePath, "{ not json");
      const broken = await bothPaths(["status", "--profile", "dev", "--json"], sandbox.env);
      expect(shape(broken.fast)).toEqual(shape(broken.oclif));
      expect(JSON.parse(broken.fast.stdout)).toMatchObject({ state: "unreadable" });
      const brokenWithoutOclif = await runCli(["status", "--profile", "dev", "--json"], {
        ...sandbox.env,
        NODE_OPTIONS: forbidOclif,
      });
      expect(brokenWithoutOclif.stderr).toContain("oclif was loaded");
    } finally {
      writeFileSync(cachePath, original);
    }
    // What the fast path leaves to oclif: text output, --all, a repeated or unknown flag, --help.
    for (const args of [
      ["status", "--profile", "dev"],
      ["status", "--json", "--all"],
      ["status", "--json", "--json", "--profile", "dev"],
      ["status", "--json", "--bogus"],
      ["status", "--json", "--help"],
    ]) {
      const { fast, oclif } = await bothPaths(args, { ...sandbox.env, NO_COLOR: "1" });
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
    }
    expect(emulator.stats().tokenRequests.refresh_token).toBe(before);
  });

  it("a refresh due goes through oclif and core on both paths, to the same answer", async () => {
    const cachePath = cachePathOf(sandbox, DEFAULT_IDENTITY);
    // Each refresh rotates the refresh token: the next run starts from the record the last one wrote.
    const due = () =>
      editRecord(cachePath, (current) => ({
        ...current,
        accessToken: { ...current.accessToken, expiresAt: formatExpiresAt(Date.now() + 60_000) },
      }));
    const underForbid = await (async () => {
      due();
      return runCli(["export", "--profile", "dev"], { ...sandbox.env, NODE_OPTIONS: forbidOclif });
    })();
    expect(underForbid.code).not.toBe(0);
    expect(underForbid.stderr).toContain("oclif was loaded");
    const { fast, oclif } = await bothPaths(
      ["export", "--profile", "dev", "--format", "env"],
      { ...sandbox.env, AWS_ENDPOINT_URL_SIGNIN: emulator.url },
      due,
    );
    expect(fast.code, fast.stderr).toBe(0);
    expect(oclif.code, oclif.stderr).toBe(0);
    expect(fast.stderr).toBe(oclif.stderr);
    record = readRecord(cachePath);
  });
});

describe("an expired session: the same error on both paths", () => {
  let emulator: Emulator;
  let sandbox: Sandbox;
  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true, sessionDuration: 1 });
    sandbox = createSandbox();
    await login(sandbox, emulator);
  });
  afterAll(async () => {
    await emulator?.close();
    sandbox?.cleanup();
  });

  it("export and exec fail alike once the service refuses the refresh", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cachePath = cachePathOf(sandbox, DEFAULT_IDENTITY);
    const record = readRecord(cachePath);
    const due = () =>
      writeFileSync(
        cachePath,
        serializeTokenCache({
          ...record,
          accessToken: { ...record.accessToken, expiresAt: formatExpiresAt(Date.now() + 60_000) },
        }),
      );
    const env = { ...sandbox.env, AWS_ENDPOINT_URL_SIGNIN: emulator.url };
    for (const args of [
      ["export", "--profile", "dev", "--format", "json"],
      ["exec", "--profile", "dev", "--", "true"],
    ]) {
      const { fast, oclif } = await bothPaths(args, env, due);
      expect(shape(fast), args.join(" ")).toEqual(shape(oclif));
      expect(fast.code).toBe(1);
      expect(fast.stderr).toMatch(/^awslogin: .*\[TOKEN_EXPIRED\]\n$/s);
      expect(fast.stdout).toBe("");
    }
  });
});
