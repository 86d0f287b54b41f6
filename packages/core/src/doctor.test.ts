import { describe, expect, it } from "vitest";
import {
  clockSkewMs,
  doctorExitCode,
  type EndpointProbe,
  judgeCacheDirectory,
  judgeCacheFile,
  judgeClockSkew,
  judgeConfigFile,
  judgeEndpoint,
  judgeLock,
} from "./doctor.js";
import { AwsLoginError } from "./errors.js";

const found = (mode: number, uid = 1000, isDirectory = false) => ({
  kind: "found" as const,
  mode,
  uid,
  isDirectory,
});
const NOW = Date.UTC(2025, 10, 19, 12, 0, 0);

function probe(serverMs: number | undefined, sentAt = NOW, receivedAt = NOW + 100): EndpointProbe {
  return {
    ok: true,
    url: "http://127.0.0.1:1",
    status: 200,
    sentAt,
    receivedAt,
    date: serverMs === undefined ? undefined : new Date(serverMs).toUTCString(),
  };
}

describe("doctor judges", () => {
  it("config file: ok 0600, warn group/world-writable, warn missing, fail unreadable", () => {
    expect(judgeConfigFile("/c", found(0o100600), 1000).status).toBe("ok");
    expect(judgeConfigFile("/c", found(0o100620), 1000)).toMatchObject({
      status: "warn",
      fix: "chmod go-w /c",
    });
    expect(judgeConfigFile("/c", found(0o100602), 1000).message).toContain("everyone");
    expect(judgeConfigFile("/c", found(0o100644), 1000).status).toBe("ok");
    expect(judgeConfigFile("/c", { kind: "missing" }, 1000).status).toBe("warn");
    expect(judgeConfigFile("/c", { kind: "error", code: "EACCES" }, 1000)).toMatchObject({
      status: "fail",
      message: expect.stringContaining("EACCES"),
    });
  });

  it("cache folder 0700 and files 0600 of the user", () => {
    expect(judgeCacheDirectory("/d", found(0o40700, 1000, true), 1000).status).toBe("ok");
    expect(judgeCacheDirectory("/d", found(0o40750, 1000, true), 1000).status).toBe("warn");
    expect(judgeCacheDirectory("/d", found(0o40700, 0, true), 1000).status).toBe("fail");
    expect(judgeCacheDirectory("/d", found(0o100600), 1000).status).toBe("fail");
    expect(judgeCacheDirectory("/d", { kind: "missing" }, 1000).status).toBe("ok");
    expect(judgeCacheFile("/f", found(0o100600), 1000).status).toBe("ok");
    expect(judgeCacheFile("/f", found(0o100640), 1000)).toMatchObject({
      status: "fail",
      fix: "chmod 600 /f",
    });
    expect(judgeCacheFile("/f", found(0o100600, 1001), 1000).status).toBe("fail");
  });

  it("clock skew from the Date header: ok within 60 s, warn to 5 minutes, fail beyond", () => {
    expect(clockSkewMs(probe(NOW + 50) as Extract<EndpointProbe, { ok: true }>)).toBe(450);
    expect(judgeClockSkew(probe(NOW + 59_000))?.status).toBe("ok");
    expect(judgeClockSkew(probe(NOW + 61_000))?.status).toBe("warn");
    expect(judgeClockSkew(probe(NOW - 62_000))?.message).toContain("ahead of");
    expect(judgeClockSkew(probe(NOW + 299_000))?.status).toBe("warn");
    expect(judgeClockSkew(probe(NOW + 301_000))?.status).toBe("fail");
    expect(judgeClockSkew(probe(undefined))?.status).toBe("warn");
    expect(
      judgeClockSkew({ ok: false, url: "u", error: new AwsLoginError("NETWORK", "down") }),
    ).toBeUndefined();
  });

  it("endpoint: any answer is reachable; a transport error fails", () => {
    expect(judgeEndpoint(probe(NOW)).status).toBe("ok");
    expect(judgeEndpoint({ ok: false, url: "u", error: new AwsLoginError("NETWORK", "down") })).toMatchObject(
      { status: "fail" },
    );
  });

  it("locks: stale when the holder is gone or older than 90 s", () => {
    const owner = (createdAt: number) => ({ pid: 42, host: "h", createdAt });
    expect(judgeLock({ path: "/l", owner: owner(NOW), ageMs: 0, holderAlive: true }, NOW).status).toBe("ok");
    expect(judgeLock({ path: "/l", owner: owner(NOW), ageMs: 0, holderAlive: false }, NOW).status).toBe(
      "warn",
    );
    expect(
      judgeLock({ path: "/l", owner: owner(NOW - 90_001), ageMs: 0, holderAlive: true }, NOW).status,
    ).toBe("warn");
    expect(
      judgeLock({ path: "/l", owner: owner(NOW - 89_000), ageMs: 0, holderAlive: undefined }, NOW).status,
    ).toBe("ok");
    expect(
      judgeLock({ path: "/l", owner: "unreadable", ageMs: 91_000, holderAlive: undefined }, NOW).status,
    ).toBe("warn");
  });

  it("exit 1 only when something failed", () => {
    const f = (status: "ok" | "warn" | "fail") => ({
      check: "lock" as const,
      status,
      message: "",
      fix: null,
    });
    expect(doctorExitCode([f("ok"), f("warn")])).toBe(0);
    expect(doctorExitCode([f("ok"), f("fail")])).toBe(1);
  });
});
