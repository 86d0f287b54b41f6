/**
 * A login session (the ID token's `sub`) with control characters never reaches the cache or `~/.aws/config`, and
 * is reported as a bad answer of the service, not as a usage error (issue 7 §6).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AwsLoginError } from "./errors.js";
import { type ConfigStore, login } from "./login.js";
import { hasUnprintable } from "./printable.js";
import type { TokenStore } from "./token-store.js";

const BASE_URL = "https://us-east-1.signin.aws.amazon.com";

function idTokenWithSubject(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ sub })}.`;
}

describe("login with a hostile ID token subject", () => {
  it.each([
    "arn:aws:sts::111122223333:assumed-role/R/s\u001b]52;c;ZXZpbA==\u0007",
    "arn:aws:sts::111122223333:assumed-role/R/s\n[profile evil]\ncredential_process = sh -c id",
    "arn:aws:sts::111122223333:assumed-role/R/s\u202e",
  ])("refuses %j with INVALID_ID_TOKEN, writing neither the cache nor the config", async (sub) => {
    const written: string[] = [];
    const config: ConfigStore = {
      path: "/home/u/.aws/config",
      read: async () => "",
      write: async (text) => {
        written.push(`config:${text}`);
      },
    };
    const store: TokenStore = {
      directory: "/home/u/.aws/login/cache",
      pathFor: (session) => `/home/u/.aws/login/cache/${session}.json`,
      read: async () => undefined,
      write: async (session) => {
        written.push(`cache:${session}`);
      },
      remove: async () => false,
      list: async () => [],
    };
    let state = "";
    const error = await login(
      {
        clock: { now: () => Date.now() },
        random: { bytes: (n) => randomBytes(n) },
        transport: {
          send: async () => ({
            status: 200,
            headers: {},
            body: JSON.stringify({
              accessToken: { accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t" },
              tokenType: "aws_sigv4",
              expiresIn: 900,
              refreshToken: "rt",
              idToken: idTokenWithSubject(sub),
            }),
          }),
        },
        browser: { open: async () => true },
        startListener: async () => {
          throw new Error("no listener in the cross-device flow");
        },
        sleep: async () => undefined,
        ui: {
          showAuthorizeUrl(url) {
            state = new URL(url).searchParams.get("state")!;
          },
          waiting: () => undefined,
          promptCode: async () => Buffer.from(`state=${state}&code=CODE`).toString("base64"),
        },
        store,
        config,
        prompt: { isInteractive: false, confirm: async () => false },
      },
      {
        profile: "dev",
        region: "us-east-1",
        flow: "cross-device",
        baseUrl: BASE_URL,
        tokenUrl: `${BASE_URL}/v1/token`,
        timeoutMs: 10_000,
        openBrowser: false,
        force: false,
      },
    ).then(
      () => undefined,
      (caught: AwsLoginError) => caught,
    );
    expect(error?.code).toBe("INVALID_ID_TOKEN");
    expect(hasUnprintable(error?.message ?? "")).toBe(false);
    expect(written).toEqual([]);
  });
});
