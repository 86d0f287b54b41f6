import { describe, expect, it } from "vitest";
import { parseIntrospection } from "./session-service.js";

const ACTIVE = {
  active: true,
  token_type: "refresh_token",
  exp: 1763600000,
  sub: "arn:aws:iam::012345678901:user/me",
  account_id: "012345678901",
  signin_session: "arn:aws:signin:us-east-1:012345678901:session/abc",
};

describe("parseIntrospection refuses hostile answers (BAD_RESPONSE) instead of showing them", () => {
  const cases: [string, unknown][] = [
    ["active as a string", { ...ACTIVE, active: "true" }],
    ["no active", { sub: ACTIVE.sub }],
    ["an array", [ACTIVE]],
    ["null", null],
    ["a terminal escape in sub", { ...ACTIVE, sub: "arn:aws:iam::012345678901:user/\u001b[2Jme" }],
    ["a sub that is no ARN", { ...ACTIVE, sub: "root" }],
    ["a huge sub", { ...ACTIVE, sub: `arn:aws:iam::012345678901:user/${"a".repeat(5000)}` }],
    ["an account of 13 digits", { ...ACTIVE, account_id: "0123456789012" }],
    [
      "a signin_session of another service",
      { ...ACTIVE, signin_session: "arn:aws:iam::012345678901:session/x" },
    ],
    ["exp as a string", { ...ACTIVE, exp: "1763600000" }],
    ["exp in milliseconds", { ...ACTIVE, exp: 1763600000000 }],
    ["a fractional iat", { ...ACTIVE, iat: 1763556800.5 }],
    ["a negative nbf", { ...ACTIVE, nbf: -1 }],
    ["an unknown token_type", { ...ACTIVE, token_type: "id_token" }],
    ["a user_id with spaces", { ...ACTIVE, user_id: "AIDA X" }],
  ];
  it.each(cases)("%s", (_name, value) => {
    expect(() => parseIntrospection(JSON.stringify(value))).toThrow(
      expect.objectContaining({ code: "BAD_RESPONSE" }),
    );
  });

  it("refuses a body that is not JSON or is too large, without echoing it", () => {
    for (const body of ["<html>\u001b[31m</html>", `{"active":true,"x":"${"a".repeat(70_000)}"}`]) {
      let message = "";
      try {
        parseIntrospection(body);
      } catch (error) {
        message = (error as Error).message;
        expect(error).toMatchObject({ code: "BAD_RESPONSE" });
      }
      expect(message).not.toContain("\u001b");
      expect(message.length).toBeLessThan(200);
    }
  });

  it("ignores fields it does not show (aud, iss, jti, resource)", () => {
    expect(
      parseIntrospection(JSON.stringify({ ...ACTIVE, aud: "\u001b", iss: 5, jti: [], resource: {} })),
    ).not.toHaveProperty("aud");
  });
});
