import { describe, expect, it } from "vitest";
import { AwsLoginError } from "./errors.js";
import { isUsableState, judgeSessionStatus, type SessionStatusInput } from "./session-status.js";
import type { TokenCacheRecord } from "./token-cache.js";

const SESSION = "arn:aws:sts::012345678901:assumed-role/Admin/admin";
const NOW = Date.UTC(2025, 10, 19, 12, 0, 0);
const MIN = 60_000;

function record(expiresAt: number, awslogin?: Record<string, unknown>): TokenCacheRecord {
  return {
    accessToken: {
      accessKeyId: "ASIA",
      secretAccessKey: "s",
      sessionToken: "t",
      accountId: "012345678901",
      expiresAt: new Date(expiresAt).toISOString(),
    },
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "r",
    dpopKey: "k",
    signInRegion: "eu-west-1",
    ...(awslogin === undefined ? {} : { awslogin }),
  };
}

function input(extra: Partial<SessionStatusInput>): SessionStatusInput {
  return {
    profile: "dev",
    loginSession: SESSION,
    profileExists: true,
    profileRegion: "us-east-1",
    cachePath: "/c/x.json",
    record: undefined,
    ...extra,
  };
}

describe("judgeSessionStatus (docs/protocol.md §6–§8)", () => {
  it.each([
    ["valid: more than 5 minutes left", NOW + 5 * MIN + 1000, "valid"],
    ["refresh-due: exactly 5 minutes left", NOW + 5 * MIN, "refresh-due"],
    ["refresh-due: ran out, session goes on", NOW - 30 * MIN, "refresh-due"],
  ])("%s", (_name, expiresAt, state) => {
    const status = judgeSessionStatus(
      input({ record: record(expiresAt, { sessionStartedAt: new Date(NOW - 60 * MIN).toISOString() }) }),
      NOW,
    );
    expect(status.state).toBe(state);
    expect(status.sessionExpiresAt).toBe(new Date(NOW - 60 * MIN + 12 * 60 * MIN).toISOString());
    expect(status.region).toBe("eu-west-1");
  });

  it("expired exactly at sessionStartedAt + 12 h, whatever the credentials", () => {
    const started = NOW - 12 * 60 * MIN;
    const status = judgeSessionStatus(
      input({ record: record(NOW + 10 * MIN, { sessionStartedAt: new Date(started).toISOString() }) }),
      NOW,
    );
    expect(status).toMatchObject({ state: "expired", sessionExpiresAt: new Date(NOW).toISOString() });
    const before = judgeSessionStatus(
      input({ record: record(NOW + 10 * MIN, { sessionStartedAt: new Date(started + 1000).toISOString() }) }),
      NOW,
    );
    expect(before.state).toBe("valid");
  });

  it("expired when the service refused the last refresh", () => {
    const status = judgeSessionStatus(
      input({
        record: record(NOW + 10 * MIN, {
          refreshRefused: { code: "USER_CREDENTIALS_CHANGED", at: "2025-11-19T11:00:00.000Z" },
        }),
      }),
      NOW,
    );
    expect(status).toMatchObject({
      state: "expired",
      reason: expect.stringContaining("USER_CREDENTIALS_CHANGED"),
    });
    expect(status).not.toHaveProperty("sessionExpiresAt");
  });

  it("a record from the AWS CLI (no awslogin keys): no sessionExpiresAt, judged by credentials alone", () => {
    const status = judgeSessionStatus(input({ record: record(NOW + 10 * MIN) }), NOW);
    expect(status).toEqual({
      profile: "dev",
      loginSession: SESSION,
      accountId: "012345678901",
      expiresAt: new Date(NOW + 10 * MIN).toISOString(),
      region: "eu-west-1",
      state: "valid",
      cachePath: "/c/x.json",
    });
  });

  it("logged-out without login_session or without a file; unreadable with the store's error", () => {
    expect(judgeSessionStatus(input({ loginSession: undefined, cachePath: undefined }), NOW)).toMatchObject({
      state: "logged-out",
      accountId: null,
      cachePath: null,
    });
    expect(
      judgeSessionStatus(input({ loginSession: undefined, profileExists: false }), NOW).reason,
    ).toContain("not in the config file");
    expect(judgeSessionStatus(input({}), NOW)).toMatchObject({
      state: "logged-out",
      accountId: "012345678901",
    });
    const error = new AwsLoginError("CACHE_MALFORMED", "The file is bad.");
    expect(judgeSessionStatus(input({ error }), NOW)).toMatchObject({
      state: "unreadable",
      reason: "The file is bad.",
    });
  });

  it("only valid and refresh-due are usable", () => {
    expect(
      ["valid", "refresh-due", "expired", "logged-out", "unreadable"].map((s) => isUsableState(s as never)),
    ).toEqual([true, true, false, false, false]);
  });
});
