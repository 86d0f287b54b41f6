import { describe, expect, it } from "vitest";
import { AwsLoginError } from "./errors.js";
import type { HttpRequest, HttpResponse, Transport } from "./ports.js";
import { assumeRole, stsEndpointFor } from "./sts-client.js";
import { createFakeClock } from "./testing/fake-clock.js";

const OK = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId><Arn>arn:aws:sts::444455556666:assumed-role/Admin/s</Arn></AssumedRoleUser>
    <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>se/cr+et</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2026-12-06T03:00:00Z</Expiration></Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>`;

function transportAnswering(status: number, body: string, seen: HttpRequest[] = []): Transport {
  return {
    async send(request): Promise<HttpResponse> {
      seen.push(request);
      return { status, headers: {}, body };
    },
  };
}

const base = {
  endpoint: "http://127.0.0.1:1",
  region: "us-east-1",
  credentials: { accessKeyId: "ASIASOURCE", secretAccessKey: "s", sessionToken: "t" },
  roleArn: "arn:aws:iam::444455556666:role/Admin",
  roleSessionName: "s",
};

async function refusal(status: number, body: string): Promise<AwsLoginError> {
  try {
    await assumeRole({ transport: transportAnswering(status, body), clock: createFakeClock() }, base);
  } catch (error) {
    expect(AwsLoginError.isInstance(error)).toBe(true);
    return error as AwsLoginError;
  }
  throw new Error("expected a refusal");
}

const errorXml = (code: string, message: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

describe("assumeRole (STS client)", () => {
  it("signs an awsQuery body and reads the credentials", async () => {
    const seen: HttpRequest[] = [];
    const out = await assumeRole(
      { transport: transportAnswering(200, OK, seen), clock: createFakeClock() },
      {
        ...base,
        durationSeconds: 900,
        externalId: "a/b c",
        mfa: { serialNumber: "arn:aws:iam::1:mfa/x", tokenCode: "123456" },
      },
    );
    expect(out).toMatchObject({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "se/cr+et",
      accountId: "444455556666",
      assumedRoleArn: "arn:aws:sts::444455556666:assumed-role/Admin/s",
      expiresAt: Date.UTC(2026, 11, 6, 3),
    });
    expect(seen[0]!.body).toBe(
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A444455556666%3Arole%2FAdmin&RoleSessionName=s&DurationSeconds=900&ExternalId=a%2Fb%20c&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fx&TokenCode=123456",
    );
    expect(seen[0]!.headers.Authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIASOURCE\/\d{8}\/us-east-1\/sts\/aws4_request/,
    );
    expect(seen[0]!.headers["X-Amz-Security-Token"]).toBe("t");
  });

  it("maps STS errors to typed errors", async () => {
    expect((await refusal(403, errorXml("AccessDenied", "User: x is not authorized"))).code).toBe(
      "ROLE_ACCESS_DENIED",
    );
    expect(
      (
        await refusal(
          403,
          errorXml("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."),
        )
      ).code,
    ).toBe("MFA_CODE_INVALID");
    expect((await refusal(400, errorXml("ValidationError", "too long"))).code).toBe("ROLE_REQUEST_INVALID");
    expect((await refusal(400, errorXml("ExpiredToken", "expired"))).remedy).toEqual({ kind: "sign-in" });
    const server = await refusal(500, "oops");
    expect(server.code).toBe("SERVER_ERROR");
    expect(server.retryable).toBe(true);
  });

  it("an ExpiredToken or InvalidClientTokenId answer is the ended session a refresh reports, not a trust refusal", async () => {
    for (const code of ["ExpiredToken", "InvalidClientTokenId"]) {
      const error = await refusal(
        403,
        errorXml(code, "The security token included in the request is expired"),
      );
      expect(error.code).toBe("TOKEN_EXPIRED");
      expect(error.remedy).toEqual({ kind: "sign-in" });
      expect(error.message).toMatch(/login session has ended.*Sign in again\./);
    }
    const signature = await refusal(403, errorXml("SignatureDoesNotMatch", "bad signature"));
    expect(signature.code).toBe("ROLE_ACCESS_DENIED");
  });

  it("escapes what STS says before it reaches a terminal", async () => {
    const error = await refusal(403, errorXml("AccessDenied", "evil &#x1b;]52;c;payload&#x7;"));
    expect(error.message).not.toContain("\u001b");
    expect(error.message).not.toContain("\u0007");
  });

  it("refuses answers that are not STS's: duplicated, markup, bad values, too long", async () => {
    const cases = [
      OK.replace(
        "<AccessKeyId>ASIAEXAMPLE</AccessKeyId>",
        "<AccessKeyId>ASIAEXAMPLE</AccessKeyId><AccessKeyId>ASIAOTHER</AccessKeyId>",
      ),
      OK.replace("tok</SessionToken>", "t ok</SessionToken>"),
      OK.replace("2026-12-06T03:00:00Z", "tomorrow"),
      OK.replace("arn:aws:sts::444455556666:assumed-role/Admin/s", "arn:aws:iam::444455556666:user/x"),
      OK.replace("AssumeRoleResponse", "GetCallerIdentityResponse"),
      `${OK}${" ".repeat(70_000)}<x/>`,
      "<AssumeRoleResponse>&bogus;</AssumeRoleResponse>",
    ];
    for (const body of cases) expect((await refusal(200, body)).code).toBe("BAD_RESPONSE");
  });
});

describe("stsEndpointFor", () => {
  it("is regional and partition-aware, and takes loopback http or https overrides only", () => {
    expect(stsEndpointFor("eu-west-1")).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(stsEndpointFor("cn-north-1")).toBe("https://sts.cn-north-1.amazonaws.com.cn");
    expect(stsEndpointFor("us-east-1", "http://127.0.0.1:4000/")).toBe("http://127.0.0.1:4000");
    expect(() => stsEndpointFor("us-east-1", "http://sts.example.invalid")).toThrow(/not https/);
    expect(() => stsEndpointFor("us-east-1", "https://u:p@sts.example.invalid")).toThrow(AwsLoginError);
  });
});
