import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { fakeClock, login } from "./helpers.js";

let emu: Emulator;
let clock: ReturnType<typeof fakeClock>;
let creds: { accessKeyId: string; secretAccessKey: string; sessionToken: string };

beforeEach(async () => {
  clock = fakeClock();
  emu = await startEmulator({ autoApprove: true, federationAcceptsLoginCredentials: true, now: clock.now });
  creds = (await login(emu)).answer.accessToken;
});
afterEach(async () => {
  await emu.close();
});

const federation = (params: Record<string, string>) =>
  fetch(`${emu.url}/federation?${new URLSearchParams(params)}`, { redirect: "manual" });
const session = (c: Record<string, unknown>) => ({ Action: "getSigninToken", Session: JSON.stringify(c) });
const good = () => ({
  sessionId: creds.accessKeyId,
  sessionKey: creds.secretAccessKey,
  sessionToken: creds.sessionToken,
});

async function signinToken(): Promise<string> {
  const response = await federation(session(good()));
  expect(response.status).toBe(200);
  return ((await response.json()) as { SigninToken: string }).SigninToken;
}

const loginParams = (token: string, destination = "https://console.aws.amazon.com/") => ({
  Action: "login",
  Destination: destination,
  SigninToken: token,
});

describe("federation endpoint attacks", () => {
  it.each<[string, () => Record<string, unknown>]>([
    ["a wrong secret key", () => ({ ...good(), sessionKey: `${creds.secretAccessKey.slice(0, -2)}AA` })],
    ["a wrong session token", () => ({ ...good(), sessionToken: `${creds.sessionToken}x` })],
    ["an access key the emulator never issued", () => ({ ...good(), sessionId: "ASIAAAAAAAAAAAAAAAAA" })],
    ["fields that are not strings", () => ({ ...good(), sessionKey: ["x"] })],
    ["a missing field", () => ({ sessionId: creds.accessKeyId, sessionKey: creds.secretAccessKey })],
  ])("gives no sign-in token for %s, and names no secret", async (_name, body) => {
    const response = await federation(session(body()));
    expect(response.status).toBeGreaterThanOrEqual(400);
    const text = await response.text();
    expect(text).not.toContain("SigninToken");
    expect(text).not.toContain(creds.secretAccessKey);
    expect(text).not.toContain(creds.sessionToken);
  });

  it("refuses expired credentials, a Session that is not JSON or too long, and an unknown Action", async () => {
    expect((await federation({ Action: "getSigninToken", Session: "{" })).status).toBe(400);
    expect((await federation({ Action: "getSigninToken", Session: "x".repeat(9000) })).status).toBe(400);
    expect((await federation({ Action: "getSigninToken", Session: "[]" })).status).toBe(400);
    expect((await federation({ Action: "getFederationToken" })).status).toBe(400);
    expect((await fetch(`${emu.url}/federation?Action=getSigninToken`, { method: "POST" })).status).toBe(405);
    clock.advance(900_000);
    expect((await federation(session(good()))).status).toBe(403);
  });

  it("a sign-in token works once", async () => {
    const token = await signinToken();
    const first = await fetch(`${emu.url}/federation?${new URLSearchParams(loginParams(token))}`, {
      redirect: "manual",
    });
    expect(first.status).toBe(302);
    const again = await fetch(`${emu.url}/federation?${new URLSearchParams(loginParams(token))}`, {
      redirect: "manual",
    });
    expect(again.status).toBe(400);
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("a refused login still uses the sign-in token up, and a token expires after 15 minutes", async () => {
    const token = await signinToken();
    expect((await federation(loginParams(token, "javascript:alert(1)"))).status).toBe(400);
    expect((await federation(loginParams(token))).status).toBe(400);
    const late = await signinToken();
    clock.advance(15 * 60_000);
    expect((await federation(loginParams(late))).status).toBe(400);
  });

  it.each([
    "http://console.aws.amazon.com/",
    "javascript:alert(1)",
    "https://user:pass@console.aws.amazon.com/",
    `https://console.aws.amazon.com/${"a".repeat(2100)}`,
  ])("refuses Destination #%#", async (destination) => {
    const token = await signinToken();
    const response = await federation(loginParams(token, destination));
    expect(response.status).toBe(400);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("shows a hostile Destination escaped on the console page", async () => {
    const token = await signinToken();
    const redirect = await federation(
      loginParams(token, 'https://console.aws.amazon.com/x?q="><script>alert(1)</script>'),
    );
    const cookie = redirect.headers.get("set-cookie")!.split(";")[0]!;
    expect(redirect.headers.get("set-cookie")).toMatch(
      /; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=3600$/,
    );
    const page = await fetch(`${emu.url}/console/home`, { headers: { cookie } });
    const html = await page.text();
    expect(html).not.toContain("<script>alert");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("shows no console without a valid session cookie", async () => {
    expect((await fetch(`${emu.url}/console/home`)).status).toBe(401);
    const forged = await fetch(`${emu.url}/console/home`, {
      headers: { cookie: "awslogin-emulator-console=forged" },
    });
    expect(forged.status).toBe(401);
  });
});
