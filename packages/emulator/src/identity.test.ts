import { describe, expect, it } from "vitest";
import { DEFAULT_IDENTITY, parseIdentity } from "./identity.js";

describe("parseIdentity", () => {
  it("parses the default identity as an assumed-role session in 111122223333", () => {
    const identity = parseIdentity(DEFAULT_IDENTITY);
    expect(identity).toMatchObject({
      kind: "assumed-role",
      accountId: "111122223333",
      name: "Developer",
      sessionName: "awslogin-demo",
      roleArn: "arn:aws:iam::111122223333:role/Developer",
    });
    expect(identity.userId).toBe(`${identity.roleId}:awslogin-demo`);
    expect(identity.roleId).toMatch(/^AROA[A-Z0-9]{16}$/);
  });

  it("gives every session of a role the same role id, and users stable AIDA ids", () => {
    const a = parseIdentity("arn:aws:sts::111122223333:assumed-role/Admin/alice");
    const b = parseIdentity("arn:aws:sts::111122223333:assumed-role/Admin/bob");
    expect(a.roleId).toBe(b.roleId);
    const user = parseIdentity("arn:aws:iam::111122223333:user/team/carol");
    expect(user).toMatchObject({ kind: "user", name: "carol" });
    expect(user.userId).toBe(parseIdentity("arn:aws:iam::111122223333:user/team/carol").userId);
    expect(user.userId).toMatch(/^AIDA[A-Z0-9]{16}$/);
  });

  it("accepts other partitions and the root user", () => {
    expect(parseIdentity("arn:aws-cn:iam::111122223333:root")).toMatchObject({
      kind: "root",
      partition: "aws-cn",
    });
  });

  it.each([
    "arn:aws:s3:::bucket",
    "arn:aws:sts::1111:assumed-role/Admin/alice",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:sts::111122223333:assumed-role/Admin",
    "",
  ])("refuses %j", (arn) => {
    expect(() => parseIdentity(arn)).toThrow(TypeError);
  });
});
