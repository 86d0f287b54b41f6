import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import type { DoctorFinding } from "../src/doctor/judges.js";
import { runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, fingerprint, loginProfile, writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox();
let skewed: Emulator | undefined;

afterEach(async () => {
  await skewed?.close();
  skewed = undefined;
});

async function doctor(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const run = await runCli(["doctor", "--json", ...args], { ...harness.sandbox.env, ...env });
  const findings = JSON.parse(run.stdout) as DoctorFinding[];
  return { code: run.code, findings, stderr: run.stderr };
}

function only(findings: DoctorFinding[], check: string): DoctorFinding[] {
  return findings.filter((finding) => finding.check === check);
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("awslogin doctor", () => {
  it("all ok after a login: every check present, exit 0, and nothing refreshed or written", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    const before = fingerprint(file);
    const stats = harness.emulator.stats();
    // No AWS_ENDPOINT_URL_SIGNIN: the probe goes to the endpoint recorded at login (the emulator).
    const { code, findings } = await doctor();
    expect(code).toBe(0);
    expect(findings.map((f) => f.check)).toEqual([
      "config-file",
      "cache-directory",
      "cache-file",
      "profile-cache",
      "endpoint",
      "clock-skew",
      "lock",
    ]);
    for (const finding of findings) {
      expect(finding).toEqual({ check: finding.check, status: "ok", message: expect.any(String), fix: null });
    }
    expect(only(findings, "cache-directory")[0]!.message).toBe(`${harness.sandbox.cacheDir} has mode 0700.`);
    expect(only(findings, "cache-file")[0]!.message).toBe(`${file} has mode 0600.`);
    expect(only(findings, "endpoint")[0]!.message).toContain(harness.emulator.url);
    expect(only(findings, "clock-skew")[0]!.message).toMatch(/within \d s of/);
    expect(fingerprint(file)).toEqual(before);
    expect(harness.emulator.stats().tokenRequests).toEqual(stats.tokenRequests);

    const text = await runCli(["doctor"], harness.sandbox.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^OK {4}config-file: /m);
    expect(text.stdout).toContain("7 ok, 0 warnings, 0 failed");
    expect(text.stdout).not.toContain("\x1b[");
  });

  it("judges permissions: group-writable config (warn), open cache folder (warn), readable cache file (fail, exit 1)", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    chmodSync(harness.sandbox.configPath, 0o664);
    chmodSync(harness.sandbox.cacheDir, 0o755);
    chmodSync(file, 0o644);
    const { code, findings } = await doctor();
    expect(code).toBe(1);
    expect(only(findings, "config-file")[0]).toMatchObject({
      status: "warn",
      fix: `chmod go-w ${harness.sandbox.configPath}`,
    });
    expect(only(findings, "config-file")[0]!.message).toContain("writable by its group (mode 0664)");
    expect(only(findings, "cache-directory")[0]).toMatchObject({
      status: "warn",
      fix: `chmod 700 ${harness.sandbox.cacheDir}`,
    });
    expect(only(findings, "cache-directory")[0]!.message).toBe(
      `${harness.sandbox.cacheDir} has mode 0755: others can list the cached sessions.`,
    );
    expect(only(findings, "cache-file")[0]).toMatchObject({ status: "fail", fix: `chmod 600 ${file}` });
    expect(only(findings, "cache-file")[0]!.message).toContain("has mode 0644");

    chmodSync(harness.sandbox.configPath, 0o602);
    chmodSync(file, 0o600);
    const world = await doctor();
    expect(world.code).toBe(0);
    expect(only(world.findings, "config-file")[0]!.message).toContain("writable by everyone");
  });

  it("fails when the config file cannot be read (a directory) and when a profile's cache is unreadable", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    writeFileSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), "{ not json");
    const unreadable = await doctor();
    expect(unreadable.code).toBe(1);
    expect(only(unreadable.findings, "profile-cache")[0]).toMatchObject({
      status: "fail",
      message: expect.stringContaining("is not valid JSON"),
      fix: "Run `awslogin login --profile dev` to replace the file.",
    });
    expect(only(unreadable.findings, "cache-file")[0]).toMatchObject({
      status: "fail",
      message: expect.stringContaining("is not valid JSON"),
      fix: "Run `awslogin login --profile dev` to replace it.",
    });

    rmSync(harness.sandbox.configPath);
    mkdirSync(harness.sandbox.configPath);
    const broken = await doctor();
    expect(broken.code).toBe(1);
    expect(broken.findings).toEqual([
      {
        check: "config-file",
        status: "fail",
        message: `${harness.sandbox.configPath} is a directory, not a file.`,
        fix: expect.any(String),
      },
    ]);
  });

  it("warns (exit 0) for an ended or logged-out session and for a missing config; --profile checks only that profile", async () => {
    const none = await doctor([], { AWS_ENDPOINT_URL_SIGNIN: harness.emulator.url });
    expect(none.code).toBe(0);
    expect(only(none.findings, "config-file")[0]).toMatchObject({
      status: "warn",
      fix: "Run `awslogin login` to create a profile.",
    });

    await loginProfile(harness.sandbox, harness.emulator, "dev");
    writeConfig(
      harness.sandbox,
      `[profile dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-east-1\n\n[profile other]\nlogin_session = arn:aws:iam::444455556666:user/bob\nregion = us-east-1\n`,
    );
    const { code, findings } = await doctor([], { AWS_ENDPOINT_URL_SIGNIN: harness.emulator.url });
    expect(code).toBe(0);
    expect(only(findings, "profile-cache").map((f) => [f.status, f.message.split(":")[0]])).toEqual([
      ["ok", "Profile dev"],
      ["warn", "Profile other"],
    ]);
    expect(only(findings, "profile-cache")[1]!.fix).toBe("Run `awslogin login --profile other`.");

    const one = await doctor(["--profile", "dev"]);
    expect(only(one.findings, "profile-cache")).toHaveLength(1);
    expect(only(one.findings, "profile-cache")[0]!.message).toMatch(/^Profile dev:/);
  });

  it("measures clock skew against the endpoint's Date header: 2 minutes warns, 10 minutes fails", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    skewed = await startEmulator({ autoApprove: true, now: () => Date.now() + 120_000 });
    const warn = await doctor([], { AWS_ENDPOINT_URL_SIGNIN: skewed.url });
    expect(warn.code).toBe(0);
    expect(only(warn.findings, "clock-skew")[0]).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/1[12]\d s behind/),
    });
    await skewed.close();

    skewed = await startEmulator({ autoApprove: true, now: () => Date.now() - 600_000 });
    const fail = await doctor([], { AWS_ENDPOINT_URL_SIGNIN: skewed.url });
    expect(fail.code).toBe(1);
    expect(only(fail.findings, "clock-skew")[0]).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/(59\d|60\d) s ahead of/),
      fix: expect.stringContaining("NTP"),
    });
  });

  it("fails when the Sign-In endpoint is unreachable", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const port = await closedPort();
    const { code, findings } = await doctor([], { AWS_ENDPOINT_URL_SIGNIN: `http://127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(only(findings, "endpoint")[0]).toMatchObject({
      status: "fail",
      message: expect.stringContaining(`http://127.0.0.1:${port} is not reachable`),
      fix: expect.stringContaining("AWS_ENDPOINT_URL_SIGNIN"),
    });
    expect(only(findings, "clock-skew")).toEqual([]);
  });

  it("finds stale locks (holder gone, or older than 90 s) and leaves a live one alone", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const lock = (name: string, owner: object) =>
      writeFileSync(`${harness.sandbox.cacheDir}/${name}.json.lock`, JSON.stringify(owner));
    lock("a".repeat(64), { pid: dead, host: hostname(), createdAt: Date.now(), nonce: "1" });
    lock("b".repeat(64), { pid: process.pid, host: hostname(), createdAt: Date.now() - 120_000, nonce: "2" });
    lock("c".repeat(64), { pid: process.pid, host: hostname(), createdAt: Date.now(), nonce: "3" });
    const listing = readdirSync(harness.sandbox.cacheDir);
    const { code, findings } = await doctor();
    expect(code).toBe(0);
    const locks = only(findings, "lock");
    expect(locks.map((f) => f.status)).toEqual(["warn", "warn", "ok"]);
    expect(locks[0]!.message).toContain(`its holder (pid ${dead}) is no longer running`);
    expect(locks[0]!.fix).toContain(`rm ${harness.sandbox.cacheDir}/${"a".repeat(64)}.json.lock`);
    expect(locks[1]!.message).toMatch(/held for 1[12]\d s by pid/);
    expect(locks[2]!.message).toContain("in progress");
    expect(readdirSync(harness.sandbox.cacheDir)).toEqual(listing); // doctor removes nothing
  });

  it("on a fresh machine checks the endpoint `awslogin login` would use: AWS_ENDPOINT_URL_SIGNIN, then AWS_ENDPOINT_URL", async () => {
    const stats = harness.emulator.stats();
    for (const env of [
      { AWS_ENDPOINT_URL_SIGNIN: harness.emulator.url },
      { AWS_ENDPOINT_URL: harness.emulator.url },
      { AWS_ENDPOINT_URL: harness.emulator.url, AWS_REGION: "eu-west-1" },
    ]) {
      const { code, findings } = await doctor([], env);
      expect(code, JSON.stringify(findings)).toBe(0);
      expect(only(findings, "endpoint")).toEqual([
        {
          check: "endpoint",
          status: "ok",
          message: expect.stringContaining(harness.emulator.url),
          fix: null,
        },
      ]);
      expect(only(findings, "clock-skew")[0]).toMatchObject({ status: "ok" });
    }
    expect(harness.emulator.stats().tokenRequests).toEqual(stats.tokenRequests);

    // The sandbox's AWS_ENDPOINT_URL (a closed port) is what login would use too: doctor says so.
    const guarded = await doctor();
    expect(guarded.code).toBe(1);
    expect(only(guarded.findings, "endpoint")[0]!.message).toContain("http://127.0.0.1:9 is not reachable");
  });

  it("on a fresh machine without a region or an override says so, with the fix, and sends nothing", async () => {
    const { code, findings } = await doctor([], { AWS_ENDPOINT_URL: undefined });
    expect(code).toBe(0);
    expect(only(findings, "endpoint")).toEqual([
      {
        check: "endpoint",
        status: "warn",
        message: expect.stringContaining("No region is set"),
        fix: expect.stringMatching(/--region .*AWS_REGION/),
      },
    ]);
    expect(only(findings, "clock-skew")).toEqual([]);

    // The default profile's region is read as login reads it: a bad one fails before any request.
    writeConfig(harness.sandbox, "[default]\nregion = not a region\n");
    const bad = await doctor([], { AWS_ENDPOINT_URL: undefined });
    expect(bad.code).toBe(1);
    expect(only(bad.findings, "endpoint")[0]).toMatchObject({
      status: "fail",
      message: expect.stringContaining('"not a region" is not a region name'),
      fix: expect.stringContaining("AWS_REGION"),
    });
  });

  it("warns, with a fix, when the endpoint answers without a Date header", async () => {
    const server: Server = createHttpServer((_req, res) => {
      res.sendDate = false;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const { code, findings } = await doctor([], { AWS_ENDPOINT_URL_SIGNIN: `http://127.0.0.1:${port}` });
      expect(code).toBe(0);
      expect(only(findings, "endpoint")[0]).toMatchObject({ status: "ok" });
      expect(only(findings, "clock-skew")).toEqual([
        {
          check: "clock-skew",
          status: "warn",
          message: `http://127.0.0.1:${port} sent no usable Date header, so the clock could not be compared.`,
          fix: expect.stringContaining("timedatectl"),
        },
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails, with a fix, when the cache path is a file or lies under one, and flags a cache file that is no record", async () => {
    const env = { AWS_ENDPOINT_URL_SIGNIN: harness.emulator.url };
    const file = join(harness.sandbox.dir, "not-a-folder");
    writeFileSync(file, "", { mode: 0o644 });
    const asFile = await doctor([], { ...env, AWS_LOGIN_CACHE_DIRECTORY: file });
    expect(asFile.code).toBe(1);
    expect(only(asFile.findings, "cache-directory")).toEqual([
      {
        check: "cache-directory",
        status: "fail",
        message: `${file} is a file (mode 0644), not a folder: no login can be cached.`,
        fix: expect.stringContaining(`mv ${file} ${file}.bak`),
      },
    ]);

    const under = await doctor([], { ...env, AWS_LOGIN_CACHE_DIRECTORY: join(file, "cache") });
    expect(under.code).toBe(1);
    expect(only(under.findings, "cache-directory")[0]).toMatchObject({
      status: "fail",
      message: expect.stringContaining("(ENOTDIR)"),
      fix: expect.stringContaining("AWS_LOGIN_CACHE_DIRECTORY"),
    });

    mkdirSync(harness.sandbox.cacheDir, { recursive: true, mode: 0o700 });
    const stray = join(harness.sandbox.cacheDir, `${"d".repeat(64)}.json`);
    writeFileSync(stray, "{ not json", { mode: 0o600 });
    const malformed = await doctor([], env);
    expect(malformed.code).toBe(1);
    expect(only(malformed.findings, "cache-file")).toEqual([
      {
        check: "cache-file",
        status: "fail",
        message: expect.stringContaining(`${stray} is not valid JSON`),
        fix: expect.stringContaining(`rm ${stray}`),
      },
    ]);
  });
});
