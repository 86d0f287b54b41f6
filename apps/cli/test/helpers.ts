import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Emulator, type EmulatorOptions, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
export const CLI_BIN = join(here, "..", "bin", "run.js");
/** The credential_process binary the CLI runs as `awslogin credential-process` (owned by @awslogin/credential-process). */
export const CREDENTIAL_PROCESS_SCRIPT = createRequire(import.meta.url).resolve(
  "@awslogin/credential-process/bin",
);
export const FAKE_BROWSER = join(here, "..", "..", "..", "scripts", "follow-redirects-browser.mjs");

/** A throwaway HOME with its own AWS config file and login cache. */
export interface Sandbox {
  dir: string;
  configPath: string;
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function createSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-test-"));
  const configPath = join(dir, ".aws", "config");
  const cacheDir = join(dir, ".aws", "login", "cache");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    NODE_ENV: "production",
    NO_COLOR: "1",
    AWS_CONFIG_FILE: configPath,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, ".aws", "credentials"),
    AWS_LOGIN_CACHE_DIRECTORY: cacheDir,
    // A safety net: anything that loses its endpoint fails on a closed local port instead of reaching AWS.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  };
  return { dir, configPath, cacheDir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The files in the sandbox's login cache folder ([] before the first login creates it). */
export function cacheFiles(sandbox: Sandbox): string[] {
  return existsSync(sandbox.cacheDir) ? readdirSync(sandbox.cacheDir) : [];
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ReturnType<typeof spawn>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<CliRun>;
}

/** Starts the built CLI as a real process. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, input?: string): RunningCli {
  return startNode(CLI_BIN, args, env, input);
}

/** Starts a script with this node as a real process (stdin ended with `input` when given). */
export function startNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): RunningCli {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const watchers: Array<() => void> = [];
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
    for (const w of watchers) w();
  });
  if (input !== undefined) child.stdin.end(input);
  const done = new Promise<CliRun>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitForStderr(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern} in stderr:\n${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          const match = stderr.match(pattern);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        watchers.push(check);
        check();
        void done.then(() => {
          check();
          clearTimeout(timer);
          if (!stderr.match(pattern)) reject(new Error(`CLI exited before ${pattern} appeared:\n${stderr}`));
        });
      });
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  return startCli(args, env, input ?? "").done;
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** The authorize URL the CLI printed. */
export const AUTHORIZE_URL = /(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S+)/;
/** The authorize URL of the cross-device (--remote) flow. */
export const CROSS_DEVICE_URL = /(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S*cross-device\S*)/;

/** What the browser on this machine does: the emulator approves, and its redirect reaches the CLI's loopback. */
export async function approveInBrowser(url: string): Promise<Response> {
  const approved = await fetch(url, { redirect: "manual" });
  return fetch(approved.headers.get("location")!);
}

/** A fresh sandbox and emulator for each test of the calling file (or describe block), stopped after it. */
export interface Harness {
  readonly emulator: Emulator;
  readonly sandbox: Sandbox;
}

export function useEmulatorSandbox(options: EmulatorOptions = { autoApprove: true }): Harness {
  const harness = {} as { emulator: Emulator; sandbox: Sandbox };
  beforeEach(async () => {
    harness.sandbox = createSandbox();
    harness.emulator = await startEmulator(options);
  });
  afterEach(async () => {
    await harness.emulator?.close();
    harness.sandbox?.cleanup();
  });
  return harness;
}

/** What a person does on the other device: open the URL, sign in, read the code on the confirmation page. */
export async function codeFromConfirmationPage(url: string): Promise<string> {
  let next: string | undefined = url;
  let html = "";
  for (let hop = 0; hop < 5 && next; hop++) {
    const response: Response = await fetch(next, { redirect: "manual" });
    html = await response.text();
    const location = response.headers.get("location");
    next = location ? new URL(location, next).toString() : undefined;
  }
  const match = html.match(/<code id="verification-code"[^>]*>([^<]+)<\/code>/);
  if (!match) throw new Error(`no verification code on the page:\n${html}`);
  return match[1]!;
}
