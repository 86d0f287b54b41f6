import { AwsLoginError } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { describeFailure } from "./refresh.js";
import { BINARY_REMEDY_WORDING } from "./remedy.js";

describe("the credential_process binary's words for core's remedies", () => {
  it("sign-in: aws login or awslogin login with the profile, then the command that asked again", () => {
    const word = BINARY_REMEDY_WORDING["sign-in"];
    expect(word({ kind: "sign-in", profile: "dev" })).toBe(
      "Run `aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`, then run your command again.",
    );
    expect(word({ kind: "sign-in" })).toBe(
      "Run `aws login` (AWS CLI 2.32+) or `awslogin login`, then run your command again.",
    );
    expect(word({ kind: "sign-in", profile: "default" })).toBe(word({ kind: "sign-in" }));
  });

  it("diagnose: a stuck lock holder, with awslogin doctor only as an option", () => {
    const advice = BINARY_REMEDY_WORDING.diagnose({ kind: "diagnose" });
    expect(advice).toMatch(/^If it persists, look for an awslogin-credential-process or other process stuck/);
    expect(advice).toContain("if you have the awslogin CLI");
  });

  it("no remedy: core's message and code only", () => {
    expect(describeFailure(new AwsLoginError("THROTTLED", "Wait, then try again."))).toBe(
      "Wait, then try again. [THROTTLED]",
    );
  });

  it("the stderr line: core's message, the advice, then the code", () => {
    const error = new AwsLoginError(
      "CACHE_MISSING",
      "There are no cached login credentials for profile dev.",
      {
        remedy: { kind: "sign-in", profile: "dev" },
      },
    );
    expect(describeFailure(error)).toBe(
      "There are no cached login credentials for profile dev. Run `aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`, then run your command again. [CACHE_MISSING]",
    );
  });
});
