import { describe, expect, it } from "vitest";
import { exportDpopKeyPem, generateDpopKey } from "./dpop.js";
import { AwsLoginError } from "./errors.js";
import type { HttpRequest, HttpResponse, Transport } from "./ports.js";
import {
  introspectToken,
  parseIntrospection,
  revokeRefreshToken,
  type SessionServiceCall,
  sessionServiceEndpoint,
  sessionServiceError,
} from "./session-service.js";
import { seededRandom } from "./testing/seeded-random.js";
import type { TokenCacheRecord } from "./token-cache.js";

const NOW = Date.UTC(2025, 10, 19, 12, 0, 0);

function record(extra: Partial<TokenCacheRecord> = {}): TokenCacheRecord {
  return {
    accessToken: {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "session",
      accountId: "012345678901",
      expiresAt: "2025-11-19T12:14:00Z",
    },
    tokenType: "aws_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "ASORrefresh",
    idToken: "h.p.s",
    dpopKey: exportDpopKeyPem(generateDpopKey(seededRandom("session-service.test"))),
    signInRegion: "eu-west-1",
    ...extra,
  };
}

function transport(answer: Partial<HttpResponse>): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request) {
      requests.push(request);
      return { status: 200, headers: {}, body: "", ...answer };
    },
  };
}

function call(t: Transport, baseUrl = "http://127.0.0.1:9"): SessionServiceCall {
  return {
    transport: t,
    clock: { now: () => NOW },
    endpoint: { baseUrl, region: "eu-west-1" },
    credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "session" },
  };
}

describe("sessionServiceEndpoint", () => {
  it("uses the rule set's OAuth host for the aws partition's default endpoint, signed for the record's region", () => {
    expect(sessionServiceEndpoint(record(), { settings: { env: {} } })).toEqual({
      baseUrl: "https://eu-west-1.oauth.signin.aws",
      region: "eu-west-1",
    });
  });

  it("follows the endpoint the refresh uses: the record's, then the environment's, keeping the path", () => {
    const recorded = record({
      awslogin: { sessionStartedAt: "2025-11-19T08:00:00.000Z", endpoint: "http://127.0.0.1:7" },
    });
    expect(sessionServiceEndpoint(recorded, { settings: { env: {} } }).baseUrl).toBe("http://127.0.0.1:7");
    const configured = sessionServiceEndpoint(record(), {
      settings: { env: { AWS_ENDPOINT_URL_SIGNIN: "http://127.0.0.1:8/prefix/" } },
    });
    expect(configured).toEqual({ baseUrl: "http://127.0.0.1:8/prefix", region: "eu-west-1" });
  });

  it("keeps the refresh's host in other partitions", () => {
    expect(sessionServiceEndpoint(record({ signInRegion: "cn-north-1" }), { settings: { env: {} } })).toEqual(
      {
        baseUrl: "https://cn-north-1.signin.amazonaws.cn",
        region: "cn-north-1",
      },
    );
  });

  it("refuses plain http beyond loopback, as the refresh does", () => {
    expect(() =>
      sessionServiceEndpoint(record(), {
        settings: { env: { AWS_ENDPOINT_URL_SIGNIN: "http://example.invalid" } },
      }),
    ).toThrow(AwsLoginError);
  });
});

describe("revokeRefreshToken", () => {
  it("posts {token} to /v1/revoke?x-amz-client-auth-method=iam, SigV4-signed for signin", async () => {
    const t = transport({ status: 200 });
    await revokeRefreshToken(call(t), "ASORrefresh");
    const [request] = t.requests;
    expect(request!.url).toBe("http://127.0.0.1:9/v1/revoke?x-amz-client-auth-method=iam");
    expect(request!.method).toBe("POST");
    expect(JSON.parse(request!.body!)).toEqual({ token: "ASORrefresh" });
    expect(request!.headers.Authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20251119\/eu-west-1\/signin\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request!.headers["X-Amz-Security-Token"]).toBe("session");
  });

  it("refuses an empty or oversized token before sending anything", async () => {
    const t = transport({});
    for (const token of ["", "x".repeat(4097)]) {
      await expect(revokeRefreshToken(call(t), token)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    expect(t.requests).toHaveLength(0);
  });

  it.each([
    [429, "TooManyRequestsError", "THROTTLED", true],
    [500, "InternalServerException", "SERVER_ERROR", true],
    [503, "", "SERVER_ERROR", true],
    [400, "ValidationException", "INVALID_REQUEST", false],
    [403, "AccessDeniedException", "ACCESS_DENIED", false],
    [403, "UnrecognizedClientException", "ACCESS_DENIED", false],
    [403, "ExpiredTokenException:http://internal.amazon.com/coral/", "ACCESS_DENIED", false],
    [409, "ConflictException", "SERVICE_ERROR", false],
    [404, "", "SERVICE_ERROR", false],
  ])("maps HTTP %i %s to %s (retryable %s)", async (status, type, code, retryable) => {
    const t = transport({
      status,
      headers: type ? { "x-amzn-errortype": type } : {},
      body: '{"message":"x"}',
    });
    const error = await revokeRefreshToken(call(t), "ASORrefresh").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsLoginError);
    expect(error).toMatchObject({ code, retryable, status });
  });

  it("never repeats the service's text or an unprintable error type", () => {
    const error = sessionServiceError("revoke the session", {
      status: 418,
      headers: { "x-amzn-errortype": "Evil\u001b[31mType" },
      body: '{"message":"\\u001b]8;;http://evil.invalid\\u0007click"}',
    });
    expect(error.code).toBe("SERVICE_ERROR");
    expect(error.message.toLowerCase()).not.toContain("evil");
    expect(error.message).not.toContain("\u001b");
  });
});

describe("introspectToken", () => {
  it("sends the refresh_token hint and returns the validated answer", async () => {
    const t = transport({
      status: 200,
      body: JSON.stringify({
        active: true,
        client_id: "arn:aws:signin:::devtools/same-device",
        user_id: "AROAEXAMPLEEXAMPLE:me",
        token_type: "refresh_token",
        exp: 1763600000,
        iat: 1763556800,
        nbf: 1763556800,
        sub: "arn:aws:sts::012345678901:assumed-role/Admin/me",
        iss: "signin.amazonaws.com",
        jti: "id",
        account_id: "012345678901",
        signin_session: "arn:aws:signin:eu-west-1:012345678901:session/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
      }),
    });
    const result = await introspectToken(call(t), "ASORrefresh");
    expect(JSON.parse(t.requests[0]!.body!)).toEqual({
      token: "ASORrefresh",
      token_type_hint: "refresh_token",
    });
    expect(t.requests[0]!.url).toBe("http://127.0.0.1:9/v1/introspect?x-amz-client-auth-method=iam");
    expect(result).toEqual({
      active: true,
      tokenType: "refresh_token",
      expiresAt: 1763600000_000,
      issuedAt: 1763556800_000,
      principal: "arn:aws:sts::012345678901:assumed-role/Admin/me",
      accountId: "012345678901",
      userId: "AROAEXAMPLEEXAMPLE:me",
      signinSession: "arn:aws:signin:eu-west-1:012345678901:session/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
      clientId: "arn:aws:signin:::devtools/same-device",
    });
  });

  it("maps refusals like revoke", async () => {
    const t = transport({ status: 403, headers: { "x-amzn-errortype": "AccessDeniedException" } });
    await expect(introspectToken(call(t), "ASORrefresh")).rejects.toMatchObject({ code: "ACCESS_DENIED" });
  });
});

describe("parseIntrospection", () => {
  it("reads an inactive answer as {active: false}, whatever else it carries", () => {
    expect(parseIntrospection('{"active":false}')).toEqual({ active: false });
    expect(parseIntrospection('{"active":false,"sub":"\\u001b[2J","exp":"soon"}')).toEqual({ active: false });
  });
});
