import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheKey } from "../cached-credentials.js";
import { expiresAtMs } from "../token-cache.js";
import { type CacheHit, REFRESH_THRESHOLD_MS, readCacheHit, readStatusHit } from "./cache-hit.js";
import { resolveProfileSession } from "./profile-credentials.js";
import { readSessionStatuses } from "./session-status.js";
import { assertTrustedCacheDirectory } from "./token-store.js";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const SESSION = "arn:aws:sts::111122223333:assumed-role/Developer/alice";

let home: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "awslogin-hit-"));
  mkdirSync(join(home, ".aws", "login", "cache"), { recursive: true });
  env = {};
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function writeCache(session: string, expiresAt: string, extra: Record<string, unknown> = {}): void {
  const record = {
    accessToken: {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      accountId: "111122223333",
      expiresAt,
    },
    tokenType: "aws_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "rt",
    idToken: "e30.e30.sig",
    dpopKey: "-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----\n",
    ...extra,
  };
  writeFileSync(join(home, ".aws", "login", "cache", `${cacheKey(session)}.json`), JSON.stringify(record));
}

const write = (name: string, text: string) => writeFileSync(join(home, ".aws", name), text);

describe("readCacheHit: a cache hit exactly when core would answer from the cache", () => {
  it("answers the credentials, the account and the profile's region while more than 5 minutes are left", () => {
    write("config", `[profile dev]\nlogin_session = ${SESSION}\nregion = eu-west-1\n`);
    writeCache(SESSION, "2026-11-26T12:05:01Z");
    expect(readCacheHit("dev", env, NOW, home)).toEqual({
      credentials: {
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "secret",
        sessionToken: "token",
        accountId: "111122223333",
        expiration: Date.UTC(2026, 10, 26, 12, 5, 1),
      },
      region: "eu-west-1",
    });
    // Exactly 5 minutes left is due: core refreshes, so this answers nothing.
    expect(readCacheHit("dev", env, NOW + 1000, home)).toBeUndefined();
  });

  it("merges the credentials file over the config, as the SDKs do", () => {
    const other = "arn:aws:sts::111122223333:assumed-role/Developer/bob";
    write("config", `[profile dev]\nlogin_session = ${SESSION}\nregion = eu-west-1\n`);
    write("credentials", `[dev]\nlogin_session = ${other}\nregion = ca-central-1\n`);
    writeCache(other, "2026-11-26T13:00:00Z");
    expect(readCacheHit("dev", env, NOW, home)).toMatchObject({ region: "ca-central-1" });
    // A profile only in the credentials file counts too; `[profile dev]` there is not profile dev.
    write("config", "");
    expect(readCacheHit("dev", env, NOW, home)).toBeDefined();
    write("credentials", `[profile dev]\nlogin_session = ${other}\n`);
    expect(readCacheHit("dev", env, NOW, home)).toBeUndefined();
  });

  it("leaves to core: no profile, no session, no cache file, a malformed one, a $VAR cache folder", () => {
    expect(readCacheHit("dev", env, NOW, home)).toBeUndefined(); // no config file at all
    write("config", "[profile dev]\nregion = eu-west-1\n");
    expect(readCacheHit("dev", env, NOW, home)).toBeUndefined();
    write("config", `[profile dev]\nlogin_session = ${SESSION}\n`);
    expect(readCacheHit("dev", env, NOW, home)).toBeUndefined();
    writeFileSync(join(home, ".aws", "login", "cache", `${cacheKey(SESSION)}.json`), '{"accessToken":');
    expect(readCacheHit("dev", env, NOW, home)).toBeUndefined();
    writeCache(SESSION, "2026-11-26T13:00:00Z");
    expect(readCacheHit("dev", env, NOW, home)).toMatchObject({ region: undefined });
    expect(
      readCacheHit("dev", { AWS_LOGIN_CACHE_DIRECTORY: "$HOME/.aws/login/cache" }, NOW, home),
    ).toBeUndefined();
  });

  it("follows AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and AWS_LOGIN_CACHE_DIRECTORY", () => {
    const elsewhere = join(home, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "cfg"), `[default]\nlogin_session = ${SESSION}\n`);
    writeFileSync(join(elsewhere, "creds"), "[default]\nregion = sa-east-1\n");
    const cache = join(elsewhere, "cache");
    mkdirSync(cache);
    writeCache(SESSION, "2026-11-26T13:00:00Z");
    rmSync(join(home, ".aws", "login", "cache"), { recursive: true });
    env = {
      AWS_CONFIG_FILE: join(elsewhere, "cfg"),
      AWS_SHARED_CREDENTIALS_FILE: join(elsewhere, "creds"),
      AWS_LOGIN_CACHE_DIRECTORY: cache,
    };
    expect(readCacheHit("default", env, NOW, home)).toBeUndefined(); // the cache file is not in `cache`
    mkdirSync(join(home, ".aws", "login", "cache"), { recursive: true });
    writeCache(SESSION, "2026-11-26T13:00:00Z");
    env.AWS_LOGIN_CACHE_DIRECTORY = join(home, ".aws", "login", "cache");
    expect(readCacheHit("default", env, NOW, home)).toMatchObject({ region: "sa-east-1" });
  });
});

describe("readCacheHit agrees with core's full path on the profile (config + credentials files) (property)", () => {
  const FRESH = "arn:aws:sts::111122223333:assumed-role/Developer/fresh";
  const DUE = "arn:aws:sts::111122223333:assumed-role/Developer/due";
  const MISSING = "arn:aws:sts::111122223333:assumed-role/Developer/missing";

  /** core's answer: profile → login_session (resolveProfileSession), the record (token store), more than 5 min left. */
  async function coreAnswer(
    profile: string,
    env: NodeJS.ProcessEnv,
    now: number,
  ): Promise<CacheHit | undefined> {
    let session: Awaited<ReturnType<typeof resolveProfileSession>>;
    try {
      session = await resolveProfileSession({ profile, env });
    } catch {
      return undefined;
    }
    await assertTrustedCacheDirectory(session.store.directory);
    const record = await session.store.read(session.loginSession).catch(() => undefined);
    if (record === undefined || expiresAtMs(record) - now <= REFRESH_THRESHOLD_MS) return undefined;
    const { accessKeyId, secretAccessKey, sessionToken, accountId } = record.accessToken;
    return {
      credentials: { accessKeyId, secretAccessKey, sessionToken, accountId, expiration: expiresAtMs(record) },
      region: session.region,
    };
  }

  // Weighted towards what makes a hit (profile dev with the fresh session) so that both answers are common.
  const value = fc.oneof(
    { arbitrary: fc.constant(FRESH), weight: 6 },
    fc.constantFrom(DUE, MISSING, "", " ", "eu-west-1", "us-east-1 ", "x=y", "\u00e9"),
  );
  const line = fc.oneof(
    { arbitrary: fc.tuple(fc.constant("login_session"), value), weight: 4 },
    fc.tuple(fc.constantFrom("region", "Login_Session", "sso_session"), value),
    fc.constantFrom("# comment", "", "  nested = 1", "[not a header", "login_session"),
  );
  const header = fc.oneof(
    { arbitrary: fc.constantFrom("[profile dev]", "[dev]", "[default]"), weight: 4 },
    fc.constantFrom("[profile  dev ]", "[ dev ]", "[profile other]", "[profile default]"),
  );
  const section = fc.tuple(header, fc.array(line, { maxLength: 4 }));
  const file = fc.option(fc.array(section, { maxLength: 3 }), { nil: undefined });
  const render = (sections: Array<[string, Array<[string, string] | string>]>) =>
    sections
      .map(([head, lines]) =>
        [head, ...lines.map((l) => (typeof l === "string" ? l : `${l[0]} = ${l[1]}`))].join("\n"),
      )
      .join("\n");

  it("the same credentials and region, or both leave it to core", async () => {
    const cache = join(home, ".aws", "login", "cache");
    writeCache(FRESH, "2026-11-26T13:00:00Z");
    writeCache(DUE, "2026-11-26T12:04:00Z");
    const env = {
      AWS_CONFIG_FILE: join(home, ".aws", "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
      AWS_LOGIN_CACHE_DIRECTORY: cache,
    };
    const seen = { hits: 0, misses: 0 };
    await fc.assert(
      fc.asyncProperty(
        file,
        file,
        fc.constantFrom("dev", "default"),
        async (config, credentials, profile) => {
          for (const [name, sections] of [
            ["config", config],
            ["credentials", credentials],
          ] as const) {
            rmSync(join(home, ".aws", name), { force: true });
            if (sections !== undefined) write(name, render(sections));
          }
          const hit = readCacheHit(profile, env, NOW, home);
          expect(hit).toEqual(await coreAnswer(profile, env, NOW));
          seen[hit === undefined ? "misses" : "hits"]++;
        },
      ),
      { numRuns: 300 },
    );
    // Both answers were exercised, not only "leave it to core".
    expect(seen.hits).toBeGreaterThan(10);
    expect(seen.misses).toBeGreaterThan(10);
  });
});

describe("readStatusHit agrees with core's readSessionStatuses (property)", () => {
  const SESSIONS = {
    fresh: "arn:aws:sts::111122223333:assumed-role/Developer/fresh",
    due: "arn:aws:sts::111122223333:assumed-role/Developer/due",
    refused: "arn:aws:sts::111122223333:assumed-role/Developer/refused",
    ended: "arn:aws:sts::111122223333:assumed-role/Developer/ended",
    region: "arn:aws:sts::111122223333:assumed-role/Developer/region",
    broken: "arn:aws:sts::111122223333:assumed-role/Developer/broken",
    badKey: "arn:aws:sts::111122223333:assumed-role/Developer/bad-key",
    missing: "arn:aws:sts::111122223333:assumed-role/Developer/missing",
  };
  const value = fc.oneof(
    { arbitrary: fc.constantFrom(...Object.values(SESSIONS)), weight: 6 },
    fc.constantFrom("", " ", "eu-west-1", "not-an-arn", "\u00e9"),
  );
  const line = fc.oneof(
    { arbitrary: fc.tuple(fc.constant("login_session"), value), weight: 4 },
    fc.tuple(fc.constantFrom("region", "Login_Session"), value),
    fc.constantFrom("# comment", "", "  nested = 1", "[not a header", "login_session"),
  );
  const header = fc.oneof(
    { arbitrary: fc.constantFrom("[profile dev]", "[default]"), weight: 4 },
    fc.constantFrom("[dev]", "[profile  dev ]", "[profile other]"),
  );
  const file = fc.option(fc.array(fc.tuple(header, fc.array(line, { maxLength: 4 })), { maxLength: 3 }), {
    nil: undefined,
  });
  /** The credentials file: bare names are its profiles; its keys override the config file's. */
  const credentialsHeader = fc.constantFrom("[dev]", "[default]", "[other]", "[profile dev]");
  const credentialsFile = fc.option(
    fc.array(fc.tuple(credentialsHeader, fc.array(line, { maxLength: 3 })), { maxLength: 2 }),
    { nil: undefined },
  );
  const render = (sections: Array<[string, Array<[string, string] | string>]>) =>
    sections
      .map(([head, lines]) =>
        [head, ...lines.map((l) => (typeof l === "string" ? l : `${l[0]} = ${l[1]}`))].join("\n"),
      )
      .join("\n");

  it("the same status object, or it leaves the question to core", async () => {
    const cache = join(home, ".aws", "login", "cache");
    writeCache(SESSIONS.fresh, "2026-11-26T13:00:00Z", {
      awslogin: { sessionStartedAt: "2026-11-26T08:00:00Z" },
    });
    writeCache(SESSIONS.due, "2026-11-26T12:04:00Z", { signInRegion: "eu-west-1" });
    writeCache(SESSIONS.refused, "2026-11-26T13:00:00Z", {
      awslogin: { refreshRefused: { code: "TOKEN_EXPIRED", at: "2026-11-26T11:00:00Z" } },
    });
    writeCache(SESSIONS.ended, "2026-11-26T11:00:00Z", {
      awslogin: { sessionStartedAt: "2026-11-25T20:00:00Z" },
    });
    writeCache(SESSIONS.region, "2026-11-26T13:00:00Z", { signInRegion: "" });
    writeCache(SESSIONS.badKey, "2026-11-26T13:00:00Z", { clientId: "has space" });
    writeFileSync(join(cache, `${cacheKey(SESSIONS.broken)}.json`), "{ cut short");
    const env = {
      AWS_CONFIG_FILE: join(home, ".aws", "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
      AWS_LOGIN_CACHE_DIRECTORY: cache,
    };
    const seen = { answered: 0, declined: 0 };
    await fc.assert(
      fc.asyncProperty(
        file,
        credentialsFile,
        fc.constantFrom("dev", "default", "other"),
        async (config, creds, profile) => {
          rmSync(env.AWS_CONFIG_FILE, { force: true });
          rmSync(env.AWS_SHARED_CREDENTIALS_FILE, { force: true });
          if (config !== undefined) write("config", render(config));
          if (creds !== undefined) write("credentials", render(creds));
          const fast = readStatusHit(profile, env, NOW, home);
          const core = (await readSessionStatuses({ profile, env, now: NOW })).statuses[0];
          if (fast === undefined) seen.declined++;
          else {
            seen.answered++;
            // The same keys in the same order: the JSON printed is byte for byte the same.
            expect(JSON.stringify(fast)).toBe(JSON.stringify(core));
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(seen.answered).toBeGreaterThan(30);
    expect(seen.declined).toBeGreaterThan(10);
  });

  it("reads login_session from the credentials file too, over the config file's, as the SDKs merge them", async () => {
    const cache = join(home, ".aws", "login", "cache");
    writeCache(SESSIONS.fresh, "2026-11-26T13:00:00Z");
    const env = {
      AWS_CONFIG_FILE: join(home, ".aws", "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
      AWS_LOGIN_CACHE_DIRECTORY: cache,
    };
    write("config", `[profile dev]\nregion = eu-west-1\nlogin_session = ${SESSIONS.missing}\n`);
    write(
      "credentials",
      `[dev]\nlogin_session = ${SESSIONS.fresh}\n[solo]\nlogin_session = ${SESSIONS.fresh}\n`,
    );
    const fast = readStatusHit("dev", env, NOW, home);
    const core = await readSessionStatuses({ profile: "dev", env, now: NOW });
    expect(fast).toMatchObject({ profile: "dev", loginSession: SESSIONS.fresh, state: "valid" });
    expect(JSON.stringify(core.statuses[0])).toBe(JSON.stringify(fast));
    const all = await readSessionStatuses({ all: true, env, now: NOW });
    expect(all.statuses.map((status) => [status.profile, status.state])).toEqual([
      ["dev", "valid"],
      ["solo", "valid"],
    ]);
  });

  it("declines what the full reader must explain: no cache file, a malformed or doubtful one", async () => {
    const cache = join(home, ".aws", "login", "cache");
    writeFileSync(join(cache, `${cacheKey(SESSIONS.broken)}.json`), "{ cut short");
    writeCache(SESSIONS.badKey, "2026-11-26T13:00:00Z", { clientId: "has space" });
    const env = { AWS_CONFIG_FILE: join(home, ".aws", "config"), AWS_LOGIN_CACHE_DIRECTORY: cache };
    for (const session of [SESSIONS.missing, SESSIONS.broken, SESSIONS.badKey]) {
      write("config", `[profile dev]\nlogin_session = ${session}\n`);
      expect(readStatusHit("dev", env, NOW, home), session).toBeUndefined();
      const core = (await readSessionStatuses({ profile: "dev", env, now: NOW })).statuses[0];
      expect(core?.state).toBe(session === SESSIONS.missing ? "logged-out" : "unreadable");
    }
    // A config file that cannot be read (a folder): core explains it.
    mkdirSync(join(home, "folder"));
    expect(
      readStatusHit("dev", { ...env, AWS_CONFIG_FILE: join(home, "folder") }, NOW, home),
    ).toBeUndefined();
  });
});
