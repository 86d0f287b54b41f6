import { createHash } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "../src/index.js";
import { fakeClock, login } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

function client(url: string, credentials: Creds) {
  return new STSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

async function stsError(url: string, credentials: Creds): Promise<STSServiceException> {
  try {
    await client(url, credentials).send(new GetCallerIdentityCommand({}));
  } catch (error) {
    expect(error).toBeInstanceOf(STSServiceException);
    return error as STSServiceException;
  }
  throw new Error("expected an STS error");
}

/** A hand-signed awsQuery call, to test what the SDK will not send. */
async function signedFetch(
  url: string,
  creds: Creds,
  body: string,
  region = "eu-west-1",
  options: { service?: string; contentHash?: string; sendBody?: string } = {},
): Promise<Response> {
  const target = new URL(url);
  const request = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: "/",
    headers: {
      host: target.host,
      "content-type": "application/x-www-form-urlencoded",
      ...(options.contentHash ? { "x-amz-content-sha256": options.contentHash } : {}),
    },
    body,
  });
  const service = options.service ?? "sts";
  const signed = await new SignatureV4({ service, region, credentials: creds, sha256: Sha256 }).sign(request);
  return fetch(`${url}/`, {
    method: "POST",
    headers: signed.headers as Record<string, string>,
    body: options.sendBody ?? body,
  });
}

describe("STS GetCallerIdentity", () => {
  it("answers the exact awsQuery XML shape with text/xml", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const res = await signedFetch(emu.url, answer.accessToken, "Action=GetCallerIdentity&Version=2011-06-15");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xml");
    const xml = await res.text();
    expect(xml).toMatch(
      /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<GetCallerIdentityResult>\s*<Arn>arn:aws:sts::111122223333:assumed-role\/Developer\/awslogin-demo<\/Arn>\s*<UserId>AROA[A-Z0-9]{16}:awslogin-demo<\/UserId>\s*<Account>111122223333<\/Account>\s*<\/GetCallerIdentityResult>\s*<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ResponseMetadata>\s*<\/GetCallerIdentityResponse>\s*$/,
    );
  });

  it("gives the same UserId for the same identity across logins", async () => {
    emu = await startEmulator({ autoApprove: true });
    const a = await client(emu.url, (await login(emu)).answer.accessToken).send(
      new GetCallerIdentityCommand({}),
    );
    const b = await client(emu.url, (await login(emu)).answer.accessToken).send(
      new GetCallerIdentityCommand({}),
    );
    expect(a.UserId).toBe(b.UserId);
    expect(a.Arn).toBe(DEFAULT_IDENTITY);
  });

  it("refuses a wrong signature (tampered secret) with SignatureDoesNotMatch via the SDK", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const secret = answer.accessToken.secretAccessKey;
    const tampered = {
      ...answer.accessToken,
      secretAccessKey: `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`,
    };
    const error = await stsError(emu.url, tampered);
    expect(error.name).toBe("SignatureDoesNotMatch");
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toMatch(/signature we calculated does not match/);
  });

  it("refuses an unknown access key with InvalidClientTokenId", async () => {
    emu = await startEmulator({ autoApprove: true });
    const error = await stsError(emu.url, {
      accessKeyId: "ASIAEXAMPLEEXAMPLE00",
      secretAccessKey: "x".repeat(40),
      sessionToken: "token",
    });
    expect(error.name).toBe("InvalidClientTokenId");
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it("refuses a session token that is not the issued one with InvalidClientTokenId", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const error = await stsError(emu.url, { ...answer.accessToken, sessionToken: "other" });
    expect(error.name).toBe("InvalidClientTokenId");
  });

  it("refuses expired credentials with ExpiredToken (400)", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, now: clock.now, expiresIn: 60 });
    const { answer } = await login(emu, { iat: clock.sec() });
    clock.advance(60_000);
    const error = await stsError(emu.url, answer.accessToken);
    expect(error.name).toBe("ExpiredToken");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("refuses a request without Authorization with MissingAuthenticationToken in STS's XML error format", async () => {
    emu = await startEmulator();
    const res = await fetch(`${emu.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("text/xml");
    expect(await res.text()).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>MissingAuthenticationToken<\/Code>\s*<Message>[^<]+<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>\s*$/,
    );
    expect(emu.stats().sts).toEqual({ requests: 1, ok: 0, errors: 1 });
  });

  it("refuses an unknown Action with InvalidAction, and accepts any signing region", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const bad = await signedFetch(emu.url, answer.accessToken, "Action=GetSessionToken&Version=2011-06-15");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("<Code>InvalidAction</Code>");
    const ok = await signedFetch(
      emu.url,
      answer.accessToken,
      "Action=GetCallerIdentity&Version=2011-06-15",
      "ap-southeast-2",
    );
    expect(ok.status).toBe(200);
  });

  it("refuses a malformed Authorization header with IncompleteSignature", async () => {
    emu = await startEmulator();
    const res = await fetch(`${emu.url}/`, {
      method: "POST",
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=nope", "x-amz-date": "20250101T000000Z" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>IncompleteSignature</Code>");
  });

  it("refuses a signature scoped to another service", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const res = await signedFetch(
      emu.url,
      answer.accessToken,
      "Action=GetCallerIdentity&Version=2011-06-15",
      "us-east-1",
      {
        service: "s3",
      },
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("refuses a body that does not match its signed x-amz-content-sha256", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { answer } = await login(emu);
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const hash = createHash("sha256").update(body).digest("hex");
    const honest = await signedFetch(emu.url, answer.accessToken, body, "us-east-1", { contentHash: hash });
    expect(honest.status).toBe(200);
    const tampered = await signedFetch(emu.url, answer.accessToken, body, "us-east-1", {
      contentHash: hash,
      sendBody: "Action=GetCallerIdentity&Version=2011-06-15&x=1",
    });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
  });
});
