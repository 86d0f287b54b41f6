import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultRoleSessionName, roleCacheKey, serializeRoleCacheRecord } from "../role-profile.js";
import { removeRoleCacheEntriesOf } from "./role-logout.js";

const DEV = "arn:aws:iam::111122223333:user/dev";
const PROD = "arn:aws:iam::777788889999:user/prod";
const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const DEEP = "arn:aws:iam::555566667777:role/Deep";
const AUDIT = "arn:aws:iam::444455556666:role/Audit";

let root: string;
let cacheDir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "awslogin-role-logout-"));
  cacheDir = join(root, "cli-cache");
  await mkdir(cacheDir, { mode: 0o700 });
  env = {
    AWS_CONFIG_FILE: join(root, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(root, "credentials"),
    AWSLOGIN_ROLE_CACHE_DIRECTORY: cacheDir,
  };
  await writeFile(
    env.AWS_CONFIG_FILE!,
    [
      `[profile dev]\nlogin_session = ${DEV}\nregion = us-east-1`,
      `[profile prod]\nlogin_session = ${PROD}\nregion = us-east-1`,
      // Rooted in dev: one role, and a chain two roles deep through it.
      `[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev`,
      `[profile deep]\nrole_arn = ${DEEP}\nsource_profile = admin\nduration_seconds = 900`,
      // Rooted in prod, with the same AssumeRole arguments as admin: the same file name.
      `[profile prod-admin]\nrole_arn = ${ADMIN}\nsource_profile = prod`,
      // Rooted in prod only.
      `[profile audit]\nrole_arn = ${AUDIT}\nsource_profile = prod`,
      // Does not resolve: skipped.
      `[profile loop]\nrole_arn = ${AUDIT}\nsource_profile = loop`,
      "",
    ].join("\n"),
  );
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function plant(key: string, roleArn: string, sessionName: string): Promise<string> {
  const path = join(cacheDir, `${key}.json`);
  const role = roleArn.split("/").at(-1);
  const account = /::(\d{12}):/.exec(roleArn)![1];
  await writeFile(
    path,
    serializeRoleCacheRecord({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiresAt: Date.now() + 3_600_000,
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`,
    }),
    { mode: 0o600 },
  );
  return path;
}

describe("removeRoleCacheEntriesOf", () => {
  it("removes every step of the chains rooted in the session, and nothing of another session's chains", async () => {
    const admin = await plant(roleCacheKey({ roleArn: ADMIN }), ADMIN, defaultRoleSessionName(DEV));
    const deep = await plant(roleCacheKey({ roleArn: DEEP, durationSeconds: 900 }), DEEP, "x");
    const audit = await plant(roleCacheKey({ roleArn: AUDIT }), AUDIT, defaultRoleSessionName(PROD));
    const unrelated = join(cacheDir, "0123456789abcdef0123456789abcdef01234567.json");
    await writeFile(unrelated, "{}", { mode: 0o600 });

    expect(await removeRoleCacheEntriesOf(DEV, { env })).toEqual({ removed: 2, kept: 0 });
    expect([existsSync(admin), existsSync(deep)]).toEqual([false, false]);
    expect([existsSync(audit), existsSync(unrelated)]).toEqual([true, true]);
    // Again: nothing left to remove, and that is fine.
    expect(await removeRoleCacheEntriesOf(DEV, { env })).toEqual({ removed: 0, kept: 0 });
  });

  it("keeps a file name another session's chain shares when the entry holds that session's role credentials", async () => {
    const shared = await plant(roleCacheKey({ roleArn: ADMIN }), ADMIN, defaultRoleSessionName(PROD));
    expect(await removeRoleCacheEntriesOf(DEV, { env })).toEqual({ removed: 0, kept: 1 });
    expect(existsSync(shared)).toBe(true);
    // Logging prod out removes it.
    expect(await removeRoleCacheEntriesOf(PROD, { env })).toEqual({ removed: 1, kept: 0 });
    expect(existsSync(shared)).toBe(false);
  });

  it("reads role profiles from the credentials file too, and is fine without a cache folder", async () => {
    await writeFile(env.AWS_SHARED_CREDENTIALS_FILE!, `[ops]\nrole_arn = ${AUDIT}\nsource_profile = dev\n`);
    const ops = await plant(roleCacheKey({ roleArn: AUDIT }), AUDIT, defaultRoleSessionName(DEV));
    // audit (prod) shares the name; the entry is dev's session.
    expect(await removeRoleCacheEntriesOf(DEV, { env })).toEqual({ removed: 1, kept: 0 });
    expect(existsSync(ops)).toBe(false);
    await rm(cacheDir, { recursive: true });
    expect(await removeRoleCacheEntriesOf(DEV, { env })).toEqual({ removed: 0, kept: 0 });
  });
});
