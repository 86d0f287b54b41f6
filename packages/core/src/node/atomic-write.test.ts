import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeTempFiles } from "./atomic-write.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-temp-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("removeTempFiles: temp files of writers killed before their rename (they hold secrets)", () => {
  it("removes those of dead writers and old ones, keeps a live writer's fresh one and other files", async () => {
    const target = join(dir, "abc.json");
    const dead = `.abc.json.${deadPid()}.0a1b2c.tmp`;
    const live = `.abc.json.${process.pid}.0a1b2d.tmp`;
    const old = `.abc.json.${process.pid}.0a1b2e.tmp`;
    const otherFile = `.def.json.${deadPid()}.0a1b2f.tmp`;
    for (const name of [dead, live, old, otherFile, "abc.json"]) writeFileSync(join(dir, name), "{}");
    const past = new Date(Date.now() - 120_000);
    utimesSync(join(dir, old), past, past);

    await removeTempFiles(target);
    expect(readdirSync(dir).sort()).toEqual([live, otherFile, "abc.json"].sort());
  });

  it("with all: true removes every temp file of that cache file (logout, under the lock)", async () => {
    const target = join(dir, "abc.json");
    writeFileSync(join(dir, `.abc.json.${process.pid}.00ff.tmp`), "{}");
    await removeTempFiles(target, { all: true });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("never throws for a missing folder", async () => {
    await expect(removeTempFiles(join(dir, "missing", "abc.json"))).resolves.toBeUndefined();
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});
