import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { formatExpiresAt } from "@awslogin/core";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import type { DoctorFinding } from "../src/doctor/judges.js";
import { runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, editRecord, loginProfile } from "./session-helpers.js";

const harness = useEmulatorSandbox();

describe("broken locks are stale locks, and doctor sees them (issue 7 §5)", () => {
  it("doctor reports each broken lock shape with its fix instead of 'ok'", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const dir = harness.sandbox.cacheDir;
    const lock = (c: string) => `${dir}/${c.repeat(64)}.json.lock`;
    const record = (fields: object) =>
      JSON.stringify({ pid: 1, host: hostname(), createdAt: Date.now(), nonce: "n", ...fields });
    symlinkSync(`${dir}/nowhere`, lock("a"));
    mkdirSync(lock("b"));
    writeFileSync(lock("c"), record({ pid: 0 }));
    writeFileSync(lock("d"), record({ pid: -5 }));
    writeFileSync(lock("e"), record({ createdAt: Date.now() + 3_600_000 }));
    mkdirSync(lock("f"));
    writeFileSync(`${lock("f")}/x`, "");
    const listing = readdirSync(dir);

    const run = await runCli(["doctor", "--json"], harness.sandbox.env);
    const findings = (JSON.parse(run.stdout) as DoctorFinding[]).filter((f) => f.check === "lock");
    expect(findings.map((f) => f.status)).toEqual(["warn", "warn", "warn", "warn", "warn", "fail"]);
    expect(findings[0]!.message).toContain("symbolic link");
    expect(findings[0]!.fix).toBe(`rm ${lock("a")}`);
    expect(findings[1]!.message).toContain("empty folder");
    expect(findings[1]!.fix).toBe(`rmdir ${lock("b")}`);
    expect(findings[2]!.message).toContain("no valid process id (0)");
    expect(findings[3]!.message).toContain("no valid process id (-5)");
    expect(findings[4]!.message).toMatch(/creation time is \d+ s in the future/);
    expect(findings[5]!.message).toContain("LOCK_BROKEN");
    expect(findings[5]!.fix).toContain(`rm -r ${lock("f")}`);
    expect(readdirSync(dir)).toEqual(listing); // doctor removes nothing
  });

  it.each([
    ["a dangling symlink", (path: string) => symlinkSync(`${path}.nowhere`, path)],
    ["an empty folder", (path: string) => mkdirSync(path)],
    [
      "pid 0",
      (path: string) =>
        writeFileSync(path, JSON.stringify({ pid: 0, host: hostname(), createdAt: Date.now(), nonce: "n" })),
    ],
    [
      "a createdAt in the future",
      (path: string) =>
        writeFileSync(
          path,
          JSON.stringify({ pid: 1, host: hostname(), createdAt: Date.now() + 3_600_000, nonce: "n" }),
        ),
    ],
  ])("a due refresh behind %s takes the lock over and refreshes", async (_name, plant) => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const cacheFile = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    // Expired: the call must refresh, so it must get the lock (a valid cache would be served past a held lock).
    editRecord(cacheFile, (r) => ({
      ...r,
      accessToken: { ...r.accessToken, expiresAt: formatExpiresAt(Date.now() - 1000) },
    }));
    plant(`${cacheFile}.lock`);
    const run = await runCli(
      ["export", "--profile", "dev", "--format", "env-no-export"],
      harness.sandbox.env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
    expect(readdirSync(harness.sandbox.cacheDir)).toEqual([`${cacheFile.split("/").pop()}`]);
  });
});
