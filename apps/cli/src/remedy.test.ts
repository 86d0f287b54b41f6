import { AwsLoginError, messageWithRemedy } from "@awslogin/core";
import { describe, expect, it } from "vitest";
import { CLI_REMEDY_WORDING, loginHint } from "./remedy.js";

const advise = (error: AwsLoginError) => messageWithRemedy(error, CLI_REMEDY_WORDING);

describe("the CLI's words for core's remedies", () => {
  it("sign-in: the awslogin login command, with --profile unless it is the default profile", () => {
    const word = CLI_REMEDY_WORDING["sign-in"];
    expect(word({ kind: "sign-in", profile: "dev" })).toBe("Run `awslogin login --profile dev`.");
    expect(word({ kind: "sign-in", profile: "default" })).toBe("Run `awslogin login`.");
    expect(word({ kind: "sign-in" })).toBe("Run `awslogin login`.");
    expect(loginHint("ci")).toBe("awslogin login --profile ci");
  });

  it("diagnose: awslogin doctor when the problem persists", () => {
    expect(CLI_REMEDY_WORDING.diagnose({ kind: "diagnose" })).toBe("If it persists, run `awslogin doctor`.");
  });

  it("no remedy: core's message as it is", () => {
    expect(advise(new AwsLoginError("THROTTLED", "Wait, then try again."))).toBe("Wait, then try again.");
  });

  it("the advice follows core's message", () => {
    const error = new AwsLoginError("TOKEN_EXPIRED", "Your login session has ended. Sign in again.", {
      remedy: { kind: "sign-in", profile: "dev" },
    });
    expect(advise(error)).toBe(
      "Your login session has ended. Sign in again. Run `awslogin login --profile dev`.",
    );
    const locked = new AwsLoginError("LOCK_TIMEOUT", "Another process has been refreshing. Try again.", {
      remedy: { kind: "diagnose" },
    });
    expect(advise(locked)).toBe(
      "Another process has been refreshing. Try again. If it persists, run `awslogin doctor`.",
    );
  });
});
