import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ProfileValues } from "./config.js";
import { AwsLoginError } from "./errors.js";
import {
  defaultRoleSessionName,
  parseRoleCacheRecord,
  resolveRoleChain,
  roleCacheKey,
  serializeRoleCacheRecord,
} from "./role-profile.js";
import { sha1Hex } from "./sha1.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";

function lookupOf(profiles: Record<string, ProfileValues>) {
  return (name: string) => profiles[name];
}

function errorOf(fn: () => unknown): AwsLoginError {
  try {
    fn();
  } catch (error) {
    expect(AwsLoginError.isInstance(error)).toBe(true);
    return error as AwsLoginError;
  }
  throw new Error("expected an AwsLoginError");
}

describe("resolveRoleChain", () => {
  it("follows source_profile two roles deep to the login profile, root first", () => {
    const chain = resolveRoleChain(
      "deploy",
      lookupOf({
        dev: { login_session: "arn:aws:iam::111122223333:user/alice" },
        admin: { role_arn: ADMIN, source_profile: "dev", external_id: "tenant-42", duration_seconds: "900" },
        deploy: {
          role_arn: "arn:aws:iam::777788889999:role/Deploy",
          source_profile: "admin",
          region: "eu-west-1",
        },
      }),
      "/c",
    );
    expect(chain.rootProfile).toBe("dev");
    expect(chain.loginSession).toBe("arn:aws:iam::111122223333:user/alice");
    expect(chain.steps).toEqual([
      { profile: "admin", roleArn: ADMIN, externalId: "tenant-42", durationSeconds: 900 },
      { profile: "deploy", roleArn: "arn:aws:iam::777788889999:role/Deploy", region: "eu-west-1" },
    ]);
  });

  it("names the profiles of a cycle", () => {
    const error = errorOf(() =>
      resolveRoleChain(
        "a",
        lookupOf({
          a: { role_arn: ADMIN, source_profile: "b" },
          b: { role_arn: ADMIN, source_profile: "a" },
        }),
        "/c",
      ),
    );
    expect(error.code).toBe("ROLE_CHAIN_CYCLE");
    expect(error.message).toContain("a → b → a");
  });

  it("names a missing source profile", () => {
    const error = errorOf(() =>
      resolveRoleChain("admin", lookupOf({ admin: { role_arn: ADMIN, source_profile: "gone" } }), "/c"),
    );
    expect(error.code).toBe("ROLE_SOURCE_MISSING");
    expect(error.message).toContain("Profile admin names source_profile gone");
  });

  it("gives ROLE_CHAIN_NOT_LOGIN for a chain rooted in static keys or a credential_source", () => {
    const keys = errorOf(() =>
      resolveRoleChain(
        "admin",
        lookupOf({ admin: { role_arn: ADMIN, source_profile: "base" }, base: { aws_access_key_id: "AKIA" } }),
        "/c",
      ),
    );
    expect(keys.code).toBe("ROLE_CHAIN_NOT_LOGIN");
    expect(keys.message).toContain("ends at profile base");
    const source = errorOf(() =>
      resolveRoleChain(
        "admin",
        lookupOf({ admin: { role_arn: ADMIN, credential_source: "Environment" } }),
        "/c",
      ),
    );
    expect(source.code).toBe("ROLE_CHAIN_NOT_LOGIN");
  });

  it("gives ROLE_CHAIN_NOT_LOGIN for web identity (role_arn + web_identity_token_file), so providers pass it on", () => {
    const error = errorOf(() =>
      resolveRoleChain(
        "ci",
        lookupOf({ ci: { role_arn: ADMIN, web_identity_token_file: "/var/run/token" } }),
        "/c",
      ),
    );
    expect(error.code).toBe("ROLE_CHAIN_NOT_LOGIN");
    expect(error.message).toContain("profile ci's web_identity_token_file");
  });

  it("gives ROLE_CHAIN_NOT_LOGIN for a profile that is its own source_profile with static keys, not a cycle", () => {
    const error = errorOf(() =>
      resolveRoleChain(
        "self",
        lookupOf({
          self: {
            role_arn: ADMIN,
            source_profile: "self",
            aws_access_key_id: "AKIA",
            aws_secret_access_key: "s",
          },
        }),
        "/c",
      ),
    );
    expect(error.code).toBe("ROLE_CHAIN_NOT_LOGIN");
    expect(error.message).toContain("profile self's own static keys");
    // Without keys, naming itself is still a loop.
    const loop = errorOf(() =>
      resolveRoleChain("self", lookupOf({ self: { role_arn: ADMIN, source_profile: "self" } }), "/c"),
    );
    expect(loop.code).toBe("ROLE_CHAIN_CYCLE");
  });

  it("refuses malformed values without echoing them", () => {
    for (const [key, value] of [
      ["role_arn", "arn:aws:iam::1:role/x"],
      ["role_session_name", "has space"],
      ["duration_seconds", "3_600"],
      ["duration_seconds", "899"],
      ["external_id", "x"],
      ["mfa_serial", "short"],
    ] as const) {
      const error = errorOf(() =>
        resolveRoleChain(
          "admin",
          lookupOf({
            dev: { login_session: "s" },
            admin: { role_arn: ADMIN, source_profile: "dev", [key]: value },
          }),
          "/c",
        ),
      );
      expect(error.code).toBe("CONFIG_MALFORMED");
      expect(error.message).toContain(key);
      if (value.length > 3) expect(error.message).not.toContain(value);
    }
  });
});

describe("roleCacheKey", () => {
  // Computed with botocore 1.43.11's AssumeRoleCredentialFetcher(...)._create_cache_key() (python3, this machine).
  it("matches botocore's key for the same AssumeRole arguments", () => {
    expect(roleCacheKey({ roleArn: ADMIN })).toBe("8f01d106254b612ca59634860cece07809d48c2e");
    expect(roleCacheKey({ roleArn: ADMIN, roleSessionName: "alice" })).toBe(
      "e14ae5746029e2edd43d482036054ba2d8d1b7f3",
    );
    expect(
      roleCacheKey({
        roleArn: "arn:aws:iam::444455556666:role/path/Deploy",
        externalId: "tenant-42",
        mfaSerial: "arn:aws:iam::111122223333:mfa/alice",
        durationSeconds: 900,
      }),
    ).toBe("e167bf78ede50ca5c1ec6216789fdd3acdb7e7fa");
  });

  it("hashes with a SHA-1 equal to node:crypto's", () => {
    for (const text of ["", "abc", "x".repeat(55), "x".repeat(56), "x".repeat(64), "é".repeat(300)]) {
      expect(sha1Hex(text)).toBe(createHash("sha1").update(text).digest("hex"));
    }
  });
});

describe("defaultRoleSessionName", () => {
  it("derives a readable, valid name from the login session", () => {
    expect(defaultRoleSessionName("arn:aws:iam::111122223333:user/alice")).toBe("awslogin-alice");
    expect(defaultRoleSessionName("arn:aws:sts::111122223333:assumed-role/Dev/bob@example.com")).toBe(
      "awslogin-bob@example.com",
    );
    expect(defaultRoleSessionName("arn:aws:iam::111122223333:root")).toBe("awslogin-root");
    expect(defaultRoleSessionName("")).toBe("awslogin-session");
    expect(defaultRoleSessionName(`arn:aws:iam::1:user/${"n".repeat(100)}`)).toHaveLength(64);
  });
});

describe("role cache records", () => {
  const creds = {
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: "secret/+=",
    sessionToken: "token",
    expiresAt: Date.UTC(2026, 11, 6, 3, 0, 0),
    accountId: "444455556666",
    assumedRoleArn: "arn:aws:sts::444455556666:assumed-role/Admin/alice",
  };

  it("round-trips, and reads botocore's own `…UTC` expiry format", () => {
    expect(parseRoleCacheRecord(serializeRoleCacheRecord(creds))).toEqual(creds);
    const botocore = JSON.stringify({
      Credentials: {
        AccessKeyId: "ASIAEXAMPLE",
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: "2026-12-06T03:00:00UTC",
      },
      AssumedRoleUser: { Arn: "arn:aws:sts::444455556666:assumed-role/Admin/x", AssumedRoleId: "AROAX:x" },
      ResponseMetadata: { RequestId: "r" },
    });
    expect(parseRoleCacheRecord(botocore)).toMatchObject({
      expiresAt: creds.expiresAt,
      accountId: "444455556666",
    });
  });

  it("refuses records with values of the wrong form", () => {
    for (const bad of [
      "not json",
      "[]",
      JSON.stringify({
        Credentials: { ...JSON.parse(serializeRoleCacheRecord(creds)).Credentials, AccessKeyId: "A K" },
      }),
      JSON.stringify({
        Credentials: { ...JSON.parse(serializeRoleCacheRecord(creds)).Credentials, Expiration: "soon" },
      }),
      JSON.stringify({
        Credentials: { ...JSON.parse(serializeRoleCacheRecord(creds)).Credentials, AccountId: "1" },
      }),
    ]) {
      expect(parseRoleCacheRecord(bad)).toBeUndefined();
    }
  });
});
