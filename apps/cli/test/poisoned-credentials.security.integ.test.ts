/**
 * Issue 7 §1: a cache file or a token endpoint that hands out a credential able to break out of a shell's quotes
 * (a line break, `$(...)`) gets a typed error from `awslogin export` and `awslogin-credential-process`, prints
 * nothing on stdout, runs nothing in the shell that evaluates the output, and leaves the cache file as it was.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { formatExpiresAt, serializeTokenCache, type TokenCacheRecord } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_BIN,
  type CliRun,
  CREDENTIAL_PROCESS_SCRIPT,
  createSandbox,
  runCli,
  type Sandbox,
  startNode,
} from "./helpers.js";
import { cachePathOf, loginProfile, readRecord } from "./session-helpers.js";

const CREDENTIAL_PROCESS = CREDENTIAL_PROCESS_SCRIPT;

let emulator: Emulator;
let sandbox: Sandbox;
let cachePath: string;
let loggedIn: Buffer;
let marker: string;

beforeAll(async () => {
  emulator = await startEmulator({ autoApprove: true });
  sandbox = createSandbox();
  marker = join(sandbox.dir, "PWNED");
  await loginProfile(sandbox, emulator, "dev");
  cachePath = cachePathOf(sandbox, DEFAULT_IDENTITY);
  loggedIn = readFileSync(cachePath);
});

afterAll(async () => {
  await emulator?.close();
  sandbox?.cleanup();
});

afterEach(() => {
  writeFileSync(cachePath, loggedIn);
});

function credentialProcess(env: NodeJS.ProcessEnv): Promise<CliRun> {
  return startNode(CREDENTIAL_PROCESS, ["--profile", "dev"], env, "").done;
}

/** What a user's shell does with the documented `eval "$(awslogin export --format env)"`: the secret it then holds. */
async function evalInShell(env: NodeJS.ProcessEnv): Promise<string> {
  const command = `eval "$('${process.execPath}' '${CLI_BIN}' export --profile dev --format env)"; printf '%s' "$AWS_SECRET_ACCESS_KEY"`;
  const result = await promisify(execFile)("bash", ["-c", command], { env, cwd: sandbox.dir }).catch(
    (error: { stdout: string }) => error,
  );
  return result.stdout;
}

function expectRefused(run: CliRun, code: string): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stdout).toBe("");
  expect(run.stderr).toContain(`[${code}]`);
}

const POISONED_SECRET = `x\n$(touch ${"MARKER"})`;

describe("a planted cache file (issue 7 §1a)", () => {
  it("a secret key with a line break and $(...) is CACHE_MALFORMED for export and credential_process", async () => {
    const record = readRecord(cachePath);
    const poisoned: TokenCacheRecord = {
      ...record,
      accessToken: { ...record.accessToken, secretAccessKey: POISONED_SECRET.replace("MARKER", marker) },
    };
    const text = serializeTokenCache(poisoned);
    expect(text).toContain("\\n$(touch");
    writeFileSync(cachePath, text);

    expectRefused(
      await runCli(["export", "--profile", "dev", "--format", "env"], sandbox.env),
      "CACHE_MALFORMED",
    );
    expectRefused(await credentialProcess(sandbox.env), "CACHE_MALFORMED");
    expect(await evalInShell(sandbox.env)).toBe("");
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(cachePath, "utf8")).toBe(text);
  });

  it("invalid UTF-8 in a credential is CACHE_MALFORMED, not served with U+FFFD", async () => {
    const at = loggedIn.indexOf('"sessionToken": "') + '"sessionToken": "'.length + 4;
    const broken = Buffer.concat([
      loggedIn.subarray(0, at),
      Buffer.from([0xff, 0xfe]),
      loggedIn.subarray(at),
    ]);
    writeFileSync(cachePath, broken);

    expectRefused(
      await runCli(["export", "--profile", "dev", "--format", "json"], sandbox.env),
      "CACHE_MALFORMED",
    );
    expectRefused(await credentialProcess(sandbox.env), "CACHE_MALFORMED");
    expect(Buffer.compare(readFileSync(cachePath), broken)).toBe(0);
  });
});

describe("a token endpoint that answers a refresh with a poisoned secret key (issue 7 §1a)", () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      requests.push(`${request.method} ${request.url}`);
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            accessToken: {
              accessKeyId: "ASIAQWERTYUIOPASDFGH",
              secretAccessKey: POISONED_SECRET.replace("MARKER", marker),
              sessionToken: "IQoJb3JpZ2luX2VjEJr",
            },
            tokenType: "aws_sigv4",
            expiresIn: 900,
            refreshToken: "ASORnext",
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function writeExpiringIn(ms: number): string {
    const record = readRecord(cachePath);
    const text = serializeTokenCache({
      ...record,
      accessToken: { ...record.accessToken, expiresAt: formatExpiresAt(Date.now() + ms) },
    });
    writeFileSync(cachePath, text);
    return text;
  }

  it("expired credentials: BAD_RESPONSE, nothing printed or run, the cache file unchanged", async () => {
    const expired = writeExpiringIn(-60_000);
    const env = { ...sandbox.env, AWS_ENDPOINT_URL_SIGNIN: url };
    requests.length = 0;

    expectRefused(await runCli(["export", "--profile", "dev", "--format", "env"], env), "BAD_RESPONSE");
    expect(requests).toEqual(["POST /v1/token"]);
    expect(readFileSync(cachePath, "utf8")).toBe(expired);

    expectRefused(await credentialProcess(env), "BAD_RESPONSE");
    expect(await evalInShell(env)).toBe("");
    expect(requests).toHaveLength(3);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(cachePath, "utf8")).toBe(expired);
  });

  it("still-valid credentials: served as they were with a BAD_RESPONSE warning; the poisoned ones never", async () => {
    const due = writeExpiringIn(60_000);
    const env = { ...sandbox.env, AWS_ENDPOINT_URL_SIGNIN: url };
    const { secretAccessKey } = readRecord(cachePath).accessToken;

    const run = await runCli(["export", "--profile", "dev", "--format", "env"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("[BAD_RESPONSE]");
    expect(run.stdout).toContain(`export AWS_SECRET_ACCESS_KEY='${secretAccessKey}'\n`);
    expect(run.stdout).not.toContain("touch");
    expect(await evalInShell(env)).toBe(secretAccessKey);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(cachePath, "utf8")).toBe(due);
  });
});
