import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LoginResult, login, loginCacheKey } from "@awslogin/core";
import {
  createFileTokenStore,
  createHttpTransport,
  startCallbackListener,
  systemClock,
  systemRandom,
} from "@awslogin/core/node";
import type { Emulator } from "@awslogin/emulator";

export const BIN = fileURLToPath(new URL("../dist/main.cjs", import.meta.url));

/** A throwaway HOME with its own AWS config file and login cache. */
export interface Sandbox {
  dir: string;
  configPath: string;
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  cacheFile(loginSession: string): string;
  writeConfig(text: string): void;
  cleanup(): void;
}

export function createSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-cp-test-"));
  const configPath = join(dir, ".aws", "config");
  const cacheDir = join(dir, ".aws", "login", "cache");
  return {
    dir,
    configPath,
    cacheDir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      NODE_ENV: "production",
      AWS_CONFIG_FILE: configPath,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, ".aws", "credentials"),
      AWS_LOGIN_CACHE_DIRECTORY: cacheDir,
      // A safety net: anything that loses its endpoint fails on a closed local port instead of reaching AWS.
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    },
    cacheFile: (loginSession) => join(cacheDir, `${loginCacheKey(loginSession)}.json`),
    writeConfig(text) {
      mkdirSync(dirname(configPath), { recursive: true });
      writeFileSync(configPath, text);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A real same-device login against the emulator through core's driver: loopback listener on 127.0.0.1,
 * a "browser" that follows the emulator's auto-approve redirect, PKCE and DPoP checked by the emulator.
 */
export async function signIn(
  sandbox: Sandbox,
  emulator: Emulator,
  profile: string,
  region = "us-east-1",
): Promise<LoginResult> {
  return login(
    {
      clock: systemClock,
      random: systemRandom,
      transport: createHttpTransport(),
      startListener: startCallbackListener,
      browser: {
        // Like a real browser: started, not waited for (the callback page answers only once the login has it).
        async open(url) {
          void followRedirects(url);
          return true;
        },
      },
      ui: { showAuthorizeUrl() {}, waiting() {} },
      store: createFileTokenStore({ directory: sandbox.cacheDir }),
      config: {
        path: sandbox.configPath,
        read: () => readFile(sandbox.configPath, "utf8").catch(() => ""),
        async write(text) {
          mkdirSync(dirname(sandbox.configPath), { recursive: true });
          await writeFile(sandbox.configPath, text);
        },
      },
      prompt: {
        isInteractive: false,
        confirm: () => Promise.reject(new Error("no prompt in tests")),
      },
    },
    {
      profile,
      region,
      flow: "same-device",
      baseUrl: emulator.url,
      tokenUrl: `${emulator.url}/v1/token`,
      endpointOverride: emulator.url,
      timeoutMs: 20_000,
      openBrowser: true,
      force: false,
    },
  );
}

async function followRedirects(url: string): Promise<void> {
  let next: string | null = url;
  for (let hop = 0; hop < 5 && next !== null; hop++) {
    const response: Response = await fetch(next, { redirect: "manual" });
    await response.text();
    const location = response.headers.get("location");
    next = location === null ? null : new URL(location, next).toString();
  }
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script with this node as a real process and collects its output. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the built `awslogin-credential-process`. */
export function runCredentialProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runNode(BIN, args, env);
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}
