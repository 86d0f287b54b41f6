import { CLIENT_ID } from "@awslogin/core";
import { afterEach, describe, expect, it } from "vitest";
import { type CloudTrailEvent, DEFAULT_IDENTITY, type Emulator, startEmulator } from "../src/index.js";
import { fakeClock, LOOPBACK, login, refreshCall } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("CloudTrail-shaped events (docs/protocol.md §10)", () => {
  it("records AuthorizeOAuth2Access and CreateOAuth2Token with the documented fields", async () => {
    const clock = fakeClock(Date.UTC(2025, 10, 19, 0, 0, 0));
    emu = await startEmulator({ autoApprove: true, now: clock.now, region: "eu-west-1" });
    const { key, answer } = await login(emu, { iat: clock.sec() });
    await refreshCall(emu, answer.refreshToken, key, { iat: clock.sec() });
    const events = (await (await fetch(`${emu.url}/__emulator/events`)).json()) as CloudTrailEvent[];
    expect(events).toEqual(emu.events());
    expect(events.map((e) => e.eventName)).toEqual([
      "AuthorizeOAuth2Access",
      "CreateOAuth2Token",
      "CreateOAuth2Token",
    ]);
    const [authorize, exchange] = events as [CloudTrailEvent, CloudTrailEvent, CloudTrailEvent];
    expect(authorize).toMatchObject({
      eventVersion: "1.11",
      userIdentity: {
        type: "AssumedRole",
        principalId: expect.stringMatching(/^AROA[A-Z0-9]{16}:awslogin-demo$/),
        arn: DEFAULT_IDENTITY,
        accountId: "111122223333",
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: expect.stringMatching(/^AROA[A-Z0-9]{16}$/),
            arn: "arn:aws:iam::111122223333:role/Developer",
            accountId: "111122223333",
            userName: "Developer",
          },
          attributes: { creationDate: "2025-11-19T00:00:00Z", mfaAuthenticated: "false" },
        },
      },
      eventTime: "2025-11-19T00:00:00Z",
      eventSource: "signin.amazonaws.com",
      eventName: "AuthorizeOAuth2Access",
      awsRegion: "eu-west-1",
      sourceIPAddress: "127.0.0.1",
      requestParameters: {
        scope: "openid",
        redirect_uri: LOOPBACK,
        code_challenge_method: "SHA-256",
        client_id: CLIENT_ID.sameDevice,
      },
      responseElements: null,
      additionalEventData: { success: "true", "x-amzn-vpce-id": "" },
      readOnly: true,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: "111122223333",
      eventCategory: "Management",
      tlsDetails: {
        tlsVersion: "TLSv1.3",
        cipherSuite: "TLS_AES_128_GCM_SHA256",
        clientProvidedHostHeader: `127.0.0.1:${emu.port}`,
      },
    });
    expect(authorize.requestID).toMatch(UUID);
    expect(authorize.eventID).toMatch(UUID);
    expect(typeof authorize.userAgent).toBe("string");
    expect(exchange.requestParameters).toEqual({ client_id: CLIENT_ID.sameDevice });
    expect(exchange.userIdentity.arn).toBe(DEFAULT_IDENTITY);
    expect(exchange).not.toHaveProperty("errorCode");
  });

  it("records failed calls with errorCode and errorMessage, and never secrets", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    await refreshCall(emu, answer.refreshToken, key);
    await refreshCall(emu, answer.refreshToken, key); // rotated → TOKEN_EXPIRED
    emu.injectFault({ count: 1, status: 500 });
    await refreshCall(emu, "unknown", key);
    const events = emu.events();
    const failed = events.filter((e) => e.errorCode);
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      eventName: "CreateOAuth2Token",
      errorCode: "AccessDeniedException",
      errorMessage: expect.any(String),
      additionalEventData: { success: "false", error: "TOKEN_EXPIRED" },
      userIdentity: { arn: DEFAULT_IDENTITY },
    });
    expect(failed[1]).toMatchObject({
      errorCode: "InternalServerException",
      userIdentity: { type: "Unknown" },
    });
    const text = JSON.stringify(events);
    expect(text).not.toContain(answer.refreshToken);
    expect(text).not.toContain(answer.accessToken.secretAccessKey);
  });

  it("records a cancelled sign-in as a failed AuthorizeOAuth2Access for IAM users as IAMUser", async () => {
    const user = "arn:aws:iam::444455556666:user/bob";
    emu = await startEmulator({ identities: [user] });
    const page = await (
      await fetch(
        `${emu.url}/v1/authorize?response_type=code&client_id=${encodeURIComponent(CLIENT_ID.sameDevice)}&state=s&code_challenge_method=SHA-256&scope=openid&redirect_uri=${encodeURIComponent(LOOPBACK)}&code_challenge=${"a".repeat(43)}`,
      )
    ).text();
    const requestId = /name="request_id" value="([^"]+)"/.exec(page)![1]!;
    await fetch(`${emu.url}/v1/authorize/decision`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request_id: requestId, identity: user, action: "cancel" }).toString(),
    });
    const [event] = emu.events();
    expect(event).toMatchObject({
      eventName: "AuthorizeOAuth2Access",
      errorCode: "AccessDenied",
      userIdentity: { type: "IAMUser", userName: "bob", accountId: "444455556666" },
      recipientAccountId: "444455556666",
    });
  });
});
