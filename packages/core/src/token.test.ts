import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import type { AwsLoginError } from "./errors.js";
import type { HttpResponse } from "./ports.js";
import { CLIENT_ID, SERVICE_ERRORS } from "./protocol.js";
import {
  accountIdFromArn,
  authorizationCodeRequest,
  decodeIdTokenSubject,
  errorFromTokenResponse,
  parseTokenResponse,
  refreshTokenRequest,
} from "./token.js";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** The ID token of docs/protocol.md §12 vector 3: an HS256 JWT whose sub is an assumed-role ARN. */
const ID_TOKEN = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: "arn:aws:sts::012345678901:assumed-role/Admin/admin" })}.c2ln`;

const SUCCESS = {
  accessToken: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret/key", sessionToken: "session-token" },
  tokenType: "aws_sigv4",
  expiresIn: 3600,
  refreshToken: "refresh_token",
  idToken: ID_TOKEN,
};

describe("request bodies (docs/protocol.md §4.1)", () => {
  it("authorization_code: CLI key order", () => {
    const body = authorizationCodeRequest({
      clientId: CLIENT_ID.sameDevice,
      code: "the-code",
      codeVerifier: "a".repeat(64),
      redirectUri: "http://127.0.0.1:53412/oauth/callback",
    });
    expect(JSON.stringify(body)).toBe(
      `{"clientId":"arn:aws:signin:::devtools/same-device","grantType":"authorization_code","code":"the-code","codeVerifier":"${"a".repeat(64)}","redirectUri":"http://127.0.0.1:53412/oauth/callback"}`,
    );
  });

  it("refresh_token: SDK key order (docs/protocol.md §12 vector 2g)", () => {
    expect(
      JSON.stringify(
        refreshTokenRequest({ clientId: CLIENT_ID.sameDevice, refreshToken: "valid_refresh_token" }),
      ),
    ).toBe(
      '{"clientId":"arn:aws:signin:::devtools/same-device","refreshToken":"valid_refresh_token","grantType":"refresh_token"}',
    );
  });
});

describe("parseTokenResponse", () => {
  it("parses the authorization-code answer and keeps unknown keys", () => {
    const parsed = parseTokenResponse(JSON.stringify({ ...SUCCESS, extra: { a: 1 } }), "authorization_code");
    expect(parsed).toMatchObject(SUCCESS);
    expect((parsed as Record<string, unknown>).extra).toEqual({ a: 1 });
  });

  it("refresh answers need no idToken; expiresIn defaults to 900 like the JS SDK", () => {
    const { idToken: _, expiresIn: __, ...refresh } = SUCCESS;
    const parsed = parseTokenResponse(JSON.stringify(refresh), "refresh_token");
    expect(parsed.expiresIn).toBe(900);
    expect(parsed.idToken).toBeUndefined();
    expect(parsed.accessToken.accessKeyId).toBe("ASIAEXAMPLE");
  });

  it("refresh answers need no tokenType (AWS's shared provider cases refresh without one); login's do", () => {
    const { tokenType: _, idToken: __, ...refresh } = SUCCESS;
    expect(parseTokenResponse(JSON.stringify(refresh), "refresh_token").tokenType).toBe("aws_sigv4");
    expect(() =>
      parseTokenResponse(JSON.stringify({ ...refresh, idToken: ID_TOKEN }), "authorization_code"),
    ).toThrow(
      expect.objectContaining({ code: "BAD_RESPONSE", message: expect.stringContaining("tokenType") }),
    );
  });

  it("requires idToken for the authorization-code grant", () => {
    const { idToken: _, ...noId } = SUCCESS;
    expect(() => parseTokenResponse(JSON.stringify(noId), "authorization_code")).toThrow(
      expect.objectContaining({ code: "BAD_RESPONSE", message: expect.stringContaining("idToken") }),
    );
  });

  it.each([
    ["not JSON", "<html>"],
    ["aws-c-auth's bad body", '{ "third": "impact" }'],
    ["expiresIn 0", JSON.stringify({ ...SUCCESS, expiresIn: 0 })],
    ["expiresIn 1.5", JSON.stringify({ ...SUCCESS, expiresIn: 1.5 })],
    ["expiresIn as string", JSON.stringify({ ...SUCCESS, expiresIn: "900" })],
    [
      "missing sessionToken",
      JSON.stringify({ ...SUCCESS, accessToken: { accessKeyId: "A", secretAccessKey: "s" } }),
    ],
    ["missing refreshToken", JSON.stringify({ ...SUCCESS, refreshToken: undefined })],
    ["array", "[]"],
  ])("rejects %s with BAD_RESPONSE", (_name, body) => {
    expect(() => parseTokenResponse(body, "refresh_token")).toThrow(
      expect.objectContaining({ code: "BAD_RESPONSE" }),
    );
  });

  it("names missing fields but never echoes secrets", () => {
    const body = JSON.stringify({
      ...SUCCESS,
      accessToken: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "TOPSECRET" },
    });
    let message = "";
    try {
      parseTokenResponse(body, "refresh_token");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("accessToken.sessionToken");
    expect(message).not.toContain("TOPSECRET");
    expect(message).not.toContain("refresh_token");
  });
});

function answer(status: number, body: unknown, type?: string): HttpResponse {
  return {
    status,
    headers: type === undefined ? {} : { "x-amzn-errortype": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

describe("errorFromTokenResponse (docs/protocol.md §4.4)", () => {
  const cases: [string, HttpResponse, AwsLoginError["code"], boolean][] = [
    [
      "TOKEN_EXPIRED",
      answer(
        401,
        { error: "TOKEN_EXPIRED", message: "The refresh token has expired." },
        SERVICE_ERRORS.TOKEN_EXPIRED.type,
      ),
      "TOKEN_EXPIRED",
      false,
    ],
    [
      "AUTHCODE_EXPIRED",
      answer(401, { error: "AUTHCODE_EXPIRED", message: "m" }, "AccessDeniedException"),
      "AUTHCODE_EXPIRED",
      false,
    ],
    [
      "USER_CREDENTIALS_CHANGED",
      answer(403, { error: "USER_CREDENTIALS_CHANGED", message: "m" }, "AccessDeniedException"),
      "USER_CREDENTIALS_CHANGED",
      false,
    ],
    [
      "INSUFFICIENT_PERMISSIONS",
      answer(403, { error: "INSUFFICIENT_PERMISSIONS", message: "m" }, "AccessDeniedException"),
      "INSUFFICIENT_PERMISSIONS",
      false,
    ],
    [
      "ValidationException",
      answer(400, { error: "INVALID_REQUEST", message: "bad" }, "ValidationException"),
      "INVALID_REQUEST",
      false,
    ],
    ["ValidationException without error", answer(400, {}, "ValidationException"), "INVALID_REQUEST", false],
    [
      "TooManyRequestsError",
      answer(429, { error: "INVALID_REQUEST", message: "slow down" }, "TooManyRequestsError"),
      "THROTTLED",
      true,
    ],
    ["bare 429", answer(429, ""), "THROTTLED", true],
    [
      "InternalServerException",
      answer(500, { error: "server_error", message: "m" }, "InternalServerException"),
      "SERVER_ERROR",
      true,
    ],
    ["bare 503", answer(503, "<html>Service Unavailable</html>"), "SERVER_ERROR", true],
    [
      "__type in body",
      answer(401, { __type: "com.amazonaws.signin#AccessDeniedException", error: "TOKEN_EXPIRED" }),
      "TOKEN_EXPIRED",
      false,
    ],
    [
      "header with URI suffix",
      answer(403, { error: "INSUFFICIENT_PERMISSIONS" }, "AccessDeniedException:http://internal.amazon.com/"),
      "INSUFFICIENT_PERMISSIONS",
      false,
    ],
    [
      "unknown AccessDenied (UNKNOWN_ERROR)",
      answer(403, { error: "UNKNOWN_ERROR" }, "AccessDeniedException"),
      "BAD_RESPONSE",
      false,
    ],
    ["404 from a wrong endpoint", answer(404, "Not Found"), "BAD_RESPONSE", false],
  ];

  it.each(cases)("%s", (_name, response, code, retryable) => {
    const error = errorFromTokenResponse(response, { grant: "refresh_token" });
    expect(error.code).toBe(code);
    expect(error.status).toBe(response.status);
    expect(error.retryable).toBe(retryable);
    expect(error.message.length).toBeGreaterThan(20);
  });

  it("TOKEN_EXPIRED says to sign in again, with the profile as a sign-in remedy", () => {
    const error = errorFromTokenResponse(
      answer(401, { error: "TOKEN_EXPIRED", message: "x" }, "AccessDeniedException"),
      {
        grant: "refresh_token",
        profile: "dev",
      },
    );
    expect(error.message).toBe("Your login session has ended. Sign in again.");
    expect(error.remedy).toEqual({ kind: "sign-in", profile: "dev" });
    const noProfile = errorFromTokenResponse(answer(401, { error: "TOKEN_EXPIRED" }), {
      grant: "refresh_token",
    });
    expect(noProfile.remedy).toEqual({ kind: "sign-in", profile: undefined });
  });

  it("INSUFFICIENT_PERMISSIONS names signin:CreateOAuth2Token", () => {
    const error = errorFromTokenResponse(
      answer(403, { error: "INSUFFICIENT_PERMISSIONS" }, "AccessDeniedException"),
      {
        grant: "authorization_code",
      },
    );
    expect(error.message).toContain("signin:CreateOAuth2Token");
  });

  it("AUTHCODE_EXPIRED and USER_CREDENTIALS_CHANGED say to log in again", () => {
    for (const code of ["AUTHCODE_EXPIRED", "USER_CREDENTIALS_CHANGED"]) {
      const error = errorFromTokenResponse(answer(401, { error: code }, "AccessDeniedException"), {
        grant: "authorization_code",
        profile: "p",
      });
      expect(error.message).toContain("Sign in again");
      expect(error.remedy).toEqual({ kind: "sign-in", profile: "p" });
    }
  });

  it("never echoes secrets from a body; keeps service messages short and printable", () => {
    const long = `refresh token rejected\u0007${"x".repeat(500)}`;
    const error = errorFromTokenResponse(
      answer(400, { error: "INVALID_REQUEST", message: long, refreshToken: "SECRET-RT" }),
      {
        grant: "refresh_token",
      },
    );
    expect(error.message).not.toContain("SECRET-RT");
    expect(error.message).not.toContain("\u0007");
    expect(error.message.length).toBeLessThan(400);
    const html = errorFromTokenResponse(answer(502, "<html>SECRET-RT</html>"), { grant: "refresh_token" });
    expect(html.message).not.toContain("SECRET-RT");
  });
});

describe("decodeIdTokenSubject (docs/protocol.md §5)", () => {
  it("returns sub of the §12 vector 3 token", () => {
    expect(decodeIdTokenSubject(ID_TOKEN)).toBe("arn:aws:sts::012345678901:assumed-role/Admin/admin");
  });

  it("re-pads payloads whose length is not a multiple of 4, and accepts padded ones", () => {
    for (const sub of [
      "arn:aws:iam::000000000000:user/a",
      "arn:aws:iam::000000000000:user/ab",
      "arn:aws:iam::000000000000:user/abc",
    ]) {
      const payload = b64url({ sub });
      const padded = Buffer.from(JSON.stringify({ sub }))
        .toString("base64")
        .replaceAll("+", "-")
        .replaceAll("/", "_");
      expect(decodeIdTokenSubject(`h.${payload}.s`)).toBe(sub);
      expect(decodeIdTokenSubject(`h.${padded}.s`)).toBe(sub);
    }
  });

  it.each([
    ["empty", ""],
    ["one segment", "abc"],
    ["payload not base64url", "h.@@@.s"],
    ["payload not JSON", `h.${Buffer.from("nope").toString("base64url")}.s`],
    ["no sub", `h.${b64url({ aud: "x" })}.s`],
    ["numeric sub", `h.${b64url({ sub: 42 })}.s`],
    ["empty sub", `h.${b64url({ sub: "" })}.s`],
    ["null payload", `h.${b64url(null)}.s`],
  ])("rejects %s with INVALID_ID_TOKEN", (_name, token) => {
    expect(() => decodeIdTokenSubject(token)).toThrow(expect.objectContaining({ code: "INVALID_ID_TOKEN" }));
  });
});

describe("accountIdFromArn", () => {
  it.each([
    ["arn:aws:sts::012345678901:assumed-role/Admin/admin", "012345678901"],
    ["arn:aws:iam::000000000000:user/PowerUser", "000000000000"],
    ["arn:aws-cn:iam::123456789012:root", "123456789012"],
  ])("%s → %s", (arn, account) => {
    expect(accountIdFromArn(arn)).toBe(account);
  });

  it.each([
    "",
    "arn:aws:iam::0123456789012:user/Admin",
    "arn:aws:iam::12345678901a:user/x",
    "not:an:arn::123456789012:x",
    "arn:aws:iam::123456789012",
  ])("rejects %j with INVALID_ID_TOKEN", (arn) => {
    expect(() => accountIdFromArn(arn)).toThrow(expect.objectContaining({ code: "INVALID_ID_TOKEN" }));
  });
});
