import { randomUUID } from "node:crypto";
import { CLIENT_ID } from "@awslogin/core";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { jwkThumbprint } from "../src/dpop-verify.js";
import { type Emulator, startEmulator } from "../src/index.js";
import {
  authorizeCode,
  dpopProof,
  fakeClock,
  LOOPBACK,
  newDpopKey,
  newPkce,
  type TokenCallResult,
  tokenCall,
} from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function codeGrant(e: Emulator, flow?: "cross-device") {
  const { verifier, challenge } = newPkce();
  const redirectUri = flow ? `${e.url}/v1/sessions/confirmation` : LOOPBACK;
  const { code } = await authorizeCode(e, { challenge, flow, redirectUri });
  return {
    clientId: flow ? CLIENT_ID.crossDevice : CLIENT_ID.sameDevice,
    grantType: "authorization_code",
    code,
    codeVerifier: verifier,
    redirectUri,
  };
}

function expectRefusal(
  result: TokenCallResult,
  status: number,
  error: string,
  shape: string,
  message?: RegExp,
) {
  expect(result.status).toBe(status);
  expect(result.headers.get("x-amzn-errortype")).toBe(shape);
  expect(result.json.error).toBe(error);
  expect(typeof result.json.message).toBe("string");
  if (message) expect(result.json.message).toMatch(message);
}

const invalid = (result: TokenCallResult, message?: RegExp) =>
  expectRefusal(result, 400, "INVALID_REQUEST", "ValidationException", message);

describe("DPoP proof checks (RFC 9449 §4.3)", () => {
  it("refuses a request without a DPoP header", async () => {
    emu = await startEmulator({ autoApprove: true });
    invalid(await tokenCall(emu, await codeGrant(emu), { dpop: null }), /DPoP header is missing/);
  });

  it("refuses a bad signature", async () => {
    emu = await startEmulator({ autoApprove: true });
    const proof = dpopProof(newDpopKey(), { htu: `${emu.url}/v1/token` });
    const [h, p, s] = proof.split(".") as [string, string, string];
    const sig = Buffer.from(s, "base64url");
    sig[10] = sig[10]! ^ 0xff;
    invalid(
      await tokenCall(emu, await codeGrant(emu), { dpop: `${h}.${p}.${sig.toString("base64url")}` }),
      /signature/,
    );
  });

  it("refuses a proof signed by another key than its jwk", async () => {
    emu = await startEmulator({ autoApprove: true });
    const signer = newDpopKey();
    const proof = dpopProof(signer, {
      htu: `${emu.url}/v1/token`,
      header: { typ: "dpop+jwt", alg: "ES256", jwk: newDpopKey().jwk },
    });
    invalid(await tokenCall(emu, await codeGrant(emu), { dpop: proof }), /signature/);
  });

  it("refuses a DER signature, a wrong typ, a wrong alg, a private d, and a non-P-256 key", async () => {
    emu = await startEmulator({ autoApprove: true });
    const key = newDpopKey();
    const htu = `${emu.url}/v1/token`;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ typ: "JWT", alg: "ES256", jwk: key.jwk }, /typ/],
      [{ typ: "dpop+jwt", alg: "RS256", jwk: key.jwk }, /alg/],
      [{ typ: "dpop+jwt", alg: "ES256", jwk: { ...key.jwk, d: "AAAA" } }, /private/],
      [{ typ: "dpop+jwt", alg: "ES256", jwk: { ...key.jwk, crv: "P-384" } }, /P-256/],
      [{ typ: "dpop+jwt", alg: "ES256" }, /jwk/],
    ];
    for (const [header, message] of cases) {
      invalid(await tokenCall(emu, await codeGrant(emu), { dpop: dpopProof(key, { htu, header }) }), message);
    }
    invalid(await tokenCall(emu, await codeGrant(emu), { dpop: "not-a-jws" }), /compact JWS/);
  });

  it("refuses a wrong htu (host, port, path or scheme) but ignores query and fragment", async () => {
    emu = await startEmulator({ autoApprove: true });
    const key = newDpopKey();
    const port = emu.port;
    for (const htu of [
      `http://localhost:${port}/v1/token`,
      `http://127.0.0.1:${port + 1}/v1/token`,
      `http://127.0.0.1:${port}/v1/token/extra`,
      `https://127.0.0.1:${port}/v1/token`,
      "https://us-east-1.signin.aws.amazon.com/v1/token",
    ]) {
      invalid(await tokenCall(emu, await codeGrant(emu), { dpop: dpopProof(key, { htu }) }), /htu/);
    }
    const ok = await tokenCall(emu, await codeGrant(emu), {
      dpop: dpopProof(key, { htu: `${emu.url}/v1/token?x=1#frag` }),
    });
    expect(ok.status).toBe(200);
  });

  it("refuses a wrong htm", async () => {
    emu = await startEmulator({ autoApprove: true });
    const proof = dpopProof(newDpopKey(), { htu: `${emu.url}/v1/token`, htm: "GET" });
    invalid(await tokenCall(emu, await codeGrant(emu), { dpop: proof }), /htm/);
  });

  it("refuses an iat more than 5 minutes off in either direction, accepts within", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, now: clock.now });
    const key = newDpopKey();
    const htu = `${emu.url}/v1/token`;
    for (const delta of [-301, 301, -3600]) {
      const proof = dpopProof(key, { htu, iat: clock.sec() + delta });
      invalid(await tokenCall(emu, await codeGrant(emu), { dpop: proof }), /iat/);
    }
    for (const delta of [-290, 290]) {
      const proof = dpopProof(key, { htu, iat: clock.sec() + delta });
      expect((await tokenCall(emu, await codeGrant(emu), { dpop: proof })).status).toBe(200);
    }
  });

  it("refuses a replayed jti", async () => {
    emu = await startEmulator({ autoApprove: true });
    const proof = dpopProof(newDpopKey(), { htu: `${emu.url}/v1/token`, jti: "once-only" });
    expect((await tokenCall(emu, await codeGrant(emu), { dpop: proof })).status).toBe(200);
    invalid(await tokenCall(emu, await codeGrant(emu), { dpop: proof }), /jti was already used/);
  });

  it("tolerates reordered, indented JSON and short (unpadded) coordinates", async () => {
    emu = await startEmulator({ autoApprove: true });
    // Find a key whose x has a leading zero byte, then send it the way Go/Java do (shortened).
    let key = newDpopKey();
    while (Buffer.from(key.jwk.x, "base64url")[0] !== 0) key = newDpopKey();
    const shortX = Buffer.from(key.jwk.x, "base64url").subarray(1).toString("base64url");
    const rawHeader = JSON.stringify(
      { jwk: { y: key.jwk.y, crv: "P-256", x: shortX, kty: "EC" }, alg: "ES256", typ: "dpop+jwt" },
      null,
      2,
    );
    const rawPayload = JSON.stringify(
      { jti: randomUUID(), iat: Math.floor(Date.now() / 1000), htu: `${emu.url}/v1/token`, htm: "POST" },
      null,
      "\t",
    );
    const first = await tokenCall(emu, await codeGrant(emu), {
      dpop: dpopProof(key, { htu: "", rawHeader, rawPayload }),
    });
    expect(first.status).toBe(200);
    // The padded form of the same key is the same key (thumbprint computed after left-padding).
    const refresh = await tokenCall(
      emu,
      { clientId: CLIENT_ID.sameDevice, grantType: "refresh_token", refreshToken: first.json.refreshToken },
      { key },
    );
    expect(refresh.status).toBe(200);
  });

  it("accepts a proof made by jose (an independent implementation)", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    const proof = await new SignJWT({ htm: "POST", htu: `${emu.url}/v1/token` })
      .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk })
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(privateKey);
    expect((await tokenCall(emu, await codeGrant(emu), { dpop: proof })).status).toBe(200);
  });

  it("computes RFC 7638 thumbprints as jose does", async () => {
    for (let i = 0; i < 20; i++) {
      const key = newDpopKey();
      const x = Buffer.from(key.jwk.x, "base64url");
      const y = Buffer.from(key.jwk.y, "base64url");
      expect(jwkThumbprint(x, y)).toBe(await calculateJwkThumbprint(key.jwk, "sha256"));
    }
  });
});

describe("authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6)", () => {
  it("refuses a wrong PKCE verifier", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = await codeGrant(emu);
    invalid(await tokenCall(emu, { ...body, codeVerifier: newPkce().verifier }), /PKCE/);
  });

  it("refuses a verifier that is too short or has reserved characters", async () => {
    emu = await startEmulator({ autoApprove: true });
    invalid(
      await tokenCall(emu, { ...(await codeGrant(emu)), codeVerifier: "a".repeat(42) }),
      /codeVerifier/,
    );
    invalid(
      await tokenCall(emu, { ...(await codeGrant(emu)), codeVerifier: `${"a".repeat(50)}+/` }),
      /codeVerifier/,
    );
  });

  it("refuses a reused code with AUTHCODE_EXPIRED (401)", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = await codeGrant(emu);
    expect((await tokenCall(emu, body)).status).toBe(200);
    expectRefusal(
      await tokenCall(emu, body),
      401,
      "AUTHCODE_EXPIRED",
      "AccessDeniedException",
      /already used/,
    );
  });

  it("refuses an expired code with AUTHCODE_EXPIRED (401), honouring codeTtl", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, now: clock.now, codeTtl: 60 });
    const body = await codeGrant(emu);
    clock.advance(60_000);
    expectRefusal(
      await tokenCall(emu, body, { iat: clock.sec() }),
      401,
      "AUTHCODE_EXPIRED",
      "AccessDeniedException",
      /expired/,
    );
    const fresh = await codeGrant(emu);
    clock.advance(59_000);
    expect((await tokenCall(emu, fresh, { iat: clock.sec() })).status).toBe(200);
  });

  it("refuses an unknown code with AUTHCODE_EXPIRED", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = { ...(await codeGrant(emu)), code: "made-up" };
    expectRefusal(await tokenCall(emu, body), 401, "AUTHCODE_EXPIRED", "AccessDeniedException");
  });

  it("refuses a redirectUri that differs from the authorize request, and a missing one", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = await codeGrant(emu);
    invalid(
      await tokenCall(emu, { ...body, redirectUri: "http://127.0.0.1:53412/oauth/callback/" }),
      /redirectUri does not match/,
    );
    const other = await codeGrant(emu);
    invalid(await tokenCall(emu, { ...other, redirectUri: undefined }), /redirectUri is required/);
  });

  it("refuses a code redeemed by the other client", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = await codeGrant(emu);
    invalid(await tokenCall(emu, { ...body, clientId: CLIENT_ID.crossDevice }), /clientId does not match/);
  });

  it("gives a code one redemption attempt: after a failed one it is used up", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = await codeGrant(emu);
    invalid(await tokenCall(emu, { ...body, codeVerifier: newPkce().verifier }));
    expectRefusal(await tokenCall(emu, body), 401, "AUTHCODE_EXPIRED", "AccessDeniedException");
  });

  it("answers cross-device codes with aud cli/cross-device", async () => {
    emu = await startEmulator({ autoApprove: true });
    const result = await tokenCall(emu, await codeGrant(emu, "cross-device"));
    expect(result.status).toBe(200);
    const payload = JSON.parse(
      Buffer.from(String(result.json.idToken).split(".")[1]!, "base64url").toString(),
    );
    expect(payload.aud).toBe("arn:aws:signin:::cli/cross-device");
  });
});

describe("malformed requests → 400 ValidationException INVALID_REQUEST", () => {
  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["a JSON array", "[]", /JSON object/],
    ["an empty body", "", /empty/],
    ["a non-string field", JSON.stringify({ clientId: 1 }), /clientId must be a string/],
    [
      "an unknown clientId",
      JSON.stringify({ clientId: "arn:aws:signin:::devtools/other" }),
      /clientId must be/,
    ],
    [
      "a bad grantType",
      JSON.stringify({ clientId: CLIENT_ID.sameDevice, grantType: "password" }),
      /grantType must be/,
    ],
    [
      "a missing code",
      JSON.stringify({ clientId: CLIENT_ID.sameDevice, grantType: "authorization_code" }),
      /code is required/,
    ],
    [
      "a missing refreshToken",
      JSON.stringify({ clientId: CLIENT_ID.sameDevice, grantType: "refresh_token" }),
      /refreshToken is required/,
    ],
  ])("refuses %s", async (_name, rawBody, message) => {
    emu = await startEmulator({ autoApprove: true });
    invalid(await tokenCall(emu, {}, { rawBody }), message);
  });

  it("never echoes secrets in error messages", async () => {
    emu = await startEmulator({ autoApprove: true });
    const body = await codeGrant(emu);
    const wrong = newPkce().verifier;
    const result = await tokenCall(emu, { ...body, codeVerifier: wrong });
    const text = JSON.stringify(result.json);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(body.code);
  });
});
