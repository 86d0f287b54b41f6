import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatExpiresAt, loginCacheKey, parseTokenCache, serializeTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, FAKE_BROWSER, runCli, type Sandbox } from "./helpers.js";

const WORKER = fileURLToPath(new URL("./fixtures/get-credentials.mjs", import.meta.url));
const PROFILE = "faults";

let emulator: Emulator | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await emulator?.close();
  sandbox?.cleanup();
  emulator = undefined;
  sandbox = undefined;
});

async function setUp(options: Parameters<typeof startEmulator>[0] = {}) {
  emulator = await startEmulator({ autoApprove: true, ...options });
  sandbox = createSandbox();
  const login = await runCli(
    ["login", "--profile", PROFILE, "--region", "us-east-1", "--endpoint-url", emulator.url],
    { ...sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
  );
  expect(login.code, login.stderr).toBe(0);
  const cacheFile = join(sandbox.cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
  return { emulator, sandbox, cacheFile };
}

/** Moves the cached credentials' expiry to `msLeft` from now; returns their access key id. */
function expireIn(cacheFile: string, msLeft: number): string {
  const record = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + msLeft);
  writeFileSync(cacheFile, serializeTokenCache(record), { mode: 0o600 });
  return record.accessToken.accessKeyId;
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startWorker(env: NodeJS.ProcessEnv, script = WORKER): Promise<Result> {
  const child = spawn(process.execPath, [script, PROFILE], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("valid credentials are served while another process refreshes (issue 7 §4)", () => {
  it("a call that finds the lock held and the credentials due but valid answers at once with them", async () => {
    const { emulator, sandbox, cacheFile } = await setUp();
    const oldKey = expireIn(cacheFile, 120_000);
    // The refresher's token request hangs for 20 s: it holds the lock all that time.
    emulator.injectFault({ count: 1, delayMs: 20_000 });
    let refresherDone = false;
    const refresher = startWorker(sandbox.env).then((result) => {
      refresherDone = true;
      return result;
    });
    await until(() => emulator.stats().tokenRequests.refresh_token === 1, "the refresher's token request");

    const consumer = await startWorker(sandbox.env);
    expect(consumer.code, consumer.stderr).toBe(0);
    expect(JSON.parse(consumer.stdout)).toEqual({ accessKeyId: oldKey, refreshed: false });
    // Answered while the refresh was still in flight, not after it.
    expect(refresherDone).toBe(false);

    const refreshed = await refresher;
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ refreshed: true });
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  }, 90_000);

  it("expired credentials still wait for the holder and take its result", async () => {
    const { emulator, sandbox, cacheFile } = await setUp();
    expireIn(cacheFile, -1000);
    emulator.injectFault({ count: 1, delayMs: 1500 });
    const refresher = startWorker(sandbox.env);
    await until(() => emulator.stats().tokenRequests.refresh_token === 1, "the refresher's token request");
    const consumer = await startWorker(sandbox.env);
    const refreshed = await refresher;
    expect(consumer.code, consumer.stderr).toBe(0);
    expect(JSON.parse(consumer.stdout).accessKeyId).toBe(JSON.parse(refreshed.stdout).accessKeyId);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  }, 90_000);
});
