/**
 * Test scaffolding: a throwaway HOME, a real sign-in against the emulator (core's `login()` with the
 * loopback listener and a BROWSER stand-in that follows the emulator's auto-approve redirects, as
 * `awslogin login` runs it), and the SDK's own config helpers loaded from the official provider's
 * dependencies (they are not ours to depend on).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AwsLoginError,
  formatExpiresAt,
  type LoginResult,
  login,
  loginCacheKey,
  parseTokenCache,
  resolveSignInEndpoint,
} from "@awslogin/core";
import {
  createBrowserOpener,
  createFileTokenStore,
  createHttpTransport,
  startCallbackListener,
  systemClock,
  systemRandom,
} from "@awslogin/core/node";
import type { Emulator } from "@awslogin/emulator";
import { expect } from "vitest";
import { LoginCredentialsProviderError } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The BROWSER stand-in of apps/cli/test/helpers.ts. */
export const FAKE_BROWSER = join(here, "..", "..", "..", "scripts", "follow-redirects-browser.mjs");

/** The environment variables the providers read; each test sets them from its sandbox and restores them. */
const ENV_KEYS = [
  "HOME",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_LOGIN_CACHE_DIRECTORY",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_SIGNIN",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CA_BUNDLE",
  "AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT",
  "AWSLOGIN_ROLE_CACHE_DIRECTORY",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
] as const;

export interface Sandbox {
  dir: string;
  configPath: string;
  credentialsPath: string;
  cacheDir: string;
  cachePath(loginSession: string): string;
  /** Points process.env at this sandbox (and clears every other AWS variable). */
  activate(extra?: Partial<Record<(typeof ENV_KEYS)[number], string>>): void;
  cleanup(): void;
}

export function createSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-provider-"));
  const configPath = join(dir, ".aws", "config");
  const credentialsPath = join(dir, ".aws", "credentials");
  const cacheDir = join(dir, ".aws", "login", "cache");
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  return {
    dir,
    configPath,
    credentialsPath,
    cacheDir,
    cachePath: (loginSession) => join(cacheDir, `${loginCacheKey(loginSession)}.json`),
    activate(extra = {}) {
      for (const key of ENV_KEYS) delete process.env[key];
      Object.assign(process.env, {
        HOME: dir,
        AWS_CONFIG_FILE: configPath,
        AWS_SHARED_CREDENTIALS_FILE: credentialsPath,
        AWS_LOGIN_CACHE_DIRECTORY: cacheDir,
        ...extra,
      });
    },
    cleanup() {
      for (const key of ENV_KEYS) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** Rewrites the expiry of the cache file at `path` (seconds from now; negative = already expired), keeping the rest. */
export function setExpiresIn(path: string, seconds: number): void {
  const record = parseTokenCache(readFileSync(path, "utf8"), path);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + seconds * 1000);
  writeFileSync(path, JSON.stringify(record));
}

/**
 * Signs `profile` in against the emulator exactly as `awslogin login --endpoint-url <emulator>` does:
 * core's login driver, the 127.0.0.1 callback listener, BROWSER = the redirect-following stand-in.
 * Writes the AWS CLI cache file and the profile's login_session + region.
 */
export async function signIn(
  emulator: Emulator,
  sandbox: Sandbox,
  options: { profile: string; region?: string; recordEndpoint?: boolean },
): Promise<LoginResult> {
  const region = options.region ?? "us-east-1";
  const endpoint = resolveSignInEndpoint({ region, endpointUrl: emulator.url });
  const configPath = sandbox.configPath;
  return login(
    {
      clock: systemClock,
      random: systemRandom,
      transport: createHttpTransport(),
      browser: createBrowserOpener({
        env: { PATH: process.env.PATH, HOME: sandbox.dir, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
      }),
      startListener: startCallbackListener,
      store: createFileTokenStore({ directory: sandbox.cacheDir }),
      config: {
        path: configPath,
        read: () => readFile(configPath, "utf8").catch(() => ""),
        write: async (text) => {
          await mkdir(dirname(configPath), { recursive: true });
          await writeFile(configPath, text);
        },
      },
      prompt: { isInteractive: false, confirm: async () => false },
      ui: { showAuthorizeUrl: () => undefined, waiting: () => undefined },
    },
    {
      profile: options.profile,
      region,
      flow: "same-device",
      baseUrl: endpoint.baseUrl,
      tokenUrl: endpoint.tokenUrl,
      ...(options.recordEndpoint === false ? {} : { endpointOverride: emulator.url }),
      timeoutMs: 20_000,
      openBrowser: true,
      force: true,
    },
  );
}

/** Collects what a provider logs. */
export function recordingLogger(): {
  warnings: string[];
  debug: string[];
  logger: { debug: (...a: unknown[]) => void; warn: (...a: unknown[]) => void };
} {
  const warnings: string[] = [];
  const debug: string[] = [];
  return {
    warnings,
    debug,
    logger: {
      debug: (...a) => void debug.push(a.map(String).join(" ")),
      warn: (...a) => void warnings.push(a.map(String).join(" ")),
    },
  };
}

// The SDK's own helpers, from the official provider's dependencies (a dev dependency of this package).
const sdkRequire = createRequire(
  createRequire(import.meta.url).resolve("@aws-sdk/credential-provider-login"),
);

interface SdkConfigModule {
  chain: (...providers: Array<() => Promise<unknown>>) => () => Promise<unknown>;
  loadSharedConfigFiles: (init: {
    filepath?: string;
    configFilepath?: string;
    ignoreCache?: boolean;
  }) => Promise<{
    configFile: Record<string, Record<string, string>>;
    credentialsFile: Record<string, Record<string, string>>;
  }>;
  CredentialsProviderError: new (
    message: string,
    options?: { tryNextLink?: boolean },
  ) => Error & { tryNextLink: boolean };
}

/** `@smithy/core/config`, the module the SDK's providers take `chain`, the INI reader and their errors from. */
export const sdkConfig = sdkRequire("@smithy/core/config") as SdkConfigModule;

/** The official `@aws-sdk/credential-provider-login`. */
export { fromLoginCredentials as officialFromLoginCredentials } from "@aws-sdk/credential-provider-login";

/**
 * The rejection of a provider call, checked to be our CredentialsProviderError (the SDK's chain looks at `name` and
 * `tryNextLink`) carrying core's AwsLoginError as its cause, with the cause's code. The package's one rejection helper:
 * elsewhere `await expect(call).rejects.toMatchObject(...)` says it.
 */
export async function providerRejection(call: Promise<unknown>): Promise<LoginCredentialsProviderError> {
  const error = await call.then(
    () => {
      throw new Error("expected the provider to reject");
    },
    (e: unknown) => e,
  );
  expect(LoginCredentialsProviderError.isInstance(error)).toBe(true);
  const providerError = error as LoginCredentialsProviderError;
  expect(providerError.name).toBe("CredentialsProviderError");
  expect(AwsLoginError.isInstance(providerError.cause)).toBe(true);
  expect(providerError.code).toBe(providerError.cause.code);
  return providerError;
}
