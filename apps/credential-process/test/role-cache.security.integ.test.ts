/**
 * The assume-role cache as an attack surface: credentials planted in a folder other users can write are never served,
 * and a cache entry that is not a well-formed record is never served but replaced by a fresh AssumeRole.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, runCredentialProcess, type Sandbox, signIn } from "./helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const KEY = "8f01d106254b612ca59634860cece07809d48c2e.json";

let emulator: Emulator | undefined;
let sandbox: Sandbox | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox?.cleanup();
  sandbox = undefined;
});

function planted(accessKeyId: string): string {
  return JSON.stringify({
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: "planted",
      SessionToken: "planted",
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
      AccountId: "444455556666",
    },
  });
}

async function setUp() {
  emulator = await startEmulator({ autoApprove: true, roles: [ADMIN] });
  sandbox = createSandbox();
  await signIn(sandbox, emulator, "dev");
  writeFileSync(
    sandbox.configPath,
    `${readFileSync(sandbox.configPath, "utf8")}\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
  );
  const cacheDir = join(sandbox.dir, "shared", "cache");
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const env = { ...sandbox.env, AWS_ENDPOINT_URL_STS: emulator.url, AWSLOGIN_ROLE_CACHE_DIRECTORY: cacheDir };
  return { emulator, env, cacheDir };
}

describe("assume-role cache (security)", () => {
  it("never serves credentials planted in a folder other users can write: CACHE_DIRECTORY_UNSAFE", async () => {
    const { emulator, env, cacheDir } = await setUp();
    writeFileSync(join(cacheDir, KEY), planted("ASIAPLANTED"), { mode: 0o600 });
    chmodSync(cacheDir, 0o777);
    const run = await runCredentialProcess(["--profile", "admin"], env);
    expect(run.stdout).not.toContain("ASIAPLANTED");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[CACHE_DIRECTORY_UNSAFE]");
    expect(run.stderr).toContain("the assume-role cache");
    // Signing in again fixes nothing here: the folder and the role credentials in it are what to look at.
    expect(run.stderr).not.toMatch(/sign in again|awslogin login/);
    expect(run.stderr).toContain(`chmod 700 ${cacheDir}`);
    expect(run.stderr).toContain("delete its .json files");
    expect(emulator.stats().assumeRole.requests).toBe(0);
  });

  it("a write clears the temp files a killed writer left (0600, with secrets); a live writer's fresh one stays", async () => {
    const { emulator, env, cacheDir } = await setUp();
    // A pid that is certainly gone: a child that has exited.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const abandoned = join(cacheDir, `.${KEY}.${dead}.0123456789ab.tmp`);
    const live = join(cacheDir, `.${KEY}.${process.pid}.ba9876543210.tmp`);
    const other = join(cacheDir, `.someone-else.json.${dead}.0123456789ab.tmp`);
    for (const path of [abandoned, live, other])
      writeFileSync(path, planted("ASIAHALFWRITTEN"), { mode: 0o600 });
    const run = await runCredentialProcess(["--profile", "admin"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.stats().assumeRole.ok).toBe(1);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(live)).toBe(true);
    // Only the temp files of the entry written are ours to judge.
    expect(existsSync(other)).toBe(true);
    expect(readdirSync(cacheDir).sort()).toEqual(
      [KEY, `.${KEY}.${process.pid}.ba9876543210.tmp`, `.someone-else.json.${dead}.0123456789ab.tmp`].sort(),
    );
  });

  it("never serves a malformed entry (a value of the wrong form): assumes the role again and replaces it", async () => {
    const { emulator, env, cacheDir } = await setUp();
    writeFileSync(join(cacheDir, KEY), planted("ASIA PLANTED\u001b[2J"), { mode: 0o600 });
    const run = await runCredentialProcess(["--profile", "admin"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("PLANTED");
    expect(emulator.stats().assumeRole.ok).toBe(1);
    expect(readFileSync(join(cacheDir, KEY), "utf8")).toContain(JSON.parse(run.stdout).AccessKeyId);
  });
});
