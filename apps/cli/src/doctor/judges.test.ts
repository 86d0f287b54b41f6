import { AwsLoginError } from "@awslogin/core";
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
  judgeNoEndpoint,
} from "./judges.js";

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

  it("cache folder: the real mode in every message, access and listing errors each with their fix", () => {
    expect(judgeCacheDirectory("/d", found(0o40700, 1000, true), 1000)).toEqual({
      check: "cache-directory",
      status: "ok",
      message: "/d has mode 0700.",
      fix: null,
    });
    expect(judgeCacheDirectory("/d", found(0o40755, 1000, true), 1000)).toMatchObject({
      status: "warn",
      message: expect.stringContaining("has mode 0755"),
      fix: "chmod 700 /d",
    });
    expect(
      judgeCacheDirectory("/d", { ...found(0o40500, 1000, true), accessError: "EACCES" }, 1000),
    ).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/has mode 0500: .*\(EACCES\)/),
      fix: "chmod 700 /d",
    });
    expect(judgeCacheDirectory("/d", found(0o100644), 1000)).toMatchObject({
      status: "fail",
      message: "/d is a file (mode 0644), not a folder: no login can be cached.",
      fix: expect.stringContaining("mv /d /d.bak"),
    });
    for (const code of ["ENOTDIR", "EACCES", "ELOOP"]) {
      const judged = judgeCacheDirectory("/d", { kind: "error", code }, 1000);
      expect(judged).toMatchObject({ status: "fail", message: expect.stringContaining(`(${code})`) });
      expect(judged.fix).toEqual(expect.stringContaining("AWS_LOGIN_CACHE_DIRECTORY"));
    }
    expect(judgeCacheDirectory("/d", { kind: "error", code: "ENOTDIR" }, 1000).message).toContain(
      "a part of its path is a file",
    );
  });

  it("cache file: the real mode, access, and whether it holds a record (fix names the profile using it)", () => {
    expect(judgeCacheFile("/f", found(0o100600), 1000, { valid: true })).toEqual({
      check: "cache-file",
      status: "ok",
      message: "/f has mode 0600.",
      fix: null,
    });
    expect(judgeCacheFile("/f", found(0o100400), 1000).message).toBe("/f has mode 0400.");
    expect(judgeCacheFile("/f", { ...found(0o100200), accessError: "EACCES" }, 1000)).toMatchObject({
      status: "fail",
      message: expect.stringContaining("mode 0200"),
      fix: "chmod 600 /f",
    });
    const broken = { valid: false as const, problem: "/f is not valid JSON." };
    expect(judgeCacheFile("/f", found(0o100600), 1000, { ...broken, profiles: ["dev", "ci"] })).toEqual({
      check: "cache-file",
      status: "fail",
      message: "/f is not valid JSON.",
      fix: "Run `awslogin login --profile dev` to replace it (also used by ci).",
    });
    expect(judgeCacheFile("/f", found(0o100600), 1000, { ...broken, profiles: [] }).fix).toContain("rm /f");
    expect(judgeCacheFile("/f", { kind: "missing" }, 1000)).toMatchObject({ status: "ok", fix: null });
    expect(judgeCacheFile("/f", { kind: "error", code: "EACCES" }, 1000).fix).toContain("chmod 600 /f");
  });

  it("no endpoint to probe: no region warns with the way to set one; a bad override fails", () => {
    expect(judgeNoEndpoint({ kind: "no-region", profile: "default" })).toMatchObject({
      check: "endpoint",
      status: "warn",
      message: expect.stringContaining("No region is set"),
      fix: expect.stringMatching(/--region.*AWS_REGION/),
    });
    const bad = new AwsLoginError("INVALID_ARGUMENT", "AWS_ENDPOINT_URL_SIGNIN must be an http:// URL.");
    expect(judgeNoEndpoint({ kind: "invalid", error: bad })).toMatchObject({
      status: "fail",
      message: expect.stringContaining(bad.message),
      fix: expect.stringContaining("AWS_ENDPOINT_URL_SIGNIN"),
    });
  });

  it("clock skew from the Date header: ok within 60 s, warn to 5 minutes, fail beyond", () => {
    expect(clockSkewMs(probe(NOW + 50) as Extract<EndpointProbe, { ok: true }>)).toBe(450);
    expect(judgeClockSkew(probe(NOW + 59_000))?.status).toBe("ok");
    expect(judgeClockSkew(probe(NOW + 61_000))?.status).toBe("warn");
    expect(judgeClockSkew(probe(NOW - 62_000))?.message).toContain("ahead of");
    expect(judgeClockSkew(probe(NOW + 299_000))?.status).toBe("warn");
    expect(judgeClockSkew(probe(NOW + 301_000))?.status).toBe("fail");
    expect(judgeClockSkew(probe(undefined))).toMatchObject({
      status: "warn",
      fix: expect.stringContaining("timedatectl"),
    });
    expect(
      judgeClockSkew({ ...(probe(NOW) as Extract<EndpointProbe, { ok: true }>), date: "not a date" })?.fix,
    ).not.toBeNull();
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
