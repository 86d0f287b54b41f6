import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { CLIENT_ID, codeChallengeFor, createDpopProof, type DpopKey, generateDpopKey } from "@awslogin/core";
import { systemRandom } from "@awslogin/core/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, type RunningCli, type Sandbox, startCli } from "./helpers.js";

// `awslogin emulator` as a real process: every flag must reach the emulator, as seen over HTTP on 127.0.0.1.
// Short lifetimes keep the wall time to a few seconds.
const ALICE = "arn:aws:iam::111122223333:user/alice";
const BOB = "arn:aws:sts::444455556666:assumed-role/Admin/bob";
/** Never listened on: the authorize redirects are read, not followed. */
const LOOPBACK = "http://127.0.0.1:53412/oauth/callback";
const SESSION_SECONDS = 6;
const REUSE_WINDOW_SECONDS = 1;
const CODE_TTL_SECONDS = 2;

let sandbox: Sandbox;
let emulator: RunningCli | undefined;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(async () => {
  if (emulator && emulator.child.exitCode === null && emulator.child.signalCode === null) {
    emulator.child.kill("SIGKILL");
    await emulator.done;
  }
  emulator = undefined;
  sandbox.cleanup();
});

/** A port that was free a moment ago (the emulator binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The sign-in page for a new same-device authorize request, and the PKCE verifier that goes with it. */
async function openSignInPage(url: string): Promise<{ html: string; requestId: string; verifier: string }> {
  const verifier = randomBytes(48).toString("base64url");
  const query = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID.sameDevice,
    state: randomUUID(),
    code_challenge_method: "SHA-256",
    scope: "openid",
    redirect_uri: LOOPBACK,
    code_challenge: codeChallengeFor(verifier),
  });
  const response = await fetch(`${url}/v1/authorize?${query}`, { redirect: "manual" });
  const html = await response.text();
  expect(response.status, html).toBe(200);
  const requestId = html.match(/name="request_id" value="([^"]+)"/)?.[1];
  if (requestId === undefined) throw new Error(`no request_id on the sign-in page:\n${html}`);
  return { html, requestId, verifier };
}

/** Continue on the sign-in page as `identity`: the code from the redirect. */
async function approve(url: string, requestId: string, identity: string): Promise<string> {
  const response = await fetch(`${url}/v1/authorize/decision`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId, identity, action: "approve" }).toString(),
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK);
  return location.searchParams.get("code") ?? "";
}

interface TokenAnswer {
  status: number;
  json: {
    accessToken?: { accessKeyId: string };
    expiresIn?: number;
    refreshToken?: string;
    idToken?: string;
    error?: string;
    message?: string;
  };
}

/** POST /v1/token with a fresh DPoP proof of `key`. */
async function token(url: string, key: DpopKey, body: Record<string, string>): Promise<TokenAnswer> {
  const dpop = createDpopProof({
    key,
    method: "POST",
    url: `${url}/v1/token`,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
  });
  const response = await fetch(`${url}/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/json", dpop },
    body: JSON.stringify({ clientId: CLIENT_ID.sameDevice, ...body }),
  });
  return { status: response.status, json: (await response.json()) as TokenAnswer["json"] };
}

function exchange(url: string, key: DpopKey, code: string, verifier: string): Promise<TokenAnswer> {
  return token(url, key, {
    grantType: "authorization_code",
    code,
    codeVerifier: verifier,
    redirectUri: LOOPBACK,
  });
}

function refresh(url: string, key: DpopKey, refreshToken: string): Promise<TokenAnswer> {
  return token(url, key, { grantType: "refresh_token", refreshToken });
}

function idTokenSubject(idToken: string | undefined): unknown {
  const payload = idToken?.split(".")[1] ?? "";
  return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown }).sub;
}

async function tokenResults(url: string): Promise<Record<string, number>> {
  const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
    tokenResults: Record<string, number>;
  };
  return stats.tokenResults;
}

describe("awslogin emulator (the command): every flag reaches the emulator", () => {
  it("--port, --identity ×2, --session-duration, --refresh-reuse-window, --code-ttl; SIGINT stops it with exit 0", async () => {
    const port = await freePort();
    emulator = startCli(
      [
        "emulator",
        "--port",
        String(port),
        "--identity",
        ALICE,
        "--identity",
        BOB,
        "--session-duration",
        String(SESSION_SECONDS),
        "--refresh-reuse-window",
        String(REUSE_WINDOW_SECONDS),
        "--code-ttl",
        String(CODE_TTL_SECONDS),
      ],
      sandbox.env,
    );
    const cli = emulator;
    await until(() => cli.stdout().includes("\n"), "the first line of stdout");

    // --port: the first line of stdout is the base URL on that port, and it answers there.
    const url = cli.stdout().split("\n")[0] ?? "";
    expect(url).toBe(`http://127.0.0.1:${port}`);
    await cli.waitForStderr(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}\\n`));

    // --identity A --identity B: a sign-in page (no --auto-approve) offering both, the first one checked.
    const first = await openSignInPage(url);
    expect(first.html).toMatch(new RegExp(`id="identity-0"[^>]*value="${ALICE}" checked>`));
    expect(first.html).toMatch(new RegExp(`id="identity-1"[^>]*value="${BOB}">`));
    expect(first.html).not.toContain('id="identity-2"');
    expect(first.html).not.toContain("awslogin-demo");
    const second = await openSignInPage(url);
    const key = generateDpopKey(systemRandom);
    const code = await approve(url, first.requestId, BOB);
    const staleCode = await approve(url, second.requestId, ALICE);

    // Choosing the second identity signs it in.
    const login = await exchange(url, key, code, first.verifier);
    const loggedInAt = Date.now();
    expect(login.status, JSON.stringify(login.json)).toBe(200);
    expect(idTokenSubject(login.json.idToken)).toBe(BOB);
    // --session-duration: credentials never outlive the session (900 s without the flag).
    expect(login.json.expiresIn).toBe(SESSION_SECONDS);

    // --refresh-reuse-window: a rotated refresh token presented again at once gets the same answer.
    const rotated = await refresh(url, key, login.json.refreshToken ?? "");
    expect(rotated.status, JSON.stringify(rotated.json)).toBe(200);
    const replayed = await refresh(url, key, login.json.refreshToken ?? "");
    expect(replayed.status, JSON.stringify(replayed.json)).toBe(200);
    expect(replayed.json).toEqual(rotated.json);
    expect(await tokenResults(url)).toMatchObject({ ok: 2, replayed: 1 });

    await sleep(Math.max(CODE_TTL_SECONDS, REUSE_WINDOW_SECONDS) * 1000 + 250);

    // --code-ttl: a code redeemed after its lifetime is refused (300 s without the flag).
    const late = await exchange(url, generateDpopKey(systemRandom), staleCode, second.verifier);
    expect(late.status).toBe(401);
    expect(late.json).toMatchObject({
      error: "AUTHCODE_EXPIRED",
      message: expect.stringMatching(/has expired/),
    });

    // --refresh-reuse-window: after the window, the same replay is refused; the session itself still works.
    const replayedLate = await refresh(url, key, login.json.refreshToken ?? "");
    expect(replayedLate.status).toBe(401);
    expect(replayedLate.json).toMatchObject({
      error: "TOKEN_EXPIRED",
      message: expect.stringMatching(/already used/),
    });
    const live = await refresh(url, key, rotated.json.refreshToken ?? "");
    expect(live.status, JSON.stringify(live.json)).toBe(200);
    expect(live.json.expiresIn).toBeLessThan(SESSION_SECONDS);

    // --session-duration: once it has passed since the code exchange, the session is over.
    await sleep(loggedInAt + SESSION_SECONDS * 1000 + 150 - Date.now());
    const ended = await refresh(url, key, live.json.refreshToken ?? "");
    expect(ended.status).toBe(401);
    expect(ended.json).toMatchObject({
      error: "TOKEN_EXPIRED",
      message: expect.stringMatching(/session has ended/),
    });
    expect(await tokenResults(url)).toMatchObject({
      ok: 3,
      replayed: 1,
      AUTHCODE_EXPIRED: 1,
      TOKEN_EXPIRED: 2,
    });

    // Without --quiet, each request is logged on stderr, without codes or tokens.
    expect(cli.stderr()).toMatch(/^GET \/v1\/authorize 200 \d+ms sign-in page$/m);
    expect(cli.stderr()).toMatch(/^POST \/v1\/token 200 \d+ms refresh_token \(replayed\)$/m);
    for (const secret of [code, staleCode, login.json.refreshToken ?? "", rotated.json.refreshToken ?? ""])
      expect(cli.stderr()).not.toContain(secret);

    // SIGINT (Ctrl-C) stops it cleanly: exit 0, and the port is closed.
    cli.child.kill("SIGINT");
    const run = await cli.done;
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    await expect(fetch(`${url}/__emulator/stats`)).rejects.toThrow();
  });

  it("refuses an identity it cannot sign in as: one line, exit 2, nothing served", async () => {
    emulator = startCli(
      ["emulator", "--identity", ALICE, "--identity", "arn:aws:iam::1234:user/short"],
      sandbox.env,
    );
    const run = await emulator.done;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^awslogin: Not a supported identity ARN: "arn:aws:iam::1234:user\/short"\..* \[INVALID_ARGUMENT\]\n$/,
    );
  });
});
