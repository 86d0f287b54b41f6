import { CLIENT_ID } from "@awslogin/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { authorizeUrl, fakeClock, get, LOOPBACK, newPkce, tokenCall } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const IDENTITIES = [
  "arn:aws:sts::111122223333:assumed-role/Developer/alice",
  "arn:aws:sts::444455556666:assumed-role/Admin/alice",
  "arn:aws:iam::444455556666:user/bob",
];

/** What a browser does with the sign-in page: read the hidden fields, post the form. */
async function submitSignIn(e: Emulator, html: string, fields: Record<string, string>): Promise<Response> {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  expect(action).toBe("/v1/authorize/decision");
  expect(requestId).toBeTruthy();
  return fetch(new URL(action!, e.url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId!, ...fields }).toString(),
  });
}

describe("GET /v1/authorize parameter checks: 400 page, never a redirect", () => {
  const cases: [string, Parameters<typeof authorizeUrl>[1], RegExp][] = [
    ["a foreign redirect_uri", { redirectUri: "https://evil.example/oauth/callback" }, /redirect_uri/],
    ["a localhost redirect_uri", { redirectUri: "http://localhost:5000/oauth/callback" }, /redirect_uri/],
    ["another loopback path", { redirectUri: "http://127.0.0.1:5000/other" }, /redirect_uri/],
    ["a redirect_uri with a query", { redirectUri: `${LOOPBACK}?x=1` }, /redirect_uri/],
    ["port 0", { redirectUri: "http://127.0.0.1:0/oauth/callback" }, /redirect_uri/],
    [
      "a same-device client with the confirmation redirect",
      { redirectUri: "http://127.0.0.1:1/v1/sessions/confirmation" },
      /redirect_uri/,
    ],
    [
      "a cross-device client with a loopback redirect",
      { flow: "cross-device", redirectUri: LOOPBACK },
      /redirect_uri/,
    ],
    ["an unknown client_id", { overrides: { client_id: "arn:aws:signin:::devtools/x" } }, /client_id/],
    ["response_type=token", { overrides: { response_type: "token" } }, /response_type/],
    ["code_challenge_method=S256", { overrides: { code_challenge_method: "S256" } }, /code_challenge_method/],
    ["a short challenge", { challenge: "a".repeat(42) }, /code_challenge must/],
    ["a challenge with padding", { challenge: `${"a".repeat(43)}=` }, /code_challenge must/],
    ["scope=profile", { overrides: { scope: "profile" } }, /scope/],
    ["a missing state", { overrides: { state: undefined } }, /state is missing/],
    ["a missing redirect_uri", { overrides: { redirect_uri: undefined } }, /redirect_uri is missing/],
  ];
  it.each(cases)("refuses %s", async (_name, params, problem) => {
    emu = await startEmulator({ autoApprove: true });
    const res = await get(authorizeUrl(emu, params));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toMatch(problem);
    expect(html).not.toContain("code=");
    expect(emu.stats().authorize).toMatchObject({ requests: 1, rejected: 1, approved: 0 });
  });

  it("refuses a duplicated parameter", async () => {
    emu = await startEmulator({ autoApprove: true });
    const res = await get(`${authorizeUrl(emu)}&state=again`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/state appears more than once/);
  });

  it("escapes what it echoes", async () => {
    emu = await startEmulator({ autoApprove: true });
    const res = await get(authorizeUrl(emu, { overrides: { client_id: "<script>alert(1)</script>" } }));
    const html = await res.text();
    expect(html).not.toContain("<script>alert(1)");
  });
});

describe("the sign-in page (no autoApprove)", () => {
  it("is self-contained HTML with one radio per identity, stable ids, and a form carrying only a request id", async () => {
    emu = await startEmulator({ identities: IDENTITIES });
    const { challenge } = newPkce();
    const res = await get(authorizeUrl(emu, { challenge, state: "s-1" }));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain(challenge);
    expect(html).not.toContain("s-1");
    IDENTITIES.forEach((arn, index) => {
      expect(html).toContain(`id="identity-${index}" data-testid="identity-${index}" value="${arn}"`);
    });
    expect(html).toContain('data-testid="continue"');
    expect(html).toContain('data-testid="cancel"');
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("Continue with a chosen identity redirects with code and state; the code signs in that identity", async () => {
    emu = await startEmulator({ identities: IDENTITIES });
    const { verifier, challenge } = newPkce();
    const page = await (await get(authorizeUrl(emu, { challenge, state: "s-2" }))).text();
    const res = await submitSignIn(emu, page, { identity: IDENTITIES[2]!, action: "approve" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK);
    expect(location.searchParams.get("state")).toBe("s-2");
    const token = await tokenCall(emu, {
      clientId: CLIENT_ID.sameDevice,
      grantType: "authorization_code",
      code: location.searchParams.get("code"),
      codeVerifier: verifier,
      redirectUri: LOOPBACK,
    });
    expect(token.status).toBe(200);
    const payload = JSON.parse(
      Buffer.from(String(token.json.idToken).split(".")[1]!, "base64url").toString(),
    );
    expect(payload.sub).toBe(IDENTITIES[2]);
    expect(emu.stats().authorize).toMatchObject({ requests: 1, approved: 1 });
  });

  it("Cancel sends error=access_denied, error_description and the state to the redirect_uri", async () => {
    emu = await startEmulator({ identities: IDENTITIES });
    const page = await (await get(authorizeUrl(emu, { state: "s-3" }))).text();
    const res = await submitSignIn(emu, page, { identity: IDENTITIES[0]!, action: "cancel" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe("s-3");
    expect(location.searchParams.get("code")).toBeNull();
    expect(emu.stats().authorize).toMatchObject({ denied: 1, approved: 0 });
  });

  it("makes the request id single-use and short-lived, and refuses an identity that is not configured", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ identities: IDENTITIES, now: clock.now });
    const page = await (await get(authorizeUrl(emu))).text();
    const bad = await submitSignIn(emu, page, {
      identity: "arn:aws:iam::999999999999:root",
      action: "approve",
    });
    expect(bad.status).toBe(400);
    expect((await submitSignIn(emu, page, { identity: IDENTITIES[0]! })).status).toBe(302);
    expect((await submitSignIn(emu, page, { identity: IDENTITIES[0]! })).status).toBe(400);

    const stale = await (await get(authorizeUrl(emu))).text();
    clock.advance(11 * 60_000);
    expect((await submitSignIn(emu, stale, { identity: IDENTITIES[0]! })).status).toBe(400);
  });
});

describe("cross-device confirmation page", () => {
  it("after approval shows base64('state=…&code=…') alone in <code id=verification-code>, reached by following redirects", async () => {
    emu = await startEmulator({ identities: IDENTITIES });
    const { verifier, challenge } = newPkce();
    const state = "3f1c9a52-6a0e-4d7b-9a51-2b8f5e4c1d07";
    const page = await (await get(authorizeUrl(emu, { flow: "cross-device", challenge, state }))).text();
    const decision = await submitSignIn(emu, page, { identity: IDENTITIES[1]!, action: "approve" });
    expect(decision.status).toBe(302);
    const location = decision.headers.get("location")!;
    expect(location.startsWith(`${emu.url}/v1/sessions/confirmation?`)).toBe(true);
    const res = await fetch(location); // follows like a browser; no cookies involved
    expect(res.status).toBe(200);
    const html = await res.text();
    const match =
      /\n<code id="verification-code" data-testid="verification-code">([A-Za-z0-9+/]+={0,2})<\/code>\n/.exec(
        html,
      );
    expect(match).not.toBeNull();
    const encoded = match![1]!;
    expect(encoded.length % 4).toBe(0);
    const decoded = new URLSearchParams(Buffer.from(encoded, "base64").toString("utf8"));
    expect(decoded.get("state")).toBe(state);
    const code = decoded.get("code")!;
    expect(html).toContain('id="copy"');

    const token = await tokenCall(emu, {
      clientId: CLIENT_ID.crossDevice,
      grantType: "authorization_code",
      code,
      codeVerifier: verifier,
      redirectUri: `${emu.url}/v1/sessions/confirmation`,
    });
    expect(token.status).toBe(200);
  });

  it("with autoApprove, following redirects from the authorize URL lands on the code page", async () => {
    emu = await startEmulator({ autoApprove: true });
    const res = await fetch(authorizeUrl(emu, { flow: "cross-device", state: "st" }));
    expect(res.status).toBe(200);
    expect(res.url.startsWith(`${emu.url}/v1/sessions/confirmation?`)).toBe(true);
    const encoded = /<code id="verification-code"[^>]*>([^<]+)<\/code>/.exec(await res.text())![1]!;
    expect(Buffer.from(encoded, "base64").toString()).toMatch(/^state=st&code=[A-Za-z0-9_-]+$/);
  });

  it("after Cancel shows that no code was issued", async () => {
    emu = await startEmulator();
    const page = await (await get(authorizeUrl(emu, { flow: "cross-device" }))).text();
    const decision = await submitSignIn(emu, page, { action: "cancel" });
    const res = await fetch(decision.headers.get("location")!);
    const html = await res.text();
    expect(html).toContain("access_denied");
    expect(html).not.toContain("verification-code");
  });
});
