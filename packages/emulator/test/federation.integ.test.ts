import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "../src/index.js";
import { fakeClock, login } from "./helpers.js";

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

function sessionParam(c: Credentials): string {
  return JSON.stringify({
    sessionId: c.accessKeyId,
    sessionKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
  });
}

function getSigninToken(c: Credentials, extra: Record<string, string> = {}): Promise<Response> {
  const query = new URLSearchParams({ Action: "getSigninToken", Session: sessionParam(c), ...extra });
  return fetch(`${emu.url}/federation?${query}`);
}

function loginUrl(
  token: string,
  destination = "https://console.aws.amazon.com/s3/home?region=us-east-1",
): string {
  const query = new URLSearchParams({
    Action: "login",
    Issuer: "awslogin",
    Destination: destination,
    SigninToken: token,
  });
  return `${emu.url}/federation?${query}`;
}

/** Follows the login redirect with the cookie it set, as a browser would; the console page's status and HTML. */
async function openConsole(url: string): Promise<{ status: number; html: string; cookie?: string }> {
  const redirect = await fetch(url, { redirect: "manual" });
  if (redirect.status !== 302) return { status: redirect.status, html: await redirect.text() };
  const cookie = redirect.headers.get("set-cookie")!.split(";")[0]!;
  const page = await fetch(new URL(redirect.headers.get("location")!, url), { headers: { cookie } });
  return { status: page.status, html: await page.text(), cookie };
}

describe("the console federation endpoint", () => {
  it("refuses a login session's own credentials by default (only STS credentials are documented)", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const response = await getSigninToken(answer.accessToken);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("AssumeRole");
    expect(emu.stats().federation).toEqual({ signinTokens: 0, logins: 0, refused: 1 });
  });

  it("with federationAcceptsLoginCredentials: a sign-in token, then a console page showing the principal's ARN", async () => {
    emu = await startEmulator({ autoApprove: true, federationAcceptsLoginCredentials: true });
    const { answer } = await login(emu);
    const response = await getSigninToken(answer.accessToken);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { SigninToken } = (await response.json()) as { SigninToken: string };
    expect(SigninToken).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const page = await openConsole(loginUrl(SigninToken));
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-testid="principal-arn">${DEFAULT_IDENTITY}<`);
    expect(page.html).toContain("https://console.aws.amazon.com/s3/home?region=us-east-1");
    expect(emu.stats().federation).toEqual({ signinTokens: 1, logins: 1, refused: 0 });
  });

  it("takes SessionDuration from 900 to 3600 seconds for role-chained credentials, and refuses more", async () => {
    emu = await startEmulator({ autoApprove: true, federationAcceptsLoginCredentials: true });
    const { answer } = await login(emu);
    expect((await getSigninToken(answer.accessToken, { SessionDuration: "900" })).status).toBe(200);
    expect((await getSigninToken(answer.accessToken, { SessionDuration: "3600" })).status).toBe(200);
    const chained = await getSigninToken(answer.accessToken, { SessionDuration: "3601" });
    expect(chained.status).toBe(400);
    expect(await chained.text()).toContain("role-chained");
    for (const bad of ["899", "43201", "1e3", "-900", ""]) {
      expect((await getSigninToken(answer.accessToken, { SessionDuration: bad })).status).toBe(400);
    }
  });

  it("ends the console session after SessionDuration", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, federationAcceptsLoginCredentials: true, now: clock.now });
    const { answer } = await login(emu);
    const { SigninToken } = (await (
      await getSigninToken(answer.accessToken, { SessionDuration: "900" })
    ).json()) as {
      SigninToken: string;
    };
    const page = await openConsole(loginUrl(SigninToken));
    expect(page.status).toBe(200);
    clock.advance(900_000);
    const later = await fetch(`${emu.url}/console/home`, { headers: { cookie: page.cookie! } });
    expect(later.status).toBe(401);
  });
});
