import { AwsLoginError } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { LoginCredentialsProviderError } from "./provider-error.js";
import { PROVIDER_REMEDY_WORDING } from "./remedy.js";

describe("the provider's words for core's remedies", () => {
  it("sign-in: the AWS CLI's aws login first, then awslogin login, with the profile", () => {
    const word = PROVIDER_REMEDY_WORDING["sign-in"];
    expect(word({ kind: "sign-in", profile: "dev" })).toBe(
      "Run `aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`.",
    );
    expect(word({ kind: "sign-in", profile: "default" })).toBe(
      "Run `aws login` (AWS CLI 2.32+) or `awslogin login`.",
    );
    expect(word({ kind: "sign-in" })).toBe("Run `aws login` (AWS CLI 2.32+) or `awslogin login`.");
  });

  it("diagnose: a stuck lock holder, with awslogin doctor only as an option", () => {
    const advice = PROVIDER_REMEDY_WORDING.diagnose({ kind: "diagnose" });
    expect(advice).toMatch(/^If it persists, look for a process that is stuck holding the lock/);
    expect(advice).toContain("if you use the awslogin CLI");
  });

  it("no remedy: core's message as it is", () => {
    const error = new LoginCredentialsProviderError(new AwsLoginError("THROTTLED", "Wait, then try again."));
    expect(error.message).toBe("Wait, then try again.");
  });

  it("the provider's error carries core's message, then the advice; code and cause unchanged", () => {
    const cause = new AwsLoginError("TOKEN_EXPIRED", "Your login session has ended. Sign in again.", {
      remedy: { kind: "sign-in", profile: "dev" },
    });
    const error = new LoginCredentialsProviderError(cause);
    expect(error.message).toBe(
      "Your login session has ended. Sign in again. Run `aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`.",
    );
    expect(error.code).toBe("TOKEN_EXPIRED");
    expect(error.cause).toBe(cause);
  });
});
