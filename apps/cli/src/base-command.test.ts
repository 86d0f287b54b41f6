import { AwsLoginError } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { isAwsLoginError } from "./base-command.js";

describe("isAwsLoginError", () => {
  it("agrees with AwsLoginError.isInstance without loading core", () => {
    const samples: unknown[] = [
      new AwsLoginError("INVALID_ARGUMENT", "bad"),
      Object.assign(new Error("copy"), { [Symbol.for("@awslogin/core/AwsLoginError")]: true }),
      new Error("plain"),
      { code: "INVALID_ARGUMENT", message: "look-alike" },
      { [Symbol.for("@awslogin/core/AwsLoginError")]: "yes" },
      null,
      undefined,
      "AwsLoginError",
    ];
    for (const sample of samples) expect(isAwsLoginError(sample)).toBe(AwsLoginError.isInstance(sample));
    expect(isAwsLoginError(new AwsLoginError("NO_REGION", "no region"))).toBe(true);
  });
});
