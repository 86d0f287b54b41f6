import { createHmac } from "node:crypto";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator, totpCodeFor } from "../src/index.js";
import { login } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

function sts(credentials: Creds) {
  return new STSClient({ endpoint: emu!.url, region: "eu-west-1", credentials, maxAttempts: 1 });
}

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const MFA_SERIAL = "arn:aws:iam::111122223333:mfa/alice";

async function assume(
  credentials: Creds,
  input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {},
) {
  const out = await sts(credentials).send(
    new AssumeRoleCommand({ RoleArn: ADMIN, RoleSessionName: "alice-session", ...input }),
  );
  return out;
}

async function refused(
  credentials: Creds,
  input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {},
) {
  try {
    await assume(credentials, input);
  } catch (error) {
    expect(error).toBeInstanceOf(STSServiceException);
    return error as STSServiceException;
  }
  throw new Error("expected AssumeRole to be refused");
}

function asCreds(out: {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
}): Creds {
  return {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
}

describe("STS AssumeRole", () => {
  it("issues role credentials the SDK parses; GetCallerIdentity with them names the assumed role", async () => {
    emu = await startEmulator({ autoApprove: true, roles: [ADMIN] });
    const { answer } = await login(emu);
    const before = Date.now();
    const out = await assume(answer.accessToken);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::444455556666:assumed-role/Admin/alice-session");
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{16}:alice-session$/);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    // Default duration: one hour.
    const expires = out.Credentials!.Expiration!.getTime();
    expect(expires - before).toBeGreaterThan(3590_000);
    expect(expires - before).toBeLessThan(3610_000);
    const who = await sts(asCreds(out)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe("arn:aws:sts::444455556666:assumed-role/Admin/alice-session");
    expect(who.Account).toBe("444455556666");
    expect(emu.stats().assumeRole).toEqual({ requests: 1, ok: 1, errors: 0 });
  });

  it("chains: role credentials assume a second role", async () => {
    const second = "arn:aws:iam::777788889999:role/path/Deploy";
    emu = await startEmulator({ autoApprove: true, roles: [ADMIN, `${second}=${ADMIN}`] });
    const first = await assume((await login(emu)).answer.accessToken);
    const out = await assume(asCreds(first), { RoleArn: second, RoleSessionName: "deploy" });
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::777788889999:assumed-role/Deploy/deploy");
  });

  it("refuses a caller the trust pattern does not name, and a role that does not exist, with AccessDenied", async () => {
    emu = await startEmulator({
      autoApprove: true,
      roles: [`${ADMIN}=arn:aws:sts::111122223333:assumed-role/Ops/*`],
    });
    const { answer } = await login(emu);
    const error = await refused(answer.accessToken);
    expect(error.name).toBe("AccessDenied");
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: arn:aws:sts::111122223333:assumed-role/Developer/awslogin-demo is not authorized to perform: sts:AssumeRole on resource: ${ADMIN}`,
    );
    const missing = await refused(answer.accessToken, { RoleArn: "arn:aws:iam::444455556666:role/Nope" });
    expect(missing.name).toBe("AccessDenied");
  });

  it("trusts by default only principals of the emulated organisation", async () => {
    emu = await startEmulator({
      autoApprove: true,
      identities: ["arn:aws:iam::999999999999:user/outsider"],
      roles: [
        { arn: ADMIN, trustedPrincipals: ["arn:aws:iam::999999999999:user/insider"] },
        "arn:aws:iam::999999999999:role/Own",
      ],
    });
    const { answer } = await login(emu);
    expect((await refused(answer.accessToken)).name).toBe("AccessDenied");
    const own = await assume(answer.accessToken, { RoleArn: "arn:aws:iam::999999999999:role/Own" });
    expect(own.AssumedRoleUser?.Arn).toBe("arn:aws:sts::999999999999:assumed-role/Own/alice-session");
  });

  it("checks the ExternalId", async () => {
    emu = await startEmulator({ autoApprove: true, roles: [{ arn: ADMIN, externalId: "tenant-42" }] });
    const { answer } = await login(emu);
    expect((await refused(answer.accessToken)).name).toBe("AccessDenied");
    expect((await refused(answer.accessToken, { ExternalId: "tenant-41" })).name).toBe("AccessDenied");
    expect((await assume(answer.accessToken, { ExternalId: "tenant-42" })).Credentials).toBeDefined();
  });

  it("checks the MFA code (RFC 6238) and refuses a wrong one", async () => {
    emu = await startEmulator({
      autoApprove: true,
      roles: [{ arn: ADMIN, mfaSerial: MFA_SERIAL, mfaSecret: MFA_SECRET }],
    });
    const { answer } = await login(emu);
    expect((await refused(answer.accessToken)).name).toBe("AccessDenied");
    const code = totpCodeFor(MFA_SECRET);
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, "0");
    const bad = await refused(answer.accessToken, { SerialNumber: MFA_SERIAL, TokenCode: wrong });
    expect(bad.name).toBe("AccessDenied");
    expect(bad.message).toMatch(/invalid MFA one time pass code/);
    const ok = await assume(answer.accessToken, { SerialNumber: MFA_SERIAL, TokenCode: code });
    expect(ok.Credentials).toBeDefined();
    const event = emu.events().at(-1)!;
    expect(event.userIdentity.type).toBe("AssumedRole");
    expect(event.requestParameters).toMatchObject({ serialNumber: MFA_SERIAL });
    expect(JSON.stringify(event)).not.toContain(code === wrong ? "never" : `"${code}"`);
  });

  it("computes TOTP as RFC 6238's SHA-1 test vector says", () => {
    // RFC 6238 Appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits); 6 digits: 287082.
    const base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    expect(totpCodeFor(base32, 59_000)).toBe("287082");
    expect(totpCodeFor(base32, 1_111_111_109_000)).toBe("081804");
    // And against an independent HMAC here.
    const mac = createHmac("sha1", Buffer.from("12345678901234567890"))
      .update(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]))
      .digest();
    const offset = mac[19]! & 15;
    expect(totpCodeFor(base32, 30_000)).toBe(
      String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e6).padStart(6, "0"),
    );
  });

  it("limits DurationSeconds: 900 at least, and one hour for a role chain", async () => {
    emu = await startEmulator({ autoApprove: true, roles: [{ arn: ADMIN, maxSessionDuration: 43_200 }] });
    const { answer } = await login(emu);
    const short = await refused(answer.accessToken, { DurationSeconds: 899 });
    expect(short.name).toBe("ValidationError");
    const long = await refused(answer.accessToken, { DurationSeconds: 7200 });
    expect(long.name).toBe("ValidationError");
    expect(long.message).toMatch(/1 hour session limit for roles assumed by role chaining/);
    const ok = await assume(answer.accessToken, { DurationSeconds: 900 });
    expect(ok.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it("refuses a bad RoleSessionName with ValidationError", async () => {
    emu = await startEmulator({ autoApprove: true, roles: [ADMIN] });
    const { answer } = await login(emu);
    const error = await refused(answer.accessToken, { RoleSessionName: "has space" });
    expect(error.name).toBe("ValidationError");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("records CloudTrail-shaped AssumeRole events, refused calls too", async () => {
    emu = await startEmulator({ autoApprove: true, roles: [ADMIN] });
    const { answer } = await login(emu);
    const out = await assume(answer.accessToken, { DurationSeconds: 1800 });
    await refused(answer.accessToken, { RoleArn: "arn:aws:iam::444455556666:role/Other" });
    const events = emu.events().filter((e) => e.eventName === "AssumeRole");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      eventSource: "sts.amazonaws.com",
      eventName: "AssumeRole",
      userIdentity: {
        type: "AssumedRole",
        arn: "arn:aws:sts::111122223333:assumed-role/Developer/awslogin-demo",
      },
      requestParameters: { roleArn: ADMIN, roleSessionName: "alice-session", durationSeconds: 1800 },
      responseElements: {
        credentials: { accessKeyId: out.Credentials!.AccessKeyId },
        assumedRoleUser: { arn: "arn:aws:sts::444455556666:assumed-role/Admin/alice-session" },
      },
    });
    expect(JSON.stringify(events)).not.toContain(out.Credentials!.SecretAccessKey!);
    expect(JSON.stringify(events)).not.toContain(out.Credentials!.SessionToken!);
    expect(events[1]).toMatchObject({ errorCode: "AccessDenied", responseElements: null });
  });

  it("injects faults into AssumeRole only", async () => {
    emu = await startEmulator({ autoApprove: true, roles: [ADMIN] });
    const { answer } = await login(emu);
    emu.injectFault({ operation: "assumeRole", count: 1, status: 500 });
    const error = await refused(answer.accessToken);
    expect(error.name).toBe("InternalFailure");
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect((await assume(answer.accessToken)).Credentials).toBeDefined();
    expect(() => emu!.injectFault({ operation: "assumeRole", count: 1, error: "TOKEN_EXPIRED" })).toThrow(
      TypeError,
    );
  });

  it("rejects a bad role option at start", async () => {
    await expect(startEmulator({ roles: ["arn:aws:iam::1:role/X"] })).rejects.toMatchObject({
      code: "INVALID_EMULATOR_OPTION",
    });
    await expect(
      startEmulator({ roles: [{ arn: ADMIN, mfaSerial: MFA_SERIAL, mfaSecret: "not base32!" }] }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});
