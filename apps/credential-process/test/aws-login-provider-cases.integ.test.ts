/**
 * AWS's shared login-provider test cases (aws/aws-cli `tests/unit/botocore/login/login-provider-test-cases.json`,
 * also read by the Rust SDK; copied with its source in packages/core/test-data/) run by our own runner against
 * three subjects: the SDK provider (`fromLoginCredentials`), core's refresh driver (`getFreshToken`) and the
 * `awslogin-credential-process` binary as a real process. A case's token endpoint (`mockApiCalls`) is a server
 * on 127.0.0.1; nothing leaves the machine.
 *
 * Every case runs against every subject. Where a subject cannot show what a case expects, the difference is named
 * in {@link DIFFERENCES} with its reason and the runner asserts what the subject does instead; a test checks that
 * every named difference is used, and that every case ran against every subject.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsLoginError, credentialsFromRecord, getFreshToken } from "@awslogin/core";
import {
  createFileTokenStore,
  createHttpTransport,
  sessionLock,
  sessionTryLock,
  systemClock,
  systemRandom,
} from "@awslogin/core/node";
import { fromLoginCredentials } from "@awslogin/credential-provider";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCredentialProcess } from "./helpers.js";

const DATA = new URL("../../../packages/core/test-data/login-provider-test-cases.json", import.meta.url);

interface CaseCredentials {
  result: "credentials";
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId?: string;
  expiresAt: string;
}
type CaseOutcome =
  | CaseCredentials
  | { result: "error" }
  | ({ result: "cacheContents" } & Record<string, unknown>);
interface MockCall {
  request: { tokenInput: Record<string, unknown> };
  response?: { tokenOutput: Record<string, unknown> };
  responseCode?: number;
}
interface AwsCase {
  documentation: string;
  configContents: string;
  cacheContents: Record<string, Record<string, unknown>>;
  mockApiCalls?: MockCall[];
  outcomes: CaseOutcome[];
}

const CASES = JSON.parse(readFileSync(DATA, "utf8")) as AwsCase[];

/**
 * The cases' clock: the refresh case answers `expiresIn: 900` and expects `expiresAt` 2025-11-19T00:15:00Z, so
 * "now" is 2025-11-19T00:00:00Z. The provider and the driver run on it; the binary cannot (see DIFFERENCES).
 */
const NOW = Date.parse("2025-11-19T00:00:00Z");

/** The profile every case's config names (`[profile signin]`). */
const PROFILE = "signin";

type SubjectName = "provider" | "core driver" | "binary";
const SUBJECTS: readonly SubjectName[] = ["provider", "core driver", "binary"];

/** Where a subject differs from what the cases expect, and why. Each entry is asserted where it applies. */
const DIFFERENCES = {
  "binary:clock":
    "a spawned process runs on the real clock, not the case's 2025-11-19T00:00:00Z: a refreshed expiry (credentials " +
    "and cache file) is checked as the time of the call + expiresIn",
  "binary:account-id":
    "the credential_process document has no account id field (the AWS CLI's `export-credentials --format process` " +
    "prints none), so the case's accountId is checked in the cache file only",
} as const;
type Difference = keyof typeof DIFFERENCES;
const usedDifferences = new Set<Difference>();
const ran = new Set<string>();

function use(difference: Difference): void {
  expect(DIFFERENCES[difference]).toBeTruthy();
  usedDifferences.add(difference);
}

/** What a subject gave: credentials, or a failure with awslogin's code. */
type Observed =
  | {
      kind: "credentials";
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      accountId: string | undefined;
      expiresAt: number;
    }
  | { kind: "error"; code: string };

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The case's token endpoint on 127.0.0.1: answers `mockApiCalls` in order, records what it was sent. */
async function startTokenEndpoint(calls: readonly MockCall[]) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      const call = calls[received.length - 1];
      if (call?.response !== undefined) {
        // The model's `tokenOutput` member is the HTTP payload: the wire body is its value (docs/protocol.md §4.1).
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(call.response.tokenOutput));
        return;
      }
      response.writeHead(call?.responseCode ?? 500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A throwaway HOME holding the case's config file and cache folder (0700, files 0600, as a login leaves them). */
function createCaseHome(awsCase: AwsCase) {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-aws-case-"));
  const awsDir = join(dir, ".aws");
  const cacheDir = join(awsDir, "login", "cache");
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  chmodSync(join(awsDir, "login"), 0o700);
  const configPath = join(awsDir, "config");
  writeFileSync(configPath, awsCase.configContents);
  for (const [name, record] of Object.entries(awsCase.cacheContents)) {
    writeFileSync(join(cacheDir, name), JSON.stringify(record, null, 2), { mode: 0o600 });
  }
  return {
    dir,
    configPath,
    credentialsPath: join(awsDir, "credentials"),
    cacheDir,
    readCache: (name: string) => readFileSync(join(cacheDir, name), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
type CaseHome = ReturnType<typeof createCaseHome>;

/** The login session the case's profile names. */
function loginSessionOf(awsCase: AwsCase): string {
  const match = /login_session\s*=\s*(\S+)/.exec(awsCase.configContents);
  if (match?.[1] === undefined) throw new Error(`${awsCase.documentation}: no login_session`);
  return match[1];
}

function codeOf(error: unknown): string {
  if (AwsLoginError.isInstance(error)) return error.code;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "NO_CODE";
}

async function runProvider(_awsCase: AwsCase, home: CaseHome, endpoint: string): Promise<Observed> {
  vi.stubEnv("AWS_LOGIN_CACHE_DIRECTORY", home.cacheDir);
  for (const name of ["AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_SIGNIN"]) {
    vi.stubEnv(name, undefined);
  }
  // The case's clock; only Date is replaced, timers and I/O run as usual.
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  const provider = fromLoginCredentials({
    profile: PROFILE,
    configFilepath: home.configPath,
    filepath: home.credentialsPath,
    clientConfig: { endpoint },
  });
  try {
    const identity = await provider();
    return {
      kind: "credentials",
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      sessionToken: identity.sessionToken,
      accountId: identity.accountId,
      expiresAt: identity.expiration.getTime(),
    };
  } catch (error) {
    // "Mine, and broken": a login profile whose session cannot give credentials stops the chain.
    expect((error as { tryNextLink?: boolean }).tryNextLink).toBe(false);
    return { kind: "error", code: codeOf(error) };
  }
}

async function runCoreDriver(awsCase: AwsCase, home: CaseHome, endpoint: string): Promise<Observed> {
  const store = createFileTokenStore({ directory: home.cacheDir });
  try {
    const fresh = await getFreshToken(
      {
        clock: { now: () => NOW, sleep: systemClock.sleep },
        random: systemRandom,
        transport: createHttpTransport({ env: {} }),
        store,
        lock: sessionLock(store),
        tryLock: sessionTryLock(store),
      },
      { loginSession: loginSessionOf(awsCase), profile: PROFILE, endpointUrl: endpoint },
    );
    const credentials = credentialsFromRecord(fresh.record);
    return {
      kind: "credentials",
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      accountId: credentials.accountId,
      expiresAt: credentials.expiration.getTime(),
    };
  } catch (error) {
    expect(AwsLoginError.isInstance(error)).toBe(true);
    return { kind: "error", code: codeOf(error) };
  }
}

async function runBinary(_awsCase: AwsCase, home: CaseHome, endpoint: string): Promise<Observed> {
  const run = await runCredentialProcess(["--profile", PROFILE], {
    PATH: process.env.PATH,
    HOME: home.dir,
    NODE_ENV: "production",
    AWS_CONFIG_FILE: home.configPath,
    AWS_SHARED_CREDENTIALS_FILE: home.credentialsPath,
    AWS_LOGIN_CACHE_DIRECTORY: home.cacheDir,
    AWS_ENDPOINT_URL_SIGNIN: endpoint,
  });
  if (run.code !== 0) {
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const code = /\[([A-Z_]+)\]\s*$/.exec(run.stderr)?.[1];
    expect(code, run.stderr).toBeDefined();
    return { kind: "error", code: code ?? "NO_CODE" };
  }
  const document = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(document.Version).toBe(1);
  return {
    kind: "credentials",
    accessKeyId: String(document.AccessKeyId),
    secretAccessKey: String(document.SecretAccessKey),
    sessionToken: String(document.SessionToken),
    accountId: typeof document.AccountId === "string" ? document.AccountId : undefined,
    expiresAt: Date.parse(String(document.Expiration)),
  };
}

const RUNNERS: Record<
  SubjectName,
  (awsCase: AwsCase, home: CaseHome, endpoint: string) => Promise<Observed>
> = {
  provider: runProvider,
  "core driver": runCoreDriver,
  binary: runBinary,
};

/** Seconds precision: the cache and the process document carry whole seconds. */
function expectExpiry(
  subject: SubjectName,
  actual: number,
  expected: string,
  call: { start: number; end: number },
) {
  const refreshedHere = Date.parse(expected) - NOW;
  if (subject === "binary" && refreshedHere > 0 && refreshedHere < 12 * 3600_000) {
    use("binary:clock");
    expect(actual).toBeGreaterThanOrEqual(Math.floor((call.start + refreshedHere) / 1000) * 1000);
    expect(actual).toBeLessThanOrEqual(call.end + refreshedHere);
    return;
  }
  expect(actual).toBe(Date.parse(expected));
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe.each(SUBJECTS)("AWS login-provider test cases against the %s", (subject) => {
  it.each(CASES.map((awsCase) => [awsCase.documentation, awsCase] as const))("%s", async (_name, awsCase) => {
    const home = createCaseHome(awsCase);
    const endpoint = await startTokenEndpoint(awsCase.mockApiCalls ?? []);
    const cacheBefore = Object.fromEntries(
      Object.keys(awsCase.cacheContents).map((n) => [n, home.readCache(n)]),
    );
    try {
      const start = Date.now();
      const observed = await RUNNERS[subject](awsCase, home, endpoint.url);
      const call = { start, end: Date.now() };

      // The token endpoint was asked exactly what the case says: one refresh grant per mocked call.
      const calls = awsCase.mockApiCalls ?? [];
      expect(endpoint.received).toHaveLength(calls.length);
      calls.forEach((mock, index) => {
        const request = endpoint.received[index]!;
        expect(request.method).toBe("POST");
        expect(request.url).toBe("/v1/token");
        expect(request.headers["content-type"]).toMatch(/^application\/json/);
        // The model's `tokenInput` member is the payload: the body is its value.
        expect(JSON.parse(request.body)).toEqual(mock.request.tokenInput);
        expect(String(request.headers.dpop).split(".")).toHaveLength(3);
      });

      for (const outcome of awsCase.outcomes) {
        if (outcome.result === "credentials") {
          const expected = outcome as CaseCredentials;
          expect(observed.kind, JSON.stringify(observed)).toBe("credentials");
          if (observed.kind !== "credentials") continue;
          expect(observed.accessKeyId).toBe(expected.accessKeyId);
          expect(observed.secretAccessKey).toBe(expected.secretAccessKey);
          expect(observed.sessionToken).toBe(expected.sessionToken);
          if (subject === "binary") {
            use("binary:account-id");
            expect(observed.accountId).toBeUndefined();
          } else {
            expect(observed.accountId).toBe(expected.accountId);
          }
          expectExpiry(subject, observed.expiresAt, expected.expiresAt, call);
        } else if (outcome.result === "error") {
          expect(observed.kind, JSON.stringify(observed)).toBe("error");
        } else {
          const { result: _result, ...files } = outcome;
          for (const [name, expectedRecord] of Object.entries(files)) {
            const written = JSON.parse(home.readCache(name)) as { accessToken: { expiresAt: string } };
            const wanted = expectedRecord as { accessToken: { expiresAt: string } };
            expectExpiry(
              subject,
              Date.parse(written.accessToken.expiresAt),
              wanted.accessToken.expiresAt,
              call,
            );
            expect({ ...written, accessToken: { ...written.accessToken, expiresAt: "checked" } }).toEqual({
              ...wanted,
              accessToken: { ...wanted.accessToken, expiresAt: "checked" },
            });
          }
        }
      }
      // Not in the cases, but ours to keep: a call that refreshed nothing leaves the cache as it was.
      if (!awsCase.outcomes.some((outcome) => outcome.result === "cacheContents")) {
        for (const [name, text] of Object.entries(cacheBefore)) expect(home.readCache(name)).toBe(text);
      }
      ran.add(`${subject}: ${awsCase.documentation}`);
    } finally {
      await endpoint.close();
      home.cleanup();
    }
  });
});

describe("the runner", () => {
  // Defined after the cases, so it runs after them (a file's tests run in order).
  it("ran every case against every subject, and every named difference applied somewhere", () => {
    expect(ran.size).toBe(SUBJECTS.length * CASES.length);
    expect([...usedDifferences].sort()).toEqual(Object.keys(DIFFERENCES).sort());
  });
});

describe("the shared cases file", () => {
  it("is AWS's 8 cases, each with at least one outcome", () => {
    expect(CASES).toHaveLength(8);
    for (const awsCase of CASES) expect(awsCase.outcomes.length).toBeGreaterThan(0);
  });
});
