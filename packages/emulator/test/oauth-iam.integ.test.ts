import { Sha256 } from "@aws-crypto/sha256-js";
import { CLIENT_ID } from "@awslogin/core";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import {
  authorizeUrl,
  fakeClock,
  get,
  LOOPBACK,
  type LoginResult,
  login,
  newDpopKey,
  newPkce,
  refreshCall,
  tokenCall,
} from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken: string };
type Operation = "revoke" | "introspect";

interface CallResult {
  status: number;
  errorType: string | null;
  text: string;
  json: Record<string, unknown>;
}

/** A rest-json call signed with @smithy/signature-v4 (independent of core's signer). */
async function signedCall(
  e: Emulator,
  operation: Operation,
  creds: Creds,
  body: unknown,
  options: { service?: string; query?: string; region?: string } = {},
): Promise<CallResult> {
  const target = new URL(e.url);
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const query = options.query ?? "x-amz-client-auth-method=iam";
  const request = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: `/v1/${operation}`,
    query: Object.fromEntries(new URLSearchParams(query)),
    headers: { host: target.host, "content-type": "application/json" },
    body: text,
  });
  const signer = new SignatureV4({
    service: options.service ?? "signin",
    region: options.region ?? "us-east-1",
    credentials: creds,
    sha256: Sha256,
  });
  const signed = await signer.sign(request);
  const res = await fetch(`${e.url}/v1/${operation}${query ? `?${query}` : ""}`, {
    method: "POST",
    headers: signed.headers as Record<string, string>,
    body: text,
  });
  const answer = await res.text();
  return {
    status: res.status,
    errorType: res.headers.get("x-amzn-errortype"),
    text: answer,
    json: answer ? (JSON.parse(answer) as Record<string, unknown>) : {},
  };
}

const creds = (session: LoginResult): Creds => session.answer.accessToken;

/** Signs in one configured identity through the sign-in page, as a browser would. */
async function loginAs(e: Emulator, identity: string): Promise<LoginResult> {
  const key = newDpopKey();
  const { verifier, challenge } = newPkce();
  const page = await (await get(authorizeUrl(e, { challenge }))).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1];
  const decision = await fetch(`${e.url}/v1/authorize/decision`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId!, identity, action: "approve" }).toString(),
  });
  const code = new URL(decision.headers.get("location")!).searchParams.get("code")!;
  const result = await tokenCall(
    e,
    {
      clientId: CLIENT_ID.sameDevice,
      grantType: "authorization_code",
      code,
      codeVerifier: verifier,
      redirectUri: LOOPBACK,
    },
    { key },
  );
  expect(result.status).toBe(200);
  return {
    key,
    verifier,
    redirectUri: LOOPBACK,
    clientId: CLIENT_ID.sameDevice,
    answer: result.json as unknown as LoginResult["answer"],
  };
}

describe("POST /v1/revoke?x-amz-client-auth-method=iam (RFC 7009)", () => {
  it("answers 200 with an empty body, and every refresh token of the chain then gets TOKEN_EXPIRED", async () => {
    emu = await startEmulator({ autoApprove: true });
    const session = await login(emu);
    expect(session.answer.refreshToken).toMatch(/^ASOR/);
    const rotated = await refreshCall(emu, session.answer.refreshToken, session.key);
    expect(rotated.status).toBe(200);
    const newest = rotated.json.refreshToken as string;

    // Revoking the older, already rotated token ends the chain, the newest token included.
    const res = await signedCall(emu, "revoke", creds(session), { token: session.answer.refreshToken });
    expect(res).toMatchObject({ status: 200, text: "" });

    for (const token of [newest, session.answer.refreshToken]) {
      const refresh = await refreshCall(emu, token, session.key);
      expect(refresh.status).toBe(401);
      expect(refresh.json.error).toBe("TOKEN_EXPIRED");
    }
    // Credentials already handed out stay valid until they expire.
    const again = await signedCall(emu, "introspect", rotated.json.accessToken as Creds, { token: newest });
    expect(again).toMatchObject({ status: 200, json: { active: false } });
  });

  it("ends a reuse-window replay too", async () => {
    emu = await startEmulator({ autoApprove: true, refreshReuseWindow: 60 });
    const session = await login(emu);
    expect((await refreshCall(emu, session.answer.refreshToken, session.key)).status).toBe(200);
    expect(
      (await signedCall(emu, "revoke", creds(session), { token: session.answer.refreshToken })).status,
    ).toBe(200);
    const replay = await refreshCall(emu, session.answer.refreshToken, session.key);
    expect(replay.json.error).toBe("TOKEN_EXPIRED");
  });

  it("is idempotent: unknown, malformed and already revoked tokens get 200", async () => {
    emu = await startEmulator({ autoApprove: true });
    const session = await login(emu);
    const token = session.answer.refreshToken;
    for (const value of [`ASOR${"x".repeat(60)}`, "not a token", token, token]) {
      expect(await signedCall(emu, "revoke", creds(session), { token: value })).toMatchObject({
        status: 200,
        text: "",
      });
    }
    expect(emu.stats().revoke).toEqual({ requests: 4, ok: 4, errors: 0 });
  });

  it("answers 200 for the refresh token of a session past its end", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, now: clock.now, sessionDuration: 600 });
    const session = await login(emu);
    clock.advance(600_000);
    // The ended session's credentials no longer sign: another session of the same principal revokes.
    const signer = (await login(emu, { iat: clock.sec() })).answer.accessToken;
    expect(await signedCall(emu, "revoke", signer, { token: session.answer.refreshToken })).toMatchObject({
      status: 200,
      text: "",
    });
    expect(emu.stats().revoke).toEqual({ requests: 1, ok: 1, errors: 0 });
    expect((await signedCall(emu, "introspect", signer, { token: session.answer.refreshToken })).text).toBe(
      '{"active":false}',
    );
  });

  it("refuses access tokens, missing or oversized tokens with ValidationException", async () => {
    emu = await startEmulator({ autoApprove: true });
    const session = await login(emu);
    for (const body of [
      { token: `ASOA${"y".repeat(40)}` },
      {},
      { token: "" },
      { token: "x".repeat(4097) },
      "[]",
    ]) {
      const res = await signedCall(emu, "revoke", creds(session), body);
      expect(res.status).toBe(400);
      expect(res.errorType).toBe("ValidationException");
      expect(res.json.error).toBe("INVALID_REQUEST");
    }
    // 4096 characters is still a token (an unknown one).
    expect((await signedCall(emu, "revoke", creds(session), { token: "x".repeat(4096) })).status).toBe(200);
  });

  it("refuses a live token of another account with AccessDeniedException and leaves it working", async () => {
    emu = await startEmulator({
      identities: ["arn:aws:sts::111122223333:assumed-role/Dev/alice", "arn:aws:iam::444455556666:user/bob"],
    });
    const alice = await loginAs(emu, "arn:aws:sts::111122223333:assumed-role/Dev/alice");
    const bob = await loginAs(emu, "arn:aws:iam::444455556666:user/bob");
    const res = await signedCall(emu, "revoke", creds(bob), { token: alice.answer.refreshToken });
    expect(res.status).toBe(403);
    expect(res.errorType).toBe("AccessDeniedException");
    expect((await refreshCall(emu, alice.answer.refreshToken, alice.key)).status).toBe(200);
    expect(
      (await signedCall(emu, "introspect", creds(bob), { token: alice.answer.refreshToken })).json,
    ).toEqual({ active: false });
  });

  it("lets another principal of the same account revoke", async () => {
    emu = await startEmulator({
      identities: ["arn:aws:iam::111122223333:user/ann", "arn:aws:iam::111122223333:user/ben"],
    });
    const ann = await loginAs(emu, "arn:aws:iam::111122223333:user/ann");
    const ben = await loginAs(emu, "arn:aws:iam::111122223333:user/ben");
    expect((await signedCall(emu, "revoke", creds(ben), { token: ann.answer.refreshToken })).status).toBe(
      200,
    );
    expect((await refreshCall(emu, ann.answer.refreshToken, ann.key)).json.error).toBe("TOKEN_EXPIRED");
  });
});

describe("SigV4 on revoke and introspection", () => {
  it("refuses unsigned calls, unknown keys, the wrong signing name, a wrong secret and expired credentials", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, now: clock.now, expiresIn: 900 });
    const session = await login(emu);
    const token = session.answer.refreshToken;
    const unsigned = await fetch(`${emu.url}/v1/revoke?x-amz-client-auth-method=iam`, {
      method: "POST",
      body: JSON.stringify({ token }),
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");

    const unknown = { ...creds(session), accessKeyId: "ASIAUNKNOWNUNKNOWN00" };
    expect((await signedCall(emu, "revoke", unknown, { token })).errorType).toBe(
      "UnrecognizedClientException",
    );
    expect((await signedCall(emu, "revoke", creds(session), { token }, { service: "sts" })).errorType).toBe(
      "InvalidSignatureException",
    );
    const wrongSecret = { ...creds(session), secretAccessKey: "x".repeat(40) };
    expect((await signedCall(emu, "introspect", wrongSecret, { token })).errorType).toBe(
      "InvalidSignatureException",
    );
    expect((await signedCall(emu, "revoke", creds(session), { token }, { query: "" })).status).toBe(404);

    clock.advance(901_000);
    // The signature is computed at the real time; the emulator's clock moved past the credentials' expiry.
    const expired = await signedCall(emu, "revoke", creds(session), { token });
    expect(expired.status).toBe(403);
    expect(expired.errorType).toBe("ExpiredTokenException");
    // None of these revoked anything.
    expect(emu.stats().revoke).toMatchObject({ ok: 0, errors: 5 });
  });
});

describe("POST /v1/introspect?x-amz-client-auth-method=iam (RFC 7662)", () => {
  it("describes a live refresh token with the model's snake_case fields", async () => {
    emu = await startEmulator({ autoApprove: true, region: "eu-west-1", sessionDuration: 3600 });
    const session = await login(emu);
    const res = await signedCall(emu, "introspect", creds(session), {
      token: session.answer.refreshToken,
      token_type_hint: "refresh_token",
    });
    expect(res.status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    expect(res.json).toMatchObject({
      active: true,
      client_id: CLIENT_ID.sameDevice,
      token_type: "refresh_token",
      sub: "arn:aws:sts::111122223333:assumed-role/Developer/awslogin-demo",
      iss: "signin.amazonaws.com",
      account_id: "111122223333",
    });
    expect(res.json.user_id).toMatch(/^AROA[A-Z2-7]{16}:awslogin-demo$/);
    expect(res.json.signin_session).toMatch(
      /^arn:aws:signin:eu-west-1:111122223333:session\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(res.json.exp as number).toBeGreaterThan(now + 3500);
    expect(res.json.iat).toBe(res.json.nbf);
    expect(res.json).not.toHaveProperty("aud");
    expect(typeof res.json.jti).toBe("string");
    expect(JSON.stringify(res.json)).not.toContain(session.answer.refreshToken);
  });

  it("answers exactly {active: false} for unknown, malformed, rotated, revoked and ended tokens", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, now: clock.now, sessionDuration: 600 });
    const session = await login(emu);
    const inactive = async (token: string, who: Creds = creds(session)) =>
      expect((await signedCall(emu!, "introspect", who, { token })).text).toBe('{"active":false}');
    await inactive(`ASOR${"z".repeat(50)}`);
    await inactive("%%%");
    await inactive(`ASOA${"z".repeat(50)}`);
    const rotated = await refreshCall(emu, session.answer.refreshToken, session.key);
    await inactive(session.answer.refreshToken);
    const newest = rotated.json.refreshToken as string;
    const fresh = rotated.json.accessToken as Creds;
    expect((await signedCall(emu, "introspect", fresh, { token: newest })).json.active).toBe(true);
    clock.advance(600_000);
    // Signed at the real time, 10 minutes before the emulator's clock: within the allowed skew.
    await inactive(newest, (await login(emu, { iat: clock.sec() })).answer.accessToken);
    expect(emu.stats().introspect).toMatchObject({ active: 1, inactive: 5, errors: 0 });
  });

  it("refuses a bad token_type_hint", async () => {
    emu = await startEmulator({ autoApprove: true });
    const session = await login(emu);
    const res = await signedCall(emu, "introspect", creds(session), {
      token: session.answer.refreshToken,
      token_type_hint: "id_token",
    });
    expect(res.status).toBe(400);
    expect(res.errorType).toBe("ValidationException");
  });
});

describe("faults and events", () => {
  it("a fault naming revoke or introspect applies to that operation only, in order", async () => {
    emu = await startEmulator({ autoApprove: true });
    const session = await login(emu);
    const token = session.answer.refreshToken;
    emu.injectFault({ count: 1, operation: "revoke", status: 500 });
    emu.injectFault({ count: 1, operation: "introspect", status: 429 });
    emu.injectFault({ count: 1, operation: "revoke", error: "INSUFFICIENT_PERMISSIONS" });
    // A token call takes no revoke fault.
    expect((await refreshCall(emu, token, session.key)).status).toBe(200);
    const failed = await signedCall(emu, "revoke", creds(session), { token });
    expect(failed).toMatchObject({ status: 500, errorType: "InternalServerException" });
    const throttled = await signedCall(emu, "introspect", creds(session), { token });
    expect(throttled).toMatchObject({ status: 429, errorType: "TooManyRequestsError" });
    const denied = await signedCall(emu, "revoke", creds(session), { token });
    expect(denied).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(emu.stats().faults).toEqual({ applied: 3, pending: 0 });
  });

  it("refuses an unknown operation in a fault posted over HTTP", async () => {
    emu = await startEmulator({ autoApprove: true });
    const res = await fetch(`${emu.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1, operation: "authorize", status: 500 }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("operation must be one of token, revoke, introspect");
  });

  it("records CloudTrail-shaped events without the token", async () => {
    emu = await startEmulator({ autoApprove: true });
    const session = await login(emu);
    const token = session.answer.refreshToken;
    await signedCall(emu, "introspect", creds(session), { token, token_type_hint: "refresh_token" });
    await signedCall(emu, "revoke", creds(session), { token });
    await signedCall(emu, "revoke", creds(session), { token: `ASOA${"q".repeat(20)}` });
    const events = emu.events().filter((e) => e.eventName.endsWith("WithIAM"));
    expect(events.map((e) => [e.eventName, e.readOnly, e.errorCode])).toEqual([
      ["IntrospectOAuth2TokenWithIAM", true, undefined],
      ["RevokeOAuth2TokenWithIAM", false, undefined],
      ["RevokeOAuth2TokenWithIAM", false, "ValidationException"],
    ]);
    expect(events[0]!.requestParameters).toEqual({ token_type_hint: "refresh_token" });
    expect(events[1]!.userIdentity).toMatchObject({ type: "AssumedRole", accountId: "111122223333" });
    expect(JSON.stringify(events)).not.toContain(token);
  });
});
